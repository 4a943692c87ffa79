"""suspend_data as docs/course-json.md defines it, written independently of the runtime
so tests can build resume data (valid, foreign, damaged) and check what the runtime wrote."""

from __future__ import annotations


def fnv1a(text: str) -> int:
    raw = text.encode("utf-16-le")
    h = 0x811C9DC5
    for i in range(0, len(raw), 2):  # UTF-16 code units, as JS charCodeAt sees them
        h = ((h ^ (raw[i] | raw[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h


def b36(n: int | None) -> str:
    if n is None:
        return "-"
    if n < 0:
        return "-" + b36(-n)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def encode(state_key: str, body: str) -> str:
    return f"{state_key}|{b36(fnv1a(body))}|{body}"


def decode_body(data: str) -> list[str]:
    key, checksum, body = data.split("|")
    assert b36(fnv1a(body)) == checksum, "checksum mismatch"
    return body.split(".")


def mulberry32(seed: int):
    """The contract's PRNG, for predicting draw/shuffle orders."""
    a = seed & 0xFFFFFFFF

    def imul(x: int, y: int) -> int:
        return (x * y) & 0xFFFFFFFF

    def nxt() -> float:
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(a ^ (a >> 15), 1 | a)
        t = ((t + imul(t ^ (t >> 7), 61 | t)) & 0xFFFFFFFF) ^ t
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def shuffle(items: list, rnd) -> list:
    for i in range(len(items) - 1, 0, -1):
        j = int(rnd() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def arrange(items: list[dict], rnd) -> list[int]:
    """Source indices in the order shown: pinned items stay, the others are shuffled among the rest."""
    free = [k for k, item in enumerate(items) if not item.get("pinned")]
    moved = shuffle(list(free), rnd)
    order = list(range(len(items)))
    for place, k in zip(free, moved):
        order[place] = k
    return order


def quiz_order(quiz: dict, seed: int) -> tuple[list[int], list[list[int]]]:
    rnd = mulberry32(seed)
    qs = list(range(len(quiz["questions"])))
    if quiz.get("draw") is not None:
        qs = shuffle(qs, rnd)[: quiz["draw"]]
        if not quiz.get("shuffle"):
            qs.sort()
    elif quiz.get("shuffle"):
        shuffle(qs, rnd)
    opts = []
    for qi in qs:
        question = quiz["questions"][qi]
        options, kind = question["options"], question["type"]
        if kind == "sequencing":  # always arranged, and never left in the right order
            order = arrange(options, rnd)
            opts.append(order[1:] + order[:1] if order == sorted(order) and len(order) > 1 else order)
        elif quiz.get("shuffle") and kind in ("single", "multiple", "truefalse", "matching"):
            opts.append(arrange(options, rnd))
        else:  # fill-in and likert keep the source's order
            opts.append(list(range(len(options))))
    return qs, opts


def choice_order(scenario: dict, seed: int) -> list[list[int]]:
    """Each node's choices in the order one scenario attempt shows them (one generator, node by node)."""
    rnd = mulberry32(seed)
    return [arrange(n["choices"], rnd) if scenario.get("shuffle") else list(range(len(n["choices"])))
            for n in scenario["nodes"]]
