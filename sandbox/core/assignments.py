"""Assignments of shared desks: a shared desk is assigned to people on weekdays, each assignment
a reservation (type `shared`) of every such day, midnight to midnight in the building's zone,
with no end; several people may hold one desk on different days. An exclusion frees one
assigned day, on which `reverse_hoteled` reservations may be made."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import desks, occurrences, recurrence, reservations
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Refused,
    Rule,
)
from sandbox.core.recurrence import WEEKDAYS
from sandbox.core.reservations import ReservationView
from sandbox.core.times import zone
from sandbox.store.models import (
    OccurrenceException,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    User,
)

# Assignments


ASSIGNMENT = "shared"
"""The reservation type of an assignment: a desk assigned to one person on some weekdays."""
EXCLUDED_DAY = "reverse_hoteled"
"""The reservation type of a reservation made on days excluded from assignments."""


def is_assignment(reservation: Reservation) -> bool:
    return reservation.kind == ReservationKind.SEAT and reservation.reservation_type == ASSIGNMENT


def assignment_end(assignment: Reservation) -> datetime | None:
    """When an assignment ends: the end of its last assigned day, None while it has no end."""
    if assignment.series_end is None:
        return None
    series = occurrences.series_of(assignment)
    starts = list(series.starts_between(assignment.series_end - timedelta(days=8), assignment.series_end))
    return starts[-1] + series.duration if starts else assignment.end


def publish_shared_schedule(
    session: Session, actor: Actor, seat_id: int, assignee: desks.PersonRef, lines: list[str] | None
) -> ReservationView | None:
    """Assign the seat to `assignee` on the weekdays of `lines` (a whole-day weekly rule), from
    today on, in place of the days they were assigned before; no line ends their assignment.
    By an administrator. The new assignment, if any."""
    seat = desks.get_seat(session, actor, seat_id)
    actor.require_admin()
    person = desks.person(session, actor, assignee)
    return assign(session, actor.now, seat, person, actor.user, lines)


def assign(
    session: Session, now: datetime, seat: Resource, person: User, assigner: User, lines: list[str] | None, source: str = "robin"
) -> ReservationView | None:
    """`publish_shared_schedule` once who may is settled. Committed."""
    reservations.lock(session, seat.id or 0)
    if "shared" not in seat.desk_type:
        raise Refused(
            Rule.NOT_SHARED,
            f"Desk {seat.id} is not a shared desk, the only kind assigned to people on weekdays",
            field="resource",
            desk_id=seat.id,
        )
    days = recurrence.weekly_days(lines, "recurrence")
    local = desks.local_zone(session, seat)
    today = datetime.combine(now.astimezone(local).date(), time(), local).astimezone(UTC)
    _end_assignments(session, seat, person, today, now)
    if not days:
        session.commit()
        return None
    first = next(day for day in _days_from(today, local) if WEEKDAYS[day.weekday()] in days)
    start = datetime.combine(first, time(), local).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=1), time(), local).astimezone(UTC)
    rule = f"RRULE:FREQ=WEEKLY;BYDAY={','.join(day for day in WEEKDAYS if day in days)};BYHOUR=0;BYMINUTE=0;BYSECOND=0"
    schedule = reservations.plan_schedule(session, now, start, end, local, [rule])
    desks.require_free(session, seat, person, schedule, now)
    assignment = Reservation(
        organization_id=seat.organization_id,
        resource_id=seat.id or 0,
        building_id=seat.building_id,
        time_zone=local.key,
        kind=ReservationKind.SEAT,
        reservation_type=ASSIGNMENT,
        title="",
        organizer_id=person.id,
        organizer_email=person.email,
        creator_id=assigner.id,
        creator_email=assigner.email,
        source=source,
        release_after_s=None,
        created_at=now,
        updated_at=now,
    )
    reservations.apply_schedule(session, assignment, seat, schedule, now)
    session.commit()
    return ReservationView(assignment, seat, assignment.start, assignment.end, assignment.status, [], None)


def _days_from(moment: datetime, local: ZoneInfo) -> list[date]:
    first = moment.astimezone(local).date()
    return [first + timedelta(days=offset) for offset in range(7)]


def _end_assignments(session: Session, seat: Resource, person: User, cut: datetime, now: datetime) -> None:
    """End `person`'s assignments of `seat` at `cut`: those that start later are cancelled, the
    others keep their days before it."""
    current = session.exec(
        select(Reservation).where(
            Reservation.resource_id == seat.id,
            Reservation.kind == ReservationKind.SEAT,
            Reservation.reservation_type == ASSIGNMENT,
            Reservation.organizer_id == person.id,
            Reservation.status != ReservationStatus.CANCELLED,
        )
    ).all()
    for found in current:
        held = reservations.hold(session, found)
        ended = assignment_end(held)
        if ended is not None and ended <= cut:
            continue  # Ended already, before `cut` (perhaps earlier the same day).
        if held.start >= cut:
            reservations.cancel(session, held, None, now, by_id=None)
            continue
        lines = recurrence.ended(held.recurrence or [], cut - timedelta(seconds=1))
        schedule = reservations.plan_schedule(
            session, now, held.start, held.end, zone(held.time_zone, "time_zone"), lines, reservation=held
        )
        reservations.apply_schedule(session, held, seat, schedule, now)
        held.updated_at = now


def excluded_days(session: Session, seat: Resource, lower: datetime, upper: datetime, local: ZoneInfo) -> set[date]:
    """The days (in `local`) excluded from live assignments of `seat` that start in [lower, upper)."""
    statement = (
        select(OccurrenceException.original_start)
        .join(Reservation, col(Reservation.id) == OccurrenceException.reservation_id)
        .where(
            Reservation.resource_id == seat.id,
            Reservation.kind == ReservationKind.SEAT,
            Reservation.reservation_type == ASSIGNMENT,
            Reservation.status != ReservationStatus.CANCELLED,
            col(OccurrenceException.original_start) >= lower,
            col(OccurrenceException.original_start) < upper,
        )
    )
    return {start.astimezone(local).date() for start in session.exec(statement)}
