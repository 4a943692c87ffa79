"""Branch walks, planned from the compiler's own analysis, with their predictions.

A walk plays the whole course once: one path through each scenario, one
answer policy per quiz attempt. The plan covers every choice and ending of
every scenario (every path where a scenario has at most `max_paths`), the best
and worst path, and quizzes all right, all wrong, just at and just below the
pass mark. `predict` mirrors the runtime's scoring rules (docs/course-json.md)
so the walk can compare what the LMS received with what the course promises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from ..check import analysis
from ..source import expressions
from ..model import Course, Lesson, Question, Quiz, Scenario


@dataclass(frozen=True)
class QuizPolicy:
    """How one attempt answers: the questions answered right, by id, or (when a
    quiz draws) how many of the questions shown, counted from the first."""

    name: str
    right_ids: frozenset[str] | None = None
    right_count: int | None = None

    def answers_right(self, question: Question, position: int) -> bool:
        if self.right_ids is not None:
            return question.id in self.right_ids
        return position < (self.right_count or 0)


@dataclass(frozen=True)
class LessonPlay:
    pages: int


@dataclass(frozen=True)
class ScenarioPlay:
    path: analysis.Path
    label: str


@dataclass(frozen=True)
class QuizPlay:
    attempts: tuple[QuizPolicy, ...]  # the last one repeats while attempts remain


Play = LessonPlay | ScenarioPlay | QuizPlay


@dataclass
class Walk:
    name: str
    plays: list[Play]
    expected: "Prediction | None" = None


@dataclass
class ModuleRecord:
    finished: bool = False
    score: int = 0
    outcome: str = ""
    passed: bool = False


@dataclass
class Prediction:
    percent: int
    score: int
    completed: bool
    passed: bool
    badges: list[str]
    records: dict[str, ModuleRecord] = field(default_factory=dict)
    quiz_attempts: dict[str, list[int]] = field(default_factory=dict)  # attempt scores


def answer(question: Question, right: bool) -> tuple[int, ...]:
    """The option indices a walk ticks for a right or a wrong answer."""
    correct = tuple(i for i, o in enumerate(question.options) if o.correct)
    if right:
        return correct
    wrong = [i for i, o in enumerate(question.options) if not o.correct]
    return (wrong[0],) if wrong else correct[:-1]


def module_max(module, analyses) -> int:
    if isinstance(module, Scenario):
        return analyses[module.id].max_points
    return module.max_points if isinstance(module, Quiz) else 0


def percent_of(score: int, maximum: int) -> int:
    return 100 if maximum == 0 else score * 100 // maximum


# --- planning -------------------------------------------------------------------

def scenario_variants(found: analysis.ScenarioAnalysis, max_paths: int) -> list[ScenarioPlay]:
    listed = list(analysis.enumerate_paths(found, max_paths + 1))
    if len(listed) <= max_paths:
        plays = [ScenarioPlay(p, f"path {i + 1}/{len(listed)}") for i, p in enumerate(listed)]
        best = max(range(len(listed)), key=lambda i: (listed[i].points, -len(listed[i].steps)))
        worst = min(range(len(listed)), key=lambda i: (listed[i].points, len(listed[i].steps)))
        order = [best, worst] + [i for i in range(len(listed)) if i not in (best, worst)]
        return [plays[i] for i in dict.fromkeys(order)]
    cover = analysis.coverage_paths(found)
    labels = ["best", "worst"] + [f"cover {i}" for i in range(1, len(cover) - 1)]
    return [ScenarioPlay(p, labels[i] if i < len(labels) else f"cover {i}") for i, p in enumerate(cover)]


def quiz_variants(quiz: Quiz, pass_mark: int) -> list[QuizPlay]:
    if quiz.draws:
        everything = QuizPolicy("all right", right_count=quiz.asked)
        nothing = QuizPolicy("all wrong", right_count=0)
    else:
        everything = QuizPolicy("all right", right_ids=frozenset(q.id for q in quiz.questions))
        nothing = QuizPolicy("all wrong", right_ids=frozenset())
    at, below = _threshold_policies(quiz, pass_mark)
    plays = [QuizPlay((everything,)), QuizPlay((nothing,))]
    for policy in (at, below):
        if policy:
            plays.append(QuizPlay((policy,)))
    if quiz.attempts > 1:
        plays.append(QuizPlay((nothing, everything)))  # fail, then pass on the retake
    return plays


def _threshold_policies(quiz: Quiz, pass_mark: int):
    """An answer set scoring just at the pass mark, and one just below it."""
    maximum = quiz.max_points
    if maximum == 0:
        return None, None
    if quiz.draws:
        each = quiz.questions[0].points
        counts = range(quiz.asked + 1)
        at = next((k for k in counts if percent_of(k * each, maximum) >= pass_mark), None)
        below = at - 1 if at else None
        return (QuizPolicy(f"{at} of {quiz.asked} right (at pass mark)", right_count=at) if at is not None else None,
                QuizPolicy(f"{below} of {quiz.asked} right (below pass mark)", right_count=below)
                if below is not None and below >= 0 else None)
    # Smallest passing and largest failing score over subsets of questions; the
    # pools are small in practice, and beyond 16 questions a greedy order is used.
    questions = quiz.questions
    scores: dict[int, frozenset[str]] = {}
    if len(questions) <= 16:
        for size in range(len(questions) + 1):
            for subset in combinations(questions, size):
                scores.setdefault(sum(q.points for q in subset), frozenset(q.id for q in subset))
    else:
        running, chosen = 0, []
        for q in sorted(questions, key=lambda q: q.points):
            running += q.points
            chosen.append(q.id)
            scores.setdefault(running, frozenset(chosen))
        scores.setdefault(0, frozenset())
    passing = [s for s in scores if percent_of(s, maximum) >= pass_mark]
    failing = [s for s in scores if percent_of(s, maximum) < pass_mark]
    at = QuizPolicy(f"{min(passing)} of {maximum} points (at pass mark)", right_ids=scores[min(passing)]) if passing else None
    below = QuizPolicy(f"{max(failing)} of {maximum} points (below pass mark)", right_ids=scores[max(failing)]) if failing else None
    return at, below


def walks(course: Course, analyses: dict, max_paths: int = 200) -> list[Walk]:
    """Whole-course walks: walk i plays variant i of each module (its last one
    once it runs out), so the number of walks is the largest variant count."""
    variants: list[list[Play]] = []
    for module in course.modules:
        if isinstance(module, Lesson):
            variants.append([LessonPlay(len(module.pages))])
        elif isinstance(module, Scenario):
            variants.append(scenario_variants(analyses[module.id], max_paths))
        else:
            variants.append(quiz_variants(module, course.quiz_pass_mark(module)))
    count = max((len(v) for v in variants), default=1)
    walks = []
    for i in range(count):
        plays = [v[i] if i < len(v) else v[(i % len(v))] for v in variants]
        name = "best" if i == 0 else "worst" if i == 1 else f"walk {i + 1}"
        walk = Walk(name, plays)
        walk.expected = predict(course, analyses, walk)
        walks.append(walk)
    return walks


# --- prediction -------------------------------------------------------------------

def predict(course: Course, analyses: dict, walk: Walk, quiz_orders: dict | None = None) -> Prediction:
    """What the LMS should hold at the end of the walk."""
    maximum = sum(module_max(m, analyses) for m in course.modules)
    records = {m.id: ModuleRecord() for m in course.modules}
    earned: list[str] = []
    attempts_log: dict[str, list[int]] = {}

    def lookup(parts):
        total = sum(r.score for r in records.values())
        if parts == ("score",):
            return total
        if parts == ("percent",):
            done = all(r.finished for r in records.values())
            return (100 if done else 0) if maximum == 0 else total * 100 // maximum
        module = course.module(parts[1])
        record = records[parts[1]]
        if parts[2] == "score":
            return record.score
        if parts[2] == "percent":
            mod_max = module_max(module, analyses)
            return (100 if record.finished else 0) if mod_max == 0 else record.score * 100 // mod_max
        return record.outcome if parts[2] == "outcome" else record.passed

    def award():
        for badge in course.badges:
            if badge.id not in earned and badge.when is not None and expressions.evaluate(badge.when.tree, lookup) is True:
                earned.append(badge.id)

    for module, play in zip(course.modules, walk.plays):
        record = records[module.id]
        if isinstance(play, ScenarioPlay):
            record.score, record.passed = play.path.score, True
            record.outcome = module.nodes[play.path.ending].outcome
        elif isinstance(play, QuizPlay):
            scores = _quiz_attempts(module, course.quiz_pass_mark(module), play)
            attempts_log[module.id] = scores
            record.score = max(scores)
            record.passed = percent_of(record.score, module.max_points) >= course.quiz_pass_mark(module)
        else:
            record.passed = True
        record.finished = True
        award()
    for badge in course.badges:  # a badge with no condition is earned at the end
        if badge.when is None and badge.id not in earned:
            earned.append(badge.id)
    score = sum(r.score for r in records.values())
    percent = percent_of(score, maximum)
    quizzes_passed = all(records[m.id].passed for m in course.modules if isinstance(m, Quiz))
    return Prediction(percent, score, True, percent >= course.pass_mark and quizzes_passed, earned, records,
                      attempts_log)


def attempt_policies(quiz: Quiz, pass_mark: int, play: QuizPlay):
    """The policy of each attempt the walk makes: until passed or out of attempts."""
    for number in range(quiz.attempts):
        policy = play.attempts[min(number, len(play.attempts) - 1)]
        yield policy
        if _attempt_score(quiz, policy) * 100 >= pass_mark * max(quiz.max_points, 1) or quiz.max_points == 0:
            return


def _attempt_score(quiz: Quiz, policy: QuizPolicy) -> int:
    if policy.right_ids is not None:
        return sum(q.points for q in quiz.questions if q.id in policy.right_ids)
    return (policy.right_count or 0) * quiz.questions[0].points


def _quiz_attempts(quiz: Quiz, pass_mark: int, play: QuizPlay) -> list[int]:
    return [_attempt_score(quiz, policy) for policy in attempt_policies(quiz, pass_mark, play)]
