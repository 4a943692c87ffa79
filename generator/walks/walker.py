"""One walk in one page: the steps it plans, their source lines, and what the
LMS should have received as interactions along the way."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .. import build
from ..check.state import PATH_MAX, b36
from ..rules import answer_right, leaning, question_points, result_word, true_false_words
from ..diagnostics import Location
from ..model import Quiz
from . import plan
from .plan import LessonPlay, QuizPlay, ScenarioPlay

STEP_TIMEOUT_MS = 10_000
PAGE_STATE = """() => ({
  percent: (document.querySelector('[data-percent]') || {getAttribute: () => null}).getAttribute('data-percent'),
  badges: [...new Set([...document.querySelectorAll('[data-badge]')].map(b => b.getAttribute('data-badge')))]
})"""


class Divergence(Exception):
    """The page did not do what the walk expected; the message names the source line."""


@dataclass
class Delivery:
    """How the course's data travelled to the LMS during one walk."""

    commits: int = 0  # Commit (1.2: LMSCommit) calls
    finished: bool = False  # Terminate (1.2: LMSFinish) answered "true"
    posted: int = 0  # bytes that reached the LMS server (Moodle-like profile; 0 for plain scorm-again)
    final: int = 0  # bytes of the last write, Terminate's beacon (Moodle-like profile)
    largest: int = 0  # bytes of the largest write (Moodle-like profile)
    refused: int = 0  # writes the LMS server refused (a beacon past 64 KiB in flight)

    @classmethod
    def of(cls, log: list[dict], arrivals: list[dict]) -> Delivery:
        finish = [e for e in log if e["fn"] in ("Terminate", "LMSFinish") and not e.get("injected")]
        return cls(commits=sum(1 for e in log if e["fn"] in ("Commit", "LMSCommit")),
                   finished=bool(finish) and finish[-1]["ret"] == "true",
                   posted=sum(a["bytes"] for a in arrivals if a["accepted"]),
                   final=next((a["bytes"] for a in arrivals if a["kind"] == "terminate"), 0),
                   largest=max((a["bytes"] for a in arrivals), default=0),
                   refused=sum(1 for a in arrivals if not a["accepted"]))


@dataclass
class WalkResult:
    walk: str
    fmt: str
    failures: list[str]
    profile: str = "scorm-again"  # the LMS profile it played against (runner.PROFILES; "" for cmi5)
    seconds: float = 0.0
    choices: set = field(default_factory=set)  # (scenario id, node index, choice)
    endings: set = field(default_factory=set)  # (scenario id, node index)
    artifacts: list[str] = field(default_factory=list)
    injected_faults: int = 0  # LMS calls the host made fail on purpose
    lms: dict = field(default_factory=dict)  # the cmi data the LMS held at the end
    delivery: Delivery = field(default_factory=Delivery)
    role: str = ""  # the plan's word for the walk: "best", "worst", "fail, then recover"… (plan.Walk.role)
    timings: dict = field(default_factory=dict)  # seconds: host, launch, play, finish, check (runner.profile_of)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Running:
    """What the resume state should hold right after a choice or an answer: a scenario's
    running points (not clamped to the maximum, as the recorded score is) or a quiz attempt's
    score so far (docs/course-json.md, "Resume state")."""

    interactions: int  # interactions written up to this step (a choice into an ending: its ending's too;
    # in SCORM 2004 a scenario play is one interaction, counted once it ends)
    module: int  # the module's index in the course
    where: tuple  # scenario: (node index,); quiz: (attempt, position)
    value: int
    source: Location


@dataclass
class Step:
    """One thing the page must do, and where the author wrote it."""

    js: dict
    source: Location
    module: str
    choice: tuple | None = None  # (scenario, node index, choice index, points)
    ending: tuple | None = None  # (scenario, node index)
    attest: tuple | None = None  # (lesson, confirmed) on an attestation's last page


@functools.cache
def in_page_script() -> str:
    """The in-page half of a walk (lmshost/walker.js): evaluate it with {steps, timeout[, overflow]}."""
    return (resources.files("generator.walks") / "lmshost" / "walker.js").read_text(encoding="utf-8")


class Walker:
    def __init__(self, checked: build.CheckedCourse, walk: plan.Walk, fmt: str, cwd: Path,
                 profile: str = "scorm-again"):
        self.checked, self.course, self.walk, self.fmt, self.cwd = checked, checked.course, walk, fmt, cwd
        self.steps = self._plan_steps()
        self.expected_interactions: list[dict] = []
        self.expected_running: list[Running] = []
        self.result = WalkResult(walk.name, fmt, [], profile, role=walk.role)

    def where(self, location: Location) -> str:
        return location.display(self.cwd)

    def _plan_steps(self) -> list[Step]:
        steps: list[Step] = [Step({"op": "cover"}, self.course.location, "")]  # a fresh start opens on the cover
        for module, play in zip(self.course.modules, self.walk.plays):
            steps += self._module_steps(module, play)
        steps.append(Step({"op": "results"}, self.course.location, ""))
        for index, play in self.walk.again:  # back from the results, one module at a time
            module = self.course.modules[index]
            action = "replay" if isinstance(play, ScenarioPlay) else "retake"
            steps.append(Step({"op": "again", "action": action, "module": module.id}, module.location, module.id))
            lesson = plan.lesson_before(self.course, index) if action == "retake" else None
            if lesson is not None:
                steps += self._module_steps(lesson, LessonPlay(len(lesson.pages)))
            steps += self._module_steps(module, play)
            steps.append(Step({"op": "results"}, self.course.location, ""))
        return steps

    def _module_steps(self, module, play) -> list[Step]:
        if isinstance(play, LessonPlay):
            steps = [Step({"op": "page"}, page.location, module.id) for page in module.pages]
            if module.attest and play.attest is not None and steps:
                last = steps[-1]
                last.js.update(attest=play.attest, required=module.required)
                last.source = module.attest_location or last.source
                if play.attest or not module.required:  # a required statement not confirmed records nothing
                    last.attest = (module.id, play.attest)
            return steps
        if isinstance(play, QuizPlay):
            return self._quiz_steps(module, play)
        steps = []
        for number, path in enumerate(play.attempts):
            for s in path.steps:
                node = module.nodes[s.node]
                steps.append(Step({"op": "choose", "node": node.id, "choice": s.choice},
                                  node.choices[s.choice].location, module.id,
                                  choice=(module.id, s.node, s.choice, s.points)))
            ending = module.nodes[path.ending]
            # Every attempt but the last ends with "Try again".
            op = "replay" if number < len(play.replays) else "ending"
            steps.append(Step({"op": op, "node": ending.id}, ending.location, module.id,
                              ending=(module.id, path.ending)))
        return steps

    def _quiz_steps(self, quiz: Quiz, play: QuizPlay) -> list[Step]:
        answers = {q.id: {"type": q.type, "right": _page_answer(q, plan.answer(q, True)),
                          "wrong": _page_answer(q, plan.answer(q, False))} for q in quiz.questions}
        steps = []
        for policy in plan.attempt_policies(quiz, self.course.quiz_pass_mark(quiz), play):
            right_ids = sorted(policy.right_ids) if policy.right_ids is not None else None
            given = {qid: _page_answer(quiz_question(quiz, qid), response) for qid, response in policy.responses}
            for position in range(quiz.asked):
                steps.append(Step({"op": "question", "questions": answers, "position": position,
                                   "rightIds": right_ids, "rightCount": policy.right_count, "given": given},
                                  quiz.location, quiz.id))
            steps.append(Step({"op": "feedback"}, quiz.location, quiz.id))
        return steps

    def play(self, frame, check_overflow: bool = False, phone: bool = False) -> None:
        """Play every step in the page; raise Divergence naming the author's line.

        With `check_overflow`, a view wider than the viewport is a failure too; with `phone`,
        so are a header over 72 px, a control under 44 x 44 px, a word split in a table cell,
        and a first scenario node whose first choice starts below the fold.
        """
        self.read(frame.evaluate(in_page_script(), self.argument(check_overflow, phone)))

    def argument(self, check_overflow: bool = False, phone: bool = False) -> dict:
        """What the in-page walker (`in_page_script`) is evaluated with."""
        return {"steps": [s.js for s in self.steps], "timeout": STEP_TIMEOUT_MS, "overflow": check_overflow,
                "phone": phone}

    def read(self, outcome: dict) -> None:
        """Take in what the in-page walker returned; raise Divergence naming the author's line."""
        by_id = {m.id: m for m in self.course.modules}
        answered = {event["step"]: event for event in outcome["events"] if "question" in event}
        for event in outcome["events"]:
            step = self.steps[min(event["step"], len(self.steps) - 1)] if event["step"] >= 0 else self.steps[0]
            if "overflow" in event:
                self.result.failures.append(
                    f'{self.where(step.source)}: the {event["overflow"]} view is {event["width"]} px wide in a '
                    f'{event["viewport"]} px viewport: learners on phones would scroll sideways')
            elif "phone" in event:
                failure = f'{self.where(step.source)}: on a phone, the {event["phone"]} view: {event["problem"]}'
                if failure not in self.result.failures:
                    self.result.failures.append(failure)
        reached = len(self.steps) if outcome["ok"] else outcome["step"]
        numbers = {m.id: i for i, m in enumerate(self.course.modules)}
        running: dict[str, int] = {}  # a scenario's running points, a quiz attempt's score so far
        attempts: dict[str, int] = {}  # a quiz's attempt, from 1
        play: dict | None = None  # SCORM 2004: the scenario play gathered into one interaction
        for index, step in enumerate(self.steps[:reached]):
            if step.choice:
                scenario_id, node_index, choice_index, points = step.choice
                scenario = by_id[scenario_id]
                self.result.choices.add((scenario_id, node_index, choice_index))
                if self.fmt == "scorm2004":
                    play = play or path_interaction(scenario)
                    play["steps"].append((f"{scenario.nodes[node_index].id}.{b36(choice_index)}", step.source))
                else:
                    self.expected_interactions.append(
                        choice_interaction(scenario, scenario.nodes[node_index], choice_index, points, self.fmt))
                floor = self.checked.analyses[scenario_id].floor
                running[scenario_id] = max(running.get(scenario_id, 0) + points, floor)
                target = scenario.node_index()[scenario.nodes[node_index].choices[choice_index].target]
                into_ending = 1 if scenario.nodes[target].is_ending else 0  # its ending's interaction is set too
                self.expected_running.append(Running(len(self.expected_interactions) + into_ending,
                                                     numbers[scenario_id], (target,), running[scenario_id],
                                                     step.source))
            elif step.attest:
                self.expected_interactions.append(attest_interaction(by_id[step.attest[0]], step.attest[1], self.fmt))
            elif step.ending:
                scenario = by_id[step.ending[0]]
                self.result.endings.add(step.ending)
                ending = scenario.nodes[step.ending[1]]
                if play is not None:
                    play["steps"].append((ending.id, ending.location))
                    play["result"] = result_word(ending.outcome, self.fmt)
                    self.expected_interactions.append(_closed(play))
                    play = None
                else:
                    self.expected_interactions.append(ending_interaction(scenario, ending, self.fmt))
                if step.js["op"] == "replay":
                    running[step.module] = 0
            elif index in answered:
                event = answered[index]
                quiz = by_id[step.module]
                question = next(q for q in quiz.questions if q.id == event["question"])
                response = _walk_response(question, event["picks"])
                self.expected_interactions.append(answer_interaction(
                    quiz, question, response, self.fmt, self.course.language))
                attempt = attempts.setdefault(quiz.id, 1)
                running[quiz.id] = running.get(quiz.id, 0) + question_points(question, response)
                self.expected_running.append(Running(len(self.expected_interactions), numbers[quiz.id],
                                                     (attempt, step.js["position"]), running[quiz.id], question.location))
            elif step.js["op"] == "feedback":  # the attempt is over: the next one starts from 0
                attempts[step.module] = attempts.get(step.module, 1) + 1
                running[step.module] = 0
            elif step.js["op"] == "again":  # back from the results: a replay, or a retake from attempt 1
                attempts[step.module], running[step.module] = 1, 0
        if not outcome["ok"]:
            index = outcome["step"]
            step = self.steps[index]
            source, doing = step.source, _doing(step)
            previous = self.steps[index - 1] if index else None
            if outcome.get("wrongView") and previous and previous.choice and previous.module == step.module:
                # The page went somewhere else: the choice that led here is where to look.
                source = previous.source
                doing = f'after choice {previous.js["choice"]} of node "{previous.js["node"]}" of "{step.module}"'
            elif step.js["op"] == "question" and index in answered:
                quiz = by_id[step.module]
                source = next(q for q in quiz.questions if q.id == answered[index]["question"]).location
            raise Divergence(f"{self.where(source)}: {doing}: {outcome['message']}")


def _doing(step: Step) -> str:
    op = step.js["op"]
    if op == "choose":
        return f'at node "{step.js["node"]}" of "{step.module}", taking choice {step.js["choice"]}'
    if op in ("ending", "replay"):
        again = ", then trying again" if op == "replay" else ""
        return f'reaching ending "{step.js["node"]}" of "{step.module}"{again}'
    if op in ("question", "feedback"):
        return f'in quiz "{step.module}"'
    if op == "page":
        return f'paging through lesson "{step.module}"'
    if op == "cover":
        return "on the cover"
    if op == "again":
        return f'going back to "{step.module}" from the results ({step.js["action"]})'
    return "at the end of the course"


def _weighting(points: int, fmt: str) -> dict:
    # SCORM 2004 records no weighting: its players post the whole record on every write (scorm.js).
    return {} if fmt == "scorm2004" else {"weighting": points}


def choice_interaction(scenario, node, choice: int, points: int, fmt) -> dict:
    return {"id": f"{scenario.id}__{node.id}", "type": "choice", "response": b36(choice),
            "result": result_word(leaning(points), fmt), **_weighting(points, fmt),
            "source": node.choices[choice].location}


def attest_interaction(lesson, confirmed: bool, fmt) -> dict:
    """An attestation: the statement confirmed (`correct`) or, where not required, declined (`neutral`)."""
    word = (lambda v: "t" if v else "f") if fmt == "scorm12" else (lambda v: "true" if v else "false")
    return {"id": f"{lesson.id}__attest", "type": "true-false", "response": word(confirmed), "patterns": [word(True)],
            "result": result_word("good" if confirmed else "neutral", fmt), **_weighting(0, fmt),
            "source": lesson.attest_location or lesson.location}


def path_interaction(scenario) -> dict:
    """SCORM 2004: a scenario play as one interaction, written at its ending (scorm.js): its
    decisions "node.choice" and its ending, comma-separated, the ending's result; `steps` pairs
    each part with its line."""
    return {"id": f"{scenario.id}__path", "type": "other", "result": None, "steps": []}


def _closed(play: dict) -> dict:
    # Past PATH_MAX decisions (a loop walked round) the resume state keeps no more: "..." stands for them.
    steps = play["steps"]
    if len(steps) - 1 > PATH_MAX:
        steps = steps[:PATH_MAX] + [("...", steps[PATH_MAX][1]), steps[-1]]
    return dict(play, steps=steps, response=",".join(token for token, _ in steps), source=steps[0][1])


def ending_interaction(scenario, ending, fmt) -> dict:
    return {"id": f"{scenario.id}__ending", "type": "fill-in", "response": ending.id,
            "result": result_word(ending.outcome, fmt), "source": ending.location}


def quiz_question(quiz, question_id: str):
    return next(q for q in quiz.questions if q.id == question_id)


def _page_answer(question, response):
    """A response as the in-page walker enters it: option indices to tick (choice types and
    likert), the target index to pick per situation (matching), the step order (sequencing),
    or the text to type (fill-in)."""
    if question.type == "likert":
        return [response]
    return response if isinstance(response, str) else list(response)


def _walk_response(question, entered):
    """What the page was given, back to a response (`plan.answer`'s shape)."""
    if question.type == "likert":
        return entered[0]
    return entered if isinstance(entered, str) else tuple(entered)


def _join(fmt, parts) -> str:
    return ("[,]", ",")[fmt == "scorm12"].join(parts)  # 2004 and xAPI: [,]


def answer_interaction(quiz, question, response, fmt, language) -> dict:
    """The interaction an answer records (docs/course-json.md, "What the LMS receives"), worked
    out from the response and the course, not taken from the page: the runtime's judgement is
    under test. `patterns`: every correct_responses.N.pattern, in order."""
    v12 = fmt == "scorm12"
    kind = {"truefalse": "true-false", "single": "choice", "multiple": "choice"}.get(question.type, question.type)
    patterns: list[str] = []
    if question.type == "truefalse":
        true_word = true_false_words(language)[0]  # the course language's word decides which option is "true"
        value = question.options[response[0]].text == true_word if response else False
        right = next(o for o in question.options if o.correct).text == true_word
        word = (lambda v: ("t" if v else "f")) if v12 else (lambda v: "true" if v else "false")
        shown, patterns = word(value), [word(right)]
    elif question.type in ("single", "multiple"):
        shown = _join(fmt, (b36(p) for p in sorted(response)))
        patterns = [_join(fmt, (b36(i) for i, o in enumerate(question.options) if o.correct))]
    elif question.type == "matching":
        dot = "." if v12 else "[.]"
        shown = _join(fmt, (f"{b36(k)}{dot}{b36(t)}" for k, t in enumerate(response)))
        patterns = [_join(fmt, (f"{b36(k)}{dot}{b36(o.match)}" for k, o in enumerate(question.options)))]
    elif question.type == "sequencing":
        shown = _join(fmt, (b36(k) for k in response))
        patterns = [_join(fmt, (b36(k) for k in range(len(question.options))))]
    elif question.type == "fill-in":
        shown = response.strip()[: 255 if v12 else 250]  # the page trims what was typed
        patterns = [o.text for o in question.options[:5]]
    else:  # likert: a point of the scale, no right answer
        shown = b36(response)
    points = question_points(question, response)
    verdict = "neutral" if not question.scored else "good" if answer_right(question, response) else "bad"
    return {"id": f"{quiz.id}__{question.id}", "type": kind, "response": shown, "patterns": patterns,
            "result": result_word(verdict, fmt), **_weighting(question.points, fmt), "points": points,
            "source": question.location}
