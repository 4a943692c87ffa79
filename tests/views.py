"""Walking the flagship's views in Chromium as a keyboard user does, for the accessibility and
localisation tests: launch a package in the test LMS, play a walk with keys only, and look at
every kind of view once (the menu, the badge shelf and the certificate included)."""
from __future__ import annotations

import contextlib
from pathlib import Path

from playwright.sync_api import sync_playwright
from repo import REPO

from generator.walks import lms, runner
from generator.walks.walker import Walker

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
KINDS = {"cover", "lesson", "dialogue with portraits", "a consequence", "a badge earned", "ending",
         "decisions reviewed", "question", "feedback", "results, not passed", "menu", "a lesson read again",
         "results", "badge shelf", "certificate"}


@contextlib.contextmanager
def served(mounts: dict[str, Path]):
    """The test LMS serving `mounts` beside its host page, and a Chromium: yields (url, browser),
    the `host` that `launch` takes."""
    with lms.HostServer(mounts) as server, sync_playwright() as playwright:
        browser = lms.launch_chromium(playwright)
        yield server.url, browser
        browser.close()


def served_packages(course, formats: tuple[str, ...], folder: Path):
    """`served`, with the course's packages built into `folder`, each under /pkg/<format>/."""
    return served({f"/pkg/{fmt}/": package for fmt, package in runner.unpacked(course, formats, folder).items()})


def launch(host, fmt: str, **context_options):
    url, browser = host
    context = browser.new_context(**context_options)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    version = "1.2" if fmt == "scorm12" else "2004"
    page.goto(f"{url}/lms/host.html?version={version}&launch=/pkg/{fmt}/index.html")
    page.wait_for_function("() => window.lms && window.lms.ready")
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    return page, frame, errors


class Keyboard:
    """Plays a walk's steps with Tab, Shift+Tab, arrows, Enter and Space only."""

    def __init__(self, page, frame, after_each_view=None):
        self.page, self.frame, self.after_each_view = page, frame, after_each_view
        self.views_seen: set[str] = set()

    def focused(self, selector: str) -> bool:
        return self.frame.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)

    def focus(self, selector: str) -> None:
        for key in ("Tab", "Shift+Tab"):
            for _ in range(40):
                if self.focused(selector):
                    return
                self.page.keyboard.press(key)
        raise AssertionError(f"{selector} cannot be reached with Tab or Shift+Tab")

    def view(self) -> str:
        kind = self.frame.get_attribute("[data-view]", "data-view")
        if self.after_each_view:
            self.after_each_view(kind)
        return kind

    def press_on(self, selector: str, key: str = "Enter") -> None:
        old = self.frame.query_selector("[data-view]")
        self.focus(selector)
        self.page.keyboard.press(key)
        self.frame.wait_for_function("(old) => document.querySelector('[data-view]') !== old", arg=old)

    def pick(self, question: str, option: int, kind: str) -> None:
        target = f'[data-option="{question}:{option}"]'
        if kind == "multiple":
            self.focus(target)
            self.page.keyboard.press("Space")
            return
        # A radio group is one Tab stop; the arrow keys move and select within it.
        self.focus(f'[data-option^="{question}:"]')
        for _ in range(12):
            if self.focused(target):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        assert self.frame.is_checked(target)

    LISTED = {"matching": "match", "sequencing": "order", "fill-in": "type_in"}

    def match(self, question: str, targets) -> None:
        """Each situation's select list: reached with Tab, its match chosen with the arrow keys."""
        for k, target in enumerate(targets):
            select = f'select[data-option="{question}:{k}"]'
            self.focus(select)
            self.page.keyboard.press("Home")  # the "Choose a match" line
            for _ in range(target + 1):
                self.page.keyboard.press("ArrowDown")
            assert self.frame.eval_on_selector(select, "s => s.value") == str(target)

    def order(self, question: str, steps) -> None:
        """Each step moved up with Enter on its "Move up" button, which keeps the focus."""
        def shown():
            return self.frame.eval_on_selector_all(f'li[data-option^="{question}:"]',
                                                   "els => els.map(e => +e.getAttribute('data-option').split(':')[1])")
        for place, step in enumerate(steps):
            if shown().index(step) > place:
                self.focus(f'[data-option="{question}:{step}"] [data-move="up"]')
            while shown().index(step) > place:
                self.page.keyboard.press("Enter")
        assert shown() == list(steps)

    def type_in(self, question: str, text: str) -> None:
        self.focus(f'input[data-option="{question}:0"]')
        self.page.keyboard.type(text)

    def play(self, walker: Walker) -> None:
        quizzes = {m.id: m for m in walker.course.modules}
        for step in walker.steps:
            op = step.js["op"]
            if op in ("cover", "page", "ending"):
                self.view()
                if step.js.get("attest"):  # an attestation: its checkbox ticked with Space
                    self.focus("[data-attest]")
                    self.page.keyboard.press("Space")
                self.press_on('[data-action="next"]')
            elif op == "again":
                assert self.view() == "results"
                self.press_on(f'[data-action="{step.js["action"]}"][data-module="{step.js["module"]}"]')
            elif op == "choose":
                assert self.view() == "node"
                self.press_on(f'[data-choice="{step.js["choice"]}"]')
            elif op == "question":
                while self.view() == "feedback":
                    self.press_on('[data-action="next"]')
                question = self.frame.get_attribute("[data-view]", "data-question")
                quiz = quizzes[step.module]
                kind = next(q.type for q in quiz.questions if q.id == question)
                right = (question in step.js["rightIds"]) if step.js["rightIds"] is not None else \
                    step.js["position"] < step.js["rightCount"]
                given = step.js.get("given") or {}
                entered = given[question] if question in given else \
                    step.js["questions"][question]["right" if right else "wrong"]
                if kind in self.LISTED:
                    getattr(self, self.LISTED[kind])(question, entered)
                else:
                    for option in entered:
                        self.pick(question, option, kind)
                self.press_on('[data-action="submit"]')
            elif op == "feedback":
                while self.view() == "feedback":
                    self.press_on('[data-action="next"]')
            else:
                assert self.view() == "results"


def axe(frame) -> list[str]:
    result = frame.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]


def axe_violations_on_every_kind_of_view(host, key: str, checked, walks) -> tuple[dict[str, list[str]], list[str]]:
    """axe's WCAG violations on each kind of view of the package `key` (those with any), and
    the page's JavaScript errors. axe is injected as a script tag, which the course's
    Content-Security-Policy would refuse: the context bypasses it."""
    page, frame, errors = launch(host, key, bypass_csp=True, reduced_motion="reduce")

    def look(kind):
        frame.add_script_tag(path=str(AXE))
        return axe(frame)

    found = every_kind_of_view(page, frame, checked, walks, look)
    return {kind: problems for kind, problems in found.items() if problems}, errors


def every_kind_of_view(page, frame, checked, walks, look) -> dict[str, object]:
    """Play "fail, then recover" (failed, then passed from the results: every kind of view, the
    certificate at the end) with the keyboard, and call `look(kind)` once on each kind of view;
    returns what it gave, by kind, and asserts every kind was seen."""
    found: dict[str, object] = {}

    def kind_of(view):
        here = lambda selector: frame.query_selector(f"[data-view] {selector}") is not None  # noqa: E731
        if view in ("node", "ending") and here(".moment .earned"):
            return "a badge earned"
        if view == "node" and here(".moment .content"):
            return "a consequence"
        if view == "ending" and here(".decisions .better"):
            return "decisions reviewed"
        if view == "node" and here(".line"):
            return "dialogue with portraits" if here(".portrait") else "dialogue"
        if view == "lesson" and frame.query_selector("[data-view=lesson] > .bar") is None:
            return "a lesson read again"  # no module progress while reading again
        if view == "results" and here("[data-action=retake]"):
            return "results, not passed"
        return view

    def check(view):
        kind = kind_of(view)
        if kind in found:
            return
        found[kind] = look(kind)
        if kind == "results, not passed":
            frame.click('[data-action="menu"]')
            found["menu"] = look("menu")
            page.keyboard.press("Escape")
        if kind == "results":
            for action, name in (("shelf", "badge shelf"), ("certificate", "certificate")):
                frame.click(f'[data-action="{action}"]')
                found[name] = look(name)
                page.keyboard.press("Escape") if action == "shelf" else None
                if action == "certificate":
                    frame.click('[data-action="results"], [data-action="back"]')

    recovered = next(w for w in walks if w.role == "fail, then recover")
    Keyboard(page, frame, check).play(Walker(checked, recovered, "scorm2004", Path.cwd()))
    assert KINDS <= set(found), set(found)
    return found
