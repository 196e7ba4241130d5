"""Desks (Robin seats) in zones, their settings and shared schedules, and seat reservations.

Rules: a seat holds no two overlapping reservations, and a person holds no two seats at the
same time; disabled or non-reservable seats refuse; a reservation's type must be one the
seat's desk type takes; the seat's policies bound a reservation's length and how far ahead it
may be made. An assigned desk belongs to its assignee; when it is also shared, others may
reserve it, as `shared` (or `reverse_hoteled`), on the days its assignee gives up, which the
assignee publishes as a weekly schedule.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import recurrence, reservations, space_types, transitions
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
from sandbox.core.occurrences import Interval, Scope, Slot
from sandbox.core.paging import Page, PageRequest, paginate
from sandbox.core.recurrence import WEEKDAYS
from sandbox.core.reservations import Ref, ReservationView, Schedule, Window
from sandbox.core.times import local_days, parse_duration, zone
from sandbox.core.workplace import fetch, get_space, member, user_by_email
from sandbox.store.models import (
    Area,
    Building,
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


# Shared schedules


def publish_shared_schedule(session: Session, actor: Actor, seat_id: int, lines: list[str] | None) -> Resource:
    """Publish the weekdays the seat's assignee gives up to others; no line withdraws them."""
    seat = get_seat(session, actor, seat_id)
    if "shared" not in seat.desk_type or seat.assignee_id is None:
        raise Refused(
            Rule.NOT_SHARED,
            f"Desk {seat.id} is not a shared desk with an assignee, the only kind with days it is shared on",
            field="resource",
            desk_id=seat.id,
        )
    if not actor.is_admin and actor.user.id != seat.assignee_id:
        raise Forbidden("Only the assignee of the desk or an administrator may publish its shared schedule")
    recurrence.weekly_days(lines, "recurrence")
    seat.shared_schedule = list(lines) if lines else None
    seat.updated_at = actor.now
    session.add(seat)
    session.commit()
    return seat


def shared_days(seat: Resource) -> list[str]:
    days = recurrence.weekly_days(seat.shared_schedule, "shared_schedule")
    return [day for day in WEEKDAYS if day in days]


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
    reservations.lock(session, seat_id)
    if seat.is_disabled:
        raise Refused(
            Rule.RESOURCE_DISABLED,
            "The desk is disabled and can't be reserved",
            field="resource",
            resource_id=seat.id,
            kind=ReservationKind.SEAT,
        )
    if not seat.is_reservable:
        raise Refused(
            Rule.RESOURCE_NOT_RESERVABLE,
            "The desk can't be reserved",
            field="resource",
            resource_id=seat.id,
            kind=ReservationKind.SEAT,
        )
    kind = _reservation_type(draft.type)
    reservee = _reservee(session, actor, draft)
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
    released = reservations.released_at(found)
    if found.status == ReservationStatus.CANCELLED and not (released_too and released is not None and released <= actor.now):
        raise NotFound("the reservation is cancelled")
    return found


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


def _reservee(session: Session, actor: Actor, draft: SeatReservationInput) -> User:
    if draft.reservee_user_id is not None:
        return member(session, actor, draft.reservee_user_id, "reservee.user_id")
    if draft.reservee_email:
        found = user_by_email(session, draft.reservee_email)
        if found is None or found.organization_id != actor.organization_id:
            raise InvalidInput.of("reservee.email", f"no user with email {draft.reservee_email} in this organization")
        return found
    return actor.user


def _check_policies(session: Session, now: datetime, seat: Resource, kind: str, reservee: User, schedule: Schedule) -> None:
    building = session.get(Building, seat.building_id)
    assert building is not None
    local = zone(building.time_zone, "time_zone")
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
    if assignee is not None and not is_assignee and "shared" in seat.desk_type:
        _require_shared_days(seat, assignee, schedule.intervals, local)


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
    desk = set(seat.desk_type)
    if desk == {"assigned"} and seat.assignee_id is None:
        return set()
    if "assigned" in desk and not is_assignee:
        return {"shared", "reverse_hoteled"} if "shared" in desk else set()
    if "shared" in desk:
        return desk | {"reverse_hoteled"}
    return desk


def _require_same_day(schedule: Schedule, now: datetime, local: ZoneInfo) -> None:
    today = now.astimezone(local).date()
    for interval in schedule.intervals:
        if local_days(interval.start, interval.end, local) != [today]:
            raise Refused(Rule.NOT_SAME_DAY, "A hot reservation is made on the day it starts, and ends that day", field="start")


def _require_shared_days(seat: Resource, assignee: User, intervals: Iterable[Interval], local: ZoneInfo) -> None:
    days = shared_days(seat)
    for interval in intervals:
        for day in local_days(interval.start, interval.end, local):
            if WEEKDAYS[day.weekday()] not in days:
                raise Refused(
                    Rule.NOT_A_SHARED_DAY,
                    f"Desk {seat.id} is shared by its assignee on {', '.join(days) or 'no day'}, not on {day.isoformat()}",
                    field="start",
                    desk_id=seat.id,
                    assignee=assignee.name,
                    shared_days=days,
                    day=day,
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
