"""Where each box and arrow of a scenario map goes: layered left to right by BFS depth.

Columns are the BFS depth from the start over the choice graph; nodes the start
cannot reach at all get a last column. Within a column, a few barycentre sweeps
put boxes near the boxes they connect to, so fewer arrows cross. Arrows back to
an earlier (or the same) column curve around instead of cutting through. Every
number is a pure function of the scenario, so the drawing is reproducible.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..check.analysis import ScenarioAnalysis
from ..model import Scenario
from .textfit import text_width, wrap

BOX_W, COLUMN_GAP, ROW_GAP, MARGIN, LEGEND_H = 210.0, 170.0, 34.0, 24.0, 34.0
OUTCOME_TAG = {"good": "\u2713 GOOD", "neutral": "\u25cb NEUTRAL", "bad": "\u2717 BAD"}
Point = tuple[float, float]


@dataclass(eq=False)
class Box:
    node_id: str
    lines: list[str]
    tags: list[tuple[str, str]]
    classes: list[str]
    tooltip: str
    layer: int
    order: int
    missing: bool = False
    x: float = 0.0
    y: float = 0.0
    w: float = BOX_W
    h: float = 0.0

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(eq=False)
class ChoiceEdge:
    key: str  # "NODE:N", N the choice's 0-based position in the source
    source: Box
    target: Box
    label: list[tuple[tuple[str, str], ...]]  # lines, each of (css class, text) spans; the first says [N]
    tooltip: str
    back: bool
    untaken: bool  # no learner can take it (its node or its condition is never reached)
    points: list[Point] = field(default_factory=list)  # a cubic Bézier: start, two controls, end
    label_box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def at(self, t: float) -> Point:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        u = 1 - t
        return (u ** 3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t ** 3 * x3,
                u ** 3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t ** 3 * y3)

    def path(self, fmt) -> str:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = self.points
        return f"M{fmt(x0)},{fmt(y0)} C{fmt(x1)},{fmt(y1)} {fmt(x2)},{fmt(y2)} {fmt(x3)},{fmt(y3)}"


@dataclass
class Layout:
    boxes: list[Box]
    edges: list[ChoiceEdge]
    width: float
    height: float


def layout(scenario: Scenario, found: ScenarioAnalysis, min_width: float = 0.0) -> Layout:
    boxes, edges = _boxes_and_edges(scenario, found)
    columns = _order(boxes, edges)
    _place(columns, edges)
    _route(boxes, edges)
    _place_labels(boxes, edges)
    return _fit(boxes, edges, min_width)


def _depths(scenario: Scenario) -> dict[int, int]:
    index = scenario.node_index()
    depth = {0: 0} if scenario.nodes else {}
    queue = deque(depth)
    while queue:
        at = queue.popleft()
        for choice in scenario.nodes[at].choices:
            target = index.get(choice.target)
            if target is not None and target not in depth:
                depth[target] = depth[at] + 1
                queue.append(target)
    return depth


def _boxes_and_edges(scenario: Scenario, found: ScenarioAnalysis) -> tuple[list[Box], list[ChoiceEdge]]:
    nodes, index, depth = scenario.nodes, scenario.node_index(), _depths(scenario)
    last = max(depth.values(), default=0) + 1
    dead = {s.node for s in found.dead_ends}
    trapped = {s.node for s in found.trapped} - dead
    boxes: list[Box] = []
    for i, node in enumerate(nodes):
        tags, classes, notes = [], [], []
        if i == 0:
            tags.append(("start", "\u25b6 START"))
            classes.append("start")
            notes.append("the start")
        if node.is_ending and node.outcome in OUTCOME_TAG:
            tags.append((node.outcome, OUTCOME_TAG[node.outcome]))
            classes += ["ending", node.outcome]
            notes.append(f"{node.outcome} ending")
        if i not in found.reachable_nodes:
            tags.append(("unreachable", "UNREACHABLE"))
            classes.append("unreachable")
            notes.append("never reached from the start")
        if i in dead or i in trapped:
            tags.append(("stuck", "\u26a0 DEAD END" if i in dead else "\u26a0 TRAPPED"))
            classes += ["stuck", "dead-end" if i in dead else "trapped"]
            notes.append("no choice is shown here with some flags" if i in dead else "no ending can be reached from here")
        tooltip = f"{node.title} (#{node.id})" + (f": {'; '.join(notes)}" if notes else "")
        boxes.append(Box(node.id, wrap(node.title, BOX_W - 20, 13, bold=True), tags, classes, tooltip,
                         depth.get(i, last), i))
    taken = {(state.node, t.choice) for state, out in found.edges.items() for t in out}
    ghosts: dict[str, Box] = {}
    edges: list[ChoiceEdge] = []
    for i, node in enumerate(nodes):
        for number, choice in enumerate(node.choices):
            source = boxes[i]
            if choice.target in index:
                target = boxes[index[choice.target]]
            else:
                target = ghosts.get(choice.target)
                if target is None:
                    target = ghosts[choice.target] = Box(
                        choice.target, ["missing node"], [], ["missing"],
                        f"no node #{choice.target}: this choice leads nowhere", source.layer + 1, len(nodes) + len(ghosts), True)
                target.layer = max(target.layer, source.layer + 1)
            label = _label_lines(number, choice)
            tooltip = f"Choice {number} of #{node.id}: {choice.text} \u2192 #{choice.target}"
            edges.append(ChoiceEdge(f"{node.id}:{number}", source, target, label, tooltip,
                                    back=target.layer < source.layer or target is source, untaken=(i, number) not in taken))
    return boxes + list(ghosts.values()), edges


def _label_lines(number: int, choice) -> list[tuple[tuple[str, str], ...]]:
    """[N] as `coursegen paths` prints the choice, its points, then its condition and flags."""
    first = [("index", f"[{number}]")]
    if choice.points:
        first.append(("plus" if choice.points > 0 else "minus",
                      f"+{choice.points}" if choice.points > 0 else f"\u2212{-choice.points}"))
    lines = [tuple(first)]
    if choice.condition is not None:
        lines += [(("", line),) for line in wrap(f"if {choice.condition.source}", 150, 11, most=3)]
    if choice.sets:
        lines.append((("", "set " + ", ".join(choice.sets)),))
    if choice.unsets:
        lines.append((("", "unset " + ", ".join(choice.unsets)),))
    return lines


def label_width(line: tuple[tuple[str, str], ...]) -> float:
    """A label line's width: its spans at 11 px (points in bold), a space between them."""
    return sum(text_width(text, 11, bold=kind in ("plus", "minus")) for kind, text in line) + 3.5 * (len(line) - 1)


def _order(boxes: list[Box], edges: list[ChoiceEdge]) -> list[list[Box]]:
    """Columns in order; within each, barycentre sweeps down and up reduce crossings."""
    columns: list[list[Box]] = [[] for _ in range(max((b.layer for b in boxes), default=-1) + 1)]
    for box in sorted(boxes, key=lambda b: b.order):
        columns[box.layer].append(box)
    forward = [(e.source, e.target) for e in edges if e.target.layer == e.source.layer + 1]

    def rank(column: list[Box]) -> dict[Box, float]:
        return {b: (i + 0.5) / len(column) for i, b in enumerate(column)}

    for _ in range(4):
        for k in range(1, len(columns)):
            where = rank(columns[k - 1])
            columns[k] = _sorted_by(columns[k], {t: [where[s] for s, t2 in forward if t2 is t] for t in columns[k]})
        for k in range(len(columns) - 2, -1, -1):
            where = rank(columns[k + 1])
            columns[k] = _sorted_by(columns[k], {s: [where[t] for s2, t in forward if s2 is s] for s in columns[k]})
    return columns


def _sorted_by(column: list[Box], neighbours: dict[Box, list[float]]) -> list[Box]:
    mine = {b: (i + 0.5) / len(column) for i, b in enumerate(column)}
    key = {b: (sum(v) / len(v) if v else mine[b], mine[b]) for b, v in neighbours.items()}
    return sorted(column, key=lambda b: key[b])


def _place(columns: list[list[Box]], edges: list[ChoiceEdge]) -> None:
    """Columns centred on the tallest; the gap after a column widens with the labels that
    must fit in it (arrows leaving it forward, curving beside it, or coming back to it)."""
    for column in columns:
        for box in column:
            box.h = 18 + (16 if box.tags else 0) + 17 * len(box.lines) + 16
    labels = [0] * len(columns)
    widest = [0.0] * len(columns)
    for edge in edges:
        gap = min(edge.source.layer, edge.target.layer)
        labels[gap] += 1
        widest[gap] = max(widest[gap], max(label_width(line) for line in edge.label) + 12)
    tallest = max((sum(b.h for b in c) + ROW_GAP * (len(c) - 1) for c in columns), default=0)
    x = 0.0
    for k, column in enumerate(columns):
        y = (tallest - (sum(b.h for b in column) + ROW_GAP * (len(column) - 1))) / 2
        for box in column:
            box.x, box.y = x, y
            y += box.h + ROW_GAP
        # Room for the widest label between the arrows' bends, and more for a crowd of them.
        x += BOX_W + max(COLUMN_GAP, widest[k] + 90) + min(200.0, 12.0 * max(0, labels[k] - 6))


def _spread(start: float, length: float, count: int, k: int) -> float:
    return start + length * (k + 1) / (count + 1)


def _route(boxes: list[Box], edges: list[ChoiceEdge]) -> None:
    """Forward arrows leave a box's right side for the next box's left side; arrows back to
    an earlier column leave the left side for the right side of their target, and arrows
    within a column bulge out on the right. Ports on each side are spread out and sorted by
    where the other end is, so arrows from one side do not cross each other."""
    def kind(edge: ChoiceEdge) -> str:
        if edge.target.layer > edge.source.layer:
            return "forward"
        return "back" if edge.target.layer < edge.source.layer else "side"

    sides: dict[tuple[int, str], list[tuple[ChoiceEdge, int, Box]]] = {}
    for edge in edges:
        out_side, in_side = {"forward": ("R", "L"), "back": ("L", "R"), "side": ("R", "R")}[kind(edge)]
        sides.setdefault((id(edge.source), out_side), []).append((edge, 0, edge.target))
        sides.setdefault((id(edge.target), in_side), []).append((edge, 3, edge.source))
    ends: dict[tuple[int, int], Point] = {}
    for box in boxes:
        for side in ("L", "R"):
            found = sides.get((id(box), side), [])
            found.sort(key=lambda item: (item[2].y + item[2].h / 2, item[1], item[0].key))
            x = box.x if side == "L" else box.right
            for k, (edge, end, _) in enumerate(found):
                ends[id(edge), end] = (x, _spread(box.y, box.h, len(found), k))
    for edge in edges:
        (x0, y0), (x3, y3) = ends[id(edge), 0], ends[id(edge), 3]
        way = kind(edge)
        if way == "forward":
            bend = max(60.0, (x3 - x0) * 0.45)
            edge.points = [(x0, y0), (x0 + bend, y0), (x3 - bend, y3), (x3, y3)]
        elif way == "back":
            bend = max(60.0, (x0 - x3) * 0.35)
            edge.points = [(x0, y0), (x0 - bend, y0), (x3 + bend, y3), (x3, y3)]
        else:
            bend = 50.0 + min(abs(y3 - y0), 400.0) * 0.15
            edge.points = [(x0, y0), (x0 + bend, y0), (x3 + bend, y3), (x3, y3)]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


ARROWHEAD = (10.8, 4.8, 1.2)  # the marker at stroke width 1.5: length back from the end, half width, tip ahead


def arrowhead_box(edge: ChoiceEdge) -> tuple[float, float, float, float]:
    """A box holding the arrowhead at the end of the edge, with a little room around it."""
    (_, _), (x1, y1), (x2, y2), (x3, y3) = edge.points
    dx, dy = x3 - x2, y3 - y2
    if dx == dy == 0:
        dx, dy = x3 - x1, y3 - y1
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    back, half, tip = ARROWHEAD
    corners = [(x3 + ux * tip, y3 + uy * tip), (x3 - ux * back - uy * half, y3 - uy * back + ux * half),
               (x3 - ux * back + uy * half, y3 - uy * back - ux * half)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return (min(xs) - 3, min(ys) - 3, max(xs) - min(xs) + 6, max(ys) - min(ys) + 6)


def _polyline(edge: ChoiceEdge, pieces: int = 16) -> list[Point]:
    return [edge.at(i / pieces) for i in range(pieces + 1)]


def _crossing(p: Point, q: Point, r: Point, s: Point) -> Point | None:
    """Where segment pq crosses segment rs, if it does."""
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = p, q, r, s
    d = (x2 - x1) * (y4 - y3) - (y2 - y1) * (x4 - x3)
    if d == 0:
        return None
    t = ((x3 - x1) * (y4 - y3) - (y3 - y1) * (x4 - x3)) / d
    u = ((x3 - x1) * (y2 - y1) - (y3 - y1) * (x2 - x1)) / d
    return (x1 + t * (x2 - x1), y1 + t * (y2 - y1)) if 0 < t < 1 and 0 < u < 1 else None


def crossings(edges: list[ChoiceEdge]) -> list[Point]:
    """Where arrows cross one another (not where they meet at a box)."""
    lines = [_polyline(e) for e in edges]
    bounds = [(min(x for x, _ in l), min(y for _, y in l), max(x for x, _ in l), max(y for _, y in l)) for l in lines]
    found = []
    for i in range(len(lines)):
        for j in range(i + 1, len(lines)):
            a, b = bounds[i], bounds[j]
            if a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]:
                continue
            for k in range(len(lines[i]) - 1):
                for m in range(len(lines[j]) - 1):
                    point = _crossing(lines[i][k], lines[i][k + 1], lines[j][m], lines[j][m + 1])
                    if point is not None:
                        found.append(point)
    return found


# Where along its arrow a label may sit, nearest the middle first; then beside the arrow.
SPOTS = [0.5 + sign * step / 40 for step in range(17) for sign in ((1,) if step == 0 else (-1, 1))]
SHIFTS = (0.0, -1.0, 1.0, -2.0, 2.0, -3.0, 3.0)


def _place_labels(boxes: list[Box], edges: list[ChoiceEdge]) -> None:
    """Each label on its arrow where it covers no arrowhead and no crossing of arrows (never, when
    any spot allows), and as little as it can of boxes and the labels placed before it."""
    hard = [arrowhead_box(e) for e in edges] + [(x - 5, y - 5, 10, 10) for x, y in crossings(edges)]
    boxed = [(b.x - 4, b.y - 4, b.w + 8, b.h + 8) for b in boxes]
    placed: list[tuple[float, float, float, float]] = []
    lines = {id(e): _polyline(e, 24) for e in edges}
    for edge in edges:
        w = max(label_width(line) for line in edge.label) + 12
        h = 13.0 * len(edge.label) + 6
        others = [point for e in edges if e is not edge for point in lines[id(e)]]
        best = None
        for shift in SHIFTS:  # on the arrow, then ever further above or below it
            for t in SPOTS:
                cx, cy = edge.at(t)
                spot = (cx - w / 2, cy - h / 2 + shift * (h / 2 + 4), w, h)
                cost = 10000.0 * sum(_overlap(spot, other) for other in hard) \
                    + 100.0 * sum(_overlap(spot, other) for other in boxed) \
                    + 10.0 * sum(_overlap(spot, other) for other in placed) \
                    + 50.0 * sum(1 for x, y in others if spot[0] < x < spot[0] + w and spot[1] < y < spot[1] + h) \
                    + abs(t - 0.5) + abs(shift)
                if best is None or cost < best[0]:
                    best = (cost, spot)
                if cost < 1.0:  # clear of everything: the spot nearest the middle wins
                    break
            if best[0] < 10.0:
                break
        edge.label_box = best[1]
        placed.append(best[1])


def _fit(boxes: list[Box], edges: list[ChoiceEdge], min_width: float) -> Layout:
    """Shift everything so the drawing starts at the margin; size the canvas to hold it and the legend."""
    xs = [b.x for b in boxes] + [b.right for b in boxes]
    ys = [b.y for b in boxes] + [b.bottom for b in boxes]
    for edge in edges:
        for i in range(21):
            x, y = edge.at(i / 20)
            xs.append(x)
            ys.append(y)
        lx, ly, lw, lh = edge.label_box
        xs += [lx, lx + lw]
        ys += [ly, ly + lh]
    if not xs:
        return Layout(boxes, edges, max(min_width, 2 * MARGIN), 2 * MARGIN + LEGEND_H)
    dx, dy = MARGIN - min(xs), MARGIN - min(ys)
    for box in boxes:
        box.x += dx
        box.y += dy
    for edge in edges:
        edge.points = [(x + dx, y + dy) for x, y in edge.points]
        lx, ly, lw, lh = edge.label_box
        edge.label_box = (lx + dx, ly + dy, lw, lh)
    width = max(max(xs) - min(xs) + 2 * MARGIN, min_width)
    return Layout(boxes, edges, width, max(ys) - min(ys) + 2 * MARGIN + LEGEND_H)
