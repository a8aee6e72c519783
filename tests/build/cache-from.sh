# build --cache-from against a real berthd (root), as the legacy builder:
# an image built, saved, removed with everything it came from, and loaded
# back (so without Parent links) is a cache source for the same Dockerfile
# with --cache-from, not without; the cached build gives the same image;
# a changed COPY source misses from that step on; an unknown cache-from
# image is skipped.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"
C="$IT_DIR/ctx"; mkdir -p "$C"
echo first > "$C/f"
cat > "$C/Dockerfile" <<'EOF2'
FROM busybox
RUN echo one > /one
ENV CF=1
COPY f /f
RUN cat /f /one > /both
LABEL done=yes
EOF2
hits () { grep -c -- '---> Using cache' "$OUT"; }
"$BERTH" build -t cf1 "$C" > "$OUT" 2>&1 || it_fail "first build: $(cat "$OUT")"
id1=$("$BERTH" image inspect -f '{{.Id}}' cf1)
"$BERTH" save -o "$IT_DIR/cf1.tar" cf1 || it_fail "save"

# away with the image and every step image under it, then load it back
reset () {
  local bb i
  bb=$("$BERTH" image inspect -f '{{.Id}}' busybox)
  for i in 1 2 3; do
    "$BERTH" rmi -f $("$BERTH" images -a -q --no-trunc | grep -v "$bb") > /dev/null 2>&1
  done
  it_assert_eq "$("$BERTH" images -a -q | wc -l)" "1" "only busybox left"
  "$BERTH" load -i "$IT_DIR/cf1.tar" > /dev/null || it_fail "load"
  it_assert_eq "$("$BERTH" image inspect -f '{{.Parent}}' cf1)" "" "a loaded image has no parent"
}
reset
"$BERTH" build -t cf2 "$C" > "$OUT" 2>&1 || it_fail "build without --cache-from: $(cat "$OUT")"
it_assert_eq "$(hits)" "0" "no cache without --cache-from"
[ "$("$BERTH" image inspect -f '{{.Id}}' cf2)" != "$id1" ] || it_fail "the uncached build gave the loaded image"
reset
"$BERTH" build -t cf3 --cache-from cf1 "$C" > "$OUT" 2>&1 || it_fail "build with --cache-from: $(cat "$OUT")"
it_assert_eq "$(hits)" "5" "every step from the cache source"
it_assert_eq "$("$BERTH" image inspect -f '{{.Id}}' cf3)" "$id1" "the cached build is the loaded image"
it_assert_eq "$("$BERTH" run --rm cf3 cat /both)" "first
one" "the restored image's files"
"$BERTH" build -t cf3 --cache-from cf1 "$C" > "$OUT" 2>&1 || it_fail "again: $(cat "$OUT")"
it_assert_eq "$(hits)" "5" "again every step"
it_assert_eq "$("$BERTH" image inspect -f '{{.Id}}' cf3)" "$id1" "again the same image"
it_pass "--cache-from a loaded image: every step cached, the same image; nothing without it"

# a changed COPY source: the steps before it from the source, none after
reset
echo second > "$C/f"
"$BERTH" build -t cf4 --cache-from cf1 "$C" > "$OUT" 2>&1 || it_fail "changed build: $(cat "$OUT")"
it_assert_eq "$(hits)" "2" "the RUN and ENV before the changed COPY"
it_assert_eq "$("$BERTH" run --rm cf4 cat /both)" "second
one" "the rebuilt steps"
# an unknown cache source is skipped; the API takes cachefrom as a JSON array
"$BERTH" build --cache-from no-such-image:here --cache-from cf4 "$C" > "$OUT" 2>&1 || it_fail "unknown source: $(cat "$OUT")"
it_assert_eq "$(hits)" "5" "the known source after an unknown one"
tar -C "$C" -cf "$IT_DIR/ctx.tar" .
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" \
  "http://localhost/build?cachefrom=%5B%22cf4%22%5D" > "$OUT" || it_fail "POST /build"
it_assert_eq "$(grep -o 'Using cache' "$OUT" | wc -l)" "5" "POST /build?cachefrom=[...]"
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" \
  "http://localhost/build?cachefrom=cf4" > "$OUT"
it_assert_contains "$(cat "$OUT")" "cachefrom: invalid JSON"
it_pass "--cache-from: a changed COPY rebuilds from there on; unknown sources skipped; the API's cachefrom"
