"""The preview is a local tool: it listens on 127.0.0.1 only, answers only requests
addressed to it by name from its own pages, and serves nothing from disk paths
named in a URL.

Raw HTTP requests here, so each header is exactly what the test says; the same
rules seen from Chromium (DNS rebinding, a fetch from another site) are in
tests/test_preview.py.
"""
from __future__ import annotations

import http.client
import shutil
import socket
from pathlib import Path

import pytest

from repo import REPO
from untrusted import cpu_budget

from generator.workbench.preview import Preview

FIXTURE = REPO / "tests" / "fixtures" / "workbench" / "small-course"


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    folder = tmp_path_factory.mktemp("preview") / "course"
    shutil.copytree(FIXTURE, folder)
    with Preview(folder, port=0) as running:
        yield running


def request(preview, path: str = "/", host: str | None = "own", method: str = "GET",
            **headers: str) -> tuple[int, bytes, http.client.HTTPMessage]:
    port = preview.url.rstrip("/").rsplit(":", 1)[1]
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", f"127.0.0.1:{port}" if host == "own" else host.format(port=port))
        for name, value in headers.items():
            connection.putheader(name.replace("_", "-"), value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def test_it_listens_on_127_0_0_1_only(preview):
    host, port = preview._server.server_address[:2]
    assert host == "127.0.0.1"
    with pytest.raises(OSError):  # another loopback address of this machine reaches nothing
        socket.create_connection(("127.0.0.2", port), timeout=5).close()


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_its_own_names_are_answered(preview, host):
    status, body, headers = request(preview, "/__preview/status", host=host)
    assert status == 200 and b'"ok": true' in body
    assert headers["X-Frame-Options"] == "SAMEORIGIN"  # no other site may frame it
    assert headers["Cross-Origin-Resource-Policy"] == "same-origin"  # nor embed its files


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost:1", "127.0.0.1", "[::1]:{port}", "", None])
def test_a_request_for_another_host_gets_403(preview, host):
    """A page whose domain was rebound to 127.0.0.1 sends its own name as Host."""
    status, body, _ = request(preview, "/__preview/status", host=host)
    assert status == 403
    assert b'"ok"' not in body


@pytest.mark.parametrize("headers", [
    {"Sec_Fetch_Site": "cross-site", "Sec_Fetch_Mode": "no-cors", "Sec_Fetch_Dest": "script"},
    {"Sec_Fetch_Site": "cross-site", "Sec_Fetch_Mode": "cors", "Sec_Fetch_Dest": "empty"},
    {"Sec_Fetch_Site": "same-site", "Sec_Fetch_Mode": "no-cors", "Sec_Fetch_Dest": "image"},  # another port
    {"Sec_Fetch_Site": "cross-site", "Sec_Fetch_Mode": "navigate", "Sec_Fetch_Dest": "iframe"},
    {"Origin": "http://evil.example"},
    {"Origin": "http://127.0.0.1:1"},
    {"Origin": "null"},
])
def test_requests_from_other_sites_get_403(preview, headers):
    for path in ("/", "/__preview/status", "/__preview/jump?scenario=s&node=n", "/course/index.html"):
        status, _, _ = request(preview, path, **headers)
        assert status == 403, path


@pytest.mark.parametrize("headers", [
    {"Sec_Fetch_Site": "same-origin", "Sec_Fetch_Mode": "cors", "Sec_Fetch_Dest": "empty"},
    {"Sec_Fetch_Site": "none", "Sec_Fetch_Mode": "navigate", "Sec_Fetch_Dest": "document"},  # typed in
    {"Sec_Fetch_Site": "cross-site", "Sec_Fetch_Mode": "navigate", "Sec_Fetch_Dest": "document"},  # a map's link
    {"Origin": "http://127.0.0.1:{port}"},
])
def test_its_own_pages_and_links_to_it_are_answered(preview, headers):
    port = preview.url.rstrip("/").rsplit(":", 1)[1]
    headers = {name: value.format(port=port) for name, value in headers.items()}
    status, _, _ = request(preview, "/", **headers)
    assert status == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_nothing_but_get_is_answered(preview, method):
    """Every endpoint reads; the watcher alone rebuilds. No method can change the preview's state."""
    status, _, _ = request(preview, "/__preview/status", method=method)
    assert status == 501


@pytest.mark.parametrize("path", [
    "/../../etc/hostname", "/%2e%2e/%2e%2e/etc/hostname", "/%2E%2E%2F%2E%2E%2Fetc%2Fhostname", "//etc/hostname",
    "/course/../../../../etc/hostname", "/course/%2e%2e%2f%2e%2e%2fetc%2fhostname", "/course//etc/hostname",
    "/__preview/..%2f..%2f..%2fetc%2fhostname", "/__preview/map/../../../../etc/hostname",
    "/__preview/../course.yaml", "/course/../course.yaml", "/course/course.yaml", "/course/lesson.md",
    "/__preview/scorm-again.js/../../../etc/hostname", "/__preview/previewhost/../server.py",
])
def test_paths_out_of_the_build_get_404(preview, path):
    """Course files come from the in-memory build: no URL reaches a file on disk."""
    secret = Path("/etc/hostname").read_bytes().strip() if Path("/etc/hostname").is_file() else b"\0"
    status, body, _ = request(preview, path)
    assert status == 404, path
    assert secret not in body and b"id:" not in body


def test_an_alias_bomb_does_not_hang_the_preview(tmp_path):
    """The preview reads course.yaml for the modules to watch as the loader does: no alias is expanded."""
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
    (tmp_path / "course.yaml").write_text("\n".join(bomb) + "\nid: x\ntitle: X\nversion: 1.0.0\nmodules: [m.md]\n")
    with cpu_budget(10):
        with Preview(tmp_path, port=0) as running:
            problems = running.build.report["problems"]
    assert not running.build.ok
    assert problems[0]["message"] == 'YAML anchor "&a" is not allowed in course files: write the value out in full ' \
                                     "where it is needed"
