# berth and a real Docker daemon exchange images: `berth save` output
# (a loaded multi-layer image and a committed one) loads into `docker load`
# with the same ids, and `docker save` of those loads back into berth.
# Starts its own dockerd on private roots and sockets (--bridge=none
# --iptables=false); skipped (77) when dockerd is not installed.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"

dockerd=/usr/sbin/dockerd
docker=/usr/bin/docker # the client of the same docker.io package
{ [ -x "$dockerd" ] && [ -x "$docker" ]; } || it_skip "dockerd is not installed"

DK_DIR="$IT_DIR/docker"
DK_PID=
run_docker_was_there=$(ls -d /run/docker 2> /dev/null || true)
dockerd_cleanup () {
  local c i=0
  if [ -n "$DK_PID" ]; then
    kill -TERM "$DK_PID" 2> /dev/null
    while kill -0 "$DK_PID" 2> /dev/null && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    kill -KILL "$DK_PID" 2> /dev/null
    c=$(cat "$DK_DIR/exec/containerd/containerd.pid" 2> /dev/null)
    [ -n "$c" ] && kill -TERM "$c" 2> /dev/null
    # dockerd makes its plugin socket dir there whatever its exec root
    [ -n "$run_docker_was_there" ] || rmdir /run/docker/plugins /run/docker 2> /dev/null
  fi
  awk -v w="$IT_DIR" 'index($5, w "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m"; done
  it_cleanup
}
trap dockerd_cleanup EXIT

it_make_images
it_start_daemon
export BERTH_HOST="$IT_HOST"
berth () { timeout 120 "$BERTH" "$@"; }
"$BERTH" load -i "$IT_IMG/busybox.tar" > /dev/null || it_fail "berth load busybox"
"$BERTH" load -i "$IT_IMG/layered.tar" > /dev/null || it_fail "berth load layered"
berth run --name c1 berth-test/busybox sh -c 'echo committed > /c; rm /etc/passwd' || it_fail "berth run"
berth commit -m "from berth" c1 berth-test/committed:1 > /dev/null || it_fail "berth commit"
bid=$(berth image inspect -f '{{.Id}}' berth-test/busybox)
lid=$(berth image inspect -f '{{.Id}}' berth-test/layered:v1)
cid=$(berth image inspect -f '{{.Id}}' berth-test/committed:1)
berth save -o "$IT_DIR/berth.tar" berth-test/busybox berth-test/layered:v1 berth-test/committed:1 || it_fail "berth save"

mkdir -p "$DK_DIR/data" "$DK_DIR/exec"
# its own config file, so nothing under /etc/docker is read
printf '{}\n' > "$DK_DIR/daemon.json"
"$dockerd" --config-file "$DK_DIR/daemon.json" --data-root "$DK_DIR/data" --exec-root "$DK_DIR/exec" \
  -H "unix://$DK_DIR/docker.sock" --pidfile "$DK_DIR/docker.pid" \
  --bridge=none --iptables=false --ip6tables=false --ip-masq=false > "$DK_DIR/dockerd.log" 2>&1 &
DK_PID=$!
dk () { timeout 120 "$docker" -H "unix://$DK_DIR/docker.sock" "$@"; }
i=0
until dk version > /dev/null 2>&1; do
  kill -0 "$DK_PID" 2> /dev/null || { tail "$DK_DIR/dockerd.log" >&2; it_skip "dockerd does not start here"; }
  i=$((i + 1))
  [ "$i" -le 600 ] || it_fail "dockerd does not answer"
  sleep 0.1
done

out=$(dk load -i "$IT_DIR/berth.tar" 2>&1) || it_fail "docker load of berth save output: $out"
it_assert_eq "$(dk image inspect -f '{{.Id}}' berth-test/busybox)" "$bid" "busybox id in docker"
it_assert_eq "$(dk image inspect -f '{{.Id}}' berth-test/layered:v1)" "$lid" "layered id in docker"
it_assert_eq "$(dk image inspect -f '{{.Id}}' berth-test/committed:1)" "$cid" "committed id in docker"
dk history berth-test/committed:1 | grep -q "from berth" || it_fail "docker history of berth's commit"
it_pass "berth save (loaded and committed images) -> docker load: same ids"

dk save -o "$IT_DIR/docker.tar" berth-test/layered:v1 berth-test/committed:1 || it_fail "docker save"
berth rmi berth-test/layered:v1 berth-test/committed:1 > /dev/null || it_fail "berth rmi"
out=$(berth load -i "$IT_DIR/docker.tar" 2>&1) || it_fail "berth load of docker save output: $out"
it_assert_eq "$(berth image inspect -f '{{.Id}}' berth-test/layered:v1)" "$lid" "layered id back in berth"
it_assert_eq "$(berth image inspect -f '{{.Id}}' berth-test/committed:1)" "$cid" "committed id back in berth"
it_assert_eq "$(berth run --rm berth-test/committed:1 sh -c 'cat /c; test -e /etc/passwd || echo gone')" "committed
gone" "the committed image after the round trip"
it_pass "docker save -> berth load: same ids, the commit's files and whiteout intact"

berth rm c1 > /dev/null
it_stop_daemon || it_fail "berthd exit status after SIGTERM"
