# Syscalls newer than the filter's libseccomp give ENOSYS, not the profile's
# default errno or kill, through every listed ABI (x86_64, i386 `int $0x80`,
# x32 nr | 0x40000000), as runc does; known syscalls still meet the default,
# and an ABI missing from `architectures` is still killed.  Needs gcc -m32
# (gcc-multilib) for the i386 helper.
. "$(dirname "$0")/sec-lib.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: x86_64 only"; exit 77; }
$CC_STATIC -static -O1 -o "$T/enosys64" "$top_srcdir/tests/runtime/rtsec-enosys.c" || exit 1
if ! $CC_STATIC -m32 -static -fno-pie -no-pie -O1 -o "$T/enosys32" "$top_srcdir/tests/runtime/rtsec-enosys.c" 2> "$T/cc32.err"; then
  echo "SKIP: no 32-bit static toolchain (apt-get install gcc-multilib)"
  exit 77
fi
ENOSYS=-38
DENIED=-123

# what the static helpers and the runtime's last steps before execve need
ALLOW='"execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect", "uname",
  "readlink", "readlinkat", "getrandom", "write", "writev", "exit", "exit_group", "getpid", "mmap", "mmap2", "munmap",
  "fstat", "fstat64", "newfstatat", "statx", "ioctl", "set_thread_area", "access", "futex", "rt_sigprocmask",
  "rt_sigaction", "close", "close_range", "fcntl", "fcntl64", "umask", "openat", "read", "lseek", "_llseek",
  "sigreturn", "rt_sigreturn", "getuid", "getuid32", "getgid", "getgid32", "geteuid", "geteuid32", "getegid",
  "getegid32", "capget", "capset", "prctl", "madvise", "sched_getaffinity", "ugetrlimit"'
ALL3='"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"'

# profile BUNDLE DEFAULT_ACTION_JSON ARCHES HELPER_ARGS_JSON
profile () {
  bundle "$1" "$4" '' "\"seccomp\": { $2, \"architectures\": [ $3 ], \"syscalls\": [ { \"names\": [ $ALLOW ], \"action\": \"SCMP_ACT_ALLOW\" } ] },"
  [ -d "$1/rootfs" ] && [ ! -L "$1/rootfs" ] || { own_rootfs "$1"; cp "$T/enosys64" "$T/enosys32" "$1/rootfs/"; }
}

# result OUTPUT ABI CALL: the helper's raw return value
result () { echo "$1" | sed -n "s/^$2 $3 //p"; }
is () {
  # is OUTPUT ABI CALL VALUE
  got=$(result "$1" "$2" "$3")
  [ "$got" = "$4" ] || { echo "  $2 $3: expected $4, got '${got:-nothing}'"; echo "$1" | sed 's/^/    /'; return 1; }
}
x32_unknown () {
  # the filter's ENOSYS, or the kernel's own when it has no x32 ABI; never
  # the default errno or a kill
  got=$(result "$1" x32 nr1000)
  [ "$got" = "$ENOSYS" ] || { echo "  x32 nr1000: expected $ENOSYS, got '${got:-nothing}'"; echo "$1" | sed 's/^/    /'; return 1; }
}

# default errno 123: the stub answers ENOSYS, known calls still get 123
new_id enosys-errno
profile "$T/enosys-errno" '"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 123' "$ALL3" '"/enosys64", "-", "nr1000", "keyctl", "getpid"'
out=$(cd "$T/enosys-errno" && rt run "$ID" 2>&1)
check "errno default: x86_64 syscall 1000 gives ENOSYS" is "$out" x86_64 nr1000 $ENOSYS
check "errno default: x86_64 keyctl still gets the default errno" is "$out" x86_64 keyctl $DENIED
check "errno default: x86_64 getpid works" contains "$out" "x86_64 getpid "
check "errno default: x86_64 helper finished" contains "$out" "x86_64 done"

sed -i 's|"/enosys64", "-"|"/enosys32", "-"|' "$T/enosys-errno/config.json"
out=$(cd "$T/enosys-errno" && rt run "$ID" 2>&1)
check "errno default: i386 syscall 1000 gives ENOSYS" is "$out" i386 nr1000 $ENOSYS
check "errno default: i386 keyctl still gets the default errno" is "$out" i386 keyctl $DENIED
check "errno default: i386 helper finished" contains "$out" "i386 done"

sed -i 's|"/enosys32", "-"|"/enosys64", "x32"|' "$T/enosys-errno/config.json"
out=$(cd "$T/enosys-errno" && rt run "$ID" 2>&1)
check "errno default: x32 syscall 1000 gives ENOSYS" x32_unknown "$out"
check "errno default: x32 keyctl still gets the default errno" is "$out" x32 keyctl $DENIED
check "errno default: x32 helper finished" contains "$out" "x32 done"

# default kill: the unknown syscall returns ENOSYS instead of killing
new_id enosys-kill
profile "$T/enosys-kill" '"defaultAction": "SCMP_ACT_KILL_PROCESS"' "$ALL3" '"/enosys64", "-", "nr1000", "getpid"'
out=$(cd "$T/enosys-kill" && rt run "$ID" 2>&1)
check "kill default: x86_64 syscall 1000 gives ENOSYS" is "$out" x86_64 nr1000 $ENOSYS
check "kill default: x86_64 helper finished" contains "$out" "x86_64 done"
sed -i 's|"/enosys64", "-"|"/enosys32", "-"|' "$T/enosys-kill/config.json"
out=$(cd "$T/enosys-kill" && rt run "$ID" 2>&1)
check "kill default: i386 syscall 1000 gives ENOSYS" is "$out" i386 nr1000 $ENOSYS
check "kill default: i386 helper finished" contains "$out" "i386 done"
sed -i 's|"/enosys32", "-"|"/enosys64", "x32"|' "$T/enosys-kill/config.json"
out=$(cd "$T/enosys-kill" && rt run "$ID" 2>&1)
check "kill default: x32 syscall 1000 gives ENOSYS" x32_unknown "$out"
check "kill default: x32 helper finished" contains "$out" "x32 done"
# a known call still meets the kill
sed -i 's|"/enosys64", "x32", "nr1000", "getpid"|"/enosys64", "-", "nr1000", "keyctl", "getpid"|' "$T/enosys-kill/config.json"
out=$(cd "$T/enosys-kill" && rt run "$ID" 2>&1)
st=$?
check "kill default: x86_64 keyctl still killed by SIGSYS" [ "$st" = 159 ]
check "kill default: keyctl did not return" lacks "$out" "x86_64 keyctl"

# only x86_64 listed: i386 and x32 calls, unknown ones included, are still
# killed (libseccomp's bad-arch action), not turned into ENOSYS
new_id enosys-only64
profile "$T/enosys-only64" '"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 123' '"SCMP_ARCH_X86_64"' '"/enosys64", "x32", "nr1000"'
out=$(cd "$T/enosys-only64" && rt run "$ID" 2>&1)
st=$?
check "x32 not listed: syscall 1000|x32 killed by SIGSYS" [ "$st" = 159 ]
check "x32 not listed: the call did not return" lacks "$out" "x32 nr1000"
sed -i 's|"/enosys64", "x32"|"/enosys32", "-"|' "$T/enosys-only64/config.json"
out=$(cd "$T/enosys-only64" && rt run "$ID" 2>&1)
st=$?
check "i386 not listed: killed by SIGSYS" [ "$st" = 159 ]
check "i386 not listed: no call returned" lacks "$out" "i386 "

finish
