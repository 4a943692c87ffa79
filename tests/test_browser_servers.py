"""Walks in browsers on other machines: two Playwright browser servers (`playwright
run-server`) on 127.0.0.1 stand in for two machines. They share nothing with the
coordinator but the websocket: every page comes through request routing from its memory, and
so does the Moodle-like LMS profile's server (its commits and the final beacon)."""
from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from walked import COURSES, FIXTURES, report_for

from generator.walks import runner

CATALOGUE = ["flagship", "branching", "quiz-rules", "reading-only"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BrowserServer:
    """`python -m playwright run-server` in its own process group (its driver and the
    Chromium it launches die with it)."""

    def __init__(self):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "playwright", "run-server", "--port", str(self.port), "--host", "127.0.0.1",
             "--unsafe"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        line = self.process.stdout.readline().decode()
        assert "Listening on" in line, line
        self.url = f"ws://127.0.0.1:{self.port}/"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def servers():
    started = [BrowserServer(), BrowserServer()]
    yield started
    for server in started:
        server.kill()


def _summary(reports: list[runner.TestReport]) -> list:
    """What reports say, course by course: every walk with its verdict and failures, and the coverage."""
    return [(report.course_id, report.choices_total, report.endings_total, report.coverage(),
             sorted((r.fmt, r.profile, r.walk, tuple(r.failures)) for r in report.results))
            for report in reports]


def test_walks_through_two_browser_servers_report_what_a_local_run_reports(servers, tmp_path_factory):
    # The Moodle-like profile alone: everything plain scorm-again needs from the coordinator
    # (the host page, scorm-again, the packages) comes through the routes it uses too, and its
    # commits and final beacon come back through them besides; both profiles would double the
    # test's walks and prove no more (the next test plays both through the servers). The local
    # run is the session's (walked.py), its Moodle-like walks.
    local = [report_for(name, tmp_path_factory) for name in CATALOGUE]
    local = [dataclasses.replace(r, results=[w for w in r.results if w.profile == "moodle"]) for r in local]
    remote = runner.run_catalogue([COURSES[name] for name in CATALOGUE], servers=[s.url for s in servers],
                                  profiles=("moodle",))
    assert all(r.ok for r in local) and remote.ok, [f for r in remote.reports for w in r.results for f in w.failures][:5]
    assert _summary(remote.reports) == _summary(local)
    assert sum(len(r.results) for r in remote.reports) > 100
    # The Moodle-like profile's writes reached the coordinator from the servers' browsers: every
    # walk's final write (Terminate, a beacon) arrived, and was held against the prediction.
    moodle = [w for r in remote.reports for w in r.results]
    assert {w.profile for w in moodle} == {"moodle"}
    assert all(w.delivery.finished and w.delivery.final > 0 and not w.delivery.refused for w in moodle)
    # Both servers took part, and nothing was played twice.
    assert [b.split(": ")[0] for b in remote.browsers] == [s.url for s in servers]
    assert all(int(b.split(": ")[1].split()[0]) > 10 for b in remote.browsers), remote.browsers
    assert not remote.failed_browsers


def test_a_server_that_dies_mid_run_has_its_walks_played_by_the_other(servers):
    doomed = servers[0]

    class KillAfterTen(runner.Progress):
        played = 0

        def walk(self, course, result):
            self.played += 1
            if self.played == 10:
                doomed.kill()

    course = FIXTURES / "branching"
    started = time.monotonic()
    catalogue = runner.run_catalogue([course], servers=[s.url for s in servers], progress=KillAfterTen())
    report = catalogue.reports[0]
    planned = len(report.walk_names) * 4  # both versions, both LMS profiles
    assert len(report.results) == planned and all(r is not None for r in report.results)
    assert sorted((r.fmt, r.profile, r.walk) for r in report.results) == sorted(
        (fmt, profile, name) for fmt in ("scorm12", "scorm2004") for profile in runner.PROFILES
        for name in report.walk_names)  # each walk once
    assert report.ok, [f for r in report.results for f in r.failures]
    assert report.coverage() == (report.choices_total, report.endings_total)
    assert len(catalogue.failed_browsers) == 1 and catalogue.failed_browsers[0].startswith(doomed.url)
    survivor = next(b for b in catalogue.browsers if b.startswith(servers[1].url))
    assert int(survivor.split(": ")[1].split()[0]) >= planned - 10
    assert time.monotonic() - started < 300


def test_cmi5_walks_asked_of_a_browser_server_are_refused_with_the_reason(capsys):
    # The cmi5 launcher and the LRS listen on this machine's loopback: say so before any work.
    from generator import cli

    code = cli.main(["test", str(FIXTURES / "reading-only"), "--format", "cmi5", "--browser-server",
                     "ws://127.0.0.1:9/"])
    err = capsys.readouterr().err
    assert code == 2
    assert "cmi5 walks play in browsers on this machine only" in err and "--browser-server" in err
