# Shared setup for the integration tests: a real berthd from the build tree
# on a private data root, exec root, socket and pid file, cleaned up on exit.
#
# Source it, then call it_start_daemon [berthd flags...].  Needs root (exit
# 77 otherwise) and a storage plugin built in the tree (exit 77 otherwise).

: "${top_builddir:?top_builddir must be set (make check sets it)}"
: "${top_srcdir:?top_srcdir must be set (make check sets it)}"

BERTHD="$top_builddir/berthd"
BERTH="$top_builddir/berth"

it_skip () { echo "SKIP: $*"; exit 77; }
it_fail () { echo "FAIL: $*" >&2; [ -f "${IT_LOG:-}" ] && { echo "--- berthd log:" >&2; tail -n 30 "$IT_LOG" >&2; }; exit 1; }
it_pass () { echo "ok - $*"; }

[ "$(id -u)" = 0 ] || it_skip "integration tests run as root"
[ -x "$BERTHD" ] || it_fail "$BERTHD is not built"
command -v curl > /dev/null || it_skip "curl is not installed"
# The system interpreter starts much faster than version-manager shims.
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=$(command -v python3) || it_skip "python3 is not installed"; fi
python3 () { "$PYTHON" "$@"; }

# Plugins as libtool builds them: $top_builddir/plugins/<kind>/.libs/*.so
# (BERTH_TEST_PLUGIN_DIRS, colon-separated, overrides the search).
it_plugin_dirs () {
  if [ -n "${BERTH_TEST_PLUGIN_DIRS:-}" ]; then
    echo "$BERTH_TEST_PLUGIN_DIRS" | tr ':' '\n'
  elif [ -d "$top_builddir/plugins" ]; then
    find "$top_builddir/plugins" -path '*/.libs/*.so' -printf '%h\n' | sort -u
  fi
}

IT_PLUGIN_DIRS=$(it_plugin_dirs)
IT_STORAGE_PLUGINS=$(for d in $IT_PLUGIN_DIRS; do ls "$d" 2>/dev/null; done | sed -n 's/^storage-\(.*\)\.so$/\1/p' | sort -u | tr "\n" " ")
[ -n "$IT_STORAGE_PLUGINS" ] || it_skip "no storage plugin is built under $top_builddir/plugins (berthd needs one)"

IT_DIR=$(mktemp -d /tmp/berth-it.XXXXXX)
IT_DATA="$IT_DIR/data"
IT_EXEC="$IT_DIR/run"
IT_SOCK="$IT_EXEC/berth.sock"
IT_HOST="unix://$IT_SOCK"
IT_PIDFILE="$IT_EXEC/berthd.pid"
IT_CONFIG="$IT_DIR/berth.yaml"
IT_LOG="$IT_DIR/berthd.log"
IT_PID=
# The default bridge of a test daemon: its own interface, nftables table and
# subnet, so parallel daemons never share berth0.  The subnet is reserved, not
# picked free by the daemon: two daemons starting at once could both see the
# same /16 free.  10.199.N.0/24, N held by an atomic mkdir (taken back when its
# owner is gone).
IT_BRIDGE="bt${IT_DIR##*.}"
IT_NFT_TABLE="berth_it_${IT_DIR##*.}"
IT_SUBNET_DIR=
it_reserve_subnet () {
  local n=0 d owner
  while [ "$n" -lt 256 ]; do
    d="${TMPDIR:-/tmp}/berth-it-subnet.$n"
    if mkdir "$d" 2> /dev/null; then
      echo $$ > "$d/owner"
      IT_SUBNET_DIR=$d
      IT_SUBNET="10.199.$n.0/24"
      return 0
    fi
    owner=$(cat "$d/owner" 2> /dev/null)
    if [ -n "$owner" ] && ! kill -0 "$owner" 2> /dev/null; then
      rm -rf "$d"
      continue
    fi
    n=$((n + 1))
  done
  it_fail "no free 10.199.N.0/24 test subnet (see ${TMPDIR:-/tmp}/berth-it-subnet.*)"
}
it_reserve_subnet

{
  echo "data-root: $IT_DATA"
  echo "exec-root: $IT_EXEC"
  echo "plugin-dirs:"
  for d in $IT_PLUGIN_DIRS; do echo "  - $d"; done
  echo "network-opts:"
  echo "  bridge: $IT_BRIDGE"
  echo "  nft-table: $IT_NFT_TABLE"
  echo "  subnet: $IT_SUBNET"
} > "$IT_CONFIG"

it_cleanup () {
  if [ -n "$IT_PID" ] && kill -0 "$IT_PID" 2> /dev/null; then
    kill -TERM "$IT_PID" 2> /dev/null
    wait "$IT_PID" 2> /dev/null
  fi
  ip link del "$IT_BRIDGE" 2> /dev/null
  nft delete table ip "$IT_NFT_TABLE" 2> /dev/null
  [ -n "$IT_SUBNET_DIR" ] && rm -rf "$IT_SUBNET_DIR"
  rm -rf "$IT_DIR"
}
trap it_cleanup EXIT

# Poll until `cmd...` succeeds, up to $1 tenths of a second.
it_wait () {
  local tries=$1 i=0
  shift
  while ! "$@" > /dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -le "$tries" ] || return 1
    sleep 0.1
  done
}

it_ping () { curl -sf --unix-socket "${1:-$IT_SOCK}" http://localhost/_ping; }

# Start berthd (config file plus any extra flags) and wait until it answers.
it_start_daemon () {
  "$BERTHD" --config "$IT_CONFIG" "$@" >> "$IT_LOG" 2>&1 &
  IT_PID=$!
  local i=0
  until it_ping > /dev/null; do
    kill -0 "$IT_PID" 2> /dev/null || it_fail "berthd exited during startup"
    i=$((i + 1))
    [ "$i" -le 200 ] || it_fail "berthd did not answer on $IT_SOCK within 10s"
    sleep 0.05
  done
}

# SIGTERM the daemon; returns its exit status.
it_stop_daemon () {
  local rc=0
  kill -TERM "$IT_PID" || return 1
  wait "$IT_PID" || rc=$?
  IT_PID=
  return "$rc"
}

it_curl () { curl -sS --unix-socket "$IT_SOCK" "$@"; }

# it_json 'expression on j' < json  -> prints the value (python syntax)
it_json () { python3 -c "import json,sys; j=json.load(sys.stdin); v=($1); print(v if isinstance(v,str) else json.dumps(v))"; }

it_assert_eq () { [ "$1" = "$2" ] || it_fail "${3:-value}: expected '$2', got '$1'"; }
it_assert_contains () {
  case "$1" in *"$2"*) ;; *) it_fail "${3:-output} does not contain '$2': $1" ;; esac
}
