#!/usr/bin/env bash
# Installs every Debian package redkeep needs to build and test. Idempotent.
set -euo pipefail
packages=(
  cmake g++ make pkg-config
  libcaf-dev libhiredis-dev libmnl-dev libspdlog-dev libfmt-dev catch2 libcli11-dev nlohmann-json3-dev
  libevent-dev  # /metrics (global_defs metrics_listen): its HTTP server
  python3-prometheus-client  # tests/lab/scrape_metrics.py: parses /metrics as Prometheus does
  redis-server redis-tools python3 keepalived tshark iproute2 nftables procps
  clang libclang-rt-14-dev llvm-14  # libFuzzer targets (scripts/fuzz.sh): clang 14, its runtime, llvm-symbolizer
  python3-matplotlib  # tests/bench/compare_chart.py: the comparison's chart (Debian's /usr/bin/python3)
  stress-ng  # tests/bench/compare.py --fast-profile: both cores saturated
  time  # tests/bench/inspect_bench.py: GNU time's max RSS of redkeep inspect
  systemd  # tests/service/verify_unit.py: systemd-analyze verify of examples/redkeep.service
  mmdebstrap  # docker/make-base-image.sh: debian:bookworm-slim made locally when no registry is reachable
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
