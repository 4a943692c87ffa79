"""Module bodies (Markdown) → model objects, keeping every line.

The structure of a module — nodes, choices, pages, questions, options — is
read line by line here, so each object knows its line and column; the prose in
between stays Markdown text until `render` turns it into HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import attributes, expressions
from ..diagnostics import Diagnostics, Location, closest, did_you_mean
from ..model import (Character, Choice, DialogueLine, Heading, Image, Markdown, Node, Option, Page, Question,
                     sorted_targets)
from ..rules import CHOICE_TYPES, ID, OUTCOMES, QUESTION_TYPES

HEADING = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+")
CHOICE = re.compile(r"^(?P<lead>[ \t]{0,3}[-*+][ \t]+)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])+)\]\(#(?P<target>[^)\s]*)\)(?P<rest>.*)$")
# A matching pair's two sides: `- A lost laptop -> IT service desk` (or "→").
PAIR = re.compile(r"^(?P<source>.*?)[ \t]+(?:->|→)[ \t]+(?P<target>.*?)[ \t]*$")
TASK = re.compile(r"^(?P<lead>[ \t]{0,3}[-*+][ \t]+)\[(?P<mark>[ xX])\][ \t]+(?P<text>.*?)[ \t]*$")
DIALOGUE = re.compile(r"^(?P<lead>[ \t]{0,3}>[ \t]?)\[(?P<speaker>[^\]\s]+)\][ \t]*(?P<text>.*)$")
QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
CONSEQUENCE_DIALOGUE = re.compile(r"^[ \t]+>[ \t]?\[(?P<speaker>[^\]\s]+)\]")
# The alt text stops at the next "![", so a line of unclosed images is read in linear time.
IMAGE = re.compile(r"!\[(?P<alt>(?:[^\]!]|!(?!\[))*)\]\(\s*<?(?P<ref>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
RAW_HTML = re.compile(r"<(?P<tag>/?[A-Za-z][A-Za-z0-9-]*)(?=[\s/>])|<!--|<\?")
BACKTICKS = re.compile(r"`+")
CHOICE_KEYS = ("points", "set", "unset", "if")
PINNED = "pinned"  # the class that keeps a choice or an option in its source position
# A trailing {…} on an option that is meant as attributes, not as text ("Costs {x}" stays text).
OPTION_ATTRIBUTES = re.compile(r"^\s*(?:[.#]|[A-Za-z_][\w-]*=)")


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    in_fence: bool
    shift: int = 0  # columns cut from the left of the author's line (indentation, a quote marker)


class Source:
    """The lines of one module body and where they are."""

    def __init__(self, text: str, path: Path, first_line: int):
        self.path = path
        self.first_line = first_line
        self.lines: list[Line] = []
        self._beside: dict[str, Path] = {}
        in_fence = False
        for offset, raw in enumerate(text.split("\n")):
            fence = bool(FENCE.match(raw))
            self.lines.append(Line(first_line + offset, raw.rstrip("\r"), in_fence or fence))
            if fence:
                in_fence = not in_fence

    def beside(self, reference: str) -> Path:
        """A path written in this file, joined to its folder (a picture used a thousand times is joined once)."""
        if reference not in self._beside:
            self._beside[reference] = self.path.parent / reference
        return self._beside[reference]

    def at(self, line: Line, column: int = 1) -> Location:
        return Location(self.path, line.number, column)

    def start(self) -> Location:
        """The first line with text, or the front matter's closing line when there is none."""
        first = next((line for line in self.lines if line.text.strip()), None)
        return self.at(first) if first else Location(self.path, self.first_line - 1, 1)

    def headings(self, level: int | None = None):
        """(index, match) of each heading of `level` (of any level when None)."""
        for index, line in enumerate(self.lines):
            if line.in_fence:
                continue
            match = HEADING.match(line.text)
            if match and (level is None or len(match.group("hashes")) == level):
                yield index, match


def _or(words, prefix: str = "") -> str:
    """"a, b or c"."""
    words = [prefix + w for w in words]
    return ", ".join(words[:-1]) + " or " + words[-1]


def blank_code_spans(text: str) -> str:
    """The text with its code spans (`code`, ``co`de``) turned into spaces, column for column.

    A span closes at the next run of as many backticks (CommonMark 6.1); found
    run by run, so a line of backticks costs linear time, not cubic as a regex
    with a backreference does."""
    runs = [(m.start(), m.end()) for m in BACKTICKS.finditer(text)]
    following: dict[int, int] = {}  # run -> the next run of the same length
    last_of_length: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        if length in last_of_length:
            following[index] = last_of_length[length]
        last_of_length[length] = index
    parts, done, index = [], 0, 0
    while index < len(runs):
        closing = following.get(index)
        if closing is None:
            index += 1
            continue
        start, end = runs[index][0], runs[closing][1]
        parts += [text[done:start], " " * (end - start)]
        done, index = end, closing + 1
    return "".join(parts) + text[done:]


def _blank(lines: list[Line]) -> bool:
    return all(not line.text.strip() for line in lines)


def markdown(lines: list[Line], source: Source, diags: Diagnostics, indent: int = 0) -> Markdown | None:
    """A Markdown span; reports raw HTML and images that are not course files.

    `indent`: columns the first line's text stands right of column 1 (a
    dialogue line's text follows its `> [speaker]`).
    """
    while lines and not lines[0].text.strip():
        lines = lines[1:]
    while lines and not lines[-1].text.strip():
        lines = lines[:-1]
    if not lines:
        return None
    images: list[Image] = []
    for line in lines:
        if line.in_fence:
            continue
        shift = line.shift + (indent if line is lines[0] else 0)
        text = blank_code_spans(line.text)
        for match in RAW_HTML.finditer(text):
            shown = f'<{match.group("tag")}>' if match.group("tag") else match.group()
            diags.error(source.at(line, match.start() + 1 + shift),
                        f"raw HTML ({shown}) is not allowed in course text; write it in Markdown")
        for match in IMAGE.finditer(text):
            ref = match.group("ref")
            where = source.at(line, match.start("ref") + 1 + shift)
            if re.match(r"^[a-z][a-z0-9+.-]*:|^//", ref, re.I):
                diags.error(where, f'image "{ref}" is not a file of the course: the package may load '
                            "nothing from the internet; save the image beside the course and write its path")
            elif ref.startswith("/"):
                diags.error(where, f'image "{ref}" must be a path relative to this file')
            else:
                images.append(Image(ref, source.beside(ref), where))
                if not match.group("alt").strip():
                    diags.warning(source.at(line, match.start() + 1 + shift), f'image "{ref}" has no alt text: '
                                  "write what it shows between the brackets, ![like this](file.svg), for learners "
                                  "who cannot see it")
                elif _names_the_file(match.group("alt"), ref):
                    diags.warning(source.at(line, match.start("alt") + 1 + shift), f'the alt text of image "{ref}" '
                                  "is only its file name, which tells a learner who cannot see the image nothing: "
                                  "write what the image shows between the brackets instead")
    _check_brackets(lines, source, diags, indent)
    text = "\n".join(line.text for line in lines)
    return Markdown(text, source.at(lines[0], 1 + lines[0].shift + (indent if lines[0].text.strip() else 0)),
                    tuple(images))


# Python-Markdown finds the end of every link by scanning from its "[" to the
# matching "]" (and from "](" to the matching ")"), to the end of the paragraph
# when there is none: brackets that never close cost time quadratic in the
# paragraph (8,000 of them take half a minute). Text that would take the renderer
# more than a fraction of a second is refused where it stands.
BRACKET_WORK = 1_000_000
_BRACKET = re.compile(r"\\.|[\[\]()]", re.S)  # an escaped bracket is text


def bracket_work(text: str) -> tuple[int, int]:
    """(characters the renderer scans to match brackets, offset of the first bracket
    that never closes, or of the first "[" when all close, or -1 when there is none)."""
    work, squares, rounds, first = 0, [], [], -1
    for match in _BRACKET.finditer(text):
        char, index = match.group(), match.start()
        if char == "[":
            squares.append(index)
            first = index if first < 0 else first
        elif char == "]" and squares:
            work += index - squares.pop()
        elif char == "(":
            rounds.append((index, index > 0 and text[index - 1] == "]"))
        elif char == ")" and rounds:
            start, after_link = rounds.pop()
            work += index - start if after_link else 0
    unclosed = squares + [start for start, after_link in rounds if after_link]
    work += sum(len(text) - start for start in unclosed)
    return work, min(unclosed) if unclosed else first


def _check_brackets(lines: list[Line], source: Source, diags: Diagnostics, indent: int = 0) -> None:
    paragraph: list[Line] = []
    for line in lines + [Line(0, "", False)]:
        if line.text.strip() and not line.in_fence:
            paragraph.append(line)
            continue
        if paragraph:
            text = "\n".join(blank_code_spans(p.text) for p in paragraph)
            work, offset = bracket_work(text)
            if work > BRACKET_WORK:
                number = text.count("\n", 0, offset)
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                shift = indent if paragraph[number] is lines[0] else 0
                diags.error(source.at(paragraph[number], column + shift), "too many unclosed or deeply nested "
                            "brackets in this paragraph to render it in reasonable time: close each link's "
                            "brackets, or write \\[ for a bracket that is text")
        paragraph = []
def _names_the_file(alt: str, reference: str) -> bool:
    """Is the alt text only the image's file name: its path, its name, or a name without its
    extension that reads as a file name (fake-invoice, IMG_2041) rather than words ("Logo")?"""
    alt = alt.strip()
    name = reference.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0]
    return alt.lower() in (reference.lower(), name.lower()) or (alt == stem and re.search(r"[-_.0-9]", stem) is not None)


def heading_parts(match: re.Match, line: Line, source: Source, diags: Diagnostics):
    """(title, attributes) of a heading line.

    A block that is not closed (a quote or the brace) is reported, then read as well as it
    can be, so the node or question it names still exists and nothing else is reported
    only because of it."""
    text = match.group("text")
    title, body, offset = attributes.split_trailing(text)
    if body is not None:
        column = match.start("text") + offset + 1
        return title, attributes.parse(body, source.at(line, column), diags)
    brace = text.rfind("{")
    block = text[brace:] if brace >= 0 else ""
    quote = attributes.unterminated_quote(block) if brace >= 0 else None
    if quote is not None:
        diags.error(source.at(line, match.start("text") + brace + quote + 1),
                    'unterminated quoted value in attributes: close it with "')
        block = block.replace('"', "")
    elif re.match(r"\{\s*(?:[#.]\S|[A-Za-z_][\w-]*=)", block) and "}" not in block:
        diags.error(source.at(line, match.start("text") + brace + 1),
                    'the attributes of this heading need a closing "}": add it at the end of the line')
    else:
        return title, []
    salvaged = attributes.parse(block[1:].rstrip().rstrip("}"), source.at(line, match.start("text") + brace + 2),
                                Diagnostics())
    return text[:brace].rstrip(), salvaged


# --- scenario ----------------------------------------------------------------

def scenario_nodes(source: Source, characters: dict[str, Character], diags: Diagnostics
                   ) -> tuple[list[Node], list[Heading]]:
    """The nodes, and the headings of the text that are not nodes (a "did you mean" looks there too)."""
    starts: list[tuple[int, str, list[attributes.Attribute]]] = []
    loose: list[Heading] = []
    headings = list(source.headings())
    unlinked = _links_to_no_heading(source, headings)
    for index, match in headings:
        line = source.lines[index]
        level = len(match.group("hashes"))
        if not _names_an_id(match.group("text")):
            title = attributes.split_trailing(match.group("text"))[0]
            meant = _meant_for(title, unlinked)
            if meant is not None:
                # A link leads to this heading's words: read it as the node it was meant to be, so the
                # node above keeps its choices and the link resolves; one error says what to write.
                unlinked.discard(meant)
                diags.error(source.at(line), f'heading "{title}" has no {{#id}}, so it is not a node, but a choice '
                            f'leads to #{meant}: write "# {title} {{#{meant}}}"')
                where = source.at(line)
                starts.append((index, title, [attributes.Attribute("id", meant, None, where, where)]))
                continue
            if level == 1:
                diags.warning(source.at(line), f'level-1 heading "{title}" has no {{#id}}, so it is not a node '
                              "but text of the node above; add {#id} to make it a node")
            loose.append(Heading(title, level, source.at(line)))
            continue
        title, attrs = heading_parts(match, line, source, diags)
        if level > 1:
            # Read as the node it was meant to be: its links resolve and the node above keeps its choices.
            diags.error(source.at(line), f'a node is a level-1 heading, with one "#": write '
                        f'"{_relevelled(line.text, 1)}"')
        starts.append((index, title, attrs))
    if not starts:
        diags.error(source.start(), "a scenario needs at least one node: a level-1 heading with an id, like # Title {#start}")
        return [], loose
    before = source.lines[: starts[0][0]]
    if not _blank(before):
        first = next(line for line in before if line.text.strip())
        diags.warning(source.at(first), "text before the first node is never shown to the learner: move it into "
                      "the first node, or remove it")
    nodes = []
    for position, (index, title, attrs) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(source.lines)
        nodes.append(_node(source, index, title, attrs, source.lines[index + 1:end], characters, diags))
    return nodes, loose


HEADING_ID = re.compile(r"\{(?:[^}]*?\s)?#([^\s}\"]+)")


def _links_to_no_heading(source: Source, headings) -> set[str]:
    """Targets of choices that no heading's {#id} names."""
    ids = {found.group(1) for _, match in headings for found in HEADING_ID.finditer(match.group("text"))}
    return {match.group("target") for line in source.lines if not line.in_fence
            and (match := CHOICE.match(line.text)) and match.group("target")} - ids


def _meant_for(title: str, targets: set[str]) -> str | None:
    """The target a link gives a heading that has no id: its words (the-call), one of them (call)."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    for target in sorted(targets):
        if target == slug or f"-{target}-" in f"-{slug}-":
            return target
    return None


def _names_an_id(heading_text: str) -> bool:
    """Does the heading end in an attribute block holding an {#id} (closed or not)?"""
    brace = heading_text.rfind("{")
    return brace >= 0 and re.match(r"\{(?:[^}]*?\s)?#[^\s}]", heading_text[brace:]) is not None


def _relevelled(text: str, level: int) -> str:
    """The heading line with `level` hashes."""
    return "#" * level + " " + text.lstrip(" \t#").strip()


def _node(source, index, title, attrs, body_lines, characters, diags) -> Node:
    line = source.lines[index]
    node_id, is_ending, outcome = "", False, None
    id_location = source.at(line)
    for attr in attrs:
        if attr.kind == "id":
            if node_id:
                diags.error(attr.location, "a node has one id: remove this one")
            elif not attr.name:
                diags.error(attr.location, 'empty node id: write it after the "#", like {#start}')
            node_id, id_location = node_id or attr.name, attr.value_location
        elif attr.kind == "class" and attr.name == "ending":
            is_ending = True
        elif attr.kind == "key" and attr.name == "outcome":
            outcome = attr.value
            if outcome not in OUTCOMES:
                diags.error(attr.value_location, f'outcome must be {_or(OUTCOMES)}, not "{outcome}"'
                            + did_you_mean(outcome or "", OUTCOMES))
                outcome = None
        elif attr.kind == "class":
            diags.error(attr.location, f'unknown class ".{attr.name}" on a node (only .ending)'
                        + did_you_mean(attr.name, ("ending",)))
            is_ending = is_ending or closest(attr.name, ("ending",)) is not None  # read as meant
        else:
            diags.error(attr.location, f'unknown attribute "{attr.name}" on a node (only #id, .ending, outcome=)'
                        + did_you_mean(attr.name, ("outcome",)))
    location = source.at(line)
    if outcome and not is_ending:
        diags.error(location, f'node "{node_id}" has an outcome but is not an ending: add .ending')
        is_ending = not _split_choices(body_lines)[1]  # read as the ending it was meant to be, if it has no choices
    elif is_ending and outcome is None and not any(a.name == "outcome" for a in attrs):
        diags.error(location, f'ending "{node_id}" needs an outcome: add outcome=good, outcome=neutral or '
                    "outcome=bad")
    body_lines, choice_lines = _split_choices(body_lines)
    if not choice_lines and not is_ending:
        body_lines, choice_lines = _choices_before_text(body_lines, node_id, source, diags)
    if choice_lines:
        body_lines, choice_lines = _text_between_choices(body_lines, choice_lines, node_id, source, diags)
    choices = [c for c in (_choice(source, item, diags) for item in choice_lines) if c]
    for body_line in body_lines:
        if not body_line.in_fence and CHOICE.match(body_line.text):
            diags.error(source.at(body_line), "a choice must be in the list that ends the node; "
                        "move it down or remove the text after the choices")
    body = _body_parts(body_lines, source, characters, diags)
    return Node(node_id, title, tuple(body), tuple(choices), is_ending, outcome, location, id_location)


def _choices_before_text(lines: list[Line], node_id: str, source: Source, diags: Diagnostics):
    """A node whose list of choices is followed by more text: say so once, at that text, and
    read the list as its choices all the same (the text joins the node's text)."""
    last = next((i for i in range(len(lines) - 1, -1, -1)
                 if not lines[i].in_fence and CHOICE.match(lines[i].text)), None)
    if last is None:
        return lines, []
    body, items = _split_choices(lines[: last + 1])
    after = [line for line in lines[last + 1:] if line.text.strip()]
    if items and after:
        diags.error(source.at(after[0]), f'text after the choices of node "{node_id}": the list of choices ends '
                    "a node, so move this text above the choices, or indent it under a choice (two spaces) to "
                    "make it what that choice leads to")
    return body + lines[last + 1:], items


def _text_between_choices(body: list[Line], items: list[list[Line]], node_id: str, source: Source,
                          diags: Diagnostics) -> tuple[list[Line], list[list[Line]]]:
    """Choices, then text not indented under them, then more choices: the text was meant as the
    consequence of the choice above it (indented, it would be). Say so once, at that text, and
    read it so: every choice counts, so no node is reported unreachable for want of them."""
    first = next((i for i, line in enumerate(body) if not line.in_fence and CHOICE.match(line.text)), None)
    if first is None:
        return body, items
    tail = body[first:]
    if any(line.in_fence or (LIST_ITEM.match(line.text) and not CHOICE.match(line.text))
           or line.text.lstrip().startswith("#") for line in tail):
        return body, items  # more than choices and their text: a choice in the middle of the node's text
    above: list[list[Line]] = []
    for line in tail:
        if CHOICE.match(line.text):
            above.append([line])
        else:
            above[-1].append(line)
    stray = next(line for item in above for line in item[1:] if line.text.strip())
    diags.error(source.at(stray), f'text between the choices of node "{node_id}": indent it under the choice '
                "above (two spaces) to make it what that choice leads to, or move it above the choices")
    return body[:first], above + items


def _split_choices(lines: list[Line]) -> tuple[list[Line], list[list[Line]]]:
    """Split off the trailing list if it holds choices: (body lines, choice items)."""
    end = len(lines)
    while end and not lines[end - 1].text.strip():
        end -= 1
    start = end
    items: list[list[Line]] = []  # bottom up, each item's lines bottom up: appending stays linear
    current: list[Line] = []
    while start > 0:
        line = lines[start - 1]
        text = line.text
        if line.in_fence:
            break
        if LIST_ITEM.match(text):
            items.append(current + [line])
            current = []
        elif not text.strip() or text.startswith((" ", "\t")):
            current.append(line)
        else:
            break
        start -= 1
    start += len(current)  # lines above the first item are not part of the list
    items = [item[::-1] for item in reversed(items)]
    if not any(CHOICE.match(item[0].text) for item in items):
        return lines, []
    return lines[:start], items


def _choice(source: Source, item: list[Line], diags: Diagnostics) -> Choice | None:
    line = item[0]
    match = CHOICE.match(line.text)
    if not match:
        diags.error(source.at(line, len(LIST_ITEM.match(line.text).group()) + 1),
                    "this item is in the node's list of choices but is not a choice: write it as one "
                    "link to a node, like - [Ask Maya first](#ask){points=5}")
        return None
    consequence = _consequence(item[1:], source, diags)
    rest = match.group("rest")
    attrs = []
    if rest.strip():
        stripped = rest.lstrip()
        column = match.start("rest") + len(rest) - len(stripped) + 1
        block = attributes.LEADING.match(stripped)
        if not stripped.startswith("{"):
            diags.error(source.at(line, column), "only {attributes} may follow a choice's link, "
                        "like {points=5 set=asked}: move these words into the link's text, or into the next node")
        elif not block:
            quote = attributes.unterminated_quote(stripped)
            if quote is not None:
                diags.error(source.at(line, column + quote), 'unterminated quoted value in attributes: close it with "')
            else:
                diags.error(source.at(line, column), 'the attributes of a choice need a closing "}"')
            # Read as well as it can be, so that what it sets and reads is not reported again.
            attrs = attributes.parse(stripped[1:].replace('"', "").rstrip().rstrip("}"),
                                     source.at(line, column + 1), Diagnostics())
        else:
            attrs = attributes.parse(block.group("body"), source.at(line, column + 1), diags)
            after = stripped[block.end():]
            if after.strip():
                extra = block.end() + len(after) - len(after.lstrip())
                diags.error(source.at(line, column + extra), "nothing may follow a choice's {attributes}; "
                            "put any explanation into the next node's text")
    points, sets, unsets, condition, pinned = 0, [], [], None, False
    for attr in attrs:
        if attr.kind == "class" and attr.name == PINNED:
            pinned = True
        elif attr.kind == "key" and attr.name == PINNED:
            diags.error(attr.location, f'{PINNED} is a class, not a key: write .{PINNED} (with a dot, no value)')
            pinned = True  # read as meant
        elif attr.kind != "key" or attr.name not in CHOICE_KEYS:
            diags.error(attr.location, f'unknown choice attribute "{_shown(attr)}" (use points=, set=, unset=, if=, '
                        f'.{PINNED})' + _meant(attr, CHOICE_KEYS))
        elif attr.name == "points":
            if not re.fullmatch(r"[+-]?\d+", attr.value or ""):
                diags.error(attr.value_location, f'points must be a whole number, not "{attr.value}"')
            else:
                points = int(attr.value)
        elif attr.name in ("set", "unset"):
            names = _flag_list(attr, diags)
            (sets if attr.name == "set" else unsets).extend(names)
        else:
            condition = expressions.parse(attr.value or "", attr.value_location, diags)
    target_location = source.at(line, match.start("target"))
    return Choice(match.group("text").strip(), match.group("target"), points, tuple(sets), tuple(unsets),
                  condition, source.at(line, match.start("lead") + len(match.group("lead")) + 1),
                  target_location, consequence, pinned)


def _shown(attr: attributes.Attribute) -> str:
    return {"id": "#", "class": "."}.get(attr.kind, "") + attr.name


def _meant(attr: attributes.Attribute, keys: tuple[str, ...]) -> str:
    """A "did you mean" written as the attribute should be: `points=` for a key, `.pinned` for the class."""
    close = closest(attr.name, keys + (PINNED,))
    if close is None:
        return ""
    return f' (did you mean "{"." + close if close == PINNED else close + "="}"?)'


def _consequence(lines: list[Line], source: Source, diags: Diagnostics) -> Markdown | None:
    """The indented text under a choice, a paragraph or a blockquote: what its choice leads to."""
    for line in lines:
        match = None if line.in_fence else CONSEQUENCE_DIALOGUE.match(line.text)
        if match:
            speaker = match.group("speaker")
            diags.warning(source.at(line, match.start("speaker")),
                          f'"> [{speaker}]" under a choice is not dialogue: it shows as a quote starting '
                          f'"[{speaker}]", since a consequence is narration: move the line to the top of the node '
                          f'the choice leads to, where "> [{speaker}] …" speaks')
    text_lines = []
    for line in lines:
        indent = len(line.text) - len(line.text.lstrip(" \t"))
        rest = line.text[indent:]
        quote = QUOTE.match(rest)
        cut = indent + (quote.end() if quote else 0)
        text_lines.append(Line(line.number, line.text[cut:], line.in_fence, cut))
    return markdown(text_lines, source, diags)


def _flag_list(attr: attributes.Attribute, diags: Diagnostics) -> list[str]:
    names = []
    offset = 0
    for name in (attr.value or "").split(","):
        if not ID.match(name):
            meant = re.sub(r"^[^a-z]+", "", re.sub(r"[^a-z0-9]+", "-", name.lower())).strip("-")
            fix = f': write "{meant}"' if meant else ""
            diags.error(attr.value_location.shifted(offset),
                        f'"{name}" is not a flag name (lower-case letters, digits and hyphens, '
                        f"starting with a letter){fix}")
            if meant:
                names.append(meant)  # read as meant, so the conditions that read it are not reported too
        else:
            names.append(name)
        offset += len(name) + 1
    return names


def _body_parts(lines: list[Line], source: Source, characters, diags):
    parts: list = []
    prose: list[Line] = []

    def flush():
        span = markdown(prose, source, diags)
        if span:
            parts.append(span)
        prose.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        match = None if line.in_fence else DIALOGUE.match(line.text)
        if not match:
            if not line.in_fence and QUOTE.match(line.text):
                _spoken_quote(line, source, characters, diags)
            prose.append(line)
            index += 1
            continue
        flush()
        speaker = match.group("speaker")
        text_lines = [Line(line.number, match.group("text"), False)]
        index += 1
        while index < len(lines) and QUOTE.match(lines[index].text) and not DIALOGUE.match(lines[index].text):
            following = lines[index]
            text_lines.append(Line(following.number, QUOTE.sub("", following.text), False))
            index += 1
        where = source.at(line, match.start("speaker") + 1)
        if speaker not in characters:
            known = ", ".join(sorted(characters)) or "none are declared in the front matter"
            hint = did_you_mean(speaker, characters) or (f": declare {speaker} under characters: in the front matter, "
                                                          f"like {speaker}: {{ name: …, role: … }}")
            diags.error(where, f'unknown speaker "{speaker}" (characters: {known})' + hint)
        span = markdown(text_lines, source, diags, indent=match.start("text")) or Markdown("", where)
        parts.append(DialogueLine(speaker, span, where))
    flush()
    return parts


# A quote that reads as a line of dialogue: > **Raj:** …, > **Raj**: …, > Raj: …
SPOKEN = re.compile(r"^(?P<lead>[ \t]{0,3}>[ \t]?)(?:(?P<mark>\*\*|__)(?P<name>[^*_:]{1,40}?)[ \t]*"
                    r"(?::[ \t]*(?P=mark)|(?P=mark)[ \t]*:)|(?P<plain>[^\W\d_][\w .'-]{0,39}?):)[ \t]+(?P<text>.*)$")


def _spoken_quote(line: Line, source: Source, characters: dict[str, Character], diags: Diagnostics) -> None:
    """Warn about a quote written as a line of dialogue: it shows as a plain quote."""
    match = SPOKEN.match(line.text)
    if not match:
        return
    name = (match.group("name") or match.group("plain")).strip()
    speaker = next((c for c in characters.values() if name.lower() in (c.key, c.name.lower())), None)
    if match.group("plain") and speaker is None:
        return  # "> Note: …" is a quote; only a character's name makes it dialogue
    key = speaker.key if speaker else re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "name"
    fix = f'"> [{key}] {match.group("text")}"'
    if speaker:
        advice = f"write {fix} to have {speaker.name} say it (with their name and role)"
    else:
        advice = f"declare {name} under characters: in the front matter ({key}: {{ name: {name}, role: … }}) and write {fix}"
    diags.warning(source.at(line, len(match.group("lead")) + 1),
                  f"this quote reads like dialogue but shows as a plain quote: {advice}")


def _dialogue_outside_scenario(lines: list[Line], source: Source, what: str, diags: Diagnostics) -> None:
    """`> [raj] …` speaks only in a scenario; elsewhere it is a quote starting "[raj]"."""
    for line in lines:
        match = None if line.in_fence else DIALOGUE.match(line.text)
        if match:
            speaker = match.group("speaker")
            diags.warning(source.at(line, match.start("speaker")),
                          f'"> [{speaker}]" makes a character speak only in a scenario; in a {what} it shows as a '
                          f'quote starting "[{speaker}]": name the speaker in the text instead, like '
                          f'> **{speaker.capitalize()}:** {match.group("text")}'.rstrip())


# --- lesson --------------------------------------------------------------------

def lesson_pages(source: Source, diags: Diagnostics) -> list[Page]:
    starts = list(source.headings(1))
    if not starts:
        diags.error(source.start(), "a lesson needs at least one page: start each page with a level-1 heading (# Title)")
        return []
    before = source.lines[: starts[0][0]]
    if not _blank(before):
        first = next(line for line in before if line.text.strip())
        diags.warning(source.at(first), "text before the first page heading is never shown to the learner: move "
                      "it under a heading, or remove it")
    pages = []
    for position, (index, match) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(source.lines)
        line = source.lines[index]
        title, _ = heading_parts(match, line, source, diags)
        body = markdown(source.lines[index + 1:end], source, diags) or Markdown("", source.at(line))
        _dialogue_outside_scenario(source.lines[index + 1:end], source, "lesson", diags)
        pages.append(Page(title, body, source.at(line)))
    return pages


# --- quiz ------------------------------------------------------------------------

QUESTION_KEYS = ("type", "points")
# An option marked almost as a task-list item: [*], [X ], [ x], [], (x), [v], a numbered item...
OPTION_SLIP = re.compile(r"^(?P<lead>[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+)"
                         r"(?P<box>\[(?P<mark>[ \t]*[xXvV*+\u2713\u2714\u2717\u2718\u2022oO/-]?[ \t]*)\]"
                         r"|\((?P<round>[ \t]*[xX*\u2022]?[ \t]*)\))[ \t]*(?P<text>.*?)[ \t]*$")


def _slip_is_right(slip: re.Match) -> bool:
    """Any mark in the box reads as "right", an empty box as "wrong"."""
    return (slip.group("mark") if slip.group("mark") is not None else slip.group("round")).strip() != ""


def _option_slip(slip: re.Match) -> str | None:
    """What to write instead, or None when only the option's text is missing (validate says so)."""
    bulleted = slip.group("lead").strip() in "-*+"
    exact = slip.group("box") in ("[ ]", "[x]", "[X]")
    if bulleted and exact and not slip.group("text"):
        return None
    want = f'- [{"x" if _slip_is_right(slip) else " "}] {slip.group("text")}'.rstrip()
    if bulleted and exact:
        return f'put a space after the brackets: write "{want}"'
    written = f'{slip.group("lead").strip()} {slip.group("box")}'
    return (f'write this option as "{want}": an option is "- [x]" (right) or "- [ ]" (wrong), '
            f'with one space after the brackets, not "{written}"')


def quiz_questions(source: Source, diags: Diagnostics) -> tuple[Markdown | None, list[Question]]:
    starts = []
    for index, match in source.headings():
        level = len(match.group("hashes"))
        if level != 2:
            if not (_names_an_id(match.group("text")) or re.search(r"\{[^}]*\btype=", match.group("text"))):
                continue
            # Read as the question it was meant to be, so its options are not reported as strays.
            diags.error(source.at(source.lines[index]), f'a question is a level-2 heading, with two "#": write '
                        f'"{_relevelled(source.lines[index].text, 2)}"')
        starts.append((index, match))
    _dialogue_outside_scenario(source.lines, source, "quiz", diags)
    intro_end = starts[0][0] if starts else len(source.lines)
    intro = markdown(source.lines[:intro_end], source, diags)
    if not starts:
        diags.error(source.start(), "a quiz needs at least one question: "
                    "a level-2 heading like ## Question? {#q-id type=single points=1}")
        return intro, []
    questions = []
    for position, (index, match) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(source.lines)
        question = _question(source, index, match, source.lines[index + 1:end], diags)
        if question:
            questions.append(question)
    return intro, questions


def _question(source, index, match, lines, diags) -> Question | None:
    line = source.lines[index]
    prompt, attrs = heading_parts(match, line, source, diags)
    question_id, kind, points, points_location = "", None, 1, None
    id_location = source.at(line)
    for attr in attrs:
        if attr.kind == "id":
            question_id, id_location = attr.name, attr.value_location
        elif attr.kind == "key" and attr.name == "type":
            kind = attr.value
            if kind not in QUESTION_TYPES:
                diags.error(attr.value_location, f'question type must be {_or(QUESTION_TYPES)}, '
                            f'not "{kind}"' + did_you_mean(kind or "", QUESTION_TYPES))
                kind = "invalid"
        elif attr.kind == "key" and attr.name == "points":
            points_location = attr.value_location
            if not re.fullmatch(r"\+?\d+", attr.value or ""):
                diags.error(attr.value_location, f'points must be a whole number of 0 or more, not "{attr.value}"')
            else:
                points = int(attr.value)
        else:
            shown = {"id": "#", "class": "."}.get(attr.kind, "") + attr.name
            diags.error(attr.location, f'unknown question attribute "{shown}" (use #id, type=, points=)'
                        + did_you_mean(attr.name, QUESTION_KEYS))
    location = source.at(line)
    if not question_id:
        diags.error(location, "a question heading needs an id and a type, like {#q-name type=single points=1}")
        return None
    if kind is None:
        diags.error(location, f'question "{question_id}" needs a type: add {_or(QUESTION_TYPES, "type=")}')
        kind = "invalid"
    if kind == "likert":
        if points_location is not None:
            diags.error(points_location, f'a likert question asks for a view and is never scored: remove points={points} '
                        f'from "{question_id}"')
        points = 0
    ticked = kind in CHOICE_TYPES or kind == "invalid"
    options, explanation_lines, body_lines = [], [], []
    state = "body"
    for body_line in lines:
        text = body_line.text
        task = None if body_line.in_fence or not ticked else TASK.match(text)
        slip = None if body_line.in_fence or task or not ticked else OPTION_SLIP.match(text)
        item = None if body_line.in_fence or ticked else LIST_ITEM.match(text)
        if state in ("body", "options") and (task or slip):
            state = "options"
            found = task or slip
            column = len(found.group("lead")) + 1
            if slip:
                message = _option_slip(slip)
                if message:
                    diags.error(source.at(body_line, column), message)
                right = _slip_is_right(slip)
            else:
                right = task.group("mark") != " "
            text, pinned = _option_attributes(found, body_line, source, diags)
            options.append(Option(text, right, source.at(body_line, column), pinned))
        elif state in ("body", "options") and item:
            state = "options"
            option = _listed_option(kind, item, body_line, source, diags)
            if option:
                options.append(option)
        elif state in ("options", "explanation") and QUOTE.match(text) and not body_line.in_fence:
            state = "explanation"
            explanation_lines.append(Line(body_line.number, QUOTE.sub("", text), False))
        elif not text.strip():
            if state == "explanation":
                explanation_lines.append(body_line)
        elif state == "body":
            body_lines.append(body_line)
        else:
            what = "options" if state == "options" else "the explanation"
            listed = "options (- [x] / - [ ])" if ticked else f"the {LISTED[kind]} (- …)"
            diags.error(source.at(body_line), f"only {listed} and then one blockquote "
                        f"explanation (> …) may follow the question text; this line comes after {what}: move it "
                        "into the question's text or the explanation")
    body = markdown(body_lines, source, diags)
    explanation = markdown(explanation_lines, source, diags)
    if kind == "matching":
        order = sorted_targets(options)
        options = [replace(o, match=order.index(o.target)) for o in options]
    return Question(question_id, kind, points, prompt, body, tuple(options), explanation, location, id_location,
                    points_location)


# What the list under a question of each listed type holds (additions to v1).
LISTED = {"matching": "pairs", "sequencing": "steps in their right order", "fill-in": "accepted answers",
          "likert": "points of the scale"}


def _listed_option(kind: str, item: re.Match, line: Line, source: Source, diags: Diagnostics) -> Option | None:
    """One item of a matching, sequencing, fill-in or likert question's list: a pair, a step, an
    accepted answer or a point of the scale. Every one is "correct": the list is the answer."""
    column = item.end() + 1
    text = line.text[item.end():].strip()
    where = source.at(line, column)
    if kind != "matching":
        return Option(text, True, where)
    pair = PAIR.match(line.text[item.end():])
    if not pair or not pair.group("source").strip() or not pair.group("target").strip():
        diags.error(where, 'a matching pair is a situation, " -> " and its match, like '
                    '"- A lost laptop -> IT service desk"')
        return None
    return Option(pair.group("source").strip(), True, where, target=pair.group("target").strip(),
                  target_location=source.at(line, item.end() + pair.start("target") + 1))


def _option_attributes(task: re.Match, line: Line, source: Source, diags: Diagnostics) -> tuple[str, bool]:
    """An option's text and whether it is pinned: `- [ ] None of the above {.pinned}`."""
    text = task.group("text")
    title, body, offset = attributes.split_trailing(text)
    if body is None or not OPTION_ATTRIBUTES.match(body):
        return text, False
    pinned = False
    for attr in attributes.parse(body, source.at(line, task.start("text") + offset + 1), diags):
        if attr.kind == "class" and attr.name == PINNED:
            pinned = True
        elif attr.kind == "key" and attr.name == PINNED:
            diags.error(attr.location, f'{PINNED} is a class, not a key: write .{PINNED} (with a dot, no value)')
            pinned = True  # read as meant
        else:
            diags.error(attr.location, f'unknown option attribute "{_shown(attr)}" (only .{PINNED}, which keeps the '
                        "option in its place when options are shuffled)" + _meant(attr, ()))
    return title, pinned
