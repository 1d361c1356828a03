#!/bin/sh
# go-build.sh OUTDIR PACKAGE... builds Go mains for the Debian package: position-independent,
# externally linked (a proper ELF interpreter and full RELRO, as Debian's hardening asks), stripped,
# without build paths. Patterns for folders that do not exist yet (./ui/cmd/... before kiosk-ui is
# written) are skipped, so the package ships whichever programs exist. The build tag nosim leaves out
# the device simulators, the development central server and the test PKI (kioskd --sim, kioskctl demo).
set -eu
[ $# -ge 2 ] || {
	echo "usage: go-build.sh OUTDIR PACKAGE..." >&2
	exit 2
}
out=$1
shift
pkgs=""
for p in "$@"; do
	dir=${p%/...}
	if [ -d "$dir" ]; then
		pkgs="$pkgs $p"
	else
		echo "go-build.sh: $dir does not exist yet, skipped" >&2
	fi
done
[ -n "$pkgs" ] || {
	echo "go-build.sh: nothing to build" >&2
	exit 1
}
mkdir -p "$out"
# shellcheck disable=SC2086
CGO_ENABLED=1 ${GO:-go} build -tags nosim -trimpath -buildmode=pie \
	-ldflags='-s -w -linkmode=external -extldflags=-Wl,-z,relro,-z,now' -o "$out/" $pkgs
