"""Synthetic courses for tests: many small scenarios, to probe the resume-state limit.

Each scenario is worth 100 points ("2s" in base 36, the most SCORM 1.2 lets an
interaction weigh), so a scenario the learner has left settles into 3
characters of suspend_data (2 for the best score, 1 for the ending) and the one
in progress takes "2_1_-2s_2s_2_SSSSSSS_1" at most (node, flags, running points
as low as -100, best, ending, the 7-digit seed of its shuffled choices, the one
choice of its path). The longest state has the learner back in a scenario from
the results ("+" after the current index), every other scenario settled.
"""
from __future__ import annotations

from generator.check.state import b36

SCENARIO = """---
id: s{n}
title: Scenario {n}
kind: scenario
---

# Start {{#start}}
A choice.
- [Careful](#good){{points=100 set=asked}}
- [Hasty](#bad){{points=-2 if="not flag.asked"}}

# Good {{#good .ending outcome=good}}
Well done.

# Bad {{#bad .ending outcome=bad}}
Not so well.
"""
SETTLED = len("2s") + len("1")
IN_PROGRESS = len(".2_1_-2s_2s_2_SSSSSSS_1")


def many_scenarios(count: int) -> dict[str, str]:
    """{file name: text} of a course of `count` two-choice scenarios."""
    files = {"course.yaml": "id: big\ntitle: Big\nversion: 1.0.0\nmodules:\n"
             + "".join(f"  - s{n}.md\n" for n in range(count))}
    files.update({f"s{n}.md": SCENARIO.format(n=n) for n in range(count)})
    return files


def worst_case(count: int) -> int:
    """key|checksum|current+.badges.settled.in-progress, the learner back in one scenario from the results."""
    current = len(b36(count))
    return len("abcdef|1z141z3|") + current + len("+") + len(".0.") + SETTLED * (count - 1) + IN_PROGRESS


def just_under_scorm12() -> int:
    count = 1
    while worst_case(count + 1) <= 4096:
        count += 1
    return count
