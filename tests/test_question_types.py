"""Matching, sequencing, fill-in and likert questions (additions to v1): how they are read,
what `check` refuses, how they score, what the course JSON and the resume state hold, and
walks in both SCORM versions with every answer pattern, the LMS records checked."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from repo import REPO

from generator import build, rules
from generator.check import state
from generator.package import render
from generator.translate import units
from generator.walks import plan, runner
from generator.walks.walker import Walker
from views import AXE, Keyboard, axe, launch, served_packages

COURSE = REPO / "tests" / "fixtures" / "courses" / "question-types"


def quiz_of(tmp_path: Path, body: str):
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "course.yaml").write_text("id: t\ntitle: T\nversion: 1.0.0\nmodules: [q.md]\n", encoding="utf-8")
    (tmp_path / "q.md").write_text("---\nid: q\ntitle: Q\nkind: quiz\n---\n\n" + textwrap.dedent(body), encoding="utf-8")
    return build.check(tmp_path)


@pytest.fixture(scope="module")
def checked():
    return build.check(COURSE)


def question(checked, qid):
    return next(q for q in checked.course.modules[0].questions if q.id == qid)


def test_each_type_is_read_into_its_list(checked):
    order, where, desk, sure = checked.course.modules[0].questions
    assert (order.type, [o.text for o in order.options]) == ("sequencing", [
        "Stop and keep the evidence", "Report it to the security desk", "Tell your manager",
        "Write down what you saw and when"])
    assert [(o.text, o.target) for o in where.options][0] == ("A journalist asks about the launch", "Press office")
    assert where.targets == ("Ethics line", "Press office", "Security desk")  # sorted: no order gives it away
    assert [o.text for o in desk.options] == ["Security desk", "Security"]
    assert (sure.type, sure.points, len(sure.options), sure.scored) == ("likert", 0, 4, False)
    assert checked.course.modules[0].max_points == 9  # 4 + 3 + 2, the likert question counts nothing


def test_a_matching_pair_keeps_where_its_match_is_written(tmp_path):
    found = quiz_of(tmp_path, """\
        ## Where? {#q-where type=matching points=2}

        - A call -> Press office
        - A post → Ethics line
        """)
    first, second = found.course.modules[0].questions[0].options
    assert (second.text, second.target) == ("A post", "Ethics line")  # the arrow may be "→"
    assert (first.location.line, first.location.column, first.target_location.column) == (9, 3, 13)


def test_a_fill_in_answer_is_compared_without_case_spaces_or_accents():
    assert rules.normalise_answer("  Sécurité   DESK ") == "securite desk"
    assert rules.normalise_answer("Ça\tva") == "ca va"
    assert rules.normalise_answer("Security desks") != rules.normalise_answer("Security desk")


def test_partial_credit_is_points_times_parts_right_over_parts_rounded_down(checked):
    order, where = question(checked, "q-order"), question(checked, "q-where")
    assert rules.question_points(order, (0, 1, 2, 3)) == 4
    assert rules.question_points(order, (0, 1, 3, 2)) == 2  # two steps of four in place
    assert rules.question_points(order, (0, 2, 3, 1)) == 1
    assert rules.question_points(order, (1, 2, 3, 0)) == 0
    assert rules.question_points(where, (1, 2, 0)) == 3
    assert rules.question_points(where, (1, 0, 1)) == 1  # one match of three
    assert not rules.answer_right(where, (1, 0, 1)) and rules.answer_right(where, (1, 2, 0))
    desk, sure = question(checked, "q-desk"), question(checked, "q-sure")
    assert rules.question_points(desk, " security ") == 2 and rules.question_points(desk, "desk") == 0
    assert rules.question_points(sure, 3) == 0 and not rules.answer_right(sure, 3)


def test_the_walks_answer_right_wrong_and_partly_right(checked):
    order, where, desk = question(checked, "q-order"), question(checked, "q-where"), question(checked, "q-desk")
    for q in (order, where):
        points = [rules.question_points(q, plan.answer(q, how)) for how in (True, "partial", False)]
        assert points[0] == q.points and 0 < points[1] < q.points and points[2] == 0, q.id
    assert plan.answer(desk, "partial") is None  # all or nothing
    names = [p.attempts[0].name for p in plan.quiz_variants(checked.course.modules[0], 50)]
    assert "partly right" in names


def test_the_course_json_holds_what_the_runtime_needs(checked):
    data = render.render(checked.course, checked.analyses).course_json
    questions = {q["id"]: q for q in data["modules"][0]["questions"]}
    assert [o["match"] for o in questions["q-where"]["options"]] == [1, 2, 0]
    assert [t["text"] for t in questions["q-where"]["targets"]] == ["Ethics line", "Press office", "Security desk"]
    assert [(o["text"], o["accept"]) for o in questions["q-desk"]["options"]] == [
        ("Security desk", "security desk"), ("Security", "security")]
    assert questions["q-sure"]["points"] == 0 and data["maxPoints"] == 9


def test_a_translation_keeps_the_order_of_the_matches_so_every_language_records_the_same(checked):
    # Translated so that the matches sort the other way round: the list the learner picks from
    # keeps the source's order, and each situation's right match keeps its index (its SCORM
    # response and pattern, which docs/translation.md promises are the same in every language).
    words = {"Press office": "Zentrale Pressestelle", "Security desk": "Abteilung Sicherheit", "Ethics line": "Meldestelle"}
    texts = {u.key: words[u.source] for u in units.units(checked.course) if u.key.startswith("check#q-where/")
             and u.key.endswith("/target")}
    source, translated = question(checked, "q-where"), question(build.CheckedCourse(
        units.apply(checked.course, texts), checked.analyses, checked.diagnostics), "q-where")
    assert translated.targets == ("Meldestelle", "Zentrale Pressestelle", "Abteilung Sicherheit")
    for right in (True, False, "partial"):
        assert rules.sample_response(translated, right) == rules.sample_response(source, right)
        assert rules.right_parts(translated, rules.sample_response(source, right)) == \
            rules.right_parts(source, rules.sample_response(source, right))


def test_the_resume_state_bound_covers_each_types_last_answer(checked):
    quiz = checked.course.modules[0]
    widths = {q.id: state.last_width(q) for q in quiz.questions}
    assert widths == {"q-order": 4, "q-where": 3, "q-desk": 1, "q-sure": 1}
    longest = state.quiz_field(1, 3, 9, 4294967295, 9, True, [3, 2, 1, 0])
    assert len(longest) <= state.worst_case(checked.course, checked.analyses).by_module["check"]


def test_the_state_key_changes_with_a_listed_questions_type(tmp_path):
    a = quiz_of(tmp_path / "a", "## Q {#q type=sequencing}\n\n1. One\n2. Two\n")
    b = quiz_of(tmp_path / "b", "## Q {#q type=likert}\n\n- One\n- Two\n")
    assert state.state_key(a.course) != state.state_key(b.course)


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    return runner.run(COURSE, ("scorm12", "scorm2004"), workers=2, artifacts=tmp_path_factory.mktemp("types"))


def records(result) -> list[dict]:
    found = result.lms.get("interactions") or {}
    return [found[k] for k in sorted((k for k in found if k.isdigit()), key=int)]


def test_walks_record_every_type_right_wrong_and_partly_right_in_both_versions(walked):
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in walked.results for f in r.failures]
    assert not failures, "\n".join(failures)
    for fmt in ("scorm12", "scorm2004"):
        seen = {}
        for result in (r for r in walked.results if r.fmt == fmt):
            for record in records(result):
                response = record.get("student_response" if fmt == "scorm12" else "learner_response")
                patterns = [c["pattern"] for k, c in sorted((record.get("correct_responses") or {}).items())
                            if k.isdigit()]
                seen.setdefault(record["id"], set()).add((record["type"], response, record["result"],
                                                          str(record.get("weighting") or None), tuple(patterns)))
        wrong = "wrong" if fmt == "scorm12" else "incorrect"
        w = (lambda n: str(n)) if fmt == "scorm12" else (lambda n: "None")  # 2004 records no weighting
        c, d = (",", ".") if fmt == "scorm12" else ("[,]", "[.]")
        order = c.join("0123")
        assert ("sequencing", order, "correct", w(4), (order,)) in seen["check__q-order"]
        assert ("sequencing", c.join("1230"), wrong, w(4), (order,)) in seen["check__q-order"]
        assert ("sequencing", c.join("0132"), wrong, w(4), (order,)) in seen["check__q-order"]  # partly right
        right = c.join(f"{k}{d}{t}" for k, t in enumerate((1, 2, 0)))
        assert ("matching", right, "correct", w(3), (right,)) in seen["check__q-where"]
        assert ("matching", c.join(f"{k}{d}{t}" for k, t in enumerate((1, 0, 1))), wrong, w(3), (right,)) \
            in seen["check__q-where"]
        accepted = ("Security desk", "Security")
        assert ("fill-in", "SECURITY DESK", "correct", w(2), accepted) in seen["check__q-desk"]
        assert ("fill-in", "I am not sure", wrong, w(2), accepted) in seen["check__q-desk"]
        assert {(t, r, res, w) for t, r, res, w, _ in seen["check__q-sure"]} == {
            ("likert", "3", "neutral", w(0)), ("likert", "0", "neutral", w(0))}
        assert all(p == () for *_, p in seen["check__q-sure"])  # no right answer to record


def test_a_partly_right_walk_scores_the_partial_points(walked):
    scores = {p.score for p in walked.predictions.values()}
    assert 2 + 1 + 2 in scores  # sequence 2 of 4, matching 1 of 3, fill-in 2: the partly right walk


# --- keyboard and screen readers -----------------------------------------------------------------

@pytest.fixture(scope="module")
def host(tmp_path_factory):
    with served_packages(COURSE, ("scorm12", "scorm2004"), tmp_path_factory.mktemp("types-a11y")) as served:
        yield served


def played(checked, policy: str):
    """The walk whose quiz attempt answers by this policy."""
    return next(w for w in plan.walks(checked.course, checked.analyses) if w.plays[0].attempts[0].name == policy)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("policy", ["all right", "partly right"])
def test_every_type_can_be_answered_with_the_keyboard_alone(fmt, policy, host, checked):
    chosen = played(checked, policy)
    page, frame, errors = launch(host, fmt, reduced_motion="reduce")
    Keyboard(page, frame).play(Walker(checked, chosen, fmt, Path.cwd()))
    assert int(frame.get_attribute("[data-percent]", "data-percent")) == chosen.expected.percent
    assert errors == []


def test_axe_finds_no_wcag_violation_on_any_types_question_or_feedback(host, checked):
    page, frame, errors = launch(host, "scorm2004", bypass_csp=True, reduced_motion="reduce")
    found: dict[str, list[str]] = {}

    def check(view):
        if view in ("question", "feedback"):
            kind = view + " " + frame.get_attribute("[data-view]", "data-question")
            if kind not in found:
                frame.add_script_tag(path=str(AXE))
                found[kind] = axe(frame)

    partly = played(checked, "partly right")
    Keyboard(page, frame, check).play(Walker(checked, partly, "scorm2004", Path.cwd()))
    assert len(found) >= 7, found  # the last feedback is checked when the results come
    assert {kind: problems for kind, problems in found.items() if problems} == {}
    assert errors == []


def test_paths_json_lists_what_each_type_earns_right_partly_and_wrong(checked):
    quiz, = build.paths_report(checked)["quizzes"]
    earned = {q["id"]: {name: a["points"] for name, a in q["answers"].items()} for q in quiz["questions"]}
    assert earned == {"q-order": {"right": 4, "partial": 2, "wrong": 0}, "q-where": {"right": 3, "partial": 1, "wrong": 0},
                      "q-desk": {"right": 2, "wrong": 0}, "q-sure": {"right": 0, "wrong": 0}}
    assert json.loads(json.dumps(quiz))["questions"][2]["answers"]["right"]["response"] == "  SECURITY DESK  "


def test_the_runtime_reads_back_each_types_last_answer_and_refuses_impossible_ones(checked):
    import runtime_node
    course = checked.course
    data = render.render(course, checked.analyses).course_json

    def at(position, last):  # shuffle is off: position k asks question k
        return state.suspend_data(course, 0, "", state.quiz_field(1, position, 0, 7, None, False, last))

    read = [r["state"] for r in runtime_node.run([{"course": data, "decode": d} for d in (
        at(0, [1, 0, 3, 2]), at(1, [2, 2, 0]), at(2, 2), at(3, 3),  # readable
        at(0, [1, 1, 3, 2]), at(1, [3, 0, 0]), at(2, 3), at(3, 4), at(0, [0, 1, 2]))])]
    assert [r["mods"][0]["l"] for r in read[:4]] == [[1, 0, 3, 2], [2, 2, 0], 2, 3]
    # a step twice, a match that is not one, an accepted answer past the list, a point off the scale, a step short
    assert read[4:] == [None] * 5
