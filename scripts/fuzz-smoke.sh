#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (FUZZ_SECONDS each, default 60) and prints the
# executions and findings. cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 enables them on
# the stable toolchain. Install once with `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${FUZZ_SECONDS:-60}
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null 2>&1 || { echo "cargo-fuzz missing: cargo install cargo-fuzz" >&2; exit 1; }
status=0
for target in $(cargo fuzz list); do
  log=$(mktemp)
  if cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 || true)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  echo "$target: $result (${runs:-no summary}, ${cov:-cov ?}, ${seconds}s)"
  [ "$result" = ok ] || tail -40 "$log"
  rm -f "$log"
done
exit $status
