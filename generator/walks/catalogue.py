"""A catalogue of courses in one `coursegen test` run: which courses (folders holding
several, only those changed since a git ref), and what the run shows as it goes and at
the end: one progress line per course, a summary table, the failures.

Drawn with rich on a terminal; plain lines, one per event, in CI logs and pipes.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from ..diagnostics import display_path
from ..source import loader
from .runner import Catalogue, Progress, variants


def courses_in(arguments: list[str]) -> list[Path]:
    """Every course named: a course file, a folder holding course.yaml, or a folder holding
    course folders (each course.yaml below it, in path order)."""
    found: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir() and not (path / "course.yaml").is_file():
            below = sorted(p for p in path.rglob("course.yaml") if "node_modules" not in p.parts)
            found += below or [path / "course.yaml"]  # none: the usual "file not found" follows
        else:
            found.append(loader.find_course_file(path))
    return list(dict.fromkeys(found))


def shard(courses: list[Path], part: int, parts: int) -> list[Path]:
    """The `part`-th (from 1) of `parts` slices of the catalogue, every course in exactly one."""
    return courses[part - 1::parts]


def course_files(course_file: Path) -> set[Path]:
    """The files a course is made of: course.yaml, its modules, images and badge icons.
    A course that does not load counts as all its folder (it must be walked to say why)."""
    from .. import build

    checked = build.examine(course_file)
    course = checked.course
    if course is None:
        return {p.resolve() for p in course_file.parent.rglob("*") if p.is_file()} | {course_file.resolve()}
    files = {course_file.resolve()} | {m.source.resolve() for m in course.modules}
    files |= {image.source.resolve() for span in course.markdown_spans() for image in span.images}
    files |= {badge.icon.resolve() for badge in course.badges if badge.icon}
    return files


class GitError(Exception):
    pass


def changed_since(ref: str, courses: list[Path]) -> list[Path]:
    """The courses with a file that differs from `ref` (committed since, changed in the work
    tree, or new and not ignored)."""
    if not courses:
        return []
    where = courses[0].resolve().parent

    def git(*args: str) -> list[str]:
        done = subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True)
        if done.returncode:
            raise GitError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
        return [line for line in done.stdout.splitlines() if line]

    top = Path(git("rev-parse", "--show-toplevel")[0])
    changed = {(top / name).resolve() for name in git("diff", "--name-only", ref, "--")}
    changed |= {(top / name).resolve() for name in git("ls-files", "--others", "--exclude-standard", "--full-name", str(top))}
    return [course for course in courses if course_files(course) & changed]


# --- what the run shows ----------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return f"{100 * part // whole}%" if whole else "100%"


class Console(Progress):
    """Progress per course while walks run, then the summary and the failures."""

    def __init__(self, stream, tty: bool | None = None):
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.names: list[str] = []
        self.totals: list[int] = []
        self.done: list[int] = []
        self.failed: list[int] = []
        self._live = None

    def start(self, courses) -> None:
        self.names = [name for name, _ in courses]
        self.totals = [n for _, n in courses]
        self.done, self.failed = [0] * len(courses), [0] * len(courses)
        if self.tty:
            from rich.console import Console as RichConsole
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

            self._bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[failed]}"), TimeElapsedColumn(),
                              console=RichConsole(file=self.stream), transient=False)
            self._tasks = [self._bars.add_task(name, total=total, failed="") for name, total in zip(self.names, self.totals)]
            self._bars.start()
        else:
            for name, total in zip(self.names, self.totals):
                print(f"{name}: {total} walks planned", file=self.stream, flush=True)

    def walk(self, course: int, result) -> None:
        self.done[course] += 1
        self.failed[course] += not result.ok
        if self.tty:
            failed = f"[red]{self.failed[course]} failed[/red]" if self.failed[course] else ""
            self._bars.update(self._tasks[course], advance=1, failed=failed)
        elif self.done[course] == self.totals[course]:
            verdict = f"{self.failed[course]} failed" if self.failed[course] else "all passed"
            print(f"{self.names[course]}: {self.done[course]} walks, {verdict}", file=self.stream, flush=True)

    def stop(self) -> None:
        if self.tty and self.names:
            self._bars.stop()

    def summary(self, catalogue: Catalogue) -> None:
        rows = []
        for report in catalogue.reports:
            language = report.language
            for fmt, profile in variants(report.formats, report.profiles):
                results = [r for r in report.results if r.fmt == fmt and r.profile == profile]
                ok = [r for r in results if r.ok]
                choices = len(set().union(*(r.choices for r in ok))) if ok else 0
                endings = len(set().union(*(r.endings for r in ok))) if ok else 0
                coverage = (f"choices {choices}/{report.choices_total} ({_pct(choices, report.choices_total)}), "
                            f"endings {endings}/{report.endings_total} ({_pct(endings, report.endings_total)})")
                rows.append([display_path(Path(report.course)), language, fmt, profile or "launcher", str(len(results)),
                             str(len(results) - len(ok)), coverage, f"{sum(r.seconds for r in results):.1f} s"])
        header = ["course", "language", "format", "lms", "walks", "failures", "coverage", "walk time"]
        if self.tty:
            from rich.console import Console as RichConsole
            from rich.table import Table

            table = Table(*header, title=f"coursegen test: {len(catalogue.reports)} course(s) in {catalogue.seconds:.1f} s")
            for row in rows:
                style = "red" if row[5] != "0" else None
                table.add_row(*row, style=style)
            RichConsole(file=self.stream).print(table)
        else:
            widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
            for row in [header] + rows:
                print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip(), file=self.stream)
        for failed in catalogue.failed_browsers:
            print(f"browser {failed}; its walks were played by the others", file=self.stream)
        walks = sum(len(r.results) for r in catalogue.reports)
        failures = sum(1 for report in catalogue.reports for r in report.results if not r.ok)
        print(f"{walks - failures} passed, {failures} failed, {walks} walks in {catalogue.seconds:.1f} s", file=self.stream)
