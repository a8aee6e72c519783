# Masked and read-only paths (SECURITY.md item 12, I2-I4) and /dev tricks
# (item 6): Docker's masked paths read as nothing, the read-only ones give
# EROFS, and images whose /dev or /dev/null is a symlink either fail or run
# with the masks intact, with nothing changed on the host.
. "$(dirname "$0")/sec-lib.sh"

MASKED="/proc/acpi /proc/asound /proc/interrupts /proc/kcore /proc/keys /proc/latency_stats /proc/sched_debug
/proc/scsi /proc/timer_list /proc/timer_stats /sys/devices/virtual/powercap /sys/firmware
$(ls -d /sys/devices/system/cpu/cpu*/thermal_throttle 2>/dev/null)"
RO="/proc/bus /proc/fs /proc/irq /proc/sys /proc/sysrq-trigger"
json_list () { printf '"%s", ' $1 | sed 's/, $//'; }

# reads: a file gives 0 bytes (or fails), a directory lists nothing
probe='for p in '"$(echo $MASKED)"'; do
  if [ -d $p ]; then n=$(ls -A $p 2>/dev/null | wc -l); else n=$(cat $p 2>/dev/null | wc -c); fi
  echo "read $p $n"
done
for p in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /proc/sys/kernel/shmmax; do
  ( echo rt-probe > $p ) 2>&1 | sed "s|^|write $p |"
done
mkdir /proc/sys/rt-x 2>&1 | sed "s|^|mkdir |"'
core_before=$(cat /proc/sys/kernel/core_pattern)
shmmax_before=$(cat /proc/sys/kernel/shmmax)

masks_hold () {
  echo "$1" | grep '^write ' | sed 's/^/  # /'
  # masks_hold OUTPUT: every masked path read empty, every write refused
  echo "$1" | grep -q '^read ' || { echo "  the probe did not run: $1"; return 1; }
  bad=$(echo "$1" | grep '^read ' | grep -v ' 0$')
  [ -z "$bad" ] || { echo "  readable: $bad"; return 1; }
  for p in /proc/sys/kernel/core_pattern /proc/sysrq-trigger /proc/sys/kernel/shmmax; do
    [ -e $p ] || continue # no CONFIG_MAGIC_SYSRQ
    echo "$1" | grep "^write $p" | grep -q -E "Read-only file system|Permission denied" \
      || { echo "  write to $p not refused with EROFS/EACCES"; return 1; }
  done
  return 0
}
host_unchanged () {
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$core_before" ] && [ "$(cat /proc/sys/kernel/shmmax)" = "$shmmax_before" ] \
    || { echo "  host core_pattern or shmmax changed"; echo "$core_before" > /proc/sys/kernel/core_pattern; return 1; }
}
set_masks () {
  sed -i "s|\"maskedPaths\": \[.*|\"maskedPaths\": [ $(json_list "$MASKED") ],|; /\"\/proc\/timer_stats\", \"\/proc\/sched_debug\"/d" "$1/config.json"
}
no_dev_mount () { sed -i '/"destination": "\/dev", "type": "tmpfs"/d' "$1/config.json"; }

new_id mask
bundle "$T/mask" '"sh","-c",'"$(printf '%s' "$probe" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{printf "%s\\n", $0}' | sed 's/^/"/; s/$/"/')"
own_rootfs "$T/mask"
set_masks "$T/mask"
out=$(cd "$T/mask" && rt run "$ID" 2>&1)
check "every Docker masked path reads empty; read-only paths refuse writes" masks_hold "$out"
check "mkdir under /proc/sys refused" contains "$out" "mkdir "
check "host core_pattern and shmmax unchanged" host_unchanged

# /dev/null -> /proc/sys/kernel/core_pattern in the image, with and without
# a /dev tmpfs over it
for variant in devtmpfs imagedev; do
  new_id "null-$variant"
  bundle "$T/null-$variant" '"sh","-c",'"$(printf '%s' "$probe" | sed 's/\\/\\\\/g; s/"/\\"/g' | awk '{printf "%s\\n", $0}' | sed 's/^/"/; s/$/"/')"
  own_rootfs "$T/null-$variant"
  set_masks "$T/null-$variant"
  [ $variant = imagedev ] && no_dev_mount "$T/null-$variant"
  ln -sf /proc/sys/kernel/core_pattern "$T/null-$variant/rootfs/dev/null"
  out=$(cd "$T/null-$variant" && rt run "$ID" 2>&1)
  st=$?
  if [ $st = 0 ]; then
    check "/dev/null -> core_pattern ($variant): masks intact" masks_hold "$out"
  else
    check "/dev/null -> core_pattern ($variant): refused with a clear error" contains "$out" "symlink"
  fi
  check "/dev/null -> core_pattern ($variant): host unchanged" host_unchanged
done

# /dev -> /outside in the image with no /dev mount (crun
# test_dev_symlink_does_not_populate_outside_rootfs)
new_id devlink
bundle "$T/devlink" '"true"'
own_rootfs "$T/devlink"
no_dev_mount "$T/devlink"
mkdir -p "$T/outside" "$T/devlink/rootfs/outside"
rm -rf "$T/devlink/rootfs/dev" && ln -s /outside "$T/devlink/rootfs/dev"
(cd "$T/devlink" && rt run "$ID" > "$T/devlink.out" 2>&1)
st=$?
check "/dev -> /outside without a /dev mount: nothing created on the host's /outside" [ ! -e /outside ]
check "/dev -> /outside: nothing created in the rootfs's /outside" [ -z "$(ls -A "$T/devlink/rootfs/outside")" ]
[ $st != 0 ] && check "/dev -> /outside: refused with a clear error" grep -q symlink "$T/devlink.out"

finish
