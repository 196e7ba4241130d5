"""Identifiers: their sources, and how the ids clients send are read.

Rows created at run time get random ULIDs, minted by the store (`store.types.new_ulid`, unique
across worker processes); seeded rows get ULIDs derived from the seed, so that a seed reproduces
the same identifiers.

One that no row can have names nothing: row ids are ASCII digits up to MAX_ROW_ID, and an id
naming an occurrence names an instant within the years requests may name (`names_an_occurrence`).
"""

import hashlib
from datetime import datetime, timedelta

from ulid import ULID

from sandbox.core.times import EARLIEST, LATEST

MAX_ROW_ID = 2**31 - 1
"""The largest id every store holds: PostgreSQL's `integer` columns stop here (SQLite's go on), and
a larger one, though no row has it, must not reach PostgreSQL, which refuses to compare with it."""
LAST_OCCURRENCE = LATEST + timedelta(days=2 * 366)
"""The latest start an occurrence's id may name: a listing reaches at most a year past LATEST, and
what is worked out from an occurrence's start (its end, its day, its check-in window) stays far
inside the calendar."""


def seeded_ulid(seed: str, table: str, row_id: int, created_at: datetime) -> str:
    randomness = hashlib.sha256(f"{seed}:{table}:{row_id}".encode()).digest()[:10]
    milliseconds = int(created_at.timestamp() * 1000)
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + randomness))


def row_id(text: str) -> int | None:
    """The row id `text` spells in ASCII digits; None for any other text, or for an id no row can
    have. Not `str.isdigit()` and `int()`: they read other scripts' digits too (`١٢` is 12),
    and isdigit() takes superscripts that int() then refuses (`²`)."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    value = int(text)
    return value if value <= MAX_ROW_ID else None


def names_an_occurrence(start: datetime) -> bool:
    """Whether an id may name an occurrence starting at `start` (from EARLIEST to LAST_OCCURRENCE)."""
    return EARLIEST <= start <= LAST_OCCURRENCE
