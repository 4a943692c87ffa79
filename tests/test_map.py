"""`coursegen map`: one box per node and one arrow per choice for every flagship
scenario, problems marked, accessible SVG, and the same bytes on every run."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from repo import REPO

from generator import cli
from generator.model import Scenario
from generator.workbench import mapsvg
from generator.workbench.maps import load

FLAGSHIP = REPO / "course" / "course.yaml"
PROBLEMS = REPO / "tests" / "fixtures" / "workbench" / "map-problems"
SVG = "{http://www.w3.org/2000/svg}"


def groups(svg: Path, attribute: str) -> dict[str, ET.Element]:
    root = ET.parse(svg).getroot()
    return {g.get(attribute): g for g in root.iter(f"{SVG}g") if g.get(attribute) is not None}


@pytest.fixture(scope="module")
def flagship_map(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("map")
    assert cli.main(["map", str(FLAGSHIP), "--out", str(out)]) == 0
    return out


def test_every_flagship_scenario_has_one_box_per_node_and_one_arrow_per_choice(flagship_map):
    scenarios = [m for m in load(FLAGSHIP).course.modules if isinstance(m, Scenario)]
    assert len(scenarios) == 7
    for scenario in scenarios:
        svg = flagship_map / f"{scenario.id}.svg"
        nodes, choices = groups(svg, "data-node"), groups(svg, "data-choice")
        assert sorted(nodes) == sorted(n.id for n in scenario.nodes), scenario.id
        assert sorted(choices) == sorted(f"{n.id}:{i}" for n in scenario.nodes for i in range(len(n.choices)))
        assert "unreachable" not in " ".join(g.get("class") for g in nodes.values())
        assert "start" in nodes[scenario.nodes[0].id].get("class").split()
    index = (flagship_map / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{s.id}"' in index and f'data-scenario="{s.id}"' in index for s in scenarios)


def test_choices_are_labelled_with_points_and_conditions(flagship_map):
    svg = (flagship_map / "whiteboard-selfie.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)
    labels = {g.get("data-label-for"): " ".join(t.text for t in g.iter(f"{SVG}text"))
              for g in root.iter(f"{SVG}g") if g.get("data-label-for")}
    assert labels["start:0"] == "+10"
    assert labels["start:1"] == "\u22125"
    assert labels["start:2"] == "set noticed"
    assert labels["caption:1"] == "+5 if flag.noticed"
    assert "start:0" in labels and "blur:1" not in labels  # a choice without effects has no label


def test_endings_carry_their_outcome_in_words_not_only_in_colour(flagship_map):
    nodes = groups(flagship_map / "whiteboard-selfie.svg", "data-node")
    words = {node: " ".join(t.text for t in g.iter(f"{SVG}text")) for node, g in nodes.items()}
    assert "\u2713 GOOD" in words["clean-post"] and "good" in nodes["clean-post"].get("class").split()
    assert "\u25cb NEUTRAL" in words["teaser"]
    assert "\u2717 BAD" in words["quiet-delete"]
    assert "\u25b6 START" in words["start"]


def test_the_svg_is_accessible_and_links_nodes_to_the_preview(flagship_map):
    root = ET.parse(flagship_map / "home-office.svg").getroot()
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    texts = {el.get("id"): el.text for el in root if el.get("id")}
    assert texts[title_id] == "Map of the scenario Working From the Kitchen Table"
    assert "nodes and" in texts[desc_id] and "endings" in texts[desc_id]
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert "http://127.0.0.1:8000/#node=home-office/start" in links


def test_unreachable_dead_end_and_trapped_nodes_are_marked(tmp_path, capsys):
    assert cli.main(["map", str(PROBLEMS), "--out", str(tmp_path)]) == 1  # errors: drawn anyway
    nodes = groups(tmp_path / "lost-badge.svg", "data-node")
    classes = {node: set(g.get("class").split()) for node, g in nodes.items()}
    assert "unreachable" in classes["orphan"]
    assert "dead-end" in classes["hand-in"]
    assert {"trapped"} <= classes["corridor-a"] and {"trapped"} <= classes["corridor-b"]
    assert not {"unreachable", "dead-end", "trapped"} & classes["start"]
    words = " ".join(t.text for t in nodes["orphan"].iter(f"{SVG}text"))
    assert "UNREACHABLE" in words  # not only a dashed grey border
    err = capsys.readouterr().err
    assert 'scenario.md:16:1: error: node "hand-in" can be reached' in err
    assert "3 errors in the course; the map shows where." in err


def test_two_runs_give_the_same_bytes(tmp_path):
    for run in ("one", "two"):
        assert cli.main(["map", str(FLAGSHIP), "--out", str(tmp_path / run)]) == 0
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert one == two and len(one) == 8


def test_the_drawing_needs_no_files(tmp_path):
    loaded = load(PROBLEMS)
    files = mapsvg.course_map(loaded.course, loaded.analyses, None)
    assert set(files) == {"lost-badge.svg", "index.html"}
    assert b"<a " not in files["lost-badge.svg"]  # no preview, no links
