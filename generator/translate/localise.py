"""A checked course in another language: its structure untouched, its text from the catalogues.

The translated course is the source's model with every translatable text
replaced (`units.apply`), `language` set to the target, true/false options in
the target's words, and images replaced where the course has a localised one:

    locales/<lang>/images/<the image's path relative to course.yaml's folder>

(badge icons too). A localised image must lie inside `locales/<lang>/` once
symbolic links are resolved, and passes the same checks as the source's images.
Images outside course.yaml's folder (`../shared/x.svg`) cannot be localised.
"""
from __future__ import annotations

import os
from dataclasses import fields, is_dataclass, replace
from pathlib import Path

from ..rules import true_false_words
from ..diagnostics import Diagnostics, Location
from ..model import Course, ForeignText, Markdown, Question
from ..source import loader
from . import catalogue, languages, pseudo, review, ui, units
from .catalogue import Catalogue

IMAGES = "images"


def read_catalogues(course: Course, tag: str, names, diags: Diagnostics) -> dict[str, Catalogue | None]:
    where = listed_at(course, tag)
    read = {name: catalogue.read(catalogue.path_of(course, tag, name), course, diags, where) for name in names}
    if ui.UI in read and read[ui.UI] is None:
        read[ui.UI] = ui.built_in(tag)  # the player's words as coursegen ships them
    return read


def listed_at(course: Course, tag: str) -> Location:
    """Where course.yaml lists the language (its own `language:` for the source and pseudo-locales)."""
    for index, listed in enumerate(course.languages):
        if listed.lower() == tag.lower():
            return course.where(f"languages.{index}")
    return course.where("language")


def translated(course: Course, tag: str, diags: Diagnostics, allow_untranslated: bool = False) -> Course:
    """The course in language `tag`; every problem of its catalogues lands in `diags`."""
    found = units.units(course)
    if languages.is_pseudo(tag):
        texts = {u.key: u.protected.restore(pseudo.translate(u, tag)) for u in found}
        labels = ui.pseudo_labels(tag)
    else:
        _catalogue_names(course, diags)
        found += ui.units()
        read = read_catalogues(course, tag, dict.fromkeys(u.catalogue for u in found), diags)
        texts = review.review(found, read, tag, course.language, diags, allow_untranslated,
                              listed_at(course, tag)).texts
        # A word left untranslated stays the player's English (a warning with --allow-untranslated).
        labels = {key.partition("#")[2]: text for key, text in texts.items()
                  if key.startswith(f"{ui.UI}#") and not isinstance(text, ForeignText)}
        texts = {key: text for key, text in texts.items() if not key.startswith(f"{ui.UI}#")}
    result = replace(units.apply(course, texts), language=tag, labels=labels)
    result = _true_false(result, course.language, tag, diags)
    if not languages.is_pseudo(tag):
        result = _localised_images(result, course, tag, diags)
    loader.check_images(result, diags)
    return result


def _catalogue_names(course: Course, diags: Diagnostics) -> None:
    course_file = catalogue.file_name(course, units.COURSE)
    for module in course.modules:
        if f"{module.id}.po" == course_file:
            diags.error(module.location, f'module id "{module.id}" names the same catalogue ({course_file}) as '
                        f"{course.source.name}'s own text: rename the module or the course file")
        elif module.id == ui.UI:
            diags.error(module.location, f'module id "{ui.UI}" names the same catalogue ({ui.UI}.po) as the course '
                        "player's own words: rename the module")
    if course_file == f"{ui.UI}.po":
        diags.error(course.location, f"a course file named {course.source.name} keeps its text in {ui.UI}.po, the "
                    "catalogue of the course player's own words: rename the course file")


def _true_false(course: Course, source_language: str, tag: str, diags: Diagnostics) -> Course:
    """True/false options in the target language's words (the source's order kept)."""
    source_words, words = true_false_words(source_language), true_false_words(tag)
    found = languages.locale(tag)
    if words == true_false_words("en") and found and found.language != "en":
        if any(isinstance(q, Question) and q.type == "truefalse" for q in _all(course)):
            diags.warning(listed_at(course, tag), f"coursegen knows no true/false words in "
                          f'{languages.name(tag)} yet: true/false questions show "True" and "False"')

    def swap(obj):
        if not isinstance(obj, Question) or obj.type != "truefalse":
            return obj
        options = tuple(replace(o, text=words[0] if o.text == source_words[0] else
                                words[1] if o.text == source_words[1] else o.text) for o in obj.options)
        return replace(obj, options=options)

    return _map(course, Question, swap)


def _localised_images(course: Course, source: Course, tag: str, diags: Diagnostics) -> Course:
    """Images and badge icons replaced by locales/<lang>/images/<same path>, where one exists."""
    root = catalogue.course_folder(source)
    images = catalogue.folder(source, tag) / IMAGES
    if not images.is_dir():
        return course
    used: set[Path] = set()

    def localised(original: Path, where: Location) -> Path:
        relative = os.path.relpath(os.path.normpath(original.absolute()), root)
        if relative.startswith(".."):
            return original
        candidate = images / relative
        if not candidate.exists():
            return original
        if not catalogue.inside(candidate, images):
            diags.error(where, f'the localised image "{catalogue.display(source, candidate)}" lies outside '
                        f"{catalogue.display(source, images)} (a symbolic link?): a course reads only its own files")
            return original
        used.add(candidate.absolute())
        return candidate

    def swap_markdown(span: Markdown) -> Markdown:
        changed = tuple(replace(i, source=localised(i.source, i.location)) for i in span.images)
        return replace(span, images=changed) if any(a.source != b.source for a, b in zip(changed, span.images)) else span

    course = _map(course, Markdown, swap_markdown)
    badges = tuple(replace(b, icon=localised(b.icon, b.location)) if b.icon else b for b in course.badges)
    course = replace(course, badges=badges)
    for path in sorted(images.rglob("*")):
        # An image another course file of this folder shows (they share locales/) is no stray:
        # only a path that stands for no image of the folder is a misspelling.
        if path.is_file() and path.absolute() not in used and not (root / path.relative_to(images)).is_file():
            diags.warning(Location(path, 1, 1), f'"{catalogue.display(source, path)}" replaces no image of the '
                          f"course: its path must be the image's own, relative to {source.source.name}")
    return course


def _all(obj):
    """Every model object under `obj`, depth first."""
    yield obj
    if is_dataclass(obj):
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, tuple):
                for item in value:
                    yield from _all(item)
            elif is_dataclass(value):
                yield from _all(value)


def _map(obj, kind: type, change):
    """`obj` with every object of type `kind` beneath it passed through `change`."""
    if isinstance(obj, kind):
        return change(obj)
    if isinstance(obj, tuple):
        items = tuple(_map(item, kind, change) for item in obj)
        return items if any(a is not b for a, b in zip(items, obj)) else obj
    if not is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes = {}
    for f in fields(obj):
        if not f.init:
            continue
        value = getattr(obj, f.name)
        if isinstance(value, (tuple,)) or is_dataclass(value):
            new = _map(value, kind, change)
            if new is not value:
                changes[f.name] = new
    return replace(obj, **changes) if changes else obj
