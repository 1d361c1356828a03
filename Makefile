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
# libtesseract-dev, libleptonica-dev: the OCR engine (cgo); tesseract-ocr-osd: orientation detection
# (second opinion on ID cards and pages with little text). pango1.0-tools: pango-view draws the second
# OCR test corpus (ocr/corpus ModelCopy) with another renderer than ours. sane-utils, sane-airscan: real SANE in tests.
# libnfc-bin: nfc-list, libnfc's client, drives the simulated PN532 in the tests; opensc and pcsc-tools:
# opensc-tool and pcsc_scan drive the simulated chip through pcscd.
# poppler-utils + libnss3-tools (certutil): pdfsig checks the signed dossier PDFs against a test CA.
# systemd-journal-remote: a real journal-remote and journal-upload for the remote-log test (packaging/journal).
DEB_PACKAGES := \
	ca-certificates git gcc pkg-config util-linux \
	fonts-noto-core fonts-dejavu-core fonts-liberation2 icc-profiles-free \
	zbar-tools tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd libtesseract-dev libleptonica-dev pango1.0-tools \
	pcscd vsmartcard-vpcd libnfc-bin opensc pcsc-tools \
	sane-utils sane-airscan poppler-utils libnss3-tools \
	libc6-dev libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev \
	libgl1-mesa-dev libgl1-mesa-dri mesa-utils xvfb espeak-ng \
	systemd udev lintian file binutils dpkg-dev grub-common \
	prometheus prometheus-node-exporter systemd-journal-remote

# staticcheck runs in make test beside go vet (installed by make deps into ~/go/bin).
STATICCHECK_VERSION := v0.8.2

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps test test-race vet staticcheck fmt-check bench bench-ui bench-ocr demo demo-load fuzz clean

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
	@command -v staticcheck >/dev/null || { echo "Installing staticcheck $(STATICCHECK_VERSION)"; \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); }
	@# Redocly CLI and Prism (npm, pinned in tools/openapi/package-lock.json) lint the OpenAPI documents
	@# and check real traffic against them; they need Node.js 20.19 or later with npm.
	@[ -x tools/openapi/node_modules/.bin/redocly ] && [ -x tools/openapi/node_modules/.bin/prism ] || { \
		command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (nodejs) with npm"; exit 1; }; \
		npm ci --prefix tools/openapi --no-audit --no-fund --loglevel=error; }
	@# receiptio (npm, pinned in tools/escpos/package-lock.json) checks the simulated printer's answers.
	@[ -x tools/escpos/node_modules/.bin/receiptio ] || npm ci --prefix tools/escpos --no-audit --no-fund --loglevel=error

build: deps
	$(GO) build -o bin/ ./kiosk/cmd/... ./ui/cmd/...

# The package's build (-tags nosim, without the simulators) is vetted too.
vet:
	$(GO) vet ./...
	$(GO) vet -tags nosim ./...

staticcheck: deps
	staticcheck ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# TRAMSO_REQUIRE_PCSCD, TRAMSO_REQUIRE_SPEECH, TRAMSO_REQUIRE_NFCLIST: those tests fail instead of
# skipping when pcscd, espeak-ng or nfc-list cannot run; TRAMSO_REQUIRE_PDFSIG: when pdfsig or certutil is missing;
# TRAMSO_REQUIRE_PROMETHEUS: when promtool or prometheus is missing.
test: deps fmt-check vet staticcheck
	TRAMSO_REQUIRE_PCSCD=1 TRAMSO_REQUIRE_SPEECH=1 TRAMSO_REQUIRE_NFCLIST=1 TRAMSO_REQUIRE_PDFSIG=1 TRAMSO_REQUIRE_PROMETHEUS=1 TRAMSO_REQUIRE_JOURNAL=1 TRAMSO_REQUIRE_REDOCLY=1 TRAMSO_REQUIRE_PRISM=1 TRAMSO_REQUIRE_RECEIPTIO=1 $(GO) test $(GOFLAGS_TEST) ./...

# The race detector over the packages that run goroutines against each other (long: not part of
# make test; see the README for its time).
RACE_PACKAGES := ./kiosk/session/... ./kiosk/daemon/... ./kiosk/api/... ./kiosk/outbox/... \
	./drivers/escpos/... ./drivers/pn532/...
test-race: deps
	TRAMSO_REQUIRE_PCSCD=1 TRAMSO_REQUIRE_NFCLIST=1 $(GO) test -race -count=1 -timeout 30m $(RACE_PACKAGES)

# Benchmarks report figures (bytes on the wire, modelled line time, APDUs…); see README.
bench: deps bench-ui
	$(GO) test -run '^$$' -bench . -benchtime 3x ./drivers/... ./kiosk/... ./ui/widget ./ui/screens

# The touchscreen's start-up, idle CPU and frame times with kioskd --sim digitising a dossier (README).
bench-ui: build
	$(GO) run ./ui/bench -bin bin

# The OCR benchmark against raw Tesseract and OCRmyPDF on generated degraded pages (see ocr/README.md).
BENCH_PACKAGES := ocrmypdf unpaper
# pages per held-out seed and degradation model (2 seeds × 2 models): 12 pages, about 5–10 minutes
BENCH_PAGES ?= 3
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

# The demo under CPU load (issue 13; long, not part of make test): two busy loops on the cores, then
# kioskctl demo DEMO_LOAD_RUNS times headless and once with the touchscreen (--ui, under Xvfb). Each
# run fails unless every delivered PDF begins with the title of its own paper (kioskctl demo checks
# it with pdftotext). Logs and results in demo-load-out/; prints passes, time per run and loadavg.
DEMO_LOAD_RUNS ?= 10
demo-load: build
	@rm -rf demo-load-out; mkdir -p demo-load-out; \
	sh -c 'while :; do :; done' & busy1=$$!; sh -c 'while :; do :; done' & busy2=$$!; \
	trap 'kill $$busy1 $$busy2 2>/dev/null' EXIT; \
	pass=0; runs=0; \
	for run in $$(seq 1 $(DEMO_LOAD_RUNS)) ui; do \
		flags=--headless; [ $$run = ui ] && flags="--ui --headless"; \
		t0=$$(date +%s.%N); \
		if ./bin/kioskctl demo $$flags --out demo-load-out/run-$$run >demo-load-out/run-$$run.log 2>&1; then \
			result=ok; pass=$$((pass+1)); else result=FAILED; fi; \
		runs=$$((runs+1)); \
		secs=$$(awk -v a=$$t0 -v b=$$(date +%s.%N) 'BEGIN { printf "%.1f", b-a }'); \
		load=$$(cut -d' ' -f1-3 /proc/loadavg); \
		echo "run $$run ($$flags): $$result in $$secs s, loadavg $$load" | tee -a demo-load-out/summary.txt; \
		[ $$result = ok ] || tail -n 3 demo-load-out/run-$$run.log; \
	done; \
	echo "demo-load: $$pass/$$runs runs passed" | tee -a demo-load-out/summary.txt; \
	[ $$pass = $$runs ]

clean:
	rm -rf bin demo-out bench-out demo-load-out

# The Debian package (make deb) and the OS image with A/B updates (make image, make bundle,
# make image-test: long, not part of make test; see the README's technician section).
include packaging/deb.mk
include image/image.mk
