"""Engine, sessions and schema for the one store (SQLite by default, PostgreSQL for scale-out).

Writes on SQLite begin with BEGIN IMMEDIATE: the writer lock is taken before the first read,
so a conflict check and the insert it guards are one atomic step even across processes. On
PostgreSQL every write transaction first takes a shared advisory lock, which a snapshot save or
restore takes exclusively: those wait for the writes in flight and hold back new ones before any
of them draws an id from a sequence.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

from sandbox.store.models import SCHEMA_VERSION, StoreMeta

_BEGIN_OPTION = "sandbox_begin"
_WRITE = "write"
_EXCLUSIVE = "exclusive"
_WRITERS_LOCK = 0x53414E44
"""PostgreSQL advisory lock key: shared by every write, exclusive for snapshot saves and restores."""


class StoreVersionMismatch(RuntimeError):
    pass


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _create_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.in_memory = isinstance(self.engine.pool, StaticPool)
        """One connection that every thread shares: background threads must leave it alone."""

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            if write:
                session.connection(execution_options={_BEGIN_OPTION: _WRITE})
            yield session

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[Session]:
        """One all-or-nothing write: commits made inside (by the core) only release savepoints.
        `exclusive`: no other write runs beside it (a snapshot save or restore)."""
        with self.engine.connect() as connection:
            connection = connection.execution_options(**{_BEGIN_OPTION: _EXCLUSIVE if exclusive else _WRITE})
            with connection.begin():
                with Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session:
                    yield session
                    session.flush()

    def meta(self, key: str) -> str | None:
        with self.session() as session:
            row = session.get(StoreMeta, key)
            return None if row is None else row.value

    def prepare(self) -> bool:
        """Create the schema if the store is empty. True when it was created."""
        existing = inspect(self.engine).get_table_names()
        if "store_meta" not in existing:
            SQLModel.metadata.create_all(self.engine)
            with self.session(write=True) as session:
                session.add(StoreMeta(key="schema_version", value=str(SCHEMA_VERSION)))
                session.commit()
            return True
        with self.session() as session:
            version = session.get(StoreMeta, "schema_version")
        if version is None or version.value != str(SCHEMA_VERSION):
            found = version.value if version else "unknown"
            raise StoreVersionMismatch(
                f"the store at {self.url} has schema version {found}, this sandbox needs "
                f"{SCHEMA_VERSION}: point --data-dir at a fresh directory or delete the old store"
            )
        return False

    def wipe(self) -> None:
        """Drop every table of the store, snapshots included, and create the schema afresh."""
        quote = self.engine.dialect.identifier_preparer.quote
        with self.engine.connect() as connection, connection.begin():
            if self.is_sqlite:
                connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for name in inspect(connection).get_table_names():
                cascade = "" if self.is_sqlite else " CASCADE"
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(name)}{cascade}")
        self.prepare()

    def is_ready(self) -> bool:
        try:
            with self.session() as session:
                return session.exec(select(StoreMeta.key).limit(1)).first() is not None
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def in_memory_url(url: str) -> bool:
    """A SQLite store that lives in one process's memory only."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, pool_pre_ping=True)
        _configure_postgresql(engine)
        return engine
    in_memory = in_memory_url(url)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
    if in_memory:
        options["poolclass"] = StaticPool
    else:
        # One connection per request thread: never make a request wait for the pool.
        options.update(pool_size=8, max_overflow=56)
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    _configure_sqlite(engine, wal=not in_memory)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly below, so that writes can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(_BEGIN_OPTION) in (_WRITE, _EXCLUSIVE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION)
        if mode == _WRITE:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({_WRITERS_LOCK})")
        elif mode == _EXCLUSIVE:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK})")

