"""The flagship course must be written in its own words.

The course under ``course/`` and ``scenarios/`` was written from a handful of
source articles (the "seeds"). This test reads every ``.md`` and ``.yaml``
file of the course, splits it into sentences, normalises them (lower case,
Markdown markup and punctuation removed, whitespace collapsed) and fails,
listing each offence with its file and line, when

* a course sentence of 8 words or more is equal to a seed sentence, or
* any 8 consecutive normalised words of the course text (within one
  paragraph, list item, table cell or YAML value) also occur, consecutively,
  in a seed: the stricter check that catches copied clauses.

The seeds are source material, not part of the product, so the repository
does not ship them: it holds their fingerprints instead
(``tests/fixtures/seed-fingerprints.txt``), every seed sentence of 8 words or
more and every 8-word run, normalised and hashed. The originality check runs
on those, with nothing beside the checkout. Where a maintainer points
``COURSEGEN_SEEDS`` at the seeds, two more
tests check that the fingerprints are still those of the seeds and that a real
seed sentence is caught; regenerate the file with

    .venv/bin/python tests/test_course_content.py PATH/TO/seeds > tests/fixtures/seed-fingerprints.txt

Standard library and pytest only.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pytest

REPO = Path(__file__).resolve().parents[1]
COURSE_DIRS = (REPO / "course", REPO / "scenarios")
MIN_WORDS = 8  # sentences this long (and word runs this long) must not be copied
FINGERPRINTS = REPO / "tests" / "fixtures" / "seed-fingerprints.txt"


# --------------------------------------------------------------------------
# Locating and reading the texts
# --------------------------------------------------------------------------


def seeds_dir() -> Path:
    # Only where a maintainer points: a test never reads beside the checkout (a user's clone has nothing there).
    return Path(os.environ.get("COURSEGEN_SEEDS") or "/nonexistent/COURSEGEN_SEEDS-not-set")


def seed_files() -> list[Path]:
    d = seeds_dir()
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith("."))


def course_files() -> list[Path]:
    files: list[Path] = []
    for d in COURSE_DIRS:
        if d.is_dir():
            files.extend(p for p in d.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml", ".yml"))
    return sorted(files)


def _require_seeds() -> list[Path]:
    files = seed_files()
    if not files:
        pytest.skip(f"seed articles not found in {seeds_dir()} (set COURSEGEN_SEEDS)")
    return files


# --------------------------------------------------------------------------
# Normalisation and splitting
# --------------------------------------------------------------------------

_APOSTROPHES = re.compile(r"['\u2019\u2018\u02bc`]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents folded, apostrophes dropped, everything else that
    isn't a letter or digit turned into a single space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.lower())
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def words(text: str) -> list[str]:
    return normalise(text).split()


_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)\]*_]*\s+")


def split_sentences(text: str) -> list[str]:
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


# Markdown markup, removed line by line before sentences are split.
_ATTRIBUTES = re.compile(r"\{[^{}]*\}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TASK = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s+")
_SPEAKER = re.compile(r"^\s*>\s*\[[a-z][a-z0-9-]*\]\s*")
_LEADING_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)+")
_BLOCK_START = re.compile(r"^\s*(?:#{1,6}\s|>|[-*+]\s|\d+[.)]\s|\|)")
_YAML_KEY = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*\s*:(?:\s+|$)")
_YAML_BLOCK_INDICATOR = re.compile(r"^[>|][-+]?\s*$")


def _strip_markdown(line: str) -> str:
    line = _SPEAKER.sub("", line)
    line = _TASK.sub("", line)
    line = _LEADING_MARK.sub("", line)
    line = _ATTRIBUTES.sub(" ", line)
    line = _LINK.sub(r"\1", line)
    return line


def _strip_yaml(line: str) -> str:
    line = _YAML_KEY.sub("", line, count=1)
    line = line.strip()
    if _YAML_BLOCK_INDICATOR.match(line):
        return ""
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'":
        line = line[1:-1]
    return line


@dataclass
class Unit:
    """A paragraph, list item, heading, table cell or YAML value."""

    line: int
    text: str


def _units_from_lines(lines: list[tuple[int, str]], yaml_mode: bool) -> Iterator[Unit]:
    current: Unit | None = None
    for lineno, raw in lines:
        if not raw.strip() or raw.strip() in ("---", "..."):
            if current:
                yield current
            current = None
            continue
        starts_block = bool(_YAML_KEY.match(raw) if yaml_mode else _BLOCK_START.match(raw))
        if yaml_mode:
            text = _strip_yaml(raw) if _YAML_KEY.match(raw) else raw.strip()
        else:
            text = _strip_markdown(raw)
        if starts_block and current:
            yield current
            current = None
        if raw.lstrip().startswith("|"):
            # A table row: every cell is a unit of its own.
            if current:
                yield current
                current = None
            for cell in raw.strip().strip("|").split("|"):
                if cell.strip():
                    yield Unit(lineno, _strip_markdown(cell))
            continue
        if current is None:
            current = Unit(lineno, text)
        else:
            current.text += " " + text
    if current:
        yield current


def course_units(text: str, suffix: str) -> list[Unit]:
    """Split a course file into units of text, markup removed."""
    lines = list(enumerate(text.splitlines(), start=1))
    if suffix in (".yaml", ".yml"):
        return list(_units_from_lines(lines, yaml_mode=True))
    units: list[Unit] = []
    if lines and lines[0][1].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i][1].strip() == "---"), None)
        if end is not None:
            units.extend(_units_from_lines(lines[1:end], yaml_mode=True))
            lines = lines[end + 1 :]
    units.extend(_units_from_lines(lines, yaml_mode=False))
    return units


# --------------------------------------------------------------------------
# The detector
# --------------------------------------------------------------------------


def fingerprint(normalised: str) -> str:
    """40 bits of BLAKE2b: a course has some 30,000 word runs against some 10,000 of the
    seeds, so a false match is a one-in-thousands event, and a fingerprint gives no text back."""
    return hashlib.blake2b(normalised.encode("utf-8"), digest_size=5).hexdigest()


@dataclass(frozen=True)
class SeedIndex:
    sentences: frozenset[str]  # fingerprints of normalised sentences of MIN_WORDS words or more
    ngrams: frozenset[str]  # fingerprints of runs of MIN_WORDS normalised words


def _ngrams(ws: list[str], n: int = MIN_WORDS) -> Iterator[str]:
    for i in range(len(ws) - n + 1):
        yield " ".join(ws[i : i + n])


def build_seed_index(texts: Iterable[str]) -> SeedIndex:
    sentences: set[str] = set()
    ngrams: set[str] = set()
    for text in texts:
        for paragraph in text.splitlines():
            for sentence in split_sentences(paragraph):
                norm = normalise(sentence)
                if len(norm.split()) >= MIN_WORDS:
                    sentences.add(fingerprint(norm))
            # Word runs may cross a seed's sentence boundaries: stricter.
            ngrams.update(fingerprint(gram) for gram in _ngrams(words(paragraph)))
    return SeedIndex(frozenset(sentences), frozenset(ngrams))


def write_fingerprints(seed_paths: list[Path]) -> str:
    """The fingerprint file: a header naming each seed by its hash, then one line per fingerprint."""
    index = build_seed_index(p.read_text(encoding="utf-8") for p in seed_paths)
    lines = ["# Fingerprints of the seed articles (tests/test_course_content.py): \"s\" a sentence of",
             f"# {MIN_WORDS}+ words, \"n\" a run of {MIN_WORDS} words, normalised, BLAKE2b 40 bits. No seed text.",
             *(f"# seed {p.name} sha256 {hashlib.sha256(p.read_bytes()).hexdigest()}" for p in seed_paths)]
    lines += [f"s {h}" for h in sorted(index.sentences)] + [f"n {h}" for h in sorted(index.ngrams)]
    return "\n".join(lines) + "\n"


def read_fingerprints(text: str) -> SeedIndex:
    sentences, ngrams = set(), set()
    for line in text.splitlines():
        if line.startswith("s "):
            sentences.add(line[2:])
        elif line.startswith("n "):
            ngrams.add(line[2:])
    return SeedIndex(frozenset(sentences), frozenset(ngrams))


def find_copies(name: str, text: str, index: SeedIndex, suffix: str = ".md") -> list[str]:
    """Every copied sentence and every copied run of 8 words in one file."""
    problems: list[str] = []
    for unit in course_units(text, suffix):
        for sentence in split_sentences(unit.text):
            norm = normalise(sentence)
            if len(norm.split()) >= MIN_WORDS and fingerprint(norm) in index.sentences:
                problems.append(f"{name}:{unit.line}: sentence copied from a seed: {sentence.strip()!r}")
        ws = words(unit.text)
        hits = [i for i, gram in enumerate(_ngrams(ws)) if fingerprint(gram) in index.ngrams]
        if hits:
            # Merge overlapping runs into spans so each copied clause is listed once.
            spans: list[list[int]] = []
            for i in hits:
                if spans and i <= spans[-1][1]:
                    spans[-1][1] = i + MIN_WORDS
                else:
                    spans.append([i, i + MIN_WORDS])
            for start, end in spans:
                problems.append(
                    f"{name}:{unit.line}: {end - start} consecutive words copied from a seed: "
                    f"{' '.join(ws[start:end])!r}"
                )
    return problems


# --------------------------------------------------------------------------
# Self-checks: the detector really catches copies (no seeds needed)
# --------------------------------------------------------------------------

SYNTHETIC_SEED = (
    "Heading Of The Article\n"
    "Employees who photograph a whiteboard may reveal the launch plan to rivals. "
    "Another sentence follows here, and it is quite long as well as dull.\n"
)


def test_normalise_strips_markup_and_punctuation() -> None:
    assert normalise("**The  Company’s** _plan_, (see `x`)!") == "the companys plan see x"
    assert normalise("Café—déjà vu") == "cafe deja vu"


def test_detector_flags_a_copied_sentence_inside_markup() -> None:
    index = build_seed_index([SYNTHETIC_SEED])
    copied = (
        "# A node {#start}\n\n"
        "> [maya] **Employees** who photograph a [whiteboard](#x) may reveal the\n"
        "launch plan to rivals.\n\n"
        "- [Fine](#end){points=5}\n"
    )
    problems = find_copies("fake.md", copied, index)
    assert any("sentence copied" in p for p in problems), problems
    assert any("consecutive words copied" in p for p in problems), problems
    assert all(p.startswith("fake.md:3:") for p in problems), problems


def test_detector_flags_a_copied_clause_and_spares_a_paraphrase() -> None:
    index = build_seed_index([SYNTHETIC_SEED])
    clause = "Be careful, because a photograph a whiteboard may reveal the launch plan to rivals today."
    problems = find_copies("fake.md", clause, index)
    assert problems and all("consecutive words copied" in p for p in problems), problems
    # A run that crosses a sentence boundary of the seed is caught too.
    across = "They said it may reveal the launch plan to rivals another sentence follows here."
    assert find_copies("fake.md", across, index)
    paraphrase = "A photo of the planning board can show competitors when we launch."
    assert find_copies("fake.md", paraphrase, index) == []


def test_detector_reads_yaml_values() -> None:
    index = build_seed_index([SYNTHETIC_SEED])
    yaml_text = (
        "id: demo\n"
        "description: >-\n"
        "  Employees who photograph a whiteboard may\n"
        "  reveal the launch plan to rivals.\n"
    )
    problems = find_copies("fake.yaml", yaml_text, index, suffix=".yaml")
    assert any("sentence copied" in p for p in problems), problems


# --------------------------------------------------------------------------
# The real checks
# --------------------------------------------------------------------------


def test_course_files_exist() -> None:
    files = course_files()
    names = {p.relative_to(REPO).as_posix() for p in files}
    assert "course/course.yaml" in names
    assert "course/refresher.yaml" in names
    assert sum(1 for n in names if n.startswith("scenarios/")) >= 6
    assert sum(1 for n in names if n.startswith("course/quizzes/")) >= 2


def test_the_fingerprints_are_there() -> None:
    text = FINGERPRINTS.read_text(encoding="utf-8")
    index = read_fingerprints(text)
    # Five seed articles of about 1,800 words each: an emptied or truncated file would pass anything.
    assert sum(1 for line in text.splitlines() if line.startswith("# seed ")) == 5
    assert len(index.ngrams) > 5_000 and len(index.sentences) > 200


def test_fingerprints_match_the_synthetic_index() -> None:
    # What the file stores reads back as the index it came from.
    index = build_seed_index([SYNTHETIC_SEED])
    lines = [f"s {h}" for h in index.sentences] + [f"n {h}" for h in index.ngrams]
    assert read_fingerprints("\n".join(lines)) == index


def test_course_text_is_written_in_its_own_words() -> None:
    index = read_fingerprints(FINGERPRINTS.read_text(encoding="utf-8"))
    problems: list[str] = []
    for path in course_files():
        rel = path.relative_to(REPO).as_posix()
        problems.extend(find_copies(rel, path.read_text(encoding="utf-8"), index, path.suffix))
    assert not problems, "Course text repeats the seed articles:\n" + "\n".join(problems)


# With the seeds at hand (COURSEGEN_SEEDS set on a maintainer's machine): the fingerprints are current,
# and a sentence lifted from a real seed is caught through them.


def test_the_fingerprints_are_those_of_the_seeds() -> None:
    files = _require_seeds()
    assert FINGERPRINTS.read_text(encoding="utf-8") == write_fingerprints(files), (
        "the seeds changed: regenerate tests/fixtures/seed-fingerprints.txt (see this file's docstring)")


def test_detector_flags_a_real_seed_sentence() -> None:
    files = _require_seeds()
    seed_texts = [p.read_text(encoding="utf-8") for p in files]
    index = read_fingerprints(FINGERPRINTS.read_text(encoding="utf-8"))
    sentence = next(
        s
        for text in seed_texts
        for paragraph in text.splitlines()[1:]
        for s in split_sentences(paragraph)
        if len(words(s)) >= 12
    )
    as_markdown = f"# Copied {{#copied}}\n\n> [maya] *{sentence}*\n\n- [Go on](#next){{points=5}}\n"
    problems = find_copies("copied.md", as_markdown, index)
    assert any("sentence copied" in p for p in problems), (sentence, problems)
    # Eight words lifted from the middle of it, inside a new sentence.
    middle = " ".join(sentence.split()[2:10])
    problems = find_copies("clause.md", f"Remember that {middle} always.", index)
    assert any("consecutive words copied" in p for p in problems), (middle, problems)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else seeds_dir())
    sys.stdout.write(write_fingerprints(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))))
