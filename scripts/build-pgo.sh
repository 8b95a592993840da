#!/usr/bin/env bash
# Profile-guided release build of the native addon: instrumented build, a training run of the
# hot paths (benchmark/pgo-train.mjs), merge, optimized build. Needs llvm-profdata of the same
# LLVM major version as rustc (`rustc -vV`); on Debian: apt-get install llvm-<major>.
set -euo pipefail
cd "$(dirname "$0")/.."
llvm_major=$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')
profdata=$(command -v "llvm-profdata-$llvm_major" || echo "/usr/lib/llvm-$llvm_major/bin/llvm-profdata")
if [ ! -x "$profdata" ]; then
  echo "llvm-profdata for LLVM $llvm_major not found: apt-get install llvm-$llvm_major (it must match rustc's LLVM)" >&2
  exit 1
fi
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
echo "== instrumented build"
RUSTFLAGS="-Cprofile-generate=$data" npm run build:native >/dev/null
echo "== training run"
node benchmark/pgo-train.mjs
"$profdata" merge -o "$data/merged.profdata" "$data"
echo "== optimized build"
RUSTFLAGS="-Cprofile-use=$data/merged.profdata" npm run build:native >/dev/null
echo "PGO build done: native/$(ls native | grep '\.node$')"
