"""Writes on one store take turns: a write that ends however it ends (commit, rollback, failure,
the all-or-nothing transaction of a snapshot) lets the next one begin at once."""

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from sandbox.store.engine import Store
from sandbox.store.models import StoreMeta
from tests.conftest import new_store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return new_store(tmp_path)


def _write(store: Store, value: str) -> None:
    with store.session(write=True) as session:
        session.merge(StoreMeta(key="probe", value=value))
        session.commit()


def _read(store: Store) -> str | None:
    return store.meta("probe")


def test_every_way_a_write_ends_lets_the_next_begin_at_once(store: Store):
    _write(store, "committed")
    with store.session(write=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="rolled back"))
        session.rollback()
    with pytest.raises(RuntimeError), store.session(write=True) as session:
        session.execute(update(StoreMeta).where(StoreMeta.key == "probe").values(value="failed"))
        raise RuntimeError("the route failed before it committed")
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


def test_a_write_session_takes_no_turn_until_it_writes(store: Store):
    with store.session(write=True):
        began = time.perf_counter()
        _write(store, "meanwhile")

    assert time.perf_counter() - began < 5
    assert _read(store) == "meanwhile"
