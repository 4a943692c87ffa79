"""Whole-process measurements: wall time, CPU time and peak RSS of one child process.

Each command runs as a fresh process; `os.wait4` gives that one child's own
resource usage (ru_maxrss: its peak resident set, in KiB on Linux), so no
other child of the bench is mixed in.
"""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the child
    rss: int  # peak resident set size, bytes
    code: int
    stdout: str
    stderr: str


@dataclass
class Series:
    runs: list[Run] = field(default_factory=list)

    def add(self, run: Run) -> Run:
        self.runs.append(run)
        return run

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def rss(self) -> int:
        return max(r.rss for r in self.runs)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.code == 0 for r in self.runs)


class Failed(Exception):
    pass


def run(cmd: list[str], cwd: str | None = None, timeout: float = 900, check: bool = True,
        env: dict[str, str] | None = None) -> Run:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.kill(child.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(0.002)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024, child.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    if timed_out := wall >= timeout:
        result.stderr += f"\n[bench] killed after {timeout:.0f} s"
    if check and (result.code != 0 or timed_out):
        raise Failed(f"{' '.join(cmd)} exited {result.code}:\n{result.stderr[-2000:]}")
    return result


def median(values) -> float:
    return statistics.median(list(values))
