# TIOCSTI (SECURITY.md item 15, I10): with terminal false the container
# process is in a new session, so a host tty handed to it as stdio is not
# its controlling terminal and TIOCSTI cannot type into the caller's shell;
# with terminal true its pty comes from the container's own devpts.
. "$(dirname "$0")/sec-lib.sh"

command -v script > /dev/null || { echo "SKIP: script(1) missing (util-linux)"; exit 77; }
if [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 0 ]; then
  echo "# note: dev.tty.legacy_tiocsti=0: the kernel refuses TIOCSTI without CAP_SYS_ADMIN anyway"
fi

new_id notty
bundle "$T/notty" '"/rtsec","tiocsti"'
own_rootfs "$T/notty"
# script gives the runtime a pty as stdio and controlling terminal
out=$(cd "$T/notty" && script -qec "$RT --root $STATE run $ID" /dev/null 2>&1 < /dev/null)
echo "  $out" | head -3
check "terminal false: stdio is the caller's tty (the check is meaningful)" contains "$out" "tiocsti pushed="
check "terminal false: no controlling terminal in the container" contains "$out" "ctty=no"
check "terminal false: TIOCSTI pushed nothing into the caller's tty" contains "$out" "pushed=0 "
check "terminal false: nothing was typed into the caller's shell" lacks "$out" "RT-INJECTED
"

new_id tty
bundle "$T/tty" '"sh","-c","stat -L -c \"tty %d\" /proc/self/fd/0; stat -c \"pts %d\" /dev/pts/ptmx; readlink /proc/self/fd/0"'
own_rootfs "$T/tty"
sed -i 's|"terminal": false|"terminal": true|' "$T/tty/config.json"
out=$(cd "$T/tty" && script -qec "$RT --root $STATE run $ID" /dev/null 2>&1 < /dev/null | tr -d '\r')
echo "$out" | sed "s/^/  # /"
tty_dev=$(echo "$out" | sed -n 's/.*tty \([0-9]*\)$/\1/p') # script(1) may echo a ^@ first
pts_dev=$(echo "$out" | sed -n 's/.*pts \([0-9]*\)$/\1/p') # (or before this line)
check "terminal true: the pty is /dev/pts/N inside" contains "$out" "/dev/pts/"
check "terminal true: the pty belongs to the container's devpts" [ -n "$tty_dev" -a "$tty_dev" = "$pts_dev" ]
check "terminal true: that devpts is not the host's" [ "$tty_dev" != "$(stat -c %d /dev/pts/ptmx)" ]

finish
