"""A visit's check-in comes from its visitors' arrivals and departures, and its status is its
guest booking's, derived as any booking's is, as of now."""

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from sandbox.core import buildings, occurrences, visits
from sandbox.core.bookings import derive
from sandbox.core.lifecycle import Status
from sandbox.core.visits import Guest
from sandbox.store.models import Building, CheckIn, Reservation, ReservationKind, Resource, User, Visitor
from tests.conftest import NOW

START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
END = START + timedelta(hours=3)
BOOKED_AT = START - timedelta(days=2)
ADA = "ada.okafor@meridian.example"


def at(minutes: int) -> datetime:
    """`minutes` after the visit's start."""
    return START + timedelta(minutes=minutes)


def visitor(visitor_id: int, user_id: int | None = None) -> Visitor:
    return Visitor(id=visitor_id, organization_id=1, email=f"guest{visitor_id}@elsewhere.example", user_id=user_id)


def guest_booking() -> Reservation:
    return Reservation(
        id=1,
        organization_id=1,
        resource_id=1,
        building_id=1,
        kind=ReservationKind.GUEST,
        time_zone="UTC",
        start=START,
        end=END,
        release_after_s=int((END - START).total_seconds()),
        created_at=BOOKED_AT,
    )


def status_at(guests: list[Guest], now: datetime) -> Status:
    reservation = guest_booking()
    check_in = visits.check_in_from(reservation, guests, "fixture")
    booking = derive(
        reservation, Resource(building_id=1, name="onsite"), Building(name="HQ", time_zone="UTC"), None, check_in, None, now
    )
    return booking.status


def test_nobody_came_no_check_in() -> None:
    guests = [Guest(visitor(1), "organizer"), Guest(visitor(2), "accepted")]

    assert visits.check_in_from(guest_booking(), guests, "fixture") is None


def test_checked_in_at_the_first_arrival_by_whoever_came_first() -> None:
    guests = [Guest(visitor(1, user_id=7), "accepted", at(20)), Guest(visitor(2), "accepted", at(-5))]

    check_in = visits.check_in_from(guest_booking(), guests, "fixture")

    assert check_in is not None
    assert (check_in.checked_in_at, check_in.user_id, check_in.checked_out_at) == (at(-5), None, None)
    assert (check_in.reservation_id, check_in.original_start) == (1, START)


def test_checked_out_at_the_last_departure_once_everyone_who_came_left() -> None:
    guests = [
        Guest(visitor(1, user_id=7), "accepted", at(0), at(90)),
        Guest(visitor(2), "accepted", at(10), at(60)),
        Guest(visitor(3), "declined"),
    ]

    check_in = visits.check_in_from(guest_booking(), guests, "fixture")

    assert check_in is not None
    assert (check_in.checked_out_at, check_in.checked_out_by_id, check_in.check_out_source) == (at(90), 7, "fixture")


def test_not_checked_out_while_someone_who_came_is_still_in() -> None:
    guests = [Guest(visitor(1), "accepted", at(0), at(90)), Guest(visitor(2), "accepted", at(10))]

    check_in = visits.check_in_from(guest_booking(), guests, "fixture")

    assert check_in is not None
    assert check_in.checked_out_at is None


def test_the_status_follows_arrivals_and_departures_as_the_clock_reaches_them() -> None:
    guests = [Guest(visitor(1), "accepted", at(5), at(100)), Guest(visitor(2), "accepted", at(30), at(120))]

    assert status_at(guests, at(-30)) == Status.BOOKED
    assert status_at(guests, at(4)) == Status.BOOKED
    assert status_at(guests, at(5)) == Status.CHECKED_IN
    assert status_at(guests, at(100)) == Status.CHECKED_IN
    assert status_at(guests, at(120)) == Status.CHECKED_OUT
    assert status_at(guests, END + timedelta(days=1)) == Status.CHECKED_OUT


def test_someone_came_and_stayed_completed_at_the_end() -> None:
    guests = [Guest(visitor(1), "accepted", at(5), at(100)), Guest(visitor(2), "accepted", at(30))]

    assert status_at(guests, END - timedelta(minutes=1)) == Status.CHECKED_IN
    assert status_at(guests, END) == Status.COMPLETED


def test_nobody_came_released_at_the_end() -> None:
    guests = [Guest(visitor(1), "organizer"), Guest(visitor(2), "accepted")]

    assert status_at(guests, END - timedelta(minutes=1)) == Status.BOOKED
    assert status_at(guests, END) == Status.RELEASED


def test_an_arrival_after_the_end_does_not_save_it_from_release() -> None:
    guests = [Guest(visitor(1), "accepted", END + timedelta(minutes=10))]

    assert status_at(guests, END + timedelta(hours=1)) == Status.RELEASED


def test_a_visit_is_a_guest_booking_indexed_as_every_booking_is_and_takes_no_onsite_pass(session: Session) -> None:
    building = session.exec(select(Building).where(Building.name == "Meridian Bengaluru")).one()
    host = session.exec(select(User).where(User.email == ADA)).one()
    start, end = NOW + timedelta(days=1), NOW + timedelta(days=1, hours=2)
    passes = buildings.passes_left(session, building, start, end, NOW)
    guest = Visitor(organization_id=building.organization_id, email="someone@elsewhere.example", created_at=NOW)
    session.add(guest)
    session.flush()

    reservation = visits.book_visit(
        session, building, host, start, end, [Guest(guest, "accepted", start, end)], at=NOW, source="fixture"
    )
    session.commit()

    assert (reservation.kind, reservation.organizer_id, reservation.resource_id) == (
        ReservationKind.GUEST,
        host.id,
        buildings.onsite_resource(session, building).id,
    )
    assert occurrences.index_faults(session, building.organization_id) == []
    assert buildings.passes_left(session, building, start, end, NOW) == passes
    stored = session.exec(select(CheckIn).where(CheckIn.reservation_id == reservation.id)).one()
    assert (stored.checked_in_at, stored.checked_out_at) == (start, end)
