"""Desks (Robin seats) in zones, their settings, their assignments, and seat reservations.

Rules: a seat holds no two overlapping reservations, and a person holds no two seats at the
same time; disabled or non-reservable seats refuse; a reservation's type must be one the
seat's desk type takes; the seat's policies bound a reservation's length and how far ahead it
may be made. A shared desk is assigned to people on weekdays: an assignment is a reservation
(type `shared`) of every such day, midnight to midnight in the building's zone, with no end.
An exclusion frees one assigned day; `reverse_hoteled` reservations are made on excluded days
only. A `["hoteled","shared"]` desk is reserved, hoteled, on the days nobody holds it; an
`["assigned","shared"]` desk only on excluded days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import occurrences, recurrence, reservations, space_types, transitions
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    Overlap,
    Overlapping,
    Refused,
    Rule,
    RuleViolation,
)
from sandbox.core.lifecycle import Status
from sandbox.core.occurrences import Interval, Scope, Slot
from sandbox.core.paging import Page, PageRequest, paginate
from sandbox.core.recurrence import WEEKDAYS
from sandbox.core.reservations import Ref, ReservationView, Schedule, Window
from sandbox.core.times import local_days, parse_duration, zone
from sandbox.core.workplace import fetch, get_space, member, user_by_email
from sandbox.store.models import (
    Area,
    Building,
    OccurrenceException,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    ResourceKind,
    User,
)

RESERVATION_TYPES = ("hoteled", "hot", "assigned", "shared", "reverse_hoteled")
DESK_TYPES = (["hoteled"], ["hot"], ["assigned"], ["assigned", "shared"], ["hoteled", "shared"])
MAX_LENGTH = timedelta(days=366)
MAX_TITLE = 255
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


# Assignments


@dataclass(frozen=True)
class PersonRef:
    """A person as a request names them: by id or by email; neither names the actor."""

    user_id: int | None = None
    email: str | None = None


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
    session: Session, actor: Actor, seat_id: int, assignee: PersonRef, lines: list[str] | None
) -> ReservationView | None:
    """Assign the seat to `assignee` on the weekdays of `lines` (a whole-day weekly rule), from
    today on, in place of the days they were assigned before; no line ends their assignment.
    By an administrator. The new assignment, if any."""
    seat = get_seat(session, actor, seat_id)
    actor.require_admin()
    person = _person(session, actor, assignee)
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
    local = _local_zone(session, seat)
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
    _require_free(session, seat, person, schedule, now)
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
        if held.series_end is not None and held.series_end <= cut:
            continue
        if held.start >= cut:
            reservations.cancel(session, held, None, now, by_id=None)
            continue
        until = (cut - timedelta(seconds=1)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        lines = [f"{line};UNTIL={until}" if line.startswith("RRULE:") else line for line in held.recurrence or []]
        schedule = reservations.plan_schedule(
            session, now, held.start, held.end, zone(held.time_zone, "time_zone"), lines, reservation=held
        )
        reservations.apply_schedule(session, held, seat, schedule, now)
        held.updated_at = now


def exclude_assigned_day(session: Session, actor: Actor, reference: str) -> ReservationView:
    """Free one assigned day for others (an exclusion): the instance `reference` of an
    assignment, by its assignee or an administrator. The excluded day."""
    found = get_seat_reservation(session, actor, reference, for_change=True)
    if not is_assignment(found.reservation) or found.original_start is None:
        raise Refused(
            Rule.NOT_AN_ASSIGNED_DAY,
            f"Reservation {found.id} is not one assigned day: an exclusion frees one instance of an assignment",
            field="reservation",
            reservation_id=found.id,
            is_assignment=is_assignment(found.reservation),
        )
    held = transitions.occurrence(session, found.reservation, found.original_start, actor.now)
    forbidden = "Only the assignee or an administrator may exclude an assigned day"
    transitions.cancel(session, actor, held, actor.user, forbidden)
    return found


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


def _local_zone(session: Session, seat: Resource) -> ZoneInfo:
    building = session.get(Building, seat.building_id)
    assert building is not None
    return zone(building.time_zone, "time_zone")


# Seat reservations


@dataclass(frozen=True)
class SeatReservationInput:
    type: str | None
    start: datetime
    end: datetime
    time_zone: str
    reservee_user_id: int | None = None
    reservee_email: str | None = None
    reserver_id: int | None = None
    recurrence: list[str] | None = None
    title: str | None = None
    source: str = "robin"


def create_seat_reservation(session: Session, actor: Actor, seat_id: int, draft: SeatReservationInput) -> ReservationView:
    seat = get_seat(session, actor, seat_id)
    reservations.require_bookable(session, seat, ReservationKind.SEAT)
    kind = _reservation_type(draft.type)
    reservee = _person(session, actor, PersonRef(draft.reservee_user_id, draft.reservee_email))
    reserver = member(session, actor, draft.reserver_id, "reserver_id") if draft.reserver_id is not None else actor.user
    if not actor.is_admin and {reservee.id, reserver.id} != {actor.user.id}:
        raise Forbidden("A member may reserve seats only for themselves")
    if draft.end <= draft.start:
        raise InvalidInput.of("end", "must be later than start")
    if draft.end - draft.start > MAX_LENGTH:
        raise InvalidInput.of("end", f"a reservation may last at most {MAX_LENGTH.days} days")
    if draft.title is not None and len(draft.title) > MAX_TITLE:
        raise InvalidInput.of("title", f"must be at most {MAX_TITLE} characters")
    tz = zone(draft.time_zone, "start.time_zone")
    schedule = reservations.plan_schedule(session, actor.now, draft.start, draft.end, tz, draft.recurrence)
    _check_policies(session, actor.now, seat, kind, reservee, schedule)
    _require_free(session, seat, reservee, schedule, actor.now)
    reservation = Reservation(
        organization_id=actor.organization_id,
        resource_id=seat.id or 0,
        building_id=seat.building_id,
        time_zone=schedule.series.zone.key,
        kind=ReservationKind.SEAT,
        reservation_type=kind,
        title=draft.title or "",
        organizer_id=reservee.id,
        organizer_email=reservee.email,
        creator_id=reserver.id,
        creator_email=reserver.email,
        source=draft.source,
        release_after_s=space_types.release_window(session, seat),
        created_at=actor.now,
        updated_at=actor.now,
    )
    reservations.apply_schedule(session, reservation, seat, schedule, actor.now)
    session.commit()
    return ReservationView(reservation, seat, reservation.start, reservation.end, reservation.status, [], None)


def get_seat_reservation(
    session: Session, actor: Actor, reference: str, *, released_too: bool = False, for_change: bool = False
) -> ReservationView:
    """A live seat reservation, series or instance: cancelled ones no longer exist, nor do
    released ones unless `released_too`. `for_change`: held for a transition (`reservations.hold`)."""
    ref = Ref.parse(reference)
    reservation = reservations.load(session, actor, ref.reservation_id, ReservationKind.SEAT, for_change=for_change)
    found = reservations.view(session, reservation, ref.original_start, actor.now)
    if found.status == ReservationStatus.CANCELLED and not (released_too and _released(session, found, actor.now)):
        raise NotFound("the reservation is cancelled")
    return found


def _released(session: Session, view: ReservationView, now: datetime) -> bool:
    """Whether the occurrence `view` was released (not cancelled by someone)."""
    if view.reservation.recurrence is not None and view.original_start is None:
        return False
    return transitions.occurrence(session, view.reservation, view.original_start, now).status == Status.RELEASED


def cancel_seat_reservation(session: Session, actor: Actor, reference: str) -> None:
    """Cancel a seat reservation, one instance of a series, or a whole series (`transitions.cancel`)."""
    found = get_seat_reservation(session, actor, reference, for_change=True)
    forbidden = "Only the reservee, the reserver or an administrator may cancel a seat reservation"
    if found.original_start is None and found.reservation.recurrence is not None:
        transitions.cancel_series(session, actor, found.reservation, forbidden)
    else:
        held = transitions.occurrence(session, found.reservation, found.original_start, actor.now)
        transitions.cancel(session, actor, held, actor.user, forbidden, after_its_end=True)


@dataclass(frozen=True)
class SeatReservationQuery:
    seat_ids: list[int] | None = None
    space_ids: list[int] | None = None
    level_ids: list[int] | None = None
    user_ids: list[int] | None = None
    include_disabled_seats: bool = False


def list_seat_reservations(
    session: Session, actor: Actor, query: SeatReservationQuery, window: Window, page: PageRequest
) -> Page[ReservationView]:
    """Occurrences of seat reservations in `window`, series expanded, earliest first."""
    seat_ids = None
    if query.seat_ids or query.space_ids or query.level_ids or not query.include_disabled_seats:
        statement = select(Resource.id).where(
            Resource.organization_id == actor.organization_id, Resource.kind == ResourceKind.DESK
        )
        if query.seat_ids:
            statement = statement.where(col(Resource.id).in_(query.seat_ids))
        if query.space_ids:
            statement = statement.where(col(Resource.parent_id).in_(query.space_ids))
        if query.level_ids:
            statement = statement.where(col(Resource.floor_id).in_(query.level_ids))
        if not query.include_disabled_seats:
            statement = statement.where(col(Resource.is_disabled).is_(False))
        seat_ids = [seat_id or 0 for seat_id in session.exec(statement)]
    scope = Scope(actor.organization_id, kind=ReservationKind.SEAT, resource_ids=seat_ids, holder_ids=query.user_ids)
    return reservations.listing(session, actor, scope, window, page)


def _reservation_type(value: str | None) -> str:
    if not value:
        raise InvalidInput.of("type", "can't be blank", "required")
    if value not in RESERVATION_TYPES:
        raise InvalidInput.of("type", f"must be one of {', '.join(RESERVATION_TYPES)}")
    return value


def _person(session: Session, actor: Actor, named: PersonRef) -> User:
    if named.user_id is not None:
        return member(session, actor, named.user_id, "reservee.user_id")
    if named.email:
        found = user_by_email(session, named.email)
        if found is None or found.organization_id != actor.organization_id:
            raise InvalidInput.of("reservee.email", f"no user with email {named.email} in this organization")
        return found
    return actor.user


def _check_policies(session: Session, now: datetime, seat: Resource, kind: str, reservee: User, schedule: Schedule) -> None:
    local = _local_zone(session, seat)
    assignee = session.get(User, seat.assignee_id) if seat.assignee_id is not None else None
    is_assignee = assignee is not None and assignee.id == reservee.id
    allowed = _allowed_types(seat, is_assignee)
    if kind not in allowed:
        raise Refused(
            Rule.TYPE_NOT_ALLOWED,
            f"Desk {seat.id} takes reservations of type {', '.join(sorted(allowed)) or 'none'} from this person, not {kind}",
            field="type",
            desk_id=seat.id,
            reservation_type=kind,
            allowed=sorted(allowed),
            desk_type=seat.desk_type,
            assignee=assignee.name if assignee is not None else None,
        )
    length = schedule.series.duration
    if seat.max_reservation_length and length > parse_duration(seat.max_reservation_length, MAX_LENGTH_SETTING):
        raise Refused(
            Rule.LONGER_THAN_ALLOWED,
            f"Desk {seat.id} is reserved for at most {seat.max_reservation_length} at a time",
            field="end",
            desk_id=seat.id,
            max_length=seat.max_reservation_length,
        )
    threshold = seat.advanced_booking_threshold
    if threshold and schedule.series.start - now > parse_duration(threshold, THRESHOLD_SETTING):
        raise Refused(
            Rule.TOO_FAR_AHEAD,
            f"Desk {seat.id} is reserved at most {threshold} ahead",
            field="start",
            desk_id=seat.id,
            threshold=threshold,
        )
    if kind == "hot":
        _require_same_day(schedule, now, local)
    if kind == EXCLUDED_DAY:
        _require_excluded_days(session, seat, schedule.intervals, local)


def default_type(seat: Resource, person: User) -> str | None:
    """The reservation type a booking of `seat` by `person` takes when the client names none."""
    is_assignee = seat.assignee_id is not None and seat.assignee_id == person.id
    allowed = _allowed_types(seat, is_assignee)
    for kind in ("assigned", "hoteled", "shared", "hot", "reverse_hoteled"):
        if kind in allowed:
            return kind
    return None


def may_reserve(session: Session, seat: Resource, person: User, start: datetime, end: datetime, now: datetime) -> bool:
    """Whether the seat's policies would let `person` reserve it for [start, end) (overlaps aside)."""
    kind = default_type(seat, person)
    if kind is None:
        return False
    schedule = reservations.plan_schedule(session, now, start, end, zone("UTC", "time_zone"), None)
    try:
        _check_policies(session, now, seat, kind, person, schedule)
    except RuleViolation:
        return False
    return True


def _allowed_types(seat: Resource, is_assignee: bool) -> set[str]:
    """What the seat takes from a reservation: assignments are published, never reserved."""
    desk = set(seat.desk_type)
    if desk == {"assigned"}:
        return desk if is_assignee else set()
    if ASSIGNMENT in desk:
        return (desk - {"assigned", ASSIGNMENT}) | {EXCLUDED_DAY}
    return desk


def _require_same_day(schedule: Schedule, now: datetime, local: ZoneInfo) -> None:
    today = now.astimezone(local).date()
    for interval in schedule.intervals:
        if local_days(interval.start, interval.end, local) != [today]:
            raise Refused(Rule.NOT_SAME_DAY, "A hot reservation is made on the day it starts, and ends that day", field="start")


def _require_excluded_days(session: Session, seat: Resource, intervals: list[Interval], local: ZoneInfo) -> None:
    if not intervals:
        return
    day = timedelta(days=1)
    lower, upper = min(i.start for i in intervals) - day, max(i.end for i in intervals) + day
    excluded = excluded_days(session, seat, lower, upper, local)
    for interval in intervals:
        for touched in local_days(interval.start, interval.end, local):
            if touched not in excluded:
                raise Refused(
                    Rule.NOT_AN_EXCLUDED_DAY,
                    f"Desk {seat.id} is reserved so only on days excluded from its assignments, not on {touched.isoformat()}",
                    field="start",
                    desk_id=seat.id,
                    day=touched,
                )


def _require_free(session: Session, seat: Resource, reservee: User, schedule: Schedule, now: datetime) -> None:
    def taken(existing: Slot) -> Overlapping:
        return Overlapping(
            Overlap.RESOURCE_TAKEN,
            f"The desk is reserved then (reservation {reservations.slot_id(existing)})",
            collision=existing,
            field="resource",
            resource_id=seat.id,
            kind=ReservationKind.SEAT,
        )

    def double_booked(existing: Slot) -> Overlapping:
        return Overlapping(
            Overlap.HOLDER_BUSY,
            f"The reservee holds desk {existing.reservation.resource_id} then (reservation {reservations.slot_id(existing)})",
            collision=existing,
            field="reservee",
            holder=reservee.name,
        )

    reservations.require_free(session, Scope(seat.organization_id, resource_ids=[seat.id or 0]), schedule.intervals, now, taken)
    reservations.require_holder_free(session, ReservationKind.SEAT, reservee, schedule.intervals, now, double_booked)
