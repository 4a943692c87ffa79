"""Accessible to every employee: axe-core finds no WCAG 2.1 A/AA violation on any
kind of view of the flagship course, and the best path can be completed with
the keyboard alone in both SCORM versions (phones: test_phone_layout.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from repo import REPO

from views import Keyboard, axe_violations_on_every_kind_of_view, launch, served_packages

from generator import build
from generator.walks import plan
from generator.walks.walker import Walker

FLAGSHIP = REPO / "course" / "course.yaml"


@pytest.fixture(scope="module")
def flagship():
    checked = build.check(FLAGSHIP)
    return checked, plan.walks(checked.course, checked.analyses)


@pytest.fixture(scope="module")
def host(tmp_path_factory, flagship):
    """The flagship's packages served beside the LMS host; yields (url, browser)."""
    with served_packages(FLAGSHIP, ("scorm12", "scorm2004"), tmp_path_factory.mktemp("a11y")) as served:
        yield served


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_the_best_path_can_be_completed_with_the_keyboard_alone(fmt, host, flagship):
    checked, walks = flagship
    best = walks[0]
    page, frame, errors = launch(host, fmt, reduced_motion="reduce")
    Keyboard(page, frame).play(Walker(checked, best, fmt, Path.cwd()))
    assert int(frame.get_attribute("[data-percent]", "data-percent")) == best.expected.percent == 100
    page.evaluate("lms.unload()")
    data = page.evaluate("lms.cmi()")["cmi"]
    raw = data["core"]["score"]["raw"] if fmt == "scorm12" else data["score"]["raw"]
    assert float(raw) == 100
    assert errors == []


def test_axe_finds_no_wcag_violation_on_any_kind_of_view(host, flagship):
    checked, walks = flagship
    violations, errors = axe_violations_on_every_kind_of_view(host, "scorm2004", checked, walks)
    assert violations == {}, violations
    assert errors == []


def test_a_failed_course_is_passed_from_its_results_with_the_keyboard_alone(host, flagship):
    checked, walks = flagship
    recovered = next(w for w in walks if w.role == "fail, then recover")
    page, frame, errors = launch(host, "scorm2004", reduced_motion="reduce")
    Keyboard(page, frame).play(Walker(checked, recovered, "scorm2004", Path.cwd()))
    assert int(frame.get_attribute("[data-percent]", "data-percent")) == recovered.expected.percent
    assert "Passed" in frame.inner_text(".verdict")
    assert errors == []


def test_the_menu_works_with_the_keyboard_and_rereads_a_lesson(host, flagship):
    checked, walks = flagship
    page, frame, errors = launch(host, "scorm2004", reduced_motion="reduce")
    keyboard = Keyboard(page, frame)
    walker = Walker(checked, walks[0], "scorm2004", Path.cwd())
    first_choice = next(i for i, s in enumerate(walker.steps) if s.js["op"] == "choose")
    walker.steps = walker.steps[:first_choice + 1]
    keyboard.play(walker)
    node = frame.get_attribute("[data-view]", "data-node")
    keyboard.focus('[data-action="menu"]')
    page.keyboard.press("Enter")
    assert frame.evaluate("document.activeElement.id") == "dlg-h"  # the dialog opens at its heading
    keyboard.focus('dialog [data-action="reread"]')
    page.keyboard.press("Enter")
    assert frame.get_attribute("[data-view]", "data-view") == "lesson"
    while frame.get_attribute("[data-view]", "data-view") == "lesson":
        keyboard.press_on('[data-action="next"]')
    assert frame.get_attribute("[data-view]", "data-node") == node  # back where the learner was
    keyboard.focus('[data-action="menu"]')
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    assert frame.evaluate("document.activeElement.dataset.action") == "menu"
    assert errors == []
