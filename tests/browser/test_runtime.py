"""The runtime against the test LMS: what the LMS receives on full walks in both SCORM
versions, resume, standalone mode, damaged resume data, keyboard use and small screens.
The course is tests/fixtures/runtime/sample-course.json (lesson 2 pages; scenario with a
flag, an `if` choice, a cycle, negative points and 3 endings; quiz with 2 attempts)."""

from __future__ import annotations

import pytest

from .lmshost import NEXT, assert_clean_log, choose, cmi, lms_log, notices, percent, play, view, watch, where
from .sample_walks import EXPECTED, LESSON, WALK_PERFECT, WALK_RETAKE, assert_final_data
from .suspend import decode_body, encode


@pytest.mark.parametrize("version", ["1.2", "2004"])
@pytest.mark.parametrize("walk", ["perfect", "retake", "fail"])
def test_full_walk_reports_exactly_what_the_contract_says(launch, sample_package, errors, version, walk):
    expected = EXPECTED[walk]
    page, frame = launch(sample_package, version)
    play(frame, expected["walk"])

    assert view(frame) == "results"
    assert percent(frame) == expected["percent"]
    shown = {b.get_attribute("data-badge") for b in frame.query_selector_all('[data-view="results"] [data-badge]')}
    assert shown == expected["badges"]
    assert frame.locator('[data-action="certificate"]').count() == (1 if expected["passed"] else 0)
    assert frame.locator('[data-action="next"]').count() == 0

    page.evaluate("lms.unload()")  # the learner leaves: pagehide -> Terminate
    assert_final_data(cmi(page), version, expected)
    assert_clean_log(lms_log(page), version)
    assert errors == []


def normalised(data: dict) -> dict:
    """The final data without what legitimately differs between sessions (clock, entry)."""
    drop = {"session_time", "total_time", "entry", "time", "timestamp"}

    def strip(o):
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items() if k not in drop}
        return o

    out = strip(data)
    # Once finished, every module is settled (no random quiz seed left): the state must match.
    out["suspend_data"] = decode_body(out["suspend_data"])
    assert len(out["suspend_data"]) == 3, out["suspend_data"]
    return out


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_resume_lands_on_the_same_node_and_finishes_like_an_uninterrupted_walk(
    launch, context, sample_package, errors, version
):
    steps = WALK_PERFECT
    cut = len(LESSON) + 3  # start (+5) -> check (-5, sets warned) -> start (+5) -> on check with 5 points

    page, frame = launch(sample_package, version)
    play(frame, steps[:cut])
    assert where(frame) == "node:check"
    assert frame.get_attribute("[data-attempt-points]", "data-attempt-points") == "5"

    page.evaluate("lms.unload()")  # navigating away fires pagehide: the SCO must suspend and terminate
    kept = page.evaluate("lms.nextLaunch()")
    first = lms_log(page)
    assert_clean_log(first, version)
    assert kept["cmi.core.entry" if version == "1.2" else "cmi.entry"] == "resume"
    assert kept["cmi.core.lesson_location" if version == "1.2" else "cmi.location"] == "whiteboard/check"
    page.close()

    page2, frame2 = launch(sample_package, version, preload=kept)
    assert where(frame2) == "node:check"
    assert frame2.get_attribute("[data-attempt-points]", "data-attempt-points") == "5"
    # The `if` choice is shown only because of the flag set before the interruption.
    assert frame2.locator('[data-choice="2"]').count() == 1
    play(frame2, steps[cut:])
    assert view(frame2) == "results"
    page2.evaluate("lms.unload()")
    resumed = cmi(page2)
    log2 = lms_log(page2)
    assert_clean_log(log2, version)
    # A resumed session reads suspend_data and never re-declares the badge objectives.
    gets = [e["args"][0] for e in log2 if e["fn"].endswith("GetValue")]
    assert "cmi.suspend_data" in gets
    sets = [e["args"][0] for e in log2 if e["fn"].endswith("SetValue")]
    assert not [k for k in sets if k.startswith("cmi.objectives.") and k.endswith(".id")]

    page3, frame3 = launch(sample_package, version)
    play(frame3, steps)
    page3.evaluate("lms.unload()")
    straight = cmi(page3)

    assert normalised(resumed) == normalised(straight)
    assert_final_data(resumed, version, EXPECTED["perfect"])
    assert errors == []


def test_a_2004_play_round_a_loop_is_one_interaction_with_its_first_40_decisions(launch, sample_package, errors):
    # start -> check -> start is a cycle: 21 times round is 42 decisions, more than the resume
    # state keeps (PATH_MAX 40); docs/course-json.md: "..." stands for the rest before the ending.
    page, frame = launch(sample_package, "2004")
    play(frame, LESSON + [choose(1), choose(0)] * 21 + [choose(0)])
    assert where(frame) == "ending:lobby"
    page.evaluate("lms.unload()")
    plays = [i for i in cmi(page)["interactions"].values() if isinstance(i, dict) and i.get("id") == "whiteboard__path"]
    assert len(plays) == 1
    assert plays[0]["type"] == "other" and plays[0]["result"] == "correct"
    assert plays[0]["learner_response"] == ",".join(["start.1", "check.0"] * 20 + ["...", "lobby"])
    assert errors == []


def test_relaunch_inside_the_same_lms_window_resumes(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    play(frame, LESSON + [choose(1)])
    page.evaluate("lms.relaunch()")
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    assert where(frame) == "node:check"
    assert page.evaluate("lms.session()") == 2
    page.evaluate("lms.unload()")
    assert_clean_log(lms_log(page), "2004")
    assert errors == []


def test_standalone_mode_works_and_says_progress_is_not_reported(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004", absent="1")
    assert notices(frame) == ["standalone"]
    assert frame.locator('[data-notice="standalone"]').is_visible()
    play(frame, WALK_PERFECT[:4])
    assert where(frame) == "node:start"

    # The browser keeps the state: a reload resumes.
    with frame.expect_navigation():  # else the old page's view may answer the wait below
        frame.evaluate("location.reload()")
    frame.wait_for_selector("[data-view]")
    assert where(frame) == "node:start"
    play(frame, WALK_PERFECT[4:])
    assert view(frame) == "results"
    assert percent(frame) == 100
    assert page.evaluate("lmsLog.length") == 0
    assert errors == []


def _resume_with(data: str, version: str) -> dict:
    return {"cmi.core.entry" if version == "1.2" else "cmi.entry": "resume", "cmi.suspend_data": data}


# Valid bodies for the sample course (3 modules) to corrupt in various ways.
GOOD_BODY = "1.0..1_0_5_-_-_-_1"  # on node "check" after choice 1 of "start"; not shuffled: no seed
DAMAGED = {
    "garbage": "this is not ours",
    "bad-checksum": "rs01|zzzz|" + GOOD_BODY,
    "foreign-key": encode("other", GOOD_BODY),
    "truncated": encode("rs01", GOOD_BODY)[:-6],
    "field-out-of-range": encode("rs01", "1.0..9_0_5_-_-_-_1"),
    "inconsistent": encode("rs01", "2.0.51.1_0_0_0_-_0_-"),  # settled at node 1, not an ending
    "path-elsewhere": encode("rs01", "1.0..1_0_5_-_-_-_0"),  # choice 0 of "start" leads to "lobby"
    "seed-unshuffled": encode("rs01", "1.0..1_0_5_-_-_9z_1"),  # a seed for a scenario that does not shuffle
    "old-encoding": encode("rs01", "1.0..1_0_5_-_-"),  # format 1's scenario field
    "lesson-revisited": encode("rs01", "0+.0.b3p11.0"),  # only scenarios and quizzes are gone back to
    "json": '{"cur": 1}',
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_damaged_resume_data_restarts_with_a_notice_and_no_error(launch, sample_package, errors, case):
    page, frame = launch(sample_package, "1.2", preload=_resume_with(DAMAGED[case], "1.2"))
    assert "restart" in notices(frame)
    assert where(frame) == "lesson:"
    play(frame, LESSON + [choose(0)])
    assert view(frame) == "ending"
    page.evaluate("lms.unload()")
    assert_clean_log(lms_log(page), "1.2")
    assert decode_body(cmi(page)["suspend_data"])[0] == "1"
    assert errors == []


def test_a_replay_from_the_results_resumes_and_returns_to_the_results(launch, sample_package, errors):
    # Back in the scenario from the results ("1+"): the lesson and the quiz settled, the
    # scenario's best (11, ending 3) kept while a new attempt starts at its first node.
    body = "1+.3.p11.0_0_0_b_3_-_"
    page, frame = launch(sample_package, "1.2", preload=_resume_with(encode("rs01", body), "1.2"))
    assert notices(frame) == [] and where(frame) == "node:start"
    play(frame, [choose(2)])  # a worse ending: the best result stays
    assert frame.get_attribute('[data-view="ending"] [data-action="next"]', "data-action") == "next"
    NEXT(frame)
    assert view(frame) == "results"
    assert percent(frame) == 100
    page.evaluate("lms.unload()")
    assert decode_body(cmi(page)["suspend_data"]) == ["3", "3", "b3p11"]
    assert errors == []


def test_valid_resume_data_written_by_another_implementation_is_accepted(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004", preload=_resume_with(encode("rs01", GOOD_BODY), "2004"))
    assert notices(frame) == []
    assert where(frame) == "node:check"
    assert frame.get_attribute("[data-attempt-points]", "data-attempt-points") == "5"
    assert errors == []


def _tab_to(page, frame, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        if frame.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with Tab; focus is on "
                         + frame.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 80)"))


def test_keyboard_only_completes_the_scenario(launch, sample_package, errors):
    page, frame = launch(sample_package, "2004")
    # Focus starts on the view's heading after each change.
    assert frame.evaluate("document.activeElement.tagName") == "H1"
    for _ in LESSON:
        _tab_to(page, frame, '[data-action="next"]')
        page.keyboard.press("Enter")
    for n, key in [(1, "Enter"), (0, "Space"), (1, "Enter"), (2, "Space")]:
        assert view(frame) == "node"
        assert frame.evaluate("document.activeElement.tagName") == "H1"
        _tab_to(page, frame, f'[data-choice="{n}"]')
        page.keyboard.press(key)
    assert where(frame) == "ending:lobby"
    _tab_to(page, frame, '[data-action="next"]')
    page.keyboard.press("Enter")
    assert view(frame) == "question"
    # A radio answer, by keyboard too.
    _tab_to(page, frame, '[data-option="q-single:0"]')
    page.keyboard.press("ArrowDown")
    assert frame.is_checked('[data-option="q-single:1"]')
    page.keyboard.press("Enter")  # implicit form submission
    assert view(frame) == "feedback"
    assert errors == []


LAYOUT = """() => ({
    where: document.querySelector('[data-view]').dataset.view + ':' + (document.querySelector('[data-view]').dataset.node
        || document.querySelector('[data-view]').dataset.question || ''),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    h1: document.querySelectorAll('h1').length,
    focus: document.activeElement.tagName,
})"""


def test_no_horizontal_scroll_at_320px_and_focus_on_each_new_heading(browser, server, sample_package, sample_course, errors):
    ctx = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = ctx.new_page()
        watch(page, errors)
        prefix = server.mount("/pkg/narrow/", sample_package)
        page.goto(f"{server.url}/tests/lms/host.html?version=2004&launch={prefix}index.html")
        page.wait_for_function("window.lms && window.lms.ready")
        frame = page.query_selector("#sco").content_frame()
        frame.wait_for_selector("[data-view]")
        seen = []

        def check():
            got = frame.evaluate(LAYOUT)
            seen.append(got["where"])
            assert got["overflow"] <= 0, f"horizontal overflow on {got['where']}"
            assert got["h1"] == 1, f"{got['h1']} h1 elements on {got['where']}"
            assert got["focus"] == "H1", f"focus on {got['focus']} after moving to {got['where']}"

        check()
        for step in WALK_RETAKE:
            step(frame)
            check()
        frame.click('[data-action="certificate"]')
        check()
        frame.click('[data-action="shelf"]')
        assert frame.evaluate(LAYOUT)["overflow"] <= 0
        assert {"lesson:", "node:start", "ending:posted", "question:q-single", "feedback:q-tf", "results:",
                "certificate:"} <= set(seen)
        assert frame.locator("main").count() == 1 and frame.locator("header").count() == 1
        assert frame.evaluate("document.documentElement.lang") == sample_course["language"]
        assert errors == []
    finally:
        ctx.close()
