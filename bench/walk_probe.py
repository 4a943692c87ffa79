"""Child process of the bench: one `coursegen test` run through the Python API, with where
its time went.

usage: walk_probe.py COURSE [--workers N] [--pages N] [--server WS_URL ...] [--lms PROFILE ...]  -> one JSON line

Prints the wall time, walks, failures, the run's profile (runner.profile_of) and the
browsers that took part.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.walks import runner  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("course")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--pages", type=int, default=runner.PAGES_PER_BROWSER)
    parser.add_argument("--server", action="append", default=[])
    parser.add_argument("--lms", action="append", default=[], choices=runner.PROFILES)
    args = parser.parse_args()
    started = time.monotonic()
    catalogue = runner.run_catalogue([args.course], workers=args.workers, servers=args.server, pages=args.pages,
                                     profiles=tuple(args.lms) or runner.PROFILES)
    wall = time.monotonic() - started
    report = catalogue.reports[0]
    print(json.dumps({"wall": wall, "walks": len(report.results), "failures": sum(not r.ok for r in report.results),
                      "first_failure": next((f for r in report.results for f in r.failures), None),
                      "coverage": report.coverage(), "totals": [report.choices_total, report.endings_total],
                      "profile": catalogue.profile, "browsers": catalogue.browsers,
                      "failed_browsers": catalogue.failed_browsers,
                      # The coordinator's own CPU and its Playwright driver's (a child, counted once it exits);
                      # local browsers are children too, so this is the coordinator's cost only with servers.
                      "cpu_self": _cpu(resource.RUSAGE_SELF), "cpu_children": _cpu(resource.RUSAGE_CHILDREN)}))


def _cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
