# Starts that overlap (the manager's lock is not held across a start's
# mount and shim launch): 20 `run -d` and 20 `run --rm` at once, then
# rm -f in parallel; start racing stop, rm -f, another start and attach on
# the same container.  Every container must end running or removed, with
# no mount, shim or bundle left behind.
. "$top_srcdir/tests/integration/lib.sh"

N=20

par_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  [ -n "$IT_PID" ] && kill -0 "$IT_PID" 2> /dev/null && { kill -TERM "$IT_PID"; wait "$IT_PID"; }
  IT_PID=
  for p in $(pgrep -f "berth-shim.*$IT_DIR" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap par_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 120 "$BERTH" "$@"; }
OUT="$IT_DIR/out"

# what a removed container must not leave: mounts of its layer, shims,
# bundles under the exec root
no_leftovers () { # WHAT
  local n
  n=$(grep -c " $IT_DATA/[^ ]*/merged " /proc/mounts)
  it_assert_eq "$n" 0 "$1: writable layers still mounted"
  n=$(pgrep -fc "berth-shim.*$IT_DIR") || n=0
  it_assert_eq "$n" 0 "$1: shims left"
  n=$(ls "$IT_EXEC/containers" | wc -l)
  it_assert_eq "$n" 0 "$1: bundles left"
}
count () { berth ps -aq --no-trunc | wc -l; }

# --- N x run -d in parallel: all running, each with its own pid
seq "$N" | xargs -P "$N" -I{} "$BERTH" run -d --network none --name "par-{}" busybox sleep 1000 > "$OUT" 2>&1 \
  || { cat "$OUT" >&2; it_fail "parallel run -d"; }
it_assert_eq "$(wc -l < "$OUT")" "$N" "ids printed"
it_assert_eq "$(berth ps -q --filter status=running | wc -l)" "$N" "running after parallel run -d"
pids=$(for i in $(seq "$N"); do berth inspect -f '{{.State.Pid}}' "par-$i"; done | sort -u)
it_assert_eq "$(echo "$pids" | grep -c '^[1-9][0-9]*$')" "$N" "distinct pids"
for i in $(seq "$N"); do
  it_assert_eq "$(berth exec "par-$i" cat /proc/1/cmdline | tr '\0' ' ')" "sleep 1000 " "par-$i runs its own command"
done
seq "$N" | xargs -P "$N" -I{} "$BERTH" rm -f "par-{}" > "$OUT" 2>&1 || { cat "$OUT" >&2; it_fail "parallel rm -f"; }
it_assert_eq "$(count)" 0 "all removed"
no_leftovers "parallel run -d + rm -f"
it_pass "$N x run -d in parallel: all running, then removed"

# --- N x run --rm in parallel: each its own exit code and output
seq "$N" | xargs -P "$N" -I{} sh -c '"$1" run --rm --network none busybox sh -c "echo out-$2; exit $2" > "$3.$2" 2>&1; echo $? >> "$3.$2"' \
  sh "$BERTH" {} "$OUT" || true
for i in $(seq "$N"); do
  it_assert_eq "$(tr '\n' ' ' < "$OUT.$i")" "out-$i $i " "run --rm #$i: output and exit code"
done
it_wait 100 sh -c "[ \$('$BERTH' ps -aq | wc -l) = 0 ]" || it_fail "run --rm containers left: $(count)"
no_leftovers "parallel run --rm"
it_pass "$N x run --rm in parallel: outputs and exit codes"

# --- races on one container.  Each ends in a consistent state: the
# status matches a live (or gone) shim, and removal leaves nothing.
consistent () { # NAME WHAT
  local st pid
  st=$(berth inspect -f '{{.State.Status}} {{.State.Pid}}' "$1") || it_fail "$2: inspect"
  pid=${st#* }
  case "$st" in
  "running "*) [ "$pid" -gt 0 ] && kill -0 "$pid" || it_fail "$2: running without a process ($st)" ;;
  "created 0" | "exited 0") ;;
  *) it_fail "$2: unexpected state $st" ;;
  esac
}
for r in 1 2 3 4 5; do
  # start vs stop
  berth create --network none --name race busybox sleep 1000 > /dev/null || it_fail "create"
  berth start race > "$OUT.a" 2>&1 &
  a=$!
  berth stop -t 1 race > "$OUT.b" 2>&1 &
  b=$!
  wait "$a" || { cat "$OUT.a" >&2; it_fail "start racing stop: start failed"; }
  wait "$b" || { cat "$OUT.b" >&2; it_fail "start racing stop: stop failed"; }
  consistent race "start vs stop #$r"

  # start vs start: one starts it, the other finds it started
  berth stop -t 1 race > /dev/null 2>&1
  berth start race > "$OUT.a" 2>&1 &
  a=$!
  berth start race > "$OUT.b" 2>&1 &
  b=$!
  wait "$a" || { cat "$OUT.a" >&2; it_fail "start racing start (1)"; }
  wait "$b" || { cat "$OUT.b" >&2; it_fail "start racing start (2)"; }
  it_assert_eq "$(berth inspect -f '{{.State.Status}}' race)" running "start vs start #$r"
  it_assert_eq "$(pgrep -fc "berth-shim.*$IT_DIR")" 1 "start vs start #$r: one shim"

  # start vs attach: the attach gets the output of the run it waited for
  berth stop -t 1 race > /dev/null 2>&1
  berth rm race > /dev/null || it_fail "rm a stopped container"
  berth create --network none --name race busybox sh -c 'sleep 0.5; echo attached-out' > /dev/null
  berth start race > "$OUT.a" 2>&1 &
  a=$!
  berth attach race > "$OUT.b" 2>&1 &
  b=$!
  wait "$a" || { cat "$OUT.a" >&2; it_fail "start racing attach: start"; }
  wait "$b"
  it_wait 50 sh -c "[ \"\$('$BERTH' inspect -f '{{.State.Status}}' race)\" = exited ]" || it_fail "start vs attach: exit"
  # the attach came before the start (output) or after the exit (an error)
  grep -q "attached-out\|attach to a stopped" "$OUT.b" || { cat "$OUT.b" >&2; it_fail "start vs attach #$r"; }

  # start vs rm -f: gone in the end, nothing left
  berth start race > "$OUT.a" 2>&1 &
  a=$!
  berth rm -f race > "$OUT.b" 2>&1 &
  b=$!
  wait "$a"
  wait "$b" || { cat "$OUT.b" >&2; it_fail "start racing rm -f: rm failed"; }
  it_assert_eq "$(count)" 0 "start vs rm -f #$r: removed"
  no_leftovers "start vs rm -f #$r"
done
it_pass "start racing stop, start, attach and rm -f on one container: consistent, nothing left"

# --- the daemon still answers while starts run (no global lock held across them)
seq "$N" | xargs -P "$N" -I{} "$BERTH" run -d --network none --name "bg-{}" busybox sleep 1000 > /dev/null 2>&1 &
bg=$!
t0=$(date +%s%N)
berth ps -a > /dev/null || it_fail "ps while starts run"
t1=$(date +%s%N)
wait "$bg" || it_fail "background run -d"
echo "# ps during $N starts: $(((t1 - t0) / 1000000)) ms"
it_assert_eq "$(berth ps -q --filter status=running | wc -l)" "$N" "background starts running"
berth rm -f $(berth ps -aq) > /dev/null || it_fail "rm -f all"
no_leftovers "background starts"
it_pass "ps answers during parallel starts; all removed"
