# Registry tests: a private docker-registry (Debian's distribution 2.8) on
# 127.0.0.1 next to a private berthd.  Source after tests/integration/lib.sh.

REG_BIN=${BERTH_TEST_REGISTRY:-/usr/bin/docker-registry}
[ -x "$REG_BIN" ] || it_skip "docker-registry is not installed (apt-get install docker-registry)"

REG_PID=
REG_PORT=

# A free TCP port on 127.0.0.1.
reg_free_port () {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# reg_start NAME: a registry storing under $IT_DIR/NAME; sets REG_PORT, REG_PID.
reg_start () {
  local dir="$IT_DIR/$1"
  mkdir -p "$dir/storage"
  REG_PORT=$(reg_free_port)
  cat > "$dir/config.yml" << EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REG_PORT
EOF
  "$REG_BIN" serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 &
  REG_PID=$!
  it_wait 100 curl -sf "http://127.0.0.1:$REG_PORT/v2/" || it_fail "docker-registry did not start (see $dir/registry.log)"
}

reg_stop () {
  if [ -n "$REG_PID" ] && kill -0 "$REG_PID" 2> /dev/null; then
    kill -TERM "$REG_PID" 2> /dev/null
    wait "$REG_PID" 2> /dev/null
  fi
  REG_PID=
}

reg_cleanup () { reg_stop; it_cleanup; }
trap reg_cleanup EXIT

# reg_upload ARCHIVE BASE REPO TAG [index]: push a docker-archive to the
# registry at BASE with plain HTTP calls (not through berth); see upload.py.
# Prints the digest of the tagged manifest (or index).
reg_upload () {
  python3 "$top_srcdir/tests/registry/upload.py" "$@"
}
