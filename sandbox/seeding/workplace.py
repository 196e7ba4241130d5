"""The generated workplace: one organization with offices in several time zones, their floors,
rooms, desk zones and desks, and the people who work there, written as a Fixture.

Faker (one instance per office locale, each seeded) names the people, streets and rooms; one
seeded random source decides everything else, so a preset and a seed always give the same
workplace. Beside the fixture comes what booking generation needs to know: each person's
office and home zone, each room's capacity and each desk's booking type.

Its length is one generator's, sharing one seeded random source from the first office to the
last desk.
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from faker import Faker

from sandbox.core.workplace import ascii_slug
from sandbox.seeding.fixture import (
    AmenityEntry,
    ApiClientEntry,
    BuildingEntry,
    DeskEntry,
    Fixture,
    FloorEntry,
    OrganizationEntry,
    SpaceAmenityEntry,
    SpaceEntry,
    TokenEntry,
    UserEntry,
    ZoneEntry,
)
from sandbox.seeding.presets import Preset

ADMIN_TOKEN = "demo-robin-token"
MEMBER_TOKEN = "demo-robin-member-token"
API_CLIENT = ("demo-client", "demo-secret")
EPOCH = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
"""When generated workplaces were set up, unless the clock says today is too early for that."""
AMENITIES = (
    "Whiteboard",
    "TV display",
    "Phone",
    "Projector",
    "Video conferencing",
    "Standing desk",
    "Dual monitors",
    "Docking station",
)
DEPARTMENTS = {
    "Engineering": 30,
    "Sales": 14,
    "Support": 12,
    "Marketing": 10,
    "Operations": 9,
    "Design": 8,
    "Finance": 9,
    "People": 8,
}
WEEKDAY_HOURS = ("07:00", "20:00")


@dataclass(frozen=True)
class Site:
    """Where an office can be: its city, time zone and the locale its people's names come from."""

    code: str
    city: str
    time_zone: str
    faker_locale: str
    locale: str
    country_code: str
    county: str
    latitude: float
    longitude: float
    time_preference: Literal["12H", "24H"]
    saturday_hours: tuple[str, str] | None = None
    release_windows: dict[str, int] = field(default_factory=dict)


SITES = (
    Site(
        "NYC",
        "New York",
        "America/New_York",
        "en_US",
        "en-US",
        "US",
        "New York County",
        40.7505,
        -73.9934,
        "12H",
        release_windows={"desk": 30, "room": 10, "pod": 5, "private_office": 30},
    ),
    Site(
        "LON",
        "London",
        "Europe/London",
        "en_GB",
        "en-GB",
        "GB",
        "City of London",
        51.5155,
        -0.0922,
        "24H",
        release_windows={"desk": 45, "room": 15, "pod": 10},
    ),
    Site(
        "BLR",
        "Bengaluru",
        "Asia/Kolkata",
        "en_IN",
        "en-IN",
        "IN",
        "Bengaluru Urban",
        12.9716,
        77.5946,
        "12H",
        saturday_hours=("09:00", "14:00"),
        release_windows={"desk": 15, "room": 5, "pod": 5},
    ),
    Site(
        "BER",
        "Berlin",
        "Europe/Berlin",
        "de_DE",
        "de-DE",
        "DE",
        "Berlin",
        52.5200,
        13.4050,
        "24H",
        release_windows={"desk": 60, "room": 15, "pod": 10, "private_office": 60},
    ),
    Site(
        "SYD",
        "Sydney",
        "Australia/Sydney",
        "en_AU",
        "en-AU",
        "AU",
        "City of Sydney",
        -33.8688,
        151.2093,
        "12H",
        release_windows={"desk": 30, "room": 10},
    ),
    Site(
        "TOR",
        "Toronto",
        "America/Toronto",
        "en_CA",
        "en-CA",
        "CA",
        "Toronto",
        43.6532,
        -79.3832,
        "12H",
        release_windows={"desk": 30, "room": 10, "pod": 5},
    ),
    Site(
        "SAO",
        "São Paulo",
        "America/Sao_Paulo",
        "pt_BR",
        "pt-BR",
        "BR",
        "São Paulo",
        -23.5505,
        -46.6333,
        "24H",
        saturday_hours=("08:00", "13:00"),
        release_windows={"desk": 30, "room": 10},
    ),
)


@dataclass(frozen=True)
class RoomKind:
    """A kind of bookable room: its Robin space type, capacities, and how often it occurs."""

    type: str
    capacities: tuple[int, ...]
    share: int
    amenities: tuple[str, ...]


ROOM_KINDS = (
    RoomKind("meeting", (4, 6, 6, 8), 40, ("TV display", "Whiteboard")),
    RoomKind("call", (1,), 20, ("Phone",)),
    RoomKind("conference", (10, 12, 16, 20), 15, ("TV display", "Video conferencing", "Whiteboard", "Projector")),
    RoomKind("office", (1, 2, 4), 10, ("TV display",)),
    RoomKind("breakout", (6, 8, 12), 8, ("Whiteboard",)),
    RoomKind("study_room", (2, 3), 7, ()),
)


@dataclass(frozen=True)
class Person:
    email: str
    building: int
    department: str
    zone: int
    """Where the person's desk zone is (an index of Workplace.zones); -1 for an office without desks."""
    attendance: float
    """How often, relative to others, the person comes in and books."""


@dataclass(frozen=True)
class Room:
    name: str
    building: int
    capacity: int


@dataclass(frozen=True)
class Desk:
    name: str
    building: int
    zone: int
    reservation_type: str | None
    """hoteled, hot or assigned: the type its reservations take; None when it can't be booked."""
    assignee: int | None = None


@dataclass(frozen=True)
class Zone:
    building: int
    department: str
    desks: tuple[int, ...]


@dataclass
class Workplace:
    """A generated workplace: the fixture that stores it, and its people and places by position."""

    fixture: Fixture
    sites: list[Site]
    people: list[Person]
    rooms: list[Room]
    desks: list[Desk]
    zones: list[Zone]


def generate_workplace(preset: Preset, seed: int, now: datetime) -> Workplace:
    return _Drafting(preset, seed, now).workplace()


def shares(total: int, parts: int) -> list[int]:
    """`total` split into `parts` counts that differ by at most one, the larger first."""
    return [total // parts + (1 if position < total % parts else 0) for position in range(parts)]


class _Drafting:
    """Draws one workplace: offices first, then their people, who are placed in desk zones."""

    def __init__(self, preset: Preset, seed: int, now: datetime) -> None:
        self.preset = preset
        self.seed = seed
        self.random = random.Random(f"workplace:{preset.name}:{seed}")
        self.sites = [SITES[position % len(SITES)] for position in range(preset.buildings)]
        self.fakers = [self._faker(site, position) for position, site in enumerate(self.sites)]
        self.now = now
        self.created_at = min(EPOCH, (now - timedelta(days=preset.days + 60)).replace(hour=9, minute=0, second=0, microsecond=0))
        self.people: list[Person] = []
        self.rooms: list[Room] = []
        self.desks: list[Desk] = []
        self.zones: list[Zone] = []
        self.desk_entries: list[DeskEntry] = []
        self.emails: set[str] = set()

    def _faker(self, site: Site, position: int) -> Faker:
        faker = Faker(site.faker_locale)
        faker.seed_instance(f"{self.preset.name}:{self.seed}:{position}:{site.code}")
        return faker

    def workplace(self) -> Workplace:
        company = Faker("en_US")
        company.seed_instance(f"{self.preset.name}:{self.seed}:organization")
        name = company.company()
        slug = ascii_slug(name)[:60] or "workplace"
        domain = f"{slug}.example"
        floors = shares(self.preset.floors, self.preset.buildings)
        rooms = shares(self.preset.rooms, self.preset.floors)
        desks = shares(self.preset.desks, self.preset.floors)
        buildings = []
        for position, site in enumerate(self.sites):
            first = sum(floors[:position])
            buildings.append(
                self._building(position, site, rooms[first : first + floors[position]], desks[first : first + floors[position]])
            )
        users = self._users(domain)
        self._assign_desks(users)
        organization = OrganizationEntry(
            slug=slug,
            name=name,
            amenities=[AmenityEntry(name=amenity) for amenity in AMENITIES],
            users=users,
            access_tokens=[
                TokenEntry(token=ADMIN_TOKEN, user=users[0].email),
                TokenEntry(token=MEMBER_TOKEN, user=users[1].email),
            ],
            api_clients=[ApiClientEntry(client_id=API_CLIENT[0], client_secret=API_CLIENT[1], user=users[0].email)],
            buildings=buildings,
        )
        fixture = Fixture(
            format="workplace-sandbox-fixture/1",
            seed=f"{self.preset.name}-{self.seed}",
            created_at=self.created_at,
            organizations=[organization],
        )
        return Workplace(fixture, self.sites, self.people, self.rooms, self.desks, self.zones)

    def _building(self, position: int, site: Site, rooms: list[int], desks: list[int]) -> BuildingEntry:
        faker = self.fakers[position]
        street = faker.street_address().replace("\n", ", ")
        postcode = faker.postcode()
        hours = dict.fromkeys(("MO", "TU", "WE", "TH", "FR"), WEEKDAY_HOURS)
        if site.saturday_hours:
            hours["SA"] = site.saturday_hours
        floors = [
            self._floor(position, site, level, room_count, desk_count)
            for level, (room_count, desk_count) in enumerate(zip(rooms, desks, strict=True), start=1)
        ]
        return BuildingEntry(
            name=f"{site.city} {self.random.choice(('Office', 'Hub', 'Campus', 'Studio'))}",
            time_zone=site.time_zone,
            description=f"{len(floors)} floors of rooms and desks in {site.city}.",
            address=f"{street}, {postcode} {site.city}",
            address_line1=street,
            city=site.city,
            county=site.county,
            country_code=site.country_code,
            opening_hours=hours,
            closures=self._holidays(site),
            onsite_capacity=max(5, self.preset.users // self.preset.buildings // 2),
            booking_horizon_days=min(366, max(31, self.preset.days + 2) + self.random.choice((0, 7, 30))),
            release_windows=site.release_windows,
            latitude=round(site.latitude + self.random.uniform(-0.01, 0.01), 4),
            longitude=round(site.longitude + self.random.uniform(-0.01, 0.01), 4),
            floors=floors,
        )

    def _holidays(self, site: Site) -> list[date | int]:
        """A weekday the office was closed and one it will be: days after the day it is seeded."""
        today = self.now.astimezone(ZoneInfo(site.time_zone)).date()
        holidays: list[date | int] = []
        for first, last in ((-self.preset.days, -8), (3, self.preset.days)):
            offset = self.random.randint(first, last)
            while (today + timedelta(days=offset)).weekday() >= 5:
                offset -= 1
            holidays.append(offset)
        return holidays

    def _floor(self, building: int, site: Site, level: int, room_count: int, desk_count: int) -> FloorEntry:
        spaces = [self._room(building, level, number) for number in range(1, room_count + 1)]
        if desk_count:
            spaces.append(self._desk_area(building, site, level, desk_count))
        return FloorEntry(name=f"Floor {level}", level_number=level, spaces=spaces)

    def _room(self, building: int, level: int, number: int) -> SpaceEntry:
        kind = self.random.choices(ROOM_KINDS, weights=[kind.share for kind in ROOM_KINDS])[0]
        capacity = self.random.choice(kind.capacities)
        name = f"{level}.{number:02d} {self.fakers[building].city()}"
        amenities = [SpaceAmenityEntry(name=amenity) for amenity in kind.amenities if self.random.random() < 0.8]
        self.rooms.append(Room(name, building, capacity))
        return SpaceEntry(
            name=name,
            type=kind.type,
            capacity=capacity,
            amenities=amenities,
            is_accessible=self.random.random() < 0.6,
            release_after_minutes=0 if self.random.random() < 0.1 else None,
        )

    def _desk_area(self, building: int, site: Site, level: int, desk_count: int) -> SpaceEntry:
        zones = [
            self._zone(building, site, level, letter, count)
            for letter, count in zip(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZ", shares(desk_count, max(1, round(desk_count / 12))), strict=False
            )
        ]
        return SpaceEntry(
            name=f"{site.code} Workspace {level}",
            type="other",
            capacity=desk_count,
            is_reservable=False,
            description="Open-plan desks in zones.",
            zones=zones,
        )

    def _zone(self, building: int, site: Site, level: int, letter: str, count: int) -> ZoneEntry:
        department = self.random.choices(list(DEPARTMENTS), weights=list(DEPARTMENTS.values()))[0]
        zone = len(self.zones)
        entries = [self._desk(building, zone, f"{site.code}-{level:02d}{letter}-{number:02d}") for number in range(1, count + 1)]
        self.zones.append(Zone(building, department, tuple(range(len(self.desks) - count, len(self.desks)))))
        return ZoneEntry(name=f"{department} {level}{letter}", type="pod", desks=entries)

    def _desk(self, building: int, zone: int, name: str) -> DeskEntry:
        draw = self.random.random()
        amenities = [
            SpaceAmenityEntry(name=amenity)
            for amenity, chance in (("Docking station", 0.7), ("Dual monitors", 0.4), ("Standing desk", 0.2))
            if self.random.random() < chance
        ]
        entry = DeskEntry(name=name, amenities=amenities, max_reservation_length="P1D")
        kind: str | None = "hoteled"
        if draw < 0.01:
            entry.is_disabled, kind = True, None
        elif draw < 0.02:
            entry.is_reservable, kind = False, None
        elif draw < 0.10:
            entry.desk_type, entry.max_reservation_length, kind = ["hot"], "PT10H", "hot"
        elif draw < 0.20:
            entry.desk_type, entry.max_reservation_length, kind = ["assigned"], None, "assigned"
        self.desks.append(Desk(name, building, zone, kind))
        self.desk_entries.append(entry)
        return entry

    def _users(self, domain: str) -> list[UserEntry]:
        """The people of each office in turn; the first is an administrator (the demo token's),
        the second a plain member (the member token's)."""
        homes: dict[tuple[int, str], list[int]] = {}
        for index, zone in enumerate(self.zones):
            homes.setdefault((zone.building, zone.department), []).append(index)
            homes.setdefault((zone.building, ""), []).append(index)
        users: list[UserEntry] = []
        for building, count in enumerate(shares(self.preset.users, self.preset.buildings)):
            for _ in range(count):
                position = len(users)
                role: Literal["admin", "member"] = (
                    "admin" if position == 0 or (position > 1 and self.random.random() < 0.005) else "member"
                )
                users.append(self._user(building, domain, role, homes, may_be_pending=position > 1))
        return users

    def _user(
        self,
        building: int,
        domain: str,
        role: Literal["admin", "member"],
        homes: dict[tuple[int, str], list[int]],
        *,
        may_be_pending: bool,
    ) -> UserEntry:
        site, faker = self.sites[building], self.fakers[building]
        given, family = faker.first_name(), faker.last_name()
        email = self._unique_email(f"{ascii_slug(given)}.{ascii_slug(family)}".strip(".") or "user", domain)
        department = self.random.choices(list(DEPARTMENTS), weights=list(DEPARTMENTS.values()))[0]
        home = homes.get((building, department)) or homes.get((building, ""), [])
        self.people.append(
            Person(
                email,
                building,
                department,
                self.random.choice(home) if home else -1,
                self.random.choices((0.2, 0.5, 1.0, 1.6, 2.6), weights=(15, 20, 30, 25, 10))[0],
            )
        )
        return UserEntry(
            name=f"{given} {family}",
            email=email,
            given_name=given,
            family_name=family,
            role=role,
            time_zone=site.time_zone,
            department=department,
            groups=["Admins", department, site.city] if role == "admin" else [department, site.city],
            is_pending=may_be_pending and self.random.random() < 0.005,
            job_title=faker.job()[:120],
            locale=site.locale,
            time_preference=site.time_preference,
            location_city=site.city,
            location_country_code=site.country_code,
            location_latitude=site.latitude,
            location_longitude=site.longitude,
        )

    def _unique_email(self, local: str, domain: str) -> str:
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.emails.add(candidate)
        return candidate

    def _assign_desks(self, users: list[UserEntry]) -> None:
        """Each assigned desk goes to someone whose home zone it is in, else stays unassigned."""
        residents: dict[int, list[int]] = {}
        for index, person in enumerate(self.people):
            residents.setdefault(person.zone, []).append(index)
        for position, desk in enumerate(self.desks):
            if desk.reservation_type != "assigned":
                continue
            candidates = residents.get(desk.zone, [])
            if not candidates:
                self.desks[position] = Desk(desk.name, desk.building, desk.zone, None)
                continue
            owner = candidates.pop(self.random.randrange(len(candidates)))
            self.desks[position] = Desk(desk.name, desk.building, desk.zone, "assigned", owner)
            self.desk_entries[position].assignee = users[owner].email
