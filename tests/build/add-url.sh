# ADD <URL> against a real berthd (root) and an HTTP server on 127.0.0.1
# (tests/build/url-server.py): the file is not unpacked, its name comes from
# the URL (or Content-Disposition), mode 0600 and owner 0:0 unless
# --chmod/--chown, mtime from Last-Modified (else the epoch), redirects;
# the cache follows the content (downloaded at every build); --checksum;
# errors for HTTP statuses, timeouts, bad URLs and nameless URLs.
. "$top_srcdir/tests/integration/lib.sh"
SRV_PID=
cleanup () {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2> /dev/null
  it_cleanup
}
trap cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"

# the server's files
W="$IT_DIR/www"; mkdir -p "$W/files"
printf 'hello over http\n' > "$W/files/hello.txt"
touch -d @1600000000 "$W/files/hello.txt"
mkdir -p "$IT_DIR/arch/in"; echo inside > "$IT_DIR/arch/in/f"
tar -C "$IT_DIR/arch" -czf "$W/files/arch.tar.gz" in
"$PYTHON" "$top_srcdir/tests/build/url-server.py" "$W/files" "$IT_DIR/port" > "$IT_DIR/server.log" 2>&1 &
SRV_PID=$!
it_wait 100 test -s "$IT_DIR/port" || it_fail "the HTTP server did not start: $(cat "$IT_DIR/server.log")"
U="http://127.0.0.1:$(cat "$IT_DIR/port")"

# the daemon fetches directly, with a short stall timeout for the /hang case
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export BERTH_BUILD_URL_TIMEOUT=2
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"
C="$IT_DIR/ctx"; mkdir -p "$C"
st () { "$BERTH" run --rm "$1" stat -c '%a %u:%g %Y %n' "$2"; }

cat > "$C/Dockerfile" <<EOF
FROM busybox
ADD $U/files/hello.txt /dl/
ADD $U/files/arch.tar.gz /dl/
ADD --chown=1000:1001 --chmod=644 $U/files/hello.txt /renamed.txt
ADD $U/named/ /dl/
ADD $U/redirect /r.txt
RUN cat /dl/hello.txt /r.txt
EOF
"$BERTH" build -t urlimg "$C" > "$OUT" 2>&1 || it_fail "build with ADD <URL>: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "hello over http"
it_assert_eq "$(st urlimg /dl/hello.txt)" "600 0:0 1600000000 /dl/hello.txt" "ADD <URL> dir/: name, mode, owner, Last-Modified"
it_assert_eq "$("$BERTH" run --rm urlimg sh -c 'ls /dl; test -e /dl/in && echo unpacked')" "arch.tar.gz
from-header.txt
hello.txt" "an archive is not unpacked; Content-Disposition names the file"
"$BERTH" run --rm urlimg cmp /dl/arch.tar.gz /dev/null > /dev/null 2>&1 && it_fail "the archive is empty"
it_assert_eq "$(st urlimg /renamed.txt)" "644 1000:1001 1600000000 /renamed.txt" "--chown/--chmod, a destination file name"
it_assert_eq "$(st urlimg /dl/from-header.txt)" "600 0:0 0 /dl/from-header.txt" "no Last-Modified: the epoch"
it_assert_eq "$("$BERTH" run --rm urlimg cat /r.txt)" "hello over http" "a redirect is followed"
"$BERTH" history --no-trunc urlimg | grep -q "ADD file:[0-9a-f]* in /dl/" || it_fail "history: $("$BERTH" history --no-trunc urlimg)"
it_pass "ADD <URL>: no unpacking, names, mode 0600, owner, mtime, --chown/--chmod, redirects"

# the cache: downloaded again at every build; a hit while the content is the same
cat > "$C/Dockerfile" <<EOF
FROM busybox
ADD $U/files/hello.txt /c/
RUN cat /c/hello.txt
EOF
"$BERTH" build -t urlc "$C" > "$OUT" 2>&1 || it_fail "build: $(cat "$OUT")"
before=$(grep -c '^/files/hello.txt$' "$W/requests.log")
"$BERTH" build -t urlc "$C" > "$OUT" 2>&1 || it_fail "rebuild: $(cat "$OUT")"
it_assert_eq "$(grep -c 'Using cache' "$OUT")" "2" "an unchanged download is a cache hit"
it_assert_eq "$(grep -c '^/files/hello.txt$' "$W/requests.log")" "$((before + 1))" "the file is downloaded at every build"
printf 'changed content\n' > "$W/files/hello.txt"
"$BERTH" build -t urlc "$C" > "$OUT" 2>&1 || it_fail "rebuild after a change: $(cat "$OUT")"
it_assert_eq "$(grep -c 'Using cache' "$OUT")" "0" "changed content misses the cache"
it_assert_contains "$(cat "$OUT")" "changed content"
it_pass "ADD <URL> cache: keyed by the content, downloaded each build"

# --checksum
sum=$(sha256sum "$W/files/hello.txt" | cut -d' ' -f1)
printf 'FROM busybox\nADD --checksum=sha256:%s %s/files/hello.txt /k.txt\n' "$sum" "$U" > "$C/Dockerfile"
"$BERTH" build "$C" > "$OUT" 2>&1 || it_fail "ADD --checksum (right): $(cat "$OUT")"
bad=$(printf '%064d' 0)
printf 'FROM busybox\nADD --checksum=sha256:%s %s/files/hello.txt /k.txt\n' "$bad" "$U" > "$C/Dockerfile"
"$BERTH" build "$C" > "$OUT" 2>&1 && it_fail "ADD --checksum (wrong) succeeded"
it_assert_contains "$(cat "$OUT")" "checksum mismatch: expected sha256:$bad, got sha256:$sum"
it_pass "ADD --checksum"

# errors
berr () {
  printf 'FROM busybox\n%s\n' "$1" > "$C/Dockerfile"
  "$BERTH" build "$C" > "$OUT" 2>&1 && it_fail "$1 succeeded: $(cat "$OUT")"
  it_assert_contains "$(cat "$OUT")" "$2"
  it_assert_contains "$(cat "$OUT")" "Dockerfile:2"
}
berr "ADD $U/missing /m" "404 Not Found"
berr "ADD $U/missing /m" "no such thing"
t0=$(date +%s)
berr "ADD $U/hang /h" "timed out"
[ $(($(date +%s) - t0)) -lt 20 ] || it_fail "the stall timeout took too long"
berr "ADD http://[::1 /x" "invalid URL"
berr "ADD $U/noname/ /dir/" "cannot determine a file name from the URL"
berr "ADD $U/files/hello.txt Dockerfile /d/" "ADD mixes URLs with other sources"
berr "COPY $U/files/hello.txt /d/" "source can't be a URL for COPY"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
berr "ADD http://127.0.0.1:$port/x /x" "download failed"
"$BERTH" ps -a -q | grep -q . && it_fail "failed ADDs left containers: $("$BERTH" ps -a)"
it_pass "ADD <URL> errors: HTTP status, stall timeout, bad URL, no file name, mixed sources, refused connection"
