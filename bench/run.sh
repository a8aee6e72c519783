#!/bin/sh
# `berth run` end to end, side by side with docker, podman and a bare crun:
#  1. `run --rm --network none IMAGE true` through each CLI, and `crun run` of
#     a bundle of the same rootfs (the floor): hyperfine in ROUNDS rounds (default
#     10), each round timing every command RUNS_PER_ROUND times (default 3) after
#     one warm-up, so the engines alternate round after round and a burst of
#     load on this shared machine hits all of them; medians over all rounds.
#  2. 50 containers started with `run -d` in parallel (xargs -P 50), then
#     removed in parallel (`rm -f`): wall time of each phase, berth vs docker,
#     alternating, PAR_ROUNDS rounds (default 3).
#  3. Idle memory (VmRSS and Pss from /proc): berthd just started and after the
#     benchmarks, each berth-shim of a `run -d ... sleep` container, and for
#     comparison dockerd, containerd, containerd-shim-runc-v2, podman's conmon;
#     where berth-shim's resident pages come from (smaps, per mapping).
#  4. `berth run --rm` on a berthd with no container vs one holding 500
#     stopped containers (created with `berth create`): a second berthd, and
#     ROUNDS alternating rounds of 2 runs each; medians.
# Private berthds (overlay), one private dockerd (overlay2, its own
# containerd), podman with its own root, runroot and tmp dir; all of it under
# one temp dir, removed (containers, daemons, mounts) on any exit.  A tool that
# is missing is skipped with a line saying so; berth must be built.
# Needs root, hyperfine, python3 and busybox-static; iperf3 for section 5's
# throughput (skipped without it).
#   bench/run.sh [BUILD_DIR]       (default: the current directory)
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
me=bench/run.sh
rounds=${ROUNDS:-10}
per_round=${RUNS_PER_ROUND:-3}
par_rounds=${PAR_ROUNDS:-3}
n_par=${N_PAR:-50}
n_stopped=${N_STOPPED:-500}
tag=berth-test/busybox:latest

[ "$(id -u)" = 0 ] || { echo "$me: needs root" >&2; exit 1; }
for tool in hyperfine python3; do
  command -v "$tool" > /dev/null || { echo "$me: $tool is missing" >&2; exit 1; }
done
for b in berthd berth berth-shim; do
  [ -x "$build/$b" ] || { echo "$me: $build/$b is not built" >&2; exit 1; }
done
py=$(command -v python3)

dockerd=/usr/sbin/dockerd
docker=/usr/bin/docker # the client of the same docker.io package
{ [ -x "$dockerd" ] && [ -x "$docker" ]; } || dockerd=
podman=$(command -v podman || true)
crun=$(command -v crun || true)

work=$(mktemp -d "${TMPDIR:-/tmp}/run-bench.XXXXXX")
berthd_pid=''
berthd_pids=''
clis=''
dockerd_pid=''
podman_used=''
run_docker_was_there=$(ls -d /run/docker 2> /dev/null || true)
hugetlb_mounted=''

stop_pid () { # PID: SIGTERM, up to 30 s, then SIGKILL
  kill -0 "$1" 2> /dev/null || return 0
  kill -TERM "$1" 2> /dev/null || true
  i=0
  while kill -0 "$1" 2> /dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2> /dev/null || true
}

# Processes whose command line names the work dir: shims and containers of
# ours that outlived their daemon.
ours () {
  for p in /proc/[0-9]*; do
    { tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null | grep -q "$work/" && echo "${p#/proc/}"
  done
  return 0
}

cleanup () {
  set +e
  # a second INT/TERM (timeout(1) signals its whole process group) must not
  # cut the cleanup short
  trap - EXIT
  trap '' INT TERM
  # every container of each berthd (run -d ones outlive their daemon), then the daemon
  echo "$clis" | tr '|' '\n' | while read -r cli; do
    [ -n "$cli" ] || continue
    ids=$($cli ps -aq 2> /dev/null)
    [ -z "$ids" ] || echo "$ids" | xargs -P 8 -n 25 $cli rm -f > /dev/null 2>&1
  done
  for p in $berthd_pids; do stop_pid "$p"; done
  if [ -n "$dockerd_pid" ] && kill -0 "$dockerd_pid" 2> /dev/null; then
    ids=$($dk ps -aq 2> /dev/null)
    [ -z "$ids" ] || $dk rm -f $ids > /dev/null 2>&1
    stop_pid "$dockerd_pid"
    c=$(cat "$work/docker/exec/containerd/containerd.pid" 2> /dev/null)
    [ -n "$c" ] && stop_pid "$c"
    [ -n "$run_docker_was_there" ] || rmdir /run/docker/plugins /run/docker 2> /dev/null
  fi
  [ -z "$podman_used" ] || $pm rm -fa -t 0 > /dev/null 2>&1
  for p in $(ours); do kill -KILL "$p" 2> /dev/null; done
  awk -v w="$work" 'index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
  for c in /sys/fs/cgroup/*/h7-bench-crun; do [ -d "$c" ] && rmdir "$c"; done
  [ -z "$hugetlb_mounted" ] || umount /sys/fs/cgroup/hugetlb
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# everything's temporary files too (podman load spools the archive there)
mkdir "$work/tmp"
export TMPDIR="$work/tmp"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# ---- image and bundle ----
sh "$here/tests/fixtures/mkimage-busybox.sh" "$work/img" > /dev/null || { echo "$me: cannot build the busybox image" >&2; exit 1; }
img="$work/img/busybox.tar"

# ---- berthd: one for 1-3, a second one for the stopped containers of 4 ----
n_berthd=0
start_berthd () { # DIR -> berthd_pid, berth (the CLI pointed at it)
  mkdir -p "$1/run"
  {
    echo "data-root: $1/data"
    echo "exec-root: $1/run"
    echo "storage-driver: overlay"
    echo "plugin-dirs:"
    find "$build/plugins" -path '*/.libs/*.so' -printf '%h\n' | sort -u | sed 's/^/  - /'
    if [ -n "${berthd_extra_yaml:-}" ]; then
      printf '%s\n' "$berthd_extra_yaml"
    else
      # a bridge and table of its own, not the host's berth0/berth
      n_berthd=$((n_berthd + 1))
      printf 'network-opts:\n  bridge: h16b%s%s\n  nft-table: h16_b%s_%s\n' "$n_berthd" $$ "$n_berthd" $$
    fi
  } > "$1/berth.yaml"
  BERTH_SHIM="$build/berth-shim" "$build/berthd" --config "$1/berth.yaml" -H "unix://$1/run/berth.sock" \
    --pidfile "$1/run/berthd.pid" > "$1/berthd.log" 2>&1 &
  berthd_pid=$!
  berthd_pids="$berthd_pids $berthd_pid"
  berth="$build/berth -H unix://$1/run/berth.sock"
  clis="$clis|$berth"
  i=0
  until $berth info > /dev/null 2>&1; do
    kill -0 "$berthd_pid" 2> /dev/null || { tail "$1/berthd.log" >&2; echo "$me: berthd exited" >&2; exit 1; }
    i=$((i + 1))
    [ "$i" -le 200 ] || { echo "$me: berthd does not answer" >&2; exit 1; }
    sleep 0.05
  done
}
bd="$work/berth"
start_berthd "$bd"

mem () { # PID -> "VmRSS Pss" in KiB
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
  pss=$(awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup")
  echo "$rss $pss"
}
sleep 1
berthd_mem_fresh=$(mem "$berthd_pid")
$berth load -q -i "$img" > /dev/null || { tail "$bd/berthd.log" >&2; echo "$me: berth load failed" >&2; exit 1; }

# ================= 5. networking (issue 7 item 8) =================
# a. `berth run --rm` on the default bridge vs --network none, alternating
#    rounds: the median cost of the network setup and teardown;
# b. berth vs docker, both on their default bridge: a third dockerd with a
#    bridge of this script's own (--iptables=false: it must not touch the
#    host's iptables, so docker does less than berth, whose nftables table
#    is built);
# c. TCP throughput (iperf3) container to container over berth's bridge vs
#    two containers joined by a veth pair, and bare namespaces for comparison
#    (details at the code).
# NET_ONLY=1 runs this section alone (after the image is loaded), NET_BENCH=0
# skips it.
net_bench () {
  echo
  echo "== 5. networking: $rounds rounds x $per_round runs per command (+1 warm-up each round)"
  nb="$work/berth-net"
  # a bridge and table of its own (the subnet picked free), not berth0
  berthd_extra_yaml=$(printf 'network-opts:\n  bridge: h16br%s\n  nft-table: h16_bench%s' $$ $$)
  start_berthd "$nb"
  berthd_extra_yaml=
  $berth load -q -i "$img" > /dev/null
  net_br=h16dk$$
  set -- -n "berth none" "$berth run --rm --network none $tag true" -n "berth bridge" "$berth run --rm $tag true"
  $berth run --rm "$tag" true || { tail "$nb/berthd.log" >&2; echo "$me: berth run on the bridge failed" >&2; exit 1; }
  if [ -n "$dockerd" ]; then
    dn="$work/docker-net"
    mkdir -p "$dn/data" "$dn/exec"
    ip link add "$net_br" type bridge && ip addr add 10.231.77.1/24 dev "$net_br" && ip link set "$net_br" up
    printf '{"deprecated-key-path": "%s"}\n' "$dn/key.json" > "$dn/daemon.json"
    "$dockerd" --config-file "$dn/daemon.json" --data-root "$dn/data" --exec-root "$dn/exec" \
      -H "unix://$dn/docker.sock" --pidfile "$dn/docker.pid" --bridge="$net_br" --iptables=false \
      --ip6tables=false --ip-masq=false --storage-driver overlay2 > "$dn/dockerd.log" 2>&1 &
    dockerd_net_pid=$!
    dkn="$docker -H unix://$dn/docker.sock"
    i=0
    until $dkn version > /dev/null 2>&1; do
      kill -0 "$dockerd_net_pid" 2> /dev/null || { tail "$dn/dockerd.log" >&2; echo "$me: dockerd exited" >&2; exit 1; }
      i=$((i + 1)); [ "$i" -le 600 ] || { echo "$me: dockerd does not answer" >&2; exit 1; }
      sleep 0.1
    done
    $dkn load -q -i "$img" > /dev/null
    $dkn run --rm "$tag" true || { echo "$me: docker run on its bridge failed" >&2; exit 1; }
    set -- "$@" -n "docker none" "$dkn run --rm --network none $tag true" -n "docker bridge" "$dkn run --rm $tag true"
  fi
  r=1
  while [ "$r" -le "$rounds" ]; do
    hyperfine -N --style none --warmup 1 --runs "$per_round" --export-json "$work/net-$r.json" "$@" \
      > /dev/null 2> "$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
    r=$((r + 1))
  done
  "$py" - "$work" "$rounds" << 'PY'
import json, statistics as st, sys
work, rounds = sys.argv[1], int(sys.argv[2])
times = {}
for r in range(1, rounds + 1):
    for res in json.load(open("%s/net-%d.json" % (work, r)))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
med = {k: st.median(v) for k, v in times.items()}
for name, t in times.items():
    print("%-14s runs %3d  median %7.1f ms  (min %.1f)" % (name, len(t), med[name] * 1e3, min(t) * 1e3))
print("berth: the bridge adds %.1f ms (median; target <= 10)" % ((med["berth bridge"] - med["berth none"]) * 1e3))
if "docker bridge" in med:
    print("docker: the bridge adds %.1f ms" % ((med["docker bridge"] - med["docker none"]) * 1e3))
    print("berth/docker on the bridge: %.2fx (target <= 0.25)" % (med["berth bridge"] / med["docker bridge"]))
PY
  # c. throughput, iperf3 (TCP, one stream, NET_SECS s, default 3), in
  # NET_ROUNDS rounds (default 5), the set-ups taking turns within a round:
  #  - "containers, veth pair" (the reference): two --network none berth
  #    containers joined by a veth pair this script makes; "containers, berth
  #    bridge": two containers on berth's bridge.  Both pairs alike otherwise
  #    (cgroups, seccomp, the host's iperf3 bind-mounted, run by `berth exec`),
  #    so their ratio is the bridge's cost alone;
  #  - for comparison, the same iperf3 run by the host in bare namespaces: a
  #    veth pair, and a bridge in a namespace of its own (its own
  #    net.bridge.bridge-nf-call-iptables, per namespace since Linux 5.3, so
  #    the host's stays as it is) with br_netfilter off and on, on with an
  #    nftables table like berth's (conntrack for its NAT).
  # Gbit/s and CPU seconds per GB (user + system of both iperf3 processes,
  # softirq work included when the kernel charges it to them; steadier than
  # the throughput on a loaded machine); medians.
  iperf=$(command -v iperf3 || true)
  if [ -z "$iperf" ]; then echo "throughput: iperf3 is not installed (tools/deps.sh test installs it), skipped"; return 0; fi
  nr=${NET_ROUNDS:-5}
  secs=${NET_SECS:-3}
  # the host's iperf3 and its libraries, read-only (Debian: /lib, /lib64 lead into /usr)
  mnt="-v /usr:/usr:ro"
  for d in /lib /lib64; do
    [ ! -d "$d" ] || mnt="$mnt -v $(readlink -f "$d"):$d:ro"
  done
  for c in srv cli; do
    $berth run -d --name "h16-br-$c" $mnt "$tag" sleep 3600 > /dev/null
    $berth run -d --network none --name "h16-vp-$c" $mnt "$tag" sleep 3600 > /dev/null
  done
  br_ip=$($berth inspect -f '{{.NetworkSettings.IPAddress}}' h16-br-srv)
  ip link add h16ca$$ netns "/proc/$($berth inspect -f '{{.State.Pid}}' h16-vp-cli)/ns/net" type veth \
    peer name h16cb$$ netns "/proc/$($berth inspect -f '{{.State.Pid}}' h16-vp-srv)/ns/net"
  # (from the host: the containers have no CAP_NET_ADMIN)
  p=$($berth inspect -f '{{.State.Pid}}' h16-vp-cli)
  nsenter -t "$p" -n ip addr add 10.231.79.1/24 dev h16ca$$ && nsenter -t "$p" -n ip link set h16ca$$ up
  p=$($berth inspect -f '{{.State.Pid}}' h16-vp-srv)
  nsenter -t "$p" -n ip addr add 10.231.79.2/24 dev h16cb$$ && nsenter -t "$p" -n ip link set h16cb$$ up
  # bare namespaces: a veth pair (h16a/h16b), and h16x holding a bridge for h16c/h16d
  ns1=h16a$$ ns2=h16b$$ nsx=h16x$$ ns3=h16c$$ ns4=h16d$$
  for n in $ns1 $ns2 $nsx $ns3 $ns4; do ip netns add "$n" && ip -n "$n" link set lo up; done
  ip link add h16va$$ netns "$ns1" type veth peer name h16vb$$ netns "$ns2"
  ip -n "$ns1" addr add 10.231.78.1/24 dev h16va$$ && ip -n "$ns1" link set h16va$$ up
  ip -n "$ns2" addr add 10.231.78.2/24 dev h16vb$$ && ip -n "$ns2" link set h16vb$$ up
  ip -n "$nsx" link add h16xb type bridge && ip -n "$nsx" link set h16xb up
  i=1
  for n in $ns3 $ns4; do
    ip -n "$nsx" link add "h16xp$i" type veth peer name eth0 netns "$n"
    ip -n "$nsx" link set "h16xp$i" master h16xb && ip -n "$nsx" link set "h16xp$i" up
    ip -n "$n" addr add "10.231.80.$i/24" dev eth0 && ip -n "$n" link set eth0 up
    i=$((i + 1))
  done
  nfx="/proc/sys/net/bridge/bridge-nf-call-iptables"
  brnf_ns=''
  case "$(uname -r)" in
    [0-4].* | 5.[0-2].* | 5.[0-2]) ;;
    *) [ ! -e "$nfx" ] || brnf_ns=1 ;;
  esac
  # the set-ups, one a line: LABEL|SERVER_PREFIX|CLIENT_PREFIX|SERVER_IP
  {
    echo "containers, veth pair|$berth exec h16-vp-srv|$berth exec h16-vp-cli|10.231.79.2"
    echo "containers, berth bridge|$berth exec h16-br-srv|$berth exec h16-br-cli|$br_ip"
    echo "bare netns, veth pair|ip netns exec $ns2|ip netns exec $ns1|10.231.78.2"
    [ -z "$brnf_ns" ] || echo "bare netns, bridge, br_netfilter off|ip netns exec $ns4|ip netns exec $ns3|10.231.80.2"
    [ -z "$brnf_ns" ] || echo "bare netns, bridge, br_netfilter on + nft|ip netns exec $ns4|ip netns exec $ns3|10.231.80.2"
  } > "$work/setups"
  tput_one () { # LABEL SERVER_PREFIX CLIENT_PREFIX SERVER_IP
    case "$1" in
      *"br_netfilter off"*) ip netns exec "$nsx" sh -c "echo 0 > $nfx; nft delete table ip h16x 2> /dev/null; true" ;;
      *"br_netfilter on"*)
        ip netns exec "$nsx" sh -c "echo 1 > $nfx"
        ip netns exec "$nsx" nft -f - << 'NFT'
table ip h16x {
  chain postrouting { type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.231.80.0/24 oifname != "h16xb" masquerade
  }
  chain forward { type filter hook forward priority filter; policy accept;
    oifname "h16xb" ct state established,related accept
    iifname "h16xb" oifname "h16xb" accept
  }
}
NFT
        ;;
    esac
    $2 "$iperf" -s -1 -p 5201 > /dev/null 2>&1 &
    srv=$!
    try=0
    # until the server listens (iperf3 -J exits 0 on errors too: the JSON says)
    while :; do
      out=$($3 "$iperf" -c "$4" -p 5201 -t "$secs" -J --connect-timeout 2000 2> /dev/null) || true
      case "$out" in *'"sum_received"'*) break ;; esac
      try=$((try + 1))
      if [ "$try" -ge 30 ]; then
        echo "throughput: $1: no iperf3 result" >&2
        out=''
        kill "$srv" 2> /dev/null
        break
      fi
      sleep 0.2
    done
    wait "$srv" 2> /dev/null || true
    printf '%s\n' "$out" | "$py" -c '
import json, sys
label = sys.argv[1]
try:
    e = json.load(sys.stdin)["end"]
except Exception:
    sys.exit(0)
r, c = e["sum_received"], e["cpu_utilization_percent"]
cpu = (c["host_total"] + c["remote_total"]) / 100 * r["seconds"]
print("%s|%.3f|%.4f" % (label, r["bits_per_second"] / 1e9, cpu / (r["bytes"] / 1e9)))' "$1" >> "$work/tput"
  }
  : > "$work/tput"
  k=1
  while [ "$k" -le "$nr" ]; do
    while IFS='|' read -r label sp cp sip <&3; do tput_one "$label" "$sp" "$cp" "$sip"; done 3< "$work/setups"
    k=$((k + 1))
  done
  "$py" - "$work/tput" "$nr" "$secs" << 'PY'
import statistics as st, sys
rows = {}
for l in open(sys.argv[1]):
    label, g, c = l.rstrip("\n").split("|")
    rows.setdefault(label, []).append((float(g), float(c)))
print("throughput (iperf3, TCP, 1 stream, %s s, %s rounds, medians):" % (sys.argv[3], sys.argv[2]))
med = {}
for label, v in rows.items():
    med[label] = (st.median(x[0] for x in v), st.median(x[1] for x in v))
    print("  %-42s %6.2f Gbit/s  %6.3f CPU s/GB   runs: %s" % (label, med[label][0], med[label][1],
          " ".join("%.2f" % x[0] for x in v)))
ref, br = "containers, veth pair", "containers, berth bridge"
if ref in med and br in med:
    print("berth bridge / veth pair, containers alike: %.0f%% of the throughput (target >= 90%%), %.2fx the CPU per GB"
          % (100 * med[br][0] / med[ref][0], med[br][1] / med[ref][1]))
bare = "bare netns, veth pair"
if bare in med and br in med:
    print("berth bridge / bare veth pair: %.0f%% of the throughput, %.2fx the CPU per GB"
          % (100 * med[br][0] / med[bare][0], med[br][1] / med[bare][1]))
off, on = "bare netns, bridge, br_netfilter off", "bare netns, bridge, br_netfilter on + nft"
if off in med and on in med and bare in med:
    print("bare bridge / bare veth pair: br_netfilter off %.0f%% (%.2fx CPU per GB), on %.0f%% (%.2fx CPU per GB)"
          % (100 * med[off][0] / med[bare][0], med[off][1] / med[bare][1],
             100 * med[on][0] / med[bare][0], med[on][1] / med[bare][1]))
PY
  $berth rm -f h16-br-srv h16-br-cli h16-vp-srv h16-vp-cli > /dev/null
}
net_cleanup () { # under set -e: nothing here may fail, or cleanup would not run
  if [ -n "${dockerd_net_pid:-}" ]; then
    ids=$($dkn ps -aq 2> /dev/null) || true
    [ -z "$ids" ] || $dkn rm -f $ids > /dev/null 2>&1 || true
    stop_pid "$dockerd_net_pid" || true
    c=$(cat "$work/docker-net/exec/containerd/containerd.pid" 2> /dev/null) || true
    [ -z "$c" ] || stop_pid "$c" || true
  fi
  ip link del "h16dk$$" 2> /dev/null || true
  for n in a b c d x; do ip netns del "h16$n$$" 2> /dev/null || true; done
  return 0
}
# berthd's bridge and table go once berthd has stopped (cleanup)
net_cleanup_after () {
  ip link del "h16br$$" 2> /dev/null || true
  nft delete table ip "h16_bench$$" 2> /dev/null || true
  i=1
  while [ "$i" -le "$n_berthd" ]; do
    ip link del "h16b$i$$" 2> /dev/null || true
    nft delete table ip "h16_b${i}_$$" 2> /dev/null || true
    i=$((i + 1))
  done
}
trap 'trap "" INT TERM; net_cleanup; cleanup; net_cleanup_after' EXIT
if [ "${NET_ONLY:-0}" = 1 ]; then
  net_bench
  echo
  echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  exit 0
fi

# ---- dockerd ----
if [ -n "$dockerd" ]; then
  dd="$work/docker"
  mkdir -p "$dd/data" "$dd/exec" "$dd/cli"
  # its own config file, trust key and client config: nothing under /etc/docker or ~/.docker
  printf '{"deprecated-key-path": "%s"}\n' "$dd/key.json" > "$dd/daemon.json"
  echo "{}" > "$dd/cli/config.json" # podman reads it too, for auth
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
  echo "docker: $($dk version --format '{{.Server.Version}}'), runtime $($dk info --format '{{.DefaultRuntime}}')" \
    "($(runc --version 2> /dev/null | head -1)), overlay2"
else
  echo "docker: not installed, skipped"
fi

# ---- podman ----
if [ -n "$podman" ]; then
  pd="$work/podman"
  mkdir -p "$pd/root" "$pd/run" "$pd/tmp" "$pd/net" "$pd/vol"
  pm="$podman --root $pd/root --runroot $pd/run --tmpdir $pd/tmp --network-config-dir $pd/net --volumepath $pd/vol --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
  # podman raises RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 / 4194304, above
  # this machine's hard limits (20000 / 96365), which root cannot raise here
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n' > "$pd/containers.conf"
  export CONTAINERS_CONF="$pd/containers.conf"
  podman_used=1
  $pm load -q -i "$img" > /dev/null
  pm_image=$($pm images -q | head -1)
  echo "podman: $($pm version --format '{{.Client.Version}}'), runtime" \
    "$($pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}' | head -1), overlay, cgroupfs"
else
  echo "podman: not installed, skipped"
fi

# ---- crun bundle: the same rootfs, /bin/true ----
if [ -n "$crun" ]; then
  # crun 1.8 refuses this machine's hybrid cgroups unless hugetlb is a v1 hierarchy
  if ! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/self/mountinfo && [ -d /sys/fs/cgroup/unified ]; then
    mkdir -p /sys/fs/cgroup/hugetlb
    mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb && hugetlb_mounted=1
  fi
  cb="$work/crun"
  mkdir -p "$cb/bundle/rootfs" "$cb/state"
  tar -C "$cb/bundle/rootfs" -xf "$work/img/rootfs.tar"
  (cd "$cb/bundle" && "$crun" spec)
  sed -i 's|"terminal": true|"terminal": false|; s|"sh"|"/bin/true"|' "$cb/bundle/config.json"
  sed -i 's|"linux": {|"linux": { "cgroupsPath": "/h7-bench-crun/run",|' "$cb/bundle/config.json"
  # a second bundle with the spec berthd writes for such a container (seccomp
  # profile, capabilities, masked paths, the /etc bind mounts...) on the same
  # plain rootfs: what the engine adds beyond its runtime's work
  id=$($berth run -d --network none "$tag" sleep 600)
  mkdir -p "$cb/spec/rootfs" "$cb/spec/etc"
  "$py" - "$bd/run/containers/$id/config.json" "$cb/spec" << 'PY'
import json, os, shutil, sys
src, out = sys.argv[1], sys.argv[2]
c = json.load(open(src))
c["ociVersion"] = "1.0.0"  # crun 1.8 knows up to 1.0.x
c["root"] = {"path": os.path.normpath(os.path.join(out, "../bundle/rootfs")), "readonly": False}
c["process"]["args"] = ["/bin/true"]
c["linux"]["cgroupsPath"] = "/h7-bench-crun/spec"
for m in c["mounts"]:
    if m.get("type") == "bind" and m["source"].startswith("/") and m["destination"].startswith("/etc/"):
        dst = os.path.join(out, "etc", os.path.basename(m["destination"]))
        shutil.copy(m["source"], dst)
        m["source"] = dst
json.dump(c, open(os.path.join(out, "config.json"), "w"))
PY
  rmdir "$cb/spec/rootfs"
  $berth rm -f "$id" > /dev/null
  echo "crun: $("$crun" --version | head -1) (run of a bundle: the floor; \`crun spec\` and berth's own spec)"
else
  echo "crun: not installed, skipped"
fi

# ================= 1. run --rm true =================
echo
echo "== 1. run --rm --network none IMAGE true: $rounds rounds x $per_round runs per command (+1 warm-up each round)"
set -- -n berth "$berth run --rm --network none $tag true"
$berth run --rm --network none "$tag" true || { tail "$bd/berthd.log" >&2; echo "$me: a trial berth run failed" >&2; exit 1; }
if [ -n "$dockerd" ]; then
  $dk run --rm --network none "$tag" true || { echo "$me: a trial docker run failed" >&2; exit 1; }
  set -- "$@" -n docker "$dk run --rm --network none $tag true"
fi
if [ -n "$podman" ]; then
  $pm run --rm --network none "$pm_image" true || { echo "$me: a trial podman run failed" >&2; exit 1; }
  set -- "$@" -n podman "$pm run --rm --network none $pm_image true"
fi
if [ -n "$crun" ]; then
  c="$crun --root $cb/state run -b $cb/bundle h7-bench"
  $c || { echo "$me: a trial crun run failed" >&2; exit 1; }
  set -- "$@" -n crun "$c"
  c="$crun --root $cb/state run -b $cb/spec h7-bench-spec"
  $c || { echo "$me: a trial crun run of berth's spec failed" >&2; exit 1; }
  set -- "$@" -n crun-berth-spec "$c"
fi
r=1
while [ "$r" -le "$rounds" ]; do
  hyperfine -N --style none --warmup 1 --runs "$per_round" \
    --export-json "$work/run-$r.json" "$@" > /dev/null 2> "$work/hyperfine.err" || { cat "$work/hyperfine.err" >&2; exit 1; }
  r=$((r + 1))
done
"$py" - "$work" "$rounds" << 'PY'
import json, statistics as st, sys
work, rounds = sys.argv[1], int(sys.argv[2])
times = {}
for r in range(1, rounds + 1):
    for res in json.load(open("%s/run-%d.json" % (work, r)))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
med = {}
print("%-15s %6s %10s %10s %10s %10s" % ("", "runs", "median ms", "mean ms", "stddev", "min ms"))
for name, t in times.items():  # "command" holds the -n name
    med[name] = st.median(t)
    print("%-15s %6d %10.1f %10.1f %10.1f %10.1f" % (name, len(t), med[name] * 1e3, st.mean(t) * 1e3,
                                                  st.stdev(t) * 1e3, min(t) * 1e3))
for other, target in (("docker", "<= 0.20"), ("podman", None), ("crun", "<= 4.0"), ("crun-berth-spec", None)):
    if other in med:
        print("berth/%-15s %5.2fx%s" % (other, med["berth"] / med[other], "  (target %s)" % target if target else ""))
PY

# ================= 2. 50 in parallel =================
echo
echo "== 2. $n_par containers: run -d in parallel (xargs -P $n_par), then rm -f in parallel; $par_rounds rounds, alternating"
par () { # LABEL CLI...: prints "start_s rm_s"
  label=$1
  shift
  t0=$(date +%s.%N)
  seq "$n_par" | xargs -P "$n_par" -I{} "$@" run -d --network none --name "h7-par-{}" "$tag" sleep 600 > /dev/null
  t1=$(date +%s.%N)
  n=$("$@" ps -q | wc -l)
  [ "$n" = "$n_par" ] || { echo "$me: $label: $n containers running, not $n_par" >&2; exit 1; }
  seq "$n_par" | xargs -P "$n_par" -I{} "$@" rm -f "h7-par-{}" > /dev/null
  t2=$(date +%s.%N)
  n=$("$@" ps -aq | wc -l)
  [ "$n" = 0 ] || { echo "$me: $label: $n containers left after rm -f" >&2; exit 1; }
  echo "$t0 $t1 $t2" | awk '{ printf "%.3f %.3f\n", $2 - $1, $3 - $2 }'
}
: > "$work/par"
r=1
while [ "$r" -le "$par_rounds" ]; do
  echo "berth $(par berth $berth)" >> "$work/par"
  [ -z "$dockerd" ] || echo "docker $(par docker $dk)" >> "$work/par"
  r=$((r + 1))
done
"$py" - "$work/par" << 'PY'
import statistics as st, sys
rows = {}
for line in open(sys.argv[1]):
    n, s, r = line.split()
    rows.setdefault(n, []).append((float(s), float(r)))
med = {}
print("%-7s %18s %16s %16s" % ("", "start (s, median)", "rm (s, median)", "total (s)"))
for n, v in rows.items():
    s = st.median(x[0] for x in v); r = st.median(x[1] for x in v); t = st.median(x[0] + x[1] for x in v)
    med[n] = (s, r, t)
    print("%-7s %18.2f %16.2f %16.2f   rounds: %s" % (n, s, r, t, " ".join("%.2f+%.2f" % x for x in v)))
if "docker" in med:
    b, d = med["berth"], med["docker"]
    print("berth/docker: start %.2fx  rm %.2fx  total %.2fx  (target total <= 0.25)" % (b[0] / d[0], b[1] / d[1], b[2] / d[2]))
PY

# ================= 3. idle memory =================
echo
echo "== 3. idle memory (KiB; VmRSS, and Pss: shared pages divided among their users)"
ppid_of () { awk '{ print $4 }' "/proc/$1/stat"; }
for i in 1 2 3; do $berth run -d --network none --name "h7-idle-$i" "$tag" sleep 600 > /dev/null; done
[ -z "$dockerd" ] || for i in 1 2 3; do $dk run -d --network none --name "h7-idle-$i" "$tag" sleep 600 > /dev/null; done
[ -z "$podman" ] || for i in 1 2 3; do $pm run -d --network none --name "h7-idle-$i" "$pm_image" sleep 600 > /dev/null; done
sleep 2
printf '%-34s %8s %8s\n' "" VmRSS Pss
line () { printf '%-34s %8s %8s\n' "$1" $2; }
line "berthd, just started" "$berthd_mem_fresh"
shim1=''
for i in 1 2 3; do
  p=$($berth inspect -f '{{.State.Pid}}' "h7-idle-$i")
  s=$(ppid_of "$p")
  [ -n "$shim1" ] || shim1=$s
  line "berth-shim (container $i)" "$(mem "$s")"
done
if [ -n "$dockerd" ]; then
  line "dockerd (3 containers)" "$(mem "$dockerd_pid")"
  line "containerd (3 containers)" "$(mem "$(cat "$dd/exec/containerd/containerd.pid")")"
  for i in 1 2 3; do
    p=$($dk inspect -f '{{.State.Pid}}' "h7-idle-$i")
    line "$(cat "/proc/$(ppid_of "$p")/comm") (container $i)" "$(mem "$(ppid_of "$p")")"
  done
fi
if [ -n "$podman" ]; then
  for i in 1 2 3; do
    p=$($pm inspect -f '{{.State.Pid}}' "h7-idle-$i")
    line "podman $(cat "/proc/$(ppid_of "$p")/comm") (container $i)" "$(mem "$(ppid_of "$p")")"
  done
fi
echo "berth-shim (container 1): resident KiB per mapping, largest first"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6 ? $6 : "[anon]") }
     /^Rss:/ { rss[name] += $2 } /^Private_Dirty:/ { dirty[name] += $2 }
     END { for (n in rss) if (rss[n] > 0) printf "  %6d  (private dirty %5d)  %s\n", rss[n], dirty[n], n }' \
  "/proc/$shim1/smaps" | sort -rn | head -14
echo "  libraries mapped: $(awk 'NF >= 6 && $6 ~ /\.so/ { print $6 }' "/proc/$shim1/maps" | sort -u | wc -l)"
$berth rm -f h7-idle-1 h7-idle-2 h7-idle-3 > /dev/null
[ -z "$dockerd" ] || $dk rm -f h7-idle-1 h7-idle-2 h7-idle-3 > /dev/null
[ -z "$podman" ] || $pm rm -f -t 0 h7-idle-1 h7-idle-2 h7-idle-3 > /dev/null
sleep 1
line "berthd, after 1-3, no containers" "$(mem "$berthd_pid")"

# ================= 4. 0 vs 500 stopped =================
# Two berthds, the same image in both: the first one as left by 1-3 (no
# container), the second holding 500 stopped containers; hyperfine rounds
# alternate between them, so load from elsewhere hits both states alike.
echo
echo "== 4. berth run --rm with 0 vs $n_stopped stopped containers (a second berthd): $rounds rounds x 2 runs each"
one0="$berth run --rm --network none $tag true"
start_berthd "$work/berth-stopped"
$berth load -q -i "$img" > /dev/null
one500="$berth run --rm --network none $tag true"
t0=$(date +%s.%N)
seq "$n_stopped" | xargs -P 2 -I{} $berth create --network none --name "h7-stopped-{}" "$tag" true > /dev/null
t1=$(date +%s.%N)
n=$($berth ps -aq | wc -l)
[ "$n" = "$n_stopped" ] || { echo "$me: $n containers, not $n_stopped" >&2; exit 1; }
r=1
while [ "$r" -le "$rounds" ]; do
  hyperfine -N --style none --warmup 1 --runs 2 --export-json "$work/stopped-$r.json" \
    -n "0 stopped" "$one0" -n "$n_stopped stopped" "$one500" > /dev/null 2> "$work/hyperfine.err" \
    || { cat "$work/hyperfine.err" >&2; exit 1; }
  r=$((r + 1))
done
n=$($berth ps -aq | wc -l)
[ "$n" = "$n_stopped" ] || { echo "$me: $n containers after the runs, not $n_stopped" >&2; exit 1; }
"$py" - "$work" "$rounds" "$n_stopped" "$(echo "$t0 $t1" | awk '{ print $2 - $1 }')" << 'PY'
import json, statistics as st, sys
work, rounds, n, tc = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
times = {}
for r in range(1, rounds + 1):
    for res in json.load(open("%s/stopped-%d.json" % (work, r)))["results"]:
        times.setdefault(res["command"], []).extend(res["times"])
for name, t in times.items():
    print("%-12s runs %2d  median %6.1f ms  (min %.1f, max %.1f)" % (name, len(t), st.median(t) * 1e3, min(t) * 1e3, max(t) * 1e3))
m0, m1 = st.median(times["0 stopped"]), st.median(times[n + " stopped"])
print("ratio %s/0: %.2fx (target ~1)" % (n, m1 / m0))
print("(creating the %s took %.1f s, %.1f ms each, 2 in parallel)" % (n, tc, tc / int(n) * 1e3))
PY
if [ "${NET_BENCH:-1}" = 1 ]; then net_bench; fi

echo
echo "machine: load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
