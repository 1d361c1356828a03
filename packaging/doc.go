// Package packaging builds the tramso Debian package: build-deb.sh assembles it from the programs
// built by `make deb` (packaging/deb.mk), the files of systemd/, the maintainer scripts and metadata
// in debian/, and the manual pages in man/. The Go files are its tests.
package packaging
