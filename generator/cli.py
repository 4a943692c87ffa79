"""`coursegen`: arguments in, exit code out. All work is done by `build`."""
from __future__ import annotations

import argparse
import os
import sys

from . import build, rules
from .diagnostics import CourseError, display_path

EXIT_OK, EXIT_COURSE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="coursegen", description="Compile Markdown courses into SCORM packages "
                                  "and walk every branch in a real browser.")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)
    course_help = "a course.yaml, or the folder holding one"

    check = commands.add_parser("check", help="report every problem in a course", description=
                                "Report every problem in a course as path:line:column: error: message, "
                                "with the line and a caret under the column, including everything a build "
                                "for the chosen formats would refuse. Exit 0 when clean, 1 on course errors.")
    check.add_argument("course", metavar="COURSE", help=course_help)
    check.add_argument("--lang", action="append", dest="langs", metavar="LANG",
                       help="also check the translation into LANG (a language of the course, all of them with "
                       "all, or a pseudo-locale qps-ploc / qps-plocm); repeat for several")
    check.add_argument("--format", action="append", choices=build.FORMATS, dest="formats",
                       help="check for scorm12, scorm2004, cmi5 or web; repeat for several (default: both SCORM "
                       "versions, what build makes)")

    paths = commands.add_parser("paths", help="list every scenario path with its expected score",
                                description="List the paths of every scenario with their expected points, "
                                "score, percent and outcome, and the course maximum.")
    paths.add_argument("course", metavar="COURSE", help=course_help)
    paths.add_argument("--json", action="store_true", help="print JSON (the default is a readable summary)")
    paths.add_argument("--max-paths", type=int, default=200, metavar="N",
                       help="list at most N paths per scenario (default 200)")
    paths.add_argument("--lang", metavar="LANG", type=_one_language,
                       help="the paths of the translation into LANG (their choices' text in that language)")

    build_cmd = commands.add_parser("build", help="build SCORM and cmi5 packages (and a web folder)",
                                    description="Build DIR/<course-id>-<version>-<format>.zip for each format "
                                    "(web: a folder that runs from disk without an LMS). Nothing is written "
                                    "when the course has errors.")
    build_cmd.add_argument("course", metavar="COURSE", help=course_help)
    build_cmd.add_argument("--format", action="append", choices=build.FORMATS, dest="formats",
                           help="scorm12, scorm2004, cmi5 or web; repeat for several (default: both SCORM "
                           "versions)")
    build_cmd.add_argument("--out", default="build", metavar="DIR", help="output folder (default: build)")
    build_cmd.add_argument("--lang", action="append", dest="langs", metavar="LANG",
                           help="build the course in LANG: DIR/<course-id>-<lang>-<version>-<format>.zip (a language "
                           "of the course, its own, all of its translations with all, or a pseudo-locale qps-ploc / "
                           "qps-plocm); repeat for several")
    build_cmd.add_argument("--allow-untranslated", action="store_true",
                           help="build a translation with missing or fuzzy text, showing the source text there "
                           "(marked with its language) instead of refusing")

    test_cmd = commands.add_parser("test", help="walk every branch in Chromium against a SCORM LMS",
                                   description="Build the course, derive walks from its analysis (every choice, "
                                   "every ending, best and worst paths, quizzes right, wrong and at the pass "
                                   "mark) and play each in headless Chromium with scorm-again as the LMS, "
                                   "comparing what the LMS received with what the course predicts.")
    test_cmd.add_argument("courses", metavar="COURSE", nargs="+",
                          help=course_help + ", or a folder of course folders; several walk as one catalogue")
    test_cmd.add_argument("--format", action="append", choices=("scorm12", "scorm2004", "cmi5"), dest="formats",
                          help="scorm12, scorm2004 or cmi5 (through a cmi5 launcher with the Ralph LRS); repeat "
                          "for several (default: both SCORM versions)")
    test_cmd.add_argument("--lms", action="append", choices=("scorm-again", "moodle"), dest="profiles",
                          help="for SCORM: the LMS behaviour to walk against, scorm-again as it is or moodle "
                          "(Moodle 4.4's player: mastery score from the manifest, the record posted as Moodle "
                          "posts it, the last write by beacon); repeat for both (default: both)")
    test_cmd.add_argument("--workers", type=int, default=None, metavar="N",
                          help="browsers running walks in parallel (default: CPU count)")
    test_cmd.add_argument("--max-paths", type=int, default=200, metavar="N",
                          help="walk every path of scenarios with at most N paths (default 200); "
                          "larger ones get a covering set")
    test_cmd.add_argument("--viewport", metavar="WxH", type=_size, default=None,
                          help="play every walk at this size, e.g. 320x640, and fail any view that scrolls sideways")
    test_cmd.add_argument("--phone", action="store_true",
                          help="with --viewport: also fail a header over 72 px, a tap target under 44 x 44 px, a word "
                          "split in a table cell, and first choices below the fold")
    test_cmd.add_argument("--junit", metavar="FILE", help="write a JUnit XML report (a test suite per course); "
                          "screenshots and LMS call logs of failed walks go beside it")
    test_cmd.add_argument("--browser-server", action="append", dest="servers", metavar="WS_URL",
                          help="play walks in the browsers of a Playwright browser server (`playwright run-server "
                          "--unsafe`, ws://HOST:PORT) instead of here; repeat to shard across several "
                          "(default: $COURSEGEN_BROWSER_SERVERS, space-separated)")
    test_cmd.add_argument("--changed-since", metavar="GIT_REF",
                          help="walk only the courses with a file changed since GIT_REF (committed, edited or new)")
    test_cmd.add_argument("--shard", metavar="K/N", type=_shard,
                          help="walk only the K-th of N equal slices of the courses (1/4 .. 4/4): N CI jobs, each "
                          "its own coordinator, share a catalogue too large for one")
    test_cmd.add_argument("--lang", action="append", dest="langs", metavar="LANG",
                          help="walk the translation into LANG (a language of the course, all of them with all, or a "
                          "pseudo-locale) against the source's predictions; repeat for several: each course and "
                          "language is one entry of the catalogue")

    translate = commands.add_parser("translate", help="keep translations in step: catalogues, XLIFF, status",
                                    description="Translations live beside course.yaml in locales/<lang>/*.po. "
                                    "See docs/translation.md.")
    steps = translate.add_subparsers(dest="step", metavar="STEP", required=True)
    extract = steps.add_parser("extract", help="write or update the PO catalogues from the source",
                               description="Write or update locales/<lang>/<module-id>.po and course.po for each "
                               "language: a changed source text keeps its translation, marked fuzzy; a removed one "
                               "becomes obsolete.")
    extract.add_argument("course", metavar="COURSE", help=course_help)
    extract.add_argument("--lang", action="append", dest="langs", metavar="LANG",
                         help="only this language (repeatable; default: every language in course.yaml)")
    export = steps.add_parser("export", help="write a language's catalogues as one XLIFF 1.2 file for an agency",
                              description="Write the catalogues of one language as XLIFF 1.2 (placeholders as "
                              "<g>/<x/>), validated against the OASIS schema.")
    export.add_argument("course", metavar="COURSE", help=course_help)
    export.add_argument("--lang", required=True, type=_one_language, metavar="LANG", help="the language to export")
    export.add_argument("--format", default="xliff", choices=("xliff",), help="xliff (XLIFF 1.2; the default)")
    export.add_argument("--out", metavar="FILE", help="where to write it (default: <course-id>-<lang>.xlf here)")
    import_cmd = steps.add_parser("import", help="read an agency's XLIFF file back into the catalogues",
                                  description="Read the targets of an XLIFF 1.2 file into the PO catalogues, checking "
                                  "each; nothing is written when one has a problem.")
    import_cmd.add_argument("course", metavar="COURSE", help=course_help)
    import_cmd.add_argument("file", metavar="FILE", help="the XLIFF file")
    status = steps.add_parser("status", help="count translated, fuzzy and missing texts per language",
                              description="Per language: texts translated, fuzzy (the source changed), missing, and "
                              "obsolete entries; exit 0 either way.")
    status.add_argument("course", metavar="COURSE", help=course_help)
    status.add_argument("--lang", action="append", dest="langs", metavar="LANG",
                        help="only this language (repeatable; default: every language in course.yaml)")

    preview = commands.add_parser("preview", help="play the course in a browser, rebuilt on every save",
                                  description="Serve the course on 127.0.0.1 with an LMS inspector beside it. "
                                  "Every save rebuilds it and the page follows; errors show in the page.")
    preview.add_argument("course", metavar="COURSE", help=course_help)
    preview.add_argument("--port", type=int, default=8000, metavar="N",
                         help="port to listen on (default 8000; 0 picks a free one)")

    map_cmd = commands.add_parser("map", help="draw every scenario as an SVG map",
                                  description="Write DIR/<scenario-id>.svg for each scenario and DIR/index.html "
                                  "gathering them; unreachable and stuck nodes are marked. Drawn even when the "
                                  "course has errors (exit 1 then).")
    map_cmd.add_argument("course", metavar="COURSE", help=course_help)
    map_cmd.add_argument("--out", default="build/map", metavar="DIR", help="output folder (default: build/map)")
    map_cmd.add_argument("--preview-url", default="http://127.0.0.1:8000/", metavar="URL",
                         help="where nodes link to: a running coursegen preview (default http://127.0.0.1:8000/)")

    new = commands.add_parser("new", help="start a scenario or a course from a commented template",
                              description="Write ID.md (scenario) or a folder ID/ (course) that already "
                              "passes coursegen check and coursegen test. Never overwrites a file.")
    new.add_argument("kind", choices=("scenario", "course"), help="what to create")
    new.add_argument("id", metavar="ID", help="its id: lower-case letters, digits and hyphens")
    new.add_argument("--dir", default=".", metavar="DIR", help="where to create it (default: here)")
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except CourseError as problem:
        for line in problem.diagnostics.render():
            print(line, file=sys.stderr)
        count = len(problem.diagnostics.errors)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)
        return EXIT_COURSE
    except BrokenPipeError:  # output piped into head and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted; nothing was written.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours, never an author's mistake: say so plainly
        if os.environ.get("COURSEGEN_DEBUG"):
            import traceback

            traceback.print_exc()
        print(f"coursegen: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in coursegen, not in your course; set COURSEGEN_DEBUG=1 for details.",
              file=sys.stderr)
        return EXIT_INTERNAL


def _print_warnings(checked: build.CheckedCourse) -> None:
    for line in checked.diagnostics.render():
        print(line, file=sys.stderr)


def _run(args) -> int:
    if args.command == "check":
        checked = build.check(args.course, args.langs, formats=_formats(args.formats))
        _print_warnings(checked)
        course = checked.course
        warnings = len(checked.diagnostics.warnings)
        checked_languages = build.languages_of(checked, args.langs) if args.langs else []
        translations = f", translations checked: {', '.join(checked_languages)}" if checked_languages else ""
        print(f"{course.id} {course.version}: {len(course.modules)} modules, {checked.max_points} points{translations}, "
              f"no errors, {warnings} warning{'s' if warnings != 1 else ''}{_root_note(course)}")
        return EXIT_OK
    if args.command == "paths":
        checked = build.check_in(args.course, args.lang)
        report = build.paths_report(checked, args.max_paths)
        if args.json:
            import json

            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            for scenario in report["scenarios"]:
                more = "" if scenario["complete"] else "+"
                print(f"{scenario['id']}: max {scenario['max']}, {len(scenario['paths'])}{more} paths")
                for path in scenario["paths"]:
                    route = " > ".join(f"{c['node']}[{c['choice']}]" for c in path["choices"])
                    print(f"  {path['points']:>4} pts, score {path['score']:>3} ({path['percent']:>3}%) {path['outcome']:<7} {route} > {path['ending']}")
            for quiz in report["quizzes"]:
                print(f"{quiz['id']}: max {quiz['max']}")
                for q in quiz["questions"]:
                    earned = ", ".join(f"{name} {a['points']}" for name, a in q["answers"].items())
                    print(f"  {q['id']} ({q['type']}, {q['points'] if q['scored'] else 'not scored'}): {earned}")
            print(f"course maximum: {report['max']} points")
        return EXIT_OK
    if args.command == "build":
        built = build.build(args.course, _formats(args.formats), args.out, args.langs, args.allow_untranslated)
        _print_warnings(built.checked)
        for path in built.outputs:
            size = path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
            print(f"built {display_path(path)} ({size / 1024:.1f} KB)")
        print(f"resume state at most {built.state_size} characters")
        return EXIT_OK
    if args.command == "test":
        return _test(args)
    if args.command == "translate":
        return _translate(args)
    if args.command == "preview":
        from .workbench import preview
        return preview.run(args.course, args.port)
    if args.command == "map":
        from .workbench import maps
        return maps.run(args.course, args.out, args.preview_url)
    if args.command == "new":
        from .workbench import scaffold
        return scaffold.new(args.kind, args.id, args.dir)
    raise AssertionError(f"unhandled command {args.command}")


def _translate(args) -> int:
    from pathlib import Path

    from .translate import catalogue, workflow, xliff

    checked = build.check(args.course)
    course, diags = checked.course, checked.diagnostics
    if args.step == "extract":
        tags = workflow.catalogued(course, args.langs, diags)
        written = [] if diags.has_errors() else workflow.extract(course, tags, diags)
        if diags.has_errors():
            raise CourseError(diags)
        for item in written:
            state = "updated" if item.changed else "unchanged"
            print(f"{state} {display_path(item.path)}: {item.entries} entries, {item.fuzzy} fuzzy, "
                  f"{item.obsolete} obsolete")
        return EXIT_OK
    if args.step == "status":
        tags = workflow.catalogued(course, args.langs, diags)
        found = [] if diags.has_errors() else workflow.status(course, tags, diags)
        if diags.has_errors():
            raise CourseError(diags)
        print(f"{'language':<10} {'translated':>10} {'fuzzy':>6} {'missing':>8} {'obsolete':>9}")
        for row in found:
            extra = f"  ({row.unknown} unknown keys)" if row.unknown else ""
            print(f"{row.tag:<10} {row.translated:>10} {row.fuzzy:>6} {row.missing:>8} {row.obsolete:>9}{extra}")
        return EXIT_OK
    if args.step == "export":
        tags = workflow.catalogued(course, [args.lang], diags)
        data = xliff.export(course, tags[0], diags) if tags and not diags.has_errors() else None
        if data is None:
            raise CourseError(diags)
        out = Path(args.out or f"{course.id}-{tags[0]}.xlf")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        print(f"wrote {display_path(out)}: {data.count(b'<trans-unit ')} texts for {tags[0]}")
        return EXIT_OK
    imported = xliff.import_file(course, Path(args.file), diags)
    if diags.has_errors():
        raise CourseError(diags)
    for item in imported:
        changed = catalogue.write(item.path, item.po)
        print(f"{'updated' if changed else 'unchanged'} {display_path(item.path)}: {item.updated} entries changed")
    return EXIT_OK


def _root_note(course) -> str:
    """Said whenever root: in course.yaml lets the course read beyond the folder it owns by default."""
    root = course.root
    if root is None or root.origin != "setting":
        return ""
    return f"; course root {'widened to' if root.widened else 'set to'} {display_path(root.written)} by course.yaml"


def _test(args) -> int:
    from pathlib import Path

    from .walks import catalogue, lms, pool, runner

    formats = _formats(args.formats)
    profiles = tuple(dict.fromkeys(args.profiles or runner.PROFILES))
    junit = Path(args.junit) if args.junit else None
    artifacts = junit.parent / f"{junit.stem}-artifacts" if junit else Path("test-results")
    courses = catalogue.courses_in(args.courses)
    if args.shard:
        courses = catalogue.shard(courses, *args.shard)
    if args.changed_since:
        try:
            courses = catalogue.changed_since(args.changed_since, courses)
        except catalogue.GitError as problem:
            print(f"coursegen: --changed-since {args.changed_since}: {problem}", file=sys.stderr)
            return EXIT_USAGE
        if not courses:
            print(f"no course changed since {args.changed_since}: nothing to walk")
            return EXIT_OK
    console = catalogue.Console(sys.stderr)
    try:
        entries = runner.with_languages(courses, args.langs) if args.langs else courses
        result = runner.run_catalogue(entries, formats, args.workers, args.max_paths, artifacts, console,
                                      args.servers or pool.servers_from_environment(), viewport=args.viewport,
                                      profiles=profiles, phone=args.phone)
    except lms.LmsUnavailable as missing:
        print(f"coursegen: {missing}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        console.stop()
    for report in result.reports:
        for line in runner.failure_lines(report):
            print(line, file=sys.stderr)
    if junit:
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.write_text(runner.junit_catalogue(result), encoding="utf-8")
    catalogue.Console(sys.stdout).summary(result)
    return EXIT_OK if result.ok else EXIT_COURSE


def _one_language(text: str) -> str:
    if text == "all":
        raise argparse.ArgumentTypeError("choose one language here, not all")
    return text


def _formats(chosen) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chosen or rules.SCORM))


def _shard(text: str) -> tuple[int, int]:
    try:
        part, parts = (int(n) for n in text.split("/"))
    except ValueError:
        part = parts = 0
    if not 1 <= part <= parts:
        raise argparse.ArgumentTypeError(f'"{text}" is not a slice like 1/4')
    return part, parts


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(n) for n in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f'"{text}" is not a size like 320x640') from None
    return width, height
