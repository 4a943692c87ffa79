"""Walks through tests/fixtures/runtime/sample-course.json and what the LMS must hold after
each (the contract's "What the LMS receives"), shared by the browser tests.

The sample course: lesson "intro" (2 pages); scenario "whiteboard" (max 11; flags careful,
warned; start -> check -> start is a cycle worth 0; check's choice 2 needs `warned`; endings
lobby good, posted bad, cropped neutral); quiz "knowledge" (25 points, pass mark 60, 2 attempts);
badges "careful" (good outcome) and "ace" (percent >= 90). Course pass mark 60, max 36.
"""

from __future__ import annotations

from .lmshost import NEXT, REPLAY, answer, choose, interactions, objectives

LESSON = [NEXT, NEXT]

# Perfect: the cycle start -> check -> start sets `warned`, unlocking check's `if` choice (+6).
WALK_PERFECT = LESSON + [
    choose(1), choose(0), choose(1), choose(2), NEXT,
    answer("q-single", 1), NEXT, answer("q-multi", 0, 1), NEXT, answer("q-tf", 0), NEXT,
]
# Bad ending (-5, floored to 0), replay to the neutral ending (7); quiz failed, then passed on the retake.
WALK_RETAKE = LESSON + [
    choose(2), REPLAY, choose(1), choose(1), choose(0), NEXT,
    answer("q-single", 0), NEXT, answer("q-multi", 0), NEXT, answer("q-tf", 1), NEXT,
    answer("q-single", 0), NEXT, answer("q-multi", 0, 1), NEXT, answer("q-tf", 0), NEXT,
]
# Quiz failed on both attempts: completed but failed.
WALK_FAIL = LESSON + [
    choose(2), NEXT,
    answer("q-single", 0), NEXT, answer("q-multi", 2), NEXT, answer("q-tf", 1), NEXT,
    answer("q-single", 2), NEXT, answer("q-multi", 0), NEXT, answer("q-tf", 1), NEXT,
]

# (id, type, response, result, weighting or None, correct pattern); responses as the contract's neutral values.
# SCORM 2004 records a scenario play as one "other" interaction, its path "node.choice,…,ending"
# (docs/course-json.md): `records_2004` are those, in place of the scenario's records of `records`.
SC = "whiteboard__"
QZ = "knowledge__"
EXPECTED = {
    "perfect": dict(percent=100, passed=True, badges={"careful", "ace"}, walk=WALK_PERFECT, records_2004=[
        (SC + "path", "other", "start.1,check.0,start.1,check.2,lobby", "correct", None, None),
    ], records=[
        (SC + "start", "choice", [1], "correct", 5, None),
        (SC + "check", "choice", [0], "wrong", -5, None),
        (SC + "start", "choice", [1], "correct", 5, None),
        (SC + "check", "choice", [2], "correct", 6, None),
        (SC + "ending", "fill-in", "lobby", "correct", None, None),
        (QZ + "q-single", "choice", [1], "correct", 10, [1]),
        (QZ + "q-multi", "choice", [0, 1], "correct", 10, [0, 1]),
        (QZ + "q-tf", "true-false", True, "correct", 5, True),
    ]),
    "retake": dict(percent=61, passed=True, badges=set(), walk=WALK_RETAKE, records_2004=[
        (SC + "path", "other", "start.2,posted", "wrong", None, None),
        (SC + "path", "other", "start.1,check.1,ask.0,cropped", "neutral", None, None),
    ], records=[
        (SC + "start", "choice", [2], "wrong", -5, None),
        (SC + "ending", "fill-in", "posted", "wrong", None, None),
        (SC + "start", "choice", [1], "correct", 5, None),
        (SC + "check", "choice", [1], "neutral", 0, None),
        (SC + "ask", "choice", [0], "correct", 2, None),
        (SC + "ending", "fill-in", "cropped", "neutral", None, None),
        (QZ + "q-single", "choice", [0], "wrong", 10, [1]),
        (QZ + "q-multi", "choice", [0], "wrong", 10, [0, 1]),
        (QZ + "q-tf", "true-false", False, "wrong", 5, True),
        (QZ + "q-single", "choice", [0], "wrong", 10, [1]),
        (QZ + "q-multi", "choice", [0, 1], "correct", 10, [0, 1]),
        (QZ + "q-tf", "true-false", True, "correct", 5, True),
    ]),
    "fail": dict(percent=0, passed=False, badges=set(), walk=WALK_FAIL, records_2004=[
        (SC + "path", "other", "start.2,posted", "wrong", None, None),
    ], records=[
        (SC + "start", "choice", [2], "wrong", -5, None),
        (SC + "ending", "fill-in", "posted", "wrong", None, None),
        (QZ + "q-single", "choice", [0], "wrong", 10, [1]),
        (QZ + "q-multi", "choice", [2], "wrong", 10, [0, 1]),
        (QZ + "q-tf", "true-false", False, "wrong", 5, True),
        (QZ + "q-single", "choice", [2], "wrong", 10, [1]),
        (QZ + "q-multi", "choice", [0], "wrong", 10, [0, 1]),
        (QZ + "q-tf", "true-false", False, "wrong", 5, True),
    ]),
}


def lms_value(version: str, kind: str, value) -> str:
    """A neutral response/pattern in the version's format (contract, 'What the LMS receives')."""
    if kind == "true-false":
        return ("t" if value else "f") if version == "1.2" else ("true" if value else "false")
    if kind in ("fill-in", "other"):
        return value
    return ("," if version == "1.2" else "[,]").join(format(n, "x") for n in value)


def assert_final_data(data: dict, version: str, expected: dict) -> None:
    pct, passed = expected["percent"], expected["passed"]
    if version == "1.2":
        core = data["core"]
        assert core["lesson_status"] == ("passed" if passed else "failed")
        assert (core["score"]["raw"], core["score"]["min"], core["score"]["max"]) == (str(pct), "0", "100")
        assert core["exit"] == ""
        assert core["lesson_location"] == "knowledge"
        assert len(data["suspend_data"]) <= 4096
    else:
        assert data["completion_status"] == "completed"
        assert data["success_status"] == ("passed" if passed else "failed")
        assert (data["score"]["raw"], data["score"]["min"], data["score"]["max"]) == (str(pct), "0", "100")
        assert float(data["score"]["scaled"]) == pct / 100
        assert data["exit"] == "normal"
        assert data["location"] == "knowledge"

    got = interactions(data)
    want = expected["records"]
    if version == "2004":
        want = expected["records_2004"] + [r for r in want if not r[0].startswith(SC)]
    assert [i["id"] for i in got] == [r[0] for r in want]
    for i, (iid, kind, resp, result, weight, pattern) in zip(got, want):
        assert i["type"] == kind, iid
        assert i["student_response" if version == "1.2" else "learner_response"] == lms_value(version, kind, resp), iid
        assert i["result"] == (result if version == "1.2" or result != "wrong" else "incorrect"), iid
        if weight is None or version == "2004":  # an ending has no points at stake; 2004 records none
            assert i.get("weighting", "") == "", iid
        else:
            assert float(i["weighting"]) == weight, iid
        patterns = i.get("correct_responses") or {}
        if pattern is None:
            assert not patterns, iid
        else:
            assert patterns["0"]["pattern"] == lms_value(version, kind, pattern), iid
        if version == "1.2":
            assert i["time"], iid
        else:  # 2004 players post the whole record on every write: no time, no description
            assert not i.get("timestamp") and not i.get("description"), iid

    objs = {o["id"]: o for o in objectives(data)}
    assert set(objs) == {"careful", "ace"}
    for bid, o in objs.items():
        earned = bid in expected["badges"]
        if version == "1.2":
            assert o["status"] == ("passed" if earned else "incomplete"), bid
        else:
            assert o["success_status"] == ("passed" if earned else "unknown"), bid
            if earned:
                assert o["completion_status"] == "completed", bid
