# --network container:NAME|ID: a container in another one's network
# namespace (same interfaces, address, published port, localhost), with its
# hostname and /etc files; empty NetworkSettings; moby's refusals (target
# not running, conflicting options, itself).
NET_TAG=c NET_OCTET=42
. "$top_srcdir/tests/network/lib.sh"

port=$(net_free_port)
berth run -d --name cm-main --hostname mainhost --add-host extra.local:192.0.2.7 -p "127.0.0.1:$port:80" busybox \
  sh -c 'mkdir -p /www && echo from-main > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null \
  || it_fail "run cm-main"
main_ip=$(net_ip cm-main)
main_id=$(berth inspect -f '{{.Id}}' cm-main)

# --- joined by name: the same eth0 and address, main's server on localhost
out=$(berth run --rm --network container:cm-main busybox sh -c \
  'ip -o -4 addr show eth0; wget -q -O - http://127.0.0.1/index.html; hostname; cat /etc/hosts')
it_assert_contains "$out" "inet $main_ip/24" "the joined container has cm-main's address"
it_assert_contains "$out" "from-main" "cm-main's server on the shared localhost"
it_assert_contains "$out" "mainhost" "hostname is cm-main's"
it_assert_contains "$out" "192.0.2.7	extra.local" "cm-main's /etc/hosts"
it_pass "container:cm-main shares eth0 ($main_ip), localhost, hostname and /etc/hosts"

# --- joined by id, detached: its server is on cm-main's localhost too
berth run -d --name cm-side --network "container:$main_id" busybox \
  sh -c 'mkdir -p /w && echo from-side > /w/index.html && exec httpd -f -p 8081 -h /w' > /dev/null || it_fail "run cm-side"
it_wait 50 sh -c "\"$BERTH\" exec cm-main wget -q -O - http://127.0.0.1:8081/index.html | grep -q from-side" \
  || it_fail "cm-main does not reach cm-side's server on localhost"
j=$(it_curl http://x/v1.50/containers/cm-side/json)
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["NetworkMode"]')" "container:$main_id" "NetworkMode"
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["IPAddress"]')" "" "no IPAddress of its own"
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["Networks"]')" "{}" "no Networks"
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["SandboxKey"]')" "" "no SandboxKey"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Hostname"]')" "mainhost" "Config.Hostname is cm-main's"
it_assert_eq "$(ip -o link show master "$NET_BR" | wc -l)" 1 "one veth on the bridge (cm-main's)"
[ "$(ls "$IT_DATA/network/endpoints" | wc -l)" = 1 ] || it_fail "cm-side got an endpoint record"
it_pass "container:<id>: NetworkMode kept, NetworkSettings empty, no endpoint or veth of its own"

# --- refusals
expect_fail () { # WHAT EXPECTED CMD...
  what=$1 expected=$2
  shift 2
  rc=0
  "$@" > /dev/null 2> "$IT_DIR/err" || rc=$?
  [ "$rc" != 0 ] || it_fail "$what was accepted"
  it_assert_contains "$(cat "$IT_DIR/err")" "$expected" "$what"
}
berth create --name cm-stopped busybox sleep 100 > /dev/null
expect_fail "a stopped target" "cannot join network of a non running container: cm-stopped" \
  berth run --rm --network container:cm-stopped busybox true
expect_fail "a missing target" "No such container: cm-nothere" berth run --rm --network container:cm-nothere busybox true
expect_fail "-h with container:" "conflicting options: hostname and the network mode" \
  berth create -h x --network container:cm-main busybox true
expect_fail "--dns with container:" "conflicting options: dns and the network mode" \
  berth create --dns 192.0.2.1 --network container:cm-main busybox true
expect_fail "--add-host with container:" "conflicting options: custom host-to-IP mapping and the network mode" \
  berth create --add-host a:192.0.2.1 --network container:cm-main busybox true
expect_fail "-p with container:" "conflicting options: port publishing and the container type network mode" \
  berth create -p 80 --network container:cm-main busybox true
expect_fail "container: with no name" "invalid container format container:<name|id>" \
  berth create --network container: busybox true
id=$(berth create --name cm-self --network container:cm-self busybox true)
expect_fail "joining itself" "cannot join own network" berth start cm-self
it_pass "refused: stopped or missing target, -h/--dns/--add-host/-p with container:, itself"

# --- the target stops: the joined container cannot start again until it runs
berth stop -t 1 cm-side > /dev/null
berth stop -t 1 cm-main > /dev/null
expect_fail "start with the target stopped" "cannot join network of a non running container" berth start cm-side
berth start cm-main > /dev/null || it_fail "restart cm-main"
berth start cm-side > /dev/null || it_fail "start cm-side after cm-main runs again"
it_wait 50 sh -c "\"$BERTH\" exec cm-main wget -q -O - http://127.0.0.1:8081/index.html | grep -q from-side" \
  || it_fail "cm-side is not in cm-main's new namespace"
it_pass "the joined container follows the target across restarts; refused while the target is stopped"

# --- removing the target while joined: moby does not refuse it; the joined
# container keeps running in the namespace it holds
berth rm -f cm-main > /dev/null || it_fail "rm -f cm-main"
it_assert_eq "$(berth inspect -f '{{.State.Running}}' cm-side)" true "cm-side after cm-main's removal"
berth rm -f cm-side cm-stopped cm-self > /dev/null
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left behind: $left"
it_pass "the target's removal is not refused (moby); nothing left after rm"
