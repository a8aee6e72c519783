#!/bin/sh
# Registry token auth: docker-registry (plain HTTP on 127.0.0.1) trusting
# tests/registry/token-server.py, which signs RS256 JWTs with a test key.
# Anonymous tokens pull public/* only; login wrong/right through berthd;
# push asks for repository:NAME:pull,push; tokens are reused per scope
# (a second pull fetches none); a refresh token from login (IdentityToken)
# works for later pulls; the stock docker CLI through berthd.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"
. "$top_srcdir/tests/registry/auth-lib.sh"

TOK_LOG="$IT_DIR/token-requests.log"
: > "$TOK_LOG"
mkdir -p "$IT_DIR/token"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth test token issuer" \
  -keyout "$IT_DIR/token/key.pem" -out "$IT_DIR/token/cert.pem" > /dev/null 2>&1 || it_fail "openssl: token key"
"$PYTHON" "$top_srcdir/tests/registry/token-server.py" "$IT_DIR/token/key.pem" "$IT_DIR/token/cert.pem" \
  berth-test-issuer 'berth-user:t0ken pass' "$TOK_LOG" > "$IT_DIR/token/port" 2> "$IT_DIR/token/server.log" &
TOK_PID=$!
it_wait 50 test -s "$IT_DIR/token/port" || it_fail "the token server did not start: $(cat "$IT_DIR/token/server.log")"
TOK_PORT=$(cat "$IT_DIR/token/port")
tok_cleanup () { kill "$TOK_PID" 2> /dev/null; wait "$TOK_PID" 2> /dev/null; reg_cleanup; }
trap tok_cleanup EXIT

PORT=$(reg_free_port)
REG="127.0.0.1:$PORT"
auth_reg_start reg "$REG" http "http:
  addr: $REG
auth:
  token:
    realm: http://127.0.0.1:$TOK_PORT/token
    service: berth-test-registry
    issuer: berth-test-issuer
    rootcertbundle: $IT_DIR/token/cert.pem"

it_make_images
it_start_daemon
export BERTH_CONFIG="$IT_DIR/cli"
B () { "$BERTH" -H "$IT_HOST" "$@"; }
tok_count () { wc -l < "$TOK_LOG"; }
B load -i "$IT_IMG/layered.tar" > /dev/null || it_fail "load layered"
id=$(B image inspect -f '{{.Id}}' berth-test/layered:v1)
B tag berth-test/layered:v1 "$REG/private/layered:v1" || it_fail "tag"
B tag berth-test/layered:v1 "$REG/public/layered:v1" || it_fail "tag"

# 1. anonymous: an anonymous token does not allow a push
out=$(B push "$REG/private/layered:v1" 2>&1) && it_fail "anonymous push succeeded"
it_assert_contains "$out" "unauthorized: authentication required"
grep -q '"account": ""' "$TOK_LOG" || it_fail "no anonymous token was asked for: $(cat "$TOK_LOG")"
it_pass "anonymous token: push refused"

# 2. login through the token server
out=$(B login -u berth-user -p wrong "$REG" 2>&1) && it_fail "login with a wrong password succeeded"
it_assert_contains "$out" "unauthorized: incorrect username or password"
out=$(printf 't0ken pass' | B login -u berth-user --password-stdin "$REG" 2>&1) || it_fail "login: $out"
it_assert_contains "$out" "Login Succeeded"
it_pass "login: wrong password refused by the token server, right one accepted"

# 3. push with a pull,push token; the anonymous pull of public/ works
out=$(B push "$REG/private/layered:v1" 2>&1) || it_fail "push: $out"
digest=$(printf '%s\n' "$out" | sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p')
grep -q '"scopes": \["repository:private/layered:pull,push"\]' "$TOK_LOG" || it_fail "no pull,push scope: $(cat "$TOK_LOG")"
B push "$REG/public/layered:v1" > /dev/null 2>&1 || it_fail "push public"
it_pass "push with a repository:NAME:pull,push token"

# 4. pull: a token for pull, reused by a second pull
B rmi "$REG/private/layered:v1" "$REG/public/layered:v1" berth-test/layered:v1 > /dev/null || it_fail "rmi"
out=$(B pull "$REG/private/layered:v1" 2>&1) || it_fail "pull: $out"
it_assert_contains "$out" "Digest: $digest"
it_assert_eq "$(B image inspect -f '{{.Id}}' "$REG/private/layered:v1")" "$id" "pulled image id"
n=$(tok_count)
B rmi "$REG/private/layered:v1" > /dev/null
out=$(B pull "$REG/private/layered:v1" 2>&1) || it_fail "second pull: $out"
it_assert_eq "$(tok_count)" "$n" "token requests of a second pull"
it_pass "pull with a token; the token is reused by the next pull"

# 5. logout: anonymous pulls of private/ are refused in Docker's words, public/ works
B logout "$REG" > /dev/null || it_fail "logout"
B rmi "$REG/private/layered:v1" > /dev/null
out=$(B pull "$REG/private/layered:v1" 2>&1) && it_fail "anonymous pull of a private repository succeeded"
it_assert_contains "$out" "pull access denied for $REG/private/layered"
it_assert_contains "$out" "repository does not exist or may require"
out=$(B pull "$REG/public/layered:v1" 2>&1) || it_fail "anonymous pull of public/: $out"
it_pass "anonymous: private refused, public pulled"

# 6. a refresh token (IdentityToken) from POST /auth works for later pulls
out=$(it_curl -H 'Content-Type: application/json' \
  -d "{\"username\":\"berth-user\",\"password\":\"t0ken pass\",\"serveraddress\":\"$REG\"}" http://localhost/auth)
it_assert_eq "$(printf '%s' "$out" | it_json 'j["Status"]')" "Login Succeeded" "POST /auth"
rt=$(printf '%s' "$out" | it_json 'j["IdentityToken"]')
case $rt in refresh-*) ;; *) it_fail "no IdentityToken from POST /auth: $out" ;; esac
hdr=$(printf '{"identitytoken":"%s","serveraddress":"%s"}' "$rt" "$REG" | base64 -w0 | tr '+/' '-_')
B rmi "$REG/public/layered:v1" > /dev/null
it_curl -f -o "$IT_DIR/pull.json" -X POST -H "X-Registry-Auth: $hdr" \
  "http://localhost/images/create?fromImage=$REG/private/layered&tag=v1" || it_fail "pull with an identity token"
grep -q '"error"' "$IT_DIR/pull.json" && it_fail "pull with an identity token: $(cat "$IT_DIR/pull.json")"
grep -q '"method": "POST", "account": "berth-user"' "$TOK_LOG" || it_fail "no refresh_token grant: $(cat "$TOK_LOG")"
it_pass "identity token: POST /auth returns one, a pull uses it (refresh_token grant)"

# 7. the stock docker CLI through berthd
if command -v docker > /dev/null; then
  export DOCKER_CONFIG="$IT_DIR/docker-cli"
  D () { DOCKER_HOST="$IT_HOST" docker "$@"; }
  B rmi "$REG/private/layered:v1" > /dev/null
  out=$(printf 't0ken pass' | D login -u berth-user --password-stdin "$REG" 2>&1) || it_fail "docker login: $out"
  it_assert_contains "$out" "Login Succeeded"
  out=$(D pull "$REG/private/layered:v1" 2>&1) || it_fail "docker pull: $out"
  it_assert_contains "$out" "Digest: $digest"
  D tag "$REG/private/layered:v1" "$REG/private/docker:v2" || it_fail "docker tag"
  out=$(D push "$REG/private/docker:v2" 2>&1) || it_fail "docker push: $out"
  it_assert_contains "$out" "v2: digest: $digest"
  it_pass "docker login/pull/push through berthd (token auth)"
fi
