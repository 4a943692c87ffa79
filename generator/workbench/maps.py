"""`coursegen map`, and the model the workbench reads even when a course has errors.

The map is most useful exactly when a scenario is broken (a node nobody can
reach, a dead end), so unlike `build.check` this keeps whatever model the
loader could make and draws it, printing the diagnostics beside it.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .. import build
from ..check import analysis
from ..diagnostics import Diagnostics, display_path
from ..model import Course, Scenario
from . import mapsvg

DEFAULT_PREVIEW = "http://127.0.0.1:8000/"


@dataclass
class Loaded:
    course: Course | None
    analyses: dict[str, analysis.ScenarioAnalysis]
    diagnostics: Diagnostics


def load(course_argument: str | Path) -> Loaded:
    """The course checked, with its model kept even when it has errors."""
    checked = build.examine(course_argument)
    return Loaded(checked.course, checked.analyses, checked.diagnostics)


def source_files(course: Course) -> set[Path]:
    """Every file the course is made of: what the preview watches."""
    files = {course.source}
    for module in course.modules:
        files.add(module.source)
    files |= {image.source for span in course.markdown_spans() for image in span.images}
    files |= {badge.icon for badge in course.badges if badge.icon}
    return {Path(f).absolute() for f in files}


def map_files(loaded: Loaded, preview_url: str) -> dict[str, bytes]:
    return mapsvg.course_map(loaded.course, loaded.analyses, preview_url, loaded.diagnostics)


def run(course_argument: str, out: str = "build/map", preview_url: str = DEFAULT_PREVIEW) -> int:
    """The `map` command: exit 0 when the course is clean, 1 when it has errors (the map is still drawn)."""
    loaded = load(course_argument)
    for line in loaded.diagnostics.render():
        print(line, file=sys.stderr)
    if loaded.course is None:
        print("the course could not be read, so there is no map.", file=sys.stderr)
        return 1
    scenarios = [m for m in loaded.course.modules if isinstance(m, Scenario)]
    written = mapsvg.write_map(map_files(loaded, preview_url), Path(out))
    index = next(p for p in written if p.name == "index.html")
    for scenario in scenarios:
        found = loaded.analyses[scenario.id]
        unreachable = len(scenario.nodes) - len(found.reachable_nodes)
        problems = [f"{unreachable} unreachable"] if unreachable else []
        stuck = {s.node for s in found.dead_ends} | {s.node for s in found.trapped}
        problems += [f"{len(stuck)} stuck"] if stuck else []
        print(f"  {scenario.id}.svg: {len(scenario.nodes)} nodes, "
              f"{sum(len(n.choices) for n in scenario.nodes)} choices"
              + (f" ({', '.join(problems)})" if problems else ""))
    print(f"map of {len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''} written to "
          f"{display_path(index)}")
    errors = len(loaded.diagnostics.errors)
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''} in the course; the map shows where.", file=sys.stderr)
    return 1 if errors else 0
