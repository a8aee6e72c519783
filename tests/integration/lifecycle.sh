# Daemon lifecycle: pid file lock, stale files, signals, persistent ID.
. "$top_srcdir/tests/integration/lib.sh"

# Stale leftovers of a crashed daemon are taken over: a pid file nobody
# locks and a socket nobody answers on.
mkdir -p "$IT_EXEC"
echo 999999 > "$IT_PIDFILE"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$IT_SOCK"
[ -S "$IT_SOCK" ] || it_fail "could not create a stale socket"
it_start_daemon
it_assert_eq "$(cat "$IT_PIDFILE")" "$IT_PID" "pid file contents"
it_assert_eq "$(stat -c %a "$IT_DATA")" "700" "data root mode"
it_pass "stale pid file and socket taken over"

# A second daemon on the same pid file refuses, naming the running one,
# and leaves the first one's socket alone.
out=$("$BERTHD" --config "$IT_CONFIG" 2>&1) && it_fail "a second berthd started on the same pid file"
it_assert_contains "$out" "another berthd (pid $IT_PID) is running" "second berthd"
it_ping > /dev/null || it_fail "the first daemon stopped answering"
# ... one with its own pid file and socket is refused the data root before
# any driver touches it (drivers sweep and unmount under their state at init) ...
out=$("$BERTHD" --config "$IT_CONFIG" --pidfile "$IT_DIR/other.pid" -H "unix://$IT_DIR/other.sock" 2>&1) &&
  it_fail "a second berthd started on a data root in use"
it_assert_contains "$out" "data root \`$IT_DATA\` is in use by another berthd (pid $IT_PID)" "second berthd, same data root"
[ -e "$IT_DIR/other.pid" ] && it_fail "the refused daemon left its pid file behind"
[ -e "$IT_DIR/other.sock" ] && it_fail "the refused daemon created its socket"
out=$("$BERTHD" --config "$IT_CONFIG" --validate 2>&1) && it_fail "--validate initialised drivers on a live data root"
it_assert_contains "$out" "is in use by another berthd" "--validate on a live data root"
# ... and one with its own pid file and data root refuses a socket in use.
out=$("$BERTHD" --config "$IT_CONFIG" --pidfile "$IT_DIR/other.pid" --data-root "$IT_DIR/other-data" 2>&1) &&
  it_fail "a second berthd took over a live socket"
it_assert_contains "$out" "already listening on $IT_SOCK" "second berthd, other pid file and data root"
[ -e "$IT_DIR/other.pid" ] && it_fail "the refused daemon left its pid file behind"
it_ping > /dev/null || it_fail "the first daemon stopped answering"
it_pass "second daemon refused"

id1=$(it_curl http://localhost/info | it_json 'j["ID"]')

# SIGTERM: exit 0, socket and pid file removed.
it_stop_daemon || it_fail "berthd exited non-zero on SIGTERM"
[ -e "$IT_SOCK" ] && it_fail "socket left behind after SIGTERM"
[ -e "$IT_PIDFILE" ] && it_fail "pid file left behind after SIGTERM"
it_pass "SIGTERM cleans up and exits 0"

# SIGINT as well; the engine ID survives restarts.
it_start_daemon
it_assert_eq "$(it_curl http://localhost/info | it_json 'j["ID"]')" "$id1" "ID after restart"
pid=$IT_PID
kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
IT_PID=
it_assert_eq "$rc" "0" "exit status after SIGINT"
[ -e "$IT_SOCK" ] || [ -e "$IT_PIDFILE" ] && it_fail "files left behind after SIGINT"
it_pass "SIGINT, persistent ID"
