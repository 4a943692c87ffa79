"""Child process of the bench: `coverage_paths` (the walk planner of `coursegen test`) on one
course's first scenario, beside `analyse` (one breadth-first pass over the same state graph,
linear by construction) as the control for what this machine's caches and allocator cost
at that size.

usage: coverage_probe.py COURSE_DIR  -> one JSON line on stdout

The model is loaded first, then collected and frozen (gc.freeze), so neither measurement
pays for the loader's garbage; each is the minimum of 3 runs, in CPU time.
"""
from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.check import analysis  # noqa: E402
from generator.diagnostics import Diagnostics  # noqa: E402
from generator.model import Scenario  # noqa: E402
from generator.source import loader  # noqa: E402


def main(course_dir: str) -> None:
    course = loader.load_course(loader.find_course_file(course_dir), Diagnostics())
    scenario = next(m for m in course.modules if isinstance(m, Scenario))
    gc.collect()
    gc.freeze()
    clock = time.process_time
    analyse, cover = [], []
    for _ in range(3):
        mark = clock()
        found = analysis.analyse(scenario)
        analyse.append(clock() - mark)
        mark = clock()
        walks = analysis.coverage_paths(found)
        cover.append(clock() - mark)
    transitions = sum(len(out) for out in found.edges.values())
    taken = {(s.node, s.choice) for p in walks for s in p.steps}
    print(json.dumps({"nodes": len(scenario.nodes), "states": len(found.edges), "transitions": transitions,
                      "analyse_s": min(analyse), "coverage_s": min(cover), "walks": len(walks),
                      "steps": sum(len(p.steps) for p in walks), "choices_taken": len(taken),
                      "choices_shown": len({(s.node, t.choice) for s, out in found.edges.items() for t in out})}))


if __name__ == "__main__":
    main(sys.argv[1])
