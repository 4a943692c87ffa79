"""coursegen as an author installs it: `pip wheel .`, installed into a fresh venv, run from a
folder that has no coursegen checkout in it or above it.

The fresh venv gets the wheel alone (`--no-deps --no-index`); its dependencies (jinja2,
playwright, ...) are this test venv's, reached through a .pth file, so the test needs no index
for them. What it imports of coursegen comes from the wheel, and the test checks so.
scorm-again comes from npm's registry on first use, into a temporary $XDG_CACHE_HOME.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from repo import REPO

from generator import build

SMALL_COURSE = REPO / "tests" / "fixtures" / "workbench" / "small-course"
PINNED = json.loads((REPO / "package-lock.json").read_text())["packages"]["node_modules/scorm-again"]["version"]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of an author's shell: nothing pointing into this checkout or venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("COURSEGEN_NODE_MODULES", "PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")}
    env.update(extra)
    return env


def run(args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env or clean_env(), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=600)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    """(the wheel, pip's verbose output) built from a copy of what the repository ships: a copy so
    that a stale build/ folder in the checkout cannot slip old files into the wheel."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", root / "dist", source], root)
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = (root / "dist").glob("coursegen-*.whl")
    return found, done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the checkout holding the wheel; returns its bin/ folder."""
    venv = tmp_path_factory.mktemp("venv") / "venv"
    made = run([sys.executable, "-m", "venv", "--without-pip", venv], venv.parent)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel[0]],
               venv.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not re.search(r"(?i)warn", done.stdout + done.stderr), done.stdout + done.stderr
    ours = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], venv).stdout.strip())
    (ours / "coursegen_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = run([python, "-c", "import generator; print(generator.__file__)"], venv.parent)
    assert Path(where.stdout.strip()).is_relative_to(venv), where.stdout + where.stderr
    return venv / "bin"


@pytest.fixture
def author(tmp_path) -> Path:
    """An author's folder with the flagship course and the small one, and no node_modules above it."""
    folder = tmp_path / "my-courses"
    shutil.copytree(REPO / "course", folder / "course")
    shutil.copytree(REPO / "scenarios", folder / "scenarios")
    shutil.copytree(SMALL_COURSE, folder / "small")
    above = [p for p in (folder, *folder.parents) if (p / "node_modules").exists()]
    assert not above, f"{above[0]}/node_modules would stand in for the per-user cache: run from elsewhere"
    return folder


def test_the_wheel_builds_without_warnings_and_ships_every_file_of_the_package(wheel):
    path, output = wheel
    # pip's own lines (index locations and the like) start at column 0; the backend's are indented.
    backend = output[output.index("Running command Getting requirements to build wheel"):]
    assert not [line for line in backend.splitlines() if re.search(r"(?i)warn", line)], backend
    shipped = {name for name in zipfile.ZipFile(path).namelist() if name.startswith("generator/")}
    source = {p.relative_to(REPO).as_posix() for p in (REPO / "generator").rglob("*")
              if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == source
    for needed in ("generator/package/runtime/scorm.js", "generator/package/templates/index.html.j2",
                   "generator/package/schemas/scorm2004/imscp_v1p1.xsd", "generator/walks/lmshost/host.html",
                   "generator/walks/npm/package-lock.json", "generator/workbench/previewhost/index.html",
                   "generator/workbench/scaffolds/course/course.yaml"):
        assert needed in shipped


def test_the_installed_wheel_builds_the_flagship_byte_for_byte_as_the_checkout_does(installed, author, tmp_path):
    done = run([installed / "coursegen", "build", "course", "--format", "scorm12", "--format", "scorm2004",
                "--out", "out"], author)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    reference = build.build(REPO / "course", ("scorm12", "scorm2004"), tmp_path / "reference")
    assert len(reference.outputs) == 2
    for made in reference.outputs:
        assert (author / "out" / made.name).read_bytes() == made.read_bytes(), made.name


def test_the_installed_wheel_installs_scorm_again_on_first_use_then_walks(installed, author, tmp_path):
    cache = tmp_path / "cache"
    env = clean_env(XDG_CACHE_HOME=str(cache))
    first = run([installed / "coursegen", "test", "small", "--format", "scorm12"], author, env)
    assert first.returncode == 0, first.stdout + first.stderr
    home = cache / "coursegen" / "node" / PINNED
    said = [line for line in first.stderr.splitlines() if "installing" in line]
    assert said == [f"coursegen: installing scorm-again {PINNED} (the test LMS) with npm into {home} (first use only)"]
    assert (home / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js").is_file()
    assert json.loads((home / "node_modules" / "scorm-again" / "package.json").read_text())["version"] == PINNED
    assert [p.name for p in home.parent.iterdir()] == [PINNED]  # no staging folder left behind
    # Five walks, a sixth (the best path, "Try again", the worst: the best result must stay), and
    # a seventh: the worst walk fails the course, then goes back from its results and passes;
    # each against both LMS profiles (scorm-again as it is, and Moodle-like).
    assert re.search(r"^14 passed, 0 failed$", first.stdout, re.M), first.stdout

    again = run([installed / "coursegen", "test", "small", "--format", "scorm2004"], author, env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "installing" not in again.stderr
    assert re.search(r"^14 passed, 0 failed$", again.stdout, re.M), again.stdout


def test_without_npm_the_walks_stop_with_a_clear_message(installed, author, tmp_path):
    no_npm = tmp_path / "bin"
    no_npm.mkdir()
    cache = tmp_path / "cache"
    done = run([installed / "coursegen", "test", "small", "--format", "scorm12"], author,
               clean_env(PATH=str(no_npm), XDG_CACHE_HOME=str(cache)))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"coursegen: scorm-again {PINNED} (the test LMS) is not installed and npm was not found to install it: "
        "install Node.js with npm (on Debian: apt-get install -y npm) and run again, or set "
        "COURSEGEN_NODE_MODULES to a node_modules folder holding scorm-again"]
    assert not cache.exists()


def test_the_pin_shipped_in_the_wheel_is_the_repository_pin():
    shipped = json.loads((REPO / "generator" / "walks" / "npm" / "package-lock.json").read_text())
    repository = json.loads((REPO / "package-lock.json").read_text())
    ours = shipped["packages"]["node_modules/scorm-again"]
    theirs = repository["packages"]["node_modules/scorm-again"]
    assert (ours["version"], ours["integrity"]) == (theirs["version"], theirs["integrity"])
    assert json.loads((REPO / "generator" / "walks" / "npm" / "package.json").read_text())["dependencies"] == \
        {"scorm-again": json.loads((REPO / "package.json").read_text())["devDependencies"]["scorm-again"]}
