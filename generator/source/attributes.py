"""Attribute blocks in braces: `{#id .ending outcome=good points=5 if="…"}`."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Location

_ATTR = re.compile(r'''\s*(?:
    (?P<id>\#[^\s}]*)
  | (?P<cls>\.[^\s}]*)
  | (?P<key>[A-Za-z_][\w-]*)=(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]*))
  | (?P<junk>"[^"]*"?|\S+)
)''', re.VERBOSE)
# The block closing a heading: the last {...} on the line.
TRAILING = re.compile(r'\{(?P<body>(?:[^{}"]|"[^"]*")*)\}\s*$')
# The block after a choice's link, up to its closing brace.
LEADING = re.compile(r'\{(?P<body>(?:[^{}"]|"[^"]*")*)\}')


@dataclass(frozen=True)
class Attribute:
    kind: str  # "id" | "class" | "key"
    name: str  # id / class name / key
    value: str | None
    location: Location  # of the attribute
    value_location: Location  # of the value's text (inside quotes)


def parse(body: str, at: Location, diags: Diagnostics) -> list[Attribute]:
    """Parse the inside of a brace block that starts at `at` (the column after "{")."""
    attributes: list[Attribute] = []
    pos = 0
    while pos < len(body):
        match = _ATTR.match(body, pos)
        if not match or match.end() == pos:
            break
        # Where the attribute starts: its key, not its value (the last group a key=value matched).
        start = next((match.start(g) for g in ("id", "cls", "key", "junk") if match.group(g) is not None), pos)
        where = at.shifted(start)
        if match.group("id") is not None:
            attributes.append(Attribute("id", match.group("id")[1:], None, where, where.shifted(1)))
        elif match.group("cls") is not None:
            attributes.append(Attribute("class", match.group("cls")[1:], None, where, where.shifted(1)))
        elif match.group("key") is not None:
            quoted = match.group("quoted")
            value = quoted if quoted is not None else match.group("bare")
            value_start = match.start("quoted") if quoted is not None else match.start("bare")
            end = match.end()
            if quoted is None and match.group("key") == "if" and _words_after(body, end) > end:
                # `if=flag.a and flag.b`: one condition with spaces, not three attributes.
                end = _words_after(body, end)
                value = body[value_start:end]
                diags.error(at.shifted(value_start), f'a condition with spaces needs double quotes: write if="{value}"')
            attributes.append(Attribute("key", match.group("key"), value, where, at.shifted(value_start)))
            pos = end
            continue
        elif match.group("junk") is not None:
            junk = match.group("junk")
            if junk.startswith('"') and not (len(junk) > 1 and junk.endswith('"')):
                diags.error(where, 'unterminated quoted value in attributes: close it with "')
            else:
                diags.error(where, f'malformed attribute "{junk}" (expected #id, .class or key=value)')
        pos = match.end()
    return attributes


def _words_after(body: str, pos: int) -> int:
    """The end of the words after an unquoted value that are not attributes themselves."""
    end = pos
    while True:
        match = _ATTR.match(body, end)
        if not match or match.group("junk") is None or match.end() == end:
            return end
        end = match.end()


def split_trailing(text: str) -> tuple[str, str | None, int]:
    """Split `text {attrs}` into (text, attrs body or None, 0-based offset of the body)."""
    match = TRAILING.search(text)
    if not match:
        return text.rstrip(), None, -1
    return text[: match.start()].rstrip(), match.group("body"), match.start("body")


def unterminated_quote(block: str) -> int | None:
    """Offset of a quote that opens a value and is never closed, if any."""
    opened = None
    for offset, char in enumerate(block):
        if char == '"':
            opened = None if opened is not None else offset
    return opened
