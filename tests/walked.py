"""The repository's courses walked here, in both SCORM versions and both LMS profiles, or as
cmi5: played once per test session and read by every test that asks (test_walks checks them;
the browser servers' test holds its remote walks against the same local run; test_cmi5 holds the
LRS's walks against the SCORM ones)."""
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
SCORM = ("scorm12", "scorm2004")
_reports: dict[tuple[str, tuple[str, ...]], runner.TestReport] = {}


def report_for(name: str, tmp_path_factory, formats: tuple[str, ...] = SCORM) -> runner.TestReport:
    key = (name, formats)
    if key not in _reports:
        started = time.monotonic()
        artifacts = tmp_path_factory.mktemp(f"walks-{name}-{'-'.join(formats)}")
        _reports[key] = runner.run(COURSES[name], formats, workers=2, artifacts=artifacts,
                                   max_paths=MAX_PATHS.get(name, 200))
        print(f"\n{name} ({', '.join(formats)}): {len(_reports[key].results)} walks in "
              f"{time.monotonic() - started:.1f} s")
    return _reports[key]
