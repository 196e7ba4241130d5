"""PostgreSQL for the tests: where the server is, whether it answers, and empty stores in schemas of
their own (SANDBOX_TEST_POSTGRES_URL, default the local server on 127.0.0.1:5432, database `test`)."""

import os
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
