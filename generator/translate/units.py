"""What a translator translates: one table of the model's text fields, with keys from the structure.

Every translatable text is a `Unit` with a key built from ids and positions,
never from the text (`whiteboard-selfie#start/choice.2`, `course#badge.vault-keeper/title`),
so a changed sentence keeps its key and its old translation is found again. The
same table reads the text out of the model (`units`) and writes translations back
(`apply`), so a field added to the format is one row here. A text with nothing to
translate (only code, numbers or punctuation) is left out and keeps the source's.

What no translation can change is simply not in the table: ids, link targets,
points, flags, conditions, outcomes, question types, which options are correct,
images (see `localise`), and the options of true/false questions (the words of
the target language, `rules.true_false_words`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from ..diagnostics import Location
from ..model import (Badge, Character, Choice, Course, DialogueLine, Lesson, Markdown, Node, Objective, Option, Page,
                     Question, Quiz, Scenario)
from . import placeholders
from .placeholders import Protected

PLAIN, INLINE, BLOCK = "plain", "inline", "block"  # shown as text; Markdown in a line; Markdown blocks
LABEL = "label"  # a word of the runtime (translate/ui.py): plain text with {name} values the player fills in
DESCRIPTION_LIMIT = 250  # SCORM 2004 RTE 4.2.9.1: cmi.interactions.n.description is a localized_string_type (SPM 250)
LIMIT_NOTE = (f"SCORM 2004 records this text as an interaction's description: at most {DESCRIPTION_LIMIT} "
              "characters.")
COURSE = "course"  # the catalogue of course.yaml's own text


@dataclass(frozen=True)
class Unit:
    key: str
    catalogue: str  # a module id, or "course"
    source: str  # the text as the author wrote it
    protected: Protected  # the text as the translator sees it
    kind: str
    location: Location
    notes: tuple[str, ...]
    limit: int | None
    plural: str | None = None  # a word with plural forms: the source's "other" form (msgid_plural)

    @property
    def msgid(self) -> str:
        return self.protected.text

    @property
    def source_location(self) -> Location | None:
        """Where a diagnostic names the source: the author's file; none for a word of the
        player, whose English ships with coursegen (the message quotes it instead)."""
        return None if self.kind == LABEL else self.location


Note = Callable[[object, tuple], str]


@dataclass(frozen=True)
class Field:
    """A text attribute of a model type: a str, or a Markdown whose text is translated."""

    owner: type
    attribute: str
    key: str  # added to the owner's key; "" when the owner is the text itself
    kind: str
    note: Note
    limit: Callable[[object], int | None] = lambda owner: None
    where: Callable[[object], Location] = lambda owner: owner.location


@dataclass(frozen=True)
class Children:
    """A tuple of model objects under a type, each keyed by its id or position."""

    owner: type
    attribute: str
    key: Callable[[object, int], str]
    keep: Callable[[object], bool] = lambda owner: True
    catalogue: bool = False  # each child has a catalogue of its own (modules)


def _module_title(module, trail) -> str:
    return f'The title of the {module.kind} "{module.id}".'


def _speaker(line: DialogueLine, trail) -> str:
    scenario = next(t for t in trail if isinstance(t, Scenario))
    character = next((c for c in scenario.characters if c.key == line.speaker), None)
    if character is None:
        return f'A line spoken by "{line.speaker}".'
    role = f" ({character.role})" if character.role else ""
    return f"A line spoken by {character.name}{role}."


def _choice(choice: Choice, trail) -> str:
    scenario = next(t for t in trail if isinstance(t, Scenario))
    target = next((n for n in scenario.nodes if n.id == choice.target), None)
    title = f' ("{target.title}")' if target else ""
    return f'A choice the learner takes; it leads to node "{choice.target}"{title}.'


def _option(option: Option, trail) -> str:
    question = trail[-1]
    number = question.options.index(option) + 1
    return f'Answer option {number} of question "{question.id}" ({"right" if option.correct else "wrong"}).'


def _body(part: Markdown, trail) -> str:
    return f'Text of node "{trail[-1].id}" (Markdown: keep list markers and line structure).'


def _ending_limit(node: Node) -> int | None:
    return DESCRIPTION_LIMIT if node.is_ending else None


# In reading order: for each object, its rows in this order (a question's options before its explanation).
TABLE: tuple[Field | Children, ...] = (
    Field(Course, "title", "title", PLAIN,
          lambda c, t: "The course's title: shown to learners, in the LMS and on the certificate.",
          where=lambda c: c.where("title")),
    Field(Course, "description", "description", PLAIN, lambda c, t: "The course's description.",
          where=lambda c: c.where("description")),
    Children(Course, "objectives", lambda o, i: f"objective.{i}"),
    Field(Objective, "text", "", PLAIN,
          lambda o, t: "One thing the learner will be able to do, listed on the course's cover."),
    Children(Course, "badges", lambda b, i: f"badge.{b.id}"),
    Field(Badge, "title", "title", PLAIN, lambda b, t: f'The title of the badge "{b.id}", an award learners earn.'),
    Field(Badge, "description", "description", PLAIN, lambda b, t: "What a learner did to earn the badge."),
    Children(Course, "modules", lambda m, i: m.id, catalogue=True),
    Field(Lesson, "title", "title", PLAIN, _module_title),
    Children(Lesson, "pages", lambda p, i: f"page.{i}"),
    Field(Page, "title", "title", PLAIN,
          lambda p, t: f"The title of page {t[-1].pages.index(p) + 1} of the lesson."),
    Field(Page, "body", "body", BLOCK, lambda p, t: "A page of the lesson (Markdown: keep list markers and "
          "line structure)."),
    Field(Lesson, "attest", "attest", INLINE, lambda l, t: "The statement the learner confirms at the end of the "
          "lesson (an attestation), recorded for the course's records and shown on the certificate.",
          where=lambda l: l.attest_location or l.location),
    Field(Scenario, "title", "title", PLAIN, _module_title),
    Children(Scenario, "characters", lambda c, i: f"character.{c.key}"),
    Field(Character, "name", "name", PLAIN,
          lambda c, t: f'The name of the character "{c.key}", shown before each line they speak.'),
    Field(Character, "role", "role", PLAIN, lambda c, t: f"The role of {c.name}, shown beside the name."),
    Children(Scenario, "nodes", lambda n, i: n.id),
    Field(Node, "title", "title", PLAIN,
          lambda n, t: (f'The title of the ending "{n.id}" ({n.outcome} outcome). {LIMIT_NOTE}' if n.is_ending
                        else f'The title of node "{n.id}".'), _ending_limit),
    Children(Node, "body", lambda p, i: f"body.{i}"),
    Field(Markdown, "text", "", BLOCK, _body),
    Field(DialogueLine, "text", "", BLOCK, _speaker),
    Children(Node, "choices", lambda c, i: f"choice.{i}"),
    Field(Choice, "text", "", INLINE, lambda c, t: f"{_choice(c, t)} {LIMIT_NOTE}", lambda c: DESCRIPTION_LIMIT),
    Field(Choice, "consequence", "consequence", BLOCK,
          lambda c, t: "What the choice leads to, shown after the learner takes it (Markdown)."),
    Field(Quiz, "title", "title", PLAIN, _module_title),
    Field(Quiz, "intro", "intro", BLOCK, lambda q, t: "The quiz's introduction (Markdown)."),
    Children(Quiz, "questions", lambda q, i: q.id),
    Field(Question, "prompt", "prompt", INLINE,
          lambda q, t: f'Question "{q.id}" ({q.type}). {LIMIT_NOTE}', lambda q: DESCRIPTION_LIMIT),
    Field(Question, "body", "body", BLOCK, lambda q, t: f'More text of question "{q.id}" (Markdown).'),
    # True/false options are the target language's own words, never a translator's.
    Children(Question, "options", lambda o, i: f"option.{i}", keep=lambda q: q.type != "truefalse"),
    Field(Option, "text", "", INLINE, _option),
    Field(Option, "target", "target", INLINE,
          lambda o, t: f'The right match of a situation in matching question "{t[-1].id}"; the same match '
          "written the same way in every pair it belongs to.", where=lambda o: o.target_location or o.location),
    Field(Question, "explanation", "explanation", BLOCK,
          lambda q, t: f'Shown after the learner answers question "{q.id}" (Markdown).'),
)


def _rows(obj) -> list[Field | Children]:
    return [row for row in TABLE if type(obj) is row.owner]


def _words(protected: Protected) -> bool:
    """True when there is something to translate: letters outside the placeholders."""
    return any(char.isalpha() for char in placeholders.TOKEN.sub("", protected.text))


def _key(catalogue: str, parts: tuple[str, ...]) -> str:
    return f"{catalogue}#{'/'.join(p for p in parts if p)}"


def _text(value) -> str:
    return value.text if isinstance(value, Markdown) else value


def units(course: Course) -> list[Unit]:
    """Every translatable text of the course, in reading order (course.yaml's own text first)."""
    found: list[Unit] = []

    def visit(obj, catalogue: str, parts: tuple[str, ...], trail: tuple) -> None:
        for row in _rows(obj):
            if isinstance(row, Children):
                if row.keep(obj):
                    for index, child in enumerate(getattr(obj, row.attribute)):
                        key = row.key(child, index)
                        if row.catalogue:
                            visit(child, key, (), (*trail, obj))
                        else:
                            visit(child, catalogue, (*parts, key), (*trail, obj))
                continue
            value = getattr(obj, row.attribute)
            text = _text(value) if value is not None else ""
            protected = (placeholders.plain(text) if row.kind == PLAIN
                         else placeholders.protect(text, block=row.kind == BLOCK))
            if not _words(protected):
                continue  # nothing but code, numbers or punctuation: the source's stands
            notes = [row.note(obj, trail)]
            if protected.marks:
                notes.append(f"Placeholders: {protected.legend()}.")
            where = value.location if isinstance(value, Markdown) else row.where(obj)
            found.append(Unit(_key(catalogue, (*parts, row.key)), catalogue, text, protected, row.kind, where,
                              tuple(notes), row.limit(obj)))

    visit(course, COURSE, (), ())
    return found


def apply(course: Course, texts: dict[str, str]) -> Course:
    """The course with each keyed text replaced (keys absent from `texts` keep the source's)."""

    def rebuild(obj, catalogue: str, parts: tuple[str, ...]):
        changes = {}
        for row in _rows(obj):
            if isinstance(row, Children):
                if not row.keep(obj):
                    continue
                items = getattr(obj, row.attribute)
                rebuilt = tuple(rebuild(child, row.key(child, i) if row.catalogue else catalogue,
                                        () if row.catalogue else (*parts, row.key(child, i)))
                                for i, child in enumerate(items))
                if any(a is not b for a, b in zip(rebuilt, items)):
                    changes[row.attribute] = rebuilt
                continue
            key = _key(catalogue, (*parts, row.key))
            value = getattr(obj, row.attribute)
            if key in texts and value is not None:
                new = texts[key]
                changes[row.attribute] = replace(value, text=new) if isinstance(value, Markdown) else new
        return replace(obj, **changes) if changes else obj

    return rebuild(course, COURSE, ())
