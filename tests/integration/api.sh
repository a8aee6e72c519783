# Engine API basics over the UNIX socket: /_ping, /version, /info, version
# prefixes, errors, socket permissions.
. "$top_srcdir/tests/integration/lib.sh"

# A1: poll the socket's mode from before it exists until the daemon answers;
# it must never be seen looser than 0660.
python3 - "$IT_SOCK" > "$IT_DIR/modes" << 'PY' &
import os, stat, sys, time, socket
path, seen, deadline = sys.argv[1], set(), time.time() + 15
while time.time() < deadline:
    try:
        seen.add(stat.S_IMODE(os.lstat(path).st_mode))
        s = socket.socket(socket.AF_UNIX); s.settimeout(1)
        try:
            s.connect(path); s.sendall(b"GET /_ping HTTP/1.0\r\n\r\n")
            if s.recv(100): break
        except OSError:
            pass
        finally:
            s.close()
    except FileNotFoundError:
        pass
print(" ".join("%o" % m for m in sorted(seen)))
PY
poller=$!
sleep 0.1
it_start_daemon
wait $poller
for m in $(cat "$IT_DIR/modes"); do
  [ $((0$m & ~0660)) -eq 0 ] || it_fail "socket seen with mode $m during startup"
done
it_assert_eq "$(stat -c '%a %U' "$IT_SOCK")" "660 root" "socket mode and owner"
it_pass "socket is 0660 root and never looser during startup"

# Outsiders get EACCES: make the path traversable, then connect as nobody.
chmod 0711 "$IT_DIR"
if command -v setpriv > /dev/null; then
  setpriv --reuid=nobody --regid=nogroup --clear-groups curl -s --unix-socket "$IT_SOCK" http://localhost/_ping \
    && it_fail "user nobody could use the socket"
  it_pass "non-members cannot connect"
fi

# /_ping, GET and HEAD, unversioned
hdr=$(it_curl -D - -o "$IT_DIR/body" http://localhost/_ping)
it_assert_eq "$(cat "$IT_DIR/body")" "OK" "GET /_ping body"
for h in "HTTP/1.1 200" "Api-Version: 1.50" "Ostype: linux" "Docker-Experimental: false" "Builder-Version: 1" \
  "Swarm: inactive" "Cache-Control: no-cache, no-store, must-revalidate" "Pragma: no-cache" \
  "Content-Type: text/plain; charset=utf-8" "Server: berth/"; do
  it_assert_contains "$hdr" "$h" "GET /_ping headers"
done
hdr=$(it_curl -I http://localhost/_ping)
it_assert_contains "$hdr" "HTTP/1.1 200" "HEAD /_ping"
it_assert_contains "$hdr" "Content-Length: 0" "HEAD /_ping"
it_assert_contains "$hdr" "Api-Version: 1.50" "HEAD /_ping"
it_pass "/_ping GET and HEAD"

# /version, versioned and not
it_curl -D "$IT_DIR/hdr" http://localhost/v1.50/version > "$IT_DIR/version.json"
it_assert_contains "$(cat "$IT_DIR/hdr")" "Content-Type: application/json" "/version headers"
it_assert_contains "$(cat "$IT_DIR/hdr")" "Api-Version: 1.50" "/version headers"
v () { it_json "$1" < "$IT_DIR/version.json"; }
it_assert_eq "$(v 'j["ApiVersion"]')" "1.50" "ApiVersion"
it_assert_eq "$(v 'j["MinAPIVersion"]')" "1.24" "MinAPIVersion"
it_assert_eq "$(v 'j["Os"]')" "linux" "Os"
it_assert_eq "$(v 'j["KernelVersion"]')" "$(uname -r)" "KernelVersion"
it_assert_eq "$(v 'j["Version"]')" "$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"/\1/p' "$top_builddir/config.h")" "Version"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
it_assert_eq "$(v 'j["Arch"]')" "$arch" "Arch"
it_assert_eq "$(v '[c["Name"] for c in j["Components"]]')" '["Engine"]' "Components"
it_assert_eq "$(v 'j["Components"][0]["Details"]["ApiVersion"]')" "1.50" "Engine details"
v 'j["GitCommit"]' > /dev/null && v 'j["BuildTime"]' > /dev/null || it_fail "GitCommit/BuildTime missing"
it_assert_eq "$(it_curl http://localhost/version | it_json 'j["ApiVersion"]')" "1.50" "unversioned /version"
it_assert_eq "$(it_curl http://localhost/v1.24/version | it_json 'j["ApiVersion"]')" "1.50" "/v1.24/version"
it_pass "/version"

# /info
it_curl http://localhost/v1.50/info > "$IT_DIR/info.json"
i () { it_json "$1" < "$IT_DIR/info.json"; }
it_assert_eq "$(i 'j["DockerRootDir"]')" "$IT_DATA" "DockerRootDir"
it_assert_contains " $IT_STORAGE_PLUGINS " " $(i 'j["Driver"]') " "Driver"
it_assert_eq "$(i 'j["Name"]')" "$(hostname)" "Name"
it_assert_eq "$(i 'j["NCPU"]')" "$(nproc)" "NCPU"
it_assert_eq "$(i 'j["KernelVersion"]')" "$(uname -r)" "KernelVersion"
it_assert_eq "$(i 'j["Architecture"]')" "$(uname -m)" "Architecture"
it_assert_eq "$(i 'j["OSType"]')" "linux" "OSType"
it_assert_eq "$(i 'j["OperatingSystem"]')" "$(. /etc/os-release; echo "$PRETTY_NAME")" "OperatingSystem"
it_assert_eq "$(i 'j["MemTotal"] == int(open("/proc/meminfo").read().split()[1]) * 1024')" "true" "MemTotal"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then cgv=2; else cgv=1; fi
it_assert_eq "$(i 'j["CgroupVersion"]')" "$cgv" "CgroupVersion"
it_assert_eq "$(i 'j["CgroupDriver"]')" "cgroupfs" "CgroupDriver"
it_assert_eq "$(i 'j["LoggingDriver"]')" "json-file" "LoggingDriver"
it_assert_eq "$(i 'j["Containers"], j["ContainersRunning"], j["ContainersPaused"], j["ContainersStopped"], j["Images"]')" "[0, 0, 0, 0, 0]" "counts"
it_assert_eq "$(i 'j["Swarm"]["LocalNodeState"], j["Swarm"]["ControlAvailable"]')" '["inactive", false]' "Swarm"
it_assert_eq "$(i 'j["Plugins"]["Authorization"]')" "null" "Plugins.Authorization"
it_assert_eq "$(i 'sorted(j["Plugins"].keys())')" '["Authorization", "Log", "Network", "Volume"]' "Plugins"
it_assert_eq "$(i 'j["SecurityOptions"]')" '["name=seccomp,profile=builtin"]' "SecurityOptions"
it_assert_eq "$(i 'j["IndexServerAddress"]')" "https://index.docker.io/v1/" "IndexServerAddress"
it_assert_eq "$(i 'type(j["DriverStatus"]).__name__, type(j["RegistryConfig"]["IndexConfigs"]).__name__')" '["list", "dict"]' "DriverStatus/RegistryConfig"
i 'j["SystemTime"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$' \
  || it_fail "SystemTime is not RFC 3339: $(i 'j["SystemTime"]')"
it_assert_eq "$(i 'j["NFd"] > 3 and j["NGoroutines"] > 1')" "true" "NFd/NGoroutines"
id1=$(i 'j["ID"]')
echo "$id1" | grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' || it_fail "ID is not a UUID: $id1"
it_assert_eq "$(cat "$IT_DATA/engine-id")" "$id1" "engine-id file"
it_pass "/info"

# Version prefixes out of range: 400 with moby's words
out=$(it_curl -w '%{http_code} %{content_type}' http://localhost/v1.51/info)
it_assert_eq "$out" '{"message":"client version 1.51 is too new. Maximum supported API version is 1.50"}
400 application/json' "too new"
out=$(it_curl -w '%{http_code}' http://localhost/v1.23/version)
it_assert_eq "$out" '{"message":"client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"}
400' "too old"
out=$(it_curl -w '%{http_code}' http://localhost/v1.5/version)
it_assert_contains "$out" "client version 1.5 is too old" "1.5 < 1.24"
it_pass "version prefix limits"

# Unknown routes and wrong methods: 404 JSON, Content-Type exactly application/json
for req in "GET /nope" "GET /v1.50/nope" "POST /v1.50/version" "DELETE /info" "GET /v1.50/" "HEAD /version"; do
  set -- $req
  out=$(it_curl -X "$1" -D "$IT_DIR/hdr" -w '%{http_code}' "http://localhost$2" 2>&1)
  [ "$1" = HEAD ] || it_assert_eq "$out" '{"message":"page not found"}
404' "$req"
  it_assert_contains "$(cat "$IT_DIR/hdr")" "HTTP/1.1 404" "$req"
  grep -qx 'Content-Type: application/json.' "$IT_DIR/hdr" || it_fail "$req: Content-Type is not exactly application/json"
  it_assert_contains "$(cat "$IT_DIR/hdr")" "Api-Version: 1.50" "$req"
done
it_pass "404 page not found"

# Several connections at once (the docker CLI overlaps requests).
pids=
for n in 1 2 3 4 5 6 7 8; do
  it_curl -o /dev/null http://localhost/v1.50/info &
  pids="$pids $!"
done
for p in $pids; do wait "$p" || it_fail "a concurrent /info request failed"; done
it_ping > /dev/null || it_fail "daemon stopped answering after concurrent requests"
it_pass "concurrent requests"

# Malformed HTTP never kills the daemon.
python3 - "$IT_SOCK" << 'PY'
import socket, sys
def send(data):
    s = socket.socket(socket.AF_UNIX); s.settimeout(2); s.connect(sys.argv[1])
    try:
        s.sendall(data); s.recv(4096)
    except OSError:
        pass
    s.close()
send(b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * (2 * 1024 * 1024) + b"\r\n\r\n")
send(b"GET /_ping HTTP/1.1\r\nHost: x\r\nbroken header line\r\n\r\n")
send(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
send(b"GET /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
send(b"GET /_ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\n")
PY
it_ping > /dev/null || it_fail "daemon died on malformed HTTP"
it_pass "malformed HTTP survived"

it_stop_daemon || it_fail "berthd did not exit 0 on SIGTERM"
