# berthd killed with -9 and started again: a running container keeps its
# address, interface and published port, its lease is not given to a new
# container, and once removed nothing is left.
NET_TAG=r NET_OCTET=12
. "$top_srcdir/tests/network/lib.sh"

port=$(net_free_port)
berth run -d --name net-keep -p "127.0.0.1:$port:80" busybox \
  sh -c 'mkdir -p /www && echo kept > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null || it_fail "run"
berth run -d --name net-gone busybox sleep 300 > /dev/null || it_fail "run net-gone"
keep=$(net_ip net-keep)
gone=$(net_ip net-gone)
it_wait 50 curl -sf -m 2 "http://127.0.0.1:$port/index.html" || it_fail "the port does not answer"

gone_pid=$(berth inspect -f '{{.State.Pid}}' net-gone)
[ -n "$gone_pid" ] && [ "$gone_pid" != 0 ] || it_fail "no pid for net-gone"
kill -KILL "$IT_PID"
wait "$IT_PID" 2> /dev/null
IT_PID=
# one container ends while the daemon is down: its endpoint goes at the restart
kill -KILL "$gone_pid"
it_start_daemon

it_assert_eq "$(net_ip net-keep)" "$keep" "address after the restart"
it_assert_eq "$(curl -s -m 3 "http://127.0.0.1:$port/index.html")" "kept" "published port after the restart"
berth run -d --name net-new busybox sleep 300 > /dev/null || it_fail "run after restart"
new=$(net_ip net-new)
[ -n "$new" ] && [ "$new" != "$keep" ] || it_fail "the new container got $new (net-keep has $keep)"
berth exec net-new wget -q -O - "http://$keep/index.html" | grep -q kept || it_fail "net-new cannot reach net-keep"
it_assert_eq "$(berth inspect -f '{{.State.Running}}' net-gone)" false "net-gone after the restart"
it_assert_eq "$(ls "$IT_DATA/network/endpoints" | wc -l)" 2 "endpoint records (net-keep, net-new)"
it_pass "after kill -9 and restart: $keep kept, port still published, new container got $new, $gone released"

berth rm -f net-keep net-new net-gone > /dev/null 2>&1
left=$(net_leftovers)
[ -z "$left" ] || it_fail "left after rm: $left"
it_pass "nothing left after rm"
