"""`coursegen test` through its Python API: every branch of the flagship course
and of the fixture courses, in both SCORM versions, against scorm-again in Chromium."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from walked import COURSES, FIXTURES, report_for

from generator import build
from generator.walks import runner


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
    # More points, not fewer: this choice lies on every best path, and an attempt's score is held
    # at the scenario's maximum (docs/course-json.md), so in 2004 only the resume state's running
    # points show the raise.
    packages = _tampered_packages(tmp_path, course, lambda d: _choice(d, "audit", "restricted", 0).update(points=7))
    artifacts = tmp_path / "report-artifacts"
    report = runner.run(course, ("scorm12", "scorm2004"), workers=2, packages=packages, max_paths=3, artifacts=artifacts)
    failing = [r for r in report.results if not r.ok]
    assert failing, "the tampered package passed"
    line = (FIXTURES / "branching" / "audit.md").read_text().splitlines().index(
        "- [Tell Ben what you changed](#good){if=\"flag.fixed\" points=2}") + 1
    expected = f"audit.md:{line}:3: interaction"
    # SCORM 1.2 records each choice's points (its weighting): the failure names the choice's line.
    # 2004 records none (its players post the whole record on every write), and the score is
    # clamped to the maximum (9 here, 14 tampered): the resume state's running points tell.
    assert all(any(expected in f and '"audit__restricted"' in f and "weighting=7 (predicted 2)" in f
                   for f in r.failures) for r in failing if r.fmt == "scorm12"), [r.failures for r in failing]
    assert all(f"branching/audit.md:{line}:3: after this choice the LMS's resume state (suspend_data) holds "
               f"14 running points in \"audit\", predicted 9" in r.failures[0]
               for r in failing if r.fmt == "scorm2004"), [r.failures for r in failing]
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


def test_a_tampered_question_fails_the_2004_walk_at_that_question(tmp_path):
    """A question worth 5 points in the package, 1 in the course: 2004 records no weighting and
    the quiz's percent is clamped to 100, so the quiz attempt's score in the resume state is
    what shows it, at the question's line, in both LMS profiles."""
    course = COURSES["quiz-rules"]

    def five_points(data):
        quiz = next(m for m in data["modules"] if m["id"] == "strict")
        next(q for q in quiz["questions"] if q["id"] == "s2")["points"] = 5

    packages = _tampered_packages(tmp_path, course, five_points)
    report = runner.run(course, ("scorm2004",), workers=1, packages={"scorm2004": packages["scorm2004"]}, max_paths=3)
    failing = [r for r in report.results if not r.ok]
    assert {r.profile for r in failing} == {"scorm-again", "moodle"}, [r.failures for r in report.results]
    line = (FIXTURES / "quiz-rules" / "strict.md").read_text().splitlines().index(
        "## Your privacy settings protect you completely. {#s2 type=truefalse points=1}") + 1
    # By hand: s1 is worth 3, s2 1; answered right, s2 adds 5 in the package instead of 1.
    for result in failing:
        first = result.failures[0]
        assert f"quiz-rules/strict.md:{line}:1: after this question the LMS's resume state (suspend_data) holds an " \
               "attempt score of " in first and 'so far in quiz "strict"' in first, result.failures
        got, want = map(int, re.search(r"score of (\d+) so far .*predicted (\d+)", first).groups())
        assert got - want == 4, first


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


def _zipped(folders: dict[str, Path], formats) -> dict[str, bytes]:
    """Unpacked packages zipped again, named as build.packages names them (coursegen test
    packages a course in memory: replacing build.packages walks these instead)."""
    import io
    import zipfile

    zips = {}
    for fmt in formats:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(folders[fmt].rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folders[fmt]).as_posix())
        zips[f"tampered-{fmt}.zip"] = buffer.getvalue()
    return zips


def test_a_failing_walk_is_named_by_its_path_and_points_first_at_the_choice_that_differs(
        tmp_path, monkeypatch, capsys):
    """`coursegen test` on a package whose choice "Tell Ben what you changed" (audit.md) was
    tampered to 7 points: the walks through it fail in both SCORM versions and both LMS profiles,
    each named by its choices as `coursegen paths` prints them, and the first line printed for
    each is that choice's line, not course.yaml."""
    from xml.etree import ElementTree

    from generator import cli

    course = COURSES["branching"]
    tampered = _tampered_packages(tmp_path / "pkg", course,
                                  lambda d: _choice(d, "audit", "restricted", 0).update(points=7))
    monkeypatch.setattr(build, "packages", lambda checked, formats, *rest: (_zipped(tampered, formats), 0))
    junit = tmp_path / "report.xml"
    code = cli.main(["test", str(course), "--format", "scorm12", "--format", "scorm2004", "--workers", "1",
                     "--max-paths", "3", "--junit", str(junit)])
    err = capsys.readouterr().err
    assert code == cli.EXIT_COURSE, err

    line = (FIXTURES / "branching" / "audit.md").read_text().splitlines().index(
        "- [Tell Ben what you changed](#good){if=\"flag.fixed\" points=2}") + 1
    at_choice = f"branching/audit.md:{line}:3: "
    # Read from audit.md by hand: the best path (2 + 5 + 2 points) takes that choice.
    best = "start[0] > permissions[0] > restricted[0] > good"
    walks, failures = [], []  # each failed walk: its name, and the failures printed above it
    for printed in err.splitlines():
        if printed.startswith("  in walk "):
            walks.append((printed.split(": ", 1)[1], printed.split("(", 1)[1].split(")", 1)[0], failures))
            failures = []
        elif not printed.startswith(" ") and ": " in printed and not re.search(r": \d+ walks( planned|, )", printed):
            failures.append(printed)
    assert best in [name for name, _, _ in walks], err
    assert {where for _, where, _ in walks} == {"scorm12, scorm-again", "scorm12, moodle",
                                                 "scorm2004, scorm-again", "scorm2004, moodle"}, err
    for name, where, printed in walks:
        assert "restricted[0]" in name, name  # only walks through that choice fail
        # 1.2 records the choice's points; 2004 does not, and its score is clamped: the resume state tells.
        differs = "weighting=7 (predicted 2)" if where.startswith("scorm12") else "holds 14 running points"
        assert at_choice in printed[0] and differs in printed[0], printed
        assert all(at_choice in line for line in printed), printed  # nothing points at course.yaml

    cases = ElementTree.parse(junit).getroot().findall(".//testcase")  # a suite per course
    failed = {c.get("name"): c.find("failure").get("message") for c in cases if c.find("failure") is not None}
    assert best in failed
    assert all(at_choice in message for message in failed.values()), failed
    path = r"[a-z-]+\[\d\]( > [a-z-]+\[\d\])* > [a-z-]+(, try again, .*)?"
    assert all(re.fullmatch(rf"{path}(; then from the results, audit again: {path})?", c.get("name"))
               for c in cases), [c.get("name") for c in cases]


def test_a_failed_flagship_is_passed_from_its_results_and_the_lms_holds_both_attempts(tmp_path_factory):
    from generator.walks import plan

    report = report_for("flagship", tmp_path_factory)
    checked = build.check(COURSES["flagship"])
    walks = {w.role: w for w in plan.walks(checked.course, checked.analyses)}
    worst, recovered = walks["worst"], walks["fail, then recover"]
    assert recovered.plays == worst.plays and not worst.expected.passed and recovered.expected.passed
    gone_back = [checked.course.modules[i].id for i, _ in recovered.again]
    scenarios = {m.id for m in checked.course.modules if hasattr(m, "nodes")}
    assert "knowledge-check" in gone_back and "whiteboard-selfie" in gone_back  # quizzes and scenarios alike
    for fmt, profile in [(f, p) for f in ("scorm12", "scorm2004") for p in runner.PROFILES]:
        # Both LMS profiles: in the Moodle-like one, `lms` is what reached its server.
        results = {r.walk: r for r in report.results if (r.fmt, r.profile) == (fmt, profile)}
        first, final = results[worst.name].lms, results[recovered.name].lms
        assert results[recovered.name].ok, (profile, results[recovered.name].failures)
        status = final["core"]["lesson_status"] if fmt == "scorm12" else final["success_status"]
        assert status == "passed"
        before = [first["interactions"][k]["id"] for k in sorted(first["interactions"], key=int) if k.isdigit()]
        after = [final["interactions"][k]["id"] for k in sorted(final["interactions"], key=int) if k.isdigit()]
        # The failed attempts stay on record (quizzes ask in an order of their own on each run).
        assert sorted(after[:len(before)]) == sorted(before)
        again = after[len(before):]
        for module in gone_back:  # and each module's new attempt follows them, in 2004 too
            assert any(i.startswith(module + "__") for i in again), (fmt, profile, module, again)
        if fmt == "scorm2004":  # where the whole record goes in one beacon: each play is one interaction
            assert all(i.endswith("__path") for i in after if i.split("__")[0] in scenarios), after
