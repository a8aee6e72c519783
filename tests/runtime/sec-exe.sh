# CVE-2019-5736 (SECURITY.md item 1, I8): the process that joins the
# container runs from a sealed memfd, so the container can neither write the
# host runtime binary through /proc/<pid>/exe nor keep a handle on it.
. "$(dirname "$0")/sec-lib.sh"

PTRACE_CAPS='"CAP_SYS_PTRACE", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"'
with_ptrace () { sed -i "s|\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"|$PTRACE_CAPS|g" "$1/config.json"; }

# the init waiting for start, seen from the host
new_id created
bundle "$T/created" '"true"'
own_rootfs "$T/created"
(cd "$T/created" && rt create --pid-file "$T/created.pid" "$ID" < /dev/null > /dev/null 2>&1)
out=$("$T/rtsec-helper" seals "$(cat "$T/created.pid")")
check "create: the waiting init's exe carries the write seal" contains "$out" "write-seal=yes"
check "create: its exe cannot be opened for writing" contains "$out" "wopen=no"
rt delete --force "$ID"

grabbed_some () { case "$1" in *"exe-attack grabbed=0 "*|"") echo "  no runtime process was grabbed"; return 1 ;; esac; return 0; }

# pid 1 attacks every runtime process it can see while the host runs
# `exec /proc/self/exe` 100 times; it holds CAP_SYS_PTRACE so that it may
# open /proc/<pid>/exe of the joining process at all
new_id attack
bundle "$T/attack" '"/rtsec","exe-attack","/tmp/stop"'
own_rootfs "$T/attack"
with_ptrace "$T/attack"
(cd "$T/attack" && rt run --detach "$ID" < /dev/null > "$T/attack.out" 2>&1)
i=0
while [ $i -lt 100 ]; do
  rt exec "$ID" /proc/self/exe > /dev/null 2>&1
  i=$((i + 1))
done
rt exec "$ID" touch /tmp/stop
for _ in $(seq 50); do
  grep -q exe-attack "$T/attack.out" && break
  sleep 0.1
done
out=$(cat "$T/attack.out")
echo "  $out"
check "the attacker got hold of runtime processes (the check is meaningful)" grabbed_some "$out"
check "every runtime exe it saw was sealed" contains "$out" "unsealed=0 "
check "opening a running runtime exe for writing fails" contains "$out" "wopen=0 "
check "no write reached a runtime exe" contains "$out" "writes=0"
check "the runtime binary's sha256 is unchanged" runtime_unchanged
rt delete --force "$ID"

finish
