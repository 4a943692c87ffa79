"""Markdown markup as numbered placeholders a translator can move but not break.

The translator sees `Read the {1}policy{/1} before you {2}post{/2}; run {3/}.`
for ``Read the [policy](https://intranet/p) before you **post**; run `lint`.``:
a pair `{n}…{/n}` encloses words that stay translatable (link text, emphasis,
an image's description); `{n/}` stands alone for what is never translated (code,
a fenced code block, an entity, a web address, and any source text that itself
looks like a placeholder). Link targets and image paths live only in the source,
so no translation can change them: `Protected.restore` puts them back.

`restore(protect(text).text) == text` for every text: a catalogue filled with
the source text builds the source's course exactly.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r"\{(\d+)\}|\{/(\d+)\}|\{(\d+)/\}")
PAIRED = ("link", "image", "bold", "italic", "bolditalic")
# What each kind is, for the translator's note and the XLIFF ctype.
KINDS = {
    "link": ("a link: keep it around the words that link", "link"),
    "image": ("an image: translate its description between the two", "x-image"),
    "bold": ("strong emphasis", "bold"),
    "italic": ("emphasis", "italic"),
    "bolditalic": ("strong emphasis", "x-bold-italic"),
    "code": ("code, not translated", "x-code"),
    "codeblock": ("a block of code, not translated", "x-code-block"),
    "entity": ("a special character", "x-entity"),
    "autolink": ("a web address", "x-autolink"),
    "literal": ("text of the source that looks like a placeholder", "x-literal"),
}
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})", re.M)
CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")


@dataclass(frozen=True)
class Mark:
    number: int
    kind: str
    open: str  # the source text that {n} (or {n/}) stands for
    close: str = ""  # the source text that {/n} stands for

    @property
    def paired(self) -> bool:
        return self.kind in PAIRED

    @property
    def shown(self) -> str:
        return f"{{{self.number}}}…{{/{self.number}}}" if self.paired else f"{{{self.number}/}}"


@dataclass(frozen=True)
class Protected:
    text: str  # the source with placeholders: what the translator translates
    marks: tuple[Mark, ...]

    def restore(self, translated: str) -> str:
        """The translation with the source's markup put back (call `problems` first)."""
        by_number = {m.number: m for m in self.marks}

        def swap(match: re.Match) -> str:
            opening, closing, alone = match.groups()
            mark = by_number.get(int(opening or closing or alone))
            if mark is None or mark.paired == bool(alone):
                return match.group()
            return mark.close if closing else mark.open

        return TOKEN.sub(swap, translated)

    def legend(self) -> str:
        """One line telling the translator what each placeholder is, or ''."""
        return "; ".join(f"{m.shown} is {KINDS[m.kind][0]}" for m in self.marks)

    def problems(self, translated: str) -> list[str]:
        """What a translation did to the placeholders that the source does not allow: each
        lost, added, repeated or miswritten, and pairs reversed or crossing."""
        by_number = {m.number: m for m in self.marks}
        found: list[str] = []
        tokens = list(TOKEN.finditer(translated))
        counts: dict[str, int] = {}
        for match in tokens:
            counts[match.group()] = counts.get(match.group(), 0) + 1
        for token, count in counts.items():
            opening, closing, alone = TOKEN.fullmatch(token).groups()
            mark = by_number.get(int(opening or closing or alone))
            if mark is None:
                found.append(f"placeholder {token} is not in the source: remove it")
            elif alone and mark.paired:
                found.append(f"{token} must enclose words, like the source's {mark.shown}")
            elif not alone and not mark.paired:
                found.append(f"{token} stands alone in the source: write {mark.shown}")
            elif count > 1:
                found.append(f"placeholder {token} appears {count} times; the source has it once")
        whole = set()
        for mark in self.marks:
            what = KINDS[mark.kind][0].split(":")[0].split(",")[0]
            if not mark.paired:
                if mark.shown not in counts:
                    found.append(f"placeholder {mark.shown} ({what}) is missing")
                continue
            opening, closing = f"{{{mark.number}}}", f"{{/{mark.number}}}"
            if opening not in counts and closing not in counts:
                found.append(f"placeholder {mark.shown} ({what}) is missing")
            elif opening not in counts:
                found.append(f"{opening} is missing: {closing} closes nothing")
            elif closing not in counts:
                found.append(f"{opening} is never closed: add {closing}")
            elif counts[opening] == counts[closing] == 1:
                whole.add(mark.number)
        stack: list[int] = []
        for match in tokens:
            opening, closing, _ = match.groups()
            number = int(opening or closing or 0)
            if number not in whole:
                continue
            if opening:
                stack.append(number)
            elif number not in stack:
                found.append(f"{match.group()} comes before {{{number}}}: the pair is reversed")
            elif stack[-1] != number:
                found.append(f"{match.group()} closes before {{/{stack[-1]}}}: placeholders must nest, "
                             "like {1}…{2}…{/2}…{/1}")
                stack.remove(number)
            else:
                stack.pop()
                mark = by_number[number]
                inner = translated[translated.index(f"{{{number}}}") + len(f"{{{number}}}"):match.start()]
                if mark.kind in ("link", "image") and not TOKEN.sub("", inner).strip():
                    what = "link" if mark.kind == "link" else "image's description"
                    found.append(f"{mark.shown} holds no words: the {what} would be empty")
        return found


def protect(text: str, block: bool = False) -> Protected:
    """Replace the markup of a Markdown span by placeholders; `block` spans may hold fenced code."""
    scanner = _Scanner(text)
    position = 0
    if block:
        for start, end in _fences(text):
            scanner.inline(position, start)
            scanner.alone("codeblock", start, end)
            position = end
    scanner.inline(position, len(text))
    return Protected("".join(scanner.out), tuple(scanner.marks))


def plain(text: str) -> Protected:
    """Text that is never read as Markdown (titles, names): only placeholder look-alikes are protected."""
    scanner = _Scanner(text)
    position = 0
    for match in TOKEN.finditer(text):
        scanner.out.append(text[position:match.start()])
        scanner.alone("literal", match.start(), match.end())
        position = match.end()
    scanner.out.append(text[position:])
    return Protected("".join(scanner.out), tuple(scanner.marks))


def pieces(text: str) -> list[tuple[bool, str]]:
    """(is a placeholder, text) in order: what a pseudo-locale may change and what it must keep."""
    found, position = [], 0
    for match in TOKEN.finditer(text):
        if match.start() > position:
            found.append((False, text[position:match.start()]))
        found.append((True, match.group()))
        position = match.end()
    if position < len(text):
        found.append((False, text[position:]))
    return found


def _fences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced code block, fence lines included, final newline excluded."""
    regions = []
    position = 0
    while True:
        opening = FENCE.search(text, position)
        if not opening:
            return regions
        fence = opening.group(1)
        closing = re.compile(r"^[ \t]{0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$", re.M)
        line_end = text.find("\n", opening.end())
        found = closing.search(text, line_end + 1) if line_end != -1 else None
        end = found.end() if found else len(text)
        regions.append((opening.start(), end))
        position = end


class _Scanner:
    """Inline Markdown, left to right; marks are numbered in order of their opening."""

    def __init__(self, text: str):
        self.text = text
        self.marks: list[Mark] = []
        self.out: list[str] = []

    def _new(self, kind: str, opening: str, closing: str = "") -> int:
        number = len(self.marks) + 1
        self.marks.append(Mark(number, kind, opening, closing))
        return number

    def alone(self, kind: str, start: int, end: int) -> None:
        self.out.append(f"{{{self._new(kind, self.text[start:end])}/}}")

    def inline(self, start: int, end: int) -> None:
        text = self.text
        position = plain_from = start
        while position < end:
            char = text[position]
            if char == "\\" and position + 1 < end:
                position += 2
                continue
            taken = self._markup(position, end)
            if taken is None:
                position += 1
                continue
            self.out.append(text[plain_from:position])
            emit, position = taken
            emit()
            plain_from = position
        self.out.append(text[plain_from:end])

    def _markup(self, at: int, end: int):
        """(emit, position after) for markup starting at `at`, or None."""
        text = self.text
        char = text[at]
        if char == "`":
            match = CODE.match(text, at, end)
            if match:
                return (lambda: self.alone("code", at, match.end())), match.end()
            return None
        if char == "{":
            match = TOKEN.match(text, at, end)
            if match:
                return (lambda: self.alone("literal", at, match.end())), match.end()
            return None
        if char == "&":
            match = ENTITY.match(text, at, end)
            if match:
                return (lambda: self.alone("entity", at, match.end())), match.end()
            return None
        if char == "<":
            match = AUTOLINK.match(text, at, end)
            if match:
                return (lambda: self.alone("autolink", at, match.end())), match.end()
            return None
        if char == "[" or (char == "!" and text.startswith("![", at)):
            return self._link(at, end)
        if char in "*_":
            return self._emphasis(at, end)
        return None

    def _pair(self, kind: str, opening: str, inner: tuple[int, int], closing: str):
        def emit():
            number = self._new(kind, opening, closing)
            self.out.append(f"{{{number}}}")
            self.inline(*inner)
            self.out.append(f"{{/{number}}}")
        return emit

    def _link(self, at: int, end: int):
        text = self.text
        image = text[at] == "!"
        label_start = at + (2 if image else 1)
        label_end = _closing(text, label_start, end, "[", "]")
        if label_end is None or label_end + 1 >= end:
            return None
        after = label_end + 1
        if text[after] == "(":
            target_end = _closing(text, after + 1, end, "(", ")")
        elif text[after] == "[" and not image:
            target_end = _closing(text, after + 1, end, "[", "]")
        else:
            return None
        if target_end is None:
            return None
        kind = "image" if image else "link"
        return (self._pair(kind, text[at:label_start], (label_start, label_end), text[label_end:target_end + 1]),
                target_end + 1)

    def _emphasis(self, at: int, end: int):
        text = self.text
        char = text[at]
        run = at
        while run < end and text[run] == char:
            run += 1
        size = run - at
        if size > 3 or run >= end or text[run].isspace():
            return None
        if char == "_" and at > 0 and text[at - 1].isalnum():
            return None  # snake_case, not emphasis
        delimiter = char * size
        search = run
        while True:
            close = text.find(delimiter, search, end)
            if close == -1 or "\n\n" in text[run:close]:
                return None
            after = close + size
            if (text[close - 1].isspace() or (after < end and text[after] == char)
                    or (char == "_" and after < end and text[after].isalnum()) or close == run):
                search = close + 1
                continue
            kind = ("italic", "bold", "bolditalic")[size - 1]
            return self._pair(kind, delimiter, (run, close), delimiter), after


def _closing(text: str, start: int, end: int, opening: str, closing: str) -> int | None:
    """Index of the bracket closing the one just before `start` (nesting and escapes respected)."""
    depth = 0
    position = start
    while position < end:
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "\n" and text.startswith("\n\n", position):
            return None
        if char == opening:
            depth += 1
        elif char == closing:
            if depth == 0:
                return position
            depth -= 1
        position += 1
    return None
