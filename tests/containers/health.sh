# HEALTHCHECK run by a real berthd (root): --health-* flags and a
# Dockerfile HEALTHCHECK built with berth build; starting -> healthy,
# unhealthy after the retries, a timeout (process killed, exit -1), the
# start period, NONE / --no-healthcheck, State.Health in inspect, the
# status in ps, health_status events, checks stopped at exit and resumed
# after the daemon was killed with -9.
. "$top_srcdir/tests/integration/lib.sh"

health_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap health_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
api () { it_curl "http://x/v1.50$1" "${@:2}"; }
OUT="$IT_DIR/out"
health () { api "/containers/$1/json" | it_json "$2"; }
# until the container's health is $2 (tries of 0.1 s in $3)
wait_health () { it_wait "${3:-100}" sh -c "[ \"\$(curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/$1/json | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"State\"].get(\"Health\",{}).get(\"Status\"))')\" = '$2' ]"; }
ps_status () { berth ps --format '{{.Names}}|{{.Status}}' | sed -n "s/^$1|//p"; }

# --- healthy
berth run -d --name hok --health-cmd 'echo fine' --health-interval 1s busybox sleep 1000 > "$OUT" 2>&1 || it_fail "run: $(cat "$OUT")"
it_assert_eq "$(health hok 'j["State"]["Health"]["Status"]')" "starting" "status before the first probe"
it_assert_contains "$(ps_status hok)" "(health: starting)"
it_assert_eq "$(health hok 'j["Config"]["Healthcheck"]')" \
  '{"Test": ["CMD-SHELL", "echo fine"], "Interval": 1000000000, "Timeout": 0, "StartPeriod": 0, "StartInterval": 0, "Retries": 0}' "Config.Healthcheck"
wait_health hok healthy 60 || it_fail "hok not healthy: $(health hok 'j["State"]')"
it_assert_eq "$(health hok '[j["State"]["Health"]["FailingStreak"], j["State"]["Health"]["Log"][-1]["ExitCode"], j["State"]["Health"]["Log"][-1]["Output"]]')" \
  '[0, 0, "fine\n"]' "the probe's result"
health hok 'j["State"]["Health"]["Log"][-1]["Start"] <= j["State"]["Health"]["Log"][-1]["End"] or exit(1)' > /dev/null || it_fail "Start/End"
case "$(ps_status hok)" in "Up "*" (healthy)") ;; *) it_fail "ps status: $(ps_status hok)" ;; esac
it_wait 80 sh -c "[ \"\$(curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/hok/json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"State\"][\"Health\"][\"Log\"]))')\" = 5 ]" \
  || it_fail "the log does not reach 5 results"
sleep 1.5
it_assert_eq "$(health hok 'len(j["State"]["Health"]["Log"])')" 5 "the log keeps the last 5"
it_pass "health: starting, then healthy; inspect Health, ps (healthy), log of 5"

# --- unhealthy after the retries
berth run -d --name hbad --health-cmd 'echo bad >&2; exit 1' --health-interval 1s --health-retries 2 busybox sleep 1000 > /dev/null || it_fail "run hbad"
it_wait 60 sh -c "curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/hbad/json | grep -q '\"FailingStreak\":1'" || it_fail "no first failure"
it_assert_eq "$(health hbad 'j["State"]["Health"]["Status"]')" "starting" "one failure of two retries"
wait_health hbad unhealthy 60 || it_fail "hbad not unhealthy: $(health hbad 'j["State"]')"
it_assert_eq "$(health hbad '[j["State"]["Health"]["Log"][-1]["ExitCode"], j["State"]["Health"]["Log"][-1]["Output"]]')" '[1, "bad\n"]' "failure recorded"
case "$(ps_status hbad)" in "Up "*" (unhealthy)") ;; *) it_fail "ps status: $(ps_status hbad)" ;; esac
it_pass "health: unhealthy after --health-retries failures, stderr kept, ps (unhealthy)"

# --- timeout: the probe is killed
berth run -d --name hslow --health-cmd 'sleep 4321' --health-interval 1s --health-timeout 1s --health-retries 1 busybox sleep 1000 > /dev/null || it_fail "run hslow"
wait_health hslow unhealthy 80 || it_fail "hslow not unhealthy: $(health hslow 'j["State"]')"
it_assert_eq "$(health hslow 'j["State"]["Health"]["Log"][0]["ExitCode"]')" -1 "exit code of a timed-out probe"
it_assert_eq "$(health hslow 'j["State"]["Health"]["Log"][0]["Output"]')" "Health check exceeded timeout (1s)" "timeout output"
sleep 3
# every probe past its timeout is killed: at most the current one runs
[ "$(pgrep -fc 'sleep [4]321' || true)" -le 1 ] || it_fail "timed-out probes accumulate: $(pgrep -fa 'sleep [4]321')"
berth rm -f hslow > /dev/null
it_wait 50 sh -c "! pgrep -f 'sleep [4]321'" || it_fail "timed-out probes left running"
it_pass "health: --health-timeout kills the probe, exit code -1"

# --- start period: failures do not count
berth run -d --name hstart --health-cmd 'exit 1' --health-interval 1s --health-retries 1 --health-start-period 4s busybox sleep 1000 > /dev/null || it_fail "run hstart"
it_wait 60 sh -c "[ \"\$(curl -sS --unix-socket '$IT_SOCK' http://x/v1.50/containers/hstart/json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"State\"][\"Health\"][\"Log\"]))')\" -ge 2 ]" || it_fail "no probes in the start period"
it_assert_eq "$(health hstart '[j["State"]["Health"]["Status"], j["State"]["Health"]["FailingStreak"]]')" '["starting", 0]' "failures in the start period"
wait_health hstart unhealthy 80 || it_fail "hstart not unhealthy after the start period: $(health hstart 'j["State"]')"
berth rm -f hstart > /dev/null
it_pass "health: --health-start-period ignores early failures"

# --- a Dockerfile HEALTHCHECK, --no-healthcheck, none at all
CTX="$IT_DIR/ctx"
mkdir -p "$CTX"
printf 'FROM busybox\nHEALTHCHECK --interval=1s --retries=2 CMD ["cat", "/tmp/ok"]\nCMD ["sleep", "1000"]\n' > "$CTX/Dockerfile"
berth build -q -t hcimg "$CTX" > "$OUT" 2>&1 || it_fail "build: $(cat "$OUT")"
berth run -d --name hfile hcimg > "$OUT" 2>&1 || it_fail "run hcimg: $(cat "$OUT")"
it_assert_eq "$(grep -ci health "$OUT")" 0 "no warning about health checks"
it_assert_eq "$(health hfile 'j["Config"]["Healthcheck"]["Test"]')" '["CMD", "cat", "/tmp/ok"]' "the image's test"
wait_health hfile unhealthy 80 || it_fail "hfile not unhealthy: $(health hfile 'j["State"]')"
berth exec hfile touch /tmp/ok
wait_health hfile healthy 60 || it_fail "hfile not healthy after touch: $(health hfile 'j["State"]')"
berth run -d --name hover --health-cmd 'exit 0' --health-interval 1s hcimg > /dev/null || it_fail "run with --health-cmd over the image's"
wait_health hover healthy 60 || it_fail "hover not healthy: $(health hover 'j["State"]')"
it_assert_eq "$(health hover 'j["Config"]["Healthcheck"]["Retries"]')" 2 "the image's fields fill the gaps"
berth run -d --name hnone --no-healthcheck hcimg > /dev/null || it_fail "run --no-healthcheck"
berth run -d --name hplain busybox sleep 1000 > /dev/null || it_fail "run hplain"
sleep 2.5
it_assert_eq "$(health hnone '[j["Config"]["Healthcheck"]["Test"], "Health" in j["State"]]')" '[["NONE"], false]' "--no-healthcheck"
it_assert_eq "$(health hplain '"Health" in j["State"]')" "false" "no health check, no Health"
case "$(ps_status hnone)" in *"("*) it_fail "ps status: $(ps_status hnone)" ;; esac
berth rm -f hover hnone hplain > /dev/null
it_pass "health: Dockerfile HEALTHCHECK (unhealthy, then healthy), flags over it, NONE, none"

# --- bad input
rc=0; berth run -d --no-healthcheck --health-cmd true busybox true > "$OUT" 2>&1 || rc=$?
it_assert_eq "$rc" 125 "--no-healthcheck with --health-cmd"
it_assert_contains "$(cat "$OUT")" "conflicts with --health-* options"
rc=0; berth run -d --health-interval -1s busybox true > "$OUT" 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "negative --health-interval accepted"
it_assert_contains "$(cat "$OUT")" "cannot be negative"
it_assert_eq "$(api /containers/create -X POST -H 'Content-Type: application/json' \
  -d '{"Image":"busybox","Cmd":["true"],"Healthcheck":{"Test":["CMD","true"],"Interval":10}}' -w ' %{http_code}' | tr -d '\n')" \
  '{"message":"Interval in Healthcheck cannot be less than 1ms"} 400' "an interval under 1 ms"
it_pass "health: conflicting and negative flags, an interval under 1 ms"

# --- events
api "/events?since=0&until=$(date +%s)&filters=%7B%22type%22%3A%5B%22container%22%5D%7D" > "$OUT" 2> /dev/null || true
it_assert_contains "$(cat "$OUT")" '"health_status: healthy"' "healthy event"
it_assert_contains "$(cat "$OUT")" '"health_status: unhealthy"' "unhealthy event"
count_events () {
  python3 -c 'import json,sys
n=0
for l in open(sys.argv[1]):
    e=json.loads(l)
    if e.get("Action")==sys.argv[2] and e["Actor"]["Attributes"].get("name")==sys.argv[3]:
        n+=1
print(n)' "$OUT" "$@"
}
it_assert_eq "$(count_events 'health_status: healthy' hok)" 1 "one healthy event for hok, not one per probe"
it_assert_eq "$(count_events 'health_status: unhealthy' hfile)" 1 "unhealthy event for hfile"
it_assert_eq "$(count_events 'health_status: healthy' hfile)" 1 "healthy event for hfile"
it_assert_eq "$(count_events 'health_status: unhealthy' hok)" 0 "no unhealthy event for hok"
# moby runs each probe as an exec, with its events
it_assert_contains "$(cat "$OUT")" '"exec_create: /bin/sh -c echo fine"' "a probe's exec_create event"
it_pass "health: health_status events on changes only"

# --- stop ends the checks; a daemon killed with -9 resumes them
berth stop -t 1 hbad > /dev/null || it_fail "stop hbad"
n=$(health hbad 'len(j["State"]["Health"]["Log"])')
sleep 2.5
it_assert_eq "$(health hbad 'len(j["State"]["Health"]["Log"])')" "$n" "no probes after the exit"
kill -9 "$IT_PID"
wait "$IT_PID" 2> /dev/null || true
IT_PID=
it_start_daemon
it_assert_eq "$(health hok 'j["State"]["Health"]["Status"]')" "healthy" "after the restart: the saved status"
wait_health hok healthy 60 || it_fail "hok not healthy after the daemon restart: $(health hok 'j["State"]')"
berth stop -t 1 hok hfile > /dev/null || it_fail "stop"
it_wait 50 sh -c "[ -z \"\$(pgrep -f -- '--exec=[0-9a-f]{64} .*--runtime-root=$IT_EXEC')\" ]" || it_fail "exec shims left"
it_pass "health: checks stop at exit, resume after berthd was killed"
