# What the records of a container rely on now that fewer of them are
# synced (docs/performance.md, "Containers: run"): hostname, hosts and
# resolv.conf lost by a crash are written again at start; no mounts.json
# for a container without mounts; an --rm container whose run ended while
# the daemon was away is removed when it comes back; the state file is
# never left half-written or beside temp files.
. "$top_srcdir/tests/integration/lib.sh"

cr_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  [ -n "$IT_PID" ] && kill -0 "$IT_PID" 2> /dev/null && { kill -TERM "$IT_PID"; wait "$IT_PID"; }
  IT_PID=
  for p in $(pgrep -f "berth-shim.*$IT_DIR" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap cr_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
cdir () { echo "$IT_DATA/containers/$(berth inspect -f '{{.Id}}' "$1")"; }

# --- etc files lost by a crash (empty or missing) are written again at start
berth create --network none --name cr-etc -h cr-host busybox cat /etc/hostname /etc/resolv.conf > /dev/null \
  || it_fail "create"
d=$(cdir cr-etc)
: > "$d/hostname"
rm -f "$d/resolv.conf"
: > "$d/hosts"
berth start -a cr-etc > "$IT_DIR/out" 2>&1 || { cat "$IT_DIR/out" >&2; it_fail "start with lost etc files"; }
it_assert_eq "$(head -1 "$IT_DIR/out")" "cr-host" "hostname written again"
grep -q nameserver "$IT_DIR/out" || it_fail "resolv.conf written again: $(cat "$IT_DIR/out")"
grep -q localhost "$d/hosts" || it_fail "hosts written again"
it_pass "hostname, hosts, resolv.conf lost by a crash: written again at start"

# --- mounts.json only for a container with mounts; no temp files beside the records
[ -e "$d/mounts.json" ] && it_fail "mounts.json for a container without mounts"
berth create --network none --name cr-vol -v cr-vol-data:/data busybox true > /dev/null || it_fail "create with a volume"
dv=$(cdir cr-vol)
grep -q cr-vol-data "$dv/mounts.json" || it_fail "mounts.json of a container with a volume"
berth start cr-etc > /dev/null
berth start cr-vol > /dev/null
it_wait 50 sh -c "[ \"\$('$BERTH' inspect -f '{{.State.Status}}' cr-vol)\" = exited ]" || it_fail "cr-vol exit"
ls "$d" "$dv" | grep -q '\.tmp-' && it_fail "temp files left: $(ls "$d" "$dv")"
python3 -c "import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))" "$d/state.json" "$dv/state.json" \
  || it_fail "state.json is not JSON"
it_pass "mounts.json only with mounts; records whole, no temp files"

# --- an --rm container that exits while the daemon is away is removed when it returns
berth run -d --rm --network none --name cr-rm busybox sleep 1000 > /dev/null || it_fail "run -d --rm"
id=$(berth inspect -f '{{.Id}}' cr-rm)
pid=$(berth inspect -f '{{.State.Pid}}' cr-rm)
berth run -d --network none --name cr-keep busybox sleep 1000 > /dev/null || it_fail "run -d"
kill -KILL "$IT_PID"
wait "$IT_PID" 2> /dev/null
IT_PID=
kill -KILL "$pid"
it_wait 50 sh -c "! kill -0 $pid 2> /dev/null" || it_fail "the container's process did not end"
it_wait 50 sh -c "! pgrep -f 'berth-shim.*--id[= ]$id' > /dev/null" || it_fail "its shim did not end"
it_start_daemon
it_assert_eq "$(berth ps -aq --no-trunc --filter name=cr-rm)" "" "--rm container removed at restore"
[ -e "$IT_DATA/containers/$id" ] && it_fail "its directory is left"
it_assert_eq "$(berth inspect -f '{{.State.Status}}' cr-keep)" running "the other container is found running again"
berth rm -f cr-keep cr-etc cr-vol > /dev/null || it_fail "rm"
it_pass "--rm container ended while the daemon was away: removed at its restart"
