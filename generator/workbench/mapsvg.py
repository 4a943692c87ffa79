"""Scenario maps: one SVG per scenario and an index page, from the model and its analysis.

Nodes are laid out left to right by their BFS depth from the start; choices are
arrows labelled with what they do (points, condition, flags). Endings carry
their outcome as a word and an icon as well as a colour; unreachable and stuck
nodes are marked the same two ways. No I/O here except `write_map`, and the
output depends only on the model, so the same course gives the same bytes.
"""
from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape as _escape

from ..check.analysis import ScenarioAnalysis, analyse
from ..diagnostics import Diagnostics
from ..model import Course, Scenario
from ..rules import OUTCOMES
from ..package import archive
from .mapindex import index_html
from .maplayout import OUTCOME_TAG, ChoiceEdge, Layout, layout
from .textfit import text_width

STYLE = """
.cg-map{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;}
.cg-map .node>rect.box{fill:#fff;stroke:#57606a;stroke-width:1.5}
.cg-map .node .t{font-size:13px;font-weight:600;fill:#1f2328}
.cg-map .node .id{font-size:11px;fill:#57606a;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.cg-map .tag{font-size:10px;font-weight:700;letter-spacing:.04em}
.cg-map .start>rect.box{stroke:#0b5cad;stroke-width:3}
.cg-map .tag.start{fill:#0b5cad}
.cg-map .good>rect.box{fill:#dafbe1;stroke:#1a7f37;stroke-width:2}
.cg-map .tag.good{fill:#116329}
.cg-map .neutral>rect.box{fill:#eaeef2;stroke:#6e7781;stroke-width:2}
.cg-map .tag.neutral{fill:#424a53}
.cg-map .bad>rect.box{fill:#ffebe9;stroke:#cf222e;stroke-width:2}
.cg-map .tag.bad{fill:#a40e26}
.cg-map .unreachable>rect.box{fill:#f6f8fa;stroke:#6e7781;stroke-dasharray:6 4}
.cg-map .unreachable .t{fill:#57606a}
.cg-map .tag.unreachable{fill:#57606a}
.cg-map .stuck>rect.box{stroke:#bc4c00;stroke-width:3;stroke-dasharray:2 3}
.cg-map .tag.stuck{fill:#953800}
.cg-map .missing>rect.box{fill:#fff;stroke:#cf222e;stroke-dasharray:3 3}
.cg-map .missing .t{fill:#a40e26}
.cg-map .choice path{fill:none;stroke:#6e7781;stroke-width:1.5}
.cg-map .choice.back path{stroke:#8250df;stroke-dasharray:5 3}
.cg-map .choice.untaken path{stroke:#afb8c1}
.cg-map .label rect{fill:#fff;stroke:#d0d7de}
.cg-map .label text{font-size:11px;fill:#424a53}
.cg-map .label .plus{fill:#116329;font-weight:700}
.cg-map .label .minus{fill:#a40e26;font-weight:700}
.cg-map .label .index{fill:#57606a}
.cg-map a:focus rect.box,.cg-map a:hover rect.box{stroke-width:3.5}
.cg-map .legend text:not(.tag){font-size:11px;fill:#424a53}
"""


def e(text: object) -> str:
    return _escape(str(text), {'"': "&quot;"})


def n(value: float) -> str:
    """Coordinates with at most one decimal: stable text for stable bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def scenario_svg(scenario: Scenario, found: ScenarioAnalysis, node_href=None) -> str:
    """The map of one scenario; `node_href(node_id)` gives each node's link (None: no links)."""
    plan = layout(scenario, found, legend_width())
    sid = e(scenario.id)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="cg-map" width="{n(plan.width)}" '
             f'height="{n(plan.height)}" viewBox="0 0 {n(plan.width)} {n(plan.height)}" role="img" '
             f'aria-labelledby="{sid}-title {sid}-desc" data-scenario="{sid}">',
             f'<title id="{sid}-title">Map of the scenario {e(scenario.title)}</title>',
             f'<desc id="{sid}-desc">{e(describe(scenario, found))}</desc>',
             f"<style>{STYLE.strip()}</style>",
             f'<defs><marker id="{sid}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
             'markerHeight="8" orient="auto-start-reverse"><path d="M0,1 L10,5 L0,9 z" fill="#57606a"/>'
             "</marker></defs>",
             '<rect width="100%" height="100%" fill="#ffffff"/>', '<g class="edges">']
    parts += [_edge(edge, sid) for edge in plan.edges]
    parts.append('</g><g class="nodes">')
    parts += [_node(plan, box, node_href) for box in plan.boxes]
    parts.append('</g><g class="labels" aria-hidden="true">')
    parts += [_label(edge) for edge in plan.edges]
    parts.append("</g>")
    parts.append(_legend(plan))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def describe(scenario: Scenario, found: ScenarioAnalysis) -> str:
    nodes = scenario.nodes
    endings = [node.outcome for node in nodes if node.is_ending]
    counts = ", ".join(f"{endings.count(o)} {o}" for o in OUTCOMES if o in endings)
    text = (f"{len(nodes)} nodes and {sum(len(x.choices) for x in nodes)} choices; "
            f"{len(endings)} endings ({counts or 'none'}); best score {found.max_points} points. "
            f"The start is {nodes[0].title if nodes else 'missing'}.")
    unreachable = [nodes[i].id for i in range(len(nodes)) if i not in found.reachable_nodes]
    if unreachable:
        text += f" Never reached from the start: {', '.join(unreachable)}."
    stuck = sorted({s.node for s in found.dead_ends} | {s.node for s in found.trapped})
    if stuck:
        text += f" Learners get stuck at: {', '.join(nodes[i].id for i in stuck)}."
    return text


def _edge(edge: ChoiceEdge, sid: str) -> str:
    classes = "choice" + (" back" if edge.back else "") + (" untaken" if edge.untaken else "")
    return (f'<g class="{classes}" data-choice="{e(edge.key)}"><title>{e(edge.tooltip)}</title>'
            f'<path d="{edge.path(n)}" marker-end="url(#{sid}-arrow)"/></g>')


def _node(plan: Layout, box, node_href) -> str:
    classes = " ".join(["node", *box.classes])
    x, y = box.x, box.y
    data = f'data-missing="{e(box.node_id)}"' if box.missing else f'data-node="{e(box.node_id)}"'
    out = [f'<g class="{classes}" {data} transform="translate({n(x)},{n(y)})">',
           f"<title>{e(box.tooltip)}</title>",
           f'<rect class="box" width="{n(box.w)}" height="{n(box.h)}" rx="8"/>']
    cursor = 10.0
    if box.tags:
        tx = 10.0
        for kind, word in box.tags:
            out.append(f'<text class="tag {kind}" x="{n(tx)}" y="{n(cursor + 10)}">{e(word)}</text>')
            tx += text_width(word, 10, bold=True, spacing=0.04) + 10
        cursor += 16
    for line in box.lines:
        out.append(f'<text class="t" x="10" y="{n(cursor + 13)}">{e(line)}</text>')
        cursor += 17
    shown = box.node_id if len(box.node_id) <= 26 else box.node_id[:25] + "\u2026"  # monospace: 27 fit
    out.append(f'<text class="id" x="10" y="{n(cursor + 12)}">#{e(shown)}</text>')
    out.append("</g>")
    group = "".join(out)
    if node_href and not box.missing:
        return f'<a href="{e(node_href(box.node_id))}" target="_top">{group}</a>'
    return group


def _label(edge: ChoiceEdge) -> str:
    lx, ly, w, h = edge.label_box
    out = [f'<g class="label" data-label-for="{e(edge.key)}"><rect x="{n(lx)}" y="{n(ly)}" width="{n(w)}" '
           f'height="{n(h)}" rx="4"/>']
    for i, line in enumerate(edge.label):
        spans = "".join((f'<tspan class="{kind}">{e(text)}</tspan>' if kind else f"<tspan>{e(text)}</tspan>")
                        + (" " if k < len(line) - 1 else "") for k, (kind, text) in enumerate(line))
        out.append(f'<text x="{n(lx + 5)}" y="{n(ly + 12 + 13 * i)}">{spans}</text>')
    out.append("</g>")
    return "".join(out)


LEGEND = [("start", "\u25b6 START", "first node"), ("good", OUTCOME_TAG["good"], "ending"),
          ("neutral", OUTCOME_TAG["neutral"], "ending"), ("bad", OUTCOME_TAG["bad"], "ending"),
          ("unreachable", "UNREACHABLE", "never reached"), ("stuck", "\u26a0 DEAD END / TRAPPED", "learner stuck"),
          ("", "", "dashed purple arrow: back to an earlier column")]


def legend_width() -> float:
    return 16 + sum(text_width(tag, 10, bold=True, spacing=0.04) + 6 + text_width(words, 11) + 22
                    for _, tag, words in LEGEND)


def _legend(plan: Layout) -> str:
    x, y = 16.0, plan.height - 14
    out = ['<g class="legend" aria-hidden="true">']
    for kind, tag, words in LEGEND:
        if tag:
            out.append(f'<text class="tag {kind}" x="{n(x)}" y="{n(y)}">{e(tag)}</text>')
            x += text_width(tag, 10, bold=True, spacing=0.04) + 6
        out.append(f'<text x="{n(x)}" y="{n(y)}">{e(words)}</text>')
        x += text_width(words, 11) + 22
    out.append("</g>")
    return "".join(out)


def course_map(course: Course, analyses: dict[str, ScenarioAnalysis], preview_url: str | None,
               diagnostics: Diagnostics | None = None) -> dict[str, bytes]:
    """{file name: bytes}: `<scenario-id>.svg` for each scenario and `index.html` gathering them."""
    files: dict[str, bytes] = {}
    drawn = []
    for scenario in (m for m in course.modules if isinstance(m, Scenario)):
        def href(node_id: str, sid: str = scenario.id) -> str:
            return f"{preview_url or ''}#node={sid}/{node_id}"

        found = analyses.get(scenario.id)
        if found is None or found.scenario is not scenario:  # a broken course may repeat an id
            found = analyse(scenario)
        svg = scenario_svg(scenario, found, href if preview_url is not None else None)
        drawn.append((scenario, found, svg))
        files[f"{scenario.id}.svg"] = svg.encode("utf-8")
    files["index.html"] = index_html(course, drawn, preview_url, diagnostics).encode("utf-8")
    return files


def write_map(files: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Each file lands whole (staged, then renamed), as packages do; other files in the folder stay."""
    return archive.write_outputs(dict(files), Path(out_dir))
