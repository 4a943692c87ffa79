"""`coursegen test`: play every planned walk in Chromium against scorm-again and
report what differs from the course's predictions.

Walks use only the public test hooks of the authoring format (data-view,
data-node, data-choice, data-question, data-option, data-action, data-badge,
data-percent): what works here works for any author's own tests.

One coordinator checks and packages every course (in memory, never unzipped to
disk), plans the walks and hands them out to browsers (`pool`): a few here, one
page each, or Playwright browser servers on other machines, two pages each. A
catalogue of courses shares them. Each page keeps the LMS host page of one course and
SCORM version open between walks; every walk gets a fresh LMS session (a new
scorm-again API, empty browser storage, an empty call log) and a new launch of
the SCO, without reloading scorm-again.

Each SCORM walk plays against two LMS profiles (lmshost/host.js): plain scorm-again, and a
Moodle-like one (mastery score from the manifest, the record posted as Moodle's player posts
it, Terminate by beacon): what the LMS stores must be what the course decided in both. The
Moodle-like profile's server (lms.CommitStore) lives in the coordinator and is reached the
way the package is (its loopback server here, request routing from a browser server).

cmi5 walks go through a cmi5 launcher (cmi5host) with Ralph as the LRS, both on this
machine's loopback, in browsers here: routed requests lose a cmi5 course's last statement
(see cmi5walk.Cmi5Host), so they do not go to browser servers.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import io
import json
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import build
from ..diagnostics import display_path
from ..model import Scenario
from . import cmi5walk, lms, plan, pool, ralph
from .lmscheck import check_lms
from .walker import PAGE_STATE, STEP_TIMEOUT_MS, Delivery, Divergence, Walker, WalkResult, in_page_script

VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}
PROFILES = ("scorm-again", "moodle")
# Pages playing at once in each browser. Here, one: a walk keeps a core busy (its renderer,
# with the browser process beside it), and a second page per browser only adds contention
# (bench/results-scale.md: 2 browsers x 1 page beat 2 x 2 and 1 x 4 by 10-15 %). On a browser
# server, two: every file then comes through the coordinator, and while one page waits on it
# the other renders.
PAGES_PER_BROWSER = 1
PAGES_PER_SERVER = 2
CMI5_NEEDS_LOCAL = ("cmi5 walks play in browsers on this machine only: the cmi5 launcher and the Ralph LRS listen "
                    "on its loopback, and a cmi5 course's last statement (terminated, sent with keepalive as its "
                    "page goes) does not survive request routing, which a browser server would need. Walk cmi5 "
                    "without --browser-server (and with COURSEGEN_BROWSER_SERVERS unset), and the SCORM formats "
                    "on the servers in a run of their own.")


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
    profiles: tuple[str, ...] = PROFILES  # the LMS profiles its SCORM walks played against
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
    prefix: str  # where its SCORM packages are served: PREFIX/<format>/
    language: str  # the language walked
    translated: bool = False  # walked in a language asked for (--lang), not simply the course's own
    cmi5: Path | None = None  # its cmi5 package, unpacked, for the launcher (which serves it from disk)

    @property
    def label(self) -> str:
        return display_path(Path(self.argument)) + (f" [{self.language}]" if self.translated else "")


@dataclass(frozen=True)
class Job:
    course: int
    fmt: str
    index: int  # of the walk in its course's plan
    profile: str = "scorm-again"  # SCORM: the LMS profile (PROFILES); "" for cmi5


def variants(formats, profiles=PROFILES) -> list[tuple[str, str]]:
    """(format, LMS profile) of every walk: each SCORM version against each profile, cmi5 once."""
    return [(fmt, profile) for fmt in formats for profile in (("",) if fmt == "cmi5" else profiles)]


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
             packages: dict[str, Path] | None, scratch: Path, walks: list[plan.Walk] | None = None,
             only: set[str] | None = None) -> _Course:
    """A catalogue entry (a course, or a course and a language) checked, planned and packaged:
    SCORM packages into the site (memory), a cmi5 package unpacked into `scratch` for the launcher."""
    argument, language = entry if isinstance(entry, tuple) else (entry, None)
    checked = build.check(argument, formats=tuple(formats))
    walks = walks if walks is not None else plan.walks(checked.course, checked.analyses, max_paths)
    if only is not None:
        walks = [walk for walk in walks if {walk.name, walk.role} & only]
    prefix = f"/course/{number}/"
    cmi5_folder = None
    if packages:  # packages built before, walked as they are
        for fmt in formats:
            if fmt == "cmi5":
                cmi5_folder = Path(packages[fmt])
            else:
                site.add_folder(f"{prefix}{fmt}/", Path(packages[fmt]))
    else:
        built, _ = build.packages(checked, tuple(formats), [language] if language else None)
        for fmt in formats:
            files = _package_files(next(data for name, data in built.items() if name.endswith(f"-{fmt}.zip")))
            if fmt == "cmi5":
                cmi5_folder = scratch / str(number) / "cmi5"
                for name, data in files.items():
                    (cmi5_folder / name).parent.mkdir(parents=True, exist_ok=True)
                    (cmi5_folder / name).write_bytes(data)
            else:
                site.add(f"{prefix}{fmt}/", files)
    shown = language if language else checked.course.language
    return _Course(str(argument), checked, walks, prefix, shown, bool(language), cmi5_folder)


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
    """A page with the LMS host page of one course, SCORM version and LMS profile, kept open
    between walks; its context (and renderer process) lasts as long as its page slot."""

    def __init__(self, context, page, origin: str):
        self.key, self.context, self.page, self.origin = None, context, page, origin
        self.errors: list[str] = []
        self.frame = None
        self.moodle = False
        self.standalone = False  # no LMS API at all (host_params absent=1): only the page can be checked
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    @classmethod
    async def new(cls, browser, site: pool.Site, viewport, origin: str | None) -> _Host:
        """A page served from `origin` (the site's loopback server), or through request
        routing when there is none (a browser on another machine)."""
        size = {"viewport": {"width": viewport[0], "height": viewport[1]}} if viewport else {}
        context = await browser.new_context(reduced_motion="reduce", **size)
        if origin is None:
            await context.route(pool.ours, site.answer)
        return cls(context, await context.new_page(), origin or pool.ORIGIN)

    async def show(self, key, course: _Course, job: Job, host_params: str) -> None:
        """Load the host page of this course, version and profile: a new document, a new scorm-again."""
        self.moodle = job.profile == "moodle"
        self.standalone = "absent=1" in host_params
        await self.page.goto(f"{self.origin}/lms/host.html?version={VERSIONS[job.fmt]}"
                             f"&launch={course.prefix}{job.fmt}/index.html"
                             + ("&profile=moodle" if self.moodle else "")
                             + (f"&{host_params}" if host_params else ""))
        await self.page.wait_for_function("() => window.lms && lms.ready", timeout=STEP_TIMEOUT_MS)
        self.frame = self._sco()
        self.key = key

    def _sco(self):
        """The SCO's frame: a new one each launch (lmshost/host.js), the last one attached."""
        return [f for f in self.page.main_frame.child_frames if not f.is_detached()][-1]

    async def launch(self) -> int:
        """A new learner's first launch (a new attempt): the SCO still shown saves on pagehide,
        then the browser storage and the logs are emptied and a fresh API launches the SCO again."""
        self.errors.clear()
        session = await self.page.evaluate("""async () => {
            if (lms.ready) await lms.unload();
            localStorage.clear(); sessionStorage.clear();
            lmsLog.length = 0; lmsMessages.length = 0; lmsBeacons.length = 0;
            await lms.relaunch({});
            return lms.session();
        }""")
        self.frame = self._sco()
        return session

    async def finish(self, session: int) -> dict:
        """Unload the SCO (it saves and terminates) and read what the LMS holds: in the
        Moodle-like profile what reached its server (lms.stored()), else scorm-again's data model."""
        return json.loads(await self.page.evaluate("""async ([session, moodle]) => {
            await lms.unload();
            const stored = moodle ? lms.stored() : null;
            return JSON.stringify({cmi: stored ? stored.cmi : lms.cmi().cmi, stored,
                                   log: lmsLog.filter(e => e.session === session)});
        }""", [session, self.moodle]))

    def judge(self, walker: Walker, page_state: dict, end: dict) -> list[str]:
        stored, log = end["stored"], end["log"]
        walker.result.lms = end["cmi"]
        walker.result.delivery = Delivery.of(log, stored["arrivals"] if stored else [])
        walker.result.injected_faults = sum(1 for entry in log if entry.get("injected"))
        return check_lms(walker, page_state, end["cmi"], log, stored, lms=not self.standalone)

    async def artifacts(self, folder: Path, stem: str) -> list[str]:
        folder.mkdir(parents=True, exist_ok=True)
        shot, calls = folder / f"{stem}.png", folder / f"{stem}-lms-log.json"
        try:
            await self.page.screenshot(path=str(shot), full_page=True)
            calls.write_text(json.dumps(await self.page.evaluate("lmsLog"), indent=1), encoding="utf-8")
        except Exception:  # the page may be gone; the report still names the failure
            return []
        return [str(shot), str(calls)]

    async def close(self) -> None:
        await self.context.close()


async def _host_for(browser, state: dict, job: Job, course: _Course, site: pool.Site, options: dict):
    """The page slot's host for this job: the SCORM host page (shown afresh when the course,
    version or profile changes), or the cmi5 launcher of this course."""
    if job.fmt == "cmi5":
        host = state.get("cmi5")
        if host is not None and host.key != job.course:
            state.pop("cmi5")
            await host.close()
            host = None
        if host is None:
            shown = time.monotonic()
            host = state["cmi5"] = await cmi5walk.Cmi5Host.new(browser, course.cmi5, options["lrs"],
                                                               options["viewport"], options["fail_every"])
            host.key = job.course
            state["shown"] = time.monotonic() - shown
        return host
    key = (job.course, job.fmt, job.profile)
    host = state.get("host")
    if host is None:
        host = state["host"] = await _Host.new(browser, site, options["viewport"],
                                               None if state.get("remote") else options["origin"])
    if host.key != key:
        shown = time.monotonic()
        await host.show(key, course, job, options["host_params"])
        state["shown"] = time.monotonic() - shown
    return host


async def _forget(state: dict, job: Job) -> None:
    """After a failed walk the next starts from a host in a known state."""
    if job.fmt == "cmi5":
        host = state.pop("cmi5", None)
        if host is not None:
            try:
                await host.close()
            except Exception:  # noqa: BLE001 - a browser gone; its launcher is closed all the same
                pass
    elif state.get("host"):
        state["host"].key = None


async def _play(browser, state: dict, job: Job, courses: list[_Course], site: pool.Site, options: dict) -> WalkResult:
    course = courses[job.course]
    try:
        host = await _host_for(browser, state, job, course, site, options)
        result = await _walk(host, course, job, options)
        result.timings["host"] = state.pop("shown", 0.0)
    except pool.BrowserGone:
        raise
    except Exception as problem:
        if not browser.is_connected():
            raise pool.BrowserGone(str(problem).splitlines()[0] if str(problem) else "") from problem
        await _forget(state, job)
        walker = Walker(course.checked, course.walks[job.index], job.fmt, Path(options["cwd"]), job.profile)
        walker.result.failures.append(f"{walker.where(course.checked.course.location)}: the LMS host page did not "
                                      f"open: {type(problem).__name__}: {str(problem).splitlines()[0]}")
        return walker.result
    if not result.ok:
        await _forget(state, job)
        if not browser.is_connected():
            raise pool.BrowserGone("disconnected during the walk")
    return result


async def _walk(host, course: _Course, job: Job, options: dict) -> WalkResult:
    """One walk: a new learner's launch, the walk played in the page in one round trip, the
    SCO left, and what the LMS (or the LRS) holds against the prediction."""
    checked = course.checked
    walk = course.walks[job.index]
    walker = Walker(checked, walk, job.fmt, Path(options["cwd"]), job.profile)
    timings = walker.result.timings
    started = mark = time.monotonic()
    try:
        session = await host.launch()
        timings["launch"], mark = time.monotonic() - mark, time.monotonic()
        argument = walker.argument(options["viewport"] is not None, options["phone"])
        outcome = json.loads(await host.frame.evaluate(_as_text(in_page_script()), json.dumps(argument)))
        timings["play"], mark = time.monotonic() - mark, time.monotonic()
        walker.read(outcome)
        page_state = await host.frame.evaluate(PAGE_STATE)
        end = await host.finish(session)
        timings["finish"], mark = time.monotonic() - mark, time.monotonic()
        walker.result.failures += host.judge(walker, page_state, end)
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
        walker.result.artifacts = await host.artifacts(Path(options["artifacts"]), _stem(walk, job))
    walker.result.seconds = time.monotonic() - started
    return walker.result


def _stem(walk, job: Job) -> str:
    # The walk's name is a path, too long for a file name: its number in the plan instead.
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{job.fmt}-{job.profile}-walk-{walk.number}").strip("-")


@functools.cache
def _as_text(script: str) -> str:
    """The in-page walker taking and giving JSON text: Playwright checks every value of a
    structured argument or result against its protocol, which cost the coordinator more
    than half its time (a walk's steps, events and LMS log are thousands of values)."""
    return f"async (text) => JSON.stringify(await ({script})(JSON.parse(text)))"


async def _answers(host) -> bool:
    """Is the host page's browser still there? (A failed call alone does not say.)"""
    try:
        await asyncio.wait_for(host.page.evaluate("0"), 10)
        return True
    except Exception:  # noqa: BLE001
        return host.context.browser is not None and host.context.browser.is_connected() and not host.page.is_closed()


# --- runs ----------------------------------------------------------------------------------

def run_catalogue(courses: list, formats=("scorm12", "scorm2004"), workers: int | None = None,
                  max_paths: int = 200, artifacts: Path | None = None, progress: Progress | None = None,
                  servers: list[str] | None = None, host_params: str = "",
                  viewport: tuple[int, int] | None = None, packages: list | None = None,
                  pages: int | None = None, profiles=PROFILES, walks: list | None = None,
                  phone: bool = False, only: set[str] | None = None) -> Catalogue:
    """Check, package and plan every course, then play all their walks in one pool of browsers:
    `workers` browsers here, or the Playwright browser servers given (ws:// endpoints). Each
    SCORM walk plays against each LMS profile in `profiles`.

    `walks` (one list of plan.Walk per course, or None) plays those instead of the plan; `only`
    plays just the planned walks of those names or roles ("best"). `phone` (with `viewport`) adds the phone
    checks of the in-page walker (Walker.argument).
    Never raises for a failing walk or a failing browser: a browser that drops out has its
    walks played by the others, and the catalogue names it. A course with errors raises
    CourseError before any walk starts.
    """
    started = time.monotonic()
    pages = pages or (PAGES_PER_SERVER if servers else PAGES_PER_BROWSER)
    if servers and "cmi5" in formats:
        raise lms.LmsUnavailable(CMI5_NEEDS_LOCAL)
    profiles = tuple(dict.fromkeys(profiles)) or PROFILES
    kinds = variants(formats, profiles)
    with tempfile.TemporaryDirectory(prefix="coursegen-walks-") as scratch, contextlib.ExitStack() as stack:
        site = pool.host_site()
        prepared = [_prepare(i, course, formats, max_paths, site, packages[i] if packages else None, Path(scratch),
                             walks[i] if walks else None, only) for i, course in enumerate(courses)]
        jobs = [Job(i, fmt, w, profile) for i, course in enumerate(prepared) for fmt, profile in kinds
                for w in range(len(course.walks))]
        workers = max(1, workers or os.cpu_count() or 1)
        if not servers:  # a browser costs a start (about a second): only worth it for a few walks each
            workers = max(1, min(workers, len(jobs) // (2 * pages) or 1))
            lms.chromium_path()  # say what is missing before anything starts
        # The Moodle-like profile's server: commits and beacons arrive through the routes.
        site.serve_commits(lms.CommitStore())
        origin = stack.enter_context(site.serve()) if not servers else None
        # cmi5: one LRS for the whole run; each page slot has a launcher of its own in front of it.
        lrs = stack.enter_context(ralph.Ralph()).client() if "cmi5" in formats else None
        prepare = time.monotonic() - started
        fail_every = dict(p.split("=", 1) for p in host_params.split("&") if "=" in p).get("fail_every", 0)
        options = {"cwd": str(Path.cwd()), "artifacts": str(artifacts) if artifacts else None,
                   "host_params": host_params, "viewport": viewport, "phone": phone, "lrs": lrs,
                   "fail_every": int(fail_every), "origin": origin}
        if progress:
            progress.start([(c.label, len(c.walks) * len(kinds)) for c in prepared])

        def lost(job: Job, why: str) -> WalkResult:
            course = prepared[job.course]
            walker = Walker(course.checked, course.walks[job.index], job.fmt, Path(options["cwd"]), job.profile)
            walker.result.failures.append(f"{walker.where(course.checked.course.location)}: not walked: {why}")
            return walker.result

        async def play(browser, state, job):
            result = await _play(browser, state, job, prepared, site, options)
            if progress:
                progress.walk(job.course, result)
            return result

        async def close(state):
            for key in ("host", "cmi5"):
                if state.get(key):
                    await state.pop(key).close()

        outcome = _in_a_loop_of_its_own(lambda: pool.play_all(jobs, pool.browsers(workers, servers or []), pages,
                                                                  play, lost, close, _play_order(jobs, prepared, kinds),
                                                                  lambda job: (job.course, job.fmt, job.profile)))
    reports = []
    for i, course in enumerate(prepared):
        results = [r for job, r in zip(jobs, outcome.results) if job.course == i]
        reports.append(_report(course, results, formats, profiles, sum(r.seconds for r in results)))
    return Catalogue(reports, time.monotonic() - started,
                     [f"{lane.spec.name}: {lane.walks} walks" for lane in outcome.lanes], outcome.failed_browsers,
                     profile_of(outcome, time.monotonic() - started, prepare))


def _play_order(jobs: list[Job], courses: list[_Course], kinds: list[tuple[str, str]]) -> list[int]:
    """The jobs of one course, version and LMS profile together (a page keeps its host page for
    them), the longest walks of each first: the run does not end waiting on one long walk while
    the other browsers have nothing left to play."""
    steps = {}
    for job in jobs:
        if (job.course, job.index) not in steps:
            course = courses[job.course]
            steps[job.course, job.index] = len(Walker(course.checked, course.walks[job.index], job.fmt,
                                                      Path.cwd(), job.profile).steps)
    return sorted(range(len(jobs)), key=lambda i: (jobs[i].course, kinds.index((jobs[i].fmt, jobs[i].profile)),
                                                   -steps[jobs[i].course, jobs[i].index]))


def _in_a_loop_of_its_own(start):
    """asyncio.run(start()), in a thread of its own when this one already runs an event loop
    (a caller inside Playwright's sync API, or a notebook): a thread has one loop at most."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(start())
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="coursegen-walks-loop") as thread:
        return thread.submit(lambda: asyncio.run(start())).result()


def _report(course: _Course, results: list[WalkResult], formats, profiles, seconds: float) -> TestReport:
    checked = course.checked
    scenarios = [m for m in checked.course.modules if isinstance(m, Scenario)]
    return TestReport(checked.course.id, results, sum(len(n.choices) for m in scenarios for n in m.nodes),
                      sum(1 for m in scenarios for n in m.nodes if n.is_ending), seconds,
                      [w.name for w in course.walks], {w.name: w.expected for w in course.walks},
                      course.argument, course.language, tuple(formats), tuple(profiles))


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
        servers: list[str] | None = None, language: str | None = None, profiles=PROFILES,
        walks: list[plan.Walk] | None = None, only: set[str] | None = None, phone: bool = False) -> TestReport:
    """Build the course, plan its walks and play them all, each SCORM walk against each LMS
    profile (`PROFILES`); never raises for a failing walk.

    `packages` (format -> unzipped package folder) walks packages built
    before, as they are, instead of building the course afresh. `host_params`
    is added to the LMS host page's query (e.g. "fail=setvalue:3" makes every
    third SetValue fail, see lmshost/host.js; for cmi5, "fail_every=3" makes the
    launcher answer every third xAPI request with 503 until the course has sent
    everything, and recover before the learner leaves). `viewport` (width, height)
    plays every walk at that size and fails any view that scrolls sideways; `phone` adds the
    phone checks of `Walker.argument`. `only` plays just the walks of those names or roles ("best").
    `language` walks the course's translation (or a pseudo-locale) with the
    source's plan and predictions: a translation changes no score. `walks`
    plays these planned walks (e.g. plan.longest) instead of the course's plan.
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
                              servers, host_params, viewport, [packages] if packages else None,
                              profiles=profiles, walks=[walks] if walks is not None else None, phone=phone, only=only)
    report = catalogue.reports[0]
    report.seconds = catalogue.seconds
    report.failed_browsers = catalogue.failed_browsers
    return report


def failure_lines(report: TestReport) -> list[str]:
    """What `coursegen test` prints for the failed walks: each failure (the first names the line
    where the walk first went wrong), then the walk by its path, then what was saved."""
    numbers = {name: i + 1 for i, name in enumerate(report.walk_names)}
    lines = []
    for result in report.results:
        if result.ok:
            continue
        lines += result.failures
        where = ", ".join(p for p in (result.fmt, result.profile) if p)  # cmi5 has no LMS profile
        role = f' "{result.role}"' if result.role else ""
        lines.append(f"  in walk {numbers.get(result.walk, '?')}{role} ({where}): {result.walk}")
        lines += [f"  saved {artifact}" for artifact in result.artifacts]
    return lines


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
        where = ".".join(p for p in (course_id, result.fmt, result.profile) if p)
        cases.append(f'  <testcase classname={quoteattr(where)} name={quoteattr(result.walk)} '
                     f'time="{result.seconds:.2f}">{body}</testcase>')
    failures = sum(1 for r in report.results if not r.ok)
    return (f'<testsuite name={quoteattr("coursegen walks: " + course_id)} '
            f'tests="{len(report.results)}" failures="{failures}" time="{report.seconds:.2f}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")
