"""Resume data that puts a learner on any scenario node: the preview's "jump to node".

The runtime resumes from suspend_data (docs/course-json.md, "Resume state"), so a
jump is a launch with hand-made data: every module before the scenario finished
with its best result, the scenario on the chosen node with the chosen flags and
no points yet. This encoder is written from the contract, not from the runtime,
so a jump that lands is also a check that both read the format the same way.
"""
from __future__ import annotations

from .analysis import ScenarioAnalysis
from .model import Course, Lesson, Quiz, Scenario
from .state import b36, suspend_data


class JumpError(ValueError):
    """The requested scenario, node or flag does not exist; the message says which."""


def _finished(module, analysis: ScenarioAnalysis | None) -> str:
    """A module the learner has completed with its best result (the state after a perfect run)."""
    if isinstance(module, Lesson):
        return f"{b36(max(len(module.pages) - 1, 0))}*"
    if isinstance(module, Scenario):
        best = analysis.best if analysis else None
        if best is None:
            raise JumpError(f'scenario "{module.id}" has no path to an ending, so the modules after it '
                            "cannot be reached")
        points = max(best.points, -analysis.max_points)
        return "_".join(b36(n) for n in (best.ending, 0, points, max(0, best.points), best.ending))
    assert isinstance(module, Quiz)
    asked, top = module.asked, module.max_points
    # attempt 1, on its last question, full marks, seed 0, best = full marks, passed, no feedback pending
    return "_".join([b36(1), b36(asked - 1), b36(top), b36(0), b36(top), "1", "-"])


def jump(course: Course, analyses: dict[str, ScenarioAnalysis], scenario_id: str, node_id: str,
         flags: list[str]) -> dict:
    """{"data": suspend_data, "location": bookmark} for the learner standing on that node."""
    index = next((i for i, m in enumerate(course.modules) if m.id == scenario_id), None)
    if index is None or not isinstance(course.modules[index], Scenario):
        raise JumpError(f'no scenario "{scenario_id}" in this course')
    scenario = course.modules[index]
    nodes = scenario.node_index()
    if node_id not in nodes:
        raise JumpError(f'scenario "{scenario_id}" has no node "{node_id}"')
    unknown = [f for f in flags if f not in scenario.flags]
    if unknown:
        raise JumpError(f'scenario "{scenario_id}" has no flag "{unknown[0]}" (its flags: '
                        f'{", ".join(scenario.flags) or "none"})')
    mask = sum(1 << scenario.flags.index(f) for f in set(flags))
    fields = [_finished(m, analyses.get(m.id)) for m in course.modules[:index]]
    fields.append("_".join([b36(nodes[node_id]), b36(mask), "0", "-", "-"]))
    fields += [""] * (len(course.modules) - index - 1)
    return {"data": suspend_data(course, fields, index), "location": f"{scenario_id}/{node_id}"}
