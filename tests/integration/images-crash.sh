# SECURITY.md C3/C4 for load: SIGKILL berthd at several points of a load
# (while the archive streams in, while layers are applied, while the image
# is registered), restart it, and check that the store is consistent (no
# half-registered image, no layer left "applying", no orphan driver layer,
# layer tar, scratch or ingest file) and that the same load then works.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"

it_make_images
mkdir -p "$IT_DIR/big/l2" "$IT_DIR/big/l3"
head -c $((48 * 1024 * 1024)) /dev/urandom > "$IT_DIR/big/l2/blob"
for i in $(seq 1 200); do echo "$i" > "$IT_DIR/big/l3/f$i"; done
tar -C "$IT_DIR/big/l2" -cf "$IT_DIR/big/l2.tar" .
tar -C "$IT_DIR/big/l3" -cf "$IT_DIR/big/l3.tar" .
it_archive "$IT_DIR/big.tar" crash/big:1 "$IT_IMG/rootfs.tar" "$IT_DIR/big/l2.tar" "$IT_DIR/big/l3.tar"

crash_loop () { # DAEMON-FLAGS...
  it_start_daemon "$@"
  driver=$(it_curl http://localhost/info | it_json 'j["Driver"]')
  load () { it_curl -o "$IT_DIR/load.out" -X POST -T "$IT_DIR/big.tar" -H 'Transfer-Encoding: chunked' "$@" \
    "http://localhost/v1.50/images/load?quiet=1" 2> /dev/null; }

  n=0
  # a fast load takes about half a second here: the fast kills land in every phase
  for spec in slow:0.5 slow:1.5 fast:0.05 fast:0.1 fast:0.15 fast:0.2 fast:0.25 fast:0.3 fast:0.35 fast:0.4 \
    fast:0.45 fast:0.5 fast:0.6 fast:0.8; do
    mode=${spec%%:*}
    delay=${spec#*:}
    if [ "$mode" = slow ]; then load --limit-rate 20M & else load & fi
    client=$!
    sleep "$delay"
    kill -9 "$IT_PID"
    wait "$IT_PID" 2> /dev/null
    wait "$client" 2> /dev/null
    IT_PID=
    it_start_daemon "$@"
    it_store_check "$driver" || it_fail "store inconsistent after a kill at $spec"
    images=$(it_store_count images)
    case "$images" in
      0) ;;
      1) it_curl -f -o /dev/null http://localhost/v1.50/images/crash/big:1/json || it_fail "image without its tag after $spec"
         it_curl -f -o /dev/null -X DELETE http://localhost/v1.50/images/crash/big:1 ;;
      *) it_fail "$images images after a kill at $spec" ;;
    esac
    n=$((n + 1))
  done
  recovered=$(grep -c "dropping incomplete\|removing interrupted\|removing storage layer" "$IT_LOG")
  it_pass "$driver: $n kills during load; the store recovered each time ($recovered recovery steps logged)"

  load || it_fail "load after the kills"
  it_assert_contains "$(cat "$IT_DIR/load.out")" "Loaded image: crash/big:1" "load after the kills"
  it_store_check "$driver" || it_fail "store inconsistent after the final load"
  it_stop_daemon || it_fail "berthd exit status"
  it_pass "load works after the kills"
}

crash_loop
rm -rf "$IT_DATA"
crash_loop --storage-driver vfs
