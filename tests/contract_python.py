"""The contract cases through the Python side: the analysis, `walks.plan.predict` and the
resume-state encoder of `check/state.py`.

A case is a course, a list of learner actions and what must hold at each `check`. This
module follows the actions with the compiler's own model (the state graph for choices,
the rules for answers) and asks the Python predictions what the learner and the LMS see.
It holds no rule of its own beyond bookkeeping: which attempt is under way, which seed
the runtime would draw next.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from generator import rules
from generator.check import analysis, state
from generator.model import Lesson, Quiz, Scenario
from generator.source import expressions
from generator.walks import plan, walker

from browser.suspend import choice_order  # the PRNG and arrangement as the docs define them


NOW = 1764547200000  # what the runtime's clock says in every case (ms since 1970): tests/contract/engine.js


class CaseError(Exception):
    """The case asks for something a learner could not do, or the Python side cannot tell."""


@dataclass
class Progress:
    """Where the learner is inside one module."""

    page: int = 0  # a lesson
    attempts: list = field(default_factory=list)  # a scenario: finished paths; a quiz: (policy, score)
    steps: list = field(default_factory=list)  # a scenario: the attempt under way (or just ended)
    at: analysis.State | None = None
    number: int = 1  # a quiz: the attempt under way (1-based)
    position: int = 0
    answers: list = field(default_factory=list)  # (question, response) in this attempt
    seed: int = 0
    last: int | None = None  # the answer on the feedback view
    attested: bool | None = None  # a lesson's attestation: confirmed, declined (not required), or not yet


class Learner:
    def __init__(self, checked, seeds: list[int]):
        self.course, self.analyses = checked.course, checked.analyses
        self.modules = self.course.modules
        self.scenario_max = {k: a.max_points for k, a in self.analyses.items()}
        self.seeds = list(seeds)
        self.cur = 0
        self.returning = False  # gone back to `cur` from the results
        self.progress: list[Progress | None] = [None] * len(self.modules)
        self.first: dict[int, Progress] = {}  # a module gone back to: how its first pass went
        self.rounds: list[tuple[int, Progress]] = []  # each time back from the results, in order
        self.interactions: list[str] = []
        if self.modules:
            self._enter(0)

    # --- actions ---------------------------------------------------------------------------

    def _enter(self, index: int) -> None:
        module, fresh = self.modules[index], Progress()
        if isinstance(module, Scenario):
            # Each scenario attempt draws the seed of its choice order, shuffled or not.
            fresh.at, fresh.seed = self.analyses[module.id].start, self._seed()
        elif isinstance(module, Quiz):
            fresh.seed = self._seed()
        self.progress[index] = fresh

    def _seed(self) -> int:
        if not self.seeds:
            raise CaseError("the case ran out of seeds")
        return self.seeds.pop(0)

    def here(self):
        if self.cur >= len(self.modules):
            raise CaseError("the course is over")
        return self.modules[self.cur], self.progress[self.cur]

    def choose(self, number: int) -> None:
        module, x = self.here()
        if not isinstance(module, Scenario) or module.nodes[x.at.node].is_ending:
            raise CaseError("no choice to take here")
        if number not in self.shown():
            raise CaseError(f'choice {number} is not shown at node "{module.nodes[x.at.node].id}"')
        found = self.analyses[module.id]
        t = next(t for t in found.edges[x.at] if t.choice == number)
        node = module.nodes[x.at.node]
        x.steps.append(analysis.Step(x.at.node, number, t.points))
        self._said(walker.choice_interaction(module, node, number, t.points, "scorm12"))
        x.at = t.target
        if module.nodes[t.target.node].is_ending:
            x.attempts.append(analysis.Path(tuple(x.steps), t.target.node, sum(s.points for s in x.steps)))
            self._said(walker.ending_interaction(module, module.nodes[t.target.node], "scorm12"))

    def answer(self, question_id: str, how):
        """Answers the question shown; returns the option indices ticked (choice types) and the
        response as the runtime takes it (the listed types)."""
        module, x = self.here()
        if not isinstance(module, Quiz) or x.last is not None:
            raise CaseError("no question is asked here")
        question = next((q for q in module.questions if q.id == question_id), None)
        if question is None:
            raise CaseError(f'no question "{question_id}" in quiz "{module.id}"')
        if isinstance(how, bool) or how == "partial":
            response = plan.answer(question, how)
            if response is None:
                raise CaseError(f'"{question_id}" gives no partial credit')
        elif question.type == "likert":
            response = how[0]
        else:
            response = how if isinstance(how, str) else tuple(how)
        x.answers.append((question, response))
        x.last = state.last_answer(question, response)
        self._said(walker.answer_interaction(module, question, response, "scorm12", self.course.language))
        if x.position == module.asked - 1:
            policy = plan.QuizPolicy(f"attempt {x.number}", right_ids=frozenset(), responses=tuple((q.id, r) for q, r in x.answers))
            x.attempts.append((policy, self._points(x.answers)))
        picks = list(response) if question.type in rules.CHOICE_TYPES else []
        return picks, (list(response) if isinstance(response, tuple) else response)

    @staticmethod
    def _points(answers) -> int:
        return sum(rules.question_points(q, response) for q, response in answers)

    def attest(self, confirmed: bool) -> None:
        """On an attestation's last page: confirm the statement and move on, or move on without
        (a required statement keeps the learner where they are, and records nothing)."""
        module, x = self.here()
        if not isinstance(module, Lesson) or not module.attest or x.page < len(module.pages) - 1:
            raise CaseError("no statement to confirm here")
        if not confirmed and module.required:
            return
        x.attested = confirmed
        self._said(walker.attest_interaction(module, confirmed, "scorm12"))
        self.next()

    def next(self) -> None:
        module, x = self.here()
        if isinstance(module, Lesson):
            if x.page < len(module.pages) - 1:
                x.page += 1
                return
            if module.attest and x.attested is None:
                raise CaseError("an attestation's last page moves on with attest or decline")
        elif isinstance(module, Scenario):
            if not module.nodes[x.at.node].is_ending:
                raise CaseError("only an ending moves on from a scenario")
        else:
            if x.last is None:
                raise CaseError("answer the question first")
            if x.position < module.asked - 1:
                x.position, x.last = x.position + 1, None
                return
            if not self._quiz_finished(module, x):
                x.number, x.position, x.answers, x.last, x.seed = x.number + 1, 0, [], None, self._seed()
                return
        if self.returning:  # a module gone back to: the results again
            self.cur, self.returning = len(self.modules), False
            return
        self.cur += 1
        if self.cur < len(self.modules):
            self._enter(self.cur)

    def again(self, module_id: str) -> None:
        """From the results, back to a module below target ("Replay", "Review and retake")."""
        if self.cur < len(self.modules):
            raise CaseError("going back is offered on the results")
        index = next((i for i, m in enumerate(self.modules) if m.id == module_id), None)
        if index not in plan.offered(self.course, self.analyses, self.prediction()):
            raise CaseError(f'the results do not offer "{module_id}"')
        self.first.setdefault(index, self.progress[index])
        self._enter(index)
        self.rounds.append((index, self.progress[index]))
        self.cur, self.returning = index, True

    def back(self) -> None:
        module, x = self.here()
        if not isinstance(module, Lesson):
            raise CaseError("only a lesson pages back")
        x.page = max(0, x.page - 1)

    def replay(self) -> None:
        module, x = self.here()
        if not isinstance(module, Scenario) or not module.nodes[x.at.node].is_ending:
            raise CaseError("a replay is offered at an ending")
        x.steps, x.at, x.seed = [], self.analyses[module.id].start, self._seed()

    def _said(self, interaction: dict) -> None:
        self.interactions.append(f"{interaction['id']} {interaction['result']}")

    def _quiz_finished(self, quiz: Quiz, x: Progress) -> bool:
        """Out of attempts in this round, or passed (in this round or an earlier one)."""
        pass_mark = self.course.quiz_pass_mark(quiz)
        earlier = [p for i, p in self._passes(self.modules.index(quiz)) if p is not x]
        scores = [score for p in earlier + [x] for _, score in p.attempts]
        return len(x.attempts) >= quiz.attempts or any(
            rules.attempt_passed(score, quiz.max_points, pass_mark) for score in scores)

    def _passes(self, index: int) -> list[tuple[int, Progress]]:
        """A module's first pass and every round back to it, in order."""
        first = self.first.get(index, self.progress[index])
        return [(index, first)] + [(i, p) for i, p in self.rounds if i == index]

    # --- what the Python side predicts ------------------------------------------------------

    def _play(self, module, x: Progress, under_way: bool):
        """The play of one pass through a module, or None while nothing of it counts yet."""
        if isinstance(module, Lesson):
            return None if under_way else plan.LessonPlay(len(module.pages), x.attested if module.attest else None)
        if not x.attempts:
            return None
        if isinstance(module, Scenario):
            return plan.ScenarioPlay(x.attempts[-1], "contract", tuple(x.attempts[:-1]))
        if not self._quiz_finished(module, x):
            raise CaseError("between quiz attempts the Python side predicts only the resume state")
        return plan.QuizPlay(tuple(policy for policy, _ in x.attempts))

    def _walk(self, current: bool = True) -> plan.Walk:
        """The plays of the modules finished so far (and, with `current`, of the one under way),
        then the rounds back from the results (`current`: the one under way too)."""
        plays = []
        if self.rounds:  # every module has had its first pass
            plays = [self._play(m, self.first.get(i, self.progress[i]), False) for i, m in enumerate(self.modules)]
        else:
            for index, module in enumerate(self.modules[: self.cur + (1 if current else 0)]):
                play = self._play(module, self.progress[index], under_way=index == self.cur)
                if play is None:
                    break
                plays.append(play)
        again = []
        for index, x in self.rounds:
            under_way = self.returning and x is self.progress[self.cur]
            play = None if under_way and not current else self._play(self.modules[index], x, under_way)
            if play is not None:
                again.append((index, play))
        return plan.Walk("contract", plays, again=again)

    def prediction(self, current: bool = True) -> plan.Prediction:
        return plan.predict(self.course, self.analyses, self._walk(current))

    def shown(self) -> list[int]:
        """The choices shown at the current node, with the module results known so far."""
        module, x = self.here()
        values = plan.module_values(self.course, self.scenario_max, self.prediction().records)
        names = self.analyses[module.id].flags

        def lookup(parts):
            if parts[0] == "flag":
                return bool(x.at.flags >> names.index(parts[1]) & 1)
            return values(parts)

        return [k for k, c in enumerate(module.nodes[x.at.node].choices)
                if c.condition is None or expressions.evaluate(c.condition.tree, lookup) is True]

    def order(self) -> list[int]:
        """The shown choices in the order the attempt's seed arranges them (docs/course-json.md, PRNG)."""
        module, x = self.here()
        nodes = [{"choices": [{"pinned": c.pinned} for c in n.choices]} for n in module.nodes]
        arranged = choice_order({"shuffle": module.shuffle, "nodes": nodes}, x.seed)[x.at.node]
        shown = set(self.shown())
        return [k for k in arranged if k in shown]

    def snapshot(self, wanted) -> dict:
        result = {}
        scenario = self.cur < len(self.modules) and isinstance(self.modules[self.cur], Scenario)
        if "points" in wanted:
            x = self.progress[self.cur] if scenario else None
            result["points"] = self.analyses[self.modules[self.cur].id].running(x.steps) if scenario else None
        if "shown" in wanted:
            result["shown"] = self.shown() if scenario else None
        if "order" in wanted:
            result["order"] = self.order() if scenario else None
        if "offered" in wanted:
            at_results = self.cur >= len(self.modules)
            prediction = self.prediction()
            result["offered"] = [self.modules[i].id for i in plan.offered(self.course, self.analyses, prediction)] \
                if at_results and not prediction.passed else []
        if "interactions" in wanted:
            result["interactions"] = list(self.interactions)
        if "state" in wanted:
            result["state"] = self.state()
        if wanted & {"score", "percent", "completed", "passed", "badges", "modules"}:
            predicted = self.prediction()
            result.update(score=predicted.score, percent=predicted.percent, completed=predicted.completed,
                          passed=predicted.passed, badges=predicted.badges)
            result["modules"] = {m.id: self._module(m, predicted.records[m.id]) for m in self.modules}
        return {k: result[k] for k in wanted}

    def _module(self, module, record: plan.ModuleRecord) -> dict:
        maximum = rules.module_max(module, self.scenario_max)
        return {"score": record.score, "percent": rules.percent(record.score, maximum, record.finished),
                "outcome": record.outcome, "passed": record.passed, "finished": record.finished}

    def state(self) -> str:
        """The suspend_data body, written by check/state.py from what the Python side knows."""
        records = self.prediction(current=False).records
        settled = ""
        for index, module in enumerate(self.modules):
            if not (index < self.cur or (self.returning and index != self.cur)):
                continue
            record = records[module.id]
            if isinstance(module, Lesson):  # the moment a statement was confirmed: the runtime's clock
                settled += state.settle_lesson(module, NOW // 60000 if self.progress[index].attested else None)
            elif isinstance(module, Scenario):
                settled += state.settle_scenario(module, self.scenario_max[module.id], record.score, record.ending)
            elif isinstance(module, Quiz):
                settled += state.settle_quiz(module, record.score, record.passed, record.attempts, record.retakes)
        current = None
        if self.cur < len(self.modules):
            module, x = self.here()
            earlier = [p for _, p in self._passes(self.cur) if p is not x]
            if isinstance(module, Lesson):
                current = state.lesson_field(x.page, False)
            elif isinstance(module, Scenario):
                best = self.prediction().records[module.id] if x.attempts or earlier else None
                current = state.scenario_field(x.at.node, x.at.flags, self.analyses[module.id].running(x.steps),
                                               best.score if best else None, best.ending if best else None,
                                               x.seed if module.shuffle else None,
                                               state.path_text(module, [s.choice for s in x.steps]))
            else:
                pass_mark = self.course.quiz_pass_mark(module)
                scores = [score for p in earlier + [x] for _, score in p.attempts]
                so_far = self._points(x.answers)
                begun = sum(1 for i, _ in self.rounds if i == self.cur)  # rounds back from the results
                retakes = begun if module.retakes is not None else None
                current = state.quiz_field(x.number, x.position, so_far, x.seed, max(scores) if scores else None,
                                           any(rules.attempt_passed(s, module.max_points, pass_mark) for s in scores),
                                           x.last, retakes)
        # Badges are judged when a module (or a scenario attempt) finishes, never between quiz attempts.
        between = (self.cur < len(self.modules) and isinstance(self.modules[self.cur], Quiz)
                   and not self._quiz_finished(self.modules[self.cur], self.progress[self.cur]))
        earned = self.prediction(current=not between).badges
        mask = sum(1 << i for i, b in enumerate(self.course.badges) if b.id in earned)
        return state.suspend_data(self.course, self.cur, settled, current, mask, self.returning).split("|")[2]
