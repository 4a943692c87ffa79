"""`coursegen test --lang`: a translation walked branch by branch in Chromium against scorm-again,
with the source's plan and predictions. What the LMS records must equal what it records for the
source, walk by walk, except the interactions' descriptions (the learner's words) and the clock."""
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


def descriptions(data) -> list[str]:
    interactions = data.get("interactions", {})
    return [interactions[k].get("description", "") for k in sorted(interactions, key=int) if k.isdigit()]


@pytest.mark.parametrize("language", ["de", "qps-plocm"])
def test_the_translation_walks_every_branch_and_the_lms_records_equal_the_sources(language, tmp_path_factory):
    source, translated = report(None, tmp_path_factory), report(language, tmp_path_factory)
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in translated.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert translated.coverage() == source.coverage() == (source.choices_total, source.endings_total)
    pairs = list(zip(source.results, translated.results, strict=True))
    assert len(pairs) >= 2 * 5
    for ours, theirs in pairs:
        assert (ours.fmt, ours.walk) == (theirs.fmt, theirs.walk)
        assert ours.lms.get("interactions") and theirs.lms.get("interactions"), "the walk kept no LMS data"
        assert without(theirs.lms, CLOCK | {"description"}) == without(ours.lms, CLOCK | {"description"}), \
            f"{ours.fmt} {ours.walk}"
        if ours.fmt == "scorm2004":  # the descriptions are there, in the learner's language
            assert len(descriptions(theirs.lms)) == len(descriptions(ours.lms)) > 0
            assert all(a != b and b for a, b in zip(descriptions(ours.lms), descriptions(theirs.lms)))


def test_the_german_descriptions_are_the_german_choices_and_questions(tmp_path_factory):
    walk = next(r for r in report("de", tmp_path_factory).results if r.fmt == "scorm2004")
    found = set(descriptions(walk.lms))
    assert "Welche Tastenkombination sperrt einen Windows-Bildschirm?" in found or \
        "Was gehört am Ende des Tages in die abgeschlossene Schublade?" in found


def test_the_cli_walks_a_translation(capsys):
    assert cli.main(["test", str(FIXTURE), "--lang", "de", "--format", "scorm12", "--workers", "1"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.split()[2:3] == ["scorm12"])
    assert row[1:5] == ["de", "scorm12", "5", "0"], out
    assert "choices 5/5 (100%), endings 2/2 (100%)" in out and " 0 failed" in out
