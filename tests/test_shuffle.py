"""Unpredictable answers on the flagship: over 50 learners the best choice is shown in every
place about equally often, a relaunch shows the same order, and a replay draws a new one
(issue 16). Seeds are fixed (crypto.getRandomValues answers 1, 2, … 50), so the statistics
are the same on every run: derandomised, not flaky."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from browser.lmshost import HostPage
from repo import REPO

from generator import build
from generator.walks import lms, plan, runner
from generator.walks.walker import Walker, in_page_script

FLAGSHIP = REPO / "course" / "course.yaml"
LEARNERS = range(1, 51)
# The chi-square statistic's 0.1% critical value, by degrees of freedom (positions - 1).
CRITICAL = {1: 10.83, 2: 13.82, 3: 16.27}
# Each learner is a page load with ?seed=N: the seed for crypto.getRandomValues, and the
# browser storage emptied before the course reads it, so nothing of the learner before remains.
LEARNER = ("const seed = new URLSearchParams(location.search).get('seed');"
           "if (seed) { localStorage.clear(); sessionStorage.clear();"
           " crypto.getRandomValues = (a) => { a[0] = +seed; return a; }; }")


def chi_square(counts: Counter, places: int) -> float:
    total = sum(counts.values())
    return sum((counts[p] - total / places) ** 2 / (total / places) for p in range(places))


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    checked = build.check(FLAGSHIP)
    web = build.build(FLAGSHIP, ("web",), tmp_path_factory.mktemp("shuffle")).outputs[0]
    best = plan.walks(checked.course, checked.analyses)[0]
    steps = Walker(checked, best, "web", Path.cwd()).steps
    first = next(i for i, s in enumerate(steps) if s.js["op"] == "choose")
    with sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        yield checked, web, [s.js for s in steps[:first]], browser
        browser.close()


def first_node_order(page, web: Path, to_first_node: list[dict], seed: int) -> tuple[list[int], list[int]]:
    """(the choices as shown on the first scenario node, the order CG.state derives from the seed)."""
    page.goto(f"{(web / 'index.html').as_uri()}?seed={seed}")
    page.wait_for_selector("[data-view]")
    assert page.evaluate(in_page_script(), {"steps": to_first_node, "timeout": 10_000})["ok"]
    shown = [int(b.get_attribute("data-choice")) for b in page.query_selector_all('[data-view="node"] [data-choice]')]
    derived = page.evaluate("(s) => { const d = JSON.parse(document.getElementById('course-data').textContent);"
                            " const m = d.modules.find(x => x.kind === 'scenario'); return CG.state.choiceOrder(m, s)[0]; }",
                            seed)
    return shown, derived


def test_over_50_learners_the_best_first_choice_lands_in_every_place(flagship):
    checked, web, to_first_node, browser = flagship
    scenario = next(m for m in checked.course.modules if m.kind == "scenario")
    points = [c.points for c in scenario.nodes[0].choices]
    best = points.index(max(points))
    places = Counter()
    page = browser.new_page()
    page.add_init_script(LEARNER)
    for seed in LEARNERS:
        shown, derived = first_node_order(page, web, to_first_node, seed)
        assert shown == derived, seed  # the page shows the order the seed gives
        places[shown.index(best)] += 1
    page.close()
    assert set(places) == {0, 1, 2}
    assert chi_square(places, 3) < CRITICAL[2], places


def test_over_50_learners_every_decisions_best_choice_is_spread_evenly(flagship):
    checked, web, _, browser = flagship
    page = browser.new_page()
    page.goto((web / "index.html").as_uri())
    page.wait_for_selector("[data-view]")
    course = json.loads(page.evaluate("document.getElementById('course-data').textContent"))
    orders = page.evaluate("([d, seeds]) => seeds.map(s => d.modules.filter(m => m.kind === 'scenario')"
                           ".map(m => CG.state.choiceOrder(m, s)))", [course, list(LEARNERS)])
    page.close()
    scenarios = [m for m in checked.course.modules if m.kind == "scenario"]
    by_size: dict[int, Counter] = {}
    decisions = 0
    for per_learner in orders:
        for scenario, nodes in zip(scenarios, per_learner):
            for node, order in zip(scenario.nodes, nodes):
                points = [c.points for c in node.choices]
                if len(set(points)) < 2:
                    continue
                decisions += 1
                best = points.index(max(points))
                by_size.setdefault(len(points), Counter())[order.index(best)] += 1
    assert decisions == 50 * 38
    for size, counts in by_size.items():
        assert chi_square(counts, size) < CRITICAL[size - 1], (size, counts)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
def test_a_relaunch_shows_the_same_order_and_a_replay_draws_a_new_one(flagship, tmp_path, fmt):
    checked, _, _, browser = flagship
    best = plan.walks(checked.course, checked.analyses)[0]
    steps = Walker(checked, best, fmt, Path.cwd()).steps
    first = next(i for i, s in enumerate(steps) if s.js["op"] == "choose")
    ending = next(i for i, s in enumerate(steps) if s.js["op"] == "ending")
    package = runner.unpacked(FLAGSHIP, (fmt,), tmp_path)[fmt]

    def shown(frame):
        return [b.get_attribute("data-choice") for b in frame.query_selector_all('[data-view="node"] [data-choice]')]

    with lms.HostServer({f"/pkg/{fmt}/": package}) as server:
        host = HostPage(browser, server.url, fmt)
        host.launch()
        frame = host.frame()
        assert frame.evaluate(in_page_script(), {"steps": [s.js for s in steps[:first + 1]], "timeout": 10_000})["ok"]
        node, before = frame.get_attribute("[data-view]", "data-node"), shown(frame)
        host.page.evaluate("lms.relaunch()")  # the learner comes back: the LMS hands over suspend_data
        frame = host.frame()
        frame.wait_for_selector('[data-view="node"]')
        assert (frame.get_attribute("[data-view]", "data-node"), shown(frame)) == (node, before)
        # On to the ending, then "Try again" many times: each replay draws its own order.
        assert frame.evaluate(in_page_script(), {"steps": [s.js for s in steps[first + 1:ending]],
                                                 "timeout": 10_000})["ok"]
        orders = set()
        for _ in range(8):
            frame.click('[data-view="ending"] [data-action="replay"]')
            orders.add(tuple(shown(frame)))
            frame.evaluate(in_page_script(), {"steps": [s.js for s in steps[first:ending]], "timeout": 10_000})
        assert len(orders) > 1
        host.close()
