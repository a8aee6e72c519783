# CVE-2024-21626 (SECURITY.md item 3, I6-I7): no fd of the runtime reaches
# the container process (create/start, run, exec, --preserve-fds), and a cwd
# of /proc/self/fd/N is refused or lands inside the container.  The runtime
# is handed host directories at fds 5-9 to make leaks visible.
. "$(dirname "$0")/sec-lib.sh"

with_host_fds () { "$@" 5</ 6</etc 7<"$T" 8</ 9</; }

new_id crt
bundle "$T/crt" '"/rtsec","fdscan","3"'
own_rootfs "$T/crt"
(cd "$T/crt" && with_host_fds rt create "$ID" < /dev/null > "$T/crt.out" 2>&1)
rt start "$ID"
for _ in $(seq 50); do [ -s "$T/crt.out" ] && break; sleep 0.1; done
out=$(cat "$T/crt.out")
check "create+start: only stdio in the container process" contains "$out" "fdscan ok"
rt delete --force "$ID"

new_id run
bundle "$T/run" '"/rtsec","fdscan","3"'
own_rootfs "$T/run"
out=$(cd "$T/run" && with_host_fds rt run "$ID" < /dev/null 2>&1)
check "run: only stdio in the container process" contains "$out" "fdscan ok"

new_id pres
bundle "$T/pres" '"/rtsec","fdscan","5"'
own_rootfs "$T/pres"
out=$(cd "$T/pres" && with_host_fds rt run --preserve-fds 2 "$ID" 3< /dev/null 4< /dev/null < /dev/null 2>&1)
check "run --preserve-fds 2: stdio and fds 3-4 only" contains "$out" "fdscan ok"

new_id ex
bundle "$T/ex" '"sleep","100"'
own_rootfs "$T/ex"
(cd "$T/ex" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
EX_ID=$ID
out=$(with_host_fds rt exec "$ID" /rtsec fdscan 3 < /dev/null 2>&1)
check "exec: only stdio in the process" contains "$out" "fdscan ok"

# cwd /proc/self/fd/N, N = 3..64: refused, or getcwd() works and is inside
verdict () {
  # verdict OUTPUT: 0 when refused or inside
  case "$1" in
    *"CWD /"*) return 0 ;;
    *CWD*) return 1 ;;
    *process.cwd*|*"outside the container"*|*"No such file"*|*"Not a directory"*|*"not a directory"*) return 0 ;;
  esac
  return 1
}
bad_run=""
bad_exec=""
n=3
while [ $n -le 64 ]; do
  new_id cwd
  bundle "$T/cwd" '"/rtsec","cwd"' '"cwd": "/proc/self/fd/'$n'",'
  sed -i '0,/"cwd": "\/",/s///' "$T/cwd/config.json"
  [ -d "$T/cwd/rootfs" ] && [ ! -L "$T/cwd/rootfs" ] || own_rootfs "$T/cwd"
  out=$(cd "$T/cwd" && with_host_fds rt run "$ID" < /dev/null 2>&1)
  verdict "$out" || { bad_run="$bad_run $n"; echo "  process.cwd /proc/self/fd/$n: $out"; }
  n=$((n + 1))
done
check "process.cwd /proc/self/fd/3..64 refused or inside" [ -z "$bad_run" ]

n=3
while [ $n -le 64 ]; do
  out=$(with_host_fds rt exec --cwd /proc/self/fd/$n "$EX_ID" /rtsec cwd < /dev/null 2>&1)
  verdict "$out" || { bad_exec="$bad_exec $n"; echo "  exec --cwd /proc/self/fd/$n: $out"; }
  n=$((n + 1))
done
check "exec --cwd /proc/self/fd/3..64 refused or inside" [ -z "$bad_exec" ]
rt delete --force "$EX_ID"

finish
