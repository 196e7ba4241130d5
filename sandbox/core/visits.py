"""Visits and visitors: guests a host invites to a building, read through the Kadence API.

A visit is a guest booking: a reservation of kind GUEST on its building's onsite resource (it
takes none of the building's onsite passes, which count onsite passes only), held by its host,
with each visitor's attendance (`VisitAttendance`, the host's included). It is one booking, read
as a visit or as a booking alike: one id, one interval, one status (`bookings.derive`).

Its check-in comes from its attendances (`check_in_from`): checked in at the first arrival,
checked out at the last departure once everyone who came has left. Arrivals and departures
dated after now have not happened yet (`lifecycle.as_of`). Nobody came: it is released at its
end (its release window is its length). A check-in or check-out through the booking lens
(`transitions`) is recorded on the same check-in.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, union
from sqlmodel import Session, col, select

from sandbox.core import buildings, reservations
from sandbox.core.access import Actor
from sandbox.core.booking_queries import TimeCondition, holds
from sandbox.core.bookings import Booking, derive
from sandbox.core.directory import rows_by_id, users_by_id
from sandbox.core.errors import NotFound
from sandbox.core.lifecycle import Status
from sandbox.store.models import (
    Building,
    CheckIn,
    Invitee,
    Reservation,
    ReservationKind,
    User,
    VisitAttendance,
    Visitor,
)

ORGANIZER = "organizer"
"""A host's response to their own visit."""


@dataclass(frozen=True)
class Attendance:
    """A visitor's part in one visit, as of now: arrivals and departures still to come don't show."""

    visitor: Visitor
    user: User | None
    """The visitor's own account, when they are a user of the organization."""
    attendance: VisitAttendance
    checked_in_at: datetime | None
    checked_out_at: datetime | None

    @property
    def response(self) -> str:
        return self.attendance.response


@dataclass(frozen=True)
class VisitView:
    booking: Booking
    """The guest booking the visit is: its id, building, times and status."""
    host: User | None
    attendances: list[Attendance]

    @property
    def building(self) -> Building:
        return self.booking.building

    @property
    def status(self) -> Status:
        return self.booking.status


@dataclass(frozen=True)
class VisitorView:
    visitor: Visitor
    visits: list[tuple[VisitView, Attendance]]
    """Every visit of the visitor, earliest first, with their part in it."""

    @property
    def user(self) -> User | None:
        """The visitor's own account, when they are a user of the organization."""
        return self.visits[0][1].user if self.visits else None

    @property
    def visit_count(self) -> int:
        return len(self.visits)

    @property
    def latest(self) -> VisitView | None:
        return self.visits[-1][0] if self.visits else None

    @property
    def attendance(self) -> Attendance | None:
        return self.visits[-1][1] if self.visits else None


# Writing


@dataclass(frozen=True)
class Guest:
    """A visitor's part in a visit being written: their response, and when they came and left."""

    visitor: Visitor
    response: str
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


def book_visit(
    session: Session,
    building: Building,
    host: User,
    start: datetime,
    end: datetime,
    guests: Sequence[Guest],
    *,
    at: datetime,
    source: str,
) -> Reservation:
    """The guest booking of `host`'s visit to `building` over [start, end), made at `at`, with
    the attendances of `guests` (the host's among them) and the check-in they add up to. Released
    at its end if nobody comes: its release window is its length. Flushed, not committed."""
    place = buildings.onsite_resource(session, building)
    schedule = reservations.plan_schedule(session, at, start, end, buildings.local_zone(building), None)
    reservation = Reservation(
        organization_id=building.organization_id,
        resource_id=place.id or 0,
        building_id=building.id or 0,
        kind=ReservationKind.GUEST,
        time_zone=schedule.series.zone.key,
        title="",
        organizer_id=host.id,
        organizer_email=host.email,
        creator_id=host.id,
        creator_email=host.email,
        source=source,
        release_after_s=int((end - start).total_seconds()),
        created_at=at,
        updated_at=at,
    )
    reservations.apply_schedule(session, reservation, place, schedule, at)
    session.add_all(
        VisitAttendance(
            reservation_id=reservation.id or 0,
            visitor_id=guest.visitor.id or 0,
            response=guest.response,
            checked_in_at=guest.checked_in_at,
            checked_out_at=guest.checked_out_at,
        )
        for guest in guests
    )
    check_in = check_in_from(reservation, guests, source)
    if check_in is not None:
        session.add(check_in)
    session.flush()
    return reservation


def check_in_from(reservation: Reservation, guests: Sequence[Guest], source: str) -> CheckIn | None:
    """The check-in of a guest booking its visitors' arrivals and departures add up to: at the
    first arrival, by whoever came first; checked out at the last departure, by whoever left
    last, once everyone who came has left; None if nobody came."""
    arrived = sorted((guest for guest in guests if guest.checked_in_at is not None), key=_arrival)
    if not arrived:
        return None
    first = arrived[0]
    departures = [guest for guest in arrived if guest.checked_out_at is not None]
    last = max(departures, key=_departure) if len(departures) == len(arrived) else None
    return CheckIn(
        reservation_id=reservation.id or 0,
        original_start=reservation.start,
        user_id=first.visitor.user_id,
        checked_in_at=_arrival(first),
        check_in_source=source,
        checked_out_at=last.checked_out_at if last else None,
        checked_out_by_id=last.visitor.user_id if last else None,
        check_out_source=source if last else None,
    )


def _arrival(guest: Guest) -> datetime:
    assert guest.checked_in_at is not None
    return guest.checked_in_at


def _departure(guest: Guest) -> datetime:
    assert guest.checked_out_at is not None
    return guest.checked_out_at


# Reading


def _as_of(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment <= now else None


def visits(session: Session, actor: Actor, *, ulid: str | None = None, attended_by: int | None = None) -> list[VisitView]:
    """The organization's visits, earliest first: every one, or the one with this `ulid`, or those
    the visitor with id `attended_by` was invited to (each visit with all its attendees)."""
    statement = select(Reservation).where(
        Reservation.organization_id == actor.organization_id, Reservation.kind == ReservationKind.GUEST
    )
    if ulid is not None:
        statement = statement.where(Reservation.ulid == ulid.upper())
    if attended_by is not None:
        invited = select(VisitAttendance.reservation_id).where(VisitAttendance.visitor_id == attended_by)
        statement = statement.where(col(Reservation.id).in_(invited))
    rows = list(session.exec(statement.order_by(col(Reservation.start), col(Reservation.id))))
    if not rows:
        return []
    ids = [row.id or 0 for row in rows]
    pairs = list(
        session.exec(
            select(VisitAttendance, Visitor)
            .join(Visitor, col(Visitor.id) == VisitAttendance.visitor_id)
            .where(col(VisitAttendance.reservation_id).in_(ids))
            .order_by(col(VisitAttendance.id))
        )
    )
    people = users_by_id(session, actor, [row.organizer_id for row in rows] + [visitor.user_id for _, visitor in pairs])
    attendances: dict[int, list[Attendance]] = {}
    for attendance, visitor in pairs:
        attendances.setdefault(attendance.reservation_id, []).append(
            Attendance(
                visitor,
                people.get(visitor.user_id or 0),
                attendance,
                _as_of(attendance.checked_in_at, actor.now),
                _as_of(attendance.checked_out_at, actor.now),
            )
        )
    check_ins = reservations.check_ins_of(session, ids)
    places = reservations.resources_of(session, {row.resource_id for row in rows})
    in_buildings = rows_by_id(session, Building, [row.building_id for row in rows], organization_id=actor.organization_id)
    return [
        VisitView(
            derive(
                reservation,
                places[reservation.resource_id],
                in_buildings[reservation.building_id],
                None,
                check_ins.get((reservation.id or 0, reservation.start)),
                None,
                actor.now,
            ),
            people.get(reservation.organizer_id or 0),
            attendances.get(reservation.id or 0, []),
        )
        for reservation in rows
    ]


def _meets(view: VisitView, conditions: Iterable[TimeCondition]) -> bool:
    return all(holds(view.booking.start if c.field == "start" else view.booking.end, c, view.building) for c in conditions)


def find_visits(
    session: Session,
    actor: Actor,
    building_ulid: str | None = None,
    statuses: frozenset[Status] | None = None,
    conditions: tuple[TimeCondition, ...] = (),
) -> list[VisitView]:
    return [
        view
        for view in visits(session, actor)
        if (building_ulid is None or view.building.ulid == building_ulid.upper())
        and (statuses is None or view.status in statuses)
        and _meets(view, conditions)
    ]


def get_visit(session: Session, actor: Actor, ulid: str) -> VisitView:
    found = visits(session, actor, ulid=ulid)
    if not found:
        raise NotFound("no such visit")
    return found[0]


def visitors(session: Session, actor: Actor, *, visitor_id: int | None = None) -> list[VisitorView]:
    """Everyone who has come to a visit as a guest (or only the visitor with id `visitor_id`), in
    the order they first came, each with those visits (hosting one is not visiting)."""
    by_visitor: dict[int, VisitorView] = {}
    for view in visits(session, actor, attended_by=visitor_id):
        for item in view.attendances:
            if item.response != ORGANIZER and visitor_id in (None, item.visitor.id):
                by_visitor.setdefault(item.visitor.id or 0, VisitorView(item.visitor, [])).visits.append((view, item))
    return list(by_visitor.values())


@dataclass(frozen=True)
class VisitorQuery:
    email: str | None = None
    email_exact: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    building_ulid: str | None = None
    status: str | None = None
    visit_statuses: frozenset[Status] | None = None
    conditions: tuple[TimeCondition, ...] = ()


def find_visitors(session: Session, actor: Actor, query: VisitorQuery) -> list[VisitorView]:
    """Visitors whose identity matches, and who have a visit that meets every visit filter."""

    def named(person: Visitor) -> bool:
        return (
            (not query.email or query.email.lower() in person.email.lower())
            and (not query.email_exact or query.email_exact.lower() == person.email.lower())
            and (not query.first_name or (person.first_name or "").lower() == query.first_name.lower())
            and (not query.last_name or (person.last_name or "").lower() == query.last_name.lower())
        )

    def fits(view: VisitView, attendance: Attendance) -> bool:
        return (
            (not query.building_ulid or view.building.ulid == query.building_ulid.upper())
            and (not query.status or attendance.response == query.status)
            and (query.visit_statuses is None or view.status in query.visit_statuses)
            and _meets(view, query.conditions)
        )

    filtered = query.building_ulid or query.status or query.visit_statuses is not None or query.conditions
    return [
        view
        for view in visitors(session, actor)
        if named(view.visitor) and (not filtered or any(fits(*pair) for pair in view.visits))
    ]


def get_visitor(session: Session, actor: Actor, ulid: str) -> VisitorView:
    """A visitor who has come to a visit as a guest; anyone else is unknown (404)."""
    row = session.exec(
        select(Visitor).where(Visitor.ulid == ulid.upper(), Visitor.organization_id == actor.organization_id)
    ).first()
    found = visitors(session, actor, visitor_id=row.id) if row is not None else []
    if not found:
        raise NotFound("no such visitor")
    return found[0]


# The booking lens


def with_guests(session: Session, organization_id: int, shown: Iterable[Reservation]) -> set[int]:
    """Which of these reservations have guests: a guest booking with a visitor besides its host,
    or an event inviting someone whose email is no user's of the organization (the space it
    books aside)."""
    ids = {reservation.id or 0 for reservation in shown}
    if not ids:
        return set()
    parameters = {"ids": list(ids), "organization_id": organization_id}
    return set(session.scalars(_WITH_GUESTS, params=parameters))


# Built once: a statement built again for every query costs more than the query.
_VISITED = (
    select(VisitAttendance.reservation_id)
    .join(Visitor, col(Visitor.id) == VisitAttendance.visitor_id)
    .join(Reservation, col(Reservation.id) == VisitAttendance.reservation_id)
    .where(
        col(VisitAttendance.reservation_id).in_(bindparam("ids", expanding=True)),
        or_(col(Visitor.user_id).is_(None), col(Visitor.user_id) != col(Reservation.organizer_id)),
    )
)
_INVITED = select(Invitee.reservation_id).where(
    col(Invitee.reservation_id).in_(bindparam("ids", expanding=True)),
    col(Invitee.is_resource).is_(False),
    func.lower(Invitee.email).not_in(
        select(func.lower(User.email)).where(col(User.organization_id) == bindparam("organization_id"))
    ),
)
_WITH_GUESTS = union(_VISITED, _INVITED)
"""Both, in one statement."""
