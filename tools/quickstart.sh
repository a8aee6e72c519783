#!/usr/bin/env bash
# Fresh Debian 12, as root: install dependencies, build, install, start berthd, run the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

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
