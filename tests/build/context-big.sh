# A 500 MB build context is streamed, not held in memory: berthd's peak RSS
# (VmHWM) stays under 50 MB while `berth build` of a directory (a context
# session) and of a tar on stdin (a fresh directory, as the docker CLI
# sends it) each send 500 MB.  The big file is sparse, and the daemon
# leaves runs of zeros as holes, so the disk holds almost nothing of it.
# Under AddressSanitizer (berthd linked with __asan_init) the RSS check is
# skipped: its shadow memory and quarantine are not berthd's own use.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"
limit_kb=51200
asan=no
rss_note="berthd peak RSS under 50 MB"
grep -qa __asan_init "$BERTHD" && { asan=yes; rss_note="RSS not checked under ASan"; }

C="$IT_DIR/big"
mkdir "$C"
truncate -s 500M "$C/zeros" || it_skip "truncate"
printf 'small\n' > "$C/small"
printf 'FROM busybox\nCOPY small /small\n' > "$C/Dockerfile"
hwm () { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$IT_PID/status"; }
check_rss () {
  h=$(hwm)
  echo "# berthd VmHWM after $1: $h kB (asan: $asan)"
  [ "$asan" = yes ] || [ "$h" -lt "$limit_kb" ] || it_fail "berthd's peak RSS $h kB after $1 (limit $limit_kb kB)"
}
check_rss "start"

"$BERTH" build -t bigctx "$C" > "$OUT" 2>&1 || it_fail "build of the 500 MB context: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "Sending build context to berth daemon  524."
check_rss "a 500 MB context from a directory"
used=$(du -sk "$IT_DIR/data/tmp" | cut -f1)
[ "$used" -lt 65536 ] || it_fail "the kept context takes $used kB on disk"
it_pass "500 MB context from a directory: $rss_note, zeros kept as holes ($used kB on disk)"

tar -C "$C" -cf - . | "$BERTH" build -q -t bigctx2 - > "$OUT" 2>&1 || it_fail "build of the 500 MB tar on stdin: $(cat "$OUT")"
check_rss "a 500 MB tar on stdin"
it_assert_eq "$("$BERTH" run --rm bigctx2 cat /small)" "small" "COPY from the big context"
it_pass "500 MB tar on stdin (the docker CLI's way): $rss_note"
