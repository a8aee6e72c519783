# Restart policies against a real berthd: on-failure:N, always, stop and
# rm -f during the back-off, the die/start events of restarts, bad
# policies, and the policies honoured when the daemon starts again
# (always, unless-stopped after a user stop).
. "$top_srcdir/tests/integration/lib.sh"

rs_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap rs_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
ERR="$IT_DIR/err"
state () { berth inspect -f '{{.State.Status}} {{.RestartCount}}' "$1"; }
state_is () { [ "$(state "$1")" = "$2" ]; }

# --- on-failure:2 restarts twice, then stays exited
t0=$(date +%s.%N)
berth run -d --name rs-f --restart on-failure:2 busybox sh -c 'exit 3' > /dev/null || it_fail "run on-failure"
it_wait 100 state_is rs-f "exited 2" || it_fail "on-failure:2: $(state rs-f)"
sleep 1.5
it_assert_eq "$(state rs-f)" "exited 2" "on-failure:2 after the retries"
it_assert_eq "$(berth inspect -f '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' rs-f)" \
  "3 on-failure 2" "inspect"
it_assert_eq "$(berth events --since "$t0" --until "$(date +%s.%N)" -f container=rs-f -f event=start -f event=die --format '{{.Action}}' | tr '\n' ' ')" \
  "start die start die start die " "events of the restarts"
berth run -d --name rs-f0 --restart on-failure busybox true > /dev/null || it_fail "run on-failure, exit 0"
it_wait 50 state_is rs-f0 "exited 0" || it_fail "on-failure after exit 0: $(state rs-f0)"
sleep 0.5
it_assert_eq "$(state rs-f0)" "exited 0" "on-failure does not restart after exit 0"
it_pass "on-failure:2 restarts twice (die/start events), RestartCount 2; exit 0 is not restarted"

# --- always restarts after exit 0; stop ends it, start counts again from 0
berth run -d --name rs-a --restart always busybox sh -c 'sleep 0.3' > /dev/null || it_fail "run always"
it_wait 100 sh -c "[ \"\$(\"$BERTH\" inspect -f '{{.RestartCount}}' rs-a)\" -ge 2 ]" || it_fail "always: $(state rs-a)"
berth stop -t 1 rs-a > /dev/null || it_fail "stop rs-a"
count=$(berth inspect -f '{{.RestartCount}}' rs-a)
sleep 1.5
it_assert_eq "$(state rs-a)" "exited $count" "always after a stop"
berth start rs-a > /dev/null || it_fail "start rs-a"
it_assert_eq "$(berth inspect -f '{{.RestartCount}}' rs-a)" 0 "a start by the user resets RestartCount"
berth rm -f rs-a > /dev/null || it_fail "rm -f rs-a"
it_pass "always restarts after exit 0; stop is final; a user start resets the count"

# --- the back-off: a crashing container spends its time "restarting"; stop
# and rm -f cancel the pending restart
berth run -d --name rs-b --restart always busybox false > /dev/null || it_fail "run always false"
restarting_after () { set -- $(state "$1") "$2"; [ "$1" = restarting ] && [ "$2" -ge "$3" ]; }
it_wait 100 restarting_after rs-b 3 || it_fail "no restarting state: $(state rs-b)"
it_assert_eq "$(berth ps -a -f name=rs-b --format '{{.Status}}' | cut -c1-12)" "Restarting (" "ps shows Restarting"
berth stop rs-b > /dev/null || it_fail "stop during the back-off"
st=$(state rs-b)
sleep 2
it_assert_eq "$(state rs-b)" "$st" "no restart after a stop during the back-off"
case "$st" in exited*) ;; *) it_fail "after stop: $st" ;; esac
berth start rs-b > /dev/null || it_fail "start rs-b"
it_wait 100 sh -c "\"$BERTH\" inspect -f '{{.State.Status}}' rs-b | grep -q restarting" || it_fail "rs-b is not restarting again"
rc=0; berth rm rs-b 2> "$ERR" || rc=$?
[ "$rc" != 0 ] || it_fail "rm without -f of a restarting container"
berth rm -f rs-b > /dev/null || it_fail "rm -f during the back-off"
rc=0; berth inspect rs-b > /dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "rs-b still exists"
it_pass "the back-off shows Restarting; stop and rm -f cancel it; rm without -f refuses"

# --- bad policies
rc=0; berth run -d --restart bogus busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "unknown policy"
it_assert_contains "$(cat "$ERR")" "invalid restart policy: unknown policy 'bogus'"
rc=0; berth run -d --restart always:3 busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "always with a count"
it_assert_contains "$(cat "$ERR")" "maximum retry count can only be used with 'on-failure'"
code=$(it_curl -o "$ERR" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d '{"Image":"busybox","HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":-1}}}' \
  http://x/v1.50/containers/create)
it_assert_eq "$code" 400 "negative count"
rc=0; berth run --rm --restart always busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "--rm with --restart"
it_pass "unknown policy, a count without on-failure, a negative count, --rm with --restart: refused"

# --- at daemon start: always (also after a user stop) and unless-stopped
# (not after a user stop) come back; a container whose process died while
# the daemon was down is restarted
berth run -d --name rs-al --restart always busybox sleep 1000 > /dev/null || it_fail "run rs-al"
berth run -d --name rs-as --restart always busybox sleep 1000 > /dev/null || it_fail "run rs-as"
berth run -d --name rs-us --restart unless-stopped busybox sleep 1000 > /dev/null || it_fail "run rs-us"
berth run -d --name rs-ud --restart unless-stopped busybox sleep 1000 > /dev/null || it_fail "run rs-ud"
berth run -d --name rs-no busybox sleep 1000 > /dev/null || it_fail "run rs-no"
berth stop -t 1 rs-as rs-us > /dev/null || it_fail "stop"
for n in rs-al rs-ud rs-no; do
  berth inspect -f '{{.State.Pid}}' "$n" >> "$IT_DIR/pids"
done
# the daemon dies; so do the containers' processes
kill -9 "$IT_PID"; wait "$IT_PID" 2> /dev/null; IT_PID=
for p in $(cat "$IT_DIR/pids"); do kill -9 "$p"; done
sleep 1
it_start_daemon
it_wait 50 state_is rs-al "running 0" || it_fail "always after the daemon's restart: $(state rs-al)"
it_assert_eq "$(state rs-as)" "running 0" "always, stopped by the user, at daemon start"
it_assert_eq "$(state rs-ud)" "running 0" "unless-stopped that died while the daemon was down"
it_assert_eq "$(berth inspect -f '{{.State.Status}}' rs-us)" "exited" "unless-stopped after a user stop"
it_assert_eq "$(berth inspect -f '{{.State.Status}}' rs-no)" "exited" "no policy"
berth stop -t 1 rs-al > /dev/null || it_fail "stop after the daemon restart"
it_pass "at daemon start: always (even after a stop) and unless-stopped (not after a stop) are started; no policy is not"

# --- daemon shutdown cancels a pending restart, and the next start honours the policy
berth run -d --name rs-sd --restart always busybox false > /dev/null || it_fail "run rs-sd"
it_wait 100 sh -c "\"$BERTH\" inspect -f '{{.State.Status}}' rs-sd | grep -q restarting" || it_fail "rs-sd not restarting"
it_stop_daemon || it_fail "berthd did not stop cleanly during a back-off"
it_start_daemon
st=$(berth inspect -f '{{.State.Status}}' rs-sd)
case "$st" in running|restarting|exited) ;; *) it_fail "rs-sd after the daemon restart: $st" ;; esac
berth rm -f rs-sd > /dev/null || it_fail "rm -f rs-sd"
it_pass "the daemon stops cleanly during a back-off"
