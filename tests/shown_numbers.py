"""Every number a learner reads, checked against the course JSON's rules (docs/course-json.md).

`RECORDER` is installed in the course's page before a walk: it notes each new view as it
appears (a MutationObserver runs once the click handler has drawn it), with the text of each
place the runtime writes a number into, and every digit left anywhere else outside the author's
own text. `Ledger` replays the same walk from the course JSON alone, written from the docs and
not from the runtime, and says what each of those places must read.
"""
from __future__ import annotations

import math
import re
import unicodedata

import babel
import babel.numbers

# Runtime places that hold numbers, by name: selector (several elements give a list).
SLOTS = {
    "tally": "header .tally", "badges": "header [data-action=shelf] .count", "eyebrow": "[data-view] .eyebrow .extra",
    "heading": "[data-view=question] h1", "moment": "[data-view] .moment .pts", "sum": "[data-view] .sum",
    "attempt": "[data-view] .attempt p", "chosen": "[data-view] .decisions li > p:nth-child(2) .pts",
    "better": "[data-view] .decisions .better .pts", "facts": "[data-view] .facts li",
    "scores": "[data-view=results] tbody td:first-of-type",
    # Question types and attestations (additions to v1): a sequence's step numbers, a partly right
    # answer's parts, each step's place on its feedback, and when a statement was confirmed (the
    # moment itself reads "{date}": the clock is the learner's, not the course's).
    "places": "[data-view=question] .steps .place", "parts": "[data-view=feedback] .parts",
    "at": "[data-view=feedback] .review .at", "attested": "[data-view=results] .attested-on",
}
# The author's text, where digits are the author's business ("Q3", "five weeks", "90%").
AUTHOR = ("[data-view] .content, legend, .qtext, q, [data-choice], .opts label span, .review li > span:not(.tag):not(.ico), "
          ".dn, .bt, .bd, .ctitle, .lead, .objectives, [data-view=node] h1, [data-view=ending] h1, [data-view=lesson] h1, "
          "[data-view=cover] h1, .eyebrow > span:first-child, [data-view=results] tbody th")

RECORDER = """(args) => {
  const [slots, author] = args;
  window.__views = [];
  const visible = (e) => e.checkVisibility();
  const note = () => {
    const v = document.querySelector('[data-view]');
    if (!v || v === window.__last) return;
    window.__last = v;
    const seen = {view: v.getAttribute('data-view'), id: v.getAttribute('data-node') || v.getAttribute('data-question'),
                  slots: {}, stray: []};
    const inSlot = new Set();
    for (const [name, sel] of Object.entries(slots)) {
      const found = [...document.querySelectorAll(sel)].filter(visible);
      found.forEach((e) => inSlot.add(e));
      seen.slots[name] = found.map((e) => {
        const copy = e.cloneNode(true);
        copy.querySelectorAll('time').forEach((t) => { t.textContent = '{date}'; });
        return copy.textContent.replace(/\\s+/g, ' ').trim();
      });
    }
    const skip = [...document.querySelectorAll(author)];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const el = t.parentElement;
      if (!/\\d/.test(t.data) || !el.checkVisibility() || el.closest('dialog, [aria-live], .sr-only')) continue;
      if ([...inSlot].some((s) => s.contains(el)) || skip.some((s) => s.contains(el))) continue;
      seen.stray.push(t.data.trim());
    }
    window.__views.push(seen);
  };
  note();
  new MutationObserver(note).observe(document.body, {childList: true, subtree: true});
}"""


LANGUAGE = "en"  # the walks read an English build; Babel's CLDR data says how English writes numbers


class Percent(int):
    """A value the runtime writes as a percentage ("80%")."""


def number(value) -> str:
    if isinstance(value, Percent):
        return babel.numbers.format_percent(value / 100, locale=LANGUAGE)
    if isinstance(value, int):
        return babel.numbers.format_decimal(value, locale=LANGUAGE).replace("-", "\u2212")
    return str(value)


def fill(labels: dict, key: str, **values) -> str:
    """A word of the player (docs/course-json.md "labels"): a plural word's form picked by {n}
    with CLDR's rule as Babel has it, every number written as the language writes it."""
    word = labels[key]
    if isinstance(word, dict):
        word = word.get(babel.Locale.parse(LANGUAGE).plural_form(values["n"]), word["other"])
    return re.sub(r"\{(\w+)\}", lambda m: number(values[m.group(1)]), word)


def plain(text: str) -> str:
    """A typed answer as docs/course-json.md compares it: no accents, lower case, spaces collapsed."""
    return " ".join("".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower().split())


def scored_parts(q: dict, response) -> tuple[int, int]:
    """(parts right, parts) of a response from the course JSON (docs/course-json.md, "quiz"):
    choice types one part, the options ticked exactly the correct ones; matching each situation's
    pick against its `match`; sequencing each step in its own place; fill-in the typed text
    against `accept`; likert none."""
    kind, options = q["type"], q["options"]
    if kind == "likert":
        return 0, 0
    if kind == "matching":
        return sum(1 for k, o in enumerate(options) if response[k] == o["match"]), len(options)
    if kind == "sequencing":
        return sum(1 for place, k in enumerate(response) if k == place), len(options)
    if kind == "fill-in":
        return (1 if plain(response) in {o["accept"] for o in options} else 0), 1
    return (1 if sorted(response) == [k for k, o in enumerate(options) if o["correct"]] else 0), 1


def points(labels: dict, n: int) -> str:
    if n == 0:
        return labels["pointsNone"]
    return fill(labels, "pointsPlus" if n > 0 else "pointsMinus", n=abs(n))


def evaluate(tree, values: dict):
    """An expression tree of the course JSON (section "Expression trees"), on module values."""
    op = tree[0]
    if op == "lit":
        return tree[1]
    if op in ("percent", "score"):
        return values[op]
    if op == "module":
        return values["modules"][tree[1]][tree[2]]
    if op == "not":
        return not evaluate(tree[1], values)
    if op in ("and", "or"):
        a, b = evaluate(tree[1], values), evaluate(tree[2], values)
        return (a and b) if op == "and" else (a or b)
    a, b = evaluate(tree[1], values), evaluate(tree[2], values)
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def percent_of(score: int, maximum: int) -> int:
    return 100 if maximum == 0 else score * 100 // maximum


class Ledger:
    """The course as the docs define it, moved along a walk's steps one view at a time."""

    def __init__(self, course: dict, steps: list[dict]):
        self.c, self.labels, self.ms = course, course["labels"], course["modules"]
        self.steps, self.at = steps, 0
        self.best = [None] * len(self.ms)  # recorded score of each finished module
        self.outcome = [""] * len(self.ms)
        self.done = [False] * len(self.ms)
        self.quiz_passed = [False] * len(self.ms)
        self.entered = [False] * len(self.ms)
        self.badges: set[str] = set()
        self.cur, self.back = 0, False
        self.page = 0
        self.running = 0  # scenario attempt: points, node, flags, path
        self.node, self.flags, self.path = 0, 0, []
        self.attempt = self.position = self.score = 0
        self.last_right = None
        self.moment = None
        self.question = None
        self.showing = None  # the question on the view being read
        self.last_points, self.last_parts, self.last_response = 0, (0, 0), None
        self.attested = [False] * len(self.ms)
        self.enter()

    # --- the course's values ---------------------------------------------------------
    def total(self) -> int:
        return sum(b or 0 for b in self.best)

    def percent(self) -> int:
        return percent_of(self.total(), self.c["maxPoints"]) if self.c["maxPoints"] else (100 if all(self.done) else 0)

    def completed(self) -> bool:
        return all(self.done)

    def passed_course(self) -> bool:
        quizzes = all(self.quiz_passed[i] for i, m in enumerate(self.ms) if m["kind"] == "quiz")
        return self.completed() and self.percent() >= self.c["passMark"] and quizzes

    def award(self) -> None:
        modules = []
        for i, m in enumerate(self.ms):
            score = self.best[i] or 0
            finished = self.done[i]
            modules.append({"score": score, "outcome": self.outcome[i],
                            "percent": percent_of(score, m["max"]) if m["max"] else (100 if finished else 0),
                            "passed": self.quiz_passed[i] if m["kind"] == "quiz" else finished})
        values = {"score": self.total(), "percent": self.percent(), "modules": modules}
        for badge in self.c["badges"]:
            when = badge["when"]
            if badge["id"] not in self.badges and (self.completed() if when is None else evaluate(when, values)):
                self.badges.add(badge["id"])

    def live(self, i: int) -> int:
        if i != self.cur:
            return 0
        kind = self.ms[i]["kind"]
        return self.attempt_score() if kind == "scenario" else self.score if kind == "quiz" else 0

    def attempt_score(self) -> int:
        """A scenario attempt's score: its points floored at 0, never above the maximum."""
        return min(self.ms[self.cur]["max"], max(0, self.running))

    # --- what each view must read ------------------------------------------------------
    def expected(self, view: str) -> dict:
        L, m = self.labels, self.ms[self.cur] if self.cur < len(self.ms) else None
        got = sum(max(self.best[i] or 0, self.live(i)) for i in range(len(self.ms)) if self.entered[i])
        most = sum(self.ms[i]["max"] for i in range(len(self.ms)) if self.entered[i])
        want = {"tally": [fill(L, "tally", score=got, n=most)] if most else [""],
                "badges": [fill(L, "badgeCount", n=len(self.badges), total=len(self.c["badges"]))],
                "eyebrow": [], "heading": [], "moment": [], "sum": [], "attempt": [], "chosen": [], "better": [],
                "facts": [], "scores": [], "places": [], "parts": [], "at": [], "attested": []}
        if self.moment is not None:
            want["moment"] = [points(L, self.moment)]
        if view == "cover":
            quizzes = sum(1 for x in self.ms if x["kind"] == "quiz")
            want["facts"] = [fill(L, "aboutMinutes", n=sum(x.get("minutes", 0) for x in self.ms)),
                             fill(L, "modulesCount", n=len(self.ms)),
                             fill(L, "passNeedsQuizzes" if quizzes else "passNeeds", percent=Percent(self.c["passMark"]), n=quizzes)]
        elif view == "lesson":
            want["eyebrow"] = [fill(L, "rereading" if self.rereading else "pageOf", n=self.page + 1,
                                    total=len(self.lesson["pages"]))]
        elif view in ("node", "ending"):
            shown = self.attempt_score()
            want["eyebrow"] = [fill(L, "attemptPoints", n=shown)]
            if view == "ending":
                want["sum"] = [fill(L, "scenarioScore", score=shown, max=m["max"])]
                if (self.best[self.cur] or 0) > shown:
                    want["sum"].append(fill(L, "bestScore", score=self.best[self.cur], max=m["max"]))
                want["chosen"], want["better"] = self.review()
        elif view in ("question", "feedback"):
            asked = m["draw"] if m.get("draw") is not None else len(m["questions"])
            want["eyebrow"] = [fill(L, "attemptOf", n=self.attempt, total=m["attempts"])] if m["attempts"] > 1 else []
            if view == "question":
                want["heading"] = [fill(L, "questionOf", n=self.position + 1, total=asked)]
                shown = next(q for q in m["questions"] if q["id"] == self.showing)
                if shown["type"] == "sequencing":
                    want["places"] = [number(k + 1) for k in range(len(shown["options"]))]
            else:
                question = next(q for q in m["questions"] if q["id"] == self.question)
                right, parts = self.last_parts
                if question["type"] == "likert":
                    want["sum"] = [L["notScored"]]
                else:
                    want["sum"] = [L["pointsEarned"] + " " + points(L, self.last_points)]
                if 0 < right < parts:
                    want["parts"] = [fill(L, "partsRight", n=right, total=parts)]
                if question["type"] == "sequencing":
                    want["at"] = [L["rightPlace"] if k == place else fill(L, "rightPlaceIs", n=k + 1)
                                  for place, k in enumerate(self.last_response)]
                if self.position == asked - 1:
                    pct = percent_of(self.score, m["max"])
                    want["attempt"] = [fill(L, "attemptScore", percent=Percent(pct), passMark=Percent(m["passMark"]))]
                    if pct < m["passMark"] and self.attempt < m["attempts"]:
                        want["attempt"].append(fill(L, "attemptsLeft", n=m["attempts"] - self.attempt))
        elif view == "results":
            want["sum"] = [fill(L, "resultsScore", percent=Percent(self.percent()), passMark=Percent(self.c["passMark"]))]
            want["scores"] = [fill(L, "scoreOf", n=self.best[i] or 0, max=x["max"]) if x["max"] else "\u2013"
                              for i, x in enumerate(self.ms)]
            want["attested"] = [fill(L, "attestedOn", date="{date}") for i, x in enumerate(self.ms)
                                if x.get("attest") and self.attested[i]]
        return want

    def review(self) -> tuple[list[str], list[str]]:
        """An ending's decisions: each choice's points; where another shown choice led to more by
        the end, those points."""
        m, L = self.ms[self.cur], self.labels
        ahead = _ahead(m, self.visible)
        chosen, better = [], []
        flags = 0
        for node, k in self.path:
            choices = m["nodes"][node]["choices"]
            worth = {j: c["points"] + ahead[(c["to"], _after(c, flags))] for j, c in enumerate(choices)
                     if self.visible(c, flags) and (c["to"], _after(c, flags)) in ahead}
            chosen.append(points(L, choices[k]["points"]))
            top = max(worth.values())
            if top > worth[k]:
                better.append(fill(L, "upTo", n=top))
            flags = _after(choices[k], flags)
        return chosen, better

    def visible(self, choice: dict, flags: int) -> bool:
        condition = choice.get("if")
        if condition is None:
            return True
        values = {"modules": [], "percent": self.percent(), "score": self.total()}
        return bool(_eval_flags(condition, flags, self, values))

    # --- what the learner does on each view ----------------------------------------------
    rereading, lesson = False, None

    def see(self, view: str, shown_id: str | None) -> dict:
        """What the view must read; then the ledger moves on as the walk's step does."""
        if view == "lesson":
            self.lesson = self.ms[self.reread] if self.rereading else self.ms[self.cur]
        self.showing = shown_id
        want = self.expected(view)
        self.moment = None
        step = self.steps[self.at] if self.at < len(self.steps) else {"op": "end"}
        while step["op"] == "feedback" and view != "feedback":  # the walker passed the feedback views
            self.at += 1
            step = self.steps[self.at]
        if view == "cover":
            self.at += 1
        elif view == "lesson":
            self.at += 1
            if self.page < len(self.lesson["pages"]) - 1:
                self.page += 1
            elif self.rereading:
                self.rereading, self.page = False, 0
            else:  # a lesson read to its end (with an attestation: confirmed as the walk does)
                self.attested[self.cur] = bool(step.get("attest"))
                self.done[self.cur] = True
                self.leave()
                self.award()
        elif view == "node":
            self.choose(step["choice"])
            self.at += 1
        elif view == "ending":
            self.at += 1
            if step["op"] == "replay":  # "Try again": a new attempt from the scenario's start
                self.running, self.node, self.flags, self.path = 0, 0, 0, []
            else:
                self.leave()
        elif view == "question":
            self.answer(shown_id, step)
            self.at += 1
        elif view == "feedback":
            self.after_feedback()
        elif view == "results":
            self.at += 1
            if self.at < len(self.steps) and self.steps[self.at]["op"] == "again":
                self.go_back(self.steps[self.at])
                self.at += 1
        return want

    def choose(self, k: int) -> None:
        m = self.ms[self.cur]
        node = m["nodes"][self.node]
        choice = node["choices"][k]
        self.path.append((self.node, k))
        self.running = max(self.running + choice["points"], m.get("floor", -m["max"]))
        self.flags = _after(choice, self.flags)
        self.node = choice["to"]
        self.moment = choice["points"]
        target = m["nodes"][self.node]
        if target["ending"]:
            got = self.attempt_score()
            if self.best[self.cur] is None or got > self.best[self.cur]:
                self.best[self.cur], self.outcome[self.cur] = got, target["ending"]
            self.done[self.cur] = True
        self.award()

    def answer(self, question: str, step: dict) -> None:
        m = self.ms[self.cur]
        right = question in step["rightIds"] if step.get("rightIds") is not None else step["position"] < step["rightCount"]
        given = step.get("given") or {}
        response = given[question] if question in given else step["questions"][question]["right" if right else "wrong"]
        q = next(q for q in m["questions"] if q["id"] == question)
        self.last_parts = scored_parts(q, response)
        self.last_points = q["points"] * self.last_parts[0] // self.last_parts[1] if self.last_parts[1] else 0
        self.question, self.last_right, self.last_response = question, right, response
        self.score += self.last_points
        asked = m["draw"] if m.get("draw") is not None else len(m["questions"])
        if self.position == asked - 1:
            if self.best[self.cur] is None or self.score > self.best[self.cur]:
                self.best[self.cur] = self.score
            if percent_of(self.score, m["max"]) >= m["passMark"]:
                self.quiz_passed[self.cur] = True
            if self.quiz_passed[self.cur] or self.attempt >= m["attempts"]:
                self.done[self.cur] = True
                self.award()

    def after_feedback(self) -> None:
        m = self.ms[self.cur]
        asked = m["draw"] if m.get("draw") is not None else len(m["questions"])
        if self.position < asked - 1:
            self.position += 1
        elif not (self.quiz_passed[self.cur] or self.attempt >= m["attempts"]):
            self.attempt, self.position, self.score = self.attempt + 1, 0, 0
        else:
            self.leave()

    def leave(self) -> None:
        self.cur = len(self.ms) if self.back else self.cur + 1
        self.back = False
        self.enter()

    def enter(self) -> None:
        if self.cur < len(self.ms):
            self.entered[self.cur] = True
            self.page, self.running, self.node, self.flags, self.path = 0, 0, 0, 0, []
            self.attempt, self.position, self.score = 1, 0, 0

    def go_back(self, step: dict) -> None:
        index = next(i for i, m in enumerate(self.ms) if m["id"] == step["module"])
        self.cur, self.back = index, True
        self.enter()
        if step["action"] == "retake":
            lessons = [i for i in range(index) if self.ms[i]["kind"] == "lesson"]
            if lessons:
                self.rereading, self.reread, self.page = True, lessons[-1], 0


def _after(choice: dict, flags: int) -> int:
    for f in choice["unset"]:
        flags &= ~(1 << f)
    for f in choice["set"]:
        flags |= 1 << f
    return flags


def _eval_flags(tree, flags: int, ledger: Ledger, values: dict):
    if tree[0] == "flag":
        return bool(flags >> tree[1] & 1)
    if tree[0] in ("not",):
        return not _eval_flags(tree[1], flags, ledger, values)
    if tree[0] in ("and", "or"):
        a, b = _eval_flags(tree[1], flags, ledger, values), _eval_flags(tree[2], flags, ledger, values)
        return (a and b) if tree[0] == "and" else (a or b)
    if tree[0] == "lit":
        return tree[1]
    raise AssertionError(f"the flagship's conditions use only flags: {tree}")


def _ahead(module: dict, visible) -> dict:
    """The most points still to earn from each (node, flags) state reachable from the start:
    longest paths to an ending by repeated relaxation (a loop earns nothing, so it settles)."""
    states, edges, todo = {(0, 0)}, [], [(0, 0)]
    while todo:
        node, flags = todo.pop()
        for c in module["nodes"][node]["choices"]:
            if visible(c, flags):
                target = (c["to"], _after(c, flags))
                edges.append(((node, flags), target, c["points"]))
                if target not in states:
                    states.add(target)
                    todo.append(target)
    best = {s: (0 if module["nodes"][s[0]]["ending"] else -math.inf) for s in states}
    for _ in range(len(states)):
        changed = False
        for source, target, pts in edges:
            if best[target] + pts > best[source]:
                best[source], changed = best[target] + pts, True
        if not changed:
            break
    return {s: v for s, v in best.items() if v != -math.inf}
