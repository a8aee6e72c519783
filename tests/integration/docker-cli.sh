# The stock docker CLI against berthd: docker version and docker info.
. "$top_srcdir/tests/integration/lib.sh"

dockers=
for d in /usr/local/bin/docker /usr/bin/docker $(command -v docker 2> /dev/null); do
  [ -x "$d" ] || continue
  case " $dockers " in *" $(readlink -f "$d") "*) continue ;; esac
  dockers="$dockers $(readlink -f "$d")"
done
[ -n "$dockers" ] || it_skip "no docker CLI installed"

it_start_daemon
driver=$(it_curl http://localhost/info | it_json 'j["Driver"]')
id=$(it_curl http://localhost/info | it_json 'j["ID"]')
version=$(it_curl http://localhost/version | it_json 'j["Version"]')

for docker in $dockers; do
  out=$(DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" "$docker" version 2>&1) \
    || it_fail "$docker version failed: $out"
  it_assert_contains "$out" "Server: berth" "$docker version"
  it_assert_contains "$out" "Version:          $version" "$docker version"
  it_assert_contains "$out" "API version:      1.50 (minimum version 1.24)" "$docker version"

  out=$(DOCKER_HOST="$IT_HOST" DOCKER_CONFIG="$IT_DIR/docker-config" "$docker" info 2>&1) \
    || it_fail "$docker info failed: $out"
  for s in "Server Version: $version" "Storage Driver: $driver" "Docker Root Dir: $IT_DATA" "ID: $id" \
    "Cgroup Driver: cgroupfs" "Logging Driver: json-file" "Swarm: inactive" "Kernel Version: $(uname -r)"; do
    it_assert_contains "$out" "$s" "$docker info"
  done
  case "$out" in *"errors pretty printing info"* | *"Error response"*) it_fail "$docker info reported errors: $out" ;; esac
  it_pass "$docker version and info"
done

it_stop_daemon || it_fail "exit status after SIGTERM"
