"""XLIFF 1.2 for translation agencies (memoQ, Trados, Phrase): export a language, import it back.

The PO catalogues stay canonical: `export` writes one `<file>` per catalogue
(`original` is the PO file's path), one `<trans-unit>` per entry with the key as
its `id`, the translator's notes as `<note>`, the source line as a
`context-group`, the SCORM length limit as `maxwidth`, and a fuzzy entry's
previous source and translation as an `<alt-trans>`. Placeholders become inline
markup a CAT tool protects: `{1}…{/1}` is `<g id="1" ctype="link">…</g>`, `{2/}`
is `<x id="2" ctype="x-code"/>`. `import_file` reads targets back into the
catalogues, checking each like `coursegen check` does, at the XLIFF file's lines;
exporting and importing without changes gives the catalogues back byte for byte.
"""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import polib
from lxml import etree

from ..diagnostics import Diagnostics, Location
from ..model import Course
from . import catalogue, languages, localise, review, ui
from .placeholders import KINDS, TOKEN, Protected
from .units import Unit
from .workflow import by_catalogue, title_of

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML = "http://www.w3.org/XML/1998/namespace"
DONE = ("translated", "final", "signed-off")  # states that clear a fuzzy flag
FUZZY_STATE = "needs-review-translation"


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


@functools.lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    root = resources.files("generator.translate") / "schemas"
    with resources.as_file(root / "xliff-core-1.2-strict.xsd") as path:
        return etree.XMLSchema(etree.parse(str(path)))


# --- export --------------------------------------------------------------------------------

def export(course: Course, tag: str, diags: Diagnostics) -> bytes | None:
    """The language's catalogues as one XLIFF 1.2 document (None, with errors, when they are
    missing or not up to date with the source)."""
    grouped = by_catalogue(course)
    read = localise.read_catalogues(course, tag, grouped, diags)
    root = etree.Element(_q("xliff"), nsmap={None: NS}, version="1.2")
    root.text = "\n  "
    for name, found in grouped.items():
        one = read[name]
        path = catalogue.path_of(course, tag, name)
        if one is None:
            diags.error(localise.listed_at(course, tag), f'no catalogue "{catalogue.display(course, path)}": run '
                        f"coursegen translate extract --lang {tag} first")
            continue
        merged = catalogue.merge(one.po, found, course, tag, title_of(course, name))
        if catalogue.text_of(merged) != "\n".join(one.lines):
            diags.error(Location(one.path, 1, 1), "the catalogue is not up to date with the source: run "
                        f"coursegen translate extract --lang {tag} first, so the agency translates today's text")
            continue
        root.append(_file(course, tag, one, {u.key: u for u in found}))
    if diags.has_errors():
        return None
    if len(root):
        root[-1].tail = "\n"
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def _file(course: Course, tag: str, one: catalogue.Catalogue, found: dict[str, Unit]) -> etree._Element:
    element = etree.Element(_q("file"), {"original": catalogue.display(course, one.path),
                                         "source-language": course.language, "target-language": tag,
                                         "datatype": "po", "product-name": course.id,
                                         "product-version": course.version})
    element.text = "\n    "
    header = etree.SubElement(element, _q("header"))
    header.text = "\n      "
    tool = etree.SubElement(header, _q("tool"), {"tool-id": "coursegen", "tool-name": "coursegen"})
    tool.tail = "\n    "
    header.tail = "\n    "
    body = etree.SubElement(element, _q("body"))
    body.text = "\n      "
    unit = None
    for entry in one.live:
        if entry.msgctxt not in found:
            continue
        unit = (_plural_group(entry, found[entry.msgctxt], course.language, tag, one) if entry.msgid_plural
                else _unit(entry, found[entry.msgctxt], course.language, tag))
        unit.tail = "\n      "
        body.append(unit)
    if unit is not None:
        unit.tail = "\n    "
    body.tail = "\n  "
    element.tail = "\n  "
    return element


def _unit(entry: polib.POEntry, unit: Unit, source_language: str, tag: str) -> etree._Element:
    attributes = {"id": entry.msgctxt, "resname": entry.msgctxt, f"{{{XML}}}space": "preserve"}
    if unit.limit:
        attributes.update({"maxwidth": str(unit.limit), "size-unit": "char"})
    element = etree.Element(_q("trans-unit"), attributes)
    indent = "\n        "
    element.text = indent
    source = _inline(etree.SubElement(element, _q("source"), {f"{{{XML}}}lang": source_language}), entry.msgid,
                     unit.protected)
    source.tail = indent
    if entry.msgstr:
        state = FUZZY_STATE if entry.fuzzy else "translated"
        target = _inline(etree.SubElement(element, _q("target"), {f"{{{XML}}}lang": tag, "state": state}),
                         entry.msgstr, unit.protected)
        target.tail = indent
        if entry.fuzzy and entry.previous_msgid:
            alt = etree.SubElement(element, _q("alt-trans"), {"alttranstype": "previous-version"})
            previous = Protected(entry.previous_msgid, ())
            _inline(etree.SubElement(alt, _q("source"), {f"{{{XML}}}lang": source_language}), entry.previous_msgid,
                    previous)
            _inline(etree.SubElement(alt, _q("target"), {f"{{{XML}}}lang": tag}), entry.msgstr, previous)
            alt.tail = indent
    for path, line in entry.occurrences:
        group = etree.SubElement(element, _q("context-group"), {"purpose": "location"})
        etree.SubElement(group, _q("context"), {"context-type": "sourcefile"}).text = path
        etree.SubElement(group, _q("context"), {"context-type": "linenumber"}).text = line
        group.tail = indent
    for note in unit.notes:  # as written (the PO comment is wrapped at 78 columns)
        etree.SubElement(element, _q("note"), {"from": "coursegen"}).text = note
        element[-1].tail = indent
    element[-1].tail = "\n      "
    return element


PLURAL_ID = re.compile(r"^(?P<key>.+)\[(?P<form>\d+)\]$")


def _plural_group(entry: polib.POEntry, unit: Unit, source_language: str, tag: str,
                  one: catalogue.Catalogue) -> etree._Element:
    """A word of the player with plural forms, as CAT tools read gettext plurals: a group
    `x-gettext-plurals` of one trans-unit per form, `<key>[<form>]`, each with the source
    form it translates (English's "one" for the language's "one", else its "other")."""
    group = etree.Element(_q("group"), {"id": entry.msgctxt, "resname": entry.msgctxt,
                                        "restype": "x-gettext-plurals"})
    group.text = "\n        "
    names = ui.categories(tag, one.po.metadata.get("Plural-Forms"))
    for index, category in enumerate(names):
        form = copy.copy(entry)
        form.msgctxt = f"{entry.msgctxt}[{index}]"
        form.msgid = entry.msgid if category == "one" else entry.msgid_plural
        form.msgstr = entry.msgstr_plural.get(index, "")
        form.previous_msgid = None
        element = _unit(form, replace(unit, notes=(*unit.notes, f'Plural form {index}: CLDR\'s "{category}".')),
                        source_language, tag)
        element.tail = "\n        "
        group.append(element)
    group[-1].tail = "\n      "
    return group


def _inline(element: etree._Element, text: str, protected: Protected) -> etree._Element:
    """Fill `element` with `text`, its placeholders as <g> and <x/>; tokens that do not pair stay text."""
    kinds = {m.number: m.kind for m in protected.marks}
    closes = [int(m.group(2)) for m in TOKEN.finditer(text) if m.group(2)]
    stack = [element]
    opened: list[int] = []

    def add_text(piece: str) -> None:
        current = stack[-1]
        if len(current):
            current[-1].tail = (current[-1].tail or "") + piece
        else:
            current.text = (current.text or "") + piece

    position = 0
    for match in TOKEN.finditer(text):
        add_text(text[position:match.start()])
        position = match.end()
        opening, closing, alone = match.groups()
        if alone:
            attributes = {"id": alone}
            if int(alone) in kinds:
                attributes["ctype"] = KINDS[kinds[int(alone)]][1]
            etree.SubElement(stack[-1], _q("x"), attributes)
        elif opening and int(opening) in closes and int(opening) not in opened:
            attributes = {"id": opening}
            if int(opening) in kinds:
                attributes["ctype"] = KINDS[kinds[int(opening)]][1]
            stack.append(etree.SubElement(stack[-1], _q("g"), attributes))
            opened.append(int(opening))
        elif closing and opened and opened[-1] == int(closing):
            opened.pop()
            stack.pop()
        else:
            add_text(match.group())
    add_text(text[position:])
    return element


# --- import --------------------------------------------------------------------------------------

@dataclass
class Imported:
    path: Path
    po: polib.POFile
    updated: int


def import_file(course: Course, path: Path, diags: Diagnostics) -> list[Imported]:
    """The catalogues with the XLIFF file's targets read in (nothing is written here)."""
    document = _parse(path, diags)
    if document is None:
        return []
    grouped = by_catalogue(course)
    names = {catalogue.display(course, catalogue.path_of(course, tag, name)): (tag, name)
             for tag in course.languages for name in grouped}
    results = []
    for element in document.getroot().iter(_q("file")):
        where = Location(path, element.sourceline or 1, 1)
        tag = element.get("target-language") or ""
        listed = {t.lower(): t for t in course.languages}
        if tag.lower() not in listed:
            diags.error(where, f'target-language "{tag}" is not a language of the course '
                        f"(languages: {', '.join(course.languages) or 'none'})")
            continue
        if element.get("source-language", "").lower() != course.language.lower():
            diags.error(where, f'source-language "{element.get("source-language")}" is not the course\'s '
                        f"({course.language})")
            continue
        original = element.get("original")
        if original not in names or names[original][0].lower() != tag.lower():
            diags.error(where, f'"{original}" is not a catalogue of this course in {languages.name(tag)}')
            continue
        tag, name = names[original]
        read = localise.read_catalogues(course, tag, [name], diags)[name]
        if read is None:
            diags.error(where, f'"{original}" does not exist: run coursegen translate extract --lang {tag}')
            continue
        found = {u.key: u for u in grouped[name]}
        updated = _read_units(element, read, found, path, diags)
        results.append(Imported(read.path, read.po, updated))
    return [] if diags.has_errors() else results


def _parse(path: Path, diags: Diagnostics) -> etree._ElementTree | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)
    try:
        document = etree.parse(str(path), parser)
    except OSError as exc:
        diags.error(Location(path, 1, 1), f"cannot read the XLIFF file: {exc}")
        return None
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (1, 1)
        diags.error(Location(path, max(line, 1), max(column, 1)), f"XML syntax: {exc.msg}")
        return None
    checker = schema()
    if not checker.validate(document):
        for problem in checker.error_log:
            diags.error(Location(path, max(problem.line, 1), 1), f"not valid XLIFF 1.2: {problem.message}")
        return None
    return document


def _read_units(element, read: catalogue.Catalogue, found: dict[str, Unit], path: Path, diags: Diagnostics) -> int:
    entries = {e.msgctxt: e for e in read.live if e.msgctxt is not None}
    updated = 0
    plural: dict[str, dict[int, tuple[str, bool]]] = {}
    for trans_unit in element.iter(_q("trans-unit")):
        key = trans_unit.get("id")
        where = Location(path, trans_unit.sourceline or 1, 1)
        form = PLURAL_ID.match(key or "")
        if form and form.group("key") in entries and entries[form.group("key")].msgid_plural:
            key, index = form.group("key"), int(form.group("form"))
        else:
            index = None
        entry, unit = entries.get(key), found.get(key)
        if entry is None or unit is None or (index is None) != (not entry.msgid_plural):
            diags.error(where, f'unknown key "{trans_unit.get("id")}": the catalogue has no such entry')
            continue
        source = trans_unit.find(_q("source"))
        names = ui.categories(read.po.metadata.get("Language") or "", read.po.metadata.get("Plural-Forms"))
        if index is not None:
            expected = entry.msgid if index < len(names) and names[index] == "one" else entry.msgid_plural
        else:
            expected = entry.msgid
        if _text(source, where, diags) != expected:
            diags.error(Location(path, source.sourceline or where.line, 1), "the source text changed since this "
                        "file was exported: export again and carry the translation over", unit.source_location)
            continue
        target = trans_unit.find(_q("target"))
        text = _text(target, where, diags) if target is not None else ""
        if not text:
            continue
        target_at = Location(path, target.sourceline or where.line, 1)
        problems = review.problems_of(unit, text, form=index, last=index >= len(names) or names[index] == "other") \
            if index is not None else review.problems_of(unit, text)
        for message in problems:
            diags.error(target_at, message, unit.source_location)
        if problems:
            continue
        state = target.get("state")
        fuzzy = entry.fuzzy if state is None else state not in DONE
        if index is not None:
            plural.setdefault(key, {})[index] = (text, fuzzy)
            continue
        if text != entry.msgstr or fuzzy != entry.fuzzy:
            updated += 1
        entry.msgstr = text
        if fuzzy and not entry.fuzzy:
            entry.flags.insert(0, "fuzzy")
        elif not fuzzy and entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    for key, forms in plural.items():
        entry = entries[key]
        fuzzy = any(f for _, f in forms.values())
        texts = {**entry.msgstr_plural, **{i: text for i, (text, _) in forms.items()}}
        if texts != entry.msgstr_plural or fuzzy != entry.fuzzy:
            updated += 1
        entry.msgstr_plural = texts
        if fuzzy and not entry.fuzzy:
            entry.flags.insert(0, "fuzzy")
        elif not fuzzy and entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = None
    return updated


def _text(element, where: Location, diags: Diagnostics) -> str:
    """An element's content with <g> and <x/> as placeholders again."""
    parts = [element.text or ""]
    for child in element:
        name = etree.QName(child).localname
        if name == "g":
            parts.append(f"{{{child.get('id')}}}{_text(child, where, diags)}{{/{child.get('id')}}}")
        elif name == "x":
            parts.append(f"{{{child.get('id')}/}}")
        elif name == "mrk":  # a CAT tool's marker (a term, a comment): its words are the text
            parts.append(_text(child, where, diags))
        else:
            diags.error(Location(where.path, child.sourceline or where.line, 1),
                        f"<{name}> is inline markup coursegen does not write: keep the file's <g> and <x/> as they are")
        parts.append(child.tail or "")
    return "".join(parts)
