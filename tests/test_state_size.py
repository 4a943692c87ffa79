"""The resume state's worst case is known at build time and kept within SCORM's limits."""
from __future__ import annotations

import pytest

from synthetic import HEADER, PER_MODULE, many_scenarios

from generator import build, state

def course_with(write_course, count: int):
    return write_course(many_scenarios(count))


def worst(folder) -> int:
    checked = build.check(folder)
    return state.worst_case(checked.course, {k: a.max_points for k, a in checked.analyses.items()}).total


def test_each_scenario_adds_its_fields_to_the_worst_case(write_course):
    one = worst(course_with(write_course, 1))
    # key|checksum|current.badges.N_F_P_B_E, with the running points as low as -3
    assert one == len("abcdef|1z141z3|1.0.") + len("2_1_-3_3_2")


def test_a_course_over_the_scorm12_limit_fails_with_the_modules_named(tmp_path, write_course):
    count = (4096 - HEADER) // PER_MODULE + 1
    folder = course_with(write_course, count)
    assert worst(folder) > 4096
    with pytest.raises(build.CourseError) as caught:
        build.build(folder, ("scorm12",), tmp_path / "out")
    (line,) = caught.value.diagnostics.format(folder)
    assert line.startswith("course.yaml:1:1: error: the resume state of this course can reach ")
    assert "over SCORM 1.2's limit of 4096; the largest modules: \"s0\" (10)" in line
    assert not (tmp_path / "out").exists()
    # The same course is fine for SCORM 2004 (64,000 characters).
    assert build.build(folder, ("scorm2004",), tmp_path / "out2").outputs


def test_a_course_just_under_the_limit_builds(tmp_path, write_course):
    count = (4096 - HEADER) // PER_MODULE
    folder = course_with(write_course, count)
    assert 4096 - PER_MODULE < worst(folder) <= 4096
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
