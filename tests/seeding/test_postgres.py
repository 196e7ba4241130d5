"""A generated preset on PostgreSQL: the same bulk rows, the same answers, sequences past them.

Runs where a PostgreSQL server answers at SANDBOX_TEST_POSTGRES_URL (as tests/test_postgres.py
does); skips, saying why, where none does.
"""

import json
from collections.abc import Iterator

import pytest

from sandbox.core.clock import Clock
from sandbox.seeding.generator import seed_preset
from sandbox.seeding.presets import SMALL
from sandbox.store.engine import Store
from tests.conftest import NOW, Wall
from tests.postgres import empty_postgres_store
from tests.seeding.conftest import ROBIN, sandbox_on
from tests.seeding.test_presets import responses

pytestmark = pytest.mark.backend("postgresql")


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    with empty_postgres_store() as store:
        yield store


def test_a_preset_on_postgres_answers_as_on_sqlite_and_takes_new_bookings(postgres_store: Store) -> None:
    seed_preset(postgres_store, SMALL, 3, Clock(Wall(NOW)))
    on_sqlite_store = Store("sqlite://")
    on_sqlite_store.prepare()
    seed_preset(on_sqlite_store, SMALL, 3, Clock(Wall(NOW)))
    on_postgres, on_sqlite = sandbox_on(postgres_store), sandbox_on(on_sqlite_store)

    from_postgres, from_sqlite = responses(on_postgres), responses(on_sqlite)
    bookings = [json.loads(answers.pop("kadence bookings"))["hydra:member"] for answers in (from_postgres, from_sqlite)]

    assert from_postgres == from_sqlite
    # The core orders bookings that start together as the database hands them over.
    assert sorted(bookings[0], key=lambda booking: booking["id"]) == sorted(bookings[1], key=lambda booking: booking["id"])

    event = {
        "title": "After the seed",
        "start": {"date_time": "2026-03-03T19:00:00Z", "time_zone": "UTC"},
        "end": {"date_time": "2026-03-03T19:30:00Z", "time_zone": "UTC"},
    }
    created = on_postgres.client.post("/v1.0/spaces/2/events", json=event, headers=ROBIN)
    assert created.status_code == 201, created.text
    with postgres_store.session() as session:
        seeded = session.connection().exec_driver_sql("SELECT count(*) FROM reservation").scalar_one()
    assert int(created.json()["data"]["id"]) == seeded
