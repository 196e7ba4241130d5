"""Writing generated bookings many at a time, as exactly the rows the core writes.

Booking a space or a desk one request at a time (events.create_event,
seats.create_seat_reservation) checks conflicts and writes a reservation, its invitees and its
occurrence index rows, and widens the resource's longest booking; cancelling
(reservations.cancel) marks the reservation or records one cancelled occurrence of a series and
drops the occurrences from the index; checking in and out (transitions.check_in,
transitions.check_out) writes a check-in. Generated bookings are conflict-free by
construction, so here the same rows are inserted in batches instead, which is what makes a
preset of hundreds of thousands of bookings practical. tests/seeding/test_bulk.py holds the two
paths to the same rows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlmodel import Session

from sandbox.core import occurrences
from sandbox.seeding.identity import calendar_uid, remote_event_id, reservation_ulid
from sandbox.seeding.occupancy import Instance, PlannedBooking
from sandbox.store.models import (
    CheckIn,
    Invitee,
    Occurrence,
    OccurrenceException,
    Reservation,
    ReservationKind,
    ReservationStatus,
    Resource,
    table_of,
)

BATCH = 2000
"""Reservations per batch of inserts."""


RESERVATIONS, OCCURRENCES, EXCEPTIONS, CHECK_INS, INVITEES = (
    table_of(model) for model in (Reservation, Occurrence, OccurrenceException, CheckIn, Invitee)
)
"""The tables bookings fill, parents first."""


@dataclass(frozen=True)
class Bookable:
    """A stored room or desk, as its bookings need it."""

    id: int
    building_id: int
    release_after_s: int | None
    """The release window the core gives its bookings (space_types.release_window)."""


@dataclass(frozen=True)
class Member:
    id: int
    email: str
    name: str


class BookingWriter:
    """Writes planned bookings into the session's transaction, giving reservations ids from
    `first_id` on, in the order they come."""

    def __init__(
        self,
        session: Session,
        organization_id: int,
        seed: str,
        rooms: list[Bookable],
        desks: list[Bookable],
        people: list[Member],
        *,
        first_id: int,
        written: Callable[[int], None] = lambda count: None,
        batch: int = BATCH,
    ) -> None:
        self.session = session
        self.organization_id = organization_id
        self.seed = seed
        self.rooms = rooms
        self.desks = desks
        self.people = people
        self.next_id = first_id
        self.written = written
        self.batch = batch
        self.longest: dict[int, int] = {}
        self.rows: dict[Table, list[dict[str, Any]]] = {RESERVATIONS: []}

    def write(self, bookings: Iterable[PlannedBooking]) -> int:
        """Insert every booking; returns how many bookings (occurrences) were written."""
        count = pending = 0
        for booking in bookings:
            self.add(booking)
            pending += len(booking.instances)
            if len(self.rows[RESERVATIONS]) >= self.batch:
                self.flush()
                count += pending
                self.written(pending)
                pending = 0
        self.flush()
        self.written(pending)
        self.widen_resources()
        return count + pending

    def add(self, booking: PlannedBooking) -> int:
        """Stage the rows of one booking; returns its reservation id."""
        reservation_id = self.next_id
        self.next_id += 1
        place = (self.desks if booking.kind == ReservationKind.SEAT else self.rooms)[booking.place]
        length = booking.end - booking.start
        self._stage(RESERVATIONS, self._reservation(reservation_id, booking, place, length))
        for instance in booking.instances:
            if booking.cancelled_at is None and instance.cancelled_at is None:
                self._stage(OCCURRENCES, self._occurrence(reservation_id, booking, place, instance, length))
            if instance.cancelled_at is not None:
                self._stage(EXCEPTIONS, self._exception(reservation_id, instance))
            if instance.check_in is not None:
                self._stage(CHECK_INS, self._check_in(reservation_id, instance))
        for person in booking.invitees:
            self._stage(INVITEES, self._invitee(reservation_id, booking, person))
        seconds = int(length.total_seconds()) + 1
        self.longest[place.id] = max(self.longest.get(place.id, 0), seconds)
        return reservation_id

    def flush(self) -> None:
        """Insert what is staged, parents first."""
        connection = self.session.connection()
        for table in (RESERVATIONS, OCCURRENCES, EXCEPTIONS, CHECK_INS, INVITEES):
            rows = self.rows.pop(table, [])
            if rows:
                connection.execute(table.insert(), rows)
        self.rows[RESERVATIONS] = []

    def widen_resources(self) -> None:
        """Each resource's longest booking, as apply_schedule keeps it, for the overlap query."""
        if not self.longest:
            return
        resource = table_of(Resource)
        larger = func.max if self.session.get_bind().dialect.name == "sqlite" else func.greatest
        statement = (
            resource.update()
            .where(resource.c.id == bindparam("resource_id"))
            .values(longest_booking_s=larger(resource.c.longest_booking_s, bindparam("longest")))
        )
        self.session.connection().execute(
            statement, [{"resource_id": key, "longest": value} for key, value in sorted(self.longest.items())]
        )
        self.longest.clear()

    def _stage(self, table: Table, row: dict[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def _reservation(self, reservation_id: int, booking: PlannedBooking, place: Bookable, length: timedelta) -> dict[str, Any]:
        ulid = reservation_ulid(self.seed, reservation_id, booking.created_at)
        is_event = booking.kind == ReservationKind.EVENT
        organizer, creator = self.people[booking.organizer], self.people[booking.creator]
        cancelled_by = self.people[booking.cancelled_by].id if booking.cancelled_by is not None else None
        return {
            "id": reservation_id,
            "ulid": ulid,
            "organization_id": self.organization_id,
            "resource_id": place.id,
            "building_id": place.building_id,
            "kind": booking.kind,
            "reservation_type": booking.reservation_type,
            "status": ReservationStatus.CANCELLED if booking.cancelled_at else ReservationStatus.CONFIRMED,
            "title": booking.title,
            "description": None,
            "visibility": "default",
            "show_as": "busy",
            "is_all_day": False,
            "time_zone": booking.time_zone,
            "start": booking.start,
            "end": booking.end,
            "recurrence": booking.recurrence,
            "series_end": booking.instances[-1].start + length if booking.instances else booking.end,
            "indexed_until": occurrences.index_until(booking.start, booking.created_at),
            "release_after_s": place.release_after_s,
            "organizer_id": organizer.id,
            "creator_id": creator.id,
            "organizer_email": organizer.email,
            "creator_email": creator.email,
            "remote_event_id": remote_event_id(ulid) if is_event else None,
            "remote_type": "google" if is_event else None,
            "creation_type": "manual",
            "uid": calendar_uid(ulid) if is_event else None,
            "source": booking.source,
            "cancelled_at": booking.cancelled_at,
            "cancelled_by_id": cancelled_by,
            "created_at": booking.created_at,
            "updated_at": booking.cancelled_at or booking.created_at,
        }

    def _occurrence(
        self, reservation_id: int, booking: PlannedBooking, place: Bookable, instance: Instance, length: timedelta
    ) -> dict[str, Any]:
        return {
            "reservation_id": reservation_id,
            "organization_id": self.organization_id,
            "resource_id": place.id,
            "building_id": place.building_id,
            "start": instance.start,
            "end": instance.start + length,
            "original_start": instance.start,
            "release_at": release_time(place.release_after_s, booking.created_at, instance.start),
        }

    def _exception(self, reservation_id: int, instance: Instance) -> dict[str, Any]:
        cancelled_by = self.people[instance.cancelled_by].id if instance.cancelled_by is not None else None
        return {
            "reservation_id": reservation_id,
            "original_start": instance.start,
            "status": ReservationStatus.CANCELLED,
            "cancelled_by_id": cancelled_by,
            "created_at": instance.cancelled_at,
        }

    def _check_in(self, reservation_id: int, instance: Instance) -> dict[str, Any]:
        check_in = instance.check_in
        assert check_in is not None
        person = self.people[check_in.person].id
        checked_out = check_in.out_at is not None
        return {
            "reservation_id": reservation_id,
            "original_start": instance.start,
            "user_id": person,
            "device_id": None,
            "checked_in_at": check_in.at,
            "check_in_source": check_in.source,
            "check_in_method": check_in.method,
            "checked_out_at": check_in.out_at,
            "checked_out_by_id": person if checked_out else None,
            "check_out_source": "kadence" if checked_out else None,
            "check_out_method": check_in.method if checked_out else None,
        }

    def _invitee(self, reservation_id: int, booking: PlannedBooking, position: int) -> dict[str, Any]:
        person = self.people[position]
        is_organizer = position == booking.organizer
        return {
            "reservation_id": reservation_id,
            "user_id": person.id,
            "email": person.email,
            "display_name": person.name,
            "response_status": "accepted" if is_organizer else "not_responded",
            "is_organizer": is_organizer,
            "is_resource": False,
            "created_at": booking.created_at,
            "updated_at": booking.created_at,
        }


def release_time(release_after_s: int | None, created_at: datetime, start: datetime) -> datetime | None:
    """occurrences.release_time, for a reservation not yet built."""
    if release_after_s is None:
        return None
    release = start + timedelta(seconds=release_after_s)
    return release if created_at < release else None


def next_reservation_id(session: Session) -> int:
    highest = session.connection().execute(select(func.max(RESERVATIONS.c.id))).scalar()
    return int(highest or 0) + 1
