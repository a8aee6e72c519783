# The build context between berth build and berthd (root; real berthd):
# a rebuild of an unchanged directory sends headers only and hits the
# cache; a changed file misses even with the same size and mtime (its
# ctime moved) or when another file with the same size and mtime is renamed
# over it; a removed file leaves the daemon's copy; a file the daemon lost
# is sent again (the CLI retries); a plain tar upload (the docker CLI's way)
# gives the same cache keys; a forged "keep" of a file the daemon does not
# have is refused.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver vfs --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"

C="$IT_DIR/ctx"
mkdir -p "$C/sub"
head -c 2000000 /dev/urandom > "$C/big"
printf 'aaaa\n' > "$C/sub/f"
printf 'gone\n' > "$C/sub/old"
cat > "$C/Dockerfile" << 'EOF2'
FROM busybox
RUN echo one > /one
COPY . /ctx/
RUN cat /ctx/sub/f > /f-copy && ls /ctx/sub | tr '\n' ' ' > /listing
EOF2
sent () { sed -n 's/^Sending build context to berth daemon  //p' "$OUT" | tail -n 1; }
cached_copy () { grep -A1 'COPY \. /ctx/' "$OUT" | grep -q 'Using cache'; }
build () { "$BERTH" build -t ctxb "$C" > "$OUT" 2>&1 || it_fail "build: $(cat "$OUT")"; }
catf () { "$BERTH" run --rm ctxb cat "$1"; }

build
case "$(sent)" in *MB) ;; *) it_fail "first build sent $(sent)";; esac
id1=$("$BERTH" image inspect -f '{{.Id}}' ctxb)
build
case "$(sent)" in *kB|*[0-9]B) ;; *) it_fail "rebuild of an unchanged context sent $(sent)";; esac
cached_copy || it_fail "unchanged context: COPY not from the cache: $(cat "$OUT")"
it_assert_eq "$("$BERTH" image inspect -f '{{.Id}}' ctxb)" "$id1" "image of a fully cached rebuild"
it_pass "unchanged context: only headers sent, every step from the cache"

# same size, mtime put back: only the ctime tells
touch -r "$C/sub/f" "$IT_DIR/stamp"
printf 'bbbb\n' > "$C/sub/f"
touch -r "$IT_DIR/stamp" "$C/sub/f"
build
cached_copy && it_fail "a changed file of the same size and mtime hit the cache: $(cat "$OUT")"
it_assert_eq "$(catf /f-copy)" "bbbb" "content after a same-size, same-mtime change"
it_pass "changed file, same size and mtime: cache miss, new content"

# another inode renamed over it, same size and same mtime
printf 'cccc\n' > "$IT_DIR/f.new"
touch -r "$C/sub/f" "$IT_DIR/f.new"
mv "$IT_DIR/f.new" "$C/sub/f"
build
cached_copy && it_fail "a file renamed over the source hit the cache: $(cat "$OUT")"
it_assert_eq "$(catf /f-copy)" "cccc" "content after a rename over the file"
it_pass "file replaced by rename (new inode, same size and mtime): cache miss"

rm "$C/sub/old"
build
it_assert_eq "$(catf /listing)" "f " "files in the context after one was removed"
it_pass "a removed file is gone from the daemon's copy"

# the daemon lost a file it holds for the session: the CLI sends it all again
for d in "$IT_DIR"/data/tmp/build-contexts/*/; do rm -f "$d/big"; done
printf 'dddd\n' > "$C/sub/f"
build
case "$(sent)" in *MB) ;; *) it_fail "after the daemon lost a file: sent $(sent)";; esac
it_assert_eq "$(catf /f-copy)" "dddd" "content after a resend"
it_assert_eq "$("$BERTH" run --rm ctxb md5sum /ctx/big | cut -d' ' -f1)" "$(md5sum < "$C/big" | cut -d' ' -f1)" "big after a resend"
it_pass "a file the daemon lost: the CLI retries with the whole context"

# the docker CLI's way, a plain tar: the same steps, from the same cache
id2=$("$BERTH" image inspect -f '{{.Id}}' ctxb)
tar -C "$C" -cf "$IT_DIR/ctx.tar" . || it_fail "tar"
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/ctx.tar" "http://x/v1.50/build?t=ctxb2" > "$OUT"
grep -q '"aux"' "$OUT" || it_fail "plain tar build: $(cat "$OUT")"
it_assert_eq "$("$BERTH" image inspect -f '{{.Id}}' ctxb2)" "$id2" "image of a plain tar upload of the same context"
it_pass "a plain tar upload hits the cache the CLI's session filled"

# a destination without a trailing '/' that is a directory of the image:
# answered in the step's container (not for the cache key)
D="$IT_DIR/todir"
mkdir "$D"
printf 'into etc\n' > "$D/one.txt"
printf 'FROM busybox\nCOPY one.txt /etc\nRUN cat /etc/one.txt\n' > "$D/Dockerfile"
"$BERTH" build -t ctxdir "$D" > "$OUT" 2>&1 || it_fail "COPY into a directory of the image: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "into etc"
"$BERTH" build -t ctxdir "$D" > "$OUT" 2>&1 || it_fail "rebuild: $(cat "$OUT")"
[ "$(grep -c 'Using cache' "$OUT")" = 2 ] || it_fail "rebuild of COPY into a directory: $(cat "$OUT")"
[ -n "$("$BERTH" run --rm ctxdir ls /etc/passwd)" ] || it_fail "COPY replaced /etc"
it_pass "COPY file /dir (a directory of the image): into it; cached on a rebuild"

# a forged keep of a file the session does not hold
python3 - "$IT_DIR/forged.tar" << 'EOF2'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    d = b"FROM busybox\nCOPY secret /\n"
    i = tarfile.TarInfo("Dockerfile"); i.size = len(d); t.addfile(i, io.BytesIO(d))
    i = tarfile.TarInfo("secret"); i.size = 0
    i.pax_headers = {"SCHILY.xattr.user.berth.cstat": "1:2:3:4:5:6", "SCHILY.xattr.user.berth.keep": "1"}
    t.addfile(i, io.BytesIO(b""))
EOF2
s=$(printf '%064d' 7)
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/forged.tar" "http://x/v1.50/build?berth-context=$s" > "$OUT"
grep -q 'stale build context session' "$OUT" || it_fail "forged keep: $(cat "$OUT")"
it_curl -X POST -H 'Content-Type: application/x-tar' --data-binary @"$IT_DIR/forged.tar" "http://x/v1.50/build?berth-context=nothex" > "$OUT"
grep -q 'invalid build context session' "$OUT" || it_fail "bad session id: $(cat "$OUT")"
it_curl -X POST "http://x/v1.50/build/prune" > /dev/null || it_fail "build prune"
[ -z "$(ls "$IT_DIR/data/tmp/build-contexts" 2> /dev/null)" ] || it_fail "build prune left sessions: $(ls "$IT_DIR/data/tmp/build-contexts")"
it_pass "a keep of a file the daemon does not hold is refused; bad session ids; build prune drops sessions"
