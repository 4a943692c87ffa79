"""Child process of the bench: load one scenario module and time the analysis.

usage: analysis_probe.py SCENARIO.md  -> one JSON line on stdout

Runs in its own process so that an analysis that enumerates paths (2**30 of
them) is killed by the bench's time-out instead of hanging it.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.check import analysis  # noqa: E402
from generator.source import loader  # noqa: E402
from generator.diagnostics import Diagnostics, Location  # noqa: E402


def main(path: str) -> None:
    source = Path(path).resolve()
    diags = Diagnostics()
    scenario = loader.load_module(source, diags, Location(source, 1, 1))
    errors = [d.format() for d in diags.items if d.severity == "error"]
    if scenario is None or errors:
        print(json.dumps({"error": errors or ["could not load"]}))
        return
    started, cpu_started = time.perf_counter(), time.process_time()
    found = analysis.analyse(scenario)
    analysed, cpu_analysed = time.perf_counter(), time.process_time()
    paths = analysis.coverage_paths(found)
    covered, cpu_covered = time.perf_counter(), time.process_time()
    choices = {(i, c) for i, n in enumerate(scenario.nodes) for c in range(len(n.choices))}
    taken = {(s.node, s.choice) for p in paths for s in p.steps}
    endings = {i for i, n in enumerate(scenario.nodes) if n.is_ending}
    print(json.dumps({
        "nodes": len(scenario.nodes),
        "states": len(found.edges),
        "max_points": found.max_points,
        "analyse_s": analysed - started,
        "coverage_s": covered - analysed,
        "analyse_cpu_s": cpu_analysed - cpu_started,
        "coverage_cpu_s": cpu_covered - cpu_analysed,
        "paths": len(paths),
        "choices": len(choices),
        "choices_covered": len(taken & choices),
        "endings": len(endings),
        "endings_covered": len({p.ending for p in paths} & endings),
        "best_points": found.best.points if found.best else None,
    }))


if __name__ == "__main__":
    main(sys.argv[1])
