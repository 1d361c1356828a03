#!/bin/sh
# bundle.sh ROOTFS_IMG VERSION KEYDIR OUT: signs a root file system slot image (from assemble.sh or
# mkrootfs.sh) into a RAUC update bundle (verity format) for tramso kiosks.
set -eu
[ $# -eq 4 ] || {
	echo "usage: bundle.sh ROOTFS_IMG VERSION KEYDIR OUT" >&2
	exit 2
}
img=$1
version=$2
keys=$3
out=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/tramso-bundle.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/content"
ln "$img" "$work/content/rootfs.img" 2>/dev/null || cp "$img" "$work/content/rootfs.img"
cat >"$work/content/manifest.raucm" <<EOT
[update]
compatible=tramso-kiosk-amd64
version=$version

[bundle]
format=verity

[image.rootfs]
filename=rootfs.img
EOT
rm -f "$out"
rauc bundle --cert="$keys/cert.pem" --key="$keys/key.pem" "$work/content" "$out"
echo "$out"
