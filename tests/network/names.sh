# Names on user networks as a container's life changes them (issue 7
# items 3 and 5): /etc/hosts gains the container's address on `network
# connect` and loses it on `disconnect` (in place: the file is bind-mounted,
# and a line the container added survives); the embedded DNS follows
# `rename` on every network of the container; a container's --dns servers
# are the upstream of the network's DNS for it (container names still
# resolve, other containers keep the daemon's upstream).
NET_TAG=n NET_OCTET=57
DNS_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NET_OPTS_EXTRA="  dns-forward: 127.0.0.1:$DNS_PORT"
. "$top_srcdir/tests/network/lib.sh"

N_SUB=10.235.57.0/24
N2_SUB=10.235.157.0/24
N_GW=10.235.57.1
ip route | grep -q "^10\.235\.\(57\|157\)\." && it_skip "10.235.57.0/24 or 10.235.157.0/24 is routed here already"
# the container's --dns server: port 53 on a loopback address of this test's own
OWN_DNS="127.57.$(($$ % 250 + 1)).53"

names_cleanup () {
  [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2> /dev/null
  [ -n "${OWN_PID:-}" ] && kill "$OWN_PID" 2> /dev/null
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
    it_curl -X POST http://x/v1.50/networks/prune > /dev/null 2>&1
  fi
  for t in $(nft list tables 2> /dev/null | awk '{print $3}' | grep "^${NET_TABLE}_"); do nft delete table ip "$t"; done
  net_cleanup
}
trap names_cleanup EXIT

# outside.example. -> argv[4]; anything else NXDOMAIN; every name asked is logged
cat > "$IT_DIR/resolver.py" << 'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError as e:
    open(sys.argv[3] + ".failed", "w").write(str(e))
    sys.exit(1)
open(sys.argv[3] + ".ready", "w").close()
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace")); i += 1 + q[i]
    name, qtype = ".".join(labels).lower(), struct.unpack("!H", q[i + 1:i + 3])[0]
    with open(sys.argv[3], "a") as f:
        f.write(name + "\n")
    qd = q[12:i + 5]
    if name == "outside.example" and qtype == 1:
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(sys.argv[4])
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + qd + ans, peer)
    else:
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8183 if name != "outside.example" else 0x8180, 1, 0, 0, 0) + qd, peer)
PY
# the daemon's upstream (dns-forward) answers 192.0.2.7, the container's --dns one 192.0.2.8
"$PYTHON" "$IT_DIR/resolver.py" 127.0.0.1 "$DNS_PORT" "$IT_DIR/daemon-asked" 192.0.2.7 &
DNS_PID=$!
"$PYTHON" "$IT_DIR/resolver.py" "$OWN_DNS" 53 "$IT_DIR/own-asked" 192.0.2.8 &
OWN_PID=$!
it_wait 50 test -e "$IT_DIR/daemon-asked.ready" || it_fail "the daemon's upstream resolver did not start"
it_wait 50 test -e "$IT_DIR/own-asked.ready" -o -e "$IT_DIR/own-asked.failed" || it_fail "the --dns resolver did not start"
[ -e "$IT_DIR/own-asked.failed" ] && it_skip "cannot serve DNS on $OWN_DNS:53: $(cat "$IT_DIR/own-asked.failed")"

berth network create --subnet "$N_SUB" n-net > /dev/null || it_fail "network create n-net"
berth network create --subnet "$N2_SUB" n-net2 > /dev/null || it_fail "network create n-net2"

# nslookup NAME [SERVER] from container C: the addresses answered, one a line
addrs () {
  berth exec "$1" nslookup "$2" ${3:+"$3"} > "$IT_DIR/nslookup.out" 2>&1
  sed -n '/^Name:/,$p' "$IT_DIR/nslookup.out" | sed -n 's/^Address[ 0-9]*: *\([0-9.]*\).*/\1/p'
}
ep_ip () { it_curl "http://x/v1.50/containers/$1/json" | it_json "j['NetworkSettings']['Networks']['$2']['IPAddress']"; }

# --- /etc/hosts follows connect and disconnect
berth run -d --name n-h --hostname hh --network n-net busybox sleep 300 > /dev/null || it_fail "run n-h"
ip1=$(ep_ip n-h n-net)
berth exec n-h sh -c 'echo "192.0.2.99	mine" >> /etc/hosts' || it_fail "append to /etc/hosts"
berth network connect n-net2 n-h || it_fail "network connect"
ip2=$(ep_ip n-h n-net2)
hosts=$(berth exec n-h cat /etc/hosts)
it_assert_contains "$hosts" "$ip1	hh" "/etc/hosts: the first network's line"
it_assert_contains "$hosts" "$ip2	hh" "/etc/hosts after connect: the new address"
it_assert_contains "$hosts" "192.0.2.99	mine" "/etc/hosts after connect: the container's own line"
berth exec n-h ping -c 1 -W 3 hh > /dev/null || it_fail "hh does not resolve through /etc/hosts"
berth network disconnect n-net2 n-h || it_fail "network disconnect"
hosts=$(berth exec n-h cat /etc/hosts)
case "$hosts" in *"$ip2	"*) it_fail "/etc/hosts keeps $ip2 after disconnect: $hosts" ;; esac
it_assert_contains "$hosts" "$ip1	hh" "/etc/hosts after disconnect: the first network's line"
it_assert_contains "$hosts" "192.0.2.99	mine" "/etc/hosts after disconnect: the container's own line"
# connected while stopped: both addresses at the next start
berth create --name n-h2 --hostname hh2 --network n-net busybox sleep 300 > /dev/null || it_fail "create n-h2"
berth network connect n-net2 n-h2 || it_fail "network connect of a created container"
berth start n-h2 > /dev/null || it_fail "start n-h2"
hosts=$(berth exec n-h2 cat /etc/hosts)
it_assert_contains "$hosts" "$(ep_ip n-h2 n-net)	hh2" "/etc/hosts of n-h2: n-net's address"
it_assert_contains "$hosts" "$(ep_ip n-h2 n-net2)	hh2" "/etc/hosts of n-h2: n-net2's address"
it_pass "/etc/hosts: connect adds $ip2, disconnect removes it, in place (the container's own line kept); both networks at start"

# --- the DNS follows rename, on every network of the container
berth run -d --name n-a --network n-net busybox sleep 300 > /dev/null || it_fail "run n-a"
berth run -d --name n-o --network n-net2 busybox sleep 300 > /dev/null || it_fail "run n-o"
berth run -d --name n-r --network n-net busybox sleep 300 > /dev/null || it_fail "run n-r"
berth network connect n-net2 n-r || it_fail "connect n-r"
r1=$(ep_ip n-r n-net)
r2=$(ep_ip n-r n-net2)
it_assert_eq "$(addrs n-a n-r "$N_GW")" "$r1" "n-r from n-a before the rename"
berth rename n-r n-r-new || it_fail "rename"
it_assert_eq "$(addrs n-a n-r-new "$N_GW")" "$r1" "n-r-new from n-a (n-net)"
it_assert_eq "$(addrs n-o n-r-new)" "$r2" "n-r-new from n-o (n-net2)"
[ -z "$(addrs n-a n-r "$N_GW")" ] || it_fail "the old name still resolves on n-net: $(addrs n-a n-r "$N_GW")"
[ -z "$(addrs n-o n-r)" ] || it_fail "the old name still resolves on n-net2"
it_assert_eq "$(it_curl http://x/v1.50/containers/n-r-new/json | it_json 'j["NetworkSettings"]["Networks"]["n-net"]["DNSNames"][0]')" \
  n-r-new "DNSNames after the rename"
it_assert_eq "$(it_curl http://x/v1.50/networks/n-net2 | it_json 'str(sorted(c["Name"] for c in j["Containers"].values() if c["Name"].startswith("n-r")))')" \
  "['n-r-new']" "network inspect's Containers after the rename"
berth exec n-a ping -c 1 -W 3 n-r-new > /dev/null || it_fail "n-a cannot ping n-r-new"
it_pass "rename: n-r-new resolves on n-net ($r1) and n-net2 ($r2); n-r no longer does"

# --- --dns: the container's servers are its upstream; names still answered
berth run -d --name n-d --network n-net --dns "$OWN_DNS" --dns-option timeout:2 busybox sleep 300 > /dev/null \
  || it_fail "run --dns"
rc=$(berth exec n-d cat /etc/resolv.conf)
it_assert_eq "$(echo "$rc" | grep '^nameserver')" "nameserver $N_GW" "resolv.conf with --dns on a user network"
it_assert_eq "$(echo "$rc" | grep '^options')" "options timeout:2 ndots:0" "options with --dns-option"
# --dns-search and an ndots of the container's own (Docker adds ndots:0 only when none is given)
rc=$(berth run --rm --network n-net --dns "$OWN_DNS" --dns-search corp.example --dns-option ndots:2 busybox cat /etc/resolv.conf)
it_assert_eq "$rc" "nameserver $N_GW
search corp.example
options ndots:2" "resolv.conf with --dns, --dns-search and --dns-option ndots:2 on a user network"
it_assert_eq "$(addrs n-d outside.example)" 192.0.2.8 "outside.example from n-d (--dns)"
grep -q "^outside.example$" "$IT_DIR/own-asked" || it_fail "the --dns server was not asked"
it_assert_eq "$(addrs n-d n-a)" "$(ep_ip n-a n-net)" "n-a from n-d (--dns; nslookup said: $(cat "$IT_DIR/nslookup.out"))"
grep -q "^n-a" "$IT_DIR/own-asked" && it_fail "a container's name went to the --dns server"
asked=$(grep -c "^outside.example$" "$IT_DIR/own-asked")
it_assert_eq "$(addrs n-a outside.example)" 192.0.2.7 "outside.example from n-a (the daemon's upstream)"
it_assert_eq "$(grep -c "^outside.example$" "$IT_DIR/own-asked")" "$asked" "queries to the --dns server after n-a's"
it_pass "--dns $OWN_DNS: nameserver is the network's DNS, it forwards n-d's other names there, n-a keeps dns-forward"

berth rm -f n-h n-h2 n-a n-o n-r-new n-d > /dev/null || it_fail "rm"
berth network rm n-net n-net2 > /dev/null || it_fail "network rm"
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
it_pass "nothing left"
