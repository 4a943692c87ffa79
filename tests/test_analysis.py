"""The scenario analysis (generator/check/analysis.py) on small scenarios worked out by hand.

The analysis decides what an author is told (stuck learners, loops that pump points)
and what every later stage trusts (the maximum, the paths, the walks), so each answer
here is one a reader can check with a pencil.
"""
from __future__ import annotations

from generator.check import analysis
from generator.diagnostics import Diagnostics, Location
from generator.source import loader

FRONT = "---\nid: s\ntitle: S\nkind: scenario\n---\n\n"


def scenario_of(body: str, tmp_path):
    path = tmp_path / "s.md"
    path.write_text(FRONT + body, encoding="utf-8")
    diags = Diagnostics()
    module = loader.load_module(path, diags, Location(path))
    assert not diags.has_errors(), diags.format()
    return module


def analyse(body: str, tmp_path) -> analysis.ScenarioAnalysis:
    return analysis.analyse(scenario_of(body, tmp_path))


# The loop of issue 13: "Ask a friend" leads back to the start with 5 points, so
# every round earns 5 more and the scenario has no maximum.
ASK_A_FRIEND = """
# Start {#start}
Pick.
- [Finish well](#done){points=10}
- [Ask a friend](#friend)

# Friend {#friend}
They answer.
- [Back to the start](#start){points=5}

# Done {#done .ending outcome=good}
Well done.
"""


def test_a_loop_back_to_the_start_that_earns_points_has_no_maximum(tmp_path):
    found = analyse(ASK_A_FRIEND, tmp_path)
    assert found.positive_cycle is not None
    node, choice = found.positive_cycle
    assert found.scenario.nodes[node].choices[choice].text in ("Back to the start", "Ask a friend")
    assert found.best is None


def test_the_same_loop_setting_a_flag_has_no_maximum(tmp_path):
    # Round one sets the flag; from then on the loop returns to the same state and earns 5 each time.
    found = analyse(ASK_A_FRIEND.replace("{points=5}", "{points=5 set=asked}"), tmp_path)
    assert found.positive_cycle is not None
    assert found.best is None


def test_a_loop_that_earns_nothing_keeps_its_maximum(tmp_path):
    found = analyse(ASK_A_FRIEND.replace("{points=5}", "{points=0}"), tmp_path)
    assert found.positive_cycle is None
    assert found.max_points == 10


# --- against an independent brute-force oracle (tests/oracle.py) --------------------------

from pathlib import Path  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

import oracle  # noqa: E402
from generator import model  # noqa: E402

FLAGS = ("a", "b", "c")
AT = Location(Path("s.md"))


def conditions(flags, depth: int = 2):
    leaves = st.just(("unknown",))
    if flags:
        leaves = st.one_of(st.sampled_from(flags).map(lambda f: ("flag", f)), leaves)
    if depth == 0:
        return leaves
    inner = conditions(flags, depth - 1)
    return st.one_of(leaves, inner.map(lambda c: ("not", c)),
                     st.tuples(st.sampled_from(("and", "or")), inner, inner))


@st.composite
def scenarios(draw):
    """Up to 8 nodes, up to 3 flags set and unset, conditions, loops, dead ends, maybe no ending."""
    count = draw(st.integers(2, 8))
    # Mostly with an ending or two (a scenario without one is rare but must be handled).
    endings = draw(st.sets(st.integers(1, count - 1), min_size=1 if draw(st.integers(0, 9)) else 0,
                           max_size=max(1, count // 3)))
    nodes = []
    for index in range(count):
        choices = []
        if index not in endings:
            fewest = 0 if index and draw(st.integers(0, 5)) == 0 else 1  # now and then a node with no choice
            for _ in range(draw(st.integers(fewest, 3))):
                # Mostly onwards, as scenarios are written; a quarter of the links go anywhere (loops).
                ahead = draw(st.integers(0, 3)) > 0 and index < count - 1
                choices.append({
                    "to": draw(st.integers(index + 1, count - 1) if ahead else st.integers(0, count - 1)),
                    "points": draw(st.integers(-5, 5)),
                    "set": draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True)),
                    "unset": draw(st.lists(st.sampled_from(FLAGS), max_size=1, unique=True)),
                })
        nodes.append({"ending": index in endings, "choices": choices})
    # A condition may name only a flag some choice sets (any other is an author's error).
    flags = sorted({f for node in nodes for c in node["choices"] for f in c["set"]})
    for node in nodes:
        for choice in node["choices"]:
            choice["if"] = draw(conditions(flags)) if draw(st.integers(0, 2)) == 0 else None
    return nodes


def _tree(cond):
    if cond[0] == "flag":
        return model.Name(("flag", cond[1]), AT)
    if cond[0] == "unknown":
        return model.Name(("module", "other", "passed"), AT)
    if cond[0] == "not":
        return model.Not(_tree(cond[1]), AT)
    return model.Logic(cond[0], _tree(cond[1]), _tree(cond[2]), AT)


def to_model(nodes) -> model.Scenario:
    built = []
    for index, node in enumerate(nodes):
        choices = tuple(model.Choice(f"choice {k}", f"n{c['to']}", c["points"], tuple(c["set"]), tuple(c["unset"]),
                                     model.Expression("", _tree(c["if"]), AT) if c["if"] else None, AT, AT)
                        for k, c in enumerate(node["choices"]))
        built.append(model.Node(f"n{index}", f"Node {index}", (), choices, node["ending"],
                                "good" if node["ending"] else None, AT, AT))
    return model.Scenario("s", "S", (), tuple(built), Path("s.md"), AT)


def _named(found: analysis.ScenarioAnalysis, states) -> set:
    return {(s.node, frozenset(f for i, f in enumerate(found.flags) if s.flags >> i & 1)) for s in states}


@settings(derandomize=True, max_examples=500, deadline=None)
@given(scenarios())
def test_analysis_agrees_with_the_brute_force_oracle(nodes):
    found = analysis.analyse(to_model(nodes))
    truth = oracle.explore(nodes)
    assert found.reachable_nodes == truth["reachable"]
    assert _named(found, found.dead_ends) == truth["dead_ends"]
    assert _named(found, found.trapped) == truth["trapped"]
    assert (found.positive_cycle is None) == truth["bounded"]
    if found.positive_cycle is not None:
        # The choice named to the author is shown somewhere on a pumping loop and stays on it.
        node, choice = found.positive_cycle
        on_loop = [p for p in truth["pumping"] if p[0] == node]
        assert any(number == choice and there in truth["pumping"]
                   for p in on_loop for number, there, _ in oracle.moves(nodes, p))
    assert found.max_points == truth["maximum"]
    assert (found.best.points if found.best else None) == truth["best"]


@settings(derandomize=True, max_examples=500, deadline=None)
@given(scenarios())
def test_the_running_floor_changes_no_score_and_the_total_stays_within_bounds(nodes):
    found = analysis.analyse(to_model(nodes))
    truth = oracle.explore(nodes)
    if not truth["bounded"] or truth["trapped"] or truth["dead_ends"] or truth["best"] is None:
        return  # an author's error: the course does not build
    reached = oracle.running_totals(nodes, found.floor)
    assert len(reached) < 10_000, "the running total is not bounded"
    for node, _, points, lifted in reached:
        assert found.floor <= points <= found.ceiling
        if lifted and nodes[node]["ending"]:
            assert points <= 0, "the floor lifted a total that then scored"
