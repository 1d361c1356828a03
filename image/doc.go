// Package osimage is the tramso kiosk's operating system image: an mkosi recipe (mkosi.default,
// mkosi.postinst, mkosi.extra/) for the Debian 12 root file system, the scripts that turn it into an
// A/B disk image with a read-only squashfs root, a persistent data partition and GRUB boot counting
// (assemble.sh, grub.cfg), the RAUC configuration and signed update bundles (bundle.sh, keys.sh), and
// the VM test (mktest.sh, vmtest.sh). image.mk wires them to make image, make bundle and
// make image-test. The Go files are the checks that run in make test.
package osimage
