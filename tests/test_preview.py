"""`coursegen preview` in Chromium: live rebuilds without a reload, the error overlay,
the inspector, jump to node and the SCORM version switch.

The browser lives in a thread of its own: Playwright's sync API refuses to start
while another one (the session browser of tests/browser/) holds the test thread.
"""
from __future__ import annotations

import queue
import re
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from repo import REPO

from generator.check import state
from generator.workbench import jump
from generator.workbench.maps import load
from generator.workbench.preview import Preview

FIXTURE = REPO / "tests" / "fixtures" / "workbench" / "small-course"
CHROMIUM = "/usr/bin/chromium"
# evil.example resolves to 127.0.0.1 in this browser, as a rebound domain would.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--host-resolver-rules=MAP evil.example 127.0.0.1"]
WAIT = 15_000  # ms; a rebuild is polled every 0.3 s and takes well under a second


@pytest.fixture
def course(tmp_path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    return folder


@pytest.fixture
def preview(course):
    with Preview(course, port=0) as running:
        yield running


class BrowserThread:
    """One Chromium for the module, owned by one thread; tests hand it work and get back
    its result or its exception."""

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.thread = threading.Thread(target=self._serve, name="preview-test-browser", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                while (job := self.jobs.get()) is not None:
                    work, answer = job
                    try:
                        work(browser)
                        answer.put(None)
                    except BaseException as exc:  # handed to the test's own thread
                        answer.put(exc)
                browser.close()
        except BaseException as exc:  # Chromium did not start: fail every test that asks
            while (job := self.jobs.get()) is not None:
                job[1].put(exc)

    def run(self, work) -> None:
        answer: queue.Queue = queue.Queue()
        self.jobs.put((work, answer))
        failure = answer.get()
        if failure is not None:
            raise failure

    def close(self) -> None:
        self.jobs.put(None)
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def chromium():
    owner = BrowserThread()
    yield owner
    owner.close()


@pytest.fixture
def in_browser(chromium, preview):
    """in_browser(body): body(page) on the preview's page, in a fresh browser context."""

    def run(body) -> None:
        def work(browser):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                page = context.new_page()
                errors = []
                page.on("pageerror", lambda exc: errors.append(str(exc)))
                page.goto(preview.url)
                body(page)
                assert not errors, errors
            finally:
                context.close()

        chromium.run(work)

    return run


def view(page):
    return page.frame_locator("#course").locator("[data-view]")


def past_the_cover(page):
    """A first launch opens on the course's cover; its one next button starts the course."""
    expect(view(page)).to_have_attribute("data-view", "cover", timeout=WAIT)
    view(page).locator('[data-action="next"]').click()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_save_updates_the_page_and_errors_show_until_fixed(preview, course, in_browser):
    scenario = course / "selfie.md"

    def body(page):
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        expect(view(page)).to_contain_text("the Q3 launch plan")
        page.evaluate("window.notReloaded = true")

        edit(scenario, "the Q3 launch plan", "the Q4 launch plan")
        expect(view(page)).to_contain_text("the Q4 launch plan", timeout=WAIT)

        edit(scenario, "(#check){points=5}", "(#chek){points=5}")
        line = next(i for i, text in enumerate(scenario.read_text().splitlines(), 1) if "#chek" in text)
        problems = page.locator("#problems")
        expect(problems).to_be_visible(timeout=WAIT)
        item = page.locator("[data-problem]")
        expect(item).to_have_count(1)
        expect(item).to_have_attribute("data-problem", re.compile(rf"^selfie\.md:{line}:\d+$"))
        expect(item).to_contain_text('choice leads to unknown node "#chek"')
        expect(item.locator(".where")).to_have_text(re.compile(rf"^selfie\.md:{line}:\d+$"))
        expect(page.locator("#build-state")).to_have_text("1 error")

        edit(scenario, "(#chek){points=5}", "(#check){points=5}")
        expect(problems).to_be_hidden(timeout=WAIT)
        expect(view(page)).to_contain_text("the Q4 launch plan", timeout=WAIT)
        assert page.evaluate("window.notReloaded") is True  # relaunched in place, never reloaded

    in_browser(body)


def test_the_inspector_shows_what_the_lms_received(preview, in_browser):
    def body(page):
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        view(page).locator('[data-choice="0"]').click()
        expect(view(page)).to_have_attribute("data-node", "lobby")
        # The preview plays SCORM 2004 first, which records a scenario play as one interaction,
        # with no weighting (docs/course-json.md): the inspector shows what the LMS received.
        # SCORM 1.2's, a choice at a time with its points: the test below.
        play = page.locator('#interactions [data-interaction="selfie__path"]')
        expect(play).to_contain_text("start.0,lobby")
        expect(play).to_contain_text("correct")
        expect(play.locator("td").nth(4)).to_have_text("")
        expect(page.locator('#objectives [data-objective="clean-photo"]')).to_contain_text("passed")
        expect(page.locator("#suspend-size")).to_contain_text(re.compile(r"^\d+ of 4096 characters"))
        expect(page.locator("#status")).to_contain_text("completion_status")

    in_browser(body)


def test_jump_lands_on_the_node_with_the_chosen_flags(preview, in_browser):
    def body(page):
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        page.select_option("#jump-node", "followup/decide")
        page.check('[data-flag="noted"]')
        page.click("#jump button[type=submit]")
        expect(view(page)).to_have_attribute("data-node", "decide", timeout=WAIT)
        expect(view(page).locator('[data-choice="0"]')).to_be_visible()  # if=flag.noted
        expect(view(page)).to_contain_text("with the name you noted")

        page.goto(preview.url + "#node=followup/decide")  # a map link: no flags this time
        expect(view(page)).to_have_attribute("data-node", "decide", timeout=WAIT)
        expect(view(page).locator('[data-choice="1"]')).to_be_visible()
        expect(view(page).locator('[data-choice="0"]')).to_have_count(0)

    in_browser(body)


def test_the_scorm_switch_changes_the_api_the_course_talks_to(preview, in_browser):
    def initialize_calls(page):
        return page.evaluate("window.preview.log.filter(e => e.session === window.preview.launches)"
                             ".map(e => e.fn).filter(f => /Initialize/.test(f))")

    def body(page):
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        assert initialize_calls(page) == ["Initialize"]
        view(page).locator('[data-choice="1"]').click()
        expect(view(page)).to_have_attribute("data-node", "check")

        page.click('[data-scorm="1.2"]')
        expect(page.locator('[data-scorm="1.2"]')).to_have_attribute("aria-pressed", "true")
        page.wait_for_function("window.preview.ready && window.preview.scorm === '1.2'")
        expect(view(page)).to_have_attribute("data-node", "check", timeout=WAIT)  # the place carried over
        assert initialize_calls(page) == ["LMSInitialize"]
        expect(page.locator("#status")).to_contain_text("lesson_status")

        page.reload()  # the choice of version is remembered
        expect(view(page)).to_have_attribute("data-node", "check", timeout=WAIT)
        assert initialize_calls(page) == ["LMSInitialize"]
        page.click("#reset")
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        view(page).locator('[data-choice="0"]').click()  # SCORM 1.2 records the choice's points
        expect(page.locator('#interactions [data-interaction="selfie__start"] td').nth(4)).to_have_text("10")

    in_browser(body)


def test_another_site_cannot_reach_the_preview(preview, chromium, monkeypatch):
    """DNS rebinding: a page at evil.example, its name rebound to 127.0.0.1, is served by the
    preview's port but sends Host: evil.example. And a page of another site fetching the
    preview's own URL sends Sec-Fetch-Site: cross-site. Both get 403."""
    port = preview.url.rstrip("/").rsplit(":", 1)[1]
    page_html = (f"<script>fetch('{preview.url}__preview/status', {{mode: 'no-cors'}})"
                 ".then(() => document.title = 'sent', () => document.title = 'refused')</script>").encode()

    class EvilPage(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page_html)))
            self.end_headers()
            self.wfile.write(page_html)

        def log_message(self, *args):
            pass

    evil = ThreadingHTTPServer(("127.0.0.1", 0), EvilPage)
    threading.Thread(target=evil.serve_forever, daemon=True).start()

    refused: list[str] = []
    monkeypatch.setattr(preview, "log", refused.append)

    def work(browser):
        context = browser.new_context()
        try:
            page = context.new_page()
            rebound = page.goto(f"http://evil.example:{port}/__preview/status")
            assert rebound.status == 403
            assert '"ok"' not in page.content()
            page.goto(f"http://evil.example:{evil.server_address[1]}/")
            page.wait_for_function("document.title === 'refused'", timeout=WAIT)
            assert page.goto(preview.url).status == 200  # the author's own page is still served
        finally:
            context.close()

    try:
        chromium.run(work)
    finally:
        evil.shutdown()
        evil.server_close()
    # The preview said no to both (the browser also keeps a cross-site page from reading the
    # answer: the preview's files may not be embedded elsewhere).
    assert [line.split(" ", 1)[1] for line in refused if "/favicon.ico" not in line] == [
        f"refused a request for /__preview/status (Host evil.example:{port}): the preview answers only "
        f"http://127.0.0.1:{port}/ and http://localhost:{port}/",
        f"refused a request for /__preview/status (Host 127.0.0.1:{port}): the preview answers only its own pages"]


def test_jump_data_is_rejected_for_unknown_names_and_lands_after_finished_modules():
    loaded = load(FIXTURE)
    landing = jump.jump(loaded.course, loaded.analyses, "followup", "decide", ["noted"])
    key, checksum, body = landing["data"].split("|")
    # Current module 3, no badges; settled: the first scenario with its best (10 = "a") at its
    # ending 2, the lesson (nothing), the quiz at full marks ("a"), passed, first attempt; then
    # the learner on node 1 ("decide") with flag 0 ("noted") and no points.
    # Its choices are in a fixed order (seed 0) and no path: the preview jumped, nobody chose.
    assert body.split(".") == ["3", "0", "a2" + "" + "a11", "1_1_0_-_-_0_"]
    assert checksum == state.b36(state.fnv1a(body))
    assert landing["location"] == "followup/decide"
    for args, message in [(("nope", "start", []), 'no scenario "nope"'),
                          (("followup", "nope", []), 'has no node "nope"'),
                          (("followup", "start", ["nope"]), 'has no flag "nope"')]:
        with pytest.raises(jump.JumpError, match=message):
            jump.jump(loaded.course, loaded.analyses, *args)


def test_a_module_created_after_the_error_is_noticed(tmp_path):
    (tmp_path / "course.yaml").write_text("id: later\ntitle: Later\nversion: 1.0.0\nmodules:\n  - lessons/intro.md\n",
                                          encoding="utf-8")
    with Preview(tmp_path, port=0) as running:
        first = running.build
        assert not first.ok
        assert [p["file"] for p in first.report["problems"]] == ["course.yaml"]
        assert 'file not found: "lessons/intro.md"' in first.report["problems"][0]["message"]
        (tmp_path / "lessons").mkdir()
        time.sleep(1)  # the folder alone is seen first: the file must still be noticed after it
        (tmp_path / "lessons" / "intro.md").write_text("---\nid: intro\ntitle: Intro\nkind: lesson\n---\n\n# Hello\n\nHi.\n",
                                                       encoding="utf-8")
        fixed = running.wait(first.version, timeout=10)
        assert fixed.ok and fixed.version == first.version + 1
        assert "index.html" in fixed.files and fixed.report["course"]["id"] == "later"


LESSON = "---\nid: {id}\ntitle: {title}\nkind: lesson\n---\n\n# {title}\n\n{text}\n"


@pytest.mark.parametrize("polling", [False, True], ids=["file events", "WATCHFILES_FORCE_POLLING"])
def test_a_module_in_a_folder_beside_the_course_is_watched(tmp_path, monkeypatch, polling):
    # The flagship's layout: course/course.yaml lists ../scenarios/*.md. Polling is the documented
    # way out where file events do not arrive (network drives, folders shared into a container).
    if polling:
        monkeypatch.setenv("WATCHFILES_FORCE_POLLING", "1")
    else:
        monkeypatch.delenv("WATCHFILES_FORCE_POLLING", raising=False)
    (tmp_path / "course").mkdir()
    (tmp_path / "scenarios").mkdir()
    (tmp_path / ".git").mkdir()  # ../scenarios/ is the course's own as part of its repository (its course root)
    (tmp_path / "course" / "course.yaml").write_text(
        "id: beside\ntitle: Beside\nversion: 1.0.0\nmodules:\n  - ../scenarios/outside.md\n", encoding="utf-8")
    outside = tmp_path / "scenarios" / "outside.md"
    outside.write_text(LESSON.format(id="outside", title="Outside", text="First words."), encoding="utf-8")
    with Preview(tmp_path / "course", port=0) as running:
        first = running.build
        assert first.ok and b"First words." in first.files["index.html"]
        outside.write_text(LESSON.format(id="outside", title="Outside", text="Second words."), encoding="utf-8")
        fresh = running.wait(first.version, timeout=10)
        assert fresh.version == first.version + 1
        assert b"Second words." in fresh.files["index.html"]


def test_a_folder_and_its_module_written_at_once_are_noticed(tmp_path):
    # Unlike test_a_module_created_after_the_error_is_noticed, no pause between the folders and the
    # file: the watcher that sees a folder appear must still catch the file written while it re-arms.
    (tmp_path / "course.yaml").write_text("id: quick\ntitle: Quick\nversion: 1.0.0\nmodules:\n  - a/b/intro.md\n",
                                          encoding="utf-8")
    with Preview(tmp_path, port=0) as running:
        first = running.build
        assert not first.ok
        (tmp_path / "a" / "b").mkdir(parents=True)
        (tmp_path / "a" / "b" / "intro.md").write_text(LESSON.format(id="intro", title="Intro", text="Hi."),
                                                       encoding="utf-8")
        fixed = running.wait(first.version, timeout=10)
        assert fixed.ok and fixed.version == first.version + 1


def test_a_module_removed_and_restored_is_noticed_both_ways(tmp_path):
    # A branch switch: the folder goes, then comes back with the file.
    (tmp_path / "course.yaml").write_text("id: back\ntitle: Back\nversion: 1.0.0\nmodules:\n  - lessons/intro.md\n",
                                          encoding="utf-8")
    (tmp_path / "lessons").mkdir()
    intro = tmp_path / "lessons" / "intro.md"
    intro.write_text(LESSON.format(id="intro", title="Intro", text="Hi."), encoding="utf-8")
    with Preview(tmp_path, port=0) as running:
        first = running.build
        assert first.ok
        shutil.rmtree(tmp_path / "lessons")
        broken = running.wait(first.version, timeout=10)
        assert not broken.ok and 'file not found: "lessons/intro.md"' in broken.report["problems"][0]["message"]
        (tmp_path / "lessons").mkdir()
        intro.write_text(LESSON.format(id="intro", title="Intro", text="Back again."), encoding="utf-8")
        restored = running.wait(broken.version, timeout=10)
        assert restored.ok and b"Back again." in restored.files["index.html"]


def test_the_preview_reports_what_a_scorm12_build_would_refuse(course):
    """A points=150 choice passes every rule but SCORM 1.2's weighting range: the preview says so
    at the choice's line, with that line, as `coursegen check` does."""
    selfie = course / "selfie.md"
    text = selfie.read_text(encoding="utf-8").replace("{points=10 set=careful}", "{points=150 set=careful}")
    selfie.write_text(text, encoding="utf-8")
    line = text.splitlines().index("- [Suggest taking the photo in the lobby instead](#lobby){points=150 set=careful}") + 1
    with Preview(course, port=0) as running:
        assert not running.build.ok
        (problem,) = running.build.report["problems"]
        assert (problem["file"], problem["line"], problem["column"], problem["severity"]) == ("selfie.md", line, 3, "error")
        assert problem["message"].startswith("points=150: SCORM 1.2 records an interaction's weighting from -100 to 100")
        assert problem["excerpt"] == text.splitlines()[line - 1]


def test_a_renamed_node_under_the_saved_place_lands_nearby_with_a_note_not_a_restart(preview, course, in_browser):
    """The learner stands on node "check"; the author renames it, which changes the course's state
    key, so the saved progress cannot be read. The preview puts the learner back on that node under
    its new id and says so as information; after a second edit that leaves no node of that name or
    title, on the node before it. The runtime's "could not be read" restart never shows."""
    scenario = course / "selfie.md"

    def restart_notices(page):
        return page.frame_locator("#course").locator('[data-notice="restart"]')

    def body(page):
        past_the_cover(page)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        view(page).locator('[data-choice="1"]').click()
        expect(view(page)).to_have_attribute("data-node", "check")
        launches = page.evaluate("window.preview.launches")

        edit(scenario, "{#check}", "{#closer-look}")
        edit(scenario, "(#check)", "(#closer-look)")
        page.wait_for_function(f"window.preview.launches > {launches} && window.preview.ready", timeout=WAIT)
        expect(view(page)).to_have_attribute("data-node", "closer-look", timeout=WAIT)
        note = page.locator("#place-note")
        expect(note).to_be_visible()
        expect(note).to_have_attribute("role", "status")  # information, not an alert
        expect(note).to_contain_text('Node #check is now #closer-look after your edit: you are back on "A quick look"')
        expect(page.locator("#problems")).to_be_hidden()
        expect(restart_notices(page)).to_have_count(0)

        launches = page.evaluate("window.preview.launches")
        text = scenario.read_text(encoding="utf-8").replace("# A quick look {#closer-look}", "# Zooming in {#zoom}")
        scenario.write_text(text.replace("(#closer-look)", "(#zoom)"), encoding="utf-8")
        page.wait_for_function(f"window.preview.launches > {launches} && window.preview.ready", timeout=WAIT)
        expect(view(page)).to_have_attribute("data-node", "start", timeout=WAIT)
        expect(note).to_contain_text('Node #closer-look is no longer in "The Whiteboard Selfie" after your edit: '
                                     'you are on "After the workshop" (#start), the nearest node before it')
        expect(restart_notices(page)).to_have_count(0)

        page.click("#place-note button")
        expect(note).to_be_hidden()

    in_browser(body)


def test_a_learner_in_a_later_module_stays_in_it_when_another_module_changes(preview, course):
    """Relocation itself, without a browser: an edit elsewhere keeps a lesson reader in the lesson
    (at its start), and a place in a module that no longer exists goes to the module now there."""
    before = preview.build.good.course
    key = state.state_key(before)
    edit(course / "selfie.md", "{#check}", "{#closer-look}")
    edit(course / "selfie.md", "(#check)", "(#closer-look)")
    fresh = preview.rebuild([course / "selfie.md"])
    assert fresh.ok and state.state_key(fresh.good.course) != key
    landed = preview.relocate(key, "basics")
    assert landed["location"] == "basics"
    assert landed["note"] == ("Your edit changed the course's structure, so the saved progress was reset: you "
                              'are at the start of "What is confidential".')
    assert landed["data"].split("|")[2].split(".")[0] == "1"  # the second module is the current one
    gone = preview.relocate(key, "selfie/nowhere")
    assert gone["location"] == "selfie/start"
    with pytest.raises(jump.JumpError):
        preview.relocate("no-such-key", "basics")
