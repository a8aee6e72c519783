# berth build against a real berthd (root): the corpus with -t twice and
# --build-arg, the context's .dockerignore honoured by the CLI (an ignored
# big file is not sent), -q, --iidfile, --target, -f, contexts from stdin
# (a tar, a Dockerfile), exit codes of errors, COPY --from a stage and an
# image, and `images` hiding the intermediate step images.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"

CTX="$IT_DIR/basic"
cp -r "$top_srcdir/tests/build/corpus/basic" "$CTX"
"$BERTH" build -t cb1 -t cb1:two --build-arg GREETING=hi --label via=cli "$CTX" > "$OUT" 2>&1 || it_fail "build the corpus: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "Sending build context to berth daemon"
it_assert_contains "$(cat "$OUT")" "Step 1/22 : FROM \${BASE} AS base"
it_assert_contains "$(cat "$OUT")" "Successfully tagged cb1:latest"
it_assert_contains "$(cat "$OUT")" "Successfully tagged cb1:two"
it_assert_eq "$("$BERTH" run --rm --entrypoint cat cb1:two /app/greeting /copied/sub/two)" "hi from berth build
two" "files of the image built by berth build"
it_assert_eq "$("$BERTH" image inspect cb1 | it_json 'j[0]["Config"]["Labels"]["via"]')" "cli" "--label"
"$BERTH" image build -q --build-arg GREETING=hi --label via=cli --iidfile "$IT_DIR/iid" "$CTX" > "$OUT" 2>&1 || it_fail "image build -q: $(cat "$OUT")"
id=$("$BERTH" image inspect -f '{{.Id}}' cb1)
it_assert_eq "$(cat "$OUT")" "$id" "-q prints only the id (a fully cached rebuild)"
it_assert_eq "$(cat "$IT_DIR/iid")" "$id" "--iidfile"
it_pass "berth build: corpus, -t twice, --build-arg, --label, -q, --iidfile, berth image build"

# .dockerignore: a 20 MB ignored file is not sent, COPY of it fails
I="$IT_DIR/ign"; mkdir -p "$I/logs"
dd if=/dev/zero of="$I/big.bin" bs=1M count=20 status=none
printf 'FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx /ctx/logs | sort | tr "\\n" " "\n' > "$I/Dockerfile"
printf '*.bin\nlogs\n!logs/keep.log\nDockerfile\n.dockerignore\n' > "$I/.dockerignore"
touch "$I/keep.txt" "$I/logs/x.log" "$I/logs/keep.log"
"$BERTH" build "$I" > "$OUT" 2>&1 || it_fail "build with .dockerignore: $(cat "$OUT")"
size=$(sed -n 's/^Sending build context to berth daemon  //p' "$OUT")
case "$size" in *kB|*[0-9]B) ;; *) it_fail "context of '$size' sent";; esac
grep -q "keep.log keep.txt" "$OUT" || it_fail "exception: $(cat "$OUT")"
for gone in big.bin x.log; do grep -qwF "$gone" "$OUT" && it_fail "$gone was sent: $(cat "$OUT")"; done
printf 'FROM busybox\nCOPY big.bin /\n' > "$I/Dockerfile"
"$BERTH" build "$I" > "$OUT" 2>&1 && it_fail "COPY of an ignored file succeeded"
it_assert_contains "$(cat "$OUT")" "COPY failed: file not found in build context"
it_pass ".dockerignore honoured by the CLI (big file not sent), Dockerfile always sent"

# -f inside and outside the context; contexts on stdin
M="$IT_DIR/multi"; mkdir -p "$M/sub"
cat > "$M/sub/build.df" <<'EOF'
FROM busybox AS one
RUN echo made-in-one > /made
FROM busybox AS two
RUN echo in-two > /two
FROM busybox
COPY --from=one /made /made
COPY --from=busybox /bin/busybox /bb
RUN cat /made
EOF
"$BERTH" build -q -f "$M/sub/build.df" --target two -t ctwo "$M" > "$OUT" 2>&1 || it_fail "--target: $(cat "$OUT")"
it_assert_eq "$("$BERTH" run --rm ctwo cat /two)" "in-two" "--target two"
"$BERTH" run --rm ctwo cat /made > /dev/null 2>&1 && it_fail "--target: stage one leaked into two"
cp "$M/sub/build.df" "$IT_DIR/outside.df"
"$BERTH" build -t cfinal -f "$IT_DIR/outside.df" "$M" > "$OUT" 2>&1 || it_fail "-f outside the context: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "made-in-one"
it_assert_eq "$("$BERTH" run --rm cfinal cat /made)" "made-in-one" "COPY --from=stage"
"$BERTH" run --rm cfinal cmp /bb /bin/busybox || it_fail "COPY --from=image"
layers () { "$BERTH" image inspect "$1" | it_json 'str(len(j[0]["RootFS"]["Layers"]))'; }
base_layers=$(layers busybox)
# the two COPYs (a RUN that changes nothing adds no layer)
it_assert_eq "$(layers cfinal)" "$((base_layers + 2))" "only the final stage's layers"
"$BERTH" history --no-trunc cfinal > "$OUT" || it_fail "history"
grep -q "cat /made" "$OUT" || it_fail "history misses the final stage: $(cat "$OUT")"
grep -q "echo made-in-one\|echo in-two" "$OUT" && it_fail "history holds other stages: $(cat "$OUT")"
it_pass "--target, -f outside the context, COPY --from=stage|image, only the final stage's layers"

printf 'FROM busybox\nRUN echo from-stdin\n' | "$BERTH" build -t cstdin - > "$OUT" 2>&1 || it_fail "Dockerfile on stdin: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "from-stdin"
tar -C "$M" -cf - . | "$BERTH" build -q -f sub/build.df - > "$OUT" 2>&1 || it_fail "tar on stdin: $(cat "$OUT")"
it_assert_eq "$(cat "$OUT")" "$("$BERTH" image inspect -f '{{.Id}}' cfinal)" "the tar on stdin gives the same (cached) image"
printf 'FROM busybox\nRUN echo df-on-stdin\n' | "$BERTH" build -f - "$M" > "$OUT" 2>&1 || it_fail "-f -: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "df-on-stdin"
it_pass "contexts from stdin: a Dockerfile, a tar; -f -"

E="$IT_DIR/err"; mkdir "$E"
printf 'FROM busybox\nRUN exit 3\n' > "$E/Dockerfile"
"$BERTH" build "$E" > "$OUT" 2> "$OUT.err"; rc=$?
it_assert_eq "$rc" 3 "exit code of a failing RUN"
it_assert_contains "$(cat "$OUT.err")" "The command '/bin/sh -c exit 3' returned a non-zero code: 3"
"$BERTH" build -q "$E" > "$OUT" 2> "$OUT.err"; rc=$?
it_assert_eq "$rc" 3 "-q: exit code of a failing RUN"
it_assert_eq "$(cat "$OUT")" "" "-q: nothing on stdout on failure"
printf 'FROM busybox\nFROB x\n' > "$E/Dockerfile"
"$BERTH" build "$E" > "$OUT" 2> "$OUT.err"; rc=$?
it_assert_eq "$rc" 1 "exit code of an unknown instruction"
it_assert_contains "$(cat "$OUT.err")" "Dockerfile:2: unknown instruction: FROB"
"$BERTH" build --iidfile "$IT_DIR/iid2" -t 'Bad:Tag' "$E" > "$OUT" 2>&1; rc=$?
it_assert_eq "$rc" 1 "exit code of a bad tag"
[ -e "$IT_DIR/iid2" ] && it_fail "--iidfile written on failure"
"$BERTH" build "$IT_DIR/nonexistent" > "$OUT" 2>&1; rc=$?
it_assert_eq "$rc" 1 "a missing context"
it_assert_contains "$(cat "$OUT")" "unable to prepare context: path"
"$BERTH" build -f nope.df "$E" > "$OUT" 2>&1; rc=$?
it_assert_eq "$rc" 1 "a missing Dockerfile"
"$BERTH" build --bogus "$E" > "$OUT" 2>&1; rc=$?
it_assert_eq "$rc" 125 "an unknown flag"
"$BERTH" build "$E" "$E" > "$OUT" 2>&1; rc=$?
it_assert_eq "$rc" 1 "two contexts"
it_pass "errors: exit codes and messages"

# images: the intermediate step images (untagged parents) only with -a
parent=$("$BERTH" image inspect cfinal | it_json 'j[0]["Parent"]')
case "$parent" in sha256:*) ;; *) it_fail "cfinal has no Parent: '$parent'";; esac
"$BERTH" images -q --no-trunc > "$OUT" || it_fail "images"
grep -qx "$parent" "$OUT" && it_fail "images lists the intermediate image $parent"
grep -qx "$("$BERTH" image inspect -f '{{.Id}}' cfinal)" "$OUT" || it_fail "images misses cfinal"
"$BERTH" images -a -q --no-trunc | grep -qx "$parent" || it_fail "images -a misses the intermediate image $parent"
it_assert_eq "$(it_curl 'http://x/v1.50/images/json?all=1' | it_json 'str(sum(1 for i in j if i["Id"] == "'"$parent"'"))')" 1 "all=1"
it_assert_eq "$(it_curl 'http://x/v1.50/images/json' | it_json 'str(sum(1 for i in j if i["Id"] == "'"$parent"'"))')" 0 "all=0"
it_pass "images hides intermediate build images, -a shows them"
