#!/usr/bin/env bash
# Install what berth needs to build and test on Debian 12.  Idempotent.
# Usage: tools/deps.sh [build|test]   (default: test, which includes build)
set -euo pipefail

what=${1:-test}
build_pkgs=(build-essential autoconf automake libtool pkg-config
  libyaml-dev libjson-c-dev libmicrohttpd-dev libcurl4-openssl-dev
  libseccomp-dev libcap-dev libarchive-dev libssl-dev check busybox-static
  libnl-3-dev libnl-route-3-dev libnftables-dev)
test_pkgs=(curl python3 busybox-static valgrind hyperfine crun iproute2 zstd xz-utils util-linux procps
  btrfs-progs podman gcc-multilib libcap2-bin libc6-dev nftables docker-registry
  apache2-utils openssl bc clang libclang-rt-14-dev)
test_pkgs+=(iperf3) # bench/run.sh: container-to-container throughput

pkgs=("${build_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")
# The docker CLI drives berthd in the compatibility tests; take Debian's only when none is installed.
if [ "$what" = test ] && ! command -v docker >/dev/null 2>&1; then
  pkgs+=(docker.io)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
