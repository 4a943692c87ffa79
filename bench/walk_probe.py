"""Child process of the bench: one `coursegen test` run through the Python API, with where
its time went.

usage: walk_probe.py COURSE [--workers N] [--pages N] [--server WS_URL ...] [--lms PROFILE ...]  -> one JSON line

Prints the wall time, walks, failures, the run's profile (runner.profile_of) and the
browsers that took part.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.walks import runner  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("course")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--pages", type=int, default=None)
    parser.add_argument("--server", action="append", default=[])
    parser.add_argument("--lms", action="append", default=[], choices=runner.PROFILES)
    args = parser.parse_args()
    tree = ProcessTree()
    started = time.monotonic()
    catalogue = runner.run_catalogue([args.course], workers=args.workers, servers=args.server, pages=args.pages,
                                     profiles=tuple(args.lms) or runner.PROFILES)
    wall = time.monotonic() - started
    tree.stop()
    report = catalogue.reports[0]
    print(json.dumps({"wall": wall, "walks": len(report.results), "failures": sum(not r.ok for r in report.results),
                      "first_failure": next((f for r in report.results for f in r.failures), None),
                      "coverage": report.coverage(), "totals": [report.choices_total, report.endings_total],
                      "profile": catalogue.profile, "browsers": catalogue.browsers,
                      "failed_browsers": catalogue.failed_browsers,
                      # The coordinator's own CPU and its Playwright driver's (a child, counted once it exits):
                      # the coordinator's cost. Chromium's renderers never reach RUSAGE_CHILDREN (its zygote
                      # does not reap them into it), so what local browsers cost is `cpu_tree`.
                      "cpu_self": _cpu(resource.RUSAGE_SELF), "cpu_children": _cpu(resource.RUSAGE_CHILDREN),
                      "cpu_tree": tree.seconds() + _cpu(resource.RUSAGE_SELF),
                      "cpu_by_process": {"coordinator (Python)": _cpu(resource.RUSAGE_SELF), **tree.by_kind()}}))


class ProcessTree:
    """The CPU time of every process below this one (the Playwright driver, Chromium and each of
    its renderers), read from /proc five times a second: a process's time as last seen before it
    ended (so up to 0.2 s of each process's last moments may be missed)."""

    def __init__(self, every: float = 0.2):
        self._last: dict[tuple[int, str], float] = {}  # (pid, start time) -> CPU seconds
        self._kind: dict[tuple[int, str], str] = {}  # (pid, start time) -> what the process is
        self._stopping = threading.Event()
        self._every = every
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._sample()
            self._stopping.wait(self._every)
        self._sample()

    def _sample(self) -> None:
        ticks = os.sysconf("SC_CLK_TCK")
        parents, times = {}, {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(name)] = int(fields[1])
            times[int(name)] = ((int(fields[11]) + int(fields[12])) / ticks, fields[19])
        me = os.getpid()
        for pid in times:
            ancestor = parents.get(pid)
            while ancestor and ancestor != me:
                ancestor = parents.get(ancestor)
            if ancestor == me:
                key = (pid, times[pid][1])
                self._last[key] = times[pid][0]
                # Again each time: a process execs (Debian's chromium is a shell script first); a process
                # that just ended keeps what it was.
                self._kind[key] = _kind(pid) or self._kind.get(key, "other")

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join()

    def seconds(self) -> float:
        return sum(self._last.values())

    def by_kind(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for key, seconds in self._last.items():
            totals[self._kind[key]] = totals.get(self._kind[key], 0.0) + seconds
        return dict(sorted(totals.items(), key=lambda item: -item[1]))


def _kind(pid: int) -> str | None:
    """"Chromium renderer", "Chromium browser", "Playwright driver (node)"... from its command line
    (Chromium rewrites its own: one string, arguments and all)."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return None
    if not words:  # a process ending
        return None
    program = Path(words[0]).name
    if "chrom" in program or program == "exe":  # exe: /proc/self/exe, a Chromium process not yet renamed
        kind = next((w.split("=", 1)[1] for w in words if w.startswith("--type=")), "browser")
        service = next((w.split("=", 1)[1] for w in words if w.startswith("--utility-sub-type=")), "")
        return f"Chromium {kind}" + (f" ({service.split('.')[0]})" if service else "")
    if program == "node":
        return "Playwright driver (node)"
    return program


def _cpu(who) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
