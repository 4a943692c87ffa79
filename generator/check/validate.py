"""Every author-facing check on a loaded course, collected, never raised.

Checks read the model and the scenario analyses only (no files). Each message
says what is wrong in the author's terms and, where it can, what to do.
"""
from __future__ import annotations

import os
import re

from ..diagnostics import Diagnostics, closest, did_you_mean
from ..model import Course, Option, Question, Quiz, Scenario
from ..rules import ID, MAX_ID, SCORM, course_max, normalise_answer, true_false_words
from ..source import expressions
from . import slips, state as resume
from . import theme as theme_rules
from .analysis import ScenarioAnalysis, maxima

VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
# An absolute web address with a host and no query or fragment: the start of every cmi5/xAPI id.
XAPI_BASE = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$")


def check_id(value: str, what: str, location, diags: Diagnostics) -> None:
    if not value:
        return  # reported as missing where it was read
    if not ID.match(value):
        diags.error(location, f'{what} "{value}" must start with a lower-case letter and hold only '
                    "lower-case letters, digits and hyphens (it becomes a SCORM identifier)" + _id_like(value))
    elif len(value) > MAX_ID:
        diags.error(location, f'{what} "{value}" is longer than {MAX_ID} characters: shorten it')


def _id_like(value: str) -> str:
    """': write "an-id"' for the nearest valid id, when there is one."""
    suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    suggestion = re.sub(r"^[0-9-]+", "", suggestion)[:MAX_ID].strip("-")
    return f': write "{suggestion}"' if suggestion and ID.match(suggestion) else ""


def validate(course: Course, analyses: dict[str, ScenarioAnalysis], diags: Diagnostics,
             formats=SCORM) -> None:
    """Every rule, including what the packages in `formats` cannot hold: whatever would stop
    a build is found here, so `check`, the preview and the map say it too."""
    _course(course, diags)
    scope_modules = {m.id: m.kind for m in course.modules if m.id}
    unread = frozenset(u.id for u in course.unread)
    seen: dict[str, object] = {}
    for module in course.modules:
        check_id(module.id, "module id", module.location, diags)
        if module.id and module.id in seen:
            other = os.path.relpath(seen[module.id].source, module.source.parent)
            diags.error(module.location, f'duplicate module id "{module.id}" (also in {other}): give one of them '
                        "another id")
        seen.setdefault(module.id, module)
        if isinstance(module, Scenario):
            _scenario(module, analyses.get(module.id), scope_modules, diags, unread)
        elif isinstance(module, Quiz):
            _quiz(module, course, diags)
    _badges(course, scope_modules, diags, unread)
    if course.theme:
        _theme(course.theme, diags)
    if course.pass_mark_location and course.pass_mark > 0 and course.modules and not course.unread \
            and course_max(course, maxima(analyses)) == 0:
        diags.error(course.pass_mark_location,
                    f"the course has a pass mark of {course.pass_mark} but no points to earn: "
                    "add scored choices or questions, or remove pass_mark")
    if "scorm12" in formats:
        _scorm12_limits(course, diags)
    _state_size(course, analyses, diags, formats)
    slips.warn(course, analyses, diags)
    _best_first(course, diags)


def _theme(theme, diags: Diagnostics) -> None:
    """Every foreground the theme's colours produce on every background it is drawn on, against
    WCAG AA: one error per theme colour to change, at its line, naming each pair under its
    minimum with its ratio, and the nearest colour with which every pair passes."""
    grouped: dict[tuple[str, str], list] = {}
    for short in theme_rules.shortfalls(theme):
        grouped.setdefault((short.scheme, short.blame), []).append(short)
    for (scheme, key), found in grouped.items():
        palette = theme.light if scheme == "light" else theme.dark
        value = getattr(palette, key)
        pairs = "; ".join(f"{s.pair.what}, {s.colours[s.pair.fg]} on {s.colours[s.pair.bg]}, is "
                          f"{theme_rules.shown(s.ratio)} (WCAG AA asks {s.pair.minimum:g}:1)" for s in found)
        nearest = found[0].suggestion
        advice = (f'; the nearest {key} with which every pair passes is "{nearest}"' if nearest
                  else f"; no {key} near it passes: choose another")
        where = "the theme" if scheme == "light" else "the theme's dark scheme"
        diags.error(palette.locations[key], f'{key} "{value}" of {where} is too low in contrast: {pairs}{advice}')


BEST_FIRST_SHARE = 60  # percent of decisions above which a learner learns to pick the first choice


def best_first(course: Course) -> tuple[int, int]:
    """(decisions whose best choice the learner sees first, decisions): a decision is a node whose
    choices are worth different points. A shuffled node shows its best choice first by design only
    when that choice is pinned there; an unshuffled one whenever it is first in the source."""
    leading = total = 0
    for module in course.modules:
        if not isinstance(module, Scenario):
            continue
        for node in module.nodes:
            points = [c.points for c in node.choices]
            if len(set(points)) < 2:
                continue
            total += 1
            first = node.choices[0]
            if first.points == max(points) and (first.pinned or not module.shuffle):
                leading += 1
    return leading, total


def _best_first(course: Course, diags: Diagnostics) -> None:
    leading, total = best_first(course)
    if total and leading * 100 > BEST_FIRST_SHARE * total:
        diags.warning(course.location, f"the best choice is shown first in {leading} of {total} decisions "
                      f"({leading * 100 // total}%), so learners can learn to pick the first one: let coursegen "
                      "shuffle the choices (drop shuffle: false and .pinned) or vary their order")



def _course(course: Course, diags: Diagnostics) -> None:
    check_id(course.id, "course id", course.where("id"), diags)
    if course.version and not VERSION.match(course.version):
        diags.error(course.where("version"), f'version "{course.version}" may hold only letters, digits, '
                    '".", "+" and "-": write it like 1.0.0')
    if not LANGUAGE.match(course.language):
        diags.error(course.where("language"), f'language "{course.language}" is not a language tag: write one like '
                    "en or en-GB")
    if course.xapi_base is not None and not XAPI_BASE.match(course.xapi_base):
        diags.error(course.where("xapi_base"), f'xapi_base "{course.xapi_base}" must be a web address like '
                    "https://learning.example.com/courses/ (no spaces, query or fragment): cmi5 course and "
                    "activity ids start with it")


def _scenario(scenario: Scenario, analysis: ScenarioAnalysis | None, modules, diags: Diagnostics,
              unread: frozenset[str] = frozenset()) -> None:
    ids: dict[str, object] = {}
    for node in scenario.nodes:
        if not node.id:
            continue
        check_id(node.id, "node id", node.id_location, diags)
        if node.id in ids:
            diags.error(node.id_location, f'duplicate node id "{node.id}" (first at line '
                        f'{ids[node.id].location.line}; links lead there): give this node another id')
        ids.setdefault(node.id, node)
    scope = expressions.Scope(modules, frozenset(scenario.flags), unread)
    misspelt: set[str] = set()  # nodes a misspelt link was meant for
    for node in scenario.nodes:
        if node.is_ending and node.choices:
            diags.error(node.choices[0].location, f'ending "{node.id}" has choices: an ending ends the '
                        "scenario, so remove its choices or its .ending")
        if not node.is_ending and not node.choices:
            diags.error(node.location, f'node "{node.id}" has no choices and is not an ending: add choices '
                        "(- [Text](#node-id)) or mark it {.ending outcome=good}")
        for choice in node.choices:
            if choice.target not in ids:
                meant = closest(choice.target, ids) if choice.target else None
                if meant is not None:
                    hint = f' (did you mean "{meant}"?)'
                    misspelt.add(meant)
                else:
                    hint = _heading_hint(choice.target, scenario)
                diags.error(choice.target_location, f'choice leads to unknown node "#{choice.target}"{hint}')
            if choice.condition is not None:
                expressions.check(choice.condition, scope, diags)
    if analysis is None or analysis.start is None:
        return
    nodes = scenario.nodes
    if analysis.positive_cycle:
        node_index, choice_index = analysis.positive_cycle
        choice = nodes[node_index].choices[choice_index]
        diags.error(choice.location, f'this choice is on a loop that earns points every time round '
                    f'(through node "{nodes[node_index].id}"), so the scenario has no maximum: '
                    "make the loop earn 0 or less")
    meant = _reachable_from(scenario, misspelt)  # reached once the misspelt links are mended
    first = scenario.node_index()
    for index, node in enumerate(nodes):
        if first.get(node.id) != index:
            continue  # a second node of an id: its duplicate id is the error to fix
        if index not in analysis.reachable_nodes and node.id and index not in meant:
            what = "ending" if node.is_ending else "node"
            diags.warning(node.location, f'{what} "{node.id}" can never be reached from the start: lead a choice '
                          f"to it, like - [Text](#{node.id}), or remove it")
    for state in analysis.dead_ends:
        node = nodes[state.node]
        if node.choices:
            diags.error(node.location, f'node "{node.id}" can be reached {_with_flags(analysis, state.flags)}'
                        "but then none of its choices is shown: give it a choice without if=")
    reported = set()
    for state in analysis.trapped:
        node = nodes[state.node]
        if state.node in reported or not node.choices:
            continue
        reported.add(state.node)
        diags.error(node.location, f'from node "{node.id}" no ending can be reached '
                    f'{_with_flags(analysis, state.flags)}- the learner would be stuck in a loop: give a node '
                    "of the loop a choice that leads on to an ending")


def _heading_hint(target: str, scenario: Scenario) -> str:
    """A heading of the scenario's text that the link may have meant: not a node, because it
    has no {#id} (or is not a level-1 heading)."""
    def slug(title: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")

    slugs = {slug(h.title): h for h in scenario.headings}
    found = slugs.get(target) or slugs.get(closest(target, slugs) or "") or next(
        (h for s, h in slugs.items() if f"-{target}-" in f"-{s}-"), None)
    if found is None:
        return ""
    return (f': the heading "{found.title}" (line {found.location.line}) is not a node; to make it one, write '
            f'"# {found.title} {{#{target}}}"')


def _reachable_from(scenario: Scenario, ids: set[str]) -> set[int]:
    """Nodes reachable, flags aside, from the nodes with these ids."""
    index = scenario.node_index()
    seen = {index[i] for i in ids if i in index}
    todo = list(seen)
    while todo:
        for choice in scenario.nodes[todo.pop()].choices:
            target = index.get(choice.target)
            if target is not None and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _with_flags(analysis: ScenarioAnalysis, mask: int) -> str:
    names = [f for i, f in enumerate(analysis.flags) if mask >> i & 1]
    return f"with flags {', '.join(names)} " if names else "with no flag set "


def _quiz(quiz: Quiz, course: Course, diags: Diagnostics) -> None:
    ids: dict[str, object] = {}
    true_word, false_word = true_false_words(course.language)
    for question in quiz.questions:
        check_id(question.id, "question id", question.id_location, diags)
        if question.id and question.id in ids:
            diags.error(question.id_location, f'duplicate question id "{question.id}" (first at line '
                        f'{ids[question.id].location.line}): give this question another id')
        ids.setdefault(question.id, question)
        if question.type in LISTED_CHECKS:
            LISTED_CHECKS[question.type](question, diags)
            continue
        correct = [o for o in question.options if o.correct]
        if len(question.options) < 2:
            diags.error(question.location, f'question "{question.id}" needs at least two options (- [x] / - [ ])')
            continue
        if question.type in ("single", "truefalse") and len(correct) != 1:
            diags.error(question.location, f'a {question.type} question needs exactly one correct option '
                        f'(- [x]); "{question.id}" has {len(correct)}: mark '
                        + ("only the right one with [x] and the others with [ ]" if correct else
                           "the right one with [x]")
                        + (", or make it type=multiple" if len(correct) > 1 and question.type == "single" else ""))
        if question.type == "multiple" and not correct:
            diags.error(question.location, f'multiple-choice question "{question.id}" has no correct option: mark '
                        "the right ones with - [x]")
        if question.type == "truefalse":
            texts = sorted(o.text for o in question.options)
            if texts != sorted((true_word, false_word)):
                diags.error(question.options[0].location, f'a truefalse question has exactly the options '
                            f'"{true_word}" and "{false_word}": write - [x] {true_word} and - [ ] {false_word}, or the '
                            "other way round")
        for option in question.options:
            if not option.text.strip():
                diags.error(option.location, "an option needs text: write it after the brackets")
    if quiz.draw is not None and quiz.questions:
        if quiz.draw > len(quiz.questions):
            diags.error(quiz.draw_location, f"draw is {quiz.draw} but the quiz has only {len(quiz.questions)} "
                        f"question(s): lower draw to {len(quiz.questions)} or less, or add questions")
        points = {q.points for q in quiz.questions}
        if quiz.draws and len(points) > 1:
            first = quiz.questions[0]
            odd = next(q for q in quiz.questions if q.points != first.points)
            diags.error(odd.location, f'with draw, every question carries the same points: "{odd.id}" has '
                        f'{odd.points}, "{first.id}" has {first.points}: give every question points={first.points}')


def _badges(course: Course, modules, diags: Diagnostics, unread: frozenset[str]) -> None:
    seen = set()
    scope = expressions.Scope(modules, None, unread)
    for badge in course.badges:
        check_id(badge.id, "badge id", badge.id_location, diags)
        if badge.id and badge.id in seen:
            diags.error(badge.id_location, f'duplicate badge id "{badge.id}": give one of them another id')
        seen.add(badge.id)
        if badge.id and badge.id in modules:
            diags.error(badge.id_location, f'badge id "{badge.id}" is also a module id; SCORM needs them distinct: '
                        "give the badge another id")
        if badge.when is None:
            continue
        expressions.check(badge.when, scope, diags)


SCORM12_CHOICES = 36  # a 1.2 choice response is one character of 0-9a-z
SCORM12_WEIGHTING = 100  # a 1.2 interaction's weighting lies in -100..100 (RTE 3.4.2.7.4)


# The listed question types (additions to v1). Their responses write each item as one
# base-36 character (docs/course-json.md), and SCORM 2004 records at most 36 of them.
LISTED_MAX = 36
FILL_IN_MAX = 250  # characters of an accepted answer: a SCORM 2004 fill-in pattern holds 250


def _matching(question: Question, diags: Diagnostics) -> None:
    if len(question.options) < 2:
        diags.error(question.location, f'a matching question needs at least two pairs (- situation -> match); '
                    f'"{question.id}" has {len(question.options)}')
        return
    if len(question.targets) < 2:
        diags.error(question.location, f'every pair of matching question "{question.id}" has the same match '
                    f'"{question.targets[0]}": give at least two different matches')
    _listed_limit(question, "pairs", diags)
    _duplicates(question, "situation", diags)


def _sequencing(question: Question, diags: Diagnostics) -> None:
    _listed(question, "a sequencing question needs at least two steps to put in order", "steps", "step", diags)


def _fill_in(question: Question, diags: Diagnostics) -> None:
    if not question.options:
        diags.error(question.location, f'fill-in question "{question.id}" has no accepted answers: list each '
                    "answer you accept under the question (- Press office)")
        return
    seen: dict[str, Option] = {}
    for option in question.options:
        if len(option.text) > FILL_IN_MAX:
            diags.error(option.location, f"an accepted answer of {len(option.text)} characters: an LMS records at "
                        f"most {FILL_IN_MAX}; shorten it")
        key = normalise_answer(option.text)
        if key in seen:
            diags.error(option.location, f'"{option.text}" is the same answer as "{seen[key].text}" (line '
                        f"{seen[key].location.line}) once case, spaces and accents are set aside")
        seen.setdefault(key, option)


def _likert(question: Question, diags: Diagnostics) -> None:
    _listed(question, "a likert question needs at least two points on its scale", "points on its scale",
            "point of the scale", diags)


def _listed(question: Question, too_few: str, items: str, item: str, diags: Diagnostics) -> None:
    """A list the learner orders or picks from: two items at least, within the limit, none twice."""
    if len(question.options) < 2:
        diags.error(question.location, f'{too_few}; "{question.id}" has {len(question.options)}')
        return
    _listed_limit(question, items, diags)
    _duplicates(question, item, diags)


def _listed_limit(question: Question, what: str, diags: Diagnostics) -> None:
    if len(question.options) > LISTED_MAX:
        diags.error(question.location, f'"{question.id}" has {len(question.options)} {what}: an LMS records at '
                    f"most {LISTED_MAX}; split the question")


def _duplicates(question: Question, what: str, diags: Diagnostics) -> None:
    first: dict[str, Option] = {}
    for option in question.options:
        if option.text in first:
            diags.error(option.location, f'the {what} "{option.text}" appears twice in "{question.id}" (first at '
                        f"line {first[option.text].location.line}): learners could not tell the two apart")
        first.setdefault(option.text, option)


LISTED_CHECKS = {"matching": _matching, "sequencing": _sequencing, "fill-in": _fill_in, "likert": _likert}


def _scorm12_limits(course: Course, diags: Diagnostics) -> None:
    """What a SCORM 1.2 LMS refuses to record: long choice lists and large weightings."""
    for module in course.modules:
        if isinstance(module, Scenario):
            for node in module.nodes:
                if len(node.choices) > SCORM12_CHOICES:
                    diags.error(node.location, f"{len(node.choices)} choices: a SCORM 1.2 package records at most "
                                f"{SCORM12_CHOICES} (one character each); split them or build for SCORM 2004 only")
                for choice in node.choices:
                    if abs(choice.points) > SCORM12_WEIGHTING:
                        diags.error(choice.location, f"points={choice.points}: SCORM 1.2 records an interaction's "
                                    f"weighting from -{SCORM12_WEIGHTING} to {SCORM12_WEIGHTING}; scale the "
                                    "scenario's points down")
        elif isinstance(module, Quiz):
            for question in module.questions:
                if len(question.options) > SCORM12_CHOICES:
                    diags.error(question.location, f"{len(question.options)} options: a SCORM 1.2 package records "
                                f"at most {SCORM12_CHOICES} (one character each); split them or build for SCORM "
                                "2004 only")
                if question.points > SCORM12_WEIGHTING:
                    diags.error(question.location, f"points={question.points}: SCORM 1.2 records an interaction's "
                                f"weighting from -{SCORM12_WEIGHTING} to {SCORM12_WEIGHTING}")


def _state_size(course: Course, analyses, diags: Diagnostics, formats) -> None:
    size = resume.worst_case(course, analyses)
    for fmt in formats:
        limit = resume.LIMITS.get(fmt)
        if limit is None or size.total <= limit:
            continue
        largest = sorted(size.by_module.items(), key=lambda item: -item[1])[:3]
        parts = ", ".join(f'"{module_id}" ({chars})' for module_id, chars in largest)
        version = "SCORM 1.2" if fmt == "scorm12" else "SCORM 2004"
        diags.error(course.location, f"the resume state of this course can reach {size.total} characters, "
                    f"over {version}'s limit of {limit}; the largest modules: {parts}. Split the course or "
                    "shorten those modules")
