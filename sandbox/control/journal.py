"""The request journal: the last requests to the vendor APIs, as received and answered.

Each process keeps what it served in a bounded buffer and writes it to the store in batches
(a background thread every `FLUSH_INTERVAL`, and before every read of the journal), so that the
journal shows the requests of every worker process without a write per request. The store keeps
the newest `size` entries.

The journal is read without credentials, so what would let its reader act as a client (a client
secret, a password, an access or refresh token) is kept as `[redacted]` (`redacted`): in the
query, in request and response bodies that are JSON or forms, and in headers (`kept_headers`):
the credentials of `Authorization` (its scheme is kept, to show which one a client used),
cookies, and every header whose name speaks of a token, a secret, a password or a key.
"""

import json
import logging
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy import Connection, Delete, delete, func, insert
from sqlalchemy.orm import defer
from sqlmodel import col, select

from sandbox.core.errors import NotFound
from sandbox.store.engine import Store
from sandbox.store.models import JournalEntry

log = logging.getLogger(__name__)
FLUSH_INTERVAL = 0.2
"""Seconds: how stale another process's requests may look in the journal."""
BODY_LIMIT = 64 * 1024
"""Characters of a request or response body the journal keeps."""
SECRET_FIELDS = ("client_secret", "password", "access_token", "refresh_token")
"""Fields whose values the journal never keeps (OAuth 2.0's names, which clients write as they are)."""
REDACTED = "[redacted]"
FORMS = ("", "application/x-www-form-urlencoded", "text/plain")
"""Media types of bodies read as forms where they are not JSON (the token endpoint reads them so)."""
_NAMES = "|".join(SECRET_FIELDS)
_JSON_SECRET = re.compile(rf'("(?:{_NAMES})"\s*:\s*)(?:"(?:[^"\\]|\\.)*"?|[^\s,\]}}]*)')
"""A secret member of JSON text that did not parse (cut short): its value, a string or a scalar."""
_FORM_SECRET = re.compile(rf"((?:^|&)(?:{_NAMES})=)[^&]*")
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization"})
"""Headers whose scheme is kept and whose credentials are not."""
SECRET_HEADERS = re.compile(r"cookie|token|secret|password|api-?key", re.IGNORECASE)
"""Names of headers whose whole value the journal never keeps (Cookie and Set-Cookie among them)."""


@dataclass(frozen=True)
class Filter:
    api: str | None = None
    method: str | None = None
    status: int | None = None
    status_class: int | None = None
    """1 to 5: any status of that hundred."""
    path: str | None = None
    """A shell-style pattern of the path."""
    organization_id: int | None = None
    after_id: int | None = None
    since: datetime | None = None
    """Only requests that arrived at this real time or later."""
    limit: int = 100


CRITERIA = ("api", "method", "path", "organization", "body")


@dataclass(frozen=True)
class Expectation:
    """What a verification looks for among the requests after `after_id` (all when None)."""

    api: str | None = None
    method: str | None = None
    path: str | None = None
    """A shell-style pattern of the path."""
    organization_id: int | None = None
    body: Any = None
    """A JSON value the request body must hold (`body_difference`); None: any body."""
    after_id: int | None = None
    since: datetime | None = None
    """Only requests that arrived at this real time or later: a mark's, so that a request served
    before it by another process, and written after it, is not counted."""
    limit: int = 100


@dataclass(frozen=True)
class NearMiss:
    entry: JournalEntry
    criterion: str
    """The one criterion of CRITERIA the request did not meet."""
    reason: str


@dataclass(frozen=True)
class Verdict:
    count: int
    """Requests that meet every criterion."""
    considered: int
    """Requests after the mark, met or not."""
    matches: list[JournalEntry]
    """The newest `limit` of those counted, newest first, with their bodies."""
    near_misses: list[NearMiss]
    """The newest `limit` requests that meet every criterion but one, newest first."""


class Journal:
    def __init__(self, size: int) -> None:
        self.size = size
        self._pending: deque[dict[str, object]] = deque(maxlen=size)
        self._unwritten: list[dict[str, object]] = []
        """What flushes that failed were to write, oldest first: written before what is pending."""
        self._lock = threading.Lock()

    def record(self, entry: dict[str, object]) -> None:
        self._pending.append(entry)

    def discard(self) -> None:
        """Forget what this process has not written yet; a flush under way finishes first."""
        with self._lock:
            self._forget(None)

    def _forget(self, organization_id: int | None) -> None:
        """Forget what is not written yet: all, or the requests whose credential was of
        `organization_id`. The caller holds the lock."""
        for entries in (self._pending, self._unwritten):
            kept = (
                [] if organization_id is None else [entry for entry in entries if entry.get("organization_id") != organization_id]
            )
            entries.clear()
            entries.extend(kept)

    def flush(self, store: Store) -> None:
        """Write what this process served and has not written yet, and drop all but the newest
        `size` entries. What a flush that fails was to write is written by the next, before what
        is served meanwhile: no entry is lost but those the journal would drop anyway, beyond
        the newest `size`."""
        with self._lock:
            while self._pending:
                self._unwritten.append(self._pending.popleft())
            del self._unwritten[: max(0, len(self._unwritten) - self.size)]
            if not self._unwritten:
                return
            with store.session(write=True) as session:
                session.execute(insert(JournalEntry), self._unwritten)
                newest = session.execute(select(func.max(JournalEntry.id))).scalar() or 0
                session.execute(delete(JournalEntry).where(col(JournalEntry.id) <= newest - self.size))
                session.commit()
            self._unwritten.clear()

    def entries(self, store: Store, where: Filter) -> list[JournalEntry]:
        """Newest first."""
        self.flush(store)
        query = (
            select(JournalEntry)
            .order_by(col(JournalEntry.id).desc())
            .options(defer(JournalEntry.request_body), defer(JournalEntry.response_body))  # type: ignore[arg-type]  # columns, typed as their values
        )
        if where.api:
            query = query.where(JournalEntry.api == where.api)
        if where.method:
            query = query.where(JournalEntry.method == where.method.upper())
        if where.status is not None:
            query = query.where(JournalEntry.status == where.status)
        if where.status_class is not None:
            low = where.status_class * 100
            query = query.where(col(JournalEntry.status) >= low, col(JournalEntry.status) < low + 100)
        if where.organization_id is not None:
            query = query.where(JournalEntry.organization_id == where.organization_id)
        if where.after_id is not None:
            query = query.where(col(JournalEntry.id) > where.after_id)
        if where.since is not None:
            query = query.where(col(JournalEntry.at) >= where.since)
        with store.session() as session:
            if where.path is None:
                return list(session.exec(query.limit(where.limit)))
            found = []
            for entry in session.exec(query):
                if fnmatchcase(entry.path, where.path):
                    found.append(entry)
                    if len(found) == where.limit:
                        break
            return found

    def verify(self, store: Store, expected: Expectation) -> Verdict:
        """Count the requests after the mark that meet every criterion of `expected`, and find
        those that meet all but one, to show what a client sent instead. A request body is parsed
        only where the other criteria are missed once at most; answers are read only for the
        matches returned."""
        self.flush(store)
        query = select(JournalEntry).order_by(col(JournalEntry.id).desc()).options(defer(JournalEntry.response_body))  # type: ignore[arg-type]  # a column, typed as its value
        if expected.after_id is not None:
            query = query.where(col(JournalEntry.id) > expected.after_id)
        if expected.since is not None:
            query = query.where(col(JournalEntry.at) >= expected.since)
        count = considered = 0
        matched: list[int] = []
        near_misses: list[NearMiss] = []
        with store.session() as session:
            for entry in session.exec(query):
                considered += 1
                missed = _missed(entry, expected)
                if not missed:
                    count += 1
                    if len(matched) < expected.limit:
                        matched.append(entry.id or 0)
                elif len(missed) == 1 and len(near_misses) < expected.limit:
                    near_misses.append(NearMiss(entry, *missed[0]))
            matches = list(
                session.exec(select(JournalEntry).where(col(JournalEntry.id).in_(matched)).order_by(col(JournalEntry.id).desc()))
            )
        return Verdict(count=count, considered=considered, matches=matches, near_misses=near_misses)

    def entry(self, store: Store, entry_id: int) -> JournalEntry:
        self.flush(store)
        with store.session() as session:
            found = session.get(JournalEntry, entry_id)
        if found is None:
            raise NotFound(f"no journal entry {entry_id}: it was never recorded, or newer requests pushed it out")
        return found

    def clear(self, store: Store, organization_id: int | None = None) -> None:
        """Remove every entry, or those of requests whose credential was of `organization_id`:
        what this process has not written yet is forgotten rather than written and deleted."""
        with self.clearing(organization_id) as statement, store.session(write=True) as session:
            session.execute(statement)
            session.commit()

    @contextmanager
    def clearing(self, organization_id: int | None = None) -> Iterator[Delete]:
        """The statement that deletes the entries written (all, or `organization_id`'s), for the
        caller to run in a transaction of its own (a restore's) inside this block. No flush
        writes meanwhile: a flush under way finishes first, and one due waits. Once the block
        ends without raising, what this process has not written yet is forgotten with them.

        The journal is held before the caller's transaction begins, as a flush holds it before
        its own: the other way round, each would wait for the other."""
        statement = (
            _CLEAR_ALL if organization_id is None else _CLEAR_ALL.where(col(JournalEntry.organization_id) == organization_id)
        )
        with self._lock:
            yield statement
            self._forget(organization_id)


_CLEAR_ALL = delete(JournalEntry)
_NEWEST = select(func.max(JournalEntry.id))


def newest_written(connection: Connection) -> int:
    """The newest entry's id in the store, 0 for none: what any process has not written yet will
    have a larger one. With the time it was read, it marks the journal (`JournalMark`): an entry
    written later of a request that arrived earlier is told apart by its arrival."""
    return int(connection.execute(_NEWEST).scalar() or 0)


def _missed(entry: JournalEntry, expected: Expectation) -> list[tuple[str, str]]:
    """The criteria `entry` does not meet, each with why; the body is compared only when it is
    all that could be missed, or the one criterion missed of a near miss."""
    missed = []
    if expected.api is not None and entry.api != expected.api:
        missed.append(("api", f"api is {entry.api}, not {expected.api}"))
    if expected.method is not None and entry.method != expected.method.upper():
        missed.append(("method", f"method is {entry.method}, not {expected.method.upper()}"))
    if expected.path is not None and not fnmatchcase(entry.path, expected.path):
        missed.append(("path", f"path {entry.path} does not match {expected.path}"))
    if expected.organization_id is not None and entry.organization_id != expected.organization_id:
        held = "no organization" if entry.organization_id is None else f"organization {entry.organization_id}"
        missed.append(("organization", f"the credential was of {held}, not of organization {expected.organization_id}"))
    if expected.body is not None and len(missed) < 2:
        difference = _body_difference(entry, expected.body)
        if difference is not None:
            missed.append(("body", difference))
    return missed


_MISSING = object()


def _body_difference(entry: JournalEntry, expected: Any) -> str | None:
    """Why the request body of `entry` does not hold `expected`, or None when it does. A JSON
    body holds an object when it has each of its members, holding their values (objects in
    objects in turn), and an array when it has as many elements, each holding its counterpart;
    any other value it holds when it is equal. A form body is read as an object of its fields'
    values (a list of them for a field given more than once)."""
    text = entry.request_body
    if not text:
        return "the request had no body"
    try:
        actual = json.loads(text)
    except (ValueError, RecursionError):
        if entry.truncated:
            return "the body is longer than the journal keeps, and was not compared"
        media_type = (entry.request_content_type or "").split(";")[0].strip().lower()
        if media_type not in FORMS:
            return f"the body is not JSON ({media_type or 'no content type'})"
        fields = parse_qs(text, keep_blank_values=True)
        actual = {name: values[0] if len(values) == 1 else values for name, values in fields.items()}
    pending: list[tuple[str, Any, Any]] = [("body", actual, expected)]
    while pending:  # Without recursion: an expectation may nest as deep as its parser allowed.
        where, have, want = pending.pop()
        if have is _MISSING:
            return f"{where} is missing"
        if isinstance(want, dict):
            if not isinstance(have, dict):
                return f"{where} is {_shown(have)}, not an object"
            pending.extend((_member(where, name), have.get(name, _MISSING), want[name]) for name in reversed(list(want)))
        elif isinstance(want, list):
            if not isinstance(have, list) or len(have) != len(want):
                size = f"an array of {len(have)}" if isinstance(have, list) else _shown(have)
                return f"{where} is {size}, not an array of {len(want)}"
            pending.extend((f"{where}[{index}]", have[index], want[index]) for index in reversed(range(len(want))))
        elif not _equal(have, want):
            return f"{where} is {_shown(have)}, not {_shown(want)}"
    return None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _member(where: str, name: str) -> str:
    return f"{where}.{name}" if _NAME.fullmatch(name) else f"{where}[{json.dumps(name, ensure_ascii=False)}]"


def _equal(have: Any, want: Any) -> bool:
    """JSON equality: true is not 1, and 1 is 1.0."""
    if isinstance(have, bool) or isinstance(want, bool):
        return type(have) is type(want) and have == want
    return bool(have == want)


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


class Flusher:
    """The thread that writes a process's journal to the store."""

    def __init__(self, journal: Journal, store_of: Callable[[], Store]) -> None:
        self.journal = journal
        self.store_of = store_of
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="journal-flusher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Write what is left, in the flusher's thread (a write never runs on the event loop), and end it."""
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_INTERVAL):
            self._write()
        self._write()

    def _write(self) -> None:
        store = self.store_of()
        if store.in_memory:
            return  # One process, one shared connection: reads of the journal flush it instead.
        try:
            self.journal.flush(store)
        except Exception:  # A busy or replaced store: the next flush writes these entries too.
            log.exception("writing the request journal failed")


def clipped(body: bytes, media_type: str | None) -> tuple[str | None, bool]:
    """A body of `media_type` as the journal keeps it (redacted), and whether it was cut short."""
    if not body:
        return None, False
    text = storable(redacted(body[: BODY_LIMIT * 4].decode("utf-8", errors="replace"), media_type or ""))
    return text[:BODY_LIMIT], len(text) > BODY_LIMIT or len(body) > BODY_LIMIT * 4


def kept_headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI headers as the journal keeps them: by lower-case name, the values of a repeated
    header joined by ", " (as HTTP allows), secrets redacted."""
    kept: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = storable(raw_name.decode("latin-1").lower())
        value = storable(raw_value.decode("latin-1"))
        if name in CREDENTIAL_HEADERS:
            scheme, _, credentials = value.strip().partition(" ")
            value = f"{scheme} {REDACTED}" if credentials else REDACTED
        elif SECRET_HEADERS.search(name):
            value = REDACTED
        kept[name] = f"{kept[name]}, {value}" if name in kept else value
    return kept


def redacted(text: str, media_type: str | None) -> str:
    """`text` (a body of `media_type`, or a query string for None) with the value of every secret
    field (SECRET_FIELDS) replaced by REDACTED: the members of a JSON document, at any depth
    (read as text where it does not parse, as a body cut short); the fields of a form or a query.
    Text that names none is returned as it is, at the cost of a search for each name."""
    if not any(name in text for name in SECRET_FIELDS):
        return text
    try:
        return json.dumps(_without_secrets(json.loads(text)), ensure_ascii=False)
    except (ValueError, RecursionError):
        kept = _JSON_SECRET.sub(rf'\1"{REDACTED}"', text)
    if media_type is None or media_type.split(";")[0].strip().lower() in FORMS:
        kept = _FORM_SECRET.sub(rf"\1{REDACTED}", kept)
    return kept


def _without_secrets(document: Any) -> Any:
    """A copy of a JSON document whose secret members hold REDACTED; without recursion, since a
    document may nest as deep as its parser allowed."""
    root: list[Any] = [document]
    pending: list[tuple[Any, Any, Any]] = [(root, 0, document)]
    while pending:
        parent, key, value = pending.pop()
        if isinstance(value, dict):
            copy: Any = {}
            for name, item in value.items():
                if name in SECRET_FIELDS:
                    copy[name] = REDACTED
                else:
                    copy[name] = item
                    pending.append((copy, name, item))
        elif isinstance(value, list):
            copy = list(value)
            pending.extend((copy, index, item) for index, item in enumerate(value))
        else:
            continue
        parent[key] = copy
    return root[0]


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` with U+FFFD for each NUL character, which PostgreSQL refuses in text columns, and each
    lone surrogate (a JSON body may escape one, and its redacted copy holds it), which no store
    can encode: an entry that could never be written would hold back every flush after it."""
    return _UNSTORABLE.sub("\ufffd", text)
