#!/usr/bin/env bash
# Proves the package works as users get it: packs cachekit and its linux-x64-gnu platform package,
# installs both into an empty project with no Rust toolchain on PATH, and imports cachekit there
# from ESM and from CommonJS. Needs `npm run build` first (dist/ and the native binary).
# Usage: scripts/test-package.sh [path-to-node-binary]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
node_bin=$(readlink -f "${1:-$(command -v node)}")
node_dir=$(dirname "$(readlink -f "$node_bin")")
npm_cli=$(command -v npm)

[ -f dist/index.js ] && [ -f dist/index.cjs ] || { echo "dist/ is missing: run npm run build:ts first" >&2; exit 1; }
[ -f native/cachekit.linux-x64-gnu.node ] || { echo "native binary missing: run npm run build:native first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp native/cachekit.linux-x64-gnu.node npm/linux-x64-gnu/
npm pack --silent --pack-destination "$work" >/dev/null
(cd npm/linux-x64-gnu && npm pack --silent --pack-destination "$work" >/dev/null)
main_tgz=$(ls "$work"/cachekit-[0-9]*.tgz)
platform_tgz=$(ls "$work"/cachekit-linux-x64-gnu-*.tgz)

# The main tarball must not carry a binary: users get it from the platform package.
if tar -tzf "$main_tgz" | grep -q '\.node$'; then echo "main package contains a .node binary" >&2; exit 1; fi

app="$work/app"
mkdir -p "$app"
cd "$app"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$platform_tgz" "$main_tgz" >/dev/null
cp "$root/scripts/package-smoke.mjs" "$root/scripts/package-smoke.cjs" .

# No Rust on PATH: only node's folder and the system basics.
clean_path="$node_dir:/usr/bin:/bin"
if PATH=$clean_path command -v cargo >/dev/null 2>&1; then
  echo "cargo is still on the clean PATH ($clean_path); cannot prove a Rust-free install" >&2
  exit 1
fi
echo "package test on node $("$node_bin" --version), PATH=$clean_path"
PATH=$clean_path "$node_bin" package-smoke.mjs
PATH=$clean_path "$node_bin" package-smoke.cjs

# Without the platform package, importing must fail with NativeLoadError naming the platform and the fix.
bare="$work/bare"
mkdir -p "$bare"
cd "$bare"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$main_tgz" >/dev/null
cp "$root/scripts/package-missing-binary.mjs" .
PATH=$clean_path "$node_bin" package-missing-binary.mjs
