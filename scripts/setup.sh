#!/usr/bin/env bash
# Sets up a fresh machine for development: system packages the tests need (redis-server and
# redis-cli, and prometheus for the dashboard's integration test), the npm
# dependencies, the native addon (release build) and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# redis-cli joins the topology tests' local cluster (Debian ships it in redis-tools).
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v prometheus >/dev/null 2>&1 || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "missing system packages: ${missing[*]}; install them with your package manager (apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  sudo_cmd=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v cargo >/dev/null 2>&1 || { echo "cargo not found: install Rust from https://rustup.rs (needed to build the native addon from source)" >&2; exit 1; }

npm ci --no-audit --no-fund
npm run build:native
npm run build:ts
bash scripts/setup-python.sh
