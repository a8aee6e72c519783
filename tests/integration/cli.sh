# The berth CLI against a real berthd.
. "$top_srcdir/tests/integration/lib.sh"

[ -x "$BERTH" ] || it_fail "$BERTH is not built"

# No daemon: exactly one line on stderr, exit 1.
for cmd in version info; do
  rc=0
  "$BERTH" -H "$IT_HOST" $cmd > "$IT_DIR/out" 2> "$IT_DIR/err" || rc=$?
  it_assert_eq "$rc" "1" "berth $cmd without a daemon: exit status"
  it_assert_eq "$(cat "$IT_DIR/err")" "Cannot connect to the berth daemon at $IT_HOST. Is berthd running?" \
    "berth $cmd without a daemon: stderr"
done
it_pass "no daemon: one line, exit 1"

# Unknown command, docker's wording.
rc=0
out=$("$BERTH" frobnicate 2>&1) || rc=$?
it_assert_eq "$rc" "1" "unknown command: exit status"
it_assert_eq "$out" "berth: 'frobnicate' is not a berth command.
See 'berth --help'." "unknown command"
it_pass "unknown command"

# --help lists the commands; every command's --help prints its usage, exit 0.
help=$("$BERTH" --help) || it_fail "berth --help failed"
commands=$(echo "$help" | sed -n '/^Commands:/,/^$/p' | awk 'NF > 1 && $1 != "Commands:" { print $1 }')
[ -n "$commands" ] || it_fail "berth --help lists no commands"
for c in version info; do it_assert_contains " $(echo $commands) " " $c " "commands in --help"; done
for c in $commands; do
  out=$("$BERTH" "$c" --help) || it_fail "berth $c --help exited non-zero"
  it_assert_contains "$out" "Usage:  berth $c" "berth $c --help"
  out=$("$BERTH" "$c" -h) || it_fail "berth $c -h exited non-zero"
done
"$BERTH" -h > /dev/null || it_fail "berth -h"
it_assert_contains "$("$BERTH" --version)" "berth version " "berth --version"
it_pass "--help on every command"

it_start_daemon

# berth version: Client and Server sections with the daemon's values.
out=$("$BERTH" -H "$IT_HOST" version) || it_fail "berth version failed"
it_assert_contains "$out" "Client:" "berth version"
it_assert_contains "$out" "Server: berth" "berth version"
it_assert_contains "$out" "API version:      1.50 (minimum version 1.24)" "berth version"
it_assert_contains "$out" "OS/Arch:          linux/" "berth version"
it_pass "berth version"

# berth info, via BERTH_HOST this time.
out=$(BERTH_HOST="$IT_HOST" "$BERTH" info 2> "$IT_DIR/err") || it_fail "berth info failed: $(cat "$IT_DIR/err")"
driver=$(it_curl http://localhost/info | it_json 'j["Driver"]')
id=$(it_curl http://localhost/info | it_json 'j["ID"]')
for s in "Client:" "Server:" "Storage Driver: $driver" "Berth Root Dir: $IT_DATA" "ID: $id" " Plugins:" "  Volume:" \
  "  Network:" "  Log:" "Logging Driver: json-file" "Kernel Version: $(uname -r)" "Swarm: inactive"; do
  it_assert_contains "$out" "$s" "berth info"
done
it_pass "berth info (BERTH_HOST)"

# -H wins over BERTH_HOST.
BERTH_HOST=unix:///nonexistent/berth.sock "$BERTH" -H "$IT_HOST" version > /dev/null || it_fail "-H did not override BERTH_HOST"
rc=0
BERTH_HOST=unix:///nonexistent/berth.sock "$BERTH" version > /dev/null 2> "$IT_DIR/err" || rc=$?
it_assert_eq "$rc" "1" "BERTH_HOST pointing nowhere"
it_assert_contains "$(cat "$IT_DIR/err")" "unix:///nonexistent/berth.sock" "BERTH_HOST pointing nowhere"
it_pass "-H and BERTH_HOST"

"$BERTH" -H "$IT_HOST" version --bogus > /dev/null 2> "$IT_DIR/err" && it_fail "unknown flag accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "unknown flag: --bogus" "unknown flag"
it_stop_daemon || it_fail "exit status after SIGTERM"

# Daemon errors are printed once, prefixed as docker does: a stand-in daemon
# that answers the ping and fails everything else.
# The interpreter itself, not the python3 function: $! must be its pid for kill.
"$PYTHON" - "$IT_DIR/fail.sock" << 'PY' &
import http.server, socketserver, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self):
        self.send_response(200); self.send_header("Api-Version", "1.50"); self.send_header("Content-Length", "0")
        self.end_headers()
    def do_GET(self):
        body = b'{"message":"something broke"}\n'
        self.send_response(500); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(socketserver.UnixStreamServer):
    def get_request(self):
        conn, _ = super().get_request(); return conn, ("local", 0)
S(sys.argv[1], H).serve_forever()
PY
stub=$!
it_wait 50 test -S "$IT_DIR/fail.sock" || it_fail "stand-in daemon did not start"
rc=0
"$BERTH" -H "unix://$IT_DIR/fail.sock" info > /dev/null 2> "$IT_DIR/err" || rc=$?
kill "$stub"
wait "$stub" 2> /dev/null
it_assert_eq "$rc" "1" "daemon error: exit status"
it_assert_eq "$(cat "$IT_DIR/err")" "Error response from daemon: something broke" "daemon error"
it_pass "daemon errors printed once"
