"""Robin's envelope: `meta`, `data` and, on collections, `paging` — on every response."""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sandbox.core.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    Overlapping,
    RateLimited,
    Refused,
    RuleViolation,
    Unauthenticated,
)
from sandbox.core.lifecycle import TransitionRefused
from sandbox.core.paging import Page
from sandbox.robin import wire, words
from sandbox.robin.deps import presented_token
from sandbox.routing import allowed_methods
from sandbox.store.engine import BUSY, RETRY_SOON, why_busy

log = logging.getLogger(__name__)

STATUS_WORDS = {
    200: "OK",
    201: "CREATED",
    202: "ACCEPTED",
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}


def body(
    status: int,
    data: Any,
    *,
    message: str = "",
    errors: Sequence[dict[str, Any]] = (),
    paging: dict[str, Any] | None = None,
    more_info: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "meta": {
            "status_code": status,
            "status": STATUS_WORDS.get(status, "ERROR"),
            "message": message,
            "more_info": dict(more_info or {}),
            "errors": list(errors),
        },
        "data": data,
    }
    if paging is not None:
        document["paging"] = paging
    return document


def respond(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body(status, data), status_code=status)


def respond_page(page: Page[Any], items: list[Any]) -> JSONResponse:
    paging = {"page": page.page, "per_page": page.per_page, "has_next_page": page.has_next}
    return JSONResponse(body(200, items, paging=paging))


def error(
    status: int,
    message: str,
    errors: Sequence[dict[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
    more_info: Mapping[str, list[str]] | None = None,
) -> JSONResponse:
    document = body(status, {}, message=message, errors=errors, more_info=more_info)
    return JSONResponse(document, status_code=status, headers=headers)


NOT_VALID = "The posted data did not pass validation"


def invalid(problems: Sequence[tuple[str, str, str]]) -> JSONResponse:
    """400 for fields that did not pass validation, each (field, message, reason): one
    `meta.errors` entry per problem, and `meta.more_info` mapping each field to its messages,
    as Robin's getting-started example and the SDKs' error models read them."""
    more_info: dict[str, list[str]] = {}
    for field, message, _ in problems:
        more_info.setdefault(field, []).append(message)
    errors = [_field_error(field, message, reason) for field, message, reason in problems]
    return error(400, NOT_VALID, errors, more_info=more_info)


@contextmanager
def wire_names(names: dict[str, str]) -> Iterator[None]:
    """Name the fields of field problems raised inside as this request's wire names them."""
    try:
        yield
    except InvalidInput as problem:
        raise problem.renamed(names) from None


def _field_error(field: str, message: str, reason: str) -> dict[str, Any]:
    return {
        "domain": "validation",
        "reason": reason,
        "message": f"{field}: {message}",
        "field": field,
        "details": {"field": field},
    }


def render_error(request: Request, exc: Exception) -> JSONResponse:
    """Any failure as Robin renders it."""
    if isinstance(exc, InvalidInput):
        return invalid([(p.field, p.message, words.field_reason(p.reason)) for p in exc.problems])
    if isinstance(exc, Conflict):
        reason, message = words.overlapping(exc) if isinstance(exc, Overlapping) else (exc.reason, exc.message)
        details = wire.collision(exc.collision)
        return error(409, message, [{"domain": exc.domain, "reason": reason, "message": message, "details": details}])
    if isinstance(exc, TransitionRefused):
        reason, message = words.refused(exc)
        return error(400, message, [{"domain": exc.domain, "reason": reason, "message": message, "details": {}}])
    if isinstance(exc, Refused):
        reason, message, details = words.refused_by_rule(exc)
        return error(400, message, [{"domain": exc.domain, "reason": reason, "message": message, "details": details}])
    if isinstance(exc, RuleViolation):
        entry = {"domain": exc.domain, "reason": exc.reason, "message": exc.message, "details": exc.details}
        return error(409 if isinstance(exc, AlreadyExists) else 400, exc.message, [entry])
    if isinstance(exc, RateLimited):
        entry = {
            "domain": "usageLimits",
            "reason": "rate_limit_exceeded",
            "message": exc.message,
            "details": {"retry_after": exc.retry_after},
        }
        return error(429, exc.message, [entry], headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, Unauthenticated):
        return error(401, exc.message)
    if isinstance(exc, Forbidden):
        return error(403, exc.message)
    if isinstance(exc, NotFound):
        return error(404, "Object does not exist")
    if isinstance(exc, DomainError):
        return error(400, exc.message)
    if isinstance(exc, RequestValidationError):
        try:
            presented_token(request)
        except Unauthenticated as unauthenticated:
            return error(401, unauthenticated.message)
        if any(problem.get("loc", ("",))[0] == "path" for problem in exc.errors()):
            return error(404, "Object does not exist")
        return invalid(_validation_problems(exc))
    if isinstance(exc, HTTPException):
        if exc.status_code == 404:
            return error(404, "Object does not exist")
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            message = f"The {request.method} method is not allowed on {request.url.path}; use {', '.join(allowed)}"
            return error(405, message, headers={"Allow": ", ".join(allowed)})
        return error(exc.status_code, str(exc.detail), headers=exc.headers)
    if isinstance(exc, BUSY):
        return error(503, why_busy(exc), headers=RETRY_SOON)
    log.error("unexpected failure on %s %s", request.method, request.url.path, exc_info=exc)
    return error(500, "An unexpected error occurred")


def _validation_problems(exc: RequestValidationError) -> list[tuple[str, str, str]]:
    problems = []
    for problem in exc.errors():
        location = [str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path", "header")]
        field = ".".join(location) or "body"
        kind = problem.get("type", "")
        if kind == "json_invalid":
            field, message = "body", "is not valid JSON"
        elif field == "body" and isinstance(problem.get("input"), bytes):
            message = "must be JSON, sent with 'Content-Type: application/json'"
        elif field == "body" and kind in ("model_attributes_type", "dict_type"):
            message = "must be a JSON object"
        elif kind == "missing":
            message = "can't be blank"
        else:
            message = str(problem.get("msg", "is invalid"))
        problems.append((field, message, "required" if kind == "missing" else "invalid"))
    return problems
