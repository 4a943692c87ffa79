"""Child process of the bench: `plan.walks` (the whole-course walks `coursegen test` plays,
with their predictions) on a course of many small modules, as a catalogue's long refresher
or a course split into one scenario per case has.

usage: plan_probe.py MODULES  -> one JSON line on stdout

The course is MODULES two-choice scenarios (a good ending worth 10 points, a bad one 2), a
badge for a course score of at least half, and a quiz at the end: its worst walk fails, so
the plan adds "fail, then recover" (every module below target played again from the
results, one at a time). Checked once, then collected and frozen (gc.freeze); the
planning is the minimum of 3 runs, in CPU time.
"""
from __future__ import annotations

import gc
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator import build  # noqa: E402
from generator.walks import plan  # noqa: E402

SCENARIO = """---
id: s{n}
title: Case {n}
kind: scenario
---

# A message {{#start}}
A colleague asks for the launch date in a public channel.
- [Answer in a direct message](#good){{points=10}}
- [Answer in the channel](#bad){{points=2}}

# Kept private {{#good .ending outcome=good}}
The date stays inside the team.

# Said in public {{#bad .ending outcome=bad}}
The date is now in a channel with guests.
"""
QUIZ = """---
id: check
title: Check
kind: quiz
---

## Where does a launch date go? {#q1 type=single}
- [x] A direct message
- [ ] A public channel
"""


def course(folder: Path, modules: int, quiz_first: bool = False) -> Path:
    scenarios = "".join(f"  - s{n}.md\n" for n in range(modules))
    listed = "  - check.md\n" + scenarios if quiz_first else scenarios + "  - check.md\n"
    (folder / "course.yaml").write_text(
        "id: many\ntitle: Many cases\nversion: 1.0.0\npass_mark: 80\nmodules:\n" + listed
        + "badges:\n  - id: half\n    title: Half way\n    description: Half the points.\n"
        + "    when: score >= " + str(5 * modules) + "\n", encoding="utf-8")
    for n in range(modules):
        (folder / f"s{n}.md").write_text(SCENARIO.format(n=n), encoding="utf-8")
    (folder / "check.md").write_text(QUIZ, encoding="utf-8")
    return folder


def main(modules: int) -> None:
    with tempfile.TemporaryDirectory(prefix="coursegen-plan-") as scratch:
        checked = build.check(course(Path(scratch), modules))
    assert not checked.diagnostics.has_errors(), [str(d) for d in checked.diagnostics]
    gc.collect()
    gc.freeze()
    seconds = []
    for _ in range(3):
        mark = time.process_time()
        walks = plan.walks(checked.course, checked.analyses)
        seconds.append(time.process_time() - mark)
    recovery = next((w for w in walks if w.role == "fail, then recover"), None)
    print(json.dumps({"modules": modules + 1, "walks": len(walks), "plan_s": min(seconds),
                      "replayed": len(recovery.again) if recovery else 0,
                      "recovered": bool(recovery and recovery.expected.passed)}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
