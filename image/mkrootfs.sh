#!/bin/sh
# mkrootfs.sh ROOT OUT: packs a root tree into the squashfs slot image that GRUB and the kernel mount
# read-only. gzip, because GRUB's squash4 reads it; reproducible given SOURCE_DATE_EPOCH.
set -eu
[ $# -eq 2 ] || {
	echo "usage: mkrootfs.sh ROOT OUT" >&2
	exit 2
}
rm -f "$2"
set -- "$1" "$2" -noappend -comp gzip -b 1M -no-progress -quiet -wildcards -e 'boot/efi/*' 'tmp/*' 'var/tmp/*'
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	set -- "$@" -mkfs-time "$SOURCE_DATE_EPOCH" -all-time "$SOURCE_DATE_EPOCH"
fi
mksquashfs "$@"
