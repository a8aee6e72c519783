# CVE-2022-29162 (SECURITY.md item 7, P1) and no-new-privileges (P3):
# inheritable and ambient sets stay empty in pid 1 and exec processes, also
# with extra capabilities; a file with inheritable file caps gives a
# non-root user nothing; a setuid-root binary under noNewPrivileges keeps
# the caller's uid.
. "$(dirname "$0")/sec-lib.sh"

DOCKER_CAPS='"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"'
docker_caps () { sed -i "s|\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"|$DOCKER_CAPS|g" "$1/config.json"; }
as_user () { sed -i "s|\"user\": { \"uid\": 0, \"gid\": 0 }|\"user\": { \"uid\": $2, \"gid\": $2 }|" "$1/config.json"; }
nnp () { sed -i "s|\"noNewPrivileges\": true|\"noNewPrivileges\": $2|" "$1/config.json"; }

new_id caps
bundle "$T/caps" '"sh","-c","/rtsec status; sleep 100"'
own_rootfs "$T/caps"
docker_caps "$T/caps"
(cd "$T/caps" && rt run --detach "$ID" < /dev/null > "$T/caps.out" 2>&1)
for _ in $(seq 50); do grep -q euid "$T/caps.out" && break; sleep 0.1; done
out=$(cat "$T/caps.out")
check "pid 1: Docker's default set" contains "$out" "CapEff:	00000000a80425fb"
check "pid 1: CapInh 0" contains "$out" "CapInh:	0000000000000000"
check "pid 1: CapAmb 0" contains "$out" "CapAmb:	0000000000000000"
out=$(rt exec "$ID" /rtsec status 2>&1)
check "exec: CapInh 0" contains "$out" "CapInh:	0000000000000000"
check "exec: CapAmb 0" contains "$out" "CapAmb:	0000000000000000"
out=$(rt exec --cap CAP_SYS_ADMIN --cap CAP_NET_ADMIN "$ID" /rtsec status 2>&1)
check "exec --cap: the extra caps are effective" contains "$out" "CapEff:	00000000a82435fb"
check "exec --cap: CapInh still 0" contains "$out" "CapInh:	0000000000000000"
check "exec --cap: CapAmb still 0" contains "$out" "CapAmb:	0000000000000000"
rt delete --force "$ID"

# inheritable file caps, run as uid 1000 without no_new_privs (which would
# ignore file caps and hide the problem)
if command -v setcap > /dev/null; then
  new_id inh
  bundle "$T/inh" '"/rtsec-inh","status"'
  own_rootfs "$T/inh"
  docker_caps "$T/inh"
  as_user "$T/inh" 1000
  nnp "$T/inh" false
  cp "$T/rtsec-helper" "$T/inh/rootfs/rtsec-inh"
  setcap cap_net_raw+i "$T/inh/rootfs/rtsec-inh"
  out=$(cd "$T/inh" && rt run "$ID" 2>&1)
  check "file with cap_net_raw+i as uid 1000: runs" contains "$out" "euid=1000"
  check "file with cap_net_raw+i as uid 1000: CapPrm stays 0" contains "$out" "CapPrm:	0000000000000000"
else
  echo "# SKIP inheritable file caps: setcap missing (libcap2-bin)"
fi

# setuid root under no_new_privs
new_id suid
bundle "$T/suid" '"/rtsec-suid","status"'
own_rootfs "$T/suid"
as_user "$T/suid" 1000
cp "$T/rtsec-helper" "$T/suid/rootfs/rtsec-suid"
chown 0:0 "$T/suid/rootfs/rtsec-suid"
chmod 4755 "$T/suid/rootfs/rtsec-suid"
out=$(cd "$T/suid" && rt run "$ID" 2>&1)
check "setuid root with noNewPrivileges: EUID stays 1000" contains "$out" "euid=1000"
check "setuid root with noNewPrivileges: NoNewPrivs 1" contains "$out" "NoNewPrivs:	1"
nnp "$T/suid" false
out=$(cd "$T/suid" && rt run "$ID" 2>&1)
check "without noNewPrivileges the setuid bit works (the check is meaningful)" contains "$out" "euid=0"

finish
