"""Identifier sources.

Rows created at run time get random ULIDs (unique across worker processes); seeded rows get
ULIDs derived from the seed, so that a seed reproduces the same identifiers.
"""

import hashlib
from datetime import datetime

from ulid import ULID


def new_ulid() -> str:
    return str(ULID())


def seeded_ulid(seed: str, table: str, row_id: int, created_at: datetime) -> str:
    randomness = hashlib.sha256(f"{seed}:{table}:{row_id}".encode()).digest()[:10]
    milliseconds = int(created_at.timestamp() * 1000)
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + randomness))
