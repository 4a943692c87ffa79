"""Every problem of a language's catalogues, at the catalogue's line, with the source's beside it.

A translation may change words, never structure: placeholders lost, added or
crossed; attribute blocks (`{#id}`, `{points=…}`), links between nodes (`](#…)`),
new links or images and raw HTML are refused. Missing and fuzzy entries, entries
that translate an older source text, unknown keys, text over SCORM's limits
where it becomes an interaction description, and a catalogue without every
plural form its language's CLDR rules need are reported too. Nothing here reads
a file: the catalogues come in read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import polib

from ..diagnostics import Diagnostics, Location
from ..model import ForeignText
from ..source.parser import RAW_HTML, blank_code_spans
from . import languages, ui
from .catalogue import Catalogue
from .placeholders import AUTOLINK
from .units import LABEL, Unit

# Course structure a translation might smuggle in: attribute blocks and links between nodes.
STRUCTURE = (
    (re.compile(r"\{\s*#"), "{#…} (an id)"),
    (re.compile(r"\{\s*\.[A-Za-z]"), "{.…} (a class, like .ending)"),
    (re.compile(r"\{[^{}\n]*\b(?:points|set|unset|if|outcome|type)\s*="), "an attribute block like {points=…}"),
    (re.compile(r"\]\(\s*#"), "a link to a node, ](#…)"),
)
NEW_LINK = re.compile(r"\](?!\(\s*#)[(\[]")  # ](…) or ][…], but not ](#…), which is structure


@dataclass
class Reviewed:
    """What a language's catalogues give: the text for every key they translate well."""

    texts: dict[str, str] = field(default_factory=dict)  # key -> translation in the source's form (markup restored)
    untranslated: list[Unit] = field(default_factory=list)  # missing, fuzzy or out of date


def problems_of(unit: Unit, translated: str, pseudo: bool = False, form: int | None = None,
                last: bool = True) -> list[str]:
    """What is wrong with one translation of a unit (empty when it may be used); `form`: which
    plural form of a word of the player it is (`last`: CLDR's "other", which must show {n})."""
    if not translated.strip():
        return ["the translation is blank: write the text, or leave msgstr empty until it is translated"]
    found = unit.protected.problems(translated)
    if unit.kind == LABEL:
        found += ui.variable_problems(unit, translated, form, last)
    if unit.kind != "block" and "\n" in translated.strip() and "\n" not in unit.source:
        found.append("this text is one line (a title, a name, a choice): remove the line break")
    if found:
        return found
    restored = unit.protected.restore(translated)
    for pattern, what in STRUCTURE:
        if len(pattern.findall(restored)) > len(pattern.findall(unit.source)):
            found.append(f"the translation adds {what}: ids, points, flags and links between nodes come "
                         "from the source and cannot be translated")
    if unit.kind != "plain" and _links(restored) > _links(unit.source):
        found.append("the translation adds a link or an image: they come from the source; "
                     "keep its placeholders instead")
    html_source = _raw_html(unit.source)
    for tag in _raw_html(restored):
        if tag in html_source:
            html_source.remove(tag)
        else:
            found.append(f"raw HTML ({tag}) is not allowed in course text: the source's placeholders keep "
                         "its formatting")
    if unit.limit and not pseudo and len(restored) > unit.limit and len(restored) > len(unit.source):
        found.append(f"{len(restored)} characters: SCORM 2004 records this text as an interaction's description "
                     f"of at most {unit.limit}; shorten it")
    return found


def _links(text: str) -> int:
    """Links and images written in Markdown: [text](target), [text][ref], <https://…>."""
    return len(NEW_LINK.findall(text)) + len(AUTOLINK.findall(text))


def _raw_html(text: str) -> list[str]:
    blanked = blank_code_spans(text)  # linear: a regex with a backreference is cubic on a run of backticks
    return [f"<{m.group('tag')}>" if m.group("tag") else m.group() for m in RAW_HTML.finditer(blanked)]


def review(found: list[Unit], catalogues: dict[str, Catalogue | None], tag: str, source_language: str,
           diags: Diagnostics, allow_untranslated: bool = False, missing_at: Location | None = None) -> Reviewed:
    """Check a language's catalogues against the course's units; report every problem.

    `catalogues` maps each catalogue name to its file as read (None when there is
    none). With `allow_untranslated`, missing and fuzzy text falls back to the
    source (marked with its language) and is counted in one warning per catalogue.
    """
    result = Reviewed()
    by_catalogue: dict[str, list[Unit]] = {}
    for unit in found:
        by_catalogue.setdefault(unit.catalogue, []).append(unit)
    for name, units in by_catalogue.items():
        read = catalogues.get(name)
        if read is None:
            report = diags.warning if allow_untranslated else diags.error
            report(missing_at, f'no catalogue for "{name}" in {languages.name(tag)} yet: run '
                   f"coursegen translate extract --lang {tag}")
            result.untranslated += units
            continue
        if not read.readable:
            result.untranslated += units
            continue
        _header(read, tag, diags)
        waived = _entries(read, units, tag, diags, result, allow_untranslated)
        if waived:
            diags.warning(Location(read.path, 1, 1), f"{waived} text{'s are' if waived != 1 else ' is'} not "
                          f"translated yet and show{'s' if waived == 1 else ''} in the source language "
                          f"({source_language}), marked as such")
    for unit in result.untranslated:
        result.texts[unit.key] = ForeignText(unit.source, source_language)
    return result


def _entries(read: Catalogue, units: list[Unit], tag: str, diags: Diagnostics, result: Reviewed,
             allow_untranslated: bool) -> int:
    by_key = {u.key: u for u in units}
    entries: dict[str, polib.POEntry] = {}
    for entry in read.live:
        if entry.msgctxt is None:
            diags.error(read.at(entry, "msgid"), "an entry without a key (msgctxt): coursegen finds translations "
                        "by key; run coursegen translate extract")
        elif entry.msgctxt in entries:
            diags.error(read.at(entry, "msgctxt"), f'key "{entry.msgctxt}" appears twice in the catalogue '
                        f"(first at line {read.line_of(entries[entry.msgctxt], 'msgctxt')})")
        elif entry.msgctxt not in by_key:
            diags.error(read.at(entry, "msgctxt"), f'unknown key "{entry.msgctxt}": the course has no such text; '
                        "run coursegen translate extract to mark it obsolete")
            entries[entry.msgctxt] = entry
        else:
            entries[entry.msgctxt] = entry
        if entry.msgid_plural:
            _plurals(read, entry, tag, diags)
    waived = 0
    for unit in units:
        entry = entries.get(unit.key)
        problem = _state(entry, unit)
        if problem:
            if allow_untranslated:
                waived += 1
            else:
                where = read.at(entry) if entry is not None else Location(read.path, 1, 1)
                diags.error(where, problem, unit.source_location)
            result.untranslated.append(unit)
            continue
        if unit.plural is not None:
            _plural_word(read, entry, unit, tag, diags, result)
            continue
        errors = problems_of(unit, entry.msgstr, pseudo=languages.is_pseudo(tag))
        for message in errors:
            diags.error(read.at(entry), message, unit.source_location)
        if not errors:
            result.texts[unit.key] = unit.protected.restore(entry.msgstr)
    return waived


def _plural_word(read: Catalogue, entry: polib.POEntry, unit: Unit, tag: str, diags: Diagnostics,
                 result: Reviewed) -> None:
    """A word of the player with plural forms: each form checked; the word goes to the course
    JSON as {CLDR category: text} (a missing form is reported by `_plurals`)."""
    forms = ui.forms(entry)
    names = ui.categories(tag, read.po.metadata.get("Plural-Forms"))
    errors = []
    for index, text in enumerate(forms):
        if text:
            other = index >= len(names) or names[index] == "other"
            errors += [(index, m) for m in problems_of(unit, text, form=index, last=other)]
    for index, message in errors:
        diags.error(read.at(entry, f"msgstr[{index}]"), message, unit.source_location)
    if not errors and all(forms[:languages.plural_count(tag)]):
        result.texts[unit.key] = ui.value(unit, entry, tag, read.po.metadata.get("Plural-Forms"))


def _state(entry: polib.POEntry | None, unit: Unit) -> str | None:
    """Why an entry cannot be used as it stands, or None."""
    if entry is None:
        return f'no entry for "{unit.key}": run coursegen translate extract'
    if not (any(ui.forms(entry)) if unit.plural is not None else entry.msgstr):
        return "not translated yet"
    if "fuzzy" in entry.flags:
        return ("marked fuzzy: the source changed since this was translated; check the translation against "
                "the source, then remove the fuzzy flag")
    if entry.msgid != unit.msgid or (entry.msgid_plural or None) != unit.plural:
        return ("this translates an older source text: run coursegen translate extract to mark it fuzzy, "
                "then review it")
    return None


def _header(read: Catalogue, tag: str, diags: Diagnostics) -> None:
    """The Language and Plural-Forms headers against the folder's language and its CLDR rules."""
    metadata = read.po.metadata
    language = metadata.get("Language")
    if language and language.replace("_", "-").lower() != tag.lower():
        diags.error(Location(read.path, read.header_line("Language"), 1),
                    f'the catalogue says Language: {language}, but it is in the folder of "{tag}"')
    needed = languages.plural_count(tag)
    forms = metadata.get("Plural-Forms", "")
    match = re.search(r"nplurals\s*=\s*(\d+)", forms)
    given = int(match.group(1)) if match else None
    if given is None or given < needed:
        what = f"gives {given}" if given is not None else "is missing; it needs"
        diags.error(Location(read.path, read.header_line("Plural-Forms"), 1),
                    f"Plural-Forms {what} plural form{'s' if given != 1 else ''}, but {languages.name(tag)} needs "
                    f'{needed} (CLDR): write "{languages.plural_forms(tag)}"')


def _plurals(read: Catalogue, entry: polib.POEntry, tag: str, diags: Diagnostics) -> None:
    needed = languages.plural_count(tag)
    if "fuzzy" in entry.flags or not any(entry.msgstr_plural.values()):
        return
    for index in range(needed):
        if not entry.msgstr_plural.get(index):
            diags.error(read.at(entry, f"msgstr[{index}]" if index in entry.msgstr_plural else "msgstr"),
                        f"plural form {index} is missing: {languages.name(tag)} needs {needed} forms")
