"""What every kind of reservation shares: an event in a space, a seat reservation, a booking.

Views of a single reservation, a series master or one instance (named by an `OccurrenceKey`,
`keys.py`), scheduling a series into the occurrence index behind its conflict check, cancelling
one occurrence or everything, and listing occurrences.

Its length is what every kind of reservation shares; the lifecycle of an occurrence is in
`lifecycle.py` and `transitions.py`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete
from sqlmodel import Session, col, select

from sandbox.core import lifecycle, occurrences, recurrence
from sandbox.core.access import Actor
from sandbox.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Overlap, Overlapping, Refused, Rule
from sandbox.core.keys import OccurrenceKey
from sandbox.core.occurrences import Interval, Scope, Slot
from sandbox.core.paging import Page, PageRequest, page_of
from sandbox.core.recurrence import Series
from sandbox.core.times import LAST_YEAR, require_later, zone
from sandbox.core.workplace import fetch, member
from sandbox.store.models import (
    CheckIn,
    Invitee,
    OccurrenceException,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    User,
)

DEFAULT_WINDOW = timedelta(days=7)
_INSTANT = timedelta(microseconds=1)
"""The finest step of the store's instants: [t, t + _INSTANT) holds t alone."""


@dataclass(frozen=True)
class ReservationView:
    """A reservation as readers see it: a single one, a series master, or one instance."""

    reservation: Reservation
    resource: Resource
    start: datetime
    end: datetime
    status: str
    invitees: list[Invitee]
    check_in: CheckIn | None
    original_start: datetime | None = None
    """Set for an instance of a series."""


@dataclass(frozen=True)
class Window:
    """A listing window; `after` defaults to now and `before` to DEFAULT_WINDOW after it."""

    after: datetime | None = None
    before: datetime | None = None

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        lower = self.after or now
        upper = self.before or lower + DEFAULT_WINDOW
        require_later(lower, upper, "before", "after")
        return lower, upper


def load(session: Session, actor: Actor, key: OccurrenceKey, kind: str, *, for_change: bool = False) -> Reservation:
    """The reservation of `kind` that `key` names by its row id, visible to `actor`; `for_change`:
    held (`hold`) for a transition. A key naming no row id names nothing here."""
    if key.reservation_id is None:
        raise NotFound("no such occurrence")
    reservation = fetch(session, actor, Reservation, key.reservation_id)
    if reservation.kind != kind:
        raise NotFound(f"no {kind} reservation {key.reservation_id}")
    return hold(session, reservation) if for_change else reservation


def hold(session: Session, reservation: Reservation) -> Reservation:
    """`reservation` read afresh with its row locked until the transaction ends. Every transition
    (cancel, confirm, check-in, check-out, a change, a confirmation withdrawn) holds the
    reservation it changes before it reads the state it decides on: concurrent transitions of one
    reservation then happen one after the other, each seeing what the one before did, so exactly
    one of them cancels or confirms it and the others find it done. A row lock on PostgreSQL;
    SQLite's writers are serial already."""
    held = session.exec(_HOLD, params={"reservation_id": reservation.id}).first()
    if held is None:  # Gone meanwhile, with its organization's reset.
        raise NotFound("the reservation is gone")
    return held


def lock(session: Session, resource_id: int) -> None:
    """Serializes writers of one resource on PostgreSQL; SQLite writers are already serial."""
    session.exec(_LOCK_RESOURCE, params={"resource_id": resource_id}).one()


# The statements of every write and read of one reservation, built once: a statement built again
# for every query costs more than the query.
_HOLD = (
    select(Reservation)
    .where(col(Reservation.id) == bindparam("reservation_id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_LOCK_RESOURCE = select(Resource.id).where(col(Resource.id) == bindparam("resource_id")).with_for_update()
_LOCK_PERSON = select(User.id).where(col(User.id) == bindparam("user_id")).with_for_update()
_INVITEES = select(Invitee).where(col(Invitee.reservation_id).in_(bindparam("ids", expanding=True))).order_by(col(Invitee.id))
_EXCEPTIONS = select(OccurrenceException).where(col(OccurrenceException.reservation_id).in_(bindparam("ids", expanding=True)))
_CHECK_INS = select(CheckIn).where(col(CheckIn.reservation_id).in_(bindparam("ids", expanding=True)))
_RESOURCES = select(Resource).where(col(Resource.id).in_(bindparam("ids", expanding=True)))


def require_bookable(session: Session, resource: Resource, kind: str) -> None:
    """The one rule of a resource taking a reservation of `kind`: it is enabled and reservable.
    Its row is locked first (`lock`), so that the checks after this one and the write they guard
    are one step."""
    lock(session, resource.id or 0)
    noun = "desk" if kind == ReservationKind.SEAT else "resource"
    if resource.is_disabled:
        raise Refused(
            Rule.RESOURCE_DISABLED,
            f"The {noun} is disabled and can't be reserved",
            field="resource",
            resource_id=resource.id,
            kind=kind,
        )
    if not resource.is_reservable:
        raise Refused(
            Rule.RESOURCE_NOT_RESERVABLE, f"The {noun} can't be reserved", field="resource", resource_id=resource.id, kind=kind
        )


def require_instance(reservation: Reservation, original_start: datetime) -> None:
    """Refuse, as not found, an instance id of `reservation` that names no occurrence of it:
    the occurrences are those listings show (`Series.starts`, entered at `original_start`)."""
    if reservation.recurrence is None or not occurrences.series_of(reservation).occurs_at(original_start):
        raise NotFound("the reservation has no such occurrence")


def view(session: Session, reservation: Reservation, original_start: datetime | None, now: datetime) -> ReservationView:
    """The reservation, a series master, or one instance; an occurrence released by `now` reads
    as cancelled."""
    resource = session.get(Resource, reservation.resource_id)
    assert resource is not None
    invitees = invitees_of(session, [reservation.id or 0]).get(reservation.id or 0, [])
    if original_start is None:
        check_in = None
        status = reservation.status
        if reservation.recurrence is None:
            check_in = check_ins_of(session, [reservation.id or 0]).get((reservation.id or 0, reservation.start))
            status = _status(reservation, reservation.start, check_in, None, now)
        return ReservationView(
            reservation, resource, reservation.start, reservation.end, status, invitees, lifecycle.standing(check_in)
        )
    require_instance(reservation, original_start)
    check_in = check_ins_of(session, [reservation.id or 0]).get((reservation.id or 0, original_start))
    exception = occurrence_exception(session, reservation, original_start)
    status = _status(reservation, original_start, check_in, exception, now)
    length = reservation.end - reservation.start
    shown = lifecycle.standing(check_in)
    end = original_start + length
    return ReservationView(reservation, resource, original_start, end, status, invitees, shown, original_start)


def _status(
    reservation: Reservation,
    start: datetime,
    check_in: CheckIn | None,
    exception: OccurrenceException | None,
    now: datetime,
) -> str:
    cancelled = lifecycle.cancellation(reservation, start, check_in, exception, now) is not None
    return ReservationStatus.CANCELLED if cancelled else reservation.status


def views_of(session: Session, found: Iterable[Slot]) -> list[ReservationView]:
    """Views of occurrences, loading invitees, check-ins and resources in one query each."""
    found = list(found)
    reservation_ids = list({slot.reservation.id or 0 for slot in found})
    invitees = invitees_of(session, reservation_ids)
    check_ins = check_ins_of(session, reservation_ids)
    resources = resources_of(session, {slot.reservation.resource_id for slot in found})
    return [
        ReservationView(
            reservation=slot.reservation,
            resource=resources[slot.reservation.resource_id],
            start=slot.start,
            end=slot.end,
            status=slot.reservation.status,
            invitees=invitees.get(slot.reservation.id or 0, []),
            check_in=lifecycle.standing(check_ins.get((slot.reservation.id or 0, slot.original_start))),
            original_start=slot.original_start if slot.in_series else None,
        )
        for slot in found
    ]


def listing(session: Session, actor: Actor, scope: Scope, window: Window, page: PageRequest) -> Page[ReservationView]:
    lower, upper = window.bounds(actor.now)
    found = page_of(occurrences.slots(session, scope, lower, upper, now=actor.now, limit=page.offset + page.per_page + 1), page)
    return Page(views_of(session, found.items), found.page, found.per_page, found.has_next)


def recent_listing(
    session: Session, actor: Actor, scope: Scope, look_back: timedelta, page: PageRequest
) -> Page[ReservationView]:
    """Occurrences that have started by now (one starting this instant has), at most `look_back`
    before it, the latest first."""
    earliest = actor.now - look_back
    started = occurrences.slots(
        session,
        scope,
        earliest,
        actor.now + _INSTANT,
        now=actor.now,
        limit=page.offset + page.per_page + 1,
        latest_first=True,
    )
    # Latest first, those that began before `earliest` (still under way then) come last: cut there.
    found = page_of(takewhile(lambda slot: slot.start >= earliest, started), page)
    return Page(views_of(session, found.items), found.page, found.per_page, found.has_next)


@dataclass(frozen=True)
class Schedule:
    """A series checked and planned into indexable occurrences, not yet written."""

    series: Series
    intervals: list[Interval]
    indexed_until: datetime
    cancelled: dict[datetime, lifecycle.Cancellation]
    """The occurrences cancelled on their own, by start: moved with the series, each still by whom
    and when it was."""

    @property
    def lines(self) -> list[str] | None:
        return list(self.series.lines) or None


def plan_schedule(
    session: Session,
    now: datetime,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    lines: list[str] | None,
    *,
    reservation: Reservation | None = None,
) -> Schedule:
    """Expand a new series, or the new times of `reservation`, into its indexed occurrences."""
    if end.year >= LAST_YEAR:
        raise InvalidInput.of("end" if start.year < LAST_YEAR else "start", f"must come before the year {LAST_YEAR}")
    series = recurrence.build(start, end, tz, lines)
    upper = occurrences.index_until(start, now)
    cancelled = {} if reservation is None else _moved_cancellations(session, reservation, start, tz, recurs=bool(series.lines))
    # A cancellation moved to a start the series no longer has would cancel nothing; it is dropped.
    cancelled = {original: kept for original, kept in cancelled.items() if series.occurs_at(original)}
    return Schedule(series, occurrences.plan(series, set(cancelled), upper), upper, cancelled)


def require_free(
    session: Session, scope: Scope, intervals: list[Interval], now: datetime, refusal: Callable[[Slot], Conflict]
) -> None:
    """Refuse, with `refusal(collision)`, intervals that overlap a live occurrence in `scope`
    (occurrences released by `now` have freed their time)."""
    collision = occurrences.first_collision(session, scope, intervals, now)
    if collision is not None:
        raise refusal(collision[1])


def require_resource_free(
    session: Session, resource: Resource, kind: str, intervals: list[Interval], now: datetime, *, exclude: int | None = None
) -> None:
    """The one rule of a double booking: a resource holds one live reservation at a time. Refuse
    intervals overlapping one (but reservation `exclude`'s, which they replace) as `Overlapping`
    naming the reservation in the way."""
    noun = "desk" if kind == ReservationKind.SEAT else "resource"

    def taken(existing: Slot) -> Overlapping:
        return Overlapping(
            Overlap.RESOURCE_TAKEN,
            f"The {noun} is reserved then ({described(existing)})",
            collision=existing,
            field="resource",
            resource_id=resource.id,
            kind=kind,
        )

    scope = Scope(resource.organization_id, resource_ids=[resource.id or 0], exclude_reservation_id=exclude)
    require_free(session, scope, intervals, now, taken)


def described(slot: Slot) -> str:
    """An occurrence in the core's messages: its reservation's row id and its start in UTC
    (`reservation 1, from 2026-03-02T15:00:00Z`)."""
    return f"reservation {slot.reservation.id}, from {slot.start.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def apply_schedule(session: Session, reservation: Reservation, resource: Resource, schedule: Schedule, now: datetime) -> None:
    """Write `schedule` as the times and occurrences of `reservation` (flushed, so it has an id)."""
    reservation.start = schedule.series.start
    reservation.end = schedule.series.start + schedule.series.duration
    reservation.time_zone = schedule.series.zone.key
    reservation.recurrence = schedule.lines
    reservation.series_end = schedule.series.last_end()
    reservation.indexed_until = schedule.indexed_until
    rescheduled = reservation.id is not None
    session.add(reservation)
    session.flush()
    if rescheduled:
        session.exec(delete(OccurrenceException).where(col(OccurrenceException.reservation_id) == reservation.id))
        # A check-in was of an occurrence at its time: one the new times no longer have is gone with it.
        for check_in in session.exec(select(CheckIn).where(CheckIn.reservation_id == reservation.id)).all():
            if not schedule.series.occurs_at(check_in.original_start):
                session.delete(check_in)
    session.add_all(
        OccurrenceException(
            reservation_id=reservation.id or 0,
            original_start=original,
            cancelled_by_id=kept.by_id,
            created_at=kept.at or now,
        )
        for original, kept in sorted(schedule.cancelled.items())
    )
    occurrences.write_index(session, reservation, schedule.intervals, replace=rescheduled)
    resource.longest_booking_s = max(resource.longest_booking_s, int(schedule.series.duration.total_seconds()) + 1)


def cancel(
    session: Session,
    reservation: Reservation,
    original_start: datetime | None,
    now: datetime,
    by_id: int | None = None,
) -> None:
    """Cancel one occurrence of a series, or the whole reservation, recording who did (`by_id`,
    when known); cancelling twice changes nothing."""
    if original_start is not None:
        require_instance(reservation, original_start)
        if occurrence_exception(session, reservation, original_start) is None:
            session.add(
                OccurrenceException(
                    reservation_id=reservation.id or 0,
                    original_start=original_start,
                    created_at=now,
                    cancelled_by_id=by_id,
                )
            )
            occurrences.remove_from_index(session, reservation.id or 0, original_start)
    elif reservation.status != ReservationStatus.CANCELLED:
        reservation.status = ReservationStatus.CANCELLED
        reservation.cancelled_at = now
        reservation.cancelled_by_id = by_id
        reservation.updated_at = now
        session.add(reservation)
        occurrences.remove_from_index(session, reservation.id or 0)


def occurrence_exception(session: Session, reservation: Reservation, original_start: datetime) -> OccurrenceException | None:
    """The record of one cancelled occurrence of a series, if it was cancelled."""
    return session.exec(
        select(OccurrenceException).where(
            OccurrenceException.reservation_id == reservation.id,
            OccurrenceException.original_start == original_start,
        )
    ).first()


def exceptions_of(session: Session, reservation_ids: list[int]) -> dict[tuple[int, datetime], OccurrenceException]:
    """The cancelled occurrences of these reservations, by (reservation id, original start)."""
    if not reservation_ids:
        return {}
    rows = session.exec(_EXCEPTIONS, params={"ids": reservation_ids})
    return {(row.reservation_id, row.original_start): row for row in rows}


def is_party(user: User, reservation: Reservation) -> bool:
    """Whether `user` holds (organizes) or made the reservation: who, beside an administrator,
    may change or cancel it."""
    return user.id in (reservation.organizer_id, reservation.creator_id)


def require_may_change(actor: Actor, reservation: Reservation, refusal: str) -> None:
    """Refuse (Forbidden, saying `refusal`) anyone but an administrator or a party to the
    reservation: the rule for changing, cancelling, confirming or withdrawing a confirmation."""
    if not actor.is_admin and not is_party(actor.user, reservation):
        raise Forbidden(refusal)


def acting_for(session: Session, actor: Actor, user_id: int | None, field: str) -> User:
    """Whom `actor` confirms or checks in as: themselves, or the user `user_id` of the
    organization (InvalidInput on `field` for anyone else), whom only an administrator may name."""
    if user_id is None:
        return actor.user
    person = member(session, actor, user_id, field)
    if not actor.is_admin and person.id != actor.user.id:
        raise Forbidden("A member may act only for themselves")
    return person


def require_holder_free(
    session: Session,
    kind: str,
    person: User,
    intervals: list[Interval],
    now: datetime,
    refusal: Callable[[Slot], Conflict],
) -> None:
    """One person, one reservation of `kind` (a seat, an onsite pass) at a time. The person's row
    is locked first, so two concurrent requests for one person are checked one after the other
    on PostgreSQL too (SQLite writers are serial anyway)."""
    session.exec(_LOCK_PERSON, params={"user_id": person.id}).one()
    holder = Scope(person.organization_id, kind=kind, holder_ids=[person.id or 0])
    require_free(session, holder, intervals, now, refusal)


def holds_any(session: Session, kind: str, person: User, start: datetime, end: datetime, now: datetime) -> bool:
    """Whether `person` holds a live reservation of `kind` overlapping [start, end)."""
    holder = Scope(person.organization_id, kind=kind, holder_ids=[person.id or 0])
    return next(occurrences.slots(session, holder, start, end, now=now), None) is not None


def _moved_cancellations(
    session: Session, reservation: Reservation, start: datetime, tz: ZoneInfo, *, recurs: bool
) -> dict[datetime, lifecycle.Cancellation]:
    """Cancelled occurrences of a rescheduled series move with it, by the same wall-clock shift,
    each still cancelled by whom and when it was.

    A series that no longer recurs keeps none: its single occurrence is live.
    """
    if not recurs:
        return {}
    old_tz = zone(reservation.time_zone, "time_zone")
    shift = _wall(start, tz) - _wall(reservation.start, old_tz)
    return {
        (_wall(row.original_start, old_tz) + shift).replace(tzinfo=tz).astimezone(UTC): lifecycle.Cancellation(
            row.created_at, row.cancelled_by_id, automatic=False
        )
        for row in exceptions_of(session, [reservation.id or 0]).values()
    }


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def invitees_of(session: Session, reservation_ids: list[int]) -> dict[int, list[Invitee]]:
    grouped: dict[int, list[Invitee]] = {}
    if reservation_ids:
        for invitee in session.exec(_INVITEES, params={"ids": reservation_ids}):
            grouped.setdefault(invitee.reservation_id, []).append(invitee)
    return grouped


def check_ins_of(session: Session, reservation_ids: list[int]) -> dict[tuple[int, datetime], CheckIn]:
    if not reservation_ids:
        return {}
    rows = session.exec(_CHECK_INS, params={"ids": reservation_ids}).all()
    return {(row.reservation_id, row.original_start): row for row in rows}


def resources_of(session: Session, resource_ids: set[int]) -> dict[int, Resource]:
    """These resources, by id."""
    if not resource_ids:
        return {}
    rows = session.exec(_RESOURCES, params={"ids": list(resource_ids)}).all()
    return {row.id or 0: row for row in rows}
