"""Ralph, the LRS behind the cmi5 walks, as an author's machine meets it: what it keeps lives in
the run's own folder and goes with it, so no run leaves anything behind for the next to read."""
from __future__ import annotations

import uuid

from generator.walks.ralph import Ralph


def _statement(registration: str) -> dict:
    return {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "http://127.0.0.1", "name": "learner-1"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": "https://example.com/course/quiz/q1", "objectType": "Activity"},
            "context": {"registration": registration}, "timestamp": "2026-12-01T09:00:00+00:00"}


def test_ralph_writes_only_statements_and_only_into_the_runs_folder(tmp_path, monkeypatch):
    # Ralph's backends keep a history of every read and write in the user's config folder
    # (~/.config/ralph/history.json), rewritten whole on each request: it grew with every run
    # ever made on a machine, and so did the time of every LRS request (0.8 s at 38,000 entries).
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    registration = str(uuid.uuid4())
    with Ralph() as lrs:
        client = lrs.client()
        client.post([_statement(registration) for _ in range(3)])
        client.put(_statement(registration))
        assert len(client.statements(registration=registration)) == 4
        folder = lrs.folder
        written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert [str(p.relative_to(home)) for p in home.rglob("*")] == []
    assert not folder.exists()
    assert all(name.startswith("statements/") or name in ("auth.json", "log") for name in written), written
