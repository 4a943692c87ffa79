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
    # Walks are named by their paths (long for the flagship); the table names them by their role.
    chosen = [("best", walks[0]), ("worst", walks[1]), ("longest", plan.longest(checked.course, checked.analyses))]
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
                        out.append(Written(label, fmt, len(checked.course.modules), len(walker_steps), d.commits,
                                           d.posted, max((a["bytes"] for a in arrivals), default=0), d.final,
                                           d.finished, d.refused, result.failures))
            finally:
                browser.close()
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in measure():
        print(row)
