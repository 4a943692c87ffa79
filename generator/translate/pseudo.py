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
        text = f"[{padded(text, len(unit.msgid))}]"
        return f"{RLO}{text}{PDF}" if mirrored else text
    return _block(text.split("\n"), mirrored)


def word(text: str, tag: str) -> str:
    """A single word in a pseudo-locale (true/false options): accented, padded, bracketed."""
    made = f"[{padded(text.translate(ACCENTED), len(text))}]"
    return f"{RLO}{made}{PDF}" if tag.lower() == "qps-plocm" else made


def padded(text: str, length: int) -> str:
    return text + PAD * math.ceil(length * GROWTH)


def _block(lines: list[str], mirrored: bool) -> str:
    """A Markdown block: markers, tables and code kept; each paragraph (or list item)
    padded at its end by 40% of its words, each line's words mirrored when asked."""
    out: list[str] = []
    words_in_paragraph = 0
    last_prose = None  # index in `out` of the paragraph's last line with words
    for line in lines:
        stripped = line.rstrip(" ")
        marker = BLOCK_MARKERS.match(stripped).group()
        words = stripped[len(marker):]
        shape_only = (not any(char.isalpha() for char in words) or stripped.lstrip().startswith("|")
                      or placeholders.TOKEN.fullmatch(stripped.strip()) is not None)
        if not stripped.strip() or marker.strip() or shape_only:
            _pad(out, last_prose, words_in_paragraph)
            words_in_paragraph, last_prose = 0, None
        if shape_only:
            out.append(line)  # blank lines, rules, table rows and whole code blocks keep their shape
            continue
        words_in_paragraph += len(words)
        last_prose = len(out)
        out.append((marker, words, line[len(stripped):]))
    _pad(out, last_prose, words_in_paragraph)
    return "\n".join(item if isinstance(item, str) else _join(*item, mirrored) for item in out)


def _pad(out: list, index: int | None, length: int) -> None:
    if index is not None:
        marker, words, hard_break = out[index]
        out[index] = (marker, padded(words, length), hard_break)


def _join(marker: str, words: str, hard_break: str, mirrored: bool) -> str:
    return f"{marker}{RLO}{words}{PDF}{hard_break}" if mirrored else f"{marker}{words}{hard_break}"
