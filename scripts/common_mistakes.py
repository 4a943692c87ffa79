"""Write docs/common-mistakes.md from the mistake corpus (tests/fixtures/mistakes/).

Each case of the corpus is a slip an author makes and exactly what `coursegen check`
says about it; the page shows them by section, so the docs and the messages cannot
drift apart: tests/test_mistakes.py fails when the page is not what this writes.

    python scripts/common_mistakes.py          # rewrite the page
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "fixtures" / "mistakes"
PAGE = REPO / "docs" / "common-mistakes.md"
SECTIONS = ["YAML in course.yaml and front matter", "What follows from another mistake", "Scenarios", "Quizzes",
            "Lessons, text and images", "Badges and conditions"]

INTRO = """# Common mistakes

<!-- Written by scripts/common_mistakes.py from tests/fixtures/mistakes/: do not edit by hand. -->

What `coursegen check` says about the slips authors make most in their first weeks, and what
to write instead. Each example is a case of the mistake corpus
(`tests/fixtures/mistakes/<name>/`): the lines below are exactly what `check` prints for it,
each problem at the line and column where it was made (the caret), with the fix in the message.

Two things hold for every case:

- **The cause comes first.** A mistake that stops a file from loading is reported once; what
  only follows from it (a badge naming the module that could not be read, the choices of a
  node whose heading lost its `#`) is not reported on top of it.
- **Errors stop a build; warnings do not.** A warning is something a course may say but surely
  does not mean (a badge nobody can earn, a flag nothing reads); `check` exits 0 with warnings.
"""


def cases() -> list[tuple[str, str, str, str]]:
    """(section, title, folder name, expected output) of every case."""
    found = []
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "mistake.txt").is_file()):
        title, section = (folder / "mistake.txt").read_text(encoding="utf-8").splitlines()[:2]
        found.append((section, title, folder.name, (folder / "expected.txt").read_text(encoding="utf-8").rstrip()))
    return found


def page() -> str:
    everything = cases()
    unknown = {section for section, *_ in everything} - set(SECTIONS)
    if unknown:
        raise ValueError(f"sections not in SECTIONS: {sorted(unknown)}")
    parts = [INTRO, f"The corpus holds {len(everything)} cases.\n", "## Contents\n"]
    parts += [f"- [{section}](#{_anchor(section)})" for section in SECTIONS] + [""]
    for section in SECTIONS:
        parts.append(f"## {section}\n")
        for _, title, name, expected in sorted(c for c in everything if c[0] == section):
            parts += [f"### {title}\n", f"`tests/fixtures/mistakes/{name}/`\n", "```text", expected, "```", ""]
    return "\n".join(parts).rstrip() + "\n"


def _anchor(title: str) -> str:
    return "".join(c for c in title.lower().replace(" ", "-") if c.isalnum() or c == "-")


if __name__ == "__main__":
    PAGE.write_text(page(), encoding="utf-8")
    print(f"wrote {PAGE.relative_to(REPO)} ({len(cases())} cases)", file=sys.stderr)
