"""Where walks run: browsers on this machine or on other machines (Playwright's own browser
server, `playwright run-server`), each playing walks in a few pages at once, all fed from
one queue by one coordinator process.

Nothing a walk loads comes from disk: the LMS host page, scorm-again and the course's
packages are answered from the coordinator's memory (`Site`). A browser on another machine
gets them through Playwright's request routing, under an origin that never resolves
(`ORIGIN`): it needs nothing but Chromium, and shares neither files nor loopback with the
coordinator. A browser on this machine gets the same answers from a loopback server
(`Site.serve`), with the HTTP cache on: routing turns Chromium's cache off and costs the
coordinator a round trip per file, and the walks would then spend most of their time
answering for the same few files again. Requests the page posts (the Moodle-like LMS
profile's commits and beacons) are answered by the same handlers either way. (cmi5 walks
are the exception: their launcher listens on this machine's loopback, see cmi5walk.Cmi5Host.)

A browser that stops answering (its server died, its machine went away) has its walks put
back on the queue for the others: nothing is lost, nothing is counted twice, and the run
names the browser that failed.
"""
from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import json
import mimetypes
import os
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Awaitable, Callable

from . import lms

ORIGIN = "http://walks.coursegen.invalid"  # .invalid never resolves: a request the routes miss goes nowhere
SERVERS_VARIABLE = "COURSEGEN_BROWSER_SERVERS"  # space- or comma-separated ws:// endpoints
# The Chromium a browser server launches for us; empty: the server's own (a hosted grid's).
REMOTE_CHROMIUM = os.environ.get("COURSEGEN_REMOTE_CHROMIUM", "/usr/bin/chromium")
WALK_TIMEOUT_S = 120.0  # one walk, launch to LMS check: past it the browser is taken for dead if it is


def ours(url: str) -> bool:
    """Does this request go to the walks' origin? (A function: Playwright matches a glob
    pattern by building a regular expression for every request.)"""
    return url.startswith(ORIGIN + "/")


def servers_from_environment() -> list[str]:
    return os.environ.get(SERVERS_VARIABLE, "").replace(",", " ").split()


_BLOCKING = ThreadPoolExecutor(max_workers=64, thread_name_prefix="coursegen-walks")


async def blocking(call: Callable, *args):
    """`call(*args)` in a thread: what waits on a lock, a socket or a clock (the commit store,
    the cmi5 launcher, the LRS) never stops the coordinator's loop. Threads of their own, not
    asyncio's few: a request that waits for others (the Moodle-like profile's `stored` waits
    for the beacons still in flight) must never wait for a free thread."""
    return await asyncio.get_running_loop().run_in_executor(_BLOCKING, functools.partial(call, *args))


Handler = Callable[[str, str, str, bytes, dict], tuple[int, bytes]]  # (method, path, query, body, headers)
# A run's files never change under their URL (each run has a server, an origin, of its own).
CACHED = "max-age=86400, immutable"


class Site:
    """Files by URL path, answered from memory; handlers by path prefix for what the pages
    send (an LMS profile's commits and beacons)."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.handlers: dict[str, Handler] = {}

    def add(self, prefix: str, files: dict[str, bytes]) -> None:
        """`files` by path relative to `prefix` (which ends with "/")."""
        for name, data in files.items():
            self.files[prefix + name] = data

    def add_folder(self, prefix: str, folder: Path) -> None:
        self.add(prefix, {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()})

    def serve_commits(self, store: lms.CommitStore) -> None:
        """The Moodle-like profile's server (lmshost/host.js posts to /lms-store/commit, by
        synchronous request or beacon, and reads /lms-store/stored), answered as lms.StaticServer
        answers it, from this process: a browser on another machine reaches it too. Handlers
        block (`stored` waits for the beacons still in flight): they run in threads."""

        def answer(method: str, path: str, query: str, body: bytes, headers: dict) -> tuple[int, bytes]:
            params = dict(urllib.parse.parse_qsl(query))
            if method == "POST" and path == "/lms-store/commit":
                accepted = store.receive(params.get("host", ""), params.get("attempt", ""),
                                         params.get("session", ""), params.get("kind", "commit"),
                                         params.get("via", "xhr"), body, int(params.get("seq") or 0),
                                         headers.get("content-type", ""))
                return (200 if accepted else 413), json.dumps({"result": "true" if accepted else "false",
                                                               "errorCode": 0 if accepted else 101}).encode()
            if method == "GET" and path == "/lms-store/stored":
                stored = store.stored(params.get("host", ""), params.get("attempt", ""),
                                      params.get("session", ""), int(params.get("beacons") or 0))
                return 200, json.dumps(stored).encode()
            return 404, b""

        self.handlers["/lms-store/"] = answer

    def response(self, method: str, url_path: str, query: str, body: bytes, headers: dict
                 ) -> tuple[int, bytes, dict[str, str]]:
        """(status, body, headers) for one request; blocks while a handler waits."""
        path = urllib.parse.unquote(url_path)
        handler = next((h for prefix, h in self.handlers.items() if path.startswith(prefix)), None)
        if handler:
            status, answer = handler(method, path, query, body, headers)
            return status, answer, {"content-type": "application/json", "cache-control": "no-store"}
        data = self.files.get(path)
        if data is None or method not in ("GET", "HEAD"):
            return 404, b"", {"cache-control": "no-store"}
        kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "image/svg+xml"):
            kind += "; charset=utf-8"
        return 200, data, {"content-type": kind, "cache-control": CACHED}

    async def answer(self, route) -> None:
        """A routed request (a browser on a browser server)."""
        request = route.request
        parts = urllib.parse.urlsplit(request.url)
        headers = await request.all_headers() if request.method == "POST" else {}
        if urllib.parse.unquote(parts.path).startswith(tuple(self.handlers)):
            status, body, answer_headers = await blocking(self.response, request.method, parts.path, parts.query,
                                                          request.post_data_buffer or b"", headers)
        else:  # a file: answered here, no thread needed
            status, body, answer_headers = self.response(request.method, parts.path, parts.query, b"", headers)
        await route.fulfill(status=status, body=body, headers=answer_headers)

    @contextlib.contextmanager
    def serve(self):
        """The site on this machine's loopback, for browsers here: yields its origin."""
        site = self

        class Answer(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: a walk's files come over a few connections
            # The headers and the body go out as two writes: with Nagle's algorithm the body would
            # wait for the browser's delayed ACK (40 ms) on every synchronous commit.
            disable_nagle_algorithm = True

            def _answer(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status, answer, answer_headers = site.response(self.command, parts.path, parts.query, body, headers)
                self.send_response(status)
                for name, value in answer_headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(answer)

            do_GET = do_POST = do_HEAD = _answer  # noqa: N815 - the standard library's names

            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass

        server = lms._QuietServer(("127.0.0.1", 0), Answer)
        thread = threading.Thread(target=server.serve_forever, name="coursegen-walks-site", daemon=True)
        thread.start()
        try:
            host, port = server.server_address[:2]
            yield f"http://{host}:{port}"
        finally:
            server.shutdown()
            server.server_close()


def host_site() -> Site:
    """The LMS host page under /lms/ and scorm-again where the page looks for it."""
    site = Site()
    site.add_folder("/lms/", lms.host_folder())
    dist = lms.node_modules() / "scorm-again" / "dist"
    site.add("/node_modules/scorm-again/dist/", {name: (dist / name).read_bytes()
                                                 for name in ("scorm-again.js", "scorm-again.min.js")})
    return site


@dataclass(frozen=True)
class BrowserSpec:
    """A browser to play walks in: launched here, or on a Playwright browser server."""

    name: str  # "local 1", or the server's ws:// endpoint
    endpoint: str | None = None

    async def open(self, playwright):
        if self.endpoint is None:
            return await playwright.chromium.launch(executable_path=lms.chromium_path(), args=lms.CHROMIUM_ARGS)
        # The server launches Chromium as the client asks: Debian's, with our arguments (the server
        # must run with --unsafe to accept an executable path; Playwright's own download cannot
        # work where its servers cannot reach the internet).
        options = {"args": lms.CHROMIUM_ARGS, "headless": True}
        if REMOTE_CHROMIUM:  # empty: the server's own browser (a hosted grid)
            options["executablePath"] = REMOTE_CHROMIUM
        return await playwright.chromium.connect(self.endpoint, timeout=30_000,
                                                 headers={"x-playwright-launch-options": json.dumps(options)})


def browsers(local: int, servers: list[str]) -> list[BrowserSpec]:
    """`servers` when there are some (walks then run only there), else `local` browsers here."""
    if servers:
        return [BrowserSpec(url, url) for url in dict.fromkeys(servers)]
    return [BrowserSpec(f"local {i + 1}") for i in range(max(1, local))]


class BrowserGone(Exception):
    """The browser a walk was playing in stopped answering."""


@dataclass
class Lane:
    """One browser and what the run learnt about it."""

    spec: BrowserSpec
    browser: object = None
    walks: int = 0  # walks finished here
    lost: str | None = None  # why this browser dropped out, if it did
    started: float = 0.0  # seconds to launch or connect

    @property
    def alive(self) -> bool:
        return self.lost is None and self.browser is not None and self.browser.is_connected()


@dataclass
class Outcome:
    results: list = field(default_factory=list)  # in the order the jobs were given
    lanes: list[Lane] = field(default_factory=list)
    teardown: float = 0.0  # seconds closing pages and browsers

    @property
    def failed_browsers(self) -> list[str]:
        return [f"{lane.spec.name}: {lane.lost}" for lane in self.lanes if lane.lost]


Play = Callable[[object, dict, object], Awaitable[object]]  # (browser, the page's own state, job) -> result
Lost = Callable[[object, str], object]  # (job, why) -> the result of a job no browser is left to play


class Queue:
    """Jobs waiting, by the host page they need (`key`): a page takes the next job of the key it
    has open; when there is none, the first job of a key no other page has open; else the first
    job. So pages switch host pages (a new document, scorm-again compiled again) as seldom as
    the work allows, and help each other at the end."""

    def __init__(self, order: list[int], key: Callable[[int], object]):
        self.key = key
        self._waiting: dict[object, collections.deque] = {}
        for index in order:
            self._waiting.setdefault(key(index), collections.deque()).append(index)

    def __bool__(self) -> bool:
        return bool(self._waiting)

    def __iter__(self):
        return (index for waiting in self._waiting.values() for index in waiting)

    def take(self, mine: object, open_elsewhere: list) -> int:
        """The next job for a page that has `mine` open (only keys with jobs waiting are kept)."""
        chosen = mine if mine in self._waiting else next(
            (k for k in self._waiting if k not in open_elsewhere), next(iter(self._waiting)))
        index = self._waiting[chosen].popleft()
        if not self._waiting[chosen]:
            del self._waiting[chosen]
        return index

    def put_back(self, index: int) -> None:
        self._waiting.setdefault(self.key(index), collections.deque()).appendleft(index)


async def play_all(jobs: list, specs: list[BrowserSpec], pages: int, play: Play, lost: Lost,
                   on_close: Callable[[dict], Awaitable[None]] | None = None,
                   order: list[int] | None = None, key: Callable[[object], object] | None = None) -> Outcome:
    """Play every job in the browsers of `specs`, `pages` pages each, and return their results.

    `play(browser, state, job)` plays one job in a page it keeps in `state` (one dict per
    page, kept between jobs; its "remote" says whether the browser is on a browser server)
    and raises BrowserGone when the browser stopped answering: the job then goes back on the
    queue for the other browsers. `on_close(state)` tidies a page.
    `order` (job indices) is the order to hand them out in, `key(job)` the host page a job needs
    (see Queue); the results keep the jobs' order.
    """
    from playwright.async_api import async_playwright

    queue = Queue(list(order if order is not None else range(len(jobs))),
                  (lambda index: key(jobs[index])) if key else (lambda index: None))
    held: dict[int, object] = {}  # page -> the key of the job it last played
    results: list = [None] * len(jobs)
    remaining = len(jobs)
    changed = asyncio.Condition()
    outcome = Outcome(results, [Lane(spec) for spec in specs])

    async def slot(lane: Lane) -> None:
        nonlocal remaining
        state: dict = {"remote": lane.spec.endpoint is not None}
        try:
            while True:
                async with changed:
                    while not queue and remaining and lane.alive:
                        await changed.wait()  # a job may come back from a browser that failed
                    if not queue or not lane.alive:
                        return
                    index = queue.take(held.get(id(state)), [k for page, k in held.items() if page != id(state)])
                    held[id(state)] = queue.key(index)
                try:
                    result = await asyncio.wait_for(play(lane.browser, state, jobs[index]), WALK_TIMEOUT_S)
                except (BrowserGone, asyncio.TimeoutError) as problem:
                    if lane.browser.is_connected() and not isinstance(problem, BrowserGone):
                        result = lost(jobs[index], f"the walk took over {WALK_TIMEOUT_S:.0f} s")
                    else:
                        lane.lost = lane.lost or f"stopped answering after {lane.walks} walks ({problem or 'disconnected'})"
                        async with changed:
                            queue.put_back(index)
                            changed.notify_all()
                        return
                results[index] = result
                lane.walks += 1
                async with changed:
                    remaining -= 1
                    changed.notify_all()
        finally:
            held.pop(id(state), None)  # its host page no longer keeps others away
            if on_close and lane.alive:
                try:
                    await on_close(state)
                except Exception:  # noqa: BLE001 - a page closing badly changes no result
                    pass

    async def run_lane(lane: Lane, playwright) -> None:
        started = time.monotonic()
        try:
            lane.browser = await lane.spec.open(playwright)
        except Exception as problem:  # noqa: BLE001 - a server that cannot be reached is reported, not raised
            lane.lost = f"could not start: {str(problem).splitlines()[0] if str(problem) else type(problem).__name__}"
        else:
            lane.started = time.monotonic() - started
            lane.browser.on("disconnected", lambda _: asyncio.get_running_loop().create_task(_wake()))
            await asyncio.gather(*(slot(lane) for _ in range(max(1, pages))))
        finally:
            async with changed:
                changed.notify_all()

    async def _wake() -> None:
        async with changed:
            changed.notify_all()

    async with async_playwright() as playwright:
        await asyncio.gather(*(run_lane(lane, playwright) for lane in outcome.lanes))
        closing = time.monotonic()
        for lane in outcome.lanes:
            if lane.browser is not None and lane.browser.is_connected():
                try:
                    await lane.browser.close()
                except Exception:  # noqa: BLE001
                    pass
        outcome.teardown = time.monotonic() - closing
    why = "; ".join(outcome.failed_browsers) or "no browser could be started"
    for index in queue:
        results[index] = lost(jobs[index], f"no browser was left to play it ({why})")
    return outcome
