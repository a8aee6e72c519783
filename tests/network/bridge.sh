# The default bridge end to end: addresses, container to container, NAT to
# an outside network (a namespace beyond a veth pair), published ports from
# the host's loopback and from the outside, and nothing left after rm.
NET_TAG=b NET_OCTET=11
. "$top_srcdir/tests/network/lib.sh"

# --- the bridge, its address and rules
ip -o addr show dev "$NET_BR" | grep -q "inet $NET_PREFIX.1/24" || it_fail "bridge $NET_BR has no $NET_PREFIX.1/24"
nft list table ip "$NET_TABLE" | grep -q "ip saddr $NET_SUBNET oifname != \"$NET_BR\" masquerade" \
  || it_fail "no masquerade rule in table $NET_TABLE"
it_assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" 1 "ip_forward"
it_pass "bridge $NET_BR with $NET_PREFIX.1/24 and table ip $NET_TABLE"

# --- a container's interface
out=$(berth run --rm busybox sh -c 'ip -o -4 addr show eth0; ip link show eth0; ip route; tail -n 1 /etc/hosts; hostname')
it_assert_contains "$out" "inet $NET_PREFIX." "eth0 address"
it_assert_contains "$out" "mtu 1400" "eth0 mtu"
it_assert_contains "$out" "default via $NET_PREFIX.1 dev eth0" "default route"
ip4=$(echo "$out" | sed -n 's/.*inet \([0-9.]*\)\/24.*/\1/p')
host=$(echo "$out" | tail -n 1)
mac=$(printf '02:42:%02x:%02x:%02x:%02x' $(echo "$ip4" | tr . ' '))
it_assert_contains "$out" "link/ether $mac" "Docker's MAC for $ip4"
it_assert_contains "$out" "$ip4	$host" "/etc/hosts line"
it_pass "eth0: $ip4/24, $mac, mtu 1400, default route, /etc/hosts"

# --- two containers on the bridge
berth run -d --name net-a busybox sleep 300 > /dev/null || it_fail "run net-a"
berth run -d --name net-b busybox sleep 300 > /dev/null || it_fail "run net-b"
a=$(net_ip net-a)
b=$(net_ip net-b)
[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || it_fail "addresses: '$a' '$b'"
berth exec net-a ping -c 1 -W 3 "$b" > /dev/null || it_fail "net-a cannot ping net-b ($b)"
berth exec net-b ping -c 1 -W 3 "$a" > /dev/null || it_fail "net-b cannot ping net-a ($a)"
j=$(it_curl http://x/v1.50/containers/net-a/json)
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["Networks"]["bridge"]["IPAddress"]')" "$a" "Networks.bridge.IPAddress"
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["Gateway"]')" "$NET_PREFIX.1" "Gateway"
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["IPPrefixLen"]')" 24 "IPPrefixLen"
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["NetworkMode"]')" bridge "NetworkMode"
it_pass "two containers ping each other ($a, $b); inspect shows the endpoint"

# --- an outside host: a namespace behind a veth pair with its own subnet
ip netns add "$NET_OUT_NS" || it_fail "ip netns add"
ip link add "$NET_OUT_HOST" type veth peer name eth0 netns "$NET_OUT_NS" || it_fail "veth to $NET_OUT_NS"
ip addr add "$NET_OUT_PREFIX.1/24" dev "$NET_OUT_HOST"
ip link set "$NET_OUT_HOST" up
ip -n "$NET_OUT_NS" addr add "$NET_OUT_PREFIX.2/24" dev eth0
ip -n "$NET_OUT_NS" link set eth0 up
ip -n "$NET_OUT_NS" link set lo up
# a server there that records the address each client comes from
cat > "$IT_DIR/server.py" << 'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 9000)); s.listen(5)
open(sys.argv[2] + ".ready", "w").close()
while True:
    c, addr = s.accept()
    c.recv(100)
    with open(sys.argv[2], "a") as f:
        f.write(addr[0] + "\n")
    c.sendall(b"seen " + addr[0].encode() + b"\n"); c.close()
PY
ip netns exec "$NET_OUT_NS" "$PYTHON" "$IT_DIR/server.py" "$NET_OUT_PREFIX.2" "$IT_DIR/peers" &
NET_SERVER_PID=$!
it_wait 50 test -e "$IT_DIR/peers.ready" || it_fail "the outside server did not start"
out=$(berth exec net-a sh -c "echo hi | nc -w 3 $NET_OUT_PREFIX.2 9000")
it_assert_eq "$out" "seen $NET_OUT_PREFIX.1" "the outside sees the host's address (masquerade)"
it_pass "a container reaches the outside network through NAT"

# --- published ports
p1=$(net_free_port)
p2=$(net_free_port)
[ "$p1" != "$p2" ] || p2=$((p1 + 1))
berth run -d --name net-web -p "127.0.0.1:$p1:80" -p "$p2:80" busybox \
  sh -c 'mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null \
  || it_fail "run -p"
it_assert_contains "$(berth port net-web)" "80/tcp -> 127.0.0.1:$p1" "berth port"
it_wait 50 curl -sf -m 2 "http://127.0.0.1:$p1/index.html" || it_fail "127.0.0.1:$p1 does not reach the container"
it_assert_eq "$(curl -s -m 3 "http://127.0.0.1:$p1/index.html")" "hello-from-berth" "via loopback"
it_assert_eq "$(ip netns exec "$NET_OUT_NS" curl -s -m 3 "http://$NET_OUT_PREFIX.1:$p2/index.html")" "hello-from-berth" \
  "from the outside namespace to the host's address"
j=$(it_curl http://x/v1.50/containers/net-web/json)
it_assert_eq "$(echo "$j" | it_json 'j["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"]')" "$p1" "NetworkSettings.Ports"
rc=0; berth run -d --name net-clash -p "127.0.0.1:$p1:80" busybox sleep 1 > /dev/null 2> "$IT_DIR/err" || rc=$?
[ "$rc" != 0 ] || it_fail "a second container got 127.0.0.1:$p1"
it_assert_contains "$(cat "$IT_DIR/err")" "port is already allocated" "clash error"
berth rm -f net-clash > /dev/null 2>&1
it_pass "-p 127.0.0.1:$p1:80 from loopback, -p $p2:80 from outside, berth port, clash refused"

# --- stop and rm undo everything
berth stop -t 1 net-web > /dev/null || it_fail "stop net-web"
nft list table ip "$NET_TABLE" | grep -q elements && it_fail "port rules left after stop"
curl -s -m 2 "http://127.0.0.1:$p1/" > /dev/null && it_fail "the port still answers after stop"
it_assert_eq "$(berth inspect -f '{{.NetworkSettings.IPAddress}}' net-web)" "" "no address after stop"
berth rm -f net-a net-b net-web > /dev/null || it_fail "rm"
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
it_pass "stop removes the port rules; rm leaves no veth, rule, lease or namespace"

# --- 20 run/rm cycles leak nothing
for i in $(seq 1 20); do berth run --rm busybox true || it_fail "cycle $i"; done
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after 20 cycles: $left"
it_pass "20 run --rm cycles leave nothing behind"
