"""The mistake corpus: slips an author makes, each reported at its line, cause first, with its fix.

Each folder of tests/fixtures/mistakes/ is the same small course with one slip (README.md there);
`expected.txt` holds exactly what `coursegen check` prints for it. docs/common-mistakes.md is
written from the corpus, and must be what scripts/common_mistakes.py writes now.
"""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from repo import REPO

from generator import build, cli
from generator.diagnostics import CourseError

CORPUS = REPO / "tests" / "fixtures" / "mistakes"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.txt").is_file())

# The slips issue 17 lists as reported badly or not at all before, each with its case.
FROM_THE_ISSUE = {
    "a knock-on error before its cause (front matter YAML)": "knock-on-yaml-in-front-matter",
    "a knock-on error before its cause (missing kind)": "knock-on-missing-kind",
    "a knock-on error before its cause (misspelt module path)": "knock-on-misspelt-module-path",
    "an unquoted colon in a value": "yaml-colon-in-title",
    "a tab": "yaml-tab-indent",
    "a mis-indented module list": "yaml-module-list-misaligned",
    "a node written as ## The call {#call}": "node-as-level-2-heading",
    "text after a choice list": "text-after-choices",
    "an unquoted if=flag.a and flag.b": "unquoted-multi-word-if",
    "- [*] as an option": "option-marked-with-star",
    "a badge that can never be earned (percent >= 190)": "badge-above-100-percent",
    "a badge whose condition no path can meet": "badge-above-the-maximum",
    "a flag set but never read": "flag-never-read",
    "alt text equal to the file name": "alt-text-is-file-name",
    "> **Raj:** dialogue": "dialogue-as-bold-name",
    "> [raj] in a lesson": "dialogue-in-lesson",
    "a did you mean that considers headings of the wrong level": "node-heading-without-id",
    "a badge without when": "badge-without-when",
    "a scenario whose best path cannot reach the pass mark": "right-path-below-pass-mark",
}
# The format's additions for learners (issue 16), each with slips of its own.
FOR_THE_ADDITIONS = {
    "a consequence not indented under its choice": "consequence-not-indented",
    "dialogue as a consequence": "consequence-as-dialogue",
    "a misspelt .pinned on a choice": "pinned-misspelt",
    "pinned=true": "pinned-written-as-key",
    "a misspelt .pinned on an option": "option-pinned-misspelt",
    "a misspelt shuffle": "shuffle-misspelt",
    "retakes in a scenario": "retakes-in-scenario",
    "retakes: unlimited": "retakes-unlimited",
    "objectives run together": "objectives-run-together",
    "a misspelt objectives": "objectives-misspelt",
    "objectives on one line": "objectives-in-one-line",
    "a misspelt portrait": "portrait-misspelt",
    "a portrait path from the course folder": "portrait-path-from-course-folder",
}
# What a message says to do: it names what to write, add, move... or the close name meant.
FIX = re.compile(r"\b(write|put|add|remove|move|indent|replace|use|give|declare|mark|lead|close|end it|keep|"
                 r"lower|join|show or hide|compare|name the speaker|must be|shorten|save|start|make|line the \w+ up|"
                 r"change)\b|\(did you mean ")


def expected_lines(name: str) -> list[str]:
    return [line for line in (CORPUS / name / "expected.txt").read_text(encoding="utf-8").splitlines() if line.strip()]


def diagnostics(lines: list[str]) -> list[str]:
    return [line for line in lines if not line.startswith(" ")]


def test_the_corpus_holds_at_least_45_slips_and_every_one_the_issue_lists():
    assert len(CASES) >= 45, f"only {len(CASES)} cases"
    missing = {slip: name for slip, name in (FROM_THE_ISSUE | FOR_THE_ADDITIONS).items() if name not in CASES}
    assert not missing, missing


@pytest.mark.parametrize("name", CASES)
def test_each_problem_is_at_its_line_and_says_what_to_write(name):
    lines = expected_lines(name)
    title = (CORPUS / name / "mistake.txt").read_text(encoding="utf-8").splitlines()
    assert len(title) >= 2 and title[0] and title[1], "mistake.txt: the slip, then its section"
    assert lines and len(lines) == 3 * len(diagnostics(lines)), "each diagnostic with its source line and caret"
    for first, source, caret in zip(lines[::3], lines[1::3], lines[2::3]):
        location, _, rest = first.partition(": ")
        path, line_no, column = location.rsplit(":", 2)
        severity, _, message = rest.partition(": ")
        assert severity in ("error", "warning"), first
        text = (CORPUS / name / path).read_text(encoding="utf-8").splitlines()[int(line_no) - 1]
        assert source == f" {line_no} | {text}".rstrip(), source
        gutter, _, mark = caret.partition(" | ")
        assert mark.endswith("^") and len(mark) == int(column) and text[int(column) - 1:].strip(), \
            f"the caret stands under text: {caret!r}"
        assert FIX.search(message), f"no fix in: {message}"


@pytest.mark.parametrize("name", CASES)
def test_check_prints_exactly_the_expected_lines(name, monkeypatch, capsys):
    folder = CORPUS / name
    expected = expected_lines(name)
    errors = sum(": error: " in line for line in diagnostics(expected))
    try:
        checked = build.check(folder / "course.yaml")
    except CourseError as problem:
        assert problem.diagnostics.render(cwd=folder) == expected
        assert len(problem.diagnostics.errors) == errors > 0
    else:
        assert checked.diagnostics.render(cwd=folder) == expected
        assert errors == 0
    monkeypatch.chdir(folder)
    code = cli.main(["check", "course.yaml"])
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.strip() and not line.endswith("nothing was written.")] == expected
    assert code == (cli.EXIT_COURSE if errors else cli.EXIT_OK)


def test_the_cause_comes_first_and_alone():
    """A module that cannot be loaded is named by a badge of the course: only the slip is printed."""
    for name in ("knock-on-yaml-in-front-matter", "knock-on-missing-kind", "knock-on-misspelt-module-path"):
        assert "urgent-invoice" in (CORPUS / name / "course.yaml").read_text(encoding="utf-8").split("badges:")[1]
        assert len(diagnostics(expected_lines(name))) == 1, name


def test_the_common_mistakes_page_is_written_from_the_corpus():
    spec = importlib.util.spec_from_file_location("common_mistakes", REPO / "scripts" / "common_mistakes.py")
    writer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(writer)
    page = (REPO / "docs" / "common-mistakes.md").read_text(encoding="utf-8")
    assert page == writer.page(), "docs/common-mistakes.md is stale: run python scripts/common_mistakes.py"
    for name in CASES:
        assert f"`tests/fixtures/mistakes/{name}/`" in page
