"""What the flagship course costs an LMS: Commits and bytes per walk, in the Moodle-like
profile of coursegen's test LMS (generator/walks/lmshost/host.js: the data model posted as
Moodle 4.4's player posts it, Commit by synchronous request, Terminate by beacon, Chromium's
64 KiB limit on beacons in flight). Run alone: .venv/bin/python bench/lms_writes.py"""
from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "course" / "course.yaml"


@dataclass
class Written:
    walk: str
    fmt: str
    modules: int
    again: int  # attempts started again: Try again at an ending, a quiz's retake, going back from the results
    views: int
    commits: int
    posted: int  # bytes of every write that reached the server
    largest: int  # bytes of the largest write
    final: int  # bytes of Terminate's beacon
    finished: bool  # Terminate answered true
    refused: int
    failures: list[str]


def measure(course: Path = FLAGSHIP) -> list[Written]:
    from playwright.sync_api import sync_playwright

    from generator import build
    from generator.walks import lms, plan, runner

    checked = build.check(course)
    walks = plan.walks(checked.course, checked.analyses)
    chosen = [walks[0], walks[1], plan.longest(checked.course, checked.analyses)]
    # Issue 16's flows write more: the walk with the most attempts started again, and the failed
    # course recovered from its results.
    chosen.append(max([w for w in walks[2:] if not w.again] or walks[:1], key=lambda w: (again(w), w.name)))
    chosen += [w for w in walks if w.again]
    out = []
    with tempfile.TemporaryDirectory(prefix="coursegen-bench-lms-") as temp:
        packages = runner.unpacked(course, ("scorm12", "scorm2004"), Path(temp))
        mounts = {f"/pkg/{fmt}/": folder for fmt, folder in packages.items()}
        with lms.HostServer(mounts) as server, sync_playwright() as playwright:
            browser = lms.launch_chromium(playwright)
            try:
                for fmt in ("scorm12", "scorm2004"):
                    job = runner.Job(str(course), fmt, 0, server.url, None, 200, str(ROOT), profile="moodle")
                    for label, walk in chosen:
                        host = runner._Host(browser, job)
                        try:
                            walker_steps = runner.Walker(checked, walk, fmt, ROOT).steps
                            result = runner._run_one(host, checked, walk, job)
                            arrivals = host.page.evaluate("lms.stored()")["arrivals"]
                        finally:
                            host.close()
                        d = result.delivery
                        out.append(Written(walk.role, fmt, len(checked.course.modules), again(walk),
                                           len(walker_steps), d.commits,
                                           d.posted, max((a["bytes"] for a in arrivals), default=0), d.final,
                                           d.finished, d.refused, result.failures))
            finally:
                browser.close()
    return out


def again(walk) -> int:
    """Attempts the walk starts again: each "Try again" at an ending, each quiz retake after a
    failed attempt, each module gone back to from the results."""
    from generator.walks import plan

    count = len(walk.again)
    for play in walk.plays + [p for _, p in walk.again]:
        if isinstance(play, plan.ScenarioPlay):
            count += len(play.replays)
        elif isinstance(play, plan.QuizPlay):
            count += len(play.attempts) - 1
    return count


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in measure():
        print(row)
