"""`coursegen test`: play every planned walk in Chromium against scorm-again and
report what differs from the course's predictions.

Walks use only the public test hooks of the authoring format (data-view,
data-node, data-choice, data-question, data-option, data-action, data-badge,
data-percent): what works here works for any author's own tests. Walks run in
parallel, one browser per worker process.

Each SCORM walk plays against two LMS profiles (lmshost/host.js): plain scorm-again, and a
Moodle-like one (mastery score from the manifest, the record posted as Moodle's player posts
it, Terminate by beacon): what the LMS stores must be what the course decided in both.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from .. import build
from ..model import Scenario
from . import cmi5walk, lms, plan, ralph
from .lmscheck import check_lms
from .walker import PAGE_STATE, STEP_TIMEOUT_MS, Delivery, Divergence, Walker, WalkResult

VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}
PROFILES = ("scorm-again", "moodle")


@dataclass
class TestReport:
    course_id: str
    results: list[WalkResult]
    choices_total: int
    endings_total: int
    seconds: float
    walk_names: list[str]
    predictions: dict  # walk name -> plan.Prediction

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and bool(self.results)

    def coverage(self) -> tuple[int, int]:
        choices = set().union(*(r.choices for r in self.results if r.ok)) if self.results else set()
        endings = set().union(*(r.endings for r in self.results if r.ok)) if self.results else set()
        return len(choices), len(endings)


# --- running walks -------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    course: str
    fmt: str
    index: int
    server: str
    artifacts: str | None
    max_paths: int
    cwd: str
    host_params: str = ""  # extra query of the LMS host page (fault injection in tests)
    viewport: tuple[int, int] | None = None  # a phone's size: every view is checked for sideways scrolling
    package: str = ""  # cmi5: the unpacked package the worker's launcher serves
    lrs: tuple = ("", ())  # cmi5: the LRS's URL and its clients' Authorization headers
    profile: str = "scorm-again"  # SCORM: how the LMS behaves, plain scorm-again or "moodle" ("" for cmi5)
    phone: bool = False  # and for what a phone needs: header height, tap targets, whole words in tables


def _run_jobs(jobs: list[Job]) -> list[WalkResult]:
    """One worker: one browser, its share of the walks in turn."""
    from playwright.sync_api import sync_playwright

    results = []
    checked = build.check(jobs[0].course, formats=tuple(dict.fromkeys(job.fmt for job in jobs)))
    walks = plan.walks(checked.course, checked.analyses, jobs[0].max_paths)
    with sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        hosts: dict[tuple[str, str], _Host] = {}
        try:
            for job in jobs:
                key = (job.fmt, job.profile)
                host = hosts.get(key) or hosts.setdefault(key, _new_host(browser, job))
                result = _run_one(host, checked, walks[job.index], job)
                results.append(result)
                if not result.ok:  # start the next walk from a page in a known state
                    host.close()
                    del hosts[key]
        finally:
            for host in hosts.values():
                host.close()
            browser.close()
    return results


def _new_host(browser, job: Job):
    if job.fmt == "cmi5":  # a launcher and the LRS instead of scorm-again's host page
        fail_every = int(dict(p.split("=", 1) for p in job.host_params.split("&") if "=" in p).get("fail_every", 0))
        return cmi5walk.Cmi5Host(browser, Path(job.package), cmi5walk.LrsClient(*job.lrs), job.viewport, fail_every)
    return _Host(browser, job)


class _Host:
    """The LMS host page of one SCORM version, kept open between walks: each
    walk gets a fresh API, an empty browser storage and a new launch of the SCO,
    without reloading scorm-again (a second or so per walk)."""

    def __init__(self, browser, job: Job, launch: str | None = None):
        size = {"viewport": {"width": job.viewport[0], "height": job.viewport[1]}} if job.viewport else {}
        self.context = browser.new_context(reduced_motion="reduce", **size)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.moodle = job.profile == "moodle"
        version = VERSIONS[job.fmt]
        self.page.goto(f"{job.server}/lms/host.html?version={version}&launch={launch or f'/pkg/{job.fmt}/index.html'}"
                       + ("&profile=moodle" if self.moodle else "")
                       + (f"&{job.host_params}" if job.host_params else ""))
        self.page.wait_for_function("() => window.lms", timeout=STEP_TIMEOUT_MS)
        self.standalone = "absent=1" in job.host_params  # no LMS API at all: only the page can be checked

    def launch(self) -> int:
        """A new learner's first launch; returns the host's session number."""
        self.page.evaluate("lms.unload()")  # the previous SCO saves on pagehide, then storage is wiped
        self.page.evaluate("localStorage.clear(); sessionStorage.clear()")
        self.errors.clear()
        self.page.evaluate("lms.relaunch({})")
        return self.page.evaluate("lms.session()")

    def frame(self):
        return self.page.query_selector("#sco").content_frame()

    def check(self, walker: Walker, page_state: dict, session: int) -> list[str]:
        """Unload the SCO, then what the LMS holds against the prediction: in the Moodle-like
        profile what reached its server, else scorm-again's data model."""
        self.page.evaluate("lms.unload()")
        log = self.page.evaluate("(session) => lmsLog.filter(e => e.session === session)", session)
        stored = self.page.evaluate("lms.stored()") if self.moodle else None
        data = stored["cmi"] if stored else self.page.evaluate("lms.cmi()")["cmi"]
        walker.result.lms = data
        walker.result.delivery = Delivery.of(log, stored["arrivals"] if stored else [])
        walker.result.injected_faults = sum(1 for entry in log if entry.get("injected"))
        return check_lms(walker, page_state, data, log, stored, lms=not self.standalone)

    def artifacts(self, folder: Path, stem: str) -> list[str]:
        return _save_artifacts(self.page, folder, stem)

    def close(self) -> None:
        self.context.close()


def _run_one(host: _Host, checked, walk, job: Job) -> WalkResult:
    started = time.monotonic()
    walker = Walker(checked, walk, job.fmt, Path(job.cwd), job.profile)
    try:
        session = host.launch()
        frame = host.frame()
        walker.play(frame, check_overflow=job.viewport is not None, phone=job.phone)
        page_state = frame.evaluate(PAGE_STATE)
        walker.result.failures += host.check(walker, page_state, session)
    except Divergence as problem:
        walker.result.failures.append(str(problem))
    except Exception as problem:  # a timeout or a page that stopped answering
        walker.result.failures.append(f"{walker.where(checked.course.location)}: the walk stopped: "
                                      f"{type(problem).__name__}: {str(problem).splitlines()[0]}")
    walker.result.failures += [f"{walker.where(checked.course.location)}: JavaScript error: {e}" for e in host.errors]
    if walker.result.failures and job.artifacts:
        walker.result.artifacts = host.artifacts(Path(job.artifacts), _stem(walk, job))
    walker.result.seconds = time.monotonic() - started
    return walker.result


def _stem(walk, job: Job) -> str:
    # The walk's name is a path, too long for a file name: its number in the plan instead.
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{job.fmt}-{job.profile}-walk-{walk.number}").strip("-")


def _save_artifacts(page, folder: Path, stem: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    shot, calls = folder / f"{stem}.png", folder / f"{stem}-lms-log.json"
    try:
        page.screenshot(path=str(shot), full_page=True)
        calls.write_text(json.dumps(page.evaluate("lmsLog"), indent=1), encoding="utf-8")
    except Exception:  # the page may be gone; the report still names the failure
        return []
    return [str(shot), str(calls)]


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


def run(course_argument, formats=("scorm12", "scorm2004"), workers: int | None = None, max_paths: int = 200,
        artifacts: Path | None = None, progress=None, packages: dict[str, Path] | None = None,
        host_params: str = "", viewport: tuple[int, int] | None = None, language: str | None = None,
        profiles=PROFILES, only: set[str] | None = None, phone: bool = False) -> TestReport:
    """Build the course, plan its walks and play them all, each SCORM walk against each LMS
    profile (`PROFILES`); never raises for a failing walk.

    `packages` (format -> unzipped package folder) walks packages built
    before, as they are, instead of building the course afresh. `host_params`
    is added to the LMS host page's query (e.g. "fail=setvalue:3" makes every
    third SetValue fail, see lmshost/host.js; for cmi5, "fail_every=3" makes the
    launcher answer every third xAPI request with 503 until the course has sent
    everything, and recover before the learner leaves). `viewport` (width, height)
    plays every walk at that size and fails any view that scrolls sideways; `phone` adds the
    phone checks of `Walker.play`. `only` plays just the walks of those names or roles ("best").
    `language` walks the course's translation (or a pseudo-locale) with the
    source's plan and predictions: a translation changes no score.
    """
    started = time.monotonic()
    checked = build.check(course_argument, formats=tuple(formats))
    walks = plan.walks(checked.course, checked.analyses, max_paths)
    workers = max(1, workers or os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="coursegen-walk-") as temp, contextlib.ExitStack() as stack:
        packages = packages or unpacked(course_argument, formats, Path(temp), language)
        mounts = {f"/pkg/{fmt}/": folder for fmt, folder in packages.items() if fmt != "cmi5"}
        # cmi5 walks store their statements in one LRS for the whole run (each worker has its own launcher).
        lrs = stack.enter_context(ralph.Ralph()).client() if "cmi5" in formats else None
        with lms.HostServer(mounts) as server:
            jobs = [Job(str(course_argument), fmt, i, server.url, str(artifacts) if artifacts else None, max_paths,
                        str(Path.cwd()), host_params, viewport, str(packages.get(fmt, "")),
                        (lrs.url, lrs.authorizations) if lrs and fmt == "cmi5" else ("", ()), profile, phone)
                    for fmt in formats for profile in (("",) if fmt == "cmi5" else profiles)
                    for i in range(len(walks)) if only is None or {walks[i].name, walks[i].role} & only]
            # A worker costs a process and a browser start: only worth it for ten walks or more.
            workers = max(1, min(workers, len(jobs) // 10))
            shares = [jobs[w::workers] for w in range(workers) if jobs[w::workers]]
            results: list[WalkResult] = []
            if len(shares) == 1:
                for result in _run_jobs(shares[0]):
                    results.append(result)
                    progress and progress(result, len(jobs))
            else:
                with ProcessPoolExecutor(len(shares), mp_context=get_context("spawn")) as pool:
                    for future in as_completed([pool.submit(_run_jobs, share) for share in shares]):
                        for result in future.result():
                            results.append(result)
                            progress and progress(result, len(jobs))
    order = {key: i for i, key in enumerate((f, p, w.name) for f in formats
                                            for p in (("",) if f == "cmi5" else profiles) for w in walks)}
    results.sort(key=lambda r: order.get((r.fmt, r.profile, r.walk), 0))
    scenarios = [m for m in checked.course.modules if isinstance(m, Scenario)]
    choices_total = sum(len(n.choices) for m in scenarios for n in m.nodes)
    endings_total = sum(1 for m in scenarios for n in m.nodes if n.is_ending)
    return TestReport(checked.course.id, results, choices_total, endings_total, time.monotonic() - started,
                      [w.name for w in walks], {w.name: w.expected for w in walks})


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
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name={quoteattr("coursegen walks: " + course_id)} '
            f'tests="{len(report.results)}" failures="{failures}" time="{report.seconds:.2f}">\n'
            + "\n".join(cases) + "\n</testsuite>\n")
