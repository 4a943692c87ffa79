"""Model → what the learner's browser gets: the course JSON and the launch page.

Markdown becomes HTML here, at build time, and passes an allow-list sanitiser,
so the runtime only inserts finished, safe HTML. The JSON shape is the
contract in docs/course-json.md; `FORMAT` is its version.
"""
from __future__ import annotations

import hashlib
from html import unescape
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

import nh3
from markupsafe import escape

from ..check import state, timing
from ..check import theme as theme_rules
from ..check.analysis import ScenarioAnalysis, maxima
from ..source import expressions
from . import cmi5, openbadges
from .assets import Asset
from ..model import Course, DialogueLine, ForeignText, Lesson, Markdown, Quiz, Scenario
from ..rules import RESULTS, course_max, normalise_answer, right_to_left, true_false_words

FORMAT = 3
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'")
# A cmi5 course talks to the LMS over HTTP, at an endpoint the launch URL names: only
# known at launch, so any web address may be connected to (nothing is loaded from it).
CSP_CMI5 = CSP.replace("connect-src 'none'", "connect-src 'self' http: https:")
LMS_PROTOCOLS = ("scorm", "cmi5")  # one runtime adapter each (runtime/manifest.json "adapters")
ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "code", "del", "em", "h2", "h3", "h4", "h5",
                "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "small", "span", "strong", "sub",
                "sup", "table", "tbody", "td", "th", "thead", "tr", "ul", "mark", "q", "cite", "dl", "dt", "dd"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
                      "th": {"align"}, "td": {"align"}, "abbr": {"title"}, "ol": {"start"}}



@dataclass(frozen=True)
class Rendered:
    """Everything the packager writes, as bytes by package path."""

    files: dict[str, bytes]
    course_json: dict


def render(course: Course, analyses: dict, runtime_dir: Path | None = None, lms: str = "scorm",
           language: str | None = None) -> Rendered:
    """The package's files for one LMS protocol: `scorm` (SCORM 1.2, 2004 and the web
    folder, which runs without an LMS) or `cmi5`. `language`: the tag of a build per
    language, which gives a cmi5 package ids of its own."""
    assets = _assets(course)
    runtime = _runtime_files(runtime_dir, lms)
    data = course_json(course, analyses, assets, runtime["labels"])
    if lms == "cmi5":
        data["au"] = cmi5.au_id(course, language)
    if course.theme:  # the theme's stylesheet comes after the runtime's, so its colours win
        font = assets[course.theme.font_file.resolve()].package_path if course.theme.font_file else None
        runtime["files"]["theme.css"] = theme_stylesheet(course.theme, font and "../" + font).encode("utf-8")
        runtime["styles"] = runtime["styles"] + ["runtime/theme.css"]
    page = _launch_page(course, data, runtime, CSP_CMI5 if lms == "cmi5" else CSP)
    files = {"index.html": page.encode("utf-8")}
    files.update({f"runtime/{name}": content for name, content in runtime["files"].items()})
    for asset in assets.values():
        files[asset.package_path] = asset.source.read_bytes()
    files.update(openbadges.files(course, data["labels"]))
    return Rendered(files, data)


def theme_stylesheet(theme, font_url: str | None) -> str:
    """theme.css: each scheme's palette (check/theme.py, the colours the contrast check read) as
    the runtime stylesheet's custom properties, the dark one under prefers-color-scheme, and the
    font: a stack of installed fonts, or a file in the package (never fetched)."""
    def block(colours: dict[str, str]) -> str:
        return "".join(f" --{name}: {value};" for name, value in sorted(colours.items()))
    lines = ["/* Written by coursegen from the course's theme: in course.yaml. */"]
    family = theme.font
    if font_url:
        lines.append(f'@font-face {{ font-family: "Course"; src: url("{font_url}"); font-display: swap; }}')
        family = '"Course", system-ui, sans-serif'
    lines.append(":root {" + block(theme_rules.palette(theme.light, "light"))
                 + (f" font-family: {family};" if family else "") + " color-scheme: light; }")
    if theme.dark:
        lines.append("@media (prefers-color-scheme: dark) { :root {" + block(theme_rules.palette(theme.dark, "dark"))
                     + " color-scheme: dark; } }")
    return "\n".join(lines) + "\n"


def _assets(course: Course) -> dict[Path, Asset]:
    """Images and badge icons, each under a content-addressed name (stable builds)."""
    found: dict[Path, Asset] = {}
    sources = [image.source for span in course.markdown_spans() for image in span.images]
    sources += [badge.icon for badge in course.badges if badge.icon]
    sources += [c.portrait for m in course.modules for c in getattr(m, "characters", ()) if c.portrait]
    if course.theme:
        sources += [p for p in (course.theme.logo, course.theme.font_file) if p]
    for source in sources:
        source = source.resolve()
        if source in found:
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
        name = re.sub(r"[^A-Za-z0-9._-]", "-", source.name)
        found[source] = Asset(source, f"assets/{digest}-{name}")
    return found


# Text in which Markdown would find nothing to do: no markup characters, no
# block markers at a line start, no hard breaks or indented code. Most spans
# (choices, dialogue, short paragraphs) are like this; they skip the Markdown
# parser (a quarter of a millisecond each) and come out exactly as it would
# write them (tests/test_render.py holds the two side by side).
_MARKUP = re.compile(r"[\\`*_\[\]<>&|#\t]|^ *(?:[-+=>]|\d+[.)]| {4})|  $", re.M)


def plain_paragraphs(text: str) -> str | None:
    """The HTML Python-Markdown writes for plain text, or None when it has markup."""
    if _MARKUP.search(text):
        return None
    lines = "\n".join(line if line.strip() else "" for line in text.split("\n"))  # blank means empty
    paragraphs = [p for p in re.split(r"\n{2,}", lines.strip("\n")) if p]
    return "\n".join(f"<p>{p.lstrip(' ')}</p>" for p in paragraphs)  # no & < > here: nothing to escape


_BLOCK_HTML = re.compile(r"<(?:p|ul|ol|table|blockquote|pre|h[1-6]|hr|dl)\b")


class _Html:
    """Markdown → sanitised HTML with image paths rewritten into the package."""

    def __init__(self, assets: dict[Path, Asset]):
        self.assets = assets
        self._md = None

    @property
    def md(self):
        """Python-Markdown, made on the first span that needs it (plain text never does).
        Extensions are given as objects: given by name, Markdown looks each up among the
        entry points of every installed package (importlib.metadata), a third of a small
        build's time."""
        if self._md is None:
            import markdown
            from markdown.extensions.fenced_code import FencedCodeExtension
            from markdown.extensions.sane_lists import SaneListExtension
            from markdown.extensions.tables import TableExtension

            self._md = markdown.Markdown(extensions=[TableExtension(), FencedCodeExtension(), SaneListExtension()],
                                         output_format="html")
        return self._md

    def __call__(self, span: Markdown | None, inline: bool = False) -> str:
        if span is None or not span.text.strip():
            return ""
        html = self._convert(span, inline)
        lang = getattr(span.text, "lang", None)  # an untranslated fallback: screen readers switch voice
        if lang:
            tag = "span" if inline and not _BLOCK_HTML.match(html) else "div"
            html = f'<{tag} lang="{escape(lang)}">{html}</{tag}>'
        return html

    def _convert(self, span: Markdown, inline: bool) -> str:
        plain = plain_paragraphs(span.text)
        if plain is not None:
            return plain[3:-4] if inline and plain.count("<p>") == 1 else plain
        html = self.md.reset().convert(span.text)
        for image in span.images:
            asset = self.assets.get(image.source.resolve())
            if asset:
                html = html.replace(f'src="{escape(image.reference)}"', f'src="{asset.package_path}"')
        html = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                         set_tag_attribute_values={"a": {"target": "_blank"}})
        if inline and html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return html

    def text(self, text: str, location) -> str:
        return self(Markdown(text, location), inline=True)


def course_json(course: Course, analyses: dict, assets: dict[Path, Asset], labels: dict[str, str]) -> dict:
    """The course as the runtime reads it; `labels` are the runtime's UI words."""
    html = _Html(assets)
    module_index = {m.id: i for i, m in enumerate(course.modules)}
    modules = []
    for module in course.modules:
        entry = {"id": module.id, "kind": module.kind, "title": module.title, "line": module.location.line,
                 "minutes": timing.module_minutes(module, analyses.get(module.id))}
        if isinstance(module, Lesson):
            entry.update(max=0, pages=[{"title": p.title, "html": html(p.body)} for p in module.pages])
            if module.attest:
                entry["attest"] = {"text": module.attest, "html": html.text(module.attest, module.attest_location),
                                   "required": module.required}
        elif isinstance(module, Scenario):
            entry.update(_scenario(module, analyses[module.id], html, module_index))
        else:
            entry.update(_quiz(module, course, html))
        modules.append(entry)
    true_word, false_word = true_false_words(course.language)
    labels = dict(labels, **course.labels, true=true_word, false=false_word)
    badges = [{"id": b.id, "title": b.title, "description": b.description,
               "icon": assets[b.icon.resolve()].package_path if b.icon else None,
               "when": expressions.to_runtime(b.when.tree, module_index, {}) if b.when else None}
              for b in course.badges]
    data = {"format": FORMAT, "id": course.id, "title": course.title, "version": course.version,
            "language": course.language, "dir": "rtl" if right_to_left(course.language) else "ltr",
            "description": course.description,
            "objectives": [o.text for o in course.objectives], "cover": True,
            "passMark": course.pass_mark, "maxPoints": course_max(course, maxima(analyses)),
            "stateKey": state.state_key(course), "results": RESULTS, "labels": labels, "modules": modules,
            "badges": badges}
    if course.theme and course.theme.logo:
        data["logo"] = assets[course.theme.logo.resolve()].package_path
    untranslated = dict(_foreign(data, ""))
    if untranslated:
        data["untranslated"] = untranslated
    return data


def _foreign(value, pointer: str):
    """(JSON pointer, language) of each plain-text string left in another language than the course's."""
    if isinstance(value, ForeignText):
        yield pointer, value.lang
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _foreign(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _foreign(item, f"{pointer}/{index}")


def _scenario(scenario: Scenario, found: ScenarioAnalysis, html: _Html, module_index) -> dict:
    flags = scenario.flags
    flag_index = {f: i for i, f in enumerate(flags)}
    node_index = scenario.node_index()
    characters = {c.key: c for c in scenario.characters}
    nodes = []
    for node in scenario.nodes:
        parts = []
        for part in node.body:
            if isinstance(part, DialogueLine):
                parts.append(_dialogue(part, characters.get(part.speaker), html))
            else:
                parts.append(html(part))
        choices = []
        for c in node.choices:
            choice = {"text": c.text, "html": html.text(c.text, c.location), "to": node_index[c.target],
                      "points": c.points, "set": [flag_index[f] for f in c.sets],
                      "unset": [flag_index[f] for f in c.unsets], "line": c.location.line,
                      "if": expressions.to_runtime(c.condition.tree, module_index, flag_index) if c.condition else None}
            if c.consequence:
                choice["consequence"] = html(c.consequence)
            if c.pinned:
                choice["pinned"] = True
            choices.append(choice)
        nodes.append({"id": node.id, "title": node.title, "html": "".join(parts),
                      "ending": node.outcome if node.is_ending else None, "choices": choices,
                      "line": node.location.line})
    return {"max": found.max_points, "floor": found.floor, "shuffle": scenario.shuffle, "flags": list(flags),
            "nodes": nodes}


def _dialogue(line: DialogueLine, character, html: _Html) -> str:
    name = character.name if character else line.speaker
    role = f' <span class="role"{_lang(character.role)}>{escape(character.role)}</span>' \
        if character and character.role else ""
    portrait = ""
    if character and character.portrait and character.portrait.resolve() in html.assets:
        src = html.assets[character.portrait.resolve()].package_path
        portrait = f'<img class="portrait" src="{escape(src)}" alt="{escape(name)}"{_lang(name)} width="48" height="48">'
    return (f'<div class="line{" with-portrait" if portrait else ""}" data-speaker="{escape(line.speaker)}">{portrait}'
            f'<p class="speaker"><bdi class="name"{_lang(name)}>{escape(name)}</bdi>{role}</p>{html(line.text)}</div>')


def _lang(text: str) -> str:
    lang = getattr(text, "lang", None)
    return f' lang="{escape(lang)}"' if lang else ""


def _quiz(quiz: Quiz, course: Course, html: _Html) -> dict:
    true_word, _ = true_false_words(course.language)
    questions = []
    for q in quiz.questions:
        options = []
        for option in q.options:
            item = {"html": html.text(option.text, option.location), "correct": option.correct}
            if option.pinned:
                item["pinned"] = True
            if q.type == "truefalse":
                item["value"] = option.text == true_word
            if q.type == "matching":
                item["match"] = option.match
            if q.type == "fill-in":
                item["text"], item["accept"] = str(option.text), normalise_answer(option.text)
            options.append(item)
        extra = {}
        if q.type == "matching":
            extra["targets"] = [{"html": html.text(t, q.location), "text": str(t)} for t in q.targets]
        body = html(q.body) if q.body else ""
        prompt = html.text(q.prompt, q.location) + body
        # Plain text for the LMS's description: the heading, or the question's text without one.
        title = q.prompt or " ".join(unescape(nh3.clean(body, tags=set())).split())
        questions.append({"id": q.id, "type": q.type, "points": q.points, "html": prompt,
                          "title": title, "options": options, "explanation": html(q.explanation),
                          "line": q.location.line, **extra})
    return {"max": quiz.max_points, "passMark": course.quiz_pass_mark(quiz), "shuffle": quiz.shuffle,
            "draw": quiz.draw if quiz.draws else None, "attempts": quiz.attempts, "retakes": quiz.retakes,
            "intro": html(quiz.intro), "questions": questions}


def _runtime_files(runtime_dir: Path | None, lms: str = "scorm") -> dict:
    root = runtime_dir or Path(str(resources.files("generator.package") / "runtime"))
    listing = json.loads((root / "manifest.json").read_text("utf-8"))
    supported = listing.get("format", {})
    if not supported.get("min", FORMAT) <= FORMAT <= supported.get("current", FORMAT):
        raise RuntimeError(f"the runtime in {root} reads course formats {supported}, not {FORMAT}")
    adapters = listing.get("adapters", {"scorm": "scorm.js"})
    # The scripts list names the SCORM adapter; a package ships only the adapter of its protocol.
    scripts = [adapters[lms] if name == adapters["scorm"] else name for name in listing.get("scripts", [])]
    files = {}
    for name in scripts + listing.get("styles", []):
        files[PurePosixPath(name).name] = (root / name).read_bytes()
    return {"scripts": [f"runtime/{PurePosixPath(n).name}" for n in scripts],
            "styles": [f"runtime/{PurePosixPath(n).name}" for n in listing.get("styles", [])], "files": files,
            "labels": listing.get("labels", {})}


def embed_json(data: dict) -> str:
    """JSON safe inside <script type=application/json>: no "</" can close it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    return text.replace("</", "<\\/").replace("<!--", "\\u003c!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _launch_page(course: Course, data: dict, runtime: dict, csp: str) -> str:
    labels = data["labels"]
    return launch_page(course.title, course.language, embed_json(data), runtime["scripts"], runtime["styles"], csp,
                       direction=data["dir"], no_script=labels.get("noScript", ""),
                       startup_error=labels.get("errorStartup", ""))


def launch_page(title: str, lang: str, course_json: str, scripts: list[str], styles: list[str],
                csp: str = CSP, *, direction: str = "ltr", no_script: str = "", startup_error: str = "") -> str:
    """The launch page (templates/index.html) around the course JSON, every value escaped.

    `no_script` and `startup_error` are the words the page shows before (or without) the
    course JSON, in the course's language.

    A string.Template rather than Jinja2: one page with two lists does not need a template
    language, and importing and compiling one was a sixth of a small course's build.
    """
    from string import Template

    page = Template((resources.files("generator.package") / "templates" / "index.html").read_text("utf-8"))
    return page.substitute(
        lang=escape(lang), dir=escape(direction), csp=escape(csp), title=escape(title), course_json=course_json,
        no_script=escape(no_script), startup_error=escape(startup_error),
        styles="".join(f'<link rel="stylesheet" href="{escape(href)}">\n' for href in styles),
        scripts="".join(f'<script src="{escape(src)}" defer></script>\n' for src in scripts))
