"""Translations through the catalogues: stable keys, placeholders, fuzzy entries, translated
builds that keep every score, pseudo-locales and localised images.

The fixture is tests/fixtures/courses/translated/ (The Clean Desk, with a German translation
in locales/de/ and a localised image); tests that change it work on a copy.
"""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import polib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from repo import REPO

from generator import build, cli, rules
from generator.check import validate
from generator.diagnostics import CourseError, Diagnostics
from generator.translate import catalogue, placeholders, pseudo, units
from generator.translate.localise import translated

FIXTURE = REPO / "tests" / "fixtures" / "courses" / "translated"
FLAGSHIP = REPO / "course"


@pytest.fixture
def course_copy(tmp_path) -> Path:
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    return folder


def po_of(folder: Path, name: str, tag: str = "de") -> polib.POFile:
    return polib.pofile(str(folder / "locales" / tag / f"{name}.po"))


def course_json(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        page = archive.read("index.html").decode("utf-8")
    found = re.search(r'<script id="course-data" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(found.group(1).replace("<\\/", "</"))


def run(*argv: str) -> int:
    return cli.main([*argv])


# --- placeholders ------------------------------------------------------------------------------

def test_every_text_of_the_flagship_and_the_refresher_comes_back_from_its_placeholders():
    for course_file in ("course.yaml", "refresher.yaml"):
        found = units.units(build.check(FLAGSHIP / course_file).course)
        assert len(found) > 100
        for unit in found:
            assert unit.protected.restore(unit.msgid) == unit.source, unit.key
            assert unit.protected.problems(unit.msgid) == [], unit.key


MARKDOWNISH = st.text(alphabet="ab *_`[]()!{}/1&;<>#:\n\\-.x", max_size=60)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(MARKDOWNISH, st.booleans())
def test_any_text_comes_back_from_its_placeholders(text, block):
    protected = placeholders.protect(text, block=block)
    assert protected.restore(protected.text) == text
    assert protected.problems(protected.text) == []
    assert placeholders.plain(text).restore(placeholders.plain(text).text) == text


def test_markup_becomes_numbered_placeholders_and_targets_never_reach_the_translator():
    text = "See the [policy](https://intranet/p) and **this**, run `lint` &amp; ![A *desk*](d.svg) {1}"
    protected = placeholders.protect(text)
    assert protected.text == "See the {1}policy{/1} and {2}this{/2}, run {3/} {4/} {5}A {6}desk{/6}{/5} {7/}"
    assert "intranet" not in protected.text and "d.svg" not in protected.text
    assert protected.restore("Lies {2}das{/2} und die {1}Richtlinie{/1}, {3/} {4/} {5}Ein {6}Tisch{/6}{/5} {7/}") \
        == "Lies **das** und die [Richtlinie](https://intranet/p), `lint` &amp; ![Ein *Tisch*](d.svg) {1}"


@pytest.mark.parametrize("translation, problem", [
    ("Lies {2}das{/2} {3/} {4/} {5}x{6}y{/6}{/5} {7/}", "placeholder {1}…{/1} (a link) is missing"),
    ("{1}a{/1} {2}b{/2} {3/} {4/} {5}x{6}y{/6}{/5} {7/} {8/}", "placeholder {8/} is not in the source: remove it"),
    ("{1}a{2}b{/1}{/2} {3/} {4/} {5}x{6}y{/6}{/5} {7/}", "{/1} closes before {/2}"),
    ("{/1}a{1} {2}b{/2} {3/} {4/} {5}x{6}y{/6}{/5} {7/}", "{/1} comes before {1}: the pair is reversed"),
    ("{1}a{/1} {2}b{/2} {3} {4/} {5}x{6}y{/6}{/5} {7/}", "{3} stands alone in the source: write {3/}"),
    ("{1}{/1} {2}b{/2} {3/} {4/} {5}x{6}y{/6}{/5} {7/}", "{1}…{/1} holds no words: the link would be empty"),
    ("{1}a{/1} {2}b{/2} {3/} {3/} {4/} {5}x{6}y{/6}{/5} {7/}", "placeholder {3/} appears 2 times"),
])
def test_a_broken_placeholder_is_named(translation, problem):
    protected = placeholders.protect("See the [policy](u) and **this**, run `lint` &amp; ![A *desk*](d.svg) {1}")
    assert any(p.startswith(problem) for p in protected.problems(translation)), protected.problems(translation)


# --- keys ------------------------------------------------------------------------------------------

def test_keys_come_from_the_structure_and_cover_every_kind_of_text():
    keys = [u.key for u in units.units(build.check(FIXTURE).course)]
    assert keys == [
        "course#title", "course#description", "course#badge.tidy-mind/title", "course#badge.tidy-mind/description",
        "course#badge.sharp-eye/title", "course#badge.sharp-eye/description",
        "why-clean#title", "why-clean#page.0/title", "why-clean#page.0/body", "why-clean#page.1/title",
        "why-clean#page.1/body",
        "visitor#title", "visitor#character.lena/name", "visitor#character.lena/role",
        "visitor#start/title", "visitor#start/body.0", "visitor#start/body.1", "visitor#start/choice.0",
        "visitor#start/choice.1", "visitor#start/choice.2", "visitor#face-down/title", "visitor#face-down/body.0",
        "visitor#face-down/choice.0", "visitor#face-down/choice.1", "visitor#cleared/title",
        "visitor#cleared/body.0", "visitor#seen/title", "visitor#seen/body.0",
        # the true/false options are the target language's words, and options of code only keep the source's
        "desk-check#title", "desk-check#q-drawer/prompt", "desk-check#q-drawer/option.0",
        "desk-check#q-drawer/option.1", "desk-check#q-drawer/option.2", "desk-check#q-drawer/explanation",
        "desk-check#q-lock/prompt", "desk-check#q-lock/explanation", "desk-check#q-sticky/prompt",
        "desk-check#q-sticky/explanation",
    ]


def test_the_flagship_keys_are_unique_and_name_the_briefs_examples():
    keys = [u.key for u in units.units(build.check(FLAGSHIP / "course.yaml").course)]
    assert len(keys) == len(set(keys))
    assert {"whiteboard-selfie#start/choice.2", "whiteboard-selfie#start/body.0",
            "course#badge.vault-keeper/title"} <= set(keys)


def test_a_choice_note_says_where_it_leads_the_speaker_and_the_length_limit():
    found = {u.key: u for u in units.units(build.check(FIXTURE).course)}
    choice = found["visitor#start/choice.0"]
    assert choice.notes[0] == ('A choice the learner takes; it leads to node "cleared" ("Cleared"). SCORM 2004 '
                               "records this text as an interaction's description: at most 250 characters.")
    assert found["visitor#start/body.1"].notes == ("A line spoken by Lena (Office manager).",)
    assert found["why-clean#page.0/body"].notes[1].startswith("Placeholders: {1}…{/1} is a link")


# --- extract: fuzzy, obsolete, stable ----------------------------------------------------------------

def test_extract_twice_changes_nothing(course_copy, capsys):
    before = {p: p.read_bytes() for p in (course_copy / "locales").rglob("*.po")}
    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    assert "updated" not in capsys.readouterr().out
    assert {p: p.read_bytes() for p in (course_copy / "locales").rglob("*.po")} == before


def line_of(path: Path, text: str, after: str | None = None) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(after) if after else 0
    return next(n for n, line in enumerate(lines, 1) if n > start and line.startswith(text))


def test_changing_one_english_sentence_makes_exactly_that_entry_fuzzy_and_the_build_refuses_it(
        course_copy, capsys, monkeypatch):
    scenario = course_copy / "scenario.md"
    old = "The visitor sees a clean desk and a working laptop."
    scenario.write_text(scenario.read_text().replace(old, "The visitor sees an empty desk and a working laptop."))
    before = {e.msgctxt: (e.msgid, e.msgstr, e.fuzzy) for e in po_of(course_copy, "visitor")}

    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    after = po_of(course_copy, "visitor")
    changed = [e for e in after if (e.msgid, e.msgstr, e.fuzzy) != before[e.msgctxt]]
    assert [e.msgctxt for e in changed] == ["visitor#cleared/body.0"]
    entry = changed[0]
    assert entry.fuzzy and entry.previous_msgid == old
    assert entry.msgstr == "Der Besuch sieht einen leeren Schreibtisch und einen Laptop, der läuft."
    capsys.readouterr()

    monkeypatch.chdir(course_copy)
    assert run("build", "course.yaml", "--lang", "de", "--out", "out") == cli.EXIT_COURSE
    catalogue_line = line_of(Path("locales/de/visitor.po"), "msgstr", 'msgctxt "visitor#cleared/body.0"')
    source_line = line_of(scenario, "The visitor sees an empty desk")
    assert [line for line in capsys.readouterr().err.splitlines() if ": error: " in line] == [
        f"locales/de/visitor.po:{catalogue_line}:1: error: marked fuzzy: the source changed since this was "
        f"translated; check the translation against the source, then remove the fuzzy flag "
        f"(source: scenario.md:{source_line}:1)"]
    assert not Path("out").exists() or not any(Path("out").iterdir())


def test_a_removed_text_becomes_obsolete_and_comes_back_translated(course_copy):
    scenario = course_copy / "scenario.md"
    original = scenario.read_text()
    scenario.write_text(original.replace("- [Leave it](#seen)\n", ""))
    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    obsolete = po_of(course_copy, "visitor").obsolete_entries()
    assert [(e.msgctxt, e.msgstr) for e in obsolete] == [("visitor#face-down/choice.1", "Liegen lassen")]
    assert "#~ msgctxt \"visitor#face-down/choice.1\"" in (course_copy / "locales/de/visitor.po").read_text()

    scenario.write_text(original)
    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    entry = next(e for e in po_of(course_copy, "visitor") if e.msgctxt == "visitor#face-down/choice.1")
    assert (entry.msgstr, entry.fuzzy, entry.obsolete) == ("Liegen lassen", False, False)
    assert (course_copy / "locales/de/visitor.po").read_bytes() == (FIXTURE / "locales/de/visitor.po").read_bytes()


def test_translators_comments_and_tool_headers_survive_an_extract(course_copy):
    path = course_copy / "locales/de/visitor.po"
    po = polib.pofile(str(path))
    po.metadata["Last-Translator"] = "Jana Weber <jana@example.com>"
    next(e for e in po if e.msgctxt == "visitor#title").tcomment = "Titel mit Kundin abgestimmt"
    catalogue.write(path, po)
    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    again = polib.pofile(str(path))
    assert again.metadata["Last-Translator"] == "Jana Weber <jana@example.com>"
    assert next(e for e in again if e.msgctxt == "visitor#title").tcomment == "Titel mit Kundin abgestimmt"


def test_status_counts_translated_fuzzy_missing_and_obsolete(course_copy, capsys):
    path = course_copy / "locales/de/visitor.po"
    po = polib.pofile(str(path))
    next(e for e in po if e.msgctxt == "visitor#title").flags.append("fuzzy")
    next(e for e in po if e.msgctxt == "visitor#seen/title").msgstr = ""
    obsolete = polib.POEntry(msgctxt="visitor#gone/title", msgid="Gone", msgstr="Weg", obsolete=True)
    po.append(obsolete)
    catalogue.write(path, po)
    assert run("translate", "status", str(course_copy)) == cli.EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "language   translated  fuzzy  missing  obsolete",
        "de                161      1        1         1",  # 125 of them the player's words (ui.po)
    ]


# --- translated builds ---------------------------------------------------------------------------------

def test_the_german_build_speaks_german_and_scores_like_the_source(tmp_path):
    built = build.build(FIXTURE, ("scorm12", "scorm2004"), tmp_path, ["de"])
    names = sorted(p.name for p in built.outputs)
    assert names == ["clean-desk-de-1.2.0-scorm12.zip", "clean-desk-de-1.2.0-scorm2004.zip"]
    data = course_json(tmp_path / "clean-desk-de-1.2.0-scorm2004.zip")
    assert data["language"] == "de" and data["title"] == "Der aufgeräumte Schreibtisch"
    start = data["modules"][1]["nodes"][0]
    assert start["choices"][0]["text"] == "Lena um zwei Minuten bitten und den Schreibtisch räumen"
    assert [c["points"] for c in start["choices"]] == [10, 3, -5]
    assert "<strong>Vertragsentwurf</strong>" in start["html"]
    assert '<bdi class="name">Lena</bdi> <span class="role">Büroleiterin</span>' in start["html"]
    lesson = data["modules"][0]["pages"][0]["html"]
    assert '<a href="https://intranet.example/clean-desk"' in lesson and ">Clean-Desk-Richtlinie</a>" in lesson
    sticky = data["modules"][2]["questions"][2]
    assert [(o["html"], o["value"], o["correct"]) for o in sticky["options"]] == [
        ("Wahr", True, False), ("Falsch", False, True)]
    assert "untranslated" not in data
    with zipfile.ZipFile(tmp_path / "clean-desk-de-1.2.0-scorm2004.zip") as archive:
        manifest = archive.read("imsmanifest.xml").decode()
    assert "<language>de</language>" in manifest and 'identifier="MANIFEST-clean-desk-de-1.2.0"' in manifest
    assert "<title>Der aufgeräumte Schreibtisch</title>" in manifest


def test_a_translated_course_passes_every_check_of_a_source_course():
    checked = build.check(FIXTURE)
    diags = Diagnostics()
    german = translated(checked.course, "de", diags)
    validate.validate(german, build.in_language(checked, "de").analyses, diags)
    assert diags.items == []


def test_paths_of_a_translation_equal_the_sources_once_text_is_removed(capsys):
    def paths(*extra):
        assert run("paths", str(FIXTURE), "--json", *extra) == cli.EXIT_OK
        report = json.loads(capsys.readouterr().out)
        texts = [c.pop("text") for s in report["scenarios"] for p in s["paths"] for c in p["choices"]]
        return report, texts

    source, english = paths()
    for tag in ("de", "qps-ploc", "qps-plocm"):
        report, texts = paths("--lang", tag)
        assert report == source
        assert len(texts) == len(english) and not set(texts) & set(english), tag


def test_a_catalogue_filled_with_the_source_text_builds_the_sources_runtime_data(course_copy, tmp_path):
    """en-GB, filled with the English text: every file of the package is the English package's,
    byte for byte, once the language tags are set aside."""
    yaml = course_copy / "course.yaml"
    yaml.write_text(yaml.read_text().replace("languages: [de]", "languages: [en-GB]"))
    assert run("translate", "extract", str(course_copy), "--lang", "en-GB") == cli.EXIT_OK
    for path in (course_copy / "locales" / "en-GB").glob("*.po"):
        po = polib.pofile(str(path))
        for entry in po:
            if entry.msgid_plural:  # the player's words with plural forms: English's one and other
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
        catalogue.write(path, po)
    build.build(course_copy, ("scorm12", "scorm2004"), tmp_path, ["en", "en-GB"])
    for fmt in ("scorm12", "scorm2004"):
        with zipfile.ZipFile(tmp_path / f"clean-desk-en-1.2.0-{fmt}.zip") as english, \
                zipfile.ZipFile(tmp_path / f"clean-desk-en-GB-1.2.0-{fmt}.zip") as british:
            assert english.namelist() == british.namelist()
            for name in english.namelist():
                ours, theirs = english.read(name), british.read(name)
                if name in ("index.html", "imsmanifest.xml"):
                    theirs = theirs.replace(b'lang="en-GB"', b'lang="en"').replace(b'"language":"en-GB"',
                                                                                 b'"language":"en"')
                    theirs = theirs.replace(b">en-GB<", b">en<").replace(b"clean-desk-en-GB-", b"clean-desk-en-")
                if name.startswith("badges/"):  # an Open Badges Achievement names its language
                    theirs = theirs.replace(b'"inLanguage": "en-GB"', b'"inLanguage": "en"')
                assert ours == theirs, f"{fmt} {name}"


def test_every_translated_text_differs_in_a_pseudo_locale_and_keeps_its_placeholders():
    course = build.check(FIXTURE).course
    for unit in units.units(course):
        for tag in ("qps-ploc", "qps-plocm"):
            text = pseudo.translate(unit, tag)
            assert unit.protected.problems(text) == [], (unit.key, text)
            assert not re.search(r"[A-Za-z]", placeholders.TOKEN.sub("", text)), (unit.key, text)
            if unit.kind != units.BLOCK:
                assert len(text) >= 1.4 * len(unit.msgid), (unit.key, text)
        assert pseudo.translate(unit, "qps-plocm").startswith(("\u202e", "1. \u202e")), unit.key


def test_the_pseudo_locales_true_false_words_are_the_pseudo_words():
    for tag in ("qps-ploc", "qps-plocm"):
        assert rules.true_false_words(tag) == (pseudo.word("True", tag), pseudo.word("False", tag))


def test_a_pseudo_build_scores_true_false_questions_like_the_source(tmp_path):
    build.build(FIXTURE, ("scorm2004",), tmp_path, ["qps-plocm"])
    data = course_json(tmp_path / "clean-desk-qps-plocm-1.2.0-scorm2004.zip")
    assert data["language"] == "qps-plocm"
    sticky = data["modules"][2]["questions"][2]
    assert [(o["value"], o["correct"]) for o in sticky["options"]] == [(True, False), (False, True)]
    assert all(o["html"].startswith("\u202e[") for o in sticky["options"])


def test_untranslated_text_shows_in_english_marked_with_its_language(course_copy, tmp_path, capsys):
    path = course_copy / "locales/de/visitor.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt in ("visitor#start/body.1", "visitor#start/choice.0", "visitor#seen/title",
                             "visitor#character.lena/role"):
            entry.msgstr = ""
    catalogue.write(path, po)
    assert run("build", str(course_copy), "--lang", "de", "--out", str(tmp_path / "refused")) == cli.EXIT_COURSE
    assert capsys.readouterr().err.count("not translated yet") == 4

    assert run("build", str(course_copy), "--lang", "de", "--allow-untranslated", "--out", str(tmp_path)) == 0
    assert "4 texts are not translated yet and show in the source language (en)" in capsys.readouterr().err
    data = course_json(tmp_path / "clean-desk-de-1.2.0-scorm12.zip")
    start = data["modules"][1]["nodes"][0]
    assert '<div lang="en"><p>Your visitor is here early. Shall I bring them up?</p></div>' in start["html"]
    assert '<span class="role" lang="en">Office manager</span>' in start["html"]
    assert start["choices"][0]["html"] == '<span lang="en">Ask Lena for two minutes and clear the desk</span>'
    assert start["choices"][1]["html"] == "Den Vertrag umdrehen"
    assert data["untranslated"] == {"/modules/1/nodes/0/choices/0/text": "en", "/modules/1/nodes/3/title": "en"}


def test_the_localised_image_replaces_the_source_image_in_the_translated_package(tmp_path):
    build.build(FIXTURE, ("scorm12",), tmp_path, ["en", "de"])
    packages = {}
    for tag in ("en", "de"):
        with zipfile.ZipFile(tmp_path / f"clean-desk-{tag}-1.2.0-scorm12.zip") as archive:
            asset = next(n for n in archive.namelist() if n.endswith("-desk.svg"))
            packages[tag] = (asset, archive.read(asset))
            assert asset in json.dumps(course_json(tmp_path / f"clean-desk-{tag}-1.2.0-scorm12.zip"))
    assert b">Desk<" in packages["en"][1] and b">Schreibtisch<" in packages["de"][1]


def test_a_localised_image_outside_its_folder_is_refused(course_copy, tmp_path):
    target = course_copy / "locales/de/images/images/desk.svg"
    target.unlink()
    outside = tmp_path / "elsewhere.svg"
    outside.write_text((FIXTURE / "images/desk.svg").read_text())
    target.symlink_to(outside)
    with pytest.raises(CourseError) as raised:
        build.check(course_copy, ["de"])
    assert [d.message for d in raised.value.diagnostics.errors] == [
        'the localised image "locales/de/images/images/desk.svg" lies outside locales/de/images (a symbolic '
        "link?): a course reads only its own files"]


def test_an_image_of_the_locales_folder_that_replaces_nothing_is_named(course_copy):
    stray = course_copy / "locales/de/images/images/dekс.svg"
    stray.write_text((FIXTURE / "images/desk.svg").read_text())
    checked = build.check(course_copy, ["de"])
    assert [d.format(cwd=course_copy) for d in checked.diagnostics.warnings] == [
        'locales/de/images/images/dekс.svg:1:1: warning: "locales/de/images/images/dekс.svg" replaces no image of '
        "the course: its path must be the image's own, relative to course.yaml"]


def test_a_localised_image_of_a_sibling_course_file_is_not_a_stray(course_copy):
    """Two course files in one folder share locales/: an image only the other one shows replaces
    a real image of the folder, so it is no misspelt path (the flagship and its refresher)."""
    (course_copy / "images/other.svg").write_text((FIXTURE / "images/desk.svg").read_text())
    (course_copy / "locales/de/images/images/other.svg").write_text((FIXTURE / "images/desk.svg").read_text())
    checked = build.check(course_copy, ["de"])
    assert [d.message for d in checked.diagnostics.warnings] == []


def test_a_language_the_course_does_not_list_is_refused(capsys):
    assert run("build", str(FIXTURE), "--lang", "fr") == cli.EXIT_COURSE
    assert ('error: --lang fr: the course is not translated into "fr" (languages: de); add it to languages: in '
            "course.yaml") in capsys.readouterr().err


def test_a_catalogue_linked_from_outside_the_course_is_refused(course_copy, tmp_path):
    catalogue_path = course_copy / "locales/de/visitor.po"
    outside = tmp_path / "visitor.po"
    shutil.move(catalogue_path, outside)
    catalogue_path.symlink_to(outside)
    with pytest.raises(CourseError) as raised:
        build.check(course_copy, ["de"])
    assert [d.format(cwd=course_copy) for d in raised.value.diagnostics.errors] == [
        'course.yaml:8:13: error: "locales/de/visitor.po" lies outside the course folder (a symbolic link?): '
        "a course reads only its own files"]


def test_all_languages_of_a_course_without_translations_is_an_error_not_an_empty_build(tmp_path, capsys):
    assert run("build", str(REPO / "tests/fixtures/courses/branching"), "--lang", "all", "--out", str(tmp_path)) == 1
    assert "error: --lang all: the course lists no languages; add languages: [de, …] to course.yaml" in \
        capsys.readouterr().err
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize("key, translation, problem", [
    ("visitor#start/choice.1", "  ", "the translation is blank"),
    ("visitor#start/choice.1", "Den Vertrag\n\numdrehen", "this text is one line (a title, a name, a choice)"),
    ("visitor#start/title", "Zehn {.ending} Minuten", "the translation adds {.…} (a class, like .ending)"),
    ("visitor#start/body.0", "Ein Kunde. {1}Vertrag{/1} [mehr](https://example.com)",
     "the translation adds a link or an image"),
    ("visitor#start/body.0", "Ein Kunde. {1}Vertrag{/1} {if=\"flag.tidy\"}", "the translation adds an attribute block"),
    ("visitor#start/body.0", "Ein Kunde. {1}Vertrag{/1} <https://phish.example/login>",
     "the translation adds a link or an image"),
])
def test_what_a_translation_may_not_do(key, translation, problem):
    from generator.translate.review import problems_of

    unit = next(u for u in units.units(build.check(FIXTURE).course) if u.key == key)
    assert [p for p in problems_of(unit, translation) if p.startswith(problem)], problems_of(unit, translation)


def test_two_courses_sharing_a_module_share_its_catalogue_without_rewriting_it(course_copy):
    (course_copy / "refresher.yaml").write_text(
        "id: clean-desk-refresher\ntitle: Clean Desk Refresher\nversion: 2.0.0\nlanguages: [de]\n"
        "modules:\n  - scenario.md\n")
    before = (course_copy / "locales/de/visitor.po").read_bytes()
    assert run("translate", "extract", str(course_copy / "refresher.yaml")) == cli.EXIT_OK
    assert (course_copy / "locales/de/visitor.po").read_bytes() == before
    assert [e.msgctxt for e in po_of(course_copy, "refresher")] == ["course#title"]
    assert [e.msgctxt for e in po_of(course_copy, "course")][0] == "course#title"  # course.yaml's own, untouched
    assert run("translate", "extract", str(course_copy)) == cli.EXIT_OK
    assert (course_copy / "locales/de/visitor.po").read_bytes() == before


def test_the_page_direction_agrees_with_cldr_for_every_locale_babel_knows():
    # rules.right_to_left is a table, so a build need not load Babel's locale data; Babel's
    # reading of CLDR (character order) is the oracle, over all its ~900 locales.
    import babel
    import babel.localedata

    identifiers = babel.localedata.locale_identifiers()
    assert len(identifiers) > 500
    wrong = [i for i in identifiers
             if rules.right_to_left(i.replace("_", "-")) != (babel.Locale.parse(i).character_order == "right-to-left")]
    assert wrong == []
    assert rules.right_to_left("ar") and rules.right_to_left("uz-Arab") and not rules.right_to_left("ks-Deva")
    assert rules.right_to_left("iw") and not rules.right_to_left("en-GB") and rules.right_to_left("qps-plocm")
