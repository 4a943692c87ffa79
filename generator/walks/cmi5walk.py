"""Walks of a cmi5 package: each walk is a new learner's launch through the test launcher
(cmi5host), with Ralph as the LRS; afterwards the statements are read back from Ralph and held
against the course's predictions, and every rule the launcher saw broken is a failure.

The read-back is an LRS report as an analyst would make it: the verdict and score from
completed/passed/failed, the path from the `answered` statements (choices, endings, answers),
the badges from `earned` statements.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import pool
from .cmi5host import Launcher, Session
from .lmscheck import page_problems
from .ralph import LrsClient
from .walker import STEP_TIMEOUT_MS, Walker
from .xapi_rules import MASTERY_SCORE, VERB_NAMES, CATEGORY_CMI5

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
EARNED = "http://id.tincanapi.com/verb/earned"


class Cmi5Host:
    """One page slot's cmi5 LMS: a launcher in this process over the run's LRS, and one page
    that opens each walk's launch URL (cmi5 launchMethod AnyWindow: the page itself).

    The launcher listens on this machine's loopback and the page loads the course from it
    directly, with no request routing in its context: routed (even passed on unchanged),
    the statements a cmi5 course sends with keepalive as its page goes (`terminated`) never
    arrive. So cmi5 walks need a local browser (runner.run_catalogue says so when given
    browser servers). The launcher's and the LRS's calls block (a socket, a lock), so they
    run in pool.blocking's threads."""

    def __init__(self, context, page, launcher: Launcher, lrs: LrsClient, fail_every: int):
        self.context, self.page, self.launcher, self.lrs = context, page, launcher, lrs
        self.fail_every = fail_every  # the LMS fails every Nth request while the course runs, then recovers
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.session: Session | None = None
        self.injected_before = 0
        self.key = None

    @classmethod
    async def new(cls, browser, package: Path, lrs: LrsClient, viewport=None, fail_every: int = 0) -> "Cmi5Host":
        launcher = Launcher(package, lrs, fail_every).__enter__()
        try:
            size = {"viewport": {"width": viewport[0], "height": viewport[1]}} if viewport else {}
            context = await browser.new_context(reduced_motion="reduce", **size)
            return cls(context, await context.new_page(), launcher, lrs, fail_every)
        except BaseException:
            launcher.__exit__()
            raise

    @property
    def frame(self):
        return self.page.main_frame

    async def launch(self) -> Session:
        """A new learner's first launch."""
        await self.leave()  # each walk is a new registration: the browser's mirror of the last one is not read
        self.errors.clear()
        self.session = await pool.blocking(self.launcher.launch)
        self.launcher.fail_every = self.fail_every
        self.injected_before = self.launcher.injected
        await self.page.goto(self.session.url, timeout=STEP_TIMEOUT_MS)
        return self.session

    async def settle(self, seconds: float = 30) -> None:
        """Wait until the AU has nothing left to send: a learner reads the results page for a
        moment; the walks' robot would otherwise leave within the millisecond (the closing-tab
        tests leave at once on purpose)."""
        await self.page.wait_for_function("() => !(window.CG && CG.lms && CG.lms.pending) || CG.lms.pending() === 0",
                                          timeout=seconds * 1000)

    async def leave(self) -> None:
        """Navigate away (pagehide: the AU sends terminated) and wait until the LMS has it."""
        if self.session is not None and not self.session.terminated:
            await self.page.goto("about:blank")
            await pool.blocking(self.launcher.wait_terminated, self.session)

    async def finish(self, session: Session) -> list[dict]:
        """Leave the course once it has sent everything; the statements the LRS holds."""
        await self.settle()  # every statement retried until the LMS took it
        self.launcher.fail_every = 0  # recovered: a request failing as the page goes can never be retried
        await self.leave()
        return await pool.blocking(lambda: self.lrs.statements(registration=session.registration))

    def judge(self, walker: Walker, page_state: dict, statements: list[dict]) -> list[str]:
        """Every broken rule and every difference between what the LRS holds and what the
        course predicts."""
        session = self.session
        where = walker.where(walker.course.location)
        problems = [f"{where}: {violation}" for violation in session.violations]
        if not session.terminated:
            problems.append(f"{where}: the session ended without a terminated statement")
        walker.result.injected_faults = self.launcher.injected - self.injected_before
        walker.result.lms = {"statements": statements}
        problems += check_statements(walker, page_state, statements, self.launcher.structure)
        return problems

    async def artifacts(self, folder: Path, stem: str) -> list[str]:
        """A screenshot and what the LMS saw (statements and broken rules) of a failed walk."""
        folder.mkdir(parents=True, exist_ok=True)
        shot, log = folder / f"{stem}.png", folder / f"{stem}-statements.json"
        try:
            await self.page.screenshot(path=str(shot), full_page=True)
        except Exception:  # the page may be gone
            shot = None
        session = self.session
        log.write_text(json.dumps({"violations": [str(v) for v in session.violations] if session else [],
                                   "statements": session.statements if session else []}, indent=1), encoding="utf-8")
        return [str(p) for p in (shot, log) if p]

    async def close(self) -> None:
        try:
            await self.context.close()
        finally:
            self.launcher.__exit__()


@dataclass(frozen=True)
class Report:
    """What an analyst reads from one registration's statements."""

    verdict: str | None  # passed / failed / None
    completed: int
    score: dict | None
    mastery: object
    interactions: list[dict]
    badges: list[str]


def read_report(statements: list[dict], au_id: str) -> Report:
    defined = [s for s in statements if CATEGORY_CMI5 in _categories(s) and s["verb"]["id"] in VERB_NAMES]
    verbs = [VERB_NAMES[s["verb"]["id"]] for s in defined]
    verdicts = [s for s in defined if VERB_NAMES[s["verb"]["id"]] in ("passed", "failed")]
    # The registration's standing verdict is its last: a later session's passed follows a failed.
    verdict = VERB_NAMES[verdicts[-1]["verb"]["id"]] if verdicts else None
    score = verdicts[-1].get("result", {}).get("score") if verdicts else None
    mastery = verdicts[-1].get("context", {}).get("extensions", {}).get(MASTERY_SCORE) if verdicts else None
    interactions = [_interaction(s, au_id) for s in statements if s["verb"]["id"] == ANSWERED]
    badges = [s["object"]["id"].rsplit("/", 1)[-1] for s in statements if s["verb"]["id"] == EARNED]
    return Report(verdict, verbs.count("completed"), score, mastery, interactions, badges)


def _categories(statement: dict) -> list:
    return [a.get("id") for a in statement.get("context", {}).get("contextActivities", {}).get("category", [])]


def _interaction(statement: dict, au_id: str) -> dict:
    """An answered statement as the SCORM walks' interaction record: id MODULE__NODE-OR-QUESTION."""
    path = statement["object"]["id"][len(au_id) + 1:].split("/")
    definition = statement["object"].get("definition", {})
    result = statement.get("result", {})
    success = result.get("success")
    outcome = "neutral" if success is None else "correct" if success else "wrong"  # the words of rules.RESULTS
    if path[0] == "scenarios" and path[2] == "ending":
        kind, ident = "fill-in", f"{path[1]}__ending"
    elif path[0] == "lessons":  # an attestation: lessons/ID/attestation
        kind, ident = definition.get("interactionType"), f"{path[1]}__attest"
    else:
        kind, ident = definition.get("interactionType"), f"{path[1]}__{path[3]}"
    record = {"id": ident, "type": kind, "response": result.get("response"), "result": outcome}
    if path[0] == "quizzes":
        record["weighting"] = result.get("score", {}).get("max", 0)  # a likert answer has no score: 0 at stake
    return record


def check_statements(walker: Walker, page_state: dict, statements: list[dict], structure) -> list[str]:
    """`structure`: the package's cmi5.xml as the LMS imported it (AU id, masteryScore)."""
    expected = walker.walk.expected
    where = walker.where(walker.course.location)
    mastery = structure.mastery_score
    report = read_report(statements, structure.au_id)
    problems = page_problems(where, page_state, expected)
    verdict = "passed" if expected.passed else "failed"
    if report.completed != 1 or report.verdict != verdict:
        problems.append(f"{where}: the LRS holds {report.completed} completed and verdict {report.verdict}, "
                        f"predicted 1 completed and {verdict}")
    # failed with a score at or above masteryScore breaks cmi5 9.3.5: such a verdict has no score.
    scoreless = not expected.passed and mastery is not None and expected.percent / 100 >= mastery
    want = None if scoreless else {"scaled": expected.percent / 100, "raw": expected.percent, "min": 0, "max": 100}
    if report.score != want:
        problems.append(f"{where}: the LRS holds score {report.score}, predicted {want}")
    if mastery is not None and report.mastery != mastery:
        problems.append(f"{where}: the verdict carries masteryScore {report.mastery}, the LMS gave {mastery}")
    problems += _check_interactions(walker, report.interactions)
    if sorted(report.badges) != sorted(expected.badges) or len(report.badges) != len(set(report.badges)):
        problems.append(f"{where}: the LRS holds earned statements for {report.badges}, predicted {sorted(expected.badges)}")
    return problems


def _check_interactions(walker: Walker, actual: list[dict]) -> list[str]:
    expected = walker.expected_interactions
    for index, want in enumerate(expected):
        if index >= len(actual):
            return [f"{walker.where(want['source'])}: the LRS holds {len(actual)} answered statements, the walk "
                    f"made {len(expected)}; missing from \"{want['id']}\" on"]
        got = actual[index]
        fields = {k: got.get(k) for k in ("id", "type", "response", "result")}
        wanted = {k: want[k] for k in fields}
        if "weighting" in got:  # a question's points; choice points are the course's, not in statements
            fields["weighting"], wanted["weighting"] = got["weighting"], want.get("weighting")
        if fields != wanted:
            diffs = ", ".join(f"{k}={fields[k]!r} (predicted {wanted[k]!r})" for k in fields if fields[k] != wanted[k])
            return [f"{walker.where(want['source'])}: answered statement {index} \"{want['id']}\" differs: {diffs}"]
    if len(actual) > len(expected):
        return [f"{walker.where(walker.course.location)}: the LRS holds {len(actual)} answered statements, the walk "
                f"made {len(expected)}"]
    return []
