"""Scenario analysis over the state space (node × flags): pure functions of the model.

A state is a node with the set of flags that hold there. The graph of states
reachable from the start answers every question the validator, the path
listing and the branch walks ask: which nodes can be reached, where a learner
gets stuck, the best and worst paths, whether a cycle can pump points, and a
small set of walks that takes every choice and reaches every ending.
"""
from __future__ import annotations

import gc
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from ..model import Scenario
from ..source.expressions import UNKNOWN, evaluate


class State(NamedTuple):
    """A tuple, not a dataclass: states are hashed millions of times at 10,000 nodes,
    and a tuple's hash runs in C."""

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
    """A few paths that together take every reachable choice that leads on to an
    ending and reach every reachable ending, plus the best and the worst path,
    found without enumerating paths.

    Each new path is the one that takes the most choices (and endings) not yet
    covered, counted over the state graph without its back edges: one pass
    over the graph per path. A deep scenario then needs about as many paths as
    it is wide, and the walks' total length grows with its size, not with its
    square (a path per choice, each thousands of steps long, made 10,000 nodes
    take 1,188 walks and 18 s). Once a path would gain only one, or after
    `_GREEDY_ROUNDS` paths, each choice left gets a path of its own.
    """
    if analysis.start is None or analysis.best is None:
        return []
    with _collector_paused():
        return _coverage_paths(analysis)


@contextmanager
def _collector_paused():
    """Python's cycle collector off for a while: the planner makes hundreds of thousands of
    small tuples that hold no cycle, and at 10,000 nodes the collector spent a third of the
    planner's time scanning them (and the course model behind them)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _coverage_paths(analysis: ScenarioAnalysis) -> list[Path]:
    paths = list(dict.fromkeys(p for p in (analysis.best, analysis.worst) if p))  # one path: best is worst
    covered = {(s.node, s.choice) for p in paths for s in p.steps}
    endings = {p.ending for p in paths}
    graph = _Numbered(analysis.edges, analysis.scenario.nodes)
    for _ in range(_GREEDY_ROUNDS):
        path, gain = graph.richest(covered, endings)
        if gain <= 1:
            break
        paths.append(path)
        covered |= {(s.node, s.choice) for s in path.steps}
        endings.add(path.ending)
    return paths + graph.one_path_each(covered, endings)


_GREEDY_ROUNDS = 64  # bounds the passes over the graph: a very wide scenario then costs a path per choice


class _Numbered:
    """The state graph with states numbered (the start is 0), in plain lists:
    the passes below hash no State, which at 10,000 nodes is most of the time."""

    def __init__(self, edges: dict[State, list[Transition]], nodes):
        self.states = list(edges)  # state_graph's order: the start first
        number = {state: i for i, state in enumerate(self.states)}
        count = len(self.states)
        self.out = [[(number[t.target], t) for t in edges[state]] for state in self.states]
        self.ending = [state.node if nodes[state.node].is_ending else -1 for state in self.states]
        # Fewest steps to an ending (-1: none can be reached from there).
        reverse: list[list[int]] = [[] for _ in range(count)]
        for here, row in enumerate(self.out):
            for there, _ in row:
                reverse[there].append(here)
        self.to_end = [0 if ending >= 0 else -1 for ending in self.ending]
        queue = deque(i for i in range(count) if self.ending[i] >= 0)
        while queue:
            here = queue.popleft()
            for before in reverse[here]:
                if self.to_end[before] < 0:
                    self.to_end[before] = self.to_end[here] + 1
                    queue.append(before)
        # Depth-first postorder over the states that lead on to an ending. A transition to a
        # state later in it is a back edge; without those the graph is acyclic and the order,
        # read backwards, a topological one starting at the start.
        self.postorder: list[int] = []
        rank = [count] * count
        work = [(0, iter(self.out[0]))]
        seen = [False] * count
        seen[0] = True
        while work:
            here, out = work[-1]
            for there, t in out:
                if self.to_end[there] >= 0 and not seen[there]:
                    seen[there] = True
                    work.append((there, iter(self.out[there])))
                    break
            else:
                work.pop()
                rank[here] = len(self.postorder)
                self.postorder.append(here)
        self.keys: list[tuple[int, int]] = []  # (node, choice) by key number
        numbered: dict[tuple[int, int], int] = {}
        self.forward: list[list[tuple[int, int, Transition]]] = [[] for _ in range(count)]
        for here in self.postorder:
            node = self.states[here].node
            for there, t in self.out[here]:
                if rank[there] < rank[here]:
                    key = numbered.setdefault((node, t.choice), len(self.keys))
                    if key == len(self.keys):
                        self.keys.append((node, t.choice))
                    self.forward[here].append((there, key, t))

    def richest(self, covered: set, endings: set) -> tuple[Path, int]:
        """The path from the start without back edges that takes the most choices
        and endings not yet covered (the shortest among equals, source order among
        those), and that number."""
        # One number per state, gain × weight − steps: one addition and one comparison per
        # transition (past 256, every Python int is a new object).
        weight = len(self.states) + 1  # more than any path's steps
        bonus = [-1 if key in covered else weight - 1 for key in self.keys]
        value: list[int | None] = [None] * len(self.states)  # None: no ending ahead without a back edge
        pick: list[tuple | None] = [None] * len(self.states)
        for here in self.postorder:
            ending = self.ending[here]
            if ending >= 0:
                value[here] = 0 if ending in endings else weight
                continue
            best = None
            for edge in self.forward[here]:
                after = value[edge[0]]
                if after is not None and (best is None or after + bonus[edge[1]] > best):
                    best, pick[here] = after + bonus[edge[1]], edge
            value[here] = best
        steps: list[Step] = []
        here, points = 0, 0
        while pick[here] is not None:
            there, _, t = pick[here]
            steps.append(Step(self.states[here].node, t.choice, t.points))
            points += t.points
            here = there
        return Path(tuple(steps), self.states[here].node, points), -(-value[0] // weight)

    def one_path_each(self, covered: set, endings: set) -> list[Path]:
        """A path for each choice and ending still not covered: the shortest way
        there, then on to an ending preferring choices not yet covered."""
        left = any((self.states[here].node, t.choice) not in covered
                   for here, row in enumerate(self.out) if self.to_end[here] >= 0
                   for there, t in row if self.to_end[there] >= 0)
        if not left and all(e in endings for e in self.ending if e >= 0):
            return []  # the usual case: the richest paths took everything
        parent: list[tuple[int, Transition] | None] = [None] * len(self.states)
        order, reached = [0], {0}
        for here in order:  # breadth first: `order` grows as it is read
            for there, t in self.out[here]:
                if there not in reached and self.to_end[there] >= 0:
                    reached.add(there)
                    parent[there] = (here, t)
                    order.append(there)
        wanted: dict[tuple, tuple[int, int | None, Transition | None]] = {}  # key -> (state, target, choice)
        for here in order:
            for there, t in self.out[here]:
                if self.to_end[there] >= 0:
                    wanted.setdefault((self.states[here].node, t.choice), (here, there, t))
        for here in order:
            if self.ending[here] >= 0:
                wanted.setdefault(("ending", self.ending[here]), (here, None, None))
        paths = []
        for key, (here, there, last) in wanted.items():
            if key in covered or (key[0] == "ending" and key[1] in endings):
                continue
            route: list[tuple[int, int, Transition]] = [(here, there, last)] if last else []
            cursor = here
            while parent[cursor] is not None:
                before, t = parent[cursor]
                route.append((before, cursor, t))
                cursor = before
            route.reverse()
            path = self._complete(route, covered)
            paths.append(path)
            covered |= {(s.node, s.choice) for s in path.steps}
            endings.add(path.ending)
        return paths

    def _complete(self, route, covered) -> Path:
        """Follow `route` from the start, then head for an ending, preferring
        choices not yet covered."""
        steps: list[Step] = []
        here, points, taken = 0, 0, set()
        for before, there, t in route:
            steps.append(Step(self.states[before].node, t.choice, t.points))
            taken.add((before, t.choice))
            points += t.points
            here = there
        while self.ending[here] < 0:
            node = self.states[here].node
            ahead = [(there, t) for there, t in self.out[here] if self.to_end[there] >= 0]
            options = [o for o in ahead if (here, o[1].choice) not in taken]
            fresh = [o for o in options if (node, o[1].choice) not in covered]
            there, t = min(fresh or options or ahead, key=lambda o: self.to_end[o[0]])
            taken.add((here, t.choice))
            steps.append(Step(node, t.choice, t.points))
            points += t.points
            here = there
        return Path(tuple(steps), self.states[here].node, points)
