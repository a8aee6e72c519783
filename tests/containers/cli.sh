# The berth CLI's container commands against a real berthd: run (output,
# exit statuses, stdin, tty through script(1), detach keys, sig-proxy),
# run -d, logs, ps, inspect, wait, stop, kill, rm, start -a, and the errors.
. "$top_srcdir/tests/integration/lib.sh"

# Containers left by a failed check are removed through the daemon, their
# mounts under $IT_DIR dropped, before lib.sh removes the directory.
cli_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap cli_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"

# --- run: output, statuses
it_assert_eq "$(berth run --rm busybox echo hello)" "hello" "run --rm echo"
rc=0; berth run --rm busybox sh -c 'echo out; echo err >&2; exit 3' > "$OUT" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 3 "run exit status"
it_assert_eq "$(cat "$OUT")" "out" "run stdout"
it_assert_eq "$(cat "$ERR")" "err" "run stderr (demultiplexed)"
rc=0; berth run --rm busybox nosuchcmd > "$OUT" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 127 "missing command"
it_assert_contains "$(cat "$ERR")" "executable file not found"
rc=0; berth run --rm busybox /etc/passwd 2> "$ERR" || rc=$?
it_assert_eq "$rc" 126 "non-executable command"
rc=0; berth run --rm 127.0.0.1:1/nosuchimage true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "missing image"
it_assert_contains "$(cat "$ERR")" "Unable to find image '127.0.0.1:1/nosuchimage:latest' locally"
it_assert_contains "$(cat "$ERR")" "Error response from daemon: cannot reach registry 127.0.0.1:1"
rc=0; berth run --rm --memory 12q busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "bad flag value"
it_assert_contains "$(cat "$ERR")" 'invalid argument "12q" for "-m, --memory" flag'
rc=0; berth run --rm --restart always busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "--rm with --restart"
rc=0; berth run --restart bogus busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "unknown restart policy refused by the daemon"
it_assert_contains "$(cat "$ERR")" "invalid restart policy"
[ "$(berth ps -aq | wc -l)" = 0 ] || it_fail "run --rm left containers: $(berth ps -a)"
it_pass "run: stdout/stderr, exit status, 127, 126, 125 (image, flag, daemon), --rm removes"

# --- flags reach the container
it_assert_eq "$(B=from-env berth run --rm -e A=1 -e B -w /tmp -u 1:2 -h box busybox sh -c 'echo $A-$B $(pwd) $(id -u):$(id -g) $(hostname)')" \
  "1-from-env /tmp 1:2 box" "-e -w -u -h"
printf 'X=from-file\n# comment\n\nY=2\n' > "$IT_DIR/env"
it_assert_eq "$(berth run --rm --env-file "$IT_DIR/env" busybox sh -c 'echo $X $Y')" "from-file 2" "--env-file"
it_assert_eq "$(berth run --rm --entrypoint echo busybox a b)" "a b" "--entrypoint"
rc=0; berth run --rm --read-only busybox touch /x 2> /dev/null || rc=$?
[ "$rc" != 0 ] || it_fail "--read-only: the root filesystem was writable"
it_assert_eq "$(berth run --rm --network none busybox sh -c 'ls /sys/class/net | tr "\n" " "')" "lo " "--network none"
id=$(berth create --name lim -m 64m --cpus 0.5 --cpu-shares 512 --pids-limit 50 --cap-drop chown -l k=v \
  --stop-signal USR1 --stop-timeout 3 busybox true) || it_fail "create with limits"
[ ${#id} = 64 ] || it_fail "create printed $id"
it_assert_eq "$(berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.PidsLimit}} {{.Config.StopSignal}} {{.Config.StopTimeout}}' lim)" \
  "67108864 500000000 512 50 USR1 3" "limits in inspect"
it_assert_eq "$(berth inspect -f '{{.Config.Labels.k}} {{json .HostConfig.CapDrop}}' lim)" 'v ["CAP_CHOWN"]' "label, cap-drop"
it_assert_eq "$(berth rm lim)" "lim" "rm prints the name"
it_pass "run/create flags: env, env-file, workdir, user, hostname, entrypoint, read-only, network, limits, labels"

# --- stdin
it_assert_eq "$(echo hi | berth run -i --rm busybox cat)" "hi" "run -i with piped stdin"
it_assert_eq "$(echo hi | berth run --rm busybox sh -c 'cat; echo end')" "end" "stdin not sent without -i"
it_pass "run -i forwards stdin and closes it at EOF"

# --- run -d, logs, ps, inspect, stop, wait, rm
id=$(berth run -d --name bg busybox sh -c 'echo started; echo warn >&2; exec sleep 100') || it_fail "run -d"
[ ${#id} = 64 ] || it_fail "run -d printed '$id'"
it_wait 50 sh -c "\"$BERTH\" logs bg 2> /dev/null | grep -q started" || it_fail "logs: $("$BERTH" logs bg 2>&1)"
berth logs bg > "$OUT" 2> "$ERR"
it_assert_eq "$(cat "$OUT")" "started" "logs stdout"
it_assert_eq "$(cat "$ERR")" "warn" "logs stderr"
it_assert_contains "$(berth logs -t bg 2> /dev/null)" "Z started" "logs -t"
it_assert_eq "$(berth logs --tail 1 bg 2>&1)" "warn" "logs --tail 1"
it_assert_eq "$(berth ps -q)" "$(echo "$id" | cut -c1-12)" "ps -q"
it_assert_eq "$(berth ps --no-trunc -q)" "$id" "ps --no-trunc -q"
it_assert_eq "$(berth ps --format '{{.Names}}')" "bg" "ps --format"
berth ps > "$OUT"
it_assert_eq "$(head -1 "$OUT" | tr -s ' ')" "CONTAINER ID IMAGE COMMAND CREATED STATUS PORTS NAMES" "ps header"
it_assert_contains "$(tail -1 "$OUT")" '"sh -c echo started;…"' "ps command column"
it_assert_eq "$(berth ps --format json | it_json 'j["Names"]+" "+j["State"]')" "bg running" "ps --format json"
it_assert_eq "$(berth inspect -f '{{.State.Running}} {{.Name}}' bg)" "true /bg" "inspect a container"
it_assert_eq "$(berth container inspect -f '{{.Config.Image}}' bg)" "busybox" "container inspect"
it_assert_eq "$(berth inspect --type image -f '{{.Os}}' busybox)" "linux" "inspect --type image"
rc=0; berth inspect nosuch > /dev/null 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "inspect of nothing"
it_assert_eq "$(cat "$ERR")" "Error: No such object: nosuch"
it_assert_eq "$(berth stop -t 1 bg)" "bg" "stop"
it_assert_eq "$(berth wait bg)" "137" "wait after stop"
it_assert_eq "$(berth inspect -f '{{.State.ExitCode}}' bg)" "137" "inspect exit code"
[ -z "$(berth ps -q)" ] || it_fail "ps without -a lists a stopped container"
it_assert_contains "$(berth ps -a --format '{{.Names}} {{.Status}}')" "bg Exited (137)" "ps -a"
it_assert_eq "$(berth ps -l --format '{{.Names}}')" "bg" "ps -l"
it_assert_eq "$(berth rm bg)" "bg" "rm"
[ -z "$(berth ps -aq)" ] || it_fail "rm left the container"
it_pass "run -d, logs (stdout/stderr, -t, --tail), ps (-q, -a, -l, --no-trunc, --format, json), inspect, stop, wait, rm"

# --- names, start -a, kill, restart, rm -f
berth run --name xx busybox true || it_fail "first --name xx"
rc=0; berth run --name xx busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "second --name xx"
it_assert_contains "$(cat "$ERR")" 'Conflict. The container name "/xx" is already in use by container'
it_assert_eq "$(berth start xx)" "xx" "start"
it_assert_eq "$(berth wait xx)" "0" "wait"
berth create --name sa busybox sh -c 'echo attached; exit 5' > /dev/null || it_fail "create sa"
rc=0; out=$(berth start -a sa) || rc=$?
it_assert_eq "$rc:$out" "5:attached" "start -a"
berth run -d --name kk busybox sleep 100 > /dev/null || it_fail "run -d kk"
it_assert_eq "$(berth restart -t 1 kk)" "kk" "restart"
it_assert_eq "$(berth kill -s KILL kk)" "kk" "kill -s"
it_assert_eq "$(berth wait kk)" "137" "wait after kill"
rc=0; berth kill kk 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "kill of a stopped container"
it_assert_contains "$(cat "$ERR")" "is not running"
berth start kk > /dev/null || it_fail "start kk again"
rc=0; berth rm kk 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "rm of a running container"
it_assert_eq "$(berth rm -f kk xx sa)" "$(printf 'kk\nxx\nsa')" "rm -f several"
rc=0; berth rm nosuch 2> "$ERR" || rc=$?
it_assert_eq "$rc:$(cat "$ERR")" "1:Error response from daemon: No such container: nosuch" "rm of a missing container"
it_pass "name conflict (125), start, start -a, restart, kill, rm -f of several, errors"

# --- sig-proxy: a signal to berth run reaches the container
"$BERTH" run --rm busybox sh -c 'trap "echo got-term; exit 9" TERM; echo ready; while :; do sleep 0.1; done' > "$OUT" &
runner=$!
it_wait 100 grep -q ready "$OUT" || it_fail "sig-proxy container did not start"
kill -TERM "$runner"
rc=0; wait "$runner" || rc=$?
it_assert_eq "$rc" 9 "sig-proxy status"
it_assert_contains "$(cat "$OUT")" "got-term" "sig-proxy"
it_pass "sig-proxy: SIGTERM to berth run is forwarded with POST /kill"

# --- attach
berth run -d -i --name at busybox sh -c 'read x; echo got $x' > /dev/null || it_fail "run -d -i"
it_assert_eq "$(echo hello | berth attach at)" "got hello" "attach with stdin"
berth rm at > /dev/null
rc=0; berth attach nosuch 2> /dev/null || rc=$?
it_assert_eq "$rc" 1 "attach to a missing container"
it_pass "attach forwards stdin and exits with the container"

# --- a tty, through script(1)
if command -v script > /dev/null; then
  script -qec "stty rows 33 cols 99; stty -g > '$IT_DIR/before'; \"$BERTH\" run -it --rm busybox sh -c 'stty size; tty; exit 4'; echo rc=\$?; stty -g > '$IT_DIR/after'" \
    /dev/null < /dev/null > "$OUT" 2>&1 || it_fail "script: $(cat "$OUT")"
  out=$(tr -d '\r' < "$OUT")
  it_assert_contains "$out" "33 99" "the container's pty has our size"
  it_assert_contains "$out" "/dev/pts/0" "a pty in the container"
  it_assert_contains "$out" "rc=4" "run -it exit status"
  it_assert_eq "$(cat "$IT_DIR/after")" "$(cat "$IT_DIR/before")" "terminal settings restored"
  script -qec "stty rows 20 cols 70; \"$BERTH\" run -t --rm busybox sh -c 'stty size; tty'" /dev/null < /dev/null > "$OUT" 2>&1 \
    || it_fail "run -t: $(cat "$OUT")"
  it_assert_contains "$(tr -d '\r' < "$OUT")" "20 70" "run -t size"
  # ctrl-p ctrl-q detaches, leaving the container running; a lone ctrl-p passes
  (sleep 2; printf '\020x\020\021'; sleep 2) | script -qec "stty -g > '$IT_DIR/before'; \"$BERTH\" run -it --name det busybox sh -c 'cat; echo done'; echo rc=\$?; stty -g > '$IT_DIR/after'" \
    /dev/null > "$OUT" 2>&1 || it_fail "detach: $(cat "$OUT")"
  it_assert_contains "$(tr -d '\r' < "$OUT")" "rc=0" "detach status"
  it_assert_eq "$(cat "$IT_DIR/after")" "$(cat "$IT_DIR/before")" "terminal restored after detach"
  it_assert_eq "$(berth inspect -f '{{.State.Running}}' det)" "true" "running after detach"
  berth rm -f det > /dev/null
  rc=0; echo x | berth run -it --rm busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc:$(cat "$ERR")" "1:the input device is not a TTY" "-it without a terminal"
  it_pass "tty: raw stream, size, terminal restored, ctrl-p ctrl-q detach"
else
  echo "# script(1) not installed: tty checks skipped"
fi

# --- commands without a daemon route, and a dead daemon
rc=0; berth update xx 2> "$ERR" || rc=$?
it_assert_eq "$rc:$(cat "$ERR")" "1:berth: 'update' is not implemented yet" "update"
rc=0; "$BERTH" -H "unix://$IT_DIR/nosuch.sock" run --rm busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc:$(cat "$ERR")" "1:Cannot connect to the berth daemon at unix://$IT_DIR/nosuch.sock. Is berthd running?" "dead daemon"
it_pass "unimplemented commands say so; a dead daemon is one line, status 1"
