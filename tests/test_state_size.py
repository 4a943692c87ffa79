"""The resume state's worst case is known at build time and kept within SCORM's limits."""
from __future__ import annotations

import pytest

from synthetic import just_under_scorm12, many_scenarios, worst_case

from generator import build, cli
from generator.check import state

def course_with(write_course, count: int):
    return write_course(many_scenarios(count))


def worst(folder) -> int:
    checked = build.check(folder, formats=("scorm2004",))
    return state.worst_case(checked.course, checked.analyses).total


def test_the_worst_case_is_back_in_one_scenario_with_every_other_settled(write_course):
    one = worst(course_with(write_course, 1))
    # key|checksum|current+.badges.(nothing settled).the scenario in progress: node, flags,
    # running points, best, ending, the seed of its shuffled choices, its one-choice path
    assert one == len("abcdef|1z141z3|0+.0..") + len("2_1_-2s_2s_2_") + 7 + len("_1") == worst_case(1)
    assert worst(course_with(write_course, 3)) == worst_case(3) == one + 2 * len("2s1")


def test_a_course_over_the_scorm12_limit_fails_with_the_modules_named(tmp_path, write_course):
    count = just_under_scorm12() + 1
    folder = course_with(write_course, count)
    assert worst(folder) == worst_case(count) > 4096
    with pytest.raises(build.CourseError) as caught:
        build.build(folder, ("scorm12",), tmp_path / "out")
    (line,) = caught.value.diagnostics.format(folder)
    # `check` says it before any build is tried (both SCORM versions by default).
    with pytest.raises(build.CourseError) as checked:
        build.check(folder)
    assert checked.value.diagnostics.format(folder) == [line]
    assert line.startswith(f"course.yaml:1:1: error: the resume state of this course can reach {worst_case(count)} ")
    assert "over SCORM 1.2's limit of 4096; the largest modules: \"s0\" (22)" in line
    assert not (tmp_path / "out").exists()
    # The same course is fine for SCORM 2004 (64,000 characters).
    assert build.build(folder, ("scorm2004",), tmp_path / "out2").outputs


def test_a_course_just_under_the_limit_builds(tmp_path, write_course):
    count = just_under_scorm12()
    folder = course_with(write_course, count)
    assert 4096 - len("2s1") < worst(folder) == worst_case(count) <= 4096
    assert build.build(folder, ("scorm12",), tmp_path / "out").outputs


def test_scorm12_refuses_a_node_with_more_choices_than_it_can_record(tmp_path, write_course):
    choices = "".join(f"- [Option {n}](#end)\n" for n in range(37))
    folder = write_course({
        "course.yaml": "id: wide\ntitle: Wide\nversion: 1.0.0\nmodules: [s.md]\n",
        "s.md": f"---\nid: s\ntitle: S\nkind: scenario\n---\n\n# Pick {{#start}}\n\n{choices}\n"
                "# End {#end .ending outcome=good}\n\nDone.\n"})
    with pytest.raises(build.CourseError) as caught:
        build.build(folder, ("scorm12", "scorm2004"), tmp_path / "out")
    assert caught.value.diagnostics.format(folder) == [
        "s.md:7:1: error: 37 choices: a SCORM 1.2 package records at most 36 (one character each); "
        "split them or build for SCORM 2004 only"]
    assert build.build(folder, ("scorm2004",), tmp_path / "out").outputs


def test_scorm12_refuses_weightings_its_lms_cannot_record(tmp_path, write_course):
    folder = write_course({
        "course.yaml": "id: heavy\ntitle: Heavy\nversion: 1.0.0\nmodules: [s.md, q.md]\n",
        "s.md": "---\nid: s\ntitle: S\nkind: scenario\n---\n\n# Pick {#start}\n\n- [Big](#end){points=150}\n"
                "- [Small](#end){points=-101}\n\n# End {#end .ending outcome=good}\n\nDone.\n",
        "q.md": "---\nid: q\ntitle: Q\nkind: quiz\n---\n\n## Yes? {#q1 type=truefalse points=101}\n\n- [x] True\n- [ ] False\n"})
    with pytest.raises(build.CourseError) as caught:
        build.build(folder, ("scorm12",), tmp_path / "out")
    assert caught.value.diagnostics.format(folder) == [
        "s.md:9:3: error: points=150: SCORM 1.2 records an interaction's weighting from -100 to 100; "
        "scale the scenario's points down",
        "s.md:10:3: error: points=-101: SCORM 1.2 records an interaction's weighting from -100 to 100; "
        "scale the scenario's points down",
        "q.md:7:1: error: points=101: SCORM 1.2 records an interaction's weighting from -100 to 100"]
    assert build.build(folder, ("scorm2004",), tmp_path / "out").outputs


def test_check_reports_what_a_scorm12_build_refuses_and_format_narrows_it(write_course, capsys, monkeypatch):
    folder = write_course({
        "course.yaml": "id: heavy\ntitle: Heavy\nversion: 1.0.0\nmodules: [s.md]\n",
        "s.md": "---\nid: s\ntitle: S\nkind: scenario\n---\n\n# Pick {#start}\n\n- [Big](#end){points=150}\n"
                "\n# End {#end .ending outcome=good}\n\nDone.\n"})
    monkeypatch.chdir(folder)
    assert cli.main(["check", "course.yaml"]) == cli.EXIT_COURSE
    assert capsys.readouterr().err.splitlines() == [
        "s.md:9:3: error: points=150: SCORM 1.2 records an interaction's weighting from -100 to 100; "
        "scale the scenario's points down",
        " 9 | - [Big](#end){points=150}",
        "   |   ^",
        "1 error; nothing was written."]
    assert cli.main(["check", "course.yaml", "--format", "scorm12"]) == cli.EXIT_COURSE
    capsys.readouterr()
    assert cli.main(["check", "course.yaml", "--format", "scorm2004", "--format", "web"]) == cli.EXIT_OK
    assert "no errors" in capsys.readouterr().out
