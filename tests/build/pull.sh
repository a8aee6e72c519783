# FROM pulls a missing base image, and build --pull (the API's pull=1)
# pulls it again even when it is here, from a docker-registry on 127.0.0.1
# (tests/registry/lib.sh); errors name the image.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
reg_start reg
REG="127.0.0.1:$REG_PORT"
it_start_daemon
export BERTH_HOST="$IT_HOST"
OUT="$IT_DIR/out"
C="$IT_DIR/ctx"; mkdir -p "$C"
reg_upload "$IT_IMG/busybox.tar" "http://$REG" berth-build/base latest > /dev/null || it_fail "upload busybox"
printf 'FROM %s/berth-build/base\nENV PULLED=1\n' "$REG" > "$C/Dockerfile"

"$BERTH" build -t pb1 "$C" > "$OUT" 2>&1 || it_fail "build FROM a missing image: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "latest: Pulling from berth-build/base"
it_assert_contains "$(cat "$OUT")" "Status: Downloaded newer image for $REG/berth-build/base:latest"
old=$("$BERTH" image inspect -f '{{.Id}}' "$REG/berth-build/base")
it_pass "FROM pulls a missing base image"

# a newer image under the same tag: used only with --pull
reg_upload "$IT_IMG/layered.tar" "http://$REG" berth-build/base latest > /dev/null || it_fail "upload layered"
"$BERTH" build -t pb2 "$C" > "$OUT" 2>&1 || it_fail "build: $(cat "$OUT")"
grep -q "Pulling from" "$OUT" && it_fail "pulled without --pull: $(cat "$OUT")"
it_assert_eq "$("$BERTH" image inspect -f '{{.Id}}' "$REG/berth-build/base")" "$old" "the local base without --pull"
"$BERTH" build --pull -t pb3 "$C" > "$OUT" 2>&1 || it_fail "build --pull: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "Status: Downloaded newer image for $REG/berth-build/base:latest"
new=$("$BERTH" image inspect -f '{{.Id}}' "$REG/berth-build/base")
[ "$new" != "$old" ] || it_fail "--pull did not get the newer image"
it_assert_contains "$(cat "$OUT")" " ---> $(echo "$new" | cut -c8-19)"
"$BERTH" build --pull -t pb3 "$C" > "$OUT" 2>&1 || it_fail "build --pull again: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "Status: Image is up to date for $REG/berth-build/base:latest"
it_assert_contains "$(cat "$OUT")" "Using cache"
# the API: pull=1
tar -C "$C" -cf "$IT_DIR/ctx.tar" .
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" "http://localhost/build?pull=1" > "$OUT" || it_fail "POST /build?pull=1"
it_assert_contains "$(cat "$OUT")" "Image is up to date for"
it_pass "build --pull gets a newer base image, pull=1 on the API"

# COPY --from an image that is not here pulls it too
reg_upload "$IT_IMG/busybox.tar" "http://$REG" berth-build/other v2 > /dev/null || it_fail "upload other"
printf 'FROM %s/berth-build/base\nCOPY --from=%s/berth-build/other:v2 /bin/busybox /bb\n' "$REG" "$REG" > "$C/Dockerfile"
"$BERTH" build -t pb4 "$C" > "$OUT" 2>&1 || it_fail "COPY --from a missing image: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "v2: Pulling from berth-build/other"
"$BERTH" image inspect "$REG/berth-build/other:v2" > /dev/null || it_fail "COPY --from did not pull"
it_pass "COPY --from pulls a missing image"

# errors: an unknown repository, an unreachable registry with --pull
printf 'FROM %s/berth-build/nothing-here\n' "$REG" > "$C/Dockerfile"
"$BERTH" build "$C" > "$OUT" 2>&1 && it_fail "FROM an unknown image succeeded"
it_assert_contains "$(cat "$OUT")" "Dockerfile:1: FROM $REG/berth-build/nothing-here: pull"
"$BERTH" tag "$REG/berth-build/base" "127.0.0.1:1/berth-build/base"
printf 'FROM 127.0.0.1:1/berth-build/base\n' > "$C/Dockerfile"
"$BERTH" build "$C" > "$OUT" 2>&1 || it_fail "a local image without --pull: $(cat "$OUT")"
"$BERTH" build --pull "$C" > "$OUT" 2>&1 && it_fail "--pull from an unreachable registry succeeded"
it_assert_contains "$(cat "$OUT")" "FROM 127.0.0.1:1/berth-build/base: pull"
it_pass "FROM pull errors: unknown image, unreachable registry with --pull"

# a registry that wants credentials: anonymous FROM refused; the CLI sends
# its stored credentials (X-Registry-Config, as the docker CLI); the API
# header alone works too
reg_stop
if command -v htpasswd > /dev/null; then
  htpasswd -Bbn berth-b2 'b2 secret' > "$IT_DIR/htpasswd"
else
  python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' berth-b2 'b2 secret' > "$IT_DIR/htpasswd"
fi
grep -q '^berth-b2:\$2[aby]\$' "$IT_DIR/htpasswd" || it_skip "cannot make a bcrypt htpasswd entry"
APORT=$(reg_free_port)
AREG="127.0.0.1:$APORT"
cat > "$IT_DIR/reg/auth.yml" << EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $IT_DIR/reg/storage
http:
  addr: $AREG
auth:
  htpasswd:
    realm: berth-b2
    path: $IT_DIR/htpasswd
EOC
"$REG_BIN" serve "$IT_DIR/reg/auth.yml" >> "$IT_DIR/reg/registry.log" 2>&1 &
REG_PID=$!
it_wait 100 sh -c "curl -s -o /dev/null -w '%{http_code}' http://$AREG/v2/ | grep -q 401" || it_fail "the auth registry did not start"
printf 'FROM %s/berth-build/other:v2\nENV AUTH=1\n' "$AREG" > "$C/Dockerfile"
export BERTH_CONFIG="$IT_DIR/cli"
"$BERTH" build "$C" > "$OUT" 2>&1 && it_fail "an anonymous pull from the auth registry succeeded"
it_assert_contains "$(cat "$OUT")" "authentication required"
"$BERTH" login -u berth-b2 -p 'b2 secret' "$AREG" > /dev/null 2>&1 || it_fail "login"
"$BERTH" build "$C" > "$OUT" 2>&1 || it_fail "build with stored credentials: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "v2: Pulling from berth-build/other"
tar -C "$C" -cf "$IT_DIR/ctx.tar" .
hdr=$(printf '{"http://%s/v2/":{"username":"berth-b2","password":"b2 secret"}}' "$AREG" | base64 -w0 | tr '+/' '-_')
it_curl -X POST -H 'Content-Type: application/x-tar' -H "X-Registry-Config: $hdr" --data-binary @"$IT_DIR/ctx.tar" \
  "http://localhost/build?pull=1" > "$OUT" || it_fail "POST /build with X-Registry-Config"
it_assert_contains "$(cat "$OUT")" "Image is up to date for $AREG/berth-build/other:v2"
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" "http://localhost/build?pull=1" > "$OUT"
it_assert_contains "$(cat "$OUT")" "authentication required"
it_pass "FROM pulls with the build's credentials (X-Registry-Config), from the CLI's store too"
