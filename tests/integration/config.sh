# Configuration errors and command-line overrides.
. "$top_srcdir/tests/integration/lib.sh"

# Bad files fail before anything is bound, naming file:line.
bad () {
  # $1: file contents, $2: expected text in the error
  printf '%s\n' "$1" > "$IT_DIR/bad.yaml"
  out=$("$BERTHD" --config "$IT_DIR/bad.yaml" --exec-root "$IT_EXEC" --data-root "$IT_DATA" 2>&1) \
    && it_fail "berthd accepted: $1"
  it_assert_contains "$out" "berthd: $IT_DIR/bad.yaml:$2" "error for: $1"
  [ -e "$IT_SOCK" ] && it_fail "socket created despite a bad config"
  [ -e "$IT_EXEC" ] && it_fail "exec root created despite a bad config"
  true
}
bad "data-root: $IT_DATA
bogus-key: 1" "2:"
bad "hosts: unix:///tmp/x.sock" "1:"
bad "log-level:
  - debug" "1:"
bad "data-root: [unterminated" ""
it_pass "bad config files refused with file:line, nothing bound"

out=$("$BERTHD" --config "$IT_DIR/missing.yaml" 2>&1) && it_fail "a missing --config was accepted"
it_assert_contains "$out" "missing.yaml" "missing --config"
it_pass "missing explicit --config is an error"

out=$("$BERTHD" --config "$IT_CONFIG" --log-level loud 2>&1) && it_fail "bad --log-level accepted"
it_assert_contains "$out" "--log-level" "bad --log-level"
out=$("$BERTHD" --config "$IT_CONFIG" --bogus-flag 2>&1) && it_fail "unknown flag accepted"
it_pass "bad flags refused"

# --validate: drivers listed, exit 0, nothing created.
out=$("$BERTHD" --config "$IT_CONFIG" --validate 2>&1) || it_fail "--validate failed: $out"
it_assert_contains "$out" "storage driver:" "--validate output"
[ -e "$IT_SOCK" ] && it_fail "--validate bound the socket"
out=$("$BERTHD" --config "$IT_CONFIG" --validate --storage-driver nosuchfs 2>&1) && it_fail "--validate accepted a missing driver"
it_assert_contains "$out" "nosuchfs" "missing storage driver"
for d in $IT_STORAGE_PLUGINS; do it_assert_contains "$out" "$d" "available drivers"; done
it_pass "--validate and --storage-driver of a missing driver"

out=$("$BERTHD" --config "$IT_CONFIG" --storage-driver nosuchfs 2>&1) && it_fail "started with a missing storage driver"
it_assert_contains "$out" "storage driver \`nosuchfs\` is not loaded (available:" "missing storage driver at start"
[ -e "$IT_SOCK" ] && it_fail "socket bound despite a missing storage driver"
[ -e "$IT_PIDFILE" ] && it_fail "pid file left behind after a failed start"
it_pass "start with a missing storage driver fails naming the available ones"

# TCP without TLS: refused off loopback, served on loopback.
out=$("$BERTHD" --config "$IT_CONFIG" -H tcp://0.0.0.0:2375 2>&1) && it_fail "started on tcp://0.0.0.0"
it_assert_contains "$out" "only allowed on a loopback address" "tcp on 0.0.0.0"
[ -e "$IT_PIDFILE" ] && it_fail "pid file left behind after a refused tcp host"
it_pass "tcp on a non-loopback address refused"

# Every override takes effect: data root, exec root (moves socket and pid
# file), pid file, hosts (replace the file's), storage driver, log level.
data2="$IT_DIR/data2"
exec2="$IT_DIR/run2"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# vfs works on any filesystem (btrfs, the first name, needs a btrfs data root).
driver=vfs
"$BERTHD" --config "$IT_CONFIG" --data-root "$data2" --exec-root "$exec2" --pidfile "$IT_DIR/my.pid" \
  -H "unix://$IT_DIR/a.sock" -H "tcp://127.0.0.1:$port" --storage-driver "$driver" --log-level debug >> "$IT_LOG" 2>&1 &
IT_PID=$!
it_wait 100 curl -sf "http://127.0.0.1:$port/_ping" || it_fail "no answer on tcp://127.0.0.1:$port"
it_ping "$IT_DIR/a.sock" > /dev/null || it_fail "no answer on unix://$IT_DIR/a.sock"
[ -e "$IT_SOCK" ] && it_fail "-H did not replace the configured hosts"
[ -e "$exec2/berth.sock" ] && it_fail "-H did not replace the default socket"
it_assert_eq "$(cat "$IT_DIR/my.pid")" "$IT_PID" "--pidfile"
[ -d "$exec2" ] || it_fail "--exec-root not created"
curl -s "http://127.0.0.1:$port/v1.50/info" > "$IT_DIR/info.json"
it_assert_eq "$(it_json 'j["DockerRootDir"]' < "$IT_DIR/info.json")" "$data2" "--data-root in DockerRootDir"
it_assert_eq "$(it_json 'j["Driver"]' < "$IT_DIR/info.json")" "$driver" "--storage-driver"
it_assert_eq "$(it_json 'j["Debug"]' < "$IT_DIR/info.json")" "true" "--log-level debug"
grep -q 'berthd\[debug\]' "$IT_LOG" || it_fail "--log-level debug logged no debug lines"
if [ -x "$BERTH" ]; then
  out=$("$BERTH" -H "tcp://127.0.0.1:$port" info 2>&1) || it_fail "berth over tcp failed: $out"
  it_assert_contains "$out" "Berth Root Dir: $data2" "berth info over tcp"
fi
it_stop_daemon || it_fail "exit status after SIGTERM"
[ -e "$IT_DIR/a.sock" ] && it_fail "socket left behind"
it_pass "flag overrides"

# --exec-root alone moves the default socket and pid file.
"$BERTHD" --config "$IT_CONFIG" --exec-root "$exec2" >> "$IT_LOG" 2>&1 &
IT_PID=$!
it_wait 100 it_ping "$exec2/berth.sock" || it_fail "no answer on $exec2/berth.sock"
it_assert_eq "$(cat "$exec2/berthd.pid")" "$IT_PID" "pid file under --exec-root"
it_stop_daemon || it_fail "exit status after SIGTERM"
it_pass "--exec-root moves the socket and pid file"

# socket-group: root:<group> when the group exists (docker's group is handy).
if getent group docker > /dev/null; then
  sed -i '/^socket-group:/d' "$IT_CONFIG"
  echo "socket-group: docker" >> "$IT_CONFIG"
  it_start_daemon
  it_assert_eq "$(stat -c '%a %U %G' "$IT_SOCK")" "660 root docker" "socket with socket-group"
  chmod 0711 "$IT_DIR"
  if command -v setpriv > /dev/null; then
    setpriv --reuid=nobody --regid=docker --clear-groups curl -sf --unix-socket "$IT_SOCK" http://localhost/_ping \
      > /dev/null || it_fail "a member of the socket group could not connect"
  fi
  it_stop_daemon || it_fail "exit status after SIGTERM"
  it_pass "socket-group"
fi
