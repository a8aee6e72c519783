#!/bin/sh
# Pull faults: a blob whose bytes do not match its digest, a blob larger than
# its descriptor, a connection cut in the middle of a blob: each refused with
# the layer named, and nothing partial left in the store.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
reg_start reg
REG="127.0.0.1:$REG_PORT"
it_start_daemon
B () { "$BERTH" -H "$IT_HOST" "$@"; }

reg_upload "$IT_IMG/layered.tar" "http://$REG" berth-reg/layered v1 > /dev/null || it_fail "upload layered"
# the top layer's compressed digest, from the manifest
top=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/berth-reg/layered/manifests/v1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["digest"])')

FAULT_PID=
fault_start () { # MODE
  rm -f "$IT_DIR/fault.port"
  "$PYTHON" "$top_srcdir/tests/registry/fault-registry.py" "http://$REG" "$IT_DIR/fault.port" "$1" "$top" &
  FAULT_PID=$!
  it_wait 100 test -s "$IT_DIR/fault.port" || it_fail "fault registry did not start"
  FAULT="localhost:$(cat "$IT_DIR/fault.port")"
}
fault_stop () { kill "$FAULT_PID" 2> /dev/null; wait "$FAULT_PID" 2> /dev/null; FAULT_PID=; }
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

for mode in corrupt oversize cut; do
  fault_start "$mode"
  out=$(B pull "$FAULT/berth-reg/layered:v1" 2>&1) && it_fail "$mode: the pull succeeded: $out"
  it_assert_contains "$out" "layer $top" "$mode: error"
  assert_clean "$mode"
  fault_stop
  echo "# $mode: $(printf "%s" "$out" | tail -n 1)"
  it_pass "$mode blob refused, naming the layer; nothing left"
done
