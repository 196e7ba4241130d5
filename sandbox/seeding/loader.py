"""Loading a fixture into the store, in one transaction.

Its length is the fixture's: one method a section of it.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import Integer
from sqlmodel import Session, SQLModel

from sandbox.core import assignments, buildings, events, reservations, seats, visits
from sandbox.core.access import Actor
from sandbox.core.clock import Clock
from sandbox.core.errors import DomainError
from sandbox.core.events import EventInput, InviteeInput
from sandbox.core.ids import seeded_ulid
from sandbox.core.seats import SeatReservationInput
from sandbox.core.times import zone
from sandbox.seeding import SEEDED_KEY, FixtureError
from sandbox.seeding.fixture import (
    BuildingEntry,
    DeskEntry,
    Fixture,
    OrganizationEntry,
    SpaceAmenityEntry,
    SpaceEntry,
    VisitEntry,
    VisitorEntry,
)
from sandbox.seeding.identity import reseed
from sandbox.store.engine import Store
from sandbox.store.models import (
    AccessToken,
    Amenity,
    ApiClient,
    Area,
    Building,
    Floor,
    Organization,
    Resource,
    ResourceAmenity,
    ResourceKind,
    StoreMeta,
    User,
    Visitor,
)

Row = TypeVar("Row", bound=SQLModel)


def load(store: Store, fixture: Fixture, clock: Clock, name: str, tick: Callable[[], None] | None = None) -> None:
    """Store every row of `fixture`; nothing is stored if any part fails. `tick` is told of
    each entry stored (entry_count(fixture) in all)."""
    with store.transaction() as session:
        load_organizations(session, fixture, clock, tick)
        mark_seeded(session, name)
        session.commit()
    if not store.is_sqlite:
        advance_sequences(store)


def load_organizations(
    session: Session, fixture: Fixture, clock: Clock, tick: Callable[[], None] | None = None
) -> list[Organization]:
    """Add the organizations of `fixture` to the session's transaction; `tick` is told of each
    entry stored (entry_count(fixture) in all)."""
    return [_Loader(session, fixture, clock, tick).organization(entry) for entry in fixture.organizations]


def entry_count(fixture: Fixture) -> int:
    """How many entries of `fixture` tick as they are stored: amenities, users, buildings,
    floors, spaces, zones and desks."""
    count = 0
    for organization in fixture.organizations:
        count += len(organization.amenities) + len(organization.users) + len(organization.buildings)
        for building in organization.buildings:
            count += len(building.floors)
            for floor in building.floors:
                count += len(floor.spaces)
                for space in floor.spaces:
                    count += len(space.zones) + sum(len(zone_entry.desks) for zone_entry in space.zones)
    return count


def mark_seeded(session: Session, name: str) -> None:
    """Record what the store was seeded with: a store so marked is never seeded again at start."""
    session.merge(StoreMeta(key=SEEDED_KEY, value=name))


class _Loader:
    def __init__(self, session: Session, fixture: Fixture, clock: Clock, tick: Callable[[], None] | None = None) -> None:
        self.session = session
        self.fixture = fixture
        self.clock = clock
        self.tick = tick or (lambda: None)
        self.at = fixture.created_at.astimezone(UTC)
        self.users: dict[str, User] = {}
        self.amenities: dict[str, Amenity] = {}

    def add(self, row: Row) -> Row:
        """Store `row`, under its seeded ULID if it has one. The ULID derives from the id: it goes
        into the INSERT when the fixture gives the id, else into an UPDATE once the store gave one."""
        seeded = hasattr(row, "ulid")
        id_given = getattr(row, "id", None) is not None
        if seeded and id_given:
            self._seed_ulid(row)
        self.session.add(row)
        self.session.flush()
        if seeded and not id_given:
            self._seed_ulid(row)
        return row

    def _seed_ulid(self, row: SQLModel) -> None:
        row.ulid = seeded_ulid(self.fixture.seed, str(row.__tablename__), row.id, self.at)  # type: ignore[attr-defined]  # `add` passes only rows with a ulid

    def organization(self, entry: OrganizationEntry) -> Organization:
        organization = Organization(
            id=entry.id, slug=entry.slug, name=entry.name, avatar=entry.avatar, created_at=self.at, updated_at=self.at
        )
        self.add(organization)
        org_id = organization.id or 0
        for amenity in entry.amenities:
            row = Amenity(id=amenity.id, organization_id=org_id, name=amenity.name, created_at=self.at, updated_at=self.at)
            self.amenities[amenity.name] = self.add(row)
            self.tick()
        for person in entry.users:
            given, _, family = person.name.partition(" ")
            user_row = User(
                id=person.id,
                organization_id=org_id,
                email=person.email,
                name=person.name,
                given_name=person.given_name or given,
                family_name=person.family_name or family or None,
                slug=re.sub(r"[^a-z0-9]+", "-", person.email.split("@")[0].lower()).strip("-"),
                time_zone=person.time_zone,
                department=person.department,
                groups=person.groups,
                role=person.role,
                is_pending=person.is_pending,
                job_title=person.job_title,
                biography=person.biography,
                locale=person.locale,
                time_preference=person.time_preference,
                location_city=person.location_city,
                location_country_code=person.location_country_code,
                location_latitude=person.location_latitude,
                location_longitude=person.location_longitude,
                created_at=self.at,
                updated_at=self.at,
            )
            self.users[person.email.lower()] = self.add(user_row)
            self.tick()
        for token in entry.access_tokens:
            user = self.users[token.user.lower()]
            self.session.add(AccessToken(token=token.token, user_id=user.id or 0, organization_id=org_id, created_at=self.at))
        for client in entry.api_clients:
            self.session.add(
                ApiClient(
                    client_id=client.client_id,
                    client_secret=client.client_secret,
                    organization_id=org_id,
                    user_id=self.users[client.user.lower()].id or 0,
                    created_at=self.at,
                )
            )
        for building in entry.buildings:
            self.building(organization, building)
        for person in entry.users:
            if person.preferred_floor is not None:
                self.users[person.email.lower()].preferred_floor_id = person.preferred_floor
        visitors: dict[str, Visitor] = {}
        for position, visit in enumerate(entry.visits):
            self.visit(organization, visit, visitors, position)
        return organization

    def building(self, organization: Organization, entry: BuildingEntry) -> None:
        building = Building(
            id=entry.id,
            organization_id=organization.id or 0,
            name=entry.name,
            time_zone=entry.time_zone,
            description=entry.description,
            address=entry.address,
            image=entry.image,
            latitude=entry.latitude,
            longitude=entry.longitude,
            address_line1=entry.address_line1,
            address_line2=entry.address_line2,
            city=entry.city,
            county=entry.county,
            country_code=entry.country_code,
            opening_hours={day: list(hours) for day, hours in entry.opening_hours.items()},
            onsite_capacity=entry.onsite_capacity,
            booking_horizon_days=entry.booking_horizon_days,
            release_windows={kind: minutes * 60 for kind, minutes in entry.release_windows.items()},
            created_at=self.at,
            updated_at=self.at,
        )
        self.add(building)
        self.tick()
        today = self.clock.now(organization).astimezone(zone(entry.time_zone, "time_zone")).date()
        building.closures = sorted(
            {(today + timedelta(days=day) if isinstance(day, int) else day).isoformat() for day in entry.closures}
        )
        buildings.onsite_resource(self.session, building)
        for floor_entry in entry.floors:
            floor = Floor(
                id=floor_entry.id,
                organization_id=organization.id or 0,
                building_id=building.id or 0,
                name=floor_entry.name,
                level_number=floor_entry.level_number,
                created_at=self.at,
                updated_at=self.at,
            )
            self.add(floor)
            self.tick()
            for space_entry in floor_entry.spaces:
                self.space(organization, building, floor, space_entry)

    def space(self, organization: Organization, building: Building, floor: Floor, entry: SpaceEntry) -> None:
        space = Resource(
            id=entry.id,
            organization_id=organization.id or 0,
            building_id=building.id or 0,
            floor_id=floor.id,
            kind=ResourceKind.SPACE,
            name=entry.name,
            description=entry.description,
            type=entry.type,
            capacity=entry.capacity,
            is_accessible=entry.is_accessible,
            is_disabled=entry.is_disabled,
            disabled_at=self.at if entry.is_disabled else None,
            is_reservable=entry.is_reservable,
            on_demand=entry.on_demand,
            calendar_email=entry.calendar_email,
            created_at=self.at,
            updated_at=self.at,
            release_after_s=_seconds(entry.release_after_minutes),
        )
        self.add(space)
        self.tick()
        if space.calendar_email is None and space.is_reservable:
            space.calendar_email = f"{organization.slug}-space-{space.id}@resource.calendar.google.com"
        self.amenities_of(space, entry.amenities)
        seated: list[tuple[Resource, DeskEntry]] = []
        for zone_entry in entry.zones:
            area = Area(
                id=zone_entry.id,
                organization_id=organization.id or 0,
                building_id=building.id or 0,
                floor_id=floor.id or 0,
                space_id=space.id,
                name=zone_entry.name,
                type=zone_entry.type,
                created_at=self.at,
                updated_at=self.at,
            )
            self.add(area)
            self.tick()
            for desk in zone_entry.desks:
                assignee = self.users[desk.assignee.lower()] if desk.assignee else None
                seat = self.add(
                    Resource(
                        id=desk.id,
                        organization_id=organization.id or 0,
                        building_id=building.id or 0,
                        floor_id=floor.id,
                        kind=ResourceKind.DESK,
                        parent_id=space.id,
                        area_id=area.id,
                        name=desk.name,
                        capacity=1,
                        is_disabled=desk.is_disabled,
                        disabled_at=self.at if desk.is_disabled else None,
                        is_reservable=desk.is_reservable,
                        desk_type=desk.desk_type,
                        assignee_id=assignee.id if assignee else None,
                        max_reservation_length=desk.max_reservation_length,
                        advanced_booking_threshold=desk.advanced_booking_threshold,
                        release_after_s=_seconds(desk.release_after_minutes),
                        created_at=self.at,
                        updated_at=self.at,
                    )
                )
                self.amenities_of(seat, desk.amenities)
                seated.append((seat, desk))
                self.tick()
        tz = zone(building.time_zone, "time_zone")
        for position, event in enumerate(entry.events):
            organizer = self.users[event.organizer.lower()]
            now = self.clock.now(organization)
            day = now.astimezone(tz).date() + timedelta(days=event.day)
            start = datetime.combine(day, event.start, tz).astimezone(UTC)
            end = datetime.combine(day, event.end, tz).astimezone(UTC)
            draft = EventInput(
                start=start,
                end=end,
                time_zone=tz.key,
                title=event.title,
                description=event.description,
                recurrence=event.recurrence,
                invitees=[InviteeInput(email) for email in event.invitees],
                source="fixture",
            )
            try:
                booked = events.create_event(self.session, Actor(organizer, organization, now), space.id or 0, draft)
            except DomainError as error:
                raise FixtureError(f"space '{entry.name}': events[{position}]: {error.message}") from None
            reseed(booked.reservation, self.fixture.seed)
        for seat, desk in seated:
            for position, assignment in enumerate(desk.assignments):
                assignee = self.users[assignment.assignee.lower()]
                now = self.clock.now(organization)
                try:
                    assigned = assignments.assign(self.session, now, seat, assignee, assignee, assignment.recurrence, "fixture")
                except DomainError as error:
                    raise FixtureError(f"desk '{desk.name}': assignments[{position}]: {error.message}") from None
                if assigned is not None:
                    reseed(assigned.reservation, self.fixture.seed)
            for position, booking in enumerate(desk.reservations):
                reservee = self.users[booking.reservee.lower()]
                now = self.clock.now(organization)
                day = now.astimezone(tz).date() + timedelta(days=booking.day)
                seat_draft = SeatReservationInput(
                    type=booking.type,
                    start=datetime.combine(day, booking.start, tz).astimezone(UTC),
                    end=datetime.combine(day, booking.end, tz).astimezone(UTC),
                    time_zone=tz.key,
                    recurrence=booking.recurrence,
                    title=booking.title,
                    source="fixture",
                )
                try:
                    reserved = seats.create_seat_reservation(
                        self.session, Actor(reservee, organization, now), seat.id or 0, seat_draft
                    )
                except DomainError as error:
                    raise FixtureError(f"desk '{desk.name}': reservations[{position}]: {error.message}") from None
                reseed(reserved.reservation, self.fixture.seed)

    def visit(self, organization: Organization, entry: VisitEntry, known: dict[str, Visitor], position: int) -> None:
        """A guest booking of the visit's host in its building, written as any booking is (its
        occurrence indexed), with each visitor's attendance."""
        building = self.session.get(Building, entry.building)
        assert building is not None
        tz = zone(building.time_zone, "time_zone")
        day = self.clock.now(organization).astimezone(tz).date() + timedelta(days=entry.day)

        def at(moment: time) -> datetime:
            return datetime.combine(day, moment, tz).astimezone(UTC)

        host = self.users[entry.host.lower()]
        entries = [
            VisitorEntry(email=host.email, response="organizer"),
            *(guest for guest in entry.visitors if guest.email.lower() != host.email.lower()),
        ]
        guests = []
        for guest in entries:
            visitor = known.get(guest.email.lower())
            if visitor is None:
                user = self.users.get(guest.email.lower())
                visitor = known[guest.email.lower()] = self.add(
                    Visitor(
                        organization_id=organization.id or 0,
                        email=guest.email,
                        first_name=guest.first_name or (user.given_name if user else None),
                        last_name=guest.last_name or (user.family_name if user else None),
                        user_id=user.id if user else None,
                        created_at=self.at,
                    )
                )
            if guest.checked_out is not None and guest.checked_in is None:
                raise FixtureError(f"visits[{position}]: visitor {guest.email} checked out without checking in")
            guests.append(
                visits.Guest(
                    visitor,
                    guest.response,
                    at(guest.checked_in) if guest.checked_in else None,
                    at(guest.checked_out) if guest.checked_out else None,
                )
            )
        start, end = at(entry.start), at(entry.end)
        # Booked before it starts, so that nobody coming releases it at its end.
        booked_at = min(self.at, start)
        try:
            reservation = visits.book_visit(self.session, building, host, start, end, guests, at=booked_at, source="fixture")
        except DomainError as error:
            raise FixtureError(f"visits[{position}]: {error.message}") from None
        if entry.cancelled:
            reservations.cancel(self.session, reservation, None, self.at, by_id=host.id)
        reseed(reservation, self.fixture.seed)

    def amenities_of(self, resource: Resource, entries: list[SpaceAmenityEntry]) -> None:
        for amenity in entries:
            self.session.add(
                ResourceAmenity(
                    resource_id=resource.id or 0,
                    amenity_id=self.amenities[amenity.name].id or 0,
                    quantity=amenity.quantity,
                    created_at=self.at,
                    updated_at=self.at,
                )
            )


def _seconds(minutes: int | None) -> int | None:
    return None if minutes is None else minutes * 60


def advance_sequences(store: Store) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move each past the largest id."""
    with store.session(write=True) as session:
        for table in SQLModel.metadata.tables.values():
            if "id" in table.c and isinstance(table.c.id.type, Integer):
                session.connection().exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
        session.commit()
