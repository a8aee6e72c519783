# Shared setup of the network tests: tests/integration/lib.sh's daemon with
# a bridge, subnet and nftables table of the test's own (tests run in
# parallel), the busybox image, and a cleanup that leaves no container,
# interface, table or namespace behind.  Source it with NET_TAG set (a
# short word naming the test) and NET_OCTET (the third octet of its
# 10.234.x.0/24 subnet; the outside network gets NET_OCTET+100).
. "$top_srcdir/tests/integration/lib.sh"

command -v ip > /dev/null || it_skip "ip (iproute2) is not installed"
command -v nft > /dev/null || it_skip "nft is not installed"
ls "$top_builddir"/plugins/network/.libs/network-bridge.so > /dev/null 2>&1 || it_skip "the bridge plugin is not built"

NET_BR="bn${NET_TAG}$$"
NET_BR=$(printf '%.15s' "$NET_BR")
NET_TABLE="berth_t${NET_TAG}$$"
NET_PREFIX="10.234.$NET_OCTET"
NET_SUBNET="$NET_PREFIX.0/24"
NET_OUT_NS="bo${NET_TAG}$$"
NET_OUT_PREFIX="10.234.$((NET_OCTET + 100))"
NET_OUT_HOST="vh${NET_TAG}$$"
ip route | grep -q "^$NET_PREFIX\.\|^$NET_OUT_PREFIX\." && it_skip "$NET_SUBNET or $NET_OUT_PREFIX.0/24 is routed on this host already"

# lib.sh wrote its own network-opts; ours replace them
sed -i '/^network-opts:/,$d' "$IT_CONFIG"
{
  echo "network-opts:"
  echo "  bridge: $NET_BR"
  echo "  subnet: $NET_SUBNET"
  echo "  nft-table: $NET_TABLE"
  echo "  mtu: \"1400\""
  # more network-opts lines of the test's own (e.g. dns-forward)
  [ -z "${NET_OPTS_EXTRA:-}" ] || printf '%s\n' "$NET_OPTS_EXTRA"
} >> "$IT_CONFIG"

net_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  [ -n "${NET_SERVER_PID:-}" ] && kill "$NET_SERVER_PID" 2> /dev/null
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  ip netns del "$NET_OUT_NS" 2> /dev/null
  ip link del "$NET_OUT_HOST" 2> /dev/null
  ip link del "$NET_BR" 2> /dev/null
  nft delete table ip "$NET_TABLE" 2> /dev/null
  it_cleanup
}
trap net_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }

net_ip () { berth inspect -f '{{.NetworkSettings.IPAddress}}' "$1"; }

# veths on our bridge, elements of our port maps, endpoint records, namespaces
net_leftovers_now () {
  ip -o link show master "$NET_BR" 2> /dev/null | awk -F': ' '{print $2}'
  nft list table ip "$NET_TABLE" 2> /dev/null | grep 'elements'
  ls "$IT_DATA/network/endpoints" "$IT_EXEC/netns" 2> /dev/null | grep -v -e '^$' -e ':$'
}

# What is left, once the daemon's teardown settled: a stopped container's
# veth pair is deleted after its removal returns (leave_gone), so up to 5 s
# are given for the interfaces to go; whatever is still there is printed.
net_leftovers () {
  _i=0
  while [ -n "$(net_leftovers_now)" ] && [ "$_i" -lt 100 ]; do
    sleep 0.05
    _i=$((_i + 1))
  done
  net_leftovers_now
}

# A free TCP port of the host
net_free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("",0)); print(s.getsockname()[1])'
}
