"""The resume state (suspend_data) on the Python side: its encoding's pieces and,
at build time, its worst-case size.

Mirrors the encoding in docs/course-json.md ("Resume state"): every number in
it is bounded by the course's structure, never by how long a learner plays,
so the largest value of each field gives the largest string the runtime can
ever write. The branch walks check the runtime stays within this.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Mapping

from ..model import Course, Lesson, Quiz, Scenario
from ..rules import module_max
from .analysis import ScenarioAnalysis, maxima

LIMITS = {"scorm12": 4096, "scorm2004": 64000}
SEED_DIGITS = 7  # a 32-bit seed in base 36
CHECKSUM_DIGITS = 7  # FNV-1a 32-bit in base 36
KEY_DIGITS = 6


def digits(number: int) -> int:
    """Characters of an integer in base 36 (a negative one has a leading "-")."""
    return len(b36(number))


DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def b36(number: int | None) -> str:
    if number is None:
        return "-"
    if number < 0:
        return "-" + b36(-number)
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = DIGITS[rest] + out
        if not number:
            return out


def fnv1a(text: str) -> int:
    """FNV-1a 32-bit over UTF-16 code units, as the runtime's charCodeAt loop computes it."""
    data = text.encode("utf-16-le")
    h = 0x811C9DC5
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h


def pad36(number: int, width: int) -> str:
    return b36(number).rjust(width, "0")


def settled_widths(module, max_points: int) -> list[int]:
    """Digits of each number in the record of a module the learner has left."""
    if isinstance(module, Lesson):
        return []
    if isinstance(module, Scenario):
        return [digits(max_points), digits(max(len(module.nodes) - 1, 0))]
    return [digits(module.max_points), 1, digits(module.attempts)]


def settle_scenario(scenario: Scenario, maximum: int, best: int, ending: int) -> str:
    """The record of a scenario the learner has left: best score, then its ending node."""
    widths = settled_widths(scenario, maximum)
    return pad36(best, widths[0]) + pad36(ending, widths[1])


def settle_quiz(quiz: Quiz, best: int, passed: bool, attempts: int) -> str:
    """The record of a quiz the learner has left: best score, passed, attempts used."""
    widths = settled_widths(quiz, quiz.max_points)
    return pad36(best, widths[0]) + ("1" if passed else "0") + pad36(attempts, widths[2])


def scenario_field(node: int, flags: int, points: int, best: int | None, ending: int | None) -> str:
    """The scenario the learner is in: node, flags, running points, best score and its ending."""
    return "_".join(b36(n) for n in (node, flags, points, best, ending))


def quiz_field(attempt: int, position: int, score: int, seed: int, best: int | None, passed: bool,
               last: int | None) -> str:
    """The quiz the learner is in: attempt, position, score so far, seed, best, passed, last answer."""
    return "_".join(b36(n) for n in (attempt, position, score, seed, best, 1 if passed else 0, last))


def lesson_field(page: int, done: bool) -> str:
    return b36(page) + ("*" if done else "")


def suspend_data(course: Course, current: int, settled: str, current_field: str | None, badges: int = 0) -> str:
    """cur.badges.settled[.current] with its key and checksum (docs/course-json.md)."""
    fields = [b36(current), b36(badges), settled] + ([current_field] if current_field is not None else [])
    body = ".".join(fields)
    return f"{state_key(course)}|{b36(fnv1a(body))}|{body}"


def state_key(course: Course) -> str:
    """Changes whenever saved progress of an older build would no longer fit."""
    shape = [course.id, course.version]
    for module in course.modules:
        shape.append([module.kind, module.id])
        if isinstance(module, Scenario):
            shape.append([[n.id, [c.target for c in n.choices]] for n in module.nodes])
        elif isinstance(module, Quiz):
            shape.append([[q.id, len(q.options)] for q in module.questions])
        elif isinstance(module, Lesson):
            shape.append(len(module.pages))
    shape.append([badge.id for badge in course.badges])
    digest = hashlib.sha256(json.dumps(shape).encode()).digest()
    return b36(int.from_bytes(digest[:4], "big"))[:6]


@dataclass(frozen=True)
class StateSize:
    total: int
    by_module: dict[str, int]


def worst_case(course: Course, analyses: Mapping[str, ScenarioAnalysis]) -> StateSize:
    """`analyses`: each scenario's analysis, by module id.

    The string is longest with the learner in some module: every module before
    it settled (a few fixed-width digits), that one in full. `by_module` holds
    each module's full field, the part an author can shrink.
    """
    by_module = {}
    for module in course.modules:
        if isinstance(module, Lesson):
            size = digits(max(len(module.pages) - 1, 0)) + 1
        elif isinstance(module, Scenario):
            size = _scenario(module, analyses.get(module.id))
        else:
            size = _quiz(module)
        by_module[module.id] = size
    header = KEY_DIGITS + 1 + CHECKSUM_DIGITS + 1
    fixed = digits(len(course.modules)) + 1 + digits((1 << len(course.badges)) - 1) + 1
    longest, settled = 0, 0
    for module in course.modules:
        longest = max(longest, settled + 1 + by_module[module.id])
        settled += sum(settled_widths(module, module_max(module, maxima(analyses))))
    longest = max(longest, settled)  # at the results: everything settled
    return StateSize(header + fixed + longest, by_module)


def _scenario(scenario: Scenario, found: ScenarioAnalysis | None) -> int:
    nodes = digits(max(len(scenario.nodes) - 1, 0))
    flags = digits((1 << len(scenario.flags)) - 1)
    best = found.max_points if found else 0
    # The running total stays within the analysis' floor and ceiling (docs/course-json.md).
    running = max(digits(found.ceiling), digits(found.floor)) if found else 1
    return nodes + 1 + flags + 1 + running + 1 + max(digits(best), 1) + 1 + nodes


def _quiz(quiz: Quiz) -> int:
    widest = max((len(q.options) for q in quiz.questions), default=1)
    score = digits(quiz.max_points)
    return (digits(quiz.attempts) + 1 + digits(quiz.asked) + 1 + score + 1 + SEED_DIGITS + 1
            + max(score, 1) + 1 + 1 + 1 + max(digits((1 << widest) - 1), 1))
