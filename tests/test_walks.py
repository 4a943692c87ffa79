"""`coursegen test` through its Python API: every branch of the flagship course
and of the fixture courses, in both SCORM versions, against scorm-again in Chromium."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from repo import REPO

from generator import build
from generator.walks import runner

FIXTURES = REPO / "tests" / "fixtures" / "courses"
COURSES = {
    "flagship": REPO / "course" / "course.yaml",
    "refresher": REPO / "course" / "refresher.yaml",
    "branching": FIXTURES / "branching",
    "quiz-rules": FIXTURES / "quiz-rules",
    "reading-only": FIXTURES / "reading-only",
}
# The refresher's scenarios are the flagship's own files, walked path by path there; here a
# covering set (every choice, every ending, best and worst) proves the refresher's wiring.
MAX_PATHS = {"refresher": 0}
_reports: dict[str, runner.TestReport] = {}


def report_for(name: str, tmp_path_factory) -> runner.TestReport:
    if name not in _reports:
        started = time.monotonic()
        artifacts = tmp_path_factory.mktemp(f"walks-{name}")
        _reports[name] = runner.run(COURSES[name], ("scorm12", "scorm2004"), workers=2, artifacts=artifacts,
                                  max_paths=MAX_PATHS.get(name, 200))
        print(f"\n{name}: {len(_reports[name].results)} walks in {time.monotonic() - started:.1f} s")
    return _reports[name]


@pytest.mark.parametrize("name", list(COURSES))
def test_every_walk_plays_as_predicted_in_both_scorm_versions(name, tmp_path_factory):
    report = report_for(name, tmp_path_factory)
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert {r.fmt for r in report.results} == {"scorm12", "scorm2004"}


@pytest.mark.parametrize("name", ["flagship", "refresher", "branching"])
def test_every_choice_and_every_ending_is_covered(name, tmp_path_factory):
    report = report_for(name, tmp_path_factory)
    choices, endings = report.coverage()
    assert (choices, endings) == (report.choices_total, report.endings_total)
    for fmt in ("scorm12", "scorm2004"):
        ok = [r for r in report.results if r.fmt == fmt and r.ok]
        assert len(set().union(*(r.choices for r in ok))) == report.choices_total, fmt


@pytest.mark.parametrize("name", ["flagship", "refresher", "branching", "quiz-rules"])
def test_each_badge_and_both_verdicts_are_shown_both_ways(name, tmp_path_factory):
    report = report_for(name, tmp_path_factory)
    checked = build.check(COURSES[name])
    predictions = report.predictions.values()
    assert {p.passed for p in predictions} == {True, False}
    for badge in checked.course.badges:
        earned = {badge.id in p.badges for p in predictions}
        assert earned == {True, False}, f"badge {badge.id} is never {'missed' if True in earned else 'earned'}"


def test_a_course_without_points_is_passed_with_full_marks(tmp_path_factory):
    report = report_for("reading-only", tmp_path_factory)
    assert [(p.percent, p.passed) for p in report.predictions.values()] == [(100, True)]


def _tampered_packages(tmp_path: Path, course: Path, change) -> dict[str, Path]:
    folders = runner.unpacked(course, ("scorm12", "scorm2004"), tmp_path)
    for fmt, folder in folders.items():
        page = folder / "index.html"
        html = page.read_text(encoding="utf-8")
        match = re.search(r'(<script id="course-data" type="application/json">)(.*?)(</script>)', html, re.S)
        data = json.loads(match.group(2))
        change(data)
        html = html[: match.start(2)] + json.dumps(data).replace("</", "<\\/") + html[match.end(2):]
        page.write_text(html, encoding="utf-8")
    return folders


def _choice(data, module_id, node_id, index):
    module = next(m for m in data["modules"] if m["id"] == module_id)
    node = next(n for n in module["nodes"] if n["id"] == node_id)
    return node["choices"][index]


def test_a_tampered_score_fails_the_walk_at_the_right_choice(tmp_path):
    course = COURSES["branching"]
    # Fewer points, not more: this choice lies on every best path, and an attempt's score is
    # held at the scenario's maximum (docs/course-json.md), which would hide a raise in 2004.
    packages = _tampered_packages(tmp_path, course, lambda d: _choice(d, "audit", "restricted", 0).update(points=1))
    artifacts = tmp_path / "report-artifacts"
    report = runner.run(course, ("scorm12", "scorm2004"), workers=2, packages=packages, max_paths=3, artifacts=artifacts)
    failing = [r for r in report.results if not r.ok]
    assert failing, "the tampered package passed"
    line = (FIXTURES / "branching" / "audit.md").read_text().splitlines().index(
        "- [Tell Ben what you changed](#good){if=\"flag.fixed\" points=2}") + 1
    expected = f"audit.md:{line}:3: interaction"
    # SCORM 1.2 records each choice's points (its weighting): the failure names the choice's line.
    # 2004 records none (its players post the whole record on every write), so there the score tells.
    assert all(any(expected in f and '"audit__restricted"' in f and "weighting=1 (predicted 2)" in f
                   for f in r.failures) for r in failing if r.fmt == "scorm12"), [r.failures for r in failing]
    assert all(any("the LMS holds score raw=" in f for f in r.failures) for r in failing if r.fmt == "scorm2004")
    assert {(r.profile, r.walk) for r in failing if r.fmt == "scorm12"} == \
        {(r.profile, r.walk) for r in failing if r.fmt == "scorm2004"}
    # Only walks through that choice fail.
    assert any(r.ok for r in report.results)
    # Each failure leaves a screenshot and the LMS call log beside the JUnit report.
    for result in failing:
        shot, calls = (Path(p) for p in result.artifacts)
        assert shot.read_bytes().startswith(b"\x89PNG") and json.loads(calls.read_text())[0]["fn"] == "LMSInitialize" \
            or json.loads(calls.read_text())[0]["fn"] == "Initialize"
    junit = runner.junit_xml(report, "branching-fixture")
    assert junit.count("<testcase ") == len(report.results) and junit.count("<failure ") == len(failing)


def test_a_tampered_branch_fails_naming_the_node_where_the_walk_diverged(tmp_path):
    course = COURSES["branching"]
    packages = _tampered_packages(tmp_path, course, lambda d: _choice(d, "audit", "start", 0).update(to=3))
    report = runner.run(course, ("scorm2004",), workers=1, packages={"scorm2004": packages["scorm2004"]}, max_paths=3)
    failures = [f for r in report.results for f in r.failures]
    assert failures
    text = (FIXTURES / "branching" / "audit.md").read_text().splitlines()
    choice = text.index("- [Check the folder's permissions](#permissions){points=2 set=checked}") + 1
    assert any(f'audit.md:{choice}:3: after choice 0 of node "start" of "audit": expected node "permissions", '
               'the page shows node "assume"' in f for f in failures), failures


def test_a_failed_flagship_is_passed_from_its_results_and_the_lms_holds_both_attempts(tmp_path_factory):
    from generator.walks import plan

    report = report_for("flagship", tmp_path_factory)
    checked = build.check(COURSES["flagship"])
    walks = {w.name: w for w in plan.walks(checked.course, checked.analyses)}
    worst, recovered = walks["worst"], walks["fail, then recover"]
    assert recovered.plays == worst.plays and not worst.expected.passed and recovered.expected.passed
    gone_back = [checked.course.modules[i].id for i, _ in recovered.again]
    assert "knowledge-check" in gone_back and "whiteboard-selfie" in gone_back  # quizzes and scenarios alike
    for fmt, profile in [(f, p) for f in ("scorm12", "scorm2004") for p in runner.PROFILES]:
        # Both LMS profiles: in the Moodle-like one, `lms` is what reached its server.
        results = {r.walk: r for r in report.results if (r.fmt, r.profile) == (fmt, profile)}
        first, final = results["worst"].lms, results[recovered.name].lms
        assert results[recovered.name].ok, (profile, results[recovered.name].failures)
        status = final["core"]["lesson_status"] if fmt == "scorm12" else final["success_status"]
        assert status == "passed"
        before = [first["interactions"][k]["id"] for k in sorted(first["interactions"], key=int) if k.isdigit()]
        after = [final["interactions"][k]["id"] for k in sorted(final["interactions"], key=int) if k.isdigit()]
        # The failed attempts stay on record (quizzes ask in an order of their own on each run).
        assert sorted(after[:len(before)]) == sorted(before)
        again = after[len(before):]
        if fmt == "scorm12":
            for module in gone_back:  # and each module's new attempt follows them
                assert any(i.startswith(module + "__") for i in again), module
        else:
            # 2004 players post the whole record on every write and the last write must fit one
            # beacon: the failed run alone fills most of the record's budget, so the new attempts
            # are journaled only up to it (the walk's check has held them against the budget).
            assert again and again[0].startswith(gone_back[0] + "__"), again
