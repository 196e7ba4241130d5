"""Request dependencies of the Kadence dialect."""

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2

from sandbox.answers import VALID_UNTIL
from sandbox.core.access import Actor
from sandbox.core.errors import Unauthenticated
from sandbox.core.oauth import bearer_actor, credential_for_bearer, unexpired_now
from sandbox.kadence.hydra import negotiate, refuse_unreadable_body_format
from sandbox.routing import refuse_unreadable_input
from sandbox.sessions import SessionDep, credential, reads_only

TOKEN_URL = "/oauth2/token"
CLIENT_CREDENTIALS = OAuth2(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl=TOKEN_URL, scopes={"public": "Public API access"})),
    scheme_name="oauth",
    description="OAuth 2.0 client credentials Grant. In the sandbox's demo workplace, client id `demo-client` and "
    "secret `demo-secret`, with scope `public`.",
    auto_error=False,
)
"""The token as the OpenAPI documents declare it, for every route that takes one, by the name and
flow Kadence's own document gives it. The token URL is relative, on the sandbox's own origin, where
Swagger UI's Authorize asks for a token (Kadence's is https://login.onkadence.co/oauth2/token)."""


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Full authentication is required to access this resource.")
    return token.strip()


async def get_actor(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Security(CLIENT_CREDENTIALS)],
) -> Actor:
    """The caller, by their bearer token (401 first); then the body's format (415) and the
    response format (406), in API Platform's order, so that either comes before the handler
    changes anything; then nothing no field can hold in what they sent (see
    `refuse_unreadable_input`). Every route under PREFIX depends on it, and so declares
    CLIENT_CREDENTIALS."""
    found = await credential(request, bearer_token(authorization), credential_for_bearer)
    clock = request.app.state.clock
    actor = bearer_actor(session, found, clock, reading=reads_only(request))
    assert found.expires_at is not None
    setattr(request.state, VALID_UNTIL, clock.wall_at(found.organization, found.expires_at))
    request.state.organization_id = actor.organization_id
    refuse_unreadable_body_format(request)
    negotiate(request)
    await refuse_unreadable_input(request)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


async def credential_organization(request: Request) -> int | None:
    """The organization of the bearer token a request presents, found as `get_actor` finds it
    (and kept for it); None where it presents none Kadence knows, or one that has expired."""
    try:
        found = await credential(request, bearer_token(request.headers.get("authorization")), credential_for_bearer)
        unexpired_now(found, request.app.state.clock)
    except Unauthenticated:
        return None
    return found.organization.id
