#!/usr/bin/env bash
# Installs everything coursegen needs on a fresh Debian machine: the Python
# package in .venv, the npm packages of the test LMS, Debian's Chromium, and
# (for the cmi5 walks) Ralph, an xAPI LRS, in .venv-ralph.
# Safe to run again: each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x .venv/bin/pip ]; then
  rm -rf .venv  # a venv left without pip by an earlier failed attempt
  if ! python3 -m venv .venv >/dev/null 2>&1; then
    # Debian keeps venv's pip bootstrap (ensurepip) in a package of its own.
    rm -rf .venv
    apt_install python3-venv
    python3 -m venv .venv
  fi
fi
.venv/bin/python -m pip install -qq --upgrade pip
# -qq: errors only, so the two commands print the build and the tests rather than pip's notes.
.venv/bin/python -m pip install -qq -e ".[test]"

if [ "${1:-}" = "--with-browser" ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  # Arabic glyphs, so the right-to-left tests and README screenshots show real letters:
  # Noto Sans/Naskh Arabic UI come in fonts-noto-ui-core (5 MB installed; fonts-noto-core is 42 MB).
  fc-list :lang=ar family 2>/dev/null | grep -q "Noto Sans Arabic UI" || missing+=(fonts-noto-ui-core)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
  if [ ! -d node_modules/scorm-again ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --silent --no-audit --no-fund
  fi
  # Ralph in a virtualenv of its own: its lrs extra pins its own FastAPI. requests: its CLI needs it.
  if [ ! -x .venv-ralph/bin/ralph ]; then
    rm -rf .venv-ralph  # what an interrupted install left
    python3 -m venv .venv-ralph
    .venv-ralph/bin/python -m pip install -qq --upgrade pip
    .venv-ralph/bin/python -m pip install -qq "ralph-malph[lrs,cli]==5.1.0" "requests>=2.31,<3"
  fi
fi
