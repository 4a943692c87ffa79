"""Ralph, a real xAPI Learning Record Store, as the statement store behind the cmi5 walks.

Ralph (the pip package ralph-malph) runs from its own virtualenv, because its `lrs` extra pins
its own FastAPI; scripts/setup.sh installs it in `.venv-ralph/`. It runs here with the
file-system backend and HTTP basic auth on 127.0.0.1, from a temporary folder that holds its
users file and its statements, and is stopped (with that folder) when the run ends.

The file-system backend reads its whole statements file for every write (to find a duplicate id)
and every query, so a run of many walks would slow down with every statement stored. The LRS
therefore has several users, each storing into a folder of its own (Ralph's `target`), and a
registration's statements always go through the same one: each file stays one walk's size.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .lms import LmsUnavailable

XAPI_VERSION = "1.0.3"
USER = "coursegen-launcher"
SHARDS = 32
HASH_PASSWORD = "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())"
# What `ralph runserver -b fs` runs, with two fixes:
# - Ralph 5.1.0's file-system LRS writes its one statements file with the "create" operation, so
#   every write after the first fails ("already exists and overwrite is not allowed"). Appending
#   is what an LRS on one JSON-lines file needs.
# - Its backends add every file read and written to a history (what the `ralph` command line has
#   fetched already, for `read --new`), and rewrite the whole history file on each addition: each
#   LRS request took longer than the last, 0.8 s once it held 38,000 entries. A server never
#   reads it, so it keeps none.
SERVE = """
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.mixins import HistoryMixin
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
HistoryMixin.append_to_history = lambda self, event: None
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def ralph_python() -> Path:
    """The Python of Ralph's virtualenv: $COURSEGEN_RALPH_VENV, else .venv-ralph in the checkout."""
    candidates = []
    if os.environ.get("COURSEGEN_RALPH_VENV"):
        candidates.append(Path(os.environ["COURSEGEN_RALPH_VENV"]))
    here = Path.cwd().resolve()
    candidates += [folder / ".venv-ralph" for folder in (here, *here.parents)]
    candidates.append(Path(__file__).resolve().parents[2] / ".venv-ralph")
    for venv in candidates:
        if (venv / "bin" / "python").is_file() and (venv / "bin" / "ralph").is_file():
            return venv / "bin" / "python"
    raise LmsUnavailable("Ralph (the xAPI LRS the cmi5 walks store statements in) is not installed: run "
                         "scripts/setup.sh --with-browser, or set COURSEGEN_RALPH_VENV to a virtualenv holding "
                         "ralph-malph[lrs,cli]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LrsClient:
    """The xAPI Statement API of an LRS at `url`, for clients with these `authorizations` (one
    per shard; a registration always uses the same). Plain data, so it travels to workers."""

    def __init__(self, url: str, authorizations: tuple[str, ...]):
        self.url, self.authorizations = url, tuple(authorizations)

    def _authorization(self, registration: str | None) -> str:
        digest = hashlib.sha256(str(registration).encode()).digest()
        return self.authorizations[int.from_bytes(digest[:4], "big") % len(self.authorizations)]

    def _request(self, method: str, path: str, body=None, registration: str | None = None):
        request = urllib.request.Request(self.url + path, method=method,
                                         data=None if body is None else json.dumps(body).encode("utf-8"),
                                         headers={"Authorization": self._authorization(registration),
                                                  "Content-Type": "application/json",
                                                  "X-Experience-API-Version": XAPI_VERSION})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode("utf-8")
            return json.loads(text) if text else None

    def put(self, statement: dict) -> None:
        """Store one statement (idempotent: the same statement twice is stored once)."""
        query = urllib.parse.urlencode({"statementId": statement["id"]})
        registration = (statement.get("context") or {}).get("registration")
        self._request("PUT", f"/xAPI/statements?{query}", statement, registration)

    def post(self, statements: list[dict]) -> None:
        """Store statements of one registration in one request (the LRS stores all or none)."""
        if statements:
            registration = (statements[0].get("context") or {}).get("registration")
            self._request("POST", "/xAPI/statements", statements, registration)

    def statements(self, registration: str, **filters) -> list[dict]:
        """The registration's stored statements matching the xAPI filters, in the order stored."""
        query = urllib.parse.urlencode(dict(filters, registration=registration, limit=1000))
        found, page = [], self._request("GET", f"/xAPI/statements?{query}", registration=registration)
        while True:
            found += page["statements"]
            if not page.get("more"):
                break
            page = self._request("GET", page["more"], registration=registration)
        return sorted(found, key=lambda s: s.get("stored", ""))


class Ralph:
    """`with Ralph() as lrs:` a running LRS; `lrs.client()` talks to it."""

    def __init__(self):
        self.python = ralph_python()
        self.password = secrets.token_urlsafe(12)
        self.folder: Path | None = None
        self.process: subprocess.Popen | None = None
        self.url = ""

    def authorization(self, shard: int) -> str:
        return "Basic " + base64.b64encode(f"{USER}-{shard}:{self.password}".encode()).decode()

    def __enter__(self) -> "Ralph":
        self.folder = Path(tempfile.mkdtemp(prefix="coursegen-ralph-"))
        digest = subprocess.run([str(self.python), "-c", HASH_PASSWORD, self.password], check=True,
                                capture_output=True, text=True).stdout.strip()
        # Written by hand: `ralph auth --write-to-disk` wants an Elasticsearch backend to reach.
        users = [{"username": f"{USER}-{shard}", "hash": digest, "scopes": ["all"], "target": f"shard-{shard}",
                  "agent": {"account": {"homePage": "http://127.0.0.1", "name": f"{USER}-{shard}"}}}
                 for shard in range(SHARDS)]
        (self.folder / "auth.json").write_text(json.dumps(users), encoding="utf-8")
        for shard in range(SHARDS):
            (self.folder / "statements" / f"shard-{shard}").mkdir(parents=True)
        # RALPH_APP_DIR: what Ralph would keep in the user's ~/.config/ralph lives in the run's folder.
        env = dict(os.environ, RALPH_APP_DIR=str(self.folder), RALPH_AUTH_FILE=str(self.folder / "auth.json"),
                   RALPH_RUNSERVER_BACKEND="fs",
                   RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(self.folder / "statements"),
                   RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT="1000")
        for attempt in range(3):  # a port taken between probing and binding: try another
            port = _free_port()
            self.process = subprocess.Popen(
                [str(self.python), "-c", SERVE, str(port)],
                cwd=self.folder, env=env, stdout=subprocess.DEVNULL, stderr=open(self.folder / "log", "wb"),
                start_new_session=True)
            self.url = f"http://127.0.0.1:{port}"
            if self._wait_ready():
                return self
            self._stop()
        log = (self.folder / "log").read_text(errors="replace")[-2000:]
        self.__exit__()
        raise LmsUnavailable(f"Ralph did not start:\n{log}")

    def _wait_ready(self, seconds: float = 30) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/__heartbeat__", timeout=2):
                    return True
            except OSError:
                time.sleep(0.2)
        return False

    def _stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def __exit__(self, *exc) -> None:
        self._stop()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def client(self) -> LrsClient:
        return LrsClient(self.url, tuple(self.authorization(shard) for shard in range(SHARDS)))
