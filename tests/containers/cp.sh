# docker cp against a real berthd: berth cp and the stock docker CLI both
# ways (files, directories, tar on stdin/stdout, stopped containers), the
# archive API (HEAD stat header, 404s, read-only), and the security cases:
# symlinks to / inside the container, hostile tars through PUT, a
# directory/symlink swap race, kernel filesystems.
. "$top_srcdir/tests/integration/lib.sh"

cp_cleanup () {
  local id
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  rm -f "/berth-cp-race-marker-$$" "/tmp/berth-cp-escape-$$" "/etc/berth-cp-escape-$$" "/berth-cp-escape-$$"
  it_cleanup
}
trap cp_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
T="$IT_DIR/t"
mkdir -p "$T"
ERR="$IT_DIR/err"
# host files that must never be touched or read through the container
ESC="berth-cp-escape-$$"
[ ! -e "/tmp/$ESC" ] && [ ! -e "/etc/$ESC" ] && [ ! -e "/$ESC" ] || it_fail "escape markers exist before the test"

# archive_url CONTAINER PATH
archive_url () { echo "http://x/v1.50/containers/$1/archive?path=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$2")"; }
# the decoded X-Docker-Container-Path-Stat of a HEAD
head_stat () {
  it_curl -sI "$(archive_url "$1" "$2")" | python3 -c '
import sys, base64, json
for line in sys.stdin:
    k, _, v = line.partition(":")
    if k.lower() == "x-docker-container-path-stat":
        print(json.dumps(json.loads(base64.b64decode(v.strip())), sort_keys=True))'
}

berth run -d --name cp1 busybox sh -c '
  echo hello > /hello; mkdir -p /d/sub; echo a > /d/a; echo b > /d/sub/b; ln /d/a /d/a-hard
  ln -s / /rootlink; ln -s /etc /etclink; ln -s ../../../../../../etc /dotdotlink; ln -s hello /rel
  echo container-marker > /etc/cp-marker; mkfifo /fifo; touch /ready; exec sleep 1000' > /dev/null || it_fail "run cp1"
it_wait 50 berth cp cp1:/ready "$T/ready" || it_fail "cp1 did not get ready"

# --- out of a running container
berth cp cp1:/hello "$T/hello" || it_fail "cp a file out"
it_assert_eq "$(cat "$T/hello")" "hello" "file copied out"
berth cp cp1:/hello "$T/renamed" || it_fail "file copied out to a new name: the copy failed"
it_assert_eq "$(cat "$T/renamed")" "hello" "file copied out to a new name"
mkdir "$T/into" && berth cp cp1:/hello "$T/into" || it_fail "file copied into a dir: the copy failed"
it_assert_eq "$(cat "$T/into/hello")" "hello" "file copied into a dir"
berth cp cp1:/d "$T/dnew" || it_fail "cp a directory out"
it_assert_eq "$(cat "$T/dnew/a") $(cat "$T/dnew/sub/b")" "a b" "directory copied out to a new name"
[ "$(stat -c %i "$T/dnew/a")" = "$(stat -c %i "$T/dnew/a-hard")" ] || it_fail "hard link not kept"
mkdir "$T/dexist" && berth cp cp1:/d "$T/dexist" && [ -f "$T/dexist/d/sub/b" ] || it_fail "directory into an existing dir must nest"
mkdir "$T/dcontent" && berth cp cp1:/d/. "$T/dcontent" && [ -f "$T/dcontent/sub/b" ] && [ ! -e "$T/dcontent/d" ] \
  || it_fail "SRC/. copies the content"
berth cp cp1:/d - > "$T/d.tar" || it_fail "cp to -"
it_assert_eq "$(tar -tf "$T/d.tar" | sort | tr '\n' ' ')" "d/ d/a d/a-hard d/sub/ d/sub/b " "tar on stdout"
berth cp cp1:/rel "$T/rel" && [ -L "$T/rel" ] || it_fail "a symlink is copied as a link: the copy failed"
it_assert_eq "$(readlink "$T/rel")" "hello" "a symlink is copied as a link"
berth cp -L cp1:/rel "$T/rel-followed" && [ -f "$T/rel-followed" ] || it_fail "-L follows: the copy failed"
it_assert_eq "$(cat "$T/rel-followed")" "hello" "-L follows"
rc=0; berth cp cp1:/d "$T/hello" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "directory over a file"
it_assert_contains "$(cat "$ERR")" "cannot copy directory"
it_pass "cp out: file, new name, into dir, dir nested or renamed, /., hard links, tar on stdout, symlinks, -L"

# --- errors and the API
rc=0; berth cp cp1:/nope "$T/x" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "missing path"
it_assert_eq "$(cat "$ERR")" "Error response from daemon: Could not find the file /nope in container cp1" "404 message"
rc=0; berth cp nosuch:/hello "$T/x" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "missing container"
it_assert_contains "$(cat "$ERR")" "No such container: nosuch"
rc=0; berth cp "$T/hello" "$T/x" 2> "$ERR" || rc=$?
it_assert_contains "$(cat "$ERR")" "must specify at least one container source"
rc=0; berth cp cp1:/a cp1:/b 2> "$ERR" || rc=$?
it_assert_contains "$(cat "$ERR")" "copying between containers is not supported"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -I "$(archive_url cp1 /nope)")" 404 "HEAD of a missing path"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' "$(archive_url cp1 /nope)")" 404 "GET of a missing path"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/d.tar" "$(archive_url cp1 /nope)")" 404 "PUT to a missing dir"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/d.tar" "$(archive_url cp1 /hello)")" 400 "PUT to a file"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' "http://x/v1.50/containers/cp1/archive")" 400 "no path"
it_assert_eq "$(head_stat cp1 /hello | it_json 'j["name"] + " " + str(j["size"]) + " " + oct(j["mode"]) + " [" + j["linkTarget"] + "]"')" \
  "hello 6 0o644 []" "HEAD stat of a file"
head_stat cp1 /hello | it_json 'j["mtime"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$' || it_fail "stat mtime is not RFC 3339"
it_assert_eq "$(head_stat cp1 /d | it_json 'str(j["mode"] >> 31) + " " + oct(j["mode"] & 0o777) + " " + j["name"]')" "1 0o755 d" "HEAD stat of a dir"
it_assert_eq "$(head_stat cp1 /rootlink | it_json 'str((j["mode"] >> 27) & 1) + " " + j["linkTarget"]')" "1 /" "HEAD stat of a link to /"
it_assert_eq "$(head_stat cp1 /dotdotlink | it_json 'j["linkTarget"]')" "/etc" "link target evaluated inside the root"
it_assert_eq "$(head_stat cp1 /fifo | it_json 'str((j["mode"] >> 25) & 1)')" "1" "HEAD stat of a fifo"
it_assert_eq "$(head_stat cp1 /d/ | it_json 'j["name"]')" "d" "trailing slash"
it_assert_eq "$(head_stat cp1 /d/. | it_json 'j["name"]')" "." "trailing /."
it_pass "errors: 404 message, no container, local/local, container/container; HEAD stat header; status codes"

# --- into a running container
printf 'payload\n' > "$T/payload"
berth cp "$T/payload" cp1:/tmp/ || it_fail "cp a file in"
it_assert_eq "$(berth cp cp1:/tmp/payload - | tar -xOf -)" "payload" "file copied into a dir"
berth cp "$T/payload" cp1:/tmp/newname || it_fail "file to a new name: the copy failed"
it_assert_eq "$(berth cp cp1:/tmp/newname - | tar -xOf -)" "payload" "file to a new name"
berth cp "$T/payload" cp1:/hello || it_fail "file over a file: the copy failed"
it_assert_eq "$(berth cp cp1:/hello - | tar -xOf -)" "payload" "file over a file"
mkdir -p "$T/src/inner" && echo x > "$T/src/inner/x" && echo y > "$T/src/y"
berth cp "$T/src" cp1:/tmp/ || it_fail "dir into an existing dir: the copy failed"
it_assert_eq "$(berth cp cp1:/tmp/src/inner/x - | tar -xOf -)" "x" "dir into an existing dir"
berth cp "$T/src" cp1:/tmp/srcnew || it_fail "dir to a new name: the copy failed"
it_assert_eq "$(berth cp cp1:/tmp/srcnew/y - | tar -xOf -)" "y" "dir to a new name"
rc=0; berth cp "$T/payload" cp1:/nodir/ 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "file to a missing dir/"
rc=0; berth cp "$T/src" cp1:/hello 2> "$ERR" || rc=$?
it_assert_contains "$(cat "$ERR")" "cannot copy directory"
tar -C "$T" -cf - src | berth cp - cp1:/tmp/ || it_fail "tar from stdin: the copy failed"
it_assert_eq "$(berth cp cp1:/tmp/src/y - | tar -xOf -)" "y" "tar from stdin"
rc=0; tar -C "$T" -cf - src | berth cp - cp1:/hello 2> "$ERR" || rc=$?
it_assert_contains "$(cat "$ERR")" 'destination "cp1:/hello" must be a directory'
chown 1234:4321 "$T/payload"
berth cp "$T/payload" cp1:/tmp/owned-root && berth cp -a "$T/payload" cp1:/tmp/owned-kept || it_fail "cp -a"
it_assert_eq "$(berth cp cp1:/tmp/owned-root - | tar -tvf - | awk '{print $2}')" "0/0" "without -a files belong to root"
it_assert_eq "$(berth cp cp1:/tmp/owned-kept - | tar -tvf - | awk '{print $2}')" "1234/4321" "-a keeps the owner"
it_pass "cp in: file, new name, over a file, dir nested or renamed, tar on stdin, errors, -a"

# --- symlinks inside the container never lead to the host
it_assert_eq "$(berth cp cp1:/rootlink/etc/cp-marker - | tar -xOf -)" "container-marker" "through a link to /"
it_assert_eq "$(berth cp cp1:/etclink/cp-marker - | tar -xOf -)" "container-marker" "through a link to /etc"
it_assert_eq "$(berth cp cp1:/dotdotlink/cp-marker - | tar -xOf -)" "container-marker" "through ../../.. links"
berth cp cp1:/rootlink/etc/passwd "$T/passwd-through" && berth cp cp1:/etc/passwd "$T/passwd-direct" \
  && cmp -s "$T/passwd-through" "$T/passwd-direct" || it_fail "the link to / gave another passwd"
cmp -s "$T/passwd-through" /etc/passwd && it_fail "cp read the host's /etc/passwd"
cp "$T/payload" "$T/$ESC"
berth cp "$T/$ESC" cp1:/rootlink/tmp/ && berth cp "$T/$ESC" cp1:/etclink/ && berth cp "$T/$ESC" cp1:/dotdotlink/ \
  && berth cp "$T/$ESC" cp1:/rootlink || it_fail "cp through links"
for p in "/tmp/$ESC" "/etc/$ESC" "/$ESC"; do
  [ -e "$p" ] && it_fail "cp wrote $p on the host"
  it_assert_eq "$(berth cp "cp1:$p" - | tar -xOf -)" "payload" "landed in the container at $p"
done
it_pass "symlinks to /, /etc and ../.. resolve inside the container, both ways; host files untouched"

# --- hostile tars straight to PUT
mkdir -p "$IT_DIR/canary" && echo canary > "$IT_DIR/canary/file"
python3 - "$T/hostile" "$IT_DIR/canary" <<'PY'
import io, os, sys, tarfile
out, canary = sys.argv[1], sys.argv[2]
os.makedirs(out)
def tar(name, entries, mode="w"):
    with tarfile.open(os.path.join(out, name), mode) as t:
        for kind, path, extra in entries:
            i = tarfile.TarInfo(path)
            data = None
            if kind == "file":
                data = extra.encode(); i.size = len(data)
            elif kind == "sym":
                i.type, i.linkname = tarfile.SYMTYPE, extra
            elif kind == "hard":
                i.type, i.linkname = tarfile.LNKTYPE, extra
            elif kind == "dir":
                i.type = tarfile.DIRTYPE
            t.addfile(i, io.BytesIO(data) if data is not None else None)
tar("dotdot.tar", [("file", "../../../../../../.." + canary + "/file", "pwned")])
tar("dotdot-inner.tar", [("file", "a/../../../../../.." + canary + "/file", "pwned")])
tar("absolute.tar", [("file", canary + "/file", "contained")])
tar("symlink-through.tar", [("sym", "esc", canary), ("file", "esc/file", "pwned")])
tar("symlink-rel-through.tar", [("sym", "up", "../../../../../../../.." + canary), ("file", "up/file", "pwned")])
tar("hardlink-out.tar", [("hard", "h", canary + "/file")])
tar("hardlink-dotdot.tar", [("hard", "h", "../../../../../../.." + canary + "/file")])
tar("symlink-dir-swap.tar", [("dir", "d", None), ("sym", "d", canary), ("file", "d/file", "pwned")])
tar("gzip-through.tar.gz", [("sym", "gz", canary), ("file", "gz/file", "pwned")], "w:gz")
tar("bzip2-through.tar.bz2", [("sym", "bz", canary), ("file", "bz/file", "pwned")], "w:bz2")
tar("xz-through.tar.xz", [("sym", "xz", canary), ("file", "xz/file", "pwned")], "w:xz")
PY
for f in "$T"/hostile/*; do
  code=$(it_curl -s -o "$T/put-body" -w '%{http_code}' -X PUT -H 'Content-Type: application/x-tar' --data-binary @"$f" "$(archive_url cp1 /tmp)")
  case "$(basename "$f")" in
    dotdot*|hardlink-dotdot*) it_assert_eq "$code" 400 "$(basename "$f") refused" ;;
    *) case "$code" in 200|400) ;; *) it_fail "$(basename "$f"): status $code $(cat "$T/put-body")" ;; esac ;;
  esac
  it_assert_eq "$(cat "$IT_DIR/canary/file")" "canary" "canary after $(basename "$f")"
  it_assert_eq "$(ls "$IT_DIR/canary" | tr '\n' ' ')" "file " "canary dir after $(basename "$f")"
done
# contained, not refused: absolute names and links resolve inside the destination
berth cp "cp1:/tmp$IT_DIR/canary/file" - > /dev/null || it_fail "absolute entries land inside the destination"
GEN="$top_builddir/tests/fixtures/hostile-tars/gen-hostile-tars"
if [ -x "$GEN" ]; then
  mkdir -p "$T/gen" && "$GEN" "$T/gen" "$IT_DIR/canary" > /dev/null || it_fail "gen-hostile-tars"
  # one empty directory per case
  mkdir -p "$T/gendirs" && (cd "$T/gendirs" && mkdir $(seq -f 'gen-%g' 1 "$(wc -l < "$T/gen/cases.txt")"))
  tar -C "$T/gendirs" -cf - . | berth cp - cp1:/tmp || it_fail "the case directories"
  n=0
  while read -r name expect; do
    n=$((n + 1))
    it_curl -s -o /dev/null -X PUT --data-binary @"$T/gen/$name.tar" "$(archive_url cp1 "/tmp/gen-$n")" || true
    it_assert_eq "$(cat "$IT_DIR/canary/file")" "canary" "canary after $name"
    it_assert_eq "$(ls "$IT_DIR/canary" | tr '\n' ' ')" "file " "canary dir after $name"
  done < "$T/gen/cases.txt"
  it_pass "hostile tars ($n generated cases + 11 here): refused or contained, host canary untouched"
else
  it_pass "hostile tars (11 cases): refused or contained, host canary untouched ($GEN not built: generated cases skipped)"
fi

# whiteout names are plain files to cp (moby's Untar), never deletions
python3 - "$T/wh.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name in (".wh.hello", ".wh..wh..opq"):
        i = tarfile.TarInfo(name); i.size = 3
        t.addfile(i, io.BytesIO(b"wh\n"))
PY
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/wh.tar" "$(archive_url cp1 /)")" 200 "PUT of .wh. names"
it_assert_eq "$(berth cp cp1:/.wh.hello - | tar -xOf -)" "wh" "a .wh. name is a file"
berth cp cp1:/hello - > /dev/null && berth cp cp1:/d/a - > /dev/null || it_fail "a .wh. name deleted something"
it_pass "cp: .wh. names are ordinary files"

# --- kernel filesystems are not copied
rc=0; berth cp cp1:/proc/1/status "$T/status" 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "a file in /proc"
it_assert_contains "$(cat "$ERR")" "kernel filesystem"
berth cp cp1:/proc - > "$T/proc.tar" || it_fail "cp /proc"
it_assert_eq "$(tar -tf "$T/proc.tar" | tr '\n' ' ')" "proc/ " "/proc comes out empty"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/d.tar" "$(archive_url cp1 /proc)")" 400 "PUT into /proc"
it_pass "kernel filesystems: /proc files refused, /proc empty, PUT into /proc refused"

# --- a stopped container: its writable layer
mounts_before=$(grep -c "$IT_DIR" /proc/mounts)
berth create --name cp2 busybox cat /injected/payload > /dev/null || it_fail "create cp2"
mkdir -p "$T/injected" && cp "$T/payload" "$T/injected/"
berth cp "$T/injected" cp2:/ || it_fail "cp into a created container"
it_assert_eq "$(berth start -a cp2)" "payload" "the container sees the file"
berth cp cp2:/injected/payload "$T/back" || it_fail "cp out of an exited container: the copy failed"
it_assert_eq "$(cat "$T/back")" "payload" "cp out of an exited container"
berth cp "$T/src" cp2:/tmp/ || it_fail "dir into an exited container: the copy failed"
it_assert_eq "$(berth cp cp2:/tmp/src/y - | tar -xOf -)" "y" "dir into an exited container"
it_assert_eq "$(grep -c "$IT_DIR" /proc/mounts)" "$mounts_before" "mounts after cp on an exited container"
berth rm cp2 > /dev/null || it_fail "rm cp2"
it_pass "stopped containers: cp in, start sees it, cp out, rm afterwards"

# --- read-only root
berth run -d --read-only --name cpro busybox sleep 1000 > /dev/null || it_fail "run --read-only"
rc=0; berth cp "$T/payload" cpro:/tmp/ 2> "$ERR" || rc=$?
it_assert_eq "$rc" 1 "cp into a read-only rootfs"
it_assert_eq "$(cat "$ERR")" "Error response from daemon: container rootfs is marked read-only" "read-only message"
it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/d.tar" "$(archive_url cpro /tmp)")" 403 "PUT status"
berth cp cpro:/etc/passwd "$T/ro-passwd" || it_fail "cp out of a read-only container"
berth rm -f cpro > /dev/null
berth create --read-only --name cpro2 busybox true > /dev/null
rc=0; berth cp "$T/payload" cpro2:/tmp/ 2> "$ERR" || rc=$?
it_assert_contains "$(cat "$ERR")" "container rootfs is marked read-only"
berth rm cpro2 > /dev/null
it_pass "read-only rootfs: PUT refused with 403 (running and created), GET works"

# --- a bind mount of a running container is written through (the container's view)
mkdir -p "$T/vol"
if berth run -d --name cpvol -v "$T/vol:/vol" busybox sleep 1000 > /dev/null 2>&1; then
  berth cp "$T/payload" cpvol:/vol/ || it_fail "cp into a bind mount"
  it_assert_eq "$(cat "$T/vol/payload" 2> /dev/null)" "payload" "the file is in the bind-mounted host dir"
  echo from-host > "$T/vol/host-file"
  it_assert_eq "$(berth cp cpvol:/vol/host-file - | tar -xOf -)" "from-host" "cp out of a bind mount"
  berth rm -f cpvol > /dev/null
  it_pass "running container with -v: cp goes through the mount both ways"
else
  echo "# bind mounts not available in this build: volume case skipped"
fi

# --- events
if it_curl -sf "http://x/v1.50/events?since=0&until=$(date +%s)" > "$T/events" 2> /dev/null; then
  grep -q '"Action":"archive-path"' "$T/events" || it_fail "no archive-path event"
  grep -q '"Action":"extract-to-dir"' "$T/events" || it_fail "no extract-to-dir event"
  it_pass "events: archive-path, extract-to-dir"
fi

# --- the race of CVE-2018-15664: /x flips between a directory and a link to /
echo "host-secret-$$" > "/berth-cp-race-marker-$$"
berth run -d --name cprace busybox sh -c 'while :; do rm -rf /x; mkdir /x; rm -rf /x; ln -s / /x; done' > /dev/null || it_fail "run cprace"
python3 - "$T/race.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("berth-cp-race-written"); i.size = 4
    t.addfile(i, io.BytesIO(b"race"))
PY
for i in $(seq 1 150); do
  it_curl -s -o /dev/null -X PUT --data-binary @"$T/race.tar" "$(archive_url cprace /x/)"
  it_curl -s "$(archive_url cprace "/x/berth-cp-race-marker-$$")" | grep -q "host-secret-$$" && it_fail "GET read the host's marker through the race"
done
[ -e /berth-cp-race-written ] && { rm -f /berth-cp-race-written; it_fail "PUT wrote to the host's / through the race"; }
berth rm -f cprace > /dev/null
it_pass "CVE-2018-15664 race (150 PUT + 150 GET while /x flips dir/link to /): host untouched"

# --- CVE-2019-14271: nothing of the container is loaded or run (its NSS
# library, decompressors); a container with a User makes -a look the user up
if command -v cc > /dev/null; then
  NSS_MARK="/tmp/berth-cp-nss-$$"
  printf '#include <stdio.h>\n__attribute__((constructor)) static void m (void) { FILE *f = fopen ("%s", "w"); if (f) fclose (f); }\n' \
    "$NSS_MARK" > "$T/nss.c"
  cc -shared -fPIC -o "$T/libnss_files.so.2" "$T/nss.c" || it_fail "build the fake NSS library"
  printf '#!/bin/sh\ntouch %s\n' "$NSS_MARK" > "$T/helper" && chmod 755 "$T/helper"
  mkdir -p "$T/evil/lib/x86_64-linux-gnu" "$T/evil/usr/bin" "$T/evil/etc"
  cp "$T/libnss_files.so.2" "$T/evil/lib/"; cp "$T/libnss_files.so.2" "$T/evil/lib/x86_64-linux-gnu/"
  for h in xz gzip unpigz bzip2 zstd tar; do cp "$T/helper" "$T/evil/usr/bin/$h"; done
  printf 'passwd: files\ngroup: files\n' > "$T/evil/etc/nsswitch.conf"
  berth create --name cpnss -u nobody busybox true > /dev/null || it_fail "create cpnss"
  berth cp "$T/evil/." cpnss:/ || it_fail "cp the fake NSS library in"
  tar -C "$T" -czf "$T/src.tgz" src && tar -C "$T" -cJf "$T/src.txz" src && tar -C "$T" -cjf "$T/src.tbz" src
  for f in src.tgz src.txz src.tbz; do
    it_assert_eq "$(it_curl -s -o /dev/null -w '%{http_code}' -X PUT --data-binary @"$T/$f" "$(archive_url cpnss /tmp)&copyUIDGID=1")" 200 "PUT $f"
  done
  berth cp -a "$T/payload" cpnss:/tmp/ && berth cp cpnss:/etc "$T/nss-etc" && berth cp -L cpnss:/tmp "$T/nss-tmp" \
    || it_fail "cp with the fake NSS library"
  it_assert_eq "$(berth cp cpnss:/tmp/src/y - | tar -tvf - | awk '{print $2}')" "65534/65534" "copyUIDGID: Config.User from the container's passwd"
  [ -e "$NSS_MARK" ] && { rm -f "$NSS_MARK"; it_fail "the container's NSS library or a helper ran on the host"; }
  berth cp "cpnss:$NSS_MARK" - > /dev/null 2>&1 && it_fail "the container's NSS library or a helper ran in the container"
  berth rm cpnss > /dev/null
  it_pass "CVE-2019-14271: fake libnss_files and decompressors in the container never run (gzip, xz, bzip2 bodies; -a with User)"
fi

# --- the stock docker CLI
if [ -x /usr/local/bin/docker ] || command -v docker > /dev/null; then
  DOCKER=$(command -v docker || echo /usr/local/bin/docker)
  export DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config"
  docker () { timeout 60 "$DOCKER" "$@"; }
  docker cp cp1:/d "$T/docker-d" || it_fail "docker cp out"
  it_assert_eq "$(cat "$T/docker-d/sub/b")" "b" "docker cp of a dir out"
  docker cp cp1:/rootlink/etc/cp-marker "$T/docker-marker" || it_fail "docker cp through a link to /: the copy failed"
  it_assert_eq "$(cat "$T/docker-marker")" "container-marker" "docker cp through a link to /"
  docker cp "$T/src" cp1:/tmp/docker-src || it_fail "docker cp in"
  it_assert_eq "$(berth cp cp1:/tmp/docker-src/inner/x - | tar -xOf -)" "x" "docker cp of a dir in"
  docker cp "$T/payload" cp1:/tmp/docker-file || it_fail "docker cp of a file in: the copy failed"
  it_assert_eq "$(berth cp cp1:/tmp/docker-file - | tar -xOf -)" "payload" "docker cp of a file in"
  it_assert_eq "$(docker cp cp1:/hello - | tar -xOf -)" "payload" "docker cp to -"
  tar -C "$T" -cf - --transform 's/^src/dsrc/' src | docker cp - cp1:/tmp || it_fail "docker cp from -: the copy failed"
  it_assert_eq "$(berth cp cp1:/tmp/dsrc/y - | tar -xOf -)" "y" "docker cp from -"
  docker cp -L cp1:/rel "$T/docker-rel" || it_fail "docker cp -L: the copy failed"
  it_assert_eq "$(cat "$T/docker-rel")" "payload" "docker cp -L"
  rc=0; docker cp cp1:/nope "$T/x" 2> "$ERR" || rc=$?
  [ "$rc" != 0 ] || it_fail "docker cp of a missing path succeeded"
  it_assert_contains "$(cat "$ERR")" "Could not find the file /nope in container cp1"
  docker cp "$T/$ESC" cp1:/rootlink/tmp/docker-esc-$$ && [ ! -e "/tmp/docker-esc-$$" ] || it_fail "docker cp through a link to /"
  it_pass "docker CLI: cp out (dir, through a link), in (dir, file), to/from -, -L, 404"
fi

berth rm -f cp1 > /dev/null
