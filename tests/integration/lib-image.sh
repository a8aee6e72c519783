# Helpers for the image tests; source after lib.sh.

# Build the fixture archives (tests/fixtures/mkimage-busybox.sh) into
# $IT_IMG once: busybox.tar, layered.tar, oci.tar, rootfs.tar.
IT_IMG="$IT_DIR/img"
it_make_images () {
  [ -f "$IT_IMG/busybox.tar" ] && return 0
  sh "$top_srcdir/tests/fixtures/mkimage-busybox.sh" "$IT_IMG" > "$IT_DIR/mkimage.log" 2>&1
  local rc=$?
  [ "$rc" = 77 ] && it_skip "busybox-static is not installed"
  [ "$rc" = 0 ] || { cat "$IT_DIR/mkimage.log" >&2; it_fail "mkimage-busybox.sh failed"; }
}

# it_archive OUT TAG LAYER.tar... : a docker-archive (docker >= 25 layout)
# of the given layer tars, bottom first; TAG "" for an untagged image.
it_archive () {
  python3 - "$@" << 'PY'
import hashlib, io, json, sys, tarfile
out, tag, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
blobs, diffs = {}, []
for p in layers:
    data = open(p, "rb").read()
    h = hashlib.sha256(data).hexdigest()
    blobs[h] = data
    diffs.append("sha256:" + h)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-01T00:00:00Z",
                  "config": {"Cmd": ["sh"]}, "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
ch = hashlib.sha256(cfg).hexdigest()
blobs[ch] = cfg
man = [{"Config": "blobs/sha256/" + ch, "RepoTags": [tag] if tag else None,
        "Layers": ["blobs/sha256/" + d[7:] for d in diffs]}]
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    def add(name, data):
        ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
        t.addfile(ti, io.BytesIO(data))
    for h, data in blobs.items():
        add("blobs/sha256/" + h, data)
    add("manifest.json", json.dumps(man).encode())
PY
}

# The store and the storage driver agree: prints each problem, fails if any.
# Checked: every layer record ready, a driver directory per layer and none
# more, a layer tar per layer and none more, no scratch or ingest files.
it_store_check () {
  python3 - "$IT_DATA" "${1:-}" << 'PY'
import json, os, sys
root, driver = sys.argv[1], sys.argv[2]
problems = []
def load(name, empty):
    # the store writes its files on the first change
    path = os.path.join(root, "image", name)
    return json.load(open(path)) if os.path.exists(path) else empty
db = load("images.json", {"layers": {}, "images": {}})
repos = load("repositories.json", {"references": {}})
sids = set()
for chain, l in db["layers"].items():
    if l.get("state") != "ready":
        problems.append("layer %s is %s" % (chain, l.get("state")))
    if l.get("parent") and l["parent"] not in db["layers"]:
        problems.append("layer %s has a missing parent" % chain)
    sids.add(l["storage_id"])
for iid, img in db["images"].items():
    for c in img.get("layers", []):
        if c not in db["layers"]:
            problems.append("image %s holds a missing layer %s" % (iid, c))
    if not os.path.exists(os.path.join(root, "image/blobs/sha256", iid[7:])):
        problems.append("image %s has no config blob" % iid)
for ref, iid in repos["references"].items():
    if iid not in db["images"]:
        problems.append("reference %s points to a missing image" % ref)
tars = set(f[:-4] for f in os.listdir(os.path.join(root, "image/layer-tars")) if f.endswith(".tar"))
others = [f for f in os.listdir(os.path.join(root, "image/layer-tars")) if not f.endswith(".tar")]
if tars != sids or others:
    problems.append("layer tars %s + %s, layers %s" % (sorted(tars), others, sorted(sids)))
for d in ("tmp", "image/ingest"):
    left = os.listdir(os.path.join(root, d)) if os.path.isdir(os.path.join(root, d)) else []
    if left:
        problems.append("%s is not empty: %s" % (d, left))
if driver:
    ddir = os.path.join(root, "storage", driver)
    have = set(f for f in os.listdir(ddir) if not f.startswith(".") and f != "l") if os.path.isdir(ddir) else set()
    if have != sids:
        problems.append("driver %s has %s, store has %s" % (driver, sorted(have), sorted(sids)))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY
}

# count of images / layers in the store
it_store_count () {
  python3 -c "import json,os; p='$IT_DATA/image/images.json'; print(len(json.load(open(p))['$1']) if os.path.exists(p) else 0)"
}
