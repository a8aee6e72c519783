# create / start / state / kill / delete / list / ps / pause / resume, and
# create failing half way leaving nothing behind.
. "$(dirname "$0")/lib.sh"

new_id life
bundle "$T/b1" '"sh","-c","trap \"exit 0\" USR1; while :; do sleep 0.05; done"'
(cd "$T/b1" && rt create --pid-file "$T/pid" "$ID" < /dev/null > /dev/null 2>&1)
check "create succeeds" [ "$?" = 0 ]
out=$(rt state "$ID")
check "state: created" contains "$out" '"status":"created"'
check "state: pid matches --pid-file" contains "$out" "\"pid\":$(cat "$T/pid"),"
check "state: bundle" contains "$out" "\"bundle\":\"$T/b1\""
check "state: ociVersion" contains "$out" '"ociVersion":"1.2.0"'
pid=$(cat "$T/pid")
check "created init is in the container's cgroup" grep -q "^$pid\$" /sys/fs/cgroup/pids/$CG_PARENT/b1-$$/cgroup.procs
check "list shows it" contains "$(rt list)" "$ID"
check "list --format json" contains "$(rt list --format json)" "\"id\":\"$ID\""
check "created container can be started only once: start" rt start "$ID"
check "start twice fails" sh -c "! '$RT' --root '$STATE' start '$ID' 2>/dev/null"
check "state: running" contains "$(rt state "$ID")" '"status":"running"'
check "ps lists the init" contains "$(rt ps "$ID")" "$pid"
check "ps --format json" contains "$(rt ps --format json "$ID")" "$pid"
check "delete refuses a running container" sh -c "! '$RT' --root '$STATE' delete '$ID' 2>/dev/null"
check "pause" rt pause "$ID"
check "state: paused" contains "$(rt state "$ID")" '"status":"paused"'
check "resume" rt resume "$ID"
check "state: running again" contains "$(rt state "$ID")" '"status":"running"'
check "kill by name" rt kill "$ID" SIGUSR1
for i in $(seq 50); do contains "$(rt state "$ID")" stopped > /dev/null && break; sleep 0.1; done
check "state: stopped after the signal" contains "$(rt state "$ID")" '"status":"stopped"'
check "delete a stopped container" rt delete "$ID"
check "state dir gone" state_gone "$ID"
check "cgroup gone" cgroup_gone b1
check "state of a deleted container fails" sh -c "! '$RT' --root '$STATE' state '$ID' 2>/dev/null"

new_id force
bundle "$T/b2" '"sleep","100"'
(cd "$T/b2" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
check "run --detach" contains "$(rt state "$ID")" '"status":"running"'
check "kill by number (containerd style)" rt kill "$ID" 0
check "kill by short name" rt kill "$ID" CONT
check "kill --all" rt kill --all "$ID" 0
check "unknown signal refused" sh -c "! '$RT' --root '$STATE' kill '$ID' SIGNOPE 2>/dev/null"
check "delete --force" rt delete --force "$ID"
check "forced delete leaves no cgroup" cgroup_gone b2
check "forced delete leaves no state" state_gone "$ID"

# create failing half way: nothing may remain (state, cgroup, process, mounts)
mounts_before=$(mount_count)
half_way () {
  # half_way NAME: the bundle in $T/$1 must fail to create
  new_id "$1"
  # never capture a container's stdio with $(): a created container keeps it open
  (cd "$T/$1" && rt create "$ID" < /dev/null > /dev/null 2> "$T/$1.err")
  status=$?
  out=$(cat "$T/$1.err")
  check "$1: create fails" [ "$status" != 0 ]
  check "$1: error says why ($2)" contains "$out" "$2"
  check "$1: no state left" state_gone "$ID"
  check "$1: no cgroup left" cgroup_gone "$1"
  check "$1: no process left" no_process "$ID"
}
bundle "$T/badroot" '"true"'
sed -i 's|"path": "rootfs"|"path": "no-such-rootfs"|' "$T/badroot/config.json"
half_way badroot "no-such-rootfs"
bundle "$T/badmount" '"true"' '' '' '' '{ "destination": "/data", "type": "bind", "source": "/no/such/source", "options": [ "rbind" ] },'
half_way badmount "/no/such/source"
bundle "$T/badseccomp" '"true"' '' '"seccomp": { "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [ "mkdir" ], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 1, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 2, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 3, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 4, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 5, "value": 1, "op": "SCMP_CMP_EQ" }, { "index": 5, "value": 2, "op": "SCMP_CMP_EQ" } ] } ] },'
half_way badseccomp "seccomp"
bundle "$T/badcgroup" '"true"'
sed -i 's|"resources": { "devices"|"resources": { "cpu": { "cpus": "99999" }, "devices"|' "$T/badcgroup/config.json"
half_way badcgroup "cpu.cpus"
bundle "$T/badspec" '"true"'
sed -i 's|"ociVersion": "1.2.0"|"ociVersion": 12|' "$T/badspec/config.json"
half_way badspec "ociVersion: expected a string"
check "failed creates left no mounts" [ "$(mount_count)" = "$mounts_before" ]

new_id dup
bundle "$T/dup" '"sleep","100"'
(cd "$T/dup" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
(cd "$T/dup" && rt create "$ID" < /dev/null > /dev/null 2> "$T/dup.err")
out=$(cat "$T/dup.err")
check "duplicate id refused" contains "$out" "already exists"
check "the first container survives" contains "$(rt state "$ID")" running
rt delete --force "$ID"

check "bad id refused" sh -c "! '$RT' --root '$STATE' state '../etc' 2>/dev/null"
out=$("$RT" --systemd-cgroup list 2>&1)
check "--systemd-cgroup refused clearly" contains "$out" "systemd cgroup driver is not supported"
out=$("$RT" --root "$STATE" --log "$T/log.json" --log-format json state nope 2>&1)
check "--log-format json writes JSON errors" grep -q '"level":"error","msg":"container `nope` does not exist"' "$T/log.json"
check "features is JSON" contains "$(rt features)" '"ociVersionMax"'
(cd "$T" && mkdir -p specdir && cd specdir && rt spec)
check "spec writes config.json" grep -q '"ociVersion"' "$T/specdir/config.json"
check "spec refuses to overwrite" sh -c "cd '$T/specdir' && ! '$RT' spec 2>/dev/null"

finish
