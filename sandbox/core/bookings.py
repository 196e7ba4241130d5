"""Bookings: every occurrence of an event, seat reservation or onsite pass seen as one booking
of a desk, room, pod, office or building, with a status derived from stored facts and the clock.

Its status is the occurrence's (`lifecycle.status_of`); its transitions are `transitions`'.

An occurrence is named by an `OccurrenceKey` (`keys.py`); each API encodes it in its ids (Kadence's
booking ids: `kadence/ids.py`).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from sandbox.core import (
    buildings,
    directory,
    events,
    lifecycle,
    reservations,
    seats,
    space_types,
    transitions,
)
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    Overlap,
    RuleViolation,
)
from sandbox.core.events import EventInput, InviteeInput
from sandbox.core.keys import Keys, OccurrenceKey
from sandbox.core.lifecycle import Cancellation, Status
from sandbox.core.occurrences import Slot
from sandbox.core.seats import SeatReservationInput
from sandbox.core.times import require_later
from sandbox.store.models import (
    Building,
    CheckIn,
    OccurrenceException,
    Reservation,
    ReservationKind,
    Resource,
    ResourceKind,
    User,
)

ROOM_TYPES = ("room", "pod", "private_office")
"""Booking types that are calendar events, and so need a title."""
SOURCE = "kadence"
"""What a booking, check-in or check-out made through the bookings API records as its source."""
METHODS = ("door_access", "wifi", "geofence", "sensor")
"""How someone checks in or out, when it is said."""


@dataclass(frozen=True)
class Booking:
    reservation: Reservation
    resource: Resource
    building: Building
    original_start: datetime | None
    start: datetime
    end: datetime
    status: Status
    check_in: CheckIn | None
    cancellation: Cancellation | None = None

    @property
    def key(self) -> OccurrenceKey:
        """Which occurrence it is."""
        if self.original_start is None:
            return OccurrenceKey(ulid=self.reservation.ulid)
        return OccurrenceKey(reservation_id=self.reservation.id, original_start=self.original_start)

    @property
    def type(self) -> str:
        return space_types.booking_type(self.resource)

    @property
    def cancelled_at(self) -> datetime | None:
        return self.cancellation.at if self.cancellation else None

    @property
    def cancelled_by_id(self) -> int | None:
        return self.cancellation.by_id if self.cancellation else None

    @property
    def auto_released_at(self) -> datetime | None:
        return self.cancellation.at if self.cancellation and self.cancellation.automatic else None


def get_booking(session: Session, actor: Actor, keys: Keys) -> Booking:
    """The booking `keys` names."""
    reservation, original_start = _locate(session, actor, keys)
    return _booking_of(session, reservation, original_start, actor.now)


def _locate(session: Session, actor: Actor, keys: Keys) -> tuple[Reservation, datetime | None]:
    candidates = [keys] if isinstance(keys, OccurrenceKey) else list(keys)
    if not candidates:
        raise NotFound("no such booking")
    # Every reservation a key may name, read in one query; then the keys are tried in their order.
    found = list(
        session.exec(
            _CANDIDATES,
            params={
                "ulids": [key.ulid.upper() for key in candidates if key.ulid is not None],
                "ids": [key.reservation_id for key in candidates if key.ulid is None and key.reservation_id is not None],
            },
        )
    )
    by_ulid = {row.ulid: row for row in found}
    by_id = {row.id: row for row in found}
    for key in candidates:
        if key.ulid is not None:
            reservation = by_ulid.get(key.ulid.upper())
            if reservation is not None and reservation.recurrence is None:
                if reservation.organization_id != actor.organization_id:
                    raise NotFound("no such booking")
                return reservation, None
        elif key.reservation_id is not None and key.original_start is not None:
            reservation = by_id.get(key.reservation_id)
            if reservation is None or reservation.recurrence is None or reservation.organization_id != actor.organization_id:
                raise NotFound("no such booking")
            reservations.require_instance(reservation, key.original_start)
            return reservation, key.original_start
    raise NotFound("no such booking")


_CANDIDATES = select(Reservation).where(
    or_(col(Reservation.ulid).in_(bindparam("ulids", expanding=True)), col(Reservation.id).in_(bindparam("ids", expanding=True)))
)
"""Built once: a statement built again for every query costs more than the query."""
_PLACE_OF = (
    select(Resource, Building)
    .join(Building, col(Building.id) == bindparam("building_id"))
    .where(col(Resource.id) == bindparam("resource_id"))
)
"""A reservation's space and building, in one query."""


def _booking_of(session: Session, reservation: Reservation, original_start: datetime | None, now: datetime) -> Booking:
    start = original_start or reservation.start
    check_in = reservations.check_ins_of(session, [reservation.id or 0]).get((reservation.id or 0, start))
    exception = None if original_start is None else reservations.occurrence_exception(session, reservation, start)
    resource, building = session.exec(
        _PLACE_OF, params={"resource_id": reservation.resource_id, "building_id": reservation.building_id}
    ).one()
    return derive(reservation, resource, building, original_start, check_in, exception, now)


def derive(
    reservation: Reservation,
    resource: Resource,
    building: Building,
    original_start: datetime | None,
    check_in: CheckIn | None,
    exception: OccurrenceException | None,
    now: datetime,
) -> Booking:
    """The booking, with its status and its check-in as of `now` (`lifecycle.status_of`,
    `lifecycle.as_of`)."""
    start = original_start or reservation.start
    end = start + (reservation.end - reservation.start)
    cancelled, check_in, status = lifecycle.occurrence_status(reservation, start, check_in, exception, now)
    return Booking(reservation, resource, building, original_start, start, end, status, check_in, cancelled)


# Creating


@dataclass(frozen=True)
class Attendee:
    user_id: str | None = None
    email: str | None = None
    display_name: str | None = None


@dataclass(frozen=True)
class BookingInput:
    user_id: str
    start: datetime
    end: datetime
    space_id: str | None = None
    building_id: str | None = None
    title: str | None = None
    description: str | None = None
    attendees: list[Attendee] = field(default_factory=list)


def create_booking(session: Session, actor: Actor, draft: BookingInput) -> Booking:
    """Book a space (desk, room, ...) or, with only a building, an onsite pass, for
    `draft.user_id`. A space may come with its building too, which must be the space's."""
    if not draft.user_id.strip():
        raise InvalidInput.of("person", "is required", "required")
    person = directory.named_in(session, actor, User, draft.user_id, "person")
    if draft.space_id is None and draft.building_id is None:
        raise InvalidInput.of("resource", "Give a resource, or a building for an onsite pass.", "one_place")
    require_later(draft.start, draft.end, "end", "start")
    on_behalf = Actor(user=person, organization=actor.organization, now=actor.now, integration=True)
    if draft.space_id is None:
        building = directory.named_in(session, actor, Building, draft.building_id or "", "building")
        buildings.require_bookable(building, draft.start, draft.end, actor.now)
        reservation = _book_onsite(session, on_behalf, building, draft)
    else:
        resource = directory.named_in(session, actor, Resource, draft.space_id, "resource")
        if resource.kind not in (ResourceKind.DESK, ResourceKind.SPACE):
            raise InvalidInput.of("resource", "This space can't be booked.")
        building = session.get_one(Building, resource.building_id)
        if draft.building_id is not None:
            named = directory.named_in(session, actor, Building, draft.building_id, "building")
            if named.id != building.id:
                raise InvalidInput.of("building", "The space is not in this building.", "other_building")
        buildings.require_bookable(building, draft.start, draft.end, actor.now)
        reservation = _book_space(session, on_behalf, resource, building, draft)
    return _booking_of(session, reservation, None, actor.now)


def _book_space(session: Session, actor: Actor, resource: Resource, building: Building, draft: BookingInput) -> Reservation:
    kind = space_types.booking_type(resource)
    if kind in ROOM_TYPES and not (draft.title or "").strip():
        raise InvalidInput.of("title", "is required", "required")
    try:
        if resource.kind == ResourceKind.DESK:
            reserved = seats.create_seat_reservation(
                session,
                actor,
                resource.id or 0,
                SeatReservationInput(
                    type=seats.default_type(resource, actor.user) or "hoteled",
                    start=draft.start,
                    end=draft.end,
                    time_zone=building.time_zone,
                    reservee_user_id=actor.user.id,
                    source=SOURCE,
                ),
            )
        else:
            invitees = [_invitee(session, actor, attendee, position) for position, attendee in enumerate(draft.attendees)]
            reserved = events.create_event(
                session,
                actor,
                resource.id or 0,
                EventInput(
                    start=draft.start,
                    end=draft.end,
                    time_zone=building.time_zone,
                    title=draft.title,
                    description=draft.description,
                    invitees=invitees,
                    source=SOURCE,
                ),
            )
    except Conflict as conflict:
        raise _unavailable(conflict) from None
    except RuleViolation as refusal:
        raise InvalidInput.of("resource", refusal.message, refusal.reason) from None
    return reserved.reservation


def _unavailable(conflict: Conflict) -> InvalidInput:
    if conflict.reason == Overlap.HOLDER_BUSY:
        return InvalidInput.of("person", "The user already has a desk booked at that time.", conflict.reason)
    return InvalidInput.of("resource", "The space is already booked at that time.", conflict.reason)


def _invitee(session: Session, actor: Actor, attendee: Attendee, position: int) -> InviteeInput:
    if attendee.user_id is not None:
        person = directory.named_in(session, actor, User, attendee.user_id, f"invitees[{position}].person")
        return InviteeInput(person.email, person.name)
    if not attendee.email:
        raise InvalidInput.of(f"invitees[{position}].email", "is required", "required")
    return InviteeInput(attendee.email, attendee.display_name)


def _book_onsite(session: Session, actor: Actor, building: Building, draft: BookingInput) -> Reservation:
    """An onsite pass of a building that is open then (the caller checked): while passes are
    left, and one per person at a time."""
    passes = buildings.onsite_resource(session, building)
    reservations.lock(session, passes.id or 0)
    if buildings.passes_left(session, building, draft.start, draft.end, actor.now) == 0:
        raise InvalidInput.of("building", "No onsite passes are left for that time.", buildings.NO_CAPACITY)
    tz = buildings.local_zone(building)
    schedule = reservations.plan_schedule(session, actor.now, draft.start, draft.end, tz, None)

    def already_onsite(existing: Slot) -> Conflict:
        return Conflict("already_onsite", "The user is already booked onsite at that time.", collision=existing)

    try:
        reservations.require_holder_free(
            session, ReservationKind.ONSITE, actor.user, schedule.intervals, actor.now, already_onsite
        )
    except Conflict as conflict:
        raise InvalidInput.of("person", conflict.message, conflict.reason) from None
    reservation = Reservation(
        organization_id=actor.organization_id,
        resource_id=passes.id or 0,
        building_id=building.id or 0,
        time_zone=schedule.series.zone.key,
        kind=ReservationKind.ONSITE,
        title="",
        organizer_id=actor.user.id,
        organizer_email=actor.user.email,
        creator_id=actor.user.id,
        creator_email=actor.user.email,
        source=SOURCE,
        release_after_s=space_types.release_window(session, passes),
        created_at=actor.now,
        updated_at=actor.now,
    )
    reservations.apply_schedule(session, reservation, passes, schedule, actor.now)
    session.commit()
    return reservation


# Transitions


def cancel_booking(session: Session, actor: Actor, keys: Keys, on_behalf_of: str | None) -> Booking:
    held = _held(session, actor, keys)
    canceller = actor.user
    if on_behalf_of is not None:
        canceller = directory.named_in(session, actor, User, on_behalf_of, "person")
    transitions.cancel(session, actor, held, canceller, "The user may not cancel this booking.")
    return _booking_of(session, held.reservation, held.original_start, actor.now)


def check_in_booking(session: Session, actor: Actor, keys: Keys, user: str | None, method: str | None) -> Booking:
    held = _held(session, actor, keys)
    person = _transition_user(session, actor, user, method)
    forbidden = "The user may not check in to this booking."
    transitions.check_in(session, actor, held, person, forbidden, source=SOURCE, method=method)
    return _booking_of(session, held.reservation, held.original_start, actor.now)


def check_out_booking(session: Session, actor: Actor, keys: Keys, user: str | None, method: str | None) -> Booking:
    held = _held(session, actor, keys)
    person = _transition_user(session, actor, user, method)
    transitions.check_out(session, actor, held, person, source=SOURCE, method=method)
    return _booking_of(session, held.reservation, held.original_start, actor.now)


def _held(session: Session, actor: Actor, keys: Keys) -> transitions.Occurrence:
    reservation, original_start = _locate(session, actor, keys)
    return transitions.occurrence(session, reservation, original_start, actor.now, held=True)


def _transition_user(session: Session, actor: Actor, user: str | None, method: str | None) -> User:
    if not user:
        raise InvalidInput.of("person", "is required", "required")
    if method is not None and method not in METHODS:
        raise InvalidInput.of("method", f"must be one of {', '.join(METHODS)}", "choice", choices=METHODS)
    return directory.named_in(session, actor, User, user, "person")
