"""Request dependencies of the Kadence dialect."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from sandbox.answers import VALID_UNTIL
from sandbox.core.access import Actor
from sandbox.core.errors import Unauthenticated
from sandbox.core.oauth import bearer_actor, credential_for_bearer
from sandbox.kadence.hydra import negotiate, refuse_unreadable_body_format
from sandbox.routing import refuse_unreadable_input
from sandbox.sessions import SessionDep, credential, reads_only


def bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Full authentication is required to access this resource.")
    return token.strip()


async def get_actor(request: Request, session: SessionDep) -> Actor:
    """The caller, by their bearer token (401 first); then the body's format (415) and the
    response format (406), in API Platform's order, so that either comes before the handler
    changes anything; then nothing no field can hold in what they sent (see
    `refuse_unreadable_input`). Every route under PREFIX depends on it."""
    found = await credential(request, bearer_token(request.headers), credential_for_bearer)
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
