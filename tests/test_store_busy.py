"""A store too busy to take a request within its wait (every PostgreSQL connection of the pool in
use, or the writer held by another write) answers 503 with Retry-After, in the shape of the API
called, never 500: the client may try again, and nothing of the refused request is stored."""

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import sqlalchemy
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.store.engine import WRITERS_LOCK, Store
from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT, KadenceClient, Wall, harness_client, settings_for_tests

ROBIN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
WAIT_S = 0.3


@pytest.fixture
def busy_store(shared_store: Store) -> Iterator[Store]:
    """The shared demo store opened again, waiting `WAIT_S` for a connection (a pool of one on
    PostgreSQL) or for the writer."""
    store = Store(shared_store.url, pool=1, wait=WAIT_S)
    try:
        yield store
    finally:
        store.dispose()


def held(store: Store) -> AbstractContextManager[object]:
    """What keeps the store busy: on SQLite a write under way in this process, which holds the
    writer; on PostgreSQL the pool's one connection."""
    return store.writing() if store.is_sqlite else store.engine.connect()


def event(day: int) -> dict[str, object]:
    return {
        "title": "Held up",
        "start": {"date_time": f"2031-07-{day:02d}T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": f"2031-07-{day:02d}T15:00:00Z", "time_zone": "America/New_York"},
    }


def test_a_busy_store_answers_503_in_each_apis_shape_and_stores_nothing(busy_store: Store, wall: Wall) -> None:
    client: TestClient = harness_client(create_app(settings_for_tests(), store=busy_store, clock=Clock(wall)))
    kadence = KadenceClient(client, DEMO_CLIENT)  # Its token minted before the store is held.
    user = kadence.find("/users", email="ada.okafor@meridian.example")["id"]
    desk = kadence.seeded_id("/spaces", name="A-06")
    booking = {"userId": user, "spaceId": desk, "startDateTime": "2026-03-03T15:00:00Z", "endDateTime": "2026-03-03T16:00:00Z"}

    with held(busy_store):
        robin = client.post("/v1.0/spaces/52/events", json=event(7), headers=ROBIN)
        public = kadence.post("/bookings", json=booking)
        control = client.post("/_sandbox/snapshots", json={"name": "while-busy"})
        token = client.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT[0], "client_secret": DEMO_CLIENT[1]},
        )

    assert (robin.status_code, robin.headers.get("retry-after")) == (503, "1"), robin.text
    assert robin.json()["meta"]["status_code"] == 503
    assert robin.json()["meta"]["status"] == "SERVICE_UNAVAILABLE"
    assert (public.status_code, public.headers.get("retry-after")) == (503, "1"), public.text
    assert public.json()["@type"] == "hydra:Error"
    assert "busy" in public.json()["hydra:description"]
    assert (control.status_code, control.headers.get("retry-after")) == (503, "1"), control.text
    assert "busy" in control.json()["error"]
    assert (token.status_code, token.headers.get("retry-after")) == (503, "1"), token.text
    assert token.json()["error"] == "temporarily_unavailable"

    # Free again: the same requests succeed, and the refused ones left nothing behind.
    listed = client.get(
        "/v1.0/spaces/52/events", params={"after": "2031-07-07T00:00:00Z", "before": "2031-07-08T00:00:00Z"}, headers=ROBIN
    )
    assert listed.json()["data"] == []
    assert "while-busy" not in [snapshot["name"] for snapshot in client.get("/_sandbox/snapshots").json()]
    assert client.post("/v1.0/spaces/52/events", json=event(7), headers=ROBIN).status_code == 201
    assert kadence.post("/bookings", json=booking).status_code == 201


def test_a_fault_rule_met_while_the_store_is_busy_answers_503(busy_store: Store, wall: Wall) -> None:
    """The fault rules are read, and a rule's use counted, before the route runs: a busy store met
    there answers as it does in a route."""
    client: TestClient = harness_client(create_app(settings_for_tests(), store=busy_store, clock=Clock(wall)))
    added = client.post(
        "/_sandbox/faults",
        json={"api": "robin", "method": "GET", "path": "/v1.0/spaces/52", "effect": "latency", "latency_ms": 1, "times": 5},
    )
    assert added.status_code == 201, added.text

    with held(busy_store):
        read = client.get("/v1.0/spaces/52", headers=ROBIN)

    assert (read.status_code, read.headers.get("retry-after")) == (503, "1"), read.text
    assert read.json()["meta"]["status"] == "SERVICE_UNAVAILABLE"
    served = client.get("/v1.0/spaces/52", headers=ROBIN)
    assert served.status_code == 200, served.text
    assert client.get(f"/_sandbox/faults/{added.json()['id']}").json()["hits"] == 1


@pytest.fixture
def roomy_store(shared_store: Store) -> Iterator[Store]:
    """The shared demo store opened again, waiting `WAIT_S` for the writers' lock, with room in
    its pool for several requests at once."""
    store = Store(shared_store.url, pool=3, wait=WAIT_S)
    try:
        yield store
    finally:
        store.dispose()


@pytest.mark.backend("postgresql")
def test_writes_held_back_by_a_lock_give_up_within_the_wait(roomy_store: Store, wall: Wall) -> None:
    """A session that holds the writers' lock (as a snapshot does, or a process stopped while it
    held it) holds back every write of the store: each gives up within the store's wait and
    answers 503, rather than wait for as long as that session lives; once it is let go, they go on.
    The pool has room for both writes, so that each waits for the lock, not for a connection."""
    store = roomy_store
    client: TestClient = harness_client(create_app(settings_for_tests(), store=store, clock=Clock(wall)))
    outside = sqlalchemy.create_engine(store.url, poolclass=sqlalchemy.pool.NullPool)
    answers: dict[str, Any] = {}

    def answer(name: str, send: Callable[[], Any]) -> threading.Thread:
        thread = threading.Thread(target=lambda: answers.__setitem__(name, send()), daemon=True)
        thread.start()
        return thread

    with outside.connect() as holder:
        holder.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(f"SELECT pg_advisory_lock({WRITERS_LOCK})")
        sent = [
            answer("robin", lambda: client.post("/v1.0/spaces/52/events", json=event(8), headers=ROBIN)),
            answer("control", lambda: client.post("/_sandbox/snapshots", json={"name": "while-held"})),
        ]
        for thread in sent:
            thread.join(timeout=10)
        waiting = [thread for thread in sent if thread.is_alive()]
        holder.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITERS_LOCK})")
    for thread in waiting:
        thread.join(timeout=30)
    outside.dispose()

    assert not waiting, f"{len(waiting)} write(s) still waited for the lock after 10 s: {answers}"
    robin, control = answers["robin"], answers["control"]
    assert (robin.status_code, robin.headers.get("retry-after")) == (503, "1"), robin.text
    assert robin.json()["meta"]["status"] == "SERVICE_UNAVAILABLE"
    assert (control.status_code, control.headers.get("retry-after")) == (503, "1"), control.text
    assert "busy" in control.json()["error"]

    listed = client.get(
        "/v1.0/spaces/52/events", params={"after": "2031-07-08T00:00:00Z", "before": "2031-07-09T00:00:00Z"}, headers=ROBIN
    )
    assert listed.json()["data"] == []
    assert "while-held" not in [snapshot["name"] for snapshot in client.get("/_sandbox/snapshots").json()]
    assert client.post("/v1.0/spaces/52/events", json=event(8), headers=ROBIN).status_code == 201
