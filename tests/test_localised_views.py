"""The flagship in other languages, in Chromium: the pseudo-locale shows no hard-coded word on
any kind of view; the Arabic course is laid out right to left, axe finds no WCAG violation on
any kind of view, and the keyboard alone completes it; German hyphenates. (On a 320 px phone:
tests/test_phone_layout.py.)

The pseudo-locale qps-ploc accents every letter of every translated text (translate/pseudo.py)
and of every word of the player (translate/ui.py), so a visible ASCII letter is a string that
did not go through a catalogue: it is named, with the kind of view it is on.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from repo import REPO
from views import Keyboard, axe_violations_on_every_kind_of_view, every_kind_of_view, launch, served

from generator import build
from generator.walks import plan, runner
from generator.walks.walker import Walker

FLAGSHIP = REPO / "course" / "course.yaml"

# Every visible text node and the words of aria-label, alt and title attributes that still hold
# an ASCII letter. Code is never translated; <time> is written by the browser's own date
# formats; the learner's name is the LMS's.
HARD_CODED = """() => {
  const exempt = 'code, kbd, pre, time, .certificate .name bdi';
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    if (!/[A-Za-z]/.test(t.data) || el.closest(exempt)) continue;
    if (!el.checkVisibility() && !el.closest('.sr-only')) continue;
    found.push(t.data.trim());
  }
  for (const el of document.querySelectorAll('[aria-label], img[alt], [title]')) {
    if (!el.checkVisibility() && !el.closest('.sr-only')) continue;
    for (const name of ['aria-label', 'alt', 'title'])
      if (/[A-Za-z]/.test(el.getAttribute(name) || '')) found.push(name + '="' + el.getAttribute(name) + '"');
  }
  return found;
}"""


@pytest.fixture(scope="module")
def flagship():
    checked = build.check(FLAGSHIP)
    return checked, plan.walks(checked.course, checked.analyses)


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    """The flagship's SCORM 2004 package in Arabic, German and the pseudo-locale; yields (url, browser)."""
    mounts = {}
    for tag in ("ar", "de", "qps-ploc"):
        packages = runner.unpacked(FLAGSHIP, ("scorm2004",), tmp_path_factory.mktemp(tag), language=tag)
        mounts[f"/pkg/{tag}/"] = packages["scorm2004"]
    with served(mounts) as host:
        yield host


def test_the_pseudo_locale_shows_no_hard_coded_word_on_any_kind_of_view(host, flagship):
    checked, walks = flagship
    page, frame, errors = launch(host, "qps-ploc", reduced_motion="reduce")
    assert frame.evaluate("document.documentElement.lang") == "qps-ploc"
    found = every_kind_of_view(page, frame, checked, walks, lambda kind: frame.evaluate(HARD_CODED))
    hard_coded = {kind: words for kind, words in found.items() if words}
    assert hard_coded == {}, hard_coded
    assert errors == []


def test_the_hard_coded_word_check_names_a_word_the_player_writes_itself(host, flagship):
    checked, walks = flagship
    page, frame, errors = launch(host, "qps-ploc", reduced_motion="reduce")
    # As a player that forgot one word would show it: the check must name it.
    frame.evaluate("document.querySelector('[data-action=next]').textContent = 'Start the course'")
    assert frame.evaluate(HARD_CODED) == ["Start the course"]


def test_the_arabic_course_is_laid_out_right_to_left(host):
    url, browser = host
    page = browser.new_page(viewport={"width": 800, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/pkg/ar/index.html")  # without an LMS: the "not reported" notice is shown
    page.wait_for_selector("[data-view=cover]")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    box = lambda selector: page.evaluate(  # noqa: E731
        "(s) => { const b = document.querySelector(s).getBoundingClientRect(); return [b.left, b.right]; }", selector)
    menu, shelf = box('[data-action="menu"]'), box('[data-action="shelf"]')
    assert menu[0] > shelf[1], (menu, shelf)  # the row starts on the right: the menu first, the badges last
    bar = page.evaluate("(() => { const s = getComputedStyle(document.querySelector('.notice'));"
                        " return [s.borderRightWidth, s.borderLeftWidth]; })()")
    assert bar == ["6px", "1px"]  # the notice's bar stands at the start of the line: on the right
    dismiss, notice = box('[data-action="dismiss"]'), box(".notice")
    assert dismiss[1] < (notice[0] + notice[1]) / 2  # and its close button at the end: on the left
    # The Arabic face from fonts-noto-ui-core (scripts/setup.sh), not a fallback without Arabic.
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans Arabic UI"')
    assert errors == []
    page.close()


def test_german_text_hyphenates_by_the_pages_language_and_code_never_does(host):
    url, browser = host
    page = browser.new_page(viewport={"width": 320, "height": 640})
    page.goto(f"{url}/pkg/de/index.html")
    page.wait_for_selector("[data-view=cover]")
    page.click('[data-action="next"]')
    page.wait_for_selector("[data-view=lesson]")
    style = "(s) => [...document.querySelectorAll(s)].map((e) => [e.closest('[lang]').lang, getComputedStyle(e).hyphens])"
    assert set(map(tuple, page.evaluate(style, "[data-view] .content p, [data-view] h1"))) == {("de", "auto")}
    page.set_content("<html lang=de><body><code>Vertraulichkeitsvereinbarung</code></body></html>")
    page.add_style_tag(url=f"{url}/pkg/de/runtime/style.css")
    assert page.evaluate(style, "code") == [["de", "manual"]]
    page.close()


def test_axe_finds_no_violation_on_any_kind_of_view_of_the_arabic_course(host, flagship):
    checked, walks = flagship
    violations, errors = axe_violations_on_every_kind_of_view(host, "ar", checked, walks)
    assert violations == {}, violations
    assert errors == []


def test_the_arabic_course_can_be_completed_with_the_keyboard_alone(host, flagship):
    checked, walks = flagship
    best = walks[0]
    page, frame, errors = launch(host, "ar", reduced_motion="reduce")
    Keyboard(page, frame).play(Walker(checked, best, "scorm2004", Path.cwd()))
    assert frame.get_attribute("[data-view]", "data-view") == "results"
    assert int(frame.get_attribute("[data-percent]", "data-percent")) == best.expected.percent == 100
    page.evaluate("lms.unload()")
    assert float(page.evaluate("lms.cmi()")["cmi"]["score"]["raw"]) == 100
    assert errors == []


def test_the_stylesheet_speaks_of_start_and_end_never_of_left_and_right():
    # Physical sides do not mirror in a right-to-left page; logical ones do (margin-inline-start…).
    css = (REPO / "generator" / "package" / "runtime" / "style.css").read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    physical = re.findall(r"[\w-]*(?:left|right)[\w-]*\s*:[^;}]*|:\s*(?:left|right)\b[^;}]*", css)
    assert physical == [], physical
