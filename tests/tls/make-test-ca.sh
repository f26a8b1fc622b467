#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes a throw-away certificate authority and server certificates for the TLS tests:
#   make-test-ca.sh DIR
# DIR/ca.pem (the CA to trust), DIR/server.pem + server.key and DIR/other.pem + other.key (two
# different server certificates for localhost, 127.0.0.1 and ::1, both signed by the CA).
set -euo pipefail
dir="$1"
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/O=Chatter tests/CN=Chatter test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null
for name in server other; do
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -subj "/O=Chatter tests/CN=$name" -keyout "$name.key" -out "$name.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n' >"$name.ext"
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$name.ext" -out "$name.pem" 2>/dev/null
    rm -f "$name.csr" "$name.ext"
done
rm -f ca.srl
