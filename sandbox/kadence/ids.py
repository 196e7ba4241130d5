"""Kadence's booking ids: a single booking is its reservation's ULID; an occurrence of a series
gets a ULID that encodes it, stored nowhere, that reads back to exactly one occurrence."""

from datetime import UTC, datetime

from ulid import ULID

from sandbox.core.bookings import Booking
from sandbox.core.ids import LAST_OCCURRENCE, MAX_ROW_ID
from sandbox.core.keys import OccurrenceKey
from sandbox.core.times import EARLIEST
from sandbox.store.models import Reservation

_OCCURRENCE_MARK = 0xB00C


def booking_id(reservation: Reservation, original_start: datetime | None) -> str:
    """The id of the booking that is the occurrence of `reservation` at `original_start` (its only
    one when None)."""
    if original_start is None:
        return reservation.ulid
    return occurrence_ulid(reservation.id or 0, original_start)


def of(booking: Booking) -> str:
    return booking_id(booking.reservation, booking.original_start)


def keys(text: str) -> list[OccurrenceKey]:
    """What a booking id may name, in the order it is tried: a single booking by its ULID, then
    the occurrence the ULID encodes; nothing for text that is no ULID."""
    if len(text) != 26:
        return []
    found = [OccurrenceKey(ulid=text.upper())]
    decoded = occurrence_of_ulid(text)
    if decoded is not None:
        found.append(OccurrenceKey(reservation_id=decoded[0], original_start=decoded[1]))
    return found


def occurrence_ulid(reservation_id: int, start: datetime) -> str:
    """The ULID of one occurrence of a series, stored nowhere: its start as the ULID's time, and the
    series' id behind a mark, so that it reads back to exactly one occurrence."""
    milliseconds = int(start.timestamp() * 1000)
    payload = (_OCCURRENCE_MARK << 64) | reservation_id
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + payload.to_bytes(10, "big")))


def occurrence_of_ulid(text: str) -> tuple[int, datetime] | None:
    """The series id and start an occurrence's ULID names; None for any other text, and for a ULID
    shaped as one that names a row id or an instant no occurrence can have."""
    try:
        raw = bytes(ULID.from_str(text))
    except ValueError:
        return None
    payload = int.from_bytes(raw[6:], "big")
    reservation_id = payload & (2**64 - 1)
    if payload >> 64 != _OCCURRENCE_MARK or reservation_id > MAX_ROW_ID:
        return None
    milliseconds = int.from_bytes(raw[:6], "big")
    # Compared before it becomes a datetime: a ULID's time reaches the year 10889.
    if not EARLIEST.timestamp() * 1000 <= milliseconds <= LAST_OCCURRENCE.timestamp() * 1000:
        return None
    return reservation_id, datetime.fromtimestamp(milliseconds / 1000, UTC)
