"""Static checks of generator/package/runtime: the size budget, the manifest the compiler reads,
the labels every view needs, and what the Content Security Policy forbids."""

from __future__ import annotations

import json
import re

from .runtime_package import RUNTIME, runtime_manifest

BUDGET = 60 * 1024


def runtime_files():
    m = runtime_manifest()
    return [RUNTIME / n for n in m["scripts"] + m["styles"]]


def test_manifest_lists_existing_files_in_load_order():
    m = runtime_manifest()
    assert m["scripts"][-1] == "player.js"  # starts the course, so it comes last
    assert all(p.is_file() for p in runtime_files())
    listed = {p.name for p in runtime_files()} | {"manifest.json"}
    assert {p.name for p in RUNTIME.iterdir()} == listed, "a runtime file the manifest does not list"


def test_runtime_stays_within_its_size_budget():
    total = sum(p.stat().st_size for p in runtime_files())
    assert total <= BUDGET, f"runtime is {total} bytes, budget {BUDGET}"


def label_keys(source: str) -> set[str]:
    """Quoted words inside each L(...) call: L('next'), L(ok ? 'correct' : 'incorrect'), ..."""
    keys = set()
    for m in re.finditer(r"\bL\(", source):
        depth, i = 1, m.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(source[i], 0)
            i += 1
        call = re.sub(r"\{[^{}]*\}", "", source[m.end():i - 1])  # drop the {placeholder: value} object
        keys |= set(re.findall(r"'(\w+)'", call))
    return keys


def test_every_label_the_player_uses_is_in_the_manifest():
    used = label_keys((RUNTIME / "player.js").read_text(encoding="utf-8"))
    # L('outcome' + CAP[ending]) builds three keys.
    used = (used - {"outcome"}) | {"outcomeGood", "outcomeNeutral", "outcomeBad"}
    assert {"next", "correct", "incorrect", "quizPassed", "retake"} <= used  # the scan sees ternaries
    assert used - set(runtime_manifest()["labels"]) == set()


def test_nothing_the_csp_would_block():
    for path in runtime_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".js":
            assert not re.search(r"\beval\(|new Function|setTimeout\('|setInterval\('", text), path.name
            assert not re.search(r"""['"]style['"]\s*:|style=""", text), f"inline style attribute in {path.name}"
        assert not re.search(r"https?://|@import|url\(", text), f"external resource in {path.name}"


def test_sample_course_carries_every_label():
    from .conftest import SAMPLE

    course = json.loads(SAMPLE.read_text(encoding="utf-8"))
    assert set(runtime_manifest()["labels"]) <= set(course["labels"])
