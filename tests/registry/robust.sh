#!/bin/sh
# Robust pulls through tests/registry/fault-registry.py in front of a real
# docker-registry: a connection cut mid-blob is resumed with Range (or the
# blob fetched again when Range is ignored); a registry that dies mid-pull
# and comes back is retried; one that keeps failing gives a clear error and
# leaves nothing behind; 401/403/404/500 answers, 429 (Retry-After honoured
# up to 10 s), a manifest over 4 MiB and a malformed one get clear messages.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
reg_start reg
REG="127.0.0.1:$REG_PORT"
it_start_daemon
B () { "$BERTH" -H "$IT_HOST" "$@"; }

reg_upload "$IT_IMG/layered.tar" "http://$REG" berth-reg/layered v1 > /dev/null || it_fail "upload layered"
want=$(tar -xOf "$IT_IMG/layered.tar" ./manifest.json | python3 -c 'import json,sys; print("sha256:"+json.load(sys.stdin)[0]["Config"].split("/")[-1])')
# the top layer's compressed digest, from the manifest
top=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/berth-reg/layered/manifests/v1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')

FAULT_PID=
fault_start () { # MODE [PORT]
  rm -f "$IT_DIR/fault.port"
  "$PYTHON" "$top_srcdir/tests/registry/fault-registry.py" "http://$REG" "$IT_DIR/fault.port" "$1" "$top" ${2:-} &
  FAULT_PID=$!
  it_wait 100 test -s "$IT_DIR/fault.port" || it_fail "fault registry did not start"
  FAULT_PORT=$(cat "$IT_DIR/fault.port")
  FAULT="localhost:$FAULT_PORT"
}
fault_stop () { [ -z "$FAULT_PID" ] || { kill "$FAULT_PID" 2> /dev/null; wait "$FAULT_PID" 2> /dev/null; }; FAULT_PID=; }
trap 'fault_stop; reg_cleanup' EXIT

# nothing half-done: no spooled tars, no scratch files, no layers, no images
assert_clean () {
  leftovers=$(find "$IT_DATA/image/layer-tars" "$IT_DATA/tmp" "$IT_DATA/image/ingest" -mindepth 1 2> /dev/null)
  [ -z "$leftovers" ] || it_fail "$1: partial files left: $leftovers"
  n=$(B images -q | wc -l)
  it_assert_eq "$n" 0 "$1: images in the store"
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get("layers", {})))' "$IT_DATA/image/images.json" 2> /dev/null || echo 0)
  it_assert_eq "$n" 0 "$1: layer records"
}

# a pull that must succeed and give the right image; then it is removed
pull_ok () { # MODE
  out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) || it_fail "$1: pull failed: $out"
  id=$(B image inspect -f '{{.Id}}' "$FAULT/berth-reg/layered:v1") || it_fail "$1: no image"
  it_assert_eq "$id" "$want" "$1: image id"
  B rmi "$FAULT/berth-reg/layered:v1" > /dev/null || it_fail "$1: rmi"
  assert_clean "$1 (after rmi)"
}

# 1. cut once, resumed with Range (206)
fault_start cutonce
pull_ok cutonce
it_assert_contains "$out" "Retrying in 1 second"
grep -q "retrying in 1 s from byte [1-9]" "$IT_LOG" || it_fail "cutonce: no resume from a byte offset in the log"
fault_stop
it_pass "a connection cut mid-blob is resumed with Range"

# 2. cut once, the registry ignores Range: the bytes already spooled are skipped
fault_start norange
pull_ok norange
fault_stop
it_pass "a registry that ignores Range: the whole blob again, the known part skipped"

# 3. the registry dies mid-blob and comes back on the same port
fault_start dieonce
port=$FAULT_PORT
B pull "$FAULT/berth-reg/layered:v1" > "$IT_DIR/pull.out" 2>&1 &
pull_pid=$!
it_wait 100 sh -c "! kill -0 $FAULT_PID 2> /dev/null" || it_fail "dieonce: the fault registry did not die"
wait "$FAULT_PID" 2> /dev/null
fault_start cutonce "$port"
wait "$pull_pid" || it_fail "pull across a registry restart failed: $(cat "$IT_DIR/pull.out")"
[ "$(B image inspect -f '{{.Id}}' "$FAULT/berth-reg/layered:v1")" = "$want" ] || it_fail "dieonce: image id"
B rmi "$FAULT/berth-reg/layered:v1" > /dev/null || it_fail "dieonce: rmi"
assert_clean "dieonce (after rmi)"
fault_stop
it_pass "a registry killed mid-pull and restarted: the pull completes"

# 4. it keeps cutting: a clear error after the retries, nothing left
fault_start cut
out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "cut: the pull succeeded"
it_assert_contains "$out" "layer $top"
it_assert_contains "$out" "download failed after 4 attempts"
assert_clean cut
fault_stop
it_pass "a connection cut every time: clear error after 4 attempts, nothing left"

# 5. HTTP answers: clear messages, no retries for final ones
for code in 401 403 404 500; do
  fault_start "status:$code"
  start=$(date +%s)
  out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "status $code: the pull succeeded"
  [ $(($(date +%s) - start)) -lt 5 ] || it_fail "status $code: retried a final answer"
  case $code in
    401) it_assert_contains "$out" "pull access denied for $FAULT/berth-reg/layered" ;;
    403) it_assert_contains "$out" "HTTP 403 Forbidden" ;;
    404) it_assert_contains "$out" "manifest for $FAULT/berth-reg/layered:v1 not found: HTTP 404 Not Found" ;;
    500) it_assert_contains "$out" "HTTP 500: the registry failed (server error)" ;;
  esac
  it_assert_contains "$out" "fault registry says $code"
  assert_clean "status $code"
  fault_stop
  echo "# $code: $out"
done
it_pass "401/403/404/500: clear messages"

# 6. 429: a short Retry-After is waited for; a long one is reported at once
fault_start 429once
pull_ok 429once
fault_stop
fault_start 429long
start=$(date +%s)
out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "429long: the pull succeeded"
[ $(($(date +%s) - start)) -lt 5 ] || it_fail "429long: waited for a Retry-After over the limit"
it_assert_contains "$out" "too many requests"
it_assert_contains "$out" "retry after 3600 s (berth waits at most 10 s)"
assert_clean 429long
fault_stop
it_pass "429: Retry-After honoured up to 10 s, reported beyond"

# 7. manifests: too large, malformed
fault_start bigmanifest
out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "bigmanifest: the pull succeeded"
it_assert_contains "$out" "manifest for $FAULT/berth-reg/layered:v1 refused: larger than 4194304 bytes"
assert_clean bigmanifest
fault_stop
fault_start badmanifest
out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "badmanifest: the pull succeeded"
it_assert_contains "$out" "manifest for $FAULT/berth-reg/layered:v1 refused"
assert_clean badmanifest
fault_stop
echo "# $out"
it_pass "manifests over 4 MiB or not JSON refused"
