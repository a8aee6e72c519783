#!/usr/bin/env bash
# The whole test suite, from a clean tree, as root on Debian 12:
# unit and integration tests, make distcheck, and the suite again under ASan+UBSan.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

tools/deps.sh test || { echo "dependency installation failed"; exit 1; }
autoreconf -fi >/dev/null || exit 1

pass=0 fail=0 skip=0 failed_steps=()
count() { # add the results make check printed
  local out=$1
  [ -f "$out" ] || return 0
  pass=$((pass + $(grep -c '^PASS: ' "$out" || true)))
  fail=$((fail + $(grep -cE '^(FAIL|ERROR|XPASS): ' "$out" || true)))
  skip=$((skip + $(grep -c '^SKIP: ' "$out" || true)))
}
step() { # name, command...
  local name=$1; shift
  echo "=== $name"
  if ! "$@"; then failed_steps+=("$name"); fi
}
build() { # dir, configure flags...
  local dir=$1; shift
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
    { "$top/configure" -q "$@" 2>&1 | grep -v "cannot remove 'core'"; true; } &&
    make -j"$(nproc)" >/dev/null && cd "$top"
}
check() { # dir
  local dir=$1 rc
  make -C "$dir" -j"$(nproc)" check >"$dir/check.out" 2>&1; rc=$?
  grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): ' "$dir/check.out" | sed 's/^/  /'
  count "$dir/check.out"
  [ $rc -eq 0 ] || { grep -A40 -E '^(FAIL|ERROR): ' "$dir/test-suite.log" | head -200; }
  return $rc
}

step "build" build "$top/build-test"
step "make check" check "$top/build-test"
distcheck() {
  make -C "$top/build-test" distcheck >"$top/build-test/distcheck.out" 2>&1 && return 0
  tail -60 "$top/build-test/distcheck.out"
  return 1
}
step "make distcheck" distcheck
step "build with sanitizers" build "$top/build-asan" --enable-sanitizers
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  step "make check (ASan+UBSan)" check "$top/build-asan"

# The Dockerfile parser under libFuzzer for BERTH_FUZZ_TIME seconds (issue 8: clean for 10 minutes).
fuzz() {
  local dir=$top/build-fuzz
  rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" &&
    { "$top/configure" -q --enable-fuzz CC=clang 2>&1 | grep -v "cannot remove 'core'"; true; } &&
    make fuzz FUZZ_TIME="${BERTH_FUZZ_TIME:-600}" >"$dir/fuzz.out" 2>&1
  local rc=$?
  cd "$top"
  grep -E '^Done [0-9]+ runs' "$dir/fuzz.out" | sed 's/^/  /'
  [ $rc -eq 0 ] || tail -60 "$dir/fuzz.out"
  return $rc
}
step "fuzz the Dockerfile parser" fuzz

echo
[ ${#failed_steps[@]} -eq 0 ] || echo "failed steps: ${failed_steps[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ ${#failed_steps[@]} -eq 0 ] && [ $fail -eq 0 ]
