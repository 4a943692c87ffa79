"""The course model: one typed, immutable picture of a course.

Loading builds it once; analysis, validation, rendering, packaging and the
branch walks all read it and never re-parse Markdown. Every object carries the
`Location` of the author's text it came from. No I/O here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Union

from .diagnostics import Location


# --- expressions (section 4 of the authoring format) -----------------------

@dataclass(frozen=True)
class Literal:
    value: Union[int, str]
    location: Location


@dataclass(frozen=True)
class Name:
    """`percent`, `score`, `flag.NAME` or `module.ID.FIELD`, split on dots."""

    parts: tuple[str, ...]
    location: Location

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Compare:
    op: str
    left: "Expr"
    right: "Expr"
    location: Location


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    left: "Expr"
    right: "Expr"
    location: Location


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    location: Location


Expr = Union[Literal, Name, Compare, Logic, Not]


@dataclass(frozen=True)
class Expression:
    """An expression as the author wrote it, with its parsed tree."""

    source: str
    tree: Expr
    location: Location


# --- content -----------------------------------------------------------------

class ForeignText(str):
    """Text in another language than the course's: the source text standing in for a
    translation that is missing (`coursegen build --allow-untranslated`). It is a str
    everywhere; rendering marks it with its own `lang` so screen readers switch voice."""

    lang: str

    def __new__(cls, text: str, lang: str) -> "ForeignText":
        made = super().__new__(cls, text)
        made.lang = lang
        return made

    def __reduce__(self):  # pickles as itself (walk workers receive models)
        return (ForeignText, (str(self), self.lang))


@dataclass(frozen=True)
class Image:
    """A relative image reference in Markdown, resolved against its file."""

    reference: str
    source: Path
    location: Location


@dataclass(frozen=True)
class Markdown:
    """A span of the author's Markdown, kept as text until rendering."""

    text: str
    location: Location
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class DialogueLine:
    speaker: str
    text: Markdown
    location: Location


BodyPart = Union[Markdown, DialogueLine]


@dataclass(frozen=True)
class Character:
    key: str
    name: str
    role: str
    location: Location
    portrait: Path | None = None  # an SVG or PNG beside the module file, shown beside the character's lines
    portrait_location: Location | None = None


@dataclass(frozen=True)
class Choice:
    text: str
    target: str
    points: int
    sets: tuple[str, ...]
    unsets: tuple[str, ...]
    condition: Expression | None
    location: Location
    target_location: Location
    consequence: Markdown | None = None  # shown after the choice is taken, above the view it leads to
    pinned: bool = False  # keeps its source position when the node's choices are shuffled


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    body: tuple[BodyPart, ...]
    choices: tuple[Choice, ...]
    is_ending: bool
    outcome: str | None  # one of rules.OUTCOMES for a valid ending
    location: Location
    id_location: Location  # of the id inside {#id}


@dataclass(frozen=True)
class Heading:
    """A heading in a scenario's text that is not a node: where a "did you mean" also looks."""

    title: str
    level: int
    location: Location


@dataclass(frozen=True)
class Page:
    title: str
    body: Markdown
    location: Location


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    location: Location
    pinned: bool = False  # keeps its source position when the options are shuffled ("None of the above")
    # matching (addition to v1): the right-hand side of the pair, `- A lost laptop -> IT service desk`
    target: str = ""
    target_location: Location | None = None
    # Its match's place in the list the learner picks from, fixed when the source is read: a
    # translation changes the words, never the order (nor the responses the LMS records).
    match: int = -1


def sorted_targets(options) -> tuple[str, ...]:
    return tuple(sorted({o.target for o in options}, key=lambda t: (t.casefold(), t)))


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    points: int
    prompt: str
    body: Markdown | None
    options: tuple[Option, ...]
    explanation: Markdown | None
    location: Location
    id_location: Location
    points_location: Location | None = None  # of points= in the heading, when written

    @property
    def targets(self) -> tuple[str, ...]:
        """A matching question's choices for every situation: its distinct right-hand sides,
        in the order of the source's words sorted (so the list gives nothing away), kept by a
        translation (each option's `match`)."""
        if self.options and all(o.match >= 0 for o in self.options):
            return tuple({o.match: o.target for o in reversed(self.options)}[k]
                         for k in range(max(o.match for o in self.options) + 1))
        return sorted_targets(self.options)

    @property
    def scored(self) -> bool:
        """A likert question asks for a view, never for an answer: it is never scored."""
        return self.type != "likert"


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    pages: tuple[Page, ...]
    source: Path
    location: Location  # of the id's value in the front matter
    # An attestation (addition to v1): the statement the learner confirms on the last page,
    # recorded as its own interaction; while `required`, the lesson is finished only once confirmed.
    attest: str | None = None
    required: bool = True
    attest_location: Location | None = None
    kind: str = field(default="lesson", init=False)


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    characters: tuple[Character, ...]
    nodes: tuple[Node, ...]
    source: Path
    location: Location  # of the id's value in the front matter
    shuffle: bool = True  # each learner sees each node's choices in an order of their own
    kind: str = field(default="scenario", init=False)
    headings: tuple[Heading, ...] = ()  # headings of its text that are not nodes

    def node_index(self) -> dict[str, int]:
        """Node id -> index; a link goes to the first node of an id, as in a Markdown viewer."""
        index: dict[str, int] = {}
        for i, node in enumerate(self.nodes):
            index.setdefault(node.id, i)
        return index

    @property
    def flags(self) -> tuple[str, ...]:
        """Every flag a choice sets or unsets, in order of first mention."""
        seen: dict[str, None] = {}
        for node in self.nodes:
            for choice in node.choices:
                for flag in (*choice.sets, *choice.unsets):
                    seen.setdefault(flag)
        return tuple(seen)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...]
    intro: Markdown | None
    pass_mark: int | None  # None: the course's
    shuffle: bool
    draw: int | None
    attempts: int
    source: Path
    location: Location  # of the id's value in the front matter
    draw_location: Location
    retakes: int | None = None  # rounds a failed course may start again from the results; None: no limit
    kind: str = field(default="quiz", init=False)

    @property
    def draws(self) -> bool:
        """True when each attempt asks only some of the questions."""
        return self.draw is not None and self.draw < len(self.questions)

    @property
    def asked(self) -> int:
        return self.draw if self.draws else len(self.questions)

    @property
    def max_points(self) -> int:
        # With a real draw every question carries the same points (validated),
        # so the maximum is known at build time whichever questions are drawn.
        if self.draws:
            return self.draw * self.questions[0].points
        return sum(q.points for q in self.questions)


Module = Union[Lesson, Scenario, Quiz]


@dataclass(frozen=True)
class Badge:
    id: str
    title: str
    description: str
    icon: Path | None
    when: Expression | None
    location: Location
    id_location: Location
    icon_location: Location | None = None  # of the icon's path in course.yaml


@dataclass(frozen=True)
class Root:
    """The folder a course owns: every file it names must resolve inside it."""

    folder: Path  # with symbolic links resolved: what paths are checked against
    written: Path  # the same folder with links left as they are, as paths in the course name it
    origin: str  # "git" (the repository holding course.yaml), "course" (its folder) or "setting" (root:)
    shown: str  # the folder as seen from course.yaml's, as authors write paths: "." or "../.."
    widened: bool = False  # root: reaches beyond the folder the course would own by default


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Sizes a course may not exceed (limits: in course.yaml raises them)."""

    asset: int = 5 * MB  # one image or badge icon
    package: int = 50 * MB  # everything the course ships: modules, images and icons
    package_location: Location | None = None  # of limits.package in course.yaml, when set


@dataclass(frozen=True)
class Unread:
    """A module file the course lists that could not be loaded (its own errors say why)."""

    path: Path
    id: str  # the id its front matter seems to give, else the file name without .md


@dataclass(frozen=True)
class Objective:
    """One thing the learner will be able to do after the course (course.yaml's `objectives`)."""

    text: str
    location: Location


@dataclass(frozen=True)
class Palette:
    """One colour scheme of a theme: colours as #rrggbb."""

    primary: str
    accent: str
    background: str
    locations: Mapping[str, Location]  # key -> where its value stands in course.yaml


@dataclass(frozen=True)
class Theme:
    """`theme:` in course.yaml (addition to v1): the company's look, checked for contrast."""

    light: Palette
    dark: Palette | None  # followed when the learner's system prefers dark
    logo: Path | None
    font: str | None  # a stack of installed fonts ("Segoe UI", Roboto, sans-serif)
    font_file: Path | None  # or a font shipped in the package
    location: Location  # of the theme: key
    logo_location: Location | None = None
    font_location: Location | None = None


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    version: str
    language: str
    description: str
    pass_mark: int
    pass_mark_location: Location | None  # None: the default was used
    modules: tuple[Module, ...]
    badges: tuple[Badge, ...]
    source: Path
    location: Location
    field_locations: Mapping[str, Location]  # key -> where its value stands in course.yaml
    # Translations (`languages:`), BCP 47 tags; each one's location is field_locations["languages.N"].
    languages: tuple[str, ...] = ()
    root: Root | None = None  # None only for a model made outside the loader
    limits: Limits = field(default_factory=Limits)
    xapi_base: str | None = None  # where the cmi5/xAPI identifiers start; None: the documented default
    # Listed modules that could not be loaded: what follows only from them is not reported again.
    unread: tuple[Unread, ...] = ()
    objectives: tuple["Objective", ...] = ()  # what the learner will be able to do, shown on the cover
    theme: Theme | None = None
    # The runtime's words in the course's language, where a translation gives them (translate/ui.py):
    # key -> text, or a plural word as {CLDR category: text}. The rest are the runtime's English.
    labels: Mapping[str, object] = field(default_factory=dict)

    def where(self, key: str) -> Location:
        return self.field_locations.get(key, self.location)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def quiz_pass_mark(self, quiz: Quiz) -> int:
        return self.pass_mark if quiz.pass_mark is None else quiz.pass_mark

    def markdown_spans(self):
        """Every Markdown span of the course, in reading order."""
        for module in self.modules:
            if isinstance(module, Lesson):
                yield from (page.body for page in module.pages)
            elif isinstance(module, Scenario):
                for node in module.nodes:
                    for part in node.body:
                        yield part.text if isinstance(part, DialogueLine) else part
                    yield from (c.consequence for c in node.choices if c.consequence)
            else:
                if module.intro:
                    yield module.intro
                for question in module.questions:
                    yield from (s for s in (question.body, question.explanation) if s)
