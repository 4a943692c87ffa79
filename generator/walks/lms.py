"""The LMS stand-in for walks: scorm-again in a host page, served on 127.0.0.1.

The host page (`lmshost/`) creates scorm-again's SCORM 1.2 or 2004 API in the
parent window, logs every call and opens the package in an iframe. scorm-again
itself comes from the npm package (node_modules), pinned in package.json.
"""
from __future__ import annotations

import os
import posixpath
import threading
import urllib.parse
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


class _Handler(SimpleHTTPRequestHandler):
    mounts: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        clean = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(path).path))
        for prefix in sorted(self.mounts, key=len, reverse=True):  # /pkg/a/ wins over /pkg/
            if clean == prefix.rstrip("/") or clean.startswith(prefix):
                root = self.mounts[prefix]
                target = (root / clean[len(prefix):].lstrip("/")).resolve()
                return str(target if target == root or root in target.parents else root / "__outside__")
        return str(Path(self.directory) / "__nothing_here__")

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
    """Folders mounted under URL prefixes, served quietly from a daemon thread."""

    def __init__(self, mounts: dict[str, Path]):
        self._mounts = {prefix: Path(folder).resolve() for prefix, folder in mounts.items()}
        handler = type("Handler", (_Handler,), {"mounts": self._mounts})
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
