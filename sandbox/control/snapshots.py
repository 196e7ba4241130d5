"""Named snapshots of the workplace, and resets back to the seed.

A snapshot is a copy of every workplace table kept in the store itself, as
`snapshot_{id}_{table}` beside the live table: every worker process sees the same snapshots on
SQLite and on PostgreSQL alike, and a restore is one transaction of table-to-table copies, so a
suite can restore before every test. The control plane's own tables (the snapshot registry,
fault rules, the request journal) are never copied or restored.

The `seed` snapshot is taken when the store is seeded; a reset restores it, for the whole store
or for one organization's rows only.
"""

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Integer, Table, TextClause, bindparam, func, select, text
from sqlalchemy.schema import sort_tables
from sqlmodel import SQLModel, col
from sqlmodel import select as sqlmodel_select

from sandbox.core.errors import DomainError, InvalidInput, NotFound
from sandbox.store.engine import Store
from sandbox.store.models import (
    CONTROL_TABLES,
    ChangeLog,
    Organization,
    Snapshot,
    StoreMeta,
    Tenant,
    table_of,
)

SEED = "seed"
"""The snapshot taken when the store was seeded: what resets return to."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
"""Anchored, as the OpenAPI documents give it; matched whole (`fullmatch`), so that no line break may follow."""
Also = Callable[[Connection], object]
"""What a reset or restore does besides, last in its own transaction, so that it is done only
if the reset is: a per-test restore clears the fault rules and the journal with it, and reads
where the journal stands as the reset ends."""


class UnknownOrganization(NotFound):
    """No organization has the id a reset was given."""


class Refused(DomainError):
    """A control-plane request that contradicts what is stored (a snapshot name taken, an export
    with no CSV yet): 409."""


@functools.cache
def workplace_tables() -> tuple[Table, ...]:
    """Every table a snapshot holds, parents before children (sorted once: the schema is the module's)."""
    tables = [table for table in SQLModel.metadata.tables.values() if table.name not in CONTROL_TABLES]
    return tuple(sort_tables(tables, skip_fn=lambda key: bool(key.deferrable)))


def listed(store: Store) -> list[Snapshot]:
    with store.session() as session:
        return list(session.exec(sqlmodel_select(Snapshot).order_by(col(Snapshot.id))))


def find(store: Store, name: str) -> Snapshot:
    with store.session() as session:
        return snapshot_named(session.connection(), name)


def save(store: Store, name: str, *, replace: bool = False) -> Snapshot:
    """Copy every workplace table under `name`; an existing snapshot of that name is an error
    unless `replace`."""
    _require_name(name)
    with store.transaction(exclusive=True) as session:
        connection = session.connection()
        existing = connection.execute(select(col(Snapshot.id)).where(col(Snapshot.name) == name)).scalar()
        if existing is not None:
            if not replace:
                raise Refused(f"a snapshot named {name!r} exists already; delete it first or save with replace")
            _require_unused(connection, existing, name)
            _drop_copies(store, connection, existing)
            connection.execute(table_of(Snapshot).delete().where(col(Snapshot.id) == existing))
        _track_changes(store, connection)
        key = connection.execute(
            table_of(Snapshot)
            .insert()
            .values(
                name=name,
                created_at=datetime.now(UTC),
                rows=0,
                sequences={},
                position=last_change(connection),
            )
        ).inserted_primary_key
        assert key is not None  # Every insert of one row has it.
        number = key[0]
        rows = 0
        for table in workplace_tables():
            copy = copy_name(store, number, table.name)
            connection.exec_driver_sql(f"CREATE TABLE {copy} AS SELECT * FROM {quoted(store, table.name)}")
            if tracked(table):
                connection.exec_driver_sql(f"CREATE INDEX {copy_name(store, number, table.name + '_id')} ON {copy} (id)")
            rows += connection.execute(select(func.count()).select_from(table)).scalar_one()
        connection.execute(
            table_of(Snapshot).update().where(col(Snapshot.id) == number).values(rows=rows, sequences=last_ids(store, connection))
        )
        _forget_old_changes(connection)
        session.commit()
    return find(store, name)


def restore(store: Store, name: str, *, also: Also | None = None) -> Snapshot:
    """Make the workplace exactly what it was when `name` was saved, ids to come included; `also`
    runs in the same transaction, after the copies (see `Also`).

    Only the rows written since are copied back: the change log names them (a row that differs
    from the snapshot was written after it was taken), so a restore after a test costs what the
    test wrote, not the size of the workplace, and a table nobody wrote to is left alone. Tables
    without an integer id are small (tokens, clients, photos, export chunks): the log says only
    that they were written, and those written are copied back whole.
    """
    with store.writing(exclusive=True) as connection:
        snapshot = snapshot_named(connection, name)
        defer_foreign_keys(store, connection)
        changed = {"position": snapshot.position}
        written = written_tables(store, connection, snapshot.position)
        tables = [table for table in workplace_tables() if table.name in written]
        for table in reversed(tables):
            live = quoted(store, table.name)
            if tracked(table):
                connection.execute(statement(f"DELETE FROM {live} WHERE id IN ({CHANGED})"), {**changed, "table": table.name})
            else:
                connection.exec_driver_sql(f"DELETE FROM {live}")
        for table in tables:
            where = f"id IN ({CHANGED})" if tracked(table) else None
            _copy_back(store, connection, snapshot.id or 0, table, where=where, parameters={**changed, "table": table.name})
        set_sequences(store, connection, _moved_sequences(store, snapshot.sequences, written))
        if written:
            _forget_undone_changes(connection, snapshot)
        if also is not None:
            also(connection)
    return snapshot


def _moved_sequences(store: Store, sequences: dict[str, int], written: set[str]) -> dict[str, int]:
    """Of a snapshot's next ids, those that may have moved since: on SQLite only a table written
    to hands out ids (a write rolled back takes its ids back with it); a PostgreSQL sequence
    moves for a write rolled back too, so every one is set back."""
    if not store.is_sqlite:
        return sequences
    return {table: last for table, last in sequences.items() if table in written}


def delete(store: Store, name: str) -> None:
    if name == SEED:
        raise Refused("the seed snapshot is what resets return to; it can't be deleted")
    with store.transaction() as session:
        connection = session.connection()
        snapshot = snapshot_named(connection, name)
        _require_unused(connection, snapshot.id or 0, name)
        _drop_copies(store, connection, snapshot.id or 0)
        connection.execute(table_of(Snapshot).delete().where(col(Snapshot.id) == snapshot.id))
        _forget_old_changes(connection)
        session.commit()


def reset(store: Store, *, also: Also | None = None) -> Snapshot:
    """The whole store back to its seed; `also` as `restore` takes it."""
    return restore(store, SEED, also=also)


def reset_organization(store: Store, organization_id: int, *, also: Also | None = None) -> None:
    """One organization's rows back to the seed; every other organization is left as it is.
    UnknownOrganization where no organization has that id.

    Ids are never handed out twice (see models._never_reuse_ids), so the seed's rows return under
    their own ids without colliding with rows other organizations made since.
    """
    with store.writing(exclusive=True) as connection:
        if connection.execute(_ORGANIZATION, {"organization": organization_id}).first() is None:
            raise UnknownOrganization(f"no organization {organization_id}")
        seed = snapshot_named(connection, SEED)
        defer_foreign_keys(store, connection)
        written = written_tables(store, connection, seed.position)
        tables = [table for table in workplace_tables() if table.name in written]
        parameters = {"organization": organization_id, "position": seed.position}
        for table in reversed(tables):
            where = owned_by(store, table, lambda name: quoted(store, name))
            if tracked(table):
                where += f" AND id IN ({CHANGED})"
            connection.execute(
                statement(f"DELETE FROM {quoted(store, table.name)} WHERE {where}"), {**parameters, "table": table.name}
            )
        for table in tables:
            where = owned_by(store, table, lambda name: copy_name(store, seed.id or 0, name))
            if tracked(table):
                where += f" AND id IN ({CHANGED})"
            _copy_back(store, connection, seed.id or 0, table, where=where, parameters={**parameters, "table": table.name})
        if also is not None:
            also(connection)


_ORGANIZATION = select(col(Organization.id)).where(col(Organization.id) == bindparam("organization"))
_NAMED = select(table_of(Snapshot)).where(col(Snapshot.name) == bindparam("name"))


def snapshot_named(connection: Connection, name: str) -> Snapshot:
    row = connection.execute(_NAMED, {"name": name}).first()
    if row is None:
        raise NotFound(f"no snapshot named {name!r}")
    return Snapshot.model_validate(row._mapping)


def _require_unused(connection: Connection, number: int, name: str) -> None:
    """A snapshot tenants were copied from is what they reset to: it stays while they do."""
    using = connection.execute(
        select(func.count()).select_from(table_of(Tenant)).where(col(Tenant.template_snapshot_id) == number)
    ).scalar_one()
    if using:
        raise Refused(
            f"{using} organization{'s were' if using != 1 else ' was'} copied from snapshot {name!r} and reset to it: "
            "drop them first (DELETE /_sandbox/organizations/{organization})"
        )


def _require_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise InvalidInput.of("name", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")


def _copy_back(
    store: Store,
    connection: Connection,
    number: int,
    table: Table,
    *,
    where: str | None = None,
    parameters: dict[str, object] | None = None,
) -> None:
    columns = ", ".join(quoted(store, column.name) for column in table.columns)
    copy = f"INSERT INTO {quoted(store, table.name)} ({columns}) SELECT {columns} FROM {copy_name(store, number, table.name)}"
    if where is not None:
        copy += f" WHERE {where}"
    connection.execute(statement(copy), parameters or {})


def owned_by(store: Store, table: Table, named: Callable[[str], str]) -> str:
    """A condition that holds for the rows of `table` that belong to :organization, reaching it
    through any of its foreign keys where the table has no organization of its own."""
    if table.name == Organization.__tablename__:
        return "id = :organization"
    if "organization_id" in table.c:
        return "organization_id = :organization"
    paths = []
    for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
        parent = key.column.table
        if parent is not table and parent.name not in CONTROL_TABLES:
            inner = owned_by(store, parent, named)
            column = quoted(store, key.parent.name)
            paths.append(f"{column} IN (SELECT {quoted(store, key.column.name)} FROM {named(parent.name)} WHERE {inner})")
    if not paths:
        raise AssertionError(f"table {table.name} belongs to no organization")
    return "(" + " OR ".join(paths) + ")"


def _drop_copies(store: Store, connection: Connection, number: int) -> None:
    prefix = f"snapshot_{number}_"
    for name in connection.dialect.get_table_names(connection):
        if name.startswith(prefix):
            connection.exec_driver_sql(f"DROP TABLE {quoted(store, name)}")


@functools.lru_cache(maxsize=1024)
def statement(sql: str) -> TextClause:
    """`sql` as a statement, parsed for its parameters once: restores and resets write the same
    few statements for every test."""
    return text(sql)


def copy_name(store: Store, number: int, name: str) -> str:
    return quoted(store, f"snapshot_{number}_{name}")


def quoted(store: Store, name: str) -> str:
    return store.engine.dialect.identifier_preparer.quote(name)


def defer_foreign_keys(store: Store, connection: Connection) -> None:
    """Rows go back parents first, but a table may refer to itself or to a later table, and a
    changed parent is deleted and put back while its unchanged children stay."""
    if store.is_sqlite:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    else:
        connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")


def last_ids(store: Store, connection: Connection) -> dict[str, int]:
    """The last id each table with a generated id handed out (0: none yet): on SQLite in one query."""
    names = [table.name for table in workplace_tables() if "id" in table.c and isinstance(table.c.id.type, Integer)]
    handed: dict[str, int | None] = {}
    if store.is_sqlite:
        handed.update(((name, seq) for name, seq in connection.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")))
    else:
        for name in names:
            sequence = connection.exec_driver_sql(f"SELECT pg_get_serial_sequence('{quoted(store, name)}', 'id')").scalar()
            if sequence:
                # A sequence set back (setval with is_called false) hands out last_value next.
                handed[name] = connection.exec_driver_sql(
                    f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}"
                ).scalar()
    return {name: int(handed.get(name) or 0) for name in names}


_FORGET_SEQUENCES = text("DELETE FROM sqlite_sequence WHERE name IN :names").bindparams(bindparam("names", expanding=True))
_SET_SEQUENCE = text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)")


def set_sequences(store: Store, connection: Connection, sequences: dict[str, int]) -> None:
    """Make each table's next id follow the last id given for it (0: start again from 1)."""
    if not sequences:
        return
    if store.is_sqlite:
        connection.execute(_FORGET_SEQUENCES, {"names": list(sequences)})
        kept = [{"name": name, "seq": last} for name, last in sequences.items() if last]
        if kept:
            connection.execute(_SET_SEQUENCE, kept)
        return
    calls = ", ".join(
        f"setval(pg_get_serial_sequence('{quoted(store, name)}', 'id'), {max(last, 1)}, {'true' if last else 'false'})"
        for name, last in sequences.items()
    )
    connection.exec_driver_sql(f"SELECT {calls}")


# Change tracking


def changed_ids(less: int = 0) -> str:
    """SQL for the ids of the rows of :table written after change :position, each less `less`
    (where a copy holds them under other ids)."""
    row = f"row_id - {int(less)}" if less else "row_id"
    return f"SELECT {row} FROM change_log WHERE table_name = :table AND id > :position"


CHANGED = changed_ids()
_TRACKING_KEY = "tracks_changes"
_PG_TRACKER = """
CREATE OR REPLACE FUNCTION sandbox_track_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO change_log (table_name, row_id) VALUES (TG_TABLE_NAME, OLD.id);
    ELSE
        INSERT INTO change_log (table_name, row_id) VALUES (TG_TABLE_NAME, NEW.id);
    END IF;
    RETURN NULL;
END $$
"""


_PG_TABLE_TRACKER = """
CREATE OR REPLACE FUNCTION sandbox_track_table_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO change_log (table_name, row_id) VALUES (TG_TABLE_NAME, 0);
    RETURN NULL;
END $$
"""
"""A write to a table whose rows have no integer id: logged as the table's, row 0."""


def written_tables(store: Store, connection: Connection, position: int) -> set[str]:
    """The tables written since change `position`: a probe of the log's index by table for each
    workplace table, so that it costs the same however long the log behind `position` is."""
    return set(connection.execute(_written_probe(), {"position": position}).scalars())


@functools.cache
def _written_probe() -> TextClause:
    return text(
        " UNION ALL ".join(
            f"SELECT '{table.name}' AS name WHERE EXISTS "
            f"(SELECT 1 FROM change_log WHERE table_name = '{table.name}' AND id > :position)"
            for table in workplace_tables()
        )
    )


def tracked(table: Table) -> bool:
    """Whether the change log names the rows of `table` written (by their integer id); of the
    other tables, small ones without such an id, it says only that they were written."""
    key = list(table.primary_key.columns)
    return len(key) == 1 and key[0].name == "id" and isinstance(key[0].type, Integer)


def _track_changes(store: Store, connection: Connection) -> None:
    """Log every write to the workplace tables from the first snapshot on (seeding, before it,
    pays nothing)."""
    if connection.execute(select(col(StoreMeta.value)).where(col(StoreMeta.key) == _TRACKING_KEY)).scalar() is not None:
        return
    if not store.is_sqlite:
        connection.exec_driver_sql(_PG_TRACKER)
        connection.exec_driver_sql(_PG_TABLE_TRACKER)
    for table in workplace_tables():
        live = quoted(store, table.name)
        if store.is_sqlite:
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                trigger = quoted(store, f"track_{table.name}_{event.lower()}")
                row_id = f"{row}.id" if tracked(table) else "0"
                connection.exec_driver_sql(
                    f"CREATE TRIGGER {trigger} AFTER {event} ON {live} BEGIN "
                    f"INSERT INTO change_log (table_name, row_id) VALUES ('{table.name}', {row_id}); END"
                )
        else:
            function = "sandbox_track_change" if tracked(table) else "sandbox_track_table_change"
            connection.exec_driver_sql(
                f"CREATE TRIGGER {quoted(store, 'track_' + table.name)} AFTER INSERT OR UPDATE OR DELETE ON {live} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
    connection.execute(table_of(StoreMeta).insert().values(key=_TRACKING_KEY, value="1"))


def last_change(connection: Connection) -> int:
    return int(connection.execute(select(func.max(ChangeLog.id))).scalar() or 0)


def _forget_undone_changes(connection: Connection, restored: Snapshot) -> None:
    """After restoring the newest snapshot, what the log holds past it (the restore's own
    writes included) describes changes that no longer exist: keeping it would make every later
    restore copy them back again. An older snapshot still needs its changes to the newer ones."""
    connection.execute(_FORGET_UNDONE, {"position": restored.position})


_FORGET_UNDONE = (
    table_of(ChangeLog)
    .delete()
    .where(col(ChangeLog.id) > bindparam("position"))
    .where(bindparam("position") == select(func.max(Snapshot.position)).scalar_subquery())
)


def _forget_old_changes(connection: Connection) -> None:
    """The log is needed only from the oldest snapshot on."""
    oldest = connection.execute(select(func.min(Snapshot.position))).scalar()
    if oldest is not None:
        connection.execute(table_of(ChangeLog).delete().where(col(ChangeLog.id) <= oldest))
