"""The store session of a request, and the caller's credential, as FastAPI dependencies every
dialect declares.

Both run on the event loop: opening a session reads nothing (its transaction begins at its first
statement, where the route runs), and a credential is read again only when the tables it is read
from have been written since (`Store.version`). A request to a vendor API thus makes at most one
trip to the thread pool, for its route, and none where the store reads on the event loop
(`Store.reads_inline`) and its route only reads.
"""

from collections.abc import AsyncIterator, Callable
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from sandbox.core.access import Credential
from sandbox.store.engine import Store, Version
from sandbox.store.models import CREDENTIALS

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Params = ParamSpec("Params")
Result = TypeVar("Result")
STORE_VERSION = "store_version"
"""Where the traffic middleware leaves the store's version, read as the request arrived."""


def reads_only(request: Request) -> bool:
    """Whether the request's route only reads the store: as the route says where it is declared
    (`routing.only_reads`), else by the request's method."""
    return bool(getattr(request.scope.get("route"), "only_reads", request.method in READ_METHODS))


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A read session where the route only reads (`reads_only`); otherwise a session whose first
    transaction is a write (the writer lock first, on SQLite) and whose later ones read: what the
    route reads back to answer after its write leaves the writer to others."""
    with request.app.state.store.session(write=not reads_only(request), then_read=True) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session, closed as its route returns (its answer made by then), since a read
session holds a pooled connection. A route that writes closes it sooner, in its own worker thread
(see `routing.include_flat`): a write it began ends there, committed or refused, and the writer
is free before the event loop gets round to this dependency."""
StreamingSessionDep = Annotated[Session, Depends(get_session)]
"""The session of a route whose answer is streamed from the store: open until it is sent."""


async def read_store(store: Store, read: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs) -> Result:
    """`read`, which only reads the store, run where the store reads best: on the event loop,
    or in a worker thread (see `Store.reads_inline`)."""
    if store.reads_inline:
        return read(*args, **kwargs)
    return await run_in_threadpool(read, *args, **kwargs)


def store_version(request: Request) -> Version:
    """The store's version as the request arrived (read by the traffic middleware), else now:
    either way before the route reads anything."""
    version: Version | None = request.scope.get("state", {}).get(STORE_VERSION)
    store: Store = request.app.state.store
    return store.version() if version is None else version


async def credential(request: Request, token: str, lookup: Callable[[Session, str], Credential]) -> Credential:
    """What `token` stands for, read by `lookup` in a session of its own, or as last read while
    the tables credentials are read from are unchanged."""
    store: Store = request.app.state.store
    version = store_version(request).of(CREDENTIALS)
    found: Credential | None = await request.app.state.credentials.read_through(
        (lookup, token), version, lambda: read_store(store, _read_credential, store, token, lookup)
    )
    assert found is not None
    return found


def _read_credential(store: Store, token: str, lookup: Callable[[Session, str], Credential]) -> Credential:
    with store.session() as session:
        return lookup(session, token)
