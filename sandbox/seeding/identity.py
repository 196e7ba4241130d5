"""Identifiers of seeded reservations.

The core gives a new reservation a random ULID and derives the event's calendar ids from it;
a seeded reservation gets its ULID from the seed instead, so that the same seed reproduces the
same Kadence booking ids and calendar ids. The calendar ids are derived here exactly as
`core.events.create_event` derives them (tests/seeding compares the two).
"""

from datetime import datetime

from sandbox.core.ids import seeded_ulid
from sandbox.store.models import Reservation, ReservationKind

RESERVATION_TABLE = str(Reservation.__tablename__)


def reservation_ulid(seed: str, reservation_id: int, created_at: datetime) -> str:
    return seeded_ulid(seed, RESERVATION_TABLE, reservation_id, created_at)


def remote_event_id(ulid: str) -> str:
    return f"sandbox{ulid.lower()}"


def calendar_uid(ulid: str) -> str:
    return f"{remote_event_id(ulid)}@workplace-sandbox.local"


def reseed(reservation: Reservation, seed: str) -> None:
    """Give a reservation the core has just written its seeded ULID, and an event the calendar
    ids that go with it."""
    assert reservation.id is not None
    reservation.ulid = reservation_ulid(seed, reservation.id, reservation.created_at)
    if reservation.kind == ReservationKind.EVENT:
        reservation.remote_event_id = remote_event_id(reservation.ulid)
        reservation.uid = calendar_uid(reservation.ulid)
