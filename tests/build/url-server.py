"""HTTP server for tests/build/add-url.sh on 127.0.0.1 (a free port, written
to argv[2]): the files of argv[1] under /files/ with Last-Modified (from
their mtime), plus
  /missing        404 with a short body
  /hang           headers, then nothing (for the stall timeout)
  /named/         a path naming no file, Content-Disposition names one
  /redirect       302 to /files/hello.txt
  /noname/        no file name at all
Every request is appended to argv[1]/../requests.log."""
import email.utils
import http.server
import os
import sys
import time

ROOT = sys.argv[1]
LOG = os.path.join(os.path.dirname(os.path.abspath(ROOT)), "requests.log")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_body(self, code, body, headers=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        if self.path.startswith("/files/"):
            p = os.path.join(ROOT, os.path.basename(self.path))
            if not os.path.isfile(p):
                return self.send_body(404, b"not here\n")
            with open(p, "rb") as f:
                data = f.read()
            lm = email.utils.formatdate(os.stat(p).st_mtime, usegmt=True)
            return self.send_body(200, data, [("Last-Modified", lm)])
        if self.path == "/missing":
            return self.send_body(404, b"no such thing")
        if self.path == "/hang":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(30)
            return
        if self.path == "/named/":
            return self.send_body(200, b"named content\n",
                                  [("Content-Disposition", 'attachment; filename="from-header.txt"')])
        if self.path == "/noname/":
            return self.send_body(200, b"anonymous\n")
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/files/hello.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_body(404, b"unknown path\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
srv.serve_forever()
