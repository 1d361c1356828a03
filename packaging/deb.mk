# packaging/deb.mk: `make deb` builds the tramso Debian package into $(DEB_OUT).
# Included by the top-level Makefile (which defines GO and the deps target).

DEB_OUT ?= bin/deb
DEB_BIN := $(DEB_OUT)/programs
# Version: 0.1.0+gitYYYYMMDD.HASH of the last commit, file times from its commit time (reproducible).
# Computed once per make run, so every target of the run names the same file.
ifeq ($(origin DEB_EPOCH),undefined)
DEB_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
endif
ifeq ($(origin DEB_VERSION),undefined)
DEB_VERSION := 0.1.0+git$(shell date -u -d @$(DEB_EPOCH) +%Y%m%d).$(shell git rev-parse --short=8 HEAD 2>/dev/null || echo 0)
endif
ifeq ($(origin DEB_ARCH),undefined)
DEB_ARCH := $(shell dpkg --print-architecture)
endif
DEB_FILE := $(DEB_OUT)/tramso_$(DEB_VERSION)_$(DEB_ARCH).deb

.PHONY: deb
deb: deps
	rm -rf $(DEB_BIN)
	GO=$(GO) packaging/go-build.sh $(DEB_BIN) ./kiosk/cmd/... ./ui/cmd/...
	SOURCE_DATE_EPOCH=$(DEB_EPOCH) TRAMSO_ARCH=$(DEB_ARCH) packaging/build-deb.sh $(DEB_BIN) $(DEB_OUT) $(DEB_VERSION)
	lintian --fail-on error,warning $(DEB_FILE)
	@echo "built $(DEB_FILE)"
