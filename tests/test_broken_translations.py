"""The corpus of broken translations: every mistake in a catalogue is reported at its line.

Each folder of tests/fixtures/broken-translations/ is a translated course with one kind of
mistake in its catalogues and an `expected.txt` of the exact diagnostic lines (see the
README there). `check --lang all` must print them and exit 1; `build --lang all` must refuse
with the same lines and write nothing. The correctly translated template must check clean.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import build, cli
from generator.diagnostics import CourseError

CORPUS = Path(__file__).resolve().parent / "fixtures" / "broken-translations"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "course.yaml").is_file() and not p.name.startswith("_"))


def expected_lines(name: str) -> list[str]:
    return [line for line in (CORPUS / name / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def diagnostic_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: " in line or ": warning: " in line]


def files_of(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_covers_what_a_translator_breaks():
    wanted = {"lost-link", "added-points", "raw-html", "missing-plural-form", "unknown-key", "fuzzy-entry",
              "crossed-placeholders", "link-to-a-node", "out-of-date", "too-long", "many-mistakes"}
    assert wanted <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_diagnostics_through_the_api(name):
    folder = CORPUS / name
    with pytest.raises(CourseError) as raised:
        build.check(folder / "course.yaml", ["all"])
    assert raised.value.diagnostics.format(cwd=folder) == expected_lines(name)


@pytest.mark.parametrize("name", CASES)
def test_check_and_build_refuse_with_the_same_lines(name, tmp_path, monkeypatch, capsys):
    folder = CORPUS / name
    before = files_of(folder)
    expected = expected_lines(name)
    monkeypatch.chdir(folder)

    assert cli.main(["check", "course.yaml", "--lang", "all"]) == cli.EXIT_COURSE
    out, err = capsys.readouterr()
    assert diagnostic_lines(err) == expected
    assert "Traceback" not in out + err and "internal error" not in out + err
    errors = sum(": error: " in line for line in expected)
    assert err.splitlines()[-1] == f"{errors} error{'s' if errors != 1 else ''}; nothing was written."

    out_dir = tmp_path / "out"
    assert cli.main(["build", "course.yaml", "--lang", "all", "--out", str(out_dir)]) == cli.EXIT_COURSE
    out, err = capsys.readouterr()
    assert diagnostic_lines(err) == expected
    assert not out_dir.exists() or not any(out_dir.iterdir()), "a broken translation was built"
    assert files_of(folder) == before, "check/build changed the fixture"


def test_the_source_language_alone_still_builds_for_a_broken_translation(tmp_path):
    """A broken German catalogue blocks only what uses it: the English package builds."""
    built = build.build(CORPUS / "lost-link" / "course.yaml", ("scorm12",), tmp_path)
    assert [p.name for p in built.outputs] == ["talk-course-1.0.0-scorm12.zip"]


def test_the_template_translation_checks_clean(capsys):
    assert cli.main(["check", str(CORPUS / "_template"), "--lang", "all"]) == cli.EXIT_OK
    out, err = capsys.readouterr()
    assert "translations checked: de, no errors, 0 warnings" in out, err
