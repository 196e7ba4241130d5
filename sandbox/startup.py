"""Opening the store: schema on first start, then the seed, once."""

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

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
