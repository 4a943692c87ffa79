"""The learner's side, in Chromium: start-up time, JS heap, suspend_data per decision.

Pages are served from 127.0.0.1 by coursegen's own static server (the test LMS
host page and scorm-again under /lms/ and /node_modules/, packages where we
mount them). Everything is driven through the public test hooks of the
authoring format (data-view, data-node, data-choice, data-option,
data-action), in-page, so Playwright round trips are not in the numbers.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 120_000

# Installed before any script of the page runs: notes when the first view and the
# first choice button enter the DOM (performance.now() is measured from the start
# of the navigation). It clicks data-action="next" on the cover of a first launch
# and, with autoNext, on every lesson view as soon as it appears, to reach the
# first scenario node of a course that starts with lessons, without any round trip
# to Playwright.
PROBE = """(autoNext) => {
  const b = window.__bench = {view: null, choice: null, idle: null, clicks: 0};
  let clicked = null;
  const look = () => {
    const v = document.querySelector('[data-view]');
    if (v && b.view === null) b.view = performance.now();
    if (b.choice === null && document.querySelector('[data-choice]')) {
      b.choice = performance.now();
      setTimeout(() => { b.idle = performance.now(); }, 0);
    }
    const kind = v && v.getAttribute('data-view');
    if (b.choice === null && v && v !== clicked && (kind === 'cover' || (autoNext && kind === 'lesson'))) {
      clicked = v;
      setTimeout(() => { const n = v.querySelector('[data-action="next"]'); if (n) { b.clicks++; n.click(); } }, 0);
    }
  };
  new MutationObserver(look).observe(document, {childList: true, subtree: true});
}"""

# Plays the whole course in the page: lessons and endings and feedback: next;
# scenario nodes: the planned choices in order (node id checked); questions:
# the correct options, read from the course JSON. Times each handler call.
DRIVE = """async ({plan, stop}) => {
  const doc = document;
  const course = JSON.parse(doc.getElementById('course-data').textContent);
  const correct = {};
  for (const m of course.modules) for (const q of (m.questions || []))
    correct[q.id] = q.options.map((o, i) => o.correct ? i : -1).filter((i) => i >= 0);
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const view = () => doc.querySelector('[data-view]');
  let step = 0, choices = 0, answers = 0, handler = 0, clicks = 0, guard = 0;
  const click = (el) => { const t = performance.now(); el.click(); handler += performance.now() - t; clicks++; };
  const started = performance.now();
  for (;;) {
    if (++guard > 200000) throw new Error('the walk does not end');
    const v = view();
    const kind = v && v.getAttribute('data-view');
    if (!v) { await frame(); continue; }
    if (kind === 'results' || (stop && kind === stop)) break;
    if (kind === 'node') {
      const [node, choice] = plan[step] || [];
      if (node !== v.getAttribute('data-node')) throw new Error('expected node ' + node + ', the page shows ' + v.getAttribute('data-node'));
      const b = v.querySelector('[data-choice="' + choice + '"]');
      if (!b) throw new Error('choice ' + choice + ' is not shown on ' + node);
      step++; choices++; click(b);
    } else if (kind === 'question') {
      const id = v.getAttribute('data-question');
      for (const k of correct[id]) doc.querySelector('[data-option="' + id + ':' + k + '"]').click();
      answers++; click(v.querySelector('[data-action="submit"]'));
    } else {
      const n = v.querySelector('[data-action="next"]');
      if (!n) throw new Error('no way on from the ' + kind + ' view');
      click(n);
    }
    await frame();
  }
  return {choices, answers, clicks, handlerMs: handler, wallMs: performance.now() - started, planned: plan.length, used: step};
}"""

# The scenarios' progress-bar distances (engine.js dist), on a fresh copy of the
# course: the first render of each scenario computes them. Total over the scenarios.
DIST = """() => {
  const c = JSON.parse(document.getElementById('course-data').textContent);
  let total = 0;
  c.modules.forEach((m, i) => {
    if (m.kind !== 'scenario') return;
    const mods = c.modules.map(() => null);
    mods[i] = {n: 0, f: 0, p: 0, b: null, e: null};
    const e = CG.engine(c, {cur: i, badges: 0, mods: mods});
    const t = performance.now();
    e.progress();
    total += performance.now() - t;
  });
  return total;
}"""


@dataclass
class Startup:
    view_ms: list[float] = field(default_factory=list)
    choice_ms: list[float] = field(default_factory=list)
    idle_ms: list[float] = field(default_factory=list)
    clicks: int = 0
    dist_ms: list[float] = field(default_factory=list)
    heap_after_load: int | None = None

    @staticmethod
    def med(values):
        return statistics.median(values) if values else None


@dataclass
class Walked:
    decisions: int
    choices: int
    answers: int
    clicks: int
    handler_ms: float
    wall_ms: float
    heap_before: int | None = None
    heap_after: int | None = None
    suspend_data: str | None = None
    suspend_writes: int = 0
    longest_suspend: int = 0


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _heap(context, page) -> int:
    """JSHeapUsedSize after a full garbage collection (CDP)."""
    cdp = context.new_cdp_session(page)
    cdp.send("HeapProfiler.enable")
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    cdp.detach()
    return int(metrics["JSHeapUsedSize"])


def startup(browser, url: str, loads: int, auto_next: bool, measure_heap: bool = False) -> Startup:
    """Fresh context per load: no cache, no saved progress."""
    result = Startup()
    for n in range(loads):
        context = browser.new_context(reduced_motion="reduce")
        page = context.new_page()
        page.add_init_script(f"({PROBE})({json.dumps(auto_next)})")
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        page.wait_for_function("() => window.__bench && window.__bench.idle !== null", timeout=TIMEOUT_MS,
                               polling=50)
        probe = page.evaluate("() => window.__bench")
        result.view_ms.append(probe["view"])
        result.choice_ms.append(probe["choice"])
        result.idle_ms.append(probe["idle"])
        result.clicks = probe["clicks"]
        result.dist_ms.append(page.evaluate(DIST))
        if n == 0 and measure_heap:
            result.heap_after_load = _heap(context, page)
        context.close()
    return result


def walk_web(browser, url: str, plan: list) -> Walked:
    """The whole course in the web build (no LMS): heap after start-up and after the walk."""
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(url, timeout=TIMEOUT_MS)
    page.wait_for_selector("[data-view]", timeout=TIMEOUT_MS)
    before = _heap(context, page)
    done = page.evaluate(DRIVE, {"plan": plan, "stop": None})
    after = _heap(context, page)
    context.close()
    return _walked(done, before, after)


def walk_scorm(browser, server_url: str, mount: str, plan: list, version: str = "1.2") -> Walked:
    """The whole course as a SCORM package in the test LMS (scorm-again), then its last suspend_data."""
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{server_url}/lms/host.html?version={version}&launch={mount}index.html", timeout=TIMEOUT_MS)
    page.wait_for_function("() => window.lms && window.lms.ready", timeout=TIMEOUT_MS)
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]", timeout=TIMEOUT_MS)
    done = frame.evaluate(DRIVE, {"plan": plan, "stop": None})
    page.evaluate("lms.unload()")
    writes = page.evaluate("""() => lmsLog.filter((e) => /SetValue$/.test(e.fn) && e.args[0] === 'cmi.suspend_data'
                                      && e.ret === 'true').map((e) => e.args[1])""")
    context.close()
    result = _walked(done)
    result.suspend_data = writes[-1] if writes else None
    result.suspend_writes = len(writes)
    result.longest_suspend = max((len(w) for w in writes), default=0)
    return result


def _walked(done: dict, before: int | None = None, after: int | None = None) -> Walked:
    if done["used"] != done["planned"]:
        raise RuntimeError(f"the walk took {done['used']} of {done['planned']} planned choices")
    return Walked(done["choices"] + done["answers"], done["choices"], done["answers"], done["clicks"], done["handlerMs"],
                  done["wallMs"], before, after)


def plan_for(course_argument: str | Path) -> list:
    """The best path of every scenario, in course order, as [node id, choice index] pairs."""
    from generator import build
    from generator.model import Scenario

    checked = build.check(course_argument)
    plan = []
    for module in checked.course.modules:
        if isinstance(module, Scenario):
            best = checked.analyses[module.id].best
            plan += [[module.nodes[s.node].id, s.choice] for s in best.steps]
    return plan
