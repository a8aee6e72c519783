# run --init against a real berthd: berth-init is pid 1 running the command,
# reaps orphaned zombies, passes the exit status (128+N for a signal) on,
# forwards signals (stop is quick for a command that, as pid 1, would
# ignore SIGTERM), and HostConfig.Init is recorded; berth-init on its own.
. "$top_srcdir/tests/integration/lib.sh"

INIT="$top_builddir/berth-init"
[ -x "$INIT" ] || it_fail "$INIT is not built"

# berth-init by itself, outside any container
it_assert_eq "$("$INIT" -- sh -c 'echo $$ > /dev/null; exit 5'; echo $?)" "5" "exit status"
it_assert_eq "$("$INIT" sh -c 'kill -TERM $$'; echo $?)" "143" "128+signal"
rc=0; "$INIT" -- /nonexistent-h2 2> "$IT_DIR/err" || rc=$?
it_assert_eq "$rc" 127 "missing command"
it_assert_contains "$(cat "$IT_DIR/err")" "exec /nonexistent-h2 failed"
rc=0; "$INIT" 2> /dev/null || rc=$?
it_assert_eq "$rc" 2 "no command"
it_pass "berth-init: exit status, 128+signal, 127 for a missing command, usage"

init_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap init_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }

berth run --rm --init busybox ps -o pid,comm > "$IT_DIR/out" || it_fail "run --init ps"
it_assert_eq "$(awk '$1 == 1 {print $2}' "$IT_DIR/out")" "docker-init" "the init is pid 1"
it_assert_eq "$(awk '$2 == "ps" {print $1}' "$IT_DIR/out")" "2" "the command is its child"
it_assert_eq "$(berth run --rm --init busybox sh -c 'exit 7'; echo $?)" "7" "exit status through the init"
it_assert_eq "$(berth run --rm --init busybox sh -c 'kill -KILL $$'; echo $?)" "137" "killed command: 128+9"
# An orphan becomes pid 1's child when it dies.  Without an init, pid 1 is
# `sleep` (the shell exec'd it), which never reaps: the orphan stays a
# zombie.  With --init it is reaped.  Seen from the host, as pid 1's children.
zombies () {
  local id pid
  id=$(berth run -d "$@" busybox sh -c 'sh -c "sleep 0.2 &"; exec sleep 30') || it_fail "run -d $*"
  sleep 1
  pid=$(berth inspect -f '{{.State.Pid}}' "$id")
  ps -o stat= --ppid "$pid" | grep -c '^Z'
  berth rm -f "$id" > /dev/null
}
it_assert_eq "$(zombies)" "1" "without --init the orphan stays a zombie (the check works)"
it_assert_eq "$(zombies --init)" "0" "orphaned zombies reaped"
it_pass "run --init: docker-init is pid 1, exit status and 128+signal passed on, zombies reaped"

id=$(berth run -d --init busybox sleep 300) || it_fail "run -d --init"
it_assert_eq "$(berth inspect -f '{{.HostConfig.Init}}' "$id")" "true" "HostConfig.Init"
start=$(date +%s)
berth stop -t 20 "$id" > /dev/null || it_fail "stop"
took=$(( $(date +%s) - start ))
[ "$took" -lt 5 ] || it_fail "stop took ${took}s: SIGTERM was not forwarded to the command"
it_assert_eq "$(berth inspect -f '{{.State.ExitCode}}' "$id")" "143" "the command died of the forwarded SIGTERM"
berth rm "$id" > /dev/null
it_assert_eq "$(berth run --rm busybox sh -c 'echo $$')" "1" "without --init the command is pid 1"
it_pass "--init forwards signals (stop in ${took}s), HostConfig.Init recorded; off by default"

if command -v docker > /dev/null; then
  DOCKER=$(command -v docker)
  out=$(timeout 60 "$DOCKER" -H "$IT_HOST" run --rm --init busybox ps -o pid,comm | awk '$1 == 1 {print $2}')
  it_assert_eq "$out" "docker-init" "docker run --init"
  it_pass "docker run --init"
fi
