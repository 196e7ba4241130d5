"""Bookings: every occurrence of an event, seat reservation or onsite pass seen as one booking
of a desk, room, pod, office or building, with a status derived from stored facts and the clock.

Status: cancelled (by someone); noCheckIn (released unconfirmed at its building's or space's
release window: cancellationReason autoSpaceRelease, autoReleasedDate set); checkedOut;
completed (its end has passed); checkedIn; booked.

Ids: a single booking is its reservation's ULID. An occurrence of a series gets a ULID that
encodes it (ids.occurrence_ulid), so that it needs no storage and reads back to exactly one
occurrence.
"""

import heapq
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from sandbox.core import (
    buildings,
    confirmations,
    directory,
    events,
    ids,
    occurrences,
    reservations,
    seats,
    space_types,
)
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from sandbox.core.events import EventInput, InviteeInput
from sandbox.core.occurrences import Slot
from sandbox.core.paging import Counted, counted_list
from sandbox.core.reservations import Cancellation
from sandbox.core.seats import SeatReservationInput
from sandbox.store.models import (
    Area,
    Building,
    CheckIn,
    Floor,
    OccurrenceException,
    Reservation,
    ReservationKind,
    Resource,
    ResourceKind,
    User,
)

ROOM_TYPES = ("room", "pod", "private_office")
"""Booking types that are calendar events, and so need a title."""
REQUEST_NAMES = {"start": "startDateTime", "end": "endDateTime", "invitees": "attendees", "reservee": "userId"}
"""Fields of the core's event and seat inputs, as a booking request names them."""
BOOKED, CHECKED_IN, CHECKED_OUT, COMPLETED, CANCELLED, NO_CHECK_IN = (
    "booked",
    "checkedIn",
    "checkedOut",
    "completed",
    "cancelled",
    "noCheckIn",
)
METHODS = ("doorAccess", "wifi", "geofence", "sensor")
DEFAULT_REACH = timedelta(days=366)
"""How far before and after now a collection without date filters reaches."""
MAX_SERIES_READ = 10 * occurrences.MAX_INDEXED
"""The most occurrences of one series a collection reads: ten times what a series may hold in
the 366 days it is indexed for, about ten years of the busiest series. A series without end has
occurrences as far as date filters reach, and they may reach thousands of years."""
_LOCAL_SLACK = timedelta(hours=15)
_BOUND_SLACK = timedelta(seconds=1)


class TransitionRefused(RuleViolation):
    """A cancel, check-in or check-out the booking's status does not allow."""

    code = "transition_refused"

    def __init__(self, message: str) -> None:
        super().__init__("transition_refused", message)


@dataclass(frozen=True)
class Booking:
    reservation: Reservation
    resource: Resource
    building: Building
    original_start: datetime | None
    start: datetime
    end: datetime
    status: str
    check_in: CheckIn | None
    cancellation: Cancellation | None = None

    @property
    def id(self) -> str:
        return booking_id(self.reservation, self.original_start)

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
    def cancellation_reason(self) -> str | None:
        if self.cancellation is None:
            return None
        return "autoSpaceRelease" if self.cancellation.automatic else "byUser"

    @property
    def auto_released_at(self) -> datetime | None:
        return self.cancellation.at if self.cancellation and self.cancellation.automatic else None


def booking_id(reservation: Reservation, original_start: datetime | None) -> str:
    if original_start is None:
        return reservation.ulid
    return ids.occurrence_ulid(reservation.id or 0, original_start)


def get_booking(session: Session, actor: Actor, identifier: str, *, for_change: bool = False) -> Booking:
    """The booking `identifier`; `for_change`: its reservation held for a transition
    (`reservations.hold`), so that the status it is read with is the one the transition changes."""
    reservation, original_start = _locate(session, actor, identifier)
    if for_change:
        reservations.hold(session, reservation)
    return _booking_of(session, reservation, original_start, actor.now)


def _locate(session: Session, actor: Actor, identifier: str) -> tuple[Reservation, datetime | None]:
    if len(identifier) != 26:
        raise NotFound("no such booking")
    reservation = session.exec(select(Reservation).where(Reservation.ulid == identifier.upper())).first()
    if reservation is not None and reservation.recurrence is None:
        if reservation.organization_id != actor.organization_id:
            raise NotFound("no such booking")
        return reservation, None
    decoded = ids.occurrence_of_ulid(identifier)
    if decoded is None:
        raise NotFound("no such booking")
    reservation = session.get(Reservation, decoded[0])
    if reservation is None or reservation.recurrence is None or reservation.organization_id != actor.organization_id:
        raise NotFound("no such booking")
    reservations.require_instance(reservation, decoded[1])
    return reservation, decoded[1]


def _booking_of(session: Session, reservation: Reservation, original_start: datetime | None, now: datetime) -> Booking:
    start = original_start or reservation.start
    check_in = reservations.check_ins_of(session, [reservation.id or 0]).get((reservation.id or 0, start))
    exception = None if original_start is None else reservations.occurrence_exception(session, reservation, start)
    resource = session.get(Resource, reservation.resource_id)
    building = session.get(Building, reservation.building_id)
    assert resource is not None
    assert building is not None
    return _derive(reservation, resource, building, original_start, check_in, exception, now)


def _derive(
    reservation: Reservation,
    resource: Resource,
    building: Building,
    original_start: datetime | None,
    check_in: CheckIn | None,
    exception: OccurrenceException | None,
    now: datetime,
) -> Booking:
    """The booking, its status read from its cancellation, check-in and the clock: cancelled
    (by someone), noCheckIn (released), checkedOut, completed (ended), checkedIn or booked."""
    start = original_start or reservation.start
    end = start + (reservation.end - reservation.start)
    cancelled = reservations.cancellation(reservation, start, check_in, exception, now)
    if cancelled is not None:
        status = NO_CHECK_IN if cancelled.automatic else CANCELLED
    elif check_in is not None and check_in.checked_out_at is not None:
        status = CHECKED_OUT
    elif now >= end:
        status = COMPLETED
    elif check_in is not None:
        status = CHECKED_IN
    else:
        status = BOOKED
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
    """Book a space (desk, room, ...) or, with a building, an onsite pass, for `draft.user_id`."""
    if not draft.user_id.strip():
        raise InvalidInput.of("userId", "This value should not be blank.", "required")
    person = directory.named_in(session, actor, User, draft.user_id, "userId")
    if (draft.space_id is None) == (draft.building_id is None):
        raise InvalidInput.of("spaceId", "Give a spaceId, or a buildingId for an onsite booking, but not both.")
    if draft.end <= draft.start:
        raise InvalidInput.of("endDateTime", "The end must be later than the start.")
    on_behalf = Actor(user=person, organization=actor.organization, now=actor.now, integration=True)
    if draft.building_id is not None:
        building = directory.named_in(session, actor, Building, draft.building_id, "buildingId")
        buildings.require_bookable(building, draft.start, draft.end, actor.now)
        reservation = _book_onsite(session, on_behalf, building, draft)
    else:
        resource = directory.named_in(session, actor, Resource, draft.space_id or "", "spaceId")
        if resource.kind not in (ResourceKind.DESK, ResourceKind.SPACE):
            raise InvalidInput.of("spaceId", "This space can't be booked.")
        building = session.get_one(Building, resource.building_id)
        buildings.require_bookable(building, draft.start, draft.end, actor.now)
        reservation = _book_space(session, on_behalf, resource, building, draft)
    return _booking_of(session, reservation, None, actor.now)


def _book_space(session: Session, actor: Actor, resource: Resource, building: Building, draft: BookingInput) -> Reservation:
    kind = space_types.booking_type(resource)
    if kind in ROOM_TYPES and not (draft.title or "").strip():
        raise InvalidInput.of("title", "This value should not be blank.", "required")
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
                    source="publicApi",
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
                    source="publicApi",
                ),
            )
    except Conflict as conflict:
        raise _unavailable(conflict) from None
    except RuleViolation as refusal:
        raise InvalidInput.of("spaceId", refusal.message, refusal.reason) from None
    except InvalidInput as invalid:
        raise invalid.renamed(REQUEST_NAMES) from None
    return reserved.reservation


def _unavailable(conflict: Conflict) -> InvalidInput:
    if conflict.reason == "reservee_already_seated":
        return InvalidInput.of("userId", "The user already has a desk booked at that time.", conflict.reason)
    return InvalidInput.of("spaceId", "The space is already booked at that time.", conflict.reason)


def _invitee(session: Session, actor: Actor, attendee: Attendee, position: int) -> InviteeInput:
    if attendee.user_id is not None:
        person = directory.named_in(session, actor, User, attendee.user_id, f"attendees[{position}].userId")
        return InviteeInput(person.email, person.name)
    if not attendee.email:
        raise InvalidInput.of(f"attendees[{position}].emailAddress", "This value should not be blank.", "required")
    return InviteeInput(attendee.email, attendee.display_name)


def _book_onsite(session: Session, actor: Actor, building: Building, draft: BookingInput) -> Reservation:
    """An onsite pass of a building that is open then (the caller checked): while passes are
    left, and one per person at a time."""
    passes = buildings.onsite_resource(session, building)
    reservations.lock(session, passes.id or 0)
    if buildings.passes_left(session, building, draft.start, draft.end, actor.now) == 0:
        raise InvalidInput.of("buildingId", "No onsite passes are left for that time.", buildings.NO_CAPACITY)
    tz = buildings.local_zone(building)
    schedule = reservations.plan_schedule(session, actor.now, draft.start, draft.end, tz, None)

    def already_onsite(existing: Slot) -> Conflict:
        return Conflict("already_onsite", "The user is already booked onsite at that time.", collision=existing)

    try:
        reservations.require_holder_free(
            session, ReservationKind.ONSITE, actor.user, schedule.intervals, actor.now, already_onsite
        )
    except Conflict as conflict:
        raise InvalidInput.of("userId", conflict.message, conflict.reason) from None
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
        source="publicApi",
        release_after_s=space_types.release_window(session, passes),
        created_at=actor.now,
        updated_at=actor.now,
    )
    reservations.apply_schedule(session, reservation, passes, schedule, actor.now)
    session.commit()
    return reservation


# Transitions


def cancel_booking(session: Session, actor: Actor, identifier: str, on_behalf_of: str | None) -> Booking:
    booking = get_booking(session, actor, identifier, for_change=True)
    canceller = actor.user
    if on_behalf_of is not None:
        canceller = directory.named_in(session, actor, User, on_behalf_of, "userId")
        as_canceller = Actor(user=canceller, organization=actor.organization, now=actor.now)
        reservations.require_may_change(as_canceller, booking.reservation, "The user may not cancel this booking.")
    if booking.status in (CANCELLED, NO_CHECK_IN):
        raise TransitionRefused("The booking has already been cancelled.")
    if booking.status in (COMPLETED, CHECKED_OUT):
        raise TransitionRefused("The booking has already been completed.")
    reservations.cancel(session, booking.reservation, booking.original_start, actor.now, by_id=canceller.id)
    session.commit()
    return _booking_of(session, booking.reservation, booking.original_start, actor.now)


def check_in_booking(session: Session, actor: Actor, identifier: str, user: str | None, method: str | None) -> Booking:
    booking = get_booking(session, actor, identifier, for_change=True)
    person = _transition_user(session, actor, user, method)
    if booking.status != BOOKED:
        raise TransitionRefused(_not_booked(booking))
    if actor.now < confirmations.opens_at(booking.start):
        raise TransitionRefused(f"Check in opens {confirmations.OPENS_MINUTES} minutes before the booking starts.")
    confirmations.record(session, booking.reservation, booking.start, person, actor.now, source="publicApi", method=method)
    return _booking_of(session, booking.reservation, booking.original_start, actor.now)


def check_out_booking(session: Session, actor: Actor, identifier: str, user: str | None, method: str | None) -> Booking:
    booking = get_booking(session, actor, identifier, for_change=True)
    person = _transition_user(session, actor, user, method)
    if booking.status != CHECKED_IN or booking.check_in is None:
        raise TransitionRefused(
            "The booking has already been checked out."
            if booking.status == CHECKED_OUT
            else f"Only a checked-in booking can be checked out; this one is {booking.status}."
        )
    booking.check_in.checked_out_at = actor.now
    booking.check_in.checked_out_by_id = person.id
    booking.check_in.check_out_source = "publicApi"
    booking.check_in.check_out_method = method
    session.add(booking.check_in)
    session.commit()
    return _booking_of(session, booking.reservation, booking.original_start, actor.now)


def _transition_user(session: Session, actor: Actor, user: str | None, method: str | None) -> User:
    if not user:
        raise InvalidInput.of("userId", "This value should not be blank.", "required")
    if method is not None and method not in METHODS:
        raise InvalidInput.of("method", f"The value you selected is not a valid choice: {', '.join(METHODS)}.")
    return directory.named_in(session, actor, User, user, "userId")


def _not_booked(booking: Booking) -> str:
    return {
        CHECKED_IN: "The booking has already been checked in.",
        CHECKED_OUT: "The booking has already been checked out.",
        COMPLETED: "The booking has already been completed.",
        CANCELLED: "The booking has been cancelled.",
        NO_CHECK_IN: "The booking was released because nobody checked in.",
    }.get(booking.status, f"The booking is {booking.status}.")


# Listing


@dataclass(frozen=True)
class TimeCondition:
    """`field` (start, end, cancelled, checkedIn, checkedOut, selfCertified) compared with `value`:
    an aware instant, or with `local` a wall-clock time in the booking's building."""

    field: str
    operation: str
    value: datetime
    local: bool = False


@dataclass(frozen=True)
class BookingQuery:
    holder_id: int | None = None
    booking_id: str | None = None
    type: str | None = None
    status: str | None = None
    building_id: str | None = None
    floor_id: str | None = None
    area_id: str | None = None
    space_id: str | None = None
    conditions: tuple[TimeCondition, ...] = ()
    order: tuple[tuple[str, str], ...] = ()


def list_bookings(session: Session, actor: Actor, query: BookingQuery, page: int, per_page: int) -> Counted[Booking]:
    """Page `page` (`per_page` to a page, 0 for none) of the bookings the query matches, in its
    order, and how many it matches. Date filters that reach more than MAX_SERIES_READ occurrences
    of one series are refused.

    Where the query filters by nothing but what a reservation stores (its times, holder, place
    and type), single bookings are counted and ordered by the store, and only those up to the
    page are read: the page costs what it shows, however many bookings its filters match. A
    series' occurrences are not stored; each series in reach is expanded."""
    lower, upper = _reach(query.conditions, actor.now)
    reaching = _reaching(actor.organization_id, lower, upper)
    if query.holder_id is not None:
        reaching = reaching.where(Reservation.organizer_id == query.holder_id)
    if query.building_id is not None:
        reaching = reaching.where(Reservation.building_id == directory.id_of(session, actor, Building, query.building_id))
    resource_ids = _resource_filter(session, actor, query)
    if resource_ids is not None:
        reaching = reaching.where(col(Reservation.resource_id).in_(resource_ids))
    order = _order_key(query)
    if not _filters_stored_facts(query):
        found = [
            booking
            for booking in _expand(session, list(session.exec(reaching)), lower, upper, actor.now)
            if _matches(booking, query)
        ]
        return counted_list(sorted(found, key=order), page, per_page)
    singles = reaching.where(
        col(Reservation.recurrence).is_(None), col(Reservation.end) > lower, *_stored_conditions(actor, query)
    )
    series = session.exec(reaching.where(col(Reservation.recurrence).is_not(None))).all()
    occurrences_found = sorted(
        (booking for booking in _expand(session, list(series), lower, upper, actor.now) if _matches(booking, query)),
        key=order,
    )
    total = session.exec(select(func.count()).select_from(singles.subquery())).one() + len(occurrences_found)
    offset = (page - 1) * per_page
    if not per_page or offset >= total:
        return Counted([], total, page, per_page)
    first_singles = session.exec(singles.order_by(*_stored_order(query)).limit(offset + per_page)).all()
    merged = heapq.merge(_expand(session, list(first_singles), lower, upper, actor.now), occurrences_found, key=order)
    return Counted(list(islice(merged, offset, offset + per_page)), total, page, per_page)


_ORDERED_BY = {"startDate": "start", "endDate": "end"}
"""The booking times each `order[...]` parameter orders by."""
_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(query: BookingQuery) -> Callable[[Booking], tuple[int, ...]]:
    """The order of a query's bookings: by its `order` (start ascending by default), then by
    reservation and start, so that equal times come in one order whichever way they are read."""
    order = query.order or (("startDate", "asc"),)

    def key(booking: Booking) -> tuple[int, ...]:
        times = tuple(
            (getattr(booking, _ORDERED_BY[name]) - _EPOCH) // _MICROSECOND * (-1 if direction == "desc" else 1)
            for name, direction in order
        )
        return (*times, booking.reservation.id or 0, (booking.start - _EPOCH) // _MICROSECOND)

    return key


def _stored_order(query: BookingQuery) -> list[Any]:
    """`_order_key` as the store orders single bookings, whose times are their reservation's."""
    columns = {"start": col(Reservation.start), "end": col(Reservation.end)}
    order = query.order or (("startDate", "asc"),)
    by_times = [
        columns[_ORDERED_BY[name]].desc() if direction == "desc" else columns[_ORDERED_BY[name]].asc()
        for name, direction in order
    ]
    return [*by_times, col(Reservation.id).asc()]


def _filters_stored_facts(query: BookingQuery) -> bool:
    """Whether the query filters single bookings by what their reservations store alone: not by
    their status or id, which are derived, nor by a time read in each building's zone."""
    return (
        query.status is None
        and query.booking_id is None
        and all(condition.field in ("start", "end") and not condition.local for condition in query.conditions)
    )


def _stored_conditions(actor: Actor, query: BookingQuery) -> list[Any]:
    """The query's filters (see `_filters_stored_facts`) as conditions on single reservations."""
    conditions = [
        _COMPARISONS[condition.operation](col(getattr(Reservation, condition.field)), condition.value)
        for condition in query.conditions
    ]
    if query.type is not None:
        typed = select(Resource.id).where(
            Resource.organization_id == actor.organization_id, space_types.of_booking_type(query.type)
        )
        conditions.append(col(Reservation.resource_id).in_(typed))
    return conditions


def bookings_in_building(session: Session, building: Building, lower: datetime, upper: datetime, now: datetime) -> list[Booking]:
    """Every booking in the building (of its spaces, desks and onsite passes) overlapping
    [lower, upper), with its status at `now`: live, past, cancelled and released alike, by start."""
    rows = list(session.exec(_reaching(building.organization_id, lower, upper).where(Reservation.building_id == building.id)))
    # An occurrence of a series may end exactly at `lower`: it touches the interval without overlapping it.
    found = [booking for booking in _expand(session, rows, lower, upper, now) if booking.end > lower]
    return sorted(found, key=lambda booking: (booking.start, booking.reservation.id or 0))


def _reaching(organization_id: int, lower: datetime, upper: datetime) -> Any:
    """The organization's reservations that may have an occurrence overlapping [lower, upper)."""
    return select(Reservation).where(
        Reservation.organization_id == organization_id,
        col(Reservation.start) < upper,
        or_(col(Reservation.series_end).is_(None), col(Reservation.series_end) > lower),
    )


def _reach(conditions: tuple[TimeCondition, ...], now: datetime) -> tuple[datetime, datetime]:
    """The interval bookings must overlap to be read: the start and end filters' bounds (a local
    bound widened by the largest UTC offset), a bound left open reaching DEFAULT_REACH past the
    later of now and the other bound (or before the earlier)."""
    afters, befores = [], []
    for condition in conditions:
        if condition.field not in ("start", "end"):
            continue
        value = condition.value.replace(tzinfo=UTC) if condition.local else condition.value
        slack = _LOCAL_SLACK if condition.local else timedelta(0)
        if condition.operation in ("after", "strictly_after"):
            afters.append(value - slack)
        else:
            befores.append(value + slack)
    lower = max(afters) if afters else (min(now, *befores) if befores else now) - DEFAULT_REACH
    upper = min(befores) if befores else max(now, lower if afters else now) + DEFAULT_REACH
    # Bookings are read when they overlap the reach; a booking that only touches an inclusive
    # bound (starts exactly at `before`, ends exactly at `after`) must be read too.
    return lower - _BOUND_SLACK, max(upper, lower) + _BOUND_SLACK


def _resource_filter(session: Session, actor: Actor, query: BookingQuery) -> list[int] | None:
    if query.space_id is None and query.floor_id is None and query.area_id is None:
        return None
    statement = select(Resource.id).where(Resource.organization_id == actor.organization_id)
    if query.space_id is not None:
        statement = statement.where(Resource.id == directory.id_of(session, actor, Resource, query.space_id))
    if query.floor_id is not None:
        statement = statement.where(Resource.floor_id == directory.id_of(session, actor, Floor, query.floor_id))
    if query.area_id is not None:
        statement = statement.where(Resource.area_id == directory.id_of(session, actor, Area, query.area_id))
    return [resource_id or 0 for resource_id in session.exec(statement)]


def _expand(session: Session, rows: list[Reservation], lower: datetime, upper: datetime, now: datetime) -> Iterator[Booking]:
    ids = [row.id or 0 for row in rows]
    check_ins = reservations.check_ins_of(session, ids)
    exceptions = reservations.exceptions_of(session, ids)
    resources = reservations.resources_of(session, {row.resource_id for row in rows})
    building_rows = {
        row.id: row for row in session.exec(select(Building).where(col(Building.id).in_({r.building_id for r in rows})))
    }
    for reservation in rows:
        resource, building = resources[reservation.resource_id], building_rows[reservation.building_id]
        if reservation.recurrence is None:
            if reservation.end > lower:
                yield _derive(
                    reservation,
                    resource,
                    building,
                    None,
                    check_ins.get((reservation.id or 0, reservation.start)),
                    exceptions.get((reservation.id or 0, reservation.start)),
                    now,
                )
            continue
        length = reservation.end - reservation.start
        starts = list(islice(occurrences.series_of(reservation).starts_between(lower - length, upper), MAX_SERIES_READ + 1))
        if len(starts) > MAX_SERIES_READ:
            raise InvalidInput.of(
                "start",
                f"The date filters reach more than {MAX_SERIES_READ} occurrences of a recurring booking; narrow them.",
            )
        for start in starts:
            key = (reservation.id or 0, start)
            yield _derive(reservation, resource, building, start, check_ins.get(key), exceptions.get(key), now)


def _matches(booking: Booking, query: BookingQuery) -> bool:
    if query.booking_id is not None and booking.id != query.booking_id.upper():
        return False
    if query.type is not None and booking.type != query.type:
        return False
    if query.status is not None and booking.status != query.status:
        return False
    return all(_holds(booking, condition) for condition in query.conditions)


def _holds(booking: Booking, condition: TimeCondition) -> bool:
    check_in = booking.check_in
    moment = {
        "start": booking.start,
        "end": booking.end,
        "cancelled": booking.cancelled_at,
        "checkedIn": check_in.checked_in_at if check_in else None,
        "checkedOut": check_in.checked_out_at if check_in else None,
        "selfCertified": None,
    }[condition.field]
    return holds(moment, condition, booking.building)


def holds(moment: datetime | None, condition: TimeCondition, building: Building) -> bool:
    """Whether `moment` meets `condition`; a local condition reads it in the building's zone."""
    if moment is None:
        return False
    if condition.local:
        moment = moment.astimezone(buildings.local_zone(building)).replace(tzinfo=None)
    return bool(_COMPARISONS[condition.operation](moment, condition.value))


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "before": operator.le,
    "strictly_before": operator.lt,
    "after": operator.ge,
    "strictly_after": operator.gt,
}
"""Each date filter's comparison of a booking's time with its value: of instants here, of a
reservation's columns where the store filters (`_stored_conditions`)."""
