#!/bin/sh
# assemble.sh ROOT KEYDIR VERSION OUT: turns the root tree built by mkosi (build-root.sh) into the
# kiosk's A/B disk image OUT, without loop devices or mounts:
#   1 tramso-esp     64 MiB  FAT: GRUB (EFI/BOOT/BOOTX64.EFI, with image/grub.cfg) and its environment
#   2 tramso-root-a  SLOT    the root file system as squashfs (read-only), the first slot
#   3 tramso-root-b  SLOT    empty until the first update
#   4 tramso-data    DATA    ext4 mounted on /var: dossiers, outbox, keys, provisioning, RAUC status
# It also leaves OUT.rootfs.img (the slot image, which bundle.sh signs into update bundles).
# The development signing certificate KEYDIR/cert.pem becomes the image's RAUC keyring.
# Environment: SLOT_MIB (default 1536), DATA_MIB (default 512).
set -eu
[ $# -eq 4 ] || {
	echo "usage: assemble.sh ROOT KEYDIR VERSION OUT" >&2
	exit 2
}
root=$1
keys=$2
version=$3
out=$4
here=$(cd "$(dirname "$0")" && pwd)
slot_mib=${SLOT_MIB:-1536}
data_mib=${DATA_MIB:-512}
esp_mib=64
work=$(mktemp -d "${TMPDIR:-/tmp}/tramso-assemble.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The release this root is, and the keys updates must be signed with.
install -D -m 0644 "$keys/cert.pem" "$root/etc/rauc/keyring.pem"
echo "$version" >"$root/usr/lib/tramso/image-version"

"$here/mkrootfs.sh" "$root" "$out.rootfs.img"
size=$(stat -c %s "$out.rootfs.img")
if [ "$size" -gt $((slot_mib * 1024 * 1024)) ]; then
	echo "assemble.sh: root file system ($size bytes) larger than a slot ($slot_mib MiB)" >&2
	exit 1
fi

# EFI system partition: a standalone GRUB with our configuration, and a fresh boot environment:
# slot A confirmed, slot B empty.
grub-editenv "$work/grubenv" create
grub-editenv "$work/grubenv" set ORDER="A B" A_OK=1 A_TRY=0 B_OK=0 B_TRY=0
grub-mkstandalone -O x86_64-efi -o "$work/BOOTX64.EFI" \
	--modules="part_gpt fat squash4 search search_label regexp loadenv test linux normal echo" \
	"boot/grub/grub.cfg=$here/grub.cfg"
rm -f "$work/esp.img"
mkfs.vfat -C -n TRAMSOESP "$work/esp.img" $((esp_mib * 1024)) >/dev/null
mmd -i "$work/esp.img" ::EFI ::EFI/BOOT ::EFI/tramso
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::EFI/BOOT/BOOTX64.EFI
mcopy -i "$work/esp.img" "$work/grubenv" ::EFI/tramso/grubenv

# Data partition, seeded with the image's /var.
mkfs.ext4 -q -F -L tramso-data -E root_owner=0:0 -d "$root/var" "$work/data.img" "${data_mib}M"

# The disk: GPT with fixed partition numbers (grub.cfg relies on them).
total=$((1 + esp_mib + 2 * slot_mib + data_mib + 1))
rm -f "$out"
truncate -s "${total}M" "$out"
sfdisk -q "$out" <<EOT
label: gpt
start=1MiB, size=${esp_mib}MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=tramso-esp
size=${slot_mib}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=tramso-root-a
size=${slot_mib}MiB, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=tramso-root-b
size=${data_mib}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=tramso-data
EOT
put() { # put FILE START_MIB
	dd if="$1" of="$out" bs=1M seek="$2" conv=notrunc,sparse status=none
}
put "$work/esp.img" 1
put "$out.rootfs.img" $((1 + esp_mib))
put "$work/data.img" $((1 + esp_mib + 2 * slot_mib))
echo "$out"
