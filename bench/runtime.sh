#!/bin/sh
# berth-runtime run vs crun run on the same busybox bundle: median wall time
# (hyperfine) and peak RSS (GNU time).  Needs root, hyperfine, crun,
# busybox-static and /usr/bin/time.
#   bench/runtime.sh [BUILD_DIR]       (default: the current directory)
# crun 1.8 refuses this machine's hybrid cgroups unless hugetlb is mounted as
# a v1 hierarchy; that is done here, only when it is not mounted yet.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$(pwd)}
rt="$build/berth-runtime"
runs=${RUNS:-50}

for tool in hyperfine crun /usr/bin/time; do
  command -v "$tool" > /dev/null || { echo "bench/runtime.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$rt" ] || { echo "bench/runtime.sh: $rt not built" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench/runtime.sh: needs root" >&2; exit 1; }

if [ ! -d /sys/fs/cgroup/hugetlb ] && ! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/self/mountinfo; then
  mkdir -p /sys/fs/cgroup/hugetlb
  mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
fi

work=$(mktemp -d /tmp/rt-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
sh "$here/tests/fixtures/mkrootfs-busybox.sh" "$work/rootfs" > /dev/null
cd "$work"
"$rt" spec
# the same bundle for both: no terminal, /bin/true, its own cgroup (and a
# version crun 1.8 knows)
sed -i 's|"ociVersion": "1.2.0"|"ociVersion": "1.0.0"|; s|"terminal": true|"terminal": false|; s|"args": \[ "sh" \]|"args": [ "/bin/true" ]|' config.json
sed -i 's|"resources": {|"cgroupsPath": "/berth-bench/run", "resources": {|' config.json

berth="$rt --root $work/state-berth run -b $work bench-berth"
crun="crun --root $work/state-crun run -b $work bench-crun"
$berth && $crun || { echo "bench/runtime.sh: a trial run failed" >&2; exit 1; }

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/h.json" -n berth-runtime "$berth" -n crun "$crun"

# medians, in ms, from hyperfine's JSON (one "median" per command, in order)
medians=$(grep -o '"median": *[0-9.e-]*' "$work/h.json" | sed 's/.*: *//' | awk '{ printf "%.2f ", $1 * 1000 }')
set -- $medians
echo "median (ms): berth-runtime $1  crun $2  ratio $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }')"

rss () {
  # the largest peak RSS over 20 runs, in KiB
  max=0
  for i in $(seq 20); do
    kb=$(/usr/bin/time -f %M $1 2>&1 >/dev/null | tail -1)
    [ "$kb" -gt "$max" ] && max=$kb
  done
  echo "$max"
}
echo "peak RSS (KiB, max of 20): berth-runtime $(rss "$berth")  crun $(rss "$crun")"
for c in /sys/fs/cgroup/*/berth-bench; do rmdir "$c" 2>/dev/null || true; done
