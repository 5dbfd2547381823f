#!/usr/bin/env bash
# Test certificates for the TLS tests, made with the `openssl` command (never used outside tests):
#
#   scripts/make-test-certs.sh DIR
#
# DIR/ca.pem            a test certificate authority (ca-key.pem is its key)
# DIR/server.pem        server certificate for localhost and 127.0.0.1, signed by ca.pem (key: server-key.pem)
# DIR/wronghost.pem     server certificate for other.example only, signed by ca.pem (key: wronghost-key.pem)
# DIR/expired.pem       server certificate for localhost and 127.0.0.1 that expired in 2020 (key: expired-key.pem)
# DIR/other-ca.pem      an unrelated certificate authority: trusting it instead of ca.pem must fail
# DIR/client.pem        client certificate signed by ca.pem (key: client-key.pem)
# DIR/docker/           ca.pem, cert.pem, key.pem laid out as DOCKER_CERT_PATH wants them
# Idempotent: an existing complete DIR is left as it is (DIR/complete marks it).
set -euo pipefail
D=${1:?usage: make-test-certs.sh DIR}
[ -e "$D/complete" ] && exit 0
mkdir -p "$D/docker" "$D/ca-db"
cd "$D"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
authority() { # name subject
  key "$1-key.pem"
  openssl req -x509 -new -key "$1-key.pem" -subj "/CN=$2" -days 3650 -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
leaf() { # name subject extension-lines [openssl-ca dates...]
  local name=$1 subject=$2 extensions=$3
  shift 3
  key "$name-key.pem"
  openssl req -new -key "$name-key.pem" -subj "/CN=$subject" -out "$name.csr"
  printf '%b\n' "$extensions" > "$name.ext"
  if [ $# -eq 0 ]; then
    openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile "$name.ext" -out "$name.pem" 2>/dev/null
  else
    # `openssl ca` is the command that takes explicit validity dates (for a certificate that has expired).
    : > ca-db/index.txt
    printf '1000\n' > ca-db/serial
    cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
serial = ca-db/serial
new_certs_dir = ca-db
certificate = ca.pem
private_key = ca-key.pem
default_md = sha256
policy = anything
copy_extensions = none
[anything]
commonName = supplied
CNF
    openssl ca -batch -notext -config ca-db/ca.cnf "$@" -extfile "$name.ext" -in "$name.csr" -out "$name.pem" \
      2>/dev/null
  fi
  rm -f "$name.csr" "$name.ext"
}

authority ca "sidecar-executor test CA"
authority other-ca "an unrelated test CA"
server_ext='subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'
leaf server localhost "$server_ext"
leaf wronghost other.example 'subjectAltName=DNS:other.example\nextendedKeyUsage=serverAuth'
leaf expired localhost "$server_ext" -startdate 20200101000000Z -enddate 20200102000000Z
leaf client sidecar-executor 'extendedKeyUsage=clientAuth'
cp ca.pem docker/ca.pem
cp client.pem docker/cert.pem
cp client-key.pem docker/key.pem
chmod 600 ./*-key.pem docker/key.pem
touch complete
