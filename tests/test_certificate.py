"""The certificate prints on one page with the learner's name from the LMS."""
from __future__ import annotations

import io
import json
import unicodedata

import pytest
from playwright.sync_api import sync_playwright
from pypdf import PdfReader

from repo import REPO

from generator import build
from generator.walks import lms, plan, runner
from generator.walks.walker import Walker, in_page_script

FLAGSHIP = REPO / "course" / "course.yaml"
NAMES = {"scorm12": ("cmi.core.student_name", "Scorm12API", "API"),
         "scorm2004": ("cmi.learner_name", "Scorm2004API", "API_1484_11")}


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_the_certificate_prints_on_one_page_with_the_lms_learner_name(fmt, tmp_path):
    checked = build.check(FLAGSHIP)
    best = plan.walks(checked.course, checked.analyses)[0]
    package = runner.unpacked(FLAGSHIP, (fmt,), tmp_path)[fmt]
    key, api_class, api_name = NAMES[fmt]
    # scorm-again itself, as the LMS API of the window the package runs in (a top-level
    # page here, so that printing prints the package's own document).
    scorm_again = (lms.node_modules() / "scorm-again" / "dist" / "scorm-again.min.js").read_text()
    setup = (f"{scorm_again}\nwindow.{api_name} = new window.{api_class}({{autocommit: false, logLevel: 5}});"
             f"window.{api_name}.loadFromFlattenedJSON({json.dumps({key: 'Rivera, Ana'})});")
    walker = Walker(checked, best, fmt, REPO)
    script = in_page_script()
    with sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        page = browser.new_page(reduced_motion="reduce")
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(setup)
        page.goto((package / "index.html").as_uri())
        page.wait_for_selector("[data-view]")
        outcome = page.evaluate(script, {"steps": [s.js for s in walker.steps], "timeout": 10_000})
        assert outcome["ok"], outcome
        page.click('[data-action="certificate"]')
        page.emulate_media(media="print")
        pages = {paper: PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True))).pages
                 for paper in ("A4", "Letter")}
        browser.close()
    for paper, printed in pages.items():
        assert len(printed) == 1, f"{paper}: {len(printed)} pages"
        text = " ".join(unicodedata.normalize("NFKC", printed[0].extract_text()).split())  # ligatures: "ﬁ"
        badges = [b.title for b in checked.course.badges] + [b.description for b in checked.course.badges]
        for expected in ("Ana Rivera", checked.course.title, "1.0.0", "100%", *badges):
            assert expected in text, f"{paper}: {expected!r} not in {text!r}"
    assert errors == []
