"""Signing in with an email and password for an access token, as Robin's own apps and CLIs do
before any other call: the one route that takes no token."""

import base64
import binascii

from fastapi import Request, Security
from fastapi.responses import JSONResponse
from fastapi.security.http import HTTPBase

from sandbox.core.access import sign_in
from sandbox.core.errors import Unauthenticated
from sandbox.robin import wire
from sandbox.robin.deps import SessionDep
from sandbox.robin.envelope import respond
from sandbox.robin.requests import SignInBody
from sandbox.robin.schemas import Envelope, SignedIn, documented
from sandbox.routing import declaring

router = declaring(tags=["Robin: organizations and people"])
EMAIL_AND_PASSWORD = HTTPBase(
    scheme="basic",
    scheme_name="basic",
    description="A person's email and password (every person's is SANDBOX_ROBIN_PASSWORD, `sandbox` by default), "
    "for an access token of their own.",
    auto_error=False,
)
"""Sign-in's credentials as the OpenAPI documents declare them; `basic_credentials` reads them."""


def basic_credentials(request: Request) -> tuple[str, str]:
    """The email and password of an `Authorization: Basic` header."""
    scheme, _, encoded = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "basic":
        raise Unauthenticated("Sign in with 'Authorization: Basic <base64 of email:password>'")
    try:
        email, colon, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("The Basic credentials are not base64 of email:password") from None
    if not colon or not email:
        raise Unauthenticated("The Basic credentials are not base64 of email:password")
    return email, password


@router.post(
    "/auth/users",
    summary="Sign in with HTTP Basic email:password for an access token",
    responses=documented(Envelope[SignedIn]),
    dependencies=[Security(EMAIL_AND_PASSWORD)],
)
def sign_in_user(request: Request, session: SessionDep, body: SignInBody | None = None) -> JSONResponse:
    email, password = basic_credentials(request)
    key = None if body is None or body.organization is None else str(body.organization)
    token = sign_in(session, email, password, request.app.state.settings.robin_password, key, request.app.state.clock)
    return respond(wire.signed_in(token))
