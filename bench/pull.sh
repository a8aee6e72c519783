#!/bin/sh
# Push then pull a 3-layer ~300 MB image (bench/images.sh's deterministic
# generator) to a local docker-registry (plain HTTP on 127.0.0.1) with
# berth, docker (a private dockerd, as bench/images.sh starts it) and podman
# (private storage) when installed, alternating engine by engine, RUNS
# (default 3) times.  Every push starts from an empty registry (stopped,
# storage wiped, restarted; berth's and docker's "the registry has it"
# records dropped), every pull from an empty image store.  Prints medians,
# the berth/docker ratios (targets: pull <= 0.7x, push <= 0.8x) and, for
# berth, the pull's two parts measured apart: download (the three blobs
# fetched in parallel with curl, discarded) and unpack (`berth load` of the
# same layers uncompressed).  A pull should approach max(download, unpack).
#   bench/pull.sh [BUILD_DIR]       (default: the current directory)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
runs=${RUNS:-3}
me=bench/pull.sh
reg_bin=/usr/bin/docker-registry

[ "$(id -u)" = 0 ] || { echo "$me: needs root" >&2; exit 1; }
for tool in python3 curl; do command -v "$tool" > /dev/null || { echo "$me: $tool is missing" >&2; exit 1; }; done
[ -x "$reg_bin" ] || { echo "$me: docker-registry is not installed" >&2; exit 1; }
{ [ -x "$build/berthd" ] && [ -x "$build/berth" ]; } || { echo "$me: berthd/berth not built in $build" >&2; exit 1; }
dockerd=/usr/sbin/dockerd docker=/usr/bin/docker
{ [ -x "$dockerd" ] && [ -x "$docker" ]; } || dockerd=
podman=$(command -v podman || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/pull-bench.XXXXXX")
disk="$work/disk"
berthd_pid='' dockerd_pid='' reg_pid=''
run_docker_was_there=$(ls -d /run/docker 2> /dev/null || true)

stop_pid () {
  kill -0 "$1" 2> /dev/null || return 0
  kill -TERM "$1" 2> /dev/null || true
  i=0
  while kill -0 "$1" 2> /dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2> /dev/null || true
}
cleanup () {
  set +e
  [ -n "$reg_pid" ] && stop_pid "$reg_pid"
  [ -n "$berthd_pid" ] && stop_pid "$berthd_pid"
  if [ -n "$dockerd_pid" ]; then
    stop_pid "$dockerd_pid"
    c=$(cat "$disk/docker/exec/containerd/containerd.pid" 2> /dev/null)
    [ -n "$c" ] && stop_pid "$c"
    [ -n "$run_docker_was_there" ] || rmdir /run/docker/plugins /run/docker 2> /dev/null
  fi
  [ -n "$podman" ] && "$podman" --root "$disk/podman/root" --runroot "$disk/podman/run" system reset -f > /dev/null 2>&1
  awk -v w="$work" 'index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
  for l in $(losetup -j "$work/ext4.img" -O NAME -n 2> /dev/null); do losetup -d "$l"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a journaled ext4 on a loop device, as bench/images.sh explains
mkdir "$disk"
truncate -s 16G "$work/ext4.img"
mkfs.ext4 -q -F "$work/ext4.img"
mount "$(losetup -f --show --direct-io=on "$work/ext4.img")" "$disk"

# ---- the image: bench/images.sh's generator, run as it is there ----
echo "building the test image in $disk ..."
sed -n "/^\/usr\/bin\/env python3 - \"\$disk\" \"\$tag\" << 'PY'\$/,/^PY\$/p" "$here/bench/images.sh" | sed '1d;$d' \
  > "$work/gen.py"
[ -s "$work/gen.py" ] || { echo "$me: cannot find the generator in bench/images.sh" >&2; exit 1; }
python3 "$work/gen.py" "$disk" bench/pull:v1
rm -f "$disk"/layer*.tar
img="$disk/image.tar"
echo "image: $(du -m "$img" | cut -f1) MiB uncompressed, 3 layers"

# ---- the registry ----
reg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG="127.0.0.1:$reg_port"
cat > "$work/registry.yml" << EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $disk/registry
http:
  addr: $REG
EOF
reg_start () {
  "$reg_bin" serve "$work/registry.yml" >> "$work/registry.log" 2>&1 &
  reg_pid=$!
  i=0
  until curl -sf "http://$REG/v2/" > /dev/null; do
    i=$((i + 1)); [ "$i" -le 100 ] || { echo "$me: docker-registry did not start" >&2; exit 1; }; sleep 0.1
  done
}
reg_wipe () { stop_pid "$reg_pid"; rm -rf "$disk/registry"; reg_start; }
reg_start

# ---- engines ----
plugin_dirs=$(find "$build/plugins" -path '*/.libs/*.so' -printf '%h\n' | sort -u)
b="$disk/berth"
mkdir -p "$b/run"
{
  echo "data-root: $b/data"
  echo "exec-root: $b/run"
  echo "plugin-dirs:"
  for p in $plugin_dirs; do echo "  - $p"; done
} > "$b/berth.yaml"
"$build/berthd" --config "$b/berth.yaml" > "$b/berthd.log" 2>&1 &
berthd_pid=$!
berth="$build/berth -H unix://$b/run/berth.sock"
i=0
until $berth info > /dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -le 200 ] || { echo "$me: berthd does not answer" >&2; exit 1; }; sleep 0.05
done
engines=berth
$berth load -q -i "$img" > /dev/null
$berth tag bench/pull:v1 "$REG/bench/berth:v1"

if [ -n "$dockerd" ]; then
  d="$disk/docker"
  mkdir -p "$d/data" "$d/exec"
  printf '{"deprecated-key-path": "%s"}\n' "$d/key.json" > "$d/daemon.json"
  "$dockerd" --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" \
    --pidfile "$d/docker.pid" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --storage-driver overlay2 > "$d/dockerd.log" 2>&1 &
  dockerd_pid=$!
  dk="$docker -H unix://$d/docker.sock"
  i=0
  until $dk version > /dev/null 2>&1; do
    i=$((i + 1)); [ "$i" -le 600 ] || { echo "$me: dockerd does not answer" >&2; exit 1; }; sleep 0.1
  done
  $dk load -q -i "$img" > /dev/null
  $dk tag bench/pull:v1 "$REG/bench/docker:v1"
  engines="$engines docker"
  echo "docker: $($dk version --format '{{.Server.Version}}')"
fi
if [ -n "$podman" ]; then
  pm="$podman --root $disk/podman/root --runroot $disk/podman/run --storage-driver overlay"
  if $pm load -q -i "$img" > /dev/null 2>&1 && $pm tag bench/pull:v1 "$REG/bench/podman:v1"; then
    engines="$engines podman"
    echo "podman: $($pm version --format '{{.Client.Version}}' 2> /dev/null)"
  else
    echo "podman: its trial load failed, skipped"
  fi
fi

now () { date +%s.%N; }
timed () { # NAME CMD...: appends the seconds to $work/NAME
  n=$1; shift
  t0=$(now)
  "$@" > "$work/last.out" 2>&1 || { cat "$work/last.out" >&2; echo "$me: $n failed" >&2; exit 1; }
  echo "$(now) - $t0" | bc >> "$work/$n"
}
push () { # ENGINE
  reg_wipe
  case $1 in
    berth) rm -f "$b/data/image/registry-blobs.json"; timed push-berth $berth push "$REG/bench/berth:v1" ;;
    docker) rm -rf "$d/data/image/overlay2/distribution"; timed push-docker $dk push "$REG/bench/docker:v1" ;;
    podman) timed push-podman $pm push --tls-verify=false "$REG/bench/podman:v1" ;;
  esac
}
pull () { # ENGINE
  case $1 in
    berth) $berth rmi -f "$REG/bench/berth:v1" bench/pull:v1 > /dev/null 2>&1 || true
      $berth image prune -a -f > /dev/null 2>&1; sync
      timed pull-berth $berth pull "$REG/bench/berth:v1" ;;
    docker) $dk rmi -f "$REG/bench/docker:v1" bench/pull:v1 > /dev/null 2>&1 || true; sync
      timed pull-docker $dk pull "$REG/bench/docker:v1" ;;
    podman) $pm rmi -f "$REG/bench/podman:v1" bench/pull:v1 > /dev/null 2>&1 || true; sync
      timed pull-podman $pm pull --tls-verify=false "$REG/bench/podman:v1" ;;
  esac
}

for r in $(seq "$runs"); do
  echo "run $r/$runs: push"
  for e in $engines; do push "$e"; done
done
# all three pushed repositories stay for the pulls
reg_wipe
for e in $engines; do
  case $e in
    berth) $berth push "$REG/bench/berth:v1" > /dev/null ;;
    docker) $dk push "$REG/bench/docker:v1" > /dev/null ;;
    podman) $pm push --tls-verify=false "$REG/bench/podman:v1" > /dev/null 2>&1 ;;
  esac
done
for r in $(seq "$runs"); do
  echo "run $r/$runs: pull"
  for e in $engines; do pull "$e"; done
done

# berth's parts: the blobs downloaded alone, the layers unpacked alone
digests=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/bench/berth/manifests/v1" | python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"]))')
size=$(curl -sf -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REG/v2/bench/berth/manifests/v1" | python3 -c 'import json,sys; print(sum(l["size"] for l in json.load(sys.stdin)["layers"]))')
# (waits for its curls only: a bare `wait` would wait for the daemons too)
dl () {
  pids=
  for g in $digests; do curl -sf -o /dev/null "http://$REG/v2/bench/berth/blobs/$g" & pids="$pids $!"; done
  for p in $pids; do wait "$p"; done
}
for r in $(seq "$runs"); do
  timed download dl
  $berth rmi -f "$REG/bench/berth:v1" bench/pull:v1 > /dev/null 2>&1 || true
  $berth image prune -a -f > /dev/null 2>&1; sync
  timed unpack $berth load -q -i "$img"
done

python3 - "$work" "$engines" "$(stat -c %s "$img")" "$size" << 'PY'
import os, statistics, sys
work, engines, img, gz = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), int(sys.argv[4])
med = lambda n: statistics.median(float(x) for x in open(os.path.join(work, n)))
print()
print("registry push/pull of a %d MB 3-layer image (%d MB gzip), median of each:" % (img // 10**6, gz // 10**6))
print("%-8s %8s %8s" % ("engine", "push s", "pull s"))
for e in engines:
    print("%-8s %8.2f %8.2f" % (e, med("push-" + e), med("pull-" + e)))
if "docker" in engines:
    print("berth/docker: push %.2fx (target <= 0.80x), pull %.2fx (target <= 0.70x)"
          % (med("push-berth") / med("push-docker"), med("pull-berth") / med("pull-docker")))
print("berth pull %.2f s; apart: download %.2f s, unpack (berth load) %.2f s; max %.2f s, sum %.2f s"
      % (med("pull-berth"), med("download"), med("unpack"), max(med("download"), med("unpack")),
         med("download") + med("unpack")))
PY
