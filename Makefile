# tramso: the two commands a newcomer needs are `make demo` and `make test`.
# Everything the build and the tests use is installed by `make deps` (Debian 12, run as root or with sudo).

SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)
GO ?= go
GOFLAGS_TEST ?= -count=1 -timeout 15m

# Debian packages the build, the tests, the demo and the benchmarks use.
# pcscd + vsmartcard-vpcd: the PC/SC tests run a private pcscd with a virtual reader.
# X11/GL headers and xvfb: kiosk-ui (Ebiten, cgo) and its screenshot tests under Xvfb. mesa-utils:
# glxinfo, without which Ebiten renders through EGL, which on Mesa 22's software renderer sends every
# frame through the X socket instead of shared memory (README, touchscreen figures).
# systemd, udev, lintian, dpkg-dev, grub-common: the unit, rule, package and boot-config checks.
# libtesseract-dev, libleptonica-dev: the OCR engine (cgo). sane-utils, sane-airscan: real SANE in tests.
DEB_PACKAGES := \
	ca-certificates git gcc pkg-config util-linux \
	fonts-noto-core fonts-dejavu-core fonts-liberation2 icc-profiles-free \
	zbar-tools tesseract-ocr tesseract-ocr-vie libtesseract-dev libleptonica-dev \
	pcscd vsmartcard-vpcd \
	sane-utils sane-airscan poppler-utils \
	libc6-dev libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	libgl1-mesa-dev libgl1-mesa-dri mesa-utils xvfb espeak-ng \
	systemd udev lintian file binutils dpkg-dev grub-common

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps test vet fmt-check bench bench-ui bench-ocr demo fuzz clean

all: build

# deps installs what is missing, and nothing when everything is there (idempotent, quick).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go is missing: install Go 1.26 at /usr/local/go"; exit 1; }

build: deps
	$(GO) build -o bin/ ./kiosk/cmd/... ./ui/cmd/...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# TRAMSO_REQUIRE_PCSCD, TRAMSO_REQUIRE_SPEECH: those tests fail instead of skipping when pcscd or
# espeak-ng cannot run.
test: deps fmt-check vet
	TRAMSO_REQUIRE_PCSCD=1 TRAMSO_REQUIRE_SPEECH=1 $(GO) test $(GOFLAGS_TEST) ./...

# Benchmarks report figures (bytes on the wire, modelled line time, APDUs…); see README.
bench: deps bench-ui
	$(GO) test -run '^$$' -bench . -benchtime 3x ./drivers/... ./kiosk/... ./ui/widget ./ui/screens

# The touchscreen's start-up, idle CPU and frame times with kioskd --sim digitising a dossier (README).
bench-ui: build
	$(GO) run ./ui/bench -bin bin

# The OCR benchmark against raw Tesseract and OCRmyPDF on generated degraded pages (see ocr/README.md).
BENCH_PACKAGES := ocrmypdf
BENCH_PAGES ?= 12
bench-ocr: deps
	@dpkg-query -W -f='$${Status}\n' $(BENCH_PACKAGES) 2>/dev/null | grep -q '^install ok installed' || \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(BENCH_PACKAGES)
	$(GO) run ./ocr/bench -n $(BENCH_PAGES)

# Each fuzz target runs for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz: deps
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# The kiosk end to end on simulated hardware: kioskd --sim, the touchscreen in a window when a display
# exists (otherwise under Xvfb with a screenshot of every screen), a scripted citizen, results in demo-out/.
demo: build
	rm -rf demo-out
	./bin/kioskctl demo --ui --out demo-out

clean:
	rm -rf bin demo-out bench-out

# The Debian package (make deb) and the OS image with A/B updates (make image, make bundle,
# make image-test: long, not part of make test; see the README's technician section).
include packaging/deb.mk
include image/image.mk
