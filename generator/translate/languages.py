"""Language tags: which a course may be translated into, and what CLDR says about each.

Babel carries CLDR's data: whether a language is known, its plural rules (how
many plural forms a catalogue must give), its name and its writing direction.
The pseudo-locales `qps-ploc` and `qps-plocm` are no languages of CLDR: they are
made on the fly from the source (see `pseudo`).
"""
from __future__ import annotations

import re

import babel
from babel.messages.plurals import get_plural
from babel.plural import to_gettext

from .. import rules
from ..diagnostics import Diagnostics
from ..model import Course

TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
PSEUDO = ("qps-ploc", "qps-plocm")
ALL = "all"


def is_pseudo(tag: str) -> bool:
    return tag.lower() in PSEUDO


def locale(tag: str) -> babel.Locale | None:
    """CLDR's data for a tag, or None when CLDR does not know the language."""
    try:
        return babel.Locale.parse(tag, sep="-")
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return None


def plural_count(tag: str) -> int:
    """How many plural forms the language's CLDR rules need (1 for languages without plurals)."""
    found = locale(tag)
    return len(found.plural_form.tags) + 1 if found else 2  # +1: "other", which CLDR never lists


def plural_forms(tag: str) -> str:
    """The PO header `Plural-Forms` for a language: gettext's own expression where its
    count agrees with CLDR, else one written from the CLDR rule."""
    needed = plural_count(tag)
    try:
        known = get_plural(tag.replace("-", "_"))
        if known.num_plurals == needed:
            return str(known)
    except (ValueError, babel.UnknownLocaleError):
        pass
    found = locale(tag)
    return to_gettext(found.plural_form) if found else "nplurals=2; plural=(n != 1);"


def name(tag: str) -> str:
    """The language's name in English, for messages ("German"), or the tag itself."""
    found = locale(tag)
    return found.get_display_name("en") if found else tag


right_to_left = rules.right_to_left


def validate(course: Course, diags: Diagnostics) -> None:
    """`languages:` in course.yaml: well-formed, known to CLDR, distinct, none the source's own."""
    seen: set[str] = set()
    for index, tag in enumerate(course.languages):
        where = course.where(f"languages.{index}")
        if not TAG.match(tag):
            diags.error(where, f'"{tag}" is not a language tag like de, fr-CA or pt-BR')
        elif is_pseudo(tag):
            diags.error(where, f'"{tag}" is a pseudo-locale, made on the fly: build it with --lang {tag} '
                        "without listing it")
        elif locale(tag) is None:
            diags.error(where, f'"{tag}" is not a language CLDR knows, so its plural rules and formats are unknown')
        elif tag.lower() == course.language.lower():
            diags.error(where, f'"{tag}" is the course\'s own language (language: {course.language}); '
                        "list only the languages it is translated into")
        elif tag.lower() in seen:
            diags.error(where, f'"{tag}" is listed twice')
        seen.add(tag.lower())


def chosen(course: Course, wanted: list[str] | None, diags: Diagnostics) -> list[str]:
    """The languages a command asked for with --lang (repeatable; `all` = every listed one),
    each either a listed translation, the source language or a pseudo-locale."""
    found: list[str] = []
    for tag in wanted or []:
        if tag == ALL:
            if not course.languages:
                diags.error(course.location, "--lang all: the course lists no languages; add languages: "
                            "[de, …] to course.yaml")
            found += list(course.languages)
            continue
        listed = {t.lower(): t for t in course.languages}
        if is_pseudo(tag):
            found.append(tag.lower())
        elif tag.lower() == course.language.lower():
            found.append(course.language)
        elif tag.lower() in listed:
            found.append(listed[tag.lower()])
        else:
            where = course.where("languages") if course.languages else course.location
            known = ", ".join(course.languages) or "none yet"
            diags.error(where, f'--lang {tag}: the course is not translated into "{tag}" (languages: {known}); '
                        f"add it to languages: in course.yaml")
    return list(dict.fromkeys(found))
