"""How the vendor routes are declared and built on the app, where each runs, facts about the
app's routes that error bodies report, and checks every vendor route makes."""

import functools
import inspect
import json
import re
from array import array
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.core.errors import InvalidInput, NotFound
from sandbox.sessions import READ_METHODS


class DeclaredRoute:
    """A route as its module declares it, kept for `include_flat` to build on the app: a
    module's router (`declaring`) builds nothing when the module is imported, so each route is
    built once, where it is served."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **settings: Any) -> None:
        self.path = path
        self.endpoint = endpoint
        self.methods = {method.upper() for method in settings.get("methods") or ("GET",)}
        self.responses: dict[int | str, Any] = settings.get("responses") or {}
        """As declared, each with its model: what the route documents it answers."""
        self.settings = settings


def under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or a path below it; `prefix` may end with its "/" or not."""
    base = prefix.rstrip("/")
    return path == base or path.startswith(base + "/")


def declaring(**options: Any) -> APIRouter:
    """A module's router: the routes it declares are built by `include_flat`."""
    return APIRouter(route_class=DeclaredRoute, **options)  # type: ignore[arg-type]  # a stand-in that builds no route


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_ONLY_READS = "sandbox_only_reads"


def only_reads(endpoint: Endpoint) -> Endpoint:
    """Declares, beside the route's own declaration, that a route sent with a method that would
    write (a search sent as a POST) only reads the store: it is given a read session, and never
    takes the writer. Routes of the read methods only read without saying so."""
    setattr(endpoint, _ONLY_READS, True)
    return endpoint


def _reads_only(methods: set[str], endpoint: Callable[..., Any]) -> bool:
    return methods <= READ_METHODS or getattr(endpoint, _ONLY_READS, False)


class _Route(APIRoute):
    """A route of the app whose documented responses are built for the OpenAPI document only
    (`documented`): FastAPI would build a model field for every one of them on every route as
    the app starts, for nothing but that document."""

    def __init__(
        self, path: str, endpoint: Callable[..., Any], *, responses: dict[int | str, Any] | None = None, **settings: Any
    ) -> None:
        plain = {
            status: {key: value for key, value in response.items() if key != "model"}
            for status, response in (responses or {}).items()
        }
        super().__init__(path, endpoint, responses=plain, **settings)
        self._declared = (path, endpoint, responses, settings)
        assert self.methods is not None  # APIRoute sets them, GET by default.
        self.only_reads = _reads_only(self.methods, endpoint)
        """Whether the route only reads the store (see `only_reads` and `sessions.reads_only`)."""
        self._literal = self.path_format.partition("{")[0]
        """What every path the route serves begins with: its path up to its first parameter."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """A path that does not begin as the route's does is refused at once: a request's lookup
        walks past most of the app's routes, and their patterns and FastAPI's bookkeeping of each
        cost more than the rest of a quick read's routing."""
        if scope["type"] == "http" and not scope.get("root_path") and not scope["path"].startswith(self._literal):
            return Match.NONE, {}
        return super().matches(scope)

    def documented(self) -> APIRoute:
        path, endpoint, responses, settings = self._declared
        return APIRoute(path, endpoint, responses=responses, **settings)


def documented_routes(app: FastAPI) -> list[Any]:
    """The app's routes as the OpenAPI document describes them, their responses' models included."""
    return [route.documented() if isinstance(route, _Route) else route for route in app.routes]


def include_flat(
    app: FastAPI, router: APIRouter, *, prefix: str = "", dependencies: Sequence[Any] = (), inline_reads: bool = True
) -> None:
    """Each of `router`'s routes (declared through `declaring`) built on the app itself, under
    `prefix` and after `dependencies`. FastAPI keeps an included router as a level that every
    request's lookup walks twice, and builds its routes again on the first request; routes of
    the app are built once, and a request's lookup passes over each that its path can't match
    at a glance (`_Route.matches`).

    Where the app's store reads on the event loop (`Store.reads_inline`) and `inline_reads`
    allows, so do the routes of the read methods: FastAPI would otherwise run each in a worker
    thread. A search sent as a POST (`only_reads`) stays in a worker thread, since what it reads
    grows with what it is sent. A route that writes runs in a worker thread, which ends its
    writes (`_ending_its_writes`). Not `inline_reads`: every plain function stays in a worker
    thread, as FastAPI runs it (the control plane's reads of the journal write what it holds
    first)."""
    reads_inline = app.state.store.reads_inline and inline_reads
    for route in router.routes:
        assert isinstance(route, DeclaredRoute), f"{route} was not declared through `declaring`"
        settings = {name: value for name, value in route.settings.items() if name != "dependency_overrides_provider"}
        endpoint = route.endpoint
        if not _reads_only(route.methods, endpoint):
            endpoint = _ending_its_writes(endpoint)
        elif reads_inline and route.methods <= READ_METHODS and not inspect.iscoroutinefunction(endpoint):
            endpoint = _on_the_event_loop(endpoint)
        app.router.add_api_route(
            prefix + route.path,
            endpoint,
            route_class_override=_Route,
            **settings | {"dependencies": [*dependencies, *settings.get("dependencies", ())]},
        )


def _on_the_event_loop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint` as a coroutine, with its signature, so that FastAPI calls it on the event loop."""

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs)

    return run


def _ending_its_writes(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """`endpoint`, a route that writes, with each store session it is given closed in the worker
    thread where it ran, as it returns or raises: a write it began ends there, committed or
    refused, and gives back the writer at once rather than when the event loop gets round to the
    session's dependency. A coroutine would write on the event loop, which the store refuses
    (`WriteOnEventLoop`): such a route is refused here, as the app is built."""
    if inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__qualname__} writes to the store: it must be a plain function, run in a worker thread")

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return endpoint(*args, **kwargs)
        finally:
            for value in kwargs.values():
                if isinstance(value, Session):
                    value.close()

    return run


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


def media_type(request: Request) -> str:
    """The media type of the request body, without its parameters, in lower case; "" when not given."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


NUL = "\x00"
READ_BODIES = ("POST", "PUT", "PATCH", "DELETE")
"""The methods whose bodies a route reads (Robin's presence DELETE reads one); any other body is
left unread."""
MAX_DEPTH = 64
"""How deep a body's arrays and objects may nest. No body of these APIs nests more than five
levels; 64 leaves a client room for any extra fields it sends, and keeps every step that walks a
document (the parser, validation, rendering an error that quotes it) far from Python's
recursion limit."""
LONE_SURROGATE = "must not contain a lone surrogate"
_SURROGATE = re.compile("[\ud800-\udfff]")
"""Half of a UTF-16 pair: JSON's `\\ud800` escape can carry one alone (and a decoder reading
UTF-8 leniently, its bytes), and no UTF-8 text, which the store and every answer are written in,
can hold it."""
_SUSPECT = re.compile(rb"\x00|%00|\\u0000|\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
"""Bytes without which a body holds neither a NUL character nor a lone surrogate, however it is
encoded (UTF-16 and UTF-32 bodies hold NUL bytes)."""
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
"""Brackets as signed bytes: +1 for an opening one, -1 for a closing one."""
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
INLINE_BODY_BYTES = 65_536
"""Bodies up to this size are looked into on the event loop, in a few milliseconds at most; a
larger one in a worker thread, so that no other request waits on it."""


class UnreadableQuery(InvalidInput):
    """A query-string value no field can hold (a NUL character): a malformed request rather than
    an invalid field, for dialects that answer the two differently."""


async def refuse_unreadable_input(request: Request) -> None:
    """What no field can hold, refused before any lookup, each refusal naming where it was:

    - a NUL character (no vendor field holds one, and PostgreSQL text can't): in the query, as an
      unreadable query; in a body, as invalid input; no resource is named with one, so one in
      the path finds nothing;
    - a lone surrogate in a body, as invalid input (the query and the path can't carry one: they
      are read as UTF-8, any byte that is not read as U+FFFD);
    - a JSON body nested deeper than MAX_DEPTH, as a body the API can't parse (400), before any
      parser walks it.

    Bodies are looked into as JSON in any of its encodings, else as a form; multipart bodies
    carry files, which may hold any byte."""
    if NUL in request.scope["path"]:
        raise NotFound("No resource has a NUL character in its path.")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise UnreadableQuery.of(_shown(name), "must not contain a NUL character")
    kind = media_type(request)
    if request.method not in READ_BODIES or kind.startswith("multipart/"):
        return
    body = await request.body()
    if len(body) <= INLINE_BODY_BYTES:
        refusal = _body_refusal(body, kind)
    else:
        refusal = await run_in_threadpool(_body_refusal, body, kind)
    if refusal is not None:
        raise refusal


def _body_refusal(body: bytes, media_type: str) -> Exception | None:
    deep = _nests_deeper_than(body, MAX_DEPTH)
    if deep and _read_as_json(media_type):
        return _unreadable_json(f"nests deeper than {MAX_DEPTH} levels")
    if _SUSPECT.search(body):
        problem = _unreadable_field(body, media_type, as_json=not deep)
        if problem is not None:
            return InvalidInput.of(*problem)
    return None


FORM_LIKE = ("", "application/x-www-form-urlencoded", "text/plain")
"""Media types of bodies a route may read as a form when they are not JSON (the token endpoint
does); a body of any other type is the route's to refuse."""


def _read_as_json(media_type: str) -> bool:
    """Whether routes read a body of this type as JSON (FastAPI does with none given)."""
    return media_type in ("", "application/json") or media_type.endswith("+json")


def _unreadable_json(why: str) -> HTTPException:
    """A body refused as FastAPI refuses one its parser fails on (a 400 in each API's shape)."""
    return HTTPException(400, f"The JSON body {why}.")


def _nests_deeper_than(body: bytes, depth: int) -> bool:
    """Whether `body`, read as JSON, nests its arrays and objects more than `depth` deep: the
    deepest level its brackets outside strings reach, each opening one a step down and each
    closing one a step up, counted in C (a quarter of a second for 10 MiB of brackets). No parser,
    no recursion; brackets that don't pair are the parser's to refuse."""
    if body.count(b"[") + body.count(b"{") <= depth:
        return False
    steps = array("b", _STRING.sub(b"", _as_utf8(body)).translate(_STEPS, _NOT_BRACKETS))
    return max(accumulate(steps), default=0) > depth


def _as_utf8(body: bytes) -> bytes:
    """A JSON body in UTF-8, whichever encoding JSON's rules detect; as it is when it can't be read."""
    encoding = json.detect_encoding(body)
    if encoding == "utf-8":
        return body
    try:
        return body.decode(encoding, "surrogatepass").encode("utf-8", "surrogatepass")
    except UnicodeError:
        return body


def _unreadable_field(body: bytes, media_type: str, *, as_json: bool) -> tuple[str, str] | None:
    """The first field of a body, read as JSON (when `as_json`) or else (of a form-like type)
    as a form, whose name or value holds a NUL character or a lone surrogate, and what it holds
    ("body" for a NUL in a form-like body that is neither)."""
    document = _json_document(body) if as_json else None
    if document is None:
        if media_type not in FORM_LIKE:
            return None
        # A form's values are read as UTF-8, any byte that is not read as U+FFFD: no surrogates.
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        found = next((_shown(name) for name, value in pairs if NUL in name + value), None)
        field = found or ("body" if b"\x00" in body else None)
        return None if field is None else (field, "must not contain a NUL character")
    return _json_field_with_unreadable_text(document[0])


def _json_document(body: bytes) -> tuple[Any] | None:
    """The JSON document `body` holds (in a tuple: it may be null), None when it holds none."""
    try:
        return (json.loads(body),)
    except (ValueError, RecursionError):
        return None


def _json_field_with_unreadable_text(document: Any) -> tuple[str, str] | None:
    """Depth first, without recursion: the first key or string holding a NUL character or a lone
    surrogate, and what it holds."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            problem = _unreadable_text(value)
            if problem is not None:
                return where or "body", problem
            continue
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = list(value.items())
        elif isinstance(value, list):
            items = [(str(index), item) for index, item in enumerate(value)]
        else:
            continue
        for key, item in reversed(items):
            name = f"{where}.{key}" if where else key
            problem = _unreadable_text(key)
            if problem is not None:
                return _shown(name), problem
            pending.append((name, item))
    return None


def _unreadable_text(text: str) -> str | None:
    """Why no field can hold `text`, if none can."""
    if NUL in text:
        return "must not contain a NUL character"
    if not text.isascii() and _SURROGATE.search(text):
        return LONE_SURROGATE
    return None


def _shown(name: str) -> str:
    """`name` as an answer can quote it: what no text may hold as U+FFFD."""
    return _SURROGATE.sub("\ufffd", name.replace(NUL, "\ufffd"))


class HeadAsGet:
    """HEAD answered as GET is, without the body, on every path (as both live APIs do, and
    HTTP asks): the route sees GET, and the answer keeps the status and headers, Content-Length
    included, of the GET. A path that serves no GET answers HEAD 405, naming what it serves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
