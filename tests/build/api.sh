# POST /build against a real berthd (root): every instruction of
# corpus/basic, the resulting config, cache hits on a rebuild, a changed
# COPY source rebuilding from its step on only, build args, errors
# (unknown instruction with its line, missing COPY source, failing RUN with
# its exit code), .dockerignore with an exception.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"

# build DIR QUERY: the JSON stream into $OUT
build () {
  tar -C "$1" -cf "$IT_DIR/ctx.tar" . || it_fail "tar $1"
  it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" "http://x/v1.50/build?$2" > "$OUT"
}
streams () { python3 -c 'import json,sys
for l in sys.stdin:
  l=l.strip()
  if l: j=json.loads(l); print(j.get("stream",""), end="")'; }
error_of () { python3 -c 'import json,sys
for l in sys.stdin:
  l=l.strip()
  if l and "errorDetail" in json.loads(l): d=json.loads(l)["errorDetail"]; print(d.get("code",0), d["message"])'; }

CTX="$IT_DIR/basic"
cp -r "$top_srcdir/tests/build/corpus/basic" "$CTX"
build "$CTX" 't=b1:latest&t=b1:two&buildargs=%7B%22GREETING%22%3A%22hi%22%2C%22UNUSED%22%3A%22x%22%7D'
streams < "$OUT" > "$OUT.txt"
it_assert_contains "$(cat "$OUT.txt")" "Step 1/21 : FROM \${BASE} AS base"
it_assert_contains "$(cat "$OUT.txt")" "hi from berth build"
it_assert_contains "$(cat "$OUT.txt")" "Successfully tagged b1:two"
it_assert_contains "$(cat "$OUT.txt")" "[Warning] One or more build-args [UNUSED] were not consumed"
grep -q '"aux":{"ID":"sha256:' "$OUT" || it_fail "no aux ID"
it_assert_eq "$("$BERTH" run --rm --entrypoint cat b1 /app/greeting /app/heredoc /app/generated /app/a.txt /copied/one /copied/sub/two)" \
  "hi from berth build
heredoc
name=berth build
file a
one
two" "files of the built image"
it_assert_eq "$("$BERTH" run --rm --user 0 --entrypoint stat b1 -c '%u:%g %a' /owned)" "1:2 600" "COPY --chown --chmod"
it_curl http://x/v1.50/images/b1/json > "$OUT"
it_assert_eq "$(it_json '" ".join([j["Config"]["User"], j["Config"]["WorkingDir"], j["Config"]["StopSignal"], ",".join(sorted(j["Config"]["ExposedPorts"])), ",".join(j["Config"]["Volumes"]), j["Config"]["Labels"]["org.example.name"], j["Config"]["OnBuild"][0], str(j["Config"]["Healthcheck"]["Retries"]), j["Author"]])' < "$OUT")" \
  "1000:1000 /app SIGINT 53/udp,8080/tcp /data berth build RUN echo triggered 2 someone" "config"
it_pass "every instruction, build args, tags, aux ID"

build "$CTX" 't=b1:latest&buildargs=%7B%22GREETING%22%3A%22hi%22%7D'
it_assert_eq "$(streams < "$OUT" | grep -c ' ---> Using cache')" 20 "cache hits of a rebuild"
echo "changed" > "$CTX/a.txt"
build "$CTX" 't=b1:latest&buildargs=%7B%22GREETING%22%3A%22hi%22%7D'
streams < "$OUT" > "$OUT.txt"
it_assert_eq "$(grep -c ' ---> Using cache' "$OUT.txt")" 4 "steps 2-5 before the changed COPY stay cached"
it_assert_eq "$(sed -n '/Step 6\/21/,/Step 7\/21/p' "$OUT.txt" | grep -c 'Using cache')" 0 "the changed COPY runs"
build "$CTX" 't=b1:latest&nocache=1&buildargs=%7B%22GREETING%22%3A%22hi%22%7D'
it_assert_eq "$(streams < "$OUT" | grep -c ' ---> Using cache')" 0 "nocache"
it_pass "cache: hits, a changed file rebuilds from its COPY on, nocache"

E="$IT_DIR/err"; mkdir "$E"
printf 'FROM busybox\nRUN true\nFROB x\n' > "$E/Dockerfile"
build "$E" ''
it_assert_contains "$(error_of < "$OUT")" "Dockerfile:3: unknown instruction: FROB"
printf 'FROM busybox\nCOPY missing.txt /\n' > "$E/Dockerfile"
build "$E" ''
it_assert_contains "$(error_of < "$OUT")" "Dockerfile:2: COPY failed: file not found in build context"
printf 'FROM busybox\nRUN exit 3\n' > "$E/Dockerfile"
build "$E" ''
it_assert_eq "$(error_of < "$OUT")" "3 The command '/bin/sh -c exit 3' returned a non-zero code: 3"
it_pass "errors: unknown instruction, missing source, failing RUN"

I="$IT_DIR/ign"; mkdir -p "$I/logs"
printf 'FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx /ctx/logs | sort | tr "\\n" " "\n' > "$I/Dockerfile"
printf '*.log\nlogs\n!logs/keep.log\nsecret\n' > "$I/.dockerignore"
touch "$I/a.log" "$I/keep.txt" "$I/secret" "$I/logs/x.log" "$I/logs/keep.log"
build "$I" ''
streams < "$OUT" > "$OUT.txt"; grep -q "keep.log keep.txt" "$OUT.txt" || it_fail "ignore: $(cat "$OUT.txt")"
for gone in a.log secret x.log; do grep -qwF "$gone" "$OUT.txt" && it_fail "ignore: $gone was sent: $(cat "$OUT.txt")"; done
it_pass ".dockerignore with an exception"

docker=
for d in /usr/local/bin/docker /usr/bin/docker; do [ -x "$d" ] && { docker=$d; break; }; done
[ -n "$docker" ] || { echo "# no docker CLI: the legacy builder check is skipped"; exit 0; }
printf 'FROM busybox\nRUN echo built-by-docker > /d\nCMD ["cat", "/d"]\n' > "$E/Dockerfile"
DOCKER_BUILDKIT=0 DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" timeout 120 "$docker" build -q -t viadocker --iidfile "$IT_DIR/iid" "$E" > "$OUT" 2>&1 \
  || it_fail "docker build: $(cat "$OUT")"
it_assert_eq "$(cat "$IT_DIR/iid")" "$("$BERTH" image inspect -f '{{.Id}}' viadocker)" "docker build --iidfile"
it_assert_eq "$("$BERTH" run --rm viadocker)" "built-by-docker" "the image docker built"
it_pass "DOCKER_BUILDKIT=0 docker build against berthd"
