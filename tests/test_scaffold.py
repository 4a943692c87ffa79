"""`coursegen new`: a new scenario and a new course pass `check` without a warning and
every walk of `test`, unchanged; nothing is ever overwritten."""
from __future__ import annotations

from pathlib import Path

import pytest

from generator import build, cli
from generator.walks import runner
from generator.model import Scenario


def new(*args: str) -> int:
    return cli.main(["new", *args])


def walk_report(course: Path, tmp_path: Path) -> runner.TestReport:
    report = runner.run(course, ("scorm12", "scorm2004"), workers=2, artifacts=tmp_path / "walks")
    failures = [f"[{r.fmt} {r.walk}] {f}" for r in report.results for f in r.failures]
    assert report.ok, "\n".join(failures)
    return report


def test_a_new_course_checks_clean_and_every_walk_passes(tmp_path, capsys):
    assert new("course", "data-handling", "--dir", str(tmp_path)) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "data-handling"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "badges/well-done.svg", "course.yaml", "lessons/introduction.md", "quizzes/knowledge-check.md",
        "scenarios/first-scenario.md"]
    assert "created " in out and "data-handling/course.yaml" in out and "next: coursegen preview" in out
    checked = build.check(folder)
    assert checked.diagnostics.items == []
    course = checked.course
    assert course.id == "data-handling" and course.title == "Data handling"
    assert [m.kind for m in course.modules] == ["lesson", "scenario", "quiz"]
    assert course.badges[0].icon.name == "well-done.svg"
    report = walk_report(folder, tmp_path)
    choices, endings = report.coverage()
    assert (choices, endings) == (report.choices_total, report.endings_total)


def test_a_new_scenario_has_what_the_format_offers_and_plays_in_a_course(tmp_path):
    assert new("scenario", "tailgating", "--dir", str(tmp_path / "scenarios")) == 0
    (tmp_path / "course.yaml").write_text("id: minimal\ntitle: Minimal\nversion: 1.0.0\n"
                                          "modules:\n  - scenarios/tailgating.md\n", encoding="utf-8")
    checked = build.check(tmp_path)
    assert checked.diagnostics.items == []
    scenario = checked.course.modules[0]
    assert isinstance(scenario, Scenario) and scenario.id == "tailgating"
    assert len(scenario.nodes) >= 5
    assert sorted(n.outcome for n in scenario.nodes if n.is_ending) == ["bad", "good", "neutral"]
    choices = [c for n in scenario.nodes for c in n.choices]
    assert scenario.flags and any(c.condition is not None for c in choices)
    assert len(scenario.characters) >= 2
    assert checked.analyses["tailgating"].reachable_nodes == set(range(len(scenario.nodes)))
    walk_report(tmp_path, tmp_path)


def test_nothing_is_overwritten(tmp_path, capsys):
    mine = tmp_path / "tailgating.md"
    mine.write_text("my own work\n", encoding="utf-8")
    assert new("scenario", "tailgating", "--dir", str(tmp_path)) == 1
    assert mine.read_text(encoding="utf-8") == "my own work\n"
    assert "not overwriting" in capsys.readouterr().err

    (tmp_path / "course-x" / "lessons").mkdir(parents=True)
    (tmp_path / "course-x" / "lessons" / "introduction.md").write_text("mine\n", encoding="utf-8")
    assert new("course", "course-x", "--dir", str(tmp_path)) == 1
    assert not (tmp_path / "course-x" / "course.yaml").exists()  # all or nothing
    assert "introduction.md" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["Data Handling", "2fast", "x" * 65, "under_score"])
def test_an_id_the_format_would_refuse_is_refused_here(tmp_path, capsys, bad):
    assert new("course", bad, "--dir", str(tmp_path)) == 2
    assert "cannot be an id" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
