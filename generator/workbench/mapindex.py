"""The map's index page: every scenario's SVG inline (so its links work), a legend,
the course's diagnostics, and a text version of each scenario for screen readers."""
from __future__ import annotations

from markupsafe import escape

from ..check.analysis import ScenarioAnalysis
from ..diagnostics import Diagnostics
from ..model import Course, Scenario

OUTCOME_WORD = {"good": "\u2713 good", "neutral": "\u25cb neutral", "bad": "\u2717 bad"}
CSS = """
:root{color-scheme:light}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
 color:#1f2328;background:#f6f8fa}
header{background:#0d2238;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:22px}
header p{margin:4px 0 0;color:#c9d4e0}
header a{color:#9ecbff}
main{padding:8px 28px 40px;max-width:1800px}
section.scenario{background:#fff;border:1px solid #d0d7de;border-radius:10px;margin:22px 0;padding:4px 20px 18px}
section.scenario h2{font-size:18px;margin:14px 0 2px}
.facts{margin:0 0 10px;color:#57606a}
.facts a{color:#0b5cad}
.canvas{overflow:auto;border:1px solid #eaeef2;border-radius:8px}
.canvas svg{display:block;max-width:100%;height:auto}
.map-view>label{color:#57606a;font-size:14px}
.map-view>input:checked~.canvas svg{max-width:none}
.problems{margin:8px 0 0;padding-left:20px;color:#953800}
.diagnostics{background:#fff8c5;border:1px solid #d4a72c;border-radius:8px;padding:10px 16px;margin-top:18px}
.diagnostics pre{margin:0;white-space:pre-wrap;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
details{margin-top:10px}
details ol{padding-left:22px}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
"""


def index_html(course: Course, drawn: list[tuple[Scenario, ScenarioAnalysis, str]],
               preview_url: str | None, diagnostics: Diagnostics | None) -> str:
    """`drawn`: (scenario, its analysis, its SVG) in course order."""
    scenarios = [scenario for scenario, _, _ in drawn]
    preview = (f' Click a node to open it in the <a href="{escape(preview_url or "./")}" target="_top">preview</a>'
               " (run <code>coursegen preview</code>)." if preview_url is not None else "")
    parts = ["<!DOCTYPE html>", f'<html lang="{escape(course.language)}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>Scenario map \u2013 {escape(course.title)}</title>", f"<style>{CSS.strip()}</style>",
             "</head>", "<body>", "<header>", f"<h1>{escape(course.title)}: scenario map</h1>",
             f"<p>{len(scenarios)} scenario{'s' if len(scenarios) != 1 else ''}. Boxes are nodes, arrows are "
             f"choices with their points and conditions.{preview}</p>", "</header>", "<main>"]
    if diagnostics is not None and diagnostics.items:
        lines = "\n".join(escape(d.format(course.source.parent)) for d in diagnostics.sorted())
        parts.append(f'<div class="diagnostics" role="note"><strong>Problems in the course</strong><pre>{lines}</pre></div>')
    if not scenarios:
        parts.append("<p>This course has no scenarios.</p>")
    for scenario, found, svg in drawn:
        parts.append(_section(scenario, found, svg, preview_url))
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _section(scenario: Scenario, found: ScenarioAnalysis, svg: str, preview_url: str | None) -> str:
    nodes = scenario.nodes
    choices = sum(len(n.choices) for n in nodes)
    links = [f'<a href="{escape(scenario.id)}.svg">SVG</a>']
    if preview_url is not None and nodes:
        links.insert(0, f'<a href="{escape(preview_url)}#node={escape(scenario.id)}/{escape(nodes[0].id)}" '
                        'target="_top">play from the start</a>')
    facts = (f"{len(nodes)} nodes \u00b7 {choices} choices \u00b7 best score {found.max_points} points"
             + (f" \u00b7 flags: {', '.join(scenario.flags)}" if scenario.flags else "") + " \u00b7 " + " \u00b7 ".join(links))
    problems = []
    for i, node in enumerate(nodes):
        if i not in found.reachable_nodes:
            problems.append(f"<li><code>#{escape(node.id)}</code> can never be reached from the start</li>")
    stuck = sorted({s.node for s in found.dead_ends} | {s.node for s in found.trapped})
    for i in stuck:
        problems.append(f"<li>learners get stuck at <code>#{escape(nodes[i].id)}</code></li>")
    svg_inline = svg.replace(' xmlns="http://www.w3.org/2000/svg"', "", 1)
    return "\n".join([
        f'<section class="scenario" id="{escape(scenario.id)}" aria-labelledby="h-{escape(scenario.id)}">',
        f'<h2 id="h-{escape(scenario.id)}">{escape(scenario.title)} <code>{escape(scenario.id)}</code></h2>',
        f'<p class="facts">{facts}</p>',
        f'<ul class="problems">{"".join(problems)}</ul>' if problems else "",
        f'<div class="map-view"><input type="checkbox" id="full-{escape(scenario.id)}"> <label '
        f'for="full-{escape(scenario.id)}">full size (scroll sideways)</label>',
        f'<div class="canvas">{svg_inline}</div></div>',
        _text_version(scenario),
        "</section>"])


def _text_version(scenario: Scenario) -> str:
    items = []
    for node in scenario.nodes:
        head = f"<strong>{escape(node.title)}</strong> <code>#{escape(node.id)}</code>"
        if node.is_ending:
            items.append(f"<li>{head}: ending, {OUTCOME_WORD.get(node.outcome or '', 'no outcome')}</li>")
            continue
        options = []
        for choice in node.choices:
            extra = [f"{choice.points:+d} points"] if choice.points else []
            extra += [f"if {choice.condition.source}"] if choice.condition else []
            extra += [f"set {', '.join(choice.sets)}"] if choice.sets else []
            extra += [f"unset {', '.join(choice.unsets)}"] if choice.unsets else []
            more = f" ({'; '.join(escape(x) for x in extra)})" if extra else ""
            options.append(f"<li>{escape(choice.text)} \u2192 <code>#{escape(choice.target)}</code>{more}</li>")
        items.append(f"<li>{head}<ul>{''.join(options)}</ul></li>")
    return f"<details><summary>Text version</summary><ol>{''.join(items)}</ol></details>"
