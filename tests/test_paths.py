"""Expected scores of `coursegen paths`, worked out by hand on small scenarios."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator import build
from generator.check import analysis

COURSE = """
id: paths
title: Paths
version: 1.0.0
modules:
  - scenario.md
"""


def scenario(body: str) -> str:
    return "---\nid: s\ntitle: S\nkind: scenario\n---\n\n" + body


def paths_of(write_course, body: str):
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario(body)})
    checked = build.check(folder)
    report = build.paths_report(checked)["scenarios"][0]
    routes = {(" ".join(f"{c['node']}:{c['choice']}" for c in p["choices"]), p["ending"]):
              (p["points"], p["score"], p["percent"], p["outcome"]) for p in report["paths"]}
    return report, routes


NEGATIVE = """
# Start {#start}
Go.
- [Careful](#mid){points=4}
- [Rash](#bad){points=-6}

# Middle {#mid}
Then.
- [Good](#good){points=6}
- [Slip](#bad){points=-10}

# Good {#good .ending outcome=good}
Yes.

# Bad {#bad .ending outcome=bad}
No.
"""


def test_negative_points_and_the_floor_at_zero(write_course):
    report, routes = paths_of(write_course, NEGATIVE)
    assert report["max"] == 10  # 4 + 6
    assert routes == {
        ("start:0 mid:0", "good"): (10, 10, 100, "good"),
        ("start:0 mid:1", "bad"): (-6, 0, 0, "bad"),     # 4 - 10, floored
        ("start:1", "bad"): (-6, 0, 0, "bad"),
    }


FLAGS = """
# Start {#start}
Pick.
- [Ask first](#ask){set=asked points=2}
- [Just go](#door)

# Ask {#ask}
She explains.
- [Thanks](#door){points=1}

# Door {#door}
A door.
- [Use what you learnt](#good){if="flag.asked" points=5}
- [Guess](#neutral){points=1}
- [Give up](#bad){if="not flag.asked"}

# Good {#good .ending outcome=good}
# Neutral {#neutral .ending outcome=neutral}
# Bad {#bad .ending outcome=bad}
"""


def test_flags_and_if_hide_choices_per_path(write_course):
    report, routes = paths_of(write_course, FLAGS)
    assert report["max"] == 8  # 2 + 1 + 5
    assert routes == {
        ("start:0 ask:0 door:0", "good"): (8, 8, 100, "good"),
        ("start:0 ask:0 door:1", "neutral"): (4, 4, 50, "neutral"),
        ("start:1 door:1", "neutral"): (1, 1, 12, "neutral"),   # 1/8 = 12.5% → 12
        ("start:1 door:2", "bad"): (0, 0, 0, "bad"),
    }


CYCLE = """
# Start {#start}
A choice.
- [Look again](#again){points=-1}
- [Decide](#good){points=3}

# Again {#again}
Back to the start?
- [Yes](#start){points=1}
- [Stop](#bad)

# Good {#good .ending outcome=good}
# Bad {#bad .ending outcome=bad}
"""


def test_a_cycle_is_walked_once_round_and_counts_every_time(write_course):
    report, routes = paths_of(write_course, CYCLE)
    assert report["max"] == 3
    assert routes == {
        ("start:0 again:0 start:1", "good"): (3, 3, 100, "good"),   # -1 + 1 + 3
        ("start:0 again:1", "bad"): (-1, 0, 0, "bad"),
        ("start:1", "good"): (3, 3, 100, "good"),
    }


def test_a_loop_that_earns_points_has_no_maximum(write_course):
    body = CYCLE.replace("{points=-1}", "{points=2}")
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario(body)})
    with pytest.raises(build.CourseError) as caught:
        build.check(folder)
    assert any("loop that earns points" in line for line in caught.value.diagnostics.format(folder))


def test_flags_change_the_maximum_through_the_state_space(write_course):
    # The bonus needs a flag set on one branch and unset on another.
    body = """
# Start {#start}
- [Plan](#work){set=plan points=1}
- [Rush](#work){unset=plan}

# Work {#work}
- [Finish with the plan](#good){if="flag.plan" points=9}
- [Finish anyway](#good){points=2}

# Good {#good .ending outcome=good}
"""
    report, routes = paths_of(write_course, body)
    assert report["max"] == 10
    assert routes[("start:1 work:1", "good")] == (2, 2, 20, "good")
    assert ("start:1 work:0", "good") not in routes


def test_paths_cli_prints_json_with_the_course_maximum(write_course):
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario(NEGATIVE)})
    result = subprocess.run([sys.executable, "-m", "generator", "paths", str(folder), "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["max"] == 10
    assert {p["ending"] for p in report["scenarios"][0]["paths"]} == {"good", "bad"}


def test_thirty_two_way_choices_analyse_without_enumerating(write_course):
    nodes = []
    for i in range(30):
        nodes.append(f"# Step {i} {{#n{i}}}\n- [Left](#n{i + 1}){{points=1}}\n- [Right](#n{i + 1})\n")
    nodes.append("# End {#n30 .ending outcome=good}\n")
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario("\n".join(nodes))})
    checked = build.check(folder)
    found = checked.analyses["s"]
    assert found.max_points == 30
    walks = analysis.coverage_paths(found)
    taken = {(s.node, s.choice) for p in walks for s in p.steps}
    assert len(taken) == 60  # every choice of every node
    assert len(walks) <= 4  # best, worst and very few more


def test_a_scenario_thousands_of_nodes_deep_is_listed_without_recursion(write_course):
    nodes = [f"# Step {i} {{#n{i}}}\n- [On](#n{i + 1}){{points=1}}\n" for i in range(3000)]
    nodes.append("# End {#n3000 .ending outcome=good}\n")
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario("\n".join(nodes))})
    report = build.paths_report(build.check(folder))["scenarios"][0]
    assert report["max"] == 3000
    assert [(len(p["choices"]), p["points"]) for p in report["paths"]] == [(3000, 3000)]


def test_paths_refuses_to_list_a_path_above_its_own_maximum(write_course, monkeypatch, capsys):
    """Should the analysis ever contradict itself, paths says so as a bug of ours, never 150%."""
    folder = write_course({"course.yaml": COURSE, "scenario.md": scenario(NEGATIVE)})
    analyse = analysis.analyse

    def understated(module):
        found = analyse(module)
        found.max_points = 8  # the best path earns 10
        return found

    monkeypatch.setattr(analysis, "analyse", understated)
    with pytest.raises(AssertionError, match=r'a path earns 10 points, above the maximum of 8'):
        build.paths_report(build.check(folder))
    from generator import cli
    assert cli.main(["paths", str(folder)]) == cli.EXIT_INTERNAL
    assert "internal error" in capsys.readouterr().err


def _random_scenario(rnd) -> str:
    """A small scenario with flags, conditions, loops and dead ends (not always a valid course)."""
    size = rnd.randint(2, 8)
    endings = rnd.randint(1, 2)
    ids = [f"n{i}" for i in range(size)] + [f"e{i}" for i in range(endings)]
    text = []
    for i in range(size):
        choices = []
        for c in range(rnd.randint(0 if i else 1, 3)):
            attrs = [f"points={rnd.choice([-2, 0, 0, 1, 3])}"] if i == 0 or rnd.random() < 0.5 else []
            if rnd.random() < 0.3:
                attrs.append(f"set={rnd.choice('ab')}")
            if rnd.random() < 0.2:
                attrs.append(f"unset={rnd.choice('ab')}")
            if rnd.random() < 0.3:
                attrs.append(rnd.choice(['if=flag.a', 'if=flag.b', 'if="not flag.a"']))
            target = rnd.choice(ids[1:] + ids[size:] * 2)  # a little more likely to end
            choices.append(f"- [Go {c}](#{target})" + (" {" + " ".join(attrs) + "}" if attrs else ""))
        text.append(f"# Node {i} {{#n{i}}}\nText.\n" + "\n".join(choices) + "\n")
    for j in range(endings):
        text.append(f"# End {j} {{#e{j} .ending outcome=good}}\nDone.\n")
    return "\n".join(text)


def _replay(found, path):
    """Follow a path through the state graph: every step must be a transition shown there."""
    state, points = found.start, 0
    for step in path.steps:
        assert state.node == step.node
        moves = {t.choice: t for t in found.edges[state]}
        assert step.choice in moves, f"choice {step.choice} is not shown at {state}"
        assert moves[step.choice].points == step.points
        points += step.points
        state = moves[step.choice].target
    assert state.node == path.ending and found.scenario.nodes[path.ending].is_ending
    assert points == path.points


def test_covering_walks_take_every_choice_that_leads_on_to_an_ending(tmp_path):
    # Oracle, computed naively from the state graph: a choice shown in some reachable state
    # that leads to a state from which some ending can still be reached. Every path the
    # enumeration lists (a different algorithm) must be within it too.
    import random

    from generator.diagnostics import Diagnostics
    from generator.source import loader

    rnd = random.Random(20)
    checked = 0
    for number in range(400):
        folder = tmp_path / f"c{number}"
        folder.mkdir()
        (folder / "course.yaml").write_text(COURSE, encoding="utf-8")
        (folder / "scenario.md").write_text(scenario(_random_scenario(rnd)), encoding="utf-8")
        course = loader.load_course(loader.find_course_file(str(folder)), Diagnostics())
        found = analysis.analyse(course.modules[0])
        if found.best is None:
            continue
        ends = {s for s in found.edges if found.scenario.nodes[s.node].is_ending}
        while True:
            more = {s for s, out in found.edges.items() if any(t.target in ends for t in out)} - ends
            if not more:
                break
            ends |= more
        expected = {(s.node, t.choice) for s, out in found.edges.items() for t in out if t.target in ends}
        walks = analysis.coverage_paths(found)
        for walk in walks:
            _replay(found, walk)
        taken = {(s.node, s.choice) for p in walks for s in p.steps}
        assert taken == expected
        assert {p.ending for p in walks} == {s.node for s in found.edges if s in ends and not found.edges[s]
                                             and found.scenario.nodes[s.node].is_ending}
        assert {(s.node, s.choice) for p in analysis.enumerate_paths(found, 10_000) for s in p.steps} <= taken
        assert walks[0] == found.best and len(set(walks)) == len(walks)
        checked += 1
    assert checked > 150  # most random scenarios have a best path to check against


def test_a_deep_scenario_is_covered_by_walks_in_proportion_to_its_width(write_course):
    # Five nodes a layer, 300 layers; each node leads two ways into the next layer, half of
    # them a third way past it, to nodes picked at random (seeded). Taking the choices left
    # one walk each, every walk 300 steps long, made 523 walks here (and 1,188 walks and 18 s
    # for the bench's 10,000 nodes).
    import random

    rnd = random.Random(5)
    layers, width = 300, 5
    at = lambda layer, i: f"l{layer}-{i}" if layer < layers else f"end-{i}"  # noqa: E731
    nodes = ["# Start {#start}\n" + "".join(f"- [Go](#l0-{i})\n" for i in range(width))]
    for layer in range(layers):
        for i in range(width):
            ways = [at(layer + 1, rnd.randrange(width)), at(layer + 1, rnd.randrange(width))]
            if rnd.random() < 0.5:
                ways.append(at(min(layer + 2, layers), rnd.randrange(width)))
            nodes.append(f"# L{layer} {i} {{#l{layer}-{i}}}\n"
                         + "".join(f"- [Way {k}](#{way}){{points={k}}}\n" for k, way in enumerate(ways)))
    nodes += [f"# End {i} {{#end-{i} .ending outcome=good}}\n" for i in range(width)]
    found = build.check(write_course({"course.yaml": COURSE, "scenario.md": scenario("\n".join(nodes))})).analyses["s"]
    walks = analysis.coverage_paths(found)
    shown = {(s.node, t.choice) for s, out in found.edges.items() for t in out}
    assert {(s.node, s.choice) for p in walks for s in p.steps} == shown
    assert len(walks) <= 8 * width
