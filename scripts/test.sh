#!/usr/bin/env bash
# The one command: install packages, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# -g1 (line tables, enough for stack traces): a third less compile time than -g. The lean
# runtime (cmake/lean_runtime.cmake) builds for size: its -Os comes after this -O2; -O2 is
# what a build that fell back to Debian's shared libraries gets.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
cmake --build build -j"$(nproc)"
# Two tests at once: the labs wait on timers far more than they compute (CMakeLists.txt).
(cd build && ctest --output-on-failure -j2)
# libFuzzer targets, FUZZ_SECONDS (30 here, to keep CI short) each; fails on any crash
# (tests/fuzz/README.md).
FUZZ_SECONDS="${FUZZ_SECONDS:-30}" bash scripts/fuzz.sh
# ASan + UBSan build (build-asan): unit tests and a lab subset on the sanitized daemon, leak
# check at exit (scripts/sanitize.sh; SANITIZE_LONG=1 adds the 60 s lab leak check).
bash scripts/sanitize.sh
