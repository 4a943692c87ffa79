"""YAML that remembers where every key and value stands in the author's file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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


def load(text: str, path: Path, diags: Diagnostics, line_offset: int = 0) -> Value | None:
    """Parse YAML text that starts at line `line_offset + 1` of `path`."""
    # PyYAML also breaks lines at NEL, LS and PS, which editors and the rest of
    # coursegen do not: read them as spaces so that line numbers agree.
    text = text.replace("\x85", " ").replace("\u2028", " ").replace("\u2029", " ")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diags.error(Location(path, line + line_offset, column), f"YAML syntax: {problem}")
        return None
    if node is None:
        return Value({}, Location(path, line_offset + 1, 1))
    return _convert(node, path, line_offset, diags, set())


def _loc(node: yaml.Node, path: Path, offset: int) -> Location:
    return Location(path, node.start_mark.line + 1 + offset, node.start_mark.column + 1)


def _convert(node: yaml.Node, path: Path, offset: int, diags: Diagnostics, open_nodes: set[int]) -> Value:
    location = _loc(node, path, offset)
    if id(node) in open_nodes:  # an alias inside the value it names
        diags.error(location, "YAML alias refers to the value that contains it")
        return Value(None, location)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        open_nodes.add(id(node))
    try:
        return _convert_inner(node, location, path, offset, diags, open_nodes)
    finally:
        open_nodes.discard(id(node))


def _convert_inner(node, location, path, offset, diags, open_nodes) -> Value:
    if isinstance(node, yaml.MappingNode):
        entries: dict[str, Entry] = {}
        for key_node, value_node in node.value:
            key_location = _loc(key_node, path, offset)
            if not isinstance(key_node, yaml.ScalarNode):
                diags.error(key_location, "a key must be plain text")
                continue
            key = str(key_node.value)
            if key in entries:
                diags.error(key_location, f'duplicate key "{key}"')
                continue
            entries[key] = Entry(key_location, _convert(value_node, path, offset, diags, open_nodes))
        return Value(entries, location)
    if isinstance(node, yaml.SequenceNode):
        return Value([_convert(item, path, offset, diags, open_nodes) for item in node.value], location)
    data = _scalar(node)
    return Value(data, location, quoted=node.style in ("'", '"'))


def _scalar(node: yaml.ScalarNode) -> Any:
    # Resolve the scalar's tag the way safe_load would (int, bool, null, str…).
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError):  # e.g. "!!int abc": keep the text as written
        return node.value
    finally:
        loader.dispose()


class Fields:
    """Reads a YAML mapping's keys for one object, reporting author mistakes."""

    def __init__(self, value: Value, what: str, diags: Diagnostics, allowed: tuple[str, ...]):
        self.what, self.diags, self.location = what, diags, value.location
        if not isinstance(value.data, dict):
            diags.error(value.location, f"{what} must be a mapping of keys to values")
            self.entries: dict[str, Entry] = {}
        else:
            self.entries = value.data
        for key, entry in self.entries.items():
            if key not in allowed:
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
                             f'{self.what} is missing the required key "{key}"')
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
