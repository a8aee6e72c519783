# Helpers for the registry auth/TLS tests: a test CA made with openssl, a
# bcrypt htpasswd file, docker-registry started with an extra config
# section.  Source after tests/registry/lib.sh.

command -v openssl > /dev/null || it_skip "openssl is not installed"

# auth_make_ca DIR SAN...: DIR/ca.{key,crt}, DIR/server.{key,crt} for the
# SANs (IP:a.b.c.d or DNS:name), DIR/client.{key,cert} signed by the CA.
auth_make_ca () {
  local dir=$1 san
  shift
  san=$(printf '%s,' "$@"); san=${san%,}
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=berth test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" > /dev/null 2>&1 || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=berth test registry" \
    -keyout "$dir/server.key" -out "$dir/server.csr" > /dev/null 2>&1 || return 1
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" > /dev/null 2>&1 || return 1
  openssl req -newkey rsa:2048 -nodes -subj "/CN=berth test client" \
    -keyout "$dir/client.key" -out "$dir/client.csr" > /dev/null 2>&1 || return 1
  openssl x509 -req -in "$dir/client.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days 2 -out "$dir/client.cert" > /dev/null 2>&1
}

# auth_htpasswd FILE USER PASS: a bcrypt entry, as docker-registry wants
# (htpasswd -B when apache2-utils is there, else python's crypt).
auth_htpasswd () {
  if command -v htpasswd > /dev/null; then
    htpasswd -Bbn "$2" "$3" > "$1"
  else
    python3 -W ignore -c 'import crypt,sys; print(sys.argv[1] + ":" + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))' "$2" "$3" > "$1"
  fi
  grep -q '^[^:]*:\$2[aby]\$' "$1" || it_skip "cannot make a bcrypt htpasswd entry (apt-get install apache2-utils)"
}

# An address of this host that is not loopback (a registry there is not
# insecure by default, so its certificate is verified); empty when none.
auth_host_ip () {
  ip -4 -o addr show scope global 2> /dev/null | awk '{print $4}' | cut -d/ -f1 | grep -v '^172\.\|^10\.88\.' | head -n 1
}

# auth_reg_start NAME ADDR SCHEME EXTRA_YAML: docker-registry on ADDR
# (host:port) with EXTRA_YAML appended (tls under http:, auth:); waits
# until /v2/ answers at all (401 is fine); sets REG_PID.
auth_reg_start () {
  local name=$1 addr=$2 scheme=$3 extra=$4 dir="$IT_DIR/$1"
  mkdir -p "$dir/storage"
  cat > "$dir/config.yml" << EOC
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
$extra
EOC
  "$REG_BIN" serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 &
  REG_PID=$!
  it_wait 100 sh -c "curl -sk -o /dev/null -w '%{http_code}' $scheme://$addr/v2/ | grep -q '^[24]'" \
    || it_fail "docker-registry did not start (see $dir/registry.log: $(tail -n 3 "$dir/registry.log"))"
}
