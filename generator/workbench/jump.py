"""Resume data that puts a learner on any scenario node: the preview's "jump to node".

The runtime resumes from suspend_data (docs/course-json.md, "Resume state"), so a
jump is a launch with hand-made data: every module before the scenario finished
with its best result, the scenario on the chosen node with the chosen flags and
no points yet. This encoder is written from the contract, not from the runtime,
so a jump that lands is also a check that both read the format the same way.
"""
from __future__ import annotations

from ..check.analysis import ScenarioAnalysis
from ..check.state import (fnv1a, lesson_field, quiz_field, scenario_field, settle_quiz, settle_scenario,
                           suspend_data)
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


def module_start(course: Course, analyses: dict[str, ScenarioAnalysis], module_id: str) -> dict:
    """{"data", "location"} for a learner at the start of a module: a lesson's first page,
    a scenario's start, a quiz's first question (earlier modules finished with their best)."""
    index = next((i for i, m in enumerate(course.modules) if m.id == module_id), None)
    if index is None:
        raise JumpError(f'no module "{module_id}" in this course')
    module = course.modules[index]
    if isinstance(module, Scenario):
        return jump(course, analyses, module.id, module.nodes[0].id, [])
    settled = "".join(_settled(m, analyses.get(m.id)) for m in course.modules[:index])
    here = lesson_field(0, False) if isinstance(module, Lesson) else \
        quiz_field(1, 0, 0, fnv1a(module.id), None, False, None)  # a fixed seed: the same order each time
    return {"data": suspend_data(course, index, settled, here), "location": module.id}


def relocate(old: Course, new: Course, new_analyses: dict[str, ScenarioAnalysis], place: str) -> dict:
    """Where a learner at `place` ("module" or "scenario/node") of the course as it was before an
    edit goes in the edited course, whose saved progress no longer fits: the same node if it is
    still there, else the nearest node before it that is, else the start of its module (or of the
    module now at its position). {"data", "location", "note"}; the note says where, and why."""
    module_id, _, node_id = place.partition("/")
    before = old.module(module_id)
    now = new.module(module_id)
    if not module_id:  # past the last module: the results
        landing = module_start(new, new_analyses, new.modules[-1].id)
        return {**landing, "note": "Your edit changed the course's structure, so the saved progress was reset: "
                                   f"you are at the start of its last module, {_called(new.modules[-1])}."}
    if now is None:
        position = old.modules.index(before) if before is not None else 0
        now = new.modules[min(position, len(new.modules) - 1)]
        landing = module_start(new, new_analyses, now.id)
        return {**landing, "note": f'{_saved(place, old)} is no longer in the course after your edit: you are '
                                   f'at the start of {_called(now)}.'}
    if isinstance(now, Scenario) and isinstance(before, Scenario) and node_id:
        survivor = _nearest_surviving(before, now, node_id)
        if survivor is not None:
            landing = jump(new, new_analyses, now.id, survivor, [])
            node = now.nodes[now.node_index()[survivor]]
            if survivor == node_id:
                note = (f'Your edit changed the course\'s structure, so the saved progress was reset: you are back '
                        f'on "{node.title}" (#{node.id}) of {_called(now)}, with no flags set.')
            elif node.title == before.nodes[before.node_index()[node_id]].title:
                note = (f'Node #{node_id} is now #{node.id} after your edit: you are back on "{node.title}" of '
                        f"{_called(now)}, with no flags set.")
            else:
                note = (f'Node #{node_id} is no longer in {_called(now)} after your edit: you are on "{node.title}" '
                        f"(#{node.id}), the nearest node before it that is still there.")
            return {**landing, "note": note}
    landing = module_start(new, new_analyses, now.id)
    return {**landing, "note": f"Your edit changed the course's structure, so the saved progress was reset: you "
                               f"are at the start of {_called(now)}."}


def _nearest_surviving(before: Scenario, now: Scenario, node_id: str) -> str | None:
    """The node itself, or the closest of the nodes leading to it (in the scenario as it was) whose
    id the edited scenario still has: the way the learner probably came."""
    survives = now.node_index()
    index = before.node_index()

    def open_node(node: str) -> bool:  # an ending would put the learner past their choices
        return node in survives and not now.nodes[survives[node]].is_ending

    if open_node(node_id):
        return node_id
    if node_id not in index:
        return None
    title = before.nodes[index[node_id]].title
    renamed = [n.id for n in now.nodes if n.title == title and open_node(n.id)]
    if len(renamed) == 1:  # the same node under a new id
        return renamed[0]
    leading: dict[int, list[int]] = {}
    for i, node in enumerate(before.nodes):
        for choice in node.choices:
            if choice.target in index:
                leading.setdefault(index[choice.target], []).append(i)
    seen, frontier = {index[node_id]}, [index[node_id]]
    while frontier:
        step = []
        for at in frontier:
            for previous in leading.get(at, []):
                if previous not in seen:
                    seen.add(previous)
                    step.append(previous)
        for i in sorted(step):  # nearest first, in source order among equals
            if open_node(before.nodes[i].id):
                return before.nodes[i].id
        frontier = step
    return None


def _called(module) -> str:
    return f'"{module.title}"'


def _saved(place: str, course: Course) -> str:
    module = course.module(place.partition("/")[0])
    return f'"{module.title}"' if module is not None else f'"{place}"'
