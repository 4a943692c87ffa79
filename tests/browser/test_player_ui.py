"""What the learner sees and can do beyond the walks: badges, certificate and its print
layout, accessibility (axe-core), start-up failures, file://, and an LMS that fails."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from .lmshost import (
    NEXT, answer, assert_clean_log, choose, cmi, lms_log, notices, play, view, watch, where,
)
from .suspend import encode
from .sample_walks import EXPECTED, LESSON, WALK_PERFECT, WALK_RETAKE, assert_final_data

AXE = "/node_modules/axe-core/axe.min.js"
FINAL_STATE = encode("rs01", "3.3.b3p11")  # WALK_PERFECT finished: scenario 11 at node 3, quiz 25 passed at attempt 1  # WALK_PERFECT finished, seed 0


def test_hidden_choices_keep_their_source_numbers(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    play(frame, LESSON + [choose(1)])
    assert where(frame) == "node:check"
    shown = [b.get_attribute("data-choice") for b in frame.query_selector_all("[data-choice]")]
    assert shown == ["0", "1"]  # choice 2 needs flag "warned"
    assert errors == []


def test_negative_points_are_shown_honestly(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    play(frame, LESSON + [choose(2)])
    assert where(frame) == "ending:posted"
    # The moment names the choice and its points in words, in the error colour; the attempt's
    # points never drop below the score line beside them.
    moment = frame.locator(".moment")
    assert "You chose:" in moment.inner_text() and "Post the photo right away" in moment.inner_text()
    assert frame.inner_text(".moment .pts") == "\u22125 points"
    assert frame.eval_on_selector(".moment .pts", "e => getComputedStyle(e).color") == "rgb(164, 34, 27)"
    assert frame.get_attribute("[data-attempt-points]", "data-attempt-points") == "0"
    outcome = frame.inner_text(".outcome")
    assert "Bad outcome" in outcome  # a word, not only a colour
    assert "0 of 11" in frame.inner_text('[data-view="ending"]')
    assert errors == []


def test_lesson_pages_go_back_and_forth(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    first = frame.inner_text("h1")
    assert frame.locator('[data-action="back"]').count() == 0
    NEXT(frame)
    frame.click('[data-action="back"]')
    assert frame.inner_text("h1") == first
    assert errors == []


def test_a_badge_appears_where_it_is_earned_and_the_shelf_opens_at_its_heading(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    play(frame, LESSON + [choose(0)])
    # Inline on the ending the choice led to, icon or star at 64 px and the reason, announced too.
    card = frame.locator('[data-view="ending"] .moment [data-badge="careful"]')
    assert card.is_visible()
    assert "Careful Photographer" in card.inner_text()
    box = card.locator("img, .star").first.bounding_box()
    assert box["width"] >= 64 and box["height"] >= 64
    frame.wait_for_function("() => document.querySelector('[aria-live]').textContent.includes('Careful Photographer')")
    assert frame.locator("[data-toast]").count() == 0  # no toast to cover what is pressed next
    assert "1/2" in frame.inner_text('[data-action="shelf"]')
    NEXT(frame)
    assert frame.locator('[data-view] [data-badge]').count() == 0  # shown once, where it was earned

    frame.click('[data-action="shelf"]')
    dialog = frame.locator("dialog[open]")
    assert dialog.is_visible()
    assert frame.evaluate("document.activeElement.id") == "dlg-h"  # at its heading, not at Close below
    assert frame.evaluate("document.querySelector('dialog').scrollTop") == 0
    assert [b.get_attribute("data-badge") for b in frame.query_selector_all("dialog [data-badge]")] == ["careful"]
    assert "Finished the course with 90% or more." in dialog.inner_text()  # the badge not yet earned, described
    page.keyboard.press("Escape")
    assert frame.locator("dialog[open]").count() == 0
    assert frame.evaluate("document.activeElement.dataset.action") == "shelf"
    assert errors == []


def test_certificate_names_learner_course_version_and_score(launch, sample_package, errors):
    resume = {"cmi.core.entry": "resume", "cmi.suspend_data": FINAL_STATE}
    page, frame = launch(sample_package, "1.2", name="Doe, Jane", preload=resume)
    assert view(frame) == "results"
    frame.click('[data-action="certificate"]')
    assert view(frame) == "certificate"
    text = frame.inner_text('[data-view="certificate"]')
    for part in ["Jane Doe", "Sharing Safely: a runtime sample", "Version 1.2.3", "Score: 100%", "Careful Photographer", "Ace"]:
        assert part in text
    assert re.search(r"Date: \w+ \d{1,2}, \d{4}", text)
    frame.click('[data-action="results"]')
    assert view(frame) == "results"
    assert errors == []


def _standalone_at_results(context, server, sample_package, errors):
    page = context.new_page()
    watch(page, errors)
    prefix = server.mount("/pkg/top/", sample_package)
    mirror = json.dumps({"s": FINAL_STATE, "ok": False, "u": ""})
    page.add_init_script(f"localStorage.setItem('coursegen:runtime-sample', {json.dumps(mirror)})")
    page.goto(prefix + "index.html")
    page.wait_for_selector("[data-view]")
    return page


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_certificate_prints_on_one_page(context, server, sample_package, errors, paper):
    page = _standalone_at_results(context, server, sample_package, errors)
    assert view(page) == "results"
    page.click('[data-action="certificate"]')
    page.emulate_media(media="print")
    assert not page.locator(".top").is_visible()
    assert not page.locator('[data-action="print"]').is_visible()
    pdf = page.pdf(format=paper)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    assert errors == []


def _axe(frame, server) -> list:
    if not frame.evaluate("!!window.axe"):
        frame.add_script_tag(url=server.url + AXE)  # same origin: allowed by the package's CSP
    result = frame.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


def test_every_view_passes_axe(launch, server, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    found = {}
    for step in [None] + WALK_RETAKE:  # axe is slow: check each kind of view once
        if step:
            step(frame)
        kind = view(frame) + (" with attempt summary" if frame.locator(".attempt").count() else "")
        if kind not in found:
            found[kind] = _axe(frame, server)
    frame.click('[data-action="certificate"]')
    found["certificate"] = _axe(frame, server)
    frame.click('[data-action="results"]')
    frame.click('[data-action="shelf"]')
    found["shelf"] = _axe(frame, server)
    assert {k: v for k, v in found.items() if v} == {}
    assert errors == []


def test_works_from_file_url(context, sample_package, errors):
    page = context.new_page()
    watch(page, errors)
    page.goto((sample_package / "index.html").as_uri())
    page.wait_for_selector("[data-view]")
    assert view(page) == "lesson"
    assert notices(page) == ["standalone"]
    play(page, LESSON + [choose(0)])
    assert view(page) == "ending"
    assert errors == []


@pytest.mark.parametrize("fmt", [0, 4])  # the player reads formats 1 to 3
def test_unknown_format_shows_a_message_not_a_blank_page(launch, package_factory, sample_course, errors, fmt):
    sample_course["format"] = fmt
    page, frame = launch(package_factory(sample_course), "2004")
    assert frame.locator(".fatal h1").inner_text() == "This course could not be started."
    assert f"format {fmt}" in frame.inner_text(".fatal")
    assert lms_log(page) == []  # refused before talking to the LMS
    assert errors == []


def test_unreadable_course_data_shows_a_message(launch, sample_package, tmp_path, errors):
    broken = tmp_path / "broken"
    shutil.copytree(sample_package, broken)
    html = (sample_package / "index.html").read_text(encoding="utf-8")
    (broken / "index.html").write_text(html.replace('"format":1', '"format":1,,'), encoding="utf-8")
    page, frame = launch(broken, "2004")
    assert frame.locator(".fatal h1").is_visible()
    assert errors == []


def test_failing_setvalue_is_retried_and_nothing_is_lost(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004", fail="setvalue:3")
    play(frame, WALK_PERFECT)
    assert view(frame) == "results"
    page.wait_for_timeout(50)
    page.evaluate("lms.unload()")
    log = lms_log(page)
    assert any(e.get("injected") for e in log)
    assert_clean_log(log, "2004", allow_injected=True)
    assert_final_data(cmi(page), "2004", EXPECTED["perfect"])
    assert errors == []


def test_an_lms_that_stores_nothing_shows_a_notice_and_a_reload_resumes_from_the_browser(
    launch, context, sample_package, errors
):
    page, frame = launch(sample_package, "2004", fail="setvalue:1")
    play(frame, LESSON + [choose(1)])
    assert "save" in notices(frame)
    page.evaluate("lms.unload()")
    kept = page.evaluate("lms.nextLaunch()")
    assert kept == {}  # not even exit=suspend arrived: a 2004 LMS starts a fresh attempt
    page.close()

    page2, frame2 = launch(sample_package, "2004", preload=kept)
    assert where(frame2) == "node:check"
    assert "save" not in notices(frame2)
    assert errors == []


def test_failing_commits_show_a_notice_that_goes_once_saving_works(launch, sample_package, errors):
    page, frame = launch(sample_package, "1.2", fail="commit:1")
    play(frame, LESSON)  # the lesson is finished: a commit, refused, then retried a second later
    frame.wait_for_selector('[data-notice="save"]', timeout=10_000)
    assert frame.locator('[data-notice="save"]').is_visible()
    assert errors == []


def test_slow_lms_still_works(launch, sample_package, errors):
    page, frame = launch(sample_package, "1.2", slow="20")
    play(frame, LESSON + [choose(0), NEXT, answer("q-single", 1)])
    assert view(frame) == "feedback"
    assert errors == []


def test_removing_the_course_frame_still_terminates_once(launch, sample_package, errors):
    # Some LMSs close a SCO by removing its iframe rather than navigating it.
    page, frame = launch(sample_package, "1.2")
    play(frame, LESSON)
    page.evaluate("document.getElementById('sco').remove()")
    page.wait_for_function("lmsLog.some(e => e.fn === 'LMSFinish')")
    log = lms_log(page)
    assert_clean_log(log, "1.2")
    exits = [e["args"][1] for e in log if e["fn"] == "LMSSetValue" and e["args"][0] == "cmi.core.exit"]
    assert exits[-1] == "suspend"
    assert errors == []
