"""How the core names a reservation or one of its occurrences, whatever id an API gives it: an
`OccurrenceKey`. Each API encodes keys in its own ids and reads them back (Robin's: `robin/ids.py`,
Kadence's: `kadence/ids.py`); the core never reads an API's id."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OccurrenceKey:
    """Which reservation or occurrence an id names: a single reservation by its stored ULID; a
    reservation by its row id (a single one, or a series as a whole); or one occurrence of a series
    by the series' row id and the start its rule gives it (`original_start`)."""

    ulid: str | None = None
    reservation_id: int | None = None
    original_start: datetime | None = None


Keys = OccurrenceKey | Sequence[OccurrenceKey]
"""An occurrence, or what an id may name, tried in order: the first that is one."""
