#!/bin/sh
# keys.sh KEYDIR: makes a development update-signing key and self-signed certificate in KEYDIR
# (key.pem, cert.pem) unless they exist. The certificate is the image's RAUC keyring, so bundles
# signed with this key install only on images built with it. Never commit these; production images
# are built with the real signing certificate in KEYDIR instead.
set -eu
[ $# -eq 1 ] || {
	echo "usage: keys.sh KEYDIR" >&2
	exit 2
}
dir=$1
if [ -f "$dir/key.pem" ] && [ -f "$dir/cert.pem" ]; then
	exit 0
fi
mkdir -p "$dir"
chmod 0700 "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$dir/key.pem" -out "$dir/cert.pem" -days 3650 \
	-subj "/O=tramso/CN=tramso development update signing" \
	-addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,digitalSignature,keyCertSign" 2>/dev/null
chmod 0600 "$dir/key.pem"
echo "development signing key: $dir/key.pem (not for production)"
