"""When a building can be booked: opening hours, closures, the booking horizon, onsite capacity,
and the spaces on a floor that are free for a person and a time.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from sandbox.core import occurrences, reservations, seats
from sandbox.core.access import Actor
from sandbox.core.clock import EARLIEST, LATEST
from sandbox.core.errors import InvalidInput
from sandbox.core.occurrences import Scope
from sandbox.core.recurrence import WEEKDAYS
from sandbox.core.space_types import BOOKING_TYPES, booking_type
from sandbox.core.times import local_days, require_later, zone
from sandbox.store.models import (
    Building,
    Floor,
    ReservationKind,
    Resource,
    ResourceKind,
    User,
)

BUILDING_CLOSURE = "closure"
"""The building is closed that day (a closure)."""
OPENING_HOURS = "outside_opening_hours"
BUILDING_CLOSED = "closed_that_weekday"
NO_CAPACITY = "no_capacity"
UNKNOWN = "unknown"
"""Past the booking horizon: not known yet."""
BEYOND_HORIZON = "beyond_horizon"
"""Kadence's reason for anything else: here, a time past the booking horizon."""
IN_THE_PAST = "in_the_past"
"""The booking would start before the earliest a booking made now may start."""
LATE_START_ALLOWANCE = timedelta(minutes=1)
"""How long before the current minute a booking may still start: a request sent in one minute
may be read in the next."""
FIRST_DAY, LAST_DAY = EARLIEST.date() - timedelta(days=1), LATEST.date()
"""The local days an organization's clock can show in any time zone."""


def local_zone(building: Building) -> ZoneInfo:
    return zone(building.time_zone, "time_zone")


def opening(building: Building, day: date) -> tuple[datetime, datetime] | None:
    """When the building is open on a local `day`, in UTC; None when it is closed. A building
    without opening hours is open around the clock."""
    if day.isoformat() in building.closures:
        return None
    hours = (building.opening_hours.get(WEEKDAYS[day.weekday()]) or []) if building.opening_hours else ["00:00", "24:00"]
    if not hours:
        return None
    tz = local_zone(building)
    opens, closes = (_local(day, moment, tz) for moment in hours)
    return opens, closes


def local_day(building: Building, day: date) -> tuple[datetime, datetime]:
    """The first instant of the local `day` in the building and that of the next day, in UTC.
    Refused unless an organization's clock can show that day somewhere (see clock.EARLIEST)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput.of("day", f"must be from {FIRST_DAY} to {LAST_DAY}")
    tz = local_zone(building)
    return _local(day, "00:00", tz), _local(day, "24:00", tz)


def _local(day: date, moment: str, tz: ZoneInfo) -> datetime:
    if moment == "24:00":
        return datetime.combine(day + timedelta(days=1), time(0), tz).astimezone(UTC)
    return datetime.combine(day, time.fromisoformat(moment), tz).astimezone(UTC)


def closed_reason(building: Building, start: datetime, end: datetime) -> str | None:
    """Why [start, end) can't be booked in the building, or None: it lies within its opening
    hours, which may run on across midnight from one open day into the next."""
    reached = start
    for day in local_days(start, end, local_zone(building)):
        if day.isoformat() in building.closures:
            return BUILDING_CLOSURE
        window = opening(building, day)
        if window is None:
            return BUILDING_CLOSED
        if reached < window[0]:
            return OPENING_HOURS
        reached = window[1]
    return OPENING_HOURS if end > reached else None


def earliest_start(now: datetime) -> datetime:
    """The earliest a booking made `now` may start: the beginning of the current minute, so that
    a client who read it a few seconds ago still finds it good."""
    return now.replace(second=0, microsecond=0)


def bookable_days(building: Building, now: datetime) -> list[tuple[datetime, datetime]]:
    """Each open day from today through the booking horizon; today starts no earlier than
    `earliest_start`."""
    today = now.astimezone(local_zone(building)).date()
    days = []
    for offset in range(building.booking_horizon_days):
        window = opening(building, today + timedelta(days=offset))
        if window is None:
            continue
        start, end = window
        if offset == 0:
            if now >= end:
                continue
            start = max(start, earliest_start(now))
        days.append((start, end))
    return days


def require_bookable(building: Building, start: datetime, end: datetime, now: datetime) -> None:
    """Refuse a booking outside the building's bookable days and opening hours: one that starts
    before the earliest a booking made now may (less LATE_START_ALLOWANCE), on a day the building
    is closed, outside its hours or past its horizon."""
    if starts_too_early(start, now):
        raise InvalidInput.of("start", "The booking can't start in the past.", IN_THE_PAST)
    reason = closed_reason(building, start, end)
    messages = {
        BUILDING_CLOSURE: "The building is closed on that day.",
        BUILDING_CLOSED: "The building is not open on that day of the week.",
        OPENING_HOURS: "The booking must fall within the building's opening hours.",
    }
    if reason is not None:
        raise InvalidInput.of("start", messages[reason], reason)
    if beyond_horizon(building, start, now):
        raise InvalidInput.of(
            "start", f"Bookings can be made at most {building.booking_horizon_days} days ahead.", BEYOND_HORIZON
        )


def starts_too_early(start: datetime, now: datetime) -> bool:
    """Whether a booking made `now` can't start at `start`: before `earliest_start`, less
    LATE_START_ALLOWANCE."""
    return start < earliest_start(now) - LATE_START_ALLOWANCE


def beyond_horizon(building: Building, start: datetime, now: datetime) -> bool:
    """Whether `start` falls on a local day past the building's booking horizon (today included)."""
    last_day = now.astimezone(local_zone(building)).date() + timedelta(days=building.booking_horizon_days - 1)
    return start.astimezone(local_zone(building)).date() > last_day


@dataclass(frozen=True)
class OnsitePass:
    available_passes: int | None
    available: bool
    start: datetime
    end: datetime
    unavailability_reason: str | None


def onsite_resource(session: Session, building: Building) -> Resource:
    """The building's onsite passes, as the resource onsite bookings reserve; made on first use
    (by the loader, or by a building's first onsite booking), so only write paths call this."""
    found = session.exec(
        select(Resource).where(Resource.building_id == building.id, Resource.kind == ResourceKind.ONSITE)
    ).first()
    if found is None:
        found = Resource(
            organization_id=building.organization_id,
            building_id=building.id or 0,
            kind=ResourceKind.ONSITE,
            name=f"{building.name} onsite",
            is_reservable=True,
            created_at=building.created_at,
            updated_at=building.created_at,
        )
        session.add(found)
        session.flush()
    return found


def onsite_pass(session: Session, building: Building, start: datetime, end: datetime, now: datetime) -> OnsitePass:
    require_later(start, end, "end", "start")
    reason = closed_reason(building, start, end)
    if reason is not None:
        return OnsitePass(0, False, start, end, reason)
    if starts_too_early(start, now) or beyond_horizon(building, start, now):
        return OnsitePass(0, False, start, end, UNKNOWN)
    left = passes_left(session, building, start, end, now)
    if left is None:
        return OnsitePass(None, True, start, end, None)
    return OnsitePass(left, left > 0, start, end, None if left else NO_CAPACITY)


def passes_left(session: Session, building: Building, start: datetime, end: datetime, now: datetime) -> int | None:
    """How many more people may book to be onsite throughout [start, end); None: no limit."""
    if building.onsite_capacity is None:
        return None
    return max(0, building.onsite_capacity - onsite_count(session, building, start, end, now))


def onsite_count(session: Session, building: Building, start: datetime, end: datetime, now: datetime) -> int:
    """The most onsite bookings live at any one moment of [start, end)."""
    scope = Scope(building.organization_id, building_id=building.id, kind=ReservationKind.ONSITE)
    moments: list[tuple[datetime, int]] = []
    for slot in occurrences.slots(session, scope, start, end, now=now):
        moments += [(max(slot.start, start), 1), (min(slot.end, end), -1)]
    peak = current = 0
    for _, change in sorted(moments, key=lambda item: (item[0], item[1])):
        current += change
        peak = max(peak, current)
    return peak


def bookable_spaces(
    session: Session, actor: Actor, floor: Floor, person: User, start: datetime, end: datetime, kind: str
) -> list[Resource]:
    """Spaces of booking type `kind` on `floor` that `person` could book for [start, end)."""
    if kind not in BOOKING_TYPES:
        raise InvalidInput.of("spaceType", f"must be one of {', '.join(BOOKING_TYPES)}")
    require_later(start, end, "end", "start")
    building = session.get(Building, floor.building_id)
    assert building is not None
    if (
        closed_reason(building, start, end) is not None
        or starts_too_early(start, actor.now)
        or beyond_horizon(building, start, actor.now)
    ):
        return []
    if kind == "desk" and reservations.holds_any(session, ReservationKind.SEAT, person, start, end, actor.now):
        return []
    candidates = [
        resource
        for resource in session.exec(
            select(Resource)
            .where(
                Resource.floor_id == floor.id,
                col(Resource.kind).in_([ResourceKind.DESK, ResourceKind.SPACE]),
                col(Resource.is_reservable).is_(True),
                col(Resource.is_disabled).is_(False),
                col(Resource.on_demand).is_(False),
            )
            .order_by(col(Resource.name), col(Resource.id))
        )
        if booking_type(resource) == kind
    ]
    if not candidates:
        return []
    scope = Scope(actor.organization_id, resource_ids=[resource.id or 0 for resource in candidates])
    taken = {slot.reservation.resource_id for slot in occurrences.slots(session, scope, start, end, now=actor.now)}
    free = [resource for resource in candidates if resource.id not in taken]
    if kind == "desk":
        free = [desk for desk in free if seats.may_reserve(session, desk, person, start, end, actor.now)]
    return free
