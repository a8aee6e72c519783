# IPv6 on bridge networks (issue 7 item 1): a daemon with network-opts
# ipv6/fixed-cidr-v6 gives containers on the default bridge a v6 address
# and route; `network create --ipv6` a user network with a v4 and a v6
# pool; containers ping each other over v6; --internal keeps v6 in;
# outbound v6 is masqueraded to a namespace beyond the host; nothing is
# left after rm; a bad fixed-cidr-v6 is refused with FILE:LINE; and the
# same daemon without ipv6 gives eth0 no IPv6 at all (as Docker).
NET_TAG=6 NET_OCTET=61
H=$(printf '%x' $(($$ % 65536)))
V6_DEF="fd6b:$H::/64"
# (checked before lib.sh starts the daemon, whose bridge routes the first /64)
if ip -6 route 2> /dev/null | grep -q "^fd6b:$H:"; then echo "SKIP: fd6b:$H::/48 is routed here already"; exit 77; fi
NET_OPTS_EXTRA="  ipv6: true
  fixed-cidr-v6: \"$V6_DEF\""
. "$top_srcdir/tests/network/lib.sh"
[ -e /proc/sys/net/ipv6 ] || it_skip "this kernel has no IPv6"

U4=10.235.61.0/24
I4=10.235.161.0/24
U6="fd6b:$H:1::/64"
I6="fd6b:$H:2::/64"
OUT6="fd6b:$H:3"
ip route | grep -q "^10\.235\.\(61\|62\|161\)\." && it_skip "10.235.{61,62,161}.0/24 are routed here already"

v6_cleanup () {
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
    it_curl -X POST http://x/v1.50/networks/prune > /dev/null 2>&1
  fi
  for t in $(nft list tables 2> /dev/null | awk '{print $3}' | grep "^${NET_TABLE}_"); do
    nft delete table ip "$t" 2> /dev/null
    nft delete table ip6 "$t" 2> /dev/null
  done
  nft delete table ip6 "$NET_TABLE" 2> /dev/null
  for b in $(ls "$IT_DATA/network/networks" 2> /dev/null); do
    br=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Bridge"])' "$IT_DATA/network/networks/$b" 2> /dev/null)
    [ -n "$br" ] && ip link del "$br" 2> /dev/null
  done
  net_cleanup
}
trap v6_cleanup EXIT

in_c () { berth exec "$1" sh -c "$2"; }
# the container's global v6 addresses of eth0, as /proc/net/if_inet6 has them (32 hex)
hex6 () { python3 -c 'import ipaddress,sys; print(ipaddress.ip_address(sys.argv[1]).exploded.replace(":", ""))' "$1"; }

# --- the default bridge with fixed-cidr-v6
berth run -d --name v6-a busybox sleep 300 > /dev/null || it_fail "run v6-a"
a6=$(berth inspect -f '{{.NetworkSettings.GlobalIPv6Address}}' v6-a)
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.GlobalIPv6PrefixLen}} {{.NetworkSettings.IPv6Gateway}}' v6-a)" \
  "64 fd6b:$H::1" "GlobalIPv6PrefixLen, IPv6Gateway"
it_assert_eq "$a6" "fd6b:$H::2" "GlobalIPv6Address of the first container"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.Networks.bridge.GlobalIPv6Address}}' v6-a)" "$a6" \
  "Networks.bridge.GlobalIPv6Address"
ip -o -6 addr show dev "$NET_BR" | grep -q "inet6 fd6b:$H::1/64" || it_fail "the bridge has no fd6b:$H::1/64"
# its MAC is its own (3: set), not its lowest port's, which would change
# under the containers' neighbour caches as ports come and go
it_assert_eq "$(cat "/sys/class/net/$NET_BR/addr_assign_type")" 3 "the bridge's addr_assign_type"
line=$(in_c v6-a "grep '^$(hex6 "$a6") ' /proc/net/if_inet6") || it_fail "eth0 has no $a6: $(in_c v6-a 'cat /proc/net/if_inet6')"
# flags (6th field): 40 = tentative; the address must be usable at once
flags=$(echo "$line" | awk '{print $5}')
[ $((0x$flags & 0x40)) = 0 ] || it_fail "$a6 is tentative (flags $flags)"
it_assert_eq "$(in_c v6-a 'cat /proc/sys/net/ipv6/conf/eth0/accept_ra /proc/sys/net/ipv6/conf/eth0/accept_dad' | tr '\n' ' ')" \
  "0 0 " "accept_ra, accept_dad on eth0"
in_c v6-a 'ip -6 route' | grep -q "default via fd6b:$H::1 dev eth0" || it_fail "no default v6 route: $(in_c v6-a 'ip -6 route')"
in_c v6-a "ping -6 -c 1 -W 3 fd6b:$H::1" > /dev/null || it_fail "v6-a cannot ping6 its gateway"
nft list table ip6 "$NET_TABLE" | grep -q "ip6 saddr fd6b:$H::/64 oifname != \"$NET_BR\" masquerade" \
  || it_fail "no v6 masquerade in table ip6 $NET_TABLE"
it_pass "default bridge: v6 address (not tentative), gateway on the bridge, default route, inspect fields"

# --- a user network with a v4 and a v6 pool
idu=$(berth network create --ipv6 --subnet "$U4" --subnet "$U6" v6-net) || it_fail "network create --ipv6"
j=$(it_curl http://x/v1.50/networks/v6-net)
it_assert_eq "$(echo "$j" | it_json 'str(j["EnableIPv6"])')" True "EnableIPv6"
it_assert_eq "$(echo "$j" | it_json '" ".join(c["Subnet"]+"="+c["Gateway"] for c in j["IPAM"]["Config"])')" \
  "$U4=10.235.61.1 $U6=fd6b:$H:1::1" "IPAM.Config"
berth run -d --name v6-b --network v6-net busybox sleep 300 > /dev/null || it_fail "run v6-b"
berth run -d --name v6-c --network v6-net busybox sleep 300 > /dev/null || it_fail "run v6-c"
b6=$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}}' v6-b)
c6=$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}}' v6-c)
it_assert_eq "$b6 $c6" "fd6b:$H:1::2 fd6b:$H:1::3" "v6 addresses from the user network's pool"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.IPv6Gateway}} {{.NetworkSettings.Networks.v6-net.GlobalIPv6PrefixLen}}' v6-b)" \
  "fd6b:$H:1::1 64" "per-network IPv6Gateway, GlobalIPv6PrefixLen"
it_assert_eq "$(it_curl http://x/v1.50/networks/v6-net | it_json '" ".join(sorted(c["IPv6Address"] for c in j["Containers"].values()))')" \
  "fd6b:$H:1::2/64 fd6b:$H:1::3/64" "network inspect Containers.IPv6Address"
in_c v6-b "ping -6 -c 1 -W 3 $c6" > /dev/null || it_fail "v6-b cannot ping6 v6-c ($c6)"
in_c v6-c "ping -6 -c 1 -W 3 $b6" > /dev/null || it_fail "v6-c cannot ping6 v6-b ($b6)"
# the network's DNS answers AAAA for container names (A as before)
out=$(in_c v6-b "nslookup -type=AAAA v6-c 2>&1")
echo "$out" | grep -q "$c6" || it_fail "no AAAA answer for v6-c: $out"
in_c v6-b "ping -6 -c 1 -W 3 v6-c" > /dev/null || it_fail "v6-b cannot ping6 v6-c by name"
out=$(in_c v6-b "nslookup -type=A v6-c 2>&1")
echo "$out" | grep -q "10.235.61.3" || it_fail "no A answer for v6-c: $out"
# --ip6: a static v6 address; taken twice refused; not on the default bridge
berth run -d --name v6-s --network v6-net --ip6 "fd6b:$H:1::99" busybox sleep 300 > /dev/null || it_fail "run --ip6"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}} {{.NetworkSettings.Networks.v6-net.IPAMConfig.IPv6Address}}' v6-s)" \
  "fd6b:$H:1::99 fd6b:$H:1::99" "--ip6 address and IPAMConfig.IPv6Address"
in_c v6-b "ping -6 -c 1 -W 3 fd6b:$H:1::99" > /dev/null || it_fail "v6-b cannot ping6 v6-s at its --ip6 address"
rc=0; berth run --rm --network v6-net --ip6 "fd6b:$H:1::99" busybox true > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] && grep -q "Address already in use" "$IT_DIR/err" || it_fail "a taken --ip6 was not refused: $(cat "$IT_DIR/err")"
rc=0; berth run --rm --ip6 "fd6b:$H::99" busybox true > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] || it_fail "--ip6 on the default bridge was accepted"
berth rm -f v6-s > /dev/null
# isolation: the default bridge's container is another network
in_c v6-b "ping -6 -c 1 -W 1 $a6" > /dev/null 2>&1 && it_fail "v6-b (v6-net) reached v6-a on the default bridge over v6"
in_c v6-a "ping -6 -c 1 -W 1 $b6" > /dev/null 2>&1 && it_fail "v6-a (bridge) reached v6-b on v6-net over v6"
it_pass "network create --ipv6: two pools, addresses, ping6 between containers (by address and name), AAAA, isolation"

# --- an outside host over v6: a namespace beyond a veth pair, ULA addresses
ip netns add "$NET_OUT_NS" || it_fail "ip netns add"
ip link add "$NET_OUT_HOST" type veth peer name eth0 netns "$NET_OUT_NS" || it_fail "veth to $NET_OUT_NS"
ip addr add "$OUT6::1/64" dev "$NET_OUT_HOST" nodad
ip link set "$NET_OUT_HOST" up
ip -n "$NET_OUT_NS" addr add "$OUT6::2/64" dev eth0 nodad
ip -n "$NET_OUT_NS" link set eth0 up
ip -n "$NET_OUT_NS" link set lo up
cat > "$IT_DIR/server6.py" << 'PY'
import socket, sys
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9000)); s.listen(5)
open(sys.argv[2] + ".ready", "w").close()
while True:
    c, addr = s.accept()
    c.recv(100)
    c.sendall(b"seen " + addr[0].encode() + b"\n"); c.close()
PY
ip netns exec "$NET_OUT_NS" "$PYTHON" "$IT_DIR/server6.py" "$OUT6::2" "$IT_DIR/peers6" &
NET_SERVER_PID=$!
it_wait 50 test -e "$IT_DIR/peers6.ready" || it_fail "the outside v6 server did not start"
out=$(in_c v6-b "echo hi | nc -w 3 $OUT6::2 9000")
it_assert_eq "$out" "seen $OUT6::1" "the outside sees the host's v6 address (masquerade)"
out=$(in_c v6-a "echo hi | nc -w 3 $OUT6::2 9000")
it_assert_eq "$out" "seen $OUT6::1" "from the default bridge too"
it_pass "outbound v6 is masqueraded to the host's address"

# --- -p HOSTPORT:PORT is published over IPv6 too (to the container's v6
# address), reachable from the outside namespace at the host's v6 address
pw=$(net_free_port)
berth run -d --name v6-web --network v6-net -p "$pw:80" busybox \
  sh -c 'mkdir -p /www && echo hello-v6 > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null || it_fail "run -p on v6-net"
w6=$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}}' v6-web)
nft list map ip6 "${NET_TABLE}_${idu:0:12}" puball6 | grep -q "tcp . $pw : $w6 . 80" || it_fail "no puball6 element for $pw"
it_wait 50 ip netns exec "$NET_OUT_NS" curl -sf -m 2 -g "http://[$OUT6::1]:$pw/index.html" \
  || it_fail "[$OUT6::1]:$pw does not reach the container from outside"
it_assert_eq "$(ip netns exec "$NET_OUT_NS" curl -s -m 3 -g "http://[$OUT6::1]:$pw/index.html")" hello-v6 "-p over v6 from outside"
it_assert_eq "$(curl -s -m 3 -g "http://[$OUT6::1]:$pw/index.html")" hello-v6 "-p over v6 from the host itself"
berth rm -f v6-web > /dev/null || it_fail "rm v6-web"
nft list map ip6 "${NET_TABLE}_${idu:0:12}" puball6 | grep -q elements && it_fail "a puball6 element is left after rm"
it_pass "-p $pw:80 is published over IPv6 too (from outside and from the host), and unpublished at rm"

# --- --internal with v6: no route out, nothing forwarded out
berth network create --ipv6 --internal --subnet "$I4" --subnet "$I6" v6-int > /dev/null || it_fail "create --internal --ipv6"
berth run -d --name v6-i --network v6-int busybox sleep 300 > /dev/null || it_fail "run v6-i"
i6=$(berth inspect -f '{{.NetworkSettings.Networks.v6-int.GlobalIPv6Address}}' v6-i)
it_assert_eq "$i6" "fd6b:$H:2::2" "v6 address on the internal network"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.Networks.v6-int.IPv6Gateway}}' v6-i)" "" "no IPv6Gateway on --internal"
in_c v6-i 'ip -6 route' | grep -q default && it_fail "an internal network's container has a default v6 route"
in_c v6-i "ping -6 -c 1 -W 3 fd6b:$H:2::1" > /dev/null || it_fail "v6-i cannot reach its gateway"
# a route by hand: the table still forwards nothing out
in_c v6-i "ip -6 route add default via fd6b:$H:2::1" 2> /dev/null
in_c v6-i "echo hi | nc -w 2 $OUT6::2 9000" > /dev/null 2>&1 && it_fail "an internal network's container reached the outside over v6"
nft list table ip6 "${NET_TABLE}_${idu:0:12}" > /dev/null || it_fail "v6-net has no ip6 table"
it_pass "--internal --ipv6: no default v6 route, nothing forwarded out"

# --- kill -9 of berthd: running containers keep their v6 leases
kill -9 "$IT_PID"
wait "$IT_PID" 2> /dev/null
it_start_daemon
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}}' v6-b)" "$b6" "v6-b's v6 address after kill -9"
berth run -d --name v6-d --network v6-net busybox sleep 300 > /dev/null || it_fail "run v6-d after the restart"
d6=$(berth inspect -f '{{.NetworkSettings.Networks.v6-net.GlobalIPv6Address}}' v6-d)
[ "$d6" != "$b6" ] && [ "$d6" != "$c6" ] || it_fail "v6-d got a leased address $d6"
in_c v6-d "ping -6 -c 1 -W 3 $b6" > /dev/null || it_fail "v6-d cannot ping6 v6-b after the restart"
in_c v6-b "echo hi | nc -w 3 $OUT6::2 9000" | grep -q "seen $OUT6::1" \
  || it_fail "v6 masquerade after the restart: $(nft list table ip6 "${NET_TABLE}_${idu:0:12}" 2>&1; in_c v6-b 'ip -6 addr; ip -6 route' 2>&1; sysctl net.ipv6.conf.all.forwarding)"
it_pass "after kill -9 of berthd: v6 leases kept, a new container gets a free one, NAT still there"

# --- the stock docker CLI: network create --ipv6, run --ip6, inspect
docker=
for d in /usr/local/bin/docker /usr/bin/docker; do [ -x "$d" ] && docker=$d && break; done
if [ -n "$docker" ]; then
  dk () { DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" timeout 60 "$docker" "$@"; }
  dk network create --ipv6 --subnet 10.235.62.0/24 --subnet "fd6b:$H:4::/64" --gateway "fd6b:$H:4::fe" v6-dk > /dev/null \
    || it_fail "docker network create --ipv6"
  it_assert_eq "$(dk network inspect -f '{{.EnableIPv6}} {{range .IPAM.Config}}{{.Subnet}}={{.Gateway}} {{end}}' v6-dk)" \
    "true 10.235.62.0/24=10.235.62.1 fd6b:$H:4::/64=fd6b:$H:4::fe " "docker network inspect"
  dk run -d --name v6-dk1 --network v6-dk --ip6 "fd6b:$H:4::10" busybox sleep 300 > /dev/null || it_fail "docker run --ip6"
  it_assert_eq "$(dk inspect -f '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}}/{{.GlobalIPv6PrefixLen}} via {{.IPv6Gateway}}{{end}}' v6-dk1)" \
    "fd6b:$H:4::10/64 via fd6b:$H:4::fe" "docker inspect of the v6 endpoint"
  in_c v6-dk1 'ip -6 route' | grep -q "default via fd6b:$H:4::fe" || it_fail "no default route via the given v6 gateway"
  in_c v6-dk1 "ping -6 -c 1 -W 3 fd6b:$H:4::fe" > /dev/null || it_fail "v6-dk1 cannot ping6 its gateway"
  dk rm -f v6-dk1 > /dev/null
  dk network rm v6-dk > /dev/null || it_fail "docker network rm"
  it_pass "the docker CLI: network create --ipv6 --subnet v4 --subnet v6 --gateway v6, run --ip6, inspect"
fi

# --- nothing left after rm
berth rm -f v6-a v6-b v6-c v6-d v6-i > /dev/null || it_fail "rm"
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
# leases released: v6-s's static address (and v6-b's) can be taken again
berth run --rm --network v6-net --ip6 "fd6b:$H:1::99" busybox true || it_fail "v6-s's address was not released"
berth run --rm --network v6-net --ip6 "$b6" busybox true || it_fail "v6-b's address was not released"
berth network rm v6-net v6-int > /dev/null || it_fail "network rm"
nft list tables | grep -q "${NET_TABLE}_" && it_fail "a user network's table is left: $(nft list tables | grep "${NET_TABLE}_")"
ls "$IT_DATA/network/endpoints" | grep -q . && it_fail "endpoint records left"
it_pass "rm leaves no veth, lease, table, record"

# --- a bad fixed-cidr-v6 is refused with its file and line
cp "$IT_CONFIG" "$IT_DIR/bad.yaml"
sed -i "s|^  fixed-cidr-v6: .*|  fixed-cidr-v6: \"fd6b:$H::5/64\"|" "$IT_DIR/bad.yaml"
sed -i "s|^data-root: .*|data-root: $IT_DIR/bad-data|; s|^exec-root: .*|exec-root: $IT_DIR/bad-run|" "$IT_DIR/bad.yaml"
line=$(grep -n '^  fixed-cidr-v6:' "$IT_DIR/bad.yaml" | cut -d: -f1)
rc=0; timeout 20 "$BERTHD" --config "$IT_DIR/bad.yaml" > "$IT_DIR/bad.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || it_fail "berthd started with fixed-cidr-v6 fd6b:$H::5/64 (host bits set)"
grep -q "bad.yaml:$line:.*fixed-cidr-v6" "$IT_DIR/bad.out" || it_fail "no FILE:LINE error: $(cat "$IT_DIR/bad.out")"
it_pass "a bad fixed-cidr-v6 stops the daemon with FILE:LINE"

# --- the same daemon without ipv6: no v6 table, eth0 has IPv6 disabled (as Docker)
it_stop_daemon || it_fail "stop berthd"
sed -i '/^  ipv6: /d; /^  fixed-cidr-v6: /d' "$IT_CONFIG"
it_start_daemon
nft list table ip6 "$NET_TABLE" > /dev/null 2>&1 && it_fail "table ip6 $NET_TABLE is left without ipv6"
ip -o -6 addr show dev "$NET_BR" | grep -q "fd6b:$H::1" && it_fail "the bridge kept fd6b:$H::1 without ipv6"
berth run -d --name v4-only busybox sleep 300 > /dev/null || it_fail "run v4-only"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.GlobalIPv6Address}}|{{.NetworkSettings.IPv6Gateway}}' v4-only)" "|" \
  "no v6 in inspect"
it_assert_eq "$(in_c v4-only 'cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6')" 1 "disable_ipv6 on eth0"
in_c v4-only 'grep eth0 /proc/net/if_inet6' && it_fail "eth0 has IPv6 addresses without ipv6"
berth rm -f v4-only > /dev/null
it_pass "without ipv6: no v6 table, no v6 on eth0 (disabled)"
