# Volumes and mounts against a real berthd, through berth and the stock
# docker CLI: named volumes (created on first use, data kept across
# containers, filled from the image), anonymous volumes (image VOLUME, -v
# /path; removed by rm -v and --rm), read-only mounts, binds (-v creates the
# host directory, --mount refuses a missing one), tmpfs with its size, the
# volume API and commands (create/ls/inspect/rm/prune, in-use refusal),
# inspect's Mounts, bad specs (125 with clear messages), and destinations
# that try to leave the rootfs through symlinks in the image.
. "$top_srcdir/tests/integration/lib.sh"

vol_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  rm -rf "$ESCAPE"
  it_cleanup
}
ESCAPE=/tmp/berth-h2-escape.$$
trap vol_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
# an image with VOLUME /data holding content, and symlinks that point out
mkdir -p "$FIX/extra/data/sub"
echo seeded > "$FIX/extra/data/sub/file"
ln -s /etc/passwd "$FIX/extra/data/link"
chown 1000:1000 "$FIX/extra/data" && chmod 0750 "$FIX/extra/data"
ln -s / "$FIX/extra/toroot"
ln -s "../../../../../..$ESCAPE" "$FIX/extra/evil"
mkdir -p "$FIX/extra$ESCAPE" && echo inside > "$FIX/extra$ESCAPE/inside"
cp "$FIX/busybox.tar" "$FIX/volimg.tar"
tar -C "$FIX/extra" -rf "$FIX/volimg.tar" ./data ./toroot ./evil ./tmp || it_fail "tar extra"

it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
"$BERTH" import -c "VOLUME /data" "$FIX/volimg.tar" volimg > /dev/null || it_fail "import volimg"
berth () { timeout 60 "$BERTH" "$@"; }
# the first mount of a container: mount1 CONTAINER 'python expression on m'
mount1 () { berth inspect -f '{{json .Mounts}}' "$1" | it_json "(lambda m: $2)(j[0])"; }
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"

# --- volume commands
it_assert_eq "$(berth volume create h2vol)" "h2vol" "volume create prints the name"
it_assert_eq "$(berth volume create --label a=b h2vol)" "h2vol" "create of an existing volume returns it"
name=$(berth volume create) || it_fail "volume create without a name"
[ ${#name} = 64 ] || it_fail "generated volume name: $name"
berth volume create --label team=x h2lab > /dev/null || it_fail "create with a label"
it_assert_eq "$(berth volume ls -q | sort | tr '\n' ' ')" "$(printf '%s\n' h2lab h2vol "$name" | sort | tr '\n' ' ')" "volume ls -q"
it_assert_eq "$(berth volume ls -q -f label=team=x)" "h2lab" "ls --filter label"
it_assert_eq "$(berth volume ls -q -f name=2vo)" "h2vol" "ls --filter name"
it_assert_eq "$(berth volume ls --format '{{.Name}} {{.Driver}} {{.Labels}}' -f name=h2lab)" "h2lab local team=x" "ls --format"
berth volume ls > "$OUT" || it_fail "volume ls"
it_assert_eq "$(head -1 "$OUT" | tr -s ' ')" "DRIVER VOLUME NAME" "ls header"
it_assert_eq "$(berth volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}}' h2vol)" "h2vol local local" "volume inspect"
it_assert_eq "$(berth inspect -f '{{.Mountpoint}}' h2vol)" "$IT_DATA/volume/local/h2vol/_data" "berth inspect finds volumes"
rc=0; berth volume inspect nosuch > /dev/null 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "inspect of a missing volume"
it_assert_contains "$(cat "$ERR")" "get nosuch: no such volume"
rc=0; berth volume create 'bad/name' 2> "$ERR" || rc=$?
[ "$rc" != 0 ] || it_fail "a bad volume name was accepted"
it_assert_contains "$(cat "$ERR")" "includes invalid characters for a local volume name"
rc=0; berth volume create -d nosuchdriver x1 2> "$ERR" || rc=$?
[ "$rc" != 0 ] || it_fail "an unknown driver was accepted"
it_assert_contains "$(cat "$ERR")" "nosuchdriver"
it_assert_eq "$(berth volume rm "$name" h2lab)" "$(printf '%s\nh2lab' "$name")" "volume rm prints the names"
berth volume rm -f nosuch > /dev/null || it_fail "rm -f of a missing volume is no error"
it_pass "volume create/ls/inspect/rm, filters, format, generated names, bad names and drivers"

# --- named volumes: data persists, read-only is enforced, in use cannot be removed
berth run --rm -v h2vol:/data busybox sh -c 'echo kept > /data/f' || it_fail "write to a named volume"
it_assert_eq "$(berth run --rm -v h2vol:/data:ro busybox cat /data/f)" "kept" "data persists across containers"
rc=0; berth run --rm -v h2vol:/data:ro busybox touch /data/g 2> "$ERR" || rc=$?
[ "$rc" != 0 ] || it_fail "write to a :ro volume succeeded"
it_assert_contains "$(cat "$ERR")" "Read-only file system"
rc=0; berth run --rm --mount type=volume,src=h2vol,dst=/data,readonly busybox touch /data/g 2> /dev/null || rc=$?
[ "$rc" != 0 ] || it_fail "write to a --mount readonly volume succeeded"
id=$(berth create --name h2user -v h2vol:/data busybox true) || it_fail "create with a volume"
rc=0; berth volume rm h2vol 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "rm of a volume in use"
it_assert_contains "$(cat "$ERR")" "remove h2vol: volume is in use - [$id]"
it_assert_eq "$(mount1 h2user '" ".join(str(m[k]) for k in ("Type", "Name", "Destination", "Driver", "RW"))')" \
  "volume h2vol /data local True" "inspect Mounts of a named volume"
it_assert_eq "$(berth volume ls -q -f dangling=false)" "h2vol" "a used volume is not dangling"
berth rm h2user > /dev/null || it_fail "rm h2user"
it_assert_eq "$(berth volume ls -q -f dangling=true)" "h2vol" "dangling after its container went"
berth run --rm -v firstuse:/etc busybox true || it_fail "named volume created on first use"
berth run --rm -v firstuse:/x busybox test -f /x/passwd || it_fail "a new volume is filled from the image"
berth run --rm -v nocp:/etc:nocopy busybox true || it_fail "nocopy"
it_assert_eq "$(berth run --rm -v nocp:/x busybox ls /x)" "" "nocopy leaves the volume empty"
it_pass "named volumes: persist, :ro and readonly enforced, in use refused (409), created and filled on first use, nocopy"

# --- anonymous volumes: image VOLUME, -v /path, rm -v, --rm, prune
berth run --name h2pre volimg sh -c 'cat /data/sub/file; readlink /data/link; stat -c "%u:%g %a" /data' > "$OUT" \
  || it_fail "run an image with VOLUME"
it_assert_eq "$(cat "$OUT" | tr '\n' ' ')" "seeded /etc/passwd 1000:1000 750 " "the anonymous volume holds the image's content"
anon=$(mount1 h2pre 'm["Name"]')
[ ${#anon} = 64 ] || it_fail "anonymous volume name: $anon"
it_assert_eq "$(berth volume inspect -f '{{json .Labels}}' "$anon")" '{"com.docker.volume.anonymous":""}' "anonymous label"
berth rm -v h2pre > /dev/null || it_fail "rm -v"
rc=0; berth volume inspect "$anon" > /dev/null 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "rm -v kept the anonymous volume"
berth run --name h2keep -v /anon busybox true || it_fail "-v /anon"
anon=$(mount1 h2keep 'm["Name"]')
berth rm h2keep > /dev/null || it_fail "rm without -v"
berth volume inspect "$anon" > /dev/null || it_fail "rm without -v removed the volume"
before=$(berth volume ls -q | wc -l)
berth run --rm -v /anon2 busybox true || it_fail "--rm with an anonymous volume"
it_assert_eq "$(berth volume ls -q | wc -l)" "$before" "--rm removes the anonymous volume"
berth volume prune -f > "$OUT" || it_fail "volume prune"
it_assert_contains "$(cat "$OUT")" "$anon"
berth volume inspect h2vol > /dev/null || it_fail "prune without -a removed a named volume"
berth volume prune -af > "$OUT" || it_fail "volume prune -a"
it_assert_contains "$(cat "$OUT")" "h2vol"
it_pass "anonymous volumes: image VOLUME filled with owner and mode, labelled, rm -v, --rm, prune (-a)"

# --- binds and tmpfs
berth run --rm -v "$IT_DIR/made/by/v:/h" busybox sh -c 'echo b > /h/f' || it_fail "-v with a missing host directory"
it_assert_eq "$(cat "$IT_DIR/made/by/v/f")" "b" "bind mount writes reach the host"
rc=0; berth run --rm --mount "type=bind,src=$IT_DIR/nosuch,dst=/h" busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "--mount with a missing source"
it_assert_contains "$(cat "$ERR")" "bind source path does not exist: $IT_DIR/nosuch"
mkdir -p "$IT_DIR/ro" && echo r > "$IT_DIR/ro/f"
rc=0; berth run --rm --mount "type=bind,source=$IT_DIR/ro,target=/r,ro" busybox sh -c 'cat /r/f; touch /r/g' > "$OUT" 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "write to a read-only bind succeeded"
it_assert_contains "$(cat "$OUT")" "r"
it_assert_eq "$(berth run --rm --tmpfs /run:size=1m,mode=1770 busybox sh -c 'grep " /run " /proc/mounts' | cut -d' ' -f3,4)" \
  "tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770" "--tmpfs with size and mode"
it_assert_eq "$(berth run --rm --mount type=tmpfs,dst=/t,tmpfs-size=2m busybox df -k /t | awk 'NR==2 {print $2}')" "2048" \
  "--mount type=tmpfs size"
id=$(berth create -v "$IT_DIR/ro:/b:ro" --tmpfs /t busybox true)
it_assert_eq "$(berth inspect -f '{{json .Mounts}}' "$id")" \
  "[{\"Type\":\"bind\",\"Source\":\"$IT_DIR/ro\",\"Destination\":\"/b\",\"Mode\":\"ro\",\"RW\":false,\"Propagation\":\"rprivate\"}]" \
  "inspect Mounts of a bind (tmpfs from --tmpfs not listed, as moby)"
berth rm "$id" > /dev/null
it_pass "binds (created by -v, refused by --mount when missing, read-only), tmpfs with size and mode, inspect Mounts"

# --- bad specs: 125 and a clear message
bad () {
  local want=$1
  shift
  rc=0; berth run --rm "$@" busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 125 "run $*"
  it_assert_contains "$(cat "$ERR")" "$want" "run $*"
}
bad "destination can't be '/'" -v h2x:/
bad "mount path must be absolute" -v h2x:rel
bad "invalid mode: bogus" -v h2x:/x:bogus
bad "Duplicate mount point: /x" -v h2x:/x -v h2y:/x
bad "invalid mount config for type \"tmpfs\": field Source must not be specified" --mount type=tmpfs,src=x,dst=/t
bad "mount type unknown" --mount type=weird,dst=/t
bad "target is required" --mount type=volume,src=x
bad "unexpected key 'foo'" --mount type=volume,foo=bar,dst=/x
bad "empty section between colons" -v a::/x
rc=0; it_curl -s -o "$OUT" -w '%{http_code}' -H 'Content-Type: application/json' -X POST \
  -d '{"Image":"busybox","Cmd":["true"],"HostConfig":{"VolumesFrom":["x"]}}' 'http://x/v1.50/containers/create' > "$ERR"
it_assert_eq "$(cat "$ERR")" 400 "VolumesFrom refused"
it_assert_contains "$(cat "$OUT")" "VolumesFrom"
it_pass "bad mount specs: 125 with moby's messages; VolumesFrom refused with 400"

# --- destinations never leave the rootfs
it_assert_eq "$(berth run --rm -v h2esc:/evil/sub volimg ls "$ESCAPE")" "$(printf 'inside\nsub')" \
  "a destination through a symlink pointing out lands inside the rootfs"
[ ! -e "$ESCAPE" ] || it_fail "a mount destination followed a symlink out of the rootfs: $ESCAPE exists"
it_assert_eq "$(berth run --rm -v h2esc2:/toroot/inside volimg sh -c 'grep -c " /inside " /proc/mounts')" "1" \
  "an absolute symlink in the image resolves inside the rootfs"
mkdir -p "$ESCAPE" && echo secret > "$ESCAPE/secret"
id=$(berth create -v /evil volimg true) && berth start "$id" > /dev/null || it_fail "VOLUME on a symlink pointing out"
anon=$(mount1 "$id" 'm["Name"]')
[ ! -e "$IT_DATA/volume/local/$anon/_data/secret" ] || it_fail "a volume was filled from a host path outside the rootfs"
[ -e "$IT_DATA/volume/local/$anon/_data/inside" ] || it_fail "the volume was not filled from the rootfs"
berth rm -v "$id" > /dev/null
it_pass "mount destinations and volume filling resolve symlinks inside the rootfs"

# --- volumes survive a daemon restart, with their users
id=$(berth create -v h2keep2:/k busybox true) || it_fail "create before restart"
run=$(berth run -d -v h2live:/k busybox sleep 300) || it_fail "run -d with a volume"
it_stop_daemon || it_fail "stop the daemon"
it_start_daemon
rc=0; berth volume rm h2keep2 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "in use after a daemon restart"
berth rm -v "$id" > /dev/null && berth volume rm h2keep2 > /dev/null || it_fail "rm after restart"
berth rm -f "$run" > /dev/null || it_fail "rm -f the running container"
berth volume rm h2live > /dev/null || it_fail "volume of a live-restored container not released"
! grep -q "unmount volume" "$IT_LOG" || it_fail "volume unmount errors: $(grep 'unmount volume' "$IT_LOG")"
it_pass "volume users and mounts are restored after a daemon restart"

# --- the stock docker CLI
if command -v docker > /dev/null; then
  DOCKER=$(command -v docker)
  docker () { timeout 60 "$DOCKER" -H "$IT_HOST" "$@"; }
  it_assert_eq "$(docker volume create h2dv)" "h2dv" "docker volume create"
  it_assert_contains "$(docker volume ls)" "h2dv"
  docker run --rm -v h2dv:/d busybox sh -c 'echo via-docker > /d/f' || it_fail "docker run -v"
  it_assert_eq "$(docker run --rm -v h2dv:/d:ro busybox cat /d/f)" "via-docker" "docker: data persists"
  rc=0; docker run --rm -v h2dv:/d:ro busybox touch /d/x 2> /dev/null || rc=$?
  [ "$rc" != 0 ] || it_fail "docker: :ro not enforced"
  it_assert_eq "$(docker volume inspect -f '{{.Driver}}' h2dv)" "local" "docker volume inspect"
  docker run --name h2d -v /anon busybox true || it_fail "docker run -v /anon"
  anon=$(docker inspect -f '{{range .Mounts}}{{.Name}}{{end}}' h2d)
  docker rm -v h2d > /dev/null || it_fail "docker rm -v"
  rc=0; docker volume inspect "$anon" > /dev/null 2>&1 || rc=$?
  [ "$rc" != 0 ] || it_fail "docker rm -v kept the anonymous volume"
  rc=0; docker run --rm --mount type=bind,src=/nonexistent-h2,dst=/x busybox true 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 125 "docker --mount with a missing source"
  it_assert_contains "$(cat "$ERR")" "bind source path does not exist"
  it_assert_eq "$(docker run --rm --tmpfs /t:size=1m busybox df -k /t | awk 'NR==2 {print $2}')" "1024" "docker --tmpfs"
  it_assert_eq "$(docker volume rm h2dv)" "h2dv" "docker volume rm"
  it_pass "docker CLI: volume create/ls/inspect/rm, run -v (persist, ro), rm -v, --mount errors, --tmpfs"
else
  echo "# docker CLI not installed: its scenarios skipped"
fi
