"""A small token server for docker-registry's token auth (the Docker
registry v2 token spec), for tests only.

Usage: token-server.py KEY.pem CERT.pem ISSUER USERS LOG
  USERS: "user:password,user2:password2"; LOG: a file getting one JSON line
  per token request ({"method","account","scopes","granted","refresh"}).
Prints the port it listens on (127.0.0.1) on stdout, then serves.

GET /token?service=&scope=&account=[&offline_token=true] with Basic auth or
anonymously, and POST /token (grant_type=refresh_token).  Known users get
every action they ask for; anonymous requests get "pull" on public/*
repositories only; a wrong password is 401 {"details": ...}.  Tokens are
RS256 JWTs signed with KEY via `openssl dgst -sha256 -sign` (python3 has no
RSA of its own), with the certificate in the "x5c" header so that the
registry can check them against its rootcertbundle."""
import base64, hashlib, json, os, subprocess, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

key_path, cert_path, issuer, users_arg, log_path = sys.argv[1:6]
users = dict(u.split(":", 1) for u in users_arg.split(",") if u)
refresh_tokens = {}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cert_der():
    pem = open(cert_path).read()
    body = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    return base64.b64decode(body)


CERT_B64 = base64.b64encode(cert_der()).decode()


def sign(data):
    return subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_path], input=data, check=True,
                          capture_output=True).stdout


def make_token(account, service, access):
    now = int(time.time())
    header = {"typ": "JWT", "alg": "RS256", "x5c": [CERT_B64]}
    claims = {"iss": issuer, "sub": account, "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
              "jti": b64url(os.urandom(12)), "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())).encode()
    return signing_input.decode() + "." + b64url(sign(signing_input))


def grant(account, scopes):
    access = []
    for scope in scopes:
        parts = scope.split(":")
        if len(parts) != 3:
            continue
        kind, name, actions = parts
        wanted = [a for a in actions.split(",") if a]
        if account:
            allowed = wanted
        elif name.startswith("public/"):
            allowed = [a for a in wanted if a == "pull"]
        else:
            allowed = []
        if allowed:
            access.append({"type": kind, "name": name, "actions": allowed})
    return access


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, entry):
        with open(log_path, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def issue(self, method, account, params, refresh):
        scopes = params.get("scope", [])
        service = params.get("service", [""])[0]
        access = grant(account, scopes)
        self.log({"method": method, "account": account, "scopes": scopes, "granted": access, "refresh": refresh})
        token = make_token(account, service, access)
        out = {"token": token, "access_token": token, "expires_in": 300,
               "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if account and params.get("offline_token", [""])[0] == "true":
            rt = "refresh-" + b64url(os.urandom(12))
            refresh_tokens[rt] = account
            out["refresh_token"] = rt
        self.reply(200, out)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        params = urllib.parse.parse_qs(url.query)
        account = ""
        auth = self.headers.get("Authorization", "")
        if auth:
            if not auth.startswith("Basic "):
                return self.reply(401, {"details": "unsupported authorization"})
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            if users.get(user) != password:
                self.log({"method": "GET", "account": user, "refused": True})
                return self.reply(401, {"details": "incorrect username or password"})
            account = user
        self.issue("GET", account, params, False)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        params = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if params.get("grant_type", [""])[0] != "refresh_token":
            return self.reply(400, {"details": "unsupported grant_type"})
        account = refresh_tokens.get(params.get("refresh_token", [""])[0])
        if account is None:
            self.log({"method": "POST", "refused": True})
            return self.reply(401, {"details": "invalid refresh token"})
        self.issue("POST", account, params, True)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
