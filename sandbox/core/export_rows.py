"""The rows of an analytics export: one per event occurrence, or per desk reservation occurrence,
starting in the export's range, every value computed from the store.

Reservations are read in batches (keyset pagination on start and id), each in a short session
of its own, so an export of any size runs in bounded memory and never holds the store open
while its CSV is being written.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar, cast

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from sandbox.core import lifecycle, occurrences, reservations
from sandbox.core.reservations import occurrence_id
from sandbox.store.engine import Store
from sandbox.store.models import (
    Area,
    Building,
    CheckIn,
    ExportJob,
    Floor,
    Invitee,
    OccurrenceException,
    Organization,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    ResourceKind,
    User,
    table_of,
)

EVENT_COLUMNS = (
    "Organization",
    "Building",
    "Floor",
    "Space",
    "Space ID",
    "Event ID",
    "Event Status",
    "Created At (UTC)",
    "Updated At (UTC)",
    "All Day Event",
    "Title",
    "Is Recurring",
    "Capacity",
    "Invited People",
    "Attendees",
    "Location",
    "Started At (UTC)",
    "Ended At (UTC)",
    "Minute Duration",
    "Checked In At (UTC)",
    "Minutes Delayed",
    "Automatically Unbooked At (UTC)",
    "Creator Robin ID",
    "Creator Robin Name",
    "Creator Department",
    "Creator Groups",
    "Creator Robin Email",
    "Created By Email",
    "Host Robin ID",
    "Host Robin Name",
    "Host Department",
    "Host Groups",
    "Host Robin Email",
    "Hosting Calendar Email",
    "Local Creator ID",
    "Local Creator Email",
    "Cancellation Type",
)
DESK_COLUMNS = (
    "Organization",
    "Building",
    "Floor",
    "Desk Group",
    "Desk ID",
    "Desk Name",
    "Reservation ID",
    "Series ID",
    "Type",
    "Start (UTC)",
    "End (UTC)",
    "Hour Duration",
    "Checked In At (UTC)",
    "Canceled At (UTC)",
    "Cancellation Type",
    "Creator Name",
    "Creator Department",
    "Creator Groups",
    "Creator Email",
    "Assignee Name",
    "Assignee Department",
    "Assignee Groups",
    "Assignee Email",
    "Desk Type",
    "Bookable On Unassigned Days",
)
MANUAL = "manual"
AUTOMATIC = "automatic"
BATCH = 2000


def columns_of(job: ExportJob) -> tuple[str, ...]:
    return EVENT_COLUMNS if job.kind == "spaces" else DESK_COLUMNS


def when(moment: datetime | None) -> str:
    """UTC, as the column names promise: 2022-12-05 14:00:00."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True)
class Occurrence:
    """One occurrence as an export sees it: live, cancelled by someone, or released."""

    reservation: Reservation
    original_start: datetime
    start: datetime
    end: datetime
    check_in: CheckIn | None
    cancelled_at: datetime | None
    cancellation_type: str

    @property
    def id(self) -> str:
        return occurrence_id(self.reservation.id, self.original_start if self.reservation.recurrence else None)

    @property
    def status(self) -> str:
        return ReservationStatus.CANCELLED if self.cancellation_type else ReservationStatus.CONFIRMED


class _Workplace:
    """The organization's buildings, floors, resources, zones and people, read once, and the
    columns each of them contributes to a row, rendered once."""

    def __init__(self, session: Session, organization_id: int) -> None:
        organization = session.get(Organization, organization_id)
        assert organization is not None
        self.organization = organization.name
        self.buildings = _by_id(session.exec(select(Building).where(Building.organization_id == organization_id)))
        self.floors = _by_id(session.exec(select(Floor).where(Floor.organization_id == organization_id)))
        self.resources = _by_id(session.exec(select(Resource).where(Resource.organization_id == organization_id)))
        self.zones = _by_id(session.exec(select(Area).where(Area.organization_id == organization_id)))
        self.users = _by_id(session.exec(select(User).where(User.organization_id == organization_id)))
        self._people: dict[int, list[object]] = {}
        self._places: dict[int, list[object]] = {}

    def person(self, user_id: int | None) -> list[object]:
        """Name, department, groups and email of a user."""
        if user_id not in self._people:
            user = self.users.get(user_id or 0)
            self._people[user_id or 0] = (
                ["", "", "", ""] if user is None else [user.name, user.department or "", ", ".join(user.groups), user.email]
            )
        return self._people[user_id or 0]

    def place(self, resource_id: int) -> list[object]:
        """Organization, building, floor, and the space (name, id) or desk (zone, id, name)."""
        if resource_id not in self._places:
            resource = self.resources[resource_id]
            building = self.buildings[resource.building_id]
            floor = self.floors.get(resource.floor_id or 0)
            where: list[object] = [self.organization, building.name, floor.name if floor else ""]
            if resource.kind == ResourceKind.DESK:
                zone = self.zones.get(resource.area_id or 0)
                where += [zone.name if zone else "", resource.id, resource.name]
            else:
                where += [resource.name, resource.id]
            self._places[resource_id] = where
        return self._places[resource_id]


class _Stored(Protocol):
    id: int | None


StoredRow = TypeVar("StoredRow", bound=_Stored)


def _by_id(rows: Iterable[StoredRow]) -> dict[int | None, StoredRow]:
    return {row.id: row for row in rows}


def rows(store: Store, job: ExportJob, now: datetime) -> Iterator[list[object]]:
    """The export's rows (after its header), as computed at `now` on the organization's clock."""
    with store.session() as session:
        workplace = _Workplace(session, job.organization_id)
    kind = ReservationKind.EVENT if job.kind == "spaces" else ReservationKind.SEAT
    render = _event_row if kind == ReservationKind.EVENT else _desk_row
    last: tuple[datetime, int] | None = None
    while True:
        with store.session() as session:
            batch, last = _batch(session, job, kind, now, last)
        if last is None:
            return
        for occurrence, invited, accepted in batch:
            yield render(workplace, occurrence, invited, accepted)


def _batch(
    session: Session, job: ExportJob, kind: str, now: datetime, last: tuple[datetime, int] | None
) -> tuple[list[tuple[Occurrence, int, int]], tuple[datetime, int] | None]:
    """The occurrences of the next BATCH reservations after `last`, and where the batch ended
    (None when no reservation is left; a batch may hold reservations but no occurrence)."""
    statement = select(*table_of(Reservation).columns).where(
        Reservation.organization_id == job.organization_id,
        Reservation.kind == kind,
        col(Reservation.start) < job.range_end,
        or_(col(Reservation.series_end).is_(None), col(Reservation.series_end) > job.range_start),
    )
    if job.location_ids:
        statement = statement.where(col(Reservation.building_id).in_(job.location_ids))
    if last is not None:
        after_start, after_id = last
        # `start >= ...` first, so the batch seeks along the (organization, kind, start) index.
        statement = statement.where(
            col(Reservation.start) >= after_start,
            or_(col(Reservation.start) > after_start, col(Reservation.id) > after_id),
        )
    # Plain rows, not ORM objects: they read like a Reservation (each column by its name) at a
    # fraction of the cost, and are used as one.
    rows = session.execute(statement.order_by(col(Reservation.start), col(Reservation.id)).limit(BATCH))
    batch = cast(list[Reservation], list(rows))
    if not batch:
        return [], None
    last = (batch[-1].start, batch[-1].id or 0)
    ids = [reservation.id or 0 for reservation in batch]
    counts = _invitee_counts(session, ids)
    check_ins = reservations.check_ins_of(session, ids)
    exceptions = reservations.exceptions_of(session, ids)
    found: list[tuple[Occurrence, int, int]] = []
    for reservation in batch:
        invited, accepted = counts.get(reservation.id or 0, (0, 0))
        found.extend((occurrence, invited, accepted) for occurrence in _expanded(reservation, job, check_ins, exceptions, now))
    return found, last


def _expanded(
    reservation: Reservation,
    job: ExportJob,
    check_ins: dict[tuple[int, datetime], CheckIn],
    exceptions: dict[tuple[int, datetime], OccurrenceException],
    now: datetime,
) -> Iterator[Occurrence]:
    length = reservation.end - reservation.start
    if reservation.recurrence is None:
        starts: Iterator[datetime] = iter([reservation.start] if reservation.start >= job.range_start else [])
    else:
        starts = occurrences.series_of(reservation).starts_between(job.range_start, job.range_end)
    for start in starts:
        key = (reservation.id or 0, start)
        check_in = check_ins.get(key)
        cancelled = lifecycle.cancellation(reservation, start, check_in, exceptions.get(key), now)
        kind = "" if cancelled is None else AUTOMATIC if cancelled.automatic else MANUAL
        yield Occurrence(reservation, start, start, start + length, check_in, cancelled.at if cancelled else None, kind)


def _invitee_counts(session: Session, reservation_ids: list[int]) -> dict[int, tuple[int, int]]:
    accepted = func.sum(case((col(Invitee.response_status) == "accepted", 1), else_=0))
    statement = (
        select(Invitee.reservation_id, func.count(), accepted)
        .where(col(Invitee.reservation_id).in_(reservation_ids))
        .group_by(col(Invitee.reservation_id))
    )
    return {reservation_id: (int(total), int(yes or 0)) for reservation_id, total, yes in session.exec(statement)}


def _event_row(workplace: _Workplace, occurrence: Occurrence, invited: int, accepted: int) -> list[object]:
    reservation = occurrence.reservation
    space = workplace.resources[reservation.resource_id]
    checked_in = occurrence.check_in.checked_in_at if occurrence.check_in else None
    delay = "" if checked_in is None else max(0, int((checked_in - occurrence.start) // timedelta(minutes=1)))
    return [
        *workplace.place(reservation.resource_id),
        occurrence.id,
        occurrence.status,
        when(reservation.created_at),
        when(reservation.updated_at),
        flag(reservation.is_all_day),
        reservation.title,
        flag(reservation.recurrence is not None),
        "" if space.capacity is None else space.capacity,
        invited,
        accepted,
        space.name,
        when(occurrence.start),
        when(occurrence.end),
        int((occurrence.end - occurrence.start) // timedelta(minutes=1)),
        when(checked_in),
        delay,
        when(occurrence.cancelled_at) if occurrence.cancellation_type == AUTOMATIC else "",
        reservation.creator_id or "",
        *workplace.person(reservation.creator_id),
        reservation.creator_email or "",
        reservation.organizer_id or "",
        *workplace.person(reservation.organizer_id),
        reservation.organizer_email or "",
        reservation.creator_id or "",
        reservation.creator_email or "",
        occurrence.cancellation_type,
    ]


def _desk_row(workplace: _Workplace, occurrence: Occurrence, invited: int, accepted: int) -> list[object]:
    reservation = occurrence.reservation
    desk = workplace.resources[reservation.resource_id]
    hours = (occurrence.end - occurrence.start) / timedelta(hours=1)
    checked_in = occurrence.check_in.checked_in_at if occurrence.check_in else None
    return [
        *workplace.place(reservation.resource_id),
        occurrence.id,
        reservation.id if reservation.recurrence else "",
        reservation.reservation_type or "",
        when(occurrence.start),
        when(occurrence.end),
        f"{hours:.2f}",
        when(checked_in),
        when(occurrence.cancelled_at),
        occurrence.cancellation_type,
        *workplace.person(reservation.creator_id),
        *workplace.person(reservation.organizer_id),
        ",".join(desk.desk_type),
        _bookable_unassigned(desk.desk_type),
    ]


def _bookable_unassigned(desk_type: list[str]) -> str:
    """Whether others may book the desk on days nobody is assigned to it."""
    return flag("assigned" not in desk_type)
