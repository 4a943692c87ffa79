"""`coursegen test`: play every planned walk in Chromium against scorm-again and
report what differs from the course's predictions.

Walks use only the public test hooks of the authoring format (data-view,
data-node, data-choice, data-question, data-option, data-action, data-badge,
data-percent): what works here works for any author's own tests.

One coordinator checks and packages every course (in memory, never unzipped to
disk), plans the walks and hands them out to browsers (`pool`): a few here, or
Playwright browser servers on other machines, several pages each. A catalogue
of courses shares them. Each page keeps the LMS host page of one course and
SCORM version open between walks; every walk gets a fresh LMS session (a new
scorm-again API, empty browser storage, an empty call log) and a new launch of
the SCO, without reloading scorm-again.
"""
from __future__ import annotations

import asyncio
import functools
import io
import json
import os
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import build
from ..diagnostics import display_path
from ..model import Scenario
from . import lms, plan, pool
from .lmscheck import check_lms
from .walker import PAGE_STATE, STEP_TIMEOUT_MS, Divergence, Walker, WalkResult, in_page_script

VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}
PAGES_PER_BROWSER = 2  # while one page's walk waits on Python, the other's renders


@dataclass
class TestReport:
    course_id: str
    results: list[WalkResult]
    choices_total: int
    endings_total: int
    seconds: float
    walk_names: list[str]
    predictions: dict  # walk name -> plan.Prediction
    course: str = ""  # the course as given on the command line
    language: str = ""
    formats: tuple[str, ...] = ()
    failed_browsers: list[str] = field(default_factory=list)  # "name: why", browsers that dropped out

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and bool(self.results)

    def coverage(self) -> tuple[int, int]:
        choices = set().union(*(r.choices for r in self.results if r.ok)) if self.results else set()
        endings = set().union(*(r.endings for r in self.results if r.ok)) if self.results else set()
        return len(choices), len(endings)


@dataclass
class Catalogue:
    """The reports of courses walked in one run, and how the browsers fared."""

    reports: list[TestReport]
    seconds: float
    browsers: list[str] = field(default_factory=list)  # each browser: its name and the walks it played
    failed_browsers: list[str] = field(default_factory=list)  # "name: why", browsers that dropped out
    profile: dict = field(default_factory=dict)  # where the time went (see `profile_of`)

    @property
    def ok(self) -> bool:
        return bool(self.reports) and all(r.ok for r in self.reports)


class Progress:
    """What a run tells as it goes; the CLI draws it."""

    def start(self, courses: list[tuple[str, int]]) -> None:  # (course, walks) in order
        pass

    def walk(self, course: int, result: WalkResult) -> None:
        pass


# --- preparing courses ---------------------------------------------------------------------

@dataclass
class _Course:
    argument: str
    checked: build.CheckedCourse  # the source: the plan and predictions are its own in every language
    walks: list[plan.Walk]
    prefix: str  # where its packages are served: PREFIX/<format>/
    language: str  # the language walked
    translated: bool = False  # walked in a language asked for (--lang), not simply the course's own

    @property
    def label(self) -> str:
        return display_path(Path(self.argument)) + (f" [{self.language}]" if self.translated else "")


@dataclass(frozen=True)
class Job:
    course: int
    fmt: str
    index: int  # of the walk in its course's plan


def _package_files(zipped: bytes) -> dict[str, bytes]:
    """A package as an LMS unpacks it, in memory."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def with_languages(courses: list, wanted: list[str]) -> list[tuple]:
    """(course, language) for each course and each language `wanted` asks of it (tags, `all`,
    pseudo-locales): a catalogue entry each. A course with errors raises CourseError."""
    entries = []
    for course in courses:
        checked = build.check(course)
        tags = build.languages_of(checked, wanted)
        if checked.diagnostics.has_errors():
            raise build.CourseError(checked.diagnostics)
        entries += [(course, tag) for tag in tags]
    return entries


def _prepare(number: int, entry, formats, max_paths: int, site: pool.Site,
             packages: dict[str, Path] | None) -> _Course:
    """A catalogue entry (a course, or a course and a language) checked, planned and packaged."""
    argument, language = entry if isinstance(entry, tuple) else (entry, None)
    checked = build.check(argument, formats=tuple(formats))
    walks = plan.walks(checked.course, checked.analyses, max_paths)
    prefix = f"/course/{number}/"
    if packages:  # packages built before, walked as they are
        for fmt in formats:
            site.add_folder(f"{prefix}{fmt}/", Path(packages[fmt]))
    else:
        built, _ = build.packages(checked, tuple(formats), [language] if language else None)
        for fmt in formats:
            site.add(f"{prefix}{fmt}/", _package_files(next(data for name, data in built.items()
                                                            if name.endswith(f"-{fmt}.zip"))))
    shown = language if language else checked.course.language
    return _Course(str(argument), checked, walks, prefix, shown, bool(language))


def unpacked(course_argument, formats, folder: Path, language: str | None = None) -> dict[str, Path]:
    """Build the course's SCORM zips (in `language`, a tag of its own, a translation or a
    pseudo-locale) into `folder` and unzip each as an LMS would: format -> the folder holding that package."""
    built = build.build(course_argument, tuple(formats), folder / "zips", [language] if language else None)
    folders = {}
    for path in built.outputs:
        fmt = next(f for f in formats if path.name.endswith(f"-{f}.zip"))
        with zipfile.ZipFile(path) as archive:
            archive.extractall(folder / fmt)
        folders[fmt] = folder / fmt
    return folders


# --- one walk in one page ------------------------------------------------------------------

class _Host:
    """A page with the LMS host page of one course and SCORM version, kept open between
    walks; its context (and renderer process) lasts as long as its page slot."""

    def __init__(self, context, page):
        self.key, self.context, self.page = None, context, page
        self.errors: list[str] = []
        self.frame = None
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @classmethod
    async def new(cls, browser, site: pool.Site, viewport) -> _Host:
        size = {"viewport": {"width": viewport[0], "height": viewport[1]}} if viewport else {}
        context = await browser.new_context(reduced_motion="reduce", **size)
        await context.route(pool.ours, site.answer)
        return cls(context, await context.new_page())

    async def show(self, key, course: _Course, fmt: str, host_params: str) -> None:
        """Load the host page of this course and version: a new document, a new scorm-again."""
        await self.page.goto(f"{pool.ORIGIN}/lms/host.html?version={VERSIONS[fmt]}&launch={course.prefix}{fmt}/index.html"
                             + (f"&{host_params}" if host_params else ""))
        await self.page.wait_for_function("() => window.lms && lms.ready", timeout=STEP_TIMEOUT_MS)
        self.frame = next(f for f in self.page.frames if f.parent_frame is self.page.main_frame)
        self.key = key

    async def launch(self) -> int:
        """A new learner's first launch: the SCO still shown saves on pagehide, then the
        browser storage and the call log are emptied and a fresh API launches the SCO again."""
        self.errors.clear()
        return await self.page.evaluate("""async () => {
            if (lms.ready) await lms.unload();
            localStorage.clear(); sessionStorage.clear();
            lmsLog.length = 0; lmsMessages.length = 0;
            await lms.relaunch({});
            return lms.session();
        }""")

    async def finish(self, session: int) -> tuple[dict, list]:
        """Unload the SCO (it saves and terminates) and read what the LMS holds."""
        end = await self.page.evaluate("""async (session) => {
            await lms.unload();
            return JSON.stringify({cmi: lms.cmi().cmi, log: lmsLog.filter(e => e.session === session)});
        }""", session)
        end = json.loads(end)
        return end["cmi"], end["log"]

    async def close(self) -> None:
        await self.context.close()


async def _play(browser, state: dict, job: Job, courses: list[_Course], site: pool.Site, options: dict) -> WalkResult:
    course = courses[job.course]
    key = (job.course, job.fmt)
    try:
        host = state.get("host")
        if host is None:
            host = state["host"] = await _Host.new(browser, site, options["viewport"])
        if host.key != key:
            shown = time.monotonic()
            await host.show(key, course, job.fmt, options["host_params"])
            state["shown"] = time.monotonic() - shown
        result = await _walk(host, course, job, options)
        result.timings["host"] = state.pop("shown", 0.0)
    except pool.BrowserGone:
        raise
    except Exception as problem:
        if not browser.is_connected():
            raise pool.BrowserGone(str(problem).splitlines()[0] if str(problem) else "") from problem
        if state.get("host"):
            state["host"].key = None
        walker = Walker(course.checked, course.walks[job.index], job.fmt, Path(options["cwd"]))
        walker.result.failures.append(f"{walker.where(course.checked.course.location)}: the LMS host page did not "
                                      f"open: {type(problem).__name__}: {str(problem).splitlines()[0]}")
        return walker.result
    if not result.ok:
        host.key = None  # the next walk starts from a new host page, in a known state
        if not browser.is_connected():
            raise pool.BrowserGone("disconnected during the walk")
    return result


async def _walk(host: _Host, course: _Course, job: Job, options: dict) -> WalkResult:
    checked = course.checked
    walk = course.walks[job.index]
    walker = Walker(checked, walk, job.fmt, Path(options["cwd"]))
    timings = walker.result.timings
    started = mark = time.monotonic()
    try:
        session = await host.launch()
        timings["launch"], mark = time.monotonic() - mark, time.monotonic()
        outcome = json.loads(await host.frame.evaluate(_as_text(in_page_script()),
                                                       json.dumps(walker.argument(options["viewport"] is not None))))
        timings["play"], mark = time.monotonic() - mark, time.monotonic()
        walker.read(outcome)
        page_state = await host.frame.evaluate(PAGE_STATE)
        data, log = await host.finish(session)
        walker.result.lms = data
        timings["finish"], mark = time.monotonic() - mark, time.monotonic()
        walker.result.failures += check_lms(walker, page_state, data, log)
        walker.result.injected_faults = sum(1 for entry in log if entry.get("injected"))
        timings["check"] = time.monotonic() - mark
    except Divergence as problem:
        walker.result.failures.append(str(problem))
    except Exception as problem:  # a timeout, a page that stopped answering, or a browser gone
        if not await _answers(host):
            raise pool.BrowserGone(str(problem).splitlines()[0] if str(problem) else "") from problem
        walker.result.failures.append(f"{walker.where(checked.course.location)}: the walk stopped: "
                                      f"{type(problem).__name__}: {str(problem).splitlines()[0]}")
    walker.result.failures += [f"{walker.where(checked.course.location)}: JavaScript error: {e}" for e in host.errors]
    if walker.result.failures and options["artifacts"]:
        walker.result.artifacts = await _save_artifacts(host.page, walk, job, Path(options["artifacts"]))
    walker.result.seconds = time.monotonic() - started
    return walker.result


@functools.cache
def _as_text(script: str) -> str:
    """The in-page walker taking and giving JSON text: Playwright checks every value of a
    structured argument or result against its protocol, which cost the coordinator more
    than half its time (a walk's steps, events and LMS log are thousands of values)."""
    return f"async (text) => JSON.stringify(await ({script})(JSON.parse(text)))"


async def _answers(host: _Host) -> bool:
    """Is the host page's browser still there? (A failed call alone does not say.)"""
    try:
        await asyncio.wait_for(host.page.evaluate("0"), 10)
        return True
    except Exception:  # noqa: BLE001
        return host.context.browser is not None and host.context.browser.is_connected() and not host.page.is_closed()


async def _save_artifacts(page, walk, job: Job, folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{job.fmt}-{walk.name}").strip("-")
    shot, calls = folder / f"{stem}.png", folder / f"{stem}-lms-log.json"
    try:
        await page.screenshot(path=str(shot), full_page=True)
        calls.write_text(json.dumps(await page.evaluate("lmsLog"), indent=1), encoding="utf-8")
    except Exception:  # the page may be gone; the report still names the failure
        return []
    return [str(shot), str(calls)]


# --- runs ----------------------------------------------------------------------------------

def run_catalogue(courses: list, formats=("scorm12", "scorm2004"), workers: int | None = None,
                  max_paths: int = 200, artifacts: Path | None = None, progress: Progress | None = None,
                  servers: list[str] | None = None, host_params: str = "",
                  viewport: tuple[int, int] | None = None, packages: list | None = None,
                  pages: int = PAGES_PER_BROWSER) -> Catalogue:
    """Check, package and plan every course, then play all their walks in one pool of browsers:
    `workers` browsers here, or the Playwright browser servers given (ws:// endpoints).

    Never raises for a failing walk or a failing browser: a browser that drops out has its
    walks played by the others, and the catalogue names it. A course with errors raises
    CourseError before any walk starts.
    """
    started = time.monotonic()
    site = pool.host_site()
    prepared = [_prepare(i, course, formats, max_paths, site, packages[i] if packages else None)
                for i, course in enumerate(courses)]
    jobs = [Job(i, fmt, w) for i, course in enumerate(prepared) for fmt in formats for w in range(len(course.walks))]
    prepare = time.monotonic() - started
    workers = max(1, workers or os.cpu_count() or 1)
    if not servers:  # a browser costs a start (about a second): only worth it for a few walks each
        workers = max(1, min(workers, len(jobs) // (2 * pages) or 1))
    if not servers:
        lms.chromium_path()  # say what is missing before anything starts
    options = {"cwd": str(Path.cwd()), "artifacts": str(artifacts) if artifacts else None,
               "host_params": host_params, "viewport": viewport}
    if progress:
        progress.start([(c.label, len(c.walks) * len(formats)) for c in prepared])

    def lost(job: Job, why: str) -> WalkResult:
        course = prepared[job.course]
        walker = Walker(course.checked, course.walks[job.index], job.fmt, Path(options["cwd"]))
        walker.result.failures.append(f"{walker.where(course.checked.course.location)}: not walked: {why}")
        return walker.result

    async def play(browser, state, job):
        result = await _play(browser, state, job, prepared, site, options)
        if progress:
            progress.walk(job.course, result)
        return result

    async def close(state):
        if state.get("host"):
            await state["host"].close()

    outcome = asyncio.run(pool.play_all(jobs, pool.browsers(workers, servers or []), pages, play, lost, close))
    reports = []
    for i, course in enumerate(prepared):
        results = [r for job, r in zip(jobs, outcome.results) if job.course == i]
        reports.append(_report(course, results, formats, sum(r.seconds for r in results)))
    return Catalogue(reports, time.monotonic() - started,
                     [f"{lane.spec.name}: {lane.walks} walks" for lane in outcome.lanes], outcome.failed_browsers,
                     profile_of(outcome, time.monotonic() - started, prepare))


def _report(course: _Course, results: list[WalkResult], formats, seconds: float) -> TestReport:
    checked = course.checked
    scenarios = [m for m in checked.course.modules if isinstance(m, Scenario)]
    return TestReport(checked.course.id, results, sum(len(n.choices) for m in scenarios for n in m.nodes),
                      sum(1 for m in scenarios for n in m.nodes if n.is_ending), seconds,
                      [w.name for w in course.walks], {w.name: w.expected for w in course.walks},
                      course.argument, course.language, tuple(formats))


def profile_of(outcome: pool.Outcome, seconds: float, prepare: float) -> dict:
    """Where the run's time went: checking, packaging and planning (`prepare`), browser
    starts, and per walk the host page opened (a context, a page, scorm-again loaded), the
    launch (a fresh API, the SCO loaded), the play in the page, the finish (unload, read
    the LMS) and the Python checks, then closing the browsers (`teardown`). Per-walk parts
    are sums over all pages: with several pages at once they add up to more than the wall."""
    walks = [r for r in outcome.results if r is not None and r.timings]
    total = {key: sum(r.timings.get(key, 0.0) for r in walks) for key in ("host", "launch", "play", "finish", "check")}
    return {"wall": seconds, "prepare": prepare, "walks": len(outcome.results),
            "browser_start": [lane.started for lane in outcome.lanes], "teardown": outcome.teardown, **total}


def run(course_argument, formats=("scorm12", "scorm2004"), workers: int | None = None, max_paths: int = 200,
        artifacts: Path | None = None, progress=None, packages: dict[str, Path] | None = None,
        host_params: str = "", viewport: tuple[int, int] | None = None,
        servers: list[str] | None = None, language: str | None = None) -> TestReport:
    """Build the course, plan its walks and play them all; never raises for a failing walk.

    `packages` (format -> unzipped package folder) walks packages built
    before, as they are, instead of building the course afresh. `host_params`
    is added to the LMS host page's query (e.g. "fail=setvalue:3" makes every
    third SetValue fail, see lmshost/host.js). `viewport` (width, height)
    plays every walk at that size and fails any view that scrolls sideways.
    `language` walks the course's translation (or a pseudo-locale) with the
    source's plan and predictions: a translation changes no score.
    `progress(result, total)` is called after each walk.
    """
    class _Each(Progress):
        total = 0

        def start(self, courses):
            self.total = sum(n for _, n in courses)

        def walk(self, course, result):
            progress(result, self.total)

    entry = (course_argument, language) if language else course_argument
    catalogue = run_catalogue([entry], formats, workers, max_paths, artifacts, _Each() if progress else None,
                              servers, host_params, viewport, [packages] if packages else None)
    report = catalogue.reports[0]
    report.seconds = catalogue.seconds
    report.failed_browsers = catalogue.failed_browsers
    return report


def junit_xml(report: TestReport, course_id: str) -> str:
    """A JUnit file of one course's walks."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _suite(report, course_id)


def junit_catalogue(catalogue: Catalogue) -> str:
    """A JUnit file with one test suite per course."""
    suites = "".join(_suite(report, report.course_id) for report in catalogue.reports)
    failures = sum(1 for report in catalogue.reports for r in report.results if not r.ok)
    tests = sum(len(report.results) for report in catalogue.reports)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="coursegen walks" tests="{tests}" '
            f'failures="{failures}" time="{catalogue.seconds:.2f}">\n{suites}</testsuites>\n')


def _suite(report: TestReport, course_id: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    cases = []
    for result in report.results:
        body = (f"<failure message={quoteattr(result.failures[0].splitlines()[0])}>"
                f"{escape(chr(10).join(result.failures))}</failure>") if result.failures else ""
        if result.artifacts:
            body += f"<system-out>{escape(chr(10).join(result.artifacts))}</system-out>"
        cases.append(f'  <testcase classname={quoteattr(course_id + "." + result.fmt)} name={quoteattr(result.walk)} '
                     f'time="{result.seconds:.2f}">{body}</testcase>')
    failures = sum(1 for r in report.results if not r.ok)
    return (f'<testsuite name={quoteattr("coursegen walks: " + course_id)} '
            f'tests="{len(report.results)}" failures="{failures}" time="{report.seconds:.2f}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")
