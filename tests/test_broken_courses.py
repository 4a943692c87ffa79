"""The corpus of broken courses: every mistake is reported where it was made.

Each folder of tests/fixtures/broken/ is a small, realistic course with one
kind of mistake (many-mistakes/ has several) and an `expected.txt` holding
exactly what `coursegen check course.yaml` must print, run from that folder:
each error and warning in the order printed, followed by the source line it
points into and a caret under its column. A fixture without any `error:` line
is a warning-only course: it must check cleanly (exit 0).

The expectations were drafted by running the checker and then read line by
line against the files: each line and column points at the offending text
(the id, the value, the link target, the token of an expression...). Where
the checker was wrong, `expected.txt` says what it *should* print, so that
test fails until the compiler is fixed.

Speed: the diagnostic lines are compared with expected.txt through the
Python API for every fixture; the CLI's `main()` runs in-process for every
fixture (exit code, count line, nothing written); the real CLI runs as a
subprocess for a handful of fixtures only.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import build, cli
from generator.diagnostics import CourseError

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "fixtures" / "broken"
FIXTURES = sorted(p.name for p in CORPUS.iterdir() if (p / "course.yaml").is_file()) if CORPUS.is_dir() else []

# The real CLI as a subprocess for a few representative fixtures: an error in
# course.yaml, in a module's front matter, in a scenario body, a file that is
# not UTF-8, many mistakes at once, and the warning-only courses.
SUBPROCESS_FIXTURES = ["yaml-syntax-course", "yaml-syntax-front-matter", "unknown-link-target", "non-utf8",
                       "many-mistakes", "unreachable-node", "heading-without-id"]


def expected_lines(name: str) -> list[str]:
    """Every line `check` prints before its count line: diagnostics, source lines, carets."""
    text = (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def diagnostics_of(lines: list[str]) -> list[str]:
    """The `path:line:column: severity: message` lines (source excerpts start with a space)."""
    return [line for line in lines if not line.startswith(" ")]


def error_count(lines: list[str]) -> int:
    return sum(1 for line in diagnostics_of(lines) if ": error: " in line)


def count_line(errors: int) -> str:
    return f"{errors} error{'s' if errors != 1 else ''}; nothing was written."


def diagnostic_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith(" ") and (": error: " in line or ": warning: " in line)]


def printed(stderr: str) -> list[str]:
    """What `check` printed for the diagnostics: everything but the count line."""
    return [line for line in stderr.splitlines() if line.strip() and not line.endswith("nothing was written.")]


def is_clean(name: str) -> bool:
    return error_count(expected_lines(name)) == 0


def files_of(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the corpus itself ---------------------------------------------------------

def test_corpus_has_at_least_45_fixtures():
    assert len(FIXTURES) >= 45, f"only {len(FIXTURES)} broken courses in {CORPUS}"


def test_every_fixture_has_a_well_formed_expectation():
    for name in FIXTURES:
        lines = expected_lines(name)
        assert lines, f"{name}: expected.txt is empty"
        assert len(lines) == 3 * len(diagnostics_of(lines)), f"{name}: each diagnostic has a source line and a caret"
        for first, source, caret in zip(lines[::3], lines[1::3], lines[2::3]):
            location, _, rest = first.partition(": ")
            path, line_no, column = location.rsplit(":", 2)
            assert rest.startswith(("error: ", "warning: ")), f"{name}: {first!r}"
            assert int(line_no) >= 1 and int(column) >= 1, f"{name}: {first!r}"
            assert (CORPUS / name / path).is_file(), f"{name}: {path} is not a file of the fixture"
            # The excerpt is that line of that file, and the caret stands under that column.
            text = (CORPUS / name / path).read_text(encoding="utf-8", errors="replace").splitlines()[int(line_no) - 1]
            gutter, _, mark = caret.partition(" | ")
            assert gutter == " " * (len(line_no) + 1) and mark.endswith("^"), f"{name}: {caret!r}"
            if len(text) <= 120:
                assert source == f" {line_no} | {text}".rstrip(), f"{name}: {source!r}"
                assert len(mark) == int(column), f"{name}: {caret!r}"
                continue
            # A longer line shows a window of it ("…" where it is cut), the caret under the same column.
            shown = source.removeprefix(f" {line_no} | ")
            cut_before, cut_after = shown.startswith("…"), shown.endswith("…")
            window = shown[int(cut_before): len(shown) - int(cut_after)]
            start = int(column) - len(mark) + int(cut_before)  # where the window starts in the line
            assert window == text[start: start + len(window)] and len(window) <= 120, f"{name}: {source!r}"
            assert cut_before == (start > 0) and cut_after == (start + len(window) < len(text)), f"{name}: {source!r}"


def test_corpus_has_warning_only_fixtures_and_many_mistakes():
    assert any(is_clean(name) for name in FIXTURES), "no warning-only fixture"
    lines = expected_lines("many-mistakes")
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) >= 6
    assert len({line.split(":", 1)[0] for line in errors}) >= 3, "many-mistakes spans course.yaml and two modules"


# --- diagnostics through the Python API --------------------------------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_diagnostics(name):
    folder = CORPUS / name
    expected = expected_lines(name)
    try:
        checked = build.check(folder / "course.yaml")
    except CourseError as problem:
        actual = problem.diagnostics.render(cwd=folder)
        assert error_count(expected) > 0, f"{name} should check cleanly (warnings only), but:\n" + "\n".join(actual)
        assert actual == expected
        assert len(problem.diagnostics.errors) == error_count(expected)
    else:
        actual = checked.diagnostics.render(cwd=folder)
        assert error_count(expected) == 0, f"{name}: no error was reported; expected:\n" + "\n".join(expected)
        assert actual == expected


# --- the CLI in-process: exit code, count line, nothing written -----------------------

@pytest.mark.parametrize("name", FIXTURES)
def test_cli_check_and_build(name, tmp_path, monkeypatch, capsys):
    folder = CORPUS / name
    before = files_of(folder)
    expected = expected_lines(name)
    monkeypatch.chdir(folder)

    # The lines themselves are compared with expected.txt by test_diagnostics;
    # here the CLI must print exactly what the checker found, and say how many errors.
    try:
        reported = build.check("course.yaml").diagnostics.format()
    except CourseError as problem:
        reported = problem.diagnostics.format()

    code = cli.main(["check", "course.yaml"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err, err
    assert diagnostic_lines(err) == reported
    assert printed(err) == expected  # every diagnostic with its source line and caret
    if is_clean(name):
        assert code == cli.EXIT_OK, err
        warnings = len(diagnostics_of(expected))
        assert f"no errors, {warnings} warning{'s' if warnings != 1 else ''}" in out
    else:
        assert code == cli.EXIT_COURSE, err
        assert err.splitlines()[-1] == count_line(error_count(expected))

    out_dir = tmp_path / "out"
    code = cli.main(["build", "course.yaml", "--out", str(out_dir)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err, err
    assert diagnostic_lines(err) == reported
    if is_clean(name):
        assert code == cli.EXIT_OK, err
    else:
        assert code == cli.EXIT_COURSE, err
        assert not out_dir.exists() or not any(out_dir.iterdir()), "build wrote output for a course with errors"
    assert files_of(folder) == before, "check/build changed the fixture folder"


# --- the real CLI as a subprocess ---------------------------------------------------------

def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("COURSEGEN_DEBUG", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", SUBPROCESS_FIXTURES)
def test_real_cli(name, tmp_path):
    folder = CORPUS / name
    expected = expected_lines(name)

    result = run_cli("check", "course.yaml", cwd=folder)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert printed(result.stderr) == expected
    if is_clean(name):
        assert result.returncode == 0, output
    else:
        assert result.returncode == 1, output
        assert result.stderr.splitlines()[-1] == count_line(error_count(expected))

    out_dir = tmp_path / "out"
    result = run_cli("build", "course.yaml", "--out", str(out_dir), cwd=folder)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    if is_clean(name):
        assert result.returncode == 0, output
    else:
        assert result.returncode == 1, output
        assert not out_dir.exists() or not any(out_dir.iterdir()), "build wrote output for a course with errors"


def test_real_cli_usage_error_exits_2(tmp_path):
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
