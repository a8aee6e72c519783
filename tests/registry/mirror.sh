#!/bin/sh
# registry-mirrors, max-concurrent-downloads/-uploads, --all-tags, --pull,
# cross-repository mounts.  docker.io is played by a local docker-registry
# (BERTH_DOCKER_IO_ENDPOINT, a test-only variable of berthd), its mirror by
# a second docker-registry in proxy (pull-through cache) mode.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"
. "$top_srcdir/tests/registry/lib.sh"

it_make_images
B () { "$BERTH" -H "$IT_HOST" "$@"; }

# config keys are checked
cp "$IT_CONFIG" "$IT_DIR/bad.yaml"
echo "max-concurrent-downloads: 0" >> "$IT_DIR/bad.yaml"
out=$("$BERTHD" --config "$IT_DIR/bad.yaml" 2>&1) && it_fail "berthd accepted max-concurrent-downloads: 0"
it_assert_contains "$out" "\`max-concurrent-downloads\` must be a whole number from 1 to 64, not \`0\`"
cp "$IT_CONFIG" "$IT_DIR/bad.yaml"
printf 'registry-mirrors:\n  - mirror.example.com\n' >> "$IT_DIR/bad.yaml"
out=$("$BERTHD" --config "$IT_DIR/bad.yaml" 2>&1) && it_fail "berthd accepted a mirror without a scheme"
it_assert_contains "$out" "\`registry-mirrors\` item must be a URL http://HOST[:PORT] or https://HOST[:PORT]"
it_pass "config: bad max-concurrent-downloads and registry-mirrors refused"

# "docker.io"
reg_start hub
HUB_PORT=$REG_PORT HUB_PID=$REG_PID
reg_upload "$IT_IMG/layered.tar" "http://127.0.0.1:$HUB_PORT" library/berth-mirror-x v1 > /dev/null || it_fail "upload v1"
reg_upload "$IT_IMG/busybox.tar" "http://127.0.0.1:$HUB_PORT" library/berth-mirror-x v2 > /dev/null || it_fail "upload v2"

# its pull-through mirror
MIRROR_PORT=$(reg_free_port)
mkdir -p "$IT_DIR/mirror/storage"
cat > "$IT_DIR/mirror/config.yml" << EOF2
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $IT_DIR/mirror/storage
http:
  addr: 127.0.0.1:$MIRROR_PORT
proxy:
  remoteurl: http://127.0.0.1:$HUB_PORT
EOF2
"$REG_BIN" serve "$IT_DIR/mirror/config.yml" >> "$IT_DIR/mirror/registry.log" 2>&1 &
MIRROR_PID=$!
it_wait 100 curl -sf "http://127.0.0.1:$MIRROR_PORT/v2/" || it_fail "the mirror did not start"
trap 'kill "$MIRROR_PID" 2> /dev/null; wait "$MIRROR_PID" 2> /dev/null; REG_PID=$HUB_PID; reg_cleanup' EXIT

{
  echo "registry-mirrors:"
  echo "  - http://127.0.0.1:$MIRROR_PORT"
  echo "max-concurrent-downloads: 1"
  echo "max-concurrent-uploads: 2"
} >> "$IT_CONFIG"
export BERTH_DOCKER_IO_ENDPOINT="http://127.0.0.1:$HUB_PORT"
it_start_daemon

# 1. through the mirror: its cache fills
out=$(B pull berth-mirror-x:v1 2>&1) || it_fail "pull through the mirror: $out"
it_assert_contains "$out" "Status: Downloaded newer image for berth-mirror-x:v1"
n=$(find "$IT_DIR/mirror/storage" -path '*/blobs/sha256/*/data' | wc -l)
[ "$n" -ge 4 ] || it_fail "the mirror cached $n blobs, expected the config and 3 layers"
it_pass "docker.io pull goes through the mirror (its cache holds the blobs)"

# 2. the mirror down: back to docker.io
kill "$MIRROR_PID"; wait "$MIRROR_PID" 2> /dev/null
B rmi berth-mirror-x:v1 > /dev/null || it_fail "rmi"
out=$(B pull berth-mirror-x:v1 2>&1) || it_fail "pull with the mirror down: $out"
grep -q "from mirror http://127.0.0.1:$MIRROR_PORT failed, falling back" "$IT_LOG" || it_fail "no fallback in the log"
it_pass "mirror down: the pull falls back to docker.io"

# 3. a registry named by host never goes through the docker.io mirrors
out=$(B pull "127.0.0.1:$HUB_PORT/library/berth-mirror-x:v2" 2>&1) || it_fail "pull by host: $out"
it_pass "a non-docker.io pull"

# 4. --all-tags
B rmi berth-mirror-x:v1 "127.0.0.1:$HUB_PORT/library/berth-mirror-x:v2" > /dev/null || it_fail "rmi"
out=$(B pull -a berth-mirror-x 2>&1) || it_fail "pull -a: $out"
it_assert_contains "$out" "v1: Pulling from library/berth-mirror-x"
it_assert_contains "$out" "v2: Pulling from library/berth-mirror-x"
it_assert_contains "$out" "Status: Downloaded newer image for berth-mirror-x"
B image inspect berth-mirror-x:v1 > /dev/null && B image inspect berth-mirror-x:v2 > /dev/null || it_fail "pull -a: tags missing"
out=$(B pull -a berth-mirror-x:v1 2>&1) && it_fail "pull -a with a tag succeeded"
it_assert_contains "$out" "tag can't be used with --all-tags/-a"
it_pass "pull --all-tags"

# 5. push: a cross-repository mount of layers pulled from another repository
B tag berth-mirror-x:v1 berth-mirror-y:v1 || it_fail "tag"
out=$(B push berth-mirror-y:v1 2>&1) || it_fail "push with mounts: $out"
it_assert_contains "$out" "Mounted from library/berth-mirror-x"
case $out in *"Pushed"*) it_fail "push uploaded a layer the registry had in another repository: $out" ;; esac
it_pass "push mounts blobs from another repository (POST ?mount=&from=)"

# 6. push -a: every local tag of the repository
B tag berth-mirror-x:v2 berth-mirror-y:v2 || it_fail "tag v2"
out=$(B push -a berth-mirror-y 2>&1) || it_fail "push -a: $out"
it_assert_contains "$out" "v1: digest: sha256:"
it_assert_contains "$out" "v2: digest: sha256:"
tags=$(curl -sf "http://127.0.0.1:$HUB_PORT/v2/library/berth-mirror-y/tags/list")
it_assert_eq "$tags" '{"name":"library/berth-mirror-y","tags":["v1","v2"]}' "tags in the registry"
it_pass "push --all-tags"

# 7. run --pull never / always / a bad value
B rmi berth-mirror-y:v2 berth-mirror-x:v2 > /dev/null || it_fail "rmi v2"
out=$(B run --rm --pull never berth-mirror-y:v2 true 2>&1) && it_fail "run --pull never pulled"
it_assert_contains "$out" "No such image"
out=$(B create --pull always berth-mirror-y:v1 2>&1) || it_fail "create --pull always: $out"
it_assert_contains "$out" "Status: Image is up to date for berth-mirror-y:v1"
out=$(B run --rm --pull sometimes berth-mirror-y:v1 true 2>&1) && it_fail "--pull sometimes accepted"
it_assert_contains "$out" "invalid pull option: 'sometimes'"
out=$(B run --rm --pull missing berth-mirror-y:v2 echo pulled-v2 2>&1) || it_fail "run --pull missing: $out"
it_assert_contains "$out" "pulled-v2"
it_pass "--pull never|always|missing"
