# User-defined networks across a daemon restart (issue 7 items 3 and 5):
# after berthd is killed with -9, and again after a clean stop, the
# networks are listed and inspected as before, running containers keep
# their addresses on every network and their names (also one renamed
# before the restart) and aliases in the networks' DNS (a container that
# ended meanwhile loses its endpoint and name), a container's
# --dns servers stay its upstream, new containers join and resolve the old ones,
# and nothing is left once they are removed.
NET_TAG=x NET_OCTET=58
DNS_PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
NET_OPTS_EXTRA="  dns-forward: 127.0.0.1:$DNS_PORT"
. "$top_srcdir/tests/network/lib.sh"

X_SUB=10.235.58.0/24
X2_SUB=10.235.158.0/24
X_GW=10.235.58.1
ip route | grep -q "^10\.235\.\(58\|158\)\." && it_skip "10.235.58.0/24 or 10.235.158.0/24 is routed here already"

x_cleanup () {
  [ -n "${DNS_PID:-}" ] && kill "$DNS_PID" 2> /dev/null
  [ -n "${OWN_PID:-}" ] && kill "$OWN_PID" 2> /dev/null
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
trap x_cleanup EXIT

# outside.example. -> argv[4], anything else NXDOMAIN
cat > "$IT_DIR/resolver.py" << 'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError as e:
    open(sys.argv[3] + ".failed", "w").write(str(e))
    sys.exit(1)
open(sys.argv[3], "w").close()
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i] != 0:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace")); i += 1 + q[i]
    name, qtype = ".".join(labels).lower(), struct.unpack("!H", q[i + 1:i + 3])[0]
    qd = q[12:i + 5]
    if name == "outside.example" and qtype == 1:
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton(sys.argv[4])
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0) + qd + ans, peer)
    else:
        s.sendto(q[:2] + struct.pack("!HHHHH", 0x8183 if name != "outside.example" else 0x8180, 1, 0, 0, 0) + qd, peer)
PY
# the daemon's upstream answers 192.0.2.7; x-d's --dns server (port 53 on a loopback address of our own) 192.0.2.8
"$PYTHON" "$IT_DIR/resolver.py" 127.0.0.1 "$DNS_PORT" "$IT_DIR/resolver.ready" 192.0.2.7 &
DNS_PID=$!
OWN_DNS="127.58.$(($$ % 250 + 1)).53"
"$PYTHON" "$IT_DIR/resolver.py" "$OWN_DNS" 53 "$IT_DIR/own.ready" 192.0.2.8 &
OWN_PID=$!
it_wait 50 test -e "$IT_DIR/resolver.ready" || it_fail "the test's resolver did not start"
it_wait 50 test -e "$IT_DIR/own.ready" -o -e "$IT_DIR/own.ready.failed" || it_fail "the --dns resolver did not start"
[ -e "$IT_DIR/own.ready.failed" ] && it_skip "cannot serve DNS on $OWN_DNS:53: $(cat "$IT_DIR/own.ready.failed")"

addrs () {
  berth exec "$1" nslookup "$2" ${3:+"$3"} > "$IT_DIR/nslookup.out" 2>&1
  sed -n '/^Name:/,$p' "$IT_DIR/nslookup.out" | sed -n 's/^Address[ 0-9]*: *\([0-9.]*\).*/\1/p'
}
ep_ip () { it_curl "http://x/v1.50/containers/$1/json" | it_json "j['NetworkSettings']['Networks']['$2']['IPAddress']"; }
# what must not change: the networks as inspected, and every container's addresses
net_state () {
  for n in x-net x-net2; do
    it_curl "http://x/v1.50/networks/$n" | it_json '" ".join([j["Id"], j["Name"], j["IPAM"]["Config"][0]["Subnet"], j["Labels"].get("keep", "")] + sorted(c["Name"] + "=" + c["IPv4Address"] for c in j["Containers"].values()))'
  done
  berth network ls --format '{{.Name}}' | sort | tr '\n' ' '
}

berth network create --subnet "$X_SUB" --label keep=1 x-net > /dev/null || it_fail "network create x-net"
berth network create --subnet "$X2_SUB" x-net2 > /dev/null || it_fail "network create x-net2"
berth run -d --name x-a --network x-net --network-alias xa-alias busybox sleep 600 > /dev/null || it_fail "run x-a"
berth run -d --name x-b0 --network x-net busybox sleep 600 > /dev/null || it_fail "run x-b0"
berth network connect x-net2 x-b0 || it_fail "connect x-b0"
berth rename x-b0 x-b || it_fail "rename x-b0"
berth run -d --name x-o --network x-net2 busybox sleep 600 > /dev/null || it_fail "run x-o"
berth run -d --name x-d --network x-net --dns "$OWN_DNS" busybox sleep 600 > /dev/null || it_fail "run x-d"
state=$(net_state)
bridges=$(for f in "$IT_DATA"/network/networks/*.json; do
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Bridge"])' "$f"; done)
[ -n "$bridges" ] || it_fail "no bridge in the networks' records"
a1=$(ep_ip x-a x-net)
b1=$(ep_ip x-b x-net)
b2=$(ep_ip x-b x-net2)

# every check that must hold before and after each restart
check_all () {
  local when=$1
  it_assert_eq "$(net_state)" "$state" "networks and addresses $when"
  it_assert_eq "$(addrs x-b x-a)" "$a1" "x-a from x-b $when"
  it_assert_eq "$(addrs x-b xa-alias)" "$a1" "xa-alias from x-b $when"
  it_assert_eq "$(addrs x-a x-b)" "$b1" "x-b from x-a $when"
  it_assert_eq "$(addrs x-o x-b)" "$b2" "x-b from x-o (x-net2) $when"
  [ -z "$(addrs x-a x-b0)" ] || it_fail "x-b's old name resolves $when"
  it_assert_eq "$(addrs x-a outside.example)" 192.0.2.7 "outside.example (forwarded) $when"
  it_assert_eq "$(addrs x-d outside.example)" 192.0.2.8 "outside.example from x-d (its --dns) $when"
  it_assert_eq "$(addrs x-d x-a)" "$a1" "x-a from x-d $when"
  berth exec x-a ping -c 1 -W 3 x-b > /dev/null || it_fail "x-a cannot ping x-b $when"
  berth exec x-o ping -c 1 -W 3 x-b > /dev/null || it_fail "x-o cannot ping x-b on x-net2 $when"
  berth exec x-o ping -c 1 -W 2 "$a1" > /dev/null 2>&1 && it_fail "x-o (x-net2) reaches x-a on x-net $when"
  true
}
check_all "before the restart"
it_pass "x-net and x-net2 with x-a ($a1), x-b ($b1, $b2; renamed from x-b0), x-o and x-d (--dns): names resolve"

# x-g ends while the daemon is down: its endpoint and name go at the restart
berth run -d --name x-g --network x-net busybox sleep 600 > /dev/null || it_fail "run x-g"
gid=$(berth inspect -f '{{.Id}}' x-g)
gpid=$(berth inspect -f '{{.State.Pid}}' x-g)
it_assert_eq "$(addrs x-a x-g)" "$(ep_ip x-g x-net)" "x-g from x-a ($(cat "$IT_DIR/nslookup.out"))"
kill -KILL "$IT_PID"
wait "$IT_PID" 2> /dev/null
IT_PID=
kill -KILL "$gpid"
it_start_daemon
check_all "after kill -9 and restart"
[ -z "$(addrs x-a x-g)" ] || it_fail "x-g, which ended while berthd was down, still resolves"
ls "$IT_DATA/network/endpoints" | grep -q "^$gid" && it_fail "x-g's endpoint record is left: $(ls "$IT_DATA/network/endpoints")"
berth rm x-g > /dev/null || it_fail "rm x-g"
berth run -d --name x-c --network x-net busybox sleep 600 > /dev/null || it_fail "run x-c after the restart"
c1=$(ep_ip x-c x-net)
case " $a1 $b1 " in *" $c1 "*) it_fail "x-c got $c1, which is taken" ;; esac
it_assert_eq "$(addrs x-c x-a)" "$a1" "x-a from the new x-c"
it_assert_eq "$(addrs x-c x-b)" "$b1" "x-b from the new x-c"
it_assert_eq "$(addrs x-a x-c)" "$c1" "the new x-c from x-a"
it_pass "after kill -9: networks listed as before, addresses and names kept, new x-c ($c1) joins and resolves them"

berth rm -f x-c > /dev/null || it_fail "rm x-c"
it_stop_daemon || it_fail "berthd did not stop cleanly"
it_start_daemon
check_all "after a clean stop and start"
berth run --rm --network x-net busybox ping -c 1 -W 3 x-a > /dev/null || it_fail "a new container cannot ping x-a after the clean restart"
it_pass "after a clean stop and start: the same, and a new container pings x-a"

berth rm -f x-a x-b x-o x-d > /dev/null || it_fail "rm"
berth network rm x-net x-net2 > /dev/null || it_fail "network rm after the restarts"
left=$(net_leftovers; ls "$IT_DATA/network/networks"; for b in $bridges; do ip -o link show "$b" 2> /dev/null; done)
[ -z "$left" ] || it_fail "left after rm: $left"
nft list tables | grep -q "${NET_TABLE}_" && it_fail "a table of a user network is left: $(nft list tables | grep "${NET_TABLE}_")"
it_pass "nothing left after rm and network rm"
