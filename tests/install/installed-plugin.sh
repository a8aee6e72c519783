#!/bin/sh
# `make install` lays files where packagers expect them, and a plugin built out
# of tree with nothing but `pkg-config berth-plugin` is loaded by the installed
# daemon.
set -eu
: "${top_builddir:?}" "${top_srcdir:?}"

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v cc > /dev/null || { echo "SKIP: no C compiler"; exit 77; }

tmp=$(mktemp -d /tmp/berth-install.XXXXXX)
pid=
br=
cleanup () {
  [ -n "$pid" ] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null
  if [ -n "$br" ]; then
    ip link del "$br" 2> /dev/null
    nft delete table ip "berth_install_$$" 2> /dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail () { echo "FAIL: $*" >&2; [ -f "$tmp/berthd.log" ] && tail -20 "$tmp/berthd.log" >&2; exit 1; }

dest="$tmp/dest"
make -C "$top_builddir" install DESTDIR="$dest" > "$tmp/install.log" 2>&1 || { tail -20 "$tmp/install.log"; fail "make install"; }

# Where configure put things, as the Makefile knows them.
. "$top_builddir/tests/install/dirs.sh"

for f in "$bindir/berth" "$sbindir/berthd" "$includedir/berth/plugin.h" "$includedir/berth/storage.h" \
  "$includedir/berth/network.h" "$includedir/berth/volume.h" "$includedir/berth/log.h" \
  "$libdir/pkgconfig/berth-plugin.pc" "$sysconfdir/berth/berth.yaml" "$plugindir/storage-vfs.so"; do
  [ -e "$dest$f" ] || fail "not installed: $f"
done
echo "ok - make install layout"

# Build the example exactly as a third party would: only pkg-config.
cp -R "$top_srcdir/examples/log-counter" "$tmp/example"
chmod -R u+w "$tmp/example"
export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
# pkgconf prefixes variables with the sysroot; the reference pkg-config does not.
case "$(pkg-config --variable=plugindir berth-plugin)" in
  "$dest$plugindir") example_destdir= ;;
  "$plugindir") example_destdir=$dest ;;
  *) fail "pkg-config plugindir is $(pkg-config --variable=plugindir berth-plugin), expected $plugindir" ;;
esac
make -C "$tmp/example" > "$tmp/example.log" 2>&1 || { cat "$tmp/example.log"; fail "example plugin build"; }
make -C "$tmp/example" install DESTDIR="$example_destdir" > /dev/null || fail "example plugin install"
[ -f "$dest$plugindir/log-counter.so" ] || fail "example plugin not installed in plugindir"
echo "ok - example plugin built with pkg-config only"

# a bridge, subnet and nftables table of its own (not berth0/berth), removed
# at exit, so the test neither meets nor leaves the host's default network
br="bi$$"
cat > "$tmp/berth.yaml" << YAML
data-root: $tmp/data
exec-root: $tmp/run
plugin-dirs: [$dest$plugindir]
network-opts:
  bridge: $br
  subnet: 10.198.$(($$ % 250)).0/24
  nft-table: berth_install_$$
YAML
out=$("$dest$sbindir/berthd" --config "$tmp/berth.yaml" --validate 2>&1) || { echo "$out"; fail "berthd --validate"; }
echo "$out" | grep -q counter || { echo "$out"; fail "installed berthd did not load the example plugin"; }

"$dest$sbindir/berthd" --config "$tmp/berth.yaml" > "$tmp/berthd.log" 2>&1 &
pid=$!
i=0
until curl -sf --unix-socket "$tmp/run/berth.sock" http://localhost/_ping > /dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 200 ] || fail "installed berthd did not start"; sleep 0.05
done
info=$(curl -sf --unix-socket "$tmp/run/berth.sock" http://localhost/v1.50/info)
echo "$info" | grep -q '"Log": *\[[^]]*"counter"' || { echo "$info"; fail "/info does not list the example log driver"; }
echo "ok - installed berthd serves the example plugin"
