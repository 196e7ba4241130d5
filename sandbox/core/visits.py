"""Visits and visitors: guests a host invites to a building, read through the Kadence API.

A visit's status is an occurrence's (`lifecycle.Status`), read from its attendance and the clock:
booked, checked in (someone is in), checked out (everyone who came has left), completed (someone
came) or released (nobody did) once it has ended, cancelled.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from sandbox.core.access import Actor
from sandbox.core.booking_queries import TimeCondition, holds
from sandbox.core.directory import rows_by_id, users_by_id
from sandbox.core.errors import NotFound
from sandbox.core.lifecycle import Status
from sandbox.store.models import Building, User, Visit, VisitAttendance, Visitor


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
    visit: Visit
    building: Building
    host: User | None
    attendances: list[Attendance]
    status: Status


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


def visit_status(visit: Visit, attendances: list[Attendance], now: datetime) -> Status:
    """Cancelled; after its end completed (someone came) or released; checked out once everyone
    who came has left; checked in while someone is in; else booked."""
    if visit.cancelled_at is not None:
        return Status.CANCELLED
    arrived = [row for row in attendances if row.checked_in_at is not None]
    if now >= visit.end:
        return Status.COMPLETED if arrived else Status.RELEASED
    if arrived and all(row.checked_out_at is not None for row in arrived):
        return Status.CHECKED_OUT
    return Status.CHECKED_IN if arrived else Status.BOOKED


def _as_of(moment: datetime | None, now: datetime) -> datetime | None:
    return moment if moment is not None and moment <= now else None


def visits(session: Session, actor: Actor, *, ulid: str | None = None, attended_by: int | None = None) -> list[VisitView]:
    """The organization's visits, earliest first: every one, or the one with this `ulid`, or those
    the visitor with id `attended_by` was invited to (each visit with all its attendees)."""
    statement = select(Visit).where(Visit.organization_id == actor.organization_id)
    if ulid is not None:
        statement = statement.where(Visit.ulid == ulid.upper())
    if attended_by is not None:
        invited = select(VisitAttendance.visit_id).where(VisitAttendance.visitor_id == attended_by)
        statement = statement.where(col(Visit.id).in_(invited))
    rows = list(session.exec(statement.order_by(col(Visit.start), col(Visit.id))))
    if not rows:
        return []
    pairs = list(
        session.exec(
            select(VisitAttendance, Visitor)
            .join(Visitor, col(Visitor.id) == VisitAttendance.visitor_id)
            .where(col(VisitAttendance.visit_id).in_([row.id for row in rows]))
            .order_by(col(VisitAttendance.id))
        )
    )
    people = users_by_id(session, actor, [row.host_id for row in rows] + [visitor.user_id for _, visitor in pairs])
    attendances: dict[int, list[Attendance]] = {}
    for attendance, visitor in pairs:
        attendances.setdefault(attendance.visit_id, []).append(
            Attendance(
                visitor,
                people.get(visitor.user_id or 0),
                attendance,
                _as_of(attendance.checked_in_at, actor.now),
                _as_of(attendance.checked_out_at, actor.now),
            )
        )
    buildings = rows_by_id(session, Building, [row.building_id for row in rows], organization_id=actor.organization_id)
    views = []
    for visit in rows:
        present = attendances.get(visit.id or 0, [])
        views.append(
            VisitView(
                visit,
                buildings[visit.building_id],
                people.get(visit.host_id or 0),
                present,
                visit_status(visit, present, actor.now),
            )
        )
    return views


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
        and all(holds(view.visit.start if c.field == "start" else view.visit.end, c, view.building) for c in conditions)
    ]


def get_visit(session: Session, actor: Actor, ulid: str) -> VisitView:
    found = visits(session, actor, ulid=ulid)
    if not found:
        raise NotFound("no such visit")
    return found[0]


ORGANIZER = "organizer"


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
            and all(holds(view.visit.start if c.field == "start" else view.visit.end, c, view.building) for c in query.conditions)
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
