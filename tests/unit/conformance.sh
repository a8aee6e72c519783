# Run the conformance suite of each driver kind against every in-tree plugin.
# Any plugin can be checked the same way by hand:
#   tests/unit/conformance-<kind> /path/to/<kind>-<name>.so
set -u
builddir=${top_builddir:-.}
status=0
ran=0
for so in "$builddir"/plugins/*/.libs/*.so; do
  [ -e "$so" ] || continue
  name=$(basename "$so" .so)
  kind=${name%%-*}
  suite="$builddir/tests/unit/conformance-$kind"
  if [ ! -x "$suite" ]; then
    echo "FAIL: $name: no conformance suite for kind $kind"
    status=1
    continue
  fi
  "$suite" "$so"
  rc=$?
  case $rc in
    0) echo "PASS: $name"; ran=$((ran + 1)) ;;
    77) echo "SKIP: $name" ;;
    *) echo "FAIL: $name (exit $rc)"; status=1 ;;
  esac
done
if [ $status -eq 0 ] && [ $ran -eq 0 ]; then
  echo "no plugins found under $builddir/plugins"
  exit 77
fi
exit $status
