"""Events: reservations of a space by people, single or recurring, with check-in.

Rules: an event lasts more than five minutes; it never overlaps a live event or occurrence in
the same space (checked for every occurrence within the occurrence index's horizon); an
instance of a series is addressed as `{series}_{YYYYMMDDTHHMMSSZ}` and can be cancelled or
confirmed on its own, but changed only through its series.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlmodel import Session, col, select

from sandbox.core import occurrences, recurrence
from sandbox.core.access import Actor
from sandbox.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from sandbox.core.occurrences import Interval, Scope, Slot
from sandbox.core.paging import Page, PageRequest, page_of
from sandbox.core.times import zone
from sandbox.core.workplace import fetch, get_space, users_by_email
from sandbox.store.models import (
    Building,
    CheckIn,
    Invitee,
    OccurrenceException,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    User,
)

MIN_LENGTH = timedelta(minutes=5)
MAX_LENGTH = timedelta(days=366)
MAX_INVITEES = 500
MAX_TITLE = 255
MAX_DESCRIPTION = 8192
DEFAULT_WINDOW = timedelta(days=7)
VISIBILITIES = ("default", "public", "private", "personal", "confidential")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_INSTANCE_ID = re.compile(r"^(\d{1,18})(?:_(\d{8}T\d{6}Z))?$")


@dataclass(frozen=True)
class InviteeInput:
    email: str
    display_name: str | None = None


@dataclass(frozen=True)
class EventInput:
    start: datetime
    end: datetime
    time_zone: str
    title: str | None = None
    description: str | None = None
    visibility: str | None = None
    recurrence: list[str] | None = None
    invitees: list[InviteeInput] = field(default_factory=list)


@dataclass(frozen=True)
class EventChanges:
    """The fields a PATCH names, with their new values (`recurrence` None removes the rule)."""

    given: dict[str, Any]


@dataclass(frozen=True)
class EventRef:
    reservation_id: int
    original_start: datetime | None = None

    @classmethod
    def parse(cls, text: str) -> "EventRef":
        match = _INSTANCE_ID.match(text)
        if match is None:
            raise NotFound("Object does not exist")
        original = match.group(2)
        if original is None:
            return cls(int(match.group(1)))
        try:
            moment = datetime.strptime(original, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise NotFound("Object does not exist") from None
        return cls(int(match.group(1)), moment)


def instance_key(original_start: datetime) -> str:
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_id(reservation_id: int | None, original_start: datetime | None = None) -> str:
    """`96347456` for a single event or a series, `96347456_20190521T143000Z` for an instance."""
    if original_start is None:
        return str(reservation_id)
    return f"{reservation_id}_{instance_key(original_start)}"


def slot_event_id(slot: Slot) -> str:
    return event_id(slot.reservation.id, slot.original_start if slot.in_series else None)


@dataclass(frozen=True)
class EventView:
    """An event as readers see it: a single event, a series master, or one instance."""

    reservation: Reservation
    space: Resource
    start: datetime
    end: datetime
    status: str
    invitees: list[Invitee]
    check_in: CheckIn | None
    original_start: datetime | None = None
    """Set for an instance of a series."""


def create_event(session: Session, actor: Actor, space_id: int, draft: EventInput) -> EventView:
    space = _bookable_space(session, actor, space_id)
    tz = zone(draft.time_zone, "start.time_zone")
    _check_interval(draft.start, draft.end)
    visibility = _visibility(draft.visibility)
    invitees = _invitee_inputs(draft.invitees)
    series = recurrence.build(draft.start, draft.end, tz, draft.recurrence)
    upper = occurrences.index_until(draft.start, actor.now)
    intervals = occurrences.plan(series, set(), upper)
    _require_free(session, space, intervals, exclude=None)
    reservation = Reservation(
        organization_id=actor.organization_id, resource_id=space.id, building_id=space.building_id,
        kind=ReservationKind.EVENT, title=_title(draft.title, space, actor.user),
        description=_description(draft.description), visibility=visibility, time_zone=tz.key,
        start=draft.start, end=draft.end, recurrence=list(series.lines) or None,
        series_end=series.last_end(), indexed_until=upper,
        organizer_id=actor.user.id, creator_id=actor.user.id,
        organizer_email=actor.user.email, creator_email=actor.user.email,
        remote_type="google", creation_type="manual", source="robin",
        created_at=actor.now, updated_at=actor.now,
    )
    session.add(reservation)
    session.flush()
    assert reservation.id is not None
    reservation.remote_event_id = f"sandbox{reservation.ulid.lower()}"
    reservation.uid = f"{reservation.remote_event_id}@workplace-sandbox.local"
    occurrences.write_index(session, reservation, intervals, upper)
    _note_length(space, series.duration)
    rows = _write_invitees(session, actor, reservation, invitees)
    session.commit()
    return EventView(
        reservation, space, reservation.start, reservation.end, reservation.status, rows, None
    )


def get_event(session: Session, actor: Actor, reference: str) -> EventView:
    ref = EventRef.parse(reference)
    reservation = _event(session, actor, ref.reservation_id)
    return _view(session, reservation, ref.original_start)


def update_event(session: Session, actor: Actor, reference: str, changes: EventChanges) -> EventView:
    ref = EventRef.parse(reference)
    reservation = _event(session, actor, ref.reservation_id)
    if ref.original_start is not None:
        _require_instance(session, reservation, ref.original_start)
        raise RuleViolation(
            "instance_not_editable",
            "An instance of a recurring event can't be changed on its own; change the series "
            f"{reservation.id} instead",
        )
    _require_organizer(actor, reservation)
    if reservation.status == ReservationStatus.CANCELLED:
        raise RuleViolation("event_cancelled", "A cancelled event can't be changed")
    given = changes.given
    space = get_space(session, actor, reservation.resource_id)
    if {"start", "end", "time_zone", "recurrence"} & given.keys():
        _reschedule(session, actor, reservation, _bookable_space(session, actor, space.id or 0), given)
    if "title" in given:
        reservation.title = _title(given["title"], space, actor.user)
    if "description" in given:
        reservation.description = _description(given["description"])
    if "visibility" in given:
        reservation.visibility = _visibility(given["visibility"])
    if "invitees" in given:
        inputs = _invitee_inputs(given["invitees"] or [])
        for invitee in _invitees(session, [reservation.id or 0]).get(reservation.id or 0, []):
            session.delete(invitee)
        _write_invitees(session, actor, reservation, inputs)
    reservation.updated_at = actor.now
    session.add(reservation)
    session.commit()
    return _view(session, reservation, None)


def cancel_event(session: Session, actor: Actor, reference: str) -> EventView:
    ref = EventRef.parse(reference)
    reservation = _event(session, actor, ref.reservation_id)
    _require_organizer(actor, reservation)
    if ref.original_start is not None:
        _require_instance(session, reservation, ref.original_start)
        already = session.exec(
            select(OccurrenceException).where(
                OccurrenceException.reservation_id == reservation.id,
                OccurrenceException.original_start == ref.original_start,
            )
        ).first()
        if already is None:
            session.add(OccurrenceException(
                reservation_id=reservation.id or 0, original_start=ref.original_start, created_at=actor.now
            ))
            occurrences.remove_from_index(session, reservation.id or 0, ref.original_start)
    elif reservation.status != ReservationStatus.CANCELLED:
        reservation.status = ReservationStatus.CANCELLED
        reservation.cancelled_at = actor.now
        reservation.updated_at = actor.now
        session.add(reservation)
        occurrences.remove_from_index(session, reservation.id or 0)
    session.commit()
    return _view(session, reservation, ref.original_start)


@dataclass(frozen=True)
class Window:
    """A listing window; `after` defaults to now and `before` to DEFAULT_WINDOW after it."""

    after: datetime | None = None
    before: datetime | None = None

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        lower = self.after or now
        upper = self.before or lower + DEFAULT_WINDOW
        if upper <= lower:
            raise InvalidInput.of("before", "must be later than after")
        return lower, upper


def events_in_space(session: Session, actor: Actor, space_id: int, window: Window, page: PageRequest) -> Page[EventView]:
    get_space(session, actor, space_id)
    return _list(session, actor, Scope(actor.organization_id, resource_ids=[space_id]), window, page)


def upcoming_in_space(session: Session, actor: Actor, space_id: int, page: PageRequest) -> Page[EventView]:
    return events_in_space(session, actor, space_id, Window(actor.now, actor.now + occurrences.HORIZON), page)


def events_in_building(
    session: Session, actor: Actor, building_id: int, window: Window, page: PageRequest
) -> Page[EventView]:
    fetch(session, actor, Building, building_id)
    return _list(session, actor, Scope(actor.organization_id, building_id=building_id), window, page)


def events_of_user(session: Session, actor: Actor, user_id: int, window: Window, page: PageRequest) -> Page[EventView]:
    """Events the user organizes, created or is invited to."""
    fetch(session, actor, User, user_id)
    return _list(session, actor, Scope(actor.organization_id, user_id=user_id), window, page)


def _list(session: Session, actor: Actor, scope: Scope, window: Window, page: PageRequest) -> Page[EventView]:
    lower, upper = window.bounds(actor.now)
    found = page_of(occurrences.slots(session, scope, lower, upper, limit=page.offset + page.per_page + 1), page)
    return Page(views_of(session, found.items), found.page, found.per_page, found.has_next)


def views_of(session: Session, found: Iterable[Slot]) -> list[EventView]:
    """Views of occurrences, loading invitees, check-ins and spaces in one query each."""
    found = list(found)
    reservation_ids = list({slot.reservation.id or 0 for slot in found})
    invitees = _invitees(session, reservation_ids)
    check_ins = _check_ins(session, reservation_ids)
    spaces = _spaces(session, {slot.reservation.resource_id for slot in found})
    return [
        EventView(
            reservation=slot.reservation, space=spaces[slot.reservation.resource_id],
            start=slot.start, end=slot.end, status=slot.reservation.status,
            invitees=invitees.get(slot.reservation.id or 0, []),
            check_in=check_ins.get((slot.reservation.id or 0, slot.original_start)),
            original_start=slot.original_start if slot.in_series else None,
        )
        for slot in found
    ]


def _bookable_space(session: Session, actor: Actor, space_id: int) -> Resource:
    space = get_space(session, actor, space_id)
    # Serializes writers of one space on PostgreSQL; SQLite writers are already serial.
    session.exec(select(Resource.id).where(Resource.id == space_id).with_for_update()).one()
    if space.is_disabled:
        raise RuleViolation("space_disabled", f"Space {space.id} is disabled and can't be booked")
    if not space.is_reservable:
        raise RuleViolation("space_not_reservable", f"Space {space.id} can't be reserved")
    return space


def _event(session: Session, actor: Actor, reservation_id: int) -> Reservation:
    reservation = fetch(session, actor, Reservation, reservation_id)
    if reservation.kind != ReservationKind.EVENT:
        raise NotFound("Object does not exist")
    return reservation


def _require_organizer(actor: Actor, reservation: Reservation) -> None:
    if not actor.is_admin and actor.user.id not in (reservation.organizer_id, reservation.creator_id):
        raise Forbidden("Only the organizer of the event or an administrator may change it")


def _require_instance(session: Session, reservation: Reservation, original_start: datetime) -> None:
    if reservation.recurrence is None:
        raise NotFound("Object does not exist")
    series = occurrences.series_of(reservation)
    if next(series.starts_between(original_start, original_start + timedelta(seconds=1)), None) != original_start:
        raise NotFound("Object does not exist")


def _view(session: Session, reservation: Reservation, original_start: datetime | None) -> EventView:
    space = session.get(Resource, reservation.resource_id)
    assert space is not None
    invitees = _invitees(session, [reservation.id or 0]).get(reservation.id or 0, [])
    if original_start is None:
        check_in = None
        if reservation.recurrence is None:
            check_in = _check_ins(session, [reservation.id or 0]).get((reservation.id or 0, reservation.start))
        return EventView(
            reservation, space, reservation.start, reservation.end, reservation.status, invitees, check_in
        )
    _require_instance(session, reservation, original_start)
    cancelled = session.exec(
        select(OccurrenceException.id).where(
            OccurrenceException.reservation_id == reservation.id,
            OccurrenceException.original_start == original_start,
        )
    ).first()
    status = ReservationStatus.CANCELLED if cancelled is not None else reservation.status
    check_in = _check_ins(session, [reservation.id or 0]).get((reservation.id or 0, original_start))
    length = reservation.end - reservation.start
    return EventView(
        reservation, space, original_start, original_start + length, status, invitees, check_in, original_start
    )


def _reschedule(
    session: Session, actor: Actor, reservation: Reservation, space: Resource, given: dict[str, Any]
) -> None:
    start = given.get("start", reservation.start)
    end = given.get("end", reservation.end)
    tz = zone(given.get("time_zone", reservation.time_zone), "start.time_zone")
    lines = given["recurrence"] if "recurrence" in given else reservation.recurrence
    _check_interval(start, end)
    series = recurrence.build(start, end, tz, lines)
    upper = occurrences.index_until(start, actor.now)
    cancelled = _moved_cancellations(session, reservation, start, tz, recurs=bool(series.lines))
    intervals = occurrences.plan(series, cancelled, upper)
    _require_free(session, space, intervals, exclude=reservation.id)
    _store_cancellations(session, reservation, cancelled, actor.now)
    reservation.start, reservation.end, reservation.time_zone = start, end, tz.key
    reservation.recurrence = list(series.lines) or None
    reservation.series_end = series.last_end()
    occurrences.write_index(session, reservation, intervals, upper)
    _note_length(space, series.duration)


def _moved_cancellations(
    session: Session, reservation: Reservation, start: datetime, tz: ZoneInfo, *, recurs: bool
) -> set[datetime]:
    """Cancelled occurrences of a rescheduled series move with it, by the same wall-clock shift.

    A series that no longer recurs keeps none: its single occurrence is live.
    """
    if not recurs:
        return set()
    old_tz = zone(reservation.time_zone, "time_zone")
    shift = _wall(start, tz) - _wall(reservation.start, old_tz)
    return {
        (_wall(original, old_tz) + shift).replace(tzinfo=tz).astimezone(UTC)
        for original in occurrences.cancelled_starts(session, reservation.id or 0)
    }


def _store_cancellations(session: Session, reservation: Reservation, cancelled: set[datetime], now: datetime) -> None:
    session.exec(delete(OccurrenceException).where(col(OccurrenceException.reservation_id) == reservation.id))  # type: ignore[call-overload]
    session.add_all(
        OccurrenceException(reservation_id=reservation.id or 0, original_start=original, created_at=now)
        for original in sorted(cancelled)
    )


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz).replace(tzinfo=None)


def _require_free(session: Session, space: Resource, intervals: list[Interval], exclude: int | None) -> None:
    scope = Scope(organization_id=space.organization_id, resource_ids=[space.id or 0], exclude_reservation_id=exclude)
    collision = occurrences.first_collision(session, scope, intervals)
    if collision is None:
        return
    _, existing = collision
    raise Conflict(
        "event_conflict",
        f"The requested time conflicts with event {slot_event_id(existing)} in space {space.id}",
        collision=existing,
    )


def _note_length(space: Resource, length: timedelta) -> None:
    space.longest_booking_s = max(space.longest_booking_s, int(length.total_seconds()) + 1)


def _check_interval(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InvalidInput.of("end", "must be later than start")
    if end - start <= MIN_LENGTH:
        raise InvalidInput.of("end", "events must be longer than five minutes")
    if end - start > MAX_LENGTH:
        raise InvalidInput.of("end", f"events may last at most {MAX_LENGTH.days} days")


def _visibility(value: str | None) -> str:
    if value is None:
        return "default"
    if value not in VISIBILITIES:
        raise InvalidInput.of("visibility", f"must be one of {', '.join(VISIBILITIES)}")
    return value


def _title(value: str | None, space: Resource, booker: User) -> str:
    if value is None or not value.strip():
        return f"{space.name} booked by {booker.name}"
    if len(value) > MAX_TITLE:
        raise InvalidInput.of("title", f"must be at most {MAX_TITLE} characters")
    return value


def _description(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_DESCRIPTION:
        raise InvalidInput.of("description", f"must be at most {MAX_DESCRIPTION} characters")
    return value


def _invitee_inputs(invitees: list[InviteeInput]) -> list[InviteeInput]:
    if len(invitees) > MAX_INVITEES:
        raise InvalidInput.of("invitees", f"an event may have at most {MAX_INVITEES} invitees")
    unique: dict[str, InviteeInput] = {}
    for position, invitee in enumerate(invitees):
        email = invitee.email.strip() if isinstance(invitee.email, str) else ""
        if not email:
            raise InvalidInput.of(f"invitees.{position}.email", "can't be blank", "required")
        if len(email) > 320 or not _EMAIL.match(email):
            raise InvalidInput.of(f"invitees.{position}.email", f"'{email}' is not an email address")
        unique.setdefault(email.lower(), InviteeInput(email, invitee.display_name))
    return list(unique.values())


def _write_invitees(
    session: Session, actor: Actor, reservation: Reservation, inputs: list[InviteeInput]
) -> list[Invitee]:
    known = users_by_email(session, actor.organization_id, [invitee.email for invitee in inputs])
    rows = []
    for invitee in inputs:
        user = known.get(invitee.email.lower())
        is_organizer = user is not None and user.id == reservation.organizer_id
        row = Invitee(
            reservation_id=reservation.id or 0, user_id=user.id if user else None, email=invitee.email,
            display_name=user.name if user else None,
            response_status="accepted" if is_organizer else "not_responded",
            is_organizer=is_organizer, created_at=actor.now, updated_at=actor.now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _invitees(session: Session, reservation_ids: list[int]) -> dict[int, list[Invitee]]:
    grouped: dict[int, list[Invitee]] = {}
    if reservation_ids:
        for invitee in session.exec(
            select(Invitee).where(col(Invitee.reservation_id).in_(reservation_ids)).order_by(col(Invitee.id))
        ):
            grouped.setdefault(invitee.reservation_id, []).append(invitee)
    return grouped


def _check_ins(session: Session, reservation_ids: list[int]) -> dict[tuple[int, datetime], CheckIn]:
    if not reservation_ids:
        return {}
    rows = session.exec(select(CheckIn).where(col(CheckIn.reservation_id).in_(reservation_ids))).all()
    return {(row.reservation_id, row.original_start): row for row in rows}


def _spaces(session: Session, space_ids: set[int]) -> dict[int, Resource]:
    if not space_ids:
        return {}
    rows = session.exec(select(Resource).where(col(Resource.id).in_(space_ids))).all()
    return {row.id or 0: row for row in rows}
