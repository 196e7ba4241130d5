"""Opening the store: schema on first start, then the fixture, once."""

from sandbox.core.clock import Clock
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import SEEDED_KEY, load
from sandbox.settings import Settings
from sandbox.store.engine import Store


def open_store(settings: Settings, clock: Clock) -> Store:
    """The store named by `settings`, created and seeded with its fixture if it is new.

    Restarting on the same store keeps its data: the fixture loads only into a store that has
    never been seeded.
    """
    store = Store(settings.store_url())
    store.prepare()
    if store.meta(SEEDED_KEY) is None:
        load(store, read_fixture(settings.fixture), clock, settings.fixture.name)
    return store
