"""YAML that remembers where every key and value stands in the author's file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import yamlwords
from ..diagnostics import Diagnostics, Location, did_you_mean


@dataclass
class Value:
    """A YAML value with its location; mappings and lists hold `Value`s."""

    data: Any
    location: Location
    quoted: bool = False

    @property
    def text_location(self) -> Location:
        """Where the scalar's text starts (past an opening quote)."""
        return self.location.shifted(1) if self.quoted else self.location


@dataclass
class Entry:
    key_location: Location
    value: Value


# Course files hold a handful of plain keys, lists and text. YAML's anchors,
# aliases and tags add nothing to them and are how YAML input goes wrong: nine
# levels of aliases (a "billion laughs") expand to a billion values, and tags
# name constructors. They are refused, each where it stands, and nesting is
# bounded, so no course file can keep `check` busy or exhaust the stack.
MAX_DEPTH = 32
# libyaml scans about forty times faster than PyYAML's Python scanner, does not
# recurse, and stays linear where the Python scanner is quadratic (5,000 nested
# "[" take it seven seconds). PyYAML without libyaml works the same, only slower.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What YAML accepts as text (YAML 1.1, 5.1): tab, line breaks and printable Unicode.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


class _Refused(Exception):
    """Ends composing after its diagnostic: nesting too deep, or a second document."""


def load(text: str, path: Path, diags: Diagnostics, line_offset: int = 0) -> Value | None:
    """Parse YAML text that starts at line `line_offset + 1` of `path`.

    None when the text is not plain YAML (each problem is reported)."""
    # PyYAML also breaks lines at NEL, LS and PS, which editors and the rest of
    # coursegen do not: read them as spaces so that line numbers agree.
    text = text.replace("\x85", " ").replace("\u2028", " ").replace("\u2029", " ")
    where = _at(path, line_offset)
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start())
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1)
        diags.error(where(line, column), f"YAML text may not hold the control character U+{ord(bad.group()):04X}")
        return None
    composer = _Composer(where, diags)
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            composer.take(event)
    except yaml.YAMLError as exc:
        diags.error(*_syntax_error(exc, text, where))
        return None
    except _Refused:
        return None
    if composer.refused:
        return None
    return _mind_comments(text, composer.root or Value({}, where(0, 0)), path, line_offset, diags)


def _mind_comments(text: str, root: Value, path: Path, line_offset: int, diags: Diagnostics) -> Value:
    """A "#" that cut a value short: warned; one that emptied it is an error, and the value is read
    whole so that nothing else reports it missing."""
    slips = yamlwords.hidden_by_comments(text)
    if not slips:
        return root
    entries = {}
    todo = [root]
    while todo:
        value = todo.pop()
        items = value.data.items() if isinstance(value.data, dict) else \
            ((None, Entry(None, v)) for v in value.data) if isinstance(value.data, list) else ()
        for key, entry in items:
            if key is not None:
                entries[(entry.key_location.line, key)] = entry
            todo.append(entry.value)
    for line, column, key, kept, whole in slips:
        where = Location(path, line + 1 + line_offset, column + 1)
        entry = entries.get((where.line, key))
        if entry is None:
            continue
        if entry.value.data is None:
            diags.error(where, yamlwords.comment_message(key, kept, whole))
            entry.value.data = whole
        else:
            diags.warning(where, yamlwords.comment_message(key, kept, whole))
    return root


def _syntax_error(exc: yaml.YAMLError, text: str, where) -> tuple[Location, str]:
    """The parser's complaint in an author's words, at the line of the slip (yamlwords)."""
    line, column, message = yamlwords.explain(text, exc)
    return where(line, column), "YAML syntax: " + message


def _at(path: Path, offset: int):
    return lambda line, column: Location(path, line + 1 + offset, column + 1)


class _Composer:
    """Builds `Value`s from parser events with an explicit stack (no recursion)."""

    def __init__(self, where, diags: Diagnostics):
        self.where, self.diags = where, diags
        self.root: Value | None = None
        self.stack: list[_Open] = []
        self.documents = 0
        self.refused = False
        self.aliases: set[str] = set()

    def take(self, event: yaml.Event) -> None:
        location = self.where(event.start_mark.line, event.start_mark.column)
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._refuse(location, "YAML syntax: a second document starts here; a course file holds one")
                raise _Refused
            return
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.aliases:  # its first use; the anchor is reported too
                self.aliases.add(event.anchor)
                self._refuse(location, f'YAML alias "*{event.anchor}" is not allowed in course files: '
                             "write the value out in full")
            self.refused = True
            return self._add(Value(None, location))
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            if event.anchor is not None:
                self._refuse(location, f'YAML anchor "&{event.anchor}" is not allowed in course files: '
                             "write the value out in full where it is needed")
            if event.tag is not None:
                shown = event.tag.replace("tag:yaml.org,2002:", "!!")
                self._refuse(location, f'YAML tag "{shown}" is not allowed in course files: remove it '
                             "(quote a value to keep it text)")
        if isinstance(event, yaml.ScalarEvent):
            value = Value(_scalar(event), location, quoted=event.style in ("'", '"'))
            return self._add(value, event.value)
        if isinstance(event, yaml.CollectionStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self._refuse(location, f"YAML nested more than {MAX_DEPTH} levels deep: a course file "
                             "needs a few levels at most")
                raise _Refused
            data = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append(_Open(Value(data, location)))
        elif isinstance(event, yaml.CollectionEndEvent):
            self._add(self.stack.pop().value)

    def _refuse(self, location: Location, message: str) -> None:
        self.refused = True
        self.diags.error(location, message)

    def _add(self, value: Value, scalar_text: str | None = None) -> None:
        """Place a finished value into the open collection (or make it the root);
        `scalar_text` is a scalar's text as written, which is what a key is."""
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        if isinstance(parent.value.data, list):
            parent.value.data.append(value)
        elif not parent.has_key:
            parent.has_key, parent.key, parent.key_location = True, scalar_text, value.location
            if scalar_text is None and not self.refused:  # a list or mapping as a key
                self.diags.error(value.location, "a key must be plain text")
        else:
            parent.has_key = False
            entries, key = parent.value.data, parent.key
            if key is None:
                return  # the key was refused above
            if key in entries:
                self.diags.error(parent.key_location, f'duplicate key "{key}": keep one of them')
                return
            entries[key] = Entry(parent.key_location, value)


@dataclass
class _Open:
    """A mapping or list being composed; a mapping remembers its pending key."""

    value: Value
    has_key: bool = False
    key: str | None = None
    key_location: Location | None = None


def _scalar(event: yaml.ScalarEvent) -> Any:
    # Resolve the scalar's type the way safe_load would (int, bool, null, str…).
    if len(event.value) > 100:  # no number is this long: "1:1:1…" would be a base-60 int costing quadratic time
        return event.value
    node = yaml.ScalarNode(None, event.value, event.start_mark, event.end_mark, event.style)
    node.tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    construct = _CONSTRUCTOR.yaml_constructors.get(node.tag)
    try:
        return construct(_CONSTRUCTOR, node) if construct else event.value
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):  # keep the text as written
        return event.value


class Fields:
    """Reads a YAML mapping's keys for one object, reporting author mistakes."""

    def __init__(self, value: Value, what: str, diags: Diagnostics, allowed: tuple[str, ...],
                 elsewhere: dict[str, str] | None = None):
        """`elsewhere`: keys that belong to another object, each with where, and what to do here."""
        self.what, self.diags, self.location = what, diags, value.location
        if not isinstance(value.data, dict):
            diags.error(value.location, f"{what} must be a mapping of keys to values")
            self.entries: dict[str, Entry] = {}
        else:
            self.entries = value.data
        for key, entry in self.entries.items():
            if key not in allowed and elsewhere and key in elsewhere:
                diags.error(entry.key_location, f'unknown key "{key}" in {what}: {elsewhere[key]}')
            elif key not in allowed:
                diags.error(entry.key_location, f'unknown key "{key}" in {what}' + did_you_mean(key, allowed))

    def get(self, key: str) -> Value | None:
        entry = self.entries.get(key)
        return entry.value if entry else None

    def value_location(self, key: str) -> Location:
        """Where the value's text starts, else the key, else the mapping."""
        entry = self.entries.get(key)
        return entry.value.text_location if entry else self.location

    def key_location(self, key: str) -> Location:
        entry = self.entries.get(key)
        return entry.key_location if entry else self.location

    def required(self, key: str) -> Value | None:
        value = self.get(key)
        if value is None or value.data is None:
            self.diags.error(self.key_location(key) if value else self.location,
                             f'{self.what} is missing the required key "{key}": add a line {key}: …')
            return None
        return value

    def string(self, key: str, required: bool = False, default: str | None = None) -> str | None:
        value = self.required(key) if required else self.get(key)
        if value is None or value.data is None:
            return default
        if isinstance(value.data, (dict, list)):
            self.diags.error(value.location, f'"{key}" must be text')
            return default
        if isinstance(value.data, bool):
            self.diags.error(value.location, f'"{key}" must be text, not true/false')
            return default
        return str(value.data)

    def integer(self, key: str, default: int | None, low: int, high: int | None = None) -> int | None:
        value = self.get(key)
        if value is None or value.data is None:
            return default
        data = value.data
        if isinstance(data, bool) or not isinstance(data, int):
            self.diags.error(value.location, f'"{key}" must be a whole number, not "{data}"')
            return default
        if data < low or (high is not None and data > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            self.diags.error(value.location, f'"{key}" must be a whole number {span}, not {data}')
            return default
        return data

    def boolean(self, key: str, default: bool) -> bool:
        value = self.get(key)
        if value is None or value.data is None:
            return default
        if not isinstance(value.data, bool):
            self.diags.error(value.location, f'"{key}" must be true or false, not "{value.data}"')
            return default
        return value.data
