"""Browser fixtures: one Chromium per session, a fresh context per test, the test LMS
(generator/walks/lmshost/host.html with scorm-again) served on 127.0.0.1 at /tests/lms/.

Fixtures
  browser            one Playwright Browser (Debian's /usr/bin/chromium) for all of tests/browser
  server             session-wide generator.lms.StaticServer: the host page, node_modules, mounted packages
  context            a new BrowserContext per test (fresh localStorage)
  errors             list of page errors / console errors seen so far; tests assert it is empty
  launch             launch(pkg_dir, version="2004", preload=None, **host_params) -> (page, frame)
  sample_course      the hand-written course JSON (a fresh dict per test)
  sample_package     that course rendered once per session; path of its folder
  package_factory    package_factory(course_dict) -> folder with the rendered package
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import sync_playwright

from generator.walks import lms

from .lmshost import watch
from .runtime_package import REPO, render_package

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
SAMPLE = REPO / "tests" / "fixtures" / "runtime" / "sample-course.json"




# Package scope: the sync Playwright instance is closed before other test folders start
# their own (two live sync instances in one process refuse to run).
@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (scripts/setup.sh --with-browser).")
    if not (REPO / "node_modules" / "scorm-again" / "dist" / "scorm-again.js").exists():
        pytest.fail("node_modules/scorm-again is missing: run `npm ci` in the repository root.")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server():
    # The product's own LMS host (generator/walks/lmshost) and scorm-again, at the paths the tests use.
    with lms.StaticServer({"/tests/lms/": lms.host_folder(), "/node_modules/": lms.node_modules()}) as srv:
        yield srv


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1024, "height": 768})
    yield ctx
    ctx.close()


@pytest.fixture
def errors():
    return []


@pytest.fixture
def launch(context, server, errors):
    def _launch(pkg_dir, version: str = "2004", preload: dict | None = None, page=None, **params):
        pkg_dir = Path(pkg_dir).resolve()
        prefix = "/pkg/" + hashlib.sha1(str(pkg_dir).encode()).hexdigest()[:12] + "/"
        server.mount(prefix, pkg_dir)
        if page is None:
            page = context.new_page()
            watch(page, errors)
        if preload is not None:
            page.add_init_script(f"window.lmsPreload = {json.dumps(preload)};")
        query = urlencode({"version": version, "launch": prefix + "index.html", **params})
        page.goto(f"{server.url}/tests/lms/host.html?{query}")
        page.wait_for_function("window.lms && window.lms.ready")
        frame = page.query_selector("#sco").content_frame()
        frame.wait_for_selector("[data-view], .fatal")
        return page, frame

    return _launch


@pytest.fixture
def sample_course():
    return copy.deepcopy(json.loads(SAMPLE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def sample_package(tmp_path_factory):
    out = tmp_path_factory.mktemp("sample-package")
    render_package(json.loads(SAMPLE.read_text(encoding="utf-8")), out)
    return out


@pytest.fixture
def package_factory(tmp_path):
    count = iter(range(1000))

    def _make(course: dict) -> Path:
        out = tmp_path / f"pkg{next(count)}"
        render_package(course, out)
        return out

    return _make
