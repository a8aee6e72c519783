# cgroup limits, enforced from inside: memory + OOM report, pids fork bomb,
# cpu settings, update, and the freezer.
. "$(dirname "$0")/lib.sh"

res () {
  # res BUNDLE JSON: put resources in front of the device rules
  sed -i "s|\"resources\": { \"devices\"|\"resources\": { $2, \"devices\"|" "$1/config.json"
}

new_id oom
bundle "$T/oom" '"tail","-c","64m","/dev/zero"'
res "$T/oom" '"memory": { "limit": 16777216, "swap": 16777216 }'
(cd "$T/oom" && rt run "$ID" > /dev/null 2> "$T/oom.err")
status=$?
check "OOM-killed container exits 137" [ "$status" = 137 ]
check "the OOM kill is reported" grep -q "killed by the OOM killer" "$T/oom.err"
check "oom: cgroup removed" cgroup_gone oom

new_id pids
bundle "$T/pids" '"sh","-c","(while :; do sleep 5 & done) 2>/dev/null; read cur < /sys/fs/cgroup/pids/pids.current; read max < /sys/fs/cgroup/pids/pids.max; echo current=$cur max=$max"'
res "$T/pids" '"pids": { "limit": 10 }'
out=$(cd "$T/pids" && rt run "$ID" 2>&1)
check "fork bomb stops at pids.limit" contains "$out" "current=9 max=10"

new_id limits
bundle "$T/limits" '"sh","-c","cd /sys/fs/cgroup; while read v; do echo mem=$v; done < memory/memory.limit_in_bytes; while read v; do echo memsw=$v; done < memory/memory.memsw.limit_in_bytes; while read v; do echo shares=$v; done < cpu/cpu.shares; while read v; do echo quota=$v; done < cpu/cpu.cfs_quota_us; while read v; do echo period=$v; done < cpu/cpu.cfs_period_us; while read v; do echo cpus=$v; done < cpuset/cpuset.cpus; while read v; do echo weight=$v; done < blkio/blkio.bfq.weight; mkdir /sys/fs/cgroup/x 2>&1"'
res "$T/limits" '"memory": { "limit": 33554432, "swap": 67108864 }, "cpu": { "shares": 512, "quota": 50000, "period": 100000, "cpus": "0" }, "blockIO": { "weight": 300 }'
out=$(cd "$T/limits" && rt run "$ID" 2>&1)
check "memory limit" contains "$out" "mem=33554432"
check "memory+swap limit" contains "$out" "memsw=67108864"
check "cpu shares" contains "$out" "shares=512"
check "cpu quota" contains "$out" "quota=50000"
check "cpu period" contains "$out" "period=100000"
check "cpuset" contains "$out" "cpus=0"
check "blkio weight" contains "$out" "weight=300"
check "cgroupfs read-only inside" contains "$out" "Read-only file system"

new_id devices
bundle "$T/dev" '"sh","-c","mknod /dev/sda b 8 0 2>&1; head -c1 /dev/sda 2>&1; head -c1 /dev/zero | wc -c"' '' '' '' ''
sed -i 's|"CAP_AUDIT_WRITE", "CAP_KILL"|"CAP_AUDIT_WRITE", "CAP_MKNOD", "CAP_KILL"|g' "$T/dev/config.json"
out=$(cd "$T/dev" && rt run "$ID" 2>&1)
check "device cgroup: host disk node cannot be opened" contains "$out" "head: /dev/sda: Operation not permitted"
check "device cgroup: default devices usable" contains "$out" "1"

new_id update
bundle "$T/upd" '"sleep","100"'
(cd "$T/upd" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
check "update --memory --pids-limit --cpu-shares" rt update --memory 64m --pids-limit 50 --cpu-shares 256 "$ID"
check "update: memory applied" grep -qx 67108864 /sys/fs/cgroup/memory/$CG_PARENT/upd-$$/memory.limit_in_bytes
check "update: pids applied" grep -qx 50 /sys/fs/cgroup/pids/$CG_PARENT/upd-$$/pids.max
check "update: shares applied" grep -qx 256 /sys/fs/cgroup/cpu/$CG_PARENT/upd-$$/cpu.shares
echo '{"pids": {"limit": 77}}' > "$T/res.json"
check "update --resources FILE" rt update --resources "$T/res.json" "$ID"
check "update -r: applied" grep -qx 77 /sys/fs/cgroup/pids/$CG_PARENT/upd-$$/pids.max
out=$(rt update --pids-limit x "$ID" 2>&1)
check "update: bad value named" contains "$out" "--pids-limit"
check "pause freezes" rt pause "$ID"
check "freezer state FROZEN" grep -qx FROZEN /sys/fs/cgroup/freezer/$CG_PARENT/upd-$$/freezer.state
check "delete --force of a paused container" rt delete --force "$ID"
check "update: cgroup gone" cgroup_gone upd

finish
