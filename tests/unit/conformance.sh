# Run the conformance suite of each driver kind against every in-tree plugin.
# Any plugin can be checked the same way by hand:
#   tests/unit/conformance-<kind> /path/to/<kind>-<name>.so
# Storage drivers that need something of the host get it here: overlay runs
# when the kernel has overlayfs (skipped otherwise), btrfs on a loop-mounted
# btrfs image made with mkfs.btrfs (skipped without it or without loop devices).
set -u
builddir=${top_builddir:-.}
status=0
ran=0
btrfs_dir=

cleanup_btrfs () {
  [ -n "$btrfs_dir" ] || return 0
  umount "$btrfs_dir/mnt" 2>/dev/null
  rm -rf "$btrfs_dir"
  btrfs_dir=
}
trap cleanup_btrfs EXIT
trap 'cleanup_btrfs; exit 1' INT TERM

# Why overlay cannot be tested here, or nothing.
overlay_unavailable () {
  [ "$(id -u)" = 0 ] || { echo "not root"; return; }
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
  grep -qw overlay /proc/filesystems || { echo "the kernel has no overlayfs"; return; }
  case $(stat -f -c %T "${TMPDIR:-/tmp}" 2>/dev/null) in
    overlayfs) echo "${TMPDIR:-/tmp} is itself on overlayfs" ;;
  esac
}

# Mount a fresh 1 GiB btrfs image at $btrfs_dir/mnt; sets $why on failure.
setup_btrfs () {
  [ "$(id -u)" = 0 ] || { why="not root"; return 1; }
  mkfs=$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.btrfs) || { why="no mkfs.btrfs (btrfs-progs)"; return 1; }
  btrfs_dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-storage-btrfs-XXXXXX") || { why="mktemp failed"; return 1; }
  mkdir "$btrfs_dir/mnt"
  truncate -s 1G "$btrfs_dir/img" && "$mkfs" -q "$btrfs_dir/img" >/dev/null 2>&1 \
    || { why="mkfs.btrfs failed"; return 1; }
  mount -o loop "$btrfs_dir/img" "$btrfs_dir/mnt" 2>/dev/null || { why="cannot loop-mount (no loop devices?)"; return 1; }
}

for so in "$builddir"/plugins/*/.libs/*.so; do
  [ -e "$so" ] || continue
  name=$(basename "$so" .so)
  kind=${name%%-*}
  suite="$builddir/tests/unit/conformance-$kind"
  if [ ! -x "$suite" ]; then
    echo "FAIL: $name: no conformance suite for kind $kind"
    status=1
    continue
  fi
  case $name in
    network-bridge)
      # needs a subnet, root and a namespace of its own: tests/network/*.sh
      echo "SKIP: $name (configures real interfaces and nftables; tests/network covers it)"
      continue
      ;;
    storage-overlay)
      why=$(overlay_unavailable)
      if [ -n "$why" ]; then
        echo "SKIP: $name ($why)"
        continue
      fi
      "$suite" "$so"
      rc=$?
      ;;
    storage-btrfs)
      why=
      if ! setup_btrfs; then
        echo "SKIP: $name ($why)"
        cleanup_btrfs
        continue
      fi
      TMPDIR="$btrfs_dir/mnt" "$suite" "$so"
      rc=$?
      cleanup_btrfs
      ;;
    *)
      "$suite" "$so"
      rc=$?
      ;;
  esac
  case $rc in
    0) echo "PASS: $name"; ran=$((ran + 1)) ;;
    77) echo "SKIP: $name" ;;
    *) echo "FAIL: $name (exit $rc)"; status=1 ;;
  esac
done
if [ $status -eq 0 ] && [ $ran -eq 0 ]; then
  echo "no plugins found under $builddir/plugins"
  exit 77
fi
exit $status
