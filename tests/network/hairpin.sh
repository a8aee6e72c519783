# Hairpin NAT: a container reaches its own published port, and another
# container's, through the host's address and through the gateway; the
# server sees the client coming from the gateway (masquerade), so its
# answers come back the same way.
NET_TAG=h NET_OCTET=44
. "$top_srcdir/tests/network/lib.sh"

p1=$(net_free_port)
p2=$(net_free_port)
[ "$p1" != "$p2" ] || p2=$((p1 + 1))
# a server that answers with the address the client comes from
serve='mkdir -p /w/cgi-bin && printf "#!/bin/sh\necho Content-Type: text/plain\necho\necho peer=\$REMOTE_ADDR\n" > /w/cgi-bin/peer && chmod +x /w/cgi-bin/peer && exec httpd -f -p 80 -h /w'
berth run -d --name hp-a -p "$p1:80" busybox sh -c "$serve" > /dev/null || it_fail "run hp-a"
berth run -d --name hp-b -p "$p2:80" busybox sh -c "$serve" > /dev/null || it_fail "run hp-b"
a=$(net_ip hp-a)
# busybox httpd gives IPv4 peers as [::ffff:A.B.C.D]
peer () { berth exec "$1" timeout 10 wget -q -O - "$2" | sed 's/\[::ffff:\(.*\)\]/\1/'; }
gw=$NET_PREFIX.1
# a host address that is not on the bridge: the outside veth's
ip link add "$NET_OUT_HOST" type veth peer name "${NET_OUT_HOST}p" || it_fail "veth"
ip addr add "$NET_OUT_PREFIX.1/24" dev "$NET_OUT_HOST"
ip link set "$NET_OUT_HOST" up
host=$NET_OUT_PREFIX.1
it_wait 50 curl -sf -m 2 "http://127.0.0.1:$p1/cgi-bin/peer" || it_fail "hp-a does not answer on 127.0.0.1:$p1"

for target in "$host" "$gw"; do
  out=$(peer hp-a "http://$target:$p1/cgi-bin/peer") \
    || it_fail "hp-a cannot reach its own port $target:$p1"
  it_assert_eq "$out" "peer=$gw" "hp-a to itself through $target: the server sees"
  out=$(peer hp-a "http://$target:$p2/cgi-bin/peer") \
    || it_fail "hp-a cannot reach hp-b's port $target:$p2"
  it_assert_eq "$out" "peer=$gw" "hp-a to hp-b through $target: the server sees"
done
it_pass "hairpin: a container reaches its own and another's published port via $host and $gw"

# direct container-to-container traffic is not masqueraded
out=$(peer hp-b "http://$a/cgi-bin/peer")
it_assert_eq "$out" "peer=$(net_ip hp-b)" "hp-b to hp-a directly: the server sees"
# the veth ports are in hairpin mode (as Docker's without userland proxy)
for v in $(ip -o link show master "$NET_BR" | awk -F': ' '{print $2}' | cut -d@ -f1); do
  bridge -d link show dev "$v" | grep -q 'hairpin on' || it_fail "$v is not in hairpin mode"
done
it_pass "direct traffic keeps its source; veth ports in hairpin mode"

berth rm -f hp-a hp-b > /dev/null
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
