"""A faulty LMS never loses the learner's progress: failing, slow or absent APIs,
in Chromium with scorm-again behind a host page that injects the faults."""
from __future__ import annotations


import pytest

import views
from repo import REPO

from generator.walks import runner

BRANCHING = REPO / "tests" / "fixtures" / "courses" / "branching"
FAULTS = {
    "every 3rd SetValue fails": "fail=setvalue:3",
    "every 2nd SetValue fails": "fail=setvalue:2",
    "every 2nd Commit fails": "fail=commit:2",
    "every Commit fails": "fail=commit:1",
    "every 4th GetValue fails": "fail=getvalue:4",
    "SetValue and Commit fail together": "fail=setvalue:5,commit:3",
    "a slow LMS (15 ms a call)": "slow=15",
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_walks_complete_with_complete_lms_data_despite_faults(fault):
    report = runner.run(BRANCHING, ("scorm12", "scorm2004"), workers=2, max_paths=3, host_params=FAULTS[fault])
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in report.results for f in r.failures]
    assert not failures, "\n".join(failures)
    if "fail" in FAULTS[fault]:
        assert all(r.injected_faults > 0 for r in report.results), "no fault was injected"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    package = runner.unpacked(BRANCHING, ("scorm2004",), tmp_path_factory.mktemp("faulty"))["scorm2004"]
    with views.served({"/pkg/": package}) as host:
        yield host


def open_host(served, query: str):
    url, browser = served
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/lms/host.html?version=2004&launch=/pkg/index.html&{query}")
    page.wait_for_function("() => window.lms && window.lms.ready")
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    return page, frame, errors


def click(frame, selector):
    frame.click(selector)


def test_without_an_lms_the_course_runs_says_so_once_and_resumes_from_the_browser(served):
    page, frame, errors = open_host(served, "absent=1")
    notices = frame.query_selector_all("[data-notice]")
    assert len(notices) == 1 and "Not reported to a learning system" in notices[0].inner_text()
    click(frame, '[data-action="next"]')  # the cover
    click(frame, '[data-action="next"]')
    click(frame, '[data-action="next"]')
    click(frame, '[data-choice="0"]')  # start -> permissions, 2 points
    assert frame.get_attribute("[data-view]", "data-node") == "permissions"
    page.evaluate("lms.relaunch({})")  # the learner comes back: still no LMS
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    assert frame.get_attribute("[data-view]", "data-node") == "permissions"
    assert page.evaluate("lmsLog.length") == 0
    assert errors == []
    page.close()


def test_when_every_write_fails_the_learner_is_told_and_a_reload_resumes(served):
    page, frame, errors = open_host(served, "fail=setvalue:1")
    click(frame, '[data-action="next"]')  # the cover
    click(frame, '[data-action="next"]')
    click(frame, '[data-action="next"]')
    click(frame, '[data-choice="0"]')
    frame.wait_for_selector('[data-notice]:has-text("could not be saved")', timeout=10_000)
    # The LMS kept nothing; the browser's copy brings the learner back to the same node.
    page.evaluate("lms.relaunch({})")
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    assert frame.get_attribute("[data-view]", "data-node") == "permissions"
    assert errors == []
    page.close()
