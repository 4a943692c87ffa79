"""The `when`/`if` language: parse to a tree, check names and types, evaluate.

Never `eval`: the tree is walked by `evaluate` here and by the runtime's own
small evaluator in the browser (via `to_runtime`). Errors point at the column
of the offending token inside the author's file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Mapping

from ..diagnostics import Diagnostics, Location, closest, did_you_mean
from ..model import Compare, Expr, Expression, Literal, Logic, Name, Not
from ..rules import OUTCOMES

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<string>"[^"]*")
      | (?P<int>-?\d+)
      | (?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)
      | (?P<op>==|!=|<=|>=|<|>|\(|\))
    """,
    re.VERBOSE,
)
# Conditions are short ("flag.asked and percent >= 80"). A bound on their length
# bounds the depth of every tree walk here and in the runtime, whatever the text.
MAX_TOKENS = 100
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")
KEYWORDS = ("and", "or", "not")
MODULE_FIELDS = {"percent": "int", "score": "int", "outcome": "str", "passed": "bool"}


class _Stop(Exception):
    """Ends parsing after the first syntax error of one expression."""


@dataclass(frozen=True)
class _Token:
    kind: str  # string | int | name | op | keyword | end
    text: str
    offset: int


def _tokenize(source: str, at: Location, diags: Diagnostics) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            char = source[pos]
            hint = ' (use "==" to compare)' if char == "=" else ""
            if char == '"':
                diags.error(at.shifted(pos), 'unterminated string in expression: close it with "')
            elif char in "+-*/":
                diags.error(at.shifted(pos), f'unexpected "{char}" in expression: there is no arithmetic')
            else:
                diags.error(at.shifted(pos), f'unexpected "{char}" in expression{hint}')
            raise _Stop
        kind = match.lastgroup
        text = match.group()
        if kind == "name" and text in KEYWORDS:
            kind = "keyword"
        if kind == "name" and text.endswith((".", "-")):
            diags.error(at.shifted(pos), f'incomplete name "{text}" in expression')
            raise _Stop
        if kind != "space":
            if len(tokens) == MAX_TOKENS:
                diags.error(at, f"expression too long: a condition may have at most {MAX_TOKENS} "
                            "names, numbers, strings, operators and parentheses")
                raise _Stop
            tokens.append(_Token(kind, text, pos))
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token], at: Location, diags: Diagnostics):
        self.tokens, self.at, self.diags, self.i = tokens, at, diags, 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def fail(self, token: _Token, message: str):
        self.diags.error(self.at.shifted(token.offset), message)
        raise _Stop

    def where(self, token: _Token) -> Location:
        return self.at.shifted(token.offset)

    def parse(self) -> Expr:
        tree = self.logic("or")
        token = self.peek()
        if token.kind != "end":
            self.fail(token, f'unexpected "{token.text}" in expression (expected "and", "or" or the end)')
        return tree

    def logic(self, op: str) -> Expr:
        sub = (lambda: self.logic("and")) if op == "or" else self.negation
        left = sub()
        while self.peek().kind == "keyword" and self.peek().text == op:
            token = self.take()
            left = Logic(op, left, sub(), self.where(token))
        return left

    def negation(self) -> Expr:
        token = self.peek()
        if token.kind == "keyword" and token.text == "not":
            self.take()
            return Not(self.negation(), self.where(token))
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.primary()
        token = self.peek()
        if token.kind == "op" and token.text in COMPARISONS:
            self.take()
            right = self.primary()
            following = self.peek()
            if following.kind == "op" and following.text in COMPARISONS:
                self.fail(following, "comparisons cannot be chained: join them with \"and\"")
            return Compare(token.text, left, right, self.where(token))
        return left

    def primary(self) -> Expr:
        token = self.take()
        if token.kind == "int":
            return Literal(int(token.text), self.where(token))
        if token.kind == "string":
            return Literal(token.text[1:-1], self.where(token))
        if token.kind == "name":
            return Name(tuple(token.text.split(".")), self.where(token))
        if token.kind == "op" and token.text == "(":
            inner = self.logic("or")
            closing = self.take()
            if closing.text != ")":
                self.fail(closing, 'missing ")" in expression')
            return inner
        if token.kind == "end":
            self.fail(token, "expression ends too early (expected a name, a number or a string)")
        self.fail(token, f'unexpected "{token.text}" in expression (expected a name, a number or a string)')


def parse(source: str, at: Location, diags: Diagnostics) -> Expression | None:
    """Parse `source` (which starts at `at` in the author's file)."""
    if not source.strip():
        diags.error(at, "empty expression: write a condition, like percent >= 80")
        return None
    try:
        tokens = _tokenize(source, at, diags)
        tree = _Parser(tokens, at, diags).parse()
    except _Stop:
        return None
    return Expression(source, tree, at)


# --- names and types -------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What names an expression may use where it stands."""

    modules: Mapping[str, str]  # module id -> kind
    flags: frozenset[str] | None  # None: outside a scenario
    unread: frozenset[str] = frozenset()  # ids of listed modules that failed to load


def check(expression: Expression, scope: Scope, diags: Diagnostics) -> bool:
    """Report unknown names and type mismatches; True when the expression is sound."""
    before = len(diags.errors)
    kind = _type_of(expression.tree, scope, diags)
    if kind not in (None, "bool"):
        diags.error(expression.location, f"expression must be a condition (true or false), not a {_WORDS[kind]}: "
                    "compare it, like score >= 10")
    return len(diags.errors) == before


_WORDS = {"int": "number", "str": "string", "bool": "condition"}


def _type_of(tree: Expr, scope: Scope, diags: Diagnostics) -> str | None:
    if isinstance(tree, Literal):
        return "int" if isinstance(tree.value, int) else "str"
    if isinstance(tree, Name):
        return _name_type(tree, scope, diags)
    if isinstance(tree, Not):
        _expect_bool(tree.operand, scope, diags, '"not"')
        return "bool"
    if isinstance(tree, Logic):
        _expect_bool(tree.left, scope, diags, f'"{tree.op}"')
        _expect_bool(tree.right, scope, diags, f'"{tree.op}"')
        return "bool"
    left = _type_of(tree.left, scope, diags)
    right = _type_of(tree.right, scope, diags)
    if left and right:
        if left != right:
            diags.error(tree.location, f'cannot compare a {_WORDS[left]} with a {_WORDS[right]} using "{tree.op}": '
                        'compare a score or percent with a number (no quotes), an outcome with "good", "neutral" or '
                        '"bad"')
        elif left != "int" and tree.op not in ("==", "!="):
            diags.error(tree.location, f'"{tree.op}" compares numbers, not a {_WORDS[left]}: use == or !=')
        else:
            _check_outcome_literal(tree, diags)
    return "bool"


def _expect_bool(tree: Expr, scope: Scope, diags: Diagnostics, where: str) -> None:
    kind = _type_of(tree, scope, diags)
    if kind not in (None, "bool"):
        diags.error(tree.location, f"{where} needs a condition, not a {_WORDS[kind]}: compare it, like score >= 10")


def _check_outcome_literal(tree: Compare, diags: Diagnostics) -> None:
    for name, other in ((tree.left, tree.right), (tree.right, tree.left)):
        if isinstance(name, Name) and name.parts[-1] == "outcome" and isinstance(other, Literal):
            if other.value not in OUTCOMES:
                choices = ", ".join(f'"{o}"' for o in OUTCOMES[:-1]) + f' or "{OUTCOMES[-1]}"'
                diags.error(other.location, f'"{other.value}" is not an outcome: compare with {choices}'
                            + did_you_mean(str(other.value), OUTCOMES))


def _name_type(name: Name, scope: Scope, diags: Diagnostics) -> str | None:
    parts = name.parts
    if parts in (("percent",), ("score",)):
        return "int"
    if parts[0] == "flag" and len(parts) == 2:
        if scope.flags is None:
            diags.error(name.location, f'"{name.text}": flags exist only inside a scenario; a badge can test a '
                        'scenario\'s result instead: use module.ID.outcome == "good", module.ID.score >= 10…')
            return None
        if parts[1] not in scope.flags:
            diags.error(name.location, f'unknown flag "{parts[1]}": no choice of this scenario sets it'
                        + did_you_mean(parts[1], scope.flags))
            return None
        return "bool"
    if parts[0] == "module" and len(parts) == 3:
        module_id, field_name = parts[1], parts[2]
        if module_id not in scope.modules:
            if module_id in scope.unread or closest(module_id, scope.unread):
                return None  # that module's file could not be loaded: its own error comes first
            diags.error(name.location, f'unknown module "{module_id}" in "{name.text}"'
                        + did_you_mean(module_id, scope.modules))
            return None
        if field_name not in MODULE_FIELDS:
            diags.error(name.location, f'unknown field "{field_name}" in "{name.text}" (one of '
                        + ", ".join(MODULE_FIELDS) + ")")
            return None
        if field_name == "outcome" and scope.modules[module_id] != "scenario":
            diags.error(name.location, f'"{name.text}": only a scenario has an outcome, '
                        f'"{module_id}" is a {scope.modules[module_id]}')
            return None
        return MODULE_FIELDS[field_name]
    known = ["percent", "score", "flag.NAME", "module.ID.percent", "module.ID.score",
             "module.ID.outcome", "module.ID.passed"]
    diags.error(name.location, f'unknown name "{name.text}" (names are {", ".join(known)})'
                + did_you_mean(name.text, ("percent", "score")))
    return None


# --- evaluation --------------------------------------------------------------

class _Unknown:
    """A value analysis cannot know at build time (another module's result)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def evaluate(tree: Expr, lookup: Callable[[tuple[str, ...]], object]) -> object:
    """Evaluate a checked tree; `lookup` resolves a name's parts to its value.

    A name may resolve to UNKNOWN; the result is then UNKNOWN unless the
    other side of "and"/"or" decides it (Kleene's three-valued logic).
    """
    if isinstance(tree, Literal):
        return tree.value
    if isinstance(tree, Name):
        return lookup(tree.parts)
    if isinstance(tree, Not):
        value = evaluate(tree.operand, lookup)
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(tree, Logic):
        left, right = evaluate(tree.left, lookup), evaluate(tree.right, lookup)
        decisive = tree.op == "or"  # True decides "or", False decides "and"
        if (left is not UNKNOWN and bool(left) == decisive) or (right is not UNKNOWN and bool(right) == decisive):
            return decisive
        return UNKNOWN if UNKNOWN in (left, right) else not decisive
    left, right = evaluate(tree.left, lookup), evaluate(tree.right, lookup)
    if UNKNOWN in (left, right):
        return UNKNOWN
    return {
        "==": lambda: left == right, "!=": lambda: left != right,
        "<": lambda: left < right, "<=": lambda: left <= right,
        ">": lambda: left > right, ">=": lambda: left >= right,
    }[tree.op]()


def to_runtime(tree: Expr, module_index: Mapping[str, int], flag_index: Mapping[str, int]) -> list:
    """The JSON tree the browser runtime evaluates (docs/course-json.md)."""
    if isinstance(tree, Literal):
        return ["lit", tree.value]
    if isinstance(tree, Name):
        if tree.parts[0] == "flag":
            return ["flag", flag_index[tree.parts[1]]]
        if tree.parts[0] == "module":
            return ["module", module_index[tree.parts[1]], tree.parts[2]]
        return [tree.parts[0]]
    if isinstance(tree, Not):
        return ["not", to_runtime(tree.operand, module_index, flag_index)]
    return [tree.op, to_runtime(tree.left, module_index, flag_index),
            to_runtime(tree.right, module_index, flag_index)]
