"""Listing bookings: the bookings a query matches, a page at a time, in its order; and every
booking of one building over an interval, for the dashboard's timeline.

Where the query filters by nothing but what a reservation stores (its times, holder, place and
type), single bookings are counted and ordered by the store, and only those up to the page are
read. A series' occurrences are not stored; each series in reach is expanded.
"""

import heapq
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from sandbox.core import buildings, directory, occurrences, reservations, space_types
from sandbox.core.access import Actor
from sandbox.core.bookings import Booking, derive
from sandbox.core.errors import InvalidInput
from sandbox.core.paging import Counted, counted_list
from sandbox.store.models import Area, Building, Floor, Reservation, Resource

DEFAULT_REACH = timedelta(days=366)
"""How far before and after now a collection without date filters reaches."""
MAX_SERIES_READ = 10 * occurrences.MAX_INDEXED
"""The most occurrences of one series a collection reads: ten times what a series may hold in
the 366 days it is indexed for, about ten years of the busiest series. A series without end has
occurrences as far as date filters reach, and they may reach thousands of years."""
_LOCAL_SLACK = timedelta(hours=15)
_BOUND_SLACK = timedelta(seconds=1)


@dataclass(frozen=True)
class TimeCondition:
    """`field` (start, end, cancelled, checked_in, checked_out, self_certified) compared with `value`:
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
                yield derive(
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
            yield derive(reservation, resource, building, start, check_ins.get(key), exceptions.get(key), now)


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
        "checked_in": check_in.checked_in_at if check_in else None,
        "checked_out": check_in.checked_out_at if check_in else None,
        "self_certified": None,
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
