# Shared by the runtime integration tests: root check, a busybox rootfs,
# bundle writing, and cleanup of everything a test created.
set -u

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: runtime tests need root"
  exit 77
fi

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RT="$top_builddir/berth-runtime"
[ -x "$RT" ] || { echo "FAIL: $RT not built"; exit 1; }

T=$(mktemp -d /tmp/rt-test.XXXXXX)
STATE="$T/state"
CG_PARENT=berth-test
ROOTFS="$T/rootfs"
if ! sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$ROOTFS" >/dev/null; then
  echo "SKIP: no busybox-static"
  rm -rf "$T"
  exit 77
fi

failures=0
passes=0
IDS=""

rt () { "$RT" --root "$STATE" "$@"; }

cleanup () {
  for id in $IDS; do
    rt delete --force "$id" >/dev/null 2>&1
  done
  rm -rf "$T"
}
trap cleanup EXIT

new_id () {
  ID="rt-test-$1-$$"
  IDS="$IDS $ID"
}

ok () { passes=$((passes + 1)); echo "ok - $1"; }
fail () { failures=$((failures + 1)); echo "not ok - $1"; }
check () {
  # check NAME COMMAND...: passes when the command succeeds
  name=$1
  shift
  if "$@"; then ok "$name"; else fail "$name"; fi
}
contains () { case "$1" in *"$2"*) return 0 ;; esac; echo "  expected to find: $2"; echo "  in: $1"; return 1; }
lacks () { case "$1" in *"$2"*) echo "  did not expect: $2"; return 1 ;; esac; return 0; }

# bundle DIR ARGS_JSON [PROCESS_EXTRA] [LINUX_EXTRA] [TOP_EXTRA] [MOUNTS_EXTRA]
# ARGS_JSON like '"sh","-c","echo hi"'; the extras are JSON members with a
# trailing comma, spliced into the objects.
bundle () {
  dir=$1
  mkdir -p "$dir"
  [ -e "$dir/rootfs" ] || ln -s "$ROOTFS" "$dir/rootfs"
  cat > "$dir/config.json" <<JSON
{
  "ociVersion": "1.2.0",
  "process": {
    ${3:-}
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ $2 ],
    "env": [ "PATH=/bin:/sbin", "TERM=xterm" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
      "permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
    },
    "noNewPrivileges": true
  },
  ${5:-}
  "root": { "path": "rootfs", "readonly": true },
  "hostname": "rt-host",
  "mounts": [
    ${6:-}
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ] },
    { "destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
    { "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": [ "nosuid", "noexec", "nodev" ] },
    { "destination": "/sys", "type": "sysfs", "source": "sysfs", "options": [ "nosuid", "noexec", "nodev", "ro" ] },
    { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": [ "nosuid", "nodev", "mode=1777" ] }
  ],
  "linux": {
    ${4:-}
    "cgroupsPath": "/$CG_PARENT/$(basename "$dir")-$$",
    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
    "namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" }, { "type": "uts" }, { "type": "mount" } ],
    "maskedPaths": [ "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                     "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/proc/interrupts" ],
    "readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
  }
}
JSON
}

cgroup_gone () {
  # cgroup_gone BUNDLE_NAME: no directory left in any hierarchy
  for d in /sys/fs/cgroup/*/"$CG_PARENT/$1-$$" /sys/fs/cgroup/"$CG_PARENT/$1-$$"; do
    [ -e "$d" ] && { echo "  left behind: $d"; return 1; }
  done
  return 0
}

state_gone () { [ ! -e "$STATE/$1" ] || { echo "  left behind: $STATE/$1"; return 1; }; }

no_process () {
  # no_process ID: no runtime or container process mentions this container
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/exe" 2>/dev/null)" in *berth-runtime*) ;; *) continue ;; esac
    if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q -- "$1"; then
      echo "  left behind: ${p#/proc/}"
      return 1
    fi
  done
  return 0
}

# Host mounts under this test's directory (rootfs, bundle, state): counting
# every host mount would see other tests' mounts when make check runs -j2.
mount_count () { grep -cF " $T" /proc/self/mountinfo || true; }

finish () {
  echo "$passes passed, $failures failed"
  [ "$failures" = 0 ]
}
