"""Where a request's store work runs: reads on the event loop where the store is SQLite (a read
takes microseconds and never waits), in a worker thread on PostgreSQL (a round trip to the
server); writes in a worker thread on both. And the SQLite pool that makes reading on the event
loop safe: it never makes a request wait for a connection."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from sandbox.core import availability, workplace
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, RobinClient
from tests.inprocess import InProcessClient

SPACE = 48


def _recording_thread(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[str]:
    """The names of the threads `module.name` runs in from now on."""
    seen: list[str] = []
    original: Callable[..., Any] = getattr(module, name)

    def recorded(*arguments: Any, **keywords: Any) -> Any:
        seen.append(threading.current_thread().name)
        return original(*arguments, **keywords)

    monkeypatch.setattr(module, name, recorded)
    return seen


def _in_worker_threads(names: list[str]) -> list[bool]:
    return ["worker" in name.lower() for name in names]


def test_reads_run_on_the_event_loop_only_where_the_store_is_sqlite(
    served: FastAPI, shared_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_reads = _recording_thread(monkeypatch, availability, "space_state")
    space_reads = _recording_thread(monkeypatch, workplace, "get_space")
    robin = RobinClient(InProcessClient(served), ADMIN_TOKEN)
    assert robin.get(f"/spaces/{SPACE}/state").status_code == 200
    assert robin.get(f"/spaces/{SPACE}").status_code == 200  # a kept answer, built on a miss
    assert len(state_reads) == len(space_reads) == 1
    assert _in_worker_threads(state_reads + space_reads) == [not shared_store.is_sqlite] * 2


def test_writes_run_in_a_worker_thread_on_any_store(served: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    updates = _recording_thread(monkeypatch, workplace, "update_space")
    robin = RobinClient(InProcessClient(served), ADMIN_TOKEN)
    response = robin.patch(f"/spaces/{SPACE}", json={"name": "Hudson, renamed"})
    assert response.status_code == 200, response.text
    assert _in_worker_threads(updates) == [True]
    assert robin.get(f"/spaces/{SPACE}").json()["data"]["name"] == "Hudson, renamed"


def test_the_sqlite_pool_opens_connections_rather_than_make_anyone_wait(tmp_path: Path) -> None:
    """More sessions open at once than the pool keeps, as when many requests wait to send their
    answers: each gets a connection at once."""
    store = Store(f"sqlite:///{tmp_path / 'pool.db'}")
    store.prepare()
    held = []

    def hold_many() -> None:
        for _ in range(100):
            session = store.session().__enter__()
            session.connection()
            held.append(session)

    holding = threading.Thread(target=hold_many, daemon=True)
    holding.start()
    holding.join(timeout=20)
    try:
        assert not holding.is_alive(), f"a session waited for a connection after {len(held)} were held"
        assert len(held) == 100
    finally:
        for session in held:
            session.close()
        store.dispose()
