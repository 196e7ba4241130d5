"""OAuth 2.0 client credentials: an organization's API clients trade their credentials for bearer
tokens that expire on the organization's clock."""

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from sandbox.core.access import Actor, Credential, acting
from sandbox.core.clock import Clock
from sandbox.core.errors import DomainError, Unauthenticated
from sandbox.store.models import ApiClient, OAuthToken, Organization, User

TOKEN_LIFETIME = timedelta(hours=1)
GRANT_TYPE = "client_credentials"
SCOPES = ("public",)


class OAuthError(DomainError):
    """An OAuth error response: `error` is the RFC 6749 code."""

    def __init__(self, error: str, description: str, status: int) -> None:
        super().__init__(description)
        self.error = error
        self.status = status


def issue_token(
    session: Session,
    clock: Clock,
    grant_type: str | None,
    client_id: str | None,
    client_secret: str | None,
    scope: str | None,
) -> tuple[str, int, int]:
    """A new access token, its lifetime in seconds, and the organization it acts for."""
    if not grant_type:
        raise OAuthError("invalid_request", 'The request is missing the required "grant_type" parameter.', 400)
    if grant_type != GRANT_TYPE:
        raise OAuthError(
            "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.", 400
        )
    # No client id holds a NUL character (and PostgreSQL can't look one up): such a client is unknown.
    client = session.get(ApiClient, client_id) if client_id and "\x00" not in client_id else None
    # As bytes: compare_digest refuses str with non-ASCII characters, which a client may send.
    presented = (client_secret or "").encode()
    if client is None or not secrets.compare_digest(client.client_secret.encode(), presented):
        raise OAuthError("invalid_client", "Client authentication failed", 401)
    if scope and any(part not in SCOPES for part in scope.split()):
        raise OAuthError("invalid_scope", "The requested scope is invalid, unknown, or malformed", 400)
    organization = session.get(Organization, client.organization_id)
    assert organization is not None
    token = secrets.token_urlsafe(32)
    session.add(
        OAuthToken(
            token=token,
            client_id=client.client_id,
            organization_id=client.organization_id,
            expires_at=clock.now(organization) + TOKEN_LIFETIME,
        )
    )
    session.commit()
    return token, int(TOKEN_LIFETIME.total_seconds()), client.organization_id


def actor_for_bearer(session: Session, token: str, clock: Clock) -> Actor:
    """The organization a bearer token belongs to, acting with its client's user, at its clock."""
    return bearer_actor(session, credential_for_bearer(session, token), clock)


def bearer_actor(session: Session, credential: Credential, clock: Clock, *, reading: bool = False) -> Actor:
    """The actor of a bearer token's credential, unless the token has expired on its clock."""
    return acting(session, credential, unexpired_now(credential, clock), reading=reading)


def unexpired_now(credential: Credential, clock: Clock) -> datetime:
    """Now on the clock of a bearer token's organization; Unauthenticated once the token has expired."""
    now = clock.now(credential.organization)
    assert credential.expires_at is not None
    if now >= credential.expires_at:
        raise Unauthenticated("The access token has expired.")
    return now


def credential_for_bearer(session: Session, token: str) -> Credential:
    """The organization of a bearer token, with its client's user, and when it expires. A token
    holding a NUL character is unknown, as any token no client was given (PostgreSQL's text can't hold one)."""
    if "\x00" in token:
        raise Unauthenticated("The access token is invalid.")
    row = session.exec(
        select(OAuthToken, ApiClient, Organization)
        .join(ApiClient, col(ApiClient.client_id) == OAuthToken.client_id)
        .join(Organization, col(Organization.id) == OAuthToken.organization_id)
        .where(OAuthToken.token == token)
    ).first()
    if row is None:
        raise Unauthenticated("The access token is invalid.")
    issued, client, organization = row
    user = session.get(User, client.user_id)
    assert user is not None
    return Credential(user, organization, integration=True, expires_at=issued.expires_at)
