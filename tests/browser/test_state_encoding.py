"""suspend_data and the PRNG as the contract defines them, checked against an independent
Python implementation (tests/browser/suspend.py) through what the runtime sends the LMS."""

from __future__ import annotations

from .lmshost import NEXT, answer, choose, lms_log, play, where
from .suspend import b36, choice_order, decode_body, encode, fnv1a, mulberry32, quiz_order
from .sample_walks import LESSON


def last_suspend(page) -> str:
    sets = [e["args"][1] for e in lms_log(page) if e["fn"].endswith("SetValue") and e["args"][0] == "cmi.suspend_data"]
    return sets[-1]


def test_runtime_writes_the_contract_encoding(launch, sample_package, errors):
    page, frame = launch(sample_package, "1.2")
    # The scenario does not shuffle: no seed ("-"); its attempt's path grows one choice at a time.
    expected = [
        ([], "0.0..0"),
        ([NEXT], "0.0..1"),
        ([NEXT], "1.0..0_0_0_-_-_-_"),
        ([choose(1)], "1.0..1_0_5_-_-_-_1"),
        ([choose(0)], "1.0..0_2_0_-_-_-_10"),  # -5 and flag "warned" (bit 1)
        ([choose(1), choose(2)], "1.1..3_3_b_b_3_-_1012"),  # lobby: 11 points, best 11, badge 0 earned
    ]
    for steps, body in expected:
        play(frame, steps)
        data = last_suspend(page)
        assert data == encode("rs01", body), where(frame)
    NEXT(frame)
    quiz = decode_body(last_suspend(page))
    assert quiz[:3] == ["2", "1", "b3"]  # the lesson settles into nothing, the scenario into best 11 at node 3
    a, q, s, seed, best, passed, last = quiz[3].split("_")
    assert (a, q, s, best, passed, last) == ("1", "0", "0", "-", "0", "-")
    assert 0 <= int(seed, 36) < 2**32
    play(frame, [answer("q-single", 1)])
    assert decode_body(last_suspend(page))[3].split("_")[-1] == "2"  # option 1 chosen: mask 0b10
    assert errors == []


def test_python_and_javascript_agree_on_checksum_and_prng(launch, sample_package):
    page, frame = launch(sample_package, "2004")
    for text in ["", "0.0..0", "h\u00e9\U0001F600|x"]:
        assert frame.evaluate("s => CG.state.fnv(s).toString(36)", text) == b36(fnv1a(text))
    for seed in [0, 1, 42, 2**31, 2**32 - 1]:
        rnd = mulberry32(seed)
        assert frame.evaluate("s => { const r = CG.state.mulberry32(s); return [r(), r(), r(), r()]; }", seed) == [
            rnd() for _ in range(4)
        ]


QUIZ = {
    "questions": [{"type": kind, "options": [{}] * n} for kind, n in (
        ("single", 3), ("multiple", 4), ("truefalse", 2), ("single", 5), ("multiple", 3),
        ("matching", 3), ("sequencing", 4), ("sequencing", 2), ("fill-in", 2), ("likert", 5))],
}


def test_draw_and_shuffle_follow_the_contract(launch, sample_package):
    page, frame = launch(sample_package, "2004")
    pinned = {"questions": [{"type": "single", "options": [{}, {}, {"pinned": True}, {}, {"pinned": True}]},
                            {"type": "multiple", "options": [{}] * 3}]}
    for base in (QUIZ, pinned):
        for shuffle, draw in [(False, None), (True, None), (False, 2), (True, 2)]:
            for seed in [7, 123456789, 4294967295]:
                quiz = dict(base, shuffle=shuffle, draw=draw)
                got = frame.evaluate("([q, s]) => CG.state.quizOrder(q, s)", [quiz, seed])
                assert (got["qs"], got["opts"]) == quiz_order(quiz, seed), (shuffle, draw, seed)
                if base is pinned and shuffle:
                    assert all(o[2] == 2 and o[4] == 4 for o, qi in zip(got["opts"], got["qs"]) if qi == 0)


SCENARIO = {"nodes": [{"choices": [{}] * n} for n in (3, 2, 4, 1, 0)] + [{"choices": [{}, {"pinned": True}, {}]}]}


def test_choice_orders_follow_the_contract(launch, sample_package):
    page, frame = launch(sample_package, "2004")
    for shuffle in (False, True):
        for seed in [0, 7, 123456789, 4294967295]:
            scenario = dict(SCENARIO, shuffle=shuffle)
            got = frame.evaluate("([m, s]) => CG.state.choiceOrder(m, s)", [scenario, seed])
            assert got == choice_order(scenario, seed), (shuffle, seed)
            assert got[-1][1] == 1  # the pinned choice keeps its place
    orders = {tuple(map(tuple, choice_order(dict(SCENARIO, shuffle=True), seed))) for seed in range(20)}
    assert len(orders) > 10  # seeds do give learners different orders


def test_shuffled_drawn_quiz_shows_the_predicted_order_and_resumes_it(launch, package_factory, sample_course, errors):
    quiz = sample_course["modules"][2]
    quiz.update(shuffle=True, draw=2, max=20)
    quiz["questions"][2]["points"] = 10  # with draw, every question carries the same points
    sample_course["maxPoints"] = 31
    pkg = package_factory(sample_course)

    page, frame = launch(pkg, "2004")
    play(frame, LESSON + [choose(0), NEXT])
    seed = int(decode_body(last_suspend(page))[3].split("_")[3], 36)
    qs, opts = quiz_order(quiz, seed)
    ids = [quiz["questions"][i]["id"] for i in qs]

    def shown():
        return [e.get_attribute("data-option") for e in frame.query_selector_all("[data-option]")]

    assert where(frame) == f"question:{ids[0]}"
    assert shown() == [f"{ids[0]}:{k}" for k in opts[0]]
    first = quiz["questions"][qs[0]]
    right = [k for k, o in enumerate(first["options"]) if o["correct"]]
    play(frame, [answer(ids[0], *right)])
    assert where(frame) == f"feedback:{ids[0]}"

    page.evaluate("lms.relaunch()")
    frame = page.query_selector("#sco").content_frame()
    frame.wait_for_selector("[data-view]")
    assert where(frame) == f"feedback:{ids[0]}"  # the answered question, with its feedback
    assert frame.locator("h1").inner_text().endswith("Correct")
    NEXT(frame)
    assert where(frame) == f"question:{ids[1]}"
    assert shown() == [f"{ids[1]}:{k}" for k in opts[1]]
    assert errors == []
