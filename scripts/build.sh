#!/usr/bin/env bash
# Sets up and builds the flagship course into build/ (both SCORM versions and the web folder).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/coursegen build course/course.yaml --format scorm12 --format scorm2004 --format web --out build
.venv/bin/coursegen build course/refresher.yaml --format scorm12 --format scorm2004 --out build
