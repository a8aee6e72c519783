# State.Health survives a berthd restart (root): a running container's
# Status, FailingStreak and Log after a clean stop and after kill -9 are
# those the old daemon had (moby keeps Health in the container's state on
# disk), and the checks go on from there; a stopped container keeps its
# last run's; another run's saved state is not taken over.
. "$top_srcdir/tests/integration/lib.sh"

hr_cleanup () {
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    it_curl -X DELETE "http://x/v1.50/containers/hr-one?force=1" > /dev/null 2>&1
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap hr_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
OUT="$IT_DIR/out"
hjson () { it_curl "http://x/v1.50/containers/$1/json" | it_json 'j["State"].get("Health")'; }
hstatus () { it_curl "http://x/v1.50/containers/$1/json" | it_json 'j["State"].get("Health",{}).get("Status")'; }
wait_health () { it_wait "${3:-100}" sh -c "[ \"\$(curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/$1/json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"State\"].get(\"Health\",{}).get(\"Status\"))')\" = '$2' ]"; }
# every entry of the log in $1 (JSON) is in the log in $2, in the same order
log_kept () {
  python3 -c 'import json,sys
a, b = json.loads(sys.argv[1])["Log"], json.loads(sys.argv[2])["Log"]
starts = [e["Start"] for e in b]
sys.exit(0 if a and a[-1]["Start"] in starts else 1)' "$1" "$2"
}

# failing checks every 2 s: unhealthy after 2, the streak growing
berth run -d --name hr-one --health-cmd 'test ! -e /tmp/bad' --health-interval 2s --health-retries 2 \
  busybox sleep 1000 > "$OUT" 2>&1 || it_fail "run: $(cat "$OUT")"
wait_health hr-one healthy 80 || it_fail "not healthy: $(hjson hr-one)"
berth exec hr-one touch /tmp/bad || it_fail "exec"
wait_health hr-one unhealthy 100 || it_fail "not unhealthy: $(hjson hr-one)"
before=$(hjson hr-one)
streak=$(echo "$before" | it_json 'j["FailingStreak"]')
[ "$streak" -ge 2 ] || it_fail "streak $streak"
[ -s "$IT_DATA/containers/$(berth inspect -f '{{.Id}}' hr-one)/health.json" ] || it_fail "no health.json"

it_stop_daemon || it_fail "berthd did not stop cleanly"
it_start_daemon
after=$(hjson hr-one)
it_assert_eq "$(echo "$after" | it_json 'j["Status"]')" "unhealthy" "Status after a clean restart"
[ "$(echo "$after" | it_json 'j["FailingStreak"]')" -ge "$streak" ] || it_fail "streak lost: $before -> $after"
log_kept "$before" "$after" || it_fail "Log lost: $before -> $after"
it_pass "State.Health (Status, FailingStreak, Log) kept over a clean berthd restart"

# the checks go on: healthy again once the probe passes
berth exec hr-one rm /tmp/bad || it_fail "exec rm"
wait_health hr-one healthy 100 || it_fail "not healthy again: $(hjson hr-one)"
berth exec hr-one touch /tmp/bad || it_fail "exec"
wait_health hr-one unhealthy 100 || it_fail "not unhealthy again: $(hjson hr-one)"
before=$(hjson hr-one)
streak=$(echo "$before" | it_json 'j["FailingStreak"]')
kill -9 "$IT_PID"
wait "$IT_PID" 2> /dev/null || true
IT_PID=
it_start_daemon
after=$(hjson hr-one)
it_assert_eq "$(echo "$after" | it_json 'j["Status"]')" "unhealthy" "Status after kill -9"
[ "$(echo "$after" | it_json 'j["FailingStreak"]')" -ge "$streak" ] || it_fail "streak lost: $before -> $after"
log_kept "$before" "$after" || it_fail "Log lost: $before -> $after"
# the probes resume on top of the saved state
it_wait 100 sh -c "[ \"\$(curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/hr-one/json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"State\"][\"Health\"][\"FailingStreak\"])')\" -gt $(echo "$after" | it_json 'j["FailingStreak"]') ]" \
  || it_fail "the probes did not resume: $(hjson hr-one)"
it_pass "State.Health kept over kill -9 of berthd; the probes go on from it"

# a stopped container shows its last run's health, also after a restart
berth stop -t 1 hr-one > /dev/null || it_fail "stop"
before=$(hjson hr-one)
it_assert_eq "$(echo "$before" | it_json 'j["Status"]')" "unhealthy" "Status once stopped"
it_stop_daemon || it_fail "berthd did not stop cleanly"
it_start_daemon
it_assert_eq "$(hjson hr-one)" "$before" "a stopped container's Health after a daemon restart"
it_pass "a stopped container's State.Health kept over a berthd restart"

# a new run starts over
berth start hr-one > /dev/null || it_fail "start"
# (a probe of the new run may have come already: 2 s interval, 2 retries)
it_assert_eq "$(hstatus hr-one)" "starting" "a new run starts over"
it_assert_eq "$(hjson hr-one | it_json 'str(len(j["Log"]) <= 1 and j["FailingStreak"] <= 1)')" "True" "a new run's log and streak"
it_stop_daemon || it_fail "berthd did not stop cleanly"
it_start_daemon
s=$(hstatus hr-one)
[ "$s" = starting ] || [ "$s" = unhealthy ] || [ "$s" = healthy ] || it_fail "status $s"
berth rm -f hr-one > /dev/null || it_fail "rm"
it_pass "a new run does not take over the old run's health state"
