# User-defined networks end to end: create/ls/inspect/rm/prune with berth
# and with the stock docker CLI, containers on one network reaching each
# other by name and alias, isolation between networks, --internal without
# a way out, connect/disconnect of a running container, rm refused while
# in use, --ip, and nothing left behind.
NET_TAG=u NET_OCTET=51
NET_OPTS_EXTRA="  dns-forward: 127.0.0.1:1"
. "$top_srcdir/tests/network/lib.sh"

A_SUB=10.235.51.0/24
B_SUB=10.235.151.0/24
I_SUB=10.235.251.0/24
ip route | grep -q "^10\.235\.\(51\|151\|251\)\." && it_skip "10.235.{51,151,251}.0/24 are routed here already"

nets_cleanup () {
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
    it_curl -X POST http://x/v1.50/networks/prune > /dev/null 2>&1
  fi
  for t in $(nft list tables 2> /dev/null | awk '{print $3}' | grep "^${NET_TABLE}_"); do nft delete table ip "$t"; done
  for b in $(ls "$IT_DATA/network/networks" 2> /dev/null); do
    br=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Bridge"])' "$IT_DATA/network/networks/$b" 2> /dev/null)
    [ -n "$br" ] && ip link del "$br" 2> /dev/null
  done
  net_cleanup
}
trap nets_cleanup EXIT

# --- create, ls, inspect
ida=$(berth network create --subnet "$A_SUB" --ip-range 10.235.51.128/25 --label team=u -o com.docker.network.driver.mtu=1400 u-neta) \
  || it_fail "network create u-neta"
[ ${#ida} = 64 ] || it_fail "create printed '$ida', not an id"
berth network create --subnet "$B_SUB" u-netb > /dev/null || it_fail "network create u-netb"
berth network create --subnet "$I_SUB" --internal u-neti > /dev/null || it_fail "network create --internal"
out=$(berth network ls)
for n in bridge host none u-neta u-netb u-neti; do it_assert_contains "$out" " $n " "network ls lists $n"; done
it_assert_contains "$(berth network ls -q --filter name=u-neta)" "${ida:0:12}" "ls -q --filter name"
[ -z "$(berth network ls -q --filter label=team=nobody)" ] || it_fail "label filter matched"
j=$(it_curl http://x/v1.50/networks/u-neta)
it_assert_eq "$(echo "$j" | it_json 'j["Id"]')" "$ida" "Id"
it_assert_eq "$(echo "$j" | it_json 'j["Scope"]+" "+j["Driver"]')" "local bridge" "Scope, Driver"
it_assert_eq "$(echo "$j" | it_json 'j["IPAM"]["Config"][0]["Subnet"]+" "+j["IPAM"]["Config"][0]["Gateway"]+" "+j["IPAM"]["Config"][0]["IPRange"]')" \
  "$A_SUB 10.235.51.1 10.235.51.128/25" "IPAM.Config"
it_assert_eq "$(echo "$j" | it_json 'j["Labels"]["team"]')" u "Labels"
it_assert_eq "$(echo "$j" | it_json 'j["Options"]["com.docker.network.driver.mtu"]')" 1400 "Options"
it_assert_eq "$(echo "$j" | it_json 'str(j["Internal"])')" False "Internal"
it_assert_eq "$(it_curl http://x/v1.50/networks/u-neti | it_json 'str(j["Internal"])')" True "Internal of u-neti"
bra=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Bridge"])' "$IT_DATA/network/networks/$ida.json")
ip -o addr show dev "$bra" | grep -q "inet 10.235.51.1/24" || it_fail "bridge $bra has no 10.235.51.1/24"
code=$(it_curl -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  -d '{"Name":"u-neta"}' http://x/v1.50/networks/create)
it_assert_eq "$code" 409 "duplicate name"
code=$(it_curl -o /dev/null -w '%{http_code}' -X DELETE http://x/v1.50/networks/bridge)
it_assert_eq "$code" 403 "rm of the predefined bridge"
rc=0; berth network create --subnet 10.235.51.0/25 u-overlap > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] || it_fail "an overlapping subnet was accepted"
it_pass "network create/ls/inspect: Docker's shape, filters, 409 duplicate, 403 predefined, overlap refused"

# --- an automatic subnet from the pool
idauto=$(berth network create u-auto) || it_fail "network create without --subnet"
sub=$(it_curl http://x/v1.50/networks/u-auto | it_json 'j["IPAM"]["Config"][0]["Subnet"]')
case "$sub" in 172.*/16 | 192.168.*/20) ;; *) it_fail "auto subnet '$sub'" ;; esac
berth network rm u-auto > /dev/null || it_fail "rm u-auto"
it_pass "a subnet from the pool when none is given ($sub)"

# --- two containers on one network: by name, alias and short id
berth run -d --name u-a --network u-neta --network-alias alias-a busybox sleep 300 > /dev/null || it_fail "run u-a"
berth run -d --name u-b --network u-neta busybox sleep 300 > /dev/null || it_fail "run u-b"
ipa=$(it_curl http://x/v1.50/containers/u-a/json | it_json 'j["NetworkSettings"]["Networks"]["u-neta"]["IPAddress"]')
case "$ipa" in 10.235.51.1[2-9][0-9] | 10.235.51.2[0-5][0-9]) ;; *) it_fail "u-a's address $ipa is not in the ip-range" ;; esac
ida_short=$(berth inspect -f '{{.Id}}' u-a | cut -c1-12)
for name in u-a alias-a "$ida_short"; do
  berth exec u-b ping -c 1 -W 3 "$name" > /dev/null || it_fail "u-b cannot ping $name"
done
berth exec u-b cat /etc/resolv.conf | grep -q "nameserver 10.235.51.1" || it_fail "resolv.conf: $(berth exec u-b cat /etc/resolv.conf)"
berth exec u-b cat /etc/resolv.conf | grep -q "ndots:0" || it_fail "resolv.conf has no ndots:0"
j=$(it_curl http://x/v1.50/networks/u-neta)
it_assert_eq "$(echo "$j" | it_json 'sorted(c["Name"] for c in j["Containers"].values())')" '["u-a", "u-b"]' "Containers"
it_assert_eq "$(it_curl http://x/v1.50/containers/u-a/json | it_json 'j["NetworkSettings"]["Networks"]["u-neta"]["Aliases"]')" \
  '["alias-a"]' "Aliases in container inspect"
it_pass "u-b pings u-a by name, alias and short id; resolv.conf points at the network's DNS"

# --- the default bridge has no DNS for names
berth run -d --name u-d busybox sleep 300 > /dev/null || it_fail "run u-d"
berth exec u-d cat /etc/resolv.conf | grep -q "nameserver 10.235.51.1" && it_fail "default bridge got the embedded DNS"
it_pass "the default bridge keeps the host's resolvers"

# --- isolation: another network reaches neither addresses nor names
berth run -d --name u-c --network u-netb busybox sleep 300 > /dev/null || it_fail "run u-c"
berth exec u-c ping -c 1 -W 2 "$ipa" > /dev/null 2>&1 && it_fail "u-c (u-netb) reaches u-a ($ipa) on u-neta"
berth exec u-c nslookup u-a > "$IT_DIR/ns" 2>&1 && grep -q "$ipa" "$IT_DIR/ns" && it_fail "u-c resolves u-a"
berth exec u-d ping -c 1 -W 2 "$ipa" > /dev/null 2>&1 && it_fail "the default bridge reaches u-a ($ipa)"
it_pass "u-netb and the default bridge cannot reach u-neta by address, nor resolve its names"

# --- --internal: no way out
ip netns add "$NET_OUT_NS" || it_fail "ip netns add"
ip link add "$NET_OUT_HOST" type veth peer name eth0 netns "$NET_OUT_NS" || it_fail "veth"
ip addr add "$NET_OUT_PREFIX.1/24" dev "$NET_OUT_HOST"
ip link set "$NET_OUT_HOST" up
ip -n "$NET_OUT_NS" addr add "$NET_OUT_PREFIX.2/24" dev eth0
ip -n "$NET_OUT_NS" link set eth0 up
berth exec u-a ping -c 1 -W 3 "$NET_OUT_PREFIX.2" > /dev/null || it_fail "u-a cannot reach the outside namespace"
berth run -d --name u-i --network u-neti busybox sleep 300 > /dev/null || it_fail "run u-i"
berth exec u-i ip route | grep -q default && it_fail "an internal network's container has a default route"
berth exec u-i ping -c 1 -W 2 "$NET_OUT_PREFIX.2" > /dev/null 2>&1 && it_fail "u-i reaches the outside"
berth exec u-i sh -c "ip route add default via 10.235.251.1" 2> /dev/null
berth exec u-i ping -c 1 -W 2 "$NET_OUT_PREFIX.2" > /dev/null 2>&1 && it_fail "u-i reaches the outside with a route"
it_pass "--internal: no default route, and nothing forwarded out"

# --- connect and disconnect a running container
berth network connect --alias c-on-a u-neta u-c || it_fail "network connect"
out=$(berth exec u-c ip -o -4 addr show eth1)
it_assert_contains "$out" "inet 10.235.51." "eth1 on u-neta"
berth exec u-c ping -c 1 -W 3 u-a > /dev/null || it_fail "u-c cannot ping u-a after connect"
berth exec u-b ping -c 1 -W 3 c-on-a > /dev/null || it_fail "u-b cannot ping u-c by its alias on u-neta"
it_assert_eq "$(it_curl http://x/v1.50/containers/u-c/json | it_json 'sorted(j["NetworkSettings"]["Networks"])')" \
  '["u-neta", "u-netb"]' "Networks after connect"
berth network disconnect u-neta u-c || it_fail "network disconnect"
berth exec u-c ip link show eth1 > /dev/null 2>&1 && it_fail "eth1 left after disconnect"
berth exec u-c ping -c 1 -W 2 "$ipa" > /dev/null 2>&1 && it_fail "u-c reaches u-a after disconnect"
it_pass "connect adds eth1 (names resolve across), disconnect removes it"

# --- --ip
berth run -d --name u-ip --network u-neta --ip 10.235.51.50 busybox sleep 300 > /dev/null || it_fail "run --ip"
it_assert_contains "$(berth exec u-ip ip -o -4 addr show eth0)" "10.235.51.50/24" "--ip address"
rc=0; berth run -d --name u-ip2 --ip 10.235.51.51 busybox true > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] || it_fail "--ip on the default bridge was accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "user configured subnets" "--ip on the default bridge"
rc=0; berth run -d --name u-nonet --network u-nosuch busybox true > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] || it_fail "an unknown network was accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "not found" "unknown network"
it_pass "--ip on a user subnet; refused on the default bridge; unknown network refused"

# --- rm refused while in use, then everything undone
code=$(it_curl -o "$IT_DIR/rm" -w '%{http_code}' -X DELETE http://x/v1.50/networks/u-neta)
it_assert_eq "$code" 403 "rm of a network in use"
it_assert_contains "$(cat "$IT_DIR/rm")" "has active endpoints" "rm in use message"
berth rm -f u-a u-b u-c u-d u-i u-ip u-ip2 u-nonet > /dev/null 2>&1
berth network rm u-neta u-netb > /dev/null || it_fail "network rm"
ip link show "$bra" > /dev/null 2>&1 && it_fail "bridge $bra left after network rm"
nft list tables | grep -q "${NET_TABLE}_${ida:0:12}" && it_fail "table left after network rm"
out=$(berth network prune -f)
it_assert_contains "$out" "u-neti" "prune"
left=$(net_leftovers; ls "$IT_DATA/network/networks")
[ -z "$left" ] || it_fail "left behind: $left"
it_pass "rm refused in use (403); rm and prune leave no bridge, table, record or endpoint"

# --- the stock docker CLI
docker=
for d in /usr/local/bin/docker /usr/bin/docker; do [ -x "$d" ] && docker=$d && break; done
if [ -n "$docker" ]; then
  dk () { DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$docker" "$@"; }
  id=$(dk network create --subnet "$A_SUB" --label via=docker u-dk) || it_fail "docker network create"
  it_assert_contains "$(dk network ls)" "u-dk" "docker network ls"
  it_assert_eq "$(dk network inspect -f '{{.Name}} {{.Driver}} {{(index .IPAM.Config 0).Subnet}} {{.Labels.via}}' u-dk)" \
    "u-dk bridge $A_SUB docker" "docker network inspect"
  dk run -d --name u-dk1 --network u-dk --network-alias dk-alias busybox sleep 300 > /dev/null || it_fail "docker run --network"
  dk run -d --name u-dk2 busybox sleep 300 > /dev/null || it_fail "docker run"
  dk network connect u-dk u-dk2 || it_fail "docker network connect"
  berth exec u-dk2 ping -c 1 -W 3 dk-alias > /dev/null || it_fail "u-dk2 cannot ping dk-alias"
  dk network disconnect u-dk u-dk2 || it_fail "docker network disconnect"
  dk network rm u-dk > /dev/null 2> "$IT_DIR/err" && it_fail "docker network rm of a network in use"
  dk rm -f u-dk1 u-dk2 > /dev/null
  dk network rm u-dk > /dev/null || it_fail "docker network rm"
  it_pass "the docker CLI: network create/ls/inspect/connect/disconnect/rm, run --network --network-alias"
fi
