"""The same store on PostgreSQL: schema, seeding, booking rules and sequences after explicit ids.

Runs wherever a PostgreSQL server answers at SANDBOX_TEST_POSTGRES_URL (default: the local
server on 127.0.0.1:5432, database `test`); skips, saying why, where none does.
"""

from collections.abc import Iterator

import pytest

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, NOW, Wall, harness_client, settings_for_tests
from tests.postgres import empty_postgres_store

pytestmark = pytest.mark.backend("postgresql")


@pytest.fixture
def postgres_store() -> Iterator[Store]:
    with empty_postgres_store() as store:
        load(store, read_fixture(FIXTURES_DIR / "demo.json"), Clock(Wall(NOW)), "demo.json")
        yield store


def event(start: str, end: str, **fields: object) -> dict[str, object]:
    return {
        "start": {"date_time": start, "time_zone": "America/New_York"},
        "end": {"date_time": end, "time_zone": "America/New_York"},
        **fields,
    }


def test_postgres_store_books_lists_and_refuses_conflicts(postgres_store: Store) -> None:
    client = harness_client(create_app(settings_for_tests(), store=postgres_store, clock=Clock(Wall(NOW))))
    headers = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
    series = event("2026-03-02T09:00:00", "2026-03-02T09:30:00", recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])

    created = client.post("/v1.0/spaces/57/events", json=series, headers=headers)
    again = client.post("/v1.0/spaces/57/events", json=event("2026-03-09T09:15:00", "2026-03-09T10:00:00"), headers=headers)
    listed = client.get(
        "/v1.0/spaces/57/events", params={"after": "2026-03-01T00:00:00Z", "before": "2026-03-20T00:00:00Z"}, headers=headers
    )

    assert created.status_code == 201
    series_id = created.json()["data"]["id"]
    # Seeded rows carry explicit ids: new rows must still get fresh ones.
    assert int(series_id) > 6
    assert again.status_code == 409
    assert again.json()["meta"]["errors"][0]["details"]["event_id"] == f"{series_id}_20260309T130000Z"
    assert listed.status_code == 200
    assert [item["start"]["date_time"] for item in listed.json()["data"]] == [
        "2026-03-02T09:00:00-0500",
        "2026-03-09T09:00:00-0400",
        "2026-03-16T09:00:00-0400",
    ]


def test_postgres_store_snapshots_resets_and_controls(postgres_store: Store) -> None:
    from sandbox.control import snapshots
    from tests.control.test_snapshot_rules import dump

    snapshots.save(postgres_store, snapshots.SEED)
    client = harness_client(create_app(settings_for_tests(), store=postgres_store, clock=Clock(Wall(NOW))))
    headers = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
    client.post("/_sandbox/snapshots", json={"name": "clean"})
    clean = dump(postgres_store)

    first = client.post("/v1.0/spaces/57/events", json=event("2026-03-03T09:00:00", "2026-03-03T09:30:00"), headers=headers)
    assert client.post("/_sandbox/snapshots/clean/restore").status_code == 200
    again = client.post("/v1.0/spaces/57/events", json=event("2026-03-03T09:00:00", "2026-03-03T09:30:00"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    client.post("/_sandbox/snapshots/clean/restore")
    assert dump(postgres_store) == clean

    assert client.patch("/v1.0/spaces/57", json={"name": "Renamed"}, headers=headers).status_code == 200
    assert client.post("/_sandbox/organizations/meridian/reset").status_code == 204
    assert client.get("/v1.0/spaces/57", headers=headers).json()["data"]["name"] != "Renamed"
    assert client.get(f"/v1.0/events/{again.json()['data']['id']}", headers=headers).status_code == 404

    frozen = client.post("/_sandbox/organizations/1/clock/freeze", json={"at": "2030-01-01T00:00:00Z"}).json()
    assert frozen["now"].startswith("2030-01-01T00:00:00")
    client.post("/_sandbox/faults", json={"path": "/v1.0/me", "effect": "error", "status": 503, "times": 1})
    assert [client.get("/v1.0/me", headers=headers).status_code for _ in range(2)] == [503, 200]
    assert [entry["status"] for entry in client.get("/_sandbox/journal", params={"path": "/v1.0/me"}).json()["entries"]] == [
        200,
        503,
    ]
    assert client.post("/_sandbox/reset").status_code == 204
    assert client.get("/_sandbox/organizations/1/clock").json()["mode"] == "real"
