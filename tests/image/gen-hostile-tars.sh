#!/bin/sh
# The hostile tar generator writes one tar per case and a readable case list.
set -eu
gen="${top_builddir}/tests/fixtures/hostile-tars/gen-hostile-tars"
out=$(mktemp -d /tmp/berth-image-gen-XXXXXX)
trap 'rm -rf "$out"' EXIT
"$gen" "$out" /tmp/berth-canary-dir
n=$(wc -l < "$out/cases.txt")
[ "$n" -ge 35 ] || { echo "only $n cases"; exit 1; }
while read -r name expect; do
  [ -s "$out/$name.tar" ] || { echo "missing $name.tar"; exit 1; }
  case "$expect" in reject|accept|either) ;; *) echo "bad expectation $expect"; exit 1 ;; esac
done < "$out/cases.txt"
# each tar is a valid archive that lists
tar -tf "$out/SymlinkAbsolute.tar" | grep -q '^localetc/unbroken$'
tar -tvf "$out/HardlinkRelative.tar" 2>/dev/null | grep -q 'link to .*canary'
if "$gen" 2>/dev/null; then echo "usage error not reported"; exit 1; fi
echo "gen-hostile-tars: $n cases ok"
