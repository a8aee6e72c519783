# berth-runtime run: what the container sees from inside, its exit status,
# and that nothing is left behind.
. "$(dirname "$0")/lib.sh"

mounts_before=$(mount_count)

new_id run
bundle "$T/b1" '"sh","-c","echo pid=$$; hostname; echo home=$HOME; pwd; umask; ulimit -n; id; grep -E \"^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs)\" /proc/self/status; cat /proc/keys | wc -c; ls /sys/firmware | wc -l; touch /rootfile 2>&1; echo 1 2>&1 > /proc/sys/kernel/core_pattern; touch /tmp/ok && echo tmp-writable; ls /dev"' \
  '"rlimits": [ { "type": "RLIMIT_NOFILE", "soft": 512, "hard": 1024 } ],'
out=$(cd "$T/b1" && rt run "$ID" 2>&1)
status=$?
check "run exits 0" [ "$status" = 0 ]
check "pid 1 in its own pid namespace" contains "$out" "pid=1"
check "hostname set" contains "$out" "rt-host"
check "HOME from /etc/passwd" contains "$out" "home=/root"
check "rlimit applied" contains "$out" "512"
check "default umask 0022" contains "$out" "0022"
check "inheritable caps empty" contains "$out" "CapInh:	0000000000000000"
check "ambient caps empty" contains "$out" "CapAmb:	0000000000000000"
check "effective caps as asked (KILL, NET_BIND_SERVICE, AUDIT_WRITE)" contains "$out" "CapEff:	0000000020000420"
check "bounding set cut" contains "$out" "CapBnd:	0000000020000420"
check "no_new_privs" contains "$out" "NoNewPrivs:	1"
check "/proc/keys masked" contains "$out" "
0
0"
check "read-only root" contains "$out" "touch: /rootfile: Read-only file system"
check "/proc/sys read-only" contains "$out" "core_pattern: Read-only file system"
check "tmpfs mount writable" contains "$out" "tmp-writable"
check "default devices" contains "$out" "full
mqueue
null
ptmx
pts
random
shm
stderr
stdin
stdout
tty
urandom
zero"
check "state removed after run" state_gone "$ID"
check "cgroup removed after run" cgroup_gone b1
check "no mounts left on the host" [ "$(mount_count)" = "$mounts_before" ]

new_id status
bundle "$T/b2" '"sh","-c","exit 42"'
(cd "$T/b2" && rt run "$ID")
check "exit status is the container's" [ "$?" = 42 ]

new_id signal
bundle "$T/b3" '"sleep","30"'
(cd "$T/b3" && exec "$RT" --root "$STATE" run "$ID") &
runner=$!
for i in $(seq 50); do [ "$(rt state "$ID" 2>/dev/null | grep -c running)" = 1 ] && break; sleep 0.1; done
rt kill "$ID" 9
wait "$runner"
check "killed by signal 9 gives 137" [ "$?" = 137 ]

new_id notfound
bundle "$T/b4" '"no-such-program"'
out=$(cd "$T/b4" && rt run "$ID" 2>&1)
status=$?
check "missing program gives 127" [ "$status" = 127 ]
check "missing program is named" contains "$out" "no-such-program"
check "state removed after failed exec" state_gone "$ID"

new_id user
bundle "$T/b5" '"sh","-c","id; umask; pwd; cat /proc/self/status | grep CapEff"' \
  '"user": { "uid": 65534, "gid": 65534, "umask": 63, "additionalGids": [ 5 ] }, "cwd": "/tmp",'
sed -i 's|"user": { "uid": 0, "gid": 0 },||; s|"cwd": "/",||' "$T/b5/config.json"
out=$(cd "$T/b5" && rt run "$ID" 2>&1)
check "user, group and additional gids" contains "$out" "uid=65534(nobody) gid=65534(nogroup) groups=5(tty)"
check "umask from the spec" contains "$out" "0077"
check "cwd from the spec" contains "$out" "/tmp"
check "non-root user has no effective caps" contains "$out" "CapEff:	0000000000000000"

new_id forward
bundle "$T/b6" '"sh","-c","trap \"echo got-term; exit 3\" TERM; echo ready; while :; do sleep 0.1; done"'
(cd "$T/b6" && exec "$RT" --root "$STATE" run "$ID" > "$T/fwd.out" 2>&1) &
runner=$!
for i in $(seq 50); do grep -q ready "$T/fwd.out" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$runner"
wait "$runner"
status=$?
check "SIGTERM forwarded to the container" grep -q got-term "$T/fwd.out"
check "forwarded run returns the container's status" [ "$status" = 3 ]

finish
