"""The LMS stand-in for walks: scorm-again in a host page, served on 127.0.0.1.

The host page (`lmshost/`) creates scorm-again's SCORM 1.2 or 2004 API in the
parent window, logs every call and opens the package in an iframe. scorm-again
itself comes from the npm package (node_modules), pinned in package.json.

In its Moodle-like profile the host sends every Commit and the final Terminate
to this server (`/lms-store/`), as a real LMS's player does: what the LMS holds
is then what arrived here, not what the page kept in memory (see `CommitStore`).
"""
from __future__ import annotations

import json
import os
import posixpath
import threading
import time
import urllib.parse
from email import policy
from email.parser import BytesParser
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from . import nodecache

CHROMIUM = os.environ.get("COURSEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCORM_AGAIN = Path("scorm-again") / "dist" / "scorm-again.js"


class LmsUnavailable(Exception):
    """Something the walks need is not installed; the message says how to get it."""


def host_folder() -> Path:
    return Path(str(resources.files("generator.walks") / "lmshost"))


def node_modules() -> Path:
    """The node_modules holding scorm-again: $COURSEGEN_NODE_MODULES, then the
    current folder and its parents, then the checkout coursegen runs from, then
    the per-user cache (installed there with npm on first use)."""
    candidates = []
    if os.environ.get("COURSEGEN_NODE_MODULES"):
        candidates.append(Path(os.environ["COURSEGEN_NODE_MODULES"]))
    here = Path.cwd().resolve()
    candidates += [folder / "node_modules" for folder in (here, *here.parents)]
    candidates.append(Path(__file__).resolve().parents[2] / "node_modules")
    for folder in candidates:
        if (folder / SCORM_AGAIN).is_file():
            return folder
    return _cached_node_modules()


def _cached_node_modules() -> Path:
    """An author's installed coursegen, with no checkout and no node_modules of their own."""
    try:
        return nodecache.node_modules(SCORM_AGAIN)
    except nodecache.InstallFailed as problem:
        raise LmsUnavailable(str(problem)) from None


def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        raise LmsUnavailable(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                             "(apt-get install -y chromium) or set COURSEGEN_CHROMIUM")
    return CHROMIUM


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


BEACON_LIMIT = 64 * 1024  # bytes of keepalive requests a Chromium page may have in flight


class CommitStore:
    """The server side of the Moodle-like profile: every write that arrives, and the record of
    each attempt they add up to, element by element, as Moodle stores it. An attempt may span
    sessions (a learner who leaves and resumes); a host page names both in each write.

    Like Chromium, it refuses a beacon that would take the beacons in flight past 64 KiB.
    Headless Chromium enforces that limit itself, before sending (sendBeacon returns false);
    this check stands behind it so a browser without the limit cannot hide an oversized
    final write. A beacon is held `hold` seconds before the answer, as a busy LMS server
    holds it, so beacons sent together are in flight together.
    """

    def __init__(self, hold: float = 0.05):
        self.hold = hold
        self._lock = threading.Condition()
        self._attempts: dict[str, dict] = {}
        self._in_flight: dict[str, int] = {}  # host page -> beacon bytes not yet answered

    def receive(self, host: str, attempt: str, session: str, kind: str, via: str, body: bytes, seq: int = 0,
                content_type: str = "application/x-www-form-urlencoded") -> bool:
        """One write; `seq` is its place in the order the page sent them (beacons sent together
        may arrive in either order: the later-sent values win, as on a server that received
        them one after the other)."""
        with self._lock:
            entry = self._attempts.setdefault(f"{host}/{attempt}", {"arrivals": [], "record": {}, "seen": {},
                                                                    "last": 0.0, "busy": 0})
            refused = via == "beacon" and self._in_flight.get(host, 0) + len(body) > BEACON_LIMIT
            arrival = {"session": session, "kind": kind, "via": via, "bytes": len(body), "accepted": not refused,
                       "seq": seq}
            entry["arrivals"].append(arrival)
            entry["last"] = time.monotonic()
            if not refused:
                try:
                    fields = _fields(content_type, body)
                except ValueError:
                    arrival["accepted"] = False
                else:
                    for name, value in fields.items():
                        if seq >= entry["seen"].get(name, -1):
                            entry["record"][name], entry["seen"][name] = value, seq
                    if via == "beacon":
                        self._in_flight[host] = self._in_flight.get(host, 0) + len(body)
            entry["busy"] += 1
        if via == "beacon":
            time.sleep(self.hold)
        with self._lock:
            if via == "beacon" and arrival["accepted"]:
                self._in_flight[host] -= len(body)
            entry["busy"] -= 1
            entry["last"] = time.monotonic()
            self._lock.notify_all()
        return arrival["accepted"]

    def stored(self, host: str, attempt: str, session: str = "", beacons: int = 0, timeout: float = 10.0) -> dict:
        """What the LMS holds for one attempt, once the `beacons` the page sent in `session`
        (sendBeacon answered true: the browser delivers them after the page is gone) arrived."""
        key, deadline = f"{host}/{attempt}", time.monotonic() + timeout
        with self._lock:
            while time.monotonic() < deadline:
                entry = self._attempts.get(key)
                arrived = sum(1 for a in entry["arrivals"] if a["session"] == session and a["via"] == "beacon") \
                    if entry else 0
                if arrived >= beacons and (entry is None or entry["busy"] == 0):
                    break
                self._lock.wait(0.05)
            entry = self._attempts.get(key) or {"arrivals": [], "record": {}}
            return {"arrivals": sorted(entry["arrivals"], key=lambda a: a["seq"]), "record": dict(entry["record"])}


def _fields(content_type: str, body: bytes) -> dict[str, str]:
    """The elements of one post, as Moodle's player sends them: a form, urlencoded (a
    synchronous Commit) or multipart (a beacon), one field per element, dots written "__"."""
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        if not message.is_multipart():
            raise ValueError("not multipart form data")
        pairs = [(part.get_param("name", header="content-disposition"), part.get_content())
                 for part in message.iter_parts()]
    else:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body))
    return {name.replace("__", "."): value for name, value in pairs if name and name.startswith("cmi__")}


class _Handler(SimpleHTTPRequestHandler):
    mounts: dict[str, Path] = {}
    store: CommitStore
    # Headers and body are two writes: with Nagle's algorithm the body of every synchronous
    # commit would wait for the browser's delayed ACK (40 ms).
    disable_nagle_algorithm = True

    def translate_path(self, path: str) -> str:
        clean = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(path).path))
        for prefix in sorted(self.mounts, key=len, reverse=True):  # /pkg/a/ wins over /pkg/
            if clean == prefix.rstrip("/") or clean.startswith(prefix):
                root = self.mounts[prefix]
                target = (root / clean[len(prefix):].lstrip("/")).resolve()
                return str(target if target == root or root in target.parents else root / "__outside__")
        return str(Path(self.directory) / "__nothing_here__")

    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/lms-store/commit":
            return self.send_error(404)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        accepted = self.store.receive(query.get("host", ""), query.get("attempt", ""), query.get("session", ""),
                                      query.get("kind", "commit"), query.get("via", "xhr"), body,
                                      int(query.get("seq") or 0), self.headers.get("Content-Type", ""))
        self._answer(200 if accepted else 413, {"result": "true" if accepted else "false",
                                                "errorCode": 0 if accepted else 101})

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/lms-store/stored":
            return super().do_GET()
        query = dict(urllib.parse.parse_qsl(url.query))
        self._answer(200, self.store.stored(query.get("host", ""), query.get("attempt", ""), query.get("session", ""),
                                            int(query.get("beacons") or 0)))

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # every run serves fresh packages
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a browser that closes a page mid-download is no news


class StaticServer:
    """Folders mounted under URL prefixes, served quietly from a daemon thread, and the
    commit endpoint of the Moodle-like profile (`/lms-store/`, see `CommitStore`)."""

    def __init__(self, mounts: dict[str, Path]):
        self._mounts = {prefix: Path(folder).resolve() for prefix, folder in mounts.items()}
        self.store = CommitStore()
        handler = type("Handler", (_Handler,), {"mounts": self._mounts, "store": self.store})
        self._httpd = _QuietServer(("127.0.0.1", 0), partial(handler, directory=os.devnull))
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="coursegen-lms", daemon=True)

    def mount(self, prefix: str, folder: Path) -> str:
        """Serve `folder` under `prefix` (from now on); returns its URL."""
        self._mounts[prefix] = Path(folder).resolve()
        return self.url + prefix

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def HostServer(packages: dict[str, Path]) -> StaticServer:  # noqa: N802 - reads as a class at call sites
    """The host page at /lms/host.html, scorm-again under /node_modules/, packages where given."""
    return StaticServer({"/lms/": host_folder(), "/node_modules/": node_modules(), **packages})
