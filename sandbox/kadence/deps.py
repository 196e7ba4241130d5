"""Request dependencies of the Kadence dialect."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from sandbox.core.access import Actor
from sandbox.core.errors import Unauthenticated
from sandbox.core.oauth import actor_for_bearer
from sandbox.kadence.hydra import negotiate
from sandbox.sessions import SessionDep


def bearer_token(headers: Mapping[str, str]) -> str:
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Full authentication is required to access this resource.")
    return token.strip()


def get_actor(request: Request, session: SessionDep) -> Actor:
    """The caller, by their bearer token (401 first); then the response format, so that a 406
    comes before the handler changes anything."""
    actor = actor_for_bearer(session, bearer_token(request.headers), request.app.state.clock)
    request.state.organization_id = actor.organization_id
    negotiate(request)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
