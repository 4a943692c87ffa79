"""A brute-force oracle for scenario analysis, deliberately simple and slow.

Written from the authoring format (section 2, "Analysis" and "Scoring"), not from
generator/check/analysis.py, so the two only agree when both read the format the same
way. Scenarios here are plain data:

    nodes: list of {"ending": bool, "choices": [Choice, ...]}   (node 0 is the start)
    Choice: {"to": node index, "points": int, "set": [flag], "unset": [flag], "if": Cond | None}
    Cond:   ("flag", name) | ("unknown",) | ("not", c) | ("and", c, c) | ("or", c, c)

`("unknown",)` stands for another module's result, which nobody knows while the
scenario is checked: a choice is shown unless its condition is surely false.

Everything is decided by exhaustive search over configurations: a learner's
position is (node, flags), and walks are followed step by step, keeping the
most points any walk of exactly k steps can hold at each position.
"""
from __future__ import annotations

UNKNOWN = "unknown"


def truth(cond, flags: frozenset) -> object:
    """True, False or UNKNOWN, by Kleene's three-valued logic."""
    if cond is None:
        return True
    op = cond[0]
    if op == "flag":
        return cond[1] in flags
    if op == "unknown":
        return UNKNOWN
    if op == "not":
        inner = truth(cond[1], flags)
        return UNKNOWN if inner is UNKNOWN else not inner
    left, right = truth(cond[1], flags), truth(cond[2], flags)
    if op == "and":
        if left is False or right is False:
            return False
        return UNKNOWN if UNKNOWN in (left, right) else True
    if left is True or right is True:
        return True
    return UNKNOWN if UNKNOWN in (left, right) else False


def moves(nodes, position):
    """(choice number, next position, points) for every choice the learner may see."""
    node, flags = position
    if nodes[node]["ending"]:
        return []
    found = []
    for number, choice in enumerate(nodes[node]["choices"]):
        if truth(choice["if"], flags) is False:
            continue
        after = (flags - frozenset(choice["unset"])) | frozenset(choice["set"])
        found.append((number, (choice["to"], after), choice["points"]))
    return found


def positions(nodes) -> set:
    """Every (node, flags) a learner can stand on, starting with no flag set."""
    start = (0, frozenset())
    seen, todo = {start}, [start]
    while todo:
        here = todo.pop()
        for _, there, _ in moves(nodes, here):
            if there not in seen:
                seen.add(there)
                todo.append(there)
    return seen


def can_finish(nodes, here) -> bool:
    """Can some walk from `here` reach an ending?"""
    seen, todo = {here}, [here]
    while todo:
        position = todo.pop()
        if nodes[position[0]]["ending"]:
            return True
        for _, there, _ in moves(nodes, position):
            if there not in seen:
                seen.add(there)
                todo.append(there)
    return False


def best_closed_walk(nodes, here, limit: int):
    """Most points a walk from `here` back to `here` of 1..limit steps earns (None: no such walk)."""
    best_at = {here: 0}
    best = None
    for _ in range(limit):
        following = {}
        for position, points in best_at.items():
            for _, there, gain in moves(nodes, position):
                if points + gain > following.get(there, float("-inf")):
                    following[there] = points + gain
        best_at = following
        if here in best_at and (best is None or best_at[here] > best):
            best = best_at[here]
    return best


def explore(nodes) -> dict:
    """What the format says the analysis reports, found the slow way."""
    known = positions(nodes)
    size = len(known)
    finishing = {p for p in known if can_finish(nodes, p)}
    dead = {p for p in known if not nodes[p[0]]["ending"] and not moves(nodes, p)}
    trapped = {p for p in known if p not in finishing and p not in dead}
    # A loop pumps points when some walk from a position back to itself gains
    # points and the learner can still finish from there.
    pumping = {p for p in finishing if (best_closed_walk(nodes, p, size) or 0) > 0}
    best = None
    if not pumping:
        # Without a pumping loop the best walk never needs more steps than there are positions.
        best_at = {(0, frozenset()): 0}
        for _ in range(size + 1):
            for position, points in best_at.items():
                if nodes[position[0]]["ending"] and (best is None or points > best):
                    best = points
            following = {}
            for position, points in best_at.items():
                for _, there, gain in moves(nodes, position):
                    following[there] = max(following.get(there, float("-inf")), points + gain)
            best_at = following
    return {
        "reachable": {p[0] for p in known},
        "dead_ends": dead,
        "trapped": trapped,
        "bounded": not pumping,
        "pumping": pumping,
        "best": best,  # None: unbounded, or no ending can be reached
        "maximum": max(0, best) if best is not None else 0,
    }


def running_totals(nodes, floor: int, cap: int = 10_000) -> set:
    """Every (node, flags, running points, whether the floor ever lifted the total) a learner
    can reach when each choice's points are added and the total never drops below `floor`."""
    start = (0, frozenset(), 0, False)
    seen, todo = {start}, [start]
    while todo and len(seen) < cap:
        node, flags, points, lifted = todo.pop()
        for _, (there, after), gain in moves(nodes, (node, flags)):
            total = points + gain
            following = (there, after, max(total, floor), lifted or total < floor)
            if following not in seen:
                seen.add(following)
                todo.append(following)
    return seen
