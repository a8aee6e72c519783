#!/bin/sh
# Storage drivers: create + mount of a container's writable layer on an image
# layer holding a busybox rootfs, median of RUNS (default 100), for overlay
# and vfs on the build machine's disk and on tmpfs, and btrfs on a loop
# device when mkfs.btrfs is available.
# Needs root, busybox-static and a built tree (tests/unit/storage-bench is
# made here if missing).
#   bench/storage.sh [BUILD_DIR]       (default: the current directory)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$(pwd)}
runs=${RUNS:-100}
bench="$build/tests/unit/storage-bench"

[ "$(id -u)" = 0 ] || { echo "bench/storage.sh: needs root" >&2; exit 1; }
[ -x "$bench" ] || make -s -C "$build" tests/unit/storage-bench
plugins="$build/plugins/storage/.libs"

work=$(mktemp -d "${TMPDIR:-/tmp}/storage-bench.XXXXXX")
cleanup () {
  umount "$work/btrfs" 2>/dev/null || true
  umount "$work/tmpfs" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
sh "$here/tests/fixtures/mkrootfs-busybox.sh" "$work/rootfs" > /dev/null
echo "tree: busybox rootfs, $(find "$work/rootfs" | wc -l) entries, $(du -sh "$work/rootfs" | cut -f1)"

"$bench" "$plugins/storage-overlay.so" "$work/overlay" "$work/rootfs" "$runs"
"$bench" "$plugins/storage-vfs.so" "$work/vfs" "$work/rootfs" "$runs"

# The same on tmpfs, where fsync is free: the drivers' own cost, without the
# disk's flush latency (which varies with what else the machine is doing).
mkdir "$work/tmpfs"
mount -t tmpfs -o size=1g tmpfs "$work/tmpfs"
"$bench" "$plugins/storage-overlay.so" "$work/tmpfs/overlay" "$work/rootfs" "$runs" | sed 's/^/tmpfs /'
"$bench" "$plugins/storage-vfs.so" "$work/tmpfs/vfs" "$work/rootfs" "$runs" | sed 's/^/tmpfs /'

mkfs=$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.btrfs || true)
if [ -n "$mkfs" ] && truncate -s 1G "$work/btrfs.img" && "$mkfs" -q "$work/btrfs.img" > /dev/null 2>&1 \
   && mkdir "$work/btrfs" && mount -o loop "$work/btrfs.img" "$work/btrfs" 2> /dev/null; then
  "$bench" "$plugins/storage-btrfs.so" "$work/btrfs/data" "$work/rootfs" "$runs"
else
  echo "btrfs: skipped (no mkfs.btrfs or no loop device)"
fi
