"""Regenerate the learner-side screenshots of the README from the built flagship course:

    .venv/bin/python docs/images/make_course_screenshots.py

cover.png           the cover: description, objectives, time, what passing needs
scenario-node.png   a scenario node with portraits beside the dialogue, and shuffled choices
consequence.png     the moment after a choice: what was chosen, what came of it, the points
ending-review.png   an ending reviewing the attempt's decisions, naming the better move
badge-earned.png    a badge shown where it was earned, at the top of the ending
results-failed.png  the results of a course not passed: Replay and Review and retake
menu.png            the course menu: each module's state, reading a lesson again
results.png         the results page once passed
badge-shelf.png     the badge shelf, opened from the header
certificate.png     the printable certificate
phone-node.png      the first scene on a 360 x 740 phone, under the "not reported" notice
theme-light.png     the sequencing question in Kestrel's theme, light scheme
theme-dark.png      the same question in the dark scheme (the learner's system prefers dark)
matching-dark.png   the matching question, dark scheme
attestation.png     the policy's last page: the statement to confirm
de-consequence.png  the German course: the moment after a choice, the player's words in German
ar-node.png         the Arabic course, right to left: a scene with its dialogue and choices
ar-results.png      the Arabic course: the results of a course not passed, on a 360 x 740 phone
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
# Fixed seeds, so the shuffled choices come out the same on every run.
SEEDED = "(() => { let n = 7; crypto.getRandomValues = (a) => { a[0] = n++; return a; }; })()"


def play(page, steps) -> None:
    """Play some of a walk's steps through the public test hooks."""
    outcome = page.evaluate(in_page_script(), {"steps": [s.js for s in steps], "timeout": 10_000})
    assert outcome["ok"], outcome


def index_of(steps, op: str, module: str | None = None, start: int = 0) -> int:
    return next(i for i, s in enumerate(steps) if i >= start and s.js["op"] == op and (module is None or s.module == module))


def main() -> None:
    checked = build.check(COURSE)
    walks = {w.role: w for w in plan.walks(checked.course, checked.analyses)}
    recovery = Walker(checked, walks["fail, then recover"], "web", REPO).steps
    with tempfile.TemporaryDirectory() as temp, sync_playwright() as playwright:
        built = build.build(COURSE, ("web",), temp)
        index = (built.outputs[0] / "index.html").as_uri()
        browser = lms.launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1100, "height": 860}, reduced_motion="reduce")
        page.add_init_script(SEEDED)
        page.goto(index)
        page.wait_for_selector("[data-view]")
        page.evaluate("document.querySelectorAll('[data-notice] [data-action=dismiss]').forEach(b => b.click())")
        page.screenshot(path=str(HERE / "cover.png"))

        # The failing walk: the first scene, its consequence, a reviewed ending.
        first = index_of(recovery, "choose")
        play(page, recovery[:first])
        page.screenshot(path=str(HERE / "scenario-node.png"))
        play(page, recovery[first:first + 1])
        page.screenshot(path=str(HERE / "consequence.png"))
        ending = index_of(recovery, "ending", "home-office")
        play(page, recovery[first + 1:ending])
        page.screenshot(path=str(HERE / "ending-review.png"), full_page=True)
        results = index_of(recovery, "results")
        play(page, recovery[ending:results])
        page.screenshot(path=str(HERE / "results-failed.png"), full_page=True)
        page.click('[data-action="menu"]')
        page.screenshot(path=str(HERE / "menu.png"))
        page.keyboard.press("Escape")

        # Back from the results; the first replay that earns a badge shows it where it is earned.
        step = results
        while True:
            following = index_of(recovery, "ending", start=step + 1)
            play(page, recovery[step:following])
            if page.query_selector("[data-view] .moment .earned"):
                page.screenshot(path=str(HERE / "badge-earned.png"))
                break
            step = following
        play(page, recovery[following:])
        page.screenshot(path=str(HERE / "results.png"), full_page=True)
        page.click('[data-action="shelf"]')
        page.screenshot(path=str(HERE / "badge-shelf.png"))
        page.keyboard.press("Escape")
        page.click('[data-action="certificate"]')
        page.screenshot(path=str(HERE / "certificate.png"))

        phone = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                 reduced_motion="reduce")
        phone.add_init_script(SEEDED)
        phone.goto(index)
        phone.wait_for_selector("[data-view]")
        play(phone, recovery[:first])
        phone.screenshot(path=str(HERE / "phone-node.png"))
        question_types(browser, index, Walker(checked, walks["best"], "web", REPO).steps)
        translations(browser, recovery, first, results, Path(temp))
        browser.close()


def question_types(browser, index: str, steps) -> None:
    """The final check's sequencing and matching questions in both schemes, and the attestation."""
    page = browser.new_page(viewport={"width": 1100, "height": 860}, reduced_motion="reduce")
    page.add_init_script(SEEDED)
    page.goto(index)
    page.wait_for_selector("[data-view]")
    page.evaluate("document.querySelectorAll('[data-notice] [data-action=dismiss]').forEach(b => b.click())")
    at = index_of(steps, "question", "final-check")
    play(page, steps[:at])
    shots = {"fc-first-hour": (("light", "theme-light.png"), ("dark", "theme-dark.png")),
             "fc-where-to-report": (("dark", "matching-dark.png"),)}
    while steps[at].js["op"] == "question":
        if page.get_attribute("[data-view]", "data-view") == "feedback":
            page.click("[data-action=next]")
        page.wait_for_selector("[data-view=question]")
        shown = page.get_attribute("[data-view]", "data-question")
        for scheme, name in shots.get(shown, ()):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=str(HERE / name), full_page=True)
        page.emulate_media(color_scheme="light")
        play(page, steps[at:at + 1])
        at += 1
    last = max(i for i, s in enumerate(steps) if s.js["op"] == "page" and s.module == "our-policy")
    play(page, steps[at:last])
    page.screenshot(path=str(HERE / "attestation.png"), full_page=True)


def translations(browser, recovery, first: int, results: int, temp: Path) -> None:
    """The German and Arabic courses, built from the flagship's catalogues (docs/translation.md)."""
    built = build.build(COURSE, ("web",), temp / "translated", ["de", "ar"])
    index = {path.name.split("-")[-3]: (path / "index.html").as_uri() for path in built.outputs}

    def opened(tag: str, width: int, height: int, scale: int = 1):
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                reduced_motion="reduce")
        page.add_init_script(SEEDED)
        page.goto(index[tag])
        page.wait_for_selector("[data-view]")
        page.evaluate("document.querySelectorAll('[data-notice] [data-action=dismiss]').forEach(b => b.click())")
        return page

    german = opened("de", 1100, 860)
    play(german, recovery[:first + 1])
    german.screenshot(path=str(HERE / "de-consequence.png"))
    arabic = opened("ar", 1100, 860)
    play(arabic, recovery[:first])
    arabic.screenshot(path=str(HERE / "ar-node.png"))
    phone = opened("ar", 360, 740, 2)
    play(phone, recovery[:results])
    phone.screenshot(path=str(HERE / "ar-results.png"))


if __name__ == "__main__":
    main()
