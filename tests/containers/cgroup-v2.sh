# berthd on a pure cgroup v2 host.  These machines are hybrid, so the daemon
# runs in a private mount namespace where the (controller-less) v2 tree is
# bind-mounted over /sys/fs/cgroup (see tests/runtime/cgroup-v2.sh): its
# containers land in /berth/<id> of the v2 tree, run, pause and stop there,
# and a limit whose controller the tree lacks is refused with its name.
if [ -z "${BERTH_V2_INNER:-}" ]; then
  [ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
  [ "$(stat -f -c %T /sys/fs/cgroup/unified 2> /dev/null)" = cgroup2fs ] || [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] \
    || { echo "SKIP: no cgroup v2 tree"; exit 77; }
  export BERTH_V2_INNER=1
  exec unshare -m --propagation private sh "$0" "$@"
fi
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]; then
  mount --bind /sys/fs/cgroup/unified /sys/fs/cgroup || { echo "FAIL: cannot bind the v2 tree"; exit 1; }
fi
. "$top_srcdir/tests/integration/lib.sh"

v2_cleanup () {
  if [ -n "${IT_PID:-}" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  it_cleanup
}
trap v2_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
berth () { timeout 60 "$BERTH" "$@"; }
berth import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
ERR="$IT_DIR/err"

it_assert_eq "$(berth info | sed -n 's/^ *Cgroup Version: //p')" 2 "info: cgroup version"

# (the kernel still lists its v1 hierarchies here: the v2 line is the last)
out=$(berth run --rm busybox cat /proc/self/cgroup) || it_fail "run on v2: $out"
it_assert_eq "$(echo "$out" | tail -n 1)" "0::/" "a private cgroup namespace by default on v2"
out=$(berth run --rm --cgroupns host busybox cat /proc/self/cgroup 2>&1) || it_fail "run --cgroupns host: $out"
case "$(echo "$out" | tail -n 1)" in 0::/berth/*) ;; *) it_fail "expected 0::/berth/<id> with --cgroupns host, got: $out" ;; esac
it_pass "run: a private cgroup namespace by default (Docker on v2), --cgroupns host shows /berth/<id>"

id=$(berth run -d busybox sleep 100) || it_fail "run -d"
[ -d "/sys/fs/cgroup/berth/$id" ] || it_fail "no v2 cgroup /berth/$id"
berth stop -t 1 "$id" > /dev/null || it_fail "stop"
[ ! -e "/sys/fs/cgroup/berth/$id" ] || it_fail "the cgroup outlived the container"
berth rm "$id" > /dev/null || it_fail "rm"
it_pass "run -d, stop: cgroup created and removed"

# (not --rm: the ids tell which cgroups must be absent; other tests running
# in parallel create their own under /berth of the same v2 tree)
rc=0; berth run --name v2mem -m 32m busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "memory limit without the memory controller"
it_assert_contains "$(cat "$ERR")" "the memory controller is not available in the cgroup v2 hierarchy"
rc=0; berth run --name v2pids --pids-limit 10 busybox true 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "pids limit without the pids controller"
it_assert_contains "$(cat "$ERR")" "the pids controller is not available"
for n in v2mem v2pids; do
  id=$(berth inspect --format '{{.Id}}' "$n") || it_fail "inspect $n"
  it_assert_eq "$(berth inspect --format '{{.State.Status}}' "$n")" created "refused container $n stays created"
  [ ! -e "/sys/fs/cgroup/berth/$id" ] || it_fail "refused run $n left its cgroup"
  berth rm "$n" > /dev/null || it_fail "rm $n"
done
it_pass "limits whose controller is missing: 125, named, no cgroup left"
