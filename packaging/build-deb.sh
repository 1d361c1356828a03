#!/bin/sh
# build-deb.sh BINDIR OUTDIR VERSION
#
# Builds the tramso Debian package from the programs already built in BINDIR (whichever of kioskd,
# kiosk-ui and kioskctl exist: the package ships what is there) and the files of systemd/ and
# packaging/. Writes OUTDIR/tramso_VERSION_ARCH.deb and prints its path.
#
# Environment: SOURCE_DATE_EPOCH (file times and the changelog date; default: now),
# TRAMSO_CONFIG (the default configuration; default kiosk/config/kiosk.example.toml),
# TRAMSO_ARCH (default: dpkg --print-architecture).
set -eu

[ $# -eq 3 ] || {
	echo "usage: build-deb.sh BINDIR OUTDIR VERSION" >&2
	exit 2
}
bindir=$(cd "$1" && pwd)
outdir=$2
version=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
sys=$top/systemd
config=${TRAMSO_CONFIG:-$top/kiosk/config/kiosk.example.toml}
arch=${TRAMSO_ARCH:-$(dpkg --print-architecture)}
: "${SOURCE_DATE_EPOCH:=$(date +%s)}"
export SOURCE_DATE_EPOCH

printf '%s' "$version" | grep -Eq '^[0-9][A-Za-z0-9.+~]*$' || {
	echo "build-deb.sh: bad version $version" >&2
	exit 2
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
umask 022

put() { # put MODE SRC DEST
	install -D -m "$1" "$2" "$root$3"
}

# Programs, with their manual pages.
found=""
for f in "$bindir"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	put 0755 "$f" "/usr/bin/$name"
	if file -b "$f" | grep -q '^ELF'; then
		strip --remove-section=.comment --remove-section=.note "$root/usr/bin/$name" 2>/dev/null || true
	fi
	found="$found $name"
	for sect in 1 8; do
		if [ -f "$here/man/$name.$sect" ]; then
			mkdir -p "$root/usr/share/man/man$sect"
			gzip -9n <"$here/man/$name.$sect" >"$root/usr/share/man/man$sect/$name.$sect.gz"
		fi
	done
done
[ -n "$found" ] || {
	echo "build-deb.sh: no programs in $bindir" >&2
	exit 1
}
put 0755 "$sys/tramso-device-name" /usr/sbin/tramso-device-name
mkdir -p "$root/usr/share/man/man8"
gzip -9n <"$here/man/tramso-device-name.8" >"$root/usr/share/man/man8/tramso-device-name.8.gz"

# systemd, udev, users, console lock-down.
put 0644 "$sys/kioskd.service" /lib/systemd/system/kioskd.service
put 0644 "$sys/kiosk-ui.service" /lib/systemd/system/kiosk-ui.service
put 0644 "$sys/70-tramso.rules" /lib/udev/rules.d/70-tramso.rules
put 0644 "$sys/tramso.sysusers" /usr/lib/sysusers.d/tramso.conf
put 0644 "$sys/tramso.tmpfiles" /usr/lib/tmpfiles.d/tramso.conf
put 0644 "$sys/lockdown/logind.conf" /usr/lib/systemd/logind.conf.d/50-tramso-kiosk.conf
put 0644 "$sys/lockdown/system.conf" /usr/lib/systemd/system.conf.d/50-tramso-kiosk.conf
put 0644 "$sys/lockdown/sysctl.conf" /usr/lib/sysctl.d/50-tramso-kiosk.conf
put 0644 "$sys/lockdown/xorg.conf" /usr/share/X11/xorg.conf.d/50-tramso-kiosk.conf

# Fleet: the journal goes to the province's systemd-journal-remote, metrics by the Prometheus agent
# (both configured by `kioskctl provision`; inert until then). The drop-in hands the kiosk's keys to
# systemd-journal-upload; the link points its configuration at the file provisioning writes.
put 0644 "$here/journal/systemd-journal-upload-tramso.conf" /usr/lib/systemd/system/systemd-journal-upload.service.d/tramso.conf
mkdir -p "$root/etc/systemd/journal-upload.conf.d"
ln -s ../../tramso/journal-upload.conf "$root/etc/systemd/journal-upload.conf.d/tramso.conf"
put 0644 "$here/prometheus/tramso-prometheus-agent.service" /lib/systemd/system/tramso-prometheus-agent.service
put 0644 "$here/prometheus/node-exporter-tramso.conf" /usr/lib/systemd/system/prometheus-node-exporter.service.d/tramso.conf
put 0644 "$here/prometheus/tramso-alerts.yml" /usr/share/tramso/prometheus/tramso-alerts.yml

# Default configuration (a conffile) and documentation.
put 0644 "$config" /etc/tramso/kiosk.toml
put 0644 "$here/debian/copyright" /usr/share/doc/tramso/copyright
# The technician's guide is the README's section of that name (one text, kept in the README).
guide=$(mktemp)
sed -n '/^## Technicians/,/^## kioskctl/p' "$here/../README.md" | sed '$d' >"$guide"
[ -s "$guide" ] || { echo "build-deb: no technician section in README.md" >&2; exit 1; }
put 0644 "$guide" /usr/share/doc/tramso/TECHNICIAN.md
rm -f "$guide"
date=$(date -R -u -d "@$SOURCE_DATE_EPOCH")
sed -e "s/@VERSION@/$version/" -e "s/@DATE@/$date/" "$here/debian/changelog.in" | gzip -9n >"$root/usr/share/doc/tramso/changelog.gz"
if [ -f "$here/debian/lintian-overrides" ]; then
	put 0644 "$here/debian/lintian-overrides" /usr/share/lintian/overrides/tramso
fi

# Shared libraries the programs link (cgo builds): dpkg-shlibdeps wants a source tree around it.
shlibs=""
elfs=""
for f in "$root"/usr/bin/*; do
	if file -b "$f" | grep -q 'dynamically linked'; then
		elfs="$elfs $f"
	fi
done
if [ -n "$elfs" ]; then
	mkdir -p "$work/src/debian"
	printf 'Source: tramso\n\nPackage: tramso\nArchitecture: any\n' >"$work/src/debian/control"
	# shellcheck disable=SC2086
	deps=$(cd "$work/src" && dpkg-shlibdeps -O $elfs 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
	[ -z "$deps" ] || shlibs="$deps, "
fi

# Control files.
mkdir -p "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@SHLIBS@/$shlibs/" \
	"$here/debian/control.in" >"$root/DEBIAN/control"
install -m 0644 "$here/debian/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "$here/debian/$s" "$root/DEBIAN/$s"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort |
	xargs md5sum >DEBIAN/md5sums)
chmod 0644 "$root/DEBIAN/md5sums"

mkdir -p "$outdir"
deb=$outdir/tramso_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
