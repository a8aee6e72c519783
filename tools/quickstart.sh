#!/usr/bin/env bash
# Fresh Debian 12, as root: install dependencies, build, install, start berthd, run a container.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

tools/deps.sh build
autoreconf -fi >/dev/null
mkdir -p build && cd build
../configure -q --prefix=/usr/local --sysconfdir=/etc --localstatedir=/var 2>&1 | grep -v "cannot remove 'core'" || true
make -j"$(nproc)" >/dev/null
make install >/dev/null
getent group berth >/dev/null || groupadd --system berth

# Stop a berthd this script started before, then start the installed one.
if [ -f /run/berth/berthd.pid ] && kill -0 "$(cat /run/berth/berthd.pid)" 2>/dev/null; then
  kill "$(cat /run/berth/berthd.pid)"
  for _ in $(seq 50); do [ -S /run/berth/berth.sock ] || break; sleep 0.1; done
fi
nohup /usr/local/sbin/berthd >>/var/log/berthd.log 2>&1 &
for _ in $(seq 100); do [ -S /run/berth/berth.sock ] && break; sleep 0.1; done

/usr/local/bin/berth info

# The main job: a container from an image built here from Debian's busybox-static
# (no registry needed), run through the daemon.
if ! /usr/local/bin/berth image inspect busybox > /dev/null 2>&1; then
  rootfs=$(mktemp -d)
  rmdir "$rootfs"
  sh "$top/tests/fixtures/mkrootfs-busybox.sh" "$rootfs" > /dev/null
  tar -C "$rootfs" -c . | /usr/local/bin/berth import - busybox > /dev/null
  rm -rf "$rootfs"
fi
/usr/local/bin/berth run --rm busybox echo "hello from a berth container"
