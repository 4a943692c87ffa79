"""The format additions for learners (authoring-format.md, marked "addition to v1"): a
consequence under a choice, pinned choices and options, shuffling by default, quiz
retakes, course objectives, character portraits, and the time estimate of the cover."""
from __future__ import annotations

import json
import math

from repo import REPO

from generator import build
from generator.check import timing, validate
from generator.package import render

COURSE = """\
id: safe-sharing
title: Sharing Safely
version: 1.0.0
objectives:
  - Tell confidential information from public information
  - Keep the office out of your photos
modules:
  - photo.md
  - check.md
"""
PHOTO = """\
---
id: team-photo
title: The Team Photo
kind: scenario
characters:
  maya: { name: Maya, role: Product designer, portrait: faces/maya.svg }
---

# After the workshop {#start}

The whiteboard behind the team still shows the launch plan.

> [maya] Everyone in front of the board!

- [Suggest the lobby](#lobby){points=10}
  > Maya shrugs: the plant in the lobby *is* more photogenic.
- [Take it here](#posted){points=-5}

  The shutter clicks with the whole board in the frame.
- [Ask a colleague what they think](#lobby){.pinned}

# Lobby photo {#lobby .ending outcome=good}

The photo shows a smiling team and nothing else.

# Posted {#posted .ending outcome=bad}

By the evening a competitor has shared the zoomed-in board.
"""
CHECK = """\
---
id: check
title: Check
kind: quiz
retakes: 2
---

## Which of these may you post? {#q-post type=single points=5}

- [ ] The launch date {not yet public}
- [x] The published press release
- [ ] None of the above {.pinned}
"""
FACE = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#47a"/></svg>'


def compiled(write_course, **changes):
    files = {"course.yaml": COURSE, "photo.md": PHOTO, "check.md": CHECK, "faces/maya.svg": FACE}
    files.update(changes)
    folder = write_course(files)
    checked = build.check(folder)
    return checked, render.render(checked.course, checked.analyses)


def test_a_consequence_is_the_indented_text_under_a_choice(write_course):
    checked, rendered = compiled(write_course)
    start = rendered.course_json["modules"][0]["nodes"][0]
    lobby, here, ask = start["choices"]
    assert lobby["consequence"] == "<p>Maya shrugs: the plant in the lobby <em>is</em> more photogenic.</p>"
    assert here["consequence"] == "<p>The shutter clicks with the whole board in the frame.</p>"
    assert "consequence" not in ask  # a v1 choice: nothing shown but the choice and its points
    assert [c.text for c in checked.course.modules[0].nodes[0].choices] == [
        "Suggest the lobby", "Take it here", "Ask a colleague what they think"]


def test_a_consequence_is_checked_like_any_course_text(write_course):
    text = PHOTO.replace("the plant in the lobby *is* more photogenic.", "the <b>plant</b> wins.")
    folder = write_course({"course.yaml": COURSE, "photo.md": text, "check.md": CHECK, "faces/maya.svg": FACE})
    assert build.examine(folder).diagnostics.format(folder) == [
        "photo.md:16:22: error: raw HTML (<b>) is not allowed in course text; write it in Markdown",
        "photo.md:16:30: error: raw HTML (</b>) is not allowed in course text; write it in Markdown"]


def test_pinned_choices_and_options_and_braces_that_stay_text(write_course):
    _, rendered = compiled(write_course)
    photo, quiz = rendered.course_json["modules"]
    assert [c.get("pinned", False) for c in photo["nodes"][0]["choices"]] == [False, False, True]
    options = quiz["questions"][0]["options"]
    assert [o["html"] for o in options] == ["The launch date {not yet public}", "The published press release",
                                            "None of the above"]
    assert [o.get("pinned", False) for o in options] == [False, False, True]


def test_choices_and_quizzes_shuffle_unless_the_author_says_no(write_course):
    _, rendered = compiled(write_course)
    photo, quiz = rendered.course_json["modules"]
    assert (photo["shuffle"], quiz["shuffle"], quiz["retakes"]) == (True, True, 2)
    fixed = PHOTO.replace("kind: scenario\n", "kind: scenario\nshuffle: false\n")
    once = CHECK.replace("retakes: 2\n", "shuffle: false\n")
    _, rendered = compiled(write_course, **{"photo.md": fixed, "check.md": once})
    photo, quiz = rendered.course_json["modules"]
    assert (photo["shuffle"], quiz["shuffle"], quiz["retakes"]) == (False, False, None)  # None: no limit


def test_the_cover_gets_objectives_and_minutes_per_module(write_course):
    checked, rendered = compiled(write_course)
    data = rendered.course_json
    assert data["cover"] is True and data["format"] == 3
    assert data["objectives"] == ["Tell confidential information from public information",
                                  "Keep the office out of your photos"]
    assert [m["minutes"] for m in data["modules"]] == [1, 1]


def test_minutes_follow_words_and_decisions():
    course = build.check(REPO / "course" / "course.yaml")
    lesson = course.course.modules[0]
    counted = sum(timing.words(p.title) + timing.words(p.body.text) for p in lesson.pages)
    assert counted > 500 and timing.module_minutes(lesson) == math.ceil(counted / timing.WORDS_PER_MINUTE)
    scenario = course.course.modules[1]
    best = course.analyses[scenario.id].best
    # Every decision on the best path adds its moment of thought to the reading.
    assert timing.module_minutes(scenario, course.analyses[scenario.id]) * 60 >= \
        len(best.steps) * timing.SECONDS_PER_DECISION
    assert timing.words("Don't post the Q3 launch-plan, Maya's call.") == 7


def test_a_portrait_is_shipped_and_shown_beside_its_characters_lines(write_course):
    _, rendered = compiled(write_course)
    html = rendered.course_json["modules"][0]["nodes"][0]["html"]
    shipped = [p for p in rendered.files if p.startswith("assets/") and p.endswith("-maya.svg")]
    assert len(shipped) == 1 and rendered.files[shipped[0]] == FACE.encode()
    assert (f'<div class="line with-portrait" data-speaker="maya"><img class="portrait" src="{shipped[0]}" '
            'alt="Maya" width="48" height="48"><p class="speaker"><bdi class="name">Maya</bdi>') in html


def test_best_first_counts_only_orders_a_learner_can_predict(write_course):
    checked, _ = compiled(write_course)
    assert validate.best_first(checked.course) == (0, 1)  # shuffled, and the pinned choice is not the best
    fixed = PHOTO.replace("kind: scenario\n", "kind: scenario\nshuffle: false\n")
    checked, _ = compiled(write_course, **{"photo.md": fixed})
    assert validate.best_first(checked.course) == (1, 1)
    assert any("the best choice is shown first in 1 of 1 decisions (100%)" in line
               for line in checked.diagnostics.format())


def test_the_flagship_would_not_lead_with_the_best_choice_even_unshuffled():
    import dataclasses

    course = build.check(REPO / "course" / "course.yaml").course
    assert validate.best_first(course) == (0, 38)
    unshuffled = dataclasses.replace(course, modules=tuple(
        dataclasses.replace(m, shuffle=False) if m.kind == "scenario" else m for m in course.modules))
    leading, total = validate.best_first(unshuffled)
    assert leading * 100 <= validate.BEST_FIRST_SHARE * total, (leading, total)


def test_course_json_round_trips_through_the_launch_page(write_course):
    _, rendered = compiled(write_course)
    page = rendered.files["index.html"].decode()
    embedded = page.split('<script id="course-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded)["modules"][0]["nodes"][0]["choices"][0]["consequence"].startswith("<p>Maya shrugs")


def test_consequences_and_objectives_go_to_translators_and_come_back(write_course):
    from generator.translate import units

    checked, _ = compiled(write_course)
    found = {u.key: u for u in units.units(checked.course)}
    assert found["course#objective.1"].source == "Keep the office out of your photos"
    consequence = found["team-photo#start/choice.0/consequence"]
    assert consequence.source == "Maya shrugs: the plant in the lobby *is* more photogenic."
    assert consequence.location.line == 16 and "What the choice leads to" in consequence.notes[0]
    translated = units.apply(checked.course, {"team-photo#start/choice.0/consequence": "Maya zuckt mit den Schultern.",
                                              "course#objective.1": "Das Büro bleibt aus deinen Fotos"})
    assert translated.modules[0].nodes[0].choices[0].consequence.text == "Maya zuckt mit den Schultern."
    assert [o.text for o in translated.objectives] == ["Tell confidential information from public information",
                                                        "Das Büro bleibt aus deinen Fotos"]


def test_a_portrait_is_a_course_file_like_any_image(tmp_path, write_course):
    # Outside the course root, or a PNG that is text: refused before it is read or shipped.
    (tmp_path.parent / "elsewhere.svg").write_text(FACE, encoding="utf-8")
    outside = PHOTO.replace("portrait: faces/maya.svg", "portrait: ../elsewhere.svg")
    folder = write_course({"course.yaml": COURSE, "photo.md": outside, "check.md": CHECK})
    (problem,) = build.examine(folder).diagnostics.format(folder)
    assert problem.startswith('photo.md:6:57: error: portrait "../elsewhere.svg" is outside the course root')
    fake = PHOTO.replace("faces/maya.svg", "faces/maya.png")
    folder = write_course({"course.yaml": COURSE, "photo.md": fake, "check.md": CHECK, "faces/maya.png": "not a PNG"})
    (problem,) = build.examine(folder).diagnostics.format(folder)
    assert problem.startswith('photo.md:6:57: error: portrait "faces/maya.png" is not an SVG or PNG image')
