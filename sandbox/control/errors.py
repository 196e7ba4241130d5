"""How the sandbox's own paths (the control plane, its pages) answer what they refuse: `{"error": message}`, with field problems
where a body or a parameter was at fault."""

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import Request

from sandbox.control.snapshots import Refused
from sandbox.core.errors import DomainError, InvalidInput, NotFound
from sandbox.routing import allowed_methods
from sandbox.store.engine import BUSY, RETRY_SOON, why_busy

log = logging.getLogger(__name__)


def render_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, InvalidInput):
        problems = [{"field": problem.field, "message": problem.message} for problem in exc.problems]
        return _error(422, exc.message or problems[0]["message"], problems)
    if isinstance(exc, NotFound):
        return _error(404, exc.message)
    if isinstance(exc, Refused):
        return _error(409, exc.message)
    if isinstance(exc, DomainError):
        return _error(400, exc.message)
    if isinstance(exc, RequestValidationError):
        problems = [_problem(problem) for problem in exc.errors()]
        if any(problem.get("loc", ("",))[0] == "path" for problem in exc.errors()):
            return _error(404, f"no such item: {problems[0]['field']} {problems[0]['message']}")
        return _error(422, "; ".join(f"{p['field']}: {p['message']}" for p in problems), problems)
    if isinstance(exc, HTTPException) and exc.status_code == 405:
        allowed = ", ".join(allowed_methods(request))
        message = f"{request.method} is not served at {request.url.path}: use {allowed}"
        return JSONResponse({"error": message}, status_code=405, headers={"Allow": allowed})
    if isinstance(exc, HTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)
    if isinstance(exc, BUSY):
        return _error(503, why_busy(exc), headers=RETRY_SOON)
    log.error("unexpected failure on %s %s", request.method, request.url.path, exc_info=exc)
    return _error(500, "unexpected error")


def _problem(problem: Any) -> dict[str, str]:
    location = [str(part) for part in problem.get("loc", ())]
    if location and location[0] in ("body", "query", "path"):  # Where it was sent, not a field: a field may be named so.
        del location[0]
    message = str(problem.get("msg", "is invalid")).removeprefix("Value error, ")
    if problem.get("type") == "json_invalid":
        return {"field": "body", "message": "is not valid JSON"}
    return {"field": ".".join(location) or "body", "message": message}


def _error(
    status: int, message: str, problems: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if problems:
        body["problems"] = problems
    return JSONResponse(body, status_code=status, headers=headers)
