# exec into a running container: namespaces, cgroup, user, env, cwd, exit
# status, --process, --detach, and the CVE-2024-21626 cwd check.
. "$(dirname "$0")/lib.sh"

new_id ex
bundle "$T/ex" '"sleep","100"'
(cd "$T/ex" && rt run --detach "$ID" < /dev/null > /dev/null 2>&1)
out=$(rt exec "$ID" sh -c 'echo pid=$$; hostname; grep -E "^(CapInh|CapEff|NoNewPrivs)" /proc/self/status; grep pids: /proc/self/cgroup; ls /proc/self/fd | wc -l' 2>&1)
check "exec joins the pid namespace" contains "$out" "pid=2"
check "exec joins the uts namespace" contains "$out" "rt-host"
check "exec: inheritable caps empty" contains "$out" "CapInh:	0000000000000000"
check "exec: caps of the container process" contains "$out" "CapEff:	0000000020000420"
check "exec: no_new_privs" contains "$out" "NoNewPrivs:	1"
check "exec joins the container's cgroup" contains "$out" "pids:/$CG_PARENT/ex-$$"
check "exec: only stdio (+ls's own) fds" contains "$out" "4"
rt exec "$ID" sh -c 'exit 5'
check "exec returns the process status" [ "$?" = 5 ]
out=$(rt exec -u 65534:65534 --cwd /tmp -e FOO=bar "$ID" sh -c 'id -u; pwd; echo $FOO' 2>&1)
check "exec --user --cwd --env" [ "$(echo $out)" = "65534 /tmp bar" ]
rt exec "$ID" no-such-program 2> "$T/nf.err"
check "exec of a missing program gives 127" [ "$?" = 127 ]
check "exec: missing program named" grep -q no-such-program "$T/nf.err"
cat > "$T/p.json" <<JSON
{ "cwd": "/", "args": [ "sh", "-c", "echo from-json; id -u" ], "env": [ "PATH=/bin" ], "user": { "uid": 5, "gid": 5 } }
JSON
out=$(rt exec --process "$T/p.json" "$ID" 2>&1)
check "exec --process" [ "$(echo $out)" = "from-json 5" ]
rt exec --detach --pid-file "$T/ep" "$ID" sleep 30
check "exec --detach --pid-file" contains "$(rt ps "$ID")" "$(cat "$T/ep")"
leak=0
for n in 3 4 5 6 7 8; do
  out=$(rt exec --cwd /proc/self/fd/$n "$ID" sh -c 'pwd; ls ..' 2>&1)
  case "$out" in
    */proc/self/fd*|*"outside the container"*|*"Not a directory"*|*"No such file"*|*"not a directory"*) ;;
    *) leak=1; echo "  exec --cwd /proc/self/fd/$n gave: $out" ;;
  esac
done
check "exec --cwd /proc/self/fd/N refused or inside (CVE-2024-21626)" [ "$leak" = 0 ]
rt delete --force "$ID"
check "exec processes die with the container" no_process "$ID"
out=$(rt exec "$ID" true 2>&1)
check "exec into a deleted container fails" contains "$out" "does not exist"

finish
