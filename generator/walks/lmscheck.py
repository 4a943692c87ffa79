"""What the LMS holds after a walk, held against what the course predicts, and
the call-log rules scorm-again lets through but real LMSs do not
(shared/scorm-notes.md §3)."""
from __future__ import annotations

import re

from .. import build
from ..check import state
from .walker import Walker



def page_problems(where: str, page_state: dict, expected) -> list[str]:
    """What the learner's results page shows against the prediction: its percent and badges."""
    problems = []
    shown = page_state.get("percent")
    if shown is None or int(shown) != expected.percent:
        problems.append(f"{where}: the results show {shown}% but the course predicts {expected.percent}%")
    if sorted(page_state.get("badges", [])) != sorted(expected.badges):
        problems.append(f"{where}: the page shows badges {sorted(page_state.get('badges', []))}, "
                        f"predicted {sorted(expected.badges)}")
    return problems


def check_lms(walker: Walker, page_state: dict, data: dict, log: list[dict], stored: dict | None = None,
              lms: bool = True) -> list[str]:
    """Every difference between the LMS data (and the results page) and the prediction; without
    an LMS (`lms` false: the course ran standalone), between the results page and the prediction.

    `stored` (Moodle-like profile): what reached the LMS server, whose record `data` then is;
    the final write must have arrived, with the session's time and the total time."""
    fmt, expected = walker.fmt, walker.walk.expected
    v12 = fmt == "scorm12"
    # The record first differs at an interaction (a choice's or an answer's): that difference comes
    # first, and the score and status it throws off point at the same line, where to look.
    problems, first = [], None  # standalone, there is no record to hold against the walk
    if lms:
        problems, first = _check_interactions(walker, _numbered(data.get("interactions")), data)
    if lms and first is None:  # 2004 records no points per choice: the resume state's running total does
        problems, first = _check_running(walker, log)
    where = walker.where(first or walker.course.location)
    problems += page_problems(where, page_state, expected)
    if not lms:
        return problems
    core = data.get("core", {}) if v12 else data
    score = core.get("score", {})
    if _number(score.get("raw")) != expected.percent or _number(score.get("min")) != 0 or _number(score.get("max")) != 100:
        problems.append(f"{where}: the LMS holds score raw={score.get('raw')} min={score.get('min')} "
                        f"max={score.get('max')}, predicted raw={expected.percent} min=0 max=100")
    if not v12 and _number(score.get("scaled")) != expected.percent / 100:
        problems.append(f"{where}: the LMS holds score.scaled={score.get('scaled')}, predicted {expected.percent / 100}")
    verdict = "passed" if expected.passed else "failed"
    if v12 and core.get("lesson_status") != verdict:
        problems.append(f"{where}: the LMS holds lesson_status={core.get('lesson_status')}, predicted {verdict}")
    if not v12 and (data.get("completion_status"), data.get("success_status")) != ("completed", verdict):
        problems.append(f"{where}: the LMS holds completion_status={data.get('completion_status')} "
                        f"success_status={data.get('success_status')}, predicted completed/{verdict}")
    problems += _check_objectives(walker, _numbered(data.get("objectives")), where)
    # How the record travelled is no one choice's doing: those point at the course.
    course_where = walker.where(walker.course.location)
    problems += check_call_log(log, fmt, walker.checked, course_where)
    if stored is not None:
        problems += _check_delivery(stored, fmt, course_where)
    return problems


TIMESPAN = {"scorm12": re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$"),
            "scorm2004": re.compile(r"^P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")}


def _check_delivery(stored: dict, fmt: str, where: str) -> list[str]:
    """The final write reached the LMS server, carrying the time (Moodle sends it by beacon)."""
    arrivals, record = stored["arrivals"], stored["record"]
    problems = []
    refused = [a for a in arrivals if not a["accepted"]]
    if refused:
        problems.append(f"{where}: the LMS server refused {len(refused)} write(s), the largest "
                        f"{max(a['bytes'] for a in refused)} bytes (beacons past 64 KiB in flight)")
    if not any(a["kind"] == "terminate" and a["accepted"] for a in arrivals):
        problems.append(f"{where}: the final write (Terminate) never reached the LMS server")
        return problems
    prefix = "cmi.core." if fmt == "scorm12" else "cmi."
    for name in ("session_time", "total_time"):
        value = record.get(prefix + name, "")
        if not TIMESPAN[fmt].match(value) or value in ("", "PT", "P"):
            problems.append(f"{where}: the LMS holds {prefix}{name}={value!r}, not the time of the session")
    return problems


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else number


def _numbered(obj) -> list:
    if isinstance(obj, dict):
        return [obj[k] for k in sorted((k for k in obj if k.isdigit()), key=int)]
    return list(obj or [])


# SCORM 2004 players post the whole record on every write, and the last write must fit one
# beacon: the runtime journals no interaction that would take its estimate of the record past
# RECORD_MAX bytes, each element costing FIELD bytes of framing plus its name and value
# (generator/package/runtime/scorm.js, docs/course-json.md "When data reaches the LMS").
RECORD_MAX, FIELD = 60_000, 92
# What the estimate at the moment of an interaction may differ from the one read back at the
# end: the resume state and location of that moment, elements the LMS may not echo back
# (exit and session_time are write-only in 2004), and a question's pattern, not predicted here.
RECORD_SLACK = 1024
WRITTEN_2004 = re.compile(r"cmi\.(exit|suspend_data|location|session_time|completion_status|success_status"
                          r"|score\.(min|max|raw|scaled)|objectives\.\d+\.(id|success_status|completion_status)"
                          r"|interactions\.\d+\.(id|type|correct_responses\.\d+\.pattern|learner_response|result"
                          r"|timestamp|description))")  # timestamp, description: an attestation's


def _cost(name: str, value: str) -> int:
    return FIELD + len(name) + len(value.encode("utf-8"))


def _flat(obj, prefix: str = "cmi") -> dict[str, str]:
    """scorm-again's nested data model (lists as {"0": ...}) as dotted element names."""
    if not isinstance(obj, dict):
        return {prefix: "" if obj is None else str(obj)}
    out = {}
    for key, value in obj.items():
        out.update(_flat(value, f"{prefix}.{key}"))
    return out


def record_cost(data: dict) -> int:
    """The runtime's estimate of a 2004 record's size in a player's post, from what the LMS holds."""
    return sum(_cost(k, v) for k, v in _flat(data).items() if v != "" and WRITTEN_2004.fullmatch(k))


def _interaction_cost(index: int, want: dict) -> int:
    p = f"cmi.interactions.{index}."
    fields = {"id": want["id"], "type": want["type"], "learner_response": want["response"]}
    if want["result"] is not None:  # a scenario play cut short has none
        fields["result"] = want["result"]
    for k, pattern in enumerate(want.get("patterns", ())):  # a fill-in question writes each accepted answer
        fields[f"correct_responses.{k}.pattern"] = pattern
    return sum(_cost(p + k, str(v)) for k, v in fields.items())


def _check_interactions(walker: Walker, actual: list[dict], data: dict | None = None) -> tuple[list[str], object]:
    """The first interaction that differs from the walk's, and its source location (or None)."""
    v12 = walker.fmt == "scorm12"
    expected = walker.expected_interactions
    for index, want in enumerate(expected):
        if index >= len(actual):
            if not v12 and data is not None and \
                    record_cost(data) + _interaction_cost(index, want) > RECORD_MAX - RECORD_SLACK:
                return [], None  # journaled up to the record's budget (a learner replaying modules again and again)
            return [f"{walker.where(want['source'])}: the LMS holds {len(actual)} interactions, the walk made "
                    f"{len(expected)}; missing from \"{want['id']}\" on"], want["source"]
        got = actual[index]
        response = got.get("student_response" if v12 else "learner_response")
        fields = {"id": got.get("id"), "type": got.get("type"), "response": response, "result": got.get("result") or None}
        wanted = {k: want[k] for k in fields}
        if "weighting" in want:
            fields["weighting"], wanted["weighting"] = _number(got.get("weighting")), want["weighting"]
        if "patterns" in want:  # a question's right response(s), in the version's format
            fields["patterns"] = [c.get("pattern") for c in _numbered(got.get("correct_responses"))]
            wanted["patterns"] = want["patterns"]
        if fields != wanted:
            diffs = ", ".join(f"{k}={fields[k]!r} (predicted {wanted[k]!r})" for k in fields if fields[k] != wanted[k])
            source = _first_differing_step(want, response)
            return [f"{walker.where(source)}: interaction {index} \"{want['id']}\" differs: {diffs}"], source
    if len(actual) > len(expected):
        return [f"{walker.where(walker.course.location)}: the LMS holds {len(actual)} interactions, the walk made "
                f"{len(expected)}"], None
    return [], None


def _first_differing_step(want: dict, response) -> object:
    """Where a SCORM 2004 scenario play's interaction first differs: the decision (or ending)
    the learner's path left the walk's at; for any other interaction, its own line."""
    if "steps" not in want or not isinstance(response, str):
        return want["source"]
    got = response.split(",")
    for number, (token, source) in enumerate(want["steps"]):
        if number >= len(got) or got[number] != token:
            return source
    return want["source"]


INTERACTION_ID = re.compile(r"cmi\.interactions\.(\d+)\.id")


def _check_running(walker: Walker, log: list[dict]) -> tuple[list[str], object]:
    """The first choice or answer after which the resume state the LMS holds (suspend_data)
    differs from the walk's: a scenario's running points, a quiz attempt's score so far.
    The recorded score is clamped to the maximum and 2004 records no points per choice, so a
    choice worth more than the course says shows only here.

    Each save sets its interactions, then suspend_data, in one synchronous run: the first
    suspend_data set once a step's interactions are in is that step's state. A failed call
    leaves writes queued and merged, so a log with one is not read (nor is a step whose save
    wrote no new state, or whose state is not where the walk should be: no guessing)."""
    calls = [e for e in log if e["fn"].endswith("SetValue") and len(e["args"]) == 2]
    if any(e.get("injected") or e["ret"] != "true" for e in calls):
        return [], None
    writes, count = [], 0  # (interactions set before it, suspend_data)
    for e in calls:
        key, value = e["args"]
        if found := INTERACTION_ID.fullmatch(key):
            count = max(count, int(found[1]) + 1)
        elif key == "cmi.suspend_data":
            writes.append((count, value))
    at = 0
    for want in walker.expected_running:
        while at < len(writes) and writes[at][0] < want.interactions:
            at += 1
        scenario = len(want.where) == 1
        # In SCORM 2004 a play's decisions share one count (the play is one interaction, written
        # at its ending): the step's state is the next one there that is where the walk should be.
        held = []
        for probe in range(at, len(writes)):
            if writes[probe][0] != want.interactions:
                break
            state = _field(writes[probe][1], want.module, scenario)
            if state is not None and state[0] == want.where:
                held.append((probe, state[1]))
                if state[1] == want.value:
                    break
        if not held:
            continue
        probe, got = held[-1]
        if got != want.value:
            module = walker.course.modules[want.module]
            what = (f"{held[0][1]} running points in \"{module.id}\"" if scenario
                    else f"an attempt score of {held[0][1]} so far in quiz \"{module.id}\"")
            return [f"{walker.where(want.source)}: after this {'choice' if scenario else 'question'} "
                    f"the LMS's resume state (suspend_data) holds {what}, predicted {want.value}"], want.source
        at = probe + 1
    return [], None


def _field(suspend_data: str, module: int, scenario: bool) -> tuple[tuple, int] | None:
    """Where the learner is in the module they are in, and its running total, read from the
    resume state (docs/course-json.md): a scenario's (node,) and points, a quiz's (attempt,
    position) and score so far. None when the learner is elsewhere or the data is unreadable."""
    try:
        body = suspend_data.split("|")[2].split(".")
        # `current`, with "+" when the learner went back to it from the results
        if int(body[0].removesuffix("+"), 36) != module or len(body) != 4:
            return None
        field = [int(n, 36) for n in body[3].split("_")[:3]]
    except (IndexError, ValueError):
        return None
    if len(field) < 3:
        return None
    return ((field[0],), field[2]) if scenario else ((field[0], field[1]), field[2])


def _check_objectives(walker: Walker, objectives: list[dict], where: str) -> list[str]:
    v12 = walker.fmt == "scorm12"
    earned = set()
    for objective in objectives:
        status = objective.get("status") if v12 else objective.get("success_status")
        if status == "passed":
            earned.add(objective.get("id"))
    predicted = set(walker.walk.expected.badges)
    if earned != predicted:
        return [f"{where}: the LMS holds badge objectives passed for "
                f"{sorted(earned)}, predicted {sorted(predicted)}"]
    return []


def check_call_log(log: list[dict], fmt: str, checked: build.CheckedCourse, where: str) -> list[str]:
    """What scorm-again lets through but real LMSs do not (shared/scorm-notes.md §3)."""
    v12 = fmt == "scorm12"
    initialize, terminate = ("LMSInitialize", "LMSFinish") if v12 else ("Initialize", "Terminate")
    problems = []
    calls = [e for e in log if not e.get("injected")]
    names = [e["fn"] for e in calls]
    # An error query reports the previous call's code; that call is judged itself.
    errors = [e for e in calls if str(e.get("err")) not in ("0", "")
              and not re.search(r"GetLastError|GetErrorString|GetDiagnostic", e["fn"])]
    if errors:
        first = errors[0]
        problems.append(f"{where}: the LMS answered {first['fn']}({', '.join(map(str, first['args']))}) with "
                        f"error {first['err']} ({len(errors)} call(s) with an error)")
    if names.count(initialize) != 1 or names.count(terminate) != 1:
        problems.append(f"{where}: {names.count(initialize)} {initialize} and {names.count(terminate)} "
                        f"{terminate} calls, expected one each")
    elif names.index(terminate) != len(names) - 1:
        problems.append(f"{where}: calls after {terminate}: {names[names.index(terminate) + 1:][:5]}")
    sets = [(e["args"][0], e["args"][1]) for e in calls if e["fn"].endswith("SetValue") and len(e["args"]) == 2]
    limit = state.LIMITS[fmt]
    worst = state.worst_case(checked.course, checked.analyses).total
    # An "other" response (a 2004 scenario play's path) and a typed fill-in answer are free text:
    # only arrays take "[,]".
    free = {key.rsplit(".", 1)[0] for key, value in sets if key.endswith(".type") and value in ("other", "fill-in")}
    for key, value in sets:
        if not isinstance(value, str):
            problems.append(f"{where}: {key} was set to a {type(value).__name__}, not a string")
        elif key == "cmi.suspend_data" and len(value) > min(limit, worst):
            problems.append(f"{where}: suspend_data of {len(value)} characters, over the predicted worst case "
                            f"{worst} (limit {limit})")
        elif v12 and key == "cmi.core.exit" and value not in ("suspend", "logout", "time-out", ""):
            problems.append(f'{where}: cmi.core.exit="{value}" is not a SCORM 1.2 value')
        elif not v12 and key.endswith("learner_response") and "," in value.replace("[,]", "") \
                and key.rsplit(".", 1)[0] not in free:
            problems.append(f'{where}: 2004 response "{value}" joins with "," instead of "[,]"')
        elif key.endswith(".id") and " " in value:
            problems.append(f'{where}: identifier "{value}" holds a space')
    keys = {key for key, _ in sets}
    time_key = "cmi.core.session_time" if v12 else "cmi.session_time"
    if time_key not in keys:
        problems.append(f"{where}: {time_key} was never set")
    return problems


