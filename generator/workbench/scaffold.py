"""`coursegen new`: a starting file that already compiles, with its guidance inside.

Templates live in `scaffolds/` as package data. They hold two placeholders,
{{id}} and {{title}}, filled by plain replacement (Jinja would read the
Markdown's `{#id}` as the start of a comment). Nothing is overwritten: every
target is checked before the first file is written.
"""
from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from ..rules import ID, MAX_ID
from ..diagnostics import display_path

COURSE_SCENARIO = "scenarios/first-scenario.md"


def _templates() -> Path:
    return Path(str(resources.files("generator.workbench") / "scaffolds"))


def title_of(identifier: str) -> str:
    words = identifier.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def _fill(text: str, identifier: str, title: str) -> str:
    return text.replace("{{id}}", identifier).replace("{{title}}", title)


def files_for(kind: str, identifier: str) -> dict[str, str]:
    """{relative path: text} of what `new KIND ID` writes."""
    root = _templates()
    scenario = (root / "scenario.md").read_text(encoding="utf-8")
    if kind == "scenario":
        return {f"{identifier}.md": _fill(scenario, identifier, title_of(identifier))}
    files = {f"{identifier}/{path.relative_to(root / 'course').as_posix()}":
             _fill(path.read_text(encoding="utf-8"), identifier, title_of(identifier))
             for path in sorted((root / "course").rglob("*")) if path.is_file()}
    files[f"{identifier}/{COURSE_SCENARIO}"] = _fill(scenario, "first-scenario", "First scenario")
    return dict(sorted(files.items(), key=lambda item: (item[0].count("/"), item[0])))  # course.yaml first


def new(kind: str, identifier: str, directory: str | Path = ".") -> int:
    """The `new` command: 0 when written, 1 when a file is in the way, 2 for a bad id."""
    if not ID.match(identifier) or len(identifier) > MAX_ID:
        print(f'coursegen: "{identifier}" cannot be an id: use lower-case letters, digits and hyphens, '
              f"starting with a letter (at most {MAX_ID} characters), e.g. data-handling", file=sys.stderr)
        return 2
    folder = Path(directory)
    planned = {folder / name: text for name, text in files_for(kind, identifier).items()}
    taken = [path for path in planned if path.exists()]
    if taken:
        listed = ", ".join(display_path(path) for path in taken)
        exists = "it already exists" if len(taken) == 1 else "they already exist"
        print(f"coursegen: not overwriting {listed}: {exists}. Choose another id or --dir.", file=sys.stderr)
        return 1
    for path, text in planned.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as out:  # "x": never clobber a racing file
            out.write(text)
    for path in planned:
        print(f"created {display_path(path)}")
    if kind == "scenario":
        print(f"next: list {display_path(next(iter(planned)))} under modules: in your course.yaml "
              "(relative to it), then run coursegen preview on the course")
    else:
        course = display_path(folder / identifier)
        print(f"next: coursegen preview {course}   (check: coursegen check {course})")
    return 0
