"""Fixtures of the core's tests."""

from datetime import datetime
from typing import Any

import pytest
from dateutil import rrule

from sandbox.core.keys import OccurrenceKey
from sandbox.store.models import Reservation


@pytest.fixture
def stepped_days(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many days dateutil steps through (the periods of a daily rule), counted as it goes:
    the work a series costs, whatever else the machine is doing."""
    stepped = [0]
    day_set = rrule._iterinfo.ddayset

    def counted(self: Any, *day: int) -> Any:
        stepped[0] += 1
        return day_set(self, *day)

    monkeypatch.setattr(rrule._iterinfo, "ddayset", counted)
    return stepped


def key_of(reservation: Reservation, original_start: datetime | None) -> OccurrenceKey:
    """The occurrence of `reservation` at `original_start` (its only one when None), as the core
    names it."""
    if original_start is None:
        return OccurrenceKey(ulid=reservation.ulid)
    return OccurrenceKey(reservation_id=reservation.id, original_start=original_start)


def row_key(reservation_id: int | None, original_start: datetime | None = None) -> OccurrenceKey:
    """A reservation by its row id, a single one or a whole series; with `original_start`, the
    instance of its series that starts then."""
    return OccurrenceKey(reservation_id=reservation_id, original_start=original_start)
