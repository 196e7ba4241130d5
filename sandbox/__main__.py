"""The command line: `workplace-sandbox serve`, `workplace-sandbox seed`, `workplace-sandbox openapi`,
`workplace-sandbox example-fixture`."""

import argparse
import gc
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from sandbox import __version__
from sandbox.settings import DEMO_FIXTURE, EXAMPLE_FIXTURE, FIXTURE_GUIDE, Settings

if TYPE_CHECKING:
    from sandbox.seeding import Progress
    from sandbox.store.engine import Store

DEMO_TOKENS = (
    ("demo-robin-token", "an administrator of the demo organization"),
    ("demo-robin-member-token", "a plain member of the demo organization"),
)
SEED_SETTINGS = {"preset", "fixture", "seed"}
"""The settings that say what a store is seeded from: given (as flags or SANDBOX_* variables),
`serve` refuses a store seeded from something else rather than serve it in their place."""
DEMO_CLIENT = ("demo-client", "demo-secret", "acts for the administrator of the demo organization")
FIXTURE_FILES = f"""\
fixture files, shipped in the package:
  the format:   {FIXTURE_GUIDE}
  an example:   {EXAMPLE_FIXTURE}
                (`workplace-sandbox example-fixture > my.json` copies it out to change)
  the demo:     {DEMO_FIXTURE}"""
"""Where the fixture guide and the fixtures that ship with the package are, as installed: the
help of the commands that take a fixture ends with it, each path on a line of its own, as
written, so that no wrapping breaks it."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workplace-sandbox", description="A local sandbox of the Robin and Kadence APIs.")
    parser.add_argument("--version", action="version", version=f"workplace-sandbox {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="run the sandbox (creates and seeds the store on first start)",
        epilog=FIXTURE_FILES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="interface to listen on [SANDBOX_HOST, default 127.0.0.1]")
    serve.add_argument("--port", type=int, help="port to listen on, 1 to 65535 [SANDBOX_PORT, default 8000]")
    serve.add_argument("--data-dir", type=Path, help="where the SQLite store lives [SANDBOX_DATA_DIR, default .sandbox]")
    serve.add_argument("--database-url", help="SQLAlchemy URL of the store instead [SANDBOX_DATABASE_URL]")
    _seed_arguments(serve, "a new store")
    serve.add_argument(
        "--reseed",
        action="store_true",
        help="replace what the store holds with the preset or fixture asked for (what was booked in it is lost)",
    )
    serve.add_argument("--workers", type=int, help="server processes on the one store [SANDBOX_WORKERS, default 1]")
    serve.add_argument(
        "--database-pool",
        type=int,
        help="most connections each server process opens to a PostgreSQL store for requests [SANDBOX_DATABASE_POOL, default 15]",
    )
    serve.add_argument(
        "--store-wait",
        type=float,
        help="seconds a request waits for a busy store before it is answered 503 [SANDBOX_STORE_WAIT, default 30]",
    )
    serve.add_argument(
        "--log-level", help="uvicorn log level: critical, error, warning, info, debug or trace [SANDBOX_LOG_LEVEL, default info]"
    )
    serve.add_argument(
        "--log-format",
        choices=("text", "json"),
        help="the log as lines of text or one JSON object a line [SANDBOX_LOG_FORMAT, default text]",
    )

    seed = commands.add_parser(
        "seed",
        help="replace the store's content with a preset or a fixture",
        epilog=FIXTURE_FILES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seed.add_argument("--data-dir", type=Path, help="where the SQLite store lives [SANDBOX_DATA_DIR, default .sandbox]")
    seed.add_argument("--database-url", help="SQLAlchemy URL of the store instead [SANDBOX_DATABASE_URL]")
    _seed_arguments(seed, "the store")
    seed.add_argument("--no-progress", action="store_true", help="no progress bar, even on a terminal")

    openapi = commands.add_parser("openapi", help="write the OpenAPI documents of the app")
    openapi.add_argument("--out", type=Path, default=Path("openapi"), help="directory to write into")

    commands.add_parser(
        "example-fixture",
        help="write the example fixture, a small office to copy and change, to stdout",
        epilog=FIXTURE_FILES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )

    arguments = parser.parse_args(argv)
    if arguments.command == "serve":
        return _serve(arguments)
    if arguments.command == "seed":
        return _seed(arguments)
    if arguments.command == "example-fixture":
        sys.stdout.write(EXAMPLE_FIXTURE.read_text(encoding="utf-8"))
        return 0
    return _write_openapi(arguments.out)


def _seed_arguments(command: argparse.ArgumentParser, target: str) -> None:
    command.add_argument(
        "--preset",
        choices=("small", "demo", "large"),
        help=f"workplace loaded into {target}: small and large are generated, demo is the demo fixture (below) "
        "[SANDBOX_PRESET, default demo]",
    )
    command.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="seed of the generated presets and of every seeded ULID [SANDBOX_SEED, default 0 for generated presets]",
    )
    command.add_argument(
        "--fixture",
        type=Path,
        help=f"a fixture file (its format: below) loaded into {target} instead of a preset [SANDBOX_FIXTURE]",
    )


def _settings(arguments: argparse.Namespace) -> Settings:
    """Flags win over SANDBOX_* variables, which win over defaults."""
    given = {name: value for name, value in vars(arguments).items() if name in Settings.model_fields and value is not None}
    return Settings(**given)


def _refused_settings(error: ValidationError, arguments: argparse.Namespace) -> str:
    """Each setting refused, named as the command takes it (its flag, if it has one, and its
    variable), with the value given and what is wrong with it."""
    lines = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else ""
        variable = f"SANDBOX_{name.upper()}"
        where = f"--{name.replace('_', '-')} ({variable})" if name in vars(arguments) else variable
        lines.append(f"workplace-sandbox: {where}: {problem['input']!r} is refused: {problem['msg']}")
    return "\n".join(lines)


def _serve(arguments: argparse.Namespace) -> int:
    # Where several workers serve, each imports the app itself: the supervisor needs only the store
    # (to open, and seed where new) and uvicorn, which spares it a second of every start.
    with _collector_paused():
        import uvicorn

        from sandbox.core.clock import Clock
        from sandbox.seeding import FixtureError
        from sandbox.serving import PortUnavailable, check_port, server_options
        from sandbox.startup import SeedMismatch, StoreUnavailable, open_store
        from sandbox.store.engine import StoreVersionMismatch, in_memory_url

    try:
        settings = _settings(arguments)
    except ValidationError as error:
        print(_refused_settings(error, arguments), file=sys.stderr)
        return 2
    if settings.workers > 1 and in_memory_url(settings.store_url()):
        print("workplace-sandbox: several workers need a store they can share: a data directory or PostgreSQL", file=sys.stderr)
        return 2
    # The store is opened (and seeded where new) here, before serving, rather than by the app as
    # it starts: the seeding shows its progress, a store that can't be opened ends the command
    # with its reason, and several workers find it seeded once.
    clock = Clock()
    try:
        check_port(settings)
        store = open_store(
            settings,
            clock,
            lambda: _progress_bar("seeding the store", enabled=True),
            seed_asked=bool(SEED_SETTINGS & settings.model_fields_set),
            reseed=arguments.reseed,
        )
    except (PortUnavailable, StoreUnavailable, FixtureError, StoreVersionMismatch, SeedMismatch) as error:
        print(f"workplace-sandbox: {error}", file=sys.stderr)
        return 2
    _announce(settings)
    if settings.workers == 1:
        with _collector_paused():
            from sandbox.app import create_app

        try:
            uvicorn.run(create_app(settings, store=store, clock=clock), **server_options(settings))
        finally:
            store.dispose()
        return 0
    store.dispose()
    # Each worker process builds its own app from the same settings, handed over as SANDBOX_*,
    # and opens the store, seeded by now, as that app starts.
    os.environ.update(_environment(settings))  # noqa: TID251 - writes the settings for the worker processes to read
    uvicorn.run("sandbox.app:create_app", factory=True, workers=settings.workers, **server_options(settings))
    return 0


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Import without the cyclic garbage collector, then exempt what was imported from later
    collections. The imports leave some 210,000 objects that live as long as the process, and
    hardly any garbage: collecting while importing took about 150 ms of every start, and each
    full collection afterwards would scan them all again (100 ms in which no request is served)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def _environment(settings: Settings) -> dict[str, str]:
    """`settings` as the SANDBOX_* variables that give them back (a list comma-separated)."""
    return {
        f"SANDBOX_{name.upper()}": ",".join(value) if isinstance(value, list) else str(value)
        for name, value in settings.model_dump().items()
        if value is not None
    }


def _seed(arguments: argparse.Namespace) -> int:
    """Replace the store's content with what the settings name, and say what was stored."""
    from sqlalchemy.engine import make_url

    from sandbox.core.clock import Clock
    from sandbox.seeding import FixtureError
    from sandbox.seeding.fixture import read_fixture
    from sandbox.startup import StoreUnavailable, check_data_dir, seed_store
    from sandbox.store.engine import Store

    try:
        settings = _settings(arguments)
    except ValidationError as error:
        print(_refused_settings(error, arguments), file=sys.stderr)
        return 2
    try:
        check_data_dir(settings)
    except StoreUnavailable as error:
        print(f"workplace-sandbox: {error}", file=sys.stderr)
        return 2
    started = time.monotonic()
    store = Store(settings.store_url(), pool=settings.database_pool, wait=settings.store_wait)
    try:
        if settings.fixture is not None:
            read_fixture(settings.fixture)
        store.wipe()
        with _progress_bar(f"seeding {settings.fixture or settings.preset}", enabled=not arguments.no_progress) as progress:
            name = seed_store(store, settings, Clock(), progress)
        where = make_url(settings.store_url()).render_as_string(hide_password=True)
        print(f"seeded {name} into {where}: {_contents(store)} in {time.monotonic() - started:.1f} s")
    except FixtureError as error:
        print(f"workplace-sandbox: {error}", file=sys.stderr)
        return 2
    finally:
        store.dispose()
    return 0


@contextmanager
def _progress_bar(description: str, *, enabled: bool) -> "Iterator[Progress]":
    """A progress bar on stderr, shown when stderr is a terminal (and `enabled`)."""
    from tqdm import tqdm

    disable = None if enabled else True
    with tqdm(desc=description, unit=" entries", file=sys.stderr, disable=disable, **_bar_shape()) as bar:

        def advance(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)
            if done >= total:
                bar.set_postfix_str("saving the seed snapshot")

        yield advance


def _bar_shape() -> dict[str, Any]:
    """Follow the terminal's width; a terminal that reports no size (a bare pseudo-terminal)
    gets a fixed one, which tqdm would otherwise take as no room for a bar at all."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (OSError, ValueError):
        return {"dynamic_ncols": True}
    if size.columns and size.lines:
        return {"dynamic_ncols": True}
    return {"ncols": 100, "nrows": 20}


def _contents(store: "Store") -> str:
    """What the store holds, counted: organizations to reservations."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from sandbox.store.models import (
        Building,
        Floor,
        Organization,
        Reservation,
        Resource,
        ResourceKind,
        User,
    )

    counted = (
        ("organization", select(func.count()).select_from(Organization)),
        ("building", select(func.count()).select_from(Building)),
        ("floor", select(func.count()).select_from(Floor)),
        ("space", select(func.count()).select_from(Resource).where(col(Resource.kind) == ResourceKind.SPACE)),
        ("desk", select(func.count()).select_from(Resource).where(col(Resource.kind) == ResourceKind.DESK)),
        ("user", select(func.count()).select_from(User)),
        ("reservation", select(func.count()).select_from(Reservation)),
    )
    with store.session() as session:
        counts = [(noun, session.connection().execute(query).scalar_one()) for noun, query in counted]
    return ", ".join(f"{count:,} {noun}{'' if count == 1 else 's'}" for noun, count in counts)


def _announce(settings: Settings) -> None:
    """The banner, printed; in the JSON log format, the log's first record, so that every line the
    server writes is one JSON object."""
    banner = _banner(settings.public_base_url(), settings)
    if settings.log_format != "json":
        print(banner, flush=True)
        return
    import logging
    import logging.config

    from sandbox.serving import log_config

    logging.config.dictConfig(log_config(settings))
    logging.getLogger("sandbox").info(banner)


def _banner(base: str, settings: Settings) -> str:
    lines = [
        f"workplace-sandbox {__version__}",
        f"  store:        {settings.store_url()}" + (f"   ({settings.workers} worker processes)" if settings.workers > 1 else ""),
        f"  Robin API:    {base}/v1.0",
        f"  Kadence API:  {base}/v1/public   (tokens: POST {base}/oauth2/token)",
        f"  health:       {base}/_sandbox/health   (ready: {base}/_sandbox/ready)",
        f"  control:      {base}/_sandbox   (reset, snapshots, clocks, faults, journal)",
        f"  dashboard:    {base}/_sandbox/ui",
        f"  host names:   {', '.join(settings.answered_hosts())}   (SANDBOX_ALLOWED_HOSTS; any other is answered 400)",
        f"  API docs:     {base}/docs",
        "  demo credentials (Robin):",
    ]
    lines += [f"    Authorization: Access-Token {token}   ({who})" for token, who in DEMO_TOKENS]
    lines += [
        "  demo credentials (Kadence, OAuth2 client credentials):",
        f"    client_id={DEMO_CLIENT[0]} client_secret={DEMO_CLIENT[1]}   ({DEMO_CLIENT[2]})",
    ]
    return "\n".join(lines)


def _write_openapi(out: Path) -> int:
    from sandbox.app import create_app
    from sandbox.openapi import documents

    out.mkdir(parents=True, exist_ok=True)
    for name, document in documents(create_app(Settings())).items():  # Never started: no store is opened.
        (out / f"{name}.json").write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        print(f"wrote {out / f'{name}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
