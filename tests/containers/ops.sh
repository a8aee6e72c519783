# pause/unpause, top, stats, rename, port, container prune and sizes against
# a real berthd, through the API, berth and the stock docker CLI.
. "$top_srcdir/tests/integration/lib.sh"

ops_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  [ -n "$IT_PID" ] && kill -0 "$IT_PID" 2> /dev/null && { kill -TERM "$IT_PID"; wait "$IT_PID"; }
  IT_PID=
  # shims of containers the daemon no longer knows (a failed restore)
  for p in $(pgrep -f "berth-shim.*$IT_DIR" 2> /dev/null); do kill -KILL "$p" 2> /dev/null; done
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap ops_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
DOCKER=
for d in /usr/local/bin/docker /usr/bin/docker $(command -v docker 2> /dev/null); do
  [ -x "$d" ] && { DOCKER=$d; break; }
done
D () { DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$DOCKER" "$@"; }
API=http://x/v1.50
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"
# status code of a request: code METHOD PATH
code () { it_curl -o "$OUT" -w '%{http_code}' -X "$1" "$API$2"; }
state () { berth inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Paused}}' "$1"; }

# --- pause / unpause
berth run -d --name ops1 busybox sleep 1000 > /dev/null || it_fail "run -d"
it_assert_eq "$(berth pause ops1)" "ops1" "pause prints the name"
it_assert_eq "$(state ops1)" "paused true true" "paused state"
it_assert_eq "$(cat /sys/fs/cgroup/freezer/berth/$(berth inspect -f '{{.Id}}' ops1)/freezer.state 2> /dev/null \
  || cat /sys/fs/cgroup/berth/$(berth inspect -f '{{.Id}}' ops1)/cgroup.freeze)" "$(
  [ -d /sys/fs/cgroup/freezer ] && echo FROZEN || echo 1)" "the cgroup is frozen"
it_assert_contains "$(berth ps --format '{{.Status}}' -f name=ops1)" "(Paused)" "ps status"
it_assert_eq "$(code POST /containers/ops1/pause)" 409 "pause twice"
it_assert_contains "$(cat "$OUT")" "is already paused"
it_assert_eq "$(berth unpause ops1)" "ops1" "unpause"
it_assert_eq "$(state ops1)" "running true false" "running again"
it_assert_eq "$(code POST /containers/ops1/unpause)" 409 "unpause twice"
it_assert_contains "$(cat "$OUT")" "is not paused"
berth create --name ops-created busybox true > /dev/null
it_assert_eq "$(code POST /containers/ops-created/pause)" 409 "pause a created container"
it_assert_contains "$(cat "$OUT")" "is not running"
it_assert_eq "$(code POST /containers/nosuch/pause)" 404 "pause an unknown container"
rc=0; berth pause nosuch 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "berth pause unknown"
it_assert_contains "$(cat "$ERR")" "No such container: nosuch"
it_pass "pause/unpause: freezer, State.Paused, (Paused), 409 twice / not running, 404"

# stop, kill, rm -f of a paused container (sleep as pid 1 ignores SIGTERM)
berth pause ops1 > /dev/null
start=$(date +%s)
berth stop -t 1 ops1 > /dev/null || it_fail "stop a paused container"
[ $(($(date +%s) - start)) -lt 10 ] || it_fail "stop of a paused container took too long"
it_assert_eq "$(state ops1)" "exited false false" "stopped from paused"
berth start ops1 > /dev/null && berth pause ops1 > /dev/null
berth kill ops1 > /dev/null || it_fail "kill a paused container"
it_wait 50 sh -c "[ \"\$('$BERTH' inspect -f '{{.State.Status}}' ops1)\" = exited ]" || it_fail "kill of a paused container"
berth start ops1 > /dev/null && berth pause ops1 > /dev/null
berth rm -f ops1 > /dev/null || it_fail "rm -f a paused container"
it_pass "stop, kill and rm -f of a paused container"

# --- live restore keeps it paused
berth run -d --name ops-live busybox sleep 1000 > /dev/null
berth pause ops-live > /dev/null
kill -KILL "$IT_PID"; wait "$IT_PID" 2> /dev/null; IT_PID=
it_start_daemon
it_assert_eq "$(state ops-live)" "paused true true" "paused after a daemon restart"
berth unpause ops-live > /dev/null || it_fail "unpause after restart"
it_assert_eq "$(state ops-live)" "running true false" "running after unpause"
berth pause ops-live > /dev/null
it_stop_daemon || it_fail "daemon stop"
it_start_daemon
it_assert_eq "$(state ops-live)" "paused true true" "paused after a clean daemon restart"
berth rm -f ops-live > /dev/null || it_fail "rm -f after restart"
it_pass "live restore of a paused container"

# --- top
berth run -d --name ops-top busybox sh -c 'sleep 1000 & exec sleep 999' > /dev/null
it_wait 30 sh -c "'$BERTH' top ops-top | grep -q 'sleep 1000'" || it_fail "top shows the children"
berth top ops-top > "$OUT"
it_assert_contains "$(head -1 "$OUT")" "UID" "top titles"
it_assert_contains "$(cat "$OUT")" "sleep 999" "top shows pid 1"
[ "$(wc -l < "$OUT")" = 3 ] || it_fail "top: expected 2 processes: $(cat "$OUT")"
it_curl "$API/containers/ops-top/top?ps_args=-o%20pid,comm" > "$OUT"
it_assert_eq "$(it_json 'j["Titles"]' < "$OUT")" '["PID", "COMMAND"]' "ps_args titles"
it_assert_eq "$(it_json 'sorted(p[1] for p in j["Processes"])' < "$OUT")" '["sleep", "sleep"]' "ps_args rows"
it_assert_eq "$(berth top ops-top -o pid,args | tail -n +2 | awk '{print $2, $3}' | sort | tr '\n' ,)" \
  "sleep 1000,sleep 999," "berth top with ps options; the last column keeps its spaces"
it_assert_eq "$(code GET /containers/ops-created/top)" 409 "top of a stopped container"
it_assert_contains "$(cat "$OUT")" "is not running"
it_assert_eq "$(code GET '/containers/ops-top/top?ps_args=-o%20user=PID')" 400 "renaming PID refused"
it_pass "top: ps rows of the container's cgroup, ps_args, 409, refused args"

# --- stats
it_curl "$API/containers/ops-top/stats?stream=false" > "$OUT"
python3 - "$OUT" << 'EOF' || it_fail "stats stream=false: $(cat "$OUT")"
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("read", "preread", "pids_stats", "blkio_stats", "cpu_stats", "precpu_stats", "memory_stats", "name", "id"):
    assert k in j, k
assert "networks" not in j
assert j["name"] == "/ops-top" and len(j["id"]) == 64
c = j["cpu_stats"]
assert c["cpu_usage"]["total_usage"] > 0 and c["system_cpu_usage"] > 0 and c["online_cpus"] >= 1
assert "usage_in_kernelmode" in c["cpu_usage"] and "throttling_data" in c
assert j["precpu_stats"]["system_cpu_usage"] > 0, "precpu filled for stream=false"
assert j["preread"] != "0001-01-01T00:00:00Z"
assert j["memory_stats"]["usage"] > 0 and j["memory_stats"]["limit"] > 0 and "stats" in j["memory_stats"]
assert j["pids_stats"]["current"] == 2, j["pids_stats"]
assert isinstance(j["blkio_stats"]["io_service_bytes_recursive"], list)
EOF
it_curl "$API/containers/ops-top/stats?stream=false&one-shot=true" | it_json 'j["precpu_stats"]["cpu_usage"]["total_usage"]' > "$OUT"
it_assert_eq "$(cat "$OUT")" 0 "one-shot has no precpu"
it_assert_eq "$(code GET '/containers/ops-top/stats?stream=true&one-shot=true')" 400 "stream with one-shot"
it_curl "$API/containers/ops-created/stats?stream=false" | it_json '[j["read"], j["name"], j["memory_stats"]]' > "$OUT"
it_assert_eq "$(cat "$OUT")" '["0001-01-01T00:00:00Z", "/ops-created", {}]' "stats of a stopped container"
it_curl --max-time 3.5 "$API/containers/ops-top/stats" > "$OUT" 2> /dev/null
n=$(wc -l < "$OUT")
[ "$n" -ge 3 ] && [ "$n" -le 5 ] || it_fail "streaming stats: $n objects in 3.5 s"
tail -1 "$OUT" | it_json 'j["precpu_stats"]["cpu_usage"]["total_usage"] > 0' | grep -q true || it_fail "stream precpu: $(tail -1 "$OUT")"
berth stats --no-stream ops-top > "$OUT" || it_fail "berth stats --no-stream"
it_assert_eq "$(head -1 "$OUT" | tr -s ' ')" "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS" "stats header"
it_assert_contains "$(sed -n 2p "$OUT")" "ops-top" "stats row"
it_assert_eq "$(sed -n 2p "$OUT" | awk '{print $NF}')" 2 "stats PIDS"
it_assert_eq "$(berth stats --no-stream -a --format '{{.Name}} {{.PIDs}} {{.MemUsage}}' | grep ops-created)" \
  "ops-created 0 0B / 0B" "stats -a shows stopped containers with zeros"
rc=0; berth stats --no-stream nosuch 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "stats of an unknown container"
it_pass "stats: stream=false (precpu), one-shot, stopped, streaming, berth stats"

# --- rename
it_assert_eq "$(code POST '/containers/ops-top/rename?name=ops-created')" 409 "rename conflict"
it_assert_contains "$(cat "$OUT")" 'The container name \"/ops-created\" is already in use'
it_assert_eq "$(code POST '/containers/ops-top/rename?name=bad%20name')" 400 "rename bad name"
it_assert_eq "$(code POST '/containers/ops-top/rename?name=')" 400 "rename empty"
it_assert_eq "$(code POST '/containers/ops-top/rename?name=ops-top')" 400 "rename to itself"
berth rename ops-top ops-renamed || it_fail "berth rename (running)"
it_assert_eq "$(berth inspect -f '{{.Name}}' ops-renamed)" "/ops-renamed" "renamed"
berth rename ops-created ops-created2 || it_fail "berth rename (stopped)"
rc=0; berth rename ops-renamed ops-created2 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "berth rename conflict"
it_assert_contains "$(cat "$ERR")" "Error: failed to rename container named ops-renamed"
it_stop_daemon || it_fail "daemon stop"
it_start_daemon
it_assert_eq "$(berth inspect -f '{{.Name}}' ops-created2)" "/ops-created2" "rename persisted"
it_pass "rename: running and stopped, 409, 400, persisted"

# --- port
it_assert_eq "$(berth port ops-renamed)" "" "port lists nothing without published ports"
rc=0; berth port ops-renamed 80 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "port of an unpublished port"
it_assert_eq "$(cat "$ERR")" "Error: No public port '80/tcp' published for ops-renamed" "port error"
it_pass "port: none published, error for a missing port"

# --- sizes
berth run --name ops-size busybox sh -c 'head -c 12345 /dev/zero > /big; rm /bin/true' || it_fail "run ops-size"
it_assert_eq "$(it_curl "$API/containers/ops-size/json?size=1" | it_json 'j["SizeRw"]')" 12345 "SizeRw"
rootfs=$(it_curl "$API/containers/ops-size/json?size=1" | it_json 'j["SizeRootFs"]')
[ "$rootfs" -gt 12345 ] || it_fail "SizeRootFs $rootfs"
it_assert_eq "$(it_curl "$API/containers/json?all=1&size=1&filters=%7B%22name%22%3A%5B%22ops-size%22%5D%7D" | it_json 'j[0]["SizeRw"]')" \
  12345 "list size=1"
it_assert_contains "$(berth ps -a -s --format '{{.Size}}' -f name=ops-size)" "12.3kB (virtual " "ps -s"
berth ps -as | head -1 | grep -q 'SIZE$' || it_fail "ps -s header"
it_pass "size=1: SizeRw, SizeRootFs, ps -s"

# --- container prune
berth create --name ops-p1 -l keep=yes busybox true > /dev/null
berth create --name ops-p2 busybox true > /dev/null
it_curl -X POST "$API/containers/prune?filters=%7B%22label%22%3A%5B%22keep%22%5D%7D" > "$OUT"
it_assert_eq "$(it_json 'len(j["ContainersDeleted"])' < "$OUT")" 1 "prune with label filter"
berth inspect ops-p1 > /dev/null 2>&1 && it_fail "ops-p1 not pruned"
berth inspect ops-p2 > /dev/null 2>&1 || it_fail "ops-p2 pruned by a label filter"
it_assert_eq "$(code POST '/containers/prune?filters=%7B%22foo%22%3A%5B%22x%22%5D%7D')" 400 "prune unknown filter"
it_curl -X POST "$API/containers/prune?filters=%7B%22until%22%3A%5B%221000000000%22%5D%7D" | it_json 'j["ContainersDeleted"]' > "$OUT"
it_assert_eq "$(cat "$OUT")" "null" "until in the past prunes nothing"
echo n | berth container prune > "$OUT"
berth inspect ops-p2 > /dev/null 2>&1 || it_fail "prune answered n removed containers"
echo y | berth container prune > "$OUT" || it_fail "berth container prune"
it_assert_contains "$(cat "$OUT")" "Deleted Containers:" "prune output"
it_assert_contains "$(cat "$OUT")" "Total reclaimed space: 12.3" "prune reclaimed the size"
[ "$(berth ps -aq | wc -l)" = 1 ] || it_fail "prune left stopped containers: $(berth ps -a)"
berth inspect ops-renamed > /dev/null || it_fail "prune removed a running container"
it_pass "container prune: label/until filters, confirmation, -f, SpaceReclaimed"

# --- the stock docker CLI
if [ -n "$DOCKER" ]; then
  D pause ops-renamed > /dev/null || it_fail "docker pause"
  it_assert_eq "$(D inspect -f '{{.State.Status}}' ops-renamed)" "paused" "docker pause state"
  rc=0; D pause ops-renamed 2> "$ERR" || rc=$?
  [ "$rc" != 0 ] || it_fail "docker pause twice succeeded"
  it_assert_contains "$(cat "$ERR")" "is already paused"
  D unpause ops-renamed > /dev/null || it_fail "docker unpause"
  D top ops-renamed > "$OUT" || it_fail "docker top"
  it_assert_contains "$(cat "$OUT")" "sleep 999" "docker top"
  D top ops-renamed -o pid,comm > "$OUT" || it_fail "docker top with ps args"
  it_assert_eq "$(head -1 "$OUT" | tr -s ' ')" "PID COMMAND" "docker top titles"
  D stats --no-stream ops-renamed > "$OUT" || it_fail "docker stats --no-stream"
  it_assert_contains "$(head -1 "$OUT")" "MEM USAGE / LIMIT" "docker stats header"
  it_assert_eq "$(sed -n 2p "$OUT" | awk '{print $2, $NF}')" "ops-renamed 2" "docker stats row"
  D stats --no-stream --format '{{.CPUPerc}} {{.MemPerc}}' ops-renamed | grep -Eq '^[0-9]+\.[0-9]{2}% [0-9]+\.[0-9]{2}%$' \
    || it_fail "docker stats percentages"
  D rename ops-renamed ops-docker || it_fail "docker rename"
  it_assert_eq "$(D inspect -f '{{.Name}}' ops-docker)" "/ops-docker" "docker rename"
  it_assert_eq "$(D port ops-docker)" "" "docker port"
  rc=0; D port ops-docker 80/tcp 2> "$ERR" || rc=$?
  it_assert_eq "$rc" 1 "docker port of an unpublished port"
  it_assert_contains "$(cat "$ERR")" "No public port '80/tcp' published for ops-docker"
  D create --name ops-d1 busybox true > /dev/null
  D run --name ops-d2 busybox sh -c 'head -c 2000 /dev/zero > /f' || it_fail "docker run"
  it_assert_contains "$(D ps -a -s --format '{{.Names}} {{.Size}}' | grep ops-d2)" "ops-d2 2kB (virtual" "docker ps -s"
  D container prune -f > "$OUT" || it_fail "docker container prune -f"
  it_assert_contains "$(cat "$OUT")" "Deleted Containers:" "docker prune output"
  it_assert_contains "$(cat "$OUT")" "Total reclaimed space: 2kB" "docker prune space"
  [ "$(D ps -aq | wc -l)" = 1 ] || it_fail "docker prune left: $(D ps -a)"
  it_pass "docker CLI: pause, unpause, top, stats --no-stream, rename, port, container prune -f, ps -s"
else
  echo "# docker CLI not installed: its checks skipped"
fi

berth rm -f ops-docker ops-renamed > /dev/null 2>&1
exit 0
