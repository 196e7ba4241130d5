"""Opening the store: schema on first start, then the seed, once; and what an app holds in its
place until it has started."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import NoReturn

from sqlalchemy.engine import make_url

from sandbox.control import snapshots
from sandbox.core.clock import Clock
from sandbox.seeding import SEEDED_KEY, Progress, load_seed
from sandbox.settings import Settings
from sandbox.store.engine import Store


def open_store(
    settings: Settings,
    clock: Clock,
    seeding: Callable[[], AbstractContextManager[Progress | None]] = nullcontext,
) -> Store:
    """The store named by `settings`, created and seeded if it is new; `seeding()` gives what to
    tell the progress of a first seeding to.

    Restarting on the same store keeps its data: the seed loads only into a store that has
    never been seeded.
    """
    store = Store(settings.store_url())
    store.prepare()
    if store.meta(SEEDED_KEY) is None:
        with seeding() as progress:
            seed_store(store, settings, clock, progress)
    return store


def seed_store(store: Store, settings: Settings, clock: Clock, progress: Progress | None = None) -> str:
    """Load the configured preset or fixture into a prepared, empty store and keep it as the
    `seed` snapshot that resets return to. Returns the name of what was loaded."""
    name = load_seed(store, settings, clock, progress)
    snapshots.save(store, snapshots.SEED, replace=True)
    return name


class StoreNotOpen(RuntimeError):
    """The app's store was used before the app started or after it stopped."""


class UnopenedStore:
    """What an app built without a store holds in its place until it starts and opens it: the
    URL it will open, and whether the app's routes read on the event loop, which the app decides
    as it is built (`Store.reads_inline`: a SQLite store). Anything else is refused with
    `StoreNotOpen`."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.reads_inline = make_url(url).get_backend_name() == "sqlite"

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__"):  # Protocols probed by copy, pickle, hasattr: not the store's.
            raise AttributeError(name)
        raise StoreNotOpen(
            f"the store is opened as the app starts, and closed as it stops: use `{name}` in its lifespan "
            "(`with TestClient(app):`, or a server running it), or give create_app a store of your own"
        )
