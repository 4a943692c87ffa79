"""Regenerate the learner-side screenshots of the README from the built flagship course:

    .venv/bin/python docs/images/make_course_screenshots.py

scenario-node.png   a scenario node with dialogue and choices
points-toast.png    the moment a badge is earned: the toast and the updated counter
badge-shelf.png     the badge shelf, opened from the header
results.png         the results page at the end of the best path
certificate.png     the printable certificate
phone-node.png      a scenario node on a 360 px wide phone
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

from generator import build  # noqa: E402
from generator.walks import lms, plan  # noqa: E402
from generator.walks.walker import Walker, in_page_script  # noqa: E402

COURSE = REPO / "course" / "course.yaml"


def play(page, steps) -> None:
    """Play some of a walk's steps through the public test hooks."""
    script = in_page_script()
    outcome = page.evaluate(script, {"steps": [s.js for s in steps], "timeout": 10_000})
    assert outcome["ok"], outcome


def main() -> None:
    checked = build.check(COURSE)
    best = plan.walks(checked.course, checked.analyses)[0]
    walker = Walker(checked, best, "web", REPO)
    steps = walker.steps
    first_choice = next(i for i, s in enumerate(steps) if s.js["op"] == "choose" and s.module == "incident-response")
    first_badge = next(i for i, s in enumerate(steps) if s.js["op"] == "ending" and s.module == "incident-response")
    with tempfile.TemporaryDirectory() as temp, sync_playwright() as playwright:
        built = build.build(COURSE, ("web",), temp)
        index = (built.outputs[0] / "index.html").as_uri()
        browser = lms.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 860}, reduced_motion="reduce")
        page.goto(index)
        page.wait_for_selector("[data-view]")
        page.evaluate("document.querySelectorAll('[data-notice] [data-action=dismiss]').forEach(b => b.click())")
        play(page, steps[:first_choice])
        page.wait_for_function("() => !document.querySelector('[data-toast]')", timeout=15_000)
        page.screenshot(path=str(HERE / "scenario-node.png"))
        play(page, steps[first_choice:first_badge + 1])
        page.wait_for_selector("[data-toast]")
        page.screenshot(path=str(HERE / "points-toast.png"))
        play(page, steps[first_badge + 1:])
        page.wait_for_timeout(5200)  # let the last toasts fade
        page.screenshot(path=str(HERE / "results.png"), full_page=True)
        page.click('[data-action="shelf"]')
        page.screenshot(path=str(HERE / "badge-shelf.png"))
        page.keyboard.press("Escape")
        page.click('[data-action="certificate"]')
        page.screenshot(path=str(HERE / "certificate.png"))
        phone = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                 reduced_motion="reduce")
        phone.goto(index)
        phone.wait_for_selector("[data-view]")
        phone.evaluate("document.querySelectorAll('[data-notice] [data-action=dismiss]').forEach(b => b.click())")
        play(phone, steps[:first_choice])
        phone.screenshot(path=str(HERE / "phone-node.png"))
        browser.close()


if __name__ == "__main__":
    main()
