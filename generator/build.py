"""The pipeline, written out: load → model → analyse/validate → render → package.

Everything is gathered and checked before anything is written; a course with
errors raises `CourseError` carrying every diagnostic, and no output appears.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import rules
from .check import analysis, state, validate
from .source import loader
from .diagnostics import CourseError, Diagnostics
from .model import Course, Quiz, Scenario

FORMATS = rules.FORMATS


@dataclass
class CheckedCourse:
    course: Course | None  # None only from examine(), when course.yaml itself cannot be read
    analyses: dict[str, analysis.ScenarioAnalysis]
    diagnostics: Diagnostics

    @property
    def scenario_max(self) -> dict[str, int]:
        return analysis.maxima(self.analyses)

    @property
    def max_points(self) -> int:
        return rules.course_max(self.course, self.scenario_max)


def examine(course_argument: str | Path, formats: tuple[str, ...] = rules.SCORM) -> CheckedCourse:
    """Load and check a course for `formats`, keeping whatever model could be built beside
    its diagnostics (the preview and the map show a course with errors)."""
    diags = Diagnostics()
    course = loader.load_course(loader.find_course_file(course_argument), diags)
    if course is None:
        return CheckedCourse(None, {}, diags)
    loader.check_images(course, diags)
    analyses = {m.id: analysis.analyse(m) for m in course.modules if isinstance(m, Scenario)}
    validate.validate(course, analyses, diags, formats)
    if course.languages:  # translate/ (Babel, polib) loads only for a course that has translations
        from .translate import languages as translation_languages

        translation_languages.validate(course, diags)
    return CheckedCourse(course, analyses, diags)


def check(course_argument: str | Path, languages: list[str] | None = None,
          allow_untranslated: bool = False, *, formats: tuple[str, ...] = rules.SCORM) -> CheckedCourse:
    """Load and check a course for the package `formats`, and its translations into
    `languages` (tags, `all`, or pseudo-locales); raise CourseError listing every problem
    of them all."""
    checked = examine(course_argument, formats)
    if not checked.diagnostics.has_errors() and languages:
        for tag in languages_of(checked, languages):
            in_language(checked, tag, allow_untranslated)
    if checked.diagnostics.has_errors():
        raise CourseError(checked.diagnostics)
    return checked


def in_language(checked: CheckedCourse, tag: str, allow_untranslated: bool = False) -> CheckedCourse:
    """The checked course in language `tag` (the source itself for its own language). Problems of
    the translation join the source's diagnostics; the caller decides when to stop."""
    course = checked.course
    if tag.lower() == course.language.lower():
        return checked
    from .translate import localise

    translated = localise.translated(course, tag, checked.diagnostics, allow_untranslated)
    # Analysed afresh from the translated model: the same paths and maxima prove nothing structural changed.
    analyses = {m.id: analysis.analyse(m) for m in translated.modules if isinstance(m, Scenario)}
    return CheckedCourse(translated, analyses, checked.diagnostics)


def check_in(course_argument: str | Path, tag: str | None, allow_untranslated: bool = False) -> CheckedCourse:
    """The checked course in one language (`tag` None: the source); raise CourseError on any problem."""
    checked = check(course_argument)
    if not tag:
        return checked
    tags = languages_of(checked, [tag])
    version = in_language(checked, tags[0], allow_untranslated) if len(tags) == 1 else checked
    if len(tags) > 1:
        checked.diagnostics.error(checked.course.location, f"--lang {tag}: choose one language here")
    if checked.diagnostics.has_errors():
        raise CourseError(checked.diagnostics)
    return version


def languages_of(checked: CheckedCourse, wanted: list[str] | None) -> list[str]:
    """The tags `--lang` asks for (unknown ones reported into the diagnostics)."""
    from .translate import languages as translation_languages

    return translation_languages.chosen(checked.course, wanted, checked.diagnostics)


def paths_report(checked: CheckedCourse, limit: int = 200) -> dict:
    """Every scenario's enumerated paths with expected points, score, percent and outcome."""
    scenarios = []
    for module in checked.course.modules:
        if not isinstance(module, Scenario):
            continue
        found = checked.analyses[module.id]
        listed = list(analysis.enumerate_paths(found, limit + 1))
        nodes = module.nodes
        scenarios.append({
            "id": module.id,
            "file": str(module.source),
            "max": found.max_points,
            "nodes": len(nodes),
            "endings": {n.id: n.outcome for n in nodes if n.is_ending},
            "reachable_endings": sorted(nodes[i].id for i in found.reachable_nodes if nodes[i].is_ending),
            "complete": len(listed) <= limit,
            "paths": [_path_json(found, p) for p in listed[:limit]],
        })
    quizzes = [_quiz_json(m) for m in checked.course.modules if isinstance(m, Quiz)]
    return {"course": checked.course.id, "max": checked.max_points, "scenarios": scenarios, "quizzes": quizzes}


def _quiz_json(quiz: Quiz) -> dict:
    """Each question's type and points, and what a right, a partly right (where the type gives
    partial credit) and a wrong response earn: the responses the walks give."""
    questions = []
    for q in quiz.questions:
        answers = {}
        for name, how in (("right", True), ("partial", "partial"), ("wrong", False)):
            response = rules.sample_response(q, how)
            if response is not None:
                answers[name] = {"response": list(response) if isinstance(response, tuple) else response,
                                 "points": rules.question_points(q, response)}
        questions.append({"id": q.id, "type": q.type, "points": q.points, "scored": q.scored, "answers": answers})
    return {"id": quiz.id, "file": str(quiz.source), "max": quiz.max_points, "questions": questions}


def _path_json(found: analysis.ScenarioAnalysis, path: analysis.Path) -> dict:
    nodes = found.scenario.nodes
    points = found.running(path.steps)
    if points > found.max_points:
        # The analysis contradicts itself; an author must never be shown a score above 100%.
        raise AssertionError(f'scenario "{found.scenario.id}": a path earns {points} points, above the '
                             f"maximum of {found.max_points} the analysis found")
    score = rules.scenario_score(points, found.max_points)
    return {
        "choices": [{"node": nodes[s.node].id, "choice": s.choice, "text": nodes[s.node].choices[s.choice].text,
                     "points": s.points} for s in path.steps],
        "ending": nodes[path.ending].id,
        "outcome": nodes[path.ending].outcome,
        "points": points,
        "score": score,
        "percent": rules.percent(score, found.max_points),
    }


@dataclass
class Built:
    checked: CheckedCourse
    outputs: list[Path]
    state_size: int


def build(course_argument: str | Path, formats: tuple[str, ...] = rules.SCORM,
          out_dir: str | Path = "build", languages: list[str] | None = None,
          allow_untranslated: bool = False) -> Built:
    """Check (for these formats), render and package; write every package or none.

    With `languages` (tags, `all`, pseudo-locales), one package per language and
    format, named <id>-<lang>-<version>-<format>; a translation with missing or
    fuzzy text refuses to build unless `allow_untranslated`.
    """
    from .package import archive  # here, so `coursegen check` never loads what packaging needs

    checked = check(course_argument, formats=formats)
    outputs, size = packages(checked, formats, languages, allow_untranslated)
    written = archive.write_outputs(outputs, Path(out_dir))
    return Built(checked, written, size)


def packages(checked: CheckedCourse, formats: tuple[str, ...], languages: list[str] | None = None,
             allow_untranslated: bool = False) -> tuple[dict[str, bytes | dict[str, bytes]], int]:
    """Every package of a course checked for these formats, in memory, nothing written:
    package name -> the zip's bytes (the web folder: its files by path); and the resume
    state's worst-case size."""
    from .package import archive, cmi5, render

    course = checked.course
    size = state.worst_case(course, checked.analyses)
    tags = languages_of(checked, languages) if languages else [None]
    versions = [(tag, in_language(checked, tag, allow_untranslated) if tag else checked) for tag in tags]
    if checked.diagnostics.has_errors():
        raise CourseError(checked.diagnostics)
    outputs: dict[str, bytes | dict[str, bytes]] = {}
    for tag, version in versions:
        rendered: dict[str, render.Rendered] = {}  # by LMS protocol: each has its own runtime adapter
        for fmt in formats:
            name = archive.package_name(version.course, fmt, tag)
            lms = "cmi5" if fmt == "cmi5" else "scorm"
            if lms not in rendered:
                rendered[lms] = render.render(version.course, version.analyses, lms=lms, language=tag)
            files = rendered[lms].files
            if fmt == "web":
                outputs[name] = files
            elif fmt == "cmi5":
                outputs[name] = archive.zip_bytes(cmi5.package_files(version.course, files, tag))
            else:
                outputs[name] = archive.zip_bytes(archive.scorm_files(version.course, fmt, files, tag))
    return outputs, size.total
