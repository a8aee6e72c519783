# The embedded DNS of user networks: names forwarded to the upstream
# servers (a tiny resolver of the test's own on a loopback port, given to
# the daemon as network-opts dns-forward: the daemon reaches it from the
# host's side), container names answered with A records, and no answer
# from the network's DNS to an address outside the network.
NET_TAG=s NET_OCTET=52
DNS_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NET_OPTS_EXTRA="  dns-forward: 127.0.0.1:$DNS_PORT"
. "$top_srcdir/tests/network/lib.sh"

S_SUB=10.235.52.0/24
ip route | grep -q "^10\.235\.52\." && it_skip "$S_SUB is routed here already"

dns_cleanup () {
  [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2> /dev/null
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
    it_curl -X POST http://x/v1.50/networks/prune > /dev/null 2>&1
  fi
  for t in $(nft list tables 2> /dev/null | awk '{print $3}' | grep "^${NET_TABLE}_"); do nft delete table ip "$t"; done
  net_cleanup
}
trap dns_cleanup EXIT

# outside.example. -> 192.0.2.7; anything else NXDOMAIN; every name asked is logged
cat > "$IT_DIR/resolver.py" << 'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2] + ".ready", "w").close()
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace")); i += 1 + q[i]
    name, qtype = ".".join(labels).lower(), struct.unpack("!H", q[i + 1:i + 3])[0]
    with open(sys.argv[2], "a") as f:
        f.write(name + "\n")
    qd = q[12:i + 5]
    if name == "outside.example" and qtype == 1:
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.7")
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + qd + ans, peer)
    else:
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8183 if name != "outside.example" else 0x8180, 1, 0, 0, 0) + qd, peer)
PY
"$PYTHON" "$IT_DIR/resolver.py" "$DNS_PORT" "$IT_DIR/asked" &
DNS_PID=$!
it_wait 50 test -e "$IT_DIR/asked.ready" || it_fail "the test's resolver did not start"

berth network create --subnet "$S_SUB" s-net > /dev/null || it_fail "network create"
berth run -d --name s-a --network s-net --network-alias web busybox sleep 300 > /dev/null || it_fail "run s-a"
berth run -d --name s-b --network s-net busybox sleep 300 > /dev/null || it_fail "run s-b"
ipa=$(it_curl http://x/v1.50/containers/s-a/json | it_json 'j["NetworkSettings"]["Networks"]["s-net"]["IPAddress"]')

# --- container names: A records from the responder itself
out=$(berth exec s-b nslookup s-a 10.235.52.1 2>&1) || it_fail "nslookup s-a: $out"
it_assert_contains "$out" "$ipa" "s-a's address"
out=$(berth exec s-b nslookup WEB 10.235.52.1 2>&1) || it_fail "nslookup WEB: $out"
it_assert_contains "$out" "$ipa" "an alias, in upper case"
grep -q "^s-a$\|^web$" "$IT_DIR/asked" 2> /dev/null && it_fail "a container's name went upstream"
it_pass "container names and aliases answered by the network's DNS ($ipa)"

# --- other names: forwarded upstream, from the host's side
out=$(berth exec s-b nslookup outside.example 2>&1) || it_fail "nslookup outside.example: $out"
it_assert_contains "$out" "192.0.2.7" "a forwarded answer"
grep -q "^outside.example$" "$IT_DIR/asked" || it_fail "the upstream resolver was not asked"
berth exec s-b nslookup nosuch.example > "$IT_DIR/nx" 2>&1 && it_fail "nosuch.example resolved: $(cat "$IT_DIR/nx")"
it_pass "outside.example forwarded to the upstream resolver (192.0.2.7); NXDOMAIN relayed"

# --- the DNS answers only its network's containers
berth run -d --name s-d busybox sleep 300 > /dev/null || it_fail "run s-d"
out=$(berth exec s-d nslookup s-a 10.235.52.1 2>&1)
case "$out" in *"$ipa"*) it_fail "a container of the default bridge got s-a's address: $out" ;; esac
it_pass "the network's DNS does not answer a container of another network"

berth rm -f s-a s-b s-d > /dev/null
berth network rm s-net > /dev/null || it_fail "network rm"
