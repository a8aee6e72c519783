# The pure cgroup v2 backend, end to end.  These machines are hybrid (the v1
# hierarchies hold every controller), so the test gives the runtime a pure v2
# layout in a private mount namespace: the v2 tree at /sys/fs/cgroup/unified
# is bind-mounted over /sys/fs/cgroup.  That tree has no controllers, which
# still exercises what v2 does without them: placing processes, the eBPF
# device filter, cgroup.freeze, cgroup.kill, removal, and clear refusals of
# limits whose controller is missing.  Controller files are unit-tested.
if [ -z "${BERTH_V2_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
  [ "$(stat -f -c %T /sys/fs/cgroup/unified 2> /dev/null)" = cgroup2fs ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] \
    || { echo "SKIP: no cgroup v2 tree"; exit 77; }
  export BERTH_V2_INNER=1
  exec unshare -m --propagation private sh "$0" "$@"
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
  mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup || { echo "FAIL: cannot bind the v2 tree"; exit 1; }
fi

. "$(dirname "$0")/lib.sh"

V2=/sys/fs/cgroup
# cgroup.kill and cgroup.freeze need a 5.14+ kernel; the runtime handles both
# but this test asserts on them
[ -e "$V2/cgroup.stat" ] || { echo "SKIP: not a cgroup v2 tree"; exit 77; }
controllers=$(cat "$V2/cgroup.controllers")

new_id basic
bundle "$T/basic" '"sh","-c","cat /proc/self/cgroup; ls /sys/fs/cgroup/cgroup.procs; echo x > /sys/fs/cgroup/cgroup.procs 2>&1"' \
  '' '' '' ''
sed -i 's|{ "type": "mount" }|{ "type": "mount" }, { "type": "cgroup" }|' "$T/basic/config.json"
out=$(cd "$T/basic" && rt run "$ID" 2>&1)
check "v2: runs, and /proc/self/cgroup has the one v2 line" contains "$out" "0::/"
check "v2: the container sees its own v2 cgroup at /sys/fs/cgroup" contains "$out" "/sys/fs/cgroup/cgroup.procs"
check "v2: cgroupfs is read-only inside" contains "$out" "Read-only file system"
check "v2: cgroup removed after run" cgroup_gone basic
check "v2: state removed after run" state_gone "$ID"

new_id dev
bundle "$T/dev" '"sh","-c","mknod /dev/sda b 8 0 2>&1; head -c1 /dev/sda 2>&1; mknod /dev/zz c 1 5 && head -c1 /dev/zz | wc -c; head -c1 /dev/zero | wc -c"' '' '' '' ''
sed -i 's|"CAP_AUDIT_WRITE", "CAP_KILL"|"CAP_AUDIT_WRITE", "CAP_MKNOD", "CAP_KILL"|g' "$T/dev/config.json"
sed -i 's|"devices": \[ { "allow": false, "access": "rwm" } \]|"devices": [ { "allow": false, "access": "rwm" }, { "allow": true, "type": "c", "major": 1, "minor": 5, "access": "rwm" } ]|' "$T/dev/config.json"
out=$(cd "$T/dev" && rt run "$ID" 2>&1)
check "v2 eBPF device filter: a host disk node cannot be opened" contains "$out" "head: /dev/sda: Operation not permitted"
check "v2 eBPF device filter: an allowed c 1:5 node made inside works" contains "$out" "1
1"
check "v2: dev cgroup removed" cgroup_gone dev

new_id frz
bundle "$T/frz" '"sleep","100"'
(cd "$T/frz" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
dir="$V2/$CG_PARENT/frz-$$"
check "v2: the container's cgroup exists" test -d "$dir"
pid=$(rt state "$ID" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
check "v2: init is in it" grep -qx "$pid" "$dir/cgroup.procs"
check "v2: pause" rt pause "$ID"
check "v2: cgroup.events says frozen" grep -qx "frozen 1" "$dir/cgroup.events"
check "v2: state says paused" contains "$(rt state "$ID")" '"paused"'
check "v2: resume" rt resume "$ID"
check "v2: thawed" grep -qx "frozen 0" "$dir/cgroup.events"
check "v2: running again" contains "$(rt state "$ID")" '"running"'
check "v2: pause again" rt pause "$ID"
check "v2: delete --force of a paused container" rt delete --force "$ID"
check "v2: no process left" no_process "$ID"
check "v2: frozen cgroup removed" cgroup_gone frz
check "v2: state removed" state_gone "$ID"

# limits whose controller the tree lacks: refused with the setting named,
# nothing left behind
for spec in 'memory:"memory": { "limit": 33554432 }' 'pids:"pids": { "limit": 10 }' 'cpu:"cpu": { "shares": 512 }'; do
  ctl=${spec%%:*}
  case " $controllers " in *" $ctl "*) continue ;; esac
  new_id "lim$ctl"
  bundle "$T/lim$ctl" '"true"'
  sed -i "s|\"resources\": { \"devices\"|\"resources\": { ${spec#*:}, \"devices\"|" "$T/lim$ctl/config.json"
  out=$(cd "$T/lim$ctl" && rt run "$ID" 2>&1)
  rc=$?
  check "v2 without the $ctl controller: run fails" [ "$rc" != 0 ]
  check "v2 without the $ctl controller: the error names it" contains "$out" "$ctl"
  check "v2 without the $ctl controller: cgroup removed" cgroup_gone "lim$ctl"
  check "v2 without the $ctl controller: state removed" state_gone "$ID"
  check "v2 without the $ctl controller: no process" no_process "$ID"
done

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
