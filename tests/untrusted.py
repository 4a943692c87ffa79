"""Helpers for tests that treat a course as untrusted input: which files did `check`
open, and did it stay within its time budget?

`reads()` records every file opened while it is active through an audit hook
(sys.addaudithook, the "open" event), so the test sees what the process really
did, whatever function did it. `cpu_budget()` stops code that spends more than
its CPU seconds (a busy machine slows the wall clock, not the CPU count) and,
as a backstop, code that blocks for far longer than that.
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
from pathlib import Path

_recording: list[list[Path]] = []


def _hook(event: str, args: tuple) -> None:
    if event == "open" and _recording and args and isinstance(args[0], (str, bytes, os.PathLike)):
        name = os.fsdecode(args[0])
        _recording[-1].append(Path(os.path.abspath(name)))


sys.addaudithook(_hook)  # hooks cannot be removed: it records only inside reads()


@contextlib.contextmanager
def reads():
    """with reads() as opened: ... -> `opened` lists every file opened meanwhile (absolute, links kept)."""
    opened: list[Path] = []
    _recording.append(opened)
    try:
        yield opened
    finally:
        _recording.pop()


_PYTHON = tuple(Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
_CODE = (".py", ".pyc", ".so")
# coursegen's own data (the player's word tables, the runtime's labels): read for every course, named
# by coursegen, never by the course; loaded once per process, so which test reads them first varies.
_PRODUCT_DATA = (Path(__file__).resolve().parents[1] / "generator",)


def outside(opened: list[Path], root: Path) -> list[Path]:
    """The opened files that are not inside `root`, once links are resolved.

    Python's own modules, imported on first use, are code rather than course data."""
    root = root.resolve()
    found = set()
    for path in opened:
        path = path.resolve()
        if path.is_relative_to(root):
            continue
        if path.suffix in _CODE and any(path.is_relative_to(prefix) for prefix in _PYTHON):
            continue
        if any(path.is_relative_to(prefix) for prefix in _PRODUCT_DATA):
            continue
        if "site-packages" in path.parts and any(path.is_relative_to(prefix) for prefix in _PYTHON):
            continue  # an installed library's own data (Babel's CLDR plural rules), loaded once per process
        found.add(path)
    return sorted(found)


class OverBudget(Exception):
    pass


@contextlib.contextmanager
def cpu_budget(seconds: float, blocked: float = 60.0):
    """Raise OverBudget in the block after `seconds` of CPU time, or `blocked` seconds of wall time."""
    def stop(signum, frame):
        kind = "CPU" if signum == signal.SIGPROF else "wall-clock"
        raise OverBudget(f"still running after {seconds if signum == signal.SIGPROF else blocked} s of {kind} time")

    previous = signal.signal(signal.SIGPROF, stop), signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, blocked)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])
