"""The test launcher plays the LMS side of cmi5 over HTTP: what it hands an AU, and how it
answers an AU that breaks the rules (no browser here: requests as an AU would make them)."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import zipfile

import pytest

from repo import REPO

from generator import build
from generator.walks.cmi5host import Launcher
from generator.walks.xapi_rules import CATEGORY_CMI5, CATEGORY_MOVEON, SESSION_ID, VERBS


class MemoryLrs:
    """An LRS in a list; `refuse` makes it answer 400 like an LRS given a statement xAPI forbids."""

    def __init__(self):
        self.stored: list[dict] = []
        self.refuse = False

    def put(self, statement: dict) -> None:
        self.post([statement])

    def post(self, statements: list[dict]) -> None:
        if self.refuse and statements:
            raise urllib.error.HTTPError("http://lrs", 400, "Bad Request", {}, None)
        for statement in statements:
            if statement["id"] not in [s["id"] for s in self.stored]:
                self.stored.append(statement)

    def verbs(self) -> list[str]:
        return [s["verb"]["id"].rsplit("/", 1)[-1] for s in self.stored]


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cmi5-launcher")
    path = build.build(REPO / "tests" / "fixtures" / "courses" / "reading-only", ("cmi5",), out).outputs[0]
    with zipfile.ZipFile(path) as archive:
        archive.extractall(out / "pkg")
    return out / "pkg"


def call(url: str, method: str = "GET", body=None, token: str | None = None):
    headers = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Basic {token}"
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode("utf-8")
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8")
        return error.code, json.loads(text) if text.startswith(("{", "[")) else text


class Au:
    """Just enough of an AU to open a session: the launch parameters, the token, the launch data."""

    def __init__(self, session):
        self.session = session
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(session.url).query))
        self.p = query
        self.actor = json.loads(query["actor"])
        self.token = None

    def fetch(self, method="POST"):
        status, body = call(self.p["fetch"], method, {} if method == "POST" else None)
        if status == 200 and "auth-token" in body:
            self.token = body["auth-token"]
        return status, body

    def state(self, state_id="LMS.LaunchData", method="GET", body=None, **changes):
        params = dict({"stateId": state_id, "activityId": self.p["activityId"], "agent": json.dumps(self.actor),
                       "registration": self.p["registration"]}, **changes)
        return call(self.p["endpoint"] + "activities/state?" + urllib.parse.urlencode(params), method, body, self.token)

    def preferences(self):
        params = {"agent": json.dumps(self.actor), "profileId": "cmi5LearnerPreferences"}
        return call(self.p["endpoint"] + "agents/profile?" + urllib.parse.urlencode(params), "GET", None, self.token)

    def ready(self):
        self.fetch()
        self.launch_data = self.state()[1]
        self.preferences()
        return self

    def statement(self, verb, result=None):
        context = json.loads(json.dumps(self.launch_data["contextTemplate"]))
        context["registration"] = self.p["registration"]
        context["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}]
        if result and ("success" in result or "completion" in result):
            context["contextActivities"]["category"].append({"id": CATEGORY_MOVEON})
        st = {"id": str(uuid.uuid4()), "timestamp": "2025-01-01T00:00:00.000Z", "actor": self.actor,
              "verb": {"id": VERBS[verb]}, "object": {"objectType": "Activity", "id": self.p["activityId"]},
              "context": context}
        if result:
            st["result"] = result
        return st

    def send(self, st):
        return call(self.p["endpoint"] + "statements?" + urllib.parse.urlencode({"statementId": st["id"]}), "PUT",
                    st, self.token)


def rules_of(session) -> list[str]:
    return [v.rule for v in session.violations]


def test_a_launch_hands_the_au_what_cmi5_says(package):
    lrs = MemoryLrs()
    with Launcher(package, lrs) as lms:
        session = lms.launch()
        au = Au(session)
        assert set(au.p) == {"endpoint", "fetch", "actor", "registration", "activityId"}
        assert au.p["activityId"] != lms.structure.au_id  # 8.1.5: the LMS's own id, not the publisher's
        assert lrs.verbs() == ["launched"]
        launched = lrs.stored[0]["context"]["extensions"]
        assert launched[SESSION_ID] == session.id and launched["https://w3id.org/xapi/cmi5/context/extensions/moveon"] \
            == "CompletedAndPassed" and launched["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] == 0.8
        assert au.fetch() == (200, {"auth-token": session.auth_token})
        assert au.fetch()[1]["error-code"] == "1"  # one-time URL: never the token twice
        status, data = au.state()
        assert status == 200 and data["launchMode"] == "Normal" and data["moveOn"] == "CompletedAndPassed"
        assert data["masteryScore"] == 0.8
        assert data["contextTemplate"]["contextActivities"]["grouping"][0]["id"] == lms.structure.au_id
        assert au.preferences()[0] == 404  # no preferences set: the AU goes on with its own
        assert au.state("coursegen.state")[0] == 404
        assert au.state("coursegen.state", "PUT", {"s": "x"})[0] == 204 and au.state("coursegen.state")[1] == {"s": "x"}
        assert session.violations == []


def test_statements_are_judged_before_they_reach_the_lrs(package):
    lrs = MemoryLrs()
    with Launcher(package, lrs) as lms:
        session = lms.launch()
        au = Au(session).ready()
        first = au.statement("initialized")
        assert au.send(first)[0] == 204 and au.send(first)[0] == 204  # a retry is stored once
        assert lrs.verbs() == ["launched", "initialized"]
        completed = au.statement("completed", {"completion": True})  # no duration: 9.5.4.1-2
        status, body = au.send(completed)
        assert status == 400 and "9.5.4.1-2" in body["error"]
        assert lrs.verbs() == ["launched", "initialized"] and rules_of(session) == ["9.5.4.1-2"]
        changed = dict(first, timestamp="2025-01-01T00:00:01.000Z")  # another statement, a used id
        assert au.send(changed)[0] == 409 and rules_of(session)[-1] == "9.1.0.0-1"


def test_what_the_lrs_refuses_is_a_violation_too(package):
    lrs = MemoryLrs()
    with Launcher(package, lrs) as lms:
        session = lms.launch()
        au = Au(session).ready()
        lrs.refuse = True
        assert au.send(au.statement("initialized"))[0] == 400
        assert rules_of(session) == ["4.1.0.0-1"]


def test_requests_that_break_the_rules_are_refused(package):
    with Launcher(package, MemoryLrs()) as lms:
        session = lms.launch()
        au = Au(session)
        assert au.fetch("GET")[0] == 405 and rules_of(session) == ["8.2.1.0-2"]
        assert au.state()[0] == 401  # no token yet
        assert [v.rule for v in lms.unattributed] == ["8.1.2.0-5"]
        au.fetch()
        assert au.state(method="PUT", body={"launchMode": "Normal"})[0] == 403
        assert au.state(registration=str(uuid.uuid4()))[0] == 400
        assert rules_of(session)[1:] == ["10.2.1.0-5", "8.1.4.0-3"]
        au.launch_data = {"contextTemplate": {"contextActivities": {}, "extensions": {SESSION_ID: session.id}}}
        status, body = au.send(au.statement("initialized"))  # before LMS.LaunchData was read
        assert status == 400 and "10.2.1.0-4" in body["error"]


def test_a_relaunch_of_an_unfinished_session_records_abandoned(package):
    lrs = MemoryLrs()
    with Launcher(package, lrs) as lms:
        first = lms.launch()
        au = Au(first).ready()
        assert au.send(au.statement("initialized"))[0] == 204
        second = lms.launch(registration=first.registration)
        assert lrs.verbs() == ["launched", "initialized", "abandoned", "launched"]
        assert lrs.stored[2]["context"]["extensions"][SESSION_ID] == first.id
        assert au.send(au.statement("terminated", {"duration": "PT1S"}))[0] == 403  # 9.3.6: nothing after abandoned
        assert second.id != first.id and Au(second).p["activityId"] == au.p["activityId"]  # 8.1.5: same activityId


def test_an_lrs_failing_every_third_request(package):
    with Launcher(package, MemoryLrs(), fail_every=3) as lms:
        au = Au(lms.launch())
        au.fetch()  # the fetch URL is the LMS's, not the LRS's: never failed
        answers = [au.state()[0] for _ in range(6)]
        assert answers == [200, 200, 503, 200, 200, 503] and lms.injected == 2


def test_the_auth_token_is_basic_credentials(package):
    with Launcher(package, MemoryLrs()) as lms:
        au = Au(lms.launch())
        au.fetch()
        user, _, password = base64.b64decode(au.token).decode().partition(":")
        assert user and password
