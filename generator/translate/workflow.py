"""`coursegen translate extract` and `status`: the catalogues kept in step with the source."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostics
from ..model import Course
from . import catalogue, languages, localise, ui, units
from .units import Unit


@dataclass
class Written:
    path: Path
    changed: bool
    entries: int
    fuzzy: int
    obsolete: int


def by_catalogue(course: Course) -> dict[str, list[Unit]]:
    grouped: dict[str, list[Unit]] = {}
    for unit in units.units(course) + ui.units():
        grouped.setdefault(unit.catalogue, []).append(unit)
    return grouped


def title_of(course: Course, name: str) -> str:
    if name == units.COURSE:
        return f'the course "{course.title}" ({course.source.name})'
    if name == ui.UI:
        return "the course player's own words (buttons, headings, results), shared by the courses of this folder"
    module = course.module(name)
    return f'"{module.title}" ({name}), a {module.kind} of the course {course.id}'


def extract(course: Course, tags: list[str], diags: Diagnostics) -> list[Written]:
    """Write or update every catalogue of each language; nothing is written if one cannot be read."""
    grouped = by_catalogue(course)
    planned = []
    for tag in tags:
        read = localise.read_catalogues(course, tag, grouped, diags)
        for name, found in grouped.items():
            existing = read[name].po if read[name] else None
            if existing is not None and name == ui.UI and not catalogue.inside(read[name].path, course.source.parent):
                existing = ui.fresh(existing)  # coursegen's own words start the course's ui.po
            merged = catalogue.merge(existing, found, course, tag, title_of(course, name))
            planned.append((catalogue.path_of(course, tag, name), merged))
    if diags.has_errors():
        return []
    written = []
    for path, merged in planned:
        changed = catalogue.write(path, merged)
        written.append(Written(path, changed, len([e for e in merged if not e.obsolete]), sum(1 for e in merged if e.fuzzy and not e.obsolete),
                               len(merged.obsolete_entries())))
    return written


@dataclass
class Status:
    tag: str
    translated: int = 0
    fuzzy: int = 0
    missing: int = 0
    obsolete: int = 0
    unknown: int = 0
    catalogues: dict[str, "Status"] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing


def status(course: Course, tags: list[str], diags: Diagnostics) -> list[Status]:
    """Per language (and catalogue): how many texts are translated, fuzzy (or out of date) and missing."""
    grouped = by_catalogue(course)
    result = []
    for tag in tags:
        total = Status(tag)
        read = localise.read_catalogues(course, tag, grouped, diags)
        for name, found in grouped.items():
            one = Status(tag)
            entries = {e.msgctxt: e for e in (read[name].live if read[name] else []) if e.msgctxt is not None}
            keys = {u.key for u in found}
            for unit in found:
                entry = entries.get(unit.key)
                if entry is None or not (any(ui.forms(entry)) if unit.plural is not None else entry.msgstr):
                    one.missing += 1
                elif entry.fuzzy or entry.msgid != unit.msgid or (entry.msgid_plural or None) != unit.plural:
                    one.fuzzy += 1
                else:
                    one.translated += 1
            if read[name]:
                one.obsolete = len(read[name].po.obsolete_entries())
                one.unknown = sum(1 for key in entries if key not in keys)
            total.catalogues[name] = one
            for attribute in ("translated", "fuzzy", "missing", "obsolete", "unknown"):
                setattr(total, attribute, getattr(total, attribute) + getattr(one, attribute))
        result.append(total)
    return result


def catalogued(course: Course, wanted: list[str] | None, diags: Diagnostics) -> list[str]:
    """The languages with catalogues asked for (default: every listed one)."""
    if not wanted and not course.languages:
        diags.error(course.location, "the course lists no languages to translate into: add languages: [de, …] "
                    "to course.yaml")
        return []
    tags = languages.chosen(course, wanted or [languages.ALL], diags)
    for tag in tags:
        if languages.is_pseudo(tag) or tag.lower() == course.language.lower():
            what = "a pseudo-locale is made on the fly" if languages.is_pseudo(tag) else "the source is the Markdown"
            diags.error(course.where("languages") if course.languages else course.location,
                        f"--lang {tag}: {what}; it has no catalogue")
    return tags
