"""Synthetic courses for the bench, written by the bench itself into a temp folder.

One scenario shape, written twice from the same graph: as a coursegen course
(Markdown + course.yaml) and in inkle's ink (knots, `* [text] ~ points = ... -> knot`).

Shape (realistic, not trivial):
- a start node, then layers of `width` nodes, then a last layer of endings
  (good / neutral / bad);
- every node has two choices into the next layer and, for about half of the
  nodes, a third that skips a layer; points drawn from 10, 5, 0, -5, -10;
- the flag `careful` is set by a choice of the start node and of the first
  layer; every seventh layer one node has an extra `if=flag.careful` choice
  (and one an `if="not flag.careful"` one) further on;
- node text of two or three sentences, a dialogue line in every third node.

Everything is seeded: the same size always gives the same files.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

SUBJECTS = ["The launch plan", "A customer list", "The pricing sheet", "Your manager", "A journalist",
            "The design lead", "A former colleague", "The sales team", "An unknown caller", "The roadmap"]
VERBS = ["is still open on the shared screen", "comes up in the team chat", "appears in a draft post",
         "is mentioned at the coffee machine", "shows up in a photo from the offsite",
         "is forwarded to a personal address", "lands in the wrong channel", "is printed and left on a desk"]
TAILS = ["Nobody seems to have noticed yet.", "Two people have already reacted to it.",
         "It is Friday afternoon and most of the team has left.", "The meeting starts in five minutes.",
         "Legal asked everyone to be careful this quarter.", "It would only take a minute to fix.",
         "A partner is copied on the thread.", "The post is scheduled to go out at noon."]
ACTIONS = ["Ask the owner to take it down", "Report it to the security team", "Ignore it and carry on",
           "Mention it quietly to your lead", "Forward it to a friend for advice", "Check the policy first",
           "Move the conversation to a private channel", "Post a reply asking for context",
           "Take a screenshot just in case", "Call the person who shared it"]
LINES = ["Honestly, who would even notice?", "Can you help me sort this out before it spreads?",
         "I thought this was already public.", "Let's not make a big deal of it.",
         "Should we tell someone about this?"]
OUTCOMES = ["good", "neutral", "bad"]
POINTS = [10, 5, 5, 0, 0, -5, -10]


@dataclass
class Choice:
    text: str
    to: str
    points: int = 0
    sets: str | None = None
    condition: str | None = None  # "careful" or "not careful"


@dataclass
class Node:
    id: str
    title: str
    text: str
    line: str | None = None
    ending: str | None = None
    choices: list[Choice] = field(default_factory=list)


def scenario_graph(size: int, seed: int = 7) -> list[Node]:
    """A layered scenario of exactly `size` nodes (size >= 4)."""
    rnd = random.Random(seed * 1_000_003 + size)
    width = 3 if size < 50 else 5
    endings = min(width, max(2, size // 4))
    middle = size - 1 - endings
    layers: list[list[str]] = [["start"]]
    count = 0
    while count < middle:
        take = min(width, 2 ** len(layers), middle - count)  # the story opens up: 2, 4, then width
        layers.append([f"n{len(layers)}-{j}" for j in range(take)])
        count += take
    layers.append([f"end-{j}" for j in range(endings)])

    def sentence() -> str:
        return f"{rnd.choice(SUBJECTS)} {rnd.choice(VERBS)}. {rnd.choice(TAILS)}"

    nodes: dict[str, Node] = {}
    for depth, layer in enumerate(layers):
        for j, node_id in enumerate(layer):
            if depth == len(layers) - 1:
                outcome = OUTCOMES[j % 3]
                nodes[node_id] = Node(node_id, f"Outcome {j + 1}", f"{sentence()} {rnd.choice(TAILS)}",
                                      ending=outcome)
                continue
            line = rnd.choice(LINES) if (depth + j) % 3 == 0 else None
            nodes[node_id] = Node(node_id, f"Step {depth}.{j + 1}", f"{sentence()} {sentence()}", line)
    last_middle = len(layers) - 2
    for depth in range(len(layers) - 1):
        here, ahead = layers[depth], layers[depth + 1]
        skip = layers[depth + 2] if depth + 2 < len(layers) else None
        for j, node_id in enumerate(here):
            node = nodes[node_id]
            targets = [ahead[(2 * j) % len(ahead)], ahead[(2 * j + 1) % len(ahead)]]
            if targets[0] == targets[1]:
                targets.pop()
            if skip and (depth + j) % 2 == 0:
                targets.append(skip[(j + 2) % len(skip)])
            actions = rnd.sample(ACTIONS, len(targets) + 1)
            for k, target in enumerate(targets):
                node.choices.append(Choice(actions[k], target, rnd.choice(POINTS)))
            if depth <= 1 and j == 0:
                node.choices[0].sets = "careful"
                node.choices[0].points = max(node.choices[0].points, 5)
            if depth >= 3 and depth % 7 == 3 and j == 0 and depth < last_middle:
                node.choices.append(Choice(actions[-1] + " (you were careful earlier)", ahead[-1], 10,
                                           condition="careful"))
            if depth >= 5 and depth % 7 == 5 and j == len(here) - 1 and depth < last_middle:
                node.choices.append(Choice("Try to make up for the earlier slip", ahead[0], 0,
                                           condition="not careful"))
    return [nodes[n] for layer in layers for n in layer]


# --- coursegen --------------------------------------------------------------------

def scenario_markdown(nodes: list[Node], module_id: str = "synthetic") -> str:
    out = [f"---\nid: {module_id}\ntitle: A Week of Close Calls\nkind: scenario\ncharacters:\n"
           "  sam: { name: Sam, role: Colleague }\n---\n"]
    for node in nodes:
        cls = f" .ending outcome={node.ending}" if node.ending else ""
        out.append(f"# {node.title} {{#{node.id}{cls}}}\n\n{node.text}\n")
        if node.line:
            out.append(f"> [sam] {node.line}\n")
        if node.choices:
            items = []
            for c in node.choices:
                attrs = []
                if c.points:
                    attrs.append(f"points={c.points}")
                if c.sets:
                    attrs.append(f"set={c.sets}")
                if c.condition == "careful":
                    attrs.append("if=flag.careful")
                elif c.condition:
                    attrs.append('if="not flag.careful"')
                tail = "{" + " ".join(attrs) + "}" if attrs else ""
                items.append(f"- [{c.text}](#{c.to}){tail}")
            out.append("\n".join(items) + "\n")
    return "\n".join(out)


def quiz_markdown(questions: int, seed: int = 11, module_id: str = "pool", draw: int = 10) -> str:
    rnd = random.Random(seed * 7919 + questions)
    out = [f"---\nid: {module_id}\ntitle: Question Pool\nkind: quiz\nshuffle: true\n"
           f"draw: {min(draw, questions)}\nattempts: 2\n---\n"]
    for i in range(questions):
        kind = ("single", "multiple", "truefalse")[i % 3]
        subject = rnd.choice(SUBJECTS).lower()
        if kind == "truefalse":
            out.append(f"## It is fine to share {subject} once a colleague has seen it. {{#q{i} type=truefalse points=1}}\n\n"
                       f"- [ ] True\n- [x] False\n")
        else:
            options = rnd.sample(ACTIONS, 4)
            marks = ["x", " ", " ", " "] if kind == "single" else ["x", "x", " ", " "]
            rnd.shuffle(marks)
            lines = "\n".join(f"- [{m}] {o}" for m, o in zip(marks, options))
            out.append(f"## What do you do when {subject} {rnd.choice(VERBS)}? {{#q{i} type={kind} points=1}}\n\n"
                       f"{lines}\n")
        out.append(f"> {rnd.choice(TAILS)} {rnd.choice(TAILS)}\n")
    return "\n".join(out)


def write_course(folder: Path, size: int, questions: int | None, course_id: str) -> Path:
    """A course.yaml with the scenario first (and the quiz pool after it when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes = scenario_graph(size)
    (folder / "scenario.md").write_text(scenario_markdown(nodes), encoding="utf-8")
    modules = ["  - scenario.md"]
    if questions:
        (folder / "quiz.md").write_text(quiz_markdown(questions), encoding="utf-8")
        modules.append("  - quiz.md")
    (folder / "course.yaml").write_text(
        f"id: {course_id}\ntitle: Synthetic course ({size} nodes)\nversion: 1.0.0\nlanguage: en\n"
        f"pass_mark: 60\nmodules:\n" + "\n".join(modules) + "\n"
        "badges:\n  - id: careful-one\n    title: Careful One\n    description: Reached a good ending.\n"
        "    when: module.synthetic.outcome == \"good\"\n", encoding="utf-8")
    return folder / "course.yaml"


# --- ink --------------------------------------------------------------------------

def _knot(node_id: str) -> str:
    return "k_" + node_id.replace("-", "_")


def scenario_ink(nodes: list[Node]) -> str:
    """The same scenario in ink: one knot per node, points and the flag as variables."""
    out = ["VAR points = 0", "VAR careful = false", "", f"-> {_knot(nodes[0].id)}", ""]
    for node in nodes:
        out.append(f"=== {_knot(node.id)} ===")
        out.append(node.title)
        out.append(node.text)
        if node.line:
            out.append(f"Sam: {node.line}")
        if node.ending:
            out.append(f"Outcome: {node.ending}.")
            out.append("-> END")
        for c in node.choices:
            cond = "" if c.condition is None else ("{careful} " if c.condition == "careful" else "{not careful} ")
            out.append(f"* {cond}[{c.text}]")
            if c.points:
                out.append(f"    ~ points = points {'+' if c.points > 0 else '-'} {abs(c.points)}")
            if c.sets:
                out.append(f"    ~ {c.sets} = true")
            out.append(f"    -> {_knot(c.to)}")
        out.append("")
    return "\n".join(out)


def write_ink(path: Path, size: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(scenario_ink(scenario_graph(size)), encoding="utf-8")
    return path


# --- the pathological scenario ------------------------------------------------------

def pathological_markdown(choices: int = 30) -> str:
    """`choices` sequential two-way decisions: 2**choices paths to the endings."""
    out = ["---\nid: thirty-choices\ntitle: Thirty Choices\nkind: scenario\n---\n"]
    for i in range(choices):
        nxt = f"d{i + 1}" if i + 1 < choices else None
        out.append(f"# Decision {i + 1} {{#d{i}}}\n\nAnother small decision in a long day. Take your pick.\n")
        if nxt:
            first = f"- [Take the careful option](#{nxt}){{points={1 + i % 3}{' set=careful' if i == 0 else ''}}}"
            second = f"- [Take the quick option](#{nxt}){{points={-(i % 2)}}}"
            out.append(first + "\n" + second + "\n")
        else:
            out.append("- [Finish carefully](#good){points=2}\n- [Finish quickly](#bad){points=-1}\n"
                       "- [Finish as you started](#good){if=flag.careful points=3}\n")
    out.append("# Well done {#good .ending outcome=good}\n\nEverything is in order.\n")
    out.append("# Oops {#bad .ending outcome=bad}\n\nSomething slipped through.\n")
    return "\n".join(out)


def pathological_max(choices: int = 30) -> int:
    """The best path's points, by hand: the better option at every step."""
    return sum(max(1 + i % 3, -(i % 2)) for i in range(choices - 1)) + 3
