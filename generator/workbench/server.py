"""The preview's HTTP side, on 127.0.0.1 only.

  /                       the preview shell (previewhost/index.html)
  /__preview/<file>       the shell's script and style; scorm-again.js from node_modules
  /__preview/status       the current build as JSON; ?since=N waits for a newer one (long poll)
  /__preview/jump         ?scenario=&node=&flags=a,b -> resume data that lands on that node
  /__preview/relocate     ?key=&from=PLACE -> after an edit that changed the course's state key, resume
                          data for the nearest place to PLACE that is still there, and a note saying so
  /__preview/map/<file>   the scenario map of the current model (index.html, <id>.svg)
  /course/<file>          the course itself, from memory (the last build without errors)

Course files come from the in-memory build, never from disk paths in the URL.

The preview is a local tool, but any web page the author visits can make the
browser send requests to 127.0.0.1. So it answers only requests addressed to
it by name (the Host header is 127.0.0.1 or localhost with its port: a page
that rebinds its own domain to 127.0.0.1 is refused) and coming from its own
pages (Sec-Fetch-Site, Origin); following a link to it from elsewhere (the
map written by `coursegen map`) is allowed, since such a page cannot read the
answer. Every endpoint is a GET without side effects (the watcher rebuilds);
an endpoint that changes state must also refuse a request without a custom
header, which no other origin can send without the preview's consent.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs, unquote, urlsplit

from .jump import JumpError

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json", ".svg": "image/svg+xml",
         ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
         ".webp": "image/webp", ".woff2": "font/woff2"}
SHELL_FILES = ("index.html", "preview.js", "preview.css")


class PreviewError(Exception):
    """The preview cannot start (port taken, scorm-again missing); the message says what to do."""


def host_folder() -> Path:
    return Path(str(resources.files("generator.workbench") / "previewhost"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a waiting long poll must not keep the process alive
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        pass  # a browser that drops a long poll on reload is no news


def serve(preview, port: int) -> _Server:
    handler = type("PreviewHandler", (_Handler,), {"preview": preview})
    try:
        server = _Server(("127.0.0.1", port), handler)
    except OSError as exc:
        raise PreviewError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                           "pick another port with --port N, or --port 0 for any free one") from None
    threading.Thread(target=server.serve_forever, name="coursegen-preview-http", daemon=True).start()
    return server


class _Handler(BaseHTTPRequestHandler):
    preview = None
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        refusal = self._refusal()
        if refusal:  # the author should know that some page tried
            self.preview.log(f"{time.strftime('%H:%M:%S')} refused a request for {self.path[:100]} "
                             f"(Host {self.headers.get('Host', 'missing')[:100]}): {refusal}")
            return self._send(403, refusal.encode("utf-8"), "x.txt")
        url = urlsplit(self.path)
        path, query = unquote(url.path), parse_qs(url.query)
        if path in ("/", "/index.html"):
            return self._file(host_folder() / "index.html")
        if path.startswith("/course/"):
            name = path[len("/course/"):] or "index.html"
            files = self.preview.build.files
            return self._send(200, files[name], name) if name in files else self._missing()
        if path.startswith("/__preview/map/"):
            name = path[len("/__preview/map/"):] or "index.html"
            files = self.preview.map_files()
            return self._send(200, files[name], name) if name in files else self._missing()
        if path == "/__preview/status":
            since = _int(query.get("since", ["-1"])[0])
            build = self.preview.wait(since) if since >= 0 else self.preview.build
            return self._json(200, build.report)
        if path == "/__preview/jump":
            return self._jump(query)
        if path == "/__preview/relocate":
            return self._answer(lambda: self.preview.relocate(query.get("key", [""])[0], query.get("from", [""])[0]))
        if path == "/__preview/scorm-again.js":
            return self._file(self.preview.scorm_again)
        name = PurePosixPath(path).name
        if path == f"/__preview/{name}" and name in SHELL_FILES:
            return self._file(host_folder() / name)
        return self._missing()

    def _refusal(self) -> str | None:
        """Why this request is not the author's own, or None when it is."""
        port = self.server.server_address[1]
        hosts = {f"127.0.0.1:{port}", f"localhost:{port}"} | ({"127.0.0.1", "localhost"} if port == 80 else set())
        host = self.headers.get("Host", "")
        if host.lower() not in hosts:
            return f"the preview answers only http://127.0.0.1:{port}/ and http://localhost:{port}/"
        site = self.headers.get("Sec-Fetch-Site")
        followed_link = self.headers.get("Sec-Fetch-Mode") == "navigate" and \
            self.headers.get("Sec-Fetch-Dest") == "document"
        if site not in (None, "same-origin", "none") and not followed_link:
            return "the preview answers only its own pages"
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() != f"http://{host.lower()}":
            return "the preview answers only its own pages"
        return None

    def _jump(self, query: dict) -> None:
        def one(key: str) -> str:
            return query.get(key, [""])[0]

        flags = [f for f in one("flags").split(",") if f]
        self._answer(lambda: self.preview.jump(one("scenario"), one("node"), flags))

    def _answer(self, work) -> None:
        try:
            self._json(200, work())
        except JumpError as problem:
            self._json(400, {"error": str(problem)})

    def _file(self, path: Path) -> None:
        self._send(200, path.read_bytes(), path.name)

    def _json(self, status: int, data: dict) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "x.json")

    def _missing(self) -> None:
        self._send(404, b"not found", "x.txt")

    def _send(self, status: int, body: bytes, name: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", TYPES.get(PurePosixPath(name).suffix.lower(), "text/plain; charset=utf-8"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # every build is new
        # Other sites may neither frame the preview nor embed its files.
        self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return -1
