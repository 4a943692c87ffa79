"""The resume state (docs/course-json.md, "Resume state"): what check/state.py writes, the
runtime reads back exactly (state.js under node), and what is damaged, foreign or out of
bounds it refuses, so the learner starts again instead of resuming into nonsense.
"""
from __future__ import annotations

import pytest

import runtime_node
from generator import build
from generator.check import state
from generator.package import render

COURSE = {
    "course.yaml": "id: keep\ntitle: Keep\nversion: 2.0.0\nmodules: [read.md, desk.md, kc.md]\n",
    "read.md": "---\nid: read\ntitle: Read\nkind: lesson\n---\n\n# One\nA.\n\n# Two\nB.\n",
    "desk.md": """---
id: desk
title: Desk
kind: scenario
---

# Start {#start}
Leave?
- [Lock it](#safe){points=5 set=locked}
- [Leave it](#risk){points=-2 set=open}

# Risk {#risk}
Open.
- [Go back](#start){points=-1 unset=open}
- [Walk away](#bad)

# Safe {#safe .ending outcome=good}
Safe.

# Bad {#bad .ending outcome=bad}
Bad.
""",
    "kc.md": """---
id: kc
title: Check
kind: quiz
attempts: 3
---

## One? {#k1 type=single points=5}

- [ ] No
- [x] Yes

## Two? {#k2 type=multiple points=5}

- [x] A
- [x] B
- [ ] C
""",
}


@pytest.fixture
def course(write_course):
    checked = build.check(write_course(COURSE))
    desk, kc = checked.course.modules[1], checked.course.modules[2]
    found = checked.analyses["desk"]
    course_json = render.render(checked.course, checked.analyses).course_json
    return checked, desk, kc, found, course_json


def decoded(course_json, *data):
    return [r["state"] for r in runtime_node.run([{"course": course_json, "decode": d} for d in data])]


def test_what_python_writes_the_runtime_reads_back(course):
    checked, desk, kc, found, course_json = course
    c = checked.course
    in_quiz = state.suspend_data(c, 2, state.settle_scenario(desk, found.max_points, 3, 2),
                                 state.quiz_field(2, 1, 5, 123456789, 5, False, None), badges=0)
    in_scenario = state.suspend_data(c, 1, "", state.scenario_field(1, 3, found.floor, 5, 2))
    at_results = state.suspend_data(c, 3, state.settle_scenario(desk, found.max_points, 0, 3)
                                    + state.settle_quiz(kc, 10, True, 3), None)
    reading = state.suspend_data(c, 0, "", state.lesson_field(1, False))
    quiz, scenario, results, lesson = decoded(course_json, in_quiz, in_scenario, at_results, reading)
    assert quiz["cur"] == 2 and quiz["mods"][1] == {"n": 2, "f": 0, "p": 3, "b": 3, "e": 2}
    assert quiz["mods"][2] == {"a": 2, "q": 1, "s": 5, "x": 123456789, "b": 5, "r": 0, "l": None}
    assert scenario["mods"][1] == {"n": 1, "f": 3, "p": found.floor, "b": 5, "e": 2}
    assert results["cur"] == 3 and results["mods"][2]["b"] == 10 and results["mods"][2]["r"] == 1
    assert results["mods"][2]["a"] == 3 and results["mods"][1]["e"] == 3
    assert lesson["mods"][0] == {"p": 1, "done": False}


def test_damaged_foreign_or_impossible_data_is_refused(course):
    checked, desk, kc, found, course_json = course
    c = checked.course

    def data(cur, settled, field, badges=0):
        return state.suspend_data(c, cur, settled, field, badges)

    good = data(1, "", state.scenario_field(0, 0, 0, None, None))
    key, checksum, body = good.split("|")
    refused = {
        "another course's key": f"zzzzzz|{checksum}|{body}",
        "a checksum that does not match": f"{key}|{state.b36(int(checksum, 36) ^ 1)}|{body}",
        "running points below the floor": data(1, "", state.scenario_field(1, 1, found.floor - 1, None, None)),
        "a best score above the maximum": data(1, "", state.scenario_field(0, 0, 0, found.max_points + 1, 2)),
        "a best score without its ending": data(1, "", state.scenario_field(0, 0, 0, 5, None)),
        "a settled scenario ending on a node that is no ending": data(2, state.settle_scenario(desk, 5, 5, 1),
                                                                      state.quiz_field(1, 0, 0, 1, None, False, None)),
        "a failed quiz left with attempts to spare": data(3, state.settle_scenario(desk, 5, 5, 2)
                                                          + state.settle_quiz(kc, 5, False, 2), None),
        "a flag the scenario does not have": data(1, "", state.scenario_field(0, 4, 0, None, None)),
        "a field too many": data(1, "", state.scenario_field(0, 0, 0, None, None) + "_0"),
        "a badge the course does not have": data(1, "", state.scenario_field(0, 0, 0, None, None), badges=1),
        "a module beyond the course": data(4, "", None),
    }
    results = decoded(course_json, good, *refused.values())
    assert results[0] is not None, "the well-formed data must be read"
    assert {what: got for what, got in zip(refused, results[1:]) if got is not None} == {}


def test_the_longest_data_the_runtime_can_hold_is_the_computed_worst_case(course):
    """The scenario in progress with every number at its widest: last node, all flags, the
    running total at whichever of floor and ceiling is wider, best at the maximum."""
    checked, desk, kc, found, course_json = course
    widest = found.floor if len(state.b36(found.floor)) >= len(state.b36(found.ceiling)) else found.ceiling
    # The learner in the scenario; the quiz after it, in full, is longer still: check both.
    in_desk = state.suspend_data(checked.course, 1, "", state.scenario_field(len(desk.nodes) - 1, 3, widest,
                                                                            found.max_points, len(desk.nodes) - 1))
    in_quiz = state.suspend_data(checked.course, 2, state.settle_scenario(desk, found.max_points, found.max_points, 3),
                                 state.quiz_field(3, 1, 10, 4294967295, 10, True, 7))
    worst = state.worst_case(checked.course, checked.analyses)
    # The key and checksum are counted at their longest (6 and 7 characters); the body exactly.
    bodies = [data.split("|")[2] for data in (in_desk, in_quiz)]
    assert max(len(b) for b in bodies) == worst.total - (state.KEY_DIGITS + 1 + state.CHECKSUM_DIGITS + 1)
    assert None not in decoded(course_json, in_desk, in_quiz)
    # Here the running total can fall to the floor, -5 ("-5"), wider than the maximum, 5: the
    # running total, not the maximum, sets that field's width.
    assert (found.floor, found.max_points) == (-5, 5)
