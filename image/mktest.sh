#!/bin/sh
# mktest.sh WORK KEYDIR: from the root tree WORK/root (build-root.sh), makes what the VM test boots
# and installs, in WORK/test:
#   test.raw      the kiosk image plus the test agent (and a stand-in kioskd while the package has
#                 none), version 1-test
#   good.raucb    an update to the same system, version 2-test
#   broken.raucb  an update whose kioskd fails at start, version 3-broken
set -eu
[ $# -eq 2 ] || {
	echo "usage: mktest.sh WORK KEYDIR" >&2
	exit 2
}
work=$(cd "$1" && pwd)
keys=$2
here=$(cd "$(dirname "$0")" && pwd)
t=$work/test
rm -rf "$t"
mkdir -p "$t"
cp -a "$work/root" "$t/root"
r=$t/root

install -m 0755 "$here/testdata/agent/tramso-test-agent" "$r/usr/lib/tramso/tramso-test-agent"
install -m 0644 "$here/testdata/agent/tramso-test-agent.service" "$r/etc/systemd/system/tramso-test-agent.service"
mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
ln -sf /etc/systemd/system/tramso-test-agent.service "$r/etc/systemd/system/multi-user.target.wants/"
if [ ! -x "$r/usr/bin/kioskd" ]; then
	echo "mktest.sh: the package has no kioskd yet: the test image runs testdata/stubkioskd"
	(cd "$here/testdata/stubkioskd" && CGO_ENABLED=0 ${GO:-go} build -trimpath -o "$r/usr/bin/kioskd" .)
fi

"$here/assemble.sh" "$r" "$keys" 1-test "$t/test.raw" >/dev/null

echo 2-test >"$r/usr/lib/tramso/image-version"
"$here/mkrootfs.sh" "$r" "$t/good.img"
"$here/bundle.sh" "$t/good.img" 2-test "$keys" "$t/good.raucb" >/dev/null

echo 3-broken >"$r/usr/lib/tramso/image-version"
printf '#!/bin/sh\necho "kioskd: broken on purpose" >&2\nexit 1\n' >"$r/usr/bin/kioskd"
chmod 0755 "$r/usr/bin/kioskd"
"$here/mkrootfs.sh" "$r" "$t/broken.img"
"$here/bundle.sh" "$t/broken.img" 3-broken "$keys" "$t/broken.raucb" >/dev/null

rm -rf "$r" "$t/good.img" "$t/broken.img" "$t/test.raw.rootfs.img"
ls -l "$t"
