"""Presence: people and devices seen in a space or a location, for a session that expires.

A session lives `session_ttl` seconds (default 30, at most 20 minutes) after it was last seen,
by the organization's clock; seeing the same person or device again extends it.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from sandbox.core.access import Actor
from sandbox.core.errors import Forbidden, InvalidInput, NotFound
from sandbox.core.paging import Page, PageRequest, paginate
from sandbox.core.workplace import fetch, get_space, member_named
from sandbox.store.models import Building, Presence, Resource, User

DEFAULT_TTL = 30
MAX_TTL = 20 * 60


@dataclass(frozen=True)
class Place:
    """Where presence is recorded: a space, or a location as a whole."""

    building_id: int
    space_id: int | None


def space_place(session: Session, actor: Actor, space_id: int) -> Place:
    space = get_space(session, actor, space_id)
    return Place(space.building_id, space.id)


def location_place(session: Session, actor: Actor, location_id: int) -> Place:
    building = fetch(session, actor, Building, location_id)
    return Place(building.id or 0, None)


@dataclass(frozen=True)
class PresenceInput:
    user_id: int | str | None = None
    """The person seen, by id, or by email or slug (`workplace.member_named`); or else a device."""
    device_id: int | None = None
    session_ttl: int | None = None


def record(session: Session, actor: Actor, place: Place, sighting: PresenceInput) -> tuple[Presence, bool]:
    """Start or extend a session; True when it is new."""
    user = _who(session, actor, sighting)
    ttl = DEFAULT_TTL if sighting.session_ttl is None else sighting.session_ttl
    if not 1 <= ttl <= MAX_TTL:
        raise InvalidInput.of("session_ttl", f"must be from 1 to {MAX_TTL} seconds")
    now = actor.now
    _hold(session, place)
    session_row = session.exec(_live(actor.organization_id, place, now).where(_same_party(user, sighting))).first()
    created = session_row is None
    if session_row is None:
        session_row = Presence(
            organization_id=actor.organization_id,
            building_id=place.building_id,
            resource_id=place.space_id,
            user_id=user.id if user else None,
            device_id=sighting.device_id,
            arrived_at=now,
        )
    session_row.last_seen_at = now
    session_row.session_ttl = ttl
    session_row.expires_at = now + timedelta(seconds=ttl)
    session.add(session_row)
    if place.space_id is not None:
        space = session.get(Resource, place.space_id)
        assert space is not None
        space.last_presence_at = now
        session.add(space)
    session.commit()
    return session_row, created


def live_sessions(session: Session, actor: Actor, place: Place, page: PageRequest) -> Page[Presence]:
    """Live sessions: in the space, or anywhere in the location (its spaces included)."""
    statement = _live(actor.organization_id, place, actor.now, whole_location=place.space_id is None)
    return paginate(session, statement.order_by(col(Presence.arrived_at), col(Presence.id)), page)


def sessions_of(session: Session, actor: Actor, user: User, page: PageRequest) -> Page[Presence]:
    """The person's live sessions, wherever in the organization, in the order they began."""
    actor.require_member_of(user.organization_id)
    statement = select(Presence).where(
        Presence.organization_id == actor.organization_id,
        Presence.user_id == user.id,
        col(Presence.expires_at) > actor.now,
    )
    return paginate(session, statement.order_by(col(Presence.arrived_at), col(Presence.id)), page)


def end(session: Session, actor: Actor, place: Place, sighting: PresenceInput) -> None:
    """End the live sessions of a person or device at `place`."""
    user = _who(session, actor, sighting)
    _hold(session, place)
    rows = session.exec(_live(actor.organization_id, place, actor.now).where(_same_party(user, sighting))).all()
    if not rows:
        raise NotFound("the person is not present there")
    for row in rows:
        row.expires_at = actor.now
        session.add(row)
    session.commit()


_PRESENT = (
    select(Presence.resource_id, func.count())
    .where(
        col(Presence.organization_id) == bindparam("organization_id"),
        col(Presence.resource_id).in_(bindparam("space_ids", expanding=True)),
        col(Presence.expires_at) > bindparam("now"),
    )
    .group_by(col(Presence.resource_id))
)


def present_counts(session: Session, organization_id: int, space_ids: list[int], now: datetime) -> dict[int, int]:
    """How many people or devices are present now in each of `space_ids`."""
    if not space_ids:
        return {}
    rows = session.exec(_PRESENT, params={"organization_id": organization_id, "space_ids": space_ids, "now": now}).all()
    return {resource_id: count for resource_id, count in rows if resource_id is not None}


def users_of(session: Session, sessions: list[Presence]) -> dict[int, User]:
    ids = {row.user_id for row in sessions if row.user_id is not None}
    if not ids:
        return {}
    return {user.id or 0: user for user in session.exec(select(User).where(col(User.id).in_(ids)))}


def _who(session: Session, actor: Actor, sighting: PresenceInput) -> User | None:
    if (sighting.user_id is None) == (sighting.device_id is None):
        raise InvalidInput.of("user_id", "give exactly one of user_id or device_id", "required")
    if sighting.user_id is None:
        return None
    user = member_named(session, actor, sighting.user_id, "user_id")
    if not actor.is_admin and user.id != actor.user.id:
        raise Forbidden("A member may report only their own presence")
    return user


def _hold(session: Session, place: Place) -> None:
    """Lock the place's building until the transaction ends, before its sessions are read: two
    sightings of one person at once are then recorded one after the other, the first starting the
    session and the second extending it (a row lock on PostgreSQL; SQLite's writers are serial)."""
    session.exec(select(Building.id).where(Building.id == place.building_id).with_for_update()).one()


def _same_party(user: User | None, sighting: PresenceInput) -> Any:
    """Sessions of the person seen, or else of the device."""
    return (Presence.user_id == user.id) if user else (Presence.device_id == sighting.device_id)


def _live(organization_id: int, place: Place, now: datetime, *, whole_location: bool = False) -> SelectOfScalar[Presence]:
    statement = select(Presence).where(
        Presence.organization_id == organization_id,
        Presence.building_id == place.building_id,
        col(Presence.expires_at) > now,
    )
    if not whole_location:
        statement = statement.where(
            col(Presence.resource_id).is_(None) if place.space_id is None else Presence.resource_id == place.space_id
        )
    return statement
