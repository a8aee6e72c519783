#!/bin/sh
# `berth build` vs docker's legacy builder (DOCKER_BUILDKIT=0) of the same
# 3-step Dockerfile: RUN, a COPY of a 50 MB file, RUN over it, on the
# busybox fixture image.
#  cold:   --no-cache (every step runs), the tag and the images of earlier
#          builds removed and the big file touched before each run (so berth
#          sends and hashes the whole context again, as docker does: an
#          unchanged file would stay on berthd from the last build);
#  cached: the same build again, every step from the cache.
# The engines alternate run by run in ROUNDS rounds (default 5; each round
# one cold and CACHED_RUNS (default 3) cached builds per engine), so a burst
# of load on this shared machine hits both; medians over all runs, and the
# ratios berth/docker (targets: cold <= 0.7, cached <= 0.3 and under 150 ms).
# A private berthd (overlay; its own bridge and nftables table) and, when /usr/sbin/dockerd exists, a private
# dockerd (overlay2, its own containerd) under one temp dir, removed with
# their containers, images and mounts on any exit.
# Needs root, python3 and a built tree.
#   bench/build.sh [BUILD_DIR]       (default: the current directory)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
me=bench/build.sh
rounds=${ROUNDS:-5}
cached_runs=${CACHED_RUNS:-3}
tag=berth-test/busybox:latest

[ "$(id -u)" = 0 ] || { echo "$me: needs root" >&2; exit 1; }
command -v python3 > /dev/null || { echo "$me: python3 is missing" >&2; exit 1; }
for b in berthd berth berth-shim; do
  [ -x "$build/$b" ] || { echo "$me: $build/$b is not built" >&2; exit 1; }
done
dockerd=/usr/sbin/dockerd
docker=$(command -v docker || true)
{ [ -x "$dockerd" ] && [ -n "$docker" ]; } || dockerd=

work=$(mktemp -d "${TMPDIR:-/tmp}/build-bench.XXXXXX")
net_bridge="bbld$$"
net_table="berth_bbld_$$"
net_subnet="10.197.$(($$ % 200 + 20)).0/24"
berthd_pid=''
dockerd_pid=''
run_docker_was_there=$(ls -d /run/docker 2> /dev/null || true)

stop_pid () { # PID: SIGTERM, up to 30 s, then SIGKILL
  kill -0 "$1" 2> /dev/null || return 0
  kill -TERM "$1" 2> /dev/null || true
  i=0
  while kill -0 "$1" 2> /dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2> /dev/null || true
}

cleanup () {
  set +e
  trap - EXIT INT TERM
  if [ -n "$berthd_pid" ]; then
    ids=$($berth ps -aq 2> /dev/null)
    [ -z "$ids" ] || $berth rm -f $ids > /dev/null 2>&1
    stop_pid "$berthd_pid"
    ip link del "$net_bridge" 2> /dev/null
    nft delete table ip "$net_table" 2> /dev/null
  fi
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2> /dev/null; then
    ids=$($dk ps -aq 2> /dev/null)
    [ -z "$ids" ] || $dk rm -f $ids > /dev/null 2>&1
    stop_pid "$dockerd_pid"
    c=$(cat "$work/docker/exec/containerd/containerd.pid" 2> /dev/null)
    [ -n "$c" ] && stop_pid "$c"
    [ -n "$run_docker_was_there" ] || rmdir /run/docker/plugins /run/docker 2> /dev/null
  fi
  awk -v w="$work" 'index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/tmp"
export TMPDIR="$work/tmp"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# ---- image and context ----
sh "$here/tests/fixtures/mkimage-busybox.sh" "$work/img" > /dev/null || { echo "$me: cannot build the busybox image" >&2; exit 1; }
img="$work/img/busybox.tar"
ctx="$work/ctx"
mkdir "$ctx"
head -c 52428800 /dev/urandom > "$ctx/big"
cat > "$ctx/Dockerfile" << EOF
FROM $tag
RUN echo one > /one
COPY big /big
RUN wc -c /big > /size
EOF

# ---- berthd ----
bd="$work/berth"
mkdir -p "$bd/run"
{
  echo "data-root: $bd/data"
  echo "exec-root: $bd/run"
  echo "storage-driver: overlay"
  echo "plugin-dirs:"
  find "$build/plugins" -path '*/.libs/*.so' -printf '%h\n' | sort -u | sed 's/^/  - /'
  # a bridge and nftables table of its own, never the host's berth0
  echo "network-opts:"
  echo "  bridge: $net_bridge"
  echo "  nft-table: $net_table"
  echo "  subnet: $net_subnet"
} > "$bd/berth.yaml"
BERTH_SHIM="$build/berth-shim" "$build/berthd" --config "$bd/berth.yaml" -H "unix://$bd/run/berth.sock" \
  --pidfile "$bd/run/berthd.pid" > "$bd/berthd.log" 2>&1 &
berthd_pid=$!
berth="$build/berth -H unix://$bd/run/berth.sock"
i=0
until $berth info > /dev/null 2>&1; do
  kill -0 "$berthd_pid" 2> /dev/null || { tail "$bd/berthd.log" >&2; echo "$me: berthd exited" >&2; exit 1; }
  i=$((i + 1))
  [ "$i" -le 200 ] || { echo "$me: berthd does not answer" >&2; exit 1; }
  sleep 0.05
done
$berth load -q -i "$img" > /dev/null || { tail "$bd/berthd.log" >&2; echo "$me: berth load failed" >&2; exit 1; }

# ---- dockerd ----
if [ -n "$dockerd" ]; then
  dd="$work/docker"
  mkdir -p "$dd/data" "$dd/exec" "$dd/cli"
  printf '{"deprecated-key-path": "%s"}\n' "$dd/key.json" > "$dd/daemon.json"
  echo "{}" > "$dd/cli/config.json"
  export DOCKER_CONFIG="$dd/cli"
  "$dockerd" --config-file "$dd/daemon.json" \
    --data-root "$dd/data" --exec-root "$dd/exec" -H "unix://$dd/docker.sock" --pidfile "$dd/docker.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false --storage-driver overlay2 \
    > "$dd/dockerd.log" 2>&1 &
  dockerd_pid=$!
  dk="$docker -H unix://$dd/docker.sock"
  i=0
  until $dk version > /dev/null 2>&1; do
    kill -0 "$dockerd_pid" 2> /dev/null || { tail "$dd/dockerd.log" >&2; echo "$me: dockerd exited" >&2; exit 1; }
    i=$((i + 1))
    [ "$i" -le 600 ] || { echo "$me: dockerd does not answer" >&2; exit 1; }
    sleep 0.1
  done
  $dk load -q -i "$img" > /dev/null
  echo "docker: $($dk version --format '{{.Server.Version}}'), legacy builder (DOCKER_BUILDKIT=0), overlay2"
else
  echo "docker: not installed, skipped"
fi

# ---- timing ----
# wall clock in ms (date: a python3 start would add tens of ms to each run)
ms () { date +%s%3N; }
# ENGINE-CLI KIND OUT: one build, its wall time in ms appended to OUT
time_build () {
  if [ "$2" = cold ]; then
    # earlier builds' images out of the way (not timed); the big file's
    # ctime moved on, so berth sends it again as docker does (an unchanged
    # file would stay on berthd from the last build: see docs/build.md)
    $1 rmi -f bench-build:x > /dev/null 2>&1 || true
    $1 image prune -f > /dev/null 2>&1 || true
    touch "$ctx/big"
    set -- "$1" "$2" "$3" --no-cache
  else
    set -- "$1" "$2" "$3"
  fi
  sync
  t0=$(ms)
  DOCKER_BUILDKIT=0 $1 build -q ${4:-} -t bench-build:x "$ctx" > "$work/build.out" 2>&1 \
    || { cat "$work/build.out" >&2; echo "$me: build failed: $1" >&2; exit 1; }
  t1=$(ms)
  echo $((t1 - t0)) >> "$3"
}

# warm-up: the first build fills the caches the cached runs use
time_build "$berth" cold "$work/warm"
[ -z "$dockerd" ] || time_build "$dk" cold "$work/warm"
r=0
while [ "$r" -lt "$rounds" ]; do
  time_build "$berth" cold "$work/berth.cold"
  [ -z "$dockerd" ] || time_build "$dk" cold "$work/docker.cold"
  n=0
  while [ "$n" -lt "$cached_runs" ]; do
    time_build "$berth" cached "$work/berth.cached"
    [ -z "$dockerd" ] || time_build "$dk" cached "$work/docker.cached"
    n=$((n + 1))
  done
  r=$((r + 1))
done
# the cached build must really have used the cache: the same image id
id1=$($berth images -q bench-build:x)
$berth build -q -t bench-build:x "$ctx" > /dev/null
[ "$($berth images -q bench-build:x)" = "$id1" ] || echo "$me: WARNING: berth's cached build made a new image"

python3 - "$work" "$rounds" "$cached_runs" << 'EOF'
import os, statistics, sys
work = sys.argv[1]
def med(name):
    p = os.path.join(work, name)
    if not os.path.exists(p):
        return None
    v = [int(x) for x in open(p).read().split()]
    return statistics.median(v), min(v), max(v), len(v)
print(f"3-step Dockerfile, 50 MB COPY; {sys.argv[2]} rounds, medians (min-max) in ms")
rows = {}
for kind in ("cold", "cached"):
    for eng in ("berth", "docker"):
        m = med(f"{eng}.{kind}")
        rows[(eng, kind)] = m
        if m:
            print(f"  {kind:6} {eng:6} {m[0]:8.0f}  ({m[1]}-{m[2]}, n={m[3]})")
for kind, target in (("cold", 0.7), ("cached", 0.3)):
    b, d = rows[("berth", kind)], rows[("docker", kind)]
    if b and d:
        ratio = b[0] / d[0]
        print(f"  {kind:6} berth/docker = {ratio:.2f}  (target <= {target}: {'met' if ratio <= target else 'NOT met'})")
b = rows[("berth", "cached")]
print(f"  cached berth {b[0]:.0f} ms (target < 150 ms: {'met' if b[0] < 150 else 'NOT met'})")
EOF
