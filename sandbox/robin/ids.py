"""Robin's occurrence ids: a single reservation or a series master is its reservation's row id,
`96347456`; one instance of a series adds the instance's original start in UTC,
`96347456_20190521T143000Z`. They encode the core's `OccurrenceKey`, and read back to it."""

import re
from datetime import UTC, datetime

from sandbox.core.errors import NotFound
from sandbox.core.ids import names_an_occurrence, row_id
from sandbox.core.keys import OccurrenceKey
from sandbox.core.occurrences import Slot

_ID = re.compile(r"([0-9]+)(?:_([0-9]{8}T[0-9]{6}Z))?")
_STAMP = "%Y%m%dT%H%M%SZ"


def occurrence_key(text: str) -> OccurrenceKey:
    """The reservation or instance an id names: NotFound for text that is no id, for a row id no
    row can have, and for an instance stamp that is no instant or none an occurrence may have."""
    match = _ID.fullmatch(text)
    reservation_id = None if match is None else row_id(match.group(1))
    if match is None or reservation_id is None:
        raise NotFound("no such occurrence")
    stamp = match.group(2)
    if stamp is None:
        return OccurrenceKey(reservation_id=reservation_id)
    try:
        moment = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        raise NotFound("no such occurrence") from None
    if not names_an_occurrence(moment):
        raise NotFound("no such occurrence")
    return OccurrenceKey(reservation_id=reservation_id, original_start=moment)


def recurrence_id(original_start: datetime) -> str:
    """An instance's stamp, as its id ends and its `recurrence_id` reads: 20190521T143000Z."""
    return original_start.astimezone(UTC).strftime(_STAMP)


def occurrence_id(reservation_id: int | None, original_start: datetime | None = None) -> str:
    """`96347456` for a single reservation or a series, `96347456_20190521T143000Z` for an instance."""
    if original_start is None:
        return str(reservation_id)
    return f"{reservation_id}_{recurrence_id(original_start)}"


def slot_id(slot: Slot) -> str:
    """The id of an indexed occurrence: an instance's when it is one of a series."""
    return occurrence_id(slot.reservation.id, slot.original_start if slot.in_series else None)
