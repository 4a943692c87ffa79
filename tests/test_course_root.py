"""The course root: which folder a course owns, and that it reads nothing else;
images and icons accepted by what they hold, within the size limits.

The broken-course corpus pins the messages for a lesson naming /etc/hostname, a
module outside the root, an icon named .svg that holds a PNG or text, and the
limits (tests/fixtures/broken/). These tests cover what a fixture in the
repository cannot hold: symbolic links, a course outside any git repository,
a named pipe, and files of several megabytes.
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from generator import build, cli
from generator.diagnostics import CourseError

HEAD = "id: owned\ntitle: Owned\nversion: 1.0.0\n"
LESSON = "---\nid: lesson\ntitle: Lesson\nkind: lesson\n---\n\n# Page\n\n{body}\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>'
OUTSIDE = ("is outside the course root {root}: a course may only use files inside its root; copy the file "
           "into the course, or widen the root with root: in course.yaml")
THROUGH_LINK = ("leads outside the course root through a symbolic link {root}: a course may only use files "
                "inside its root; copy the file into the course, or widen the root with root: in course.yaml")
COURSE_FOLDER = '"." (the folder of course.yaml)'


def png(size: int = 0) -> bytes:
    """A 1x1 PNG, padded to `size` bytes with a comment chunk."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    tail = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b"")
    padding = max(0, size - len(head) - len(tail) - 12)
    return head + (chunk(b"tEXt", b"c\0" + b"x" * (padding - 2)) if padding >= 2 else b"") + tail


def course(folder: Path, body: str = "Text.", yaml: str = "", modules: tuple[str, ...] = ("lesson.md",)) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.yaml").write_text(HEAD + yaml + "modules:\n" + "".join(f"  - {m}\n" for m in modules))
    (folder / "lesson.md").write_text(LESSON.format(body=body))
    return folder


def errors(folder: Path) -> list[str]:
    with pytest.raises(CourseError) as raised:
        build.check(folder)
    return raised.value.diagnostics.format(cwd=folder)


@pytest.fixture
def world(tmp_path) -> Path:
    """tmp/outside holds a secret picture and module; tmp/course is the course (no git anywhere)."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.png").write_bytes(png())
    (tmp_path / "outside" / "secret.md").write_text(LESSON.format(body="The secret.").replace("id: lesson", "id: secret"))
    return tmp_path


# --- symbolic links --------------------------------------------------------------------------

def test_a_symlink_inside_the_course_pointing_out_fails_at_its_line(world):
    folder = course(world / "course", body="![The whiteboard](whiteboard.png)")
    (folder / "whiteboard.png").symlink_to("../outside/secret.png")
    assert errors(folder) == [
        f'lesson.md:9:19: error: image "whiteboard.png" {THROUGH_LINK.format(root=COURSE_FOLDER)}']


def test_a_symlinked_folder_or_module_pointing_out_fails_too(world, tmp_path):
    folder = course(world / "course", body="![The whiteboard](pictures/secret.png)",
                    modules=("lesson.md", "shared.md"))
    (folder / "pictures").symlink_to(world / "outside")
    (folder / "shared.md").symlink_to(world / "outside" / "secret.md")
    assert errors(folder) == [
        f'course.yaml:6:5: error: module "shared.md" {THROUGH_LINK.format(root=COURSE_FOLDER)}',
        f'lesson.md:9:19: error: image "pictures/secret.png" {THROUGH_LINK.format(root=COURSE_FOLDER)}']


def test_a_symlink_that_stays_inside_the_course_is_followed(world, tmp_path):
    folder = course(world / "course", body="![The whiteboard](whiteboard.png)")
    (folder / "images").mkdir()
    (folder / "images" / "board.png").write_bytes(png())
    (folder / "whiteboard.png").symlink_to("images/board.png")
    assert build.check(folder).diagnostics.items == []


def test_a_loop_of_links_is_an_error_not_a_hang(world):
    folder = course(world / "course", body="![The whiteboard](loop.png)")
    (folder / "loop.png").symlink_to("loop.png")
    (message,) = errors(folder)
    assert message.startswith('lesson.md:9:19: error: image "loop.png"')


# --- which root applies ---------------------------------------------------------------------------

def test_without_git_the_root_is_the_folder_of_course_yaml(world):
    folder = course(world / "course", body="![A secret](../outside/secret.png)")
    assert errors(folder) == [
        f'lesson.md:9:13: error: image "../outside/secret.png" {OUTSIDE.format(root=COURSE_FOLDER)}']


@pytest.mark.parametrize("git", ["folder", "file"])
def test_the_nearest_git_repository_is_the_root(world, git):
    """A clone has a .git folder, a worktree a .git file: either marks the repository."""
    if git == "folder":
        (world / ".git").mkdir()
    else:
        (world / ".git").write_text("gitdir: /elsewhere/.git/worktrees/x\n")
    folder = course(world / "courses" / "owned", body="![A picture](../../outside/secret.png)",
                    modules=("lesson.md", "../../outside/secret.md"))
    checked = build.check(folder)
    assert checked.diagnostics.items == []
    assert (checked.course.root.origin, checked.course.root.shown) == ("git", "../..")
    assert [m.id for m in checked.course.modules] == ["lesson", "secret"]


def test_nothing_inside_a_git_folder_is_the_courses(world):
    (world / ".git").mkdir()
    (world / ".git" / "logo.png").write_bytes(png())
    folder = course(world / "course", body="![Logo](../.git/logo.png)")
    assert errors(folder) == [
        'lesson.md:9:9: error: image "../.git/logo.png" is inside a .git folder, which is never part of a course']


def test_root_widens_the_root_and_check_says_so(world, capsys, monkeypatch):
    folder = course(world / "course", body="![A secret](../outside/secret.png)", yaml="root: ..\n",
                    modules=("lesson.md", "../outside/secret.md"))
    monkeypatch.chdir(folder)
    assert cli.main(["check", "course.yaml"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert out.strip() == "owned 1.0.0: 2 modules, 0 points, no errors, 0 warnings; course root widened to .. by course.yaml"


def test_root_may_also_name_a_narrower_root_than_git(world, capsys, monkeypatch):
    (world / ".git").mkdir()
    folder = course(world / "course", body="![A secret](../outside/secret.png)", yaml="root: .\n")
    assert errors(folder) == [
        'lesson.md:9:13: error: image "../outside/secret.png" is outside the course root "." (root: in course.yaml): '
        "a course may only use files inside its root; copy the file into the course, or widen the root with "
        "root: in course.yaml"]
    (folder / "lesson.md").write_text(LESSON.format(body="Text."))
    monkeypatch.chdir(folder)
    assert cli.main(["check", "course.yaml"]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip().endswith("0 warnings; course root set to . by course.yaml")


def test_a_home_folder_under_git_is_not_a_course_repository(world, monkeypatch):
    """Dotfiles kept in git make $HOME a repository; a course below it still owns only its folder."""
    (world / ".git").mkdir()
    monkeypatch.setenv("HOME", str(world))
    folder = course(world / "course", body="![A secret](../outside/secret.png)")
    assert errors(folder) == [
        f'lesson.md:9:13: error: image "../outside/secret.png" {OUTSIDE.format(root=COURSE_FOLDER)}']


# --- what is shipped -------------------------------------------------------------------------------

def test_the_package_holds_the_courses_own_picture_and_nothing_from_outside(world, tmp_path):
    folder = course(world / "course", body="![A picture](picture.png)")
    (folder / "picture.png").write_bytes(png())
    built = build.build(folder, ("scorm2004",), tmp_path / "out")
    with zipfile.ZipFile(built.outputs[0]) as package:
        assets = [name for name in package.namelist() if name.startswith("assets/")]
        assert len(assets) == 1 and assets[0].endswith("-picture.png")
        assert package.read(assets[0]) == png()


@pytest.mark.parametrize("name,data", [
    ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32)),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("pic.webp", b"RIFF\x1a\x00\x00\x00WEBPVP8L" + bytes(14)),
    ("drawing.svg", ('\ufeff<?xml version="1.0"?>\n<!-- made by hand -->\n' + SVG).encode()),
])
def test_every_image_type_is_recognised_by_its_content(world, name, data):
    folder = course(world / "course", body=f"![A picture]({name})")
    (folder / name).write_bytes(data)
    assert build.check(folder).diagnostics.items == []


@pytest.mark.parametrize("data,problem", [
    (b"", "is not a PNG, JPEG, GIF, WebP or SVG image (the file is empty)"),
    (bytes(range(256)), "is not a PNG, JPEG, GIF, WebP or SVG image (the file holds other data)"),
    (b"<html><body>not a picture</body></html>", "is not a PNG, JPEG, GIF, WebP or SVG image (the file holds text)"),
    (b"<svg", "is not a PNG, JPEG, GIF, WebP or SVG image (the file holds text)"),
    (b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"/>', None),
])
def test_an_image_is_what_its_bytes_say(world, data, problem):
    folder = course(world / "course", body="![A picture](picture.svg)")
    (folder / "picture.svg").write_bytes(data)
    (message,) = errors(folder)
    if problem is None:  # an SVG declaring entities, which expand in the learner's browser
        assert message == ("lesson.md:9:14: error: \"picture.svg\" holds '<!ENTITY' (line 1 of the SVG): images may "
                           "not carry script, event handlers or links to other sites")
    else:
        assert message == f'lesson.md:9:14: error: image "picture.svg" {problem}'


def test_a_named_pipe_is_refused_without_waiting_for_it(world):
    folder = course(world / "course", body="![A picture](picture.png)")
    os.mkfifo(folder / "picture.png")
    assert errors(folder) == ['lesson.md:9:14: error: image not found: "picture.png"']


def test_the_default_asset_limit_is_5_mb_and_limits_raise_it(world):
    folder = course(world / "course", body="![A photo](photo.png)")
    (folder / "photo.png").write_bytes(png(5 * 1024 * 1024 + 1))
    assert errors(folder) == [
        'lesson.md:9:12: error: image "photo.png" is 5,242,881 bytes, over the limit of 5 MB for one image or icon: make it '
        "smaller, or raise limits: asset: in course.yaml"]
    course(folder, body="![A photo](photo.png)", yaml="limits:\n  asset: 6 MB\n")
    assert build.check(folder).diagnostics.items == []


def test_the_default_package_limit_is_50_mb(world):
    pictures = "\n\n".join(f"![Photo {i}](photo{i}.png)" for i in range(11))
    folder = course(world / "course", body=pictures)
    for i in range(11):
        (folder / f"photo{i}.png").write_bytes(png(4_800_000 + i))
    (message,) = errors(folder)
    assert message.startswith("course.yaml:1:1: error: the course's modules, images and icons come to 50.4 MB, "
                              'over the package limit of 50 MB; the largest are "photo10.png" (4.6 MB)')
    course(folder, body=pictures, yaml="limits:\n  package: 60 MB\n")
    assert build.check(folder).diagnostics.items == []


def test_a_module_larger_than_the_package_is_not_read(world):
    folder = course(world / "course", yaml="limits:\n  package: 1 KB\n")
    (folder / "lesson.md").write_text(LESSON.format(body="word " * 400))
    assert errors(folder) == [
        'course.yaml:7:5: error: "lesson.md" is 2 KB, more than the whole package may hold (1 KB); raise limits: '
        "package: in course.yaml if it must be this large"]
