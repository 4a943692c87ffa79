"""Driving a course through the public test hooks (authoring-format.md §5) and reading
what the test LMS recorded. Plain functions, usable by any browser test:

    page, frame = launch(pkg, "1.2")
    play(frame, [NEXT, NEXT, choose(1), answer("q-single", 1), ...])
    data = cmi(page); assert_clean_log(lms_log(page), "1.2")
"""

from __future__ import annotations

import re

def watch(page, errors: list) -> None:
    """Collects uncaught errors and console errors (CSP violations included) of every frame."""
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)


# ---- steps: each is a callable frame -> None ----


def NEXT(frame) -> None:  # noqa: N802 - reads like the button it clicks
    buttons = frame.locator('[data-action="next"]:visible')
    assert buttons.count() == 1, f"expected one visible next button on {view(frame)}, found {buttons.count()}"
    buttons.click()


def choose(n: int):
    def step(frame) -> None:
        frame.click(f'[data-view="node"] [data-choice="{n}"]')

    step.__name__ = f"choose({n})"
    return step


def answer(qid: str, *picks: int):
    def step(frame) -> None:
        assert frame.get_attribute("[data-view]", "data-question") == qid, f"expected question {qid}, on {where(frame)}"
        for n in picks:
            frame.check(f'[data-option="{qid}:{n}"]')
        frame.click('[data-action="submit"]')

    step.__name__ = f"answer({qid}, {picks})"
    return step


def REPLAY(frame) -> None:  # noqa: N802
    frame.click('[data-action="replay"]')


def play(frame, steps) -> None:
    for s in steps:
        s(frame)


# ---- reading the learner's screen ----


def view(frame) -> str:
    return frame.get_attribute("[data-view]", "data-view")


def where(frame) -> str:
    el = frame.query_selector("[data-view]")
    return "{}:{}".format(el.get_attribute("data-view"), el.get_attribute("data-node") or el.get_attribute("data-question") or "")


def percent(frame) -> int:
    return int(frame.get_attribute("[data-percent]", "data-percent"))


def notices(frame) -> list[str]:
    return [n.get_attribute("data-notice") for n in frame.query_selector_all("[data-notice]")]


# ---- reading the LMS ----


def cmi(page) -> dict:
    return page.evaluate("lms.cmi()")["cmi"]


def lms_log(page) -> list[dict]:
    return page.evaluate("lmsLog")


def numbered(obj: dict) -> list:
    """scorm-again renders lists (interactions, objectives) as {"0": ..., "1": ...}."""
    return [obj[k] for k in sorted(obj, key=int)] if isinstance(obj, dict) else list(obj or [])


def interactions(data: dict) -> list[dict]:
    return numbered(data.get("interactions", {}))


def objectives(data: dict) -> list[dict]:
    return numbered(data.get("objectives", {}))


SESSION_TIME = {"1.2": re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$"), "2004": re.compile(r"^PT(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?$")}
TERMINATE = {"1.2": "LMSFinish", "2004": "Terminate"}
INITIALIZE = {"1.2": "LMSInitialize", "2004": "Initialize"}


def _injected(e: dict) -> bool:
    """A fault the host injected (?fail=), or the runtime asking about one."""
    return bool(e.get("injected")) or re.search(r"GetLastError|GetErrorString|GetDiagnostic", e["fn"]) is not None


def assert_clean_log(log: list[dict], version: str, allow_injected: bool = False) -> None:
    """The checks of scorm-notes.md §3 for each session in the log. With allow_injected,
    the faults the host injected are tolerated, but no error the LMS itself raised."""
    assert log, "the course never called the LMS"
    for session in sorted({e["session"] for e in log}):
        calls = [e for e in log if e["session"] == session]
        bad = [e for e in calls if e["err"] != "0" and not (allow_injected and _injected(e))]
        assert not bad, f"calls answered with an error (session {session}): {bad[:5]}"
        names = [e["fn"] for e in calls]
        assert names.count(INITIALIZE[version]) == 1, f"Initialize calls: {names.count(INITIALIZE[version])}"
        assert names.count(TERMINATE[version]) == 1, f"Terminate calls: {names.count(TERMINATE[version])}"
        assert names[0] == INITIALIZE[version], f"first call {names[0]}"
        assert names[-1] == TERMINATE[version], f"calls after {TERMINATE[version]}: {names[names.index(TERMINATE[version]) + 1:]}"
        sets = {}
        for e in calls:
            if e["fn"].endswith("SetValue"):
                sets.setdefault(e["args"][0], []).append(e["args"][1])
                assert isinstance(e["args"][1], str), f"non-string value: {e}"
        time_key = "cmi.core.session_time" if version == "1.2" else "cmi.session_time"
        assert time_key in sets, "session_time never set"
        assert all(SESSION_TIME[version].match(v) for v in sets[time_key]), sets[time_key]
        limit = 4096 if version == "1.2" else 64000
        assert all(len(v) <= limit for v in sets.get("cmi.suspend_data", [])), "suspend_data over the limit"
        for key, values in sets.items():
            if key.endswith(".result"):
                allowed = {"correct", "wrong", "neutral"} if version == "1.2" else {"correct", "incorrect", "neutral"}
                assert set(values) <= allowed, (key, values)
            interaction = ".".join(key.split(".")[:3])
            free = "other" in sets.get(interaction + ".type", [])  # free text: a 2004 scenario play's path
            if (key.endswith("_response") or key.endswith(".pattern")) and not free:
                if version == "2004":
                    assert all("," not in v.replace("[,]", "") for v in values), (key, values)
                else:
                    assert all("[,]" not in v for v in values), (key, values)
        exit_key = "cmi.core.exit" if version == "1.2" else "cmi.exit"
        allowed_exit = {"", "suspend"} if version == "1.2" else {"normal", "suspend"}
        assert set(sets.get(exit_key, [])) <= allowed_exit, sets.get(exit_key)
