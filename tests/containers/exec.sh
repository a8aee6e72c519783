# docker exec against a real berthd, through berth and the stock docker
# CLI: output, exit status, 127/126, -e/-u/-w/--env-file, --privileged,
# -d (then visible to ps), -i with piped stdin, -t through script(1),
# detach keys, a stopped container (125), the exec API (inspect, ExecIDs,
# events), and a daemon killed with -9 while an exec runs: the process
# survives, the new daemon finds it, and the container still stops cleanly.
. "$top_srcdir/tests/integration/lib.sh"

# Containers left by a failed check are removed through the daemon, their
# mounts under $IT_DIR dropped, before lib.sh removes the directory.
exec_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap exec_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"
api () { it_curl "http://x/v1.50$1" "${@:2}"; }

# processes of the exec shims (their command line names the exec mode)
exec_shims () { pgrep -f -- "--exec=[0-9a-f]{64} .*--runtime-root=$IT_EXEC" || true; }

berth run -d --name ex -e FROM_CONTAINER=yes -w /tmp busybox sleep 1000 > /dev/null || it_fail "run -d"

# --- output, status, errors
it_assert_eq "$(berth exec ex echo hello)" "hello" "exec echo"
rc=0; berth exec ex sh -c 'echo out; echo err >&2; exit 3' > "$OUT" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 3 "exec exit status"
it_assert_eq "$(cat "$OUT")" "out" "exec stdout"
it_assert_eq "$(cat "$ERR")" "err" "exec stderr"
rc=0; berth exec ex nosuchcmd > "$OUT" 2>&1 || rc=$?
it_assert_eq "$rc" 127 "missing program"
it_assert_contains "$(cat "$OUT")" "executable file not found in \$PATH"
rc=0; berth exec ex /etc/passwd > "$OUT" 2>&1 || rc=$?
it_assert_eq "$rc" 126 "non-executable program"
it_assert_contains "$(cat "$OUT")" "permission denied"
rc=0; berth exec -d ex nosuchcmd 2> "$ERR" || rc=$?
it_assert_eq "$rc" 127 "exec -d of a missing program"
rc=0; berth exec nosuch true 2> "$ERR" || rc=$?
it_assert_eq "$rc:$(cat "$ERR")" "125:Error response from daemon: No such container: nosuch" "missing container"
rc=0; berth exec ex 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "exec without a command"
rc=0; berth exec --nosuchflag ex true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "unknown flag"
it_pass "exec: stdout/stderr, exit status, 127, 126, missing container, usage errors"

# --- what the process gets
it_assert_eq "$(berth exec ex sh -c 'echo $FROM_CONTAINER $(pwd) $(id -u):$(id -g)')" "yes /tmp 0:0" "container env, workdir, user"
it_assert_eq "$(B=from-env berth exec -e A=1 -e B -e FROM_CONTAINER=over -w / -u 1:2 ex sh -c 'echo $A-$B-$FROM_CONTAINER $(pwd) $(id -u):$(id -g)')" \
  "1-from-env-over / 1:2" "-e -w -u"
it_assert_eq "$(berth exec -u nobody ex id -un)" "nobody" "-u resolved in the container's /etc/passwd"
printf 'X=from-file\n# comment\nY=2\n' > "$IT_DIR/env"
it_assert_eq "$(berth exec --env-file "$IT_DIR/env" ex sh -c 'echo $X $Y')" "from-file 2" "--env-file"
it_assert_eq "$(berth exec ex sh -c 'echo ${TERM:-none}')" "none" "no TERM without a tty"
capeff () { berth exec "$@" ex sh -c 'grep CapEff /proc/self/status' | awk '{print $2}'; }
[ "$(capeff)" != "$(capeff --privileged)" ] || it_fail "--privileged did not change the capabilities: $(capeff)"
it_assert_eq "$(capeff --privileged)" "$(awk '/^CapBnd/ {print $2}' /proc/$IT_PID/status)" "--privileged has every capability"
it_assert_eq "$(berth exec ex sh -c 'grep Seccomp: /proc/self/status' | awk '{print $2}')" "2" "the container's seccomp filter"
it_pass "exec: env (container, -e, --env-file), -u, -w, --privileged caps, seccomp"

# --- -i, -d
it_assert_eq "$(echo piped | berth exec -i ex cat)" "piped" "exec -i with piped stdin"
it_assert_eq "$(echo piped | berth exec ex sh -c 'cat; echo end')" "end" "stdin not sent without -i"
it_assert_eq "$(berth exec -d ex sleep 567)" "" "exec -d prints nothing"
it_wait 30 sh -c "\"$BERTH\" exec ex ps | grep -q 'sleep 567'" || it_fail "the exec -d process is not in ps: $(berth exec ex ps)"
it_pass "exec -i forwards stdin, exec -d runs in the background"

# --- the API: inspect, ExecIDs, events, errors
cid=$(berth inspect -f '{{.Id}}' ex)
eid=$(api /containers/ex/exec -X POST -H 'Content-Type: application/json' -d '{"Cmd":["sh","-c","sleep 2; exit 7"],"User":"1"}' | it_json 'j["Id"]')
[ ${#eid} = 64 ] || it_fail "exec create gave '$eid'"
api "/exec/$eid/json" > "$OUT"
it_assert_eq "$(it_json '[j["Running"], j["ExitCode"], j["Pid"], j["ContainerID"], j["ProcessConfig"]]' < "$OUT")" \
  "[false, null, 0, \"$cid\", {\"tty\": false, \"entrypoint\": \"sh\", \"arguments\": [\"-c\", \"sleep 2; exit 7\"], \"privileged\": false, \"user\": \"1\"}]" "inspect before start"
it_assert_contains "$(api /containers/ex/json | it_json 'j["ExecIDs"]')" "$eid" "ExecIDs"
it_assert_eq "$(api "/exec/$eid/start" -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' -o /dev/null -w '%{http_code}')" 200 "start detached"
it_assert_eq "$(api "/exec/$eid/json" | it_json '[j["Running"], j["Pid"] > 0]')" "[true, true]" "inspect while running"
it_assert_eq "$(api "/exec/$eid/start" -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' -w ' %{http_code}' | tr -d '\n')" \
  "{\"message\":\"Error: Exec command $eid is already running\"} 409" "start twice"
it_wait 50 sh -c "curl -s --unix-socket '$IT_SOCK' http://x/exec/$eid/json | grep -q '\"ExitCode\":7'" || it_fail "exit code 7 not recorded: $(api "/exec/$eid/json")"
it_assert_eq "$(api /containers/ex/json | it_json 'j["ExecIDs"] is None or "'"$eid"'" not in j["ExecIDs"]')" "true" "ended exec not in ExecIDs"
it_assert_eq "$(api /containers/ex/exec -X POST -H 'Content-Type: application/json' -d '{"Cmd":[]}' -w ' %{http_code}' | tr -d '\n')" \
  '{"message":"No exec command specified"} 400' "empty Cmd"
it_assert_eq "$(api /exec/nosuch/json -w ' %{http_code}' | tr -d '\n')" '{"message":"No such exec instance: nosuch"} 404' "unknown exec"
it_assert_eq "$(api /exec/nosuch/resize?h=1\&w=1 -X POST -o /dev/null -w '%{http_code}')" 404 "resize unknown exec"
api "/events?since=0&until=$(date +%s)&filters=%7B%22type%22%3A%5B%22container%22%5D%7D" > "$OUT" 2> /dev/null || true
if [ -s "$OUT" ]; then
  it_assert_contains "$(cat "$OUT")" '"exec_create: sh -c sleep 2; exit 7"' "exec_create event"
  it_assert_contains "$(cat "$OUT")" '"exec_start: sh -c sleep 2; exit 7"' "exec_start event"
  it_assert_contains "$(cat "$OUT")" '"exec_die"' "exec_die event"
fi
it_pass "exec API: create, inspect, ExecIDs, start detached, 409 twice, exit code, 400/404"

# --- a tty, through script(1)
if command -v script > /dev/null; then
  script -qec "stty rows 33 cols 99; stty -g > '$IT_DIR/before'; \"$BERTH\" exec -it ex sh -c 'stty size; tty; echo \$TERM; exit 4'; echo rc=\$?; stty -g > '$IT_DIR/after'" \
    /dev/null < /dev/null > "$OUT" 2>&1 || it_fail "script: $(cat "$OUT")"
  out=$(tr -d '\r' < "$OUT")
  it_assert_contains "$out" "33 99" "the exec's pty has our size"
  it_assert_contains "$out" "/dev/pts/" "a pty for the exec"
  it_assert_contains "$out" "xterm" "TERM with a tty"
  it_assert_contains "$out" "rc=4" "exec -it exit status"
  it_assert_eq "$(cat "$IT_DIR/after")" "$(cat "$IT_DIR/before")" "terminal settings restored"
  # ctrl-p ctrl-q detaches, leaving the process running; a lone ctrl-p passes
  (sleep 2; printf '\020x\020\021'; sleep 2) | script -qec "stty -g > '$IT_DIR/before'; \"$BERTH\" exec -it ex sh -c 'cat > /tmp/typed; echo done'; echo rc=\$?; stty -g > '$IT_DIR/after'" \
    /dev/null > "$OUT" 2>&1 || it_fail "detach: $(cat "$OUT")"
  it_assert_contains "$(tr -d '\r' < "$OUT")" "rc=0" "detach status"
  it_assert_eq "$(cat "$IT_DIR/after")" "$(cat "$IT_DIR/before")" "terminal restored after detach"
  berth exec ex ps > "$OUT"
  it_assert_contains "$(cat "$OUT")" "cat" "the process runs on after detach"
  # --detach-keys
  (sleep 2; printf 'ab'; sleep 2) | script -qec "\"$BERTH\" exec -it --detach-keys a,b ex sh -c 'cat; echo done'; echo rc=\$?" \
    /dev/null > "$OUT" 2>&1 || it_fail "detach keys: $(cat "$OUT")"
  it_assert_contains "$(tr -d '\r' < "$OUT")" "rc=0" "--detach-keys"
  rc=0; echo x | berth exec -it ex true 2> "$ERR" || rc=$?
  it_assert_eq "$rc:$(cat "$ERR")" "1:the input device is not a TTY" "-it without a terminal"
  it_pass "exec -t: pty, size, TERM, status, terminal restored, detach keys"
else
  echo "# script(1) not installed: tty checks skipped"
fi

# --- the stock docker CLI
if command -v docker > /dev/null; then
  dk () { timeout 60 docker -H "$IT_HOST" "$@"; }
  it_assert_eq "$(dk exec ex echo from-docker)" "from-docker" "docker exec"
  rc=0; dk exec ex sh -c 'exit 9' || rc=$?
  it_assert_eq "$rc" 9 "docker exec status"
  rc=0; dk exec ex nosuchcmd > "$OUT" 2>&1 || rc=$?
  it_assert_eq "$rc" 127 "docker exec of a missing program"
  it_assert_eq "$(echo to-stdin | dk exec -i ex cat)" "to-stdin" "docker exec -i"
  it_assert_eq "$(dk exec -d ex sleep 678)" "" "docker exec -d"
  it_wait 30 sh -c "docker -H '$IT_HOST' exec ex ps | grep -q 'sleep 678'" || it_fail "docker exec -d process not running"
  if command -v script > /dev/null; then
    script -qec "stty rows 21 cols 71; docker -H '$IT_HOST' exec -it ex sh -c 'stty size; exit 5'; echo rc=\$?" /dev/null < /dev/null > "$OUT" 2>&1 \
      || it_fail "docker exec -it: $(cat "$OUT")"
    it_assert_contains "$(tr -d '\r' < "$OUT")" "21 71" "docker exec -it size"
    it_assert_contains "$(tr -d '\r' < "$OUT")" "rc=5" "docker exec -it status"
  fi
  it_pass "docker CLI: exec, status, 127, -i, -d, -it"
else
  echo "# docker CLI not installed: its checks skipped"
fi

# --- a stopped or paused container
berth run -d --name short busybox true > /dev/null
berth wait short > /dev/null
rc=0; berth exec short true 2> "$ERR" || rc=$?
it_assert_eq "$rc:$(cat "$ERR")" "125:Error response from daemon: Container $(berth inspect -f '{{.Id}}' short) is not running" "exec in a stopped container"
berth rm short > /dev/null

# --- berthd killed while an exec runs (live restore)
berth exec -d ex sh -c 'echo $$ > /tmp/survivor.pid; exec sleep 789' || it_fail "exec -d survivor"
it_wait 30 berth exec ex test -s /tmp/survivor.pid || it_fail "survivor did not start"
eid=$(api /containers/ex/json | it_json '[x for x in j["ExecIDs"]][0]')
[ ${#eid} = 64 ] || it_fail "no exec id for the survivor: $eid"
kill -9 "$IT_PID"
wait "$IT_PID" 2> /dev/null || true
IT_PID=
pgrep -f 'sleep [7]89' > /dev/null || it_fail "the exec'd process died with the daemon"
it_start_daemon
it_assert_eq "$(api "/exec/$eid/json" | it_json '[j["Running"], j["ExitCode"]]')" "[true, null]" "exec found again after the restart"
it_assert_contains "$(api /containers/ex/json | it_json 'j["ExecIDs"]')" "$eid" "ExecIDs after the restart"
it_assert_eq "$(berth exec ex echo after-restart)" "after-restart" "exec after the restart"
it_assert_eq "$(berth stop -t 1 ex)" "ex" "stop with an exec running"
it_wait 50 sh -c "! pgrep -f 'sleep [7]89'" || it_fail "the exec'd process outlived its container"
it_wait 50 sh -c "[ -z \"\$(pgrep -f -- '--exec=[0-9a-f]{64} .*--runtime-root=$IT_EXEC')\" ]" || it_fail "exec shims left: $(exec_shims)"
it_assert_eq "$(api "/exec/$eid/json" -o /dev/null -w '%{http_code}')" 404 "exec forgotten when its container stopped"
[ -z "$(ls "$IT_EXEC/execs" 2> /dev/null)" ] || it_fail "exec directories left: $(ls "$IT_EXEC/execs")"
berth rm ex > /dev/null
[ -z "$(grep " $IT_DIR/" /proc/mounts)" ] || it_fail "mounts left: $(grep " $IT_DIR/" /proc/mounts)"
it_pass "daemon killed with -9: the exec survives, is found again; stop ends it; nothing left"
