"""Upload a docker-archive image to a registry with plain distribution API
calls, independent of berth's client: layers gzip-compressed, a Docker
schema2 manifest; with "index" as 5th argument wrapped in an OCI index that
also lists a foreign platform and an attestation-like unknown/unknown entry.
Usage: upload.py ARCHIVE BASE_URL REPO TAG [index]; prints the digest."""
import gzip, hashlib, io, json, sys, tarfile, urllib.error, urllib.request

archive, base, repo, tag = sys.argv[1:5]
mode = sys.argv[5] if len(sys.argv) > 5 else ""


def call(method, url, data=None, headers=None):
    req = urllib.request.Request(url if url.startswith("http") else base + url, data=data, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def put_blob(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    st, _, _ = call("HEAD", "/v2/%s/blobs/%s" % (repo, d))
    if st == 200:
        return d
    st, h, _ = call("POST", "/v2/%s/blobs/uploads/" % repo)
    assert st == 202, st
    loc = h["Location"]
    loc += ("&" if "?" in loc else "?") + "digest=" + d
    st, _, body = call("PUT", loc, data, {"Content-Type": "application/octet-stream"})
    assert st == 201, (st, body)
    return d


with tarfile.open(archive) as t:
    members = {ti.name[2:] if ti.name.startswith("./") else ti.name: ti for ti in t.getmembers()}

    def read(name):
        return t.extractfile(members[name]).read()
    m = json.loads(read("manifest.json"))[0]
    config = read(m["Config"])
    layers = []
    for p in m["Layers"]:
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
            g.write(read(p))
        gz = buf.getvalue()
        layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                       "size": len(gz), "digest": put_blob(gz)})

man = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
       "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config),
                  "digest": put_blob(config)},
       "layers": layers}
body = json.dumps(man, indent=3).encode()
mtype = man["mediaType"]
if mode == "index":
    d = "sha256:" + hashlib.sha256(body).hexdigest()
    st, _, resp = call("PUT", "/v2/%s/manifests/%s" % (repo, d), body, {"Content-Type": mtype})
    assert st == 201, (st, resp)
    cfg = json.loads(config)
    entry = {"mediaType": mtype, "size": len(body), "digest": d}
    idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        dict(entry, platform={"os": "linux", "architecture": "s390x"}),
        dict(entry, platform={"os": "unknown", "architecture": "unknown"}),
        dict(entry, platform={"os": cfg["os"], "architecture": cfg["architecture"]})]}
    body = json.dumps(idx).encode()
    mtype = idx["mediaType"]
st, h, resp = call("PUT", "/v2/%s/manifests/%s" % (repo, tag), body, {"Content-Type": mtype})
assert st == 201, (st, resp)
print("sha256:" + hashlib.sha256(body).hexdigest())
