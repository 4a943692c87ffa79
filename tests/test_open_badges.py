"""Every badge ships as an Open Badges 3.0 Achievement definition that validates."""
from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from repo import REPO

from generator import build

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "ob3-achievement.schema.json").read_text())
FLAGSHIP = REPO / "course" / "course.yaml"


@pytest.fixture(scope="module")
def achievements(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("ob")
    built = build.build(FLAGSHIP, ("scorm2004",), out)
    with zipfile.ZipFile(built.outputs[0]) as archive:
        return {name: json.loads(archive.read(name)) for name in archive.namelist() if name.startswith("badges/")}


def test_one_definition_per_badge(achievements):
    course = build.check(FLAGSHIP).course
    assert sorted(achievements) == sorted(f"badges/{b.id}.json" for b in course.badges)


def test_every_definition_validates_against_the_achievement_schema(achievements):
    validator = jsonschema.Draft201909Validator(SCHEMA)
    for name, data in achievements.items():
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, f"{name}: {errors}"


@pytest.mark.parametrize("field", ["@context", "id", "type", "criteria", "description", "name"])
def test_the_schema_rejects_a_definition_missing_a_required_field(achievements, field):
    data = dict(next(iter(achievements.values())))
    del data[field]
    assert not jsonschema.Draft201909Validator(SCHEMA).is_valid(data)


def test_ids_are_stable_and_distinct_and_images_embedded(achievements, tmp_path):
    again = build.build(FLAGSHIP, ("scorm2004",), tmp_path)
    with zipfile.ZipFile(again.outputs[0]) as archive:
        ids = {json.loads(archive.read(name))["id"] for name in achievements}
    assert ids == {a["id"] for a in achievements.values()} and len(ids) == len(achievements)
    for data in achievements.values():
        assert data["id"].startswith("urn:uuid:")
        media, payload = data["image"]["id"].split(",", 1)
        assert media == "data:image/svg+xml;base64" and b"<svg" in base64.b64decode(payload)
        assert "`" in data["criteria"]["narrative"]  # the condition, as the author wrote it


def test_a_translated_package_gives_its_badges_in_its_language(achievements, tmp_path):
    assert {a["inLanguage"] for a in achievements.values()} == {"en"}
    built = build.build(FLAGSHIP, ("scorm2004",), tmp_path, ["ar"])
    with zipfile.ZipFile(built.outputs[0]) as archive:
        arabic = json.loads(archive.read("badges/vault-keeper.json"))
    assert arabic["inLanguage"] == "ar" and arabic["@language"] == "ar"
    assert arabic["name"] != achievements["badges/vault-keeper.json"]["name"]
    # The criteria's own sentence is the catalogue's (ui#badgeCriteriaWhen), with the author's condition kept.
    assert "تُمنح في الدورة «" in arabic["criteria"]["narrative"] and "`percent >= 90`" in arabic["criteria"]["narrative"]
    assert "Earned" not in arabic["criteria"]["narrative"]
    errors = list(jsonschema.Draft201909Validator(SCHEMA).iter_errors(arabic))
    assert not errors
