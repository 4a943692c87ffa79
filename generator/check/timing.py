"""How long a module takes a learner, estimated from its words and decisions.

The cover shows the course's total and the menu what is left, so the numbers
must be honest rather than flattering: a learner reads the text of what they
are shown (a scenario's best path, the questions a quiz asks, every lesson
page) at a careful reading pace, and each decision or answer takes its own
moment of thought. Pure functions of the model and the analyses.
"""
from __future__ import annotations

import math
import re

from ..model import DialogueLine, Lesson, Quiz, Scenario

WORDS_PER_MINUTE = 180  # careful reading of instructional text, below the 200-250 of light reading
SECONDS_PER_DECISION = 15  # weighing the choices of a scenario node
SECONDS_PER_QUESTION = 20  # choosing and submitting an answer, reading its feedback's verdict
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def module_minutes(module, analysis=None) -> int:
    """Whole minutes, at least 1."""
    if isinstance(module, Lesson):
        seconds = _reading(sum(words(p.title) + words(p.body.text) for p in module.pages))
    elif isinstance(module, Scenario):
        seconds = _scenario_seconds(module, analysis)
    else:
        seconds = _quiz_seconds(module)
    return max(1, math.ceil(seconds / 60))


def _reading(count: int) -> float:
    return count * 60 / WORDS_PER_MINUTE


def _node_words(node) -> int:
    parts = [part.text.text if isinstance(part, DialogueLine) else part.text for part in node.body]
    return words(node.title) + sum(words(p) for p in parts) + sum(words(c.text) for c in node.choices)


def _scenario_seconds(scenario: Scenario, analysis) -> float:
    """Along the best path: the path a learner aims for, and the one a course is passed with."""
    path = analysis.best if analysis is not None else None
    steps = path.steps if path else ()
    visited = [scenario.nodes[s.node] for s in steps] + ([scenario.nodes[path.ending]] if path else [])
    taken = [scenario.nodes[s.node].choices[s.choice] for s in steps]
    count = sum(_node_words(n) for n in visited or scenario.nodes[:1])
    count += sum(words(c.consequence.text) for c in taken if c.consequence)
    return _reading(count) + len(steps) * SECONDS_PER_DECISION


def _quiz_seconds(quiz: Quiz) -> float:
    """The questions one attempt asks: with a draw, the average question times the number drawn."""
    if not quiz.questions:
        return 0.0
    per_question = [words(q.prompt) + (words(q.body.text) if q.body else 0) + sum(words(o.text) for o in q.options)
                    + (words(q.explanation.text) if q.explanation else 0) for q in quiz.questions]
    reading = sum(per_question) * quiz.asked / len(quiz.questions)
    intro = words(quiz.intro.text) if quiz.intro else 0
    return _reading(reading + intro) + quiz.asked * SECONDS_PER_QUESTION
