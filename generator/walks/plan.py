"""Branch walks, planned from the compiler's own analysis, with their predictions.

A walk plays the whole course once: one path through each scenario, one
answer policy per quiz attempt. The plan covers every choice and ending of
every scenario (every path where a scenario has at most `max_paths`), the best
and worst path, and quizzes all right, all wrong, just at and just below the
pass mark. `predict` mirrors the runtime's scoring rules (docs/course-json.md)
so the walk can compare what the LMS received with what the course promises.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations

from ..check import analysis
from .. import rules
from ..source import expressions
from ..model import Course, Lesson, Question, Quiz, Scenario


@dataclass(frozen=True)
class QuizPolicy:
    """How one attempt answers: the questions answered right, by id, or (when a
    quiz draws) how many of the questions shown, counted from the first."""

    name: str
    right_ids: frozenset[str] | None = None
    right_count: int | None = None
    # Questions answered otherwise, by id: a response of the question's type (`answer`), as the
    # partly-right walks and the contract cases give them. They override right_ids.
    responses: tuple[tuple[str, object], ...] = ()

    def response(self, question: Question, position: int = 0):
        """What this policy answers to a question (asked at `position` of the attempt)."""
        given = dict(self.responses)
        if question.id in given:
            return given[question.id]
        right = question.id in self.right_ids if self.right_ids is not None else position < (self.right_count or 0)
        return answer(question, right)


@dataclass(frozen=True)
class LessonPlay:
    pages: int
    attest: bool | None = None  # an attestation confirmed (True) or not (False); None: the lesson has none


@dataclass(frozen=True)
class ScenarioPlay:
    path: analysis.Path
    label: str
    replays: tuple[analysis.Path, ...] = ()  # attempts played before `path`, each ended by "Try again"

    @property
    def attempts(self) -> tuple[analysis.Path, ...]:
        return self.replays + (self.path,)


@dataclass(frozen=True)
class QuizPlay:
    attempts: tuple[QuizPolicy, ...]  # the last one repeats while attempts remain


Play = LessonPlay | ScenarioPlay | QuizPlay


@dataclass
class Walk:
    name: str  # its path: the choices of each scenario, as `coursegen paths` prints them
    plays: list[Play]
    expected: "Prediction | None" = None
    number: int = 0  # 1-based, in plan order
    role: str = ""  # what it is for: "best", "worst", "walk N", "fail, then recover", "longest"
    # After the results of a course not passed: (module index, play) for each module the
    # learner goes back to, in order ("Replay" a scenario, "Review and retake" a quiz).
    again: list[tuple[int, Play]] = field(default_factory=list)


@dataclass
class ModuleRecord:
    """A module's result as the runtime keeps it (docs/course-json.md, "Resume state")."""

    finished: bool = False
    score: int = 0
    outcome: str = ""
    passed: bool = False
    ending: int | None = None  # a scenario: the ending node of the attempt that counts
    attempts: int = 0  # a quiz: attempts made (in its last round)
    retakes: int = 0  # a quiz: rounds started again from the results


@dataclass
class Prediction:
    percent: int
    score: int
    completed: bool
    passed: bool
    badges: list[str]
    records: dict[str, ModuleRecord] = field(default_factory=dict)


# The response a walk gives, right (True), wrong (False) or partly right ("partial").
answer = rules.sample_response


# --- planning -------------------------------------------------------------------

def scenario_variants(found: analysis.ScenarioAnalysis, max_paths: int) -> list[ScenarioPlay]:
    listed = list(analysis.enumerate_paths(found, max_paths + 1))
    if len(listed) <= max_paths:
        plays = [ScenarioPlay(p, f"path {i + 1}/{len(listed)}") for i, p in enumerate(listed)]
        best = max(range(len(listed)), key=lambda i: (listed[i].points, -len(listed[i].steps)))
        worst = min(range(len(listed)), key=lambda i: (listed[i].points, len(listed[i].steps)))
        order = [best, worst] + [i for i in range(len(listed)) if i not in (best, worst)]
        plays = [plays[i] for i in dict.fromkeys(order)]
    else:
        cover = analysis.coverage_paths(found)
        named = ["best"] + (["worst"] if cover[1:2] == [found.worst] else [])  # one path only when best is worst
        labels = named + [f"cover {i}" for i in range(1, len(cover) - len(named) + 1)]
        plays = [ScenarioPlay(p, label) for p, label in zip(cover, labels)]
    if len(plays) > 1 and found.running(plays[1].path.steps) < found.running(plays[0].path.steps):
        # The best path, then "Try again" and the worst: the recorded result must stay the best.
        plays.append(ScenarioPlay(plays[1].path, "best, then a worse replay", replays=(plays[0].path,)))
    return plays


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
    partly = [q for q in quiz.questions if answer(q, "partial") is not None]
    if partly and not quiz.draws:  # partly right where partial credit is given, the rest right
        plays.append(QuizPlay((QuizPolicy("partly right", right_ids=frozenset(q.id for q in quiz.questions),
                                          responses=tuple((q.id, answer(q, "partial")) for q in partly)),)))
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
        at = next((k for k in counts if rules.attempt_passed(k * each, maximum, pass_mark)), None)
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
    passing = [s for s in scores if rules.attempt_passed(s, maximum, pass_mark)]
    failing = [s for s in scores if not rules.attempt_passed(s, maximum, pass_mark)]
    at = QuizPolicy(f"{min(passing)} of {maximum} points (at pass mark)", right_ids=scores[min(passing)]) if passing else None
    below = QuizPolicy(f"{max(failing)} of {maximum} points (below pass mark)", right_ids=scores[max(failing)]) if failing else None
    return at, below


def lesson_variants(lesson: Lesson) -> list[LessonPlay]:
    """Every page; an attestation confirmed, and declined too where it is not required."""
    if not lesson.attest:
        return [LessonPlay(len(lesson.pages))]
    return [LessonPlay(len(lesson.pages), True)] + ([] if lesson.required else [LessonPlay(len(lesson.pages), False)])


def walks(course: Course, analyses: dict, max_paths: int = 200) -> list[Walk]:
    """Whole-course walks: walk i plays variant i of each module (its last one
    once it runs out), so the number of walks is the largest variant count."""
    variants = module_variants(course, analyses, max_paths)
    count = max((len(v) for v in variants), default=1)
    walks = []
    named: set[str] = set()
    for i in range(count):
        plays = [v[i] if i < len(v) else v[(i % len(v))] for v in variants]
        name = walk_name(course, plays)
        if name in named:  # the same path twice (a scenario whose best path is also its worst)
            name = f"{name} (walk {i + 1})"
        named.add(name)
        role = "best" if i == 0 else "worst" if i == 1 else f"walk {i + 1}"
        walk = Walk(name, plays, number=i + 1, role=role)
        walk.expected = predict(course, analyses, walk)
        walks.append(walk)
    recovery = recover(course, analyses, walks[1] if len(walks) > 1 else walks[0], variants)
    if recovery:
        recovery.number = len(walks) + 1
        walks.append(recovery)
    return walks


def module_variants(course: Course, analyses: dict, max_paths: int = 200) -> list[list[Play]]:
    """Each module's plays, in course order: the walks take them in turn, the best first."""
    variants: list[list[Play]] = []
    for module in course.modules:
        if isinstance(module, Lesson):
            variants.append(lesson_variants(module))
        elif isinstance(module, Scenario):
            variants.append(scenario_variants(analyses[module.id], max_paths))
        else:
            variants.append(quiz_variants(module, course.quiz_pass_mark(module)))
    return variants


def walk_name(course: Course, plays: list[Play]) -> str:
    """A walk named by what it does: each scenario's choices (`start[1] > call[0] > report`,
    node[choice index from 0] as `coursegen paths` prints them) and each quiz's answers,
    prefixed with the module's id when more than one module has a choice to make."""
    parts = [(module.id, label) for module, play in zip(course.modules, plays)
             if (label := play_label(module, play)) is not None]
    if len(parts) == 1:
        return parts[0][1]
    return "; ".join(f"{module_id}: {label}" for module_id, label in parts) or "read every page"


def play_label(module, play: Play) -> str | None:
    if isinstance(play, ScenarioPlay):
        nodes = module.nodes
        attempts = [" > ".join([f"{nodes[s.node].id}[{s.choice}]" for s in path.steps] + [nodes[path.ending].id])
                    for path in play.attempts]
        return ", try again, ".join(attempts)
    if isinstance(play, QuizPlay):
        return ", then ".join(policy.name for policy in play.attempts)
    return None


def recover(course: Course, analyses: dict, failing: Walk, variants: list[list[Play]]) -> Walk | None:
    """The failing walk again, then from its results back to every module below target with
    that module's best play, as a learner who failed would: "Replay" or "Review and retake"."""
    if failing.expected is None or failing.expected.passed:
        return None
    walk = Walk(failing.name, list(failing.plays), role="fail, then recover")
    record = CourseRecord.after(course, analyses, walk)
    # One module at a time, as the results offer them, until the course is passed: a module
    # fixed may pass the course, and the results then offer nothing more. What the results
    # offer is each module's own standing, so playing one again changes no other's place.
    for index in offered(course, analyses, failing.expected):
        if record.passed():
            break
        walk.again.append((index, variants[index][0]))
        record.play(course.modules[index], variants[index][0])
    if not walk.again:
        return None
    walk.expected = record.prediction()
    # Named by its path too: the failing walk's, then each module played again from the results.
    walk.name += "; then from the results, " + "; ".join(
        f"{course.modules[i].id} again: {play_label(course.modules[i], play)}" for i, play in walk.again)
    return walk


def offered(course: Course, analyses: dict, at_results: "Prediction") -> list[int]:
    """Modules the results view offers to go back to (docs/course-json.md, "No dead ends"),
    while a quiz has retakes left."""
    scenario_max = analysis.maxima(analyses)
    chosen = []
    for i, module in enumerate(course.modules):
        record, maximum = at_results.records[module.id], rules.module_max(module, scenario_max)
        quiz = isinstance(module, Quiz)
        below = rules.below_target(rules.percent(record.score, maximum, record.finished), maximum > 0,
                                   course.pass_mark, record.passed if quiz else None)
        if below and (not quiz or module.retakes is None or record.retakes < module.retakes):
            chosen.append(i)
    return chosen


def lesson_before(course: Course, index: int) -> Lesson | None:
    """The lesson a quiz's "Review and retake" reopens: the nearest one before it."""
    return next((m for m in reversed(course.modules[:index]) if isinstance(m, Lesson)), None)


def longest(course: Course, analyses: dict) -> Walk:
    """The course played the long way: in each scenario the path with the most decisions (the
    fewest points among those), every quiz answered right. The most interactions a walk
    without replays writes, so the largest record an LMS receives."""
    plays: list[Play] = []
    for module in course.modules:
        if isinstance(module, Lesson):
            plays.append(lesson_variants(module)[0])  # an attestation confirmed: one interaction more
        elif isinstance(module, Scenario):
            found = analyses[module.id]
            path = max(analysis.enumerate_paths(found, 10_000), key=lambda p: (len(p.steps), -p.points), default=None)
            plays.append(ScenarioPlay(path, "longest") if path else scenario_variants(found, 0)[0])
        else:
            plays.append(quiz_variants(module, course.quiz_pass_mark(module))[0])
    walk = Walk(walk_name(course, plays), plays, role="longest")  # number 0: not one of the plan's walks
    walk.expected = predict(course, analyses, walk)
    return walk


# --- prediction -------------------------------------------------------------------

def predict(course: Course, analyses: dict, walk: Walk) -> Prediction:
    """What the LMS should hold after the walk's plays, one per module in order (a walk
    that stops early leaves the modules after it unfinished)."""
    return CourseRecord.after(course, analyses, walk).prediction()


class CourseRecord:
    """The course's record as a walk plays it, module by module. The course's score, its
    unfinished modules and its quizzes not passed are kept as they change, not summed again:
    they are asked after every module (badges), so a course of many modules would be planned
    in time growing with its square, and "fail, then recover" with its cube."""

    def __init__(self, course: Course, analyses: dict):
        self.course, self.analyses = course, analyses
        self.scenario_max = analysis.maxima(analyses)
        self.maximum = rules.course_max(course, self.scenario_max)
        self.records = {m.id: ModuleRecord() for m in course.modules}
        self.score, self.unfinished = 0, len(self.records)
        self.quizzes_not_passed = sum(1 for m in course.modules if isinstance(m, Quiz))
        self.earned: list[str] = []
        self.lookup = module_values(course, self.scenario_max, self.records, self)

    @classmethod
    def after(cls, course: Course, analyses: dict, walk: Walk) -> CourseRecord:
        """The record once the walk's plays and its plays from the results are played."""
        record = cls(course, analyses)
        for module, play in zip(course.modules, walk.plays):
            record.play(module, play)
        for index, play in walk.again:
            record.play(course.modules[index], play)
        return record

    def completed(self) -> bool:
        return self.unfinished == 0

    def passed(self) -> bool:
        percent = rules.percent(self.score, self.maximum, self.completed())
        return rules.course_passed(self.completed(), percent, self.course.pass_mark, not self.quizzes_not_passed)

    def prediction(self) -> Prediction:
        """A copy: playing on does not change it."""
        records = {key: replace(record) for key, record in self.records.items()}
        return Prediction(rules.percent(self.score, self.maximum, self.completed()), self.score, self.completed(),
                          self.passed(), list(self.earned), records)

    def _set(self, module, record: ModuleRecord, score: int, passed: bool) -> None:
        self.score += score - record.score
        if isinstance(module, Quiz) and passed and not record.passed:
            self.quizzes_not_passed -= 1
        record.score, record.passed = score, passed
        if not record.finished:
            record.finished = True
            self.unfinished -= 1

    def _badges(self) -> None:
        self.earned += earned_badges(self.course, self.lookup, self.completed(), self.earned)

    def play(self, module, play: Play) -> None:
        record = self.records[module.id]
        if isinstance(play, ScenarioPlay):
            found = self.analyses[module.id]
            for path in play.attempts:
                score = rules.scenario_score(found.running(path.steps), found.max_points)
                better = not record.finished or score > record.score  # a replay never lowers the result
                if better:
                    record.ending, record.outcome = path.ending, module.nodes[path.ending].outcome
                self._set(module, record, score if better else record.score, True)
                self._badges()
            return
        if isinstance(play, QuizPlay):
            pass_mark = self.course.quiz_pass_mark(module)
            policies = list(attempt_policies(module, pass_mark, play))
            if record.finished and record.passed:  # a quiz passed already ends after each attempt
                policies = policies[:1]
            scores = [_attempt_score(module, p) for p in policies]
            earlier = [record.score] if record.finished else []  # a round from the results: the best still counts
            record.retakes += 1 if record.finished else 0
            record.attempts = len(scores)
            score = max(scores + earlier)
            self._set(module, record, score, record.passed or rules.attempt_passed(score, module.max_points, pass_mark))
        else:
            if module.attest and module.required and not play.attest:
                return  # a required statement not confirmed: the lesson is not finished, nothing moves on
            self._set(module, record, record.score, True)
        self._badges()


def module_values(course: Course, scenario_max: dict[str, int], records: dict[str, ModuleRecord],
                  so_far: CourseRecord | None = None):
    """What expressions see (docs/course-json.md): the course's and each module's results so far
    (the course's score and completion from `so_far` when it keeps them)."""
    maximum = rules.course_max(course, scenario_max)
    modules = {m.id: m for m in course.modules}

    def lookup(parts):
        if parts in (("score",), ("percent",)):
            total = so_far.score if so_far else sum(r.score for r in records.values())
            done = so_far.completed() if so_far else all(r.finished for r in records.values())
            return total if parts == ("score",) else rules.percent(total, maximum, done)
        module, record = modules[parts[1]], records[parts[1]]
        if parts[2] == "percent":
            return rules.percent(record.score, rules.module_max(module, scenario_max), record.finished)
        return {"score": record.score, "outcome": record.outcome, "passed": record.passed}[parts[2]]

    return lookup


def earned_badges(course: Course, lookup, completed: bool, earned) -> list[str]:
    """Badges newly earned now: a condition that holds, or no condition once the course is completed."""
    return [badge.id for badge in course.badges if badge.id not in earned and (
        completed if badge.when is None else expressions.evaluate(badge.when.tree, lookup) is True)]


def attempt_policies(quiz: Quiz, pass_mark: int, play: QuizPlay):
    """The policy of each attempt the walk makes: until passed or out of attempts."""
    for number in range(quiz.attempts):
        policy = play.attempts[min(number, len(play.attempts) - 1)]
        yield policy
        if rules.attempt_passed(_attempt_score(quiz, policy), quiz.max_points, pass_mark):
            return


def _attempt_score(quiz: Quiz, policy: QuizPolicy) -> int:
    if policy.right_ids is not None:
        return sum(rules.question_points(q, policy.response(q)) for q in quiz.questions)
    return (policy.right_count or 0) * quiz.questions[0].points
