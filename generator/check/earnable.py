"""Can a badge's condition ever hold? A sound over-approximation from the analysis.

Each name a `when` may use gets the values it can take at some moment a badge
is judged (after any finished module): numbers as a range, outcomes and
true/false as sets, bounded by the course maximum, the module maxima and the
endings a learner can reach. Comparisons and logic are then judged over those
values, each side on its own, so "can be true" is never wrongly denied: when
the answer is "never", no learner can earn the badge, whatever they do.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import rules
from ..model import Compare, Course, Expr, Literal, Logic, Name, Not, Scenario
from .analysis import ScenarioAnalysis, maxima


@dataclass(frozen=True)
class Span:
    """Whole numbers from low to high."""

    low: int
    high: int


@dataclass(frozen=True)
class Verdict:
    can_hold: bool
    name: Name | None = None  # the name whose values rule it out
    reason: str = ""  # what those values are, in the author's terms


def judge(tree: Expr, course: Course, analyses: dict[str, ScenarioAnalysis]) -> Verdict:
    """Whether the condition can hold at some moment a badge is judged, and if not, why."""
    truths, verdict = _Judge(course, analyses).truths(tree)
    return Verdict(True) if True in truths else verdict or Verdict(False)


class _Judge:
    def __init__(self, course: Course, analyses: dict[str, ScenarioAnalysis]):
        self.course, self.analyses = course, analyses
        self.scenario_max = maxima(analyses)
        self.course_max = rules.course_max(course, self.scenario_max)

    def values(self, parts: tuple[str, ...]) -> tuple[Span | frozenset | None, str]:
        """What a name can be (None: not known here), and those values in words."""
        if parts in (("percent",), ("score",)):
            maximum, whose = self.course_max, "the course maximum"
        else:
            module = self.course.module(parts[1]) if len(parts) == 3 else None
            if module is None:
                return None, ""
            if parts[2] == "passed":
                return frozenset({False, True}), ""  # false until the module is finished
            if parts[2] == "outcome":
                return self._outcomes(module)
            maximum = rules.module_max(module, self.scenario_max)
            whose = f"the maximum of {module.kind} \"{module.id}\""
        if parts[-1] == "percent":
            if maximum == 0:  # nothing to earn: 0 until finished, then 100 (rules.percent)
                return frozenset({0, 100}), "is 0 or 100: there are no points to earn"
            return Span(0, 100), "is at most 100"
        return Span(0, maximum), f"is at most {maximum} ({whose})"

    def _outcomes(self, module) -> tuple[frozenset, str]:
        found = self.analyses.get(module.id)
        reachable = {module.nodes[i].outcome for i in found.reachable_nodes if module.nodes[i].is_ending} \
            if isinstance(module, Scenario) and found else set()
        if not reachable:
            return frozenset({""}), "is never set: no ending can be reached"
        shown = " or ".join(f'"{o}"' for o in rules.OUTCOMES if o in reachable)
        return frozenset({""} | reachable), f"can only be {shown}: no other ending can be reached"

    def truths(self, tree: Expr) -> tuple[frozenset, Verdict | None]:
        """The truth values the condition can take, and why it cannot be true (when it cannot)."""
        if isinstance(tree, Not):
            inner, why = self.truths(tree.operand)
            return frozenset(not v for v in inner), None
        if isinstance(tree, Logic):
            left, why_left = self.truths(tree.left)
            right, why_right = self.truths(tree.right)
            if tree.op == "and":
                can_true, can_false = True in left and True in right, False in left or False in right
                why = why_left if True not in left else why_right
            else:
                can_true, can_false = True in left or True in right, False in left and False in right
                why = why_left or why_right
            return frozenset(v for v, possible in ((True, can_true), (False, can_false)) if possible), why
        if isinstance(tree, Compare):
            return self.compare(tree)
        return frozenset({True, False}), None  # module.ID.passed on its own

    def side(self, tree: Expr) -> tuple[Span | frozenset | None, str, Name | None]:
        if isinstance(tree, Literal):
            value = tree.value
            return (Span(value, value) if isinstance(value, int) else frozenset({value})), "", None
        if isinstance(tree, Name):
            found, words = self.values(tree.parts)
            return found, words, tree
        return None, "", None

    def compare(self, tree: Compare) -> tuple[frozenset, Verdict | None]:
        left, left_words, left_name = self.side(tree.left)
        right, right_words, right_name = self.side(tree.right)
        if left is None or right is None:
            return frozenset({True, False}), None  # an unknown name: an error of its own
        if isinstance(left, Span) or isinstance(right, Span):
            truths = _ranges(tree.op, _span(left), _span(right)) if _numbers(left) and _numbers(right) \
                else frozenset({tree.op == "!="})
        else:
            truths = frozenset(_apply(tree.op, a, b) for a in left for b in right)
        if True in truths or not truths:
            return truths or frozenset({True, False}), None
        name, words = (left_name, left_words) if left_name is not None else (right_name, right_words)
        return truths, Verdict(False, name, f'"{name.text}" {words}' if name is not None else "")


def _numbers(values) -> bool:
    return isinstance(values, Span) or all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _span(values) -> Span:
    """A range holding every number of `values` (a wider set only ever adds "can be true")."""
    return values if isinstance(values, Span) else Span(min(values), max(values))


def _ranges(op: str, a: Span, b: Span) -> frozenset:
    """The truth values `x op y` can take for x in a and y in b."""
    overlap = a.low <= b.high and b.low <= a.high
    single = a.low == a.high == b.low == b.high
    can = {"==": (overlap, not single), "!=": (not single, overlap),
           "<": (a.low < b.high, a.high >= b.low), "<=": (a.low <= b.high, a.high > b.low),
           ">": (a.high > b.low, a.low <= b.high), ">=": (a.high >= b.low, a.low < b.high)}[op]
    return frozenset(v for v, possible in zip((True, False), can) if possible)


def _apply(op: str, a, b) -> bool:
    if isinstance(a, str) != isinstance(b, str):
        return op == "!="  # a type mismatch is reported elsewhere
    if op in ("==", "!="):
        return (a == b) == (op == "==")
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
