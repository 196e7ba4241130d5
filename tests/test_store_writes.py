"""Writes on one store take turns: a write that ends however it ends (commit, rollback, failure,
the all-or-nothing transaction of a snapshot) lets the next one begin at once, and a route that
writes gives back its turn before its answer is sent."""

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import update
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.kadence import hydra
from sandbox.store.engine import WRITERS_LOCK, Store, WriteOnEventLoop
from sandbox.store.models import StoreMeta
from tests.conftest import DEMO_CLIENT, KadenceClient, new_store
from tests.inprocess import InProcessClient
from tests.kadence.lookups import space_id, user_id


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return new_store(tmp_path)


def _write(store: Store, value: str) -> None:
    with store.session(write=True) as session:
        session.merge(StoreMeta(key="probe", value=value))
        session.commit()


def _read(store: Store) -> str | None:
    return store.meta("probe")


def _write_and_fail(store: Store) -> None:
    with store.session(write=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="failed"))
        raise RuntimeError("the route failed before it committed")


def test_every_way_a_write_ends_lets_the_next_begin_at_once(store: Store):
    _write(store, "committed")
    with store.session(write=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="rolled back"))
        session.rollback()
    with pytest.raises(RuntimeError):
        _write_and_fail(store)
    with store.transaction(exclusive=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="exclusive"))

    began = time.perf_counter()
    _write(store, "last")

    assert time.perf_counter() - began < 5
    assert _read(store) == "last"


def test_a_write_waits_for_the_one_under_way_and_then_goes_ahead(store: Store):
    _write(store, "first")
    holding = threading.Event()
    finished: list[str] = []

    def second() -> None:
        holding.wait()
        _write(store, "second")
        finished.append("second")

    other = threading.Thread(target=second)
    other.start()
    with store.session(write=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="held"))
        holding.set()
        time.sleep(0.2)
        assert finished == [], "the second write went ahead while the first was under way"
        session.commit()
    other.join(timeout=10)

    assert finished == ["second"]
    assert _read(store) == "second"


def test_a_write_begun_on_the_event_loop_is_refused_and_keeps_nothing(store: Store):
    """A write on the event loop could wait there for the writer, holding back every request of
    its process, the one that would let the writer go included."""
    _write(store, "before")

    async def on_the_event_loop() -> None:
        assert _read(store) == "before"  # Reads may run there.
        with pytest.raises(WriteOnEventLoop):
            _write(store, "on the event loop")
        with pytest.raises(WriteOnEventLoop), store.transaction():
            pass

    asyncio.run(on_the_event_loop())
    began = time.perf_counter()
    _write(store, "in a thread of its own")

    assert time.perf_counter() - began < 5
    assert _read(store) == "in a thread of its own"


def test_a_write_session_takes_no_turn_until_it_writes(store: Store):
    with store.session(write=True):
        began = time.perf_counter()
        _write(store, "meanwhile")

    assert time.perf_counter() - began < 5
    assert _read(store) == "meanwhile"


def _another_writer_may_begin(store: Store) -> Callable[[], bool]:
    """Whether a write from another process could begin at this moment, without waiting: on
    SQLite, its BEGIN IMMEDIATE; on PostgreSQL, the exclusive lock every write holds shared."""
    if store.is_sqlite:

        def sqlite_probe() -> bool:
            probe = sqlite3.connect(store.engine.url.database or "", timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return True
            except sqlite3.OperationalError:
                return False
            finally:
                probe.close()

        return sqlite_probe

    def postgresql_probe() -> bool:
        with store.engine.connect() as connection, connection.begin():
            return bool(connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({WRITERS_LOCK})").scalar())

    return postgresql_probe


def _probing_as_answers_start(app: ASGIApp, probe: Callable[[], bool], seen: list[bool]) -> ASGIApp:
    async def probed(scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and scope["method"] == "POST" and scope["path"].endswith("/bookings"):
                seen.append(probe())
            await send(message)

        await app(scope, receive, sending)

    return probed


def test_a_route_that_writes_gives_back_its_turn_before_its_answer_is_sent(served: FastAPI, shared_store: Store):
    """A Kadence booking reads what it answers after it commits: that read must not keep the
    writer's turn while the answer goes out."""
    seen: list[bool] = []
    elsewhere = Store(shared_store.url)
    try:
        kadence = KadenceClient(
            InProcessClient(_probing_as_answers_start(served, _another_writer_may_begin(elsewhere), seen)), DEMO_CLIENT
        )
        response = kadence.post(
            "/bookings",
            json={
                "userId": user_id(kadence, "ben.carter@meridian.example"),
                "spaceId": space_id(kadence, "A-03"),
                "startDateTime": "2026-03-03T14:00:00",
                "endDateTime": "2026-03-03T22:00:00",
            },
        )
    finally:
        elsewhere.dispose()
    assert response.status_code == 201, response.text
    assert seen == [True]


def test_what_a_route_reads_back_after_its_write_takes_no_turn(served: FastAPI, shared_store: Store, monkeypatch):
    """A Kadence booking reads, after it commits, what its answer shows: that read is a read, and
    leaves the writer to others while the answer is built."""
    seen: list[bool] = []
    elsewhere = Store(shared_store.url)
    probe = _another_writer_may_begin(elsewhere)
    respond = hydra.respond

    def respond_once_probed(request: Any, body: Any, status: int = 200) -> Any:
        if request.method == "POST":
            seen.append(probe())
        return respond(request, body, status)

    monkeypatch.setattr(hydra, "respond", respond_once_probed)
    try:
        kadence = KadenceClient(InProcessClient(served), DEMO_CLIENT)
        response = kadence.post(
            "/bookings",
            json={
                "userId": user_id(kadence, "ben.carter@meridian.example"),
                "spaceId": space_id(kadence, "A-03"),
                "startDateTime": "2026-03-03T14:00:00",
                "endDateTime": "2026-03-03T22:00:00",
            },
        )
    finally:
        elsewhere.dispose()
    assert response.status_code == 201, response.text
    assert seen == [True]
