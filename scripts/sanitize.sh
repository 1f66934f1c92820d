#!/usr/bin/env bash
# The sanitizer run: builds redkeep and its unit tests with AddressSanitizer +
# UndefinedBehaviorSanitizer (LeakSanitizer included) in build-asan, runs the unit tests, then a
# subset of the lab scenarios on the sanitized daemon (tests/lab/leak_check.py: each scenario,
# then SIGTERM to every daemon so LeakSanitizer runs at exit). Any ASan/UBSan report, a leak
# through redkeep's own code, or a failed test fails the run. SANITIZE_LONG=1 adds the 60 s lab
# run (writer through the VIP, one failover). Needs root (the lab makes network namespaces).
#
#   SANITIZE_SCENARIOS="cold_start sigterm"   another subset ("" for none)
#   SANITIZE_BUILD_DIR=build-asan             build directory
#
# Reports and node logs: <build>/sanitize/<test>/. Last line: `sanitize: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
build="${SANITIZE_BUILD_DIR:-build-asan}"
scenarios="${SANITIZE_SCENARIOS-cold_start redis_killed link_cut sigterm sigkill crash_actors
  restart_budget rejections unicast fast_restart lagging_replica notify_hang metrics_failover}"
out="$build/sanitize"

# -O1 -g1: a third of the compile time of -O2 -g (CAF's templates), line tables are enough for
# symbolized stacks. NDEBUG as in the shipped build.
# The compiler's output (GCC warns about libstdc++'s regex at -O1) goes to a log.
mkdir -p "$build"
if ! { cmake -S . -B "$build" -DREDKEEP_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
         "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" &&
       cmake --build "$build" -j"$(nproc)" --target redkeep redkeep_unit_tests; } \
     >"$build/sanitize-build.log" 2>&1; then
  echo "sanitize build: FAILED; last lines of $build/sanitize-build.log:"
  tail -n 40 "$build/sanitize-build.log" | sed 's/^/  /'
  echo "sanitize: 0 passed, 1 failed"
  exit 1
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$root/scripts/ubsan.supp"
export LSAN_OPTIONS="suppressions=$root/scripts/lsan.supp"
export REDKEEP_BINARY="$root/$build/redkeep"

rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
result() {  # name, status, seconds, log
  if [[ $2 -eq 0 ]]; then
    echo "sanitize $1: ok ($3 s)"
    passed=$((passed + 1))
  else
    echo "sanitize $1: FAILED (exit $2, $3 s); last lines of $4:"
    tail -n 60 "$4" | sed 's/^/  /'
    failed=$((failed + 1))
  fi
}

# Unit tests: their own reports go to stderr (the log) and make the exit status non-zero; the
# redkeep processes some of them start report to files, checked here.
mkdir -p "$out/unit_tests"
log="$out/unit_tests.log"
t0=$SECONDS
status=0
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$root/$out/unit_tests/redkeep" \
UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$root/$out/unit_tests/redkeep" \
  "$build/redkeep_unit_tests" >"$log" 2>&1 || status=$?
if compgen -G "$out/unit_tests/redkeep.*" >/dev/null; then
  for f in "$out"/unit_tests/redkeep.*; do { echo "== $f"; head -n 60 "$f"; } >>"$log"; done
  [[ $status -ne 0 ]] || status=99
fi
result unit_tests "$status" $((SECONDS - t0)) "$log"

for scenario in $scenarios; do
  log="$out/$scenario.log"
  t0=$SECONDS
  status=0
  # SIGINT on timeout: leak_check.py still stops the daemons and removes the lab.
  timeout -s INT -k 30 300 python3 tests/lab/leak_check.py --scenario "$scenario" \
    --reports "$out/$scenario" >"$log" 2>&1 || status=$?
  result "lab $scenario" "$status" $((SECONDS - t0)) "$log"
done

if [[ "${SANITIZE_LONG:-0}" == 1 ]]; then
  log="$out/leak_check.log"
  t0=$SECONDS
  status=0
  timeout -s INT -k 30 300 python3 tests/lab/leak_check.py --seconds 60 \
    --reports "$out/leak_check" >"$log" 2>&1 || status=$?
  result "lab leak_check 60 s" "$status" $((SECONDS - t0)) "$log"
fi

echo "sanitize: $passed passed, $failed failed"
((failed == 0))
