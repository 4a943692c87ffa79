"""YAML's syntax errors in an author's words: what went wrong, on the line where it went
wrong, and what to write instead.

YAML parsers report where they gave up, in their own terms ("mapping values are not
allowed here", "did not find expected key"), and often on a line after the slip. Each
common slip is recognised from the error and the text around it: a colon or a special
character in an unquoted value, a tab, a line indented to match nothing above it, a key
indented under the text of the key above, a missing space after a colon, a quote never
closed. Anything else keeps the parser's words. Pure functions of the text.
"""
from __future__ import annotations

import re

import yaml

# A line holding a key (perhaps as a list item): "  - id: value", "title: value", "maya:".
# (Written to match in linear time: a hostile course file may hold a megabyte on one line.)
KEY_LINE = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)?)(?P<key>[^\s#:'\"{\[][^:#]*):(?:[ \t]+(?P<value>.*))?$")
ITEM_LINE = re.compile(r"^(?P<lead>[ ]*)-(?:[ ]+(?P<value>.*))?$")
# What a plain value may not start with, and what YAML reads there instead.
SPECIAL = {"[": "a list", "{": "a mapping", "*": "a reference to an anchor (an alias)", "&": "an anchor",
           "!": "a tag", "|": "the start of a block of text", ">": "the start of a block of text",
           "?": "a key", "@": "a reserved character", "`": "a reserved character", "%": "a directive",
           "'": "text in quotes that ends at the next '", '"': 'text in quotes that ends at the next "',
           "-": "a list item"}
INDENTATION = ("did not find expected key", "did not find expected '-' indicator", "expected <block end>")


def explain(text: str, error: yaml.YAMLError) -> tuple[int, int, str]:
    """(line, column, message) for a YAML syntax error in `text`; line and column from 0."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    lines = text.split("\n")
    line = min(mark.line, len(lines) - 1) if mark else 0
    column = mark.column if mark and mark.line < len(lines) else len(lines[line])
    if problem.startswith("exceeded") or len(lines[line]) > LONGEST:
        return line, column, problem  # a file built to break parsers, not an author's slip
    context = getattr(error, "context", None) or ""
    context_mark = getattr(error, "context_mark", None)
    if context_mark is not None and context_mark.line >= len(lines):
        context_mark = None
    for explain_one in (_unclosed_quote, _flow, _special_start, _colon, _tab, _indentation):
        try:
            found = explain_one(lines, line, column, problem, context, context_mark)
        except (IndexError, ValueError):  # marks a fuzzed file puts anywhere: keep the parser's words
            continue
        if found is not None:
            return found
    return line, column, problem


LONGEST = 1000  # a line longer than this is not explained: its value would not fit a message


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _value_of(text: str) -> tuple[str, int, str] | None:
    """(key or "", column where the value starts, the value) of a `key: value` or `- value` line."""
    match = KEY_LINE.match(text)
    if match and (match.group("value") or "").strip():
        return match.group("key").strip(), match.start("value"), match.group("value").rstrip()
    match = ITEM_LINE.match(text)
    if match and (match.group("value") or "").strip() and not KEY_LINE.match(text):
        return "", match.start("value"), match.group("value").rstrip()
    return None


def quoted(value: str) -> str:
    """The value as YAML text in quotes, double unless it holds a double quote."""
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _written(key: str, value: str) -> str:
    return f"{key}: {quoted(value)}" if key else f"- {quoted(value)}"


def _special_start(lines, line, column, problem, context, context_mark):
    """A plain value starting with a character YAML reads as syntax: [Draft] …, *bold* …, @name."""
    for number in dict.fromkeys((line, context_mark.line if context_mark else line)):
        if number >= len(lines):
            continue
        found = _value_of(lines[number])
        if found is None:
            continue
        key, start, value = found
        first = value[0]
        if first not in SPECIAL or (number == line and column < start):
            continue
        if first in "'\"":
            if value.endswith(first) and len(value) > 1:
                if value.count(first) == 2:
                    continue  # a well-quoted value: the slip is elsewhere
                return number, start, (f"this value is in {first} quotes but holds a {first} too, which ends it "
                                       f"early: use the other quotes: {_written(key, value[1:-1])}")
            return number, start, (f"the part in quotes ends before the value does: put the whole value in "
                                   f"quotes: {_written(key, value)}")
        if first == "-" and not value.startswith("- "):
            continue
        if first in "[{" and _flow_like(value):
            continue  # a list or mapping meant as one: see _flow
        return number, start, (f'YAML reads a value that starts with "{first}" as {SPECIAL[first]}: put the whole '
                               f"value in quotes: {_written(key, value)}")
    return None


def _flow_like(value: str) -> bool:
    """Does a value in brackets look like a list or mapping written on purpose?"""
    inner = value[1:].rstrip("]} ")
    return bool(re.search(r"^\s*[\w-]+:\s", inner) if value[0] == "{" else "," in inner or not inner.strip(" "))


def _colon(lines, line, column, problem, context, context_mark):
    if problem.startswith("could not find expected ':'"):  # "key:value" then another key: the glued colon
        above = _previous(lines, line + 1) if line < len(lines) else None
        for number in (n for n in (above, _previous(lines, line)) if n is not None):
            glued = re.match(r"^[ ]*(?:-[ ]+)?([\w-]+):(?=[^\s/])", lines[number])
            if glued:
                return number, glued.end(), (f'put a space after the colon of "{glued.group(1)}": write '
                                             f'{glued.group(1)}: {lines[number][glued.end():].strip()}')
        return None
    if not problem.startswith("mapping values are not allowed"):
        return None
    here = lines[line]
    above = _previous(lines, line)
    if above is not None:
        text = lines[above]
        match = KEY_LINE.match(text)
        key_column = len(match.group("lead")) if match else None
        if match and (match.group("value") or "").strip() and _indent(here) > key_column:
            # The line continues the text of the key above, so its "key:" is a colon inside that text.
            name = KEY_LINE.match(here.lstrip(" "))
            shown = f'"{name.group("key").strip()}"' if name else "this line"
            return line, _indent(here), (f'{shown} is indented more than "{match.group("key").strip()}" on line '
                                         f'{above + 1}, so YAML reads it as more of that text: {_indent_to(key_column)}, '
                                         f'to line up with "{match.group("key").strip()}"')
        glued = re.match(r"^[ ]*(?:-[ ]+)?([\w-]+):(?=[^\s/])", text)
        if glued and _indent(here) <= _indent(text):
            return above, glued.end(), (f'put a space after the colon of "{glued.group(1)}": write '
                                        f'{glued.group(1)}: {text[glued.end():].strip()}')
    found = _value_of(here)
    if found is not None and found[1] <= column:
        key, start, value = found
        return line, column, (f"this value holds a colon and a space, which YAML reads as the start of another "
                              f"key: put the whole value in quotes: {_written(key, value)}")
    return None


def _tab(lines, line, column, problem, context, context_mark):
    here = lines[line]
    if not ("cannot start any token" in problem or "tab character" in problem):
        return None
    if column >= len(here) or here[column] != "\t":  # libyaml may mark the tab's line at its first text
        column = here.find("\t")
        if column < 0:
            return None
    if here[:column].strip(" \t"):
        return line, column, "a tab follows the colon here, and YAML wants a space: replace the tab with a space"
    return line, column, ("a tab indents this line, and YAML indents with spaces only: replace the tab with "
                          "spaces (two for each level)")


def _indentation(lines, line, column, problem, context, context_mark):
    if not problem.startswith(INDENTATION) or line >= len(lines):
        return None
    here = lines[line]
    if column != _indent(here) or not here.strip():
        return None
    is_item = here.lstrip(" ").startswith("-")
    anchors = []  # (distance, lines back, column, what to line up with, line number)
    for number in range(line - 1, -1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip(" ").startswith("#"):
            continue
        if is_item:
            item = ITEM_LINE.match(text)
            if item:
                anchors.append((len(item.group("lead")), number, f'"{text.strip()}"'))
        else:
            key = KEY_LINE.match(text)
            if key:
                anchors.append((len(key.group("lead")), number, f'"{key.group("key").strip()}"'))
    if not anchors:
        return None
    indent = _indent(here)
    spaces, number, shown = min(anchors, key=lambda a: (abs(a[0] - indent), line - a[1]))
    owner = _owner(lines, number, spaces) if is_item else None
    of = f', an item of "{owner}"' if owner else ""
    return line, column, (f"this line is indented {indent} space{'s' if indent != 1 else ''}, which lines up with "
                          f"nothing above it: {_indent_to(spaces)}, to line up with {shown} on line {number + 1}{of}")


def _indent_to(spaces: int) -> str:
    return f"indent it {spaces} space{'s' if spaces != 1 else ''}" if spaces else "remove its indentation"


def _owner(lines: list[str], number: int, column: int) -> str | None:
    """The key whose list holds the item on line `number`."""
    for above in range(number - 1, -1, -1):
        match = KEY_LINE.match(lines[above])
        if match and len(match.group("lead")) < column + (1 if lines[above].lstrip().startswith("-") else 0) \
                and not (match.group("value") or "").strip():
            return match.group("key").strip()
        if lines[above].strip() and _indent(lines[above]) < column:
            return match.group("key").strip() if match else None
    return None


def _unclosed_quote(lines, line, column, problem, context, context_mark):
    if "quoted scalar" not in context or context_mark is None:
        return None
    quote = lines[context_mark.line][context_mark.column:context_mark.column + 1] or '"'
    return context_mark.line, context_mark.column, (f"this quoted value is never closed: end it with {quote} on "
                                                    "the same line")


def _flow(lines, line, column, problem, context, context_mark):
    """A list [a, b] or mapping { k: v } on one line: a value in it holds a colon, or it is not closed."""
    if "flow" not in context or context_mark is None:
        return None
    opening = lines[context_mark.line][context_mark.column:context_mark.column + 1]
    closing = {"{": "}", "[": "]"}.get(opening)
    if closing is None:
        return None
    text = lines[context_mark.line]
    end = text.find(closing, context_mark.column)
    if line == context_mark.line and (end < 0 or column < end) and text[column:column + 1] == ":":
        # The value around this colon: from the comma or bracket before it to the comma or bracket after it.
        left = max(text.rfind(",", 0, column), text.rfind(opening, 0, column)) + 1
        right = min(i for i in (text.find(",", column), text.find(closing, column), len(text)) if i >= 0)
        entry = text[left:right].strip()
        key, _, value = entry.partition(":")
        if value.strip():
            fix = f'{key.strip()}: {quoted(value.strip())}' if closing == "}" else quoted(entry)
            return line, column, (f'a value inside {opening} … {closing} holds a colon: put it in quotes: {fix}')
    if end < 0 and _flow_like(text[context_mark.column:]):
        return context_mark.line, context_mark.column, (f'this {"list" if opening == "[" else "mapping"} is not '
                                                        f'closed: end it with "{closing}" on the same line')
    return None


def _previous(lines: list[str], line: int) -> int | None:
    for number in range(line - 1, -1, -1):
        if lines[number].strip() and not lines[number].lstrip(" ").startswith("#"):
            return number
    return None


# `title: Step #1`: a "#" after a space starts a comment, even in the middle of a value.
_KEY_START = re.compile(r"^[ ]*(?:-[ ]+)?(?P<key>[\w-]+):[ \t]+")
_SPACE_HASH = re.compile(r"[ \t]#(?=[^\s#])")


def hidden_by_comments(text: str) -> list[tuple[int, int, str, str, str]]:
    """Values a "#" cut short: (line, column of the "#", key, what YAML kept, the whole value),
    from 0. A comment as authors write one ("# note", after a space) is left alone."""
    found = []
    for number, line in enumerate(text.split("\n")):
        if "#" not in line:
            continue
        match = _KEY_START.match(line)
        rest = line[match.end():] if match else ""
        if not rest or rest[0] in "'\"[{|>":
            continue
        if rest[0] == "#":  # the whole value is a comment
            if len(rest) < 2 or rest[1].isspace() or rest[1] in "#!":
                continue
            kept, column = "", match.end()
        else:
            hash_ = _SPACE_HASH.search(rest)
            if hash_ is None:
                continue
            kept, column = rest[: hash_.start()].strip(), match.end() + hash_.start() + 1
        found.append((number, column, match.group("key"), kept, rest.strip()))
    return found


def comment_message(key: str, kept: str, whole: str) -> str:
    if kept:
        return (f'"#" after a space starts a comment, so "{key}" is only "{kept}": if the rest is part of it, put '
                f"the whole value in quotes: {key}: {quoted(whole)}")
    return (f'a value that starts with "#" is a comment, so "{key}" is empty: put the value in quotes: '
            f"{key}: {quoted(whole)}")
