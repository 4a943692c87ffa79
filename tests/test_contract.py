"""The executable contract of the course rules: every case in tests/contract/*.yaml runs
through the learner's runtime (engine.js under node, tests/contract/engine.js) and through
the Python predictions (tests/contract_python.py), and both must give what the case says.

A case file holds one course (its files, inline) and its cases. A case is a list of
learner actions and what must hold after them (`expect`), or at any point on the way
(`check: {...}`). Actions: `choose N` (a choice by its source position), `answer QID right`,
`answer QID wrong`, `answer QID 0,2` (the options ticked), `next`, `back`, `replay`,
`again MODULE-ID` (from the results, back to a module below target: "Replay" or "Review and
retake"), `attest` / `decline` (on an attestation's last page: confirm the statement and move on,
or try to move on without), `resume` (the runtime writes its resume data, reads it back and carries on from it).
What can be expected:

    points       running points of the scenario attempt under way (null elsewhere)
    shown        the choices shown at the current node, by source position
    order        the same choices in the order shown (the attempt's seed arranges them)
    offered      the modules the results offer to go back to, by id
    score, percent, completed, passed, badges      the course's
    modules      {module id: {score, percent, outcome, passed, finished}} (any subset)
    state        the resume data's body (docs/course-json.md, "Resume state")
    interactions "ID RESULT" of every interaction so far (SCORM 1.2 words)
"""
from __future__ import annotations

import copy
import shutil
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

import runtime_node
from contract_python import CaseError, Learner
from runtime_node import RUNTIME
from generator import build
from generator.package import render

CONTRACT = Path(__file__).resolve().parent / "contract"
SEEDS = list(range(1, 41))  # what crypto answers, in turn, unless a case names its seeds
KEYS = {"points", "shown", "order", "offered", "score", "percent", "completed", "passed", "badges", "modules", "state",
        "interactions"}


def case_files() -> list[Path]:
    return sorted(CONTRACT.glob("*.yaml"))


def cases() -> list[tuple[str, dict, dict]]:
    """(id, case, the file's data) for every case."""
    found = []
    for path in case_files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            found.append((f"{path.stem}: {case['name']}", case, data | {"file": path.stem}))
    return found


CASES = cases()


@lru_cache(maxsize=None)
def compiled(stem: str, tmp: str):
    """The file's course checked, and its course JSON. `maximum: {scenario: N}` overrides a
    scenario's maximum on both sides, as a course JSON out of step with its own paths would."""
    data = yaml.safe_load((CONTRACT / f"{stem}.yaml").read_text(encoding="utf-8"))
    folder = Path(tmp) / stem
    for name, text in data["course"].items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    checked = build.check(folder)
    course_json = render.render(checked.course, checked.analyses).course_json
    for module_id, maximum in data.get("maximum", {}).items():
        found = copy.copy(checked.analyses[module_id])
        found.max_points = maximum
        checked.analyses[module_id] = found
        next(m for m in course_json["modules"] if m["id"] == module_id)["max"] = maximum
        course_json["maxPoints"] = sum(m["max"] for m in course_json["modules"])
    return checked, course_json


def steps(case: dict) -> list:
    """The case's actions, parsed: (op, argument) and ("check", expectation); `expect` last."""
    parsed = []
    for action in case["play"]:
        if isinstance(action, dict):
            (op, expectation), = action.items()
            assert op == "check" and set(expectation) <= KEYS, action
            parsed.append(("check", expectation))
            continue
        op, _, rest = action.partition(" ")
        if op == "choose":
            parsed.append((op, int(rest)))
        elif op == "answer":
            question, _, how = rest.partition(" ")
            if how.startswith("text:"):  # a fill-in answer, typed as it stands after the colon
                parsed.append((op, (question, how[len("text:"):])))
            else:
                parsed.append((op, (question, {"right": True, "wrong": False, "partial": "partial"}.get(how)
                                    if how in ("right", "wrong", "partial") else [int(k) for k in how.split(",")])))
        elif op == "again":
            parsed.append((op, rest))
        else:
            assert op in ("next", "back", "replay", "resume", "attest", "decline") and not rest, action
            parsed.append((op, None))
    assert set(case["expect"]) <= KEYS, case["expect"]
    return parsed + [("check", case["expect"])]


def python_side(checked, case: dict) -> tuple[list[dict], list]:
    """What the Python predictions say at each check, and the actions for the runtime."""
    learner, seen, actions = Learner(checked, case.get("seeds", SEEDS)), [], []
    for op, argument in steps(case):
        if op == "check":
            seen.append(learner.snapshot(set(argument)))
            actions.append({"op": "check"})
        elif op == "answer":
            picks, response = learner.answer(*argument)
            actions.append({"op": op, "question": argument[0], "picks": picks, "response": response})
        elif op == "choose":
            learner.choose(argument)
            actions.append({"op": op, "choice": argument})
        elif op == "resume":
            actions.append({"op": op})  # the Python side keeps no state of its own to carry over
        elif op in ("attest", "decline"):
            learner.attest(op == "attest")
            actions.append({"op": op})
        elif op == "again":
            learner.again(argument)
            actions.append({"op": op, "module": argument})
        else:
            getattr(learner, op)()
            actions.append({"op": op})
    return seen, actions


def run_engine(jobs: list[dict], runtime: Path = RUNTIME) -> list[dict]:
    return runtime_node.run(jobs, runtime)


def expected_checks(case: dict) -> list[dict]:
    return [argument for op, argument in steps(case) if op == "check"]


def differences(side: str, expected: list[dict], seen: list[dict]) -> list[str]:
    found = []
    for number, (want, got) in enumerate(zip(expected, seen), 1):
        where = "expect" if number == len(expected) else f"check {number}"
        for key, value in want.items():
            actual = got.get(key)
            if key == "modules":
                actual = {m: {k: actual[m][k] for k in fields} for m, fields in value.items()}
            if key == "badges":
                actual, value = sorted(actual), sorted(value)
            if actual != value:
                found.append(f"{side}, {where}: {key} is {actual!r}, the case says {value!r}")
    return found


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Both sides for every case: the runtime's in one node run."""
    tmp = str(tmp_path_factory.mktemp("contract"))
    python, jobs = {}, []
    for name, case, data in CASES:
        checked, course_json = compiled(data["file"], tmp)
        try:
            python[name] = python_side(checked, case)
        except CaseError as problem:
            python[name] = (str(problem), None)
        actions = python[name][1] or []
        jobs.append({"course": course_json, "seeds": case.get("seeds", SEEDS), "actions": actions})
    engine = dict(zip((name for name, _, _ in CASES), run_engine(jobs)))
    return {"python": python, "engine": engine, "jobs": dict(zip((n for n, _, _ in CASES), jobs))}


def test_the_contract_has_at_least_40_cases_over_every_rule():
    assert len(CASES) >= 40
    files = {path.stem for path in case_files()}
    for topic in ("floor", "loops", "flags", "unknown-values", "quiz-attempts", "quiz-draw", "badges", "verdict",
                  "resume", "replay", "percent", "lessons", "interactions", "clamp", "again", "shuffle", "question-types"):
        assert topic in files, f"no contract cases for {topic}"


@pytest.mark.parametrize("name", [name for name, _, _ in CASES])
def test_case(name, results):
    case = next(case for n, case, _ in CASES if n == name)
    expected = expected_checks(case)
    python_seen, _ = results["python"][name]
    engine = results["engine"][name]
    problems = []
    if isinstance(python_seen, str):
        problems.append(f"python: {python_seen}")
    else:
        problems += differences("python", expected, python_seen)
    if "error" in engine:
        problems.append(f"runtime: {engine['error']}")
    else:
        problems += differences("runtime", expected, engine["checks"])
    assert not problems, "\n".join(problems)


# --- each side's floor and clamp are held by at least one case, on that side only --------------

def _mutated_runtime(tmp_path: Path, old: str, new: str) -> Path:
    copy = tmp_path / "runtime"
    shutil.copytree(RUNTIME, copy)
    engine = copy / "engine.js"
    code = engine.read_text(encoding="utf-8")
    assert code.count(old) == 1, old
    engine.write_text(code.replace(old, new), encoding="utf-8")
    return copy


def _failing(results, side_checks) -> list[str]:
    failing = []
    for name, case, _ in CASES:
        seen = side_checks(name)
        if isinstance(seen, str) or differences("", expected_checks(case), seen):
            failing.append(name)
    return failing


RUNTIME_MUTATIONS = {
    "running floor at -max, as before": ("x.p = Math.max(x.p + c.points, m.floor);",
                                         "x.p = Math.max(x.p + c.points, -m.max);"),
    "no floor at 0 for the score": ("return Math.min(m.max, Math.max(0, points));", "return Math.min(m.max, points);"),
    "no clamp at the maximum": ("return Math.min(m.max, Math.max(0, points));", "return Math.max(0, points);"),
}


@pytest.mark.parametrize("mutation", list(RUNTIME_MUTATIONS))
def test_a_changed_runtime_rule_fails_a_case_on_the_runtime_side_only(mutation, results, tmp_path):
    runtime = _mutated_runtime(tmp_path, *RUNTIME_MUTATIONS[mutation])
    names = [name for name, _, _ in CASES]
    mutated = dict(zip(names, run_engine([results["jobs"][n] for n in names], runtime)))
    broken = _failing(results, lambda n: mutated[n].get("error") or mutated[n]["checks"])
    assert broken, f"no case notices the runtime with {mutation}"
    # The Python side is untouched and still agrees with every case.
    assert _failing(results, lambda n: results["python"][n][0]) == []


PYTHON_MUTATIONS = {
    "no floor at 0 for the score": ("scenario_score", lambda points, maximum: min(maximum, points)),
    "no clamp at the maximum": ("scenario_score", lambda points, maximum: max(0, points)),
}


@pytest.mark.parametrize("mutation", list(PYTHON_MUTATIONS) + ["running floor at -max, as before"])
def test_a_changed_python_rule_fails_a_case_on_the_python_side_only(mutation, results, tmp_path, monkeypatch):
    from generator import rules
    from generator.check import analysis

    if mutation in PYTHON_MUTATIONS:
        name, rule = PYTHON_MUTATIONS[mutation]
        monkeypatch.setattr(rules, name, rule)
    else:
        analyse = analysis.analyse

        def at_minus_max(scenario):
            found = analyse(scenario)
            found.floor = -found.max_points
            return found

        monkeypatch.setattr(analysis, "analyse", at_minus_max)
    compiled.cache_clear()
    tmp = tmp_path / "mutated"
    python = {}
    for name, case, data in CASES:
        checked, _ = compiled(data["file"], str(tmp))
        try:
            python[name] = python_side(checked, case)[0]
        except CaseError as problem:
            python[name] = str(problem)
    compiled.cache_clear()
    assert _failing(results, lambda n: python[n]), f"no case notices the Python side with {mutation}"
    # The runtime is untouched and still agrees with every case.
    assert _failing(results, lambda n: results["engine"][n].get("error") or results["engine"][n]["checks"]) == []


def test_the_engine_needs_no_dom():
    """The sandbox has no document at all, so every case above already proves it; this says why."""
    for name in ("state.js", "expr.js", "engine.js"):
        assert "document" not in (RUNTIME / name).read_text(encoding="utf-8"), name


def test_the_runtime_never_reports_a_percent_above_100(tmp_path):
    """A course JSON whose course maximum is below its modules' (5 against 10) still reports 100."""
    _, course_json = compiled("clamp", str(tmp_path))
    course_json = copy.deepcopy(course_json) | {"maxPoints": 5}
    job = {"course": course_json, "seeds": [], "actions": [{"op": "choose", "choice": 0}, {"op": "check"}]}
    (played,) = run_engine([job])
    assert (played["checks"][0]["score"], played["checks"][0]["percent"]) == (10, 100)
    unguarded = _mutated_runtime(tmp_path, "Math.min(100, Math.floor(score * 100 / max))", "Math.floor(score * 100 / max)")
    (played,) = run_engine([job], unguarded)
    assert played["checks"][0]["percent"] == 200
