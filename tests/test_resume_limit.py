"""A SCORM 1.2 course just under the 4,096-character limit builds, resumes where the
learner left off, and finishes with the same data, in Chromium with scorm-again."""
from __future__ import annotations

import zipfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from synthetic import just_under_scorm12, many_scenarios

from generator import build
from generator.walks import lms, plan
from generator.walks.walker import Walker, in_page_script


def test_a_course_just_under_the_scorm12_limit_resumes_and_finishes(write_course, tmp_path):
    folder = write_course(many_scenarios(just_under_scorm12()))
    built = build.build(folder, ("scorm12",), tmp_path / "zips")
    assert 4000 < built.state_size <= 4096
    with zipfile.ZipFile(built.outputs[0]) as archive:
        archive.extractall(tmp_path / "pkg")
    checked = build.check(folder)
    best = plan.walks(checked.course, checked.analyses)[0]
    steps = Walker(checked, best, "scorm12", Path.cwd()).steps
    script = in_page_script()
    halfway = len(steps) - 3  # the last scenario's choice, its ending and the results are still to come
    with lms.HostServer({"/pkg/": tmp_path / "pkg"}) as server, sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        # Motion reduced, as the walks' pages have it: otherwise each change of points restarts the
        # header's bump animation, a forced layout that costs this 1,351-module walk about 9 s.
        page = browser.new_page(reduced_motion="reduce")
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server.url}/lms/host.html?version=1.2&launch=/pkg/index.html")
        page.wait_for_function("() => window.lms && window.lms.ready")
        frame = page.query_selector("#sco").content_frame()
        outcome = frame.evaluate(script, {"steps": [s.js for s in steps[:halfway]], "timeout": 10_000})
        assert outcome["ok"], outcome
        page.evaluate("lms.relaunch()")  # the tab closes; the LMS hands back what it kept
        frame = page.query_selector("#sco").content_frame()
        frame.wait_for_selector("[data-view]")
        last = checked.course.modules[-1]
        assert frame.get_attribute("[data-view]", "data-node") == "start"
        assert "Scenario " + last.id[1:] in frame.inner_text("[data-view]")
        outcome = frame.evaluate(script, {"steps": [s.js for s in steps[halfway:]], "timeout": 10_000})
        assert outcome["ok"], outcome
        page.evaluate("lms.unload()")
        data = page.evaluate("lms.cmi()")["cmi"]
        # What the checks read of the LMS's log, taken from it in the page: the whole log holds
        # 2,700 copies of a 4 KB state, seconds to bring over.
        saved = page.evaluate("lmsLog.filter(e => e.fn === 'LMSSetValue' && e.args[0] === 'cmi.suspend_data')"
                              ".map(e => e.args[1].length)")
        refused = page.evaluate("lmsLog.filter(e => e.err !== '0')")
        browser.close()
    assert float(data["core"]["score"]["raw"]) == best.expected.percent == 100
    assert data["core"]["lesson_status"] == "passed"
    assert saved and max(saved) <= 4096
    assert max(saved) > 3500  # the state really is that large
    assert refused == []
    assert errors == []
