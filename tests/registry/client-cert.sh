#!/bin/sh
# A registry that requires a client certificate (docker-registry's
# tls.clientcas): with only the CA in registry-certs-dir/HOST:PORT/ the
# handshake is refused with a clear error; with client.cert + client.key
# beside it, push and pull work, as Docker's certs.d layout promises.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"
. "$top_srcdir/tests/registry/auth-lib.sh"

IP=$(auth_host_ip)
[ -n "$IP" ] || it_skip "no non-loopback IPv4 address to serve a verified registry on"
PORT=$(reg_free_port)
REG="$IP:$PORT"
auth_make_ca "$IT_DIR/tls" "IP:$IP" || it_fail "openssl could not make the test CA and certificates"
dir="$IT_DIR/mtls"
mkdir -p "$dir/storage"
cat > "$dir/config.yml" << EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
http:
  addr: $REG
  tls:
    certificate: $IT_DIR/tls/server.crt
    key: $IT_DIR/tls/server.key
    clientcas:
      - $IT_DIR/tls/ca.crt
EOC
"$REG_BIN" serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 &
REG_PID=$!
it_wait 100 sh -c "curl -s --cacert '$IT_DIR/tls/ca.crt' --cert '$IT_DIR/tls/client.cert' --key '$IT_DIR/tls/client.key' \
  -o /dev/null -w '%{http_code}' https://$REG/v2/ | grep -q '^2'" \
  || it_fail "docker-registry did not start (see $dir/registry.log: $(tail -n 3 "$dir/registry.log"))"
# the registry really refuses a client without a certificate
curl -s --cacert "$IT_DIR/tls/ca.crt" -o /dev/null "https://$REG/v2/" && it_fail "the registry accepted a client without a certificate"

CERTS="$IT_DIR/certs.d"
mkdir -p "$CERTS/$REG"
cp "$IT_DIR/tls/ca.crt" "$CERTS/$REG/ca.crt"
echo "registry-certs-dir: $CERTS" >> "$IT_CONFIG"
it_make_images
it_start_daemon
B () { "$BERTH" -H "$IT_HOST" "$@"; }
B load -i "$IT_IMG/layered.tar" > /dev/null || it_fail "load layered"
id=$(B image inspect -f '{{.Id}}' berth-test/layered:v1)
B tag berth-test/layered:v1 "$REG/mtls/layered:v1" || it_fail "tag"

out=$(B push "$REG/mtls/layered:v1" 2>&1) && it_fail "push without a client certificate succeeded"
it_assert_contains "$out" "$REG"
it_pass "no client certificate: the push fails, naming the registry"

cp "$IT_DIR/tls/client.cert" "$CERTS/$REG/client.cert"
cp "$IT_DIR/tls/client.key" "$CERTS/$REG/client.key"
out=$(B push "$REG/mtls/layered:v1" 2>&1) || it_fail "push with a client certificate: $out"
it_assert_contains "$out" "Pushed"
B rmi "$REG/mtls/layered:v1" berth-test/layered:v1 > /dev/null || it_fail "rmi"
out=$(B pull "$REG/mtls/layered:v1" 2>&1) || it_fail "pull with a client certificate: $out"
it_assert_eq "$(B image inspect -f '{{.Id}}' "$REG/mtls/layered:v1")" "$id" "image id after the round trip"
it_pass "certs.d client.cert + client.key: push and pull through a registry that requires them"
