"""`coursegen map`: one box per node and one arrow per choice for every flagship
scenario, problems marked, accessible SVG, and the same bytes on every run."""
from __future__ import annotations

import math
import re
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
TEN_NODES = REPO / "tests" / "fixtures" / "workbench" / "ten-nodes"
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


def label_texts(svg: Path) -> dict[str, str]:
    root = ET.parse(svg).getroot()
    return {g.get("data-label-for"): " ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
            for g in root.iter(f"{SVG}g") if g.get("data-label-for")}


def test_choices_are_labelled_with_their_index_points_and_conditions(flagship_map):
    labels = label_texts(flagship_map / "whiteboard-selfie.svg")
    # [N] as `coursegen paths` prints the choice (start[0] > ...), then what the choice does.
    assert labels["start:0"] == "[0] +10"
    assert labels["start:1"] == "[1] \u22125"
    assert labels["start:2"] == "[2] set noticed"
    assert labels["caption:1"] == "[1] +5 if flag.noticed"
    assert labels["blur:1"] == "[1]"  # a choice without points or conditions is labelled too


def test_every_arrow_is_labelled_with_its_index(flagship_map, tmp_path):
    assert cli.main(["map", str(TEN_NODES), "--out", str(tmp_path)]) == 0
    drawn = [(flagship_map / f"{s.id}.svg", s) for s in load(FLAGSHIP).course.modules if isinstance(s, Scenario)]
    drawn += [(tmp_path / "tangle.svg", load(TEN_NODES).course.modules[0])]
    for svg, scenario in drawn:
        labels = label_texts(svg)
        wanted = {f"{n.id}:{i}": f"[{i}]" for n in scenario.nodes for i in range(len(n.choices))}
        assert {key: text.split()[0] for key, text in labels.items()} == wanted, svg.name


# --- labels stay clear of arrowheads: the geometry read back from the SVG, as a browser draws it ---

def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def arrowheads(root: ET.Element) -> dict[str, list[tuple[float, float]]]:
    """Each arrow's arrowhead as the triangle the browser draws: the marker's path, moved so its
    refX/refY sits on the path's end, turned along the path's last tangent and scaled by
    markerWidth/viewBox times the arrow's stroke width (markerUnits="strokeWidth")."""
    marker = next(root.iter(f"{SVG}marker"))
    view = _numbers(marker.get("viewBox"))
    stroke = float(re.search(r"\.choice path\{[^}]*stroke-width:([\d.]+)", root.find(f"{SVG}style").text).group(1))
    scale = float(marker.get("markerWidth")) / view[2] * stroke
    ref = float(marker.get("refX")), float(marker.get("refY"))
    shape = _numbers(next(marker.iter(f"{SVG}path")).get("d"))
    corners = [(x - ref[0], y - ref[1]) for x, y in zip(shape[::2], shape[1::2])]
    heads = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("data-choice") is None:
            continue
        x0, y0, x1, y1, x2, y2, x3, y3 = _numbers(next(g.iter(f"{SVG}path")).get("d"))
        dx, dy = (x3 - x2, y3 - y2) if (x3, y3) != (x2, y2) else (x3 - x1, y3 - y1)
        angle = math.atan2(dy, dx)
        cos, sin = math.cos(angle), math.sin(angle)
        heads[g.get("data-choice")] = [(x3 + scale * (x * cos - y * sin), y3 + scale * (x * sin + y * cos))
                                       for x, y in corners]
    return heads


def label_boxes(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("data-label-for") is not None:
            rect = next(g.iter(f"{SVG}rect"))
            boxes[g.get("data-label-for")] = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
    return boxes


def overlap(polygon, box) -> bool:
    """Do a convex polygon and a rectangle share any area? (separating axis theorem)"""
    x, y, w, h = box
    rect = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    for shape in (polygon, rect):
        for (ax, ay), (bx, by) in zip(shape, shape[1:] + shape[:1]):
            nx, ny = by - ay, ax - bx
            a = [nx * px + ny * py for px, py in polygon]
            b = [nx * px + ny * py for px, py in rect]
            if max(a) <= min(b) or max(b) <= min(a):
                return False
    return True


def test_the_overlap_check_sees_a_label_on_an_arrowhead():
    head = [(100.0, 50.0), (89.2, 45.2), (89.2, 54.8)]
    assert overlap(head, (95, 45, 20, 10)) and overlap(head, (80, 40, 40, 20))
    assert not overlap(head, (101, 40, 20, 20)) and not overlap(head, (80, 56, 30, 10))


def test_no_label_covers_an_arrowhead(flagship_map, tmp_path):
    assert cli.main(["map", str(TEN_NODES), "--out", str(tmp_path)]) == 0
    maps = sorted(flagship_map.glob("*.svg")) + [tmp_path / "tangle.svg"]
    assert len(maps) == 8
    for svg in maps:
        root = ET.parse(svg).getroot()
        heads, labels = arrowheads(root), label_boxes(root)
        assert len(labels) == len(heads) > 0
        covered = [(label, arrow) for label, box in labels.items() for arrow, head in heads.items()
                   if overlap(head, box)]
        assert covered == [], f"{svg.name}: labels over arrowheads (label, arrow): {covered}"


def test_the_index_page_fits_a_1400_px_window(flagship_map):
    """No sideways scrolling at 1,400 px: not the page, not a map (each fits its box; a checkbox
    shows one at full size)."""
    from playwright.sync_api import sync_playwright

    from generator.walks import lms

    with sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto((flagship_map / "index.html").as_uri())
            widths = page.evaluate("""() => [document.scrollingElement, ...document.querySelectorAll('.canvas')]
                .map(e => [e.scrollWidth, e.clientWidth])""")
            assert len(widths) == 8
            assert all(scroll <= client for scroll, client in widths), widths
            page.locator("label[for='full-home-office']").click()
            wide = page.evaluate("(() => { const c = document.querySelector('#home-office .canvas'); "
                                 "return [c.scrollWidth, c.clientWidth]; })()")
            assert wide[0] > wide[1]  # at full size the map is wider than the window, and scrolls in its box
        finally:
            browser.close()


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
