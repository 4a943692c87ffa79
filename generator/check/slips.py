"""What a course may say but surely does not mean: warnings, never errors.

Each of these builds and plays, so refusing it would be wrong; each is also a
slip an author would want pointed out before a learner meets it (a badge nobody
can earn, a flag that changes nothing). Pure functions of the model and its
analyses, like every check.
"""
from __future__ import annotations

from .. import rules
from ..diagnostics import Diagnostics, closest
from ..model import Course, Expression, Name, Scenario
from . import earnable
from .analysis import ScenarioAnalysis, best_ending_in


def warn(course: Course, analyses: dict[str, ScenarioAnalysis], diags: Diagnostics) -> None:
    """Each file's doubts once it has no errors: until then they may only follow from one
    (a flag "never read" by a condition that did not parse)."""
    failing = {d.location.path for d in diags.errors}
    for module in course.modules:
        if isinstance(module, Scenario) and module.source not in failing:
            _flags_never_read(module, diags)
            found = analyses.get(module.id)
            if found is not None and found.scenario is module:
                _good_ending_below_pass_mark(module, found, course.pass_mark, diags)
    if not failing and not course.unread:  # a badge reads every module: any error may be why it cannot be earned
        _badges(course, analyses, diags)


def _names(tree):
    """Every name of an expression tree."""
    if isinstance(tree, Name):
        yield tree
    for child in ("left", "right", "operand"):
        if hasattr(tree, child):
            yield from _names(getattr(tree, child))


def _flags_never_read(scenario: Scenario, diags: Diagnostics) -> None:
    read = {name.parts[1] for node in scenario.nodes for choice in node.choices if choice.condition
            for name in _names(choice.condition.tree) if name.parts[0] == "flag" and len(name.parts) == 2}
    # A misspelt read (an error of its own) reads the flag it was meant for.
    read |= {closest(flag, scenario.flags) for flag in read - set(scenario.flags)}
    warned = set()
    for node in scenario.nodes:
        for choice in node.choices:
            for flag in choice.sets:
                if flag not in read and flag not in warned:
                    warned.add(flag)
                    diags.warning(choice.location, f'flag "{flag}" is set here but no if= of this scenario '
                                  f'reads it, so it changes nothing: show or hide a choice with if="flag.{flag}", '
                                  "or remove set=" + flag)


def _good_ending_below_pass_mark(scenario: Scenario, found: ScenarioAnalysis, pass_mark: int,
                                 diags: Diagnostics) -> None:
    """The right path should be worth passing: if the points lie on the way to a worse ending,
    a learner who does everything right scores below the pass mark on this scenario."""
    best = found.best
    if pass_mark == 0 or found.max_points <= 0 or best is None or scenario.nodes[best.ending].outcome == "good":
        return
    good = best_ending_in(found, ("good",))
    if good is None:
        return
    score = rules.scenario_score(found.running(good.steps), found.max_points)
    percent = rules.percent(score, found.max_points)
    if percent >= pass_mark:
        return
    ending, most = scenario.nodes[good.ending], scenario.nodes[best.ending]
    diags.warning(ending.location, f'the best path to a good ending ("{ending.id}") earns {score} of this '
                  f"scenario's {found.max_points} points ({percent}%), below the pass mark of {pass_mark}%: the "
                  f'maximum is only reached on the way to the {most.outcome} ending "{most.id}". Give the right '
                  "choices more points, or the wrong ones fewer")


def _badges(course: Course, analyses: dict[str, ScenarioAnalysis], diags: Diagnostics) -> None:
    # An unbounded scenario (an error of its own) has no maximum to judge against.
    bounded = all(found.positive_cycle is None for found in analyses.values())
    for badge in course.badges:
        if badge.when is None:
            if badge.id:
                diags.warning(badge.id_location, f'badge "{badge.id}" has no "when", so every learner who '
                              "finishes the course earns it, whatever their score: add a condition, like "
                              "when: percent >= 90, to reward more than finishing")
            continue
        if bounded:
            _unearnable(badge.id, badge.when, course, analyses, diags)


def _unearnable(badge_id: str, when: Expression, course: Course, analyses, diags: Diagnostics) -> None:
    verdict = earnable.judge(when.tree, course, analyses)
    if verdict.can_hold:
        return
    where = verdict.name.location if verdict.name is not None else when.location
    because = f": {verdict.reason}" if verdict.reason else ""
    diags.warning(where, f'badge "{badge_id}" can never be earned: no learner can make "{when.source}" '
                  f"true{because}. Change the condition to one a learner can meet, or remove the badge")
