"""The cmi5 rule checker: a conforming session passes, and every rule, planted broken once,
is caught under its own requirement number (and a test exists for every rule it knows)."""
from __future__ import annotations

import copy
import json
import uuid

import pytest

from generator.walks import xapi_rules
from generator.walks.xapi_rules import (CATEGORY_CMI5, CATEGORY_MOVEON, MASTERY_SCORE, SESSION_ID, VERBS, Launch,
                                        RegistrationRecord, SessionRules)

ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.test", "name": "l-1"}, "name": "Jo"}
ACTIVITY = "https://lms.example.test/activities/au-1"
PUBLISHER = "https://learning.example.com/courses/c/au"
REGISTRATION = "3f2b6a8e-1c4d-4e5f-9a0b-1c2d3e4f5a6b"
TEMPLATE_EXTENSION = "https://lms.example.test/extensions/cohort"


def launch(mode="Normal", mastery=0.8, session=None) -> Launch:
    session = session or str(uuid.uuid4())
    template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": PUBLISHER}]},
                "extensions": {SESSION_ID: session, TEMPLATE_EXTENSION: "spring"}}
    return Launch(session, REGISTRATION, ACTOR, ACTIVITY, template, mode, mastery)


def ready(rules: SessionRules) -> SessionRules:
    rules.fetched = rules.launch_data_read = rules.preferences_read = True
    return rules


def statement(rules: SessionRules, verb: str, result: dict | None = None, defined: bool = True) -> dict:
    """A statement as a conforming AU writes it for this session."""
    context = copy.deepcopy(rules.launch.context_template)
    context["registration"] = REGISTRATION
    activities = context["contextActivities"]
    if defined:
        activities["category"] = [{"id": CATEGORY_CMI5}]
        if result and ("success" in result or "completion" in result):
            activities["category"].append({"id": CATEGORY_MOVEON})
        if verb in ("passed", "failed"):
            context["extensions"][MASTERY_SCORE] = rules.launch.mastery_score
        target = {"objectType": "Activity", "id": ACTIVITY}
        verb_id = VERBS[verb]
    else:
        activities["parent"] = [{"id": ACTIVITY}]
        target = {"objectType": "Activity", "id": PUBLISHER + "/quizzes/q/questions/a"}
        verb_id = "http://adlnet.gov/expapi/verbs/" + verb
    st = {"id": str(uuid.uuid4()), "timestamp": "2025-03-04T10:11:12.345Z", "actor": copy.deepcopy(ACTOR),
          "verb": {"id": verb_id, "display": {"en-US": verb}}, "object": target, "context": context}
    if result is not None:
        st["result"] = copy.deepcopy(result)
    return st


COMPLETED = {"completion": True, "duration": "PT4M2.5S"}
PASSED = {"success": True, "duration": "PT4M3S", "score": {"scaled": 0.85, "raw": 85, "min": 0, "max": 100}}
FAILED = {"success": False, "duration": "PT4M3S", "score": {"scaled": 0.6, "raw": 60, "min": 0, "max": 100}}
TERMINATED = {"duration": "PT5M"}


def conforming(rules: SessionRules, verdict: dict = PASSED) -> list[dict]:
    return [statement(rules, "initialized"),
            statement(rules, "answered", {"response": "1", "success": True}, defined=False),
            statement(rules, "completed", COMPLETED),
            statement(rules, "passed" if verdict["success"] else "failed", verdict),
            statement(rules, "terminated", TERMINATED)]


def violations(rules: SessionRules, statements: list[dict]) -> list:
    found = []
    for st in statements:
        found += rules.statement(st)
    return found


@pytest.mark.parametrize("verdict", [PASSED, FAILED], ids=["passed", "failed"])
def test_a_conforming_session_breaks_no_rule(verdict):
    rules = ready(SessionRules(launch()))
    assert violations(rules, conforming(rules, verdict)) == []
    assert rules.terminated and rules.verbs[0] == "initialized" and rules.verbs[-1] == "terminated"


def test_a_failed_verdict_may_leave_out_its_score():
    rules = ready(SessionRules(launch()))
    scoreless = {"success": False, "duration": "PT1M"}
    assert violations(rules, conforming(rules, scoreless)) == []


def test_review_and_browse_launches_may_send_initialized_and_terminated():
    for mode in ("Review", "Browse"):
        rules = ready(SessionRules(launch(mode)))
        assert violations(rules, [statement(rules, "initialized"), statement(rules, "terminated", TERMINATED)]) == []


# --- planted violations: (rule, how the session is broken) ------------------------------------

def edit(index: int, change):
    """Break statement `index` of the conforming session with `change(statement)`."""
    def plant(rules):
        sts = conforming(rules)
        change(sts[index])
        return sts, index
    return plant


def before(setup):
    """Break the session's set-up before its first statement."""
    def plant(rules):
        setup(rules)
        return conforming(rules), 0
    return plant


def sequence(build, planted: int):
    def plant(rules):
        return build(rules), planted
    return plant


def swap_verb(st, verb):
    st["verb"]["id"] = VERBS[verb]


def drop_category(st, category):
    st["context"]["contextActivities"]["category"] = [c for c in st["context"]["contextActivities"]["category"]
                                                      if c["id"] != category]


PLANTED = {
    "8.2.1.0-2": before(lambda r: setattr(r, "fetched", False)),
    "10.2.1.0-4": before(lambda r: setattr(r, "launch_data_read", False)),
    "11.0.0.0-3": before(lambda r: setattr(r, "preferences_read", False)),
    "9.3.0.0-4": sequence(lambda r: conforming(r)[1:], 0),
    "9.3.0.0-5": sequence(lambda r: conforming(r) + [statement(r, "answered", {"response": "0"}, defined=False)], 5),
    "9.1.0.0-1": edit(1, lambda st: st.update(id="statement-7")),
    "9.7.0.0-1": edit(1, lambda st: st.pop("timestamp")),
    "9.7.0.0-2": edit(2, lambda st: st.update(timestamp="2025-03-04T12:11:12.345+02:00")),
    "8.1.3.0-3": edit(2, lambda st: st["actor"]["account"].update(name="someone-else")),
    "9.6.1.0-1": edit(0, lambda st: st["context"].update(registration=str(uuid.uuid4()))),
    "9.6.3.1-4": edit(4, lambda st: st["context"]["extensions"].pop(SESSION_ID)),
    "9.6.2.0-1": edit(1, lambda st: st["context"]["contextActivities"].pop("grouping")),
    "10.2.1.0-7": edit(2, lambda st: st["context"]["extensions"].update({TEMPLATE_EXTENSION: "autumn"})),
    "9.6.2.1-1": edit(2, lambda st: drop_category(st, CATEGORY_CMI5)),
    "7.1.3": edit(1, lambda st: st["context"]["contextActivities"].update(category=[{"id": CATEGORY_CMI5}])),
    "8.1.5.0-6": edit(2, lambda st: st["object"].update(id=PUBLISHER)),
    "9.3.0.0-2": sequence(lambda r: [statement(r, "initialized"), statement(r, "initialized")], 1),
    "9.3.0.0-3": sequence(lambda r: conforming(r)[:4] + [statement(r, "failed", FAILED)], 4),
    "9.5.3.0-1": edit(2, lambda st: st["result"].pop("completion")),
    "9.5.3.0-2": edit(3, lambda st: st["result"].update(completion=True)),
    "9.5.2.0-1": edit(3, lambda st: st["result"].update(success=False)),
    "9.5.2.0-2": sequence(lambda r: conforming(r)[:3] + [statement(r, "failed", dict(FAILED, success=True))], 3),
    "9.5.2.0-3": edit(2, lambda st: st["result"].update(success=True)),
    "9.5.1.0-2": edit(2, lambda st: st["result"].update(score={"scaled": 1.0})),
    "9.5.1.0-3": edit(3, lambda st: st["result"]["score"].pop("min")),
    "9.5.1.x": edit(3, lambda st: st["result"]["score"].update(scaled=1.5)),
    "9.3.4.0-2": edit(3, lambda st: st["result"].update(score={"scaled": 0.5, "raw": 50, "min": 0, "max": 100})),
    "9.3.5.0-2": sequence(lambda r: conforming(r)[:3] + [statement(r, "failed", dict(
        FAILED, score={"scaled": 0.9, "raw": 90, "min": 0, "max": 100}))], 3),
    "9.6.3.2-2": edit(3, lambda st: st["context"]["extensions"].pop(MASTERY_SCORE)),
    "9.5.4.1-1": edit(4, lambda st: st["result"].pop("duration")),
    "9.5.4.1-2": edit(2, lambda st: st["result"].update(duration="4 minutes")),
    "9.5.4.1-3": edit(3, lambda st: st["result"].pop("duration")),
    "9.5.4.1-4": sequence(lambda r: conforming(r)[:3] + [statement(r, "failed", {"success": False})], 3),
    "9.6.2.2-1": edit(2, lambda st: drop_category(st, CATEGORY_MOVEON)),
    "9.6.2.2-2": edit(4, lambda st: st["context"]["contextActivities"]["category"].append({"id": CATEGORY_MOVEON})),
}


@pytest.mark.parametrize("rule", sorted(PLANTED))
def test_each_planted_violation_is_caught_under_its_rule(rule):
    rules = ready(SessionRules(launch()))
    sts, planted = PLANTED[rule](rules)
    for index, st in enumerate(sts):
        found = rules.statement(st)
        if index < planted:
            assert found == [], f"statement {index} before the planted one: {[str(v) for v in found]}"
        elif index == planted:
            assert rule in {v.rule for v in found}, f"{rule} not caught: {[str(v) for v in found]}"
            assert all(v.statement == st.get("id") for v in found) or "id" not in st or rule == "9.1.0.0-1"
            assert xapi_rules.RULES[rule] in str(found[[v.rule for v in found].index(rule)])
            return
    raise AssertionError("the planted statement was never judged")


def second_session(first_verdict: dict, second: list[str]):
    """Two sessions of one registration; the second sends `second` after initialized."""
    record = RegistrationRecord()
    one = ready(SessionRules(launch(), record))
    assert violations(one, conforming(one, first_verdict)) == []
    two = ready(SessionRules(launch(), record))
    results = {"completed": COMPLETED, "passed": PASSED, "failed": FAILED}
    return two, [statement(two, "initialized")] + [statement(two, v, results[v]) for v in second]


@pytest.mark.parametrize("rule, first, second", [
    ("9.3.0.0-6", PASSED, ["completed"]),
    ("9.3.0.0-7", PASSED, ["passed"]),
    ("9.3.0.0-8", PASSED, ["failed"]),
], ids=["completed-twice", "passed-twice", "failed-after-passed"])
def test_a_registration_counts_across_its_sessions(rule, first, second):
    rules, sts = second_session(first, second)
    assert rules.statement(sts[0]) == []
    assert rule in {v.rule for v in rules.statement(sts[1])}


def test_a_failed_registration_may_pass_in_a_later_session():
    rules, sts = second_session(FAILED, ["passed"])
    assert violations(rules, sts) == []


@pytest.mark.parametrize("mode, rule", [("Review", "10.2.2.0-11"), ("Browse", "10.2.2.0-9")])
def test_review_and_browse_launches_must_not_judge(mode, rule):
    rules = ready(SessionRules(launch(mode)))
    sts = [statement(rules, "initialized"), statement(rules, "completed", COMPLETED)]
    assert rules.statement(sts[0]) == []
    assert rule in {v.rule for v in rules.statement(sts[1])}


# --- requests ----------------------------------------------------------------------------------

def params(**changes) -> dict:
    base = {"activityId": ACTIVITY, "agent": json.dumps(ACTOR), "registration": REGISTRATION, "stateId": "LMS.LaunchData"}
    return dict(base, **changes)


@pytest.mark.parametrize("rule, check", [
    ("8.1.2.0-5", lambda r: r.authorization("Basic d3Jvbmc=", "cmlnaHQ=")),
    ("8.1.2.0-5", lambda r: r.authorization(None, "cmlnaHQ=")),
    ("10.2.1.0-5", lambda r: r.state_request("PUT", params())),
    ("10.2.1.0-5", lambda r: r.state_request("DELETE", params())),
    ("8.1.3.0-3", lambda r: r.state_request("GET", params(agent=json.dumps(dict(ACTOR, name="Other"))))),
    ("8.1.4.0-3", lambda r: r.state_request("GET", params(registration=str(uuid.uuid4())))),
    ("11.0.0.0-1", lambda r: r.profile_request("GET", {"agent": "{}", "profileId": "cmi5LearnerPreferences"})),
    ("11.0.0.0-4", lambda r: r.profile_request("GET", {"agent": json.dumps(ACTOR), "profileId": "preferences"})),
])
def test_each_planted_request_violation_is_caught(rule, check):
    rules = SessionRules(launch())
    assert rule in {v.rule for v in check(rules)}
    assert not rules.launch_data_read and not rules.preferences_read  # a refused read does not count


def test_conforming_requests_pass_and_count():
    rules = SessionRules(launch())
    assert rules.authorization("Basic cmlnaHQ=", "cmlnaHQ=") == []
    assert rules.state_request("GET", params()) == [] and rules.launch_data_read
    assert rules.state_request("PUT", params(stateId="coursegen.state")) == []
    assert rules.profile_request("GET", {"agent": json.dumps(ACTOR), "profileId": "cmi5LearnerPreferences"}) == []
    assert rules.preferences_read


# The launcher's own checks (tests/test_cmi5_launcher.py) plant these through HTTP.
LAUNCHER_RULES = {"4.1.0.0-1"}
REQUEST_RULES = {"8.1.2.0-5", "10.2.1.0-5", "8.1.3.0-3", "8.1.4.0-3", "11.0.0.0-1", "11.0.0.0-4",
                 "9.3.0.0-6", "9.3.0.0-7", "9.3.0.0-8", "10.2.2.0-11", "10.2.2.0-9"}


def test_every_rule_has_a_planted_violation_test():
    assert set(xapi_rules.RULES) == set(PLANTED) | REQUEST_RULES | LAUNCHER_RULES
