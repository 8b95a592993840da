#!/usr/bin/env bash
# Creates the Python virtual environment the live interop suite (__test__/integration/python-interop.test.ts)
# runs the real Python cachekit in: .cache/interop-venv (an ignored folder) with cachekit from PyPI at the
# version below. Idempotent and quiet: does nothing when the venv already holds that version.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one place the version is pinned; __test__/support/python-venv.ts reads it from this line.
CACHEKIT_PY_VERSION=0.24.1
VENV=.cache/interop-venv
PY="$VENV/bin/python"

installed_version() {
  "$PY" -c "import importlib.metadata as m; print(m.version('cachekit'))" 2>/dev/null
}

if [ -x "$PY" ] && [ "$(installed_version)" = "$CACHEKIT_PY_VERSION" ] && "$PY" -c "import cachekit" 2>/dev/null; then
  exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
  echo "python3 not found: the Python interop tests need Python 3.10 or newer with venv and pip" \
    "(Debian/Ubuntu: apt-get install -y python3 python3-venv)" >&2
  exit 1
fi
if ! python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)'; then
  echo "python3 is $(python3 --version 2>&1); cachekit $CACHEKIT_PY_VERSION needs Python 3.10 or newer" >&2
  exit 1
fi

# A venv whose interpreter no longer runs (python3 upgraded or moved) is rebuilt, not patched.
if [ -e "$VENV" ] && ! "$PY" -c "" 2>/dev/null; then
  rm -rf "$VENV"
fi
if [ ! -x "$PY" ]; then
  mkdir -p "$(dirname "$VENV")"
  if ! python3 -m venv "$VENV" >/dev/null; then
    rm -rf "$VENV"
    echo "python3 -m venv failed: install the venv module (Debian/Ubuntu: apt-get install -y python3-venv)" >&2
    exit 1
  fi
fi

"$PY" -m pip install --quiet --disable-pip-version-check "cachekit==$CACHEKIT_PY_VERSION"

if [ "$(installed_version)" != "$CACHEKIT_PY_VERSION" ] || ! "$PY" -c "import cachekit" 2>/dev/null; then
  echo "cachekit $CACHEKIT_PY_VERSION did not install into $VENV (see pip's output above)" >&2
  exit 1
fi
