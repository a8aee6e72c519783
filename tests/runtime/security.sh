# The runtime-side CVE checks: symlinked /proc and /dev, mount targets that
# try to leave the rootfs, cwd through leaked fds, fd hygiene, and the
# sealed copy of the runtime binary (CVE-2019-5736).
. "$(dirname "$0")/lib.sh"

alt_rootfs () {
  # alt_rootfs BUNDLE: the bundle gets its own copy of the rootfs
  rm -f "$1/rootfs"
  cp -a "$ROOTFS" "$1/rootfs"
}

new_id symproc
bundle "$T/symproc" '"true"'
alt_rootfs "$T/symproc"
rmdir "$T/symproc/rootfs/proc" && mkdir "$T/symproc/rootfs/bad-proc" && ln -s /bad-proc "$T/symproc/rootfs/proc"
(cd "$T/symproc" && rt run "$ID" > /dev/null 2> "$T/symproc.err")
check "symlinked /proc refused (CVE-2019-19921)" [ "$?" != 0 ]
check "symlinked /proc: clear error" grep -q "symlink" "$T/symproc.err"
check "symlinked /proc: nothing mounted on the target" [ -z "$(ls "$T/symproc/rootfs/bad-proc")" ]

new_id symdev
bundle "$T/symdev" '"true"'
alt_rootfs "$T/symdev"
mkdir -p "$T/outside"
rm -rf "$T/symdev/rootfs/dev" && ln -s "$T/outside" "$T/symdev/rootfs/dev"
(cd "$T/symdev" && rt run "$ID" > /dev/null 2> "$T/symdev.err")
check "symlinked /dev refused" [ "$?" != 0 ]
check "symlinked /dev: nothing created outside" [ -z "$(ls "$T/outside")" ]

new_id escape
bundle "$T/escape" '"sh","-c","ls -d /rt-escape-'$$' && echo inside"' '' '' '' \
  '{ "destination": "/data/rt-escape-'$$'", "type": "tmpfs", "source": "tmpfs" },'
alt_rootfs "$T/escape"
ln -s / "$T/escape/rootfs/data"
out=$(cd "$T/escape" && rt run "$ID" 2>&1)
check "mount target through an absolute symlink stays in the rootfs" contains "$out" "inside"
check "nothing created on the host" [ ! -e "/rt-escape-$$" ]
rmdir "/rt-escape-$$" 2>/dev/null

# CVE-2024-21626: cwd through a leaked fd
leak=0
for n in 3 4 5 6 7 8 9; do
  new_id cwd$n
  bundle "$T/cwd$n" '"sh","-c","pwd; ls .. | head -3"' '"cwd": "/proc/self/fd/'$n'",'
  sed -i '0,/"cwd": "\/",/s///' "$T/cwd$n/config.json"
  out=$(cd "$T/cwd$n" && rt run "$ID" 2>&1)
  case "$out" in
    */proc/self/fd*|*"outside the container"*|*"not a directory"*|*"No such file"*) ;;
    *) leak=1; echo "  cwd /proc/self/fd/$n gave: $out" ;;
  esac
done
check "cwd through /proc/self/fd/N is refused or stays inside (CVE-2024-21626)" [ "$leak" = 0 ]

new_id fds
bundle "$T/fds" '"sh","-c","ls /proc/self/fd"'
out=$(cd "$T/fds" && rt run "$ID" 3< /dev/null 4< /dev/null 9< /dev/null 2>&1)
check "only stdio reaches the program" [ "$(echo $out)" = "0 1 2 3" ]

new_id created
bundle "$T/created" '"sleep","100"'
(cd "$T/created" && rt create --pid-file "$T/created.pid" "$ID" < /dev/null > /dev/null 2>&1)
pid=$(cat "$T/created.pid")
exe=$(readlink "/proc/$pid/exe")
check "the waiting init runs from a sealed memfd (CVE-2019-5736)" contains "$exe" "memfd:berth-runtime"
check "writing through /proc/PID/exe fails" sh -c "! sh -c 'echo x >> /proc/$pid/exe' 2>/dev/null"
rt delete --force "$ID"

finish
