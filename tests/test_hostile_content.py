"""Course text can never run script in a learner's browser: hostile input either
fails the build with an error or builds a package in which no script runs."""
from __future__ import annotations


import pytest
from playwright.sync_api import sync_playwright

from generator import build
from generator.walks import lms, runner

COURSE = """id: hostile
title: "{title}"
version: 1.0.0
modules:
  - lesson.md
  - scenario.md
badges:
  - id: brave
    title: Brave
    description: "{badge}"
    icon: icon.svg
"""
LESSON = "---\nid: lesson\ntitle: Lesson\nkind: lesson\n---\n\n# Page\n\n{body}\n"
SCENARIO = """---
id: scenario
title: Scenario
kind: scenario
characters:
  eve: {{ name: "{name}", role: "{role}" }}
---

# Start {{#start}}

{body}

> [eve] {line}

- [{choice}](#end){{points=1}}

# End {{#end .ending outcome=good}}

Done.
"""
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>i</title><rect width="8" height="8"/></svg>'
CANARY = "window.top.__canary = (window.top.__canary || 0) + 1"

REJECTED = {
    "script tag": ("lesson", f"<script>{CANARY}</script>", "raw HTML (<script>) is not allowed"),
    "event handler": ("lesson", f'<img src="x" onerror="{CANARY}">', "raw HTML (<img>) is not allowed"),
    "iframe": ("lesson", '<iframe src="https://evil.example"></iframe>', "raw HTML (<iframe>) is not allowed"),
    "split tag": ("lesson", f"<scr<script>ipt>{CANARY}</script>", "raw HTML (<script>) is not allowed"),
    "comment": ("lesson", "<!-- <script>x</script> -->", "raw HTML (<!--) is not allowed"),
    "svg in markdown": ("lesson", f"<svg onload=\"{CANARY}\"></svg>", "raw HTML (<svg>) is not allowed"),
    "remote image": ("lesson", "![x](https://evil.example/pixel.png)", "is not a file of the course"),
    "svg icon with script": ("icon", f'<svg xmlns="http://www.w3.org/2000/svg"><script>{CANARY}</script></svg>',
                             "may not carry script"),
    "svg icon with handler": ("icon", f'<svg xmlns="http://www.w3.org/2000/svg" onload="{CANARY}"/>',
                              "may not carry script"),
    "svg icon fetching": ("icon", '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://evil.example/x.png"/></svg>',
                          "may not carry script"),
}

# Text that must arrive as text: it builds, and nothing in it runs.
BUILDS = {
    "javascript link": {"body": f"[Click me](javascript:{CANARY})"},
    "data link": {"body": "[Click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"},
    "entities": {"body": f"&lt;script&gt;{CANARY}&lt;/script&gt; and &#60;img src=x onerror={CANARY}&#62;"},
    "code span": {"body": f"`<script>{CANARY}</script>`"},
    "title closing the script element": {"title": f"</script><script>{CANARY}</script>"},
    "badge text": {"badge": f"<img src=x onerror='{CANARY}'>"},
    "speaker": {"name": f"<b onmouseover='{CANARY}'>Eve</b>", "role": "</span><script>x</script>"},
    "choice label": {"choice": f"Go `</button><script>{CANARY}</script>`"},
    "dialogue": {"line": f"`<img src=x onerror={CANARY}>` {'very long line ' * 400}"},
    "right-to-left override": {"body": "Invoice \u202egnp.exe\u202c and \u2066isolated\u2069 text"},
}


# Every event an inline handler could hang on, fired at every element of the view.
FIRE_EVENTS = """() => document.querySelectorAll('body *').forEach(e => {
  for (const type of ['mouseover', 'mouseenter', 'focus', 'click', 'error', 'load', 'animationstart'])
    if (!e.matches('[data-choice], [data-action], a')) e.dispatchEvent(new Event(type, {bubbles: false}));
})"""


# Markup that could run script if the CSP were ever lifted: none may reach the DOM.
DANGEROUS = """() => [...document.querySelectorAll('body *')].flatMap(e => [...e.attributes]
  .filter(a => /^on/i.test(a.name) || /^\\s*(javascript|data):/i.test(a.value) && /^(href|src|action)$/i.test(a.name))
  .map(a => e.tagName + ' ' + a.name + '=' + a.value.slice(0, 40)))
  .concat([...document.querySelectorAll('script:not([src]):not([type="application/json"]), iframe, object, embed')]
  .map(e => e.outerHTML.slice(0, 60)))"""


def write(tmp_path, **parts):
    values = {"title": "Hostile", "badge": "A badge", "body": "Text.", "name": "Eve", "role": "Tester",
              "line": "Hello.", "choice": "Finish"}
    values.update(parts)
    icon = values.pop("icon", PLAIN_SVG)
    escape = lambda text: text.replace("\\", "\\\\").replace('"', '\\"')  # noqa: E731 - YAML double quotes
    (tmp_path / "course.yaml").write_text(COURSE.format(title=escape(values["title"]), badge=escape(values["badge"])))
    (tmp_path / "lesson.md").write_text(LESSON.format(body=values["body"]))
    (tmp_path / "scenario.md").write_text(SCENARIO.format(body="A test.", name=escape(values["name"]),
                                                          role=escape(values["role"]), line=values["line"],
                                                          choice=values["choice"]))
    (tmp_path / "icon.svg").write_text(icon)
    return tmp_path


@pytest.mark.parametrize("case", list(REJECTED))
def test_hostile_markup_fails_the_build_with_an_error(case, tmp_path):
    where, text, message = REJECTED[case]
    folder = write(tmp_path, **({"icon": text} if where == "icon" else {"body": text}))
    with pytest.raises(build.CourseError) as caught:
        build.build(folder, ("web",), tmp_path / "out")
    lines = caught.value.diagnostics.format(folder)
    assert any(message in line for line in lines), lines
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = lms.launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("case", list(BUILDS))
def test_hostile_text_builds_and_no_script_runs(case, tmp_path, browser):
    folder = write(tmp_path, **BUILDS[case])
    package = runner.unpacked(folder, ("scorm2004",), tmp_path / "out")["scorm2004"]
    page = browser.new_page()
    errors, violations = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text))
    page.goto((package / "index.html").as_uri())
    page.wait_for_selector("[data-view]")
    # Every view of this course, clicking every link and hovering every element on the way.
    for _ in range(10):
        for link in page.query_selector_all("[data-view] a"):
            link.click(modifiers=["Control"])  # a new tab, if anything
        dangerous = page.evaluate(DANGEROUS)
        assert dangerous == [], f"the page holds {dangerous}"
        page.evaluate(FIRE_EVENTS)
        if page.query_selector('[data-view="results"]'):
            break
        choice = page.query_selector("[data-choice]") or page.query_selector('[data-action="next"]')
        choice.click()
    assert page.query_selector('[data-view="results"]'), "the course could not be played to the end"
    for other in page.context.pages:
        assert other.evaluate("() => window.__canary") is None, f"script ran in {other.url}"
    assert errors == []
    page.context.close()
