# Leak checks at scale (issue 7 item 5): 200 `run --rm` cycles on the
# default bridge (4 streams at once), then no veth, address, nftables
# element or rule, IPAM lease, endpoint record or namespace is left; then berthd killed with -9
# while containers run, and started again: every running container keeps
# its address, interface and port, nothing is duplicated (one veth, one
# lease, one map element per container), and new containers get addresses
# of their own.
#
# Four streams: 200 cycles one after the other took 34 s on this 2-core
# machine under load (x2-3 under ASan), four at once 20 s; it also runs
# attach and detach concurrently.  BERTH_LEAK_CYCLES=N overrides the 200.
NET_TAG=l NET_OCTET=43
. "$top_srcdir/tests/network/lib.sh"

cycles=${BERTH_LEAK_CYCLES:-200}
streams=4

rules_before=$(nft -a list table ip "$NET_TABLE" | grep -c 'handle')
# the addresses of the host's network namespaces and interfaces before
netns_before=$(ls "$IT_EXEC/netns" 2> /dev/null | wc -l)

t0=$(date +%s.%N)
pids=''
for stream in $(seq 1 "$streams"); do
  (
    i=$stream
    while [ "$i" -le "$cycles" ]; do
      berth run --rm busybox true || { echo "FAIL: cycle $i" >&2; exit 1; }
      i=$((i + streams))
    done
  ) &
  pids="$pids $!"
done
for p in $pids; do wait "$p" || it_fail "a run --rm cycle failed"; done
t1=$(date +%s.%N)
secs=$(echo "$t0 $t1" | awk '{ printf "%.1f", $2 - $1 }')
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after $cycles cycles: $left"
it_assert_eq "$(nft -a list table ip "$NET_TABLE" | grep -c 'handle')" "$rules_before" "rules in table $NET_TABLE"
it_assert_eq "$(ls "$IT_EXEC/netns" 2> /dev/null | wc -l)" "$netns_before" "namespace files"
# no mount of a namespace of ours is left either
grep -q " $IT_EXEC/netns/" /proc/mounts && it_fail "a namespace mount is left: $(grep " $IT_EXEC/netns/" /proc/mounts)"
# the bridge holds the gateway address only
it_assert_eq "$(ip -o -4 addr show dev "$NET_BR" | wc -l)" 1 "addresses on $NET_BR"
it_pass "$cycles run --rm cycles ($streams at once) in $secs s: no veth, address, rule, element, lease, record or namespace left"

# --- with published ports, in parallel: 4 at a time, 5 rounds
for r in 1 2 3 4 5; do
  pids=''
  for k in 1 2 3 4; do
    berth run --rm -p 80 -p 81/udp busybox true &
    pids="$pids $!"
  done
  for p in $pids; do wait "$p" || it_fail "a parallel run --rm -p failed"; done
done
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after parallel cycles with ports: $left"
it_pass "20 parallel run --rm -p cycles leave nothing"

# --- kill -9 with containers running, restart
ports=''
for n in 1 2 3 4 5; do
  p=$(net_free_port)
  ports="$ports $p"
  berth run -d --name "lk-$n" -p "127.0.0.1:$p:80" busybox \
    sh -c "mkdir -p /w && echo lk-$n > /w/index.html && exec httpd -f -p 80 -h /w" > /dev/null || it_fail "run lk-$n"
done
before=$(for n in 1 2 3 4 5; do echo "lk-$n $(net_ip "lk-$n")"; done)
veths_before=$(ip -o link show master "$NET_BR" | awk -F': ' '{print $2}' | sort)
kill -KILL "$IT_PID"
wait "$IT_PID" 2> /dev/null
IT_PID=
it_start_daemon
after=$(for n in 1 2 3 4 5; do echo "lk-$n $(net_ip "lk-$n")"; done)
it_assert_eq "$after" "$before" "addresses after kill -9 and restart"
it_assert_eq "$(ip -o link show master "$NET_BR" | awk -F': ' '{print $2}' | sort)" "$veths_before" "veths after restart"
n=1
for p in $ports; do
  it_assert_eq "$(curl -s -m 3 "http://127.0.0.1:$p/index.html")" "lk-$n" "port $p after the restart"
  n=$((n + 1))
done
# nothing twice: one map element per port, one record per container
it_assert_eq "$(nft list map ip "$NET_TABLE" pub4 | grep -o ': [0-9.]* \. 80' | wc -l)" 5 "pub4 elements"
it_assert_eq "$(ls "$IT_DATA/network/endpoints" | wc -l)" 5 "endpoint records"
# a second restart (clean this time) changes nothing either
it_stop_daemon
it_start_daemon
it_assert_eq "$(for n in 1 2 3 4 5; do echo "lk-$n $(net_ip "lk-$n")"; done)" "$before" "addresses after a second restart"
it_assert_eq "$(nft list map ip "$NET_TABLE" pub4 | grep -o ': [0-9.]* \. 80' | wc -l)" 5 "pub4 elements after a second restart"
# new containers get addresses nobody holds
used=$(echo "$before" | awk '{print $2}')
for n in 1 2 3; do
  berth run -d --name "lk-new-$n" busybox sleep 300 > /dev/null || it_fail "run lk-new-$n"
  ip=$(net_ip "lk-new-$n")
  echo "$used" | grep -qx "$ip" && it_fail "lk-new-$n got $ip, which is taken"
  used="$used
$ip"
done
it_assert_eq "$(echo "$used" | sort | uniq -d)" "" "duplicate addresses"
it_assert_eq "$(ip -o link show master "$NET_BR" | wc -l)" 8 "veths (5 kept, 3 new)"
it_pass "kill -9 + restart (twice): 5 containers keep addresses, veths and ports; nothing duplicated; new ones get free addresses"

berth rm -f lk-1 lk-2 lk-3 lk-4 lk-5 lk-new-1 lk-new-2 lk-new-3 > /dev/null
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
it_assert_eq "$(nft -a list table ip "$NET_TABLE" | grep -c 'handle')" "$rules_before" "rules in table $NET_TABLE at the end"
it_pass "nothing left after rm"
