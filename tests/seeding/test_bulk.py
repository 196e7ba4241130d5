"""Generated bookings written in bulk are the rows the core writes for the same bookings made,
cancelled, checked in and out one request at a time, and read the same through both APIs."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from sandbox.core import bookings, confirmations, events, seats
from sandbox.core.access import Actor
from sandbox.core.bookings import Attendee, BookingInput
from sandbox.core.clock import Clock
from sandbox.core.events import EventInput, InviteeInput
from sandbox.core.keys import OccurrenceKey
from sandbox.core.seats import SeatReservationInput
from sandbox.seeding.bulk import BookingWriter
from sandbox.seeding.generator import plan_bookings, seed_preset
from sandbox.seeding.identity import reseed
from sandbox.seeding.occupancy import Instance, PlannedBooking
from sandbox.seeding.presets import LARGE
from sandbox.seeding.workplace import generate_workplace
from sandbox.store.engine import Store
from sandbox.store.models import (
    Organization,
    Reservation,
    ReservationKind,
    Resource,
    User,
)
from tests.conftest import NOW, Wall, new_store
from tests.core.conftest import key_of
from tests.seeding.conftest import sandbox_on

PRESET = LARGE.scaled(0.02)
SEED = 5
TABLES = {
    "reservation": ("id",),
    "occurrence": ("reservation_id", "original_start"),
    "occurrence_exception": ("reservation_id", "original_start"),
    "check_in": ("reservation_id", "original_start"),
    "invitee": ("reservation_id", "email"),
}


def workplace_without_bookings() -> Store:
    store = new_store()
    seed_preset(store, replace(PRESET, bookings=0), SEED, Clock(Wall(NOW)))
    return store


def chosen(planned: list[PlannedBooking]) -> list[PlannedBooking]:
    """One booking of each kind the generator makes, each with its fate; the rarer fates of a
    weekly series are given to series of the plan."""
    cases: dict[str, Callable[[PlannedBooking], bool]] = {
        "robin desk, checked in": lambda b: _desk(b) and b.source == "robin" and _checked_in(b),
        "robin desk booked by an administrator": lambda b: _desk(b) and b.creator != b.organizer,
        "kadence desk, checked in and out": lambda b: _desk(b) and b.source == "kadence" and _checked_out(b),
        "kadence desk, no-show": lambda b: _desk(b) and b.source == "kadence" and _no_show(b),
        "robin desk, cancelled": lambda b: _desk(b) and b.source == "robin" and b.cancelled_at is not None,
        "kadence desk, cancelled": lambda b: _desk(b) and b.source == "kadence" and b.cancelled_at is not None,
        "hot desk": lambda b: b.reservation_type == "hot",
        "assigned desk": lambda b: b.reservation_type == "assigned",
        "future desk": lambda b: _desk(b) and b.start > NOW + timedelta(days=3) and b.cancelled_at is None,
        "robin meeting with invitees, checked in": lambda b: (
            _single_meeting(b) and b.source == "robin" and len(b.invitees) > 2 and _checked_in(b)
        ),
        "kadence meeting with attendees": lambda b: _single_meeting(b) and b.source == "kadence" and len(b.invitees) > 1,
        "meeting, no-show": lambda b: _single_meeting(b) and _no_show(b),
        "meeting, cancelled": lambda b: _single_meeting(b) and b.cancelled_at is not None and b.cancelled_by != b.organizer,
    }
    found = []
    for case, matches in cases.items():
        booking = next((booking for booking in planned if matches(booking) and booking not in found), None)
        assert booking is not None, f"the plan has no {case}"
        found.append(booking)
    series = [
        booking
        for booking in planned
        if booking.recurrence
        and booking.cancelled_at is None
        and any(instance.check_in for instance in booking.instances)
        and booking.start - booking.created_at > timedelta(hours=2)
    ]
    assert len(series) >= 2, "the plan has too few weekly series"
    return [*found, one_instance_cancelled(series[0]), called_off(series[1])]


def one_instance_cancelled(series: PlannedBooking) -> PlannedBooking:
    """The series with its last occurrence that nobody checked in to cancelled by its organizer,
    before it began."""
    instances = [replace(instance) for instance in series.instances]
    last = next(instance for instance in reversed(instances) if instance.check_in is None and instance.cancelled_at is None)
    last.cancelled_at = series.created_at + (min(last.start, NOW) - series.created_at) / 2
    last.cancelled_by = series.organizer
    return replace(series, instances=instances)


def called_off(series: PlannedBooking) -> PlannedBooking:
    """The series cancelled as a whole by its organizer an hour after it was booked."""
    return replace(
        series,
        cancelled_at=series.created_at + timedelta(hours=1),
        cancelled_by=series.organizer,
        instances=[Instance(instance.start) for instance in series.instances],
    )


def _desk(booking: PlannedBooking) -> bool:
    return booking.kind == ReservationKind.SEAT


def _single_meeting(booking: PlannedBooking) -> bool:
    return booking.kind == ReservationKind.EVENT and booking.recurrence is None


def _checked_in(booking: PlannedBooking) -> bool:
    return booking.instances[0].check_in is not None and booking.instances[0].check_in.out_at is None


def _checked_out(booking: PlannedBooking) -> bool:
    return booking.instances[0].check_in is not None and booking.instances[0].check_in.out_at is not None


def _no_show(booking: PlannedBooking) -> bool:
    return booking.cancelled_at is None and booking.instances[0].check_in is None and booking.end < NOW


class Requests:
    """Makes planned bookings the way clients do, one core call at a time, at the moments the
    plan says, on a store holding the same workplace."""

    def __init__(self, session: Session, writer: BookingWriter, seed: str) -> None:
        self.session = session
        self.writer = writer
        self.seed = seed
        self.organization = session.exec(select(Organization)).one()
        self.client_user = self.user(0)

    def user(self, person: int) -> User:
        found = self.session.get(User, self.writer.people[person].id)
        assert found is not None
        return found

    def as_person(self, person: int, now: datetime) -> Actor:
        return Actor(self.user(person), self.organization, now)

    def as_api_client(self, now: datetime) -> Actor:
        return Actor(self.client_user, self.organization, now, integration=True)

    def make(self, booking: PlannedBooking) -> None:
        reservation = self.book(booking)
        reseed(reservation, self.seed)
        self.session.commit()
        if booking.cancelled_at is not None:
            self.cancel(booking, reservation, None, booking.cancelled_at, booking.cancelled_by)
        for instance in booking.instances:
            original = instance.start if booking.recurrence else None
            if instance.cancelled_at is not None:
                self.cancel(booking, reservation, original, instance.cancelled_at, instance.cancelled_by)
            if instance.check_in is not None:
                self.check_in(booking, reservation, original, instance)

    def book(self, booking: PlannedBooking) -> Reservation:
        place = (self.writer.desks if booking.kind == ReservationKind.SEAT else self.writer.rooms)[booking.place]
        if booking.source == "kadence":
            resource = self.session.get(Resource, place.id)
            assert resource is not None
            made = bookings.create_booking(
                self.session,
                self.as_api_client(booking.created_at),
                BookingInput(
                    user_id=self.user(booking.organizer).ulid,
                    start=booking.start,
                    end=booking.end,
                    space_id=resource.ulid,
                    title=booking.title or None,
                    attendees=[Attendee(user_id=self.user(person).ulid) for person in booking.invitees],
                ),
            )
            return made.reservation
        if booking.kind == ReservationKind.SEAT:
            return seats.create_seat_reservation(
                self.session,
                self.as_person(booking.creator, booking.created_at),
                place.id,
                SeatReservationInput(
                    type=booking.reservation_type,
                    start=booking.start,
                    end=booking.end,
                    time_zone=booking.time_zone,
                    reservee_user_id=self.writer.people[booking.organizer].id,
                ),
            ).reservation
        return events.create_event(
            self.session,
            self.as_person(booking.organizer, booking.created_at),
            place.id,
            EventInput(
                start=booking.start,
                end=booking.end,
                time_zone=booking.time_zone,
                title=booking.title,
                recurrence=booking.recurrence,
                invitees=[InviteeInput(self.writer.people[person].email) for person in booking.invitees],
            ),
        ).reservation

    def cancel(
        self, booking: PlannedBooking, reservation: Reservation, original: datetime | None, at: datetime, by: int | None
    ) -> None:
        assert by is not None
        key = OccurrenceKey(reservation_id=reservation.id, original_start=original)
        if booking.source == "kadence":
            bookings.cancel_booking(self.session, self.as_api_client(at), key_of(reservation, original), self.user(by).ulid)
        elif booking.kind == ReservationKind.SEAT:
            seats.cancel_seat_reservation(self.session, self.as_person(by, at), key)
        else:
            events.cancel_event(self.session, self.as_person(by, at), key)

    def check_in(self, booking: PlannedBooking, reservation: Reservation, original: datetime | None, instance: Instance) -> None:
        check_in = instance.check_in
        assert check_in is not None
        key = OccurrenceKey(reservation_id=reservation.id, original_start=original)
        if booking.source == "kadence":
            person = self.user(check_in.person).ulid
            identifier = key_of(reservation, original)
            bookings.check_in_booking(self.session, self.as_api_client(check_in.at), identifier, person, check_in.method)
            if check_in.out_at is not None:
                bookings.check_out_booking(self.session, self.as_api_client(check_in.out_at), identifier, person, check_in.method)
        elif booking.kind == ReservationKind.SEAT:
            confirmations.confirm_seat_reservation(self.session, self.as_person(check_in.person, check_in.at), key, None, None)
        else:
            confirmations.confirm_event(self.session, self.as_person(check_in.person, check_in.at), key, None, None)


def rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    """The booking tables, row ids of child tables left out, and each resource's longest booking."""
    found = {}
    with store.session() as session:
        for table, order in TABLES.items():
            result = session.connection().execute(text(f'SELECT * FROM "{table}" ORDER BY {", ".join(order)}'))
            found[table] = [
                {key: value for key, value in row._mapping.items() if table == "reservation" or key != "id"} for row in result
            ]
        found["resource"] = [
            dict(row._mapping)
            for row in session.connection().execute(text("SELECT id, longest_booking_s FROM resource ORDER BY id"))
        ]
    return found


@pytest.fixture(scope="module")
def both_ways() -> tuple[Store, Store, list[PlannedBooking]]:
    """The same bookings, written in bulk into one store and made through the core in another."""
    in_bulk, through_core = workplace_without_bookings(), workplace_without_bookings()
    workplace = generate_workplace(PRESET, SEED, NOW)
    with in_bulk.transaction() as session:
        organization = session.exec(select(Organization)).one()
        occupancy, writer = plan_bookings(session, workplace, organization, PRESET, SEED, Clock(Wall(NOW)))
        planned = chosen(list(occupancy.bookings()))
        written = writer.write(planned)
        session.commit()
    with through_core.transaction() as session:
        requests = Requests(session, writer, workplace.fixture.seed)
        for booking in planned:
            requests.make(booking)
        session.commit()
    assert written == sum(len(booking.instances) for booking in planned)
    return in_bulk, through_core, planned


def test_bulk_rows_are_the_rows_the_core_writes(both_ways: tuple[Store, Store, list[PlannedBooking]]) -> None:
    in_bulk, through_core, planned = both_ways

    bulk_rows, core_rows = rows(in_bulk), rows(through_core)

    assert len(bulk_rows["reservation"]) == len(planned)
    for table in (*TABLES, "resource"):
        assert bulk_rows[table] == core_rows[table], table
    assert {row["source"] for row in bulk_rows["reservation"]} == {"robin", "kadence"}
    assert bulk_rows["occurrence_exception"]
    assert bulk_rows["check_in"]
    assert bulk_rows["invitee"]
    assert any(row["checked_out_at"] for row in bulk_rows["check_in"])


def test_bulk_bookings_read_the_same_through_both_apis(both_ways: tuple[Store, Store, list[PlannedBooking]]) -> None:
    in_bulk, through_core, _ = both_ways
    bulk, core = sandbox_on(in_bulk), sandbox_on(through_core)
    with in_bulk.session() as session:
        reservations = session.exec(select(Reservation)).all()
    paths = []
    for reservation in reservations:
        robin = "/events" if reservation.kind == ReservationKind.EVENT else "/reservations/seats"
        paths.append(("robin", f"{robin}/{reservation.id}"))
        paths.append(("kadence", f"/bookings/{reservation.ulid}" if not reservation.recurrence else "/bookings"))

    def read(sandbox: Any, dialect: str, path: str) -> tuple[int, bytes]:
        response = sandbox.robin(path) if dialect == "robin" else sandbox.kadence(path, itemsPerPage=500)
        return response.status_code, response.content

    answers = [(read(bulk, *path), read(core, *path)) for path in paths]

    assert all(from_bulk == from_core for from_bulk, from_core in answers)
    assert {status for (status, _), _ in answers} == {200, 404}
    statuses = {status.decode() for (_, body), _ in answers for status in _kadence_statuses(body)}
    assert {"completed", "checkedOut", "noCheckIn", "cancelled", "booked"} <= statuses


def _kadence_statuses(body: bytes) -> list[bytes]:
    import re

    return re.findall(rb'"status":"([A-Za-z]+)"', body)
