"""The workplace as the dashboard shows it: organizations, buildings and floors, and a building's
day, each space with its bookings from both APIs."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from sandbox.control.routes import clock_state, organization_ref, tenant_ids
from sandbox.control.schemas import OrganizationState, refusals
from sandbox.core import booking_queries, buildings
from sandbox.core.bookings import Booking
from sandbox.core.clock import Clock
from sandbox.core.directory import rows_by_id
from sandbox.core.errors import NotFound
from sandbox.core.ids import MAX_ROW_ID
from sandbox.core.lifecycle import Status
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import (
    Building,
    Floor,
    Organization,
    Reservation,
    Resource,
    ResourceKind,
)

router = declaring(tags=["Sandbox control plane"])


class FloorState(BaseModel):
    id: int
    ulid: str
    name: str
    level_number: int


class BuildingRef(BaseModel):
    id: int = Field(description="Robin's location id")
    ulid: str = Field(description="Kadence's building id")
    name: str
    time_zone: str


class BuildingState(BuildingRef):
    floors: list[FloorState] = Field(description="By level number")


class OrganizationWorkplace(OrganizationState):
    buildings: list[BuildingState] = Field(description="By name")


class Workplace(BaseModel):
    organizations: list[OrganizationWorkplace] = Field(description="By id")


class FloorRef(BaseModel):
    id: int
    name: str


class TimelineBooking(BaseModel):
    robin_id: str = Field(
        description="The id Robin's API gives it: an event's or seat reservation's id, or an instance id such as "
        "96347456_20260302T140000Z for an occurrence of a series"
    )
    kadence_id: str | None = Field(description="The id Kadence's API gives the booking (it shows every one)")
    kind: str = Field(description="event (of a room: a Robin event) or seat (of a desk: a Robin seat reservation)")
    title: str | None
    organizer: str | None = Field(description="The organizer's or reservee's email")
    start: datetime
    end: datetime
    status: str = Field(
        description="The status the Kadence API gives the booking at the organization's now: "
        "booked, checkedIn, checkedOut, completed, cancelled or noCheckIn (released unconfirmed)"
    )
    checked_in: bool = Field(description="Someone checked in (confirmed it through Robin or Kadence)")
    checked_out: bool = Field(description="Someone checked out after checking in")


class TimelineSpace(BaseModel):
    id: int = Field(description="Robin's space id, or seat id for a desk")
    ulid: str = Field(description="Kadence's space id")
    name: str
    kind: Literal["room", "desk"]
    type: str | None = Field(description="A room's Robin space type, such as conference; null for a desk")
    floor: FloorRef | None
    bookings: list[TimelineBooking] = Field(description="Every occurrence overlapping the day, by start")


class Timeline(BaseModel):
    building: BuildingRef
    organization_id: int
    day: date = Field(description="The local day in the building's time zone")
    now: datetime = Field(description="The organization's clock, which every status is read at")
    start: datetime = Field(description="The day's first instant")
    end: datetime = Field(description="The next day's first instant")
    spaces: list[TimelineSpace] = Field(description="By floor level (spaces on no floor last), then name")


@router.get("/workplace", summary="Every organization with its clock, buildings and floors")
def read_workplace(request: Request, session: SessionDep) -> Workplace:
    return workplace(session, request.app.state.clock)


def workplace(session: Session, clock: Clock) -> Workplace:
    """Every organization with its clock, its buildings by name and their floors by level."""
    organizations = session.exec(select(Organization).order_by(col(Organization.id))).all()
    floors: defaultdict[int, list[Floor]] = defaultdict(list)
    for floor in session.exec(select(Floor).order_by(col(Floor.level_number), col(Floor.id))):
        floors[floor.building_id].append(floor)
    places: defaultdict[int, list[BuildingState]] = defaultdict(list)
    for building in sorted(session.exec(select(Building)), key=lambda row: (row.name.casefold(), row.id or 0)):
        levels = [
            FloorState(id=row.id or 0, ulid=row.ulid, name=row.name, level_number=row.level_number)
            for row in floors[building.id or 0]
        ]
        places[building.organization_id].append(BuildingState(**_building(building).model_dump(), floors=levels))
    made = tenant_ids(session)
    return Workplace(
        organizations=[
            OrganizationWorkplace(
                **organization_ref(row).model_dump(),
                clock=clock_state(clock, row),
                tenant=row.id in made,
                buildings=places[row.id or 0],
            )
            for row in organizations
        ]
    )


@router.get(
    "/timeline",
    summary="One building's day: each space and desk with its bookings from both APIs",
    responses=refusals(404, 422),
)
def read_timeline(
    request: Request,
    session: SessionDep,
    building_id: Annotated[int, Query(description="The building's id (Robin's location id)", examples=[10])],
    day: Annotated[
        date | None, Query(description="A day in the building's time zone; default: today on its organization's clock")
    ] = None,
) -> Timeline:
    """The spaces are all the building's rooms and desks, the desks of its zones included, whether
    they take new bookings or not (disabled, not reservable): both APIs show the bookings any of
    them holds. The building's onsite passes are no space, and Robin does not show them: onsite
    bookings are left out.

    A space's bookings are the occurrences of its reservations that overlap the day: upcoming,
    under way and past, cancelled and released ones too, each with the status the Kadence API
    gives it at the organization's now and the ids both APIs give it. Kadence shows every one;
    Robin's listings leave out the cancelled and released ones, and Robin no longer finds such a
    seat reservation by its id (it still finds such an event, as cancelled)."""
    building = session.get(Building, building_id) if 1 <= building_id <= MAX_ROW_ID else None
    if building is None:
        raise NotFound(f"no building {building_id}: GET /_sandbox/workplace lists them")
    organization = session.get(Organization, building.organization_id)
    assert organization is not None
    now = request.app.state.clock.now(organization)
    day = day or now.astimezone(buildings.local_zone(building)).date()
    start, end = buildings.local_day(building, day)
    booked: defaultdict[int, list[TimelineBooking]] = defaultdict(list)
    for booking in booking_queries.bookings_in_building(session, building, start, end, now):
        booked[booking.resource.id or 0].append(
            _booking(booking, request.app.state.occurrence_ids, request.app.state.status_words["kadence"])
        )
    return Timeline(
        building=_building(building),
        organization_id=organization.id or 0,
        day=day,
        now=now,
        start=start,
        end=end,
        spaces=_spaces(session, building, booked),
    )


def _spaces(session: Session, building: Building, booked: dict[int, list[TimelineBooking]]) -> list[TimelineSpace]:
    resources = session.exec(
        select(Resource).where(
            Resource.building_id == building.id,
            col(Resource.kind).in_([ResourceKind.SPACE, ResourceKind.DESK]),
        )
    ).all()
    floors = rows_by_id(session, Floor, (resource.floor_id for resource in resources))

    def place(resource: Resource) -> tuple[bool, int, str, int]:
        floor = floors.get(resource.floor_id or 0)
        return floor is None, floor.level_number if floor else 0, resource.name.casefold(), resource.id or 0

    shown = []
    for resource in sorted(resources, key=place):
        floor = floors.get(resource.floor_id or 0)
        shown.append(
            TimelineSpace(
                id=resource.id or 0,
                ulid=resource.ulid,
                name=resource.name,
                kind="desk" if resource.kind == ResourceKind.DESK else "room",
                type=resource.type,
                floor=FloorRef(id=floor.id or 0, name=floor.name) if floor else None,
                bookings=booked.get(resource.id or 0, []),
            )
        )
    return shown


def _booking(
    booking: Booking,
    occurrence_ids: dict[str, Callable[[Reservation, datetime | None], str]],
    status_word: Callable[[Status], str],
) -> TimelineBooking:
    """The booking as the timeline shows it, with the id each API gives it (the app's
    `occurrence_ids`, from the list of APIs) and the status in Kadence's word."""
    reservation, check_in = booking.reservation, booking.check_in
    return TimelineBooking(
        robin_id=occurrence_ids["robin"](reservation, booking.original_start),
        kadence_id=occurrence_ids["kadence"](reservation, booking.original_start),
        kind=reservation.kind,
        title=reservation.title or None,
        organizer=reservation.organizer_email,
        start=booking.start,
        end=booking.end,
        status=status_word(booking.status),
        checked_in=check_in is not None,
        checked_out=check_in is not None and check_in.checked_out_at is not None,
    )


def _building(row: Building) -> BuildingRef:
    return BuildingRef(id=row.id or 0, ulid=row.ulid, name=row.name, time_zone=row.time_zone)
