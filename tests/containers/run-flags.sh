# run/create flags for limits, security and logging reach the container:
# --ulimit (and the host's hard RLIMIT_NOFILE refused clearly), -m with
# --memory-swap (the cgroup's memsw limit), --security-opt
# no-new-privileges / seccomp=unconfined / seccomp=<file> / label=disable /
# apparmor=unconfined (others refused), --log-driver / --log-opt.
. "$top_srcdir/tests/integration/lib.sh"

rf_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap rf_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
ERR="$IT_DIR/err"

# --- --ulimit
it_assert_eq "$(berth run --rm --ulimit nofile=1024:2048 --ulimit nproc=100 busybox sh -c 'echo $(ulimit -n) $(ulimit -Hn) $(ulimit -u)')" \
  "1024 2048 100" "--ulimit soft:hard, soft only"
it_assert_eq "$(berth run --rm --ulimit nofile=10:20 --ulimit nofile=30:40 busybox sh -c 'ulimit -n')" "30" "the last --ulimit of a name wins"
id=$(berth create --ulimit core=0 --ulimit nofile=100:200 busybox true) || it_fail "create --ulimit"
it_assert_eq "$(berth inspect -f '{{json .HostConfig.Ulimits}}' "$id")" \
  '[{"Name":"core","Hard":0,"Soft":0},{"Name":"nofile","Hard":200,"Soft":100}]' "Ulimits in inspect"
berth rm "$id" > /dev/null
# berthd's own hard RLIMIT_NOFILE cannot be raised without CAP_SYS_RESOURCE
hard=$(grep '^Max open files' "/proc/$IT_PID/limits" | awk '{print $5}')
cap=$(grep '^CapEff' "/proc/$IT_PID/status" | cut -f2)
if [ "$hard" != unlimited ] && [ $(( (0x$cap >> 24) & 1 )) = 0 ]; then
  rc=0; berth run --rm --ulimit nofile=100:$((hard + 1000)) busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 125 "a hard nofile above berthd's"
  it_assert_contains "$(cat "$ERR")" "ulimit nofile: the hard limit $((hard + 1000)) is above $hard"
fi
for bad in nofile bogus=1 nofile=a nofile=5:2 nofile=1:2:3; do
  rc=0; berth run --rm --ulimit "$bad" busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 125 "--ulimit $bad"
  it_assert_contains "$(cat "$ERR")" "for \"--ulimit\" flag"
done
it_pass "--ulimit sets soft and hard limits; a hard limit berthd cannot grant and malformed values are refused"

# --- -m / --memory-swap: the cgroup's limits (v1 memsw when the host has it)
memsw () { cat "/sys/fs/cgroup/memory/berth/$1/memory.memsw.limit_in_bytes" 2> /dev/null; }
id=$(berth run -d -m 64m --memory-swap 128m busybox sleep 100) || it_fail "run --memory-swap"
it_assert_eq "$(berth inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' "$id")" "67108864 134217728" "inspect"
if [ -n "$(memsw "$id")" ]; then
  it_assert_eq "$(memsw "$id")" 134217728 "memory.memsw.limit_in_bytes"
fi
berth rm -f "$id" > /dev/null
id=$(berth run -d -m 32m busybox sleep 100) || it_fail "run -m"
it_assert_eq "$(berth inspect -f '{{.HostConfig.MemorySwap}}' "$id")" 67108864 "-m alone: swap limit twice the memory, as docker"
berth rm -f "$id" > /dev/null
id=$(berth run -d -m 32m --memory-swap -1 busybox sleep 100) || it_fail "run --memory-swap -1"
if [ -n "$(memsw "$id")" ]; then
  [ "$(memsw "$id")" -gt 1000000000000 ] || it_fail "--memory-swap -1: memsw limit $(memsw "$id")"
fi
berth rm -f "$id" > /dev/null
rc=0; berth run --rm --memory-swap 1g busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "--memory-swap without -m"
it_assert_contains "$(cat "$ERR")" "You should always set the Memory limit when using Memoryswap limit"
rc=0; berth run --rm -m 64m --memory-swap 32m busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "--memory-swap below -m"
it_assert_contains "$(cat "$ERR")" "Minimum memoryswap limit should be larger than memory limit"
rc=0; berth run --rm -m 64m --memory-swap 12q busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "bad --memory-swap"
it_assert_contains "$(cat "$ERR")" 'for "--memory-swap" flag'
it_pass "--memory-swap reaches the cgroup (-1 unlimited, default twice -m); docker's checks"

# --- --security-opt
status_of () { berth run --rm "$@" busybox grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\t\n' ' '; }
it_assert_eq "$(status_of)" "NoNewPrivs: 0 Seccomp: 2 " "defaults: seccomp filter, no no_new_privs"
it_assert_eq "$(status_of --security-opt no-new-privileges)" "NoNewPrivs: 1 Seccomp: 2 " "no-new-privileges"
it_assert_eq "$(status_of --security-opt no-new-privileges:true)" "NoNewPrivs: 1 Seccomp: 2 " "no-new-privileges:true"
it_assert_eq "$(status_of --security-opt no-new-privileges=false)" "NoNewPrivs: 0 Seccomp: 2 " "no-new-privileges=false"
it_assert_eq "$(status_of --security-opt seccomp=unconfined)" "NoNewPrivs: 0 Seccomp: 0 " "seccomp=unconfined"
it_assert_eq "$(status_of --security-opt label=disable --security-opt apparmor=unconfined)" "NoNewPrivs: 0 Seccomp: 2 " \
  "label=disable, apparmor=unconfined accepted"
cat > "$IT_DIR/no-mkdir.json" << 'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ]
}
EOF
rc=0; berth run --rm --security-opt "seccomp=$IT_DIR/no-mkdir.json" busybox mkdir /x 2> "$ERR" || rc=$?
[ "$rc" != 0 ] || it_fail "seccomp=<file>: mkdir was allowed"
it_assert_contains "$(cat "$ERR")" "Operation not permitted"
it_assert_eq "$(berth run --rm --security-opt "seccomp=$IT_DIR/no-mkdir.json" busybox sh -c 'touch /y && echo ok')" "ok" \
  "the profile allows the rest"
for bad in label=type:svirt_t apparmor=docker-default bogus=1 seccomp=/nonexistent.json; do
  rc=0; berth run --rm --security-opt "$bad" busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 125 "--security-opt $bad"
done
echo '{"defaultAction": 7}' > "$IT_DIR/bad.json"
rc=0; berth run --rm --security-opt "seccomp=$IT_DIR/bad.json" busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "a bad profile"
it_assert_contains "$(cat "$ERR")" "defaultAction"
it_pass "--security-opt: no-new-privileges, seccomp=unconfined/<file>, label=disable, apparmor=unconfined; others refused"

# --- --log-driver / --log-opt
berth run -d --name rf-log --log-driver json-file --log-opt max-size=1k --log-opt max-file=2 busybox echo logged > /dev/null \
  || it_fail "run --log-driver --log-opt"
berth wait rf-log > /dev/null
it_assert_eq "$(berth inspect -f '{{json .HostConfig.LogConfig}}' rf-log)" \
  '{"Type":"json-file","Config":{"max-size":"1k","max-file":"2"}}' "LogConfig"
it_assert_eq "$(berth logs rf-log)" "logged" "logs"
berth rm rf-log > /dev/null
it_assert_eq "$(berth run --rm --log-driver none busybox echo shown)" "shown" "--log-driver none still attaches"
rc=0; berth run --rm --log-driver bogus busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "unknown log driver"
it_assert_contains "$(cat "$ERR")" 'log driver "bogus" is not loaded'
rc=0; berth run --rm --log-opt max-size=lots busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "bad log option"
it_pass "--log-driver and --log-opt reach HostConfig.LogConfig and the log driver"
