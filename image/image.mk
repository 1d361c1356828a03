# image/image.mk: the kiosk OS image (mkosi + RAUC A/B), signed update bundles, and the VM test.
# Included by the top-level Makefile after packaging/deb.mk (it uses deb, DEB_FILE and DEB_VERSION).
#
#   make image       bin/image/tramso-kiosk.raw (and the slot image bin/image/tramso-kiosk.raw.rootfs.img)
#   make bundle      bin/image/tramso-kiosk_$(BUNDLE_VERSION).raucb, signed with the development key
#   make image-test  boots the image under QEMU: update, slot switch, automatic rollback (slow)

IMAGE_WORK ?= bin/image
IMAGE_KEYS ?= $(IMAGE_WORK)/keys
IMAGE_VERSION ?= $(DEB_VERSION)
BUNDLE_VERSION ?= $(IMAGE_VERSION)
IMAGE_RAW := $(IMAGE_WORK)/tramso-kiosk.raw
IMAGE_ROOTFS := $(IMAGE_RAW).rootfs.img

# Debian packages for building images and bundles, and for booting them in the VM test.
IMAGE_DEB_PACKAGES := mkosi debootstrap systemd-container squashfs-tools e2fsprogs fdisk dosfstools mtools \
	grub-efi-amd64-bin grub-common rauc openssl
IMAGE_TEST_DEB_PACKAGES := qemu-system-x86 ovmf systemd-journal-remote

.PHONY: image bundle image-test image-deps image-test-deps

image-deps:
	@missing=""; for p in $(IMAGE_DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

image-test-deps:
	@missing=""; for p in $(IMAGE_TEST_DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi

image: deb image-deps
	image/build-root.sh $(DEB_FILE) $(IMAGE_WORK)
	image/keys.sh $(IMAGE_KEYS)
	SOURCE_DATE_EPOCH=$(DEB_EPOCH) image/assemble.sh $(IMAGE_WORK)/root $(IMAGE_KEYS) $(IMAGE_VERSION) $(IMAGE_RAW)
	@echo "image: $(IMAGE_RAW) ($$(du -h --apparent-size $(IMAGE_RAW) | cut -f1) disk, $$(du -h $(IMAGE_ROOTFS) | cut -f1) root file system)"

bundle: image-deps
	@[ -f $(IMAGE_ROOTFS) ] || $(MAKE) image
	image/keys.sh $(IMAGE_KEYS)
	image/bundle.sh $(IMAGE_ROOTFS) $(BUNDLE_VERSION) $(IMAGE_KEYS) $(IMAGE_WORK)/tramso-kiosk_$(BUNDLE_VERSION).raucb

image-test: image-deps image-test-deps
	@[ -d $(IMAGE_WORK)/root ] || $(MAKE) image
	image/keys.sh $(IMAGE_KEYS)
	GO=$(GO) image/mktest.sh $(IMAGE_WORK) $(IMAGE_KEYS)
# The packaged kioskctl has no development central server (build tag nosim): the host runs a developer build.
	$(GO) build -o $(IMAGE_WORK)/host/kioskctl ./kiosk/cmd/kioskctl
	KIOSKCTL=$$(realpath $(IMAGE_WORK)/host/kioskctl) image/vmtest.sh $(IMAGE_WORK)/test
