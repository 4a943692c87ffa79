"""Synthetic courses for tests: many small scenarios, to probe size limits."""
from __future__ import annotations

SCENARIO = """---
id: s{n}
title: Scenario {n}
kind: scenario
---

# Start {{#start}}
A choice.
- [Careful](#good){{points=3 set=asked}}
- [Hasty](#bad){{points=-2}}

# Good {{#good .ending outcome=good}}
Well done.

# Bad {{#bad .ending outcome=bad}}
Not so well.
"""
PER_MODULE = len(".2_1_-3_3_2")  # one scenario's field of the resume state at its largest
HEADER = len("abcdef|1z141z3|") + len("9z") + len(".0")  # 300-odd modules: two digits of "current"


def many_scenarios(count: int) -> dict[str, str]:
    """{file name: text} of a course of `count` two-choice scenarios."""
    files = {"course.yaml": "id: big\ntitle: Big\nversion: 1.0.0\nmodules:\n"
             + "".join(f"  - s{n}.md\n" for n in range(count))}
    files.update({f"s{n}.md": SCENARIO.format(n=n) for n in range(count)})
    return files


def just_under_scorm12() -> int:
    return (4096 - HEADER) // PER_MODULE
