# Image commands through the API and the berth CLI: load (docker-archive old
# and new layouts, OCI layout), images, inspect, history, tag, save, rmi,
# prune, import, system df; the round trip keeps image ids; malformed
# archives are refused with clear errors and leave the store as it was.
. "$top_srcdir/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/lib-image.sh"

it_make_images
it_start_daemon --storage-driver vfs
B () { "$BERTH" -H "$IT_HOST" "$@"; }
config_id () { # ARCHIVE: sha256 of the config its manifest.json names
  python3 - "$1" << 'PY'
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1])
def member(name):
    for m in t.getmembers():
        if m.name.lstrip("./") == name:
            return t.extractfile(m).read()
m = json.loads(member("manifest.json"))[0]
print("sha256:" + hashlib.sha256(member(m["Config"])).hexdigest())
PY
}

# --- load: old layout from a file, new layout from stdin ---
out=$(B load -i "$IT_IMG/busybox.tar") || it_fail "load busybox.tar: $out"
it_assert_eq "$out" "Loaded image: berth-test/busybox:latest" "load output"
out=$(B load < "$IT_IMG/layered.tar") || it_fail "load layered.tar: $out"
it_assert_eq "$out" "Loaded image: berth-test/layered:v1" "load from stdin"
bid=$(config_id "$IT_IMG/busybox.tar")
lid=$(config_id "$IT_IMG/layered.tar")
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/busybox)" "$bid" "image id = sha256 of the config"
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/layered:v1)" "$lid" "layered image id"
it_pass "load: docker-archive, old and new layouts, file and stdin"

# --- images ---
out=$(B images)
it_assert_contains "$out" "REPOSITORY           TAG       IMAGE ID       CREATED       SIZE" "images header"
echo "$out" | grep -q "^berth-test/busybox *latest *$(echo "$bid" | cut -c8-19) " || it_fail "images row: $out"
it_assert_eq "$(B images -q | sort | tr '\n' ' ')" "$(printf '%s\n%s\n' "$(echo "$bid" | cut -c8-19)" "$(echo "$lid" | cut -c8-19)" | sort | tr '\n' ' ')" "images -q"
it_assert_eq "$(B images --no-trunc --format '{{.ID}}' berth-test/busybox)" "$bid" "images --no-trunc --format"
it_assert_eq "$(B images --format '{{.Repository}}:{{.Tag}}' 'berth-test/lay*')" "berth-test/layered:v1" "images REPO pattern"
it_assert_eq "$(B images --format json berth-test/busybox | it_json 'j["Tag"]')" "latest" "images --format json"
it_assert_eq "$(B image ls -f label=org.berth.test=yes -q | wc -l)" "2" "image ls --filter label"
it_assert_eq "$(B image ls -f dangling=true -q | wc -l)" "0" "no dangling images"
B images -f bogus=1 > /dev/null 2> "$IT_DIR/err" && it_fail "an unknown filter was accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "invalid filter 'bogus'" "unknown filter"
it_pass "images: table, -q, --no-trunc, --format, filters"

# --- inspect, history ---
j=$(it_curl http://localhost/v1.50/images/berth-test/layered:v1/json)
it_assert_eq "$(echo "$j" | it_json 'len(j["RootFS"]["Layers"])')" "3" "RootFS.Layers"
it_assert_eq "$(echo "$j" | it_json 'j["RootFS"]["Type"]')" "layers" "RootFS.Type"
it_assert_eq "$(echo "$j" | it_json 'j["Os"] + " " + j["GraphDriver"]["Name"]')" "linux vfs" "Os, GraphDriver"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Cmd"]')" '["sh"]' "Config.Cmd"
it_assert_eq "$(echo "$j" | it_json 'j["Created"]')" "2024-01-02T03:04:05Z" "Created"
it_assert_eq "$(echo "$j" | it_json 'j["RepoTags"]')" '["berth-test/layered:v1"]' "RepoTags"
for k in Id RepoDigests Parent Comment Architecture Size Metadata; do
  echo "$j" | it_json "j['$k']" > /dev/null || it_fail "inspect has no $k"
done
it_assert_eq "$(B image inspect berth-test/busybox | it_json 'j[0]["Id"]')" "$bid" "image inspect JSON"
it_assert_eq "$(B inspect -f '{{json .Config.Labels}}' "$(echo "$bid" | cut -c8-15)")" '{"org.berth.test":"yes"}' "inspect by id prefix"
it_assert_eq "$(B inspect -f '{{.Id}}' "$bid")" "$bid" "inspect by sha256:id"
out=$(B history berth-test/layered:v1)
it_assert_eq "$(echo "$out" | wc -l)" "5" "history lines"
it_assert_contains "$(echo "$out" | sed -n 1p)" "IMAGE          CREATED       CREATED BY" "history header"
it_assert_contains "$(echo "$out" | sed -n 2p)" "$(echo "$lid" | cut -c8-19)" "history top id"
it_assert_contains "$(echo "$out" | sed -n 3p)" "<missing>" "history lower ids"
it_assert_eq "$(B history -q --no-trunc berth-test/layered:v1 | head -1)" "$lid" "history -q --no-trunc"
h=$(it_curl http://localhost/v1.50/images/berth-test/layered:v1/history)
it_assert_eq "$(echo "$h" | it_json 'j[0]["Tags"]')" '["berth-test/layered:v1"]' "history Tags"
it_assert_eq "$(echo "$h" | it_json '[x["Size"] > 0 for x in j]')" '[false, true, true, true]' "history sizes"
it_pass "inspect and history"

# --- whiteouts of the third layer, flattened by vfs ---
top=$(python3 -c "
import json; db = json.load(open('$IT_DATA/image/images.json'))
print(db['layers'][db['images']['$lid']['top_layer']]['storage_id'])")
root="$IT_DATA/storage/vfs/$top"
[ -x "$root/bin/busybox" ] || it_fail "the top layer lacks the base layer's files"
[ -e "$root/data/a" ] && it_fail "whited-out /data/a is still there"
[ -e "$root/etc/motd" ] && it_fail "whited-out /etc/motd is still there"
[ -e "$root/opt/x/y" ] && it_fail "/opt/x/y survived the opaque /opt/x"
[ "$(cat "$root/data/b")" = b ] || it_fail "/data/b missing"
[ "$(cat "$root/opt/x/new")" = new ] || it_fail "/opt/x/new missing"
[ "$(readlink "$root/etc/b-link")" = ../data/b ] || it_fail "symlink /etc/b-link missing"
ls -a "$root/data" "$root/opt/x" | grep -q '\.wh\.' && it_fail "whiteout markers were written"
it_pass "layers with whiteouts and an opaque directory"

# --- tag ---
B tag berth-test/busybox example.com:5000/team/app:1.0 || it_fail "tag"
B tag "$(echo "$lid" | cut -c8-20)" mine || it_fail "tag by id prefix"
it_assert_eq "$(B image inspect -f '{{.Id}}' example.com:5000/team/app:1.0)" "$bid" "tag with registry and port"
it_assert_eq "$(B image inspect -f '{{.Id}}' mine:latest)" "$lid" "tag default :latest"
code=$(it_curl -o /dev/null -w '%{http_code}' -X POST "http://localhost/v1.50/images/berth-test/busybox/tag?repo=docker.io/library/x&tag=y")
it_assert_eq "$code" "201" "POST tag status"
code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X POST "http://localhost/v1.50/images/nope/tag?repo=x&tag=y")
it_assert_eq "$code" "404" "tag of a missing image"
B tag berth-test/busybox 'UPPER:x' 2> "$IT_DIR/err" && it_fail "an invalid tag was accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "invalid reference format" "invalid tag"
it_pass "tag"

# --- save, then rmi everything, then load again: same ids ---
B save -o "$IT_DIR/saved.tar" berth-test/busybox berth-test/layered:v1 mine || it_fail "save"
for m in manifest.json index.json oci-layout repositories "blobs/sha256/${bid#sha256:}" "blobs/sha256/${lid#sha256:}"; do
  tar -tf "$IT_DIR/saved.tar" | grep -qx "$m" || it_fail "save: $m missing from the archive"
done
python3 - "$IT_DIR/saved.tar" << 'PY' || it_fail "saved archive is not consistent"
import hashlib, json, sys, tarfile
t = tarfile.open(sys.argv[1]); names = t.getnames()
get = lambda n: t.extractfile(n).read()
man = json.loads(get("manifest.json"))
assert sorted(tuple(sorted(m["RepoTags"])) for m in man) == [("berth-test/busybox:latest",), ("berth-test/layered:v1", "mine:latest")], man
for m in man:
    cfg = json.loads(get(m["Config"]))
    for path, diff in zip(m["Layers"], cfg["rootfs"]["diff_ids"]):
        assert "sha256:" + hashlib.sha256(get(path)).hexdigest() == diff, path
idx = json.loads(get("index.json"))
for d in idx["manifests"]:
    blob = get("blobs/sha256/" + d["digest"][7:])
    assert hashlib.sha256(blob).hexdigest() == d["digest"][7:] and len(blob) == d["size"]
    assert d["annotations"]["io.containerd.image.name"].startswith("docker.io/")
PY
B save berth-test/busybox > "$IT_DIR/stdout.tar" || it_fail "save to stdout"
cmp -s "$IT_DIR/stdout.tar" "$(B save -o "$IT_DIR/again.tar" berth-test/busybox && echo "$IT_DIR/again.tar")" || it_fail "save is not deterministic"
B save nope > /dev/null 2> "$IT_DIR/err" && it_fail "save of a missing image succeeded"
it_assert_contains "$(cat "$IT_DIR/err")" "No such image: nope:latest" "save error"
out=$(B rmi berth-test/busybox example.com:5000/team/app:1.0 docker.io/library/x:y berth-test/layered:v1 mine)
it_assert_contains "$out" "Untagged: berth-test/busybox:latest" "rmi output"
it_assert_contains "$out" "Deleted: $bid" "rmi output"
it_assert_contains "$out" "Deleted: $lid" "rmi output"
it_assert_eq "$(it_store_count images) $(it_store_count layers)" "0 0" "store after rmi"
it_store_check vfs || it_fail "store inconsistent after rmi"
out=$(B load -i "$IT_DIR/saved.tar")
it_assert_contains "$out" "Loaded image: berth-test/busybox:latest" "reload"
it_assert_contains "$out" "Loaded image: mine:latest" "reload"
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/busybox)" "$bid" "round trip keeps the id"
it_assert_eq "$(B image inspect -f '{{.Id}}' mine)" "$lid" "round trip keeps the id"
it_pass "save, rmi, load again: same image ids"

# --- an OCI layout without manifest.json, gzip layers ---
out=$(B load -i "$IT_IMG/oci.tar") || it_fail "load oci.tar: $out"
it_assert_eq "$out" "Loaded image: berth-test/oci:v1" "OCI layout load"
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/oci:v1)" "$lid" "OCI layout image id"
it_pass "load: OCI image layout"

# --- rmi: conflict, force, untag only ---
code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X DELETE "http://localhost/v1.50/images/${lid#sha256:}")
it_assert_eq "$code" "409" "rmi of an id with several references"
it_assert_contains "$(cat "$IT_DIR/body")" "image is referenced in multiple repositories" "409 message"
out=$(B rmi berth-test/oci:v1)
it_assert_eq "$out" "Untagged: berth-test/oci:v1" "rmi of one of several tags only untags"
it_assert_eq "$(B image inspect -f '{{.Id}}' mine)" "$lid" "image kept"
B rmi -f "${lid#sha256:}" > /dev/null || it_fail "rmi -f"
B image inspect "$lid" > /dev/null 2>&1 && it_fail "image still there after rmi -f"
code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X DELETE "http://localhost/v1.50/images/nope")
it_assert_eq "$code" "404" "rmi of a missing image"
it_assert_eq "$(it_json 'j["message"]' < "$IT_DIR/body")" "No such image: nope:latest" "404 message"
it_pass "rmi: 409 without force, untag, force, 404"

# --- import with changes ---
out=$(B import -c 'CMD ["/bin/sh", "-c", "echo hi"]' -c 'ENV A=1 B="two words"' -c 'WORKDIR /srv' -c 'USER nobody' \
  -c 'LABEL x=y' -c 'EXPOSE 8080' -c 'VOLUME /data' -c 'ENTRYPOINT ["/bin/env"]' -m "imported here" \
  "$IT_IMG/rootfs.tar" imported:1) || it_fail "import: $out"
case "$out" in sha256:*) ;; *) it_fail "import output: $out" ;; esac
j=$(it_curl http://localhost/v1.50/images/imported:1/json)
it_assert_eq "$(echo "$j" | it_json 'j["Id"]')" "$out" "import prints the id"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Cmd"]')" '["/bin/sh", "-c", "echo hi"]' "import CMD"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Entrypoint"]')" '["/bin/env"]' "import ENTRYPOINT"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Env"]')" '["A=1", "B=two words"]' "import ENV"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["WorkingDir"] + " " + j["Config"]["User"]')" "/srv nobody" "import WORKDIR USER"
it_assert_eq "$(echo "$j" | it_json 'j["Config"]["Labels"]')" '{"x": "y"}' "import LABEL"
it_assert_eq "$(echo "$j" | it_json 'list(j["Config"]["ExposedPorts"]) + list(j["Config"]["Volumes"])')" '["8080/tcp", "/data"]' "import EXPOSE VOLUME"
it_assert_eq "$(B history --format '{{.Comment}}' imported:1)" "imported here" "import message"
out=$(gzip -c "$IT_IMG/rootfs.tar" | B import - ) || it_fail "import - (gzip): $out"
B import -c 'FROM x' "$IT_IMG/rootfs.tar" 2> "$IT_DIR/err" && it_fail "import with FROM accepted"
it_assert_contains "$(cat "$IT_DIR/err")" "FROM is not a valid change command" "bad change"
it_pass "import: file, stdin (gzip), changes, message"

# --- pull from a registry nobody serves: a clear error (tests/registry has the real pulls) ---
code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X POST "http://localhost/v1.50/images/create?fromImage=127.0.0.1:1/library/busybox&tag=latest")
it_assert_eq "$code" "500" "pull status"
it_assert_contains "$(cat "$IT_DIR/body")" "cannot reach registry 127.0.0.1:1" "pull message"
it_pass "pull from an unreachable registry refused"

# --- prune, system df ---
it_assert_eq "$(B images -f dangling=true -q | wc -l)" "1" "one dangling image (the unnamed import)"
out=$(B image prune -f)
it_assert_contains "$out" "Deleted Images:" "prune output"
it_assert_contains "$out" "Total reclaimed space:" "prune output"
it_assert_eq "$(B images -f dangling=true -q | wc -l)" "0" "prune removed the dangling image"
df=$(it_curl http://localhost/v1.50/system/df)
it_assert_eq "$(echo "$df" | it_json '[len(j["Images"]), j["Containers"], j["Volumes"], j["BuildCache"], j["LayersSize"] > 0]')" '[2, [], [], [], true]' "system/df"
out=$(B system df)
it_assert_contains "$out" "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" "system df header"
it_assert_contains "$out" "Images          2         0" "system df images"
it_pass "image prune and system df"

# --- malformed archives ---
mkdir -p "$IT_DIR/bad/a"
echo hello > "$IT_DIR/bad/a/file"
tar -C "$IT_DIR/bad/a" -cf "$IT_DIR/bad/nomanifest.tar" file
echo '[{"Config": ' > "$IT_DIR/bad/b-manifest.json"
tar -C "$IT_DIR/bad" -cf "$IT_DIR/bad/badjson.tar" --transform 's/b-manifest.json/manifest.json/' b-manifest.json
echo "this is not a tar" > "$IT_DIR/bad/garbage.tar"
tar -C "$IT_DIR/bad/a" -cf "$IT_DIR/bad/layer.tar" file
it_archive "$IT_DIR/bad/good.tar" bad:1 "$IT_DIR/bad/layer.tar"
python3 - "$IT_DIR/bad/good.tar" "$IT_DIR/bad/mismatch.tar" << 'PY'
import io, json, sys, tarfile
src, dst = tarfile.open(sys.argv[1]), tarfile.open(sys.argv[2], "w")
layer = json.loads(src.extractfile("manifest.json").read())[0]["Layers"][0]
for m in src.getmembers():
    data = src.extractfile(m).read()
    if m.name == layer:
        data = data.replace(b"hello", b"HELLO")   # same size, other bytes
    m.size = len(data); dst.addfile(m, io.BytesIO(data))
dst.close()
PY
images_before=$(it_store_count images)
layers_before=$(it_store_count layers)
for case in "nomanifest:neither manifest.json nor index.json" "badjson:manifest.json" "garbage:invalid archive" \
  "mismatch:layer diff id mismatch"; do
  name=${case%%:*}
  msg=${case#*:}
  code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' -X POST -T "$IT_DIR/bad/$name.tar" -H 'Transfer-Encoding: chunked' \
    "http://localhost/v1.50/images/load?quiet=1")
  it_assert_eq "$code" "400" "load of $name.tar"
  it_assert_contains "$(cat "$IT_DIR/body")" "$msg" "load of $name.tar"
  B load -i "$IT_DIR/bad/$name.tar" > /dev/null 2> "$IT_DIR/err" && it_fail "berth load $name.tar succeeded"
  it_assert_contains "$(cat "$IT_DIR/err")" "Error response from daemon: " "berth load $name.tar"
done
it_assert_eq "$(it_store_count images) $(it_store_count layers)" "$images_before $layers_before" "store after bad loads"
it_store_check vfs || it_fail "store inconsistent after bad loads"
out=$(B load -i "$IT_DIR/bad/good.tar") || it_fail "the well-formed twin did not load: $out"
code=$(it_curl -o "$IT_DIR/body" -w '%{http_code}' http://localhost/v1.50/images/nope/json)
it_assert_eq "$code" "404" "inspect of a missing image"
it_assert_eq "$(it_json 'j["message"]' < "$IT_DIR/body")" "No such image: nope:latest" "404 message"
it_pass "malformed archives refused with clear errors; store unchanged"

# --- concurrent loads of images sharing layers, and removals meanwhile ---
pids=
for i in 1 2 3; do
  B load -i "$IT_IMG/layered.tar" > "$IT_DIR/par$i.out" 2>&1 &
  pids="$pids $!"
  B load -i "$IT_IMG/oci.tar" > "$IT_DIR/paro$i.out" 2>&1 &
  pids="$pids $!"
  B rmi -f berth-test/oci:v1 > /dev/null 2>&1 &
  pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
for i in 1 2 3; do
  it_assert_eq "$(cat "$IT_DIR/par$i.out")" "Loaded image: berth-test/layered:v1" "concurrent load $i"
  it_assert_eq "$(cat "$IT_DIR/paro$i.out")" "Loaded image: berth-test/oci:v1" "concurrent load $i"
done
it_store_check vfs || it_fail "store inconsistent after concurrent loads"
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/layered:v1)" "$lid" "image after concurrent loads"
it_pass "concurrent loads and removals"

# --- a restart keeps everything ---
iid=$(B image inspect -f '{{.Id}}' imported:1)
it_stop_daemon || it_fail "berthd exit status"
it_start_daemon --storage-driver vfs
it_assert_eq "$(B image inspect -f '{{.Id}}' imported:1)" "$iid" "image after restart"
it_assert_eq "$(B image inspect -f '{{.Id}}' berth-test/busybox)" "$bid" "image after restart"
it_store_check vfs || it_fail "store inconsistent after restart"
it_stop_daemon || it_fail "berthd exit status"
it_pass "restart keeps images; store consistent"
