"""Keep coursegen's shipped translations of the player's words in step with its English table.

    .venv/bin/python scripts/update_ui_words.py

After a word is added to or changed in generator/package/runtime/manifest.json `labels`,
this merges generator/translate/words/<lang>.po as `coursegen translate extract` merges a
course's ui.po: a new word arrives empty, a changed one keeps its translation marked fuzzy.
Translate those (tests/test_ui_words.py fails until every shipped language is complete).
"""
from __future__ import annotations

import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from generator.translate import catalogue, ui  # noqa: E402


def main() -> None:
    coursegen = types.SimpleNamespace(id="coursegen", version="")  # only for a header field the files already have
    for tag in ui.shipped():
        shipped = ui.built_in(tag)
        merged = catalogue.merge(shipped.po, ui.units(), coursegen, tag, "the course player's own words (coursegen)")
        changed = catalogue.write(shipped.path, merged)
        todo = sum(1 for e in merged if not e.obsolete and (e.fuzzy or not (e.msgstr or any(e.msgstr_plural.values()))))
        print(f"{'updated' if changed else 'unchanged'} {shipped.path.name}: {todo} to translate")


if __name__ == "__main__":
    main()
