"""Attestations (addition to v1): a lesson whose last page asks the learner to confirm a
statement. Recorded as its own interaction with its time, required for completion unless
`required: false`, and shown on the results and the certificate."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from repo import REPO

from generator import build
from generator.package import render
from generator.walks import plan, runner
from generator.walks.walker import Walker
from views import Keyboard, launch, served_packages

COURSE = REPO / "tests" / "fixtures" / "courses" / "attestation"


@pytest.fixture(scope="module")
def checked():
    return build.check(COURSE)


def test_the_statement_and_whether_it_is_required_are_read(checked):
    start, _, policy = checked.course.modules
    assert (start.attest, start.required) == ("I am taking this course myself, not on someone else's behalf.", False)
    assert (policy.attest, policy.required, policy.attest_location.line) == (
        "I have read and understood the social media policy, and I will follow it.", True, 5)
    data = render.render(checked.course, checked.analyses).course_json
    assert data["modules"][2]["attest"] == {"text": policy.attest, "html": policy.attest, "required": True}
    assert "attest" not in data["modules"][1]


def test_required_without_a_statement_is_an_error_at_its_key(tmp_path):
    (tmp_path / "course.yaml").write_text("id: t\ntitle: T\nversion: 1.0.0\nmodules: [l.md]\n", encoding="utf-8")
    (tmp_path / "l.md").write_text("---\nid: l\ntitle: L\nkind: lesson\nrequired: true\n---\n\n# Page\nText.\n",
                                   encoding="utf-8")
    with pytest.raises(Exception) as raised:
        build.check(tmp_path)
    lines = raised.value.diagnostics.render(cwd=tmp_path)
    assert lines[0] == 'l.md:5:1: error: "required" belongs to an attestation: add attest: with the statement the ' \
                       "learner confirms, or remove required:"


def test_every_walk_confirms_the_required_statement_and_records_it_in_both_versions(tmp_path):
    report = runner.run(COURSE, ("scorm12", "scorm2004"), workers=2, artifacts=tmp_path)
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    for result in report.results:
        found = result.lms["interactions"]
        records = [found[k] for k in sorted((k for k in found if k.isdigit()), key=int)]
        policy = [r for r in records if r["id"] == "policy__attest"]
        assert len(policy) == 1, result.walk
        v12 = result.fmt == "scorm12"
        assert policy[0]["type"] == "true-false" and policy[0]["result"] == "correct"
        # Its own moment: 1.2 keeps the time of day, 2004 the full timestamp.
        if v12:
            assert re.fullmatch(r"\d\d:\d\d:\d\d", policy[0]["time"]) and policy[0]["student_response"] == "t"
        else:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", policy[0]["timestamp"])
            assert policy[0]["learner_response"] == "true"
            assert policy[0]["description"].startswith("I have read and understood")
    declined = {r.walk for r in report.results if any(
        i.get("id") == "start__attest" and i.get("result") == "neutral" for i in r.lms["interactions"].values()
        if isinstance(i, dict))}
    assert declined, "no walk declines the statement that is not required"


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    with served_packages(COURSE, ("scorm12", "scorm2004"), tmp_path_factory.mktemp("attest")) as served:
        yield served


def cmi(page) -> dict:
    page.evaluate("lms.unload()")
    return page.evaluate("lms.cmi()")["cmi"]


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_a_walk_that_does_not_confirm_leaves_the_course_incomplete(fmt, host, checked):
    modules = checked.course.modules
    best = plan.walks(checked.course, checked.analyses)[0]
    skipping = plan.Walk("skips the statement", best.plays[:2] + [plan.LessonPlay(len(modules[2].pages), False)])
    walker = Walker(checked, skipping, fmt, Path.cwd())
    walker.steps = walker.steps[:-1]  # no results: the learner never gets past the statement
    page, frame, errors = launch(host, fmt, reduced_motion="reduce")
    walker.play(frame)
    assert frame.get_attribute("[data-view]", "data-view") == "lesson"
    assert "tick the box" in frame.inner_text(".attest .err").lower()
    data = cmi(page)
    status = data["core"]["lesson_status"] if fmt == "scorm12" else data["completion_status"]
    assert status == "incomplete"
    ids = [i["id"] for k, i in sorted(data["interactions"].items()) if k.isdigit()]
    assert "policy__attest" not in ids and "check__q-desk" in ids
    assert errors == []


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_the_results_and_the_certificate_show_the_confirmation(fmt, host, checked):
    best = plan.walks(checked.course, checked.analyses)[0]
    page, frame, errors = launch(host, fmt, reduced_motion="reduce")
    Keyboard(page, frame).play(Walker(checked, best, fmt, Path.cwd()))  # the keyboard alone, the box with Space
    rows = frame.inner_text("[data-view=results] table")
    assert re.search(r"The social media policy\s.*Confirmed on", rows)
    frame.click('[data-action="certificate"]')
    text = frame.inner_text("[data-view=certificate]")
    assert "Confirmed on" in text and "I have read and understood the social media policy" in text
    data = cmi(page)
    assert (data["core"]["lesson_status"] if fmt == "scorm12" else data["success_status"]) == "passed"
    assert errors == []


def test_the_runtime_refuses_a_required_statement_left_unconfirmed(checked):
    import runtime_node
    from generator.check import state
    course = checked.course
    data = render.render(course, checked.analyses).course_json
    start, quiz, policy = course.modules
    settled = state.settle_lesson(start, None) + state.settle_quiz(quiz, 2, True, 1)
    confirmed = state.suspend_data(course, 3, settled + state.settle_lesson(policy, 29409120), None)
    unconfirmed = state.suspend_data(course, 3, settled + state.settle_lesson(policy, None), None)
    back, refused = [r["state"] for r in runtime_node.run([{"course": data, "decode": d}
                                                          for d in (confirmed, unconfirmed)])]
    assert back["mods"][2]["c"] == 29409120 and back["mods"][0]["c"] is None
    assert refused is None
