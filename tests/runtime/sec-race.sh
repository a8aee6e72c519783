# CVE-2021-30465 (SECURITY.md item 4, I9): while another process keeps
# exchanging a directory and a symlink to / (renameat2 RENAME_EXCHANGE) in a
# shared volume, 300 containers start with a mount below that path.  No
# container may see the host's marker, and nothing may be created on the
# host outside the volume.
. "$(dirname "$0")/sec-lib.sh"

MARK="rt-race-marker-$$"
TGT="rt-race-t-$$"
: > "/$MARK"
trap 'rm -f "/$MARK"; rmdir "/$TGT" 2>/dev/null; RT=$RT_BUILD; cleanup' EXIT

mkdir -p "$T/vol/a"
ln -s / "$T/vol/b"
new_id race
bundle "$T/race" '"sh","-c","for d in / /vol /vol/a /vol/b /vol/a/'"$TGT"'; do ls -a $d; done 2>/dev/null | grep -q '"$MARK"' && echo LEAK; echo done"' \
  '' '' '' \
  '{ "destination": "/vol", "type": "bind", "source": "'"$T/vol"'", "options": [ "rbind" ] },
   { "destination": "/vol/a/'"$TGT"'", "type": "tmpfs", "source": "tmpfs", "options": [ "size=64k" ] },'
own_rootfs "$T/race"
"$T/rtsec-helper" swap "$T/vol/a" "$T/vol/b" "$T/stop" > "$T/swap.out" 2>&1 &
swapper=$!
leaks=0
started=0
i=0
while [ $i -lt 300 ]; do
  out=$(cd "$T/race" && rt run "$ID" 2>&1)
  case "$out" in
    *LEAK*) leaks=$((leaks + 1)) ;;
    *done*) started=$((started + 1)) ;;
  esac
  i=$((i + 1))
done
touch "$T/stop"
wait $swapper
echo "  $(cat "$T/swap.out"); $started of 300 containers ran"
check "the swapper ran throughout" grep -q "swapped" "$T/swap.out"
check "containers started while the path was being swapped" [ "$started" -gt 0 ]
check "no container saw the host's marker" [ "$leaks" = 0 ]
check "nothing created at the host's root" [ ! -e "/$TGT" ]
check "nothing created next to the volume" [ ! -e "$T/$TGT" ]

finish
