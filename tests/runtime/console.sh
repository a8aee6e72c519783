# The console socket protocol: the pty master arrives over SCM_RIGHTS and the
# container's stdio is the pty slave from its own devpts.
. "$(dirname "$0")/lib.sh"

RECV="$top_builddir/tests/runtime/console-recv"
[ -x "$RECV" ] || { echo "FAIL: $RECV not built"; exit 1; }

new_id tty
bundle "$T/tty" '"sh","-c","tty; ls -l /dev/console | cut -c1; echo done"'
sed -i 's|"terminal": false|"terminal": true|' "$T/tty/config.json"
"$RECV" "$T/console.sock" > "$T/console.out" 2>&1 &
recv=$!
for i in $(seq 50); do [ -S "$T/console.sock" ] && break; sleep 0.05; done
(cd "$T/tty" && rt create --console-socket "$T/console.sock" "$ID" < /dev/null > /dev/null 2> "$T/tty.err")
check "create with --console-socket" [ "$?" = 0 ]
check "start" rt start "$ID"
wait "$recv"
out=$(cat "$T/console.out")
check "the pty name arrives with the master" contains "$out" "name=/dev/pts/0"
check "stdio is the pty" contains "$out" "/dev/pts/0"
check "/dev/console is a char device" contains "$out" "c"
check "output flows through the master" contains "$out" "done"
rt delete --force "$ID"

new_id notty
bundle "$T/notty" '"true"'
sed -i 's|"terminal": false|"terminal": true|' "$T/notty/config.json"
(cd "$T/notty" && rt create "$ID" < /dev/null > /dev/null 2> "$T/notty.err")
check "terminal without --console-socket refused" grep -q "console-socket is required" "$T/notty.err"

finish
