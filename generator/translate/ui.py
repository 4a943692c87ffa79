"""The runtime's own words: one English table, translated through catalogues like the course's text.

The table is `labels` in package/runtime/manifest.json: the player declares the words
it shows and the compiler owns their English. A word is a text with `{name}` values
the player fills in (numbers in the learner's language), or, where a number decides
the grammar, plural forms by CLDR category: `{"one": "+{n} point", "other": "+{n} points"}`;
`{n}` picks the form (`Intl.PluralRules` in the browser).

Translations live in `locales/<lang>/ui.po`, keyed `ui#<word>` and shared by every
course file of the folder. A plural word is a gettext plural entry (`msgid` the
English "one" form, `msgid_plural` its "other"), whose `msgstr[i]` follow the
catalogue's `Plural-Forms`. The course JSON gets each plural word as
{CLDR category: text}: which category index i stands for is found by evaluating the
catalogue's own Plural-Forms expression and Babel's CLDR rule on the same numbers,
so it is data, never code per language. coursegen ships the words in several
languages (`words/<lang>.po` beside this file): a course without its own ui.po uses
those, and `translate extract` starts a course's ui.po from them.
"""
from __future__ import annotations

import functools
import gettext
import json
import re
from pathlib import Path

import polib

from ..diagnostics import Location
from . import languages, pseudo
from .catalogue import WRAP, Catalogue
from .placeholders import plain
from .units import LABEL, Unit

UI = "ui"  # the catalogue's name: locales/<lang>/ui.po
MANIFEST = Path(__file__).resolve().parents[1] / "package" / "runtime" / "manifest.json"
BUILT_IN = Path(__file__).resolve().parent / "words"
VARIABLE = re.compile(r"\{([A-Za-z]\w*)\}")
COUNT = "n"  # the value that picks a plural form
# Words the compiler sets itself: a true/false question's options are the language's own (rules.TRUE_FALSE).
OWN = ("true", "false")
# CLDR's categories in the order gettext numbers them when it follows CLDR (babel.plural.to_gettext).
CATEGORIES = ("zero", "one", "two", "few", "many", "other")


@functools.lru_cache(maxsize=1)
def table() -> dict[str, object]:
    """The English words by key, as manifest.json lists them."""
    return json.loads(MANIFEST.read_text("utf-8"))["labels"]


def _line(key: str) -> int:
    for number, line in enumerate(MANIFEST.read_text("utf-8").split("\n"), 1):
        if line.strip().startswith(f'"{key}":'):
            return number
    return 1


def units() -> list[Unit]:
    """Every word as a unit of the `ui` catalogue, in the table's order."""
    found = []
    for key, value in table().items():
        if key in OWN:
            continue
        plural = value.get("other") if isinstance(value, dict) else None
        text = value.get("one", plural) if isinstance(value, dict) else value
        names = sorted(set(VARIABLE.findall(text + (plural or ""))))
        notes = [f'A word of the course player ("{key}").']
        if names:
            notes.append("Keep " + ", ".join(f"{{{n}}}" for n in names) + ": the player puts "
                         f"{'numbers' if len(names) > 1 else 'a number'} or names there, formatted for the language.")
        if plural is not None:
            notes.append(f"{{{COUNT}}} picks the plural form; a form for a single number may leave {{{COUNT}}} out.")
        found.append(Unit(f"{UI}#{key}", UI, text, plain(text), LABEL, Location(MANIFEST, _line(key), 1),
                          tuple(notes), None, plural))
    return found


def variable_problems(unit: Unit, translated: str, form: int | None = None, last: bool = True) -> list[str]:
    """Values a translation of a word lost or invented; {n} may be left out of a plural form
    other than CLDR's "other" (`last`), as in Arabic's "نقطة واحدة"."""
    wanted = set(VARIABLE.findall(unit.source + (unit.plural or "")))
    have = set(VARIABLE.findall(translated))
    where = f"plural form {form}: " if form is not None else ""
    english = f' (English: "{unit.plural if form is not None and last else unit.source}")'
    found = [f"{where}{{{name}}} is not one of this word's values ({', '.join(f'{{{w}}}' for w in sorted(wanted)) or 'none'})"
             f"{english}" for name in sorted(have - wanted)]
    for name in sorted(wanted - have):
        if not (form is not None and not last and name == COUNT):
            found.append(f"{where}{{{name}}} is missing: the player puts a value there; keep it{english}")
    return found


def categories(tag: str, plural_forms: str | None) -> list[str]:
    """The CLDR category of each plural form index of a catalogue whose header says `plural_forms`."""
    found = languages.locale(tag)
    if found is None:
        return ["one", "other"]
    rule = found.plural_form
    cldr = [c for c in CATEGORIES if c in rule.tags] + ["other"]
    match = re.search(r"nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?);?\s*$", plural_forms or "")
    if not match:
        return cldr
    try:
        index_of = gettext.c2py(match.group(2))
    except (ValueError, SyntaxError, RecursionError):
        return cldr
    count = int(match.group(1))
    order: list[str | None] = [None] * count
    for n in range(0, 1001):
        index = index_of(n)
        if 0 <= index < count and order[index] is None:
            order[index] = rule(n)
    if None in order or len(set(order)) != count or set(order) != set(cldr):
        return cldr  # an expression that does not follow CLDR's categories: CLDR's own order
    return order  # type: ignore[return-value]


def value(unit: Unit, entry: polib.POEntry, tag: str, plural_forms: str | None) -> object:
    """What the course JSON gets for a translated word: its text, or {category: text}."""
    if unit.plural is None:
        return entry.msgstr
    names = categories(tag, plural_forms)
    return {category: entry.msgstr_plural[i] for i, category in enumerate(names) if entry.msgstr_plural.get(i)}


def forms(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]


def pseudo_labels(tag: str) -> dict[str, object]:
    """Every word in a pseudo-locale: accented and longer, its {values} kept."""
    def made(text: str) -> str:
        parts = VARIABLE.split(text)  # words, name, words, name, …
        out = "".join(part.translate(pseudo.ACCENTED) if i % 2 == 0 else f"{{{part}}}" for i, part in enumerate(parts))
        out = f"[{pseudo.padded(out, len(text))}]"
        return f"{pseudo.RLO}{out}{pseudo.PDF}" if tag.lower() == "qps-plocm" else out

    return {key: ({c: made(t) for c, t in v.items()} if isinstance(v, dict) else made(v))
            for key, v in table().items() if key not in OWN}


def built_in(tag: str) -> Catalogue | None:
    """coursegen's own catalogue of the words in a language (by tag, then by language alone):
    what a course without locales/<lang>/ui.po uses, and where `extract` starts one."""
    for name in dict.fromkeys((tag, tag.split("-")[0].lower())):
        path = BUILT_IN / f"{name}.po"
        if path.is_file():
            text = path.read_text("utf-8")
            return Catalogue(path, polib.pofile(text, wrapwidth=WRAP), text.split("\n"))
    return None


def fresh(po: polib.POFile) -> polib.POFile:
    """A copy of a shipped catalogue to start a course's own: its entries, not its header."""
    copy = polib.POFile(wrapwidth=WRAP)
    copy.extend(po)
    copy.metadata = {"Plural-Forms": po.metadata["Plural-Forms"]} if "Plural-Forms" in po.metadata else {}
    return copy


def shipped() -> list[str]:
    return sorted(p.stem for p in BUILT_IN.glob("*.po"))
