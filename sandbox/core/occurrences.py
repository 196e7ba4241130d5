"""Occurrences of reservations: the index that conflict checks and listings query.

Each live reservation keeps one `Occurrence` row per occurrence that starts before its
`indexed_until` (at least HORIZON past the later of its creation and its start). Overlap is
an indexed range query on (resource, start), bounded below by the longest occurrence ever
booked on the resource. Series that run past their indexed range are expanded on the fly
from their rules, so every reader sees every occurrence; only the conflict check of a new or
changed series is limited to that series' indexed range.

Its length is the index's: writing it, querying it and checking it (`index_faults`) belong
together.
"""

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from sqlalchemy import BindParameter, Integer, and_, bindparam, delete, func, insert, literal, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session, col, select

from sandbox.core import recurrence
from sandbox.core.errors import InvalidInput
from sandbox.core.recurrence import Series
from sandbox.core.times import zone
from sandbox.store.models import (
    CheckIn,
    Invitee,
    Occurrence,
    OccurrenceException,
    Reservation,
    ReservationStatus,
    Resource,
)
from sandbox.store.types import UTCDateTime

HORIZON = timedelta(days=366)
MAX_INDEXED = 1000


@dataclass(frozen=True)
class Interval:
    original_start: datetime
    start: datetime
    end: datetime


def release_time(reservation: Reservation, start: datetime) -> datetime | None:
    """When the occurrence of `reservation` starting at `start` is released unless confirmed
    by then. Release happens at that moment to what is booked then: an occurrence booked after
    its release time (in the past) is never released."""
    if reservation.release_after_s is None:
        return None
    release = start + timedelta(seconds=reservation.release_after_s)
    return release if reservation.created_at < release else None


@dataclass(frozen=True)
class Slot:
    """One occurrence of a reservation."""

    reservation: Reservation
    original_start: datetime
    start: datetime
    end: datetime

    @property
    def in_series(self) -> bool:
        return self.reservation.recurrence is not None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and self.end > start


def series_of(reservation: Reservation) -> Series:
    return recurrence.build(reservation.start, reservation.end, zone(reservation.time_zone, "time_zone"), reservation.recurrence)


def plan(series: Series, cancelled: set[datetime], upper: datetime) -> list[Interval]:
    """The live occurrences of `series` starting before `upper`, checked to be indexable."""
    intervals: list[Interval] = []
    for start in series.starts_between(series.start, upper):
        if start in cancelled:
            continue
        if len(intervals) == MAX_INDEXED:
            raise InvalidInput.of(
                "recurrence",
                f"the series has more than {MAX_INDEXED} occurrences within "
                f"{HORIZON.days} days; shorten it or add COUNT or UNTIL",
            )
        previous = intervals[-1] if intervals else None
        if previous is not None and start < previous.end:
            raise InvalidInput.of("recurrence", "occurrences of the series overlap each other")
        intervals.append(Interval(start, start, start + series.duration))
    return intervals


def index_until(start: datetime, now: datetime) -> datetime:
    """How far a series starting at `start`, written at `now`, is indexed and conflict-checked."""
    return max(now, start) + HORIZON


def write_index(session: Session, reservation: Reservation, intervals: list[Interval], *, replace: bool) -> None:
    """Index `intervals` as the occurrences of `reservation`; with `replace`, instead of those
    indexed before (a new reservation has none)."""
    assert reservation.id is not None
    if replace:
        remove_from_index(session, reservation.id)
    if not intervals:
        return
    session.execute(
        _INSERT,
        [
            {
                "reservation_id": reservation.id,
                "organization_id": reservation.organization_id,
                "resource_id": reservation.resource_id,
                "building_id": reservation.building_id,
                "start": interval.start,
                "end": interval.end,
                "original_start": interval.original_start,
                "release_at": release_time(reservation, interval.start),
            }
            for interval in intervals
        ],
    )


def remove_from_index(session: Session, reservation_id: int, original_start: datetime | None = None) -> None:
    if original_start is None:
        session.exec(_REMOVE_ALL, params={"reservation_id": reservation_id})
    else:
        session.exec(_REMOVE_ONE, params={"reservation_id": reservation_id, "original_start": original_start})


_INSERT = insert(Occurrence)
_REMOVE_ALL = delete(Occurrence).where(col(Occurrence.reservation_id) == bindparam("reservation_id"))
_REMOVE_ONE = _REMOVE_ALL.where(col(Occurrence.original_start) == bindparam("original_start"))


@dataclass(frozen=True)
class Scope:
    """Which reservations a query is about."""

    organization_id: int
    resource_ids: list[int] | None = None
    building_id: int | None = None
    kind: str | None = None
    user_ids: list[int] | None = None
    """Reservations any of these users organizes, created or is invited to."""
    holder_ids: list[int] | None = None
    """Reservations these users hold (organize): a seat reservation's reservee."""
    exclude_reservation_id: int | None = None
    reservation_types: list[str] | None = None
    """Seat reservations of these types (hoteled, hot, ...)."""
    reservation_id: int | None = None
    """The occurrences of this one reservation only."""

    def shape(self) -> "Shape":
        return Shape(*(getattr(self, name) is not None for name in _NARROWING))

    def parameters(self) -> dict[str, Any]:
        """The values of the statements' parameters (see `Shape`)."""
        return {"organization_id": self.organization_id} | {
            name: getattr(self, name) for name in _NARROWING if getattr(self, name) is not None
        }

    def longest(self, session: Session) -> timedelta:
        return timedelta(seconds=session.exec(_longest(self.shape()), params=self.parameters()).one() or 0)


_NARROWING = (
    "resource_ids",
    "building_id",
    "kind",
    "user_ids",
    "holder_ids",
    "exclude_reservation_id",
    "reservation_types",
    "reservation_id",
)
"""The fields of a Scope that narrow it, when given."""


@dataclass(frozen=True)
class Shape:
    """Which of a Scope's narrowing fields are given. The statements below are built once for
    each shape, with parameters named after the fields, and executed with a scope's values: a
    statement built again for every query costs more than the query."""

    resource_ids: bool
    building_id: bool
    kind: bool
    user_ids: bool
    holder_ids: bool
    exclude_reservation_id: bool
    reservation_types: bool
    reservation_id: bool

    def on_occurrence(self) -> list[Any]:
        conditions: list[Any] = []
        if self.resource_ids:
            conditions.append(col(Occurrence.resource_id).in_(bindparam("resource_ids", expanding=True)))
        if self.reservation_id:
            conditions.append(col(Occurrence.reservation_id) == bindparam("reservation_id"))
        if self.building_id:
            conditions.append(col(Occurrence.building_id) == bindparam("building_id"))
        return conditions

    def on_reservation(self, *, kind_indexed: bool = True) -> list[Any]:
        """`kind_indexed`: False compares the kind as an expression (`kind || ''`), which keeps an
        index on it from being chosen."""
        conditions: list[Any] = [col(Reservation.organization_id) == bindparam("organization_id")]
        if self.resource_ids:
            conditions.append(col(Reservation.resource_id).in_(bindparam("resource_ids", expanding=True)))
        if self.building_id:
            conditions.append(col(Reservation.building_id) == bindparam("building_id"))
        if self.kind:
            kind = col(Reservation.kind) if kind_indexed else col(Reservation.kind).concat(literal(""))
            conditions.append(kind == bindparam("kind"))
        if self.user_ids:
            users: BindParameter[list[int]] = bindparam("user_ids", expanding=True)
            conditions.append(
                or_(
                    col(Reservation.organizer_id).in_(users),
                    col(Reservation.creator_id).in_(users),
                    col(Reservation.id).in_(select(Invitee.reservation_id).where(col(Invitee.user_id).in_(users))),
                )
            )
        if self.holder_ids:
            conditions.append(col(Reservation.organizer_id).in_(bindparam("holder_ids", expanding=True)))
        if self.exclude_reservation_id:
            conditions.append(col(Reservation.id) != bindparam("exclude_reservation_id"))
        if self.reservation_types:
            conditions.append(col(Reservation.reservation_type).in_(bindparam("reservation_types", expanding=True)))
        if self.reservation_id:
            conditions.append(col(Reservation.id) == bindparam("reservation_id"))
        return conditions


@cache
def _longest(shape: Shape) -> Any:
    """The longest booking ever made on a resource in scope, in seconds."""
    statement = select(func.max(Resource.longest_booking_s)).where(col(Resource.organization_id) == bindparam("organization_id"))
    if shape.resource_ids:
        statement = statement.where(col(Resource.id).in_(bindparam("resource_ids", expanding=True)))
    if shape.building_id:
        statement = statement.where(col(Resource.building_id) == bindparam("building_id"))
    return statement


@cache
def _indexed(shape: Shape, live_at: bool, limited: bool, latest_first: bool) -> Any:
    """Indexed occurrences overlapping [lower, upper), with their reservations, by start (the
    latest first when `latest_first`); `live_at`: leaving out those released by `now`, not
    confirmed by then; `limited`: the first `limit`. The index is read from `lower` less the
    scope's longest occurrence (`_longest`), the earliest an overlapping one can start."""
    order = (col(Occurrence.start), col(Occurrence.reservation_id))
    earliest = _Before(bindparam("lower", type_=UTCDateTime), func.coalesce(_longest(shape).scalar_subquery(), 0))
    statement = (
        select(Occurrence, Reservation)
        .join(Reservation, col(Reservation.id) == Occurrence.reservation_id)
        .where(
            col(Occurrence.start) < bindparam("upper"),
            col(Occurrence.end) > bindparam("lower"),
            col(Occurrence.start) > earliest,
            *shape.on_occurrence(),
            *shape.on_reservation(),
        )
        .order_by(*(column.desc() for column in order) if latest_first else order)
    )
    if live_at:
        statement = statement.outerjoin(
            CheckIn,
            (col(CheckIn.reservation_id) == Occurrence.reservation_id)
            & (col(CheckIn.original_start) == Occurrence.original_start),
        ).where(
            or_(
                col(Occurrence.release_at).is_(None),
                col(Occurrence.release_at) > bindparam("now"),
                held_release(col(Occurrence.release_at)),
            )
        )
    if limited:
        statement = statement.limit(bindparam("limit", type_=Integer))
    return statement


class _Before(FunctionElement[datetime]):
    """An instant some seconds before another: (instant, seconds). Only ever the lower bound of a
    range read from an index, where an earlier one reads a few more entries and a later one would
    miss some: never later than the exact instant, and on SQLite a second earlier."""

    type = UTCDateTime()
    inherit_cache = True
    name = "before"


@compiles(_Before, "sqlite")
def _before_in_sqlite(element: _Before, compiler: SQLCompiler, **kw: Any) -> str:
    # Instants are stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format for SQLite).
    # SQLite works to the millisecond, rounding up as often as down, and writes
    # 'YYYY-MM-DD HH:MM:SS.fff': a second more is taken off, so the bound is never late.
    instant, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"strftime('%Y-%m-%d %H:%M:%f', {instant}, '-' || (({seconds}) + 1) || ' seconds')"


@compiles(_Before, "postgresql")
def _before_in_postgresql(element: _Before, compiler: SQLCompiler, **kw: Any) -> str:
    instant, seconds = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({instant} - make_interval(secs => {seconds}))"


def held_release(release: Any) -> Any:
    """The condition, on a check-in joined to its occurrence, of `lifecycle.held_release`: it was
    standing at `release`, or was then and has been withdrawn and made again since."""
    standing = and_(
        col(CheckIn.checked_in_at) <= release,
        or_(col(CheckIn.withdrawn_at).is_(None), col(CheckIn.withdrawn_at) > release),
    )
    return and_(col(CheckIn.id).is_not(None), or_(col(CheckIn.release_kept), standing))


@cache
def _series_beyond_index(shape: Shape) -> Any:
    """Confirmed series in scope, indexed only up to before `upper`, live within [lower, upper).

    Its kind is compared as an expression, which no index serves: SQLite, without statistics,
    breaks a tie between two indexes by the order the store created them in (SQLAlchemy fixes
    none), and in some orders it read the series of a person's bookings of a kind through the
    organization's every booking of that kind (`ix_reservation_organization_kind_start`) rather
    than the series' own index. A series is rare; a single booking is not."""
    return select(Reservation).where(
        col(Reservation.status) == ReservationStatus.CONFIRMED,
        col(Reservation.recurrence).is_not(None),
        col(Reservation.indexed_until) < bindparam("upper"),
        col(Reservation.start) < bindparam("upper"),
        or_(col(Reservation.series_end).is_(None), col(Reservation.series_end) > bindparam("lower")),
        *shape.on_reservation(kind_indexed=False),
    )


_CANCELLED = select(OccurrenceException.reservation_id, OccurrenceException.original_start).where(
    col(OccurrenceException.reservation_id).in_(bindparam("ids", expanding=True))
)
_CONFIRMED = select(CheckIn.reservation_id, CheckIn.original_start).where(
    col(CheckIn.reservation_id).in_(bindparam("ids", expanding=True))
)


def slots(
    session: Session,
    scope: Scope,
    lower: datetime,
    upper: datetime,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    latest_first: bool = False,
) -> Iterator[Slot]:
    """Live occurrences overlapping [lower, upper), ordered by start, or the latest first when
    `latest_first`; `limit` bounds the indexed ones read. The index is read from the scope's
    longest occurrence (`Scope.longest`) before `lower`, worked out in the same statement.

    Given `now`, occurrences released by then (nobody confirmed them in time) are left out.
    """
    if lower >= upper:
        return iter(())
    shape = scope.shape()
    parameters = scope.parameters() | {"lower": lower, "upper": upper}
    indexed = session.exec(
        _indexed(shape, now is not None, limit is not None, latest_first),
        params=parameters | {"now": now, "limit": limit},
    )
    from_index = (Slot(reservation, row.original_start, row.start, row.end) for row, reservation in indexed)
    beyond = _beyond_index(session, shape, parameters, lower, upper, now)
    if latest_first:
        # A series' rule yields its occurrences earliest first: those in the window are read, then reversed.
        beyond = [iter(list(expanded)[::-1]) for expanded in beyond]
    return heapq.merge(from_index, *beyond, key=_order, reverse=latest_first)


def _order(slot: Slot) -> tuple[datetime, int]:
    return slot.start, slot.reservation.id or 0


def _beyond_index(
    session: Session, shape: Shape, parameters: dict[str, Any], lower: datetime, upper: datetime, now: datetime | None
) -> list[Iterator[Slot]]:
    series_rows = session.exec(_series_beyond_index(shape), params=parameters).all()
    if not series_rows:
        return []
    ids = [reservation.id for reservation in series_rows]
    cancelled: dict[int, set[datetime]] = {}
    for reservation_id, original_start in session.exec(_CANCELLED, params={"ids": ids}):
        cancelled.setdefault(reservation_id, set()).add(original_start)
    confirmed: set[tuple[int, datetime]] = set()
    if now is not None:
        confirmed = set(session.exec(_CONFIRMED, params={"ids": ids}).all())
    return [
        _expand(reservation, cancelled.get(reservation.id or 0, set()), lower, upper, confirmed, now)
        for reservation in series_rows
    ]


def _expand(
    reservation: Reservation,
    cancelled: set[datetime],
    lower: datetime,
    upper: datetime,
    confirmed: set[tuple[int, datetime]],
    now: datetime | None,
) -> Iterator[Slot]:
    series = series_of(reservation)
    first = max(reservation.indexed_until, lower - series.duration + timedelta(microseconds=1))
    for start in series.starts_between(first, upper):
        if start in cancelled:
            continue
        release = release_time(reservation, start)
        if now is not None and release is not None and release <= now and (reservation.id, start) not in confirmed:
            continue
        yield Slot(reservation, start, start, start + series.duration)


def first_collision(
    session: Session, scope: Scope, intervals: list[Interval], now: datetime | None = None
) -> tuple[Interval, Slot] | None:
    """The first of `intervals` that overlaps a live occurrence in `scope`, with that occurrence."""
    if not intervals:
        return None
    lower = min(interval.start for interval in intervals)
    upper = max(interval.end for interval in intervals)
    return find_overlap(intervals, slots(session, scope, lower, upper, now=now))


def find_overlap(intervals: Iterable[Interval], existing: Iterable[Slot]) -> tuple[Interval, Slot] | None:
    """The earliest interval that overlaps an existing slot, with the earliest such slot.

    A sweep: each interval looks back through the slots that start before it ends, as far as
    the running maximum of their ends reaches into it.
    """
    booked = sorted(existing, key=_order)
    starts = [slot.start for slot in booked]
    latest_end = list(accumulate((slot.end for slot in booked), max))
    for interval in sorted(intervals, key=lambda item: item.start):
        position = bisect_left(starts, interval.end) - 1
        earliest: Slot | None = None
        while position >= 0 and latest_end[position] > interval.start:
            if booked[position].overlaps(interval.start, interval.end):
                earliest = booked[position]
            position -= 1
        if earliest is not None:
            return interval, earliest
    return None


@dataclass(frozen=True)
class IndexFault:
    """Where the occurrence index and the reservations it indexes disagree, for one occurrence."""

    reservation_id: int
    original_start: datetime
    problem: str
    """`stray`: a row for an occurrence that holds no time (its reservation or the occurrence
    itself is cancelled, or the reservation, as now scheduled, has no such occurrence); `missing`:
    a live occurrence within the indexed range that has no row, so conflict checks miss it."""


STRAY, MISSING = "stray", "missing"


def index_faults(session: Session, organization_id: int | None = None) -> list[IndexFault]:
    """The index's invariant, checked for every reservation (of one organization, if given): a
    cancelled reservation has no rows, and a live one exactly the rows `plan` gives its schedule,
    its cancelled occurrences left out. Returns what breaks it, earliest first; none when it holds.

    Expands every live series up to its indexed range: a check for tests and diagnostics, too slow
    for a request."""
    owned = select(Reservation.id)
    if organization_id is not None:
        owned = owned.where(Reservation.organization_id == organization_id)
    reservations = {row.id or 0: row for row in session.exec(select(Reservation).where(col(Reservation.id).in_(owned)))}
    indexed: dict[int, dict[datetime, Occurrence]] = {}
    for row in session.exec(select(Occurrence).where(col(Occurrence.reservation_id).in_(owned))):
        indexed.setdefault(row.reservation_id, {})[row.original_start] = row
    cancelled: dict[int, set[datetime]] = {}
    for reservation_id, original_start in session.exec(
        select(OccurrenceException.reservation_id, OccurrenceException.original_start).where(
            col(OccurrenceException.reservation_id).in_(owned)
        )
    ):
        cancelled.setdefault(reservation_id, set()).add(original_start)
    faults = []
    for reservation_id, reservation in reservations.items():
        rows = indexed.get(reservation_id, {})
        expected: dict[datetime, Interval] = {}
        if reservation.status != ReservationStatus.CANCELLED:
            planned = plan(series_of(reservation), cancelled.get(reservation_id, set()), reservation.indexed_until)
            expected = {interval.original_start: interval for interval in planned}
        for original_start, row in rows.items():
            interval = expected.get(original_start)
            if interval is None or (row.start, row.end, row.resource_id) != (
                interval.start,
                interval.end,
                reservation.resource_id,
            ):
                faults.append(IndexFault(reservation_id, original_start, STRAY))
        faults.extend(
            IndexFault(reservation_id, original_start, MISSING) for original_start in expected if original_start not in rows
        )
    return sorted(faults, key=lambda fault: (fault.original_start, fault.reservation_id))
