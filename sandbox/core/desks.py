"""Desks (Robin seats) in zones and their settings, and what every reservation of a desk checks:
the person it is for, the desk's zone, and that the desk and the person are free then."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import reservations
from sandbox.core.access import Actor
from sandbox.core.errors import (
    InvalidInput,
    NotFound,
    Overlap,
    Overlapping,
)
from sandbox.core.occurrences import Slot
from sandbox.core.paging import Page, PageRequest, paginate
from sandbox.core.reservations import Schedule
from sandbox.core.times import parse_duration, zone
from sandbox.core.workplace import MAX_LISTED_IDS, amenities_of, fetch, get_space, member, user_by_email
from sandbox.store.models import (
    Amenity,
    Area,
    Building,
    ReservationKind,
    Resource,
    ResourceAmenity,
    ResourceKind,
    User,
)

DESK_TYPES = (["hoteled"], ["hot"], ["assigned"], ["assigned", "shared"], ["hoteled", "shared"])
MAX_LENGTH_SETTING = "seat-reservation-max-length"
TYPES_SETTING = "seat-reservation-types-allowed"
THRESHOLD_SETTING = "seat-reservation-advanced-booking-threshold"
SETTINGS = (MAX_LENGTH_SETTING, TYPES_SETTING, THRESHOLD_SETTING)


# Zones and seats


def get_zone(session: Session, actor: Actor, zone_id: int) -> Area:
    return fetch(session, actor, Area, zone_id)


def zones_in_space(session: Session, actor: Actor, space_id: int, page: PageRequest) -> Page[Area]:
    get_space(session, actor, space_id)
    return paginate(session, select(Area).where(Area.space_id == space_id).order_by(col(Area.id)), page)


def get_seat(session: Session, actor: Actor, seat_id: int) -> Resource:
    seat = fetch(session, actor, Resource, seat_id)
    if seat.kind != ResourceKind.DESK:
        raise NotFound(f"resource {seat_id} is not a desk")
    return seat


def seats_in_zone(session: Session, actor: Actor, zone_id: int, page: PageRequest) -> Page[Resource]:
    get_zone(session, actor, zone_id)
    return paginate(session, _desks().where(Resource.area_id == zone_id), page)


def seats_in_space(session: Session, actor: Actor, space_id: int, page: PageRequest) -> Page[Resource]:
    get_space(session, actor, space_id)
    return paginate(session, _desks().where(Resource.parent_id == space_id), page)


@dataclass(frozen=True)
class SeatQuery:
    """Which desks of the organization a listing shows: each list given narrows it to desks in
    any of its buildings, floors, spaces or zones."""

    building_ids: list[int] | None = None
    floor_ids: list[int] | None = None
    space_ids: list[int] | None = None
    area_ids: list[int] | None = None


def list_seats(session: Session, actor: Actor, query: SeatQuery, page: PageRequest) -> Page[Resource]:
    """The organization's desks, enabled or not, in `query`'s places; ids naming nothing there
    narrow it to nothing."""
    statement = _desks().where(Resource.organization_id == actor.organization_id)
    for field, column in (
        ("building_ids", Resource.building_id),
        ("floor_ids", Resource.floor_id),
        ("space_ids", Resource.parent_id),
        ("area_ids", Resource.area_id),
    ):
        ids = getattr(query, field)
        if ids is None:
            continue
        if len(ids) > MAX_LISTED_IDS:
            raise InvalidInput.of(field, f"at most {MAX_LISTED_IDS} ids")
        statement = statement.where(col(column).in_(ids))
    return paginate(session, statement, page)


def seat_amenities(session: Session, actor: Actor, seat_id: int) -> list[tuple[ResourceAmenity, Amenity]]:
    get_seat(session, actor, seat_id)
    return amenities_of(session, [seat_id]).get(seat_id, [])


def _desks() -> Any:
    return select(Resource).where(Resource.kind == ResourceKind.DESK).order_by(col(Resource.id))


# Settings


@dataclass(frozen=True)
class Setting:
    seat: Resource
    slug: str
    value: Any


def get_setting(session: Session, actor: Actor, seat_id: int, slug: str) -> Setting:
    seat = get_seat(session, actor, seat_id)
    return Setting(seat, _known_slug(slug), _setting_value(seat, slug))


def update_setting(session: Session, actor: Actor, seat_id: int, slug: str, value: Any) -> Setting:
    seat = get_seat(session, actor, seat_id)
    actor.require_admin()
    if _known_slug(slug) == TYPES_SETTING:
        if value not in DESK_TYPES:
            raise InvalidInput.of("value", f"must be one of {', '.join(map(str, DESK_TYPES))}")
        seat.desk_type = list(value)
    else:
        if value is not None:
            parse_duration(value, "value")
        if slug == MAX_LENGTH_SETTING:
            seat.max_reservation_length = value
        else:
            seat.advanced_booking_threshold = value
    seat.updated_at = actor.now
    session.add(seat)
    session.commit()
    return Setting(seat, slug, _setting_value(seat, slug))


def _known_slug(slug: str) -> str:
    if slug not in SETTINGS:
        raise NotFound("no such setting")
    return slug


def _setting_value(seat: Resource, slug: str) -> Any:
    return {
        MAX_LENGTH_SETTING: seat.max_reservation_length,
        TYPES_SETTING: seat.desk_type,
        THRESHOLD_SETTING: seat.advanced_booking_threshold,
    }[slug]


# What every reservation of a desk checks


@dataclass(frozen=True)
class PersonRef:
    """A person as a request names them: by id or by email; neither names the actor."""

    user_id: int | None = None
    email: str | None = None


def person(session: Session, actor: Actor, named: PersonRef) -> User:
    if named.user_id is not None:
        return member(session, actor, named.user_id, "reservee.user_id")
    if named.email:
        found = user_by_email(session, named.email)
        if found is None or found.organization_id != actor.organization_id:
            raise InvalidInput.of("reservee.email", f"no user with email {named.email} in this organization")
        return found
    return actor.user


def local_zone(session: Session, seat: Resource) -> ZoneInfo:
    building = session.get(Building, seat.building_id)
    assert building is not None
    return zone(building.time_zone, "time_zone")


def require_free(session: Session, seat: Resource, reservee: User, schedule: Schedule, now: datetime) -> None:
    """The desk holds no other reservation then, and the reservee no other desk."""

    def double_booked(existing: Slot) -> Overlapping:
        return Overlapping(
            Overlap.HOLDER_BUSY,
            f"The reservee holds desk {existing.reservation.resource_id} then ({reservations.described(existing)})",
            collision=existing,
            field="reservee",
            holder=reservee.name,
        )

    reservations.require_resource_free(session, seat, ReservationKind.SEAT, schedule.intervals, now)
    reservations.require_holder_free(session, ReservationKind.SEAT, reservee, schedule.intervals, now, double_booked)
