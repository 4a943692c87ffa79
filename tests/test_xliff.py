"""XLIFF 1.2 for agencies: the export validates against the OASIS schema (the repository's copy),
placeholders travel as <g>/<x/>, and an export imported back leaves the PO catalogues unchanged."""
from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from lxml import etree

from repo import REPO

from generator import cli
from generator.translate import catalogue, ui

FIXTURE = REPO / "tests" / "fixtures" / "courses" / "translated"
SCHEMAS = REPO / "generator" / "translate" / "schemas"
NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """The fixture with every state an entry can be in: translated, fuzzy with a previous
    source, missing, obsolete, and a translator's comment."""
    folder = tmp_path / "course"
    shutil.copytree(FIXTURE, folder)
    path = folder / "locales/de/visitor.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt == "visitor#face-down/body.0":
            entry.flags.insert(0, "fuzzy")
            entry.previous_msgid = "The contract lies face down."
        elif entry.msgctxt == "visitor#seen/title":
            entry.msgstr = ""
        elif entry.msgctxt == "visitor#title":
            entry.tcomment = "Mit der Kundin abgestimmt"
    po.append(polib.POEntry(msgctxt="visitor#gone/title", msgid="Gone", msgstr="Weg", obsolete=True))
    catalogue.write(path, po)
    return folder


def catalogues(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "locales" / "de").glob("*.po"))}


def export(folder: Path, out: Path) -> etree._ElementTree:
    assert cli.main(["translate", "export", str(folder), "--lang", "de", "--format", "xliff", "--out", str(out)]) == 0
    return etree.parse(str(out))


def unit(document, key: str) -> etree._Element:
    return document.find(f".//x:trans-unit[@id='{key}']", NS)


def test_the_export_validates_against_the_oasis_schema(course_copy, tmp_path):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "xliff-core-1.2-strict.xsd")))
    document = export(course_copy, tmp_path / "de.xlf")
    assert schema.validate(document), schema.error_log
    files = document.findall(".//x:file", NS)
    assert [f.get("original") for f in files] == ["locales/de/course.po", "locales/de/why-clean.po",
                                                  "locales/de/visitor.po", "locales/de/desk-check.po",
                                                  "locales/de/ui.po"]
    assert {(f.get("source-language"), f.get("target-language"), f.get("datatype")) for f in files} == {("en", "de", "po")}
    # The course's 38 texts, and the player's words: one unit each, or one per German plural form (2).
    words = sum(2 if u.plural else 1 for u in ui.units())
    assert len(document.findall(".//x:trans-unit", NS)) == 38 + words
    plural = document.find(".//x:group[@id='ui#pointsPlus']", NS)
    assert plural.get("restype") == "x-gettext-plurals"
    assert [(u.get("id"), u.find("x:source", NS).text, u.find("x:target", NS).text) for u in plural] == [
        ("ui#pointsPlus[0]", "+{n} point", "+{n} Punkt"), ("ui#pointsPlus[1]", "+{n} points", "+{n} Punkte")]


def test_placeholders_are_inline_markup_and_the_units_carry_state_notes_and_limits(course_copy, tmp_path):
    document = export(course_copy, tmp_path / "de.xlf")
    page = unit(document, "why-clean#page.0/body")
    source = etree.tostring(page.find("x:source", NS), encoding="unicode")
    assert '<g id="1" ctype="link">clean desk policy</g>' in source
    assert '<g id="2" ctype="bold">short</g>' in source and '<g id="3" ctype="italic">every</g>' in source
    assert "intranet.example" not in source and "desk.svg" not in source
    code = unit(document, "desk-check#q-lock/explanation").find("x:target", NS)
    assert etree.tostring(code, encoding="unicode", with_tail=False).endswith('<x id="1" ctype="x-code"/> sperrt den Bildschirm sofort.</target>')

    choice = unit(document, "visitor#start/choice.0")
    assert (choice.get("maxwidth"), choice.get("size-unit")) == ("250", "char")
    assert choice.find("x:target", NS).get("state") == "translated"
    assert [c.text for c in choice.findall("x:context-group/x:context", NS)] == ["scenario.md", "15"]
    assert choice.find("x:note", NS).text.startswith('A choice the learner takes; it leads to node "cleared"')

    fuzzy = unit(document, "visitor#face-down/body.0")
    assert fuzzy.find("x:target", NS).get("state") == "needs-review-translation"
    assert fuzzy.find("x:alt-trans/x:source", NS).text == "The contract lies face down."
    assert unit(document, "visitor#seen/title").find("x:target", NS) is None
    assert unit(document, "visitor#gone/title") is None  # obsolete entries stay home


def test_export_then_import_leaves_every_catalogue_byte_for_byte(course_copy, tmp_path, capsys):
    before = catalogues(course_copy)
    export(course_copy, tmp_path / "de.xlf")
    assert cli.main(["translate", "import", str(course_copy), str(tmp_path / "de.xlf")]) == 0
    assert "updated" not in capsys.readouterr().out
    assert catalogues(course_copy) == before


def test_an_agencys_translation_comes_back_into_the_catalogue(course_copy, tmp_path):
    path = tmp_path / "de.xlf"
    document = export(course_copy, path)
    missing = unit(document, "visitor#seen/title")
    target = etree.SubElement(missing, "{urn:oasis:names:tc:xliff:document:1.2}target", state="translated")
    missing.insert(1, target)
    target.text = "Entdeckt"
    fuzzy = unit(document, "visitor#face-down/body.0").find("x:target", NS)
    fuzzy.set("state", "final")
    page = unit(document, "why-clean#page.0/body").find("x:target", NS)
    link = page.find("x:g[@id='1']", NS)
    link.text = "Richtlinie für aufgeräumte Schreibtische"
    document.write(str(path), xml_declaration=True, encoding="UTF-8")

    assert cli.main(["translate", "import", str(course_copy), str(path)]) == 0
    po = {e.msgctxt: e for e in polib.pofile(str(course_copy / "locales/de/visitor.po"))}
    assert (po["visitor#seen/title"].msgstr, po["visitor#seen/title"].fuzzy) == ("Entdeckt", False)
    assert not po["visitor#face-down/body.0"].fuzzy and po["visitor#face-down/body.0"].previous_msgid is None
    lesson = {e.msgctxt: e for e in polib.pofile(str(course_copy / "locales/de/why-clean.po"))}
    assert "Lesen Sie die {1}Richtlinie für aufgeräumte Schreibtische{/1} vor" in lesson["why-clean#page.0/body"].msgstr
    assert cli.main(["check", str(course_copy), "--lang", "de"]) == 0


def test_a_plural_form_comes_back_into_its_msgstr_and_a_broken_one_is_refused(course_copy, tmp_path, capsys):
    path = tmp_path / "de.xlf"
    document = export(course_copy, path)
    unit(document, "ui#minutes[1]").find("x:target", NS).text = "{n} Minuten"
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert cli.main(["translate", "import", str(course_copy), str(path)]) == 0
    po = {e.msgctxt: e for e in polib.pofile(str(course_copy / "locales/de/ui.po"))}
    assert po["ui#minutes"].msgstr_plural == {0: "{n} Min.", 1: "{n} Minuten"} and not po["ui#minutes"].fuzzy
    # The "other" form must show {n}; the file's line is named and nothing is written.
    document = export(course_copy, path)
    target = unit(document, "ui#minutes[1]").find("x:target", NS)
    target.text = "Minuten"
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = (course_copy / "locales/de/ui.po").read_bytes()
    capsys.readouterr()
    assert cli.main(["translate", "import", str(course_copy), str(path)]) == cli.EXIT_COURSE
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    line = etree.parse(str(path)).find(".//x:trans-unit[@id='ui#minutes[1]']/x:target", NS).sourceline
    assert len(errors) == 1 and f"de.xlf:{line}:1: error: plural form 1: {{n}} is missing" in errors[0], errors
    assert (course_copy / "locales/de/ui.po").read_bytes() == before


def test_a_broken_target_is_reported_at_its_xliff_line_and_nothing_is_written(course_copy, tmp_path, capsys):
    path = tmp_path / "de.xlf"
    document = export(course_copy, path)
    page = unit(document, "why-clean#page.0/body").find("x:target", NS)
    page.remove(page.find("x:g[@id='1']", NS))
    choice = unit(document, "visitor#start/choice.1").find("x:target", NS)
    choice.text = "Den Vertrag umdrehen {points=5}"
    document.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = catalogues(course_copy)
    capsys.readouterr()

    assert cli.main(["translate", "import", str(course_copy), str(path)]) == cli.EXIT_COURSE
    errors = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    lines = etree.parse(str(path))
    page_line = unit(lines, "why-clean#page.0/body").find("x:target", NS).sourceline
    choice_line = unit(lines, "visitor#start/choice.1").find("x:target", NS).sourceline
    assert [e.split(": error: ")[0].rsplit(":", 2)[1] for e in errors] == [str(page_line), str(choice_line)]
    assert "placeholder {1}…{/1} (a link) is missing (source: " in errors[0]
    assert errors[0].endswith("lesson.md:9:1)")
    assert "adds an attribute block like {points=…}" in errors[1]
    assert catalogues(course_copy) == before


def test_a_file_that_is_not_xliff_is_refused_at_its_line(course_copy, tmp_path, capsys):
    path = tmp_path / "de.xlf"
    export(course_copy, path)
    text = path.read_text(encoding="utf-8").replace('<trans-unit id="visitor#title"', '<trans-unit name="visitor#title"')
    path.write_text(text, encoding="utf-8")
    line = text.split("\n").index(next(l for l in text.split("\n") if 'name="visitor#title"' in l)) + 1
    assert cli.main(["translate", "import", str(course_copy), str(path)]) == cli.EXIT_COURSE
    err = capsys.readouterr().err
    assert f"de.xlf:{line}:1: error: not valid XLIFF 1.2: " in err


def test_an_out_of_date_catalogue_is_not_exported(course_copy, tmp_path, capsys, monkeypatch):
    scenario = course_copy / "scenario.md"
    scenario.write_text(scenario.read_text().replace("Leave it", "Leave it there"))
    monkeypatch.chdir(course_copy)
    assert cli.main(["translate", "export", ".", "--lang", "de", "--out", str(tmp_path / "x.xlf")]) == 1
    assert "locales/de/visitor.po:1:1: error: the catalogue is not up to date with the source" in capsys.readouterr().err
    assert not (tmp_path / "x.xlf").exists()
