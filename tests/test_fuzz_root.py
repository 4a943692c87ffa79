"""Hypothesis: whatever a course holds, `check` reads nothing outside its root, ends within
its budget and never raises anything but a CourseError.

The course lives in world/course (a git repository, so that is its root); beside it,
world/outside holds a secret image, a secret module and a secret text. The course's
files name paths drawn from every way out we know (.., absolute paths, symbolic
links to files and folders, a loop of links, a named pipe, the .git folder) mixed
with random text, and inputs up to 100 KB built by repeating hostile fragments.
Half the courses are also checked in German, whose catalogues and localised
picture lead out of the course or are a named pipe.
An audit hook records every file the process opens during `check`
(tests/untrusted.py): all must lie inside world/course. A planted escape (the root
check switched off) proves the hook sees a read outside.

Runs are derandomized, so CI sees the same examples every time.
"""
from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from untrusted import OverBudget, cpu_budget, outside, reads

from generator import build
from generator.diagnostics import CourseError
from generator.source import files

BUDGET = 2.0  # CPU seconds for one check of an input under 100 KB
SECRET = "TOP-SECRET-7f3a"


def png(seed: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes([0, seed, 0, 0])))
            + chunk(b"tEXt", b"Comment\0" + SECRET.encode()) + chunk(b"IEND", b""))


LESSON = "---\nid: {id}\ntitle: {title}\nkind: lesson\n---\n\n# Page\n\n{body}\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>'


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    world = tmp_path_factory.mktemp("world").resolve()
    out, course = world / "outside", world / "course"
    (course / "images").mkdir(parents=True)
    (course / ".git").mkdir()
    out.mkdir()
    (out / "secret.png").write_bytes(png(1))
    (out / "secret.md").write_text(LESSON.format(id="secret", title=SECRET, body=SECRET))
    (out / "secret.txt").write_text(SECRET)
    (course / "images" / "ok.png").write_bytes(png(2))
    (course / "images" / "ok.svg").write_text(SVG)
    (course / ".git" / "config").write_text(f"[http]\n  extraheader = AUTHORIZATION: {SECRET}\n")
    (course / ".git" / "x.png").write_bytes(png(3))
    (course / "link-out.png").symlink_to("../outside/secret.png")
    (course / "link-out.md").symlink_to("../outside/secret.md")
    (course / "dir-link").symlink_to("../outside")
    (course / "link-in.png").symlink_to("images/ok.png")
    (course / "loop.png").symlink_to("loop.png")
    os.mkfifo(course / "pipe.md")
    # The German translation: course.yaml's catalogue leads out, the lesson's is a named pipe,
    # and the localised picture leads out too.
    german = course / "locales" / "de"
    (german / "images" / "images").mkdir(parents=True)
    (german / "course.po").symlink_to("../../../outside/secret.txt")
    os.mkfifo(german / "lesson.po")
    (german / "images" / "images" / "ok.png").symlink_to("../../../../../outside/secret.png")
    return world


# Every way out of the course folder we know, and a few ways that stay inside.
PATHS = ["images/ok.png", "images/ok.svg", "link-in.png", "lesson.md", "missing.png", "images", "pipe.md",
         "link-out.png", "link-out.md", "dir-link/secret.png", "dir-link/secret.md", "dir-link/secret.txt",
         "../outside/secret.png", "../outside/secret.md", "../outside/secret.txt", "images/../../outside/secret.png",
         "dir-link/../course/lesson.md", "loop.png", ".git/config", ".git/x.png", "./.git/../.git/x.png",
         "../../../../../../../../../../etc/hostname", "~/.ssh/id_rsa", "%2e%2e/outside/secret.png",
         "{world}/outside/secret.png", "{world}/outside/secret.md", "{world}/course/images/ok.png",
         "images/ok.png\\..\\..\\..\\outside\\secret.png", "images/ok.png\u0000", ".", ""]
ROOTS = [None, ".", "../course", "images", "/", "lesson.md", "missing", "../outside", "~", "{world}/course",
         "[1, 2]", '""']  # never one that widens the root beyond world/course
LIMITS = [None, "{asset: 1 KB}", "{package: 1 KB}", "{asset: 0 KB}", "{asset: lots}", "{asset: 1 GB, package: 2 GB}"]
TEXT = st.text(alphabet=st.sampled_from("[]()!#{}=\"'`<>-*.:/\\ \n\tab&@|~é\u0000\u202e"), max_size=60)


def a_path(world: Path):
    return st.one_of(st.sampled_from(PATHS).map(lambda p: p.format(world=world)), TEXT)


@st.composite
def course_files(draw, world: Path) -> dict[str, str | bytes]:
    """course.yaml and lesson.md naming paths from the pool, with random text around them."""
    path = a_path(world)
    modules = draw(st.lists(st.one_of(st.just("lesson.md"), path), min_size=1, max_size=4))
    root = draw(st.sampled_from(ROOTS))
    limits = draw(st.sampled_from(LIMITS))
    icons = draw(st.lists(path, max_size=2))
    lines = ["id: fuzz", "title: Fuzz", "version: 1.0.0"]
    lines += [f"root: {root.format(world=world)}"] if root is not None else []
    lines += [f"limits: {limits}"] if limits is not None else []
    lines += ["languages: [de]"] if draw(st.booleans()) else []
    lines += ["modules:"] + [f"  - {_quoted(m)}" for m in modules]
    if icons:
        lines += ["badges:"] + [f"  - id: b{i}\n    title: B\n    icon: {_quoted(icon)}" for i, icon in enumerate(icons)]
    lines.insert(draw(st.integers(0, len(lines))), draw(TEXT))
    images = draw(st.lists(st.tuples(TEXT, path), max_size=5))
    body = "\n\n".join(f"{text} ![an image]({ref})" for text, ref in images) or "Text."
    return {"course.yaml": "\n".join(lines) + "\n", "lesson.md": LESSON.format(id="lesson", title="Lesson", body=body)}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\0", "\\0") + '"'


# Short fragments that cost something when repeated: YAML structure, links, code spans, expressions.
HOSTILE = ["[", "![", "[a](", "`", "``x", "*_", "&a [", "*a, ", "- ", "  ", "{", "[[", "\\", "<", "(", "not ",
           "> ", "# x {#", "- [c](#x){", "\u0000", "\ufffd", "é", "\r", "---\n", ": ", "!x ", "? ", ":1", "9"]


@st.composite
def large_files(draw) -> dict[str, str | bytes]:
    """One file of up to 100 KB: a hostile fragment repeated, in course.yaml, a front matter or a body."""
    fragment = draw(st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=6)))
    big = fragment * draw(st.integers(1, 100_000 // len(fragment.encode("utf-8", "surrogatepass"))))
    where = draw(st.sampled_from(["course.yaml", "front matter", "body", "condition"]))
    head = "id: fuzz\ntitle: Fuzz\nversion: 1.0.0\nmodules:\n  - lesson.md\n"
    lesson = LESSON.format(id="lesson", title="Lesson", body="Text.")
    if where == "course.yaml":
        return {"course.yaml": head + "description: " + big + "\n", "lesson.md": lesson}
    if where == "front matter":
        return {"course.yaml": head, "lesson.md": "---\nid: lesson\ntitle: " + big + "\nkind: lesson\n---\n# P\n"}
    if where == "body":
        return {"course.yaml": head, "lesson.md": LESSON.format(id="lesson", title="Lesson", body=big)}
    scenario = (f'---\nid: lesson\ntitle: S\nkind: scenario\n---\n# S {{#start}}\n\n- [Go](#end){{if="{big}"}}\n\n'
                "# E {#end .ending outcome=good}\n")
    return {"course.yaml": head, "lesson.md": scenario}


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found: shrinking re-runs checks
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


def check_in(world: Path, written: dict[str, str | bytes]) -> None:
    """Write the course's files, check it: within budget, no crash, no read outside world/course."""
    course = world / "course"
    for name, text in written.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        (course / name).write_bytes(data)
    problem = None
    with reads() as opened:
        try:
            translated = isinstance(written["course.yaml"], str) and "\nlanguages: [de]" in written["course.yaml"]
            with cpu_budget(BUDGET):
                build.check(course / "course.yaml", languages=["all"] if translated else None)
        except CourseError as error:
            problem = error
        except OverBudget as slow:
            pytest.fail(f"check {slow}:\n{_shown(written)}", pytrace=False)
        except Exception as crash:  # noqa: BLE001 - any other exception is the failure being looked for
            pytest.fail(f"check raised {type(crash).__name__}: {crash}\n{_shown(written)}", pytrace=False)
    escaped = outside(opened, course)
    assert not escaped, f"check read files outside the course root: {escaped}\n{_shown(written)}"
    if problem is not None:
        for item in problem.diagnostics.items:
            assert SECRET not in item.message, item.format()


def _shown(written: dict[str, str | bytes]) -> str:
    return "\n".join(f"--- {name}\n{text[:600]!r}" for name, text in written.items())


def run_counted(test, strategy, examples: int) -> int:
    """Run `test` under hypothesis and return how many examples it really ran."""
    ran = 0

    @fuzz(examples)
    @given(strategy)
    def one(drawn):
        nonlocal ran
        ran += 1
        test(drawn)

    one()
    return ran


def test_paths_out_of_the_course_are_never_read(world):
    ran = run_counted(lambda written: check_in(world, written), course_files(world), examples=220)
    assert ran >= 220


def test_large_hostile_inputs_end_within_the_budget(world):
    ran = run_counted(lambda written: check_in(world, written), large_files(), examples=100)
    assert ran >= 100


def test_random_bytes_in_course_files(world):
    files_ = st.fixed_dictionaries({"course.yaml": st.binary(max_size=2000), "lesson.md": st.binary(max_size=2000)})
    ran = run_counted(lambda written: check_in(world, written), files_, examples=40)
    assert ran >= 40


def test_the_hook_sees_a_planted_escape(world, monkeypatch):
    """With the root check switched off, the same course reads the secret files: the
    recording is what would catch a loader that forgot to call files.locate."""
    written = {"course.yaml": "id: fuzz\ntitle: Fuzz\nversion: 1.0.0\nmodules:\n  - lesson.md\n"
                              "  - ../outside/secret.md\n",
               "lesson.md": LESSON.format(id="lesson", title="Lesson", body="![x](link-out.png)")}
    course = world / "course"
    for name, text in written.items():
        (course / name).write_text(text)

    def check_reads() -> list[Path]:
        with reads() as opened:
            try:
                build.check(course / "course.yaml")
            except CourseError:
                pass
        return outside(opened, course)

    assert check_reads() == []
    monkeypatch.setattr(files, "locate", lambda root, path, *rest: path.resolve())
    assert check_reads() == [world / "outside" / "secret.md", world / "outside" / "secret.png"]
