"""The store session of a request, and the caller's credential, as FastAPI dependencies every
dialect declares.

Both run on the event loop: opening a session reads nothing (its transaction begins at its first
statement, in the route's worker thread), and a credential is read in a worker thread only when
the store has changed since it was last read. A request to a vendor API thus makes one trip to
the thread pool, for its route.
"""

from collections.abc import AsyncIterator, Callable, Hashable
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from sandbox.core.access import Credential
from sandbox.store.engine import Store

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STORE_VERSION = "store_version"
"""Where the traffic middleware leaves the store's version, read as the request arrived."""


def reads_only(request: Request) -> bool:
    return request.method in READ_METHODS


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A read session for reads; a write session (the writer lock first, on SQLite) otherwise."""
    with request.app.state.store.session(write=not reads_only(request)) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def store_version(request: Request) -> Hashable:
    """The store's version as the request arrived (read by the traffic middleware), else now:
    either way before the route reads anything."""
    version = request.scope.get("state", {}).get(STORE_VERSION)
    return request.app.state.store.version() if version is None else version


async def credential(request: Request, token: str, lookup: Callable[[Session, str], Credential]) -> Credential:
    """What `token` stands for, read by `lookup` in a session of its own, or as last read while
    the store is unchanged."""
    store: Store = request.app.state.store
    version = store_version(request)
    found: Credential | None = await request.app.state.credentials.read_through(
        (lookup, token), version, lambda: run_in_threadpool(_read_credential, store, token, lookup)
    )
    assert found is not None
    return found


def _read_credential(store: Store, token: str, lookup: Callable[[Session, str], Credential]) -> Credential:
    with store.session() as session:
        return lookup(session, token)
