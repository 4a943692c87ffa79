"""Resume data that puts a learner on any scenario node: the preview's "jump to node".

The runtime resumes from suspend_data (docs/course-json.md, "Resume state"), so a
jump is a launch with hand-made data: every module before the scenario finished
with its best result, the scenario on the chosen node with the chosen flags and
no points yet. This encoder is written from the contract, not from the runtime,
so a jump that lands is also a check that both read the format the same way.
"""
from __future__ import annotations

from ..check.analysis import ScenarioAnalysis
from ..check.state import scenario_field, settle_quiz, settle_scenario, suspend_data
from ..model import Course, Lesson, Quiz, Scenario


class JumpError(ValueError):
    """The requested scenario, node or flag does not exist; the message says which."""


def _settled(module, analysis: ScenarioAnalysis | None) -> str:
    """The record of a module the learner completed with its best result (after a perfect run)."""
    if isinstance(module, Lesson):
        return ""
    if isinstance(module, Scenario):
        best = analysis.best if analysis else None
        if best is None:
            raise JumpError(f'scenario "{module.id}" has no path to an ending, so the modules after it '
                            "cannot be reached")
        return settle_scenario(module, analysis.max_points, analysis.max_points, best.ending)
    assert isinstance(module, Quiz)
    return settle_quiz(module, module.max_points, True, 1)  # full marks, passed, first attempt, no retake


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
    settled = "".join(_settled(m, analyses.get(m.id)) for m in course.modules[:index])
    # Seed 0 (a fixed order until a replay draws one) and no path: the preview jumped, nobody chose.
    here = scenario_field(nodes[node_id], mask, 0, None, None, 0 if scenario.shuffle else None, "")
    return {"data": suspend_data(course, index, settled, here), "location": f"{scenario_id}/{node_id}"}
