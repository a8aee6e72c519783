"""A registry front that misbehaves: proxies GET/HEAD to a real registry
and spoils the blob named on the command line.
Usage: fault-registry.py UPSTREAM PORTFILE MODE DIGEST
MODE: corrupt (one byte flipped, same length), oversize (extra bytes
after the declared size), cut (half the blob, then the connection closes)."""
import http.server, socketserver, sys, urllib.error, urllib.request

upstream, portfile, mode, bad = sys.argv[1:5]


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

    def do_GET(self):
        status, headers, body = self.fetch()
        cut = False
        if self.path.endswith("/blobs/" + bad) and status == 200:
            if mode == "corrupt":
                body = body[:-1] + bytes([body[-1] ^ 0xff])
            elif mode == "oversize":
                body = body + b"\0" * 4096
            elif mode == "cut":
                cut = True
        self.send_response(status)
        for k in ("Content-Type", "Docker-Content-Digest", "Docker-Distribution-Api-Version"):
            if headers.get(k):
                self.send_header(k, headers[k])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body[:len(body) // 2] if cut else body)
        if cut:
            self.wfile.flush()
            self.close_connection = True

    do_HEAD = do_GET


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
