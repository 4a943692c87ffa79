"""Scenario analysis over the state space (node × flags): pure functions of the model.

A state is a node with the set of flags that hold there. The graph of states
reachable from the start answers every question the validator, the path
listing and the branch walks ask: which nodes can be reached, where a learner
gets stuck, the best and worst paths, whether a cycle can pump points, and a
small set of walks that takes every choice and reaches every ending.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from ..model import Scenario
from ..source.expressions import UNKNOWN, evaluate


@dataclass(frozen=True, order=True)
class State:
    node: int
    flags: int  # bit i set: the scenario's flag i holds


@dataclass(frozen=True)
class Transition:
    choice: int
    target: State
    points: int


@dataclass(frozen=True)
class Step:
    node: int
    choice: int
    points: int


@dataclass(frozen=True)
class Path:
    steps: tuple[Step, ...]
    ending: int
    points: int


@dataclass
class ScenarioAnalysis:
    scenario: Scenario
    flags: tuple[str, ...]
    start: State | None
    edges: dict[State, list[Transition]]
    reachable_nodes: set[int] = field(default_factory=set)
    dead_ends: list[State] = field(default_factory=list)  # no visible choice, not an ending
    trapped: list[State] = field(default_factory=list)  # no ending can be reached from here
    positive_cycle: tuple[int, int] | None = None  # (node, choice) on a cycle that gains points
    max_points: int = 0
    best: Path | None = None
    worst: Path | None = None
    # The running total of an attempt stays within floor..ceiling (docs/course-json.md):
    # the floor is low enough that no path taking each choice once reaches it and that
    # nothing earned after it could lift the total above 0, so it changes no score; it
    # exists so the resume state stays bounded however long a learner loops.
    floor: int = 0
    ceiling: int = 0

    def running(self, steps) -> int:
        """The attempt's running points after these steps: each choice's points, never below the floor."""
        points = 0
        for step in steps:
            points = max(points + step.points, self.floor)
        return points


def maxima(analyses) -> dict[str, int]:
    """Each scenario's maximum, by module id: what rules.module_max and rules.course_max read."""
    return {module_id: found.max_points for module_id, found in analyses.items()}


def visible(choice, flags: tuple[str, ...], mask: int) -> bool:
    """Is the choice shown with these flags? Other modules' results count as possibly true."""
    if choice.condition is None:
        return True

    def lookup(parts):
        if parts[0] == "flag" and parts[1] in flags:
            return bool(mask >> flags.index(parts[1]) & 1)
        return UNKNOWN

    return evaluate(choice.condition.tree, lookup) is not False


def _apply(choice, flags: tuple[str, ...], mask: int) -> int:
    for name in choice.unsets:
        mask &= ~(1 << flags.index(name))
    for name in choice.sets:
        mask |= 1 << flags.index(name)
    return mask


def state_graph(scenario: Scenario) -> tuple[tuple[str, ...], State | None, dict[State, list[Transition]]]:
    flags = scenario.flags
    if not scenario.nodes:
        return flags, None, {}
    index = scenario.node_index()
    start = State(0, 0)
    edges: dict[State, list[Transition]] = {}
    queue = deque([start])
    edges[start] = []
    while queue:
        state = queue.popleft()
        node = scenario.nodes[state.node]
        if node.is_ending:
            continue
        out = edges[state]
        for number, choice in enumerate(node.choices):
            if choice.target not in index or not visible(choice, flags, state.flags):
                continue
            target = State(index[choice.target], _apply(choice, flags, state.flags))
            out.append(Transition(number, target, choice.points))
            if target not in edges:
                edges[target] = []
                queue.append(target)
    return flags, start, edges


def analyse(scenario: Scenario) -> ScenarioAnalysis:
    flags, start, edges = state_graph(scenario)
    result = ScenarioAnalysis(scenario, flags, start, edges)
    if start is None:
        return result
    nodes = scenario.nodes
    result.reachable_nodes = {s.node for s in edges}
    result.dead_ends = [s for s, out in edges.items() if not out and not nodes[s.node].is_ending]
    to_end = _steps_to_end(edges, nodes)
    result.trapped = [s for s in edges if s not in to_end and s not in result.dead_ends]
    best, cycle = _extreme(edges, nodes, +1)
    result.positive_cycle = cycle
    if cycle is None and start in best:
        result.best = _follow(start, edges, nodes, best, +1, to_end)
        result.max_points = max(0, best[start][0])
        worst, _ = _extreme(edges, nodes, -1)
        result.worst = _follow(start, edges, nodes, worst, -1, to_end)
        # Most any state can still earn, and most a path taking each transition once can lose.
        most_ahead = max(0, max(points for points, _ in best.values()))
        most_lost = sum(-t.points for out in edges.values() for t in out if t.points < 0)
        result.floor = -max(most_ahead, most_lost)
        # Points so far + the best still to come is a walk to an ending, which earns at most
        # the maximum (a total lifted by the floor ends at 0 or less, so the same bound holds).
        result.ceiling = max(0, result.max_points - min(points for points, _ in best.values()))
    return result


def _steps_to_end(edges, nodes) -> dict[State, int]:
    """Fewest steps from each state to an ending (states that can reach one)."""
    reverse: dict[State, list[State]] = {s: [] for s in edges}
    for state, out in edges.items():
        for t in out:
            reverse[t.target].append(state)
    dist = {s: 0 for s in edges if nodes[s.node].is_ending}
    queue = deque(dist)
    while queue:
        state = queue.popleft()
        for prev in reverse[state]:
            if prev not in dist:
                dist[prev] = dist[state] + 1
                queue.append(prev)
    return dist


def _sccs(edges: dict[State, list[Transition]]) -> list[list[State]]:
    """Tarjan's strongly connected components, sinks first (iterative)."""
    index: dict[State, int] = {}
    low: dict[State, int] = {}
    on_stack: set[State] = set()
    stack: list[State] = []
    result: list[list[State]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            state, i = work.pop()
            if i == 0:
                index[state] = low[state] = len(index)
                stack.append(state)
                on_stack.add(state)
            out = edges[state]
            if i < len(out):
                work.append((state, i + 1))
                target = out[i].target
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[state] = min(low[state], index[target])
                continue
            if low[state] == index[state]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == state:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[state])
    return result


def best_ending_in(analysis: ScenarioAnalysis, outcomes: tuple[str, ...]) -> Path | None:
    """The path earning the most points among those ending with one of `outcomes`
    (None when no such ending can be reached, or the points are unbounded)."""
    if analysis.start is None or analysis.positive_cycle:
        return None
    nodes = analysis.scenario.nodes
    wanted = {i for i, node in enumerate(nodes) if node.is_ending and node.outcome in outcomes}
    value, _ = _extreme(analysis.edges, nodes, +1, lambda i: i in wanted)
    if analysis.start not in value:
        return None
    return _follow(analysis.start, analysis.edges, nodes, value, +1, _steps_to_end(analysis.edges, nodes))


def _extreme(edges, nodes, sign: int, goal=None):
    """Best (sign=+1) or worst (-1) points from each state to an ending.

    Values are (sign × points, −steps) pairs compared lexicographically, so
    among equally scoring paths the shortest wins and every cycle that earns
    nothing counts as a loss. Components are solved sinks first, each by
    Bellman-Ford with a work queue: a value that rises is passed back to the
    states leading to it. Each value remembers how many transitions inside the
    component its path takes; without a gaining cycle a best path never repeats
    a state, so a count reaching the component's size means a cycle that gains
    points and can still reach an ending (the component's values are then left
    as they are). For sign=+1 that cycle's best-earning (node, choice) is
    returned too: the maximum is unbounded.
    """
    goal = goal or (lambda i: nodes[i].is_ending)  # the endings a path may stop at
    value: dict[State, tuple[int, int]] = {}
    via: dict[State, Transition] = {}  # the transition each value was reached through
    improving: tuple[int, int] | None = None
    for component in _sccs(edges):
        members = set(component)
        leading: dict[State, list[tuple[State, Transition]]] = {}  # transitions into a member, from members
        inside: dict[State, int] = {}  # transitions inside the component on each value's path
        for state in component:
            if goal(state.node):
                value[state], inside[state] = (0, 0), 0
            for t in edges[state]:
                if t.target in members:
                    leading.setdefault(t.target, []).append((state, t))
                elif t.target in value:
                    points, steps = value[t.target]
                    candidate = (points + sign * t.points, steps - 1)
                    if state not in value or candidate > value[state]:
                        value[state], via[state], inside[state] = candidate, t, 0
        queue = deque(s for s in component if s in value)
        queued = set(queue)
        # A gaining cycle shows within |C| passes' worth of work; past that, stop looking for it.
        budget = (len(component) + 1) * (1 + sum(len(v) for v in leading.values()))
        while queue and budget > 0:
            state = queue.popleft()
            queued.discard(state)
            points, steps = value[state]
            for before, t in leading.get(state, ()):
                budget -= 1
                candidate = (points + sign * t.points, steps - 1)
                if before in value and candidate <= value[before]:
                    continue
                value[before], via[before], inside[before] = candidate, t, inside[state] + 1
                if inside[before] >= len(component):
                    # Until the transitions followed close the loop, keep relaxing (within the budget).
                    found = _cycle_choice(before, via, members)
                    if found is not None or budget <= 0:
                        if sign > 0 and improving is None:
                            improving = found or (before.node, t.choice)
                        queue.clear()
                        break
                if before not in queued:
                    queue.append(before)
                    queued.add(before)
    return {s: (v[0] * sign, v[1]) for s, v in value.items()}, improving


def _cycle_choice(rising: State, via: dict[State, Transition], members: set[State]) -> tuple[int, int] | None:
    """(node, choice) earning the most on the gaining cycle the values run round, found by
    following, from `rising`, the transitions each value was last reached through (a cycle
    of those always gains points); None when they do not close a loop inside the component."""
    order: dict[State, int] = {}
    state = rising
    while state not in order:
        if state not in members or state not in via:
            return None
        order[state] = len(order)
        state = via[state].target
    cycle, cursor = [], state
    while True:
        t = via[cursor]
        cycle.append((-t.points, cursor.node, t.choice))
        cursor = t.target
        if cursor == state:
            break
    _, node, choice = min(cycle)
    return node, choice


def _follow(start, edges, nodes, value, sign: int, to_end) -> Path | None:
    """Walk from start taking the choice that realises `value`; each choice once."""
    steps: list[Step] = []
    state, points, taken = start, 0, set()
    while not nodes[state.node].is_ending:
        options = [t for t in edges[state] if t.target in value and (state, t.choice) not in taken]
        if not options:
            options = [t for t in edges[state] if t.target in to_end and (state, t.choice) not in taken]
            if not options:
                return None
            chosen = min(options, key=lambda t: to_end[t.target])
        else:
            chosen = max(options, key=lambda t: (sign * (t.points + value[t.target][0]), value[t.target][1]))
        taken.add((state, chosen.choice))
        steps.append(Step(state.node, chosen.choice, chosen.points))
        points += chosen.points
        state = chosen.target
    return Path(tuple(steps), state.node, points)


def enumerate_paths(analysis: ScenarioAnalysis, limit: int):
    """Every path from the start to an ending, each choice at most once per path
    (so a cycle is walked once round). Yields at most `limit` paths, depth first
    in source order, with an explicit stack (scenarios may be thousands deep)."""
    if analysis.start is None or analysis.positive_cycle or limit <= 0:
        return
    edges, nodes = analysis.edges, analysis.scenario.nodes
    count = 0
    steps: list[Step] = []
    taken: set[tuple[State, int]] = set()
    # Each frame: the state, the points so far, and the index of its next transition to try.
    stack: list[list] = [[analysis.start, 0, 0]]
    while stack:
        frame = stack[-1]
        state, points, index = frame
        if nodes[state.node].is_ending and index == 0:
            yield Path(tuple(steps), state.node, points)
            count += 1
            if count >= limit:
                return
            frame[2] = len(edges[state])  # nothing to try below an ending
        out = edges[state]
        while frame[2] < len(out) and (state, out[frame[2]].choice) in taken:
            frame[2] += 1
        if frame[2] >= len(out):
            stack.pop()
            if stack:  # undo the step that led here
                parent = stack[-1][0]
                taken.discard((parent, steps.pop().choice))
            continue
        t = out[frame[2]]
        frame[2] += 1
        taken.add((state, t.choice))
        steps.append(Step(state.node, t.choice, t.points))
        stack.append([t.target, points + t.points, 0])


def coverage_paths(analysis: ScenarioAnalysis) -> list[Path]:
    """A few paths that together take every reachable choice and reach every
    reachable ending, plus the best and the worst path, found without
    enumerating paths (linear-ish in the size of the state graph per path)."""
    if analysis.start is None or analysis.best is None:
        return []
    edges, nodes = analysis.edges, analysis.scenario.nodes
    to_end = _steps_to_end(edges, nodes)
    parent: dict[State, tuple[State, Transition] | None] = {analysis.start: None}
    queue = deque([analysis.start])
    while queue:
        state = queue.popleft()
        for t in edges[state]:
            if t.target not in parent and t.target in to_end:
                parent[t.target] = (state, t)
                queue.append(t.target)

    paths = [analysis.best] + ([analysis.worst] if analysis.worst else [])
    covered_choices = {(s.node, s.choice) for p in paths for s in p.steps}
    covered_endings = {p.ending for p in paths}
    wanted = {}  # (node, choice) -> a state where it is shown and leads on to an ending
    for state in parent:
        for t in edges[state]:
            if t.target in to_end:
                wanted.setdefault((state.node, t.choice), (state, t))
    for state in parent:
        if nodes[state.node].is_ending:
            wanted.setdefault(("ending", state.node), (state, None))
    for key, (state, transition) in wanted.items():
        if key in covered_choices or (key[0] == "ending" and key[1] in covered_endings):
            continue
        prefix: list[Transition] = []
        cursor = state
        while parent[cursor] is not None:
            cursor, t = parent[cursor]
            prefix.append(t)
        prefix.reverse()
        route = prefix + ([transition] if transition else [])
        path = _complete(analysis.start, route, edges, nodes, to_end, covered_choices)
        paths.append(path)
        covered_choices |= {(s.node, s.choice) for s in path.steps}
        covered_endings.add(path.ending)
    return paths


def _complete(start, route, edges, nodes, to_end, covered) -> Path:
    """Follow `route`, then head for an ending, preferring choices not yet covered."""
    steps: list[Step] = []
    state, points, taken = start, 0, set()
    for t in route:
        steps.append(Step(state.node, t.choice, t.points))
        taken.add((state, t.choice))
        points += t.points
        state = t.target
    while not nodes[state.node].is_ending:
        options = [t for t in edges[state] if t.target in to_end and (state, t.choice) not in taken]
        fresh = [t for t in options if (state.node, t.choice) not in covered]
        pool = fresh or options or [t for t in edges[state] if t.target in to_end]
        chosen = min(pool, key=lambda t: to_end[t.target])
        taken.add((state, chosen.choice))
        steps.append(Step(state.node, chosen.choice, chosen.points))
        points += chosen.points
        state = chosen.target
    return Path(tuple(steps), state.node, points)
