"""Oversized and malformed courses: each gets a clear error or a result within a budget.

Every input runs `coursegen check` (and some `build`) in a subprocess of its own,
limited in CPU time (RLIMIT_CPU, so a busy machine does not make it fail) and in
wall time (so a process that blocks rather than computes fails too, instead of
hanging the suite). Before this was bounded, the nine-level alias bomb kept
`check` busy for more than a minute, 500 backticks on a line for ten seconds,
deep YAML or expressions ended in a RecursionError, and a long base-60 number
(YAML 1.1 reads 1:30 as 90) in a ValueError.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repo import REPO

BUDGET = 5  # CPU seconds, Python's start included; the inputs below need well under 2 on a laptop
BLOCKED = 120  # wall seconds: only a process that waits on something, not one that computes, gets this far

HEAD = "id: hostile\ntitle: Hostile\nversion: 1.0.0\n"
COURSE = HEAD + "modules:\n  - m.md\n"
LESSON = "---\nid: m\ntitle: M\nkind: lesson\n---\n\n# Page\n\n{body}\n"
SCENARIO = "---\nid: m\ntitle: M\nkind: scenario\n---\n\n# Start {{#start}}\n\n{body}\n\n# End {{#end .ending outcome=good}}\n"


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 9):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n" + COURSE


# name -> (files, command, what stderr must say; None: the course is fine and the command succeeds)
INPUTS = {
    "alias bomb": ({"course.yaml": alias_bomb()}, "check", 'course.yaml:1:4: error: YAML anchor "&a" is not allowed'),
    "100,000 nested flow lists in course.yaml": (
        {"course.yaml": HEAD + "modules: " + "[" * 100_000 + "]" * 100_000 + "\n"}, "check",
        "error: YAML syntax: exceeded maximum nesting depth"),
    "1,000 nested block lists in course.yaml": (
        {"course.yaml": HEAD + "modules:\n" + "".join(" " * (2 * i + 2) + "-\n" for i in range(1000))}, "check",
        "error: YAML nested more than 32 levels deep"),
    "20,000 nested mappings in a front matter": (
        {"course.yaml": COURSE, "m.md": "---\nid: m\ntitle: M\nkind: lesson\nx: " + "{a: " * 20_000 + "1"
         + "}" * 20_000 + "\n---\n# P\n"}, "check", "m.md:5:"),
    "a megabyte-long line in course.yaml": (
        {"course.yaml": HEAD + "description: " + "word " * 200_000 + "\nmodules:\n  - m.md\n",
         "m.md": LESSON.format(body="Text.")}, "check", None),
    "a megabyte-long line in a lesson": ({"course.yaml": COURSE, "m.md": LESSON.format(body="word " * 200_000)},
                                         "build", None),
    "a megabyte-long line of unclosed brackets": (
        {"course.yaml": COURSE, "m.md": LESSON.format(body="[" * 1_000_000)}, "check",
        "m.md:9:1: error: too many unclosed or deeply nested brackets"),
    "3,000 backticks in a paragraph": ({"course.yaml": COURSE, "m.md": LESSON.format(body="Code: " + "`" * 3000)},
                                       "build", None),
    "100,000 list items in a lesson": ({"course.yaml": COURSE, "m.md": LESSON.format(body="- item\n" * 100_000)},
                                       "check", None),
    "20,000 choices in a node": (
        {"course.yaml": COURSE, "m.md": SCENARIO.format(body="".join("- [Go](#end){points=1}\n" for _ in range(20_000)))},
        "check", "m.md:7:1: error: 20000 choices: a SCORM 1.2 package records at most 36"),
    "50,000 nested parentheses in a condition": (
        {"course.yaml": COURSE, "m.md": SCENARIO.format(body='- [Go](#end){if="' + "(" * 50_000 + "percent >= 1"
                                                         + ")" * 50_000 + '"}')},
        "check", "error: expression too long"),
    "20,000 references to a missing image on a line": (
        {"course.yaml": COURSE, "m.md": LESSON.format(body="![a](x.png)" * 20_000)}, "check",
        'error: image not found: "x.png"'),
    "a base-60 number of 300,000 digits": (
        {"course.yaml": HEAD.replace("1.0.0", "1" + ":1" * 300_000) + "modules:\n  - m.md\n",
         "m.md": LESSON.format(body="Text.")}, "check", "course.yaml:3:10: error: version"),
    "a NUL byte in course.yaml": ({"course.yaml": HEAD.encode() + b"description: a\0b\nmodules: [m.md]\n"}, "check",
                                  "course.yaml:4:15: error: file holds a NUL character"),
    "a NUL byte in a lesson": ({"course.yaml": COURSE, "m.md": LESSON.format(body="Te\0xt")}, "check",
                               "m.md:9:3: error: file holds a NUL character"),
    "invalid UTF-8": ({"course.yaml": COURSE, "m.md": LESSON.format(body="x").encode() + b"\xff\xfe\n"}, "check",
                      "m.md:10:1: error: file is not valid UTF-8 text"),
    "course.yaml in UTF-16": ({"course.yaml": COURSE.encode("utf-16")}, "check",
                              "course.yaml:1:1: error: file is not valid UTF-8 text"),
    "a 30 MB course.yaml": ({"course.yaml": COURSE + "# padding\n" * 3_000_000}, "check",
                            'course.yaml:1:1: error: "course.yaml" is 28.6 MB, more than a course file may hold (1 MB)'),
    "a named pipe as a module": ({"course.yaml": COURSE, "m.md": "fifo"}, "check",
                                 'course.yaml:5:5: error: "m.md" is not a regular file'),
    "a named pipe as a translation catalogue": (
        {"course.yaml": HEAD + "languages: [de]\nmodules:\n  - m.md\n", "m.md": LESSON.format(body="Text."),
         "locales/de/m.po": "fifo"}, "check --lang all",
        'course.yaml:4:13: error: "locales/de/m.po" is not a regular file'),
}


def write(folder: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if content == "fifo":
            os.mkfifo(folder / name)
        elif isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")


def run_bounded(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess, float]:
    """The CLI in a process limited to BUDGET CPU seconds; its CPU time."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (BUDGET, BUDGET + 1))

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("COURSEGEN_DEBUG", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, errors="replace", timeout=BLOCKED, preexec_fn=limit)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return result, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


@pytest.mark.parametrize("name", INPUTS)
def test_hostile_input_ends_within_the_budget(name, tmp_path):
    files, command, expected = INPUTS[name]
    write(tmp_path, files)
    command, *options = command.split()
    args = [command, "course.yaml", *options]
    args += ["--format", "web", "--out", str(tmp_path / "out")] if command == "build" else []
    started = time.monotonic()
    result, cpu = run_bounded(args, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode not in (-9, -24), f"killed after {cpu:.1f} s of CPU (budget {BUDGET} s)"  # SIGKILL, SIGXCPU
    assert "Traceback" not in output and "internal error" not in output, output[-2000:]
    if expected is None:
        assert result.returncode == 0, output[-2000:]
    else:
        assert result.returncode == 1, output[-2000:]
        assert expected in result.stderr, result.stderr[:2000]
    print(f"{name}: exit {result.returncode}, {cpu:.2f} s CPU, {time.monotonic() - started:.2f} s wall")


def test_the_corpus_is_large_enough():
    assert len(INPUTS) >= 11  # the alias bomb and at least ten oversized or malformed inputs


def test_a_source_line_is_shown_as_a_window_around_the_column(tmp_path):
    """Each diagnostic shows its line: a line of a megabyte, shown whole for each of its
    thousands of errors, made gigabytes of output."""
    from generator.diagnostics import Diagnostic, Location

    source = tmp_path / "m.md"
    source.write_text("ab\n" + "x" * 500 + "<b>" + "y" * 500 + "\n\tshort <i> line\n")
    far = Diagnostic("error", "raw HTML", Location(source, 2, 501)).render(cwd=tmp_path)
    assert far[0] == "m.md:2:501: error: raw HTML"
    assert far[1] == " 2 | …" + "x" * 60 + "<b>" + "y" * 57 + "…"
    assert far[2] == "   |  " + " " * 60 + "^"
    assert len(far[1]) <= 130
    near = Diagnostic("error", "raw HTML", Location(source, 3, 8)).render(cwd=tmp_path)
    assert near[1:] == [" 3 | \tshort <i> line", "   | \t      ^"]
