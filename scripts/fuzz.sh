#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz: clang++, ASan + UBSan) in build-fuzz and runs each
# for FUZZ_SECONDS (default 60) from its seed corpus. Prints one summary line per target
# (executions, coverage) and `fuzz: N passed, N failed`; exits 1 when any target crashed.
# The crashing input is saved as build-fuzz/fuzz/artifacts/<target>-crash-<sha1>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
build="${FUZZ_BUILD_DIR:-build-fuzz}"

cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DREDKEEP_FUZZ=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

out="$build/fuzz"
mkdir -p "$out/artifacts"
passed=0
failed=0
# The targets: tests/fuzz/CMakeLists.txt's list (REDKEEP_FUZZ_TARGETS), written by cmake.
mapfile -t targets <"$out/targets.txt"
for target in "${targets[@]}"; do
  [[ -n "$target" ]] || continue
  kind="${target#fuzz_}"
  corpus="$out/corpus/$kind"  # grows across runs; the seeds stay read-only
  log="$out/$target.log"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$out/artifacts/$target-")
  if [[ -f "tests/fuzz/$kind.dict" ]]; then args+=(-dict="tests/fuzz/$kind.dict"); fi
  # Log inspection takes text of many lines: let inputs grow to 64 KiB (check_inspect's cap).
  if [[ $kind == inspect ]]; then args+=(-max_len=65536); fi
  status=0
  "$build/$target" "${args[@]}" "$corpus" "$out/seeds/$kind" >"$log" 2>&1 || status=$?
  # libFuzzer's last line on a clean run: `#N DONE cov: X ft: Y corp: Z/Wb ...`
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
  if [[ $status -eq 0 && -n "$done_line" ]]; then
    execs="$(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line")"
    cov="$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$done_line")"
    ft="$(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$done_line")"
    corp="$(sed -E 's/.* corp: ([0-9]+).*/\1/' <<<"$done_line")"
    echo "$target: ok, $execs executions in ${seconds} s, cov: $cov ft: $ft, corpus: $corp inputs"
    passed=$((passed + 1))
  else
    echo "$target: FAILED (exit $status); last lines of $log:"
    tail -n 40 "$log" | sed 's/^/  /'
    echo "$target: crash inputs: $(ls "$out/artifacts/$target-"* 2>/dev/null | tr '\n' ' ')"
    echo "$target: to keep one as a regression test, see tests/fuzz/README.md"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
((failed == 0))
