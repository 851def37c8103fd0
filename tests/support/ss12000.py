"""A local SS 12000 (v2.1) server: the municipality's student register as the roster sync
sees it, over real HTTP, for tests and the benchmark.

It serves an in-memory dataset shaped as the published specification defines it: every
list is ``{"data": [...], "pageToken": str | null}``, paged with ``limit`` and an opaque
``pageToken`` (a next page carries only ``pageToken``, and ``limit`` if it likes; any other
filter next to it is 400, as the specification says), filtered by ``meta.modified.after``
and, for groups, duties and activities, by ``organisation``. ``/deletedEntities?after=``
lists what was removed. Every API call needs a valid bearer token: one handed out by the
OAuth 2 token endpoint (client credentials with HTTP Basic) or the fixed token configured.

Test hooks: ``fail_next`` (a scripted failure, e.g. the second page of one school's
groups), ``expire_tokens``, ``touch`` and ``delete``, and ``requests``, the log of every
request (path and query), so a test can count pages and prove that nothing personal went
into a URL.

Nothing here imports Django: the benchmark uses it before settings are configured.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.local_http import LocalHTTPService

API_PATH = "/ss12000/v2.1"
TOKEN_PATH = "/token"
LISTS = ("organisations", "persons", "groups", "duties", "activities", "syllabuses")
# Lists a client reads per school unit: the specification's ``organisation`` filter.
BY_ORGANISATION = ("groups", "duties", "activities")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The deleted-entities endpoint's names for the kinds (``entities=`` takes the type names).
ENTITY_TYPES = {
    "Organisation": "organisations",
    "Person": "persons",
    "Group": "groups",
    "Duty": "duties",
    "Activity": "activities",
    "Syllabus": "syllabuses",
}

Record = dict[str, Any]


def rfc3339(moment: dt.datetime) -> str:
    """UTC with a ``Z``, as the register writes its times."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_rfc3339(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time without an offset")
    return moment


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Deletion:
    kind: str  # one of LISTS
    id: str
    at: dt.datetime


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it. ``path`` is relative to the API (``/groups``), or
    ``/token``; ``query`` is the decoded query string; ``target`` the raw path and query."""

    method: str
    path: str
    query: dict[str, list[str]]
    target: str
    status: int
    authorization: str | None = None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class _Failure:
    path_prefix: str
    status: int
    after_pages: int
    organisation: str | None
    body: bytes | None
    content_type: str


@dataclass
class _Cursor:
    """What a page token stands for: the filtered list as it was when the first page was
    asked for, and where the next page starts."""

    endpoint: str
    items: list[Any]
    offset: int
    limit: int
    organisation: str | None = None
    deleted: bool = False


class _HasDump(Protocol):
    deleted: list[Deletion]

    def dump(self) -> dict[str, list[Record]]: ...


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class SS12000Server(LocalHTTPService):
    """An SS 12000 server on 127.0.0.1 (a free port), serving in a daemon thread.

    ``url`` is the API base (what ROSTER_API_URL holds), ``token_url`` the OAuth 2 token
    endpoint. Clients authenticate with ``client_id``/``client_secret`` (client
    credentials) or with ``bearer_token``. Use as a context manager or ``start()``/``stop()``.
    """

    def __init__(
        self,
        *,
        client_id: str = "elevdialog",
        client_secret: str = "hemlig-klientnyckel",
        bearer_token: str | None = "fast-bearer-token",
        token_lifetime: int = 3600,
        misspell_activities: bool = False,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.bearer_token = bearer_token
        self.token_lifetime = token_lifetime
        # Skolverket's reference API spells the deleted activities' key "activitites".
        self.misspell_activities = misspell_activities
        self._lock = threading.RLock()
        self._data: dict[str, list[Record]] = {name: [] for name in LISTS}
        self._deleted: list[Deletion] = []
        self._tokens: dict[str, dt.datetime] = {}
        self._cursors: dict[str, _Cursor] = {}
        self._failures: list[_Failure] = []
        self._expire_after = 0
        self._log: list[LoggedRequest] = []

    thread_name = "ss12000"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + API_PATH

    @property
    def token_url(self) -> str:
        return self.origin + TOKEN_PATH

    # The dataset --------------------------------------------------------------------------

    def load(self, dataset: Mapping[str, Any] | _HasDump) -> None:
        """Serve this dataset from now on (a deep copy): a ``Municipality`` from
        ``tests.support.roster_data`` (its deletions included), or the JSON-file shape
        ``{"organisations": [...], ..., "deleted": [{"kind", "id", "at"}]}``."""
        if isinstance(dataset, Mapping):
            lists = {name: list(dataset.get(name, [])) for name in LISTS}
            deleted = [
                Deletion(entry["kind"], entry["id"], parse_rfc3339(entry["at"]))
                if isinstance(entry, Mapping)
                else entry
                for entry in dataset.get("deleted", [])
            ]
        else:
            lists, deleted = dict(dataset.dump()), list(dataset.deleted)
        copied = json.loads(json.dumps({name: lists.get(name, []) for name in LISTS}))
        with self._lock:
            self._data = copied
            self._deleted = deleted
            self._cursors.clear()

    def records(self, kind: str) -> list[Record]:
        """The served records of one list (live: a test may change them in place, then
        ``touch`` them)."""
        return self._data[kind]

    def find(self, kind: str, record_id: str) -> Record:
        with self._lock:
            for record in self._data[kind]:
                if record["id"] == record_id:
                    return record
        raise KeyError(f"no {kind} {record_id} on this server")

    def touch(
        self, kind: str | Record, record_id: str | None = None, at: dt.datetime | None = None
    ) -> Record:
        """Mark a record as changed now (or at ``at``): what an incremental read finds.
        ``touch("persons", id)``, or ``touch(record)`` with a record as served or built."""
        if isinstance(kind, dict):
            record_id = kind["id"]
            kind = next(name for name in LISTS if any(r["id"] == record_id for r in self._data[name]))
        assert record_id is not None
        record = self.find(kind, record_id)
        with self._lock:
            record.setdefault("meta", {})["modified"] = rfc3339(at or utc_now())
        return record

    def delete(self, kind: str, record_id: str, at: dt.datetime | None = None) -> None:
        """Remove a record and list it under ``/deletedEntities`` from ``at`` (now)."""
        record = self.find(kind, record_id)
        with self._lock:
            self._data[kind].remove(record)
            self._deleted.append(Deletion(kind, record_id, at or utc_now()))

    # Test hooks -----------------------------------------------------------------------------

    def fail_next(
        self,
        path_prefix: str,
        status: int = 500,
        *,
        after_pages: int = 0,
        organisation: str | None = None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Answer the next request to ``path_prefix`` (``/groups``, ``/persons``, ``/token``)
        with ``status``, after letting ``after_pages`` such requests through. With
        ``organisation`` only that school's listing counts (its later pages included).
        ``body`` replaces the spec's Error body: e.g. ``status=200, body="{not json"``."""
        if isinstance(body, str):
            body = body.encode()
        with self._lock:
            self._failures.append(
                _Failure(path_prefix, int(status), after_pages, organisation, body, content_type)
            )

    def expire_tokens(self, *, after_requests: int = 0) -> None:
        """Every OAuth token handed out so far stops working (as at its expiry): now, or
        after ``after_requests`` more API requests (to expire one in the middle of a read)."""
        with self._lock:
            if after_requests:
                self._expire_after = after_requests + 1  # counted down before each request
            else:
                self._tokens.clear()

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request so far, in arrival order (a snapshot)."""
        with self._lock:
            return list(self._log)

    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [request for request in self.requests if request.path == path]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    # Handling (on the server's request threads) ---------------------------------------------

    def _handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> _Answer:
        split = urlsplit(target)
        raw_path = unquote(split.path)
        path = raw_path[len(API_PATH) :] if raw_path.startswith(API_PATH + "/") else raw_path
        query = parse_qs(split.query, keep_blank_values=True)
        with self._lock:
            answer = self._scripted(path, query) or self._route(method, raw_path, path, query, headers, body)
            self._log.append(
                LoggedRequest(method, path, query, target, answer.status, headers.get("authorization"))
            )
        return answer

    def _scripted(self, path: str, query: dict[str, list[str]]) -> _Answer | None:
        organisation = _single(query, "organisation")
        token = _single(query, "pageToken")
        if token and token in self._cursors:
            organisation = self._cursors[token].organisation
        for failure in self._failures:
            if not path.startswith(failure.path_prefix):
                continue
            if failure.organisation is not None and failure.organisation != organisation:
                continue
            if failure.after_pages > 0:
                failure.after_pages -= 1
                return None
            self._failures.remove(failure)
            if failure.body is not None:
                return _Answer(failure.status, failure.body, failure.content_type)
            return _error(failure.status, "scripted", f"Scripted failure {failure.status}.")
        return None

    def _route(
        self,
        method: str,
        raw_path: str,
        path: str,
        query: dict[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> _Answer:
        if raw_path == TOKEN_PATH:
            if method != "POST":
                return _error(HTTPStatus.METHOD_NOT_ALLOWED, "method", "Use POST.")
            return self._token(headers, body)
        if not raw_path.startswith(API_PATH + "/"):
            return _error(HTTPStatus.NOT_FOUND, "not_found", "Not an SS 12000 path.")
        if self._expire_after:
            self._expire_after -= 1
            if not self._expire_after:
                self._tokens.clear()
        if not self._authorised(headers.get("authorization")):
            answer = _error(HTTPStatus.UNAUTHORIZED, "unauthorized", "A valid bearer token is required.")
            answer.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return answer
        if method != "GET":
            return _error(HTTPStatus.METHOD_NOT_ALLOWED, "method", "This API is read-only.")
        parts = path.strip("/").split("/")
        if parts == ["deletedEntities"]:
            return self._list("deletedEntities", query)
        if parts[0] in LISTS and len(parts) == 1:
            return self._list(parts[0], query)
        if parts[0] in LISTS and len(parts) == 2:
            for record in self._data[parts[0]]:
                if record["id"] == parts[1]:
                    return _json(HTTPStatus.OK, record)
            return _error(HTTPStatus.NOT_FOUND, "not_found", "No such entity.")
        return _error(HTTPStatus.NOT_FOUND, "not_found", "No such endpoint.")

    def _token(self, headers: Mapping[str, str], body: bytes) -> _Answer:
        form = parse_qs(body.decode("utf-8", "replace"))
        client_id, client_secret = _single(form, "client_id"), _single(form, "client_secret")
        scheme, _, encoded = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, client_secret = base64.b64decode(encoded).decode().partition(":")
            except ValueError:
                client_id = client_secret = None
        if _single(form, "grant_type") != "client_credentials":
            return _json(HTTPStatus.BAD_REQUEST, {"error": "unsupported_grant_type"})
        if client_id != self.client_id or client_secret != self.client_secret:
            answer = _json(HTTPStatus.UNAUTHORIZED, {"error": "invalid_client"})
            answer.headers["WWW-Authenticate"] = 'Basic realm="ss12000"'
            return answer
        token = secrets.token_urlsafe(24)
        self._tokens[token] = utc_now() + dt.timedelta(seconds=self.token_lifetime)
        return _json(
            HTTPStatus.OK,
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime},
        )

    def _authorised(self, authorization: str | None) -> bool:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return False
        if self.bearer_token is not None and secrets.compare_digest(token, self.bearer_token):
            return True
        expires = self._tokens.get(token)
        return expires is not None and utc_now() < expires

    def _list(self, endpoint: str, query: dict[str, list[str]]) -> _Answer:
        try:
            limit = int(_single(query, "limit") or DEFAULT_LIMIT)
        except ValueError:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_limit", "limit is not a number.")
        if limit < 1:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_limit", "limit must be at least 1.")
        limit = min(limit, MAX_LIMIT)
        token = _single(query, "pageToken")
        if token is not None:
            others = sorted(set(query) - {"pageToken", "limit"})
            if others:
                return _error(
                    HTTPStatus.BAD_REQUEST,
                    "pageToken_with_filter",
                    "pageToken cannot be combined with other filters: " + ", ".join(others),
                )
            cursor = self._cursors.pop(token, None)
            if cursor is None or cursor.endpoint != endpoint:
                return _error(HTTPStatus.BAD_REQUEST, "invalid_pageToken", "Unknown pageToken.")
            if "limit" in query:
                cursor.limit = limit
        else:
            made = self._first_cursor(endpoint, query, limit)
            if isinstance(made, _Answer):
                return made
            cursor = made
        page = cursor.items[cursor.offset : cursor.offset + cursor.limit]
        cursor.offset += len(page)
        next_token = None
        if cursor.offset < len(cursor.items):
            next_token = secrets.token_urlsafe(18)
            self._cursors[next_token] = cursor
        data: Any = self._deleted_page(page) if cursor.deleted else page
        return _json(HTTPStatus.OK, {"data": data, "pageToken": next_token})

    def _first_cursor(self, endpoint: str, query: dict[str, list[str]], limit: int) -> _Cursor | _Answer:
        allowed = {"limit", "expand", "sortkey"}
        if endpoint == "deletedEntities":
            allowed |= {"after", "entities"}
        else:
            allowed |= {"meta.modified.after", "meta.modified.before"}
        if endpoint in BY_ORGANISATION:
            allowed.add("organisation")
        unknown = sorted(set(query) - allowed)
        if unknown:
            return _error(
                HTTPStatus.BAD_REQUEST, "unknown_parameter", "Unknown parameter: " + ", ".join(unknown)
            )
        try:
            bounds = {
                name: parse_rfc3339(value)
                for name in ("meta.modified.after", "meta.modified.before", "after")
                if (value := _single(query, name)) is not None
            }
        except ValueError:
            return _error(HTTPStatus.BAD_REQUEST, "invalid_time", "A time is not RFC 3339.")
        if endpoint == "deletedEntities":
            kinds = set(LISTS)
            if "entities" in query:
                names = [name for value in query["entities"] for name in value.split(",") if name]
                if any(name not in ENTITY_TYPES for name in names):
                    return _error(HTTPStatus.BAD_REQUEST, "invalid_entities", "Unknown entity type.")
                kinds = {ENTITY_TYPES[name] for name in names}
            after = bounds.get("after")
            items: list[Any] = [
                entry
                for entry in self._deleted
                if entry.kind in kinds and (after is None or entry.at > after)
            ]
            return _Cursor(endpoint, items, 0, limit, deleted=True)
        organisation = _single(query, "organisation")
        items = [
            record
            for record in self._data[endpoint]
            if _matches(
                record, organisation, bounds.get("meta.modified.after"), bounds.get("meta.modified.before")
            )
        ]
        return _Cursor(endpoint, items, 0, limit, organisation=organisation)

    def _deleted_page(self, page: list[Deletion]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for entry in page:
            key = "activitites" if entry.kind == "activities" and self.misspell_activities else entry.kind
            grouped.setdefault(key, []).append(entry.id)
        return grouped


def _matches(
    record: Record, organisation: str | None, after: dt.datetime | None, before: dt.datetime | None
) -> bool:
    if organisation is not None:
        owner = record.get("organisation") or record.get("dutyAt") or {}
        if owner.get("id") != organisation:
            return False
    if after is not None or before is not None:
        modified = parse_rfc3339(record["meta"]["modified"])
        if after is not None and not modified > after:
            return False
        if before is not None and not modified < before:
            return False
    return True


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _json(status: int, payload: Any) -> _Answer:
    return _Answer(int(status), json.dumps(payload, ensure_ascii=False).encode())


def _error(status: int, code: str, message: str) -> _Answer:
    """The specification's Error body."""
    return _json(status, {"code": code, "message": message})


# --- HTTP --------------------------------------------------------------------------------------


def _handler_for(server: SS12000Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # The headers and the body go out in two writes; with Nagle's algorithm the
            # second waits for the client's delayed ACK (40 ms) on every page.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = server._handle(method, self.path, headers, body)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the tests read ``requests``

    return Handler


def serving(dataset: Mapping[str, Any] | _HasDump | None = None, **options: Any) -> Iterator[SS12000Server]:
    """A started server serving ``dataset``, stopped afterwards (for fixtures)."""
    with SS12000Server(**options) as server:
        if dataset is not None:
            server.load(dataset)
        yield server
