# CVE-2016-9962 (SECURITY.md item 2, I8): the process joining the container
# (exec) cannot be ptraced, nor its /proc/<pid>/fd opened, until it has
# exec'd the user program.  Pid 1 attacks every new pid while the host runs
# `exec` 200 times, in two set-ups:
#  - a user namespace with CAP_SYS_PTRACE in it (a tracer as strong as a
#    container can be; without a user namespace CAP_SYS_PTRACE is host-wide
#    and overrides dumpability in the kernel, so no runtime can protect);
#  - no user namespace, no CAP_SYS_PTRACE: once the joining process holds
#    the container's uid and capabilities (caps applied, seccomp loading,
#    fds closing, execve), its non-dumpable flag is the only defence.  A
#    seccomp filter with many rules widens that window.
. "$(dirname "$0")/sec-lib.sh"

count () { echo "$out" | sed -n "s/.*ptrace-watch.* $1=\([0-9]*\).*/\1/p"; }

watch_execs () {
  # watch_execs ID: 200 short execs and 5 longer ones under the watcher
  i=0
  while [ $i -lt 200 ]; do
    rt exec "$1" true > /dev/null 2>&1
    i=$((i + 1))
  done
  # attaching after the user program's exec must work, or the denials
  # prove nothing
  for _ in 1 2 3 4 5; do rt exec "$1" sleep 0.3; done
  rt exec "$1" touch /tmp/stop
  for _ in $(seq 50); do
    grep -q ptrace-watch "$T/$1.out" && break
    sleep 0.1
  done
  out=$(cat "$T/$1.out")
  echo "  $out"
}

new_id trace
chmod 755 "$T"
bundle "$T/trace" '"/rtsec","ptrace-watch","/tmp/stop"' '' \
  '"uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ],'
own_rootfs "$T/trace"
chown -R 100000:100000 "$T/trace/rootfs"
sed -i 's|{ "type": "mount" }|{ "type": "mount" }, { "type": "user" }|; /"destination": "\/sys\/fs\/cgroup"/d' "$T/trace/config.json"
sed -i 's|"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"|"CAP_SYS_PTRACE", "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"|g' "$T/trace/config.json"
(cd "$T/trace" && rt run --detach "$ID" < /dev/null > "$T/$ID.out" 2>&1)
watch_execs "$ID"
check "userns: the watcher was denied while joining processes ran the runtime" [ "$(count denied_early)" -gt 0 ]
check "userns: attaching after the exec works (the check is meaningful)" [ "$(count attached_late)" -gt 0 ]
check "userns: no attach or fd open before the exec" [ "$(count breaches)" = 0 ]
rt delete --force "$ID"

rules=""
for n in acct add_key bpf clock_adjtime clock_settime create_module delete_module finit_module fsconfig fsmount \
  fsopen fspick get_kernel_syms get_mempolicy init_module io_uring_enter io_uring_register io_uring_setup \
  kcmp kexec_file_load kexec_load keyctl lookup_dcookie mbind migrate_pages move_mount move_pages \
  name_to_handle_at nfsservctl open_by_handle_at open_tree perf_event_open pivot_root process_vm_readv \
  process_vm_writev query_module quotactl quotactl_fd reboot request_key set_mempolicy setdomainname \
  sethostname settimeofday setns swapoff swapon sysfs syslog umount2 unshare uselib userfaultfd ustat vhangup; do
  rules="$rules { \"names\": [ \"$n\" ], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [ { \"index\": 0, \"value\": 4242, \"op\": \"SCMP_CMP_NE\" } ] },"
done
new_id plain
bundle "$T/plain" '"/rtsec","ptrace-watch","/tmp/stop"' '' \
  "\"seccomp\": { \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [ \"SCMP_ARCH_X86_64\" ], \"syscalls\": [ ${rules%,} ] },"
own_rootfs "$T/plain"
(cd "$T/plain" && rt run --detach "$ID" < /dev/null > "$T/$ID.out" 2>&1)
watch_execs "$ID"
check "same caps and uid: denied while joining processes ran the runtime" [ "$(count denied_early)" -gt 0 ]
check "same caps and uid: attaching after the exec works" [ "$(count attached_late)" -gt 0 ]
check "same caps and uid: no attach or fd open before the exec" [ "$(count breaches)" = 0 ]
rt delete --force "$ID"

finish
