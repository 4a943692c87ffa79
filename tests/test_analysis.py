"""The scenario analysis (generator/check/analysis.py) on small scenarios worked out by hand.

The analysis decides what an author is told (stuck learners, loops that pump points)
and what every later stage trusts (the maximum, the paths, the walks), so each answer
here is one a reader can check with a pencil.
"""
from __future__ import annotations

import pytest

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
