"""Seeding the store: the hand-written fixture format, its loader, and the generated presets."""

from collections.abc import Callable

from sandbox.core.clock import Clock
from sandbox.settings import DEMO_FIXTURE, Settings
from sandbox.store.engine import Store

Progress = Callable[[int, int], None]
"""Told (done, total) as a long seeding run advances; the total may be refined as it goes."""
SEEDED_KEY = "seeded_fixture"
"""The store_meta key naming what the store was seeded with; a store without it is not seeded."""
SOURCE_KEY = "seeded_from"
"""The store_meta key holding `seed_source` of the settings the store was seeded from (a store
seeded by an earlier version has none)."""


class FixtureError(ValueError):
    """A fixture that can't be loaded; the message names the bad entry and field."""


def load_seed(store: Store, settings: Settings, clock: Clock, progress: Progress | None = None) -> str:
    """Load what `settings` names into a prepared, empty store: the fixture file if one is given,
    else the preset (`demo` is the demo fixture, `small` and `large` are generated). A given
    `seed` replaces the seed of a fixture, and so its ULIDs; a generated preset without one uses
    seed 0. Returns a name for what was loaded."""
    from sandbox.seeding.fixture import read_fixture
    from sandbox.seeding.loader import entry_count, load
    from sandbox.seeding.presets import PRESETS

    if _generated(settings):
        # Imported only here: the generator loads Faker (60 ms of a start), which fixtures never need.
        from sandbox.seeding.generator import seed_preset

        return seed_preset(store, PRESETS[settings.preset], settings.seed or 0, clock, progress)
    path = settings.fixture or DEMO_FIXTURE
    fixture = read_fixture(path)
    name = path.name
    if settings.seed is not None:
        fixture.seed = str(settings.seed)
        name = f"{path.name}, seed {settings.seed}"
    total = entry_count(fixture)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    load(store, fixture, clock, name, tick)
    return name


def seed_source(settings: Settings) -> str:
    """What `settings` seed a store with, told apart from whatever else they could: the preset,
    or the fixture file's full path, and the seed where it changes anything (a generated preset
    without one is seed 0; a fixture without one keeps its own)."""
    if _generated(settings):
        return f"preset {settings.preset}, seed {settings.seed or 0}"
    source = f"fixture {settings.fixture.resolve()}" if settings.fixture is not None else f"preset {settings.preset}"
    return source if settings.seed is None else f"{source}, seed {settings.seed}"


def _generated(settings: Settings) -> bool:
    """Whether `settings` name a generated preset, rather than a fixture (`demo` is one)."""
    from sandbox.seeding.presets import PRESETS

    return settings.fixture is None and settings.preset in PRESETS
