"""A schema of its own on a PostgreSQL server, for a store that must share no table with any
other: the tests' PostgreSQL stores, the soak and the fuzz benchmarks."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy


@contextmanager
def schema_of_its_own(server: str, prefix: str) -> Iterator[str]:
    """The URL of a store in a new, empty schema on the PostgreSQL server at `server` (its name
    `prefix` and a random suffix), dropped with all it holds after. Raises
    `sqlalchemy.exc.OperationalError` before yielding where no server answers."""
    admin = sqlalchemy.create_engine(server)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        try:
            yield f"{server}?options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as connection:
                connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        admin.dispose()
