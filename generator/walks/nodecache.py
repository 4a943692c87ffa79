"""scorm-again for an author with no coursegen checkout: the pinned version, installed with npm
into a per-user cache on first use, the way Playwright installs its browsers.

The pin ships inside the package (`npm/package.json` and its lock, integrity hash included);
tests/test_wheel.py keeps it equal to the repository's package-lock.json. The cache is
`$XDG_CACHE_HOME/coursegen/node/<version>/` (`~/.cache/...` without it), one folder per version,
so a coursegen that pins a new scorm-again never walks against an old one.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

PIN = resources.files("generator.walks") / "npm"
PACKAGE = "scorm-again"


class InstallFailed(Exception):
    """No cached scorm-again and no way to install it; the message says what to do."""


def version() -> str:
    lock = json.loads((PIN / "package-lock.json").read_text(encoding="utf-8"))
    return lock["packages"][f"node_modules/{PACKAGE}"]["version"]


def cache_folder() -> Path:
    """Where this version lives. A relative $XDG_CACHE_HOME is ignored, as the XDG spec says."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "coursegen" / "node" / version()


def cached(marker: Path) -> Path | None:
    """The cached node_modules if it holds `marker` (a file path inside node_modules)."""
    folder = cache_folder() / "node_modules"
    return folder if (folder / marker).is_file() else None


def node_modules(marker: Path) -> Path:
    """The cached node_modules, installed with npm first if needed (saying so in one line on stderr)."""
    found = cached(marker)
    if found:
        return found
    home, pinned = cache_folder(), version()
    npm = shutil.which("npm")
    if npm is None:
        raise InstallFailed(f"{PACKAGE} {pinned} (the test LMS) is not installed and npm was not found to "
                            "install it: install Node.js with npm (on Debian: apt-get install -y npm) and run "
                            "again, or set COURSEGEN_NODE_MODULES to a node_modules folder holding scorm-again")
    print(f"coursegen: installing {PACKAGE} {pinned} (the test LMS) with npm into {home} (first use only)",
          file=sys.stderr, flush=True)
    try:
        _install(npm, home, marker)
    except OSError as problem:  # a cache folder we may not write, a full disk
        raise InstallFailed(f"could not install {PACKAGE} {pinned} into {home}: {problem}") from None
    return home / "node_modules"


def _install(npm: str, home: Path, marker: Path) -> None:
    home.parent.mkdir(parents=True, exist_ok=True)
    # npm works in a folder of its own, renamed into place when complete: an interrupted install
    # is never taken for a cache, and two first uses at once cannot mix their files.
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}-", dir=home.parent))
    try:
        for name in ("package.json", "package-lock.json"):
            (staging / name).write_bytes((PIN / name).read_bytes())
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                              cwd=staging, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0 or not (staging / "node_modules" / marker).is_file():
            said = " ".join((done.stderr or done.stdout).split()[-60:]) or f"exit status {done.returncode}"
            raise InstallFailed(f"npm could not install {PACKAGE} {home.name} into {home}: {said}")
        if home.exists() and cached(marker) is None:
            shutil.rmtree(home)  # left half-made by hand: ours replaces it
        try:
            staging.rename(home)
        except OSError:
            if cached(marker) is None:  # not another coursegen that finished first
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)

