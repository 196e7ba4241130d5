"""The fixture format: a workplace written by hand as JSON, validated before anything is stored.

A fixture names its rows in nesting order (organization → building → floor → space → zone →
desk) and refers to people by email and to amenities by name, so nothing needs an id; an
`id` may still be given to pin one. Events are placed relative to the day the fixture is
loaded, in their building's time zone, and go through the same rules as booked events.

Its length is the format's: one model a section of a fixture, each with its checks.
"""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sandbox.core.desks import DESK_TYPES
from sandbox.core.errors import InvalidInput
from sandbox.core.recurrence import WEEKDAYS, weekly_days
from sandbox.core.space_types import BOOKING_TYPES
from sandbox.core.times import parse_duration
from sandbox.core.times import zone as named_zone
from sandbox.seeding import FixtureError

FORMAT = "workplace-sandbox-fixture/1"
Id = Annotated[int, Field(ge=1, le=2**62)]
EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
COUNTRY_CODE = r"^[A-Z]{2}$"


@contextmanager
def _core_rules() -> Iterator[None]:
    """A refusal by the core's rules, as the ValueError pydantic reports against the field."""
    try:
        yield
    except InvalidInput as error:
        raise ValueError(error.problems[0].message) from None


def _known_zone(value: str) -> str:
    with _core_rules():
        named_zone(value, "time_zone")
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AmenityEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)


class UserEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    email: str = Field(pattern=EMAIL)
    given_name: str | None = None
    family_name: str | None = None
    role: Literal["admin", "member"] = "member"
    time_zone: str = "UTC"
    department: str | None = None
    groups: list[str] = Field(default_factory=list)
    is_pending: bool = False
    job_title: str | None = None
    biography: str | None = None
    locale: str = "en-US"
    time_preference: Literal["default", "12H", "24H"] = "default"
    location_city: str | None = None
    location_country_code: str | None = Field(default=None, pattern=COUNTRY_CODE)
    location_latitude: float | None = Field(default=None, ge=-90, le=90)
    location_longitude: float | None = Field(default=None, ge=-180, le=180)
    preferred_floor: int | None = Field(default=None, description="id of the floor the user prefers")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _known_zone(value)


class ApiClientEntry(Strict):
    client_id: str = Field(min_length=3, max_length=128)
    client_secret: str = Field(min_length=8, max_length=256)
    user: str = Field(description="Email of the user the client acts for")


class TokenEntry(Strict):
    token: str = Field(min_length=8)
    user: str = Field(description="Email of the user the token belongs to")


class SpaceAmenityEntry(Strict):
    name: str
    quantity: int = Field(default=1, ge=1)


class SeatReservationEntry(Strict):
    reservee: str = Field(description="Email of the user who holds the desk")
    type: str = "hoteled"
    day: int = Field(default=0, ge=-365, le=365, description="Days after the day the fixture is loaded")
    start: time
    end: time
    recurrence: list[str] | None = None
    title: str | None = None


class AssignmentEntry(Strict):
    assignee: str = Field(description="Email of the user the desk is assigned to")
    recurrence: list[str] = Field(
        description="The weekdays assigned, from the day the fixture is loaded: "
        "RRULE:FREQ=WEEKLY;BYDAY=<days>;BYHOUR=0;BYMINUTE=0;BYSECOND=0"
    )

    @field_validator("recurrence")
    @classmethod
    def _weekly(cls, value: list[str]) -> list[str]:
        with _core_rules():
            weekly_days(value, "recurrence")
        return value


class DeskEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    desk_type: list[str] = Field(default_factory=lambda: ["hoteled"])
    is_reservable: bool = True
    is_disabled: bool = False
    assignee: str | None = None
    assignments: list[AssignmentEntry] = Field(
        default_factory=list, description="Who a shared desk is assigned to, on which weekdays (shared reservations)"
    )
    max_reservation_length: str | None = Field(default=None, description="ISO-8601 duration, e.g. P1D")
    advanced_booking_threshold: str | None = Field(default=None, description="ISO-8601 duration, e.g. P14D")
    release_after_minutes: int | None = Field(
        default=None,
        ge=0,
        le=24 * 60,
        description="Check-in window: release unconfirmed reservations after this long; 0: never, whatever the building says",
    )
    amenities: list[SpaceAmenityEntry] = Field(default_factory=list)
    reservations: list[SeatReservationEntry] = Field(default_factory=list)

    @field_validator("desk_type")
    @classmethod
    def _known_type(cls, value: list[str]) -> list[str]:
        if value not in [list(kind) for kind in DESK_TYPES]:
            raise ValueError(f"must be one of {', '.join(map(str, DESK_TYPES))}")
        return value

    @field_validator("max_reservation_length", "advanced_booking_threshold")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            with _core_rules():
                parse_duration(value, "duration")
        return value

    @model_validator(mode="after")
    def _assigned_only_if_shared(self) -> "DeskEntry":
        if self.assignments and "shared" not in self.desk_type:
            raise ValueError('only a shared desk (["assigned", "shared"] or ["hoteled", "shared"]) has assignments')
        return self


class ZoneEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    type: str = "pod"
    desks: list[DeskEntry] = Field(default_factory=list)


class EventEntry(Strict):
    title: str | None = None
    organizer: str
    day: int = Field(default=0, ge=-365, le=365, description="Days after the day the fixture is loaded")
    start: time
    end: time
    recurrence: list[str] | None = None
    invitees: list[str] = Field(default_factory=list)
    description: str | None = None


class SpaceEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    type: str | None = None
    capacity: int | None = Field(default=None, ge=0)
    description: str | None = None
    is_accessible: bool = False
    is_disabled: bool = False
    is_reservable: bool = True
    on_demand: bool = False
    release_after_minutes: int | None = Field(
        default=None,
        ge=0,
        le=24 * 60,
        description=(
            "Abandoned-meeting protection: release unconfirmed events after this long; 0: never, whatever the building says"
        ),
    )
    calendar_email: str | None = None
    amenities: list[SpaceAmenityEntry] = Field(default_factory=list)
    zones: list[ZoneEntry] = Field(default_factory=list)
    events: list[EventEntry] = Field(default_factory=list)


class FloorEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    level_number: int = 0
    spaces: list[SpaceEntry] = Field(default_factory=list)


class BuildingEntry(Strict):
    id: Id | None = None
    name: str = Field(min_length=1)
    time_zone: str
    description: str | None = None
    address: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    county: str | None = None
    country_code: str | None = Field(default=None, pattern=COUNTRY_CODE)
    opening_hours: dict[str, tuple[str, str]] = Field(
        default_factory=dict,
        description='Local opening and closing time per weekday, e.g. {"MO": ["08:00", "18:00"]} ("24:00" for '
        "midnight at the end of the day); a day left out is closed; no hours at all: open around the clock",
    )
    closures: list[date | int] = Field(
        default_factory=list, description="Days the building is closed: dates, or days after the day the fixture is loaded"
    )
    onsite_capacity: int | None = Field(default=None, ge=0, description="People who may book to be onsite at once")
    booking_horizon_days: int = Field(default=14, ge=1, le=366, description="How many days ahead bookings may be made")
    release_windows: dict[str, int] = Field(
        default_factory=dict, description="Minutes after its start an unconfirmed booking is released, per booking type"
    )
    image: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    floors: list[FloorEntry] = Field(default_factory=list)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _known_zone(value)

    @field_validator("opening_hours")
    @classmethod
    def _opening_hours(cls, value: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
        for day, (opens, closes) in value.items():
            if day not in WEEKDAYS:
                raise ValueError(f"'{day}' is not a weekday: use {', '.join(WEEKDAYS)}")
            for moment in (opens, closes):
                if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d|24:00", moment):
                    raise ValueError(f"{day}: '{moment}' is not a time of day HH:MM (00:00 to 24:00)")
            if closes <= opens:
                raise ValueError(f"{day}: closes at {closes}, not after it opens at {opens}")
        return value

    @field_validator("release_windows")
    @classmethod
    def _release_windows(cls, value: dict[str, int]) -> dict[str, int]:
        for kind, minutes in value.items():
            if kind not in BOOKING_TYPES:
                raise ValueError(f"'{kind}' is not a booking type: use {', '.join(BOOKING_TYPES)}")
            if not 1 <= minutes <= 24 * 60:
                raise ValueError(f"{kind}: {minutes} minutes is not between 1 and 1440")
        return value


class VisitorEntry(Strict):
    email: str = Field(pattern=EMAIL)
    first_name: str | None = None
    last_name: str | None = None
    response: Literal["none", "organizer", "tentatively_accepted", "accepted", "declined", "not_responded"] = "not_responded"
    checked_in: time | None = Field(default=None, description="Local time the visitor arrived")
    checked_out: time | None = Field(default=None, description="Local time the visitor left")


class VisitEntry(Strict):
    building: int = Field(description="id of the building visited")
    host: str = Field(description="Email of the user hosting the visit")
    day: int = Field(default=0, ge=-365, le=365, description="Days after the day the fixture is loaded")
    start: time
    end: time
    cancelled: bool = False
    visitors: list[VisitorEntry] = Field(min_length=1)


class OrganizationEntry(Strict):
    id: Id | None = None
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    avatar: str | None = None
    amenities: list[AmenityEntry] = Field(default_factory=list)
    users: list[UserEntry] = Field(default_factory=list)
    access_tokens: list[TokenEntry] = Field(default_factory=list)
    api_clients: list[ApiClientEntry] = Field(default_factory=list)
    buildings: list[BuildingEntry] = Field(default_factory=list)
    visits: list[VisitEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self) -> "OrganizationEntry":
        problem = next(self._unresolved_references(), None)
        if problem is not None:
            raise ValueError(problem)
        return self

    def _unresolved_references(self) -> Iterator[str]:
        """Every reference to a person, floor, building or amenity the organization lacks, in
        document order; the first is the one reported."""
        emails = {user.email.lower() for user in self.users}
        amenities = {amenity.name for amenity in self.amenities}
        building_ids = {building.id for building in self.buildings if building.id is not None}
        floor_ids = {floor.id for building in self.buildings for floor in building.floors if floor.id is not None}
        for position, token in enumerate(self.access_tokens):
            if token.user.lower() not in emails:
                yield f"access_tokens[{position}].user: no user with email {token.user}"
        for position, client in enumerate(self.api_clients):
            if client.user.lower() not in emails:
                yield f"api_clients[{position}].user: no user with email {client.user}"
        for user in self.users:
            if user.preferred_floor is not None and user.preferred_floor not in floor_ids:
                yield f"user {user.email}: preferred_floor {user.preferred_floor} is not the id of a floor"
        for position, visit in enumerate(self.visits):
            if visit.building not in building_ids:
                yield f"visits[{position}].building: {visit.building} is not the id of a building"
            if visit.host.lower() not in emails:
                yield f"visits[{position}].host: no user with email {visit.host}"
            if visit.end <= visit.start:
                yield f"visits[{position}]: ends at {visit.end:%H:%M}, not after it starts at {visit.start:%H:%M}"
        for where, place in self._bookables():
            if isinstance(place, DeskEntry) and place.assignee and place.assignee.lower() not in emails:
                yield f"{where}: assignee {place.assignee} is not a user"
            for amenity in place.amenities:
                if amenity.name not in amenities:
                    yield f"{where}: amenity '{amenity.name}' is not among the organization's amenities"
            for role, email in _bookers(place):
                if email.lower() not in emails:
                    yield f"{where}: {role} {email} is not a user"

    def _bookables(self) -> Iterator[tuple[str, SpaceEntry | DeskEntry]]:
        """Every space, each followed by the desks of its zones, with how a problem names it."""
        spaces = (space for building in self.buildings for floor in building.floors for space in floor.spaces)
        for space in spaces:
            yield f"space '{space.name}'", space
            for desk in (desk for zone_entry in space.zones for desk in zone_entry.desks):
                yield f"desk '{desk.name}'", desk


def _bookers(place: SpaceEntry | DeskEntry) -> list[tuple[str, str]]:
    """Who books `place` in the fixture, and as what: its events' organizers or its reservees."""
    if isinstance(place, SpaceEntry):
        return [("event organizer", event.organizer) for event in place.events]
    assignees = [("assignee", assignment.assignee) for assignment in place.assignments]
    return assignees + [("reservee", reservation.reservee) for reservation in place.reservations]


class Fixture(Strict):
    format: Literal["workplace-sandbox-fixture/1"]
    seed: str = "workplace-sandbox"
    created_at: datetime
    organizations: list[OrganizationEntry] = Field(min_length=1)

    @field_validator("created_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a UTC offset, such as 2025-01-06T09:00:00Z")
        return value


def read_fixture(path: Path) -> Fixture:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise FixtureError(f"{path}: can't be read: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise FixtureError(f"{path}: line {error.lineno} column {error.colno}: {error.msg}") from None
    try:
        fixture = Fixture.model_validate(raw)
    except ValidationError as error:
        lines = [f"{path}: {error.error_count()} problem(s)"]
        for problem in error.errors():
            location = _location(problem.get("loc", ()), raw)
            lines.append(f"  {location}: {problem['msg'].removeprefix('Value error, ')}")
        raise FixtureError("\n".join(lines)) from None
    duplicates = list(_duplicate_ids(fixture, raw))
    if duplicates:
        raise FixtureError("\n".join([f"{path}: {len(duplicates)} problem(s)", *(f"  {line}" for line in duplicates)]))
    return fixture


def _duplicate_ids(fixture: Fixture, raw: object) -> Iterator[str]:
    """Every `id` given twice among the entries that share them (spaces and desks share theirs:
    a desk is a space to Kadence), each named where it appears again, with where it first did."""
    first: dict[tuple[str, int], tuple[str, str]] = {}
    for kind, loc, entry_id in _given_ids(fixture):
        where = _location(loc, raw)
        shared = _SHARED_IDS.get(kind, kind)
        earlier = first.setdefault((shared, entry_id), (kind, where))
        if earlier[1] != where:
            yield (
                f"{where}.id: {entry_id} is already the id of {earlier[0]} {earlier[1]}: an id names one {shared} only, "
                "give another or leave it out (the store then gives one)"
            )


_SHARED_IDS = {"space": "space or desk", "desk": "space or desk"}
"""Kinds of entry that draw their ids from one set: a desk is a space to Kadence, one row each."""


def _given_ids(fixture: Fixture) -> Iterator[tuple[str, tuple[str | int, ...], int]]:
    """Each id the fixture gives, with what kind of entry gives it and where, in file order."""
    for o, organization in enumerate(fixture.organizations):
        at: tuple[str | int, ...] = ("organizations", o)
        if organization.id is not None:
            yield "organization", at, organization.id
        for n, amenity in enumerate(organization.amenities):
            if amenity.id is not None:
                yield "amenity", (*at, "amenities", n), amenity.id
        for n, user in enumerate(organization.users):
            if user.id is not None:
                yield "user", (*at, "users", n), user.id
        for b, building in enumerate(organization.buildings):
            in_building = (*at, "buildings", b)
            if building.id is not None:
                yield "building", in_building, building.id
            for f, floor in enumerate(building.floors):
                on_floor = (*in_building, "floors", f)
                if floor.id is not None:
                    yield "floor", on_floor, floor.id
                for s, space in enumerate(floor.spaces):
                    in_space = (*on_floor, "spaces", s)
                    if space.id is not None:
                        yield "space", in_space, space.id
                    for z, zone_entry in enumerate(space.zones):
                        in_zone = (*in_space, "zones", z)
                        if zone_entry.id is not None:
                            yield "zone", in_zone, zone_entry.id
                        for d, desk in enumerate(zone_entry.desks):
                            if desk.id is not None:
                                yield "desk", (*in_zone, "desks", d), desk.id


def _location(loc: tuple[object, ...], raw: object) -> str:
    """Where a problem is: organizations[0].buildings[1] ('London').time_zone."""
    text = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            name = node.get("name") if isinstance(node, dict) else None
            if isinstance(name, str):
                text += f" ('{name}')"
        else:
            text += f".{part}" if text else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return text or "(top level)"
