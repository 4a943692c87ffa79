"""The player's own words in the course's language: one English table (runtime/manifest.json
`labels`), translated through `locales/<lang>/ui.po` like the course's text, with CLDR plural
forms given to the runtime as {category: text}, checked like every other translation.

The browser's half (the words on every view, numbers in the language's digits, right to left)
is tests/test_localised_views.py.
"""
from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import polib
import pytest

from repo import REPO

from generator import build, cli
from generator.diagnostics import CourseError, Diagnostics
from generator.package import render
from generator.translate import catalogue, languages, localise, review, ui

FIXTURE = REPO / "tests" / "fixtures" / "courses" / "translated"
FLAGSHIP = REPO / "course"
MANIFEST = REPO / "generator" / "package" / "runtime" / "manifest.json"
CLDR_ORDER = ("zero", "one", "two", "few", "many", "other")


@pytest.fixture
def course_copy(tmp_path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    return folder


def page_of(course_file: Path, tag: str) -> tuple[str, dict]:
    checked = build.check_in(course_file, tag)
    page = render.render(checked.course, checked.analyses).files["index.html"].decode("utf-8")
    data = re.search(r'<script id="course-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    return page, json.loads(data.replace("<\\/", "</"))


def test_every_word_the_player_declares_is_a_unit_of_the_ui_catalogue():
    table = json.loads(MANIFEST.read_text("utf-8"))["labels"]
    found = {u.key: u for u in ui.units()}
    # true/false are the language's own words (rules.TRUE_FALSE), never a translator's.
    assert set(found) == {f"ui#{k}" for k in table} - {"ui#true", "ui#false"}
    for key, word in table.items():
        if isinstance(word, dict):
            unit = found[f"ui#{key}"]
            assert (unit.msgid, unit.plural) == (word["one"], word["other"])
            assert "{n}" in word["other"], key  # {n} picks the form, so the "other" form shows it


@pytest.mark.parametrize("tag", ["de", "ar", "es", "fr", "ja", "flagship de", "flagship ar"])
def test_the_shipped_words_and_the_flagships_are_complete_and_clean(tag):
    if tag.startswith("flagship"):
        tag = tag.split()[1]
        reads = [catalogue.read(FLAGSHIP / "locales" / tag / "ui.po", build.check(FLAGSHIP).course, Diagnostics(), None)]
    else:
        reads = [ui.built_in(tag)]
    for read in reads:
        assert read is not None and read.path.name in ("ui.po", f"{tag}.po")
        diags = Diagnostics()
        found = review.review(ui.units(), {"ui": read}, tag, "en", diags)
        assert [str(d) for d in diags.items] == []
        assert not found.untranslated and len(found.texts) == len(ui.units())


def test_the_german_and_arabic_pages_carry_the_words_in_their_language_and_direction():
    english, english_data = page_of(FLAGSHIP / "course.yaml", None)
    german, german_data = page_of(FLAGSHIP / "course.yaml", "de")
    arabic, arabic_data = page_of(FLAGSHIP / "course.yaml", "ar")
    assert '<html lang="en" dir="ltr"' in english and english_data["dir"] == "ltr"
    assert '<html lang="de" dir="ltr"' in german and '<html lang="ar" dir="rtl"' in arabic
    assert arabic_data["dir"] == "rtl"
    assert (english_data["labels"]["next"], german_data["labels"]["next"], arabic_data["labels"]["next"]) == \
        ("Continue", "Weiter", "متابعة")
    # Plural words as {CLDR category: text}: English and German one/other, Arabic all six.
    assert list(german_data["labels"]["pointsPlus"]) == ["one", "other"]
    assert german_data["labels"]["pointsPlus"] == {"one": "+{n} Punkt", "other": "+{n} Punkte"}
    assert list(arabic_data["labels"]["pointsPlus"]) == list(CLDR_ORDER)
    assert arabic_data["labels"]["minutes"]["two"] == "دقيقتان"
    # The page before JavaScript runs, and its startup error, are in the language too.
    assert "Dieser Kurs braucht JavaScript." in german and 'data-error="تعذّر بدء هذه الدورة."' in arabic
    # No English word is left in a translated page's words (the true/false words are German too).
    english_words = {k: v for k, v in english_data["labels"].items() if k != "badgeCount"}
    same = [k for k, v in german_data["labels"].items() if k in english_words and v == english_words[k]]
    assert same == ["version"], same  # "Version {v}" is German as well


def test_which_category_each_plural_form_is_follows_the_catalogues_own_expression():
    # gettext's and CLDR's order where they agree ...
    assert ui.categories("ar", languages.plural_forms("ar")) == list(CLDR_ORDER)
    assert ui.categories("de", "nplurals=2; plural=(n != 1);") == ["one", "other"]
    assert ui.categories("fr", languages.plural_forms("fr")) == ["one", "many", "other"]
    assert ui.categories("ja", languages.plural_forms("ja")) == ["other"]
    # ... and a translator's own order, which the forms then follow.
    mine = "nplurals=6; plural=(n==1 ? 0 : n==2 ? 1 : n==0 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);"
    assert ui.categories("ar", mine) == ["one", "two", "zero", "few", "many", "other"]
    # An expression that does not follow CLDR (Arabic squeezed into two forms) keeps CLDR's order.
    assert ui.categories("ar", "nplurals=2; plural=(n != 1);") == list(CLDR_ORDER)


def test_a_catalogue_in_a_translators_order_still_gives_each_category_its_own_form(course_copy):
    path = course_copy / "locales" / "de" / "ui.po"
    po = polib.pofile(str(path))
    po.metadata["Plural-Forms"] = "nplurals=2; plural=(n == 1 ? 1 : 0);"  # other first, then one
    for entry in po:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgstr_plural[1], 1: entry.msgstr_plural[0]}
    catalogue.write(path, po)
    _, data = page_of(course_copy / "course.yaml", "de")
    assert data["labels"]["pointsPlus"] == {"other": "+{n} Punkte", "one": "+{n} Punkt"}


def test_a_word_that_loses_or_invents_a_value_is_refused_at_its_line(course_copy, capsys):
    path = course_copy / "locales" / "de" / "ui.po"
    po = polib.pofile(str(path))
    entries = {e.msgctxt: e for e in po}
    entries["ui#pageOf"].msgstr = "Seite {n}"
    entries["ui#pointsPlus"].msgstr_plural[1] = "+{x} Punkte"
    entries["ui#aboutMinutes"].msgstr_plural[0] = "Etwa eine Minute"  # a form for one number: {n} may go
    catalogue.write(path, po)
    lines = path.read_text("utf-8").split("\n")
    page_line = next(i for i, line in enumerate(lines, 1) if line == 'msgstr "Seite {n}"')
    plural_line = next(i for i, line in enumerate(lines, 1) if line == 'msgstr[1] "+{x} Punkte"')
    assert cli.main(["check", str(course_copy), "--lang", "de"]) == cli.EXIT_COURSE
    errors = [line.split(": error: ") for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert [(where.rsplit("/", 3)[-3:], message) for where, message in errors] == [
        (["locales", "de", f"ui.po:{page_line}:1"], '{total} is missing: the player puts a value there; keep it'
         ' (English: "Page {n} of {total}")'),
        (["locales", "de", f"ui.po:{plural_line}:1"], "plural form 1: {x} is not one of this word's values ({n})"
         ' (English: "+{n} points")'),
        (["locales", "de", f"ui.po:{plural_line}:1"], "plural form 1: {n} is missing: the player puts a value "
         'there; keep it (English: "+{n} points")'),
    ], errors


def test_a_changed_english_word_makes_exactly_that_entry_fuzzy_and_the_build_refuses_it(course_copy, monkeypatch,
                                                                                       tmp_path):
    table = dict(ui.table())
    table["next"] = "Go on"
    table["pointsPlus"] = {"one": "+{n} pt", "other": "+{n} pts"}
    monkeypatch.setattr(ui, "table", lambda: table)
    assert cli.main(["translate", "extract", str(course_copy)]) == cli.EXIT_OK
    po = polib.pofile(str(course_copy / "locales" / "de" / "ui.po"))
    assert sorted(e.msgctxt for e in po if e.fuzzy) == ["ui#next", "ui#pointsPlus"]
    plural = next(e for e in po if e.msgctxt == "ui#pointsPlus")
    assert (plural.previous_msgid, plural.previous_msgid_plural) == ("+{n} point", "+{n} points")
    assert plural.msgstr_plural == {0: "+{n} Punkt", 1: "+{n} Punkte"}  # kept, for the translator to review
    with pytest.raises(CourseError) as refused:
        build.build(course_copy, ("scorm2004",), tmp_path / "out", ["de"])
    messages = [d.message for d in refused.value.diagnostics.items if d.severity == "error"]
    assert len(messages) == 2 and all(m.startswith("marked fuzzy") for m in messages)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_course_without_its_own_words_uses_the_shipped_ones(course_copy):
    (course_copy / "locales" / "de" / "ui.po").unlink()
    _, data = page_of(course_copy / "course.yaml", "de")
    assert data["labels"]["next"] == "Weiter"
    # A regional tag falls back to its language's words; a language coursegen has no words for has none.
    assert ui.built_in("de-AT").path.name == "de.po"
    assert ui.built_in("fi") is None
    assert set(ui.shipped()) == {"ar", "de", "es", "fr", "ja"}


def test_a_language_without_words_is_refused_unless_untranslated_text_is_allowed(course_copy):
    yaml = course_copy / "course.yaml"
    yaml.write_text(yaml.read_text().replace("languages: [de]", "languages: [de, fi]"))
    shutil.copytree(course_copy / "locales" / "de", course_copy / "locales" / "fi")
    for path in (course_copy / "locales" / "fi").glob("*.po"):
        path.write_text(path.read_text("utf-8").replace("Language: de", "Language: fi"), "utf-8")
    (course_copy / "locales" / "fi" / "ui.po").unlink()
    with pytest.raises(CourseError) as refused:
        build.check(course_copy, ["fi"])
    assert [d.message for d in refused.value.diagnostics.items if d.severity == "error"] == [
        'no catalogue for "ui" in Finnish yet: run coursegen translate extract --lang fi']
    checked = build.check(course_copy, ["fi"], allow_untranslated=True)
    finnish = build.in_language(checked, "fi", allow_untranslated=True)
    assert finnish.course.labels == {}  # the player's English, which render gives every word


def test_a_module_named_like_the_ui_catalogue_is_refused():
    course = build.check(FIXTURE).course
    renamed = dataclasses.replace(course, modules=(dataclasses.replace(course.modules[0], id="ui"), *course.modules[1:]))
    diags = Diagnostics()
    localise._catalogue_names(renamed, diags)
    assert [d.message for d in diags.items] == [
        'module id "ui" names the same catalogue (ui.po) as the course player\'s own words: rename the module']
