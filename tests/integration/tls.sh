# The API over TCP with mutual TLS (--tlsverify), next to the UNIX socket:
# certificates made with the openssl CLI here; berth and the stock docker
# CLI with a client certificate (version, ps, run --rm, run -i and exec
# streams); refused: no client certificate, one from another CA, an expired
# one, one not for client auth, plain HTTP, a server the CA did not sign;
# startup refused for a missing or mismatched key, a missing CA and a
# non-loopback address without --tlsverify.
. "$top_srcdir/tests/integration/lib.sh"

command -v openssl > /dev/null || it_skip "openssl is not installed"

tls_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  it_cleanup
}
trap tls_cleanup EXIT

# --- certificates: a CA, a server certificate for 127.0.0.1 and localhost,
# a client certificate; a second CA with its own client certificate.
C="$IT_DIR/certs"
mkdir -p "$C"
mkcert () { # NAME CA-PREFIX EXTENSIONS [DAYS]
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" \
    -keyout "$C/$1-key.pem" -out "$C/$1.csr" 2> /dev/null || it_fail "openssl req for $1"
  printf '%s\n' "$3" > "$C/$1.ext"
  openssl x509 -req -in "$C/$1.csr" -CA "$C/$2.pem" -CAkey "$C/$2-key.pem" -CAcreateserial -days "${4:-2}" \
    -extfile "$C/$1.ext" -out "$C/$1-cert.pem" 2> /dev/null || it_fail "openssl x509 for $1"
}
for ca in ca other-ca; do
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=berth-test-$ca" \
    -keyout "$C/$ca-key.pem" -out "$C/$ca.pem" 2> /dev/null || it_fail "openssl: $ca"
done
mkcert server ca "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
mkcert client ca "extendedKeyUsage=clientAuth"
mkcert stranger other-ca "extendedKeyUsage=clientAuth"
mkcert expired ca "extendedKeyUsage=clientAuth" -1
mkcert server-only ca "extendedKeyUsage=serverAuth"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TCP="tcp://127.0.0.1:$PORT"
SERVER_TLS=(--tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/server-cert.pem" --tlskey "$C/server-key.pem")

# --- startup refusals
rc=0
out=$(timeout 30 "$BERTHD" --config "$IT_CONFIG" -H "$TCP" --tlsverify --tlscacert "$C/ca.pem" \
  --tlscert "$C/server-cert.pem" --tlskey "$C/missing-key.pem" 2>&1) || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || it_fail "berthd started without its key file (rc $rc): $out"
it_assert_contains "$out" "$C/missing-key.pem" "missing key error"
rc=0
out=$(timeout 30 "$BERTHD" --config "$IT_CONFIG" -H "$TCP" --tlsverify --tlscacert "$C/ca.pem" \
  --tlscert "$C/server-cert.pem" --tlskey "$C/client-key.pem" 2>&1) || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || it_fail "berthd started with a key that is not the certificate's (rc $rc)"
it_assert_contains "$out" "the private key in $C/client-key.pem does not match the certificate in $C/server-cert.pem"
rc=0
out=$(timeout 30 "$BERTHD" --config "$IT_CONFIG" -H "$TCP" --tlsverify --tlscacert "$C/missing-ca.pem" \
  --tlscert "$C/server-cert.pem" --tlskey "$C/server-key.pem" 2>&1) || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || it_fail "berthd started without its CA file (rc $rc)"
it_assert_contains "$out" "$C/missing-ca.pem" "missing CA error"
rc=0
out=$(timeout 30 "$BERTHD" --config "$IT_CONFIG" -H "tcp://0.0.0.0:$PORT" --tls --tlscert "$C/server-cert.pem" \
  --tlskey "$C/server-key.pem" 2>&1) || rc=$?
[ "$rc" != 0 ] && [ "$rc" != 124 ] || it_fail "berthd listened on 0.0.0.0 without --tlsverify (rc $rc)"
it_assert_contains "$out" "only allowed on a loopback address" "0.0.0.0 without --tlsverify"
out=$(timeout 60 "$BERTHD" --config "$IT_CONFIG" -H "tcp://0.0.0.0:$PORT" "${SERVER_TLS[@]}" --validate 2>&1) \
  || it_fail "--validate with -H tcp://0.0.0.0 and --tlsverify: $out"
it_pass "startup refused: missing key, mismatched key, missing CA, 0.0.0.0 without --tlsverify"

# --- the daemon: the UNIX socket as before, TCP with mutual TLS
it_start_daemon -H "$IT_HOST" -H "$TCP" "${SERVER_TLS[@]}"
it_ping > /dev/null || it_fail "UNIX socket"
FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
BERTH_HOST="$IT_HOST" timeout 60 "$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"

# no certificate directory of the user's interferes
export HOME="$IT_DIR/home" BERTH_CERT_PATH="$IT_DIR/no-certs"
unset BERTH_HOST BERTH_TLS_VERIFY DOCKER_HOST DOCKER_TLS_VERIFY DOCKER_CERT_PATH
tb () { timeout 60 "$BERTH" --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/client-cert.pem" \
  --tlskey "$C/client-key.pem" -H "$TCP" "$@"; }

out=$(curl -sS --cacert "$C/ca.pem" --cert "$C/client-cert.pem" --key "$C/client-key.pem" \
  "https://127.0.0.1:$PORT/_ping" 2>&1) || it_fail "curl with the client certificate: $out"
it_assert_eq "$out" "OK" "_ping over TLS"
out=$(tb version 2>&1) || it_fail "berth version over TLS: $out"
it_assert_contains "$out" "Server: berth" "berth version over TLS"
tb ps > /dev/null || it_fail "berth ps over TLS"
out=$(tb run --rm busybox echo over-tls 2>&1) || it_fail "berth run --rm over TLS: $out"
it_assert_eq "$out" "over-tls" "run --rm over TLS"
it_pass "berth version, ps, run --rm with a client certificate; curl"

# hijacked streams: stdin's EOF reaches the container, the output's end the client
out=$(printf 'line one\nline two\n' | tb run -i --rm busybox sh -c 'cat; echo done' 2>&1) \
  || it_fail "run -i over TLS: $out"
it_assert_eq "$out" "line one
line two
done" "run -i over TLS"
head -c 3000000 /dev/urandom > "$IT_DIR/big"
out=$(tb run -i --rm busybox md5sum < "$IT_DIR/big" 2>&1) || it_fail "run -i with 3 MB over TLS: $out"
it_assert_eq "${out%% *}" "$(md5sum < "$IT_DIR/big" | cut -d' ' -f1)" "3 MB through run -i over TLS"
tb run -d --name tls-ex busybox sleep 1000 > /dev/null || it_fail "run -d over TLS"
it_assert_eq "$(tb exec tls-ex echo exec-ok 2>&1)" "exec-ok" "exec over TLS"
it_assert_eq "$(echo piped | tb exec -i tls-ex cat 2>&1)" "piped" "exec -i over TLS"
rc=0; tb exec tls-ex sh -c 'exit 7' || rc=$?
it_assert_eq "$rc" 7 "exec exit status over TLS"
it_pass "run -i (and 3 MB of input), exec, exec -i over TLS"

# the environment instead of flags: BERTH_TLS_VERIFY, BERTH_CERT_PATH; DOCKER_* as fallbacks
mkdir -p "$IT_DIR/berth-certs"
cp "$C/ca.pem" "$IT_DIR/berth-certs/ca.pem"
cp "$C/client-cert.pem" "$IT_DIR/berth-certs/cert.pem"
cp "$C/client-key.pem" "$IT_DIR/berth-certs/key.pem"
out=$(BERTH_TLS_VERIFY=1 BERTH_CERT_PATH="$IT_DIR/berth-certs" timeout 60 "$BERTH" -H "$TCP" ps 2>&1) \
  || it_fail "BERTH_TLS_VERIFY + BERTH_CERT_PATH: $out"
out=$(env -u BERTH_CERT_PATH DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$IT_DIR/berth-certs" BERTH_HOST="$TCP" \
  timeout 60 "$BERTH" ps 2>&1) || it_fail "DOCKER_TLS_VERIFY + DOCKER_CERT_PATH + BERTH_HOST: $out"
mkdir -p "$HOME/.berth"
cp "$IT_DIR/berth-certs/"*.pem "$HOME/.berth/"
out=$(env -u BERTH_CERT_PATH timeout 60 "$BERTH" --tlsverify -H "$TCP" ps 2>&1) || it_fail "~/.berth: $out"
rm -rf "$HOME/.berth"
it_pass "BERTH_TLS_VERIFY/BERTH_CERT_PATH, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, ~/.berth"

# --- refusals
rc=0; out=$(timeout 60 "$BERTH" --tlsverify --tlscacert "$C/ca.pem" -H "$TCP" ps 2>&1) || rc=$?
[ "$rc" != 0 ] || it_fail "a client without a certificate was served: $out"
it_assert_contains "$out" "certificate required" "no client certificate"
rc=0; curl -sS --cacert "$C/ca.pem" "https://127.0.0.1:$PORT/_ping" > "$IT_DIR/out" 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "curl without a client certificate was served: $(cat "$IT_DIR/out")"
rc=0; out=$(timeout 60 "$BERTH" --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/stranger-cert.pem" \
  --tlskey "$C/stranger-key.pem" -H "$TCP" ps 2>&1) || rc=$?
[ "$rc" != 0 ] || it_fail "a client certificate from another CA was accepted: $out"
rc=0; curl -sS --cacert "$C/ca.pem" --cert "$C/stranger-cert.pem" --key "$C/stranger-key.pem" \
  "https://127.0.0.1:$PORT/_ping" > "$IT_DIR/out" 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "curl with a certificate from another CA was served"
for bad in expired server-only; do
  rc=0; out=$(timeout 60 "$BERTH" --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/$bad-cert.pem" \
    --tlskey "$C/$bad-key.pem" -H "$TCP" ps 2>&1) || rc=$?
  [ "$rc" != 0 ] || it_fail "a client certificate ($bad) was accepted: $out"
done
# the server certificate is checked too: against the CA, and for the name
rc=0; out=$(timeout 60 "$BERTH" --tlsverify --tlscacert "$C/other-ca.pem" --tlscert "$C/client-cert.pem" \
  --tlskey "$C/client-key.pem" -H "$TCP" ps 2>&1) || rc=$?
[ "$rc" != 0 ] || it_fail "a server certificate from an untrusted CA was accepted"
it_assert_contains "$out" "certificate verify failed" "untrusted server"
# by name: the certificate's DNS:localhost
out=$(timeout 60 "$BERTH" --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/client-cert.pem" \
  --tlskey "$C/client-key.pem" -H "tcp://localhost:$PORT" ps 2>&1) || it_fail "-H tcp://localhost: $out"
# plain HTTP to the TLS port
out=$(curl -sS "http://127.0.0.1:$PORT/_ping" 2>&1 || true)
it_assert_contains "$out" "Client sent an HTTP request to an HTTPS server." "plain HTTP to the TLS port"
rc=0; out=$(timeout 60 "$BERTH" -H "$TCP" ps 2>&1) || rc=$?
[ "$rc" != 0 ] || it_fail "plain HTTP to the TLS port was served: $out"
# a half-finished handshake does not hold the daemon up
exec 7<> "/dev/tcp/127.0.0.1/$PORT"
tb ps > /dev/null || it_fail "berth ps while another connection is stuck before its handshake"
exec 7>&-
it_ping > /dev/null || it_fail "UNIX socket after the refusals"
it_pass "refused: no client certificate, another CA, expired, not for clients, untrusted server, plain HTTP"

# --- the stock docker CLI
dockers=
for d in /usr/local/bin/docker /usr/bin/docker $(command -v docker 2> /dev/null); do
  [ -x "$d" ] || continue
  case " $dockers " in *" $(readlink -f "$d") "*) continue ;; esac
  dockers="$dockers $(readlink -f "$d")"
done
for docker in $dockers; do
  td () { DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$docker" --tlsverify --tlscacert "$C/ca.pem" \
    --tlscert "$C/client-cert.pem" --tlskey "$C/client-key.pem" -H "$TCP" "$@"; }
  out=$(td version 2>&1) || it_fail "$docker version over TLS: $out"
  it_assert_contains "$out" "Server: berth" "$docker version over TLS"
  out=$(td run --rm busybox echo docker-tls 2>&1) || it_fail "$docker run --rm over TLS: $out"
  it_assert_eq "$out" "docker-tls" "$docker run --rm over TLS"
  out=$(printf 'a\nb\n' | td run -i --rm busybox cat 2>&1) || it_fail "$docker run -i over TLS: $out"
  it_assert_eq "$out" "a
b" "$docker run -i over TLS"
  it_assert_eq "$(echo piped | td exec -i tls-ex cat 2>&1)" "piped" "$docker exec -i over TLS"
  rc=0; out=$(DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$docker" --tlsverify --tlscacert "$C/ca.pem" \
    -H "$TCP" version 2>&1) || rc=$?
  case "$out" in *"Server: berth"*) it_fail "$docker without a client certificate got the server's version" ;; esac
  it_pass "$docker over TLS: version, run --rm, run -i, exec -i; refused without a client certificate"
done
[ -n "$dockers" ] || echo "# no docker CLI installed: its checks were skipped"

tb rm -f tls-ex > /dev/null || it_fail "rm over TLS"
it_stop_daemon || it_fail "exit status after SIGTERM"
