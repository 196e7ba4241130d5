"""Events: reservations of a space by people, single or recurring, with invitees.

Rules: an event lasts more than five minutes; it never overlaps a live event or occurrence in
the same space (checked for every occurrence within the occurrence index's horizon); an
instance of a series can be cancelled or confirmed on its own, but changed only through its
series. Its organizer is whoever booked it, or someone of the organization an administrator
books for. A change that names an event's current values changes nothing of them.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from sandbox.core import occurrences, reservations, space_types, transitions
from sandbox.core.access import Actor
from sandbox.core.errors import InvalidInput, Refused, Rule
from sandbox.core.keys import OccurrenceKey
from sandbox.core.occurrences import Scope
from sandbox.core.paging import Page, PageRequest
from sandbox.core.reservations import ReservationView, Schedule, Window
from sandbox.core.times import require_later, zone
from sandbox.core.workplace import fetch, get_space, is_email, member_named, users_by_email
from sandbox.store.models import (
    Building,
    Invitee,
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
VISIBILITIES = ("default", "public", "private", "personal", "confidential")
LOOK_BACK = occurrences.HORIZON
"""How far back a list of recent events reaches: as far as a list of upcoming ones reaches ahead."""


@dataclass(frozen=True)
class InviteeInput:
    email: str
    display_name: str | None = None


@dataclass(frozen=True)
class EventInput:
    start: datetime
    end: datetime
    time_zone: str | None = None
    """The zone its recurrence is read in and its times shown in; None: its space's location's."""
    title: str | None = None
    description: str | None = None
    visibility: str | None = None
    recurrence: list[str] | None = None
    invitees: list[InviteeInput] = field(default_factory=list)
    organizer: int | str | None = None
    """Who holds the event, named by id, email or slug (`workplace.member_named`): someone of the
    organization, whom only an administrator names for someone else; None: the booker."""
    source: str = "robin"
    """Which API it came through, by its name (robin, kadence), or fixture."""


@dataclass(frozen=True)
class EventChanges:
    """The fields a PATCH names, with their new values (`recurrence` None removes the rule). A
    value equal to the event's own changes nothing."""

    given: dict[str, Any]
    mirrored: dict[str, Any] = field(default_factory=dict)
    """`start` or `end` named a second time, as a client that sends the event back whole may name
    it twice: the change where `given` names it as it is (or not at all), else ignored."""


_ORGANIZER_ONLY = "Only the organizer of the event or an administrator may change it"


def create_event(session: Session, actor: Actor, space_id: int, draft: EventInput) -> ReservationView:
    space = _bookable_space(session, actor, space_id)
    organizer = actor.user if draft.organizer is None else member_named(session, actor, draft.organizer, "organizer")
    transitions.require_acting_for(actor, organizer)
    tz = zone(draft.time_zone, "start.time_zone") if draft.time_zone is not None else _local_zone(session, space)
    _check_interval(draft.start, draft.end)
    visibility = _visibility(draft.visibility)
    invitees = _invitee_inputs(draft.invitees)
    schedule = reservations.plan_schedule(session, actor.now, draft.start, draft.end, tz, draft.recurrence)
    _require_free(session, space, schedule, None, actor.now)
    reservation = Reservation(
        organization_id=actor.organization_id,
        resource_id=space.id or 0,
        building_id=space.building_id,
        time_zone=schedule.series.zone.key,
        kind=ReservationKind.EVENT,
        title=_title(draft.title, space, actor.user),
        description=_description(draft.description),
        visibility=visibility,
        organizer_id=organizer.id,
        creator_id=actor.user.id,
        organizer_email=organizer.email,
        creator_email=actor.user.email,
        remote_type="google",
        creation_type="manual",
        source=draft.source,
        release_after_s=space_types.release_window(session, space),
        created_at=actor.now,
        updated_at=actor.now,
    )
    reservations.apply_schedule(session, reservation, space, schedule, actor.now)
    reservation.remote_event_id = f"sandbox{reservation.ulid.lower()}"
    reservation.uid = f"{reservation.remote_event_id}@workplace-sandbox.local"
    rows = _write_invitees(session, actor, reservation, invitees)
    session.commit()
    return ReservationView(reservation, space, reservation.start, reservation.end, reservation.status, rows, None)


def get_event(session: Session, actor: Actor, key: OccurrenceKey, *, for_change: bool = False) -> ReservationView:
    """The event, series or instance `key` names; `for_change`: held for a transition
    (`reservations.hold`)."""
    reservation = reservations.load(session, actor, key, ReservationKind.EVENT, for_change=for_change)
    return reservations.view(session, reservation, key.original_start, actor.now)


def update_event(session: Session, actor: Actor, key: OccurrenceKey, changes: EventChanges) -> ReservationView:
    reservation = reservations.load(session, actor, key, ReservationKind.EVENT, for_change=True)
    if key.original_start is not None:
        reservations.require_instance(reservation, key.original_start)
        raise Refused(
            Rule.OCCURRENCE_CHANGED_ALONE,
            f"An occurrence of a series is changed only through its series, {reservation.id}",
            field="reservation",
            series_id=reservation.id,
        )
    _require_organizer(actor, reservation)
    if _no_longer_held(session, reservation, actor.now):
        raise Refused(Rule.CANCELLED_UNCHANGEABLE, "A cancelled reservation can't be changed", field="reservation")
    given = _reconciled(reservation, changes)
    space = get_space(session, actor, reservation.resource_id)
    changed = False
    if _moves(reservation, given):
        _reschedule(session, actor, reservation, _bookable_space(session, actor, space.id or 0), given)
        changed = True
    values: dict[str, Any] = {}
    if "title" in given:
        values["title"] = _title(given["title"], space, actor.user)
    if "description" in given:
        values["description"] = _description(given["description"])
    if "visibility" in given:
        values["visibility"] = _visibility(given["visibility"])
    for name, value in values.items():
        if getattr(reservation, name) != value:
            setattr(reservation, name, value)
            changed = True
    if "invitees" in given:
        changed |= _replace_invitees(session, actor, reservation, _invitee_inputs(given["invitees"] or []))
    if changed:
        reservation.updated_at = actor.now
        session.add(reservation)
    session.commit()
    return reservations.view(session, reservation, None, actor.now)


def _reconciled(reservation: Reservation, changes: EventChanges) -> dict[str, Any]:
    """The changes, each bound named twice read as the one that changes it (`EventChanges.mirrored`)."""
    given = dict(changes.given)
    for name, value in changes.mirrored.items():
        if given.get(name, getattr(reservation, name)) == getattr(reservation, name):
            given[name] = value
    return given


def _moves(reservation: Reservation, given: dict[str, Any]) -> bool:
    """Whether the change names times, a zone or a rule other than the event's own."""
    current = {
        "start": reservation.start,
        "end": reservation.end,
        "time_zone": reservation.time_zone,
        "recurrence": reservation.recurrence,
    }
    return any(name in given and given[name] != value for name, value in current.items())


def _no_longer_held(session: Session, reservation: Reservation, now: datetime) -> bool:
    """Whether the reservation is cancelled, or is a single one that was released: either way its
    time is given up, and changing it would take it back."""
    if reservation.recurrence is not None:
        return reservation.status == ReservationStatus.CANCELLED
    return not transitions.occurrence(session, reservation, None, now).status.holds_its_time


def cancel_event(session: Session, actor: Actor, key: OccurrenceKey) -> ReservationView:
    """Cancel an event, one instance of a series, or a whole series (`transitions.cancel`), as
    `key` names it."""
    reservation = reservations.load(session, actor, key, ReservationKind.EVENT, for_change=True)
    if key.original_start is None and reservation.recurrence is not None:
        transitions.cancel_series(session, actor, reservation, _ORGANIZER_ONLY)
    else:
        held = transitions.occurrence(session, reservation, key.original_start, actor.now)
        transitions.cancel(session, actor, held, actor.user, _ORGANIZER_ONLY, after_its_end=True)
    return reservations.view(session, reservation, key.original_start, actor.now)


def events_in_space(session: Session, actor: Actor, space_id: int, window: Window, page: PageRequest) -> Page[ReservationView]:
    get_space(session, actor, space_id)
    return reservations.listing(session, actor, _events(actor, resource_ids=[space_id]), window, page)


def upcoming_in_space(session: Session, actor: Actor, space_id: int, page: PageRequest) -> Page[ReservationView]:
    """Occurrences under way or starting within the occurrence index's horizon, the earliest first."""
    return events_in_space(session, actor, space_id, _upcoming(actor), page)


def recent_in_space(session: Session, actor: Actor, space_id: int, page: PageRequest) -> Page[ReservationView]:
    """Occurrences that have started, within LOOK_BACK, the latest first."""
    get_space(session, actor, space_id)
    return reservations.recent_listing(session, actor, _events(actor, resource_ids=[space_id]), LOOK_BACK, page)


def events_in_building(
    session: Session, actor: Actor, building_id: int, window: Window, page: PageRequest
) -> Page[ReservationView]:
    fetch(session, actor, Building, building_id)
    return reservations.listing(session, actor, _events(actor, building_id=building_id), window, page)


def events_of_user(session: Session, actor: Actor, user_id: int, window: Window, page: PageRequest) -> Page[ReservationView]:
    """Events the user organizes, created or is invited to."""
    fetch(session, actor, User, user_id)
    return reservations.listing(session, actor, _events(actor, user_ids=[user_id]), window, page)


def upcoming_of_user(session: Session, actor: Actor, user_id: int, page: PageRequest) -> Page[ReservationView]:
    """The user's events (`events_of_user`) under way or starting within the horizon, the earliest first."""
    return events_of_user(session, actor, user_id, _upcoming(actor), page)


def recent_of_user(session: Session, actor: Actor, user_id: int, page: PageRequest) -> Page[ReservationView]:
    """The user's events (`events_of_user`) that have started, within LOOK_BACK, the latest first."""
    fetch(session, actor, User, user_id)
    return reservations.recent_listing(session, actor, _events(actor, user_ids=[user_id]), LOOK_BACK, page)


def _upcoming(actor: Actor) -> Window:
    return Window(actor.now, actor.now + occurrences.HORIZON)


def _events(actor: Actor, **scope: Any) -> Scope:
    return Scope(actor.organization_id, kind=ReservationKind.EVENT, **scope)


def _bookable_space(session: Session, actor: Actor, space_id: int) -> Resource:
    space = get_space(session, actor, space_id)
    reservations.require_bookable(session, space, ReservationKind.EVENT)
    return space


def _local_zone(session: Session, space: Resource) -> ZoneInfo:
    building = session.get(Building, space.building_id)
    assert building is not None
    return zone(building.time_zone, "start.time_zone")


def _require_organizer(actor: Actor, reservation: Reservation) -> None:
    reservations.require_may_change(actor, reservation, _ORGANIZER_ONLY)


def _reschedule(session: Session, actor: Actor, reservation: Reservation, space: Resource, given: dict[str, Any]) -> None:
    start = given.get("start", reservation.start)
    end = given.get("end", reservation.end)
    tz = zone(given.get("time_zone", reservation.time_zone), "start.time_zone")
    lines = given.get("recurrence", reservation.recurrence)
    _check_interval(start, end)
    schedule = reservations.plan_schedule(session, actor.now, start, end, tz, lines, reservation=reservation)
    _require_free(session, space, schedule, reservation.id, actor.now)
    reservations.apply_schedule(session, reservation, space, schedule, actor.now)


def _require_free(session: Session, space: Resource, schedule: Schedule, exclude: int | None, now: datetime) -> None:
    reservations.require_resource_free(session, space, ReservationKind.EVENT, schedule.intervals, now, exclude=exclude)


def _check_interval(start: datetime, end: datetime) -> None:
    require_later(start, end, "end", "start")
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
        if not is_email(email):
            raise InvalidInput.of(f"invitees.{position}.email", f"'{email}' is not an email address")
        unique.setdefault(email.lower(), InviteeInput(email, invitee.display_name))
    return list(unique.values())


def _replace_invitees(session: Session, actor: Actor, reservation: Reservation, inputs: list[InviteeInput]) -> bool:
    """Make `inputs` the event's invitees: those it had already stay as they were (their answers
    kept), the others go or come. Whether any went or came."""
    rows = reservations.invitees_of(session, [reservation.id or 0]).get(reservation.id or 0, [])
    held = {row.email.lower(): row for row in rows}
    wanted = {invitee.email.lower() for invitee in inputs}
    gone = [row for email, row in held.items() if email not in wanted]
    for row in gone:
        session.delete(row)
    added = _write_invitees(session, actor, reservation, [invitee for invitee in inputs if invitee.email.lower() not in held])
    return bool(gone or added)


def _write_invitees(session: Session, actor: Actor, reservation: Reservation, inputs: list[InviteeInput]) -> list[Invitee]:
    known = users_by_email(session, actor.organization_id, [invitee.email for invitee in inputs])
    rows = []
    for invitee in inputs:
        user = known.get(invitee.email.lower())
        is_organizer = user is not None and user.id == reservation.organizer_id
        row = Invitee(
            reservation_id=reservation.id or 0,
            user_id=user.id if user else None,
            email=invitee.email,
            display_name=user.name if user else None,
            response_status="accepted" if is_organizer else "not_responded",
            is_organizer=is_organizer,
            created_at=actor.now,
            updated_at=actor.now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    return rows
