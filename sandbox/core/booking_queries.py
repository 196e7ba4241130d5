"""Listing bookings: the bookings a query matches, a page at a time, in its order; and every
booking of one building over an interval, for the dashboard's timeline.

Where the query filters by what the store holds (a booking's times, holder, place, type and
status), the store counts and orders the bookings and only those up to the page are read: live
ones from the occurrence index, cancelled single bookings from their reservations, cancelled
occurrences from their exceptions, each through an index that holds only what it reads. Only
what the index does not hold is expanded from its rule (series cancelled whole, and series past
their indexed range), from starts kept in the process.

Its length is one query's: the three stored sources, their shared order and the series expanded
beside them must agree to the microsecond, and are read together.
"""

import heapq
import operator
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from threading import Lock
from typing import Any

from sqlalchemy import BigInteger, and_, bindparam, false, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from sandbox.core import buildings, directory, lifecycle, occurrences, reservations, space_types
from sandbox.core.access import Actor
from sandbox.core.bookings import Booking, derive
from sandbox.core.errors import InvalidInput
from sandbox.core.keys import OccurrenceKey
from sandbox.core.lifecycle import Status
from sandbox.core.paging import Counted, counted_list
from sandbox.core.recurrence import Series
from sandbox.store.models import (
    Area,
    Building,
    CheckIn,
    Floor,
    Occurrence,
    OccurrenceException,
    Reservation,
    ReservationStatus,
    Resource,
)

DEFAULT_REACH = timedelta(days=366)
"""How far before and after now a collection without date filters reaches."""
MAX_SERIES_READ = 10 * occurrences.MAX_INDEXED
"""The most occurrences of one series a collection reads: ten times what a series may hold in
the 366 days it is indexed for, about ten years of the busiest series. A series without end has
occurrences as far as date filters reach, and they may reach thousands of years."""
_LOCAL_SLACK = timedelta(hours=15)
_BOUND_SLACK = timedelta(seconds=1)
_INSTANT = timedelta(microseconds=1)
"""The store's times are whole microseconds: the next time after one is this later."""


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
    occurrence: tuple[OccurrenceKey, ...] | None = None
    """The booking one of these names (see `keys.Keys`); empty names none."""
    type: str | None = None
    statuses: frozenset[Status] | None = None
    """Bookings in one of these statuses; empty matches none."""
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

    Where the query filters by what the store holds (see `_filters_stored_facts`), the store
    counts and orders the bookings, and only those up to the page are read: the page costs what
    it shows, however many bookings its filters match. Series cancelled whole and series past
    their indexed range are expanded from their rules."""
    lower, upper = _reach(query.conditions, actor.now)
    scope = _scope(session, actor, query, lower, upper)
    if not _filters_stored_facts(query):
        reaching = select(Reservation).where(*scope.reservations)
        found = [
            booking
            for booking in _expand(session, list(session.exec(reaching)), lower, upper, actor.now)
            if _matches(booking, query)
        ]
        return counted_list(sorted(found, key=_order_key(query)), page, per_page)
    sources = _stored_sources(actor, query, scope, lower, upper, occurrences.Scope(actor.organization_id).longest(session))
    offset = (page - 1) * per_page
    # The page is among the first offset + per_page of each source, in the one order they share.
    reading = offset + per_page if per_page else 0
    total, read = _unindexed(session, query, scope.reservations, lower, upper, actor.now, reading)
    time_key = _time_key(query)
    for source, order, counted_apart in sources:
        if counted_apart:
            # Counted from an index alone, and read in its order up to the page.
            total += session.exec(select(func.count()).select_from(source.subquery())).one()
            rows = list(session.exec(source.order_by(*order).limit(reading))) if reading else []
        else:
            # Counted in the scan that orders it.
            counted = list(session.exec(source.add_columns(func.count().over()).order_by(*order).limit(max(reading, 1))))
            total += counted[0][3] if counted else 0
            rows = [(reservation_id, start, end) for reservation_id, start, end, _ in counted[:reading]]
        read.extend(
            ((*time_key(start, end), reservation_id, _microseconds(start)), _Place(reservation_id, start))
            for reservation_id, start, end in rows
        )
    if not per_page or offset >= total:
        return Counted([], total, page, per_page)
    shown = [found for _, found in sorted(read, key=_first)[offset : offset + per_page]]
    derived = _derived(session, [found for found in shown if isinstance(found, _Place)], actor.now)
    return Counted([found if isinstance(found, Booking) else derived[found] for found in shown], total, page, per_page)


@dataclass(frozen=True)
class _Place:
    """Where a booking read from the store is: its reservation and its start."""

    reservation_id: int
    start: datetime


def _first(entry: tuple[tuple[int, ...], "_Place | Booking"]) -> tuple[int, ...]:
    return entry[0]


@dataclass(frozen=True)
class _Scope:
    filters: list[Any]
    """The conditions on reservations of the query's organization, holder, place and type."""
    reservations: list[Any]
    """The same, of reservations that may hold a booking reaching [lower, upper)."""
    occurrences: list[Any]
    """The same on the occurrence index's own columns: its organization, place and type."""


def _scope(session: Session, actor: Actor, query: BookingQuery, lower: datetime, upper: datetime) -> _Scope:
    filters: list[Any] = [Reservation.organization_id == actor.organization_id]
    indexed: list[Any] = [Occurrence.organization_id == actor.organization_id]
    if query.holder_id is not None:
        filters.append(Reservation.organizer_id == query.holder_id)
    if query.building_id is not None:
        building_id = directory.id_of(session, actor, Building, query.building_id)
        filters.append(Reservation.building_id == building_id)
        indexed.append(Occurrence.building_id == building_id)
    resource_ids = _resource_filter(session, actor, query)
    if resource_ids is not None:
        filters.append(col(Reservation.resource_id).in_(resource_ids))
        indexed.append(col(Occurrence.resource_id).in_(resource_ids))
    if query.type is not None:
        typed = select(Resource.id).where(
            Resource.organization_id == actor.organization_id, space_types.of_booking_type(query.type)
        )
        filters.append(col(Reservation.resource_id).in_(typed))
        indexed.append(col(Occurrence.resource_id).in_(typed))
    return _Scope(filters, [*_reaching_conditions(actor.organization_id, lower, upper), *filters[1:]], indexed)


def _stored_sources(
    actor: Actor, query: BookingQuery, scope: _Scope, lower: datetime, upper: datetime, longest: timedelta
) -> list[tuple[Any, list[Any], bool]]:
    """The bookings the store holds that the query matches, each source as a statement of
    (reservation id, start, end), its order (`_order_key`'s) and whether it is counted apart:
    live bookings in the occurrence index, cancelled single bookings, and cancelled occurrences of
    live series within their indexed range. What the index does not hold is `_unindexed`.

    Live bookings are read from the index alone (its reservation is joined only for a holder):
    the index orders an organization's occurrences by start, so that a page by start is read
    without a sort, and a count without reading its rows."""
    in_series = col(Reservation.recurrence).is_not(None)
    occurrence = col(Occurrence.original_start), col(Occurrence.end)
    # An occurrence of a series is read when it ends at `lower` too (see `_expand`), where its
    # series reaches past `lower`.
    series = _SERIES
    touching = (
        select(series.id)
        .where(
            col(series.id) == Occurrence.reservation_id,
            col(series.recurrence).is_not(None),
            or_(col(series.series_end).is_(None), col(series.series_end) > lower),
        )
        .exists()
    )
    # No booking lasts longer than `longest` (the organization's longest): one reaching `lower`
    # starts no earlier than `longest` before it, and one that has not ended by now no earlier
    # than `longest` before now. The index is read from there, not from the organization's first.
    earliest = lower - longest
    if query.statuses is not None and query.statuses <= {Status.BOOKED, Status.CHECKED_IN}:
        earliest = max(earliest, actor.now - longest)
    # Only an occurrence that starts by `lower` may end before it (none ends before it starts):
    # those few are checked for their end. From `lower` on, the index is read as one range of
    # starts, with the query's own bounds on the start folded into it, so that counting the live
    # bookings costs the index's entries alone and not a test of each.
    reaching = select(Occurrence.reservation_id, occurrence[0], occurrence[1]).where(
        *scope.occurrences,
        occurrence[0] >= earliest,
        occurrence[0] <= lower,
        or_(occurrence[1] > lower, and_(occurrence[1] == lower, touching)),
        *_time_conditions(query, *occurrence),
    )
    from_, until = _start_range(query, max(lower + _INSTANT, earliest), upper)
    within = select(Occurrence.reservation_id, occurrence[0], occurrence[1]).where(
        *scope.occurrences,
        occurrence[0] >= from_,
        occurrence[0] < until,
        *_time_conditions(query, *occurrence, starts=False),
    )
    order = _store_order(query, *occurrence, col(Occurrence.reservation_id))
    sources: list[tuple[Any, list[Any], bool]] = [(_live(actor, query, scope, live), order, True) for live in (reaching, within)]
    if query.statuses is not None and Status.CANCELLED not in query.statuses:
        return sources
    # Read from their own index (`ix_reservation_cancelled_single`), counted from it alone. The
    # status is written into the statement, so that SQLite sees at once that the index holds it.
    single = col(Reservation.start), col(Reservation.end)
    cancelled_singles = select(Reservation.id, single[0], single[1]).where(
        *scope.filters,
        col(Reservation.status) == bindparam("cancelled", ReservationStatus.CANCELLED, literal_execute=True),
        col(Reservation.recurrence).is_(None),
        single[0] < upper,
        single[1] > lower,
        *_time_conditions(query, *single),
    )
    sources.append((cancelled_singles, _store_order(query, *single, col(Reservation.id)), True))
    exception = col(OccurrenceException.original_start)
    exception_end = _Microseconds(exception) + _Microseconds(col(Reservation.end)) - _Microseconds(col(Reservation.start))
    cancelled_occurrences = (
        select(OccurrenceException.reservation_id, exception, exception_end)
        .join(Reservation, col(Reservation.id) == OccurrenceException.reservation_id)
        .where(
            *scope.reservations,
            col(Reservation.status) == ReservationStatus.CONFIRMED,
            in_series,
            exception < col(Reservation.indexed_until),
            exception >= lower - longest,
            # Its end is worked out only for the few that start before `lower`.
            or_(exception >= lower, exception_end >= _microseconds(lower)),
            *_time_conditions(query, exception, exception_end, end_in_microseconds=True),
        )
    )
    sources.append(
        (cancelled_occurrences, _store_order(query, exception, exception_end, col(OccurrenceException.reservation_id)), True)
    )
    return sources


def _live(actor: Actor, query: BookingQuery, scope: _Scope, live: Any) -> Any:
    """Live bookings of the occurrence index (`live`) of the query's holder and statuses."""
    if query.holder_id is not None:
        live = live.join(Reservation, col(Reservation.id) == Occurrence.reservation_id).where(*scope.reservations)
    if query.statuses is not None:
        live = live.outerjoin(
            CheckIn,
            (col(CheckIn.reservation_id) == Occurrence.reservation_id)
            & (col(CheckIn.original_start) == Occurrence.original_start),
        ).where(or_(false(), *(_live_status(status, col(Occurrence.end), actor.now) for status in query.statuses)))
    return live


def _start_range(query: BookingQuery, from_: datetime, until: datetime) -> tuple[datetime, datetime]:
    """[from_, until) narrowed by the query's filters on the start, as one half-open range: the
    store's times are whole microseconds, so a start after a time is one from the next microsecond
    on, and a start at or before it one before the next."""
    for condition in query.conditions:
        if condition.field != "start":
            continue
        value = condition.value + (_INSTANT if condition.operation in ("strictly_after", "before") else timedelta(0))
        if condition.operation in ("after", "strictly_after"):
            from_ = max(from_, value)
        else:
            until = min(until, value)
    return from_, until


def _unindexed(
    session: Session, query: BookingQuery, scope: list[Any], lower: datetime, upper: datetime, now: datetime, reading: int
) -> tuple[int, list[tuple[tuple[int, ...], "_Place | Booking"]]]:
    """How many bookings the query matches that the occurrence index does not hold, and the
    first `reading` of each series in the list's order, each with its place in that order: of
    series cancelled whole, and of live series from the end of their indexed range on. Where the
    query filters by no status or type, a booking's times decide whether it matches, and it is
    derived only if it is shown (as a `_Place`)."""
    # Each read from an index of the organization's series alone, however many single bookings
    # it holds: live series past their indexed range, and series cancelled whole (each occurrence
    # of which is cancelled, or was released before).
    in_series = [*scope, col(Reservation.recurrence).is_not(None)]
    beyond = select(Reservation).where(
        *in_series,
        col(Reservation.status) == ReservationStatus.CONFIRMED,
        col(Reservation.indexed_until) < upper,
        or_(col(Reservation.series_end).is_(None), col(Reservation.series_end) > col(Reservation.indexed_until)),
    )
    rows = list(session.exec(beyond))
    if query.statuses is None or {Status.CANCELLED, Status.RELEASED} & query.statuses:
        rows += session.exec(select(Reservation).where(*in_series, col(Reservation.status) == ReservationStatus.CANCELLED))
    rows.sort(key=lambda row: row.id or 0)
    found: list[tuple[tuple[int, ...], _Place | Booking]] = []
    time_key = _time_key(query)
    if query.statuses is None and query.type is None:
        # A series' occurrences are as long as each other: the list's order is theirs by start,
        # forwards or backwards as its first key goes. Only the first `reading` of all are placed.
        backwards = bool(query.order) and query.order[0][1] == "desc"
        total, placed = 0, []
        for reservation in rows:
            length = reservation.end - reservation.start
            matching = [start for start in _unindexed_starts(reservation, lower, upper) if _times_hold(start, length, query)]
            total += len(matching)
            placed.append(_placed(reservation, matching[::-1] if backwards else matching, time_key))
        return total, list(islice(heapq.merge(*placed, key=_first), reading))
    reached = [(reservation, _unindexed_starts(reservation, lower, upper)) for reservation in rows]
    every = [start for _, starts in reached for start in starts]
    if not every:
        return 0, found
    # Only what is recorded of the occurrences in reach is read, not a series' whole history.
    context = _Context.of(session, rows, between=(min(every), max(every)))
    # The scope has settled the type, the query's times and status decide; only what is shown is
    # derived whole (as a `_Place`).
    for reservation, starts in reached:
        length = reservation.end - reservation.start
        for start in starts:
            if not _times_hold(start, length, query):
                continue
            key = (reservation.id or 0, start)
            *_, status = lifecycle.occurrence_status(
                reservation, start, context.check_ins.get(key), context.exceptions.get(key), now
            )
            if query.statuses is None or status in query.statuses:
                found.append(((*time_key(start, start + length), key[0], _microseconds(start)), _Place(key[0], start)))
    return len(found), found


def _times_hold(start: datetime, length: timedelta, query: BookingQuery) -> bool:
    """Whether an occurrence from `start`, `length` long, meets the query's start and end filters."""
    return all(_COMPARISONS[c.operation](start if c.field == "start" else start + length, c.value) for c in query.conditions)


def _placed(
    reservation: Reservation, starts: list[datetime], time_key: Callable[[datetime, datetime | int], tuple[int, ...]]
) -> Iterator[tuple[tuple[int, ...], "_Place | Booking"]]:
    """The occurrences of the series starting at `starts`, each with its place in the list's order."""
    length = reservation.end - reservation.start
    for start in starts:
        yield (*time_key(start, start + length), reservation.id or 0, _microseconds(start)), _Place(reservation.id or 0, start)


def _unindexed_starts(reservation: Reservation, lower: datetime, upper: datetime) -> list[datetime]:
    """The starts in reach the occurrence index does not hold: every one of a series cancelled
    whole, those from the end of its indexed range on of a live series."""
    if reservation.status == ReservationStatus.CANCELLED:
        return _starts_in_reach(reservation, lower, upper)
    beyond = _starts_in_reach(reservation, max(lower, reservation.indexed_until + (reservation.end - reservation.start)), upper)
    # The indexed range holds far fewer than this: where the stretch past it is this long, the
    # whole reach is walked to refuse more than MAX_SERIES_READ (as if every start were read).
    if len(beyond) > MAX_SERIES_READ // 2:
        _starts_in_reach(reservation, lower, upper)
    return beyond


def _live_status(status: Status, end: Any, now: datetime) -> Any:
    """The condition on an indexed occurrence (its end, its check-in joined) under which
    `lifecycle.status_of` gives it `status`: one the index holds is cancelled neither whole nor on
    its own."""
    # A check-in or check-out counts from the moment it is dated (`lifecycle.as_of`), until it
    # is withdrawn.
    standing = or_(col(CheckIn.withdrawn_at).is_(None), col(CheckIn.withdrawn_at) > now)
    checked_in = and_(col(CheckIn.id).is_not(None), col(CheckIn.checked_in_at) <= now, standing)
    checked_out = and_(col(CheckIn.checked_out_at).is_not(None), col(CheckIn.checked_out_at) <= now, standing)
    in_by_release = occurrences.held_release(col(Occurrence.release_at))
    released = and_(col(Occurrence.release_at).is_not(None), col(Occurrence.release_at) <= now, ~in_by_release)
    conditions = {
        Status.RELEASED: released,
        Status.CHECKED_OUT: and_(~released, checked_out),
        Status.COMPLETED: and_(~released, ~checked_out, end <= now),
        Status.CHECKED_IN: and_(~released, checked_in, ~checked_out, end > now),
        Status.BOOKED: and_(~released, ~checked_in, end > now),
    }
    return conditions.get(status, false())


def _time_conditions(
    query: BookingQuery, start: Any, end: Any, *, end_in_microseconds: bool = False, starts: bool = True
) -> list[Any]:
    """The query's start and end filters (see `_filters_stored_facts`) on these columns; its end
    filters alone without `starts` (its start filters are then the caller's, `_start_range`)."""
    conditions = []
    for condition in query.conditions:
        if condition.field == "start":
            if not starts:
                continue
            conditions.append(_COMPARISONS[condition.operation](start, condition.value))
        else:
            value = _microseconds(condition.value) if end_in_microseconds else condition.value
            conditions.append(_COMPARISONS[condition.operation](end, value))
    return conditions


def _store_order(query: BookingQuery, start: Any, end: Any, reservation_id: Any) -> list[Any]:
    """`_order_key` as the store orders a source's bookings."""
    columns = {"start": start, "end": end}
    by_times = [
        columns[_ORDERED_BY[name]].desc() if direction == "desc" else columns[_ORDERED_BY[name]].asc()
        for name, direction in query.order or (("startDate", "asc"),)
    ]
    return [*by_times, reservation_id.asc(), start.asc()]


def _derived(session: Session, places: list[_Place], now: datetime) -> dict[_Place, Booking]:
    """The bookings at these places, with their status at `now`."""
    rows = {row.id or 0: row for row in session.exec(_RESERVATIONS, params={"ids": list({p.reservation_id for p in places})})}
    context = _Context.of(session, list(rows.values()), {place.start for place in places})
    return {
        place: context.derive(row, place.start if row.recurrence is not None else None, now)
        for place in places
        for row in (rows[place.reservation_id],)
    }


_ORDERED_BY = {"startDate": "start", "endDate": "end"}
_SERIES = aliased(Reservation, name="series")
"""The reservation of an occurrence, as a series: one alias for every statement, so that each
statement built with it is compiled once (a new alias each time would be a new statement)."""
"""The booking times each `order[...]` parameter orders by."""
_MICROSECOND = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _order_key(query: BookingQuery) -> Callable[[Booking], tuple[int, ...]]:
    """The order of a query's bookings: by its `order` (start ascending by default), then by
    reservation and start, so that equal times come in one order whichever way they are read."""
    time_key = _time_key(query)

    def key(booking: Booking) -> tuple[int, ...]:
        return (*time_key(booking.start, booking.end), booking.reservation.id or 0, _microseconds(booking.start))

    return key


def _time_key(query: BookingQuery) -> Callable[[datetime, datetime | int], tuple[int, ...]]:
    """A booking's times as `_order_key` orders them; its end may be given in microseconds."""
    order = query.order or (("startDate", "asc"),)

    def key(start: datetime, end: datetime | int) -> tuple[int, ...]:
        times = {"start": _microseconds(start), "end": end if isinstance(end, int) else _microseconds(end)}
        return tuple(times[_ORDERED_BY[name]] * (-1 if direction == "desc" else 1) for name, direction in order)

    return key


def _microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // _MICROSECOND


class _Microseconds(FunctionElement[int]):
    """An instant's column as microseconds since the epoch, for arithmetic both stores do alike."""

    type = BigInteger()
    inherit_cache = True
    name = "microseconds"


@compiles(_Microseconds, "sqlite")
def _microseconds_in_sqlite(element: _Microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format for SQLite).
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return f"(CAST(strftime('%s', {moment}) AS INTEGER) * 1000000 + CAST(substr({moment}, 21, 6) AS INTEGER))"


@compiles(_Microseconds, "postgresql")
def _microseconds_in_postgresql(element: _Microseconds, compiler: SQLCompiler, **kw: Any) -> str:
    moment = compiler.process(next(iter(element.clauses)), **kw)
    return f"CAST(EXTRACT(EPOCH FROM {moment}) * 1000000 AS BIGINT)"


def _filters_stored_facts(query: BookingQuery) -> bool:
    """Whether the query filters by what the store holds: a booking's holder, place, type and
    status (from its reservation, its exception, its check-in and its indexed release), and its
    start and end as instants; not by its id, which is derived, nor by a time read in each
    building's zone or any other."""
    return query.occurrence is None and all(
        condition.field in ("start", "end") and not condition.local for condition in query.conditions
    )


def bookings_in_building(session: Session, building: Building, lower: datetime, upper: datetime, now: datetime) -> list[Booking]:
    """Every booking in the building (of its spaces, desks and onsite passes) overlapping
    [lower, upper), with its status at `now`: live, past, cancelled and released alike, by start."""
    reaching = select(Reservation).where(*_reaching_conditions(building.organization_id, lower, upper))
    rows = list(session.exec(reaching.where(Reservation.building_id == building.id)))
    # An occurrence of a series may end exactly at `lower`: it touches the interval without overlapping it.
    found = [booking for booking in _expand(session, rows, lower, upper, now) if booking.end > lower]
    return sorted(found, key=lambda booking: (booking.start, booking.reservation.id or 0))


def _reaching_conditions(organization_id: int, lower: datetime, upper: datetime) -> list[Any]:
    """The organization's reservations that may have an occurrence overlapping [lower, upper)."""
    return [
        Reservation.organization_id == organization_id,
        col(Reservation.start) < upper,
        or_(col(Reservation.series_end).is_(None), col(Reservation.series_end) > lower),
    ]


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


@dataclass(frozen=True)
class _Context:
    """What deriving the bookings of some reservations reads besides them, read once for all."""

    check_ins: dict[tuple[int, datetime], CheckIn]
    exceptions: dict[tuple[int, datetime], OccurrenceException]
    resources: dict[int, Resource]
    buildings: dict[int, Building]

    @classmethod
    def of(
        cls,
        session: Session,
        rows: list[Reservation],
        starts: set[datetime] | None = None,
        between: tuple[datetime, datetime] | None = None,
    ) -> "_Context":
        """With `starts`, for the occurrences starting then only (a page's); with `between`, for
        those starting from its first to its last instant: a series' other check-ins and
        exceptions are not read."""
        ids = [row.id or 0 for row in rows]
        building_ids = {row.building_id for row in rows}
        if starts is None and between is None:
            check_ins, exceptions = reservations.check_ins_of(session, ids), reservations.exceptions_of(session, ids)
        else:
            parameters: dict[str, Any] = {"ids": ids}
            if starts is not None:
                parameters["starts"] = list(starts)
            else:
                assert between is not None
                parameters |= {"first": between[0], "last": between[1]}
            at_starts = starts is not None
            check_ins = {
                (row.reservation_id, row.original_start): row for row in session.exec(_CHECK_INS[at_starts], params=parameters)
            }
            exceptions = {
                (row.reservation_id, row.original_start): row for row in session.exec(_EXCEPTIONS[at_starts], params=parameters)
            }
        return cls(
            check_ins,
            exceptions,
            reservations.resources_of(session, {row.resource_id for row in rows}),
            directory.rows_by_id(session, Building, building_ids),
        )

    def derive(self, reservation: Reservation, original_start: datetime | None, now: datetime) -> Booking:
        key = (reservation.id or 0, original_start or reservation.start)
        resource, building = self.resources[reservation.resource_id], self.buildings[reservation.building_id]
        return derive(reservation, resource, building, original_start, self.check_ins.get(key), self.exceptions.get(key), now)


def _at_starts(column: Any) -> dict[bool, list[Any]]:
    """The conditions on an occurrence's start that read a page's (True: at `starts`) or an
    interval's (False: from `first` to `last`)."""
    return {
        True: [col(column).in_(bindparam("starts", expanding=True))],
        False: [col(column) >= bindparam("first"), col(column) <= bindparam("last")],
    }


# Built once: a statement built again for every page costs more than the page's queries.
_RESERVATIONS = select(Reservation).where(col(Reservation.id).in_(bindparam("ids", expanding=True)))
_CHECK_INS = {
    at_starts: select(CheckIn).where(col(CheckIn.reservation_id).in_(bindparam("ids", expanding=True)), *conditions)
    for at_starts, conditions in _at_starts(CheckIn.original_start).items()
}
_EXCEPTIONS = {
    at_starts: select(OccurrenceException).where(
        col(OccurrenceException.reservation_id).in_(bindparam("ids", expanding=True)), *conditions
    )
    for at_starts, conditions in _at_starts(OccurrenceException.original_start).items()
}


def _expand(session: Session, rows: list[Reservation], lower: datetime, upper: datetime, now: datetime) -> Iterator[Booking]:
    context = _Context.of(session, rows)
    for reservation in rows:
        if reservation.recurrence is None:
            if reservation.end > lower:
                yield context.derive(reservation, None, now)
            continue
        for start in _starts_in_reach(reservation, lower, upper):
            yield context.derive(reservation, start, now)


def _starts_in_reach(reservation: Reservation, lower: datetime, upper: datetime) -> list[datetime]:
    """The starts of the series' occurrences overlapping [lower, upper), or touching `lower`;
    refused past MAX_SERIES_READ."""
    length = reservation.end - reservation.start
    kept = _kept_starts(reservation, lower - length, upper)
    if kept is not None:
        return kept
    starts = list(islice(occurrences.series_of(reservation).starts_between(lower - length, upper), MAX_SERIES_READ + 1))
    if len(starts) > MAX_SERIES_READ:
        raise InvalidInput.of(
            "start",
            f"The date filters reach more than {MAX_SERIES_READ} occurrences of a recurring booking; narrow them.",
        )
    return starts


_LISTED_MOST = 2 * occurrences.MAX_INDEXED
"""The most starts of a series kept (`_kept_starts`)."""
_KEPT_MARGIN = timedelta(days=31)
"""How far past the interval asked for the starts of a series without end are walked and kept,
so that the next listings, whose default reach moves with the clock, find them kept."""
_KEPT_SERIES = 4096


@dataclass(frozen=True)
class _Kept:
    """Starts of a series, in order: all of them, or (`lower` and `upper` set) those in that interval."""

    series: Series
    starts: tuple[datetime, ...]
    lower: datetime | None = None
    upper: datetime | None = None

    def covers(self, lower: datetime, upper: datetime) -> bool:
        return (self.lower is None or self.lower <= lower) and (self.upper is None or upper <= self.upper)


_kept: OrderedDict[tuple[Any, ...], _Kept] = OrderedDict()
_kept_lock = Lock()


def _kept_starts(reservation: Reservation, lower: datetime, upper: datetime) -> list[datetime] | None:
    """The series' starts in [lower, upper), from those kept by the series' times and rule (the
    last _KEPT_SERIES read), so that listings do not parse and walk the same rules each time:
    every start of a series with at most _LISTED_MOST of them, else those of an interval around
    the one asked for (_KEPT_MARGIN wider each way) where it holds at most that many; None where
    it holds more, for the caller to walk."""
    key = (reservation.start, reservation.end, reservation.time_zone, tuple(reservation.recurrence or ()))
    with _kept_lock:
        kept = _kept.get(key)
        if kept is not None:
            _kept.move_to_end(key)
    if kept is None or not kept.covers(lower, upper):
        series = occurrences.series_of(reservation) if kept is None else kept.series
        kept = _walked(series, lower, upper)
        if kept is None:
            return None
        with _kept_lock:
            _kept[key] = kept
            _kept.move_to_end(key)
            if len(_kept) > _KEPT_SERIES:
                _kept.popitem(last=False)
    return list(kept.starts[bisect_left(kept.starts, lower) : bisect_left(kept.starts, upper)])


def _walked(series: Series, lower: datetime, upper: datetime) -> _Kept | None:
    """Every start of the series, if it ends within _LISTED_MOST of them; else those of [lower,
    upper) widened by _KEPT_MARGIN, if they are no more; else None."""
    if series.last_end() is not None:
        starts = tuple(islice(series.starts(), _LISTED_MOST + 1))
        if len(starts) <= _LISTED_MOST:
            return _Kept(series, starts)
    with suppress(OverflowError):  # Within a month of the calendar's ends: the interval itself.
        lower, upper = lower - _KEPT_MARGIN, upper + _KEPT_MARGIN
    starts = tuple(islice(series.starts_between(lower, upper), _LISTED_MOST + 1))
    return _Kept(series, starts, lower, upper) if len(starts) <= _LISTED_MOST else None


def _matches(booking: Booking, query: BookingQuery) -> bool:
    if query.occurrence is not None and booking.key not in query.occurrence:
        return False
    if query.type is not None and booking.type != query.type:
        return False
    if query.statuses is not None and booking.status not in query.statuses:
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
"""Each date filter's comparison of a booking's time with its value: of instants here, of the
store's columns where it filters (`_time_conditions`)."""
