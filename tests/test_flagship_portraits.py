"""The flagship's cast has a drawn portrait each, and every portrait is a plain, safe,
consistent drawing: what a learner sees beside each line of dialogue.

The portraits live in ``scenarios/portraits/<speaker key>.svg``. The pictures were looked at
by a person (light and dark pages, 48 to 128 px); this test keeps what can be kept by machine:
nobody is left without a face, nothing in a file can run or fetch, and the set stays one family.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from repo import REPO

from generator.diagnostics import Diagnostics
from generator.model import Scenario
from generator.source.images import SVG_DANGER
from generator.source.loader import load_course

PORTRAITS = REPO / "scenarios" / "portraits"
COURSES = (REPO / "course" / "course.yaml", REPO / "course" / "refresher.yaml")
SVG = "{http://www.w3.org/2000/svg}"
# Plain shapes only: anything else (image, text, use, style, animation...) is a reason to look again.
DRAWING = {"svg", "title", "clipPath", "g", "rect", "circle", "ellipse", "path"}


def cast() -> dict[str, str]:
    """{speaker key: name} over every scenario of the flagship courses."""
    people: dict[str, str] = {}
    for course_file in COURSES:
        diags = Diagnostics()
        course = load_course(course_file, diags)
        assert course is not None and not diags.items, [str(d) for d in diags.items]
        for module in course.modules:
            if isinstance(module, Scenario):
                for character in module.characters:
                    assert people.setdefault(character.key, character.name) == character.name, character.key
    return people


CAST = cast()


def portrait(key: str) -> ET.Element:
    return ET.parse(PORTRAITS / f"{key}.svg").getroot()


def test_every_speaker_of_the_flagship_has_a_portrait_and_there_are_no_strays():
    drawn = {p.stem for p in PORTRAITS.glob("*.svg")}
    assert len(CAST) >= 13
    assert sorted(set(CAST) - drawn) == [], "characters without a portrait"
    assert sorted(drawn - set(CAST)) == [], "portraits of nobody in the course"


def problems(text: str, name: str) -> list[str]:
    """What is wrong with one portrait's SVG text, as a person reviewing it would say."""
    found = []
    if SVG_DANGER.search(text):
        found.append("the build would refuse it (script, handler or remote link)")
    if len(text.encode()) >= 4096:
        found.append("over 4 KB; a portrait is shown small and should stay small")
    root = ET.fromstring(text)
    if root.tag != f"{SVG}svg" or root.get("viewBox") != "0 0 128 128" or root.get("role") != "img":
        found.append("not an <svg role=img viewBox='0 0 128 128'> like the rest of the cast")
    title = root.find(f"{SVG}title")
    if title is None or title.text != name:
        found.append(f"its <title> does not name {name}")
    tags = {element.tag.removeprefix(SVG) for element in root.iter()}
    if tags - DRAWING:
        found.append(f"elements beyond plain shapes: {sorted(tags - DRAWING)}")
    for element in root.iter():
        if any(attribute.endswith("href") for attribute in element.attrib):
            found.append(f"<{element.tag.removeprefix(SVG)}> refers to another resource")
        if any("url(" in value and not value.startswith("url(#c-") for value in element.attrib.values()):
            found.append(f"<{element.tag.removeprefix(SVG)}> uses a url() other than its own clip")
    return found


@pytest.mark.parametrize("key", sorted(CAST))
def test_a_portrait_is_a_small_plain_drawing_named_for_its_person(key):
    text = (PORTRAITS / f"{key}.svg").read_text(encoding="utf-8")
    assert problems(text, CAST[key]) == []


@pytest.mark.parametrize("change, complaint", [
    (("<title>", '<circle r="1" onload="alert(1)"/><title>'), "build would refuse"),
    (("<title>", '<image href="face.png"/><title>'), "refers to another resource"),
    (("<title>", '<text x="1" y="9">Owen</text><title>'), "beyond plain shapes"),
    (("<title>Owen</title>", "<title>Someone</title>"), "does not name Owen"),
    (('viewBox="0 0 128 128"', 'viewBox="0 0 256 256"'), "like the rest of the cast"),
    (("</svg>", "<!--" + "x" * 4096 + "--></svg>"), "over 4 KB"),
])
def test_the_review_catches_a_portrait_that_is_not_plain(change, complaint):
    text = (PORTRAITS / "owen.svg").read_text(encoding="utf-8")
    assert change[0] in text
    assert any(complaint in problem for problem in problems(text.replace(change[0], change[1], 1), "Owen"))


def test_the_cast_is_one_family_that_can_share_a_page():
    ids: list[str] = []
    for key in CAST:
        root = portrait(key)
        clip = root.find(f"{SVG}clipPath")
        # Same frame for everyone: a 60 px circle in the middle of the 128 px square.
        circle = clip.find(f"{SVG}circle")
        assert (circle.get("cx"), circle.get("cy"), circle.get("r")) == ("64", "64", "60"), key
        ids += [e.get("id") for e in root.iter() if e.get("id")]
    # Inlined side by side, two portraits must not share an id, or one would clip the other.
    assert len(ids) == len(set(ids)), "duplicate ids across portraits"
