# Container routes against a real berthd: create/start/wait/logs/stop/kill/
# rm/list/inspect/attach over the API (curl, python sockets), the stock
# docker CLI when installed, and live restore across a berthd SIGKILL.
. "$top_srcdir/tests/integration/lib.sh"

# Containers left by a failed check: removed through the daemon if it
# answers, else their shims and runtime states are killed by pid and the
# mounts under $IT_DIR dropped, before lib.sh removes the directory.
ct_cleanup () {
  local id p
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  for p in $(cat "$IT_DATA"/containers/*/state.json 2> /dev/null | it_json 'j["ShimPid"]' 2> /dev/null); do
    [ "$p" -gt 0 ] 2> /dev/null && kill -KILL "$p" 2> /dev/null
  done
  for id in $(ls "$IT_EXEC/runtime" 2> /dev/null); do
    "$top_builddir/berth-runtime" --root "$IT_EXEC/runtime" kill "$id" KILL > /dev/null 2>&1
    "$top_builddir/berth-runtime" --root "$IT_EXEC/runtime" delete -f "$id" > /dev/null 2>&1
  done
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap ct_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
"$BERTH" -H "$IT_HOST" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"

api () { it_curl -o "$IT_DIR/body" -w '%{http_code}' "$@"; }
body () { cat "$IT_DIR/body"; }
create () { # name json
  local code
  code=$(api -X POST -H 'Content-Type: application/json' -d "$2" "http://x/v1.50/containers/create?name=$1")
  [ "$code" = 201 ] || it_fail "create $1: $code $(body)"
  body | it_json 'j["Id"]'
}

# --- create, start, wait, logs
id=$(create t1 '{"Image":"busybox","Cmd":["sh","-c","echo hello; echo oops >&2; exit 3"]}')
[ ${#id} = 64 ] || it_fail "create id: $id"
it_curl -X POST "http://x/v1.50/containers/t1/wait?condition=next-exit" > "$IT_DIR/wait1" &
waiter=$!
sleep 0.3
[ "$(api -X POST http://x/v1.50/containers/t1/start)" = 204 ] || it_fail "start: $(body)"
wait "$waiter"
it_assert_eq "$(cat "$IT_DIR/wait1")" '{"StatusCode":3,"Error":null}' "wait issued before start"
it_assert_eq "$(it_curl -X POST http://x/v1.50/containers/t1/wait)" '{"StatusCode":3,"Error":null}' "wait not-running"
logs=$(it_curl 'http://x/v1.50/containers/t1/logs?stdout=1&stderr=1' | python3 -c '
import sys
d = sys.stdin.buffer.read(); out = []
while d:
    n = int.from_bytes(d[4:8], "big"); out.append((d[0], d[8:8+n].decode())); d = d[8+n:]
print(sorted(out))')
it_assert_eq "$logs" "[(1, 'hello\n'), (2, 'oops\n')]" "multiplexed logs"
it_assert_eq "$(it_curl 'http://x/v1.50/containers/t1/logs?stdout=1' | tail -c 6)" "hello" "stdout-only logs"
[ "$(api 'http://x/v1.50/containers/t1/logs')" = 400 ] || it_fail "logs without streams: $(body)"
it_pass "create, start, wait (before start and after), multiplexed logs"

# --- Docker's security defaults: the builtin seccomp profile, 14 caps, nothing inheritable
create sec '{"Image":"busybox","Cmd":["sh","-c","grep -E \"^(Seccomp|CapInh|CapEff|CapAmb|NoNewPrivs):\" /proc/self/status; unshare -U true 2>&1 || echo unshare-refused"]}' > /dev/null
[ "$(api -X POST http://x/v1.50/containers/sec/start)" = 204 ] || it_fail "start sec: $(body)"
it_curl -X POST http://x/v1.50/containers/sec/wait > /dev/null
sec=$(it_curl 'http://x/v1.50/containers/sec/logs?stdout=1' | tr -d '\000-\010' | tr -s '\t' ' ')
it_assert_contains "$sec" "Seccomp: 2" "seccomp mode in a daemon-run container"
it_assert_contains "$sec" "CapEff: 00000000a80425fb" "default capability set"
it_assert_contains "$sec" "CapInh: 0000000000000000" "empty inheritable set"
it_assert_contains "$sec" "CapAmb: 0000000000000000" "empty ambient set"
it_assert_contains "$sec" "unshare-refused" "unshare blocked by the default profile"
[ "$(api -X DELETE http://x/v1.50/containers/sec)" = 204 ] || it_fail "rm sec: $(body)"
it_pass "security defaults: builtin seccomp profile, default caps, empty inheritable/ambient"

# --- inspect and list
it_curl http://x/v1.50/containers/t1/json > "$IT_DIR/insp"
for check in 'j["Id"]=="'"$id"'"' 'j["Name"]=="/t1"' 'j["State"]["Status"]=="exited"' 'j["State"]["ExitCode"]==3' \
  'j["State"]["Running"] is False' 'j["Path"]=="sh"' 'j["Args"][0]=="-c"' 'j["Image"].startswith("sha256:")' \
  'j["Config"]["Image"]=="busybox"' 'j["HostConfig"]["NetworkMode"]=="bridge"' 'j["State"]["FinishedAt"]!="0001-01-01T00:00:00Z"' \
  'j["LogPath"].endswith("-json.log")'; do
  [ "$(it_json "$check" < "$IT_DIR/insp")" = true ] || it_fail "inspect: $check: $(cat "$IT_DIR/insp")"
done
[ "$(it_curl http://x/v1.50/containers/json | it_json 'len(j)')" = 0 ] || it_fail "ps without -a lists exited"
it_curl 'http://x/v1.50/containers/json?all=1' > "$IT_DIR/ls"
it_assert_eq "$(it_json 'j[0]["Names"][0]+" "+j[0]["State"]+" "+j[0]["Command"]' < "$IT_DIR/ls")" \
  "/t1 exited sh -c echo hello; echo oops >&2; exit 3" "list row"
it_assert_contains "$(it_json 'j[0]["Status"]' < "$IT_DIR/ls")" "Exited (3) " "list status"
f=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"status\":{\"running\":true}}"))')
[ "$(it_curl "http://x/v1.50/containers/json?all=1&filters=$f" | it_json 'len(j)')" = 0 ] || it_fail "status filter"
f=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("{\"exited\":{\"3\":true}}"))')
[ "$(it_curl "http://x/v1.50/containers/json?filters=$f" | it_json 'len(j)')" = 1 ] || it_fail "exited filter"
[ "$(api http://x/v1.50/containers/nosuch/json)" = 404 ] || it_fail "inspect of a missing container"
it_assert_eq "$(body | it_json 'j["message"]')" "No such container: nosuch"
it_pass "inspect and list with filters"

# --- errors
[ "$(api -X POST -H 'Content-Type: application/json' -d '{"Image":"nosuchimage","Cmd":["true"]}' \
  http://x/v1.50/containers/create)" = 404 ] || it_fail "create with a missing image: $(body)"
it_assert_contains "$(body)" "No such image"
[ "$(api -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' \
  'http://x/v1.50/containers/create?name=t1')" = 409 ] || it_fail "name conflict: $(body)"
it_assert_contains "$(body | it_json 'j["message"]')" 'The container name "/t1" is already in use'
[ "$(api -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Privileged":true}}' \
  http://x/v1.50/containers/create)" = 400 ] || it_fail "unsupported field: $(body)"
it_assert_contains "$(body)" "Privileged"
[ "$(api -X POST http://x/v1.50/containers/t1/kill)" = 409 ] || it_fail "kill of a stopped container: $(body)"
[ "$(api -X POST http://x/v1.50/containers/t1/stop)" = 304 ] || it_fail "stop of a stopped container: $(body)"
create bad '{"Image":"busybox","Cmd":["nosuchcmd"]}' > /dev/null
[ "$(api -X POST http://x/v1.50/containers/bad/start)" = 400 ] || it_fail "start of a missing command: $(body)"
it_assert_contains "$(body)" "executable file not found"
it_assert_eq "$(it_curl http://x/v1.50/containers/bad/json | it_json 'j["State"]["ExitCode"]')" 127 "missing command status"
it_pass "404 image, 409 name, 400 field, 409 kill, 304 stop, start error text"

# --- a running container: 304 start, 409 rm, stop, restart, kill, rm -f
create run1 '{"Image":"busybox","Cmd":["sh","-c","trap \"exit 7\" TERM; echo up; while true; do sleep 0.1; done"]}' > /dev/null
[ "$(api -X POST http://x/v1.50/containers/run1/start)" = 204 ] || it_fail "start run1: $(body)"
[ "$(api -X POST http://x/v1.50/containers/run1/start)" = 304 ] || it_fail "second start: $(body)"
[ "$(api -X DELETE http://x/v1.50/containers/run1)" = 409 ] || it_fail "rm of a running container: $(body)"
[ "$(it_curl http://x/v1.50/containers/json | it_json 'j[0]["Status"].startswith("Up ")')" = true ] || it_fail "Up status"
[ "$(api -X POST 'http://x/v1.50/containers/run1/stop?t=5')" = 204 ] || it_fail "stop: $(body)"
it_assert_eq "$(it_curl http://x/v1.50/containers/run1/json | it_json 'j["State"]["ExitCode"]')" 7 "stop by SIGTERM"
[ "$(api -X POST 'http://x/v1.50/containers/run1/restart?t=1')" = 204 ] || it_fail "restart: $(body)"
[ "$(api -X POST 'http://x/v1.50/containers/run1/kill?signal=SIGKILL')" = 204 ] || it_fail "kill: $(body)"
it_assert_eq "$(it_curl -X POST http://x/v1.50/containers/run1/wait)" '{"StatusCode":137,"Error":null}' "killed status"
[ "$(api -X POST 'http://x/v1.50/containers/run1/start')" = 204 ] || it_fail "start again: $(body)"
it_curl -X POST 'http://x/v1.50/containers/run1/wait?condition=removed' > "$IT_DIR/wait2" &
waiter=$!
sleep 0.3
[ "$(api -X DELETE 'http://x/v1.50/containers/run1?force=1')" = 204 ] || it_fail "rm -f: $(body)"
wait "$waiter"
it_assert_eq "$(cat "$IT_DIR/wait2")" '{"StatusCode":137,"Error":null}' "wait removed"
[ "$(api http://x/v1.50/containers/run1/json)" = 404 ] || it_fail "removed container still there"
it_pass "304 start, 409 rm, stop (signal and status), restart, kill, rm -f, wait removed"

# --- attach before start: stdin in, frames out
create att '{"Image":"busybox","OpenStdin":true,"StdinOnce":true,"AttachStdin":true,"Cmd":["sh","-c","read x; echo got $x; echo e >&2"]}' > /dev/null
out=$(python3 - "$IT_SOCK" << 'PY'
import socket, subprocess, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /v1.50/containers/att/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\n"
          b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: text/plain\r\n\r\n")
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(1)
assert head.startswith(b"HTTP/1.1 101"), head
assert b"application/vnd.docker.multiplexed-stream" in head, head
r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", sys.argv[1], "-X", "POST",
                    "http://x/v1.50/containers/att/start"], capture_output=True, text=True)
assert r.stdout == "204", r
s.sendall(b"world\n"); s.shutdown(socket.SHUT_WR)
data = b""
while True:
    d = s.recv(4096)
    if not d: break
    data += d
out = []
while data:
    n = int.from_bytes(data[4:8], "big"); out.append((data[0], data[8:8+n])); data = data[8+n:]
print(sorted(out))
PY
) || it_fail "attach: $out"
it_assert_eq "$out" "[(1, b'got world\\n'), (2, b'e\\n')]" "attach stream"
it_pass "attach (hijacked, before start): stdin, multiplexed stdout/stderr, EOF at exit"

# --- a tty: raw logs, resize
create tty1 '{"Image":"busybox","Tty":true,"Cmd":["sh","-c","sleep 1; stty size"]}' > /dev/null
[ "$(api -X POST http://x/v1.50/containers/tty1/start)" = 204 ] || it_fail "start tty1: $(body)"
[ "$(api -X POST 'http://x/v1.50/containers/tty1/resize?h=31&w=101')" = 200 ] || it_fail "resize: $(body)"
it_curl -X POST http://x/v1.50/containers/tty1/wait > /dev/null
it_assert_eq "$(it_curl 'http://x/v1.50/containers/tty1/logs?stdout=1' | tr -d '\r')" "31 101" "tty size after resize (raw logs)"
[ "$(api -X POST 'http://x/v1.50/containers/tty1/resize?h=31&w=101')" = 409 ] || it_fail "resize of a stopped container: $(body)"
it_pass "tty: resize reaches the pty, raw (unframed) logs"

# --- the docker CLI
if [ -x /usr/local/bin/docker ] || command -v docker > /dev/null; then
  DOCKER=$(command -v docker || echo /usr/local/bin/docker)
  export DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config"
  it_assert_eq "$(timeout 30 "$DOCKER" run --rm busybox echo hi)" "hi" "docker run --rm"
  timeout 30 "$DOCKER" run --rm busybox sh -c 'exit 3'; rc=$?
  it_assert_eq "$rc" 3 "docker run exit status"
  timeout 30 "$DOCKER" run --rm busybox nosuchcmd 2> "$IT_DIR/err"; rc=$?
  it_assert_eq "$rc" 127 "docker run of a missing command"
  it_assert_contains "$(cat "$IT_DIR/err")" "executable file not found"
  timeout 30 "$DOCKER" run --rm busybox /etc/passwd 2> /dev/null; rc=$?
  it_assert_eq "$rc" 126 "docker run of a file that is not executable"
  # berthd runs from a background job here (SIGINT/SIGQUIT ignored): containers must not inherit that
  it_assert_eq "$(timeout 30 "$DOCKER" run --rm busybox grep SigIgn /proc/self/status | tr -d '\t ')" \
    "SigIgn:0000000000000000" "no ignored signals inherited"
  # -e NAME with NAME unset reaches the daemon bare: it removes the variable, as in moby
  it_assert_eq "$(env -u BERTH_NOPE timeout 30 "$DOCKER" run --rm -e BERTH_NOPE busybox sh -c 'echo ${BERTH_NOPE-unset}')" \
    "unset" "bare env name"
  id=$(timeout 30 "$DOCKER" run -d --name dk busybox sh -c 'echo started; exec sleep 100') || it_fail "docker run -d"
  [ ${#id} = 64 ] || it_fail "docker run -d printed $id"
  it_wait 50 sh -c "\"$DOCKER\" logs dk | grep -q started" || it_fail "docker logs"
  it_assert_contains "$("$DOCKER" ps --format '{{.Names}} {{.Status}}')" "dk Up "
  it_assert_eq "$("$DOCKER" inspect -f '{{.State.Running}} {{.Name}} {{.Config.Image}}' dk)" "true /dk busybox"
  it_assert_eq "$(timeout 30 "$DOCKER" stop -t 1 dk)" "dk" "docker stop"
  it_assert_contains "$("$DOCKER" ps -a --format '{{.Names}} {{.Status}}')" "dk Exited (137)"
  it_assert_eq "$("$DOCKER" rm dk)" "dk" "docker rm"
  it_pass "docker CLI: run --rm (output, exit status, 127), run -d, logs, ps, inspect, stop, rm"
else
  echo "# docker CLI not installed: its checks skipped"
fi

# --- live restore: berthd killed while a container runs
create live '{"Image":"busybox","Cmd":["sh","-c","i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]}' > /dev/null
[ "$(api -X POST http://x/v1.50/containers/live/start)" = 204 ] || it_fail "start live: $(body)"
sleep 0.5
kill -KILL "$IT_PID"
wait "$IT_PID" 2> /dev/null
IT_PID=
it_start_daemon
it_assert_eq "$(it_curl http://x/v1.50/containers/live/json | it_json 'j["State"]["Status"]')" running "restored state"
sleep 0.5
it_assert_contains "$(it_curl 'http://x/v1.50/containers/live/logs?stdout=1&tail=1' | tail -c 8)" "tick" "logs after restore"
[ "$(api -X POST 'http://x/v1.50/containers/live/stop?t=1')" = 204 ] || it_fail "stop after restore: $(body)"
it_assert_eq "$(it_curl http://x/v1.50/containers/live/json | it_json 'j["State"]["Status"]')" exited "stopped after restore"
[ "$(api -X DELETE http://x/v1.50/containers/live)" = 204 ] || it_fail "rm after restore: $(body)"
it_assert_eq "$(it_curl http://x/v1.50/info | it_json 'j["LiveRestoreEnabled"]')" "true" "LiveRestoreEnabled in /info"
it_pass "live restore: running container survives a berthd SIGKILL; logs, stop, rm work"

# the writable layers survive a daemon restart (image store keep hook)
it_stop_daemon || it_fail "berthd did not stop cleanly"
it_start_daemon
[ "$(api -X POST http://x/v1.50/containers/t1/start)" = 204 ] || it_fail "start after a daemon restart: $(body)"
it_assert_eq "$(it_curl -X POST http://x/v1.50/containers/t1/wait)" '{"StatusCode":3,"Error":null}' "rerun after restart"
it_pass "a container created before a daemon restart starts again"
