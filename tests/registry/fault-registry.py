"""A registry front that misbehaves: proxies GET/HEAD to a real registry
and spoils the blob (or the manifests) as MODE says.
Usage: fault-registry.py UPSTREAM PORTFILE MODE DIGEST [PORT]
MODE, for the blob DIGEST:
  corrupt   one byte flipped, same length
  oversize  extra bytes after the declared size
  cut       half the blob, then the connection closes (every time)
  cutonce   cut the first time; later requests get what their Range asks (206)
  norange   cut the first time; later requests get the whole blob (Range ignored)
  dieonce   half the blob, then the whole server exits (restart it on PORT)
MODE, for every manifest GET:
  status:N  answer HTTP N with a registry error body
  429once   429 with Retry-After: 1 the first time, then the real manifest
  429long   429 with Retry-After: 3600
  bigmanifest  a 5 MiB body
  badmanifest  a body that is not JSON"""
import http.server, os, re, socketserver, sys, threading, urllib.error, urllib.request

upstream, portfile, mode, bad = sys.argv[1:5]
port = int(sys.argv[5]) if len(sys.argv) > 5 else 0
state = {"blob": 0, "manifest": 0}
lock = threading.Lock()


def count(what):
    with lock:
        state[what] += 1
        return state[what]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def fetch(self):
        req = urllib.request.Request(upstream + self.path, method=self.command,
                                     headers={k: v for k, v in self.headers.items() if k.lower() == "accept"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def answer(self, status, headers, body, extra=()):
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def manifest_fault(self):
        n = count("manifest")
        err = lambda code, msg: ('{"errors":[{"code":"%s","message":"%s"}]}' % (code, msg)).encode()
        ctype = ("Content-Type", "application/json")
        if mode.startswith("status:"):
            code = int(mode[7:])
            names = {401: "UNAUTHORIZED", 403: "DENIED", 404: "MANIFEST_UNKNOWN", 500: "UNKNOWN"}
            extra = [ctype]
            if code == 401:
                extra.append(("WWW-Authenticate", 'Basic realm="fault"'))
            self.answer(code, None, err(names.get(code, "UNKNOWN"), "fault registry says %d" % code), extra)
            return True
        if mode == "429long" or (mode == "429once" and n == 1):
            after = "3600" if mode == "429long" else "1"
            self.answer(429, None, err("TOOMANYREQUESTS", "slow down"), [ctype, ("Retry-After", after)])
            return True
        if mode == "bigmanifest":
            self.answer(200, None, b'{"schemaVersion":2,"x":"' + b"a" * (5 << 20) + b'"}',
                        [("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")])
            return True
        if mode == "badmanifest":
            self.answer(200, None, b'{"schemaVersion": 2, "layers": [',
                        [("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")])
            return True
        return False

    def do_GET(self):
        if "/manifests/" in self.path and self.manifest_fault():
            return
        status, headers, body = self.fetch()
        extra = [(k, headers[k]) for k in ("Content-Type", "Docker-Content-Digest", "Docker-Distribution-Api-Version")
                 if headers.get(k)]
        if not (self.path.endswith("/blobs/" + bad) and status == 200):
            return self.answer(status, headers, body, extra)
        n = count("blob") if self.command == "GET" else 0
        if mode == "corrupt":
            body = body[:-1] + bytes([body[-1] ^ 0xff])
        elif mode == "oversize":
            body = body + b"\0" * 4096
        elif mode == "cut" or (mode in ("cutonce", "norange", "dieonce") and n == 1):
            self.send_response(200)
            for k, v in extra:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body[:len(body) // 2])
                self.wfile.flush()
            if mode == "dieonce":
                os._exit(0)
            self.close_connection = True
            return
        elif mode == "cutonce":
            m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
            if m:
                start = int(m.group(1))
                extra.append(("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1, len(body))))
                return self.answer(206, headers, body[start:], extra)
        self.answer(status, headers, body, extra)

    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, *a):
        pass  # berth hanging up on a refused body is expected


srv = Server(("127.0.0.1", port), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
