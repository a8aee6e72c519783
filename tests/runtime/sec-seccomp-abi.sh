# Seccomp across ABIs (SECURITY.md item 14, P4/P5): the same denials for
# x86_64, i386 (`int $0x80`) and x32 (nr | 0x40000000) callers, with an
# allow-default profile and with a default-errno allow-list; a plain 32-bit
# exit works when i386 is listed; an ABI missing from `architectures` is
# killed.  Needs gcc -m32 (gcc-multilib) for the i386 helper.
. "$(dirname "$0")/sec-lib.sh"

[ "$(uname -m)" = x86_64 ] || { echo "SKIP: x86_64 only"; exit 77; }
$CC_STATIC -static -O1 -o "$T/abi64" "$top_srcdir/tests/runtime/rtsec-abi.c" || exit 1
if ! $CC_STATIC -m32 -static -fno-pie -no-pie -O1 -o "$T/abi32" "$top_srcdir/tests/runtime/rtsec-abi.c" 2> "$T/cc32.err"; then
  echo "SKIP: no 32-bit static toolchain (apt-get install gcc-multilib)"
  exit 77
fi
case "$("$T/abi64" x32)" in
  *"getpid ENOSYS"*) X32_KERNEL=no; echo "# note: this kernel has no x32 ABI (CONFIG_X86_X32_ABI): x32 calls are checked at the filter only" ;;
  *) X32_KERNEL=yes ;;
esac

DENY='"keyctl", "add_key", "request_key", "unshare", "mount", "umount2", "pivot_root", "setns", "bpf", "kexec_load"'
# what the static helpers and the runtime's last steps before execve need
ALLOW='"execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "mprotect", "uname",
  "readlink", "readlinkat", "getrandom", "write", "writev", "exit", "exit_group", "getpid", "mmap", "mmap2", "munmap",
  "fstat", "fstat64", "newfstatat", "statx", "ioctl", "set_thread_area", "access", "futex", "rt_sigprocmask",
  "rt_sigaction", "close", "close_range", "fcntl", "fcntl64", "umask", "openat", "read", "lseek", "_llseek",
  "sigreturn", "rt_sigreturn", "getuid", "getuid32", "getgid", "getgid32", "geteuid", "geteuid32", "getegid",
  "getegid32", "capget", "capset", "prctl", "madvise", "sched_getaffinity"'

profile () {
  # profile BUNDLE NAME DEFAULT ARCHES
  case $3 in
    allow) sc="\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [ $DENY ], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 123 } ]" ;;
    errno) sc="\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 123, \"syscalls\": [ { \"names\": [ $ALLOW ], \"action\": \"SCMP_ACT_ALLOW\" } ]" ;;
  esac
  bundle "$1" "\"/$2\"" '' "\"seccomp\": { $sc, \"architectures\": [ $4 ] },"
  [ -d "$1/rootfs" ] && [ ! -L "$1/rootfs" ] || { own_rootfs "$1"; cp "$T/abi64" "$T/abi32" "$1/rootfs/"; }
}

all_denied () {
  # all_denied OUTPUT ABI: each of the 10 calls denied by the filter
  n=$(echo "$1" | grep -c "^$2 .* DENIED ")
  [ "$n" = 10 ] || { echo "  $2: $n of 10 denied:"; echo "$1" | grep "^$2 " | grep -v DENIED | sed 's/^/    /'; return 1; }
}

ALL3='"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"'
for kind in allow errno; do
  new_id "abi-$kind"
  profile "$T/abi-$kind" abi64 $kind "$ALL3"
  out=$(cd "$T/abi-$kind" && rt run "$ID" 2>&1)
  check "$kind profile: x86_64 denials" all_denied "$out" x86_64
  check "$kind profile: x86_64 getpid works" contains "$out" "x86_64 getpid WORKS"

  sed -i 's|"/abi64"|"/abi64", "x32"|' "$T/abi-$kind/config.json"
  out=$(cd "$T/abi-$kind" && rt run "$ID" 2>&1)
  check "$kind profile: x32 gets the same denials" all_denied "$out" x32
  [ "$X32_KERNEL" = yes ] && check "$kind profile: x32 getpid works" contains "$out" "x32 getpid WORKS"

  sed -i 's|"/abi64", "x32"|"/abi32"|' "$T/abi-$kind/config.json"
  out=$(cd "$T/abi-$kind" && rt run "$ID" 2>&1)
  st=$?
  check "$kind profile: i386 gets the same denials" all_denied "$out" i386
  check "$kind profile: i386 getpid works" contains "$out" "i386 getpid WORKS"
  check "$kind profile: a plain 32-bit exit works" [ "$st" = 0 ]
done

# only x86_64 listed: other ABIs are killed (libseccomp's bad-arch action)
new_id abi-only64
profile "$T/abi-only64" abi32 allow '"SCMP_ARCH_X86_64"'
out=$(cd "$T/abi-only64" && rt run "$ID" 2>&1)
st=$?
check "i386 not listed: killed by SIGSYS" [ "$st" = 159 ]
check "i386 not listed: not one call got through" lacks "$out" "i386 "
sed -i 's|"/abi32"|"/abi64", "x32"|' "$T/abi-only64/config.json"
out=$(cd "$T/abi-only64" && rt run "$ID" 2>&1)
st=$?
check "x32 not listed: killed by SIGSYS" [ "$st" = 159 ]
check "x32 not listed: the first call did not return" lacks "$out" "x32 keyctl"

finish
