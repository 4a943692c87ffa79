"""The repository's courses walked here, in both SCORM versions and both LMS profiles: played
once per test session and read by every test that asks (test_walks checks them; the browser
servers' test holds its remote walks against the same local run)."""
from __future__ import annotations

import time

from repo import REPO

from generator.walks import runner

FIXTURES = REPO / "tests" / "fixtures" / "courses"
COURSES = {
    "flagship": REPO / "course" / "course.yaml",
    "refresher": REPO / "course" / "refresher.yaml",
    "branching": FIXTURES / "branching",
    "quiz-rules": FIXTURES / "quiz-rules",
    "reading-only": FIXTURES / "reading-only",
}
# The refresher's scenarios are the flagship's own files, walked path by path there; here a
# covering set (every choice, every ending, best and worst) proves the refresher's wiring.
MAX_PATHS = {"refresher": 0}
_reports: dict[str, runner.TestReport] = {}


def report_for(name: str, tmp_path_factory) -> runner.TestReport:
    if name not in _reports:
        started = time.monotonic()
        artifacts = tmp_path_factory.mktemp(f"walks-{name}")
        _reports[name] = runner.run(COURSES[name], ("scorm12", "scorm2004"), workers=2, artifacts=artifacts,
                                    max_paths=MAX_PATHS.get(name, 200))
        print(f"\n{name}: {len(_reports[name].results)} walks in {time.monotonic() - started:.1f} s")
    return _reports[name]
