"""Availability of spaces: free/busy searches and the live state of one space."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from sandbox.core import occurrences, presence, recurrence
from sandbox.core.access import Actor
from sandbox.core.errors import InvalidInput
from sandbox.core.occurrences import Scope, Slot
from sandbox.core.paging import Page, PageRequest, page_of
from sandbox.core.times import require_later, zone
from sandbox.core.transitions import CHECK_IN_OPENS
from sandbox.core.workplace import (
    SpaceFilters,
    get_space,
    require_visible,
    space_conditions,
    validate_capacity_range,
)
from sandbox.store.models import Building, CheckIn, Floor, Resource

DEFAULT_TYPES: list[str | None] = [None, "breakout", "call", "conference", "meeting", "office", "study_room"]
"""Space types a search returns unless it names others: specialty types such as kitchen are left out."""
MAX_REPEATS = 15
MERGE_THRESHOLD = timedelta(minutes=30)
"""The free gap a flexible-time search looks for unless it names another."""
MAX_WINDOW = timedelta(days=31)
PRIORITIZATIONS = ("specific_time", "flexible_time")


@dataclass(frozen=True)
class FreeBusyQuery:
    lower: datetime
    upper: datetime
    location_ids: list[int] = field(default_factory=list)
    space_ids: list[int] = field(default_factory=list)
    level_ids: list[int] = field(default_factory=list)
    filters: SpaceFilters = field(default_factory=SpaceFilters)
    include_unbookable: bool = False
    include_on_demand: bool = False
    recurrence: list[str] | None = None
    time_zone: str | None = None
    prioritization: str = "flexible_time"
    merge_threshold: timedelta = MERGE_THRESHOLD
    page: PageRequest = field(default_factory=PageRequest)


@dataclass(frozen=True)
class BusyBlock:
    start: datetime
    end: datetime
    slots: list[Slot]


@dataclass(frozen=True)
class Availability:
    space: Resource
    busy: list[BusyBlock]
    has_presence: bool = False


def free_busy(session: Session, actor: Actor, query: FreeBusyQuery) -> Page[Availability]:
    windows = _windows(query)
    spaces = _spaces_in_scope(session, actor, query)
    space_ids = [space.id or 0 for space in spaces]
    busy_by_space: dict[int, list[Slot]] = defaultdict(list)
    if spaces:
        scope = Scope(organization_id=actor.organization_id, resource_ids=space_ids)
        seen: set[tuple[int, datetime]] = set()
        for lower, upper in windows:
            for slot in occurrences.slots(session, scope, lower, upper, now=actor.now):
                key = (slot.reservation.id or 0, slot.original_start)
                if key not in seen:
                    seen.add(key)
                    busy_by_space[slot.reservation.resource_id].append(slot)
    present = presence.present_counts(session, actor.organization_id, space_ids, actor.now)
    results = [
        Availability(space, merge_busy(busy_by_space[space.id or 0]), present.get(space.id or 0, 0) > 0) for space in spaces
    ]
    if query.prioritization == "specific_time":
        results.sort(key=lambda result: _specific_time_rank(result, windows))
    else:
        results.sort(key=lambda result: _flexible_time_rank(result, windows, query.merge_threshold))
    return page_of(results, query.page)


def merge_busy(slots: list[Slot]) -> list[BusyBlock]:
    """Busy blocks: overlapping or touching occurrences merged, each listing its occurrences."""
    blocks: list[BusyBlock] = []
    for slot in sorted(slots, key=lambda item: (item.start, item.end)):
        if blocks and slot.start <= blocks[-1].end:
            last = blocks[-1]
            blocks[-1] = BusyBlock(last.start, max(last.end, slot.end), [*last.slots, slot])
        else:
            blocks.append(BusyBlock(slot.start, slot.end, [slot]))
    return blocks


def _windows(query: FreeBusyQuery) -> list[tuple[datetime, datetime]]:
    require_later(query.lower, query.upper, "to", "from")
    if query.upper - query.lower > MAX_WINDOW:
        raise InvalidInput.of("to", f"the bounds may span at most {MAX_WINDOW.days} days")
    if query.prioritization not in PRIORITIZATIONS:
        raise InvalidInput.of("prioritization_type", f"must be one of {', '.join(PRIORITIZATIONS)}")
    tz = zone(query.time_zone or "UTC", "time_zone")
    return recurrence.expand_bounds(query.lower, query.upper, tz, query.recurrence, MAX_REPEATS)


def _spaces_in_scope(session: Session, actor: Actor, query: FreeBusyQuery) -> list[Resource]:
    if not (query.location_ids or query.space_ids or query.level_ids):
        raise InvalidInput.of("scope", "give at least one of location_ids, space_ids or level_ids", "required")
    validate_capacity_range(query.filters)
    require_visible(session, actor, Building, query.location_ids, "location_ids")
    require_visible(session, actor, Floor, query.level_ids, "level_ids")
    require_visible(session, actor, Resource, query.space_ids, "space_ids")
    filters = query.filters
    if filters.types is None:
        filters = SpaceFilters(**{**filters.__dict__, "types": DEFAULT_TYPES})
    conditions = space_conditions(filters)
    if not query.include_unbookable:
        conditions += [col(Resource.is_disabled).is_(False), col(Resource.is_reservable).is_(True)]
    if not query.include_on_demand:
        conditions.append(col(Resource.on_demand).is_(False))
    in_scope = or_(
        col(Resource.building_id).in_(query.location_ids),
        col(Resource.floor_id).in_(query.level_ids),
        col(Resource.id).in_(query.space_ids),
    )
    statement = (
        select(Resource)
        .where(Resource.organization_id == actor.organization_id, in_scope, *conditions)
        .order_by(col(Resource.id))
    )
    return list(session.exec(statement).all())


def _overlap(block: BusyBlock, lower: datetime, upper: datetime) -> timedelta:
    return max(timedelta(0), min(block.end, upper) - max(block.start, lower))


def _specific_time_rank(result: Availability, windows: list[tuple[datetime, datetime]]) -> tuple[object, ...]:
    busy_windows = 0
    busy_time = timedelta(0)
    for lower, upper in windows:
        overlap = sum((_overlap(block, lower, upper) for block in result.busy), timedelta(0))
        busy_windows += overlap > timedelta(0)
        busy_time += overlap
    return busy_windows, busy_time, result.space.name.lower(), result.space.id


def _flexible_time_rank(
    result: Availability, windows: list[tuple[datetime, datetime]], threshold: timedelta
) -> tuple[object, ...]:
    windows_without_room = 0
    free_time = timedelta(0)
    for lower, upper in windows:
        gaps = _free_gaps(result.busy, lower, upper)
        windows_without_room += not any(gap >= threshold for gap in gaps)
        free_time += sum(gaps, timedelta(0))
    return windows_without_room, -free_time, result.space.name.lower(), result.space.id


def _free_gaps(blocks: list[BusyBlock], lower: datetime, upper: datetime) -> list[timedelta]:
    gaps = []
    cursor = lower
    for block in blocks:
        if block.end <= lower or block.start >= upper:
            continue
        if block.start > cursor:
            gaps.append(block.start - cursor)
        cursor = max(cursor, block.end)
    if cursor < upper:
        gaps.append(upper - cursor)
    return gaps


@dataclass(frozen=True)
class SpaceState:
    space: Resource
    availability: str
    present: int
    """How many people or devices are present in the space now."""
    next_busy_change: datetime | None


IMMINENT = CHECK_IN_OPENS
"""How soon a space's next occurrence starts for the space to read booked already ("reserved or
imminently reserved", in Robin's words): from when the occurrence may be checked in."""
LOOK_AHEAD = (timedelta(days=1), timedelta(days=14), occurrences.HORIZON)
"""How far ahead `space_state` reads the calendar: further only while it has not found where the
space is next free and then booked. A nearer reach sees a prefix of a further one's slots, so the
answer is the same; most spaces are decided within a day, without expanding a year of series."""


def _ahead(
    session: Session, scope: Scope, now: datetime, reach: timedelta
) -> tuple[list[Slot], datetime | None, datetime | None]:
    """Within `reach` of `now`: the occurrences under way or imminent (starting within
    IMMINENT), when the run of back-to-back ones from now ends (None: none under way or
    imminent), and when the next one after it starts (None: not within reach)."""
    current: list[Slot] = []
    busy_until: datetime | None = None
    for slot in occurrences.slots(session, scope, now, now + reach, now=now, limit=200):
        if slot.start > (busy_until or now + IMMINENT):
            return current, busy_until, slot.start
        current.append(slot)
        busy_until = max(busy_until or slot.end, slot.end)
    return current, busy_until, None


def space_state(session: Session, actor: Actor, space_id: int) -> SpaceState:
    """disabled; in_use (someone is present, or an occurrence under way is checked in); booked (an
    occurrence is under way or starts within IMMINENT); available. The next change is when the
    run of occurrences under way or imminent ends, else when the next one starts."""
    return states_of(session, actor, [get_space(session, actor, space_id)])[0]


def states_of(session: Session, actor: Actor, spaces: list[Resource]) -> list[SpaceState]:
    """The state of each of `spaces`, spaces the actor may see, as `space_state` gives one."""
    space_ids = [space.id or 0 for space in spaces]
    present = presence.present_counts(session, actor.organization_id, space_ids, actor.now)
    return [_state(session, actor, space, present.get(space.id or 0, 0)) for space in spaces]


def _state(session: Session, actor: Actor, space: Resource, present: int) -> SpaceState:
    now = actor.now
    if space.is_disabled:
        return SpaceState(space, "disabled", present, None)
    scope = Scope(organization_id=actor.organization_id, resource_ids=[space.id or 0])
    for reach in LOOK_AHEAD:
        current, busy_until, next_start = _ahead(session, scope, now, reach)
        if next_start is not None:
            break
    if busy_until is None:
        return SpaceState(space, "in_use" if present else "available", present, next_start)
    under_way = [slot for slot in current if slot.start <= now]
    checked_in = (
        under_way
        and session.exec(
            select(CheckIn.id).where(
                col(CheckIn.withdrawn_at).is_(None),
                or_(
                    *(
                        (col(CheckIn.reservation_id) == slot.reservation.id)
                        & (col(CheckIn.original_start) == slot.original_start)
                        for slot in under_way
                    )
                ),
            )
        ).first()
    )
    in_use = present > 0 or bool(checked_in)
    return SpaceState(space, "in_use" if in_use else "booked", present, busy_until)
