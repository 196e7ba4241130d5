"""Engine, sessions and schema for the one store (SQLite by default, PostgreSQL for scale-out).

Writes on SQLite begin with BEGIN IMMEDIATE: the writer lock is taken before the first read,
so a conflict check and the insert it guards are one atomic step even across processes. On
PostgreSQL every write transaction first takes a shared advisory lock, which a snapshot save or
restore takes exclusively: those wait for the writes in flight and hold back new ones before any
of them draws an id from a sequence. On either backend a write that waits for the others gives
up with `StoreBusy` once it has waited the store's wait (`Store`'s `wait`) for any one thing:
on SQLite this process's writer, then another process's; on PostgreSQL a lock.

No write begins on a thread that runs an event loop (`WriteOnEventLoop`): it may wait there for
the writer, and every request of the process would wait with it, the one whose end would let the
writer go included.

Its length is the store's: both backends' transactions, locks and versions, which must be read
side by side.
"""

import asyncio
import secrets
import sqlite3
import threading
from collections.abc import Hashable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, select

from sandbox.store import POOL, WAIT_S
from sandbox.store.models import (
    CHANGE_TOPICS,
    EPOCH,
    SCHEMA_VERSION,
    StoreChange,
    StoreMeta,
)

_BEGIN_OPTION = "sandbox_begin"
_WRITE = "write"
_EXCLUSIVE = "exclusive"
WRITERS_LOCK = f"{0x53414E44}, hashtext(current_schema())"
"""The keys of a PostgreSQL advisory lock, as SQL: shared by every write, exclusive for snapshot
saves and restores. The store's schema is one of them, so that stores in different schemas of one
database never wait for each other's writes."""
_WRITER_TURN = "sandbox_writer_turn"


class StoreVersionMismatch(RuntimeError):
    pass


class StoreBusy(RuntimeError):
    """The store could not take on a request's work within its wait (`Store`'s `wait`): another
    write held the writer (SQLite), or a lock the request needed (PostgreSQL: the writers' lock a
    snapshot holds, a row). Nothing was written; the client may try again. A pool with no
    connection free raises SQLAlchemy's own timeout (`BUSY` names both)."""


BUSY: tuple[type[Exception], ...] = (StoreBusy, PoolTimeout)
"""What a store too busy for a request raises: `StoreBusy`, or SQLAlchemy's pool when no
connection came free within the wait (PostgreSQL)."""


RETRY_SOON = {"Retry-After": "1"}
"""The header of a busy store's answer: the client may try again in a second."""


def why_busy(exc: Exception) -> str:
    """What to tell the client whose request met `exc` (one of `BUSY`)."""
    if isinstance(exc, StoreBusy):
        return f"the store is busy: {exc}; try again"
    return "the store is busy: every connection of its pool (SANDBOX_DATABASE_POOL) stayed in use; try again"


class WriteOnEventLoop(RuntimeError):
    """A write transaction was begun on a thread that runs an event loop: writes run in worker
    threads, so that waiting for the writer holds back no other request."""


class Store:
    def __init__(self, url: str, *, pool: int = POOL, wait: float = WAIT_S) -> None:
        """`pool`: the most connections the store's requests hold at once on PostgreSQL
        (`Settings.database_pool`); the change watch holds one more. `wait`: how long, in
        seconds, a request waits for one of them, or for the writer, before the store gives up
        (`StoreBusy`)."""
        self.url = url
        self.engine = _create_engine(url, pool, wait)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.in_memory = isinstance(self.engine.pool, StaticPool)
        """One connection that every thread shares: background threads must leave it alone."""
        self.reads_inline = self.is_sqlite
        """Whether a request reads the store on the event loop rather than in a worker thread.
        A SQLite read takes microseconds and never waits for a writer (WAL), nor for a pooled
        connection (see `_create_engine`), so the trip to a thread, and the interpreter lock
        handed back and forth, cost more than the read. A PostgreSQL read is a round trip to
        the server, made in a thread so that others go on meanwhile. Writes run in threads,
        whatever the backend (`WriteOnEventLoop`): a write may wait for another process's, or for
        one under way in this process."""
        self._writer = self.engine.execution_options(**{_BEGIN_OPTION: _WRITE})
        self._changes = _ChangeWatch(self)

    @contextmanager
    def session(self, *, write: bool = False, then_read: bool = False) -> Iterator[Session]:
        """A session that begins its transaction at its first statement; a write session begins
        it as a write (BEGIN IMMEDIATE on SQLite), so a check and the write it guards are atomic.
        `then_read`: only the write session's first transaction writes; once it has ended
        (committed or rolled back), what the session reads next, such as the answer to a request
        read back after its write, begins as a read and leaves the writer to others."""
        if write and then_read:
            session: Session = _WriteThenRead(self._writer, self.engine)
        else:
            session = Session(self._writer if write else self.engine, expire_on_commit=False)
        with session:
            yield session

    def version(self) -> "Version":
        """Changes whenever a write commits to the store, from any process, and names each
        topic's version too. A value read from the store after reading this may be kept while
        the version it depends on stays equal: cheap enough to call on every request, and it
        never waits for a lock."""
        return self._changes.read()

    @contextmanager
    def transaction(self, *, exclusive: bool = False) -> Iterator[Session]:
        """One all-or-nothing write: commits made inside (by the core) only release savepoints.
        `exclusive`: no other write runs beside it (a snapshot save or restore)."""
        with self.engine.connect() as opened:
            connection = opened.execution_options(**{_BEGIN_OPTION: _EXCLUSIVE if exclusive else _WRITE})
            with (
                connection.begin(),
                Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False) as session,
            ):
                yield session
                session.flush()

    @contextmanager
    def writing(self, *, exclusive: bool = False) -> Iterator[Connection]:
        """One all-or-nothing write as `transaction`'s, on a connection without a session, for
        statements the caller writes out itself (a restore's copies): committed as the block
        ends, rolled back if it raises."""
        with self.engine.connect() as opened:
            connection = opened.execution_options(**{_BEGIN_OPTION: _EXCLUSIVE if exclusive else _WRITE})
            with connection.begin():
                yield connection

    def meta(self, key: str) -> str | None:
        with self.session() as session:
            row = session.get(StoreMeta, key)
            return None if row is None else row.value

    def prepare(self) -> bool:
        """Create the schema if the store is empty. True when it was created."""
        existing = inspect(self.engine).get_table_names()
        if "store_meta" not in existing:
            SQLModel.metadata.create_all(self.engine)
            if self.is_sqlite:  # PostgreSQL plans from its statistics, not from the indexes' order.
                _indexes_in_one_order(self.engine)
            with self.session(write=True) as session:
                session.add(StoreMeta(key="schema_version", value=str(SCHEMA_VERSION)))
                _count_writes(self, session)
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
        self._changes.close()
        self.engine.dispose()


class _WriteThenRead(Session):
    """A session whose first transaction writes and whose later ones read (`Store.session`)."""

    def __init__(self, writer: Engine, reader: Engine) -> None:
        super().__init__(writer, expire_on_commit=False)
        self.reader = reader


@event.listens_for(_WriteThenRead, "after_transaction_end")
def _read_from_now_on(session: _WriteThenRead, transaction: Any) -> None:
    if transaction.parent is None:
        session.bind = session.reader


def _refuse_on_event_loop() -> None:
    """Raise `WriteOnEventLoop` where the calling thread runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise WriteOnEventLoop("a write transaction was begun on the event loop: run the code that writes in a worker thread")


class Version(NamedTuple):
    """The store's version as read at one moment: of the whole store, and of each topic
    (`CHANGE_TOPICS`). Values that are never equal to any other where the store can't tell."""

    whole: Hashable
    topics: tuple[tuple[str, Hashable], ...]

    def of(self, topic: str) -> Hashable:
        """Moves only when a table of `topic` is written (`StoreChange`)."""
        return next(version for name, version in self.topics if name == topic)

    @classmethod
    def unknown(cls) -> "Version":
        return cls(object(), tuple((topic, object()) for topic in CHANGE_TOPICS))


_SQLITE_TOPICS = "SELECT topic, writes FROM store_change"
_POSTGRESQL_VERSION = "SELECT pg_current_snapshot()::text, (SELECT string_agg(topic || '=' || writes, ',') FROM store_change)"


def _indexes_in_one_order(engine: Engine) -> None:
    """Each table's indexes made again, in the order of their names. SQLAlchemy creates them in
    no fixed order (a set's, which differs from process to process), and SQLite without
    statistics breaks a tie between two indexes by that order: stores of one schema would plan
    one query differently, some of them far worse (a person's series read through every booking
    of the organization). Made twice on an empty store, they cost it about 14 ms more to create
    (31 against 17 ms in memory); `create_all` alone orders the tables around their cycles."""
    with engine.begin() as connection:
        for table in SQLModel.metadata.tables.values():
            named = sorted(table.indexes, key=lambda index: str(index.name))
            for index in named:
                index.drop(connection)
            for index in named:
                index.create(connection)


def _count_writes(store: Store, session: Session) -> None:
    """The rows of `StoreChange`, and the triggers that count each topic's writes, in a store
    being created."""
    session.add(StoreChange(topic=EPOCH, writes=secrets.randbits(62)))
    session.add_all(StoreChange(topic=topic) for topic in CHANGE_TOPICS)
    session.flush()
    quote = store.engine.dialect.identifier_preparer.quote
    count = "UPDATE store_change SET writes = writes + 1 WHERE topic = {}"
    if not store.is_sqlite:
        session.execute(
            text(
                "CREATE OR REPLACE FUNCTION sandbox_count_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"{count.format('TG_ARGV[0]')}; RETURN NULL; END $$"
            )
        )
    for topic, tables in CHANGE_TOPICS.items():
        for table in tables:
            if store.is_sqlite:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    trigger, counted = quote(f"count_{table}_{event.lower()}"), count.format(f"'{topic}'")
                    session.execute(text(f"CREATE TRIGGER {trigger} AFTER {event} ON {quote(table)} BEGIN {counted}; END"))
            else:
                session.execute(
                    text(
                        f"CREATE TRIGGER {quote('count_' + table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                        f"ON {quote(table)} FOR EACH STATEMENT EXECUTE FUNCTION sandbox_count_write('{topic}')"
                    )
                )


class _ChangeWatch:
    """The store's version, read on a connection of its own.

    The whole store's: on SQLite `PRAGMA data_version`, which moves when any other connection
    (of this process or another) commits; on PostgreSQL the current snapshot, which moves when
    any transaction of the server commits. Each topic's: its count of writes (`StoreChange`),
    read in the same moment. A store in one process's memory has a single connection, which every
    thread shares and whose own commits `data_version` doesn't count (`_SharedConnectionWatch`).
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._connection: Any = None
        self._connection_token = object()
        """Unique to each connection (unlike its id, which a later one may reuse): two stores, or
        one store before and after it reconnects, never show the same version."""
        self._shared = _SharedConnectionWatch(store.engine) if store.in_memory else None
        self._closed = False

    def read(self) -> Version:
        if self._shared is not None:
            return self._shared.read()
        with self._lock:
            if self._closed:  # The store is disposed: a connection opened now would be left open.
                return Version.unknown()
            try:
                if self._connection is None:
                    self._connection = self._connect()
                    self._connection_token = object()
                cursor = self._connection.cursor()
                if self._store.is_sqlite:
                    whole = cursor.execute("PRAGMA data_version").fetchone()[0]
                    writes = dict(cursor.execute(_SQLITE_TOPICS).fetchall())
                else:
                    cursor.execute(_POSTGRESQL_VERSION)
                    whole, listed = cursor.fetchone()
                    writes = {topic: int(count) for topic, count in (item.split("=") for item in listed.split(","))}
                cursor.close()
                epoch = (self._connection_token, writes[EPOCH])
                return Version((epoch, whole), tuple((topic, (epoch, writes[topic])) for topic in CHANGE_TOPICS))
            except Exception:
                self._close()
                return Version.unknown()

    def _connect(self) -> Any:
        url = self._store.engine.url
        if self._store.is_sqlite:
            assert url.database is not None  # A store in memory is never watched (`read`).
            return sqlite3.connect(url.database, check_same_thread=False, isolation_level=None)
        pooled = self._store.engine.raw_connection()
        connection = pooled.driver_connection
        assert connection is not None  # Only a connection that was closed has none.
        pooled.detach()  # Its own from now on, outside the pool's count.
        connection.rollback()
        connection.autocommit = True  # Each read sees the latest commits.
        connection.execute("SET statement_timeout = 2000")  # Read on the event loop: never wait long.
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            with suppress(Exception):
                self._connection.close()
            self._connection = None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._close()


class _SharedConnectionWatch:
    """The version of a store whose one connection every thread shares (a store in memory).

    Nothing else writes to it, so its rows have changed when the connection has changed rows
    (`total_changes`, which counts every row an INSERT, UPDATE or DELETE changed, kept or not)
    or its schema: the version is the two counts, for the whole store and every topic alike.
    A transaction of one thread is seen by the others as it goes: while one holds changes not yet
    committed, which a rollback would take back without moving the counts, the version is
    unknown, so nothing read then is kept."""

    def __init__(self, engine: Engine) -> None:
        self._token = object()
        checked_out = engine.raw_connection()  # StaticPool: the one connection there is.
        connection = checked_out.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        self._connection = connection
        checked_out.close()
        self._settled = -1
        """`total_changes` when last seen outside any transaction: everything it counts was
        committed or rolled back by then."""

    def read(self) -> Version:
        connection = self._connection
        changes = connection.total_changes
        if connection.in_transaction:
            if changes != self._settled:
                return Version.unknown()  # Changes under way, or made since last seen.
        else:
            self._settled = changes
        try:
            (schema,) = connection.execute("PRAGMA schema_version").fetchone()
        except sqlite3.Error:
            return Version.unknown()
        whole = (self._token, changes, schema)
        return Version(whole, tuple((topic, whole) for topic in CHANGE_TOPICS))


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run through a session changed: the session answers it
    with a CursorResult, which the type it declares (any statement's Result) does not show."""
    assert isinstance(result, CursorResult)
    return result.rowcount


def in_memory_url(url: str) -> bool:
    """A SQLite store that lives in one process's memory only."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def _create_engine(url: str, pool: int, wait: float) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Opened as requests need them, up to the pool, and kept open between requests: one closed
        # after each burst and opened for the next costs the server a process each time (a server
        # under 16 clients at once opened some 25 a second where it kept 5 of 15).
        engine = create_engine(url, pool_pre_ping=True, pool_size=pool, max_overflow=0, pool_timeout=wait)
        _configure_postgresql(engine, wait)
        return engine
    in_memory = in_memory_url(url)
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": wait}}
    if in_memory:
        options["poolclass"] = StaticPool
    else:
        # One connection per request thread (the thread pool has 40), kept open between requests.
        # Beyond those the pool opens more rather than make anyone wait: a read on the event loop
        # (`Store.reads_inline`) that waited for a connection would hold back the very requests
        # whose sessions would free one.
        options.update(pool_size=40, max_overflow=-1)
        assert parsed.database is not None  # A store without a file is in memory.
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)
    _configure_sqlite(engine, wal=not in_memory, wait=wait)
    return engine


def _configure_sqlite(engine: Engine, *, wal: bool, wait: float) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Transactions are begun explicitly below, so that writes can BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
        cursor.close()

    # The writers of this process take turns on a lock of their own before SQLite's: waiting
    # for SQLite's writer lock means polling it, sleeping up to 100 ms between tries, which left
    # concurrent writers waiting seconds. Writers of other processes still meet at SQLite's.
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        writes = connection.get_execution_options().get(_BEGIN_OPTION) in (_WRITE, _EXCLUSIVE)
        if not writes:
            connection.exec_driver_sql("BEGIN")
            return
        _refuse_on_event_loop()
        turn = connection.connection.info
        if wal:  # A store in memory has one connection for all, whose transactions nest instead.
            if not writers.acquire(timeout=wait):
                raise StoreBusy(f"no write could begin within {wait:g} s: another was under way all that time")
            turn[_WRITER_TURN] = writers
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:
            _end_turn(turn)
            if "locked" in str(error.orig):  # Another process's write held it past the busy timeout.
                raise StoreBusy(
                    f"no write could begin within {wait:g} s: another process's was under way all that time"
                ) from error
            raise
        except BaseException:
            _end_turn(turn)
            raise

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        # Back in the pool: its transaction has committed or rolled back by now.
        _end_turn(record.info)


def _end_turn(info: dict[str, Any]) -> None:
    turn = info.pop(_WRITER_TURN, None)
    if turn is not None:
        turn.release()


_LOCK_NOT_AVAILABLE = "55P03"
"""PostgreSQL's SQLSTATE for a statement that waited for a lock longer than `lock_timeout`."""


def _configure_postgresql(engine: Engine, wait: float) -> None:
    # A statement waits for a lock (a snapshot's exclusive advisory lock, a row another write
    # holds) at most the store's wait, as a write on SQLite waits for the writer, rather than for
    # as long as it is held: a session that holds one and never ends would otherwise hold every
    # write back with it.
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit, dbapi_connection.autocommit = dbapi_connection.autocommit, True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {max(1, int(wait * 1000))}")
        dbapi_connection.autocommit = autocommit

    @event.listens_for(engine, "handle_error")
    def on_error(context: Any) -> Exception | None:
        if getattr(context.original_exception, "sqlstate", None) == _LOCK_NOT_AVAILABLE:
            return StoreBusy(f"what the request needed stayed locked for {wait:g} s, by another write or a snapshot")
        return None

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(_BEGIN_OPTION)
        if mode in (_WRITE, _EXCLUSIVE):
            _refuse_on_event_loop()
        if mode == _WRITE:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({WRITERS_LOCK})")
        elif mode == _EXCLUSIVE:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITERS_LOCK})")
