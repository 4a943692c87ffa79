"""The LMS side of cmi5 for walks and tests: a launcher written from the cmi5 specification.

Ralph stores statements but has no State or Agent Profile API, and an LRS does not judge cmi5
rules; this launcher does what a cmi5 LMS does around it, on 127.0.0.1:
- imports the package's cmi5.xml (AU id, moveOn, masteryScore, url);
- per launch: a session id, a one-time fetch URL and its token, LMS.LaunchData in its State
  store, the `launched` statement in the LRS, and the launch URL with its five parameters;
- answers the fetch URL once (then error-code 1), serves the State and Agent Profile documents;
- checks every request and statement of the AU against the spec's rules (xapi_rules) before
  forwarding a statement to the LRS; a statement that breaks a rule is refused (400), recorded
  with the rule's number, and never reaches the LRS (cmi5 6.3: an LMS SHOULD reject it);
- records `abandoned` for a session a relaunch finds without `terminated` (cmi5 9.3.6);
- serves the package itself, so the AU's endpoint is on its own origin.
`fail_every=N` answers every Nth request to the xAPI endpoint with 503, processing nothing: an
LRS that fails now and then.
"""
from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import posixpath
import secrets
import threading
import time
import urllib.error
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree

from . import xapi_rules
from .xapi_rules import CATEGORY_CMI5, CMI5, SESSION_ID, Launch, RegistrationRecord, SessionRules, Violation

LMS_HOME = "https://lms.coursegen.test"  # .test: reserved, never anyone's site (RFC 2606)
STRUCTURE_NS = "{https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd}"


@dataclass(frozen=True)
class CourseStructure:
    """What an LMS imports from cmi5.xml for the one AU."""

    au_id: str
    url: str
    move_on: str
    mastery_score: float | None

    @classmethod
    def read(cls, package: Path) -> "CourseStructure":
        au = ElementTree.parse(package / "cmi5.xml").getroot().find(f"{STRUCTURE_NS}au")
        mastery = au.get("masteryScore")
        return cls(au.get("id"), au.findtext(f"{STRUCTURE_NS}url").strip(), au.get("moveOn", "NotApplicable"),
                   float(mastery) if mastery is not None else None)


@dataclass
class Session:
    """One launch of the AU, with everything the LMS saw of it."""

    id: str
    registration: str
    url: str
    fetch_id: str
    auth_token: str
    rules: SessionRules
    launched_at: float
    violations: list[Violation] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)  # accepted, in arrival order
    fetch_calls: int = 0
    last_statement_at: float = 0.0
    abandoned: bool = False

    @property
    def terminated(self) -> bool:
        return self.rules.terminated


@dataclass
class Registration:
    record: RegistrationRecord = field(default_factory=RegistrationRecord)
    sessions: list[str] = field(default_factory=list)


class Launcher:
    """`with Launcher(package_folder, lrs) as lms:` then `lms.launch()` gives a Session whose
    `url` an AU is opened at."""

    def __init__(self, package: Path, lrs, fail_every: int = 0):
        self.package = Path(package).resolve()
        self.structure = CourseStructure.read(self.package)
        self.lrs = lrs
        self.fail_every = fail_every
        self.lock = threading.RLock()
        self.sessions: dict[str, Session] = {}
        self.registrations: dict[str, Registration] = {}
        self.documents: dict[tuple, bytes] = {}  # (activityId, agent, registration, stateId) -> JSON
        self.profiles: dict[tuple, bytes] = {}  # (agent, profileId) -> JSON
        self.stored: dict[str, dict] = {}  # statement id -> statement, of every session
        self.requests = 0  # to the xAPI endpoint
        self.injected = 0  # of which answered 503 on purpose
        self.unattributed: list[Violation] = []  # requests no session's token opened
        handler = type("Handler", (_Handler,), {"launcher": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="cmi5-launcher", daemon=True)
        # The LMS's own id for the AU: stable for all registrations, never the publisher's id (8.1.5).
        self.activity_id = f"{LMS_HOME}/activities/{hashlib.sha256(self.structure.au_id.encode()).hexdigest()[:16]}"

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "Launcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- launching -----------------------------------------------------------------------------

    def launch(self, registration: str | None = None, mode: str = "Normal", learner: str = "learner-1",
               name: str = "Jane Doe", mastery_score: float | None | str = "course") -> Session:
        """A launch as an LMS makes it; the same `registration` again is a relaunch. `mastery_score`
        is the course structure's unless given (an LMS may set its own, or none: cmi5 10.2.4)."""
        with self.lock:
            registration = registration or str(uuid.uuid4())
            record = self.registrations.setdefault(registration, Registration())
            for earlier in record.sessions:
                self._abandon(self.sessions[earlier])
            mastery = self.structure.mastery_score if mastery_score == "course" else mastery_score
            actor = {"objectType": "Agent", "account": {"homePage": LMS_HOME, "name": learner}, "name": name}
            session_id = str(uuid.uuid4())
            template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": self.structure.au_id}]},
                        "extensions": {SESSION_ID: session_id}}
            launch_data = {"contextTemplate": template, "launchMode": mode, "launchMethod": "AnyWindow",
                           "moveOn": self.structure.move_on}
            if mastery is not None:
                launch_data["masteryScore"] = mastery
            key = (self.activity_id, _agent_key(actor), registration, "LMS.LaunchData")
            self.documents[key] = json.dumps(launch_data).encode("utf-8")
            rules = SessionRules(Launch(session_id, registration, actor, self.activity_id, template, mode, mastery),
                                 record.record)
            fetch_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(18)
            auth_token = base64.b64encode(f"{session_id}:{secret}".encode()).decode()
            launch_url = f"{self.url}/pkg/{self.structure.url}"
            query = urllib.parse.urlencode({"endpoint": f"{self.url}/xapi/", "fetch": f"{self.url}/fetch/{fetch_id}",
                                            "actor": json.dumps(actor), "registration": registration,
                                            "activityId": self.activity_id})
            session = Session(session_id, registration, f"{launch_url}?{query}", fetch_id, auth_token, rules, time.time())
            self.sessions[session_id] = session
            record.sessions.append(session_id)
            extensions = {CMI5 + "context/extensions/launchmode": mode, CMI5 + "context/extensions/launchurl": launch_url,
                          CMI5 + "context/extensions/moveon": self.structure.move_on, SESSION_ID: session_id}
            if mastery is not None:
                extensions[CMI5 + "context/extensions/masteryscore"] = mastery
            self.lrs.put(self._lms_statement(session, "http://adlnet.gov/expapi/verbs/launched", extensions))
            return session

    def _lms_statement(self, session: Session, verb: str, extensions: dict, result: dict | None = None) -> dict:
        launch = session.rules.launch
        context = json.loads(json.dumps(launch.context_template))
        context["registration"] = session.registration
        context["contextActivities"]["category"] = [{"id": CATEGORY_CMI5}]
        context["extensions"].update(extensions)
        statement = {"id": str(uuid.uuid4()), "timestamp": _now(), "actor": launch.actor,
                     "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
                     "object": {"objectType": "Activity", "id": self.activity_id}, "context": context}
        if result:
            statement["result"] = result
        return statement

    def _abandon(self, session: Session) -> None:
        """A session still open when its registration is launched again ended abnormally (9.3.6)."""
        if session.terminated or session.abandoned:
            return
        session.abandoned = True
        seconds = max(0.0, (session.last_statement_at or session.launched_at) - session.launched_at)
        self.lrs.put(self._lms_statement(session, "https://w3id.org/xapi/adl/verbs/abandoned",
                                         {SESSION_ID: session.id}, {"duration": f"PT{seconds:.2f}S"}))

    def wait_terminated(self, session: Session, seconds: float = 10) -> bool:
        """Whether `terminated` reached the LRS within `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            with self.lock:  # not while a request is half-way through
                if session.terminated:
                    return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    # --- the AU's requests (called by the handler, one at a time) ------------------------------

    def fetch(self, fetch_id: str, method: str) -> tuple[int, dict]:
        session = next((s for s in self.sessions.values() if s.fetch_id == fetch_id), None)
        if session is None:
            return 404, {"error-code": "2", "error-text": "unknown fetch URL"}
        if method != "POST":
            session.violations.append(Violation("8.2.1.0-2", f"{method} on the fetch URL, which takes POST only"))
            return 405, {"error-code": "3", "error-text": "the fetch URL takes POST"}
        session.fetch_calls += 1
        if session.fetch_calls > 1:  # one-time URL (8.2.3): the token is never handed out twice
            return 200, {"error-code": "1", "error-text": "The authorization token has already been returned."}
        session.rules.fetched = True
        return 200, {"auth-token": session.auth_token}

    def session_for(self, authorization: str | None) -> Session | None:
        return next((s for s in self.sessions.values() if authorization == f"Basic {s.auth_token}"), None)

    def statements(self, session: Session, items: list, put_id: str | None) -> tuple[int, object]:
        """Judge each statement after the ones before it, then store the good ones in the LRS in
        one request; a rule broken stops the batch there (what came before it is stored)."""
        if session.abandoned:  # 9.3.6.0-2: nothing is recorded for an abandoned session
            return 403, {"error": "the session was abandoned"}
        if put_id is not None and (len(items) != 1 or items[0].get("id", put_id) != put_id):
            return 400, {"error": "statementId does not match the statement's id"}
        saved = session.rules.snapshot()
        ids, fresh, refusal = [], [], None
        for statement in items:
            if not isinstance(statement, dict):
                refusal = (400, {"error": "a statement must be a JSON object"})
                break
            if put_id is not None:
                statement.setdefault("id", put_id)
            known = self.stored.get(statement.get("id")) or next(
                (s for s in fresh if s.get("id") == statement.get("id")), None)
            if known is not None:  # the same statement again (a retry): stored once, nothing to judge
                if known != statement:
                    session.violations.append(Violation("9.1.0.0-1", "a different statement with an id already used",
                                                        statement.get("id")))
                    refusal = (409, {"error": "another statement has this id"})
                    break
                ids.append(statement["id"])
                continue
            found = session.rules.check(statement)
            if found:
                session.violations += found
                refusal = (400, {"error": "; ".join(str(v) for v in found)})
                break
            session.rules.accept(statement)
            fresh.append(statement)
            ids.append(statement["id"])
        try:
            self.lrs.post(fresh)
        except urllib.error.HTTPError as problem:  # the LRS refuses them: something xAPI does not allow
            session.rules.restore(saved)
            detail = problem.read().decode("utf-8", "replace")[:500] if problem.fp else problem.reason
            session.violations.append(Violation("4.1.0.0-1", f"the LRS refused it: HTTP {problem.code} {detail}",
                                                fresh[0].get("id") if fresh else None))
            return 400, {"error": str(detail)}
        except OSError as problem:  # the LRS behind failed: the AU must try again later
            session.rules.restore(saved)
            return 502, {"error": f"the LRS did not store the statements: {problem}"}
        for statement in fresh:
            self.stored[statement["id"]] = statement
            session.statements.append(statement)
        if fresh:
            session.last_statement_at = time.time()
        if refusal:
            return refusal
        return (204, None) if put_id is not None else (200, ids)

    def state(self, session: Session, method: str, params: dict, body: bytes) -> tuple[int, bytes | None]:
        found = session.rules.state_request(method, params)
        if params.get("activityId") != self.activity_id:
            found.append(Violation("8.1.5.0-6", f"activityId={params.get('activityId')!r} in a State request"))
        if found:
            session.violations += found
            return (403 if any(v.rule == "10.2.1.0-5" for v in found) else 400), None
        key = (params["activityId"], _agent_key(session.rules.launch.actor), params["registration"], params.get("stateId"))
        if method == "GET":
            return (200, self.documents[key]) if key in self.documents else (404, None)
        if method == "DELETE":
            self.documents.pop(key, None)
            return 204, None
        if method == "POST" and key in self.documents:  # xAPI: POST merges JSON objects
            merged = dict(json.loads(self.documents[key]), **json.loads(body or b"{}"))
            body = json.dumps(merged).encode("utf-8")
        json.loads(body or b"null")  # a document that is not JSON is refused
        self.documents[key] = body
        return 204, None

    def profile(self, session: Session, method: str, params: dict, body: bytes) -> tuple[int, bytes | None]:
        found = session.rules.profile_request(method, params)
        if found:
            session.violations += found
            return 400, None
        key = (_agent_key(session.rules.launch.actor), params.get("profileId"))
        if method == "GET":
            return (200, self.profiles[key]) if key in self.profiles else (404, None)
        self.profiles[key] = body
        return 204, None


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # a page that goes away before its answer (keepalive requests at unload) is no news


def _agent_key(agent: dict) -> str:
    return json.dumps(agent, sort_keys=True)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    launcher: Launcher
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._route("GET")

    def do_PUT(self) -> None:  # noqa: N802
        self._route("PUT")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._route("DELETE")

    def _reply(self, status: int, body: bytes | None = None, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Cache-Control", "no-store")
        if body is not None:
            self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._reply(status, None if data is None else json.dumps(data).encode("utf-8"))

    def _route(self, method: str) -> None:
        parts = urllib.parse.urlsplit(self.path)
        path = posixpath.normpath(urllib.parse.unquote(parts.path))
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        lms = self.launcher
        try:
            if path.startswith("/pkg/") and method == "GET":
                return self._file(path[len("/pkg/"):])
            with lms.lock:
                if path.startswith("/fetch/"):
                    return self._json(*lms.fetch(path[len("/fetch/"):], method))
                if not path.startswith("/xapi/"):
                    return self._reply(404)
                lms.requests += 1
                if lms.fail_every and lms.requests % lms.fail_every == 0:
                    lms.injected += 1
                    return self._json(503, {"error": "the LRS is unavailable (injected)"})
                if path == "/xapi/about":
                    return self._json(200, {"version": ["1.0.3"]})
                session = lms.session_for(self.headers.get("Authorization"))
                if session is None:
                    lms.unattributed.append(Violation("8.1.2.0-5", f"{method} {path} without a session's token"))
                    return self._json(401, {"error": "no valid token"})
                if path == "/xapi/statements" and method in ("PUT", "POST"):
                    data = json.loads(body or b"null")
                    items = data if isinstance(data, list) else [data]
                    return self._json(*lms.statements(session, items, params.get("statementId") if method == "PUT" else None))
                if path == "/xapi/activities/state":
                    status, document = lms.state(session, method, params, body)
                    return self._reply(status, document)
                if path == "/xapi/agents/profile":
                    status, document = lms.profile(session, method, params, body)
                    return self._reply(status, document)
                return self._json(400, {"error": f"{method} {path} is not part of what this LMS offers an AU"})
        except (ValueError, KeyError) as problem:  # a body that is not JSON, a missing parameter
            return self._json(400, {"error": f"{type(problem).__name__}: {problem}"})

    def _file(self, relative: str) -> None:
        target = (self.launcher.package / relative).resolve()
        if self.launcher.package not in target.parents or not target.is_file():
            return self._reply(404)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._reply(200, target.read_bytes(), kind)


__all__ = ["Launcher", "Session", "CourseStructure", "xapi_rules"]
