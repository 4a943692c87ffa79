"""The cmi5 rules an AU's requests and statements must keep, checked the way an LMS would.

Written from the cmi5 specification's text (Quartz, sections 7 to 11). Each rule is named by
its requirement number in ADL's list of cmi5 requirements (the numbering CATAPULT reports), so
a failure points at the sentence of the spec it breaks; `RULES` holds our one-line summary of
each. A `SessionRules` follows one launch session (and the registration it belongs to) and
returns the violations of each request or statement as it arrives, in arrival order: an LMS
judges what reached it, and in what order.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY_CMI5 = CMI5 + "context/categories/cmi5"
CATEGORY_MOVEON = CMI5 + "context/categories/moveon"
SESSION_ID = CMI5 + "context/extensions/sessionid"
MASTERY_SCORE = CMI5 + "context/extensions/masteryscore"
VERBS = {name: f"http://adlnet.gov/expapi/verbs/{name}"
         for name in ("initialized", "completed", "passed", "failed", "terminated")}  # the AU's five
VERB_NAMES = {iri: name for name, iri in VERBS.items()}

RULES = {
    "4.1.0.0-1": "every statement conforms to xAPI (the LRS stores it)",
    "8.1.2.0-5": "every xAPI request carries the token from the fetch URL in its Authorization header",
    "8.1.3.0-3": "the launch actor, unchanged, in every statement and agent parameter",
    "8.1.4.0-3": "the launch registration in every request that takes one",
    "8.1.5.0-6": "cmi5 defined statements are about the launch activityId",
    "8.2.1.0-2": "the token is fetched with a POST to the fetch URL before any statement",
    "9.1.0.0-1": "every statement has its own UUID id",
    "9.3.0.0-2": "no verb twice in a session (cmi5 defined statements)",
    "9.3.0.0-3": "never both passed and failed in a session",
    "9.3.0.0-4": "initialized first",
    "9.3.0.0-5": "terminated last: nothing follows it",
    "9.3.0.0-6": "at most one completed per registration",
    "9.3.0.0-7": "at most one passed per registration",
    "9.3.0.0-8": "no failed after passed in a registration",
    "9.3.4.0-2": "passed only with a scaled score at or above masteryScore",
    "9.3.5.0-2": "failed only with a scaled score below masteryScore",
    "9.5.1.0-2": "a score only on passed or failed",
    "9.5.1.0-3": "a raw score comes with min and max",
    "9.5.1.x": "scaled lies in 0..1 and raw between min and max (xAPI score rules)",
    "9.5.2.0-1": "passed carries success true",
    "9.5.2.0-2": "failed carries success false",
    "9.5.2.0-3": "success only on passed or failed",
    "9.5.3.0-1": "completed carries completion true",
    "9.5.3.0-2": "completion only on completed",
    "9.5.4.1-1": "terminated carries a duration",
    "9.5.4.1-2": "completed carries a duration",
    "9.5.4.1-3": "passed carries a duration",
    "9.5.4.1-4": "failed carries a duration",
    "9.6.1.0-1": "the context carries the registration the LMS gave",
    "9.6.2.0-1": "every contextActivities value of the template, publisher id in grouping included",
    "9.6.2.1-1": "cmi5 defined statements carry the cmi5 category; the AU's five verbs are cmi5 defined",
    "7.1.3": "a statement in the cmi5 category uses one of the AU's five cmi5 verbs",
    "9.6.2.2-1": "the moveOn category on a statement whose result has success or completion",
    "9.6.2.2-2": "no moveOn category on any other statement",
    "9.6.3.1-4": "the session id of the launch in every statement's context",
    "9.6.3.2-2": "the LMS's masteryScore in the context of passed and failed",
    "9.7.0.0-1": "every statement has a timestamp",
    "9.7.0.0-2": "timestamps are in UTC",
    "10.2.1.0-4": "LMS.LaunchData is read before any statement",
    "10.2.1.0-5": "the AU never writes or deletes LMS.LaunchData",
    "10.2.1.0-7": "the context template's values are carried unchanged",
    "10.2.2.0-9": "a Browse launch sends no cmi5 defined statement but initialized and terminated",
    "10.2.2.0-11": "a Review launch sends no cmi5 defined statement but initialized and terminated",
    "11.0.0.0-1": "Agent Profile requests name the launch actor",
    "11.0.0.0-3": "the learner preferences are read before initialized",
    "11.0.0.0-4": "the learner preferences document is cmi5LearnerPreferences",
}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(?P<zone>Z|[+-]\d\d:?\d\d)?$")
DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    statement: str | None = None  # its id, when a statement broke the rule

    def __str__(self) -> str:
        where = f" (statement {self.statement})" if self.statement else ""
        return f"cmi5 {self.rule} {RULES.get(self.rule, '')}: {self.message}{where}"


@dataclass
class Launch:
    """What the LMS handed one launch: the AU must echo it back."""

    session_id: str
    registration: str
    actor: dict
    activity_id: str
    context_template: dict
    launch_mode: str = "Normal"
    mastery_score: float | None = None


@dataclass
class RegistrationRecord:
    """Verbs that count per registration, across its sessions."""

    completed: int = 0
    passed: int = 0


@dataclass
class SessionRules:
    launch: Launch
    registration: RegistrationRecord = field(default_factory=RegistrationRecord)
    fetched: bool = False
    launch_data_read: bool = False
    preferences_read: bool = False
    verbs: list[str] = field(default_factory=list)  # cmi5 defined verbs of this session, in order
    count: int = 0  # statements accepted
    terminated: bool = False

    # --- requests ---------------------------------------------------------------------------

    def authorization(self, header: str | None, token: str) -> list[Violation]:
        if header != f"Basic {token}":
            return [Violation("8.1.2.0-5", f"Authorization was {header!r}" if header else "no Authorization header")]
        return []

    def state_request(self, method: str, params: dict) -> list[Violation]:
        found = self._agent_param(params, "8.1.3.0-3")
        if params.get("registration") != self.launch.registration:
            found.append(Violation("8.1.4.0-3", f"registration={params.get('registration')!r}"))
        if params.get("stateId") == "LMS.LaunchData":
            if method != "GET":
                found.append(Violation("10.2.1.0-5", f"{method} on LMS.LaunchData"))
            elif not found:
                self.launch_data_read = True
        return found

    def profile_request(self, method: str, params: dict) -> list[Violation]:
        found = self._agent_param(params, "11.0.0.0-1")
        if params.get("profileId") != "cmi5LearnerPreferences":
            found.append(Violation("11.0.0.0-4", f"profileId={params.get('profileId')!r}"))
        elif method == "GET" and not found:
            self.preferences_read = True
        return found

    def _agent_param(self, params: dict, rule: str) -> list[Violation]:
        try:
            agent = json.loads(params.get("agent") or "null")
        except ValueError:
            agent = params.get("agent")
        return [] if agent == self.launch.actor else [Violation(rule, f"agent={params.get('agent')!r}")]

    # --- statements -------------------------------------------------------------------------

    def check(self, st: dict) -> list[Violation]:
        """The violations of one statement, judged after every statement accepted before it."""
        sid = st.get("id") if isinstance(st.get("id"), str) else None
        return [Violation(v.rule, v.message, sid) for v in self._checks(st)]

    def statement(self, st: dict) -> list[Violation]:
        """Check one statement and, when it breaks no rule, count it for the rules that follow."""
        found = self.check(st)
        if not found:
            self.accept(st)
        return found

    def snapshot(self) -> tuple:
        """What accepting statements changes, to take back when they could not be stored."""
        return (list(self.verbs), self.count, self.terminated, self.registration.completed, self.registration.passed)

    def restore(self, saved: tuple) -> None:
        verbs, self.count, self.terminated, self.registration.completed, self.registration.passed = saved
        self.verbs = list(verbs)

    def accept(self, st: dict) -> None:
        self.count += 1
        name = VERB_NAMES.get(_get(st, "verb", "id")) if _defined(st) else None
        if name:
            self.verbs.append(name)
            if name == "completed":
                self.registration.completed += 1
            elif name == "passed":
                self.registration.passed += 1
            elif name == "terminated":
                self.terminated = True

    def _checks(self, st: dict):
        launch = self.launch
        verb = _get(st, "verb", "id")
        name = VERB_NAMES.get(verb)
        defined = _defined(st)
        result = st.get("result") if isinstance(st.get("result"), dict) else {}
        context = st.get("context") if isinstance(st.get("context"), dict) else {}
        # The launch sequence: token, launch data and preferences, then initialized, ..., terminated.
        if not self.fetched:
            yield Violation("8.2.1.0-2", "a statement before the fetch URL was POSTed")
        if not self.launch_data_read:
            yield Violation("10.2.1.0-4", "a statement before LMS.LaunchData was read")
        if name == "initialized" and not self.preferences_read:
            yield Violation("11.0.0.0-3", "initialized before the learner preferences were read")
        if self.terminated:
            yield Violation("9.3.0.0-5", f"{_verb_name(verb)} after terminated")
        if self.count == 0 and not (defined and name == "initialized"):
            yield Violation("9.3.0.0-4", f"the session's first statement is {_verb_name(verb)}")
        # Every statement: id, timestamp, actor, registration, the context template.
        if not isinstance(st.get("id"), str) or not UUID.match(st["id"]):
            yield Violation("9.1.0.0-1", f"id {st.get('id')!r} is not a UUID")
        stamp = st.get("timestamp")
        match = TIMESTAMP.match(stamp) if isinstance(stamp, str) else None
        if not stamp:
            yield Violation("9.7.0.0-1", "no timestamp")
        elif not match or (match.group("zone") or "") not in ("Z", "+00:00", "+0000"):
            yield Violation("9.7.0.0-2", f"timestamp {stamp!r} is not in UTC")
        if st.get("actor") != launch.actor:
            yield Violation("8.1.3.0-3", f"actor {json.dumps(st.get('actor'))}")
        if context.get("registration") != launch.registration:
            yield Violation("9.6.1.0-1", f"registration {context.get('registration')!r}")
        if _get(context, "extensions", SESSION_ID) != launch.session_id:
            yield Violation("9.6.3.1-4", f"session id {_get(context, 'extensions', SESSION_ID)!r}")
        yield from _template(context, launch.context_template)
        # What makes a statement cmi5 defined, and what only those may carry.
        categories = _ids(_get(context, "contextActivities", "category"))
        if name and not defined:
            yield Violation("9.6.2.1-1", f"{name} without the cmi5 category")
        if defined and not name:
            yield Violation("7.1.3", f"verb {verb!r} in the cmi5 category")
        moveon_due = "success" in result or "completion" in result
        if defined and moveon_due and CATEGORY_MOVEON not in categories:
            yield Violation("9.6.2.2-1", f"{name} with result success/completion but no moveOn category")
        if CATEGORY_MOVEON in categories and not (defined and moveon_due):
            yield Violation("9.6.2.2-2", f"moveOn category on {_verb_name(verb)}")
        if not (defined and name):
            return
        if _get(st, "object", "id") != launch.activity_id:
            yield Violation("8.1.5.0-6", f"object {_get(st, 'object', 'id')!r}, launch activityId {launch.activity_id!r}")
        if launch.launch_mode in ("Browse", "Review") and name not in ("initialized", "terminated"):
            yield Violation("10.2.2.0-9" if launch.launch_mode == "Browse" else "10.2.2.0-11",
                            f"{name} in a {launch.launch_mode} launch")
        # Order within the session and the registration.
        if name in self.verbs:
            yield Violation("9.3.0.0-2", f"a second {name} in this session")
        if name in ("passed", "failed") and {"passed", "failed"} & set(self.verbs) - {name}:
            yield Violation("9.3.0.0-3", f"{name} after {({'passed', 'failed'} - {name}).pop()} in one session")
        if name == "completed" and self.registration.completed:
            yield Violation("9.3.0.0-6", "a second completed in this registration")
        if name == "passed" and self.registration.passed:
            yield Violation("9.3.0.0-7", "a second passed in this registration")
        if name == "failed" and self.registration.passed:
            yield Violation("9.3.0.0-8", "failed after passed in this registration")
        # The result each verb must or must not carry.
        yield from _result(name, result, context, launch.mastery_score)


def _result(name: str, result: dict, context: dict, mastery: float | None):
    if (result.get("completion") is True) != (name == "completed") or ("completion" in result and name != "completed"):
        rule = "9.5.3.0-1" if name == "completed" else "9.5.3.0-2"
        yield Violation(rule, f"{name} with completion {result.get('completion', 'absent')}")
    want = {"passed": True, "failed": False}.get(name)
    if want is None and "success" in result:
        yield Violation("9.5.2.0-3", f"{name} with success {result['success']}")
    elif want is not None and result.get("success") is not want:
        yield Violation("9.5.2.0-1" if want else "9.5.2.0-2", f"{name} with success {result.get('success', 'absent')}")
    if name in ("terminated", "completed", "passed", "failed"):
        rule = {"terminated": "9.5.4.1-1", "completed": "9.5.4.1-2", "passed": "9.5.4.1-3", "failed": "9.5.4.1-4"}[name]
        duration = result.get("duration")
        if not isinstance(duration, str) or not DURATION.match(duration):
            yield Violation(rule, f"{name} with duration {duration!r}")
    score = result.get("score")
    if score is None:
        return
    if name not in ("passed", "failed"):
        yield Violation("9.5.1.0-2", f"{name} with a score")
        return
    if not isinstance(score, dict):
        yield Violation("9.5.1.x", f"score {score!r}")
        return
    if "raw" in score and not ("min" in score and "max" in score):
        yield Violation("9.5.1.0-3", f"raw {score['raw']} without min and max")
    scaled = _number(score.get("scaled"))
    if "scaled" in score and (scaled is None or not 0 <= scaled <= 1):
        yield Violation("9.5.1.x", f"scaled {score.get('scaled')!r}")
    raw, low, high = (_number(score.get(k)) for k in ("raw", "min", "max"))
    if None not in (raw, low, high) and not low <= raw <= high:
        yield Violation("9.5.1.x", f"raw {raw} outside {low}..{high}")
    if mastery is not None and scaled is not None:
        if name == "passed" and scaled < Decimal(str(mastery)):
            yield Violation("9.3.4.0-2", f"passed with scaled {scaled} below masteryScore {mastery}")
        if name == "failed" and scaled >= Decimal(str(mastery)):
            yield Violation("9.3.5.0-2", f"failed with scaled {scaled} at or above masteryScore {mastery}")
    if mastery is not None and _number(_get(context, "extensions", MASTERY_SCORE)) != Decimal(str(mastery)):
        yield Violation("9.6.3.2-2", f"{name} with masteryScore extension {_get(context, 'extensions', MASTERY_SCORE)!r}")


def _template(context: dict, template: dict, path: str = "context"):
    """Every value of the template, unchanged (lists may gain items, never lose them)."""
    for key, want in template.items():
        got = context.get(key) if isinstance(context, dict) else None
        where = f"{path}.{key}"
        if isinstance(want, dict):
            yield from _template(got if isinstance(got, dict) else {}, want, where)
        elif isinstance(want, list):
            missing = [item for item in want if not isinstance(got, list) or item not in got]
            if missing:
                rule = "9.6.2.0-1" if ".contextActivities." in where else "10.2.1.0-7"
                yield Violation(rule, f"{where} lacks {json.dumps(missing)}")
        elif got != want:
            yield Violation("9.6.3.1-4" if key == SESSION_ID else "10.2.1.0-7", f"{where} is {got!r}, the template says {want!r}")


def _defined(st: dict) -> bool:
    return CATEGORY_CMI5 in _ids(_get(st.get("context") or {}, "contextActivities", "category"))


def _ids(activities) -> list:
    return [a.get("id") for a in activities if isinstance(a, dict)] if isinstance(activities, list) else []


def _get(obj, *keys):
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _verb_name(verb) -> str:
    return VERB_NAMES.get(verb) or str(verb)


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
