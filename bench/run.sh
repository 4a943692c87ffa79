#!/usr/bin/env bash
# The bench, in one command: sets up what it needs (the repo's setup with Chromium and
# scorm-again, then the bench-only npm packages pinned in bench/package-lock.json),
# prints a table, writes bench/results.md and exits 0 when every budget passes, 1 otherwise.
# Arguments go to bench/bench.py (--quick for a smoke run, --keep to keep the temp folder).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --with-browser
if [ ! -f bench/node_modules/inkjs/package.json ] || [ ! -f bench/node_modules/extwee/package.json ] || [ bench/package-lock.json -nt bench/node_modules/.package-lock.json ]; then
  npm ci --prefix bench --silent --no-audit --no-fund
fi
exec .venv/bin/python bench/bench.py "$@"
