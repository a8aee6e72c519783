# SECURITY.md F1/F7 at the load entry point: every hostile layer tar of
# tests/fixtures/hostile-tars goes through POST /images/load as a
# docker-archive, with the vfs driver (flatten mode) and with the default
# driver (overlay mode where it works).  Rejected cases fail with 400 and
# leave nothing in the store; accepted ones load; no case touches the host
# canaries; the daemon stays up and its store consistent.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"

gen="$top_builddir/tests/fixtures/hostile-tars/gen-hostile-tars"
[ -x "$gen" ] || it_skip "gen-hostile-tars is not built (it needs the check library)"

host="$IT_DIR/host"
mkdir -p "$host/canary-dir" "$IT_DIR/cases"
printf 'canary\n' > "$host/canary"
printf 'perm400\n' > "$host/perm400"
chmod 0400 "$host/perm400"
printf 'inner\n' > "$host/canary-dir/inner"
"$gen" "$IT_DIR/cases" "$host" || it_fail "gen-hostile-tars failed"
canaries () { (cd "$host" && find . -printf '%p %m %s\n' | sort && cat canary perm400 canary-dir/inner) | sha256sum; }
before=$(canaries)

run_cases () { # DRIVER-FLAGS...
  it_start_daemon "$@"
  local driver n=0 name expect code
  driver=$(it_curl http://localhost/info | it_json 'j["Driver"]')
  while read -r name expect; do
    n=$((n + 1))
    layers="$IT_DIR/cases/$name.tar"
    [ -f "$IT_DIR/cases/$name.lower.tar" ] && layers="$IT_DIR/cases/$name.lower.tar $layers"
    # shellcheck disable=SC2086
    it_archive "$IT_DIR/case.tar" "hostile/$(echo "$name" | tr 'A-Z' 'a-z'):1" $layers
    code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X POST -T "$IT_DIR/case.tar" -H 'Transfer-Encoding: chunked' \
      "http://localhost/v1.50/images/load?quiet=1")
    case "$expect:$code" in
      reject:400 | accept:200 | either:200 | either:400) ;;
      *) it_fail "$driver: $name ($expect): HTTP $code: $(cat "$IT_DIR/body")" ;;
    esac
    if [ "$code" = 200 ]; then
      grep -q errorDetail "$IT_DIR/body" && it_fail "$driver: $name: error in the stream: $(cat "$IT_DIR/body")"
      it_curl -o /dev/null -X DELETE "http://localhost/v1.50/images/hostile/$(echo "$name" | tr 'A-Z' 'a-z'):1"
    fi
    [ "$(canaries)" = "$before" ] || it_fail "$driver: $name changed the host canaries"
    [ "$(it_store_count images) $(it_store_count layers)" = "0 0" ] \
      || it_fail "$driver: $name left something in the store"
    it_ping > /dev/null || it_fail "$driver: berthd died on $name"
  done < "$IT_DIR/cases/cases.txt"
  it_store_check "$driver" || it_fail "$driver: store inconsistent"
  it_stop_daemon || it_fail "berthd exit status"
  it_pass "$driver: $n hostile layer tars through load"
}

run_cases --storage-driver vfs
rm -rf "$IT_DATA"
run_cases
[ -z "$(ls "$host" | grep -v -e '^canary$' -e '^perm400$' -e '^canary-dir$')" ] || it_fail "new files in the canary dir"
