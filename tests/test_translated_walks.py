"""`coursegen test --lang`: a translation walked branch by branch in Chromium against scorm-again,
with the source's plan and predictions. What the LMS records must equal what it records for the
source, walk by walk, except the clock. (No interaction carries the learner's words: a 2004
interaction has no description, so that the whole record fits the one beacon an LMS sends last;
see docs/course-json.md, "When data reaches the LMS".)"""
from __future__ import annotations

import pytest

from repo import REPO

from generator import cli
from generator.walks import runner

FIXTURE = REPO / "tests" / "fixtures" / "courses" / "translated"
FORMATS = ("scorm12", "scorm2004")
CLOCK = {"timestamp", "time", "session_time", "total_time", "latency"}
_reports: dict[str, runner.TestReport] = {}


def report(language: str | None, tmp_path_factory) -> runner.TestReport:
    key = language or "source"
    if key not in _reports:
        _reports[key] = runner.run(FIXTURE, FORMATS, workers=1, language=language,
                                   artifacts=tmp_path_factory.mktemp(f"walks-{key}"))
    return _reports[key]


def without(data, keys: set[str]):
    """The LMS data with the named fields removed wherever they stand."""
    if isinstance(data, dict):
        return {k: without(v, keys) for k, v in data.items() if k not in keys}
    if isinstance(data, list):
        return [without(v, keys) for v in data]
    return data


@pytest.mark.parametrize("language", ["de", "qps-plocm"])
def test_the_translation_walks_every_branch_and_the_lms_records_equal_the_sources(language, tmp_path_factory):
    source, translated = report(None, tmp_path_factory), report(language, tmp_path_factory)
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in translated.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert translated.coverage() == source.coverage() == (source.choices_total, source.endings_total)
    pairs = list(zip(source.results, translated.results, strict=True))
    assert len(pairs) >= 2 * 5
    for ours, theirs in pairs:
        assert (ours.fmt, ours.profile, ours.walk) == (theirs.fmt, theirs.profile, theirs.walk)
        assert ours.lms.get("interactions") and theirs.lms.get("interactions"), "the walk kept no LMS data"
        assert without(theirs.lms, CLOCK) == without(ours.lms, CLOCK), f"{ours.fmt} {ours.profile} {ours.walk}"


def test_the_cli_walks_a_translation(capsys):
    assert cli.main(["test", str(FIXTURE), "--lang", "de", "--format", "scorm12", "--workers", "1"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert " 0 failed" in out and "choices covered 5/5 (100%); endings covered 2/2 (100%)" in out
