"""The course's rules, once for Python: ids, vocabularies, maxima, percent, scores, verdict.

docs/course-json.md states them in prose; the learner's runtime holds them once for the
browser (package/runtime/engine.js), and tests/contract/ runs the same cases through both.
Everything here is a pure function of the model and numbers: no I/O, no analysis (a
scenario's maximum comes from check/analysis and is passed in by module id).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Mapping

from .model import Course, Question, Quiz, Scenario

# Course, module, node, question, badge and flag ids: they become SCORM identifiers.
ID = re.compile(r"^[a-z][a-z0-9-]*$")
MAX_ID = 64

# What a course builds to; without a choice, both SCORM versions.
FORMATS = ("scorm12", "scorm2004", "cmi5", "web")
SCORM = ("scorm12", "scorm2004")

OUTCOMES = ("good", "neutral", "bad")
COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")  # a theme's colours: #abc or #aabbcc


def colour(text: str) -> str:
    """#abc or #aabbcc, any case, as #aabbcc."""
    body = text[1:].lower()
    return "#" + ("".join(c * 2 for c in body) if len(body) == 3 else body)

QUESTION_TYPES = ("single", "multiple", "truefalse", "matching", "sequencing", "fill-in", "likert")
CHOICE_TYPES = ("single", "multiple", "truefalse")  # options ticked: - [x] right, - [ ] wrong
# What an interaction records as its result (SCORM 1.2 words; 2004 writes "incorrect" for
# "wrong"): an ending by its outcome, a choice by the outcome its points lean to, an answer
# "good" when right and "bad" when not. The runtime reads this table from the course JSON.
RESULTS = {"good": "correct", "neutral": "neutral", "bad": "wrong"}

# The words of a truefalse question's two options, per course language.
TRUE_FALSE = {
    "en": ("True", "False"), "de": ("Wahr", "Falsch"), "fr": ("Vrai", "Faux"),
    "es": ("Verdadero", "Falso"), "it": ("Vero", "Falso"), "nl": ("Waar", "Onwaar"),
    "pt": ("Verdadeiro", "Falso"), "sv": ("Sant", "Falskt"), "da": ("Sandt", "Falsk"),
    "pl": ("Prawda", "Fałsz"), "ar": ("صحيح", "خطأ"), "ja": ("正しい", "誤り"),
    # The pseudo-locales' words are translate/pseudo.py's word("True"/"False") (tests/test_translate.py).
    "qps-ploc": ("[Ţŕûé··]", "[Ƒåļšé··]"),
    "qps-plocm": ("\u202e[Ţŕûé··]\u202c", "\u202e[Ƒåļšé··]\u202c"),
}


# CLDR's right-to-left languages (character order, as Babel reads it; tests/test_translate.py
# holds this against every locale Babel knows), with the old codes iw and ji, and its
# right-to-left scripts for a tag that names one (uz-Arab, pa-Arab). A table, not Babel:
# loading Babel's locale data cost every build 30 ms, a tenth of a small course's build.
RIGHT_TO_LEFT_LANGUAGES = frozenset({
    "apc", "ar", "ary", "bal", "bgn", "bqi", "brh", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "lrc", "mzn",
    "nqo", "ps", "rhg", "sd", "sdh", "skr", "syr", "trw", "ug", "ur", "yi"})
RIGHT_TO_LEFT_SCRIPTS = frozenset({"Adlm", "Arab", "Hebr", "Nkoo", "Rohg", "Syrc", "Thaa"})


def right_to_left(language: str) -> bool:
    """Whether the language is written right to left (the mirrored pseudo-locale qps-plocm
    too): the page's `dir`."""
    if language.lower() == "qps-plocm":
        return True
    parts = re.split(r"[-_]", language)
    script = next((p for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script:
        return script.title() in RIGHT_TO_LEFT_SCRIPTS
    return parts[0].lower() in RIGHT_TO_LEFT_LANGUAGES


def true_false_words(language: str) -> tuple[str, str]:
    tag = language.lower()
    return TRUE_FALSE.get(tag) or TRUE_FALSE.get(tag.split("-")[0], TRUE_FALSE["en"])


def result_word(outcome: str, fmt: str) -> str:
    word = RESULTS[outcome]
    return "incorrect" if word == "wrong" and fmt == "scorm2004" else word


def leaning(points: int) -> str:
    """The outcome a choice's points lean to."""
    return "good" if points > 0 else "bad" if points < 0 else "neutral"


def module_max(module, scenario_max: Mapping[str, int]) -> int:
    """A module's maximum points: a scenario's from its analysis, a quiz's from its questions."""
    if isinstance(module, Scenario):
        return scenario_max.get(module.id, 0)
    return module.max_points if isinstance(module, Quiz) else 0


def course_max(course: Course, scenario_max: Mapping[str, int]) -> int:
    """The course maximum: the sum of its modules' maxima."""
    return sum(module_max(m, scenario_max) for m in course.modules)


def percent(score: int, maximum: int, finished: bool = True) -> int:
    """Score as a whole percent of the maximum, rounded down and never above 100; with
    nothing to earn, 100 once finished (0 before)."""
    if maximum == 0:
        return 100 if finished else 0
    return min(100, score * 100 // maximum)


def attempt_passed(score: int, maximum: int, pass_mark: int) -> bool:
    """A quiz attempt passes at or above its pass mark (every attempt passes with nothing to earn)."""
    return percent(score, maximum) >= pass_mark


def scenario_score(points: int, maximum: int) -> int:
    """An attempt's score: its points, floored at 0 and (a last guard) never above the maximum."""
    return min(maximum, max(0, points))


def answer_right(question: Question, picks) -> bool:
    """single/truefalse: the one correct option; multiple: exactly the set of correct ones;
    the listed types: every part right (question_points)."""
    if question.type not in CHOICE_TYPES:
        right, parts = right_parts(question, picks)
        return question.scored and right == parts
    return set(picks) == {i for i, option in enumerate(question.options) if option.correct}


def normalise_answer(text: str) -> str:
    """A fill-in answer as it is compared: accents dropped (NFD, combining marks removed), lower
    case, runs of white space one space, none at either end. runtime/engine.js does the same."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def right_parts(question: Question, response) -> tuple[int, int]:
    """(parts right, parts) of a response to a listed question: a matching question's pairs
    (response: the target index picked for each situation, in source order), a sequencing
    question's steps in their right place (response: step indices in the order given), a
    fill-in answer accepted or not (response: the text typed)."""
    if question.type == "matching":
        return sum(1 for o, t in zip(question.options, response) if o.match == t), len(question.options)
    if question.type == "sequencing":
        return sum(1 for place, step in enumerate(response) if place == step), len(question.options)
    if question.type == "fill-in":
        accepted = {normalise_answer(o.text) for o in question.options}
        return (1 if normalise_answer(response) in accepted else 0), 1
    return 0, 0


def question_points(question: Question, response) -> int:
    """The points a response earns: matching and sequencing in proportion to the parts right,
    rounded down (partial credit); the others all or nothing; a likert question none."""
    if not question.scored:
        return 0
    if question.type in CHOICE_TYPES:
        return question.points if answer_right(question, response) else 0
    right, parts = right_parts(question, response)
    return question.points * right // parts if parts else 0


def course_passed(completed: bool, course_percent: int, pass_mark: int, quizzes_passed: bool) -> bool:
    """The verdict: completed, at or above the pass mark, and every quiz passed."""
    return completed and course_percent >= pass_mark and quizzes_passed


def below_target(module_percent: int, has_points: bool, pass_mark: int, quiz_passed: bool | None) -> bool:
    """A module a course not passed sends the learner back to from its results: one with points
    below the course's pass mark, or a quiz not passed (`quiz_passed` None: not a quiz)."""
    return (has_points and module_percent < pass_mark) or quiz_passed is False


def sample_response(question: Question, right):
    """A response that is right (True), wrong (False) or partly right ("partial"; None when the
    type gives no partial credit), as the walks and `paths --json` give it: the option indices
    ticked (choice types), the target picked for each situation (matching), the steps in the
    order given (sequencing), the text typed (fill-in) or the point chosen (likert: "right" the
    last, "wrong" the first)."""
    kind, count = question.type, len(question.options)
    if kind == "matching":
        targets = question.targets
        own = [o.match for o in question.options]
        # Wrong: each situation the next match round from its own (there are two or more).
        wrong = [(t + 1) % len(targets) for t in own]
        return tuple(own if right is True else wrong if right is False else own[:1] + wrong[1:])
    if kind == "sequencing":
        if right == "partial":  # the last two swapped: every other step in its place
            return tuple(range(count - 2)) + (count - 1, count - 2) if count > 2 else None
        return tuple(range(count)) if right else tuple(range(1, count)) + (0,)  # wrong: all one place late
    if kind == "fill-in":
        if right == "partial":
            return None
        # Right: the first accepted answer as a hurried learner types it (case and spaces differ).
        return f"  {question.options[0].text.upper()}  " if right else "I am not sure"
    if kind == "likert":
        return None if right == "partial" else (count - 1 if right else 0)
    if right == "partial":
        return None
    correct = tuple(i for i, o in enumerate(question.options) if o.correct)
    if right:
        return correct
    wrong = [i for i, o in enumerate(question.options) if not o.correct]
    return (wrong[0],) if wrong else correct[:-1]
