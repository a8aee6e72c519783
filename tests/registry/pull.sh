#!/bin/sh
# berth pull from a plain-HTTP docker-registry on 127.0.0.1: images uploaded
# with plain API calls (tests/registry/upload.py), by tag, by digest, through
# an OCI index with platform selection; layers already present skipped;
# RepoDigests; the JSON progress stream; errors for unknown manifests and an
# unreachable registry.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
reg_start reg
REG="127.0.0.1:$REG_PORT"
it_start_daemon
B () { "$BERTH" -H "$IT_HOST" "$@"; }

# the layered image (3 layers) as a schema2 manifest; busybox via an index
d_layered=$(reg_upload "$IT_IMG/layered.tar" "http://$REG" berth-reg/layered v1) || it_fail "upload layered"
d_index=$(reg_upload "$IT_IMG/busybox.tar" "http://$REG" berth-reg/busybox latest index) || it_fail "upload busybox"

# 1. pull by tag (plain output: not a terminal)
out=$(B pull "$REG/berth-reg/layered:v1" 2>&1) || it_fail "pull layered: $out"
it_assert_contains "$out" "v1: Pulling from berth-reg/layered"
it_assert_contains "$out" "Pull complete"
it_assert_contains "$out" "Digest: $d_layered"
it_assert_contains "$out" "Status: Downloaded newer image for $REG/berth-reg/layered:v1"
it_assert_contains "$out" "$REG/berth-reg/layered:v1"
id=$(B image inspect -f '{{.Id}}' "$REG/berth-reg/layered:v1") || it_fail "inspect pulled image"
want=$(tar -xOf "$IT_IMG/layered.tar" ./manifest.json | python3 -c 'import json,sys; print("sha256:"+json.load(sys.stdin)[0]["Config"].split("/")[-1])')
it_assert_eq "$id" "$want" "pulled image id"
digests=$(B image inspect -f '{{json .RepoDigests}}' "$REG/berth-reg/layered:v1")
it_assert_eq "$digests" "[\"$REG/berth-reg/layered@$d_layered\"]" "RepoDigests"
it_pass "pull by tag: image id, tag, RepoDigests"

# 2. the container runs from it
out=$(B run --rm "$REG/berth-reg/layered:v1" sh -c 'echo pulled-ok' 2>&1) || it_fail "run pulled image: $out"
it_assert_contains "$out" "pulled-ok"
it_pass "a pulled image runs"

# 3. again: up to date, every layer already there
out=$(B pull "$REG/berth-reg/layered:v1" 2>&1) || it_fail "second pull: $out"
it_assert_contains "$out" "Already exists"
it_assert_contains "$out" "Status: Image is up to date for $REG/berth-reg/layered:v1"
case $out in *"Pull complete"*) it_fail "second pull downloaded a layer: $out" ;; esac
it_pass "second pull: layers skipped, up to date"

# 4. an OCI index: the host platform chosen, unknown/unknown skipped
out=$(B pull "$REG/berth-reg/busybox" 2>&1) || it_fail "pull from index: $out"
it_assert_contains "$out" "Using default tag: latest"
it_assert_contains "$out" "Digest: $d_index"
B image inspect "$REG/berth-reg/busybox:latest" > /dev/null || it_fail "index pull: no image"
out=$(B pull --platform linux/arm64 "$REG/berth-reg/busybox" 2>&1) && it_fail "pull of a platform the index lacks succeeded"
it_assert_contains "$out" "no matching manifest for linux/arm64"
it_pass "index: platform selection"

# 5. by digest: no tag, a RepoDigest
B rmi "$REG/berth-reg/layered:v1" > /dev/null || it_fail "rmi"
out=$(B pull -q "$REG/berth-reg/layered@$d_layered" 2>&1) || it_fail "pull by digest: $out"
it_assert_eq "$out" "$REG/berth-reg/layered@$d_layered" "pull -q output"
B image inspect "$REG/berth-reg/layered:v1" > /dev/null 2>&1 && it_fail "pull by digest created a tag"
B image inspect "$REG/berth-reg/layered@$d_layered" > /dev/null || it_fail "pull by digest: no digest reference"
it_pass "pull by digest"

# 6. the API stream, as docker reads it
out=$(it_curl -X POST "http://localhost/v1.50/images/create?fromImage=$REG/berth-reg/layered&tag=v1")
printf '%s\n' "$out" | python3 -c '
import json, sys
msgs = [json.loads(l) for l in sys.stdin if l.strip()]
assert msgs[0]["status"] == "Pulling from berth-reg/layered" and msgs[0]["id"] == "v1", msgs[0]
assert any(m["status"].startswith("Digest: sha256:") for m in msgs), msgs
assert msgs[-1]["status"].startswith("Status: "), msgs[-1]
assert not any("errorDetail" in m for m in msgs), msgs
' || it_fail "JSON stream: $out"
it_pass "JSON progress stream"

# 7. errors: unknown manifest, unknown repository, unreachable registry
out=$(B pull "$REG/berth-reg/layered:nope" 2>&1) && it_fail "pull of a missing tag succeeded"
it_assert_contains "$out" "manifest for $REG/berth-reg/layered:nope not found"
code=$(it_curl -o /dev/null -w '%{http_code}' -X POST "http://localhost/v1.50/images/create?fromImage=$REG/berth-reg/none&tag=x")
it_assert_eq "$code" 404 "status for an unknown manifest"
port=$(reg_free_port)
out=$(B pull "127.0.0.1:$port/x/y" 2>&1) && it_fail "pull from nowhere succeeded"
it_assert_contains "$out" "127.0.0.1:$port"
it_pass "errors: not found, unreachable"

# 8. run pulls a missing image
B rmi "$REG/berth-reg/busybox:latest" > /dev/null || it_fail "rmi busybox"
out=$(B run --rm "$REG/berth-reg/busybox" echo from-run 2>&1) || it_fail "run with pull: $out"
it_assert_contains "$out" "Unable to find image '$REG/berth-reg/busybox:latest' locally"
it_assert_contains "$out" "from-run"
it_pass "run pulls a missing image"
# 9. the stock docker CLI pulls through berthd
if command -v docker > /dev/null; then
  B rmi "$REG/berth-reg/busybox:latest" > /dev/null || it_fail "rmi busybox"
  out=$(DOCKER_HOST="$IT_HOST" docker pull "$REG/berth-reg/busybox" 2>&1) || it_fail "docker pull: $out"
  it_assert_contains "$out" "Status: Downloaded newer image for $REG/berth-reg/busybox:latest"
  B image inspect "$REG/berth-reg/busybox:latest" > /dev/null || it_fail "docker pull: no image"
  it_pass "docker pull through berthd"
fi
