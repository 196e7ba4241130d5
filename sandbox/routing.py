"""Facts about the app's routes that error bodies report, and checks every vendor route makes."""

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from starlette.routing import Match

from sandbox.core.errors import InvalidInput, NotFound, UnreadableQuery


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    allowed = []
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        scope = {**request.scope, "method": method}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    return allowed


NUL = "\x00"


async def refuse_nul_characters(request: Request) -> None:
    """No vendor field holds a NUL character, and PostgreSQL text can't: one in the query is
    refused as an unreadable query, one in the body as invalid input, each naming where it was,
    before any lookup; no resource is named with one, so one in the path finds nothing."""
    if NUL in request.scope["path"]:
        raise NotFound("No resource has a NUL character in its path.")
    for name, value in request.query_params.multi_items():
        if NUL in name or NUL in value:
            raise UnreadableQuery.of(name.replace(NUL, "\ufffd"), "must not contain a NUL character")
    body = await request.body()
    if b"\\u0000" in body or b"%00" in body:
        field = _field_with_nul(body, request.headers.get("content-type", ""))
        if field is not None:
            raise InvalidInput.of(field, "must not contain a NUL character")


def _field_with_nul(body: bytes, content_type: str) -> str | None:
    """The first field of a JSON or form body whose name or value holds a NUL character."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True)
        return next((name.replace(NUL, "\ufffd") for name, value in pairs if NUL in name + value), None)
    try:
        document = json.loads(body)
    except ValueError:
        return None  # the body's own validation reports it
    return _json_field_with_nul(document, "")


def _json_field_with_nul(value: Any, where: str) -> str | None:
    if isinstance(value, str):
        return where or "body" if NUL in value else None
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = value.items()
    elif isinstance(value, list):
        items = ((str(index), item) for index, item in enumerate(value))
    else:
        return None
    for key, item in items:
        name = f"{where}.{key}" if where else key
        if NUL in key:
            return name.replace(NUL, "\ufffd")
        found = _json_field_with_nul(item, name)
        if found is not None:
            return found
    return None
