"""The `when`/`if` evaluators: Python's three-valued one (the analysis does not know other
modules' results, so a name may be UNKNOWN) and the runtime's (which always knows them).

Kleene's logic is what makes a hidden choice safe to reason about: "flag.a and X" is
surely false when the flag is off, whatever X turns out to be, so the analysis may treat
the choice as hidden; anything it cannot decide counts as possibly shown.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

import runtime_node
from generator.diagnostics import Diagnostics, Location
from generator.model import Compare, Literal, Logic, Name, Not
from generator.source import expressions
from generator.source.expressions import UNKNOWN

AT = Location(Path("course.yaml"))
T, F, U = True, False, UNKNOWN


def parse(source: str):
    diags = Diagnostics()
    parsed = expressions.parse(source, AT, diags)
    assert parsed is not None and not diags.has_errors(), diags.format()
    return parsed.tree


def value(source: str, **names):
    """Evaluate with flag.NAME / module.ID.FIELD values given as keyword arguments
    (dots and hyphens as underscores); any other name is UNKNOWN."""
    def lookup(parts):
        return names.get("_".join(parts).replace("-", "_"), UNKNOWN)
    return expressions.evaluate(parse(source), lookup)


@pytest.mark.parametrize("left", [T, F, U])
@pytest.mark.parametrize("right", [T, F, U])
def test_and_or_not_follow_kleene(left, right):
    given = {"flag_a": left, "flag_b": right}
    given = {k: v for k, v in given.items() if v is not UNKNOWN}
    both = value("flag.a and flag.b", **given)
    either = value("flag.a or flag.b", **given)
    if F in (left, right):
        assert both is False
    elif U in (left, right):
        assert both is UNKNOWN
    else:
        assert both is True
    if T in (left, right):
        assert either is True
    elif U in (left, right):
        assert either is UNKNOWN
    else:
        assert either is False
    assert value("not flag.a", **given) is (UNKNOWN if left is U else not left)


def test_a_known_flag_decides_what_another_module_cannot():
    assert value("flag.a and module.kc.passed", flag_a=False) is False
    assert value("flag.a or module.kc.passed", flag_a=True) is True
    assert value("flag.a and module.kc.passed", flag_a=True) is UNKNOWN
    assert value("not (flag.a or module.kc.score >= 5)", flag_a=True) is False


def test_a_comparison_with_an_unknown_side_is_unknown():
    assert value("module.kc.score >= 5") is UNKNOWN
    assert value('module.s.outcome == "good"') is UNKNOWN
    assert value("percent < 50") is UNKNOWN
    assert value("module.kc.score >= 5", module_kc_score=5) is True
    assert value('module.s.outcome != "good"', module_s_outcome="bad") is True
    assert value("score < 3", score=3) is False


def test_hyphenated_ids_are_names_not_arithmetic():
    assert value("module.conference-talk.score >= 10", module_conference_talk_score=12) is True


# --- Python and the runtime agree on every tree with known values ------------------------------

MODULES = ("a", "b")
FLAGS = ("x", "y")


def random_tree(rnd: random.Random, depth: int):
    if depth == 0 or rnd.random() < 0.25:
        kind = rnd.choice(["flag", "passed", "cmp", "cmp"])
        if kind == "flag":
            return Name(("flag", rnd.choice(FLAGS)), AT)
        if kind == "passed":
            return Name(("module", rnd.choice(MODULES), "passed"), AT)
        if rnd.random() < 0.3:
            side = Name(("module", rnd.choice(MODULES), "outcome"), AT)
            return Compare(rnd.choice(["==", "!="]), side, Literal(rnd.choice(["good", "neutral", "bad", ""]), AT), AT)
        name = rnd.choice([("percent",), ("score",), ("module", "a", "score"), ("module", "b", "percent")])
        return Compare(rnd.choice(expressions.COMPARISONS), Name(name, AT), Literal(rnd.randint(0, 12), AT), AT)
    if rnd.random() < 0.2:
        return Not(random_tree(rnd, depth - 1), AT)
    return Logic(rnd.choice(["and", "or"]), random_tree(rnd, depth - 1), random_tree(rnd, depth - 1), AT)


def test_python_and_the_runtime_evaluate_300_trees_alike():
    rnd = random.Random(14)
    jobs, expected = [], []
    for _ in range(300):
        tree = random_tree(rnd, 3)
        values = {"percent": rnd.randint(0, 12), "score": rnd.randint(0, 12),
                  "flags": [rnd.random() < 0.5 for _ in FLAGS],
                  "modules": [{"score": rnd.randint(0, 12), "percent": rnd.randint(0, 12),
                               "outcome": rnd.choice(["good", "neutral", "bad", ""]),
                               "passed": rnd.random() < 0.5} for _ in MODULES]}

        def lookup(parts, values=values):
            if parts[0] == "flag":
                return values["flags"][FLAGS.index(parts[1])]
            if parts[0] == "module":
                return values["modules"][MODULES.index(parts[1])][parts[2]]
            return values[parts[0]]

        expected.append(expressions.evaluate(tree, lookup))
        runtime_tree = expressions.to_runtime(tree, {m: i for i, m in enumerate(MODULES)},
                                              {f: i for i, f in enumerate(FLAGS)})
        jobs.append({"expr": runtime_tree, "values": values})
    got = [result["value"] for result in runtime_node.run(jobs)]
    assert got == expected
    assert {True, False} <= set(expected)
