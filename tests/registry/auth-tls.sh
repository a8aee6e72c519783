#!/bin/sh
# Registry auth over TLS: docker-registry with a test CA's certificate and
# htpasswd basic auth on a non-loopback address of this host (so that the
# certificate is verified).  Unknown CA -> a clear TLS error; the CA in
# registry-certs-dir/HOST:PORT/ca.crt -> trusted; anonymous push/pull
# refused; berth login (wrong and right), config.json (0600, Docker's
# format), push/pull with the stored credentials, logout; POST /auth and
# X-Registry-Auth checked with curl; a credential helper; insecure-registries
# (no CA, unverified HTTPS); the stock docker CLI through berthd.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"
. "$top_srcdir/tests/registry/auth-lib.sh"

IP=$(auth_host_ip)
[ -n "$IP" ] || it_skip "no non-loopback IPv4 address to serve a verified registry on"
PORT=$(reg_free_port)
REG="$IP:$PORT"
auth_make_ca "$IT_DIR/tls" "IP:$IP" "IP:127.0.0.1" || it_fail "openssl could not make the test CA"
auth_htpasswd "$IT_DIR/htpasswd" berth-user 's3cret pass'
auth_reg_start reg "$REG" https "http:
  addr: $REG
  tls:
    certificate: $IT_DIR/tls/server.crt
    key: $IT_DIR/tls/server.key
auth:
  htpasswd:
    realm: berth-test-realm
    path: $IT_DIR/htpasswd"

CERTS="$IT_DIR/certs.d"
mkdir -p "$CERTS"
echo "registry-certs-dir: $CERTS" >> "$IT_CONFIG"
it_make_images
it_start_daemon
export BERTH_CONFIG="$IT_DIR/cli"
B () { "$BERTH" -H "$IT_HOST" "$@"; }
B load -i "$IT_IMG/layered.tar" > /dev/null || it_fail "load layered"
id=$(B image inspect -f '{{.Id}}' berth-test/layered:v1)
B tag berth-test/layered:v1 "$REG/berth-auth/layered:v1" || it_fail "tag"

# 1. a CA nobody told us about: refused, with the way out in the message
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) && it_fail "pull from an untrusted registry succeeded"
it_assert_contains "$out" "tls: cannot verify the certificate of registry $REG"
it_assert_contains "$out" "$CERTS/$REG/ca.crt"
out=$(B login -u berth-user -p 's3cret pass' "$REG" 2>&1) && it_fail "login to an untrusted registry succeeded"
it_assert_contains "$out" "cannot verify the certificate"
it_pass "unknown CA: clear TLS error"

# 2. the CA in certs.d; anonymous access refused as Docker words it
mkdir -p "$CERTS/$REG"
cp "$IT_DIR/tls/ca.crt" "$CERTS/$REG/ca.crt"
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) && it_fail "anonymous pull succeeded"
it_assert_contains "$out" "pull access denied for $REG/berth-auth/layered"
it_assert_contains "$out" "unauthorized: authentication required"
out=$(B push "$REG/berth-auth/layered:v1" 2>&1) && it_fail "anonymous push succeeded"
it_assert_contains "$out" "unauthorized: authentication required"
it_pass "CA from certs.d trusted; anonymous pull/push refused"

# 3. login: wrong password, then right; config.json as Docker writes it
out=$(B login -u berth-user -p wrong "$REG" 2>&1) && it_fail "login with a wrong password succeeded"
it_assert_contains "$out" "Error response from daemon: login attempt to $REG failed with status: 401"
[ -e "$BERTH_CONFIG/config.json" ] && it_fail "a failed login stored credentials"
out=$(printf 's3cret pass\n' | B login -u berth-user --password-stdin "$REG" 2>&1) || it_fail "login: $out"
it_assert_contains "$out" "Login Succeeded"
it_assert_eq "$(stat -c %a "$BERTH_CONFIG/config.json")" 600 "config.json mode"
auth=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["auths"][sys.argv[2]]["auth"])' "$BERTH_CONFIG/config.json" "$REG")
it_assert_eq "$(printf %s "$auth" | base64 -d)" "berth-user:s3cret pass" "stored auth"
it_pass "login: wrong password refused, right one stored (0600, auths.HOST.auth)"

# 4. push and pull with the stored credentials
out=$(B push "$REG/berth-auth/layered:v1" 2>&1) || it_fail "push with credentials: $out"
it_assert_contains "$out" "Pushed"
digest=$(printf '%s\n' "$out" | sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p')
B rmi "$REG/berth-auth/layered:v1" berth-test/layered:v1 > /dev/null || it_fail "rmi"
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) || it_fail "pull with credentials: $out"
it_assert_contains "$out" "Digest: $digest"
it_assert_eq "$(B image inspect -f '{{.Id}}' "$REG/berth-auth/layered:v1")" "$id" "image id after the round trip"
it_pass "push and pull with basic auth over verified TLS"

# 5. the API: POST /auth and X-Registry-Auth
code=$(it_curl -o "$IT_DIR/auth.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"berth-user\",\"password\":\"s3cret pass\",\"serveraddress\":\"https://$REG/\"}" http://localhost/auth)
it_assert_eq "$code" 200 "POST /auth status"
it_assert_eq "$(it_json 'j["Status"]' < "$IT_DIR/auth.json")" "Login Succeeded" "POST /auth Status"
it_assert_eq "$(it_json 'j["IdentityToken"]' < "$IT_DIR/auth.json")" "" "POST /auth IdentityToken"
code=$(it_curl -o "$IT_DIR/auth.json" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"berth-user\",\"password\":\"nope\",\"serveraddress\":\"$REG\"}" http://localhost/auth)
it_assert_eq "$code" 401 "POST /auth status with a wrong password"
it_assert_contains "$(it_json 'j["message"]' < "$IT_DIR/auth.json")" "failed with status: 401"
code=$(it_curl -o "$IT_DIR/pull.json" -w '%{http_code}' -X POST -H 'X-Registry-Auth: %%%not-base64' \
  "http://localhost/images/create?fromImage=$REG/berth-auth/layered&tag=v1")
it_assert_eq "$code" 400 "bad X-Registry-Auth status"
it_assert_contains "$(it_json 'j["message"]' < "$IT_DIR/pull.json")" "X-Registry-Auth"
# base64url without padding, as the docker CLI sends it
hdr=$(printf '{"username":"berth-user","password":"s3cret pass","serveraddress":"%s"}' "$REG" | base64 -w0 | tr '+/' '-_' | tr -d '=')
B rmi "$REG/berth-auth/layered:v1" > /dev/null
it_curl -f -o "$IT_DIR/pull.json" -X POST -H "X-Registry-Auth: $hdr" \
  "http://localhost/images/create?fromImage=$REG/berth-auth/layered&tag=v1" || it_fail "pull with X-Registry-Auth"
grep -q '"error"' "$IT_DIR/pull.json" && it_fail "pull with X-Registry-Auth: $(cat "$IT_DIR/pull.json")"
B image inspect "$REG/berth-auth/layered:v1" > /dev/null || it_fail "not pulled with X-Registry-Auth"
it_pass "POST /auth (200/401), X-Registry-Auth (base64url without padding; garbage is 400)"

# 6. logout: anonymous again
out=$(B logout "$REG") || it_fail "logout"
it_assert_contains "$out" "Removing login credentials for $REG"
out=$(B logout "$REG") || it_fail "second logout"
it_assert_contains "$out" "Not logged in to $REG"
B rmi "$REG/berth-auth/layered:v1" > /dev/null
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) && it_fail "pull after logout succeeded"
it_assert_contains "$out" "unauthorized: authentication required"
it_pass "logout"

# 7. a credential helper (credsStore) holds the secret instead of config.json
mkdir -p "$IT_DIR/bin"
cat > "$IT_DIR/bin/docker-credential-berthtest" << 'EOH'
#!/bin/sh
store="$BERTH_TEST_HELPER_STORE"
case "$1" in
  store) cat > "$store" ;;
  get) read -r url; if [ -s "$store" ] && python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["ServerURL"] != sys.argv[2])' "$store" "$url"; then cat "$store"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase) read -r url; rm -f "$store" ;;
  *) exit 2 ;;
esac
EOH
chmod +x "$IT_DIR/bin/docker-credential-berthtest"
export BERTH_TEST_HELPER_STORE="$IT_DIR/helper-store.json"
echo '{"credsStore": "berthtest"}' > "$BERTH_CONFIG/config.json"
out=$(PATH="$IT_DIR/bin:$PATH" B login -u berth-user -p 's3cret pass' "$REG" 2>&1) || it_fail "login with a helper: $out"
it_assert_eq "$(it_json 'j["Secret"]' < "$BERTH_TEST_HELPER_STORE")" "s3cret pass" "the helper's secret"
grep -q 's3cret\|auths' "$BERTH_CONFIG/config.json" && it_fail "config.json got the secret: $(cat "$BERTH_CONFIG/config.json")"
out=$(PATH="$IT_DIR/bin:$PATH" B pull "$REG/berth-auth/layered:v1" 2>&1) || it_fail "pull with a helper's credentials: $out"
out=$(PATH="$IT_DIR/bin:$PATH" B logout "$REG") || it_fail "logout with a helper"
[ -e "$BERTH_TEST_HELPER_STORE" ] && it_fail "the helper's erase was not called"
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) && it_fail "pull with a missing helper succeeded"
it_assert_contains "$out" "docker-credential-berthtest is not installed"
rm -f "$BERTH_CONFIG/config.json"
it_pass "credential helper: store, get, erase"

# 8. insecure-registries: no CA, HTTPS without verification
rm -rf "$CERTS/$REG"
B rmi "$REG/berth-auth/layered:v1" > /dev/null
it_stop_daemon || it_fail "daemon stop"
printf 'insecure-registries:\n  - %s\n' "$REG" >> "$IT_CONFIG"
it_start_daemon
printf 's3cret pass' | B login -u berth-user --password-stdin "$REG" > /dev/null 2>&1 || it_fail "login to an insecure registry"
out=$(B pull "$REG/berth-auth/layered:v1" 2>&1) || it_fail "pull from an insecure registry: $out"
B rmi "$REG/berth-auth/layered:v1" > /dev/null
it_pass "insecure-registries: unverified HTTPS"

# 9. the stock docker CLI: login, pull, push through berthd
if command -v docker > /dev/null; then
  export DOCKER_CONFIG="$IT_DIR/docker-cli"
  D () { DOCKER_HOST="$IT_HOST" docker "$@"; }
  out=$(printf 'wrong' | D login -u berth-user --password-stdin "$REG" 2>&1) && it_fail "docker login with a wrong password succeeded"
  it_assert_contains "$out" "401"
  out=$(printf 's3cret pass' | D login -u berth-user --password-stdin "$REG" 2>&1) || it_fail "docker login: $out"
  it_assert_contains "$out" "Login Succeeded"
  out=$(D pull "$REG/berth-auth/layered:v1" 2>&1) || it_fail "docker pull: $out"
  it_assert_contains "$out" "Digest: $digest"
  D tag "$REG/berth-auth/layered:v1" "$REG/berth-auth/docker:v2" || it_fail "docker tag"
  out=$(D push "$REG/berth-auth/docker:v2" 2>&1) || it_fail "docker push: $out"
  it_assert_contains "$out" "v2: digest: $digest"
  D logout "$REG" > /dev/null
  out=$(D pull "$REG/berth-auth/docker:v2" 2>&1) && it_fail "docker pull after logout succeeded"
  it_assert_contains "$out" "unauthorized"
  it_pass "docker login/pull/push through berthd"
fi
