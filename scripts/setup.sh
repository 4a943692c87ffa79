#!/usr/bin/env bash
# Installs everything coursegen needs on a fresh Debian machine: the Python
# package in .venv, the npm packages of the test LMS, and Debian's Chromium.
# Safe to run again: each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# -qq: setuptools prints a notice on every editable install of a flat layout; errors still show.
.venv/bin/python -m pip install -qq -e ".[test]"

if [ "${1:-}" = "--with-browser" ]; then
  if ! command -v chromium >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -d node_modules/scorm-again ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --silent --no-audit --no-fund
  fi
fi
