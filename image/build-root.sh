#!/bin/sh
# build-root.sh DEB WORKDIR: builds the kiosk's root file system tree with mkosi into WORKDIR/root,
# from the recipe in image/ and the tramso package DEB.
set -eu
[ $# -eq 2 ] || {
	echo "usage: build-root.sh DEB WORKDIR" >&2
	exit 2
}
deb=$(readlink -f "$1")
work=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)

recipe=$work/recipe
rm -rf "$recipe"
mkdir -p "$recipe"
cp -a "$here/mkosi.default" "$here/mkosi.postinst" "$here/mkosi.extra" "$recipe/"
mkdir -p "$recipe/mkosi.extra/root"
cp "$deb" "$recipe/mkosi.extra/root/tramso.deb"
# The package cache survives between builds (mkosi.cache/ beside the recipe).
mkdir -p "$work/cache"
ln -sfn "$work/cache" "$recipe/mkosi.cache"

if [ ! -d /run/systemd/system ]; then
	PATH=$here/tools:$PATH
fi
cd "$recipe"
rm -rf "$work/root"
mkosi --force --output="$work/root" build
