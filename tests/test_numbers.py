"""Every number on every view of the flagship's walks agrees with the course JSON's rules: the
header's points of points in play and badge count, an attempt's points, the points of a choice
in words, an ending's scores and its review of the decisions, a quiz's question, attempt and
score, the results' percent and each module's score, the cover's time and pass rule. No digit
appears anywhere else but in the author's own text (tests/shown_numbers.py). Planted faults
(numbers as they used to disagree) show the check failing."""
from __future__ import annotations

import concurrent.futures
import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from browser.lmshost import HostPage
from repo import REPO
from shown_numbers import AUTHOR, RECORDER, SLOTS, Ledger

from generator import build
from generator.walks import lms, plan, runner
from generator.walks.walker import Walker

FLAGSHIP = REPO / "course" / "course.yaml"


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    checked = build.check(FLAGSHIP)
    walks = plan.walks(checked.course, checked.analyses)
    package = runner.unpacked(FLAGSHIP, ("scorm2004",), tmp_path_factory.mktemp("numbers"))["scorm2004"]
    page = (package / "index.html").read_text(encoding="utf-8")
    data = re.search(r'<script id="course-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    return checked, walks, package, json.loads(data.replace("<\\/", "</"))


def problems_in(package: Path, checked, walks, course, browsers: int = 2) -> tuple[list[str], int, set[str]]:
    """Every disagreement on the walks' views, the number of views, their kinds: the walks
    shared among `browsers` browsers, each in a thread of its own (one Playwright per thread)."""
    with concurrent.futures.ThreadPoolExecutor(browsers) as threads:
        parts = list(threads.map(lambda share: _problems_in(package, checked, share, course),
                                 [walks[i::browsers] for i in range(browsers)]))
    return [p for part in parts for p in part[0]], sum(part[1] for part in parts), set().union(*(part[2] for part in parts))


def _problems_in(package: Path, checked, walks, course) -> tuple[list[str], int, set[str]]:
    problems, count, kinds = [], 0, set()
    with lms.HostServer({"/pkg/scorm2004/": package}) as server, sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        host = HostPage(browser, server.url, "scorm2004")
        for walk in walks:
            host.launch()
            frame = host.frame()
            frame.wait_for_selector("[data-view]")
            frame.evaluate(RECORDER, [SLOTS, AUTHOR])
            walker = Walker(checked, walk, "scorm2004", Path.cwd())
            walker.play(frame)
            ledger = Ledger(course, [s.js for s in walker.steps])
            for number, seen in enumerate(frame.evaluate("window.__views")):
                where = f"[{walk.role}: {walk.name}] view {number} ({seen['view']} {seen['id'] or ''})"
                want = ledger.see(seen["view"], seen["id"])
                problems += [f"{where}: {slot} reads {texts}, the rules give {want[slot]}"
                             for slot, texts in seen["slots"].items() if texts != want[slot]]
                if seen["stray"]:
                    problems.append(f"{where}: numbers outside any checked place: {seen['stray']}")
                kinds.add(seen["view"])
                count += 1
        browser.close()
    return problems, count, kinds


def test_every_number_on_every_view_of_every_walk_agrees(flagship):
    checked, walks, package, course = flagship
    problems, count, kinds = problems_in(package, checked, walks, course)
    assert not problems, "\n".join(problems[:40])
    assert {"cover", "lesson", "node", "ending", "question", "feedback", "results"} <= kinds
    assert "fail, then recover" in {w.role for w in walks}
    assert count > 40 * len(walks)


# (file, the runtime's line, the line as a fault plants it, the place the check must name)
PLANTED = {
    "negative attempt points": ("player.js", "var n = eng.attemptScore();", "var n = x.p;", "eyebrow"),
    "quiz points at the end": ("engine.js", "ms[i].kind === 'quiz' ? x.s : 0", "ms[i].kind === 'quiz' ? 0 : 0", "tally"),
    "a green zero": ("player.js", "return L(n === 0 ? 'pointsNone'", "return n === 0 ? '\\u00B10' : L(n === 0 ? 'pointsNone'",
                     "moment"),
    "a percent in the header": ("player.js", "hdr.tally.textContent = t.max ? text : '';",
                                "hdr.tally.textContent = t.max ? pct + '%' : '';", "tally"),
}


@pytest.mark.parametrize("fault", sorted(PLANTED))
def test_a_planted_disagreement_is_found(flagship, tmp_path, fault):
    checked, walks, package, course = flagship
    name, line, planted, slot = PLANTED[fault]
    copy = tmp_path / "package"
    shutil.copytree(package, copy)
    script = copy / "runtime" / name
    text = script.read_text(encoding="utf-8")
    assert line in text
    script.write_text(text.replace(line, planted), encoding="utf-8")
    worst = [w for w in walks if w.role in ("worst", "fail, then recover")]
    problems, _, _ = problems_in(copy, checked, worst, course)
    assert any(f": {slot} reads " in p for p in problems), problems[:5]
