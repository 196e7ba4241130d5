"""Who is acting, in which organization, at what time."""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from sandbox.core.clock import Clock
from sandbox.core.errors import Forbidden, Unauthenticated
from sandbox.store.models import AccessToken, Organization, User

ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    user: User
    organization: Organization
    now: datetime
    """The organization's clock, read once for the whole request."""
    integration: bool = False
    """An API integration (client credentials) acting for `user`: it may do what an
    administrator may."""

    @property
    def organization_id(self) -> int:
        assert self.organization.id is not None
        return self.organization.id

    @property
    def is_admin(self) -> bool:
        return self.integration or self.user.role == ADMIN

    def require_member_of(self, organization_id: int) -> None:
        if organization_id != self.organization_id:
            raise Forbidden("This resource belongs to another organization")

    def require_admin(self) -> None:
        if not self.is_admin:
            raise Forbidden("Only an administrator of the organization may do this")


@dataclass(frozen=True)
class Credential:
    """What a token stands for, as read from the store: kept and shared between requests. A
    request that writes gets copies of its rows in its own session, one that only reads shares
    them and never changes them (see `acting`)."""

    user: User
    organization: Organization
    integration: bool = False
    expires_at: datetime | None = None
    issued_at: datetime | None = None


def acting(session: Session, credential: Credential, now: datetime, *, reading: bool = False) -> Actor:
    """The actor of a credential within `session`: its user and organization become the
    session's own (without a read), as if the session had looked them up. A request that only
    reads (`reading`) may share the credential's own rows instead, which it never changes."""
    if reading:
        return Actor(user=credential.user, organization=credential.organization, now=now, integration=credential.integration)
    return Actor(
        user=session.merge(credential.user, load=False),
        organization=session.merge(credential.organization, load=False),
        now=now,
        integration=credential.integration,
    )


def actor_for_token(session: Session, token: str, clock: Clock) -> Actor:
    """The user and organization an access token belongs to, at the organization's time."""
    credential = credential_for_token(session, token)
    return acting(session, credential, clock.now(credential.organization))


def credential_for_token(session: Session, token: str) -> Credential:
    """The user and organization of a Robin access token. No token holds a NUL character (a
    query parameter may carry one, and PostgreSQL's text can't): such a token is unknown, unlooked-up."""
    if "\x00" in token:
        raise Unauthenticated("The access token is invalid")
    row = session.exec(
        select(User, Organization, AccessToken.created_at)
        .join(AccessToken, col(AccessToken.user_id) == User.id)
        .join(Organization, col(Organization.id) == AccessToken.organization_id)
        .where(AccessToken.token == token)
    ).first()
    if row is None:
        raise Unauthenticated("The access token is invalid")
    user, organization, issued_at = row
    return Credential(user, organization, issued_at=issued_at)


def sign_in(
    session: Session, email: str, password: str, expected_password: str, organization_key: str | None, clock: Clock
) -> AccessToken:
    """A new access token for the person whose email and password these are (every person's
    password is the sandbox's one, `expected_password`), in their organization: which must be the
    one `organization_key` names (its id or slug) when given. Unauthenticated otherwise."""
    user = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
    if user is None or not hmac.compare_digest(password.encode(), expected_password.encode()):
        raise Unauthenticated("The email or password is incorrect")
    organization = session.get(Organization, user.organization_id)
    assert organization is not None
    if organization_key not in (None, "", str(organization.id), organization.slug):
        raise Unauthenticated(f"{email} does not belong to organization {organization_key}")
    now = clock.now(organization)
    row = AccessToken(token=secrets.token_hex(20), user_id=user.id or 0, organization_id=organization.id or 0, created_at=now)
    session.add(row)
    session.commit()
    return row
