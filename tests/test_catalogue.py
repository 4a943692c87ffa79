"""`coursegen test` on a catalogue: several courses share one pool of browsers, with a
summary table, a JUnit test suite per course, and exit 1 when any walk fails."""
from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

from repo import REPO

from generator import cli
from generator.walks import catalogue, plan

FIXTURES = REPO / "tests" / "fixtures" / "courses"


def test_a_catalogue_with_one_wrong_prediction_fails_that_course_only(tmp_path, capsys, monkeypatch):
    # The planted mistake: the prediction of quiz-rules' first walk says one percent more than
    # the course gives, as a wrong scoring rule in plan.py would.
    planned = plan.walks

    def walks_with_a_wrong_prediction(course, analyses, max_paths):
        walks = planned(course, analyses, max_paths)
        if course.id == "quiz-rules-fixture":
            walks[0].expected.percent += 1
        return walks

    monkeypatch.setattr(plan, "walks", walks_with_a_wrong_prediction)
    junit = tmp_path / "junit.xml"
    courses = [FIXTURES / "reading-only", FIXTURES / "quiz-rules", FIXTURES / "branching"]
    code = cli.main(["test", *map(str, courses), "--max-paths", "3", "--junit", str(junit)])
    out, err = capsys.readouterr()
    assert code == 1

    # One progress line per course, then the summary: a row per course and format.
    # Every walk against both LMS profiles: the wrong prediction fails in each version and profile.
    from generator import build

    checked = build.check(FIXTURES / "quiz-rules")
    count = len(planned(checked.course, checked.analyses, 3)) * 4  # 2 versions x 2 LMS profiles
    assert re.search(rf"quiz-rules/course\.yaml: {count} walks, 4 failed", err), err
    assert re.search(r"reading-only/course\.yaml: 4 walks, all passed", err)
    lines = out.splitlines()
    assert lines[0].split() == ["course", "language", "format", "lms", "walks", "failures", "coverage", "walk", "time"]
    variants = [(fmt, lms) for fmt in ("scorm12", "scorm2004") for lms in ("scorm-again", "moodle")]
    rows = {(line.split()[0].split("/")[-2], line.split()[2], line.split()[3]): line.split() for line in lines[1:13]}
    assert set(rows) == {(c.name, *v) for c in courses for v in variants}
    assert all(rows[("quiz-rules", *v)][5] == "1" for v in variants)
    assert all(rows[(name, *v)][5] == "0" for name in ("reading-only", "branching") for v in variants)
    branching = rows[("branching", "scorm12", "moodle")]
    assert branching[1] == "en" and "choices 11/11 (100%), endings 4/4" in " ".join(branching)
    assert re.search(r"^\d+ passed, 4 failed, \d+ walks in [\d.]+ s$", lines[-1]), lines[-1]
    # The failure names the course and what differs.
    assert "the results show" in err and "predicts" in err
    assert re.search(r'^  in walk 1 "best" \(scorm12, scorm-again\): ', err, re.M), err

    suites = ET.parse(junit).getroot()
    assert suites.tag == "testsuites" and suites.get("failures") == "4"
    by_name = {suite.get("name"): suite for suite in suites}
    assert set(by_name) == {"coursegen walks: reading-only-fixture", "coursegen walks: quiz-rules-fixture",
                            "coursegen walks: branching-fixture"}
    assert by_name["coursegen walks: quiz-rules-fixture"].get("failures") == "4"
    assert by_name["coursegen walks: branching-fixture"].get("failures") == "0"
    failed = [case for case in by_name["coursegen walks: quiz-rules-fixture"] if case.find("failure") is not None]
    assert sorted(case.get("classname") for case in failed) == sorted(f"quiz-rules-fixture.{fmt}.{lms}"
                                                                      for fmt, lms in variants)


def test_a_folder_of_courses_is_a_catalogue_in_path_order(tmp_path):
    for name in ("b-course", "a-course"):
        shutil.copytree(FIXTURES / "reading-only", tmp_path / "catalogue" / name)
    assert [p.parent.name for p in catalogue.courses_in([str(tmp_path / "catalogue")])] == ["a-course", "b-course"]
    # N shards take every course exactly once between them.
    many = [tmp_path / f"c{i}" / "course.yaml" for i in range(7)]
    slices = [catalogue.shard(many, k, 3) for k in (1, 2, 3)]
    assert sorted(sum(slices, [])) == sorted(many) and [len(s) for s in slices] == [3, 2, 2]
    # A course named twice is walked once.
    one = str(tmp_path / "catalogue" / "a-course")
    assert len(catalogue.courses_in([one, one + "/course.yaml"])) == 1


def test_changed_since_walks_only_the_courses_whose_files_changed(tmp_path):
    root = tmp_path / "repo"
    for name in ("alpha", "beta", "gamma"):
        shutil.copytree(FIXTURES / "reading-only", root / name)
    git = lambda *args: subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.email=a@b.c", "-c", "user.name=bench", "add", ".")
    git("-c", "user.email=a@b.c", "-c", "user.name=bench", "commit", "-qm", "three courses")
    courses = catalogue.courses_in([str(root)])
    assert catalogue.changed_since("HEAD", courses) == []
    module = next((root / "beta").glob("*.md"))
    module.write_text(module.read_text() + "\nOne more line.\n")  # edited, not committed
    (root / "gamma" / "notes.txt").write_text("not part of the course")  # new, but no course file
    assert [c.parent.name for c in catalogue.changed_since("HEAD", courses)] == ["beta"]
    out = subprocess.run([str(REPO / ".venv" / "bin" / "coursegen"), "test", str(root), "--changed-since", "no-such-ref"],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "--changed-since no-such-ref" in out.stderr


def test_walks_are_handed_out_longest_first_within_each_course_version_and_profile(tmp_path):
    # A page keeps one course, version and profile's host page open, so their walks go out
    # together; the longest first, so a run never ends on one long walk while the other
    # browsers wait (the flagship's "fail, then recover" was the last of each version).
    from generator.walks import pool, runner
    from generator.walks.walker import Walker

    courses = [REPO / "course" / "course.yaml", FIXTURES / "branching"]
    formats = ("scorm12", "scorm2004")
    site = pool.Site()
    prepared = [runner._prepare(i, course, formats, 200, site, None, tmp_path) for i, course in enumerate(courses)]
    kinds = runner.variants(formats)
    jobs = [runner.Job(i, fmt, w, profile) for i, course in enumerate(prepared) for fmt, profile in kinds
            for w in range(len(course.walks))]
    order = runner._play_order(jobs, prepared, kinds)
    assert sorted(order) == list(range(len(jobs)))  # every job, once
    groups = [(jobs[i].course, jobs[i].fmt, jobs[i].profile) for i in order]
    assert groups == sorted(groups, key=lambda g: (g[0], kinds.index(g[1:])))  # each group together, in turn
    for group in dict.fromkeys(groups):
        steps = [len(Walker(prepared[jobs[i].course].checked, prepared[jobs[i].course].walks[jobs[i].index],
                            jobs[i].fmt, tmp_path, jobs[i].profile).steps) for i in order
                 if (jobs[i].course, jobs[i].fmt, jobs[i].profile) == group]
        assert steps == sorted(steps, reverse=True) and steps[0] > steps[-1], (group, steps)
    first = jobs[order[0]]
    assert prepared[0].walks[first.index].role == "fail, then recover"
