""""Fail, then recover" is planned by playing the failing walk once and then each module the
results offer, keeping the course's record as it goes (plan.CourseRecord). Held here against
the plan as first written, as a brute-force oracle: after each module added, the whole walk
predicted afresh and the results asked again what they offer."""
from __future__ import annotations

import sys
import pytest

from repo import REPO

from generator import build
from generator.walks import plan

sys.path.insert(0, str(REPO / "bench"))
import plan_probe  # noqa: E402  the bench's course of many modules, with a badge and a quiz

FIXTURES = REPO / "tests" / "fixtures" / "courses"


def recovered_afresh(course, analyses, failing: plan.Walk, variants) -> plan.Walk | None:
    """The recovery walk, one module at a time, everything predicted and offered again each time."""
    if failing.expected.passed:
        return None
    walk, done = plan.Walk(failing.name, list(failing.plays)), set()
    walk.expected = failing.expected
    while not walk.expected.passed:
        todo = [i for i in plan.offered(course, analyses, walk.expected) if i not in done]
        if not todo:
            break
        done.add(todo[0])
        walk.again.append((todo[0], variants[todo[0]][0]))
        walk.expected = plan.predict(course, analyses, walk)
    return walk if walk.again else None


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The bench's course of 40 scenarios and a quiz, and the same with the quiz first: played
    again first, it leaves the scenarios to lift the score, and the course passes before the
    last of them goes back."""
    return {"many": plan_probe.course(tmp_path_factory.mktemp("many"), 40),
            "quiz first": plan_probe.course(tmp_path_factory.mktemp("quiz-first"), 40, quiz_first=True)}


COURSES = [REPO / "course" / "course.yaml", REPO / "course" / "refresher.yaml", FIXTURES / "quiz-rules",
           FIXTURES / "question-types", FIXTURES / "branching", REPO / "bench" / "small", "many", "quiz first"]


@pytest.mark.parametrize("where", COURSES, ids=["flagship", "refresher", "quiz-rules", "question-types", "branching",
                                                 "bench-small", "many-modules", "many-modules-quiz-first"])
def test_the_recovery_walk_goes_back_and_predicts_as_the_walk_predicted_afresh(where, made):
    checked = build.check(made.get(where, where))
    course, analyses = checked.course, checked.analyses
    walks = plan.walks(course, analyses)
    worst = walks[1] if len(walks) > 1 else walks[0]
    oracle = recovered_afresh(course, analyses, worst, plan.module_variants(course, analyses))
    recovery = next((w for w in walks if w.role == "fail, then recover"), None)
    assert (recovery is None) == (oracle is None)
    if oracle is None:
        return
    assert recovery.again == oracle.again
    assert recovery.expected == oracle.expected == plan.predict(course, analyses, recovery)
    assert recovery.expected.passed
    if where == "many":  # every module below target went back, and the badge came with the points
        assert len(recovery.again) == len(course.modules) and recovery.expected.score == 401
        assert recovery.expected.badges == ["half"] and not worst.expected.badges
    if where == "quiz first":  # 81 points (the quiz's 1 and 2 a scenario), 80 % of 401 is 321: the quiz, then 30 of 40
        assert [course.modules[i].id for i, _ in recovery.again] == ["check"] + [f"s{n}" for n in range(30)]

