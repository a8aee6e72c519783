# User namespaces with uid/gid maps, and OCI hooks with the state on stdin.
. "$(dirname "$0")/lib.sh"

new_id userns
chmod 755 "$T"
bundle "$T/userns" '"sh","-c","cat /proc/self/uid_map /proc/self/gid_map; id -u; touch /tmp/f && stat -c %u /tmp/f"' '' \
  '"uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],'
sed -i 's|{ "type": "mount" }|{ "type": "mount" }, { "type": "user" }|' "$T/userns/config.json"
# a user namespace cannot mount sysfs without owning the network namespace
# it would show, and the mapped root cannot read a 0700 rootfs: keep it simple
sed -i '/"destination": "\/sys\/fs\/cgroup"/d' "$T/userns/config.json"
out=$(cd "$T/userns" && rt run "$ID" 2>&1)
check "uid map applied" contains "$out" "0     100000      65536"
check "root inside the user namespace" contains "$out" "
0
0"

new_id hooks
cat > "$T/hook.sh" <<HOOK
#!/bin/sh
echo "\$1 \$(cat)" >> "$T/hooks.log"
HOOK
chmod +x "$T/hook.sh"
h () { echo "\"$1\": [ { \"path\": \"$T/hook.sh\", \"args\": [ \"hook.sh\", \"$1\" ] } ],"; }
bundle "$T/hooks" '"true"' '' '' "\"hooks\": { $(h createRuntime) $(h createContainer) $(h poststart) $(h poststop) \"prestart\": [] },"
(cd "$T/hooks" && rt run "$ID")
check "run with hooks" [ "$?" = 0 ]
log=$(cat "$T/hooks.log" 2>/dev/null)
check "createRuntime hook ran with the state" contains "$log" "createRuntime {"
check "createContainer hook ran" contains "$log" "createContainer {"
check "poststart hook ran" contains "$log" "poststart {"
check "poststop hook ran" contains "$log" "poststop {"
check "hook state names the container" contains "$log" "\"id\":\"$ID\""

new_id badhook
bundle "$T/badhook" '"true"' '' '' '"hooks": { "createRuntime": [ { "path": "/bin/false" } ] },'
(cd "$T/badhook" && rt run "$ID" > /dev/null 2> "$T/badhook.err")
check "a failing createRuntime hook aborts" [ "$?" != 0 ]
check "the failing hook is named" grep -q "hooks.createRuntime\[0\]" "$T/badhook.err"
check "aborted create leaves no state" state_gone "$ID"
check "aborted create leaves no cgroup" cgroup_gone badhook

finish
