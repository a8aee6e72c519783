# --dns, --dns-search, --dns-option, --add-host (host-gateway too),
# --hostname and --domainname: the container's /etc/resolv.conf,
# /etc/hosts and /etc/hostname, on the bridge and with --network none; the
# API's HostConfig fields and their bad values.
NET_TAG=d NET_OCTET=41
. "$top_srcdir/tests/network/lib.sh"

# --- resolv.conf: servers, search domains, options replaced
out=$(berth run --rm --dns 192.0.2.53 --dns 2001:db8::53 --dns-search example.org --dns-search corp.example \
  --dns-option ndots:3 --dns-option timeout:2 busybox cat /etc/resolv.conf) || it_fail "run --dns"
it_assert_eq "$out" "search example.org corp.example
nameserver 192.0.2.53
nameserver 2001:db8::53
options ndots:3 timeout:2" "resolv.conf with --dns, --dns-search, --dns-option"
# only --dns-search: the servers stay the host's (loopback ones dropped)
out=$(berth run --rm --network none --dns-search only.example busybox cat /etc/resolv.conf)
it_assert_contains "$out" "search only.example" "--dns-search alone"
echo "$out" | grep -q '^nameserver ' || it_fail "--dns-search alone lost the nameservers: $out"
echo "$out" | grep -q '^nameserver 127\.' && it_fail "a loopback nameserver in the container: $out"
# "." is no search domain at all
out=$(berth run --rm --dns-search . --dns 192.0.2.1 busybox cat /etc/resolv.conf)
echo "$out" | grep -q '^search' && it_fail "--dns-search . kept a search line: $out"
it_pass "resolv.conf: --dns, --dns-search (and .), --dns-option"

# --- /etc/hosts and /etc/hostname
out=$(berth run --rm --hostname web --domainname example.test --add-host db.local:192.0.2.10 \
  --add-host gw.local:host-gateway --add-host v6.local:2001:db8::1 busybox sh -c 'cat /etc/hosts; echo "=$(hostname)"; cat /etc/hostname')
it_assert_contains "$out" "192.0.2.10	db.local" "--add-host line"
it_assert_contains "$out" "$NET_PREFIX.1	gw.local" "host-gateway is the bridge's gateway"
it_assert_contains "$out" "2001:db8::1	v6.local" "IPv6 --add-host"
it_assert_contains "$out" "	web.example.test web" "own line with the domain"
it_assert_contains "$out" "=web" "hostname"
echo "$out" | grep -qx "web" || it_fail "/etc/hostname is not 'web': $out"
# moby's order: defaults, --add-host entries, the container's own address
order=$(echo "$out" | grep -n -e 'db.local' -e 'web.example.test' | cut -d: -f1 | tr '\n' ' ')
set -- $order
[ "$1" -lt "$2" ] || it_fail "the --add-host line comes after the container's own: $out"
out=$(berth run --rm --network none --add-host gw:host-gateway busybox cat /etc/hosts)
it_assert_contains "$out" "$NET_PREFIX.1	gw" "host-gateway with --network none"
# the name resolves inside (busybox ping reads /etc/hosts)
berth run --rm --add-host gw.local:host-gateway busybox ping -c 1 -W 3 gw.local > /dev/null \
  || it_fail "gw.local (host-gateway) does not answer a ping"
it_pass "/etc/hosts: --add-host (v4, v6, host-gateway), --hostname, --domainname, order"

# --- the API: HostConfig fields kept, shown by inspect
id=$(berth create --dns 192.0.2.53 --dns-search a.example --dns-option ndots:1 --add-host x:192.0.2.9 busybox true)
j=$(it_curl "http://x/v1.50/containers/$id/json")
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["Dns"]')" '["192.0.2.53"]' "HostConfig.Dns"
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["DnsSearch"]')" '["a.example"]' "HostConfig.DnsSearch"
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["DnsOptions"]')" '["ndots:1"]' "HostConfig.DnsOptions"
it_assert_eq "$(echo "$j" | it_json 'j["HostConfig"]["ExtraHosts"]')" '["x:192.0.2.9"]' "HostConfig.ExtraHosts"
berth rm "$id" > /dev/null
it_pass "inspect shows HostConfig.Dns, DnsSearch, DnsOptions, ExtraHosts"

# --- bad values: the CLI's and the daemon's messages
expect_fail () { # WHAT EXPECTED CMD...
  what=$1 expected=$2
  shift 2
  rc=0
  "$@" > /dev/null 2> "$IT_DIR/err" || rc=$?
  [ "$rc" != 0 ] || it_fail "$what was accepted"
  it_assert_contains "$(cat "$IT_DIR/err")" "$expected" "$what"
}
expect_fail "--dns 1.2.3" "IP address is not correctly formatted: 1.2.3" berth run --rm --dns 1.2.3 busybox true
expect_fail "--add-host nocolon" 'bad format for add-host: "nocolon"' berth run --rm --add-host nocolon busybox true
expect_fail "--add-host h:999.1.1.1" 'invalid IP address in add-host: "999.1.1.1"' \
  berth run --rm --add-host h:999.1.1.1 busybox true
expect_fail "--dns-search bad/domain" "is not a valid domain" berth run --rm --dns-search bad/domain busybox true
create () { it_curl -s -o "$IT_DIR/body" -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "$1" http://x/v1.50/containers/create; }
it_assert_eq "$(create '{"Image":"busybox","HostConfig":{"Dns":["x.y"]}}')" 400 "API Dns x.y"
it_assert_contains "$(cat "$IT_DIR/body")" "IP address is not correctly formatted" "API Dns message"
it_assert_eq "$(create '{"Image":"busybox","HostConfig":{"ExtraHosts":["a:b"]}}')" 400 "API ExtraHosts a:b"
it_assert_eq "$(create '{"Image":"busybox","HostConfig":{"Dns":"1.1.1.1"}}')" 400 "API Dns not an array"
it_pass "bad --dns, --add-host, --dns-search refused with docker's messages (CLI and API)"

left=$(net_leftovers)
[ -z "$left" ] || it_fail "left behind: $left"
