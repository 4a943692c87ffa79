#!/usr/bin/env bash
# Sets up (Python, npm, Chromium) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-browser
exec .venv/bin/python -m pytest "$@"
