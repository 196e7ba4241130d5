"""Opening the store: schema on first start, then the seed, once; and what an app holds in its
place until it has started."""

import errno
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import NoReturn

from sqlalchemy.engine import make_url

from sandbox.control import snapshots
from sandbox.core.clock import Clock
from sandbox.seeding import SEEDED_KEY, SOURCE_KEY, Progress, load_seed, seed_source
from sandbox.settings import Settings
from sandbox.store.engine import Store
from sandbox.store.models import StoreMeta


def open_store(
    settings: Settings,
    clock: Clock,
    seeding: Callable[[], AbstractContextManager[Progress | None]] = nullcontext,
    *,
    seed_asked: bool = False,
    reseed: bool = False,
) -> Store:
    """The store named by `settings`, created and seeded if it is new; `seeding()` gives what to
    tell the progress of a first seeding to.

    Restarting on the same store keeps its data: the seed loads only into a store that has
    never been seeded. `seed_asked`: the settings name what to seed on purpose, not by default,
    and a store seeded from something else is refused (`SeedMismatch`) rather than served in its
    place, unnoticed. `reseed`: whatever the store holds is replaced by what the settings name.
    """
    check_data_dir(settings)
    store = Store(settings.store_url(), pool=settings.database_pool, wait=settings.store_wait)
    try:
        store.prepare()
        seeded = store.meta(SEEDED_KEY)
        if seeded is not None and reseed:
            if settings.fixture is not None:
                from sandbox.seeding.fixture import read_fixture

                read_fixture(settings.fixture)  # A fixture with problems leaves the store as it was.
            store.wipe()
            seeded = None
        elif seeded is not None and seed_asked:
            _check_seeded_as_asked(store, settings)
        if seeded is None:
            with seeding() as progress:
                seed_store(store, settings, clock, progress)
    except BaseException:
        store.dispose()
        raise
    return store


class SeedMismatch(RuntimeError):
    """The store was seeded from something other than what the settings ask for."""


def _check_seeded_as_asked(store: Store, settings: Settings) -> None:
    held = store.meta(SOURCE_KEY)
    asked = seed_source(settings)
    if held is None or held == asked:  # Seeded by an earlier version, which kept no source: served as it is.
        return
    where = make_url(store.url).render_as_string(hide_password=True)
    raise SeedMismatch(
        f"the store at {where} was seeded from {held}, not from the {asked} asked for. "
        "Serve it as it is without --preset, --fixture and --seed (nor SANDBOX_PRESET, SANDBOX_FIXTURE, SANDBOX_SEED); "
        "replace its content with `serve --reseed` or `workplace-sandbox seed` (what was booked in it is lost); "
        "or keep it and give another --data-dir (SANDBOX_DATA_DIR) for the new one"
    )


class StoreUnavailable(RuntimeError):
    """The store can't be kept where the settings put it; the message says why, and what to do."""


def check_data_dir(settings: Settings) -> None:
    """Make sure the data directory exists and a store can be written there: create it if it is
    missing, and write a file into it (which also tells a read-only mount or volume, which
    permissions alone don't show). Nothing to check when the store is a database URL."""
    if settings.database_url is not None:
        return
    directory = settings.data_dir.resolve()
    store_file = directory / "sandbox.db"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
        if store_file.exists() and not os.access(store_file, os.R_OK | os.W_OK):
            raise PermissionError(13, "Permission denied", str(store_file))
    except OSError as error:
        blocked = error.filename or directory
        elsewhere = "point --data-dir (SANDBOX_DATA_DIR) at a directory this user can write"
        if isinstance(error, PermissionError) or error.errno == errno.EROFS:
            advice = (
                f"give this user (uid {os.getuid()}) write access to it (chown or chmod; a Docker volume made by root: "
                f"chown it to the image's user, 10001), or {elsewhere}"
            )
        else:
            advice = elsewhere
        raise StoreUnavailable(
            f"the data directory {directory} can't hold the store: {blocked}: {error.strerror}: {advice}"
        ) from None


def seed_store(store: Store, settings: Settings, clock: Clock, progress: Progress | None = None) -> str:
    """Load the configured preset or fixture into a prepared, empty store and keep it as the
    `seed` snapshot that resets return to. Returns the name of what was loaded."""
    name = load_seed(store, settings, clock, progress)
    with store.transaction() as session:
        session.merge(StoreMeta(key=SOURCE_KEY, value=seed_source(settings)))
        session.commit()
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
