"""Which files a course may read, and reading them within bounds.

A course is untrusted input: freelance authors, agencies, a pull request from
another department. The build must never read a file the course does not own,
since whatever it reads may end up in the package every learner downloads.

So every path an author writes (a module, an image, a badge icon, and the
fonts, portraits and translation catalogues to come) goes through `locate`
before anything touches the file: it must resolve, after `..` and symbolic
links, inside the course root. The root is the nearest folder above
course.yaml holding `.git` (a course's repository), else course.yaml's own
folder; `root:` in course.yaml may name another folder that holds it.
Nothing inside a `.git` folder is ever the course's.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..diagnostics import Diagnostics, Location, closest
from ..model import MB, Root
from .yamlmarks import Value

# course.yaml holds settings and a list of modules: a few kilobytes. Read
# before any limit it sets is known, it has a fixed bound of its own.
COURSE_FILE_LIMIT = 1 * MB

_ORIGINS = {"git": "the git repository holding course.yaml", "course": "the folder of course.yaml",
            "setting": "root: in course.yaml"}


def describe(root: Root) -> str:
    return f'"{root.shown}" ({_ORIGINS[root.origin]})'


def find_root(course_file: Path, setting: Value | None, diags: Diagnostics) -> Root:
    """The course root: `root:` from course.yaml when it is set and valid, else the default."""
    written = Path(os.path.normpath(course_file.absolute().parent))
    default = _default_root(written)
    if setting is None or setting.data is None:
        return default
    text = setting.data if isinstance(setting.data, str) else None
    if not text or not text.strip():
        diags.error(setting.location, '"root" must be the path of a folder, relative to course.yaml, like ".."')
        return default
    where = setting.text_location
    try:
        folder = (written / text).resolve()
        course_folder = written.resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL in the path, a loop of links
        folder = None
    if folder is None or not folder.is_dir():
        diags.error(where, f'root "{text}" is not a folder')
    elif not course_folder.is_relative_to(folder):
        diags.error(where, f'root "{text}" does not hold course.yaml: the root is the folder a course owns, '
                    "course.yaml included")
    elif _too_wide(folder):
        diags.error(where, f'root "{text}" is too wide: it would let the course read every file of this '
                    "computer or of your home folder; name the folder that holds the course's files")
    else:
        shown = os.path.relpath(os.path.normpath(written / text), written)
        widened = folder != default.folder and default.folder.is_relative_to(folder)
        return Root(folder, Path(os.path.normpath(written / text)), "setting", Path(shown).as_posix(), widened)
    return default


def _default_root(written: Path) -> Root:
    """The nearest folder holding .git (walking up the path as written), else course.yaml's folder."""
    for folder in (written, *written.parents):
        try:
            if (folder / ".git").exists():
                if _too_wide(folder.resolve()):
                    break  # a home folder under git is not a course's repository
                shown = Path(os.path.relpath(folder, written)).as_posix()
                return Root(folder.resolve(), folder, "git", shown)
        except OSError:
            break
    return Root(written.resolve(), written, "course", ".")


def _too_wide(folder: Path) -> bool:
    if folder == Path(folder.anchor):
        return True
    try:
        return Path.home().resolve().is_relative_to(folder)
    except (RuntimeError, OSError, KeyError):  # no home folder known
        return False


def locate(root: Root, path: Path, shown: str, where: Location, diags: Diagnostics, what: str) -> Path | None:
    """`path` (as the author's text names it) with links resolved, when it lies inside the root.

    Otherwise an error at `where` naming the root that applies, and None.
    Every loader calls this before it reads, or even looks at, a file the
    author named; `shown` is the path as written, `what` says what it is
    ("image", "module", "badge icon").
    """
    try:
        resolved = path.resolve()
    except (OSError, ValueError, RuntimeError):  # a NUL in the path, a loop of links, a name too long
        diags.error(where, f'{what} "{shown}" cannot be read: the path is not valid')
        return None
    if not resolved.is_relative_to(root.folder):
        through_link = Path(os.path.normpath(path)).is_relative_to(root.written)
        how = "leads outside the course root through a symbolic link" if through_link else "is outside the course root"
        diags.error(where, f'{what} "{shown}" {how} {describe(root)}: a course may only use files inside '
                    "its root; copy the file into the course, or widen the root with root: in course.yaml")
        return None
    if ".git" in resolved.relative_to(root.folder).parts:
        diags.error(where, f'{what} "{shown}" is inside a .git folder, which is never part of a course')
        return None
    return resolved


def nearby(path: Path, shown: str) -> str:
    """' (did you mean "x"?)' for a file beside a missing one (in its folder, inside the root: the
    path passed `locate`) whose name is close to the missing name."""
    try:
        names = [entry.name for _, entry in zip(range(1000), path.parent.iterdir()) if entry.is_file()]
    except OSError:
        return ""
    close = closest(path.name, names)
    if close is None:
        return ""
    folder = shown[: len(shown) - len(path.name)] if shown.endswith(path.name) else ""
    return f' (did you mean "{folder}{close}"?)'


def format_size(size: int) -> str:
    """1536 -> "1.5 KB"; whole numbers without a decimal ("5 MB")."""
    for unit, scale in (("GB", 1024 * MB), ("MB", MB), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def read_bytes(path: Path, limit: int, diags: Diagnostics, where: Location, shown: str,
               over: str, subject: str | None = None) -> bytes | None:
    """The bytes of a regular file no larger than `limit`; `over` ends the message when it is larger,
    which starts with `subject` (by default the path as shown)."""
    subject = subject or f'"{shown}"'
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            diags.error(where, f'"{shown}" is a folder, not a file')
            return None
        if not stat.S_ISREG(info.st_mode):  # a pipe or a device would block or never end
            diags.error(where, f'"{shown}" is not a regular file')
            return None
        if info.st_size > limit:
            size = format_size(info.st_size)
            size = size if size != format_size(limit) else f"{info.st_size:,} bytes"  # not "5 MB, over 5 MB"
            diags.error(where, f"{subject} is {size}, {over}")
            return None
        expected = info.st_size
        with open(path, "rb") as stream:
            data = stream.read(expected + 1)
    except FileNotFoundError:
        diags.error(where, f'file not found: "{shown}"' + nearby(path, shown))
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        diags.error(where, f'cannot read "{shown}": {getattr(exc, "strerror", None) or exc}')
        return None
    if len(data) > expected:  # it grew while being read
        diags.error(where, f"{subject} changed while it was read; build again")
        return None
    return data


def read_text(path: Path, diags: Diagnostics, where: Location, shown: str | None = None,
              limit: int = COURSE_FILE_LIMIT, over: str | None = None) -> str | None:
    """The file's text with "\\n" line ends; `shown` is the path as the author wrote it."""
    shown = shown or path.name
    data = read_bytes(path, limit, diags, where, shown,
                      over or f"more than a course file may hold ({format_size(limit)})")
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        diags.error(_location_of(data, exc.start, path), "file is not valid UTF-8 text")
        return None
    nul = text.find("\0")
    if nul >= 0:  # a binary file, or text saved in UTF-16
        diags.error(_location_of(text, nul, path), "file holds a NUL character: it is not UTF-8 text")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _location_of(data: bytes | str, offset: int, path: Path) -> Location:
    newline = b"\n" if isinstance(data, bytes) else "\n"
    line_start = data.rfind(newline, 0, offset) + 1
    before = data[line_start: offset]
    column = len(before.decode("utf-8", "replace") if isinstance(before, bytes) else before) + 1
    return Location(path, data.count(newline, 0, offset) + 1, column)
