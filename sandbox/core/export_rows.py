"""The rows of an analytics export: one per event occurrence, or per desk reservation occurrence,
starting in the export's range, every value computed from the store.

Reservations are read in batches (keyset pagination on start and id), each in a short session
of its own, so an export of any size runs in bounded memory and never holds the store open
while its CSV is being written.

Its length is the two row kinds' (events and desk reservations), computed alike, and the layout
an API gives them.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple, Protocol, TypeVar, cast

from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from sandbox.core import lifecycle, occurrences, reservations
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


class EventRow(NamedTuple):
    """One occurrence of an event, as an export reports it."""

    organization: str
    building: str
    floor: str
    resource: str
    resource_id: int
    reservation_id: int
    original_start: datetime | None
    """Set for an occurrence of a series: the start its rule gives it."""
    status: str
    created_at: str
    updated_at: str
    all_day: str
    title: str
    recurring: str
    capacity: int | str
    invited: int
    accepted: int
    start: str
    end: str
    minutes: int
    checked_in_at: str
    minutes_late: int | str
    released_at: str
    creator_id: int | str
    creator_name: str
    creator_department: str
    creator_groups: str
    creator_email: str
    recorded_creator_email: str
    """As the reservation recorded it, as its creator's email was then."""
    organizer_id: int | str
    organizer_name: str
    organizer_department: str
    organizer_groups: str
    organizer_email: str
    recorded_organizer_email: str
    """As the reservation recorded it: the calendar it is on."""
    cancellation: str


class DeskRow(NamedTuple):
    """One occurrence of a desk reservation, as an export reports it."""

    organization: str
    building: str
    floor: str
    area: str
    resource_id: int
    resource: str
    reservation_id: int
    original_start: datetime | None
    """Set for an occurrence of a series: the start its rule gives it."""
    series_id: int | str
    reservation_type: str
    start: str
    end: str
    hours: str
    checked_in_at: str
    cancelled_at: str
    cancellation: str
    creator_name: str
    creator_department: str
    creator_groups: str
    creator_email: str
    reservee_name: str
    reservee_department: str
    reservee_groups: str
    reservee_email: str
    desk_type: str
    bookable_unassigned: str
    """Whether others may book the desk on days nobody is assigned to it."""


Row = EventRow | DeskRow
Shown = str | Callable[[Row], object]
"""What a column shows: a field of the row, by its name, or a value worked out from the row (as
an API names the occurrence the row's `reservation_id` and `original_start` give)."""
Columns = tuple[tuple[str, Shown], ...]
"""An export's columns in order: each a title and what it shows."""


@dataclass(frozen=True)
class Layout:
    """How an API lays out its exports: the columns of an export of events, and of one of desk
    reservations. Each field named must be one of the row's."""

    events: Columns
    desk_reservations: Columns

    def __post_init__(self) -> None:
        for columns, row in ((self.events, EventRow), (self.desk_reservations, DeskRow)):
            unknown = [shown for _, shown in columns if isinstance(shown, str) and shown not in row._fields]
            if unknown or not columns:
                raise ValueError(f"an export of {row.__name__} has no field {', '.join(unknown) or '(no column)'}")


def columns_of(job: ExportJob, layout: Layout) -> Columns:
    return layout.events if job.kind == "spaces" else layout.desk_reservations


def laid_out(job: ExportJob, columns: Columns) -> Callable[[Row], Sequence[object]]:
    """The values of a row of `job`, in the order of `columns`: the fields picked at once, and
    the values worked out from the row put in their places among them."""
    fields = (EventRow if job.kind == "spaces" else DeskRow)._fields
    pick = _picker([fields.index(shown) for _, shown in columns if isinstance(shown, str)])
    worked_out = [(place, shown) for place, (_, shown) in enumerate(columns) if not isinstance(shown, str)]
    if not worked_out:
        return pick

    def values(row: Row) -> Sequence[object]:
        laid = list(pick(row))
        for place, work in worked_out:  # In the order of their places, so each lands in its own.
            laid.insert(place, work(row))
        return laid

    return values


def _picker(positions: list[int]) -> Callable[[Row], Sequence[object]]:
    """The values at `positions` of a row, in that order."""
    if len(positions) <= 1:
        return lambda row: tuple(row[position] for position in positions)
    return cast(Callable[[Row], Sequence[object]], itemgetter(*positions))


MANUAL = "manual"
AUTOMATIC = "automatic"
BATCH = 2000


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
    def instance_start(self) -> datetime | None:
        """The start its series' rule gives it; None for a single reservation's one occurrence."""
        return self.original_start if self.reservation.recurrence else None

    @property
    def status(self) -> str:
        return ReservationStatus.CANCELLED if self.cancellation_type else ReservationStatus.CONFIRMED


class _Person(NamedTuple):
    name: str
    department: str
    groups: str
    email: str


_NOBODY = _Person("", "", "", "")


class _Place(NamedTuple):
    building: str
    floor: str
    area: str


class _Workplace:
    """The organization's buildings, floors, resources, zones and people, read once, and the
    values each of them contributes to a row, rendered once."""

    def __init__(self, session: Session, organization_id: int) -> None:
        organization = session.get(Organization, organization_id)
        assert organization is not None
        self.organization = organization.name
        self.buildings = _by_id(session.exec(select(Building).where(Building.organization_id == organization_id)))
        self.floors = _by_id(session.exec(select(Floor).where(Floor.organization_id == organization_id)))
        self.resources = _by_id(session.exec(select(Resource).where(Resource.organization_id == organization_id)))
        self.zones = _by_id(session.exec(select(Area).where(Area.organization_id == organization_id)))
        self.users = _by_id(session.exec(select(User).where(User.organization_id == organization_id)))
        self._people: dict[int, _Person] = {}
        self._places: dict[int, _Place] = {}

    def person(self, user_id: int | None) -> _Person:
        """Name, department, groups and email of a user."""
        if user_id not in self._people:
            user = self.users.get(user_id or 0)
            self._people[user_id or 0] = (
                _NOBODY if user is None else _Person(user.name, user.department or "", ", ".join(user.groups), user.email)
            )
        return self._people[user_id or 0]

    def place(self, resource_id: int) -> _Place:
        """The building, floor and area of a resource."""
        if resource_id not in self._places:
            resource = self.resources[resource_id]
            floor = self.floors.get(resource.floor_id or 0)
            area = self.zones.get(resource.area_id or 0) if resource.kind == ResourceKind.DESK else None
            self._places[resource_id] = _Place(
                self.buildings[resource.building_id].name, floor.name if floor else "", area.name if area else ""
            )
        return self._places[resource_id]


class _Stored(Protocol):
    id: int | None


StoredRow = TypeVar("StoredRow", bound=_Stored)


def _by_id(rows: Iterable[StoredRow]) -> dict[int | None, StoredRow]:
    return {row.id: row for row in rows}


def rows(store: Store, job: ExportJob, now: datetime) -> Iterator[EventRow | DeskRow]:
    """The export's rows, as computed at `now` on the organization's clock."""
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
        yield Occurrence(
            reservation, start, start, start + length, lifecycle.standing(check_in), cancelled.at if cancelled else None, kind
        )


def _invitee_counts(session: Session, reservation_ids: list[int]) -> dict[int, tuple[int, int]]:
    accepted = func.sum(case((col(Invitee.response_status) == "accepted", 1), else_=0))
    statement = (
        select(Invitee.reservation_id, func.count(), accepted)
        .where(col(Invitee.reservation_id).in_(reservation_ids))
        .group_by(col(Invitee.reservation_id))
    )
    return {reservation_id: (int(total), int(yes or 0)) for reservation_id, total, yes in session.exec(statement)}


def _event_row(workplace: _Workplace, occurrence: Occurrence, invited: int, accepted: int) -> EventRow:
    reservation = occurrence.reservation
    space = workplace.resources[reservation.resource_id]
    place = workplace.place(reservation.resource_id)
    creator = workplace.person(reservation.creator_id)
    organizer = workplace.person(reservation.organizer_id)
    checked_in = occurrence.check_in.checked_in_at if occurrence.check_in else None
    return EventRow(
        organization=workplace.organization,
        building=place.building,
        floor=place.floor,
        resource=space.name,
        resource_id=space.id or 0,
        reservation_id=reservation.id or 0,
        original_start=occurrence.instance_start,
        status=occurrence.status,
        created_at=when(reservation.created_at),
        updated_at=when(reservation.updated_at),
        all_day=flag(reservation.is_all_day),
        title=reservation.title,
        recurring=flag(reservation.recurrence is not None),
        capacity="" if space.capacity is None else space.capacity,
        invited=invited,
        accepted=accepted,
        start=when(occurrence.start),
        end=when(occurrence.end),
        minutes=int((occurrence.end - occurrence.start) // timedelta(minutes=1)),
        checked_in_at=when(checked_in),
        minutes_late="" if checked_in is None else max(0, int((checked_in - occurrence.start) // timedelta(minutes=1))),
        released_at=when(occurrence.cancelled_at) if occurrence.cancellation_type == AUTOMATIC else "",
        creator_id=reservation.creator_id or "",
        creator_name=creator.name,
        creator_department=creator.department,
        creator_groups=creator.groups,
        creator_email=creator.email,
        recorded_creator_email=reservation.creator_email or "",
        organizer_id=reservation.organizer_id or "",
        organizer_name=organizer.name,
        organizer_department=organizer.department,
        organizer_groups=organizer.groups,
        organizer_email=organizer.email,
        recorded_organizer_email=reservation.organizer_email or "",
        cancellation=occurrence.cancellation_type,
    )


def _desk_row(workplace: _Workplace, occurrence: Occurrence, invited: int, accepted: int) -> DeskRow:
    reservation = occurrence.reservation
    desk = workplace.resources[reservation.resource_id]
    place = workplace.place(reservation.resource_id)
    creator = workplace.person(reservation.creator_id)
    reservee = workplace.person(reservation.organizer_id)
    hours = (occurrence.end - occurrence.start) / timedelta(hours=1)
    checked_in = occurrence.check_in.checked_in_at if occurrence.check_in else None
    return DeskRow(
        organization=workplace.organization,
        building=place.building,
        floor=place.floor,
        area=place.area,
        resource_id=desk.id or 0,
        resource=desk.name,
        reservation_id=reservation.id or 0,
        original_start=occurrence.instance_start,
        series_id=(reservation.id or "") if reservation.recurrence else "",
        reservation_type=reservation.reservation_type or "",
        start=when(occurrence.start),
        end=when(occurrence.end),
        hours=f"{hours:.2f}",
        checked_in_at=when(checked_in),
        cancelled_at=when(occurrence.cancelled_at),
        cancellation=occurrence.cancellation_type,
        creator_name=creator.name,
        creator_department=creator.department,
        creator_groups=creator.groups,
        creator_email=creator.email,
        reservee_name=reservee.name,
        reservee_department=reservee.department,
        reservee_groups=reservee.groups,
        reservee_email=reservee.email,
        desk_type=",".join(desk.desk_type),
        bookable_unassigned=flag("assigned" not in desk.desk_type),
    )
