# A container's filesystem through berth and the docker CLI: diff (A/C/D,
# running and stopped), export (tar contents, -o, the terminal refusal),
# commit (the new image runs with the changes, deleted files stay deleted,
# -c/-m/-a, history, Parent, LastTagTime, an unchanged container gives an
# empty layer, --pause on a running container), on vfs and on overlay.
. "$top_srcdir/tests/integration/lib.sh"

layers_cleanup () {
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap layers_cleanup EXIT

docker=
for d in /usr/local/bin/docker /usr/bin/docker; do
  [ -x "$d" ] && { docker=$d; break; }
done

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
mkdir "$FIX/rootfs/olddir" "$FIX/rootfs/data"
echo old > "$FIX/rootfs/olddir/f"
echo keep > "$FIX/rootfs/etc/keep"
echo gone > "$FIX/rootfs/etc/gone"
echo same > "$FIX/rootfs/data/same"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
export BERTH_HOST="$IT_HOST"
berth () { timeout 60 "$BERTH" "$@"; }
D () { DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$docker" "$@"; }
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"

# the expected diff of container "c1" below, sorted
expected_diff='A /newdir
A /newdir/sub
A /newdir/sub/f
A /tmp/new
C /etc
C /etc/keep
C /tmp
D /etc/gone
D /olddir'

changes='echo mod >> /etc/keep; rm /etc/gone; rm -r /olddir; mkdir -p /newdir/sub; echo f > /newdir/sub/f; echo new > /tmp/new'

run_suite () {
  local driver=$1 id img out

  it_start_daemon --storage-driver "$driver" --data-root "$IT_DIR/data-$driver"
  it_assert_eq "$(it_curl http://x/info | it_json 'j["Driver"]')" "$driver" "storage driver"
  berth import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
  base=$(berth image inspect -f '{{.Id}}' busybox)

  # --- diff
  berth run --name c1 busybox sh -c "$changes" || it_fail "$driver: run c1"
  berth diff c1 > "$OUT" || it_fail "$driver: diff"
  it_assert_eq "$(sort "$OUT")" "$expected_diff" "$driver: berth diff"
  it_assert_eq "$(head -1 "$OUT")" "C /etc" "$driver: a directory comes before its changes"
  it_curl http://x/v1.50/containers/c1/changes > "$OUT"
  it_assert_eq "$(it_json '" ".join("%d:%s" % (c["Kind"], c["Path"]) for c in j if c["Path"].startswith("/etc"))' < "$OUT")" \
    "0:/etc 2:/etc/gone 0:/etc/keep" "$driver: API kinds"
  id=$(berth create busybox true)
  it_assert_eq "$(berth diff "$id")" "" "$driver: diff of a fresh container"
  berth rm "$id" > /dev/null
  rc=0; berth diff nosuch 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 1 "$driver: diff of a missing container"
  it_assert_contains "$(cat "$ERR")" "No such container: nosuch"
  it_pass "$driver: diff of a stopped container (A/C/D, parents as C), empty diff, missing container"

  # --- export
  berth export c1 > "$IT_DIR/c1.tar" || it_fail "$driver: export"
  tar -tf "$IT_DIR/c1.tar" | sed 's,^\./,,; s,/$,,' | sort > "$OUT"
  for p in bin/busybox bin/sh etc/keep tmp/new newdir/sub/f data/same; do
    grep -qx "$p" "$OUT" || it_fail "$driver: export lacks $p"
  done
  for p in etc/gone olddir olddir/f; do
    grep -qx "$p" "$OUT" && it_fail "$driver: export has the deleted $p"
  done
  mkdir "$IT_DIR/x-$driver"
  tar -C "$IT_DIR/x-$driver" -xf "$IT_DIR/c1.tar" || it_fail "$driver: extract the export"
  it_assert_eq "$(cat "$IT_DIR/x-$driver/etc/keep")" "keep
mod" "$driver: exported content"
  it_assert_eq "$(stat -c %a "$IT_DIR/x-$driver/tmp")" "1777" "$driver: exported mode"
  it_assert_eq "$(readlink "$IT_DIR/x-$driver/bin/sh")" "busybox" "$driver: exported symlink"
  berth export -o "$IT_DIR/c1-o.tar" c1 || it_fail "$driver: export -o"
  cmp -s "$IT_DIR/c1.tar" "$IT_DIR/c1-o.tar" || it_fail "$driver: export -o differs from export to stdout"
  out=$(script -qec "$BERTH export c1" /dev/null 2>&1) && it_fail "$driver: export to a terminal succeeded"
  it_assert_contains "$out" "cowardly refusing to save to a terminal. Use the -o flag or redirect"
  it_pass "$driver: export (contents, modes, symlinks, -o, refuses a terminal)"

  # --- commit
  img=$(berth commit -m "my change" -a "Tester <t@example.com>" -c 'CMD ["cat","/etc/keep"]' -c 'ENV K=V' c1 mine:v1) \
    || it_fail "$driver: commit"
  case "$img" in sha256:*) ;; *) it_fail "$driver: commit printed $img" ;; esac
  it_assert_eq "$(berth run --rm mine:v1)" "keep
mod" "$driver: the committed image runs its CMD with the change"
  it_assert_eq "$(berth run --rm mine:v1 sh -c 'test -e /etc/gone || echo gone; test -e /olddir || echo nodir; cat /newdir/sub/f /tmp/new /data/same; echo $K')" \
    "gone
nodir
f
new
same
V" "$driver: deletions (whiteouts) and additions in the committed image"
  it_assert_eq "$(berth image inspect -f '{{.Parent}}|{{.Author}}|{{.Comment}}|{{json .Config.Cmd}}' mine:v1)" \
    "$base|Tester <t@example.com>|my change|[\"cat\",\"/etc/keep\"]" "$driver: commit inspect"
  it_assert_eq "$(berth image inspect -f '{{json .RootFS.Layers}}' mine:v1 | it_json 'len(j)')" "2" "$driver: one more layer"
  case "$(berth image inspect -f '{{.Metadata.LastTagTime}}' mine:v1)" in
    0001-01-01*) it_fail "$driver: LastTagTime not set by commit" ;;
  esac
  berth history mine:v1 > "$OUT"
  it_assert_eq "$(sed -n 2p "$OUT" | cut -c1-12)" "$(echo "$img" | cut -c8-19)" "$driver: history top row"
  it_assert_contains "$(sed -n 2p "$OUT")" "my change" "$driver: history comment"
  it_assert_contains "$(sed -n 3p "$OUT")" "$(echo "$base" | cut -c8-19)" "$driver: history names the parent"
  it_pass "$driver: commit with -c/-m/-a: runs, keeps deletions, Parent, history, LastTagTime"

  # an unchanged container: no new layer, history says so
  id=$(berth create busybox true)
  img=$(berth commit "$id") || it_fail "$driver: commit of an unchanged container"
  it_assert_eq "$(berth image inspect -f '{{json .RootFS.Layers}}' "$img" | it_json 'len(j)')" "1" "$driver: empty commit adds no layer"
  it_assert_eq "$(berth image inspect -f '{{.Parent}}' "$img")" "$base" "$driver: empty commit Parent"
  berth rm "$id" > /dev/null
  rc=0; berth commit -c 'FROB x' c1 bad:1 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 1 "$driver: commit with a bad change"
  it_assert_contains "$(cat "$ERR")" "FROB"
  berth image inspect bad:1 > /dev/null 2>&1 && it_fail "$driver: a refused commit made an image"
  rc=0; berth commit nosuch 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 1 "$driver: commit of a missing container"
  it_assert_contains "$(cat "$ERR")" "No such container: nosuch"
  it_pass "$driver: empty commit (no layer), bad change and missing container refused"

  # --- a running container: diff, export, commit (paused and not)
  berth run -d --name r1 busybox sh -c 'echo run > /running; exec sleep 100' > /dev/null || it_fail "$driver: run -d"
  it_wait 50 sh -c "$BERTH diff r1 | grep -qx 'A /running'" || it_fail "$driver: diff of a running container: $(berth diff r1)"
  berth export r1 | tar -t | grep -qx running || it_fail "$driver: export of a running container"
  img=$(berth commit r1 run:1) || it_fail "$driver: commit of a running container"
  it_assert_eq "$(berth inspect -f '{{.State.Status}}' r1)" "running" "$driver: running after a paused commit"
  img=$(berth commit --pause=false r1 run:2) || it_fail "$driver: commit --pause=false"
  it_assert_eq "$(berth run --rm run:2 cat /running)" "run" "$driver: committed from a running container"
  grep -q "could not pause" "$IT_LOG" && it_fail "$driver: commit did not pause the running container"
  it_pass "$driver: diff, export, commit (paused and --pause=false) of a running container"

  # live restore: the daemon killed and restarted keeps the running
  # container's root mounted (an earlier overlay driver unmounted it at init)
  kill -KILL "$IT_PID"
  wait "$IT_PID" 2> /dev/null
  it_start_daemon --storage-driver "$driver" --data-root "$IT_DIR/data-$driver"
  it_assert_eq "$(berth inspect -f '{{.State.Status}}' r1)" "running" "$driver: r1 after the restart"
  berth export r1 | tar -t | grep -qx running || it_fail "$driver: export of a running container after a daemon restart"
  it_assert_eq "$(berth run --rm "$(berth commit r1)" cat /running)" "run" "$driver: commit after a daemon restart"
  berth rm -f r1 > /dev/null || it_fail "$driver: rm -f r1"
  it_pass "$driver: after kill -9 of berthd, a running container's root stays mounted for export and commit"

  # --- the docker CLI
  if [ -n "$docker" ]; then
    D diff c1 > "$OUT" || it_fail "$driver: docker diff"
    it_assert_eq "$(sort "$OUT")" "$expected_diff" "$driver: docker diff"
    D export c1 | tar -t | grep -qx 'etc/keep' || it_fail "$driver: docker export"
    D export -o "$IT_DIR/d.tar" c1 || it_fail "$driver: docker export -o"
    img=$(D commit -c 'CMD ["echo","hi"]' -m dm c1 dmine:1) || it_fail "$driver: docker commit: $img"
    it_assert_eq "$(berth run --rm dmine:1)" "hi" "$driver: docker commit CMD"
    it_assert_eq "$(D image inspect -f '{{.Comment}} {{.Parent}}' dmine:1)" "dm $base" "$driver: docker inspect of a commit"
    D history dmine:1 | grep -q dm || it_fail "$driver: docker history of a commit"
    img=$(D commit c1) || it_fail "$driver: docker commit without a config"
    it_pass "$driver: docker diff, export, commit"
  fi

  # older docker CLIs send the body `null` when no config is given
  it_assert_eq "$(it_curl -X POST -H 'Content-Type: application/json' -d null -o /dev/null -w '%{http_code}' \
    'http://x/v1.50/commit?container=c1')" "201" "$driver: commit with a null body"
  it_assert_eq "$(it_curl -X POST -H 'Content-Type: application/json' -d '[1]' -o /dev/null -w '%{http_code}' \
    'http://x/v1.50/commit?container=c1')" "400" "$driver: commit with a non-object body"

  # removed while an export reads it: the export completes, the layer goes after
  id=$(berth inspect -f '{{.Id}}' c1)
  { berth export c1 | { sleep 2; cat > "$IT_DIR/slow.tar"; }; } &
  slow=$!
  sleep 0.5
  berth rm c1 > /dev/null || it_fail "$driver: rm c1 during an export"
  wait "$slow" || it_fail "$driver: the export failed when its container was removed"
  cmp -s "$IT_DIR/slow.tar" "$IT_DIR/c1.tar" || it_fail "$driver: the export changed when its container was removed"
  [ -e "$IT_DIR/data-$driver/storage/$driver/$id" ] && it_fail "$driver: the layer outlived the export"
  it_pass "$driver: commit body null/invalid; rm during export defers the layer's removal"
  it_stop_daemon || it_fail "$driver: exit status after SIGTERM"
}

ran=
for driver in vfs overlay; do
  case " $IT_STORAGE_PLUGINS " in *" $driver "*) ;; *) continue ;; esac
  run_suite "$driver"
  ran="$ran $driver"
done
[ -n "$ran" ] || it_skip "neither vfs nor overlay is built"

# --- max-layer-size: a bad value stops the daemon; load/import and commit
# refuse a layer beyond the limit
set -- $ran; driver=$1
cp "$IT_CONFIG" "$IT_DIR/good.yaml"
echo "max-layer-size: 12q" >> "$IT_CONFIG"
out=$("$BERTHD" --config "$IT_CONFIG" --validate 2>&1) && it_fail "max-layer-size 12q accepted"
it_assert_contains "$out" "max-layer-size\` must be a size in bytes"
limit=$(( $(stat -c %s "$FIX/busybox.tar") / 1024 + 1024 ))
{ cat "$IT_DIR/good.yaml"; echo "max-layer-size: ${limit}k"; } > "$IT_CONFIG"
it_start_daemon --storage-driver "$driver" --data-root "$IT_DIR/data-limit"
berth import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import under the limit"
head -c $((limit * 1024 + 1)) /dev/zero > "$IT_DIR/big"
tar -C "$IT_DIR" -cf "$IT_DIR/big.tar" big
rc=0; berth import "$IT_DIR/big.tar" big:1 > /dev/null 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "import of a layer beyond max-layer-size"
it_assert_contains "$(cat "$ERR")" "larger than the limit of $((limit * 1024)) bytes uncompressed (max-layer-size)"
berth run --name big busybox sh -c "head -c $((limit * 1024)) /dev/zero > /big" || it_fail "run big"
rc=0; berth commit big big:2 > /dev/null 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "commit of a layer beyond max-layer-size"
it_assert_contains "$(cat "$ERR")" "max-layer-size"
berth image inspect big:2 > /dev/null 2>&1 && it_fail "a refused commit made an image"
berth rm big > /dev/null
it_stop_daemon || it_fail "exit status after SIGTERM"
it_pass "max-layer-size: bad value refused, import and commit beyond it refused"
