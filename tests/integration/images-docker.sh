# The stock docker CLI against berthd's image routes: load, images, inspect,
# history, tag, save, rmi, import, image prune, system df (default storage
# driver, overlay where it works).
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"

docker=
for d in /usr/local/bin/docker /usr/bin/docker $(command -v docker 2> /dev/null); do
  [ -x "$d" ] && { docker=$d; break; }
done
[ -n "$docker" ] || it_skip "no docker CLI installed"
it_make_images
it_start_daemon
D () { DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" "$docker" "$@"; }
driver=$(it_curl http://localhost/info | it_json 'j["Driver"]')

out=$(D load -i "$IT_IMG/busybox.tar" 2>&1) || it_fail "docker load: $out"
it_assert_eq "$out" "Loaded image: berth-test/busybox:latest" "docker load"
out=$(D load < "$IT_IMG/layered.tar" 2>&1) || it_fail "docker load < file: $out"
it_assert_eq "$out" "Loaded image: berth-test/layered:v1" "docker load from stdin"
bid=$(D image inspect -f '{{.Id}}' berth-test/busybox) || it_fail "docker image inspect"
lid=$(D inspect -f '{{.Id}}' berth-test/layered:v1) || it_fail "docker inspect"
it_pass "docker load, docker inspect"

out=$(D images)
it_assert_contains "$(echo "$out" | head -1)" "REPOSITORY" "docker images header"
echo "$out" | grep -q "^berth-test/busybox *latest *$(echo "$bid" | cut -c8-19) *2 years ago *1.98MB" \
  || it_fail "docker images row: $out"
it_assert_eq "$(D images -q | wc -l)" "2" "docker images -q"
it_assert_eq "$(D images --format '{{.Repository}}:{{.Tag}}' berth-test/layered)" "berth-test/layered:v1" "docker images REPO"
it_assert_eq "$(D images --filter dangling=true -q | wc -l)" "0" "docker images --filter"
it_assert_eq "$(D image inspect -f '{{json .RootFS.Layers}}' berth-test/layered:v1 | it_json 'len(j)')" "3" "RootFS layers"
it_assert_eq "$(D image inspect -f '{{.GraphDriver.Name}} {{.Os}} {{.Config.Cmd}}' berth-test/busybox)" "$driver linux [sh]" "inspect fields"
out=$(D history berth-test/layered:v1)
it_assert_eq "$(echo "$out" | wc -l)" "5" "docker history"
it_assert_contains "$out" "<missing>" "docker history"
it_pass "docker images, image inspect, history"

D tag berth-test/busybox localhost:5000/x/y:z || it_fail "docker tag"
it_assert_eq "$(D image inspect -f '{{.Id}}' localhost:5000/x/y:z)" "$bid" "docker tag"
D save -o "$IT_DIR/d.tar" localhost:5000/x/y:z berth-test/layered:v1 || it_fail "docker save"
D save berth-test/busybox > "$IT_DIR/d2.tar" || it_fail "docker save to stdout"
tar -tf "$IT_DIR/d2.tar" | grep -qx manifest.json || it_fail "docker save output has no manifest.json"
out=$(D rmi localhost:5000/x/y:z berth-test/busybox berth-test/layered:v1 2>&1) || it_fail "docker rmi: $out"
it_assert_contains "$out" "Untagged: localhost:5000/x/y:z" "docker rmi"
it_assert_contains "$out" "Deleted: $bid" "docker rmi"
it_assert_eq "$(D images -q | wc -l)" "0" "images after rmi"
out=$(D load -i "$IT_DIR/d.tar" 2>&1) || it_fail "docker load of a docker save: $out"
it_assert_contains "$out" "Loaded image: localhost:5000/x/y:z" "reload"
it_assert_eq "$(D image inspect -f '{{.Id}}' localhost:5000/x/y:z)" "$bid" "round trip id"
it_assert_eq "$(D image inspect -f '{{.Id}}' berth-test/layered:v1)" "$lid" "round trip id"
it_pass "docker tag, save, rmi, load: same ids"

D tag berth-test/layered:v1 other:1
D rmi "$(echo "$lid" | cut -c8-19)" > "$IT_DIR/out" 2>&1 && it_fail "docker rmi of an id with two repositories succeeded"
it_assert_contains "$(cat "$IT_DIR/out")" "must be forced" "docker rmi conflict"
D rmi -f "$(echo "$lid" | cut -c8-19)" > /dev/null || it_fail "docker rmi -f"
D rmi nope > "$IT_DIR/out" 2>&1 && it_fail "docker rmi nope succeeded"
it_assert_contains "$(cat "$IT_DIR/out")" "No such image: nope:latest" "docker rmi 404"
D inspect nope > "$IT_DIR/out" 2>&1 && it_fail "docker inspect nope succeeded"
it_assert_contains "$(cat "$IT_DIR/out")" "No such object: nope" "docker inspect 404"
it_pass "docker rmi: conflicts, -f, missing"

id=$(D import -c 'CMD ["/bin/sh"]' -c 'ENV K=V' -m "from docker" "$IT_IMG/rootfs.tar" dimp:1 2>&1) || it_fail "docker import: $id"
case "$id" in sha256:*) ;; *) it_fail "docker import output: $id" ;; esac
it_assert_eq "$(D image inspect -f '{{json .Config.Cmd}} {{json .Config.Env}}' dimp:1)" '["/bin/sh"] ["K=V"]' "import changes"
cat "$IT_IMG/rootfs.tar" | D import - > /dev/null || it_fail "docker import -"
out=$(D image prune -f)
it_assert_contains "$out" "Total reclaimed space" "docker image prune"
it_assert_eq "$(D images -q --filter dangling=true | wc -l)" "0" "prune removed dangling"
out=$(D system df)
it_assert_contains "$out" "Images          $(D images -q | sort -u | wc -l)         0" "docker system df"
it_assert_contains "$out" "Containers      0         0         0B        0B" "docker system df"
out=$(D pull 127.0.0.1:1/nosuch/busybox 2>&1) && it_fail "docker pull from nowhere pretended to work"
it_assert_contains "$out" "cannot reach registry 127.0.0.1:1" "docker pull"
it_pass "docker import, image prune, system df, pull from an unreachable registry refused"

it_store_check "$driver" || it_fail "store inconsistent"
it_stop_daemon || it_fail "exit status after SIGTERM"
