"""Pseudo-locales: a course "translated" by rule, so authors and tests see what translation does.

- `qps-ploc`: every letter accented (`Ţĥé ŵĥîţéƀöåŕð`) and each line about 40% longer,
  so text that does not change is a hard-coded string and a layout that only fits
  English shows it;
- `qps-plocm`: the same, mirrored: each line's text runs right to left
  (U+202E … U+202C), for a right-to-left layout without knowing Arabic or Hebrew.

Placeholders, Markdown's block markers (list bullets, heading hashes, quote marks)
and table rows are kept, so the pseudo text renders with the source's structure.
"""
from __future__ import annotations

import math
import re

from . import placeholders
from .units import PLAIN, Unit

ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ")
GROWTH = 0.4
PAD = "·"
RLO, PDF = "\u202e", "\u202c"  # right-to-left override … pop directional formatting
BLOCK_MARKERS = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|#{1,6}|>)[ \t]+)*")


def translate(unit: Unit, tag: str) -> str:
    """The unit's text in a pseudo-locale, with the source's placeholders in place."""
    mirrored = tag.lower() == "qps-plocm"
    text = "".join(piece if is_token else piece.translate(ACCENTED)
                   for is_token, piece in placeholders.pieces(unit.msgid))
    if unit.kind == PLAIN or unit.kind == "inline":
        text = f"[{_padded(text, len(unit.msgid))}]"
        return f"{RLO}{text}{PDF}" if mirrored else text
    return "\n".join(_line(line, mirrored) for line in text.split("\n"))


def word(text: str, tag: str) -> str:
    """A single word in a pseudo-locale (true/false options): accented, padded, bracketed."""
    made = f"[{_padded(text.translate(ACCENTED), len(text))}]"
    return f"{RLO}{made}{PDF}" if tag.lower() == "qps-plocm" else made


def _padded(text: str, length: int) -> str:
    extra = math.ceil(length * GROWTH)
    return text + PAD * extra


def _line(line: str, mirrored: bool) -> str:
    """One line of a Markdown block: markers kept, words padded (and mirrored)."""
    stripped = line.rstrip(" ")
    if not stripped.strip() or stripped.lstrip().startswith("|") or placeholders.TOKEN.fullmatch(stripped.strip()):
        return line  # blank lines, table rows and whole code blocks keep their shape
    hard_break = line[len(stripped):]
    marker = BLOCK_MARKERS.match(stripped).group()
    words = stripped[len(marker):]
    if not any(char.isalpha() for char in words):
        return line  # rules, setext underlines, numbers: nothing to translate
    words = _padded(words, len(words))
    if mirrored:
        words = f"{RLO}{words}{PDF}"
    return f"{marker}{words}{hard_break}"
