# berth-shim on its own: a busybox bundle run through the runtime library,
# output into the json-file log plugin, exit status in exit.json, a missing
# command reported as "executable file not found", attach with stdin.
: "${top_builddir:?}" "${top_srcdir:?}"
fail () { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
SHIM="$top_builddir/berth-shim"
PLUGIN="$top_builddir/plugins/log/.libs/log-json-file.so"
[ -x "$SHIM" ] || fail "$SHIM is not built"
[ -f "$PLUGIN" ] || { echo "SKIP: json-file plugin not built"; exit 77; }
command -v python3 > /dev/null || { echo "SKIP: python3"; exit 77; }

T=$(mktemp -d /tmp/berth-shim-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$T/rootfs" > /dev/null || exit $?
mkdir -p "$T/bundle" "$T/state"

bundle () {
  python3 - "$T" "$@" << 'PY'
import json, sys
t, args = sys.argv[1], sys.argv[2:]
spec = {"ociVersion": "1.2.0", "root": {"path": t + "/rootfs"}, "hostname": "shimtest",
        "process": {"terminal": False, "cwd": "/", "user": {"uid": 0, "gid": 0}, "args": args,
                    "env": ["PATH=/bin:/sbin:/usr/bin"]},
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
        "linux": {"namespaces": [{"type": t} for t in ("pid", "mount", "ipc", "uts", "network")]}}
json.dump(spec, open(t + "/bundle/config.json", "w"))
PY
}

run_shim () {
  id=$1; shift
  "$SHIM" --id "$id" --bundle "$T/bundle" --runtime-root "$T/rt" --state-dir "$T/state" --data-root "$T/data" \
    --log-plugin "$PLUGIN" "$@" 3> "$T/report" 2>> "$T/shim.log"
}

# output, partial line, stderr, exit status
bundle sh -c 'echo hello; printf partial; echo oops >&2; exit 3'
run_shim shim-a || fail "shim exited $?: $(cat "$T/shim.log")"
grep -q '^OK [0-9]* [0-9]*$' "$T/report" || fail "report: $(cat "$T/report")"
python3 - "$T/state" << 'PY' || fail "exit.json / log content"
import json, sys
d = sys.argv[1]
ex = json.load(open(d + "/exit.json"))
assert ex["ExitCode"] == 3 and ex["OOMKilled"] is False, ex
lines = [json.loads(l) for l in open(d + "/shim-a-json.log")]
got = sorted((l["stream"], l["log"]) for l in lines)
assert got == [("stderr", "oops\n"), ("stdout", "hello\n"), ("stdout", "partial")], got
PY
[ -z "$(ls "$T/rt" 2> /dev/null)" ] || fail "runtime state left behind: $(ls "$T/rt")"

# a command missing in the image
bundle nosuchcmd
if run_shim shim-b; then fail "shim succeeded with a missing command"; fi
grep -q '^ERR 2 .*executable file not found' "$T/report" || fail "report: $(cat "$T/report")"

# attach: stdin in, framed output back, EOF closes stdin (StdinOnce)
rm -f "$T/state/exit.json"
bundle sh -c 'read x; echo got $x; echo e >&2'
run_shim shim-c --stdin --stdin-once &
shim_pid=$!
i=0
until [ -S "$T/bundle/attach.sock" ]; do i=$((i + 1)); [ $i -lt 100 ] || fail "no attach socket"; sleep 0.05; done
out=$(python3 - "$T/bundle/attach.sock" << 'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(bytes([7]) + b"world\n")
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    data += d
print(repr(data))
PY
)
wait "$shim_pid" || fail "attached shim exited $?"
[ "$out" = "b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\ngot world\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x02e\\n'" ] \
  || fail "attach stream: $out"
echo "ok - berth-shim runs, logs, reports and attaches"
