"""Source locations and author-facing diagnostics.

Every problem in a course becomes a `Diagnostic` value, collected in one
`Diagnostics` report and printed together, so an author fixes all of them
after one run. Nothing here raises for a course mistake except `CourseError`,
which carries the whole report out of the pipeline.
"""
from __future__ import annotations

import difflib
import functools
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A point in an author's file: 1-based line and column."""

    path: Path
    line: int = 1
    column: int = 1

    def shifted(self, columns: int) -> "Location":
        return Location(self.path, self.line, self.column + columns)

    def display(self, cwd: Path | None = None) -> str:
        return f"{display_path(self.path, cwd)}:{self.line}:{self.column}"


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as an author typed it relative to where they ran the command."""
    cwd = cwd or Path.cwd()
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return str(path)


ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    location: Location
    also: Location | None = None  # a second place to look: the source text a translation translates

    def format(self, cwd: Path | None = None) -> str:
        """The first line: `path:line:column: severity: message`."""
        also = f" (source: {self.also.display(cwd)})" if self.also else ""
        return f"{self.location.display(cwd)}: {self.severity}: {self.message}{also}"

    def excerpt(self) -> str | None:
        """The author's line the diagnostic points into, read now (when it is shown), or None."""
        where = self.location
        lines = _source_lines(where.path)
        return lines[where.line - 1] if lines is not None and 0 < where.line <= len(lines) else None

    def render(self, cwd: Path | None = None) -> list[str]:
        """The first line, then the source line and a caret under the column, as rustc shows them."""
        text = self.excerpt()
        if text is None:
            return [self.format(cwd)]
        gutter = " " * len(str(self.location.line))
        column = self.location.column - 1
        if len(text) > EXCERPT_WIDTH:  # a window around the column: a line may be a megabyte long
            start = max(0, min(column - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
            before, after = "…" if start else "", "…" if start + EXCERPT_WIDTH < len(text) else ""
            text, column = before + text[start: start + EXCERPT_WIDTH] + after, column - start + len(before)
        # Tabs before the column stay tabs, so the caret lines up however wide they are drawn.
        lead = "".join("\t" if c == "\t" else " " for c in text[:column])
        return [self.format(cwd), f" {self.location.line} | {text}".rstrip(), f" {gutter} | {lead}^"]


EXCERPT_WIDTH = 120  # characters of a longer source line shown, around the column
EXCERPT_FILE_LIMIT = 4 * 1024 * 1024  # a larger file's diagnostics are shown without their line


def _source_lines(path: Path) -> tuple[str, ...] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > EXCERPT_FILE_LIMIT:  # a pipe would never end
        return None
    return _read_lines(str(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=32)
def _read_lines(path: str, modified: int, size: int) -> tuple[str, ...] | None:
    """A file's lines, read once per version however many diagnostics point into it."""
    try:
        with open(path, "rb") as stream:
            return tuple(stream.read(size + 1).decode("utf-8", "replace").splitlines())
    except OSError:
        return None


@dataclass
class Diagnostics:
    """The one place problems are collected, in the order the files are read."""

    items: list[Diagnostic] = field(default_factory=list)
    _file_order: dict[Path, int] = field(default_factory=dict)
    _seen: set[Diagnostic] = field(default_factory=set)  # one report of each problem

    def note_file(self, path: Path) -> None:
        self._file_order.setdefault(path, len(self._file_order))

    def error(self, location: Location, message: str, also: Location | None = None) -> None:
        self._add(Diagnostic(ERROR, message, location, also))

    def warning(self, location: Location, message: str, also: Location | None = None) -> None:
        self._add(Diagnostic(WARNING, message, location, also))

    def _add(self, diagnostic: Diagnostic) -> None:
        self.note_file(diagnostic.location.path)
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self.items.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.sorted() if d.severity == WARNING]

    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        def key(d: Diagnostic):
            loc = d.location
            return (self._file_order.get(loc.path, 1 << 30), str(loc.path), loc.line, loc.column)

        return sorted(self.items, key=key)

    def format(self, cwd: Path | None = None) -> list[str]:
        """One `path:line:column: severity: message` line per problem."""
        return [d.format(cwd) for d in self.sorted()]

    def render(self, cwd: Path | None = None) -> list[str]:
        """What an author reads: each problem with its source line and a caret."""
        return [line for d in self.sorted() for line in d.render(cwd)]


class CourseError(Exception):
    """Raised once, at the end of a stage, when the course has errors."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__(f"{len(diagnostics.errors)} error(s) in the course")
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates) -> str:
    """' (did you mean "x"?)' when a close candidate exists, else ''."""
    close = closest(word, candidates)
    return f' (did you mean "{close}"?)' if close is not None else ""


def closest(word: str, candidates) -> str | None:
    """The candidate `word` is most likely a slip for, if one is close enough."""
    return _closest(word, tuple(sorted(set(candidates))))


@functools.lru_cache(maxsize=4096)
def _closest(word: str, candidates: tuple[str, ...]) -> str | None:
    # difflib's ratio is at most 2·min(len)/(sum of lens): names too short or too
    # long to reach the cutoff are skipped unread (thousands of broken links in
    # a large scenario otherwise take quadratic time).
    candidates = tuple(c for c in candidates if 2 * min(len(c), len(word)) >= 0.6 * (len(c) + len(word)))
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None
