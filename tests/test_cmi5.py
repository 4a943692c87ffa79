"""cmi5 in Chromium: the course's runtime against the test launcher (the LMS side, checking every
statement against the spec's rules) and Ralph (a real LRS), statements read back from Ralph.

`coursegen test --format cmi5` walks every branch; the other tests follow a learner through the
moments cmi5 content gets wrong: a closed tab, a relaunch, a Review launch, an LRS that fails.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from walked import COURSES, report_for

from generator import build
from generator.walks import lms, runner
from generator.walks.cmi5host import Launcher
from generator.walks.ralph import Ralph
from generator.walks.xapi_rules import VERBS

VERB = {iri: name for name, iri in VERBS.items()} | {"http://adlnet.gov/expapi/verbs/launched": "launched",
                                                     "https://w3id.org/xapi/adl/verbs/abandoned": "abandoned",
                                                     "http://adlnet.gov/expapi/verbs/answered": "answered",
                                                     "http://id.tincanapi.com/verb/earned": "earned"}


@pytest.fixture(scope="module")
def lrs():
    with Ralph() as running:
        yield running.client()


# --- every branch --------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(COURSES))
def test_every_walk_plays_through_the_launcher_with_no_rule_broken(name, tmp_path_factory):
    report = report_for(name, tmp_path_factory, ("cmi5",))
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    assert report.results and {r.fmt for r in report.results} == {"cmi5"}
    if name != "refresher":
        assert report.coverage() == (report.choices_total, report.endings_total)


def test_the_lrs_and_a_scorm_lms_hear_the_same_walks(tmp_path_factory):
    """The same walks in SCORM 2004 (both LMS profiles) and in cmi5 against one prediction each:
    all must hold it."""
    cmi5 = {r.walk: r for r in report_for("branching", tmp_path_factory, ("cmi5",)).results}
    scorm = report_for("branching", tmp_path_factory)
    assert cmi5.keys() == {r.walk for r in scorm.results} and len(cmi5) > 3
    for result in (r for r in scorm.results if r.fmt == "scorm2004"):
        twin = cmi5[result.walk]
        assert twin.ok and result.ok, (result.walk, result.profile, twin.failures, result.failures)
        assert (twin.choices, twin.endings) == (result.choices, result.endings)
    assert {p.passed for p in scorm.predictions.values()} == {True, False}


def test_an_lrs_failing_every_third_request_loses_no_statement():
    report = runner.run(COURSES["branching"], ("cmi5",), workers=1, max_paths=3, host_params="fail_every=3")
    failures = [f"[{r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    # Every walk met failures, and its statements still arrived whole and in order (the walk
    # compares the LRS's answered statements, in the order stored, with the path it took).
    assert all(r.injected_faults >= 2 for r in report.results), [r.injected_faults for r in report.results]


def test_a_tampered_runtime_is_caught_by_the_rule_it_breaks(tmp_path):
    course = COURSES["reading-only"]
    folders = runner.unpacked(course, ("cmi5",), tmp_path)
    script = folders["cmi5"] / "runtime" / "cmi5.js"
    text = script.read_text(encoding="utf-8")
    initialized = "q.push({ st: statement('initialized', null, null, true) });"
    assert initialized in text
    # initialized sent twice (cmi5-Client-Library #8 re-sends it on reload): the second is refused.
    script.write_text(text.replace(initialized, initialized * 2), encoding="utf-8")
    report = runner.run(course, ("cmi5",), workers=1, packages=folders)
    failures = [f for r in report.results for f in r.failures]
    assert any("cmi5 9.3.0.0-2 no verb twice in a session" in f for f in failures), failures


# --- one learner, step by step ------------------------------------------------------------

@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmi5-branching")
    path = build.build(COURSES["branching"], ("cmi5",), out).outputs[0]
    with zipfile.ZipFile(path) as archive:
        archive.extractall(out / "pkg")
    return out / "pkg"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = lms.launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def launcher(package, lrs):
    with Launcher(package, lrs) as running:
        yield running


def open_au(browser, session):
    """The launch URL in a new tab, as an LMS opens an AU in its own window."""
    page = browser.new_context(reduced_motion="reduce").new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(session.url)
    page.wait_for_selector("[data-view]")
    page.errors = errors
    if view(page) == "cover":  # a first launch opens on the cover (issue 16); the learner starts there
        step(page, "[data-action=next]", "lesson")
    return page


def view(page) -> str:
    node = page.get_attribute("[data-view]", "data-node")
    return page.get_attribute("[data-view]", "data-view") + (f":{node}" if node else "")


def step(page, selector: str, then: str) -> None:
    page.click(selector)
    page.wait_for_function("want => { const v = document.querySelector('[data-view]');"
                           " return v && (v.dataset.view + (v.dataset.node ? ':' + v.dataset.node : '')) === want; }",
                           arg=then)


def to_permissions(page) -> None:
    """The briefing's two pages, then the first choice of the audit."""
    step(page, "[data-action=next]", "lesson")
    step(page, "[data-action=next]", "node:start")
    step(page, "[data-choice='0']", "node:permissions")


def to_results(page) -> None:
    step(page, "[data-choice='0']", "node:restricted")
    step(page, "[data-choice='0']", "ending:good")
    step(page, "[data-action=next]", "results")


def close(page, launcher, session) -> None:
    page.close()  # the tab goes: pagehide, nothing after it
    assert launcher.wait_terminated(session), f"no terminated; statements: {verbs(session.statements)}"
    assert session.violations == [] and page.errors == []


def verbs(statements) -> list[str]:
    return [VERB.get(s["verb"]["id"], s["verb"]["id"]) for s in statements]


def session_verbs(lrs, session) -> list[str]:
    return verbs(s for s in lrs.statements(registration=session.registration)
                 if s["context"]["extensions"].get("https://w3id.org/xapi/cmi5/context/extensions/sessionid") == session.id)


def test_closing_the_tab_mid_course_still_records_terminated(browser, launcher, lrs):
    session = launcher.launch()
    page = open_au(browser, session)
    to_permissions(page)
    close(page, launcher, session)
    stored = lrs.statements(registration=session.registration)
    assert verbs(stored) == ["launched", "initialized", "answered", "terminated"]
    assert re.fullmatch(r"PT(\d+M)?\d+(\.\d+)?S", stored[-1]["result"]["duration"])
    saved = json.loads(launcher.documents[next(k for k in launcher.documents if k[3] == "coursegen.state")])
    assert saved["l"] == "audit/permissions"


def test_a_reload_sends_no_second_initialized(browser, launcher, lrs):
    """The fetch URL is spent and the session ended with the first page: the reloaded course keeps
    the learner's place from the browser and reports nothing (cmi5-Client-Library #8 re-sends
    initialized)."""
    session = launcher.launch()
    page = open_au(browser, session)
    to_permissions(page)
    page.reload()
    page.wait_for_selector("[data-view]")
    assert view(page) == "node:permissions"
    assert page.locator("[data-notice=standalone]").count() == 1
    step(page, "[data-choice='0']", "node:restricted")
    close(page, launcher, session)
    assert session_verbs(lrs, session) == ["launched", "initialized", "answered", "terminated"]
    assert session.fetch_calls == 2


def test_relaunch_resumes_at_the_same_node_and_sends_no_second_completed_or_passed(browser, launcher, lrs):
    first = launcher.launch()
    page = open_au(browser, first)
    to_permissions(page)
    close(page, launcher, first)

    second = launcher.launch(registration=first.registration)
    page = open_au(browser, second)
    assert view(page) == "node:permissions"  # where the learner left
    to_results(page)
    close(page, launcher, second)
    assert verbs(second.statements) == ["initialized", "answered", "answered", "answered", "earned", "earned",
                                        "completed", "passed", "terminated"]
    assert session_verbs(lrs, second) == ["launched", "initialized", "answered", "answered", "answered",
                                          "earned", "earned", "completed", "passed", "terminated"]

    third = launcher.launch(registration=first.registration)
    page = open_au(browser, third)
    assert view(page) == "results"
    close(page, launcher, third)
    assert session_verbs(lrs, third) == ["launched", "initialized", "terminated"]
    everything = verbs(lrs.statements(registration=first.registration))
    assert everything.count("completed") == everything.count("passed") == 1 and "abandoned" not in everything


def test_a_review_launch_sends_only_initialized_and_terminated(browser, launcher, lrs):
    first = launcher.launch()
    page = open_au(browser, first)
    to_permissions(page)
    close(page, launcher, first)
    key = next(k for k in launcher.documents if k[2] == first.registration and k[3] == "coursegen.state")
    saved = launcher.documents[key]

    review = launcher.launch(registration=first.registration, mode="Review")
    page = open_au(browser, review)
    assert view(page) == "node:permissions"  # the learner looks at what they did
    to_results(page)  # and finishes it: still nothing is judged, nothing saved
    close(page, launcher, review)
    assert session_verbs(lrs, review) == ["launched", "initialized", "terminated"]
    assert launcher.documents[key] == saved


def test_an_lms_failing_every_other_request_gets_every_statement_in_order(browser, package, lrs):
    with Launcher(package, lrs, fail_every=2) as failing:
        session = failing.launch()
        page = open_au(browser, session)
        to_permissions(page)
        to_results(page)
        page.wait_for_function("() => CG.lms.pending() === 0", timeout=30_000)
        assert page.locator("[data-notice=save]").count() == 0  # recovered: the notice went again
        failing.fail_every = 0
        close(page, failing, session)
        assert failing.injected >= 4
        stored = [s for s in lrs.statements(registration=session.registration)]
        assert verbs(stored) == ["launched", "initialized", "answered", "answered", "answered", "answered",
                                 "earned", "earned", "completed", "passed", "terminated"]
        stamps = [s["timestamp"] for s in stored[1:]]
        assert stamps == sorted(stamps)  # stored in the order they happened


def test_the_lms_mastery_score_is_the_pass_mark(browser, launcher, lrs):
    """An LMS may set its own masteryScore (cmi5 10.2.4): the course judges by it, and says so."""
    session = launcher.launch(mastery_score=1.0)
    page = open_au(browser, session)
    to_permissions(page)
    step(page, "[data-choice='0']", "node:restricted")
    step(page, "[data-choice='1']", "ending:neutral")  # 7 of 9 points: 77%, over the course's pass mark of 50
    step(page, "[data-action=next]", "results")
    assert page.inner_text(".view.results .sum") == "Your score: 77%. The pass mark is 100%."
    assert page.locator(".verdict.bad").count() == 1
    close(page, launcher, session)
    failed = next(s for s in lrs.statements(registration=session.registration) if s["verb"]["id"] == VERBS["failed"])
    assert failed["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 1.0
    assert failed["result"]["score"] == {"scaled": 0.77, "raw": 77, "min": 0, "max": 100}
