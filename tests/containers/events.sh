# Events against a real berthd: the ring replayed with --since/--until,
# filters, a live stream, --until ending it, image events, the JSON shape,
# and the stock docker CLI's `docker events`.
. "$top_srcdir/tests/integration/lib.sh"

ev_cleanup () {
  local id
  [ -n "${LIVE:-}" ] && kill "$LIVE" 2> /dev/null
  if [ -n "$IT_PID" ] && it_ping > /dev/null 2>&1; then
    for id in $(it_curl 'http://x/v1.50/containers/json?all=1' | it_json '" ".join(c["Id"] for c in j)' 2> /dev/null); do
      it_curl -X DELETE "http://x/v1.50/containers/$id?force=1" > /dev/null 2>&1
    done
  fi
  grep -o " $IT_DIR/[^ ]*" /proc/mounts | sort -r | while read -r p; do umount -l "$p"; done
  it_cleanup
}
trap ev_cleanup EXIT

FIX="$IT_DIR/fixture"
sh "$top_srcdir/tests/fixtures/mkrootfs-busybox.sh" "$FIX/rootfs" > /dev/null || it_skip "cannot build the busybox rootfs"
tar -C "$FIX/rootfs" -cf "$FIX/busybox.tar" . || it_fail "tar"
it_start_daemon
export BERTH_HOST="$IT_HOST"
"$BERTH" import "$FIX/busybox.tar" busybox > /dev/null || it_fail "import busybox"
berth () { timeout 60 "$BERTH" "$@"; }
OUT="$IT_DIR/out"
ERR="$IT_DIR/err"
now () { date +%s.%N; }

# --- the ring: a run --rm, replayed with --since/--until
t0=$(now)
berth run --rm --name ev-a -l tier=web busybox sh -c 'exit 3' && it_fail "run exit status"
berth events --since "$t0" --until "$(now)" > "$OUT" || it_fail "events --since --until"
it_assert_eq "$(awk '{print $2 " " $3}' "$OUT" | tr '\n' ',')" \
  "container create,container attach,container start,container die,container destroy," "actions of a run --rm"
id=$(awk 'NR==1 {print $4}' "$OUT")
[ ${#id} = 64 ] || it_fail "the actor id is not a full id: $(cat "$OUT")"
grep -q "^[0-9-]*T[0-9:]*\.[0-9]\{9\}\(Z\|[+-][0-9:]*\) container die $id (exitCode=3, image=busybox, name=ev-a, tier=web)$" "$OUT" \
  || it_fail "docker's line format with sorted attributes: $(cat "$OUT")"
it_pass "events --since/--until replay create, attach, start, die (exitCode), destroy in docker's format"

# --- filters
t1=$(now)
it_assert_eq "$(berth events --since "$t0" --until "$t1" --filter event=die | wc -l)" 1 "event=die"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f container=ev-a -f event=start -f event=create | wc -l)" 2 \
  "container= with two event= values"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f "container=$(echo "$id" | cut -c1-12)" | wc -l)" 5 \
  "container= by id prefix"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f label=tier=web | wc -l)" 5 "label=k=v"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f label=tier=db | wc -l)" 0 "label with another value"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f image=busybox -f type=container | wc -l)" 5 "image= type="
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f type=image | wc -l)" 0 "type=image"
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f container=nosuch | wc -l)" 0 "container=unknown"
it_pass "filters: event, container (name, id prefix), label, image, type"

# --- formats
berth events --since "$t0" --until "$t1" --format '{{json .}}' > "$OUT" || it_fail "--format json"
python3 - "$OUT" "$id" << 'EOF' || it_fail "the JSON messages"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
assert len(msgs) == 5, msgs
for m in msgs:
    assert list(m) == ["status", "id", "from", "Type", "Action", "Actor", "scope", "time", "timeNano"], list(m)
    assert m["Type"] == "container" and m["scope"] == "local" and m["from"] == "busybox", m
    assert m["id"] == m["Actor"]["ID"] == sys.argv[2], m
    assert m["status"] == m["Action"], m
    assert m["time"] == m["timeNano"] // 10**9, m
    assert m["Actor"]["Attributes"]["name"] == "ev-a", m
assert msgs[3]["Actor"]["Attributes"]["exitCode"] == "3", msgs[3]
EOF
it_assert_eq "$(berth events --since "$t0" --until "$t1" -f event=die --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}')" \
  "container die ev-a die" "--format template"
it_assert_eq "$(berth system events --since "$t0" --until "$t1" -f event=die --format json | wc -l)" 1 "system events"
it_pass "--format '{{json .}}' gives moby's Message shape; templates; system events"

# --- kill and stop
t2=$(now)
berth run -d --name ev-k busybox sleep 100 > /dev/null || it_fail "run -d"
berth kill ev-k > /dev/null || it_fail "kill"
berth wait ev-k > /dev/null
berth start ev-k > /dev/null || it_fail "start"
# sleep as pid 1 ignores SIGTERM: stop escalates to SIGKILL, as docker
berth stop -t 1 ev-k > /dev/null || it_fail "stop"
berth rm ev-k > /dev/null || it_fail "rm"
berth events --since "$t2" --until "$(now)" -f container=ev-k --format '{{.Action}} {{.Actor.Attributes.signal}} {{.Actor.Attributes.exitCode}}' > "$OUT"
it_assert_eq "$(tr '\n' ',' < "$OUT")" \
  "create <no value> <no value>,start <no value> <no value>,kill 9 <no value>,die <no value> 137,start <no value> <no value>,kill 15 <no value>,kill 9 <no value>,die <no value> 137,stop <no value> <no value>,destroy <no value> <no value>," \
  "kill (signal), die (exitCode), stop"
it_pass "kill carries the signal; stop gives kill 15, kill 9 after the timeout, die, stop"

# --- image events
t3=$(now)
berth tag busybox busybox:ev > /dev/null || it_fail "tag"
berth rmi busybox:ev > /dev/null || it_fail "rmi"
berth events --since "$t3" --until "$(now)" -f type=image --format '{{.Action}} {{.Actor.Attributes.name}}' > "$OUT"
it_assert_eq "$(tr '\n' ',' < "$OUT")" "tag busybox:ev,untag busybox:ev," "tag and untag events"
imgid=$(it_curl http://x/v1.50/images/busybox/json | it_json 'j["Id"]')
it_assert_eq "$(berth events --since "$t3" --until "$(now)" -f type=image --format '{{.Actor.ID}}' | sort -u)" "$imgid" \
  "image events name the image id"
t5=$(now)
berth save busybox -o "$IT_DIR/save.tar" || it_fail "save"
berth load -i "$IT_DIR/save.tar" > /dev/null || it_fail "load"
berth import "$FIX/busybox.tar" ev-imported:x > /dev/null || it_fail "import"
berth rmi ev-imported:x > /dev/null || it_fail "rmi"
berth events --since "$t5" --until "$(now)" -f type=image --format '{{.Action}}' > "$OUT"
it_assert_eq "$(tr '\n' ' ' < "$OUT")" "save load tag import untag delete " "save, load, import, delete events"
it_pass "image events: tag, untag, save, load, import, delete (Actor.ID the image id, name the reference)"

# --- live: a stream without --since sees new events as they happen
berth events -f container=ev-live --format '{{.Action}}' > "$OUT" 2> "$ERR" &
LIVE=$!
sleep 0.5
berth run --rm --name ev-live busybox true || it_fail "run ev-live"
it_wait 50 grep -q destroy "$OUT" || it_fail "the live stream did not deliver destroy: $(cat "$OUT" "$ERR")"
kill -0 "$LIVE" || it_fail "the live stream ended by itself"
kill "$LIVE"; wait "$LIVE" 2> /dev/null; LIVE=
it_assert_eq "$(tr '\n' ' ' < "$OUT")" "create attach start die destroy " "live events"
it_pass "a live stream delivers events as they happen and runs until the client leaves"

# --- --until in the future ends the stream then
start=$(date +%s)
berth events --until "$(($(date +%s) + 2))" > /dev/null || it_fail "events --until"
took=$(($(date +%s) - start))
[ "$took" -ge 1 ] && [ "$took" -le 4 ] || it_fail "--until 2 s ahead ended after ${took}s"
start=$(date +%s)
berth events --since 10m --until 2s > "$OUT" || it_fail "events with durations"
[ $(($(date +%s) - start)) -le 1 ] || it_fail "--until in the past did not end at once"
[ "$(wc -l < "$OUT")" -ge 10 ] || it_fail "--since 10m --until 2s gave $(wc -l < "$OUT") events"
it_pass "--until ahead ends the stream at that time; durations are relative to now"

# --- bad input
rc=0; berth events --since nonsense 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "bad --since"
it_assert_contains "$(cat "$ERR")" "nonsense"
rc=0; berth events --filter nokv 2> "$ERR" || rc=$?
it_assert_eq "$rc" 125 "bad --filter"
code=$(it_curl -o "$OUT" -w '%{http_code}' "http://x/v1.50/events?since=20&until=10")
it_assert_eq "$code" 400 "since after until"
it_assert_contains "$(cat "$OUT")" "cannot be after"
code=$(it_curl -o "$OUT" -w '%{http_code}' "http://x/v1.50/events?until=1&filters=%7B%22bogus%22%3A%7B%22x%22%3Atrue%7D%7D")
it_assert_eq "$code" 400 "unknown filter"
code=$(it_curl -o "$OUT" -w '%{http_code}' "http://x/v1.50/events?since=x")
it_assert_eq "$code" 400 "unparsable since"
it_pass "bad --since, --filter, since > until, unknown filter: clear errors"

# --- the stock docker CLI
if DOCKER=$(command -v docker); then
  docker () { timeout 30 "$DOCKER" -H "$IT_HOST" "$@"; }
  t4=$(now)
  docker run --rm --name ev-d busybox true || it_fail "docker run"
  docker events --since "$t4" --until "$(now)" --filter container=ev-d --format '{{.Action}}' > "$OUT" \
    || it_fail "docker events"
  it_assert_eq "$(tr '\n' ' ' < "$OUT")" "create attach start die destroy " "docker events --since --until"
  docker events --since "$t4" --until "$(now)" --filter container=ev-d --filter event=die > "$OUT" || it_fail "docker events"
  it_assert_contains "$(cat "$OUT")" "container die "
  it_assert_contains "$(cat "$OUT")" "(exitCode=0, image=busybox, name=ev-d)"
  start=$(date +%s)
  docker events --until 2s > /dev/null || it_fail "docker events --until 2s"
  [ $(($(date +%s) - start)) -le 4 ] || it_fail "docker events --until did not end"
  it_pass "docker events: --since/--until, filters, default format"
else
  echo "# the docker CLI is not installed: its part skipped"
fi
