"""POST /oauth2/token: client credentials for a bearer token."""

import base64
import json
import logging
from typing import Annotated
from urllib.parse import parse_qs, unquote_plus

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sandbox.core import oauth
from sandbox.core.errors import DomainError, RateLimited
from sandbox.kadence import schemas
from sandbox.kadence.deps import TOKEN_URL
from sandbox.kadence.schemas import Token
from sandbox.routing import allowed_methods, declaring, media_type
from sandbox.sessions import SessionDep
from sandbox.store.engine import BUSY, RETRY_SOON, why_busy

log = logging.getLogger(__name__)
router = declaring(tags=["Kadence: OAuth2"])
TOKEN_REQUEST = {
    "type": "object",
    "required": ["grant_type", "client_id", "client_secret"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["client_credentials"]},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string"},
        "scope": {"type": "string", "enum": ["public"]},
    },
}


async def _token_request(request: Request) -> dict[str, str]:
    """The fields of a token request: client credentials sent as HTTP Basic authentication, and
    the body's fields, read on the event loop so that the route itself can run in a worker thread."""
    return {**_basic(request), **await _credentials(request)}


async def _credentials(request: Request) -> dict[str, str]:
    """The form-encoded or JSON body: clients send both."""
    raw = await request.body()
    kind = media_type(request)
    if kind == "application/json" or (not kind and raw.strip().startswith(b"{")):
        try:
            parsed = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise oauth.OAuthError("invalid_request", "The request body is not valid JSON.", 400) from None
        if not isinstance(parsed, dict):
            raise oauth.OAuthError("invalid_request", "The request body must be a JSON object.", 400)
        return {key: str(value) for key, value in parsed.items() if value is not None}
    fields = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
    return {key: values[-1] for key, values in fields.items()}


def _basic(request: Request) -> dict[str, str]:
    """Client credentials sent as HTTP Basic authentication (RFC 6749, section 2.3.1)."""
    scheme, _, encoded = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        raise oauth.OAuthError("invalid_client", "The Basic authorization header can't be read.", 401) from None
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


@router.post(
    TOKEN_URL,
    summary="Trade client credentials for a bearer token (form-encoded or JSON)",
    responses={
        200: {"model": Token, "description": "OK"},
        400: {"model": schemas.OAuthError, "description": "invalid_request, unsupported_grant_type or invalid_scope"},
        401: {"model": schemas.OAuthError, "description": "invalid_client"},
    },
    # The form is documented alone: clients generated from a document that offers two media types
    # for one body (openapi-python-client's) fail to import the operation.
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "Form-encoded, as RFC 6749 has it; a JSON object of the same fields is taken too",
            "content": {"application/x-www-form-urlencoded": {"schema": TOKEN_REQUEST}},
        }
    },
)
def token(request: Request, fields: Annotated[dict[str, str], Depends(_token_request)], session: SessionDep) -> JSONResponse:
    issued, lifetime, request.state.organization_id = oauth.issue_token(
        session,
        request.app.state.clock,
        fields.get("grant_type"),
        fields.get("client_id"),
        fields.get("client_secret"),
        fields.get("scope"),
    )
    return JSONResponse(
        {"token_type": "Bearer", "expires_in": lifetime, "access_token": issued},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def render_error(request: Request, exc: Exception) -> JSONResponse:
    """OAuth errors as OAuth servers answer them (RFC 6749 5.2, and its `server_error` and
    `temporarily_unavailable` for failures of the server); a request it can't read as an invalid
    request, and an unexpected failure as `server_error`."""
    headers: dict[str, str] = {}
    if isinstance(exc, oauth.OAuthError):
        status, error, description = exc.status, exc.error, exc.message
    elif isinstance(exc, RateLimited):
        status, error, description = 429, "temporarily_unavailable", exc.message
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, HTTPException):
        status, error, description = exc.status_code, "invalid_request", str(exc.detail)
        if status >= 500:
            error = "server_error" if status == 500 else "temporarily_unavailable"
        if status == 405:
            allowed = ", ".join(allowed_methods(request))
            return JSONResponse(
                {"error": error, "error_description": f"Method Not Allowed (Allow: {allowed})", "message": description},
                status_code=405,
                headers={"Allow": allowed},
            )
    elif isinstance(exc, DomainError):
        status, error, description = 400, "invalid_request", str(exc)
    elif isinstance(exc, RequestValidationError):
        status, error, description = 400, "invalid_request", "The request is malformed."
    elif isinstance(exc, BUSY):
        status, error, description = 503, "temporarily_unavailable", why_busy(exc)
        headers.update(RETRY_SOON)
    else:
        log.error("unexpected failure on %s %s", request.method, request.url.path, exc_info=exc)
        status, error, description = 500, "server_error", "The authorization server encountered an unexpected condition."
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="kadence"'
    return JSONResponse(
        {"error": error, "error_description": description, "message": description}, status_code=status, headers=headers
    )
