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
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import assignments, desks, reservations, space_types, transitions
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    Refused,
    Rule,
    RuleViolation,
)
from sandbox.core.keys import OccurrenceKey
from sandbox.core.lifecycle import Status
from sandbox.core.occurrences import Interval, Scope
from sandbox.core.paging import Page, PageRequest
from sandbox.core.reservations import ReservationView, Schedule, Window
from sandbox.core.times import local_days, parse_duration, require_later, zone
from sandbox.core.workplace import member
from sandbox.store.models import (
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    ResourceKind,
    User,
)

RESERVATION_TYPES = ("hoteled", "hot", "assigned", "shared", "reverse_hoteled")
MAX_LENGTH = timedelta(days=366)
MAX_TITLE = 255


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
    seat = desks.get_seat(session, actor, seat_id)
    reservations.require_bookable(session, seat, ReservationKind.SEAT)
    kind = _reservation_type(draft.type)
    reservee = desks.person(session, actor, desks.PersonRef(draft.reservee_user_id, draft.reservee_email))
    reserver = member(session, actor, draft.reserver_id, "reserver_id") if draft.reserver_id is not None else actor.user
    if not actor.is_admin and {reservee.id, reserver.id} != {actor.user.id}:
        raise Forbidden("A member may reserve seats only for themselves")
    require_later(draft.start, draft.end, "end", "start")
    if draft.end - draft.start > MAX_LENGTH:
        raise InvalidInput.of("end", f"a reservation may last at most {MAX_LENGTH.days} days")
    if draft.title is not None and len(draft.title) > MAX_TITLE:
        raise InvalidInput.of("title", f"must be at most {MAX_TITLE} characters")
    tz = zone(draft.time_zone, "start.time_zone")
    schedule = reservations.plan_schedule(session, actor.now, draft.start, draft.end, tz, draft.recurrence)
    _check_policies(session, actor.now, seat, kind, reservee, schedule)
    desks.require_free(session, seat, reservee, schedule, actor.now)
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
    session: Session, actor: Actor, key: OccurrenceKey, *, released_too: bool = False, for_change: bool = False
) -> ReservationView:
    """The live seat reservation, series or instance `key` names: cancelled ones no longer exist,
    nor do released ones unless `released_too`. `for_change`: held for a transition
    (`reservations.hold`)."""
    reservation = reservations.load(session, actor, key, ReservationKind.SEAT, for_change=for_change)
    found = reservations.view(session, reservation, key.original_start, actor.now)
    if found.status == ReservationStatus.CANCELLED and not (released_too and _released(session, found, actor.now)):
        raise NotFound("the reservation is cancelled")
    return found


def _released(session: Session, view: ReservationView, now: datetime) -> bool:
    """Whether the occurrence `view` was released (not cancelled by someone)."""
    if view.reservation.recurrence is not None and view.original_start is None:
        return False
    return transitions.occurrence(session, view.reservation, view.original_start, now).status == Status.RELEASED


def cancel_seat_reservation(session: Session, actor: Actor, key: OccurrenceKey) -> None:
    """Cancel a seat reservation, one instance of a series, or a whole series (`transitions.cancel`),
    as `key` names it."""
    found = get_seat_reservation(session, actor, key, for_change=True)
    forbidden = "Only the reservee, the reserver or an administrator may cancel a seat reservation"
    if found.original_start is None and found.reservation.recurrence is not None:
        transitions.cancel_series(session, actor, found.reservation, forbidden)
    else:
        held = transitions.occurrence(session, found.reservation, found.original_start, actor.now)
        transitions.cancel(session, actor, held, actor.user, forbidden, after_its_end=True)


def exclude_assigned_day(session: Session, actor: Actor, key: OccurrenceKey) -> ReservationView:
    """Free one assigned day for others (an exclusion): the instance `key` of an assignment, by
    its assignee or an administrator. The excluded day."""
    found = get_seat_reservation(session, actor, key, for_change=True)
    if not assignments.is_assignment(found.reservation) or found.original_start is None:
        raise Refused(
            Rule.NOT_AN_ASSIGNED_DAY,
            f"Reservation {found.reservation.id} is not one assigned day: an exclusion frees one instance of an assignment",
            field="reservation",
            reservation_id=found.reservation.id,
            original_start=found.original_start,
            is_assignment=assignments.is_assignment(found.reservation),
        )
    held = transitions.occurrence(session, found.reservation, found.original_start, actor.now)
    forbidden = "Only the assignee or an administrator may exclude an assigned day"
    transitions.cancel(session, actor, held, actor.user, forbidden)
    return found


def seat_reservation_instances(
    session: Session, actor: Actor, key: OccurrenceKey, window: Window, page: PageRequest
) -> Page[ReservationView]:
    """The live occurrences in `window` of the series `key` names, earliest first; a reservation
    that does not recur, or one occurrence of a series, is refused."""
    found = get_seat_reservation(session, actor, key)
    reservation = found.reservation
    if reservation.recurrence is None or found.original_start is not None:
        raise Refused(
            Rule.NOT_A_SERIES,
            f"Reservation {reservation.id} is not a series: only a recurring reservation has occurrences",
            field="reservation",
            reservation_id=reservation.id,
            original_start=found.original_start,
            kind=reservation.kind,
        )
    scope = Scope(
        actor.organization_id, kind=ReservationKind.SEAT, resource_ids=[reservation.resource_id], reservation_id=reservation.id
    )
    return reservations.listing(session, actor, scope, window, page)


@dataclass(frozen=True)
class SeatReservationQuery:
    seat_ids: list[int] | None = None
    space_ids: list[int] | None = None
    level_ids: list[int] | None = None
    user_ids: list[int] | None = None
    location_ids: list[int] | None = None
    zone_ids: list[int] | None = None
    types: list[str] | None = None
    include_disabled_seats: bool = False


def list_seat_reservations(
    session: Session, actor: Actor, query: SeatReservationQuery, window: Window, page: PageRequest
) -> Page[ReservationView]:
    """Occurrences of seat reservations in `window`, series expanded, earliest first."""
    seat_ids = None
    for kind in query.types or ():
        if kind not in RESERVATION_TYPES:
            raise InvalidInput.of("types", f"'{kind}' is none of {', '.join(RESERVATION_TYPES)}")
    narrowed = query.seat_ids or query.space_ids or query.level_ids or query.location_ids or query.zone_ids
    if narrowed or not query.include_disabled_seats:
        statement = select(Resource.id).where(
            Resource.organization_id == actor.organization_id, Resource.kind == ResourceKind.DESK
        )
        if query.seat_ids:
            statement = statement.where(col(Resource.id).in_(query.seat_ids))
        if query.space_ids:
            statement = statement.where(col(Resource.parent_id).in_(query.space_ids))
        if query.level_ids:
            statement = statement.where(col(Resource.floor_id).in_(query.level_ids))
        if query.location_ids:
            statement = statement.where(col(Resource.building_id).in_(query.location_ids))
        if query.zone_ids:
            statement = statement.where(col(Resource.area_id).in_(query.zone_ids))
        if not query.include_disabled_seats:
            statement = statement.where(col(Resource.is_disabled).is_(False))
        seat_ids = [seat_id or 0 for seat_id in session.exec(statement)]
    scope = Scope(
        actor.organization_id,
        kind=ReservationKind.SEAT,
        resource_ids=seat_ids,
        holder_ids=query.user_ids,
        reservation_types=query.types,
    )
    return reservations.listing(session, actor, scope, window, page)


def _reservation_type(value: str | None) -> str:
    if not value:
        raise InvalidInput.of("type", "can't be blank", "required")
    if value not in RESERVATION_TYPES:
        raise InvalidInput.of("type", f"must be one of {', '.join(RESERVATION_TYPES)}")
    return value


def _check_policies(session: Session, now: datetime, seat: Resource, kind: str, reservee: User, schedule: Schedule) -> None:
    local = desks.local_zone(session, seat)
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
    if seat.max_reservation_length and length > parse_duration(seat.max_reservation_length, desks.MAX_LENGTH_SETTING):
        raise Refused(
            Rule.LONGER_THAN_ALLOWED,
            f"Desk {seat.id} is reserved for at most {seat.max_reservation_length} at a time",
            field="end",
            desk_id=seat.id,
            max_length=seat.max_reservation_length,
        )
    threshold = seat.advanced_booking_threshold
    if threshold and schedule.series.start - now > parse_duration(threshold, desks.THRESHOLD_SETTING):
        raise Refused(
            Rule.TOO_FAR_AHEAD,
            f"Desk {seat.id} is reserved at most {threshold} ahead",
            field="start",
            desk_id=seat.id,
            threshold=threshold,
        )
    if kind == "hot":
        _require_same_day(schedule, now, local)
    if kind == assignments.EXCLUDED_DAY:
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
    if assignments.ASSIGNMENT in desk:
        return (desk - {"assigned", assignments.ASSIGNMENT}) | {assignments.EXCLUDED_DAY}
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
    excluded = assignments.excluded_days(session, seat, lower, upper, local)
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
