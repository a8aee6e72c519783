# SECURITY.md P4: the default seccomp profile, converted for Docker's 14
# default capabilities, loaded by berth-runtime; a static helper issues the
# dangerous syscalls and reports each result.  Also with CAP_SYS_ADMIN added,
# and once without a filter, to show the results come from the filter.
set -u

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the seccomp matrix needs root"
  exit 77
fi
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RT="$top_builddir/berth-runtime"
CONVERT="$top_builddir/tests/seccomp/seccomp-convert"
PROFILE="$top_srcdir/etc/seccomp/default.json"
for f in "$RT" "$CONVERT"; do
  [ -x "$f" ] || { echo "FAIL: $f not built"; exit 1; }
done
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

T=$(mktemp -d /tmp/seccomp-matrix.XXXXXX)
STATE="$T/state"
IDS=""
cleanup () {
  for id in $IDS; do
    "$RT" --root "$STATE" delete --force "$id" >/dev/null 2>&1
  done
  rm -rf "$T"
}
trap cleanup EXIT

if ! sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$T/rootfs" >/dev/null; then
  echo "SKIP: no busybox-static"
  exit 77
fi
if ! ${CC:-cc} -static -O1 -o "$T/rootfs/bin/matrix-helper" "$top_srcdir/tests/seccomp/matrix-helper.c" 2> "$T/cc.log"; then
  echo "SKIP: cannot build a static helper:"
  cat "$T/cc.log"
  exit 77
fi

passes=0
failures=0
ok () { passes=$((passes + 1)); echo "ok - $1"; }
fail () { failures=$((failures + 1)); echo "not ok - $1"; }

DEFAULT_CAPS="CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW CAP_SETGID CAP_SETUID
CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE"

# run_case NAME SECCOMP(yes|no) CAPS...: run the helper; its output in $OUT
run_case () {
  name=$1 seccomp=$2
  shift 2
  dir="$T/$name"
  id="seccomp-matrix-$name-$$"
  IDS="$IDS $id"
  mkdir -p "$dir"
  ln -s "$T/rootfs" "$dir/rootfs"
  "$RT" spec --bundle "$dir" || { fail "$name: berth-runtime spec"; return 1; }
  if [ "$seccomp" = yes ]; then
    if ! "$CONVERT" "$PROFILE" "$@" > "$dir/seccomp.json" 2> "$dir/convert.err"; then
      fail "$name: convert the default profile: $(cat "$dir/convert.err")"
      return 1
    fi
  else
    echo null > "$dir/seccomp.json"
  fi
  python3 - "$dir" "$id" "$@" <<'PY' || { fail "$name: edit config.json"; return 1; }
import json, sys
d, cid, caps = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(d + "/config.json") as f:
    c = json.load(f)
p = c["process"]
p["terminal"] = False
p["args"] = ["/bin/matrix-helper"]
p["noNewPrivileges"] = False  # as Docker: the filter loads without it
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
with open(d + "/seccomp.json") as f:
    sc = json.load(f)
if sc is not None:
    c["linux"]["seccomp"] = sc
c["linux"]["cgroupsPath"] = "/berth-test/" + cid
with open(d + "/config.json", "w") as f:
    json.dump(c, f, indent=1)
PY
  OUT=$(cd "$dir" && "$RT" --root "$STATE" run "$id" 2>&1)
  case "$OUT" in
    *done*) ok "$name: helper ran to the end" ;;
    *) fail "$name: helper did not finish"; echo "$OUT" | sed 's/^/  /' ;;
  esac
}

# expect NAME CALL RESULT: the helper reported RESULT (ok or an errno) for CALL
expect () {
  got=$(echo "$OUT" | sed -n "s/^$2 //p")
  if [ "$got" = "$3" ]; then ok "$1: $2 -> $3"; else fail "$1: $2 -> expected $3, got '${got:-nothing}'"; fi
}
# expect_not NAME CALL RESULT
expect_not () {
  got=$(echo "$OUT" | sed -n "s/^$2 //p")
  if [ -n "$got" ] && [ "$got" != "$3" ]; then ok "$1: $2 -> $got (not $3)"; else fail "$1: $2 -> got '${got:-nothing}', must not be $3"; fi
}
EPERM=1
ENOSYS=38
ORDINARY="getpid open read socket-inet personality-query fork clone-plain"
DENIED="keyctl add_key request_key unshare-newuser unshare-newuts clone-newns clone-newnet mount umount2 pivot_root
setns kexec_load bpf perf_event_open userfaultfd io_uring_setup acct open_by_handle_at socket-vsock personality-noaslr"

# shellcheck disable=SC2086
run_case default yes $DEFAULT_CAPS
if grep -q '"SCMP_ARCH_X86_64"' "$T/default/seccomp.json"; then ok "default: x86_64 filter"; else fail "default: x86_64 filter"; fi
for c in $ORDINARY; do expect default "$c" ok; done
for c in $DENIED; do expect default "$c" $EPERM; done
expect default clone3 $ENOSYS
# syscalls newer than libseccomp give ENOSYS, not the default EPERM, as in Docker
expect default syscall-1000 $ENOSYS

# shellcheck disable=SC2086
run_case sysadmin yes $DEFAULT_CAPS CAP_SYS_ADMIN
for c in $ORDINARY; do expect sysadmin "$c" ok; done
expect sysadmin unshare-newuser ok
expect sysadmin unshare-newuts ok
expect sysadmin mount ok
expect sysadmin umount2 ok
expect sysadmin clone-newns ok
expect sysadmin clone3 ok
expect sysadmin syscall-1000 $ENOSYS
expect sysadmin setns ok
for c in keyctl add_key kexec_load pivot_root userfaultfd io_uring_setup acct open_by_handle_at socket-vsock personality-noaslr; do
  expect sysadmin "$c" $EPERM
done

# Without a filter the same calls get past EPERM: the denials above are the filter's.
# shellcheck disable=SC2086
run_case nofilter no $DEFAULT_CAPS
for c in keyctl add_key unshare-newuser personality-noaslr clone3; do expect nofilter "$c" ok; done
expect_not nofilter io_uring_setup $EPERM
expect nofilter syscall-1000 $ENOSYS

echo "$passes passed, $failures failed"
[ "$failures" = 0 ]
