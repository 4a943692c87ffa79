"""PO catalogues in the course's repository: where they live, reading them, merging in the source.

`locales/<lang>/<module-id>.po` holds a module's text and `locales/<lang>/course.po`
course.yaml's own (a course file named other than course.yaml, like refresher.yaml,
has `refresher.po`), beside course.yaml. PO is the canonical form: it diffs in git,
and Weblate, Poedit and Crowdin read it. `merge` is what `msgmerge` does, by key:
a changed source keeps its translation, marked fuzzy with the previous source
(`#| msgid`); a removed text becomes obsolete (`#~`); translators' own comments
and flags stay. Writing is deterministic (no dates), and a file whose content did
not change is not rewritten.
"""
from __future__ import annotations

import copy
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polib

from ..diagnostics import Diagnostics, Location
from ..model import Course
from ..source import files
from . import languages
from .units import COURSE, Unit

LOCALES = "locales"
WRAP = 78  # gettext's own width, as msgmerge, Poedit and Weblate write it


@dataclass
class Catalogue:
    """One PO file as read, with its lines, so every entry's msgstr can be pointed at."""

    @property
    def live(self) -> list[polib.POEntry]:
        """The entries that are not obsolete (polib keeps both kinds in one list)."""
        return [entry for entry in self.po if not entry.obsolete]

    path: Path
    po: polib.POFile
    lines: list[str]
    readable: bool = True  # False: the file's problem is reported; its entries count as missing

    def line_of(self, entry: polib.POEntry, keyword: str = "msgstr") -> int:
        """The line of the entry's `keyword` (msgstr, msgctxt, msgid), else the entry's first line."""
        start = max(1, entry.linenum or 1)
        prefix = "#~ " + keyword if entry.obsolete else keyword
        for number in range(start, min(len(self.lines), start + 400) + 1):
            if self.lines[number - 1].startswith(prefix):
                return number
        return start

    def at(self, entry: polib.POEntry | None = None, keyword: str = "msgstr") -> Location:
        return Location(self.path, self.line_of(entry, keyword) if entry is not None else 1, 1)

    def header_line(self, field: str) -> int:
        for number, line in enumerate(self.lines, 1):
            if line.startswith(f'"{field}:'):
                return number
            if not line.strip():
                break
        return 1


def course_folder(course: Course) -> Path:
    return course.source.parent


def folder(course: Course, tag: str) -> Path:
    return course_folder(course) / LOCALES / tag


def file_name(course: Course, catalogue: str) -> str:
    """The PO file of a catalogue: the module's id, or the course file's own name for course.yaml's text."""
    return f"{course.source.stem if catalogue == COURSE else catalogue}.po"


def path_of(course: Course, tag: str, catalogue: str) -> Path:
    return folder(course, tag) / file_name(course, catalogue)


def inside(path: Path, root: Path) -> bool:
    """True when `path`, symbolic links resolved, lies in `root`: a course reads only its own files."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return False


def read(path: Path, course: Course, diags: Diagnostics, named_at: Location) -> Catalogue | None:
    """A catalogue, or None when there is none. One that cannot be read is reported at its
    line and comes back empty and not `readable`."""
    if not path.exists() and not path.is_symlink():
        return None
    found = _read(path, course, diags, named_at)
    return found if found is not None else Catalogue(path, polib.POFile(), [], readable=False)


def _read(path: Path, course: Course, diags: Diagnostics, named_at: Location) -> Catalogue | None:
    if not inside(path, course_folder(course)):
        diags.error(named_at, f'"{display(course, path)}" lies outside the course folder (a symbolic link?): '
                    "a course reads only its own files")
        return None
    # Bounded, and only a regular file: a named pipe would block the build (docs/security.md).
    data = files.read_bytes(path, course.limits.package, diags, named_at, display(course, path),
                            "more than the whole package may hold; raise limits: package: in course.yaml")
    if data is None:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.error(Location(path, line, 1), "the catalogue is not UTF-8 text; save it as UTF-8")
        return None
    problem = _lint(text)
    if problem:
        diags.error(Location(path, problem[0], 1), f"PO syntax: {problem[1]}")
        return None
    try:
        po = polib.pofile(text, wrapwidth=WRAP)
    except (OSError, ValueError) as exc:
        message = str(exc)
        line = 1
        if "(line " in message:
            line = int(message.rsplit("(line ", 1)[1].split(")")[0])
        diags.error(Location(path, line, 1), f"PO syntax: {message.split(' (line')[0].lower()}")
        return None
    return Catalogue(path, po, text.split("\n"))


_KEYWORD = re.compile(r'^(?:#~ ?)?(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)[ \t]+(?=")|^(?:#~ ?)?(?=")')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"[ \t]*$')


def _lint(text: str) -> tuple[int, str] | None:
    """The first line a strict reader (msgfmt) would refuse; polib quietly mends some of them
    (an unclosed quote loses the string's last character), so they are caught first."""
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or (stripped.startswith("#") and not stripped.startswith("#~")):
            continue
        keyword = _KEYWORD.match(stripped)
        if keyword is None:
            if stripped.startswith("#~"):
                continue  # an obsolete entry's comment lines
            return number, f'expected msgctxt, msgid, msgstr or a "quoted" line, not {stripped[:30]!r}'
        if not _STRING.fullmatch(stripped[keyword.end():]):
            return number, "the string is not closed: end the line with a double quote"
    return None


def display(course: Course, path: Path) -> str:
    return os.path.relpath(path, course_folder(course)).replace(os.sep, "/")


def header(course: Course, tag: str, existing: dict[str, str] | None) -> dict[str, str]:
    """The header fields: translators' tools keep theirs (Last-Translator, X-Generator…);
    Language is always the folder's; Plural-Forms is set from CLDR when missing. A module
    shared by two courses keeps the Project-Id-Version it was first written with."""
    fields = dict(existing or {})
    fields.setdefault("Project-Id-Version", f"{course.id} {course.version}")
    fields["Language"] = tag
    fields["MIME-Version"] = "1.0"
    fields["Content-Type"] = "text/plain; charset=UTF-8"
    fields["Content-Transfer-Encoding"] = "8bit"
    fields.setdefault("Plural-Forms", languages.plural_forms(tag))
    for dated in ("POT-Creation-Date",):  # no build time in the repository's files
        fields.pop(dated, None)
    return fields


def merge(existing: polib.POFile | None, found: list[Unit], course: Course, tag: str, title: str) -> polib.POFile:
    """The catalogue for `found` (the units of one catalogue), keeping what `existing` translated."""
    merged = polib.POFile(wrapwidth=WRAP)
    merged.header = existing.header if existing is not None and existing.header else (
        f"{languages.name(tag)} translation of {title}.\n"
        "Written by coursegen translate extract: translate each msgstr; keys (msgctxt) and\n"
        "placeholders ({1}…{/1}, {2/}) come from the source and stay as they are.")
    merged.metadata = header(course, tag, existing.metadata if existing is not None else None)
    given = re.search(r"nplurals\s*=\s*(\d+)", merged.metadata.get("Plural-Forms", ""))
    forms = int(given.group(1)) if given else languages.plural_count(tag)
    old: dict[str, polib.POEntry] = {}
    # Live entries first, so a key both live and obsolete (hand-edited files) keeps the live one.
    everything = sorted(existing, key=lambda e: e.obsolete) if existing is not None else []
    for entry in everything:
        if entry.msgctxt is not None:
            old.setdefault(entry.msgctxt, entry)
    seen = set()
    for unit in found:
        seen.add(unit.key)
        before = old.get(unit.key)
        # The runtime's words have no source line in the course (their table ships with coursegen).
        where = [] if unit.catalogue == "ui" else \
            [(display(course, unit.location.path), str(unit.location.line))]
        entry = polib.POEntry(msgctxt=unit.key, msgid=unit.msgid, msgstr="", comment="\n".join(unit.notes),
                              occurrences=where)
        if unit.plural is not None:
            entry = _plural(entry, unit, before, forms)
        elif before is not None and not before.msgid_plural:
            entry.msgstr = before.msgstr
            entry.tcomment = before.tcomment
            entry.flags = [f for f in before.flags if f != "fuzzy"]
            stale = before.msgid != unit.msgid and before.msgstr
            if stale or ("fuzzy" in before.flags and before.msgstr):
                entry.flags.insert(0, "fuzzy")
                # The previous source is the one the translation was made for: keep the oldest.
                entry.previous_msgid = before.previous_msgid if "fuzzy" in before.flags and before.previous_msgid \
                    else (before.msgid if stale else None)
        merged.append(entry)
    for entry in everything:
        if entry.msgctxt in seen or entry.msgctxt is None and not entry.msgid:
            continue
        if entry.msgstr or any(entry.msgstr_plural.values()):
            entry = copy.copy(entry)  # the catalogue read stays as it was
            entry.obsolete = True
            entry.occurrences = []
            merged.append(entry)
            seen.add(entry.msgctxt)
    return merged


def _plural(entry: polib.POEntry, unit: Unit, before: polib.POEntry | None, count: int) -> polib.POEntry:
    """A word with plural forms: the translation's forms kept, fuzzy when either source form changed."""
    entry.msgid_plural = unit.plural
    entry.msgstr_plural = {i: "" for i in range(count)}
    if before is None or not before.msgid_plural:
        return entry
    entry.msgstr_plural.update({i: text for i, text in before.msgstr_plural.items()})
    entry.tcomment = before.tcomment
    entry.flags = [f for f in before.flags if f != "fuzzy"]
    done = any(before.msgstr_plural.values())
    stale = (before.msgid, before.msgid_plural) != (unit.msgid, unit.plural) and done
    if stale or ("fuzzy" in before.flags and done):
        entry.flags.insert(0, "fuzzy")
        entry.previous_msgid = before.previous_msgid if "fuzzy" in before.flags and before.previous_msgid \
            else (before.msgid if stale else None)
        entry.previous_msgid_plural = before.previous_msgid_plural if "fuzzy" in before.flags and \
            before.previous_msgid_plural else (before.msgid_plural if stale else None)
    return entry


def text_of(po: polib.POFile) -> str:
    return str(po) + "\n" if not str(po).endswith("\n") else str(po)


def write(path: Path, po: polib.POFile) -> bool:
    """Write the catalogue when its text changed (atomically); True when it did."""
    text = text_of(po)
    if path.is_file() and path.read_text(encoding="utf-8-sig") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return True
