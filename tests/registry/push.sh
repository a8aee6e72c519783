#!/bin/sh
# berth push to a plain-HTTP docker-registry on 127.0.0.1, then the round
# trip: tag + push + rmi + pull gives the same image id and manifest digest;
# a second push finds every blob there; the registry holds a valid schema2
# manifest whose gzip layers decompress to the image's diff ids.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
reg_start reg
REG="127.0.0.1:$REG_PORT"
it_start_daemon
B () { "$BERTH" -H "$IT_HOST" "$@"; }

B load -i "$IT_IMG/layered.tar" > /dev/null || it_fail "load layered"
id=$(B image inspect -f '{{.Id}}' berth-test/layered:v1)
B tag berth-test/layered:v1 "$REG/berth-push/layered:v1" || it_fail "tag"

out=$(B push "$REG/berth-push/layered:v1" 2>&1) || it_fail "push: $out"
it_assert_contains "$out" "The push refers to repository [$REG/berth-push/layered]"
it_assert_contains "$out" "Pushed"
digest=$(printf '%s\n' "$out" | sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) size: [0-9]*$/\1/p')
[ -n "$digest" ] || it_fail "push printed no digest: $out"
it_pass "push"

# what the registry holds, checked without berth
curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/berth-push/layered/manifests/v1" > "$IT_DIR/manifest.json" || it_fail "fetch manifest"
python3 - "$IT_DIR/manifest.json" "http://$REG/v2/berth-push/layered" "$digest" "$id" << 'PY' || it_fail "registry content"
import gzip, hashlib, json, sys, urllib.request
path, base, digest, image_id = sys.argv[1:5]
body = open(path, "rb").read()
assert "sha256:" + hashlib.sha256(body).hexdigest() == digest, "manifest digest"
m = json.loads(body)
assert m["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json", m
assert m["config"]["digest"] == image_id, m["config"]
cfg = json.loads(urllib.request.urlopen(base + "/blobs/" + image_id).read())
diffs = []
for l in m["layers"]:
    assert l["mediaType"] == "application/vnd.docker.image.rootfs.diff.tar.gzip", l
    blob = urllib.request.urlopen(base + "/blobs/" + l["digest"]).read()
    assert len(blob) == l["size"] and "sha256:" + hashlib.sha256(blob).hexdigest() == l["digest"], l
    diffs.append("sha256:" + hashlib.sha256(gzip.decompress(blob)).hexdigest())
assert diffs == cfg["rootfs"]["diff_ids"], (diffs, cfg["rootfs"])
PY
it_pass "the registry holds a schema2 manifest, gzip layers matching the diff ids"

out=$(B push "$REG/berth-push/layered:v1" 2>&1) || it_fail "second push: $out"
it_assert_contains "$out" "Layer already exists"
case $out in *"Pushed"*) it_fail "second push uploaded again: $out" ;; esac
it_pass "second push: blobs already there"

# round trip
B rmi "$REG/berth-push/layered:v1" berth-test/layered:v1 > /dev/null || it_fail "rmi"
B image inspect "$id" > /dev/null 2>&1 && it_fail "image still there after rmi"
out=$(B pull "$REG/berth-push/layered:v1" 2>&1) || it_fail "pull back: $out"
it_assert_contains "$out" "Digest: $digest"
id2=$(B image inspect -f '{{.Id}}' "$REG/berth-push/layered:v1")
it_assert_eq "$id2" "$id" "image id after the round trip"
digests=$(B image inspect -f '{{json .RepoDigests}}' "$REG/berth-push/layered:v1")
it_assert_eq "$digests" "[\"$REG/berth-push/layered@$digest\"]" "RepoDigests"
it_pass "round trip: same image id and manifest digest"

# errors: unknown local image, unreachable registry
out=$(B push "$REG/berth-push/none:v1" 2>&1) && it_fail "push of a missing image succeeded"
it_assert_contains "$out" "An image does not exist locally with the tag: $REG/berth-push/none"
port=$(reg_free_port)
B tag "$id" "127.0.0.1:$port/x/y:v1" || it_fail "tag"
out=$(B push "127.0.0.1:$port/x/y:v1" 2>&1) && it_fail "push to nowhere succeeded"
it_assert_contains "$out" "127.0.0.1:$port"
it_pass "push errors"

# the stock docker CLI pushes through berthd
if command -v docker > /dev/null; then
  B tag "$id" "$REG/berth-push/docker:v2" || it_fail "tag for docker"
  out=$(DOCKER_HOST="$IT_HOST" docker push "$REG/berth-push/docker:v2" 2>&1) || it_fail "docker push: $out"
  it_assert_contains "$out" "v2: digest: $digest"
  it_pass "docker push through berthd"
fi
