"""Every example of the authoring format compiles. docs/authoring-format.md holds the
examples of the authoring format v1 word for word (the format requires that they compile as
written), so the project's own page is the source here: a checkout needs nothing beside it."""
from __future__ import annotations

import re

import yaml

from repo import REPO

from generator import build

LESSON = """---
id: what-is-confidential
title: What is confidential
kind: lesson
---

# Confidential information

Anything the company has not made public.
"""
# The course example's badge names module "incident-response", which its
# module list leaves out; the test supplies a small one and lists it.
INCIDENT = """---
id: incident-response
title: Incident response
kind: scenario
---

# A leak {#start}

A post shows the roadmap.

- [Report it to the security team](#reported){points=5}
- [Wait and see](#ignored)

# Reported {#reported .ending outcome=good}

The post is gone within the hour.

# Ignored {#ignored .ending outcome=bad}

The post spreads.
"""
ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><title>Vault</title><circle cx="4" cy="4" r="3"/></svg>'


DOC = (REPO / "docs" / "authoring-format.md").read_text(encoding="utf-8")


def blocks():
    return re.findall(r"```(yaml|markdown)\n(.*?)```", DOC, re.S)


def examples():
    """The three examples of v1: the course file, a scenario, a quiz (the block after the
    course file lists coursegen's additions; later YAML blocks show an addition's keys)."""
    found = blocks()
    markdown = [block for block in found if block[0] == "markdown"]
    return [found[0], markdown[0], markdown[1]]


def test_the_format_has_its_three_examples_and_the_additions():
    kinds = [kind for kind, _ in blocks()]
    assert kinds[:2] == ["yaml", "yaml"] and kinds.count("markdown") == 2
    # Every further YAML block is an addition's own example (the theme, an attestation):
    # it reads as YAML and each of its keys is named in the page.
    for kind, body in blocks()[2:]:
        if kind == "yaml":
            keys = yaml.safe_load(body)
            assert keys and all(f"`{key}" in DOC for key in keys), keys


def test_every_addition_to_v1_is_a_documented_key():
    additions = yaml.safe_load(blocks()[1][1])
    table = set(re.findall(r"^\| `([a-z_]+)` \|", DOC.split("## 2.")[0], re.M))
    assert additions and set(additions) <= table


def lay_out(tmp_path):
    (course_yaml, scenario, quiz) = [body for _, body in examples()]
    files = {
        "course/course.yaml": course_yaml.replace(
            "  - quizzes/knowledge-check.md\n",
            "  - quizzes/knowledge-check.md\n  - ../scenarios/incident-response.md\n"),
        "course/lessons/what-is-confidential.md": LESSON,
        "course/quizzes/knowledge-check.md": quiz,
        "course/badges/vault-keeper.svg": ICON,
        "scenarios/whiteboard-selfie.md": scenario,
        "scenarios/incident-response.md": INCIDENT,
    }
    for name, body in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(body, encoding="utf-8")
    # The example's course reads ../scenarios/, which it owns as part of its git
    # repository (the default course root), as the flagship does.
    (tmp_path / ".git").mkdir()
    return tmp_path / "course"


def test_every_example_loads_without_errors_or_warnings(tmp_path):
    checked = build.check(lay_out(tmp_path))
    # The scenario example shows set= on its own: no choice of the fragment reads "careful",
    # which coursegen points out (a flag that changes nothing), and nothing else.
    assert [(d.severity, d.location.line, d.message) for d in checked.diagnostics.sorted()] == [
        ("warning", 16, 'flag "careful" is set here but no if= of this scenario reads it, so it changes '
         'nothing: show or hide a choice with if="flag.careful", or remove set=careful')]
    course = checked.course
    assert course.id == "social-media-ip"
    assert [m.id for m in course.modules] == [
        "what-is-confidential", "whiteboard-selfie", "knowledge-check", "incident-response"]
    assert [b.id for b in course.badges] == ["vault-keeper", "first-responder"]


def test_the_scenario_example_is_understood(tmp_path):
    checked = build.check(lay_out(tmp_path))
    scenario = checked.course.module("whiteboard-selfie")
    assert [n.id for n in scenario.nodes] == ["start", "check", "lobby", "posted"]
    start = scenario.nodes[0]
    assert [(c.target, c.points, c.sets) for c in start.choices] == [
        ("lobby", 10, ("careful",)), ("posted", -5, ()), ("check", 5, ())]
    assert [n.outcome for n in scenario.nodes if n.is_ending] == ["good", "bad"]
    assert scenario.characters[0].name == "Maya" and scenario.characters[0].role == "Product designer"
    # Best path: lobby straight away (10) ties with check then lobby (5 + 5).
    assert checked.analyses["whiteboard-selfie"].max_points == 10


def test_the_quiz_example_is_understood(tmp_path):
    quiz = build.check(lay_out(tmp_path)).course.module("knowledge-check")
    assert [(q.id, q.type, q.points) for q in quiz.questions] == [
        ("q-post", "single", 10), ("q-conf", "multiple", 10), ("q-after", "truefalse", 5)]
    assert [o.correct for o in quiz.questions[1].options] == [True, True, False]
    assert quiz.questions[0].explanation.text.startswith("Only information")
    assert (quiz.pass_mark, quiz.shuffle, quiz.draw, quiz.attempts) == (80, True, 3, 2)
    # draw: 3 of 3 questions asks all of them, so unequal points are fine.
    assert quiz.max_points == 25
