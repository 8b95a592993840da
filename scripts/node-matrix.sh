#!/usr/bin/env bash
# Runs the critical suite and the package test on Node 22 and 24 (the machine's Node 20 runs the
# whole suite). Each Node comes from the npm registry's `node` package into .cache/node-<major>.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in ${NODE_MATRIX:-22 24}; do
  dir=.cache/node-$major
  bin=$dir/node_modules/.bin/node
  if [ ! -x "$bin" ]; then
    npm install --silent --no-save --no-audit --no-fund --prefix "$dir" "node@$major" >/dev/null
  fi
  version=$("$bin" --version)
  case "$version" in v"$major".*) ;; *) echo "expected Node $major, got $version from $bin" >&2; exit 1 ;; esac
  echo "== Node $version: critical suite"
  "$bin" node_modules/vitest/vitest.mjs run --project critical --reporter dot
  echo "== Node $version: package test"
  bash scripts/test-package.sh "$bin"
done
