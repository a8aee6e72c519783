# COPY's layer made without extracting into a container and diffing it
# (core/build/copy-layer.c), on overlay (the only driver it is used on):
# files, owners and modes in the image; the layer's entries (the image's
# directories above the sources with their mode, owner and time, symlinked
# directories resolved inside the image, missing ones created); the cases
# left to the container (a symlink to a missing directory, ADD of an
# archive, a file where a directory should be); a rebuild from the cache.
. "$top_srcdir/tests/integration/lib.sh"
trap it_cleanup EXIT
case " $IT_STORAGE_PLUGINS " in *" overlay "*) ;; *) it_skip "the overlay driver is not built" ;; esac
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$IT_DIR/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$IT_DIR/rootfs" -cf "$IT_DIR/busybox.tar" . || it_fail "tar"
it_start_daemon --storage-driver overlay --data-root "$IT_DIR/data"
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$IT_DIR/busybox.tar" busybox > /dev/null || it_fail "import busybox"
OUT="$IT_DIR/out"

C="$IT_DIR/ctx"
mkdir -p "$C/dir/sub" "$C/t"
echo one > "$C/f1"
echo two > "$C/f2"
echo three > "$C/dir/a"
echo four > "$C/dir/sub/b"
ln -s a "$C/dir/link"
echo inarch > "$C/t/x"
tar -C "$C" -cf "$C/arch.tar" t && rm -r "$C/t"
touch -d '2020-01-02 03:04:05' "$C/f1"
cat > "$C/Dockerfile" << 'EOF'
FROM busybox
RUN mkdir -p /real/sub && ln -s /real /abs && ln -s ../real/sub /rel && ln -s /nowhere/x /dangling && chmod 0700 /real && chown 7:8 /real/sub
RUN sleep 1
COPY f1 /abs/sub/
COPY --chown=5:6 --chmod=0640 dir /abs/new/deep/
COPY f2 /rel
COPY f1 /dangling/
ADD arch.tar /unpacked/
COPY dir/ /
WORKDIR /wd
COPY f2 ./
COPY f1 ./x/./y/
EOF
t0=$(date +%s)
"$BERTH" build -t cl "$C" > "$OUT" 2>&1 || it_fail "build: $(cat "$OUT")"
t1=$(($(date +%s) + 1))
# the container path (an extraction: one event each) only for the symlink
# to a missing directory and the archive
it_assert_eq "$("$BERTH" events --since "$t0" --until "$t1" --filter event=extract-to-dir --format '{{.Action}}' | wc -l)" 2 \
  "extractions into build containers"
it_assert_eq "$("$BERTH" run --rm --user 0 --entrypoint sh cl -c '
  for p in /real /real/sub /real/sub/f1 /real/sub/f2 /real/new /real/new/deep /real/new/deep/a /real/new/deep/sub \
    /real/new/deep/sub/b /nowhere/x/f1 /unpacked/t/x /a /sub/b /wd/f2 /wd/x/y/f1; do stat -c "%n %a %u:%g" $p; done
  for l in /abs /rel /dangling /real/new/deep/link /link; do [ -L $l ] && echo "$l -> $(readlink $l)"; done
  cat /real/sub/f1 /real/sub/f2 /nowhere/x/f1 /unpacked/t/x /link')" \
  "/real 700 0:0
/real/sub 755 7:8
/real/sub/f1 644 0:0
/real/sub/f2 644 0:0
/real/new 755 0:0
/real/new/deep 755 0:0
/real/new/deep/a 640 5:6
/real/new/deep/sub 640 5:6
/real/new/deep/sub/b 640 5:6
/nowhere/x/f1 644 0:0
/unpacked/t/x 644 0:0
/a 644 0:0
/sub/b 644 0:0
/wd/f2 644 0:0
/wd/x/y/f1 644 0:0
/abs -> /real
/rel -> ../real/sub
/dangling -> /nowhere/x
/real/new/deep/link -> a
/link -> a
one
two
one
inarch
three" "the built image's files"
it_pass "COPY through symlinked directories, into missing ones, --chown/--chmod, the cases left to the container"

# the layers: 0 busybox, 1 the first RUN (the second changes nothing: the
# COPYs run a second later, so "now" differs from the RUN's times in whole
# seconds), 2 COPY f1 /abs/sub/, 3 the --chown COPY
"$BERTH" save cl > "$IT_DIR/cl.tar" || it_fail "save"
it_assert_eq "$(python3 - "$IT_DIR/cl.tar" << 'EOF'
import io, json, sys, tarfile
t = tarfile.open(sys.argv[1])
layers = json.load(t.extractfile('manifest.json'))[0]['Layers']
def members(i):
    return tarfile.open(fileobj=io.BytesIO(t.extractfile(layers[i]).read())).getmembers()
run = {m.name: m for m in members(1)}
for i in (2, 3):
    for m in members(i):
        when = 'src' if m.mtime == 1577934245 else 'image' if m.name in run and m.mtime == run[m.name].mtime else 'new'
        print(i, m.name, m.type.decode(), oct(m.mode), f'{m.uid}:{m.gid}', when if m.isdir() or m.mtime == 1577934245 else '')
EOF
)" "2 real 5 0o700 0:0 image
2 real/sub 5 0o755 7:8 new
2 real/sub/f1 0 0o644 0:0 src
3 real 5 0o700 0:0 new
3 real/new 5 0o755 0:0 new
3 real/new/deep 5 0o755 0:0 new
3 real/new/deep/a 0 0o640 5:6 
3 real/new/deep/link 2 0o777 5:6 
3 real/new/deep/sub 5 0o640 5:6 new
3 real/new/deep/sub/b 0 0o640 5:6 " "the COPY layers"
it_pass "the layer: the image's directories above the sources as it has them, the symlinks resolved"

"$BERTH" build "$C" > "$OUT" 2>&1 || it_fail "rebuild: $(cat "$OUT")"
it_assert_eq "$(grep -c 'Using cache' "$OUT")" 11 "a rebuild: every step from the cache"
printf 'FROM busybox\nRUN echo x > /afile\nCOPY f1 /afile/x/\n' > "$C/Dockerfile"
"$BERTH" build "$C" > "$OUT" 2>&1 && it_fail "COPY below a file succeeded: $(cat "$OUT")"
it_assert_contains "$(cat "$OUT")" "Not a directory"
it_pass "cached rebuild; COPY below a file fails"
