"""What the flagship course costs an LMS: Commits and bytes per walk, in the Moodle-like
profile of coursegen's test LMS (generator/walks/lmshost/host.js: the data model posted as
Moodle 4.4's player posts it, Commit by synchronous request, Terminate by beacon, Chromium's
64 KiB limit on beacons in flight). Run alone: .venv/bin/python bench/lms_writes.py"""
from __future__ import annotations

import sys
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
    from generator import build
    from generator.walks import plan, runner

    checked = build.check(course)
    walks = plan.walks(checked.course, checked.analyses)
    chosen = [walks[0], walks[1], plan.longest(checked.course, checked.analyses)]
    # Played as `coursegen test` plays them: the Moodle-like profile's server in the coordinator.
    report = runner.run(course, ("scorm12", "scorm2004"), workers=1, profiles=("moodle",), walks=chosen)
    views = {(walk.name, fmt): len(runner.Walker(checked, walk, fmt, ROOT).steps)
             for walk in chosen for fmt in ("scorm12", "scorm2004")}
    out = []
    for result in report.results:
        d = result.delivery
        out.append(Written(result.walk, result.fmt, len(checked.course.modules), views[result.walk, result.fmt], d.commits,
                           d.posted, d.largest, d.final, d.finished, d.refused, result.failures))
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for row in measure():
        print(row)
