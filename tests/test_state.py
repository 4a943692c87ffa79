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
    in_scenario = state.suspend_data(c, 1, "", state.scenario_field(1, 3, found.floor, 5, 2, 42,
                                                                    state.path_text(desk, [1])))
    at_results = state.suspend_data(c, 3, state.settle_scenario(desk, found.max_points, 0, 3)
                                    + state.settle_quiz(kc, 10, True, 3), None)
    reading = state.suspend_data(c, 0, "", state.lesson_field(1, False))
    quiz, scenario, results, lesson = decoded(course_json, in_quiz, in_scenario, at_results, reading)
    assert quiz["cur"] == 2 and quiz["mods"][1] == {"n": 2, "f": 0, "p": 3, "b": 3, "e": 2, "x": 0, "h": [],
                                                    "more": False}
    assert quiz["mods"][2] == {"a": 2, "q": 1, "s": 5, "x": 123456789, "b": 5, "r": 0, "l": None, "t": 0}
    assert scenario["mods"][1] == {"n": 1, "f": 3, "p": found.floor, "b": 5, "e": 2, "x": 42, "h": [1],
                                   "more": False}
    assert results["cur"] == 3 and results["mods"][2]["b"] == 10 and results["mods"][2]["r"] == 1
    assert results["mods"][2]["a"] == 3 and results["mods"][1]["e"] == 3
    assert lesson["mods"][0] == {"p": 1, "done": False, "c": None}  # c: an attestation's moment, none here


def test_damaged_foreign_or_impossible_data_is_refused(course):
    checked, desk, kc, found, course_json = course
    c = checked.course

    def data(cur, settled, field, badges=0):
        return state.suspend_data(c, cur, settled, field, badges)

    good = data(1, "", state.scenario_field(0, 0, 0, None, None, 7))
    key, checksum, body = good.split("|")
    refused = {
        "another course's key": f"zzzzzz|{checksum}|{body}",
        "a checksum that does not match": f"{key}|{state.b36(int(checksum, 36) ^ 1)}|{body}",
        "running points below the floor": data(1, "", state.scenario_field(1, 1, found.floor - 1, None, None, 7)),
        "a best score above the maximum": data(1, "", state.scenario_field(0, 0, 0, found.max_points + 1, 2, 7)),
        "a best score without its ending": data(1, "", state.scenario_field(0, 0, 0, 5, None, 7)),
        "no seed for a scenario that shuffles": data(1, "", state.scenario_field(0, 0, 0, None, None)),
        "a path that leads elsewhere": data(1, "", state.scenario_field(0, 0, 0, None, None, 7, "1")),
        "a path through a choice that is not there": data(1, "", state.scenario_field(1, 0, 0, None, None, 7, "12")),
        "a path cut short without its mark": data(1, "", state.scenario_field(0, 0, 0, None, None, 7, "10" * 20 + "1")),
        "a lesson gone back to from the results": state.suspend_data(
            c, 0, state.settle_scenario(desk, 5, 5, 2) + state.settle_quiz(kc, 10, True, 1), state.lesson_field(0, False),
            back=True),
        "a settled scenario ending on a node that is no ending": data(2, state.settle_scenario(desk, 5, 5, 1),
                                                                      state.quiz_field(1, 0, 0, 1, None, False, None)),
        "a failed quiz left with attempts to spare": data(3, state.settle_scenario(desk, 5, 5, 2)
                                                          + state.settle_quiz(kc, 5, False, 2), None),
        "a flag the scenario does not have": data(1, "", state.scenario_field(0, 4, 0, None, None, 7)),
        "a field too many": data(1, "", state.scenario_field(0, 0, 0, None, None, 7) + "_0"),
        "a badge the course does not have": data(1, "", state.scenario_field(0, 0, 0, None, None, 7), badges=1),
        "a module beyond the course": data(4, "", None),
    }
    results = decoded(course_json, good, *refused.values())
    assert results[0] is not None, "the well-formed data must be read"
    assert {what: got for what, got in zip(refused, results[1:]) if got is not None} == {}


def test_the_longest_data_the_runtime_can_hold_is_the_computed_worst_case(course):
    """The scenario in progress with every number at its widest: last node, all flags, the
    running total at whichever of floor and ceiling is wider, best at the maximum, the widest
    seed, and the path at its longest (the loop start -> risk -> start walked round past 40
    choices, so cut there and marked)."""
    checked, desk, kc, found, course_json = course
    c = checked.course
    widest = found.floor if len(state.b36(found.floor)) >= len(state.b36(found.ceiling)) else found.ceiling
    loop = state.path_text(desk, [1, 0] * 25)
    assert state.longest_path(desk) > state.PATH_MAX and loop.endswith("+") and len(loop) == state.PATH_MAX + 1
    desk_full = state.scenario_field(len(desk.nodes) - 1, 3, widest, found.max_points, len(desk.nodes) - 1,
                                     4294967295, loop)
    quiz_full = state.quiz_field(3, 1, 10, 4294967295, 10, True, 7)
    settled_desk = state.settle_scenario(desk, found.max_points, found.max_points, 3)
    settled_quiz = state.settle_quiz(kc, 10, False, 3)
    # In the scenario, in the quiz after it, and back in either from the results (every other
    # module settled, "+" after the index): the longest of these is the worst case.
    candidates = [state.suspend_data(c, 1, "", desk_full), state.suspend_data(c, 2, settled_desk, quiz_full),
                  state.suspend_data(c, 1, settled_quiz, desk_full, back=True),
                  state.suspend_data(c, 2, settled_desk, quiz_full, back=True)]
    worst = state.worst_case(c, checked.analyses)
    # The key and checksum are counted at their longest (6 and 7 characters); the body exactly.
    bodies = [data.split("|")[2] for data in candidates]
    assert max(len(b) for b in bodies) == worst.total - (state.KEY_DIGITS + 1 + state.CHECKSUM_DIGITS + 1)
    assert None not in decoded(course_json, *candidates)
    # Here the running total can fall to the floor, -5 ("-5"), wider than the maximum, 5: the
    # running total, not the maximum, sets that field's width.
    assert (found.floor, found.max_points) == (-5, 5)
