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
from ..rules import CHOICE_TYPES, module_max, normalise_answer
from .analysis import ScenarioAnalysis, maxima

LIMITS = {"scorm12": 4096, "scorm2004": 64000}
SEED_DIGITS = 7  # a 32-bit seed in base 36
PATH_MAX = 40  # choices of a scenario attempt kept for its ending's review (runtime/state.js)
ENCODING = 2  # of the resume state: data written by another encoding is foreign (it is part of the key)
CHECKSUM_DIGITS = 7  # FNV-1a 32-bit in base 36
KEY_DIGITS = 6
# An attestation's moment: whole minutes since 1970 in base 36, fixed width (to the year 6100).
ATTEST_DIGITS = 6


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
        return [ATTEST_DIGITS] if module.attest else []
    if isinstance(module, Scenario):
        return [digits(max_points), digits(max(len(module.nodes) - 1, 0))]
    retakes = [digits(module.retakes)] if module.retakes is not None else []
    return [digits(module.max_points), 1, digits(module.attempts)] + retakes


def path_width(scenario: Scenario) -> int:
    """Digits of one choice in a scenario attempt's path."""
    return digits(max((len(n.choices) for n in scenario.nodes), default=1) - 1) if scenario.nodes else 1


def path_text(scenario: Scenario, choices, more: bool = False) -> str:
    """A scenario attempt's path: each choice taken, fixed width, at most PATH_MAX, "+" past it."""
    width = path_width(scenario)
    return "".join(pad36(c, width) for c in list(choices)[:PATH_MAX]) + ("+" if more or len(choices) > PATH_MAX else "")


def settle_lesson(lesson: Lesson, attested: int | None) -> str:
    """The record of a lesson the learner has left: an attestation's moment (minutes since 1970;
    0: declined, as a statement not required may be), nothing for other lessons."""
    return pad36(attested or 0, ATTEST_DIGITS) if lesson.attest else ""


def settle_scenario(scenario: Scenario, maximum: int, best: int, ending: int) -> str:
    """The record of a scenario the learner has left: best score, then its ending node."""
    widths = settled_widths(scenario, maximum)
    return pad36(best, widths[0]) + pad36(ending, widths[1])


def settle_quiz(quiz: Quiz, best: int, passed: bool, attempts: int, retakes: int = 0) -> str:
    """The record of a quiz the learner has left: best score, passed, attempts used, and the
    retakes used when the quiz limits them."""
    widths = settled_widths(quiz, quiz.max_points)
    limited = pad36(retakes, widths[3]) if quiz.retakes is not None else ""
    return pad36(best, widths[0]) + ("1" if passed else "0") + pad36(attempts, widths[2]) + limited


def scenario_field(node: int, flags: int, points: int, best: int | None, ending: int | None,
                   seed: int | None = None, path: str = "") -> str:
    """The scenario the learner is in: node, flags, running points, best score and its ending, the
    attempt's seed of its choice order (None: the scenario does not shuffle) and its path (path_text)."""
    return "_".join(b36(n) for n in (node, flags, points, best, ending, seed)) + "_" + path


def quiz_field(attempt: int, position: int, score: int, seed: int, best: int | None, passed: bool,
               last, retakes: int | None = None) -> str:
    """The quiz the learner is in: attempt, position, score so far, seed, best, passed, last answer
    (last_answer), and the retakes used when the quiz limits them."""
    numbers = (attempt, position, score, seed, best, 1 if passed else 0) + ((retakes,) if retakes is not None else ())
    texts = [b36(n) for n in numbers]
    texts.insert(6, "".join(b36(n) for n in last) if isinstance(last, (list, tuple)) else b36(last))
    return "_".join(texts)


def last_answer(question, response):
    """What the resume state keeps of the answer on the feedback view (runtime/state.js lastValue):
    choice types the mask of the options ticked, matching and sequencing the response itself,
    fill-in 1 + the accepted answer it matched (0: none), likert the point."""
    if question.type in CHOICE_TYPES:
        return sum(1 << k for k in response)
    if question.type == "fill-in":
        typed = normalise_answer(response)
        return next((k + 1 for k, o in enumerate(question.options) if normalise_answer(o.text) == typed), 0)
    return list(response) if isinstance(response, (list, tuple)) else response


def last_width(question) -> int:
    """Most characters of a question's last answer in the resume state: choice types a mask of
    the options, matching and sequencing one character an item, fill-in 1 + the accepted answer
    it matched, likert the point chosen (runtime/state.js lastValue)."""
    count = len(question.options)
    if question.type in ("matching", "sequencing"):
        return max(count, 1)
    if question.type == "fill-in":
        return digits(count)
    if question.type == "likert":
        return digits(max(count - 1, 0))
    return max(digits((1 << count) - 1), 1)


def lesson_field(page: int, done: bool) -> str:
    return b36(page) + ("*" if done else "")


def suspend_data(course: Course, current: int, settled: str, current_field: str | None, badges: int = 0,
                 back: bool = False) -> str:
    """cur[+].badges.settled[.current] with its key and checksum (docs/course-json.md); `back`:
    the learner went back from the results, so every other module is settled."""
    fields = [b36(current) + ("+" if back else ""), b36(badges), settled]
    fields += [current_field] if current_field is not None else []
    body = ".".join(fields)
    return f"{state_key(course)}|{b36(fnv1a(body))}|{body}"


def state_key(course: Course) -> str:
    """Changes whenever saved progress of an older build would no longer fit."""
    shape = [ENCODING, course.id, course.version]
    for module in course.modules:
        shape.append([module.kind, module.id])
        if isinstance(module, Scenario):
            shape.append([[n.id, [c.target for c in n.choices]] for n in module.nodes])
        elif isinstance(module, Quiz):
            # A listed type (addition to v1) keys its type too; the choice types keep the keys they had.
            shape.append([[q.id, len(q.options)] + ([] if q.type in CHOICE_TYPES else [q.type])
                          for q in module.questions])
        elif isinstance(module, Lesson):
            # An attestation (addition to v1) adds to the key; other lessons keep the keys they had.
            shape.append([len(module.pages), module.attest is not None] if module.attest else len(module.pages))
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
    it settled (a few fixed-width digits), that one in full; or back in a
    scenario or quiz from the results, with every other module settled and a
    "+" after the current index. `by_module` holds each module's full field,
    the part an author can shrink.
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
    most = maxima(analyses)
    records = [sum(settled_widths(m, module_max(m, most))) for m in course.modules]
    longest, settled = 0, 0
    for module, record in zip(course.modules, records):
        longest = max(longest, settled + 1 + by_module[module.id])
        if not isinstance(module, Lesson):  # back from the results ("+"): the others all settled
            longest = max(longest, 1 + sum(records) - record + 1 + by_module[module.id])
        settled += record
    longest = max(longest, settled)  # at the results: everything settled
    return StateSize(header + fixed + longest, by_module)


def _scenario(scenario: Scenario, found: ScenarioAnalysis | None) -> int:
    nodes = digits(max(len(scenario.nodes) - 1, 0))
    flags = digits((1 << len(scenario.flags)) - 1)
    best = found.max_points if found else 0
    # The running total stays within the analysis' floor and ceiling (docs/course-json.md).
    running = max(digits(found.ceiling), digits(found.floor)) if found else 1
    seed = SEED_DIGITS if scenario.shuffle else 1
    longest = longest_path(scenario)
    path = path_width(scenario) * min(PATH_MAX, longest) + (1 if longest > PATH_MAX else 0)
    return nodes + 1 + flags + 1 + running + 1 + max(digits(best), 1) + 1 + nodes + 1 + seed + 1 + path


def longest_path(scenario: Scenario) -> int:
    """Most choices one attempt can take: the longest route to an ending, or more than
    PATH_MAX when a loop can be walked round (its path is then cut at PATH_MAX and marked)."""
    index = scenario.node_index()
    targets = [[index[c.target] for c in n.choices if c.target in index] for n in scenario.nodes]
    into = [0] * len(targets)
    for outs in targets:
        for t in outs:
            into[t] += 1
    # Kahn's order: whatever is left afterwards lies on a loop.
    order, ready = [], [k for k, count in enumerate(into) if count == 0]
    while ready:
        k = ready.pop()
        order.append(k)
        for t in targets[k]:
            into[t] -= 1
            if into[t] == 0:
                ready.append(t)
    if len(order) < len(targets):
        return PATH_MAX + 1
    steps = [0] * len(targets)
    for k in reversed(order):
        steps[k] = max((1 + steps[t] for t in targets[k]), default=0)
    return steps[0] if steps else 0


def _quiz(quiz: Quiz) -> int:
    widest = max((last_width(q) for q in quiz.questions), default=1)
    score = digits(quiz.max_points)
    retakes = 1 + digits(quiz.retakes) if quiz.retakes is not None else 0
    return (digits(quiz.attempts) + 1 + digits(quiz.asked) + 1 + score + 1 + SEED_DIGITS + 1
            + max(score, 1) + 1 + 1 + 1 + widest + retakes)
