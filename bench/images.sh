#!/bin/sh
# `berth load` vs `docker load` of the same docker-archive: a 3-layer image of
# about 300 MB (each layer ~50 MB of random files and ~50 MB of text files,
# uncompressed layer tars as `docker save` writes them), built here,
# deterministically.  One private berthd per storage driver (vfs, overlay,
# and btrfs on a loop-mounted image when mkfs.btrfs exists), each on its own
# data root; a private dockerd (overlay2) when /usr/sbin/dockerd exists.
# Image, data roots and apply targets sit on a fresh ext4 (journaled) on a
# loop device backed by a file on the build machine's disk (see below why).
# hyperfine times both loads side by side, every run into an empty store
# (the image is removed and the disk synced before it), in ROUNDS (default 3)
# calls of RUNS (default 2) runs each, so that the engines alternate round by
# round on a machine whose load changes; medians are over all runs.
# Then the apply alone: GNU `tar -x` of one ~100 MB layer vs berth's
# layer_apply of the same tar into an empty directory on the same disk (a
# small program built here against the build's libberth-core.a), twice:
# hashing the stream (as for a tar of unknown content), and as load and pull
# apply a layer tar they have already verified (LAYER_APPLY_VERIFIED).
# Needs root, hyperfine, python3, cc and a built tree.
#   bench/images.sh [BUILD_DIR]       (default: the current directory)
# Everything lives under one temp dir (TMPDIR, default /tmp) and is removed,
# daemons stopped and mounts and loop devices released, on any exit.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-.}" && pwd)
runs=${RUNS:-2}
rounds=${ROUNDS:-3}
me=bench/images.sh
tag=bench/images:v1

[ "$(id -u)" = 0 ] || { echo "$me: needs root" >&2; exit 1; }
for tool in hyperfine python3 cc; do
  command -v "$tool" > /dev/null || { echo "$me: $tool is missing" >&2; exit 1; }
done
{ [ -x "$build/berthd" ] && [ -x "$build/berth" ]; } || { echo "$me: berthd/berth not built in $build" >&2; exit 1; }
[ -f "$build/core/.libs/libberth-core.a" ] || { echo "$me: $build/core/.libs/libberth-core.a not built" >&2; exit 1; }
dockerd=/usr/sbin/dockerd
docker=/usr/bin/docker # the client of the same docker.io package
{ [ -x "$dockerd" ] && [ -x "$docker" ]; } || dockerd=

work=$(mktemp -d "${TMPDIR:-/tmp}/images-bench.XXXXXX")
berthd_pid=''
run_docker_was_there=$(ls -d /run/docker 2> /dev/null || true)
dockerd_pid=''

stop_pid () { # PID: SIGTERM, up to 30 s, then SIGKILL
  kill -0 "$1" 2> /dev/null || return 0
  kill -TERM "$1" 2> /dev/null || true
  i=0
  while kill -0 "$1" 2> /dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
  kill -KILL "$1" 2> /dev/null || true
}

cleanup () {
  set +e
  [ -n "$berthd_pid" ] && stop_pid "$berthd_pid"
  if [ -n "$dockerd_pid" ]; then
    stop_pid "$dockerd_pid"
    # the containerd that dockerd started, if dockerd could not stop it
    c=$(cat "$disk/docker/exec/containerd/containerd.pid" 2> /dev/null)
    [ -n "$c" ] && stop_pid "$c"
    # dockerd makes its plugin socket dir there whatever its exec root
    [ -n "$run_docker_was_there" ] || rmdir /run/docker/plugins /run/docker 2> /dev/null
  fi
  # every mount below the work dir, deepest first (btrfs, leftovers of either daemon)
  awk -v w="$work" 'index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
  for f in ext4 btrfs; do
    for l in $(losetup -j "$work/$f.img" -O NAME -n 2> /dev/null); do losetup -d "$l"; done
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh journaled ext4 on a loop device (direct I/O, so the host disk's
# page cache is not used twice) holds the image, both daemons' data roots and
# the apply targets.  Not the root filesystem directly: where ext4 has no
# journal (this machine's root), inode allocation skips every inode freed in
# the last 60 s (recently_deleted()), so each run, which creates thousands of
# files right after the previous run's were removed, slowed down run after
# run (5-7 s instead of 2 s for the same berth load).
disk="$work/disk"
mkdir "$disk"
truncate -s 12G "$work/ext4.img"
mkfs.ext4 -q -F "$work/ext4.img"
loop=$(losetup -f --show --direct-io=on "$work/ext4.img")
mount "$loop" "$disk"

# ---- the image ----
echo "building the test image in $disk ..."
/usr/bin/env python3 - "$disk" "$tag" << 'PY'
import hashlib, io, json, os, random, sys, tarfile
work, tag = sys.argv[1], sys.argv[2]
MB = 1 << 20
words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
         "et dolore magna aliqua berth layer image container overlay btrfs archive manifest config digest "
         "sha256 chain parent whiteout opaque directory symlink hardlink device fifo owner mode mtime").split()

def layer(n, path):
    rng = random.Random(n)
    # a pool of text lines, then files made of lines drawn from it (compressible)
    pool = [" ".join(rng.choices(words, k=rng.randint(4, 14))) + "\n" for _ in range(4000)]
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
        def entry(name, data=None, mode=0o644):
            ti = tarfile.TarInfo(name)
            ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = 1700000000 + n, 0, 0, "", ""
            if data is None:
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            else:
                ti.size, ti.mode = len(data), mode
                t.addfile(ti, io.BytesIO(data))
        base = "opt/layer%d" % n
        entry("opt")
        entry(base)
        entry(base + "/bin")
        for i in range(25):  # 25 x 2 MiB random: incompressible, like binaries
            entry("%s/bin/blob%02d" % (base, i), rng.randbytes(2 * MB), 0o755)
        entry(base + "/share")
        for d in range(50):  # 50 dirs x 20 files x ~50 KiB of text
            entry("%s/share/d%02d" % (base, d))
            for f in range(20):
                lines, size = [], 0
                target = rng.randint(25, 75) * 1024
                while size < target:
                    chunk = rng.choices(pool, k=64)
                    lines += chunk
                    size += sum(map(len, chunk))
                entry("%s/share/d%02d/f%02d.txt" % (base, d, f), "".join(lines).encode())

def sha_file(p):
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()

diffs = []
for n in (1, 2, 3):
    p = os.path.join(work, "layer%d.tar" % n)
    layer(n, p)
    diffs.append(sha_file(p))
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["sh"]},
                  "history": [{"created": "2024-01-01T00:00:00Z", "created_by": "bench layer %d" % n} for n in (1, 2, 3)],
                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diffs]}},
                 sort_keys=True).encode()
cid = hashlib.sha256(cfg).hexdigest()
# the classic docker-archive layout (docker <= 24 `save`): <id>/layer.tar
man = [{"Config": cid + ".json", "RepoTags": [tag], "Layers": ["%s/layer.tar" % d for d in diffs]}]
with tarfile.open(os.path.join(work, "image.tar"), "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data=None, path=None):
        ti = tarfile.TarInfo(name)
        ti.mtime, ti.mode = 1700000000, 0o644
        if path is not None:
            ti.size = os.path.getsize(path)
            with open(path, "rb") as f:
                t.addfile(ti, f)
        else:
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
    for n, d in enumerate(diffs, 1):
        add(d + "/VERSION", b"1.0")
        add(d + "/json", json.dumps({"id": d}).encode())
        add(d + "/layer.tar", path=os.path.join(work, "layer%d.tar" % n))
    add(cid + ".json", cfg)
    add("manifest.json", json.dumps(man).encode())
    add("repositories", json.dumps({tag.split(":")[0]: {tag.split(":")[1]: diffs[-1]}}).encode())
PY
rm -f "$disk/layer2.tar" "$disk/layer3.tar"
img="$disk/image.tar"
echo "image: $(du -m "$img" | cut -f1) MiB, 3 layers; layer 1: $(du -m "$disk/layer1.tar" | cut -f1) MiB," \
  "$(tar -tf "$disk/layer1.tar" | wc -l) entries"

# ---- daemons ----
plugin_dirs=$(find "$build/plugins" -path '*/.libs/*.so' -printf '%h\n' | sort -u)

start_berthd () { # DRIVER DATA_ROOT
  d="$disk/berth-$1"
  mkdir -p "$d/run"
  {
    echo "data-root: $2"
    echo "exec-root: $d/run"
    echo "storage-driver: $1"
    echo "plugin-dirs:"
    for p in $plugin_dirs; do echo "  - $p"; done
  } > "$d/berth.yaml"
  "$build/berthd" --config "$d/berth.yaml" -H "unix://$d/run/berth.sock" --pidfile "$d/run/berthd.pid" \
    > "$d/berthd.log" 2>&1 &
  berthd_pid=$!
  berth="$build/berth -H unix://$d/run/berth.sock"
  i=0
  until $berth info > /dev/null 2>&1; do
    kill -0 "$berthd_pid" 2> /dev/null || { tail "$d/berthd.log" >&2; echo "$me: berthd ($1) exited" >&2; exit 1; }
    i=$((i + 1))
    [ "$i" -le 200 ] || { echo "$me: berthd ($1) does not answer" >&2; exit 1; }
    sleep 0.05
  done
}

stop_berthd () {
  stop_pid "$berthd_pid"
  berthd_pid=
}

start_dockerd () {
  d="$disk/docker"
  mkdir -p "$d/data" "$d/exec"
  # its own config file and trust key, so nothing under /etc/docker is read or written
  printf '{"deprecated-key-path": "%s"}\n' "$d/key.json" > "$d/daemon.json"
  "$dockerd" --config-file "$d/daemon.json" \
    --data-root "$d/data" --exec-root "$d/exec" -H "unix://$d/docker.sock" --pidfile "$d/docker.pid" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false --storage-driver overlay2 \
    > "$d/dockerd.log" 2>&1 &
  dockerd_pid=$!
  dk="$docker -H unix://$d/docker.sock"
  i=0
  until $dk version > /dev/null 2>&1; do
    kill -0 "$dockerd_pid" 2> /dev/null || { tail "$d/dockerd.log" >&2; echo "$me: dockerd exited" >&2; exit 1; }
    i=$((i + 1))
    [ "$i" -le 600 ] || { echo "$me: dockerd does not answer" >&2; exit 1; }
    sleep 0.1
  done
}

if [ -n "$dockerd" ]; then
  start_dockerd
  echo "docker: $($dk version --format '{{.Server.Version}}') (overlay2, data root on the same ext4)"
  $dk load -q -i "$img" > /dev/null || { echo "$me: a trial docker load failed" >&2; exit 1; }
  $dk rmi -f "$tag" > /dev/null
else
  echo "docker: $dockerd not installed, berth only"
fi

drivers="vfs overlay"
mkfs=$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.btrfs || true)
if [ -n "$mkfs" ] && truncate -s 4G "$work/btrfs.img" && "$mkfs" -q "$work/btrfs.img" > /dev/null 2>&1 \
   && bloop=$(losetup -f --show --direct-io=on "$work/btrfs.img") \
   && mkdir "$work/btrfs" && mount "$bloop" "$work/btrfs" 2> /dev/null; then
  drivers="$drivers btrfs"
else
  echo "btrfs: skipped (no mkfs.btrfs or no loop device)"
fi

for drv in $drivers; do
  case $drv in btrfs) root="$work/btrfs/data" ;; *) root="$disk/berth-$drv/data" ;; esac
  start_berthd "$drv" "$root"
  $berth load -q -i "$img" > /dev/null || { tail "$disk/berth-$drv/berthd.log" >&2; echo "$me: a trial berth load ($drv) failed" >&2; exit 1; }
  $berth rmi -f "$tag" > /dev/null
  set -- -n "berth-$drv" --prepare "$berth rmi -f $tag > /dev/null 2>&1; $berth image prune -a -f > /dev/null 2>&1; sync" \
    "$berth load -q -i $img"
  if [ -n "$dockerd" ]; then
    set -- "$@" -n docker --prepare "$dk rmi -f $tag > /dev/null 2>&1; sync" "$dk load -q -i $img"
  fi
  for round in $(seq "$rounds"); do
    hyperfine --warmup 1 --runs "$runs" --export-json "$work/load-$drv-$round.json" "$@"
  done
  $berth rmi -f "$tag" > /dev/null 2>&1 || true
  # the store must be empty again: nothing a run leaves behind is timed
  left=$(find "$root/image/layer-tars" -type f | wc -l)
  [ "$left" = 0 ] || echo "$me: warning: $left layer tars left in the $drv store after rmi"
  stop_berthd
  rm -rf "$root"
done

# ---- apply alone: tar -x vs layer_apply of layer 1 ----
cat > "$work/apply-bench.c" << 'C'
/* apply-bench TAR DIR [verified]: layer_apply (flatten mode) of TAR into DIR */
#include "config.h"

#include "core/image/layer-apply.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int
main (int argc, char **argv)
{
  berth_error_t err = NULL;
  struct layer_apply_opts opts = { .flags = 0 };
  int fd;

  if (argc != 3 && !(argc == 4 && strcmp (argv[3], "verified") == 0))
    return 2;
  if (argc == 4)
    opts.flags |= LAYER_APPLY_VERIFIED;
  fd = open (argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      perror (argv[1]);
      return 1;
    }
  if (layer_apply (fd, argv[2], &opts, NULL, &err) < 0)
    {
      fprintf (stderr, "apply-bench: %s\n", berth_error_msg (&err));
      return 1;
    }
  return 0;
}
C
# shellcheck disable=SC2046
cc -O2 -I"$build" -I"$here" -I"$here/include/plugin-api" $(pkg-config --cflags json-c libarchive) \
  -o "$work/apply-bench" "$work/apply-bench.c" "$build/core/.libs/libberth-core.a" \
  $(pkg-config --libs libarchive libcrypto json-c) -lpthread
l1="$disk/layer1.tar"
a="$disk/apply"
mkdir -p "$a/b" "$a/t" "$a/v"
"$work/apply-bench" "$l1" "$a/b"
"$work/apply-bench" "$l1" "$a/v" verified
tar -xf "$l1" -C "$a/t"
diff -r "$a/b" "$a/t" > /dev/null || { echo "$me: layer_apply and tar -x disagree" >&2; exit 1; }
diff -r "$a/v" "$a/t" > /dev/null || { echo "$me: layer_apply (verified) and tar -x disagree" >&2; exit 1; }
for round in $(seq "$rounds"); do
hyperfine --warmup 1 --runs "$runs" --export-json "$work/apply-$round.json" \
  --prepare "rm -rf $a/t && mkdir $a/t && sync" -n "tar -x" "tar -xf $l1 -C $a/t" \
  --prepare "rm -rf $a/b && mkdir $a/b && sync" -n "layer_apply" "$work/apply-bench $l1 $a/b" \
  --prepare "rm -rf $a/v && mkdir $a/v && sync" -n "layer_apply verified" "$work/apply-bench $l1 $a/v verified"
done

# ---- summary ----
/usr/bin/env python3 - "$work" "$drivers" "$(stat -c %s "$img")" "$(stat -c %s "$l1")" "$rounds" << 'PY'
import json, os, statistics, sys
work, drivers, img, l1, rounds = sys.argv[1], sys.argv[2].split(), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
def med(stem):
    # per command, the median of its runs over every round
    times = None
    for r in range(1, rounds + 1):
        res = json.load(open(os.path.join(work, "%s-%d.json" % (stem, r))))["results"]
        times = [[] for _ in res] if times is None else times
        for i, c in enumerate(res):
            times[i] += c["times"]
    return [statistics.median(t) for t in times]
def cpu(stem):
    # per command, user + system seconds per run, averaged over the rounds
    # (steadier than wall time on a shared machine)
    sums = None
    for r in range(1, rounds + 1):
        res = json.load(open(os.path.join(work, "%s-%d.json" % (stem, r))))["results"]
        sums = [0.0 for _ in res] if sums is None else sums
        for i, c in enumerate(res):
            sums[i] += (c["user"] + c["system"]) / rounds
    return sums
print()
print("load of a %d MB 3-layer image, median of %d runs each:" % (img // 10**6, rounds * int(os.environ.get("RUNS", "2"))))
print("%-8s %10s %10s %14s" % ("driver", "berth s", "docker s", "berth/docker"))
for d in drivers:
    m = med("load-%s" % d)
    if len(m) > 1:
        print("%-8s %10.2f %10.2f %13.2fx" % (d, m[0], m[1], m[0] / m[1]))
    else:
        print("%-8s %10.2f %10s %14s" % (d, m[0], "-", "-"))
print("target: berth <= 0.80x docker")
t, b, v = med("apply")
print()
print("apply of one %d MB uncompressed layer into an empty dir, median:" % (l1 // 10**6))
print("tar -x %.2f s (%.0f MB/s)  layer_apply %.2f s (%.0f MB/s)  ratio %.2fx  (target <= 1.5x)"
      % (t, l1 / t / 1e6, b, l1 / b / 1e6, b / t))
print("  as load/pull apply a verified kept tar: %.2f s (%.0f MB/s)  ratio %.2fx" % (v, l1 / v / 1e6, v / t))
ct, cb, cv = cpu("apply")
print("  CPU (user + sys): tar -x %.0f ms, layer_apply %.0f ms (%.2fx), verified %.0f ms (%.2fx)"
      % (ct * 1e3, cb * 1e3, cb / ct, cv * 1e3, cv / ct))
PY
