# Shared by the sec-*.sh checks (SECURITY.md, runtime part): builds the
# static probe, gives each test a copy of the runtime binary (an attack that
# works corrupts the copy, not the build), and a private rootfs per bundle.
. "$(dirname "$0")/lib.sh"

CC_STATIC=${CC_STATIC:-cc}
if ! $CC_STATIC -static -O1 -o "$T/rtsec-helper" "$top_srcdir/tests/runtime/rtsec-helper.c" 2> "$T/cc.err"; then
  echo "SKIP: cannot build a static helper with $CC_STATIC -static (libc6-dev):"
  cat "$T/cc.err"
  exit 77
fi
RT_BUILD=$RT
cp "$RT" "$T/berth-runtime"
RT="$T/berth-runtime"
# clean up with the build's binary even when an attack corrupted the copy
trap 'RT=$RT_BUILD; cleanup' EXIT
RT_SHA=$(sha256sum < "$RT")

own_rootfs () {
  # own_rootfs BUNDLE: a private copy of the rootfs with the helper at /rtsec
  rm -f "$1/rootfs"
  cp -a "$ROOTFS" "$1/rootfs"
  cp "$T/rtsec-helper" "$1/rootfs/rtsec"
}

runtime_unchanged () {
  [ "$(sha256sum < "$RT")" = "$RT_SHA" ] || { echo "  the runtime binary $RT was modified"; return 1; }
}
