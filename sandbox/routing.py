"""Facts about the app's routes that error bodies report, and checks every vendor route makes."""

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import Match

from sandbox.core.errors import InvalidInput, NotFound

_ROUTE_SETTINGS = (
    "response_model", "status_code", "tags", "summary", "description", "response_description", "responses",
    "deprecated", "methods", "operation_id", "response_model_include", "response_model_exclude",
    "response_model_by_alias", "response_model_exclude_unset", "response_model_exclude_defaults",
    "response_model_exclude_none", "include_in_schema", "response_class", "name", "callbacks", "openapi_extra",
    "generate_unique_id_function",
)
"""What a route was declared with (its router's tags, responses and response class included)."""


def include_flat(app: FastAPI, router: APIRouter, *, prefix: str = "", dependencies: Sequence[Any] = ()) -> None:
    """Each of `router`'s routes declared on the app itself, under `prefix` and after
    `dependencies`. FastAPI keeps an included router as a level that every request's lookup walks
    twice, and builds its routes again on the first request; routes of the app are built once."""
    for route in router.routes:
        assert isinstance(route, APIRoute), f"{route} is not an API route"
        settings = {name: getattr(route, name) for name in _ROUTE_SETTINGS}
        app.router.add_api_route(
            prefix + route.path, route.endpoint, dependencies=[*dependencies, *route.dependencies], **settings
        )


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
READ_BODIES = ("POST", "PUT", "PATCH")
"""The methods whose bodies a route reads; any other body is left unread."""


class UnreadableQuery(InvalidInput):
    """A query-string value no field can hold (a NUL character): a malformed request rather than
    an invalid field, for dialects that answer the two differently."""


async def refuse_nul_characters(request: Request) -> None:
    """No vendor field holds a NUL character, and PostgreSQL text can't: one in the query is
    refused as an unreadable query, one in a body as invalid input, each naming where it was,
    before any lookup; no resource is named with one, so one in the path finds nothing. Bodies
    are looked into as JSON in any of its encodings, else as a form; multipart bodies and bodies
    of other types carry files, which may hold any byte."""
    if NUL in request.scope["path"]:
        raise NotFound("No resource has a NUL character in its path.")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise UnreadableQuery.of(_shown(name), "must not contain a NUL character")
    kind = media_type(request)
    if request.method not in READ_BODIES or kind.startswith("multipart/"):
        return
    body = await request.body()
    if b"\x00" in body or b"\\u0000" in body or b"%00" in body:
        field = _field_with_nul(body, kind)
        if field is not None:
            raise InvalidInput.of(field, "must not contain a NUL character")


FORM_LIKE = ("", "application/x-www-form-urlencoded", "text/plain")
"""Media types of bodies a route may read as a form when they are not JSON (the token endpoint
does); a body of any other type is the route's to refuse."""


def _field_with_nul(body: bytes, media_type: str) -> str | None:
    """The first field of a body, read as JSON or else (of a form-like type) as a form, whose
    name or value holds a NUL character ("body" for one in a form-like body that is neither)."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        if media_type not in FORM_LIKE:
            return None
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        found = next((_shown(name) for name, value in pairs if NUL in name + value), None)
        return found or ("body" if b"\x00" in body else None)
    return _json_field_with_nul(document)


def _json_field_with_nul(document: Any) -> str | None:
    """Depth first, without recursion: a document may nest as deep as its parser allowed."""
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            if NUL in value:
                return where or "body"
            continue
        if isinstance(value, dict):
            items: list[tuple[str, Any]] = list(value.items())
        elif isinstance(value, list):
            items = [(str(index), item) for index, item in enumerate(value)]
        else:
            continue
        for key, item in reversed(items):
            name = f"{where}.{key}" if where else key
            if NUL in key:
                return _shown(name)
            pending.append((name, item))
    return None


def _shown(name: str) -> str:
    return name.replace(NUL, "\ufffd")
