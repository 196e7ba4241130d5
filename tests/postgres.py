"""PostgreSQL for the tests: where the server is, whether it answers, and empty stores in schemas of
their own (SANDBOX_TEST_POSTGRES_URL, default the local server on 127.0.0.1:5432, database `test`)."""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy

from sandbox.store.engine import Store
from sandbox.testing.schemas import schema_of_its_own

SERVER = os.environ.get("SANDBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def unreachable() -> str | None:
    """Why no PostgreSQL server can be used at SERVER, or None when one answers."""
    admin = sqlalchemy.create_engine(SERVER)
    try:
        with admin.connect():
            return None
    except sqlalchemy.exc.OperationalError as error:
        return f"no PostgreSQL server at {SERVER}: {str(error).splitlines()[0]}"
    finally:
        admin.dispose()


SERVED_PROCESSES = 2
"""The most server processes a test serves on PostgreSQL at once (`serve --workers 2`)."""
OWN_CONNECTIONS = 10
"""What a test process holds besides its served sandbox: its stores' pools, the schemas' admin
connections, a test's own reads."""


def pool_for_served_sandboxes() -> int:
    """`Settings.database_pool` for the sandboxes the tests serve on PostgreSQL: each test process
    (a pytest-xdist worker) gets an equal share of the server's connections, and what it serves
    holds at most that share less its own (each server process its pool and a change watch).
    Without a bound the pools of two workers (up to 16 connections each) in each of three test
    processes, with their own, passed PostgreSQL's default of 100, refusing some with "too many
    clients"."""
    admin = sqlalchemy.create_engine(SERVER, poolclass=sqlalchemy.pool.NullPool)
    try:
        with admin.connect() as connection:
            allowed = int(connection.exec_driver_sql("SHOW max_connections").scalar_one())
            reserved = int(connection.exec_driver_sql("SHOW superuser_reserved_connections").scalar_one())
    finally:
        admin.dispose()
    share = (allowed - reserved) // int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return max(1, (share - OWN_CONNECTIONS) // SERVED_PROCESSES - 1)


@contextmanager
def empty_postgres_store() -> Iterator[Store]:
    """A prepared, empty store in a schema of its own on the PostgreSQL server, dropped after;
    skips the test, saying why, where no server answers."""
    reason = unreachable()
    if reason is not None:
        pytest.skip(reason)
    with schema_of_its_own(SERVER, "sandbox") as url:
        store = Store(url)
        try:
            store.prepare()
            yield store
        finally:
            store.dispose()


class ConnectionsCounted:
    """The most connections named `name` (their `application_name`) the PostgreSQL server held at
    once, and every one of them it saw (`opened`, by server process), while this counts them:
    read every few milliseconds on a thread of its own."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.most = 0
        self.opened: set[tuple[int, object]] = set()
        """Each connection seen, as its server process and the moment that process started."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._count, name="connections-counted", daemon=True)
        self._engine = sqlalchemy.create_engine(SERVER, poolclass=sqlalchemy.pool.NullPool)

    def __enter__(self) -> "ConnectionsCounted":
        self._connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._connection.close()
        self._engine.dispose()

    def _count(self) -> None:
        query = sqlalchemy.text("SELECT pid, backend_start FROM pg_stat_activity WHERE application_name = :name")
        while not self._stop.is_set():
            held = {(pid, started) for pid, started in self._connection.execute(query, {"name": self.name})}
            self.most = max(self.most, len(held))
            self.opened |= held
            self._stop.wait(0.003)
