"""Property-based tests: whatever an author types, `check` reports, never crashes.

Starting from a small valid course, hypothesis feeds random course files,
random module bodies after a valid front matter, and random edits of the
valid files (lines deleted, duplicated, swapped, characters inserted, files
truncated). Every check must end within 2 s of CPU time and open no file outside
the course's folder, and its outcome must be a clean `build.check` result or a
`CourseError` whose every diagnostic points into one of the course's files at
line >= 1 and column >= 1 (and not past the end of that file) - never any
other exception.

Inputs found to break the checker are pinned in KNOWN_INPUTS and always
tried (outside hypothesis, so they never hide what the random search finds).
Runs are derandomized so CI is reproducible.
"""
from __future__ import annotations

import tempfile
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from untrusted import cpu_budget, outside, reads

from generator import build
from generator.diagnostics import CourseError

BUDGET = 2.0  # CPU seconds for one check

COURSE = """id: safe-sharing
title: Sharing Safely
version: 1.0.0
pass_mark: 60
modules:
  - lesson.md
  - scenario.md
  - quiz.md
badges:
  - id: careful-poster
    title: Careful Poster
    description: Kept the whiteboard out of the photo.
    when: module.whiteboard-selfie.outcome == "good" and percent >= 50
"""

LESSON = """---
id: what-is-confidential
title: What is confidential
kind: lesson
---

# Confidential information

Anything the company has **not** made public: plans, prices, customer names.

| Public | Confidential |
| --- | --- |
| Press release | Roadmap |

# Where leaks happen

> Photos, screenshots and conversations in public places.
"""

SCENARIO = """---
id: whiteboard-selfie
title: The Whiteboard Selfie
kind: scenario
characters:
  maya: { name: Maya, role: Product designer }
---

# After the workshop {#start}

The whiteboard behind the team still shows the Q3 launch plan.

> [maya] Great session! Let's get a team photo.

- [Suggest the lobby instead](#lobby){points=10 set=careful}
- [Take a closer look first](#check){set=looked}
- [Post it right away](#posted){points=-5}

# A quick look {#check}

You zoom in: the launch date is readable.

- [Move to the lobby](#lobby){points=5 if="flag.looked and not flag.careful"}
- [Look again](#check){unset=looked}
- [Post it anyway](#posted){points=-5}

# Lobby photo {#lobby .ending outcome=good}

A smiling team and nothing else.

# Posted {#posted .ending outcome=bad}

A competitor zooms in.
"""

QUIZ = """---
id: knowledge-check
title: Knowledge check
kind: quiz
draw: 2
attempts: 2
---

Answer two questions.

## Which of these may you post? {#q-post type=single points=5}

- [ ] A photo of the draft launch plan
- [x] The published press release

> Only public information is safe to share.

## Which are confidential? {#q-conf type=multiple points=5}

- [x] The customer list
- [ ] The public mission statement

## Trade secrets stay protected after you leave. {#q-after type=truefalse points=5}

- [x] True
- [ ] False
"""

VALID = {"course.yaml": COURSE, "lesson.md": LESSON, "scenario.md": SCENARIO, "quiz.md": QUIZ}
FRONT = {name: text[: text.index("\n---\n", 4) + 5] for name, text in VALID.items() if name.endswith(".md")}
MODULES = sorted(FRONT)

# Markdown- and YAML-ish characters, plus letters, digits and a few non-ASCII ones.
MARKUP = "#{}[]()-*>:=\"'!|`.,_&~\n \t"
ALPHABET = MARKUP + "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789éß→"
# Lines that carry the structure of the format, to recombine.
FRAGMENTS = [
    "---", "", "# After the workshop {#start}", "# Lobby {#lobby .ending outcome=good}",
    "# Posted {#posted .ending outcome=bad}", "# Heading without id", "## Question? {#q1 type=single points=2}",
    "## Pick all {#q2 type=multiple}", "## True? {#q3 type=truefalse points=1}", "- [x] True", "- [ ] False",
    "- [ ] wrong", "- [x] right", "> Explanation.", "> [maya] Hello there.", "> [nobody] Who am I?",
    "- [Go to the lobby](#lobby){points=5 set=seen}", "- [Back](#start){if=flag.seen unset=seen}",
    "- [Nowhere](#missing)", "- [Loop](#start){points=1}", "- [Bad](#lobby){if=\"flag.seen = 1\" points=x}",
    "- plain item", "Some *text* with a [link](https://example.com).", "![img](images/missing.png)",
    "<b>html</b>", "```", "id: x", "kind: quiz", "{#id}", "{", "}",
]


def fuzz(examples: int, shrink: bool = True):
    """Settings sized so the whole file runs in well under 20 s; reproducible.

    shrink=False for inputs that are small already: shrinking a failure costs
    hundreds of checks, which would make a failing run slow."""
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None, phases=phases,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def course_of(module: str, text: str) -> dict[str, str]:
    """A course holding only one module (faster than the whole valid course)."""
    head = COURSE[: COURSE.index("modules:")]
    return {"course.yaml": f"{head}modules:\n  - {module}\n", module: text}


def check_course(files: dict[str, str | bytes]) -> None:
    """Write the course into a fresh folder, check it, assert the outcome is sound."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        for name, text in files.items():
            data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
            (root / name).write_bytes(data)
        line_counts = {(root / name).resolve(): data_lines(root / name) for name in files}
        diagnostics, crash = None, None
        with reads() as opened:  # every file check opens must be the course's own (tests/untrusted.py)
            try:
                with cpu_budget(BUDGET):
                    build.check(root / "course.yaml")
            except CourseError as problem:
                diagnostics = problem.diagnostics
            except Exception as exc:  # reported briefly below: a RecursionError's traceback is huge
                frames = traceback.format_exception(exc)
                crash = "".join(frames[:1] + frames[max(1, len(frames) - 7):])
        if crash:
            pytest.fail("the checker crashed instead of reporting a diagnostic:\n" + crash, pytrace=False)
        assert outside(opened, root) == [], "check read files outside the course's folder"
        if diagnostics is None:
            return  # a clean course
        assert diagnostics.errors, "CourseError without any error"
        for item in diagnostics.items:
            loc, shown = item.location, item.format(cwd=root)
            path = Path(loc.path).resolve()
            assert path in line_counts, f"not a file of the course: {shown}"
            assert loc.line >= 1 and loc.column >= 1, shown
            assert loc.line <= line_counts[path], f"line past the end of the file: {shown}"
            assert item.message.strip(), shown


def data_lines(path: Path) -> int:
    """How many lines a location may name in the file (one more after a final newline)."""
    data = path.read_bytes()
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") + 1


# --- inputs tried every time (most of them crashed the checker) --------------------------------------------------------

KNOWN_INPUTS = {
    # a YAML tag that does not fit its value: ValueError from the tag's constructor
    "tag-mismatch": ("course.yaml", "id: !!int abc\ntitle: T\nversion: 1.0.0\nmodules:\n  - lesson.md\n"),
    # an alias inside its own anchor: a recursive structure
    "recursive-alias": ("course.yaml", "id: &a [*a]\ntitle: T\nversion: 1.0.0\nmodules:\n  - lesson.md\n"),
    "recursive-alias-front-matter": ("lesson.md", "---\nid: &x {k: *x}\ntitle: T\nkind: lesson\n---\n# A\n"),
    # a NUL character in a module path
    "nul-in-module-path": ("course.yaml", 'id: a\ntitle: T\nversion: 1.0.0\nmodules:\n  - "less\\0on.md"\n'),
    # kind is not text
    "kind-list": ("lesson.md", "---\nid: x\ntitle: T\nkind: [lesson]\n---\n# A\n"),
    "kind-mapping": ("quiz.md", "---\nid: x\ntitle: T\nkind: {quiz: 1}\n---\n"),
    # a module that is only front matter, without a final newline: the
    # "needs at least one node" error named line 6 of a 5-line file
    "front-matter-only": ("scenario.md", "---\nid: whiteboard-selfie\ntitle: T\nkind: scenario\n---"),
    # U+0085 (NEL) is a line break to PyYAML but not to the rest of the checker
    # nor to editors: the error named line 2 of a one-line file
    "nel-in-course-file": ("course.yaml", "\x850"),
    # a complex (list) key in a mapping: no crash (the message quotes PyYAML's node repr)
    "list-key": ("course.yaml", "id: a\ntitle: T\nversion: 1.0.0\n? [x]\n: 1\nmodules:\n  - lesson.md\n"),
}


@pytest.mark.parametrize("case", sorted(KNOWN_INPUTS))
def test_known_inputs(case):
    name, text = KNOWN_INPUTS[case]
    check_course({**VALID, name: text})


# --- (a) random text as course.yaml ----------------------------------------------------------

@fuzz(90)
@given(st.one_of(st.text(alphabet=ALPHABET, max_size=300), st.text(max_size=200)))
def test_random_course_file(text):
    check_course({**VALID, "course.yaml": text})


@fuzz(60)
@given(st.lists(st.sampled_from(COURSE.split("\n") + ["  - missing.md", "badges: [", "pass_mark: 101",
                                                      "    when: flag.x", "  - id: Bad Id", "\t- x"]),
                max_size=25))
def test_recombined_course_lines(lines):
    check_course({**VALID, "course.yaml": "\n".join(lines)})


# Any YAML value, in flow style, for any key: the loader must not trust types.
YAML_VALUES = ["~", "", "true", "no", "0", "3", "-1", "101", "1.5", ".inf", "0x1F", "2024-01-01", '"text"', "'a b'",
               "Bad Id", "a,b", "[]", "{}", "[a, b]", "{a: 1}", "[lesson.md]", "[[lesson.md]]", "[{id: x}]", "[~]",
               "!!str 3", "!!binary aGk=", "!!set {a, b}", "!!omap [a: 1]", "|\n    block\n    text",
               '"percent >= 90"', '"module.knowledge-check.passed"', "missing.md", "lesson.md", "quiz.md",
               "badges/none.svg", "{name: Maya}", "{maya: {name: Maya}}", "{maya: Maya}", "[maya]"]
COURSE_FIELDS = {"id": "safe-sharing", "title": "Sharing Safely", "version": "1.0.0", "language": "en",
                 "description": "Text.", "pass_mark": "60", "modules": "[lesson.md, scenario.md, quiz.md]",
                 "badges": "[{id: b, title: B, when: percent >= 50}]"}
BADGE_FIELDS = {"id": "b", "title": "B", "description": "D", "icon": "badges/none.svg", "when": "percent >= 50"}
FRONT_FIELDS = {"id": "m", "title": "T", "kind": "lesson", "characters": "{maya: {name: Maya}}", "pass_mark": "50",
                "shuffle": "true", "draw": "1", "attempts": "2"}


def yaml_fields(fields: dict[str, str], indent: str = ""):
    """A mapping whose every key is absent, valid, or any YAML value."""
    def one(key):
        return st.one_of(st.none(), st.just(fields[key]), st.sampled_from(YAML_VALUES))
    return st.fixed_dictionaries({key: one(key) for key in fields}).map(
        lambda chosen: "".join(f"{indent}{key}: {value}\n" for key, value in chosen.items() if value is not None))


@fuzz(80, shrink=False)
@given(yaml_fields(COURSE_FIELDS), st.lists(yaml_fields(BADGE_FIELDS, "    "), max_size=2))
def test_course_values_of_any_type(course, badges):
    badge_text = "".join("  -\n" + badge if badge else "  - {}\n" for badge in badges)
    check_course({**VALID, "course.yaml": course + ("badges:\n" + badge_text if badges else "")})


@fuzz(80, shrink=False)
@given(st.sampled_from(MODULES), yaml_fields(FRONT_FIELDS))
def test_front_matter_values_of_any_type(module, front):
    body = VALID[module][len(FRONT[module]):]
    check_course(course_of(module, "---\n" + front + "---\n" + body))


# --- (b) random module bodies after a valid front matter ----------------------------------------

@fuzz(120)
@given(st.sampled_from(MODULES), st.one_of(st.text(alphabet=ALPHABET, max_size=400), st.text(max_size=200)))
def test_random_module_body(module, body):
    check_course(course_of(module, FRONT[module] + body))


@fuzz(120)
@given(st.sampled_from(MODULES),
       st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet=ALPHABET, max_size=40)), max_size=30))
def test_recombined_module_body(module, lines):
    check_course(course_of(module, FRONT[module] + "\n".join(lines)))


@fuzz(80)
@given(st.sampled_from(MODULES), st.text(alphabet=ALPHABET, max_size=200))
def test_random_front_matter(module, text):
    check_course(course_of(module, text))


# --- (c) mutations of the valid files --------------------------------------------------------------

@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(VALID)))
    lines = VALID[name].split("\n")
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "truncate", "join"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in ("insert", "replace"):
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            chunk = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=6))
            cut = draw(st.integers(0, 3)) if op == "replace" else 0
            lines[i] = line[:at] + chunk + line[at + cut:]
        elif op == "truncate":
            text = "\n".join(lines)
            lines = text[: draw(st.integers(0, len(text)))].split("\n")
        else:
            if i + 1 < len(lines):
                lines[i: i + 2] = [lines[i] + lines[i + 1]]
    return name, "\n".join(lines)


@fuzz(100)
@given(mutated())
def test_mutated_course(mutation):
    name, text = mutation
    check_course({**VALID, name: text})


@fuzz(50)
@given(mutated(), st.sampled_from(["\r\n", "\r", "\ufeff", "latin-1"]))
def test_mutated_encodings(mutation, variant):
    name, text = mutation
    if variant == "latin-1":
        data: str | bytes = text.encode("latin-1", "replace")
    elif variant == "\ufeff":
        data = "\ufeff" + text
    else:
        data = text.replace("\n", variant)
    check_course({**VALID, name: data})


def test_valid_course_is_clean():
    """The starting point of every mutation is itself a valid course."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, text in VALID.items():
            (root / name).write_text(text, encoding="utf-8")
        checked = build.check(root / "course.yaml")
        assert checked.diagnostics.items == []
        assert checked.max_points > 0
