"""The flagship on phones: a 320 px wide phone never scrolls sideways, and at 360 x 740 every
view has a header of one row (at most 72 px), tap targets of at least 44 x 44 px, tables
whose words stay whole, the first scene's choices above the fold under the "not reported"
notice, nothing lying over what is pressed, and no button left highlighted by the finger
that tapped the one before it. Each check is shown failing on a build where it is undone."""
from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from repo import REPO

from generator import build
from generator.walks import lms, runner

FLAGSHIP = REPO / "course" / "course.yaml"
PHONE = (360, 740)


def test_no_view_scrolls_sideways_on_a_320_pixel_phone():
    # Every walk of the flagship, each view measured in a 320 x 640 viewport.
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=2, max_paths=0, viewport=(320, 640))
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert len(report.results) >= 2


@pytest.mark.parametrize("language", ["ar", "de"])
def test_no_view_of_the_german_or_arabic_course_scrolls_sideways_on_a_320_pixel_phone(language, tmp_path):
    # The best path and the recovering one (every kind of view), each view measured on a 320 x 740
    # phone with the phone checks: tap targets, a one-row header, no word broken in a table cell.
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=1, viewport=(320, 740), phone=True, language=language,
                        only={"best", "fail, then recover"}, artifacts=tmp_path)
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert {r.role for r in report.results} == {"best", "fail, then recover"}


def test_the_overflow_check_catches_a_view_wider_than_a_phone(tmp_path):
    # The runtime wraps and scrolls long content inside its boxes, so break it on purpose.
    package = runner.unpacked(FLAGSHIP, ("scorm2004",), tmp_path)["scorm2004"]
    with (package / "runtime" / "style.css").open("a") as css:
        css.write("\n[data-view=\"node\"] h1 { min-width: 700px; }\n")
    # The best walk reaches the scenario nodes the planted rule widens; every other walk fails the same way.
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=1, viewport=(320, 640), only={"best"},
                        packages={"scorm2004": package})
    failures = [f for r in report.results for f in r.failures]
    assert failures and all("px viewport: learners on phones would scroll sideways" in f for f in failures)
    assert any('the node "' in f and " view is " in f for f in failures), failures


@pytest.mark.parametrize("lms_present", [True, False], ids=["in an LMS", "standalone, under the notice"])
def test_every_view_of_every_walk_fits_a_360_by_740_phone(lms_present):
    # Standalone (no LMS API at all), the "not reported to a learning system" notice is shown.
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=2, max_paths=0, viewport=PHONE, phone=True,
                        host_params="" if lms_present else "absent=1")
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    # The failing walk goes back from the results: its Replay and Review buttons are measured too.
    assert "fail, then recover" in {r.role for r in report.results}


# Each phone check undone in the built stylesheet, and the words its failure must say.
UNDONE = {
    "header": (".top { padding-bottom: 1.5rem; }", "px high (at most 72)"),
    "tap targets": (".top button, .notice button { min-height: 0; min-width: 0; padding: 0 .25rem; }",
                    "px tap target (at least 44 x 44)"),
    "words in tables": ("body { overflow-wrap: anywhere; } @media (max-width: 479.98px) { table.cards { display: table; } "
                        ".cards thead { display: table-header-group; position: static; width: auto; height: auto; } "
                        ".cards tbody { display: table-row-group; } .cards tr { display: table-row; } "
                        ".cards th, .cards td { display: table-cell; } .content table { display: table; } }",
                        "breaks across lines in a table cell"),
    "first choices below the fold": (".notice { padding: 7rem .75rem; }", "below the fold at 740 px"),
    "a notice over the choices": (".notices { position: fixed; left: 0; right: 0; top: 30%; z-index: 5; } "
                                  ".notice { height: 40vh; }", "is covered by"),
}


@pytest.mark.parametrize("check", sorted(UNDONE))
def test_each_phone_check_fails_where_it_is_undone(tmp_path, check):
    css, says = UNDONE[check]
    package = runner.unpacked(FLAGSHIP, ("scorm2004",), tmp_path)["scorm2004"]
    with (package / "runtime" / "style.css").open("a") as sheet:
        sheet.write("\n" + css + "\n")
    report = runner.run(FLAGSHIP, ("scorm2004",), workers=1, viewport=PHONE, phone=True, only={"best"},
                        packages={"scorm2004": package}, host_params="absent=1")
    failures = [f for r in report.results for f in r.failures]
    assert any(says in f for f in failures), failures


HOVER = "[data-action=\"next\"]:hover, .choices button:hover { background: #084483; color: #fff; }"
CONTROLS = "button, .opts label"
LOOK = "e => [e.matches(':hover'), getComputedStyle(e).backgroundColor]"


def _highlights(page, cdp) -> list[str]:
    """Controls whose look changes under a resting pointer: a tap's synthetic mouse position
    leaves a touch screen's button highlighted on the next view, looking pre-selected.

    Each visible control is put in the hover state by Chromium's DevTools (its "force element
    state") and its style read then: a pointer moved over it races the mobile emulation, which
    soon moves the hover back to where the last tap was (a test that moved the pointer failed
    at random on a slow machine)."""
    shown = page.eval_on_selector_all(CONTROLS, "els => els.filter(e => e.checkVisibility()).map((e, i) => {"
                                      " e.setAttribute('data-probe', i); return e.textContent.trim().slice(0, 30); })")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    found = []
    for index, text in enumerate(shown):
        probe = f'[data-probe="{index}"]'
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": probe})["nodeId"]
        resting = page.eval_on_selector(probe, LOOK)
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": ["hover"]})
        hovered = page.eval_on_selector(probe, LOOK)
        cdp.send("CSS.forcePseudoState", {"nodeId": node, "forcedPseudoClasses": []})
        assert hovered[0], f"{text!r} could not be put in the hover state"
        if hovered[1] != resting[1]:
            found.append(f"{text!r}: {resting[1]} -> {hovered[1]}")
    page.eval_on_selector_all("[data-probe]", "els => els.forEach(e => e.removeAttribute('data-probe'))")
    return found


@pytest.mark.parametrize("undone", [False, True])
def test_no_control_lights_up_under_a_finger(tmp_path, undone):
    web = build.build(FLAGSHIP, ("web",), tmp_path / "out").outputs[0]
    if undone:  # hover styles outside @media (hover: hover), as before
        with (web / "runtime" / "style.css").open("a") as sheet:
            sheet.write("\n" + HOVER + "\n")
    found = []
    with sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]}, has_touch=True,
                                      is_mobile=True, reduced_motion="reduce")
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        page.goto((web / "index.html").as_uri())
        page.wait_for_selector('[data-view="cover"]')
        assert page.evaluate("matchMedia('(hover: hover)').matches") is False  # a touch screen, as emulated
        for _ in range(6):  # the cover and five lesson pages; then the first scene's choices
            found += _highlights(page, cdp)
            old = page.query_selector("[data-view]")
            page.tap('[data-action="next"]')
            page.wait_for_function("(old) => document.querySelector('[data-view]') !== old", arg=old)
        assert page.get_attribute("[data-view]", "data-view") == "node"
        found += _highlights(page, cdp)
        browser.close()
    assert bool(found) == undone, found
