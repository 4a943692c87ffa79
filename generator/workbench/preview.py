"""`coursegen preview`: the course live in a browser, rebuilt on every save.

The watcher takes the operating system's file events (inotify, FSEvents,
ReadDirectoryChangesW, through watchfiles) on the folders holding every file
the course is made of (course.yaml, modules, images, badge icons), missing
ones included, so a module listed before it is written is picked up when it
appears. Each change recompiles in memory, through the same `build.check` and
`render` as a real build; the preview shell page (previewhost/) long-polls for
a new version and relaunches the course, or lays the errors over it.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import watchfiles

from ..check import state
from ..diagnostics import Diagnostic, Diagnostics, Location, display_path
from ..package import render
from ..source import yamlmarks
from ..source.files import read_text
from ..source.loader import find_course_file
from ..walks import lms
from . import jump, maps, server
from .server import PreviewError

# A newly armed watcher compares the files with the last build at its first wake, a change or
# this timeout, to catch a save made while it armed. Debouncing is watchfiles' own (50 ms of
# quiet): a burst of saves, a git checkout, is one rebuild.
IDLE_MS = 1000
LIMIT_12 = state.LIMITS["scorm12"]


@dataclass(frozen=True)
class Build:
    """One compile: what the preview serves (`files`, the last good build's) and what it reports."""

    version: int
    ok: bool
    files: dict[str, bytes]
    report: dict  # the JSON the shell reads from /__preview/status
    loaded: maps.Loaded
    good: maps.Loaded | None  # the model behind `files`, for jumps
    seconds: float
    digest: str = ""
    watched: frozenset[Path] = field(default_factory=frozenset)


class Preview:
    def __init__(self, course_argument: str | Path, port: int = 8000, log=None):
        self.course_file = find_course_file(course_argument).absolute()
        self.port = port
        self.log = log or (lambda message: None)
        full = lms.node_modules() / lms.SCORM_AGAIN
        minified = full.with_name("scorm-again.min.js")  # a third of the size: a quicker first load
        self.scorm_again = minified if minified.is_file() else full
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._maps: dict[int, dict[str, bytes]] = {}
        self._shapes: dict[str, maps.Loaded] = {}  # recent good models by state key: where a learner stood
        self._signature: tuple = ()
        self.build: Build = self._compile(None)
        self._server = None
        self._watcher = threading.Thread(target=self._watch, name="coursegen-preview-watch", daemon=True)

    # --- lifetime -------------------------------------------------------------------------

    def start(self) -> "Preview":
        self._server = server.serve(self, self.port)
        self._signature = self._stat(self.build.watched)
        self._watcher.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "Preview":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    # --- watching and compiling -----------------------------------------------------------

    @staticmethod
    def _stat(paths) -> tuple:
        out = []
        for path in sorted(paths):
            try:
                info = path.stat()
                out.append((str(path), info.st_mtime_ns, info.st_size))
            except OSError:
                out.append((str(path), None, None))
        return tuple(out)

    def _watch(self) -> None:
        """Events on the folders of the watched files, not recursive (a course folder may hold a
        .venv or node_modules), re-armed whenever that set of folders changes."""
        polling = None  # watchfiles' choice (WATCHFILES_FORCE_POLLING) until native events fail
        while not self._stopping.is_set():
            folders = _folders(self.build.watched)
            armed = False
            try:
                for events in watchfiles.watch(*folders, recursive=False, stop_event=self._stopping,
                                               rust_timeout=IDLE_MS, yield_on_timeout=True, force_polling=polling,
                                               ignore_permission_denied=True, raise_interrupt=False):
                    changed = _concerning(events, self.build.watched) if events else []
                    if not armed:  # what changed between the last build and this watcher's start
                        armed = True
                        signature = self._stat(self.build.watched)
                        if signature != self._signature:
                            changed = sorted(set(changed) | {Path(entry[0]) for entry
                                                              in set(signature) ^ set(self._signature)})
                    if changed:
                        self.rebuild(changed)
                        if _folders(self.build.watched) != folders:
                            break
            except FileNotFoundError:  # a folder removed as we armed: look again
                self._stopping.wait(0.1)
            except Exception as exc:  # e.g. the system's limit of inotify watches reached
                if polling:
                    self.log(f"{time.strftime('%H:%M:%S')} cannot watch the files ({type(exc).__name__}: {exc}); "
                             "saves are no longer noticed: restart the preview")
                    return
                polling = True
                self.log(f"{time.strftime('%H:%M:%S')} file events unavailable ({type(exc).__name__}: {exc}); "
                         "checking the folders for changes every 0.3 s instead")

    def rebuild(self, changed=()) -> Build:
        try:
            fresh = self._compile(self.build)
        except Exception as exc:  # a bug of ours must not end the author's session
            self.log(f"{time.strftime('%H:%M:%S')} internal error while rebuilding: {type(exc).__name__}: {exc}")
            return self.build
        self._signature = self._stat(fresh.watched)
        if fresh.digest == self.build.digest:  # an editor's swap file, a save without changes
            self.build = replace(self.build, watched=fresh.watched)
            return self.build
        previous_ok = self.build.ok
        with self._changed:
            self.build = fresh
            self._changed.notify_all()
        self._report(fresh, changed, previous_ok)
        return fresh

    def _compile(self, previous: Build | None) -> Build:
        started = time.perf_counter()
        loaded = maps.load(self.course_file)
        ok = loaded.course is not None and not loaded.diagnostics.has_errors()
        files, good = (previous.files, previous.good) if previous else ({}, None)
        if ok:
            files, good = render.render(loaded.course, loaded.analyses).files, loaded
            self._remember(loaded)
        watched = set(previous.watched) if previous and loaded.course is None else set()
        watched.add(self.course_file)
        watched |= _named_in(self.course_file)
        if loaded.course is not None:
            watched |= maps.source_files(loaded.course)
        watched |= {Path(d.location.path).absolute() for d in loaded.diagnostics.items}
        report = self._status(ok, loaded, good)
        digest = hashlib.sha256(json.dumps(report, sort_keys=True).encode()
                                + b"".join(hashlib.sha256(files[k]).digest() + k.encode() for k in sorted(files)))
        version = (previous.version + 1) if previous else 1
        report["version"] = version
        return Build(version, ok, files, report, loaded, good, time.perf_counter() - started,
                     digest.hexdigest(), frozenset(watched))

    def _status(self, ok: bool, loaded: maps.Loaded, good: maps.Loaded | None) -> dict:
        root = self.course_file.parent
        problems = [_problem(d, root) for d in loaded.diagnostics.sorted()]
        report = {"ok": ok, "problems": problems, "course": None, "scenarios": [], "map": "/__preview/map/"}
        if good is not None:
            course = good.course
            size = state.worst_case(course, good.analyses)
            report["course"] = {"id": course.id, "title": course.title, "version": course.version,
                                "stateKey": state.state_key(course), "worstCase": size.total,
                                "limit12": LIMIT_12, "limit2004": state.LIMITS["scorm2004"]}
            report["scenarios"] = [{"id": m.id, "title": m.title, "flags": list(m.flags),
                                    "nodes": [{"id": n.id, "title": n.title,
                                               "ending": n.outcome if n.is_ending else None} for n in m.nodes]}
                                   for m in course.modules if m.kind == "scenario"]
        return report

    def _report(self, fresh: Build, changed, previous_ok: bool) -> None:
        names = ", ".join(display_path(p) for p in changed[:3] if p.is_file() or not p.exists()) or "files"
        stamp = time.strftime("%H:%M:%S")
        errors = [p for p in fresh.report["problems"] if p["severity"] == "error"]
        if errors:
            self.log(f"{stamp} {names} changed: {len(errors)} error{'s' if len(errors) != 1 else ''} "
                     "(shown in the page)")
        else:
            fixed = "errors fixed, " if not previous_ok else ""
            self.log(f"{stamp} {names} changed: {fixed}rebuilt in {fresh.seconds * 1000:.0f} ms")
        for line in fresh.loaded.diagnostics.render():
            self.log(f"  {line}")

    # --- what the server asks -------------------------------------------------------------

    def wait(self, since: int, timeout: float = 20.0) -> Build:
        """The current build, as soon as it is newer than `since` (or after `timeout`)."""
        with self._changed:
            self._changed.wait_for(lambda: self.build.version != since or self._stopping.is_set(), timeout)
            return self.build

    def map_files(self) -> dict[str, bytes]:
        build = self.build
        if build.version not in self._maps and build.loaded.course is not None:
            self._maps = {build.version: maps.map_files(build.loaded, "/")}
        return self._maps.get(build.version, {})

    def _remember(self, loaded: maps.Loaded) -> None:
        key = state.state_key(loaded.course)
        self._shapes.pop(key, None)
        self._shapes[key] = loaded
        while len(self._shapes) > 8:  # a learner's page is at most a few builds behind
            del self._shapes[next(iter(self._shapes))]

    def relocate(self, key: str, place: str) -> dict:
        """Resume data for a learner who stood at `place` in the build with state key `key`, whose
        saved progress the current build cannot read: the nearest place that is still there."""
        good = self.build.good
        before = self._shapes.get(key)
        if good is None or before is None:
            raise jump.JumpError("the course as it was before the edit is no longer known")
        return jump.relocate(before.course, good.course, good.analyses, place)

    def jump(self, scenario: str, node: str, flags: list[str]) -> dict:
        good = self.build.good
        if good is None:
            raise jump.JumpError("the course has not built yet: fix the errors first")
        return jump.jump(good.course, good.analyses, scenario, node, flags)


def _folders(watched) -> frozenset[str]:
    """The nearest existing folder of each watched file: its own, or for a file in a folder not
    made yet, the ancestor where that folder will appear."""
    folders = set()
    for path in watched:
        folder = Path(os.path.normpath(path)).parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        folders.add(str(folder))
    return frozenset(folders)


def _concerning(events, watched) -> list[Path]:
    """The watched files an event names, and folders on the way to one (a module's folder created)."""
    files = {os.path.normpath(path) for path in watched}
    return sorted({Path(path) for _, path in events
                   if path in files or any(file.startswith(path + os.sep) for file in files)})


def _named_in(course_file: Path) -> set[Path]:
    """The module files course.yaml lists, found or not, so that creating a missing one is noticed."""
    # Read as the loader reads it (bounded, no aliases); the loader reports what is wrong with it.
    scratch = Diagnostics()
    text = read_text(course_file, scratch, Location(course_file))
    root = yamlmarks.load(text, course_file, scratch) if text is not None else None
    entry = root.data.get("modules") if root is not None and isinstance(root.data, dict) else None
    if entry is None or not isinstance(entry.value.data, list):
        return set()
    return {Path(os.path.normpath(course_file.parent / item.data)) for item in entry.value.data
            if isinstance(item.data, str) and "\0" not in item.data}


def _problem(diagnostic: Diagnostic, root: Path) -> dict:
    """A diagnostic for the overlay: where, what, and the author's line (the page draws the caret)."""
    where = diagnostic.location
    return {"severity": diagnostic.severity, "file": display_path(Path(where.path), root), "line": where.line,
            "column": where.column, "message": diagnostic.message, "excerpt": diagnostic.excerpt() or ""}


def run(course_argument: str, port: int = 8000) -> int:
    """The `preview` command: serve until Ctrl+C. Exit 0, or 2 when the preview cannot start."""
    course_file = find_course_file(course_argument)
    if not course_file.is_file():
        print(f"coursegen: no course at {course_argument} (expected a course.yaml or a folder holding one)",
              file=sys.stderr)
        return 2
    def say(line: str) -> None:
        print(line, flush=True)  # a terminal or a log file alike sees each rebuild as it happens

    try:
        preview = Preview(course_file, port, log=say).start()
    except (PreviewError, lms.LmsUnavailable) as problem:
        print(f"coursegen: {problem}", file=sys.stderr)
        return 2
    build = preview.build
    course = build.loaded.course
    say("coursegen preview: " + (f'"{course.title}" ({course.id} {course.version})' if course
                                  else display_path(course_file)))
    say(f"  preview  {preview.url}")
    say(f"  map      {preview.url}__preview/map/")
    say(f"  watching {sum(1 for p in build.watched if p.is_file())} files; every save rebuilds. Ctrl+C stops.")
    for line in build.loaded.diagnostics.render():
        say(f"  {line}")
    if build.ok:
        say(f"  built in {build.seconds * 1000:.0f} ms")
    else:
        errors = len(build.loaded.diagnostics.errors)
        say(f"  {errors} error{'s' if errors != 1 else ''}: the page shows them until they are fixed.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        preview.stop()
        say("\npreview stopped.")
        return 0
