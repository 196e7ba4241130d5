"""The generated presets, seeded: a workplace drawn by Faker, stored through the fixture loader,
then months of bookings drawn around today and written in bulk, all in one transaction.

The same preset and seed give the same store, and so the same API responses, for the same
organization clock: bookings are placed around the clock's today, and what has happened to
them (check-ins, cancellations) is what had happened by the clock's now.
"""

from sqlmodel import Session, col, select

from sandbox.core import space_types
from sandbox.core.clock import Clock
from sandbox.seeding import Progress
from sandbox.seeding.bulk import Bookable, BookingWriter, Member, next_reservation_id
from sandbox.seeding.loader import (
    advance_sequences,
    entry_count,
    load_organizations,
    mark_seeded,
)
from sandbox.seeding.occupancy import Occupancy
from sandbox.seeding.presets import Preset
from sandbox.seeding.workplace import Workplace, generate_workplace
from sandbox.store.engine import Store
from sandbox.store.models import Building, Organization, Resource, ResourceKind, User


def seed_preset(store: Store, preset: Preset, seed: int, clock: Clock, progress: Progress | None = None) -> str:
    """Generate `preset` from `seed` into a prepared, empty store; nothing is stored if any part
    fails. Returns the name the store is marked as seeded with."""
    name = f"{preset.name} preset, seed {seed}"
    workplace = generate_workplace(preset, seed, clock.wall())
    counter = _Counter(progress, entry_count(workplace.fixture) + preset.bookings)
    with store.transaction() as session:
        organization = load_organizations(session, workplace.fixture, clock, counter.tick)[0]
        session.flush()
        occupancy, writer = plan_bookings(session, workplace, organization, preset, seed, clock)
        counter.total = counter.done + occupancy.total
        writer.written = counter.advance
        writer.write(occupancy.bookings())
        mark_seeded(session, name)
        session.commit()
    if not store.is_sqlite:
        advance_sequences(store)
    counter.finish()
    return name


def plan_bookings(
    session: Session, workplace: Workplace, organization: Organization, preset: Preset, seed: int, clock: Clock
) -> tuple[Occupancy, BookingWriter]:
    """The bookings to generate around the organization's today, and the writer that stores them
    against the workplace's stored rows."""
    assert organization.id is not None
    offices = list(session.exec(select(Building).where(Building.organization_id == organization.id).order_by(col(Building.id))))
    stored = {
        (resource.building_id, resource.name): resource
        for resource in session.exec(
            select(Resource).where(
                Resource.organization_id == organization.id,
                col(Resource.kind).in_([ResourceKind.SPACE, ResourceKind.DESK]),
            )
        )
    }
    rooms = [_bookable(session, stored[offices[room.building].id or 0, room.name]) for room in workplace.rooms]
    desks = [_bookable(session, stored[offices[desk.building].id or 0, desk.name]) for desk in workplace.desks]
    users = {
        email: (user_id, name)
        for user_id, email, name in session.exec(
            select(User.id, User.email, User.name).where(User.organization_id == organization.id)
        )
    }
    people = [Member(users[person.email][0] or 0, person.email, users[person.email][1]) for person in workplace.people]
    now = clock.now(organization)
    occupancy = Occupancy(
        workplace,
        offices,
        [room.release_after_s for room in rooms],
        [desk.release_after_s for desk in desks],
        preset,
        seed,
        now,
    )
    writer = BookingWriter(
        session, organization.id, workplace.fixture.seed, rooms, desks, people, first_id=next_reservation_id(session)
    )
    return occupancy, writer


def _bookable(session: Session, resource: Resource) -> Bookable:
    return Bookable(resource.id or 0, resource.building_id, space_types.release_window(session, resource))


class _Counter:
    """Progress over workplace entries, then bookings: told as they are stored, reported now and
    then (about every 0.2 %), and once more at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        self.reported = 0

    def tick(self) -> None:
        self.advance(1)

    def advance(self, count: int) -> None:
        self.done += count
        if self.progress is not None and self.done - self.reported >= max(1, self.total // 500):
            self.reported = self.done
            self.progress(self.done, max(self.total, self.done))

    def finish(self) -> None:
        self.total = self.done
        if self.progress is not None:
            self.progress(self.done, self.total)
