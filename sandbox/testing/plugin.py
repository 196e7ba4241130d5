"""The pytest plugin: a sandbox per test session, back in its clean state for every test.

Loaded into every pytest run where workplace-sandbox is installed, so it starts nothing and
imports nothing heavy until a test asks for one of its fixtures.

- `sandbox_server` (session): the sandbox at SANDBOX_URL (or `--sandbox-url`), once it is
  ready, reset to its seed; otherwise a new one served from this process on a free port with a
  temporary store. The state the session starts from is kept as the `pytest-clean` snapshot.

A server given by SANDBOX_URL is reset to its seed as the session begins: whatever an earlier
session, a person trying things or another program left on it must not become the clean state
every test returns to. `--sandbox-keep-state` (ini `sandbox_keep_state`) keeps its state
instead, for a server set up by hand before the tests: the first such session's starting state
becomes `pytest-clean`, and later ones return to it. The report's header says which was done.
- `sandbox` (function): a handle on the same server, after restoring that snapshot, clearing
  fault rules and emptying the journal; its journal mark is taken then, so that
  `sandbox.journal.assert_requested(...)` counts the test's own requests.

Restoring happens before each test, not after: a failing test leaves what it did on the server
to look at (with the journal, the dashboard or a debugger) until the next test starts.

Isolation (`--sandbox-isolation`, ini `sandbox_isolation`):

- `store` (the default in one process): every test restores the whole server, as above.
- `tenant` (the default under pytest-xdist with SANDBOX_URL): each test process (each xdist
  worker) gets an organization of its own on one server, copied from the seed's
  (`POST /_sandbox/organizations`), and each test resets only that organization, clears only its
  fault rules and counts only its requests in the journal. Parallel workers share one server
  without seeing each other: in-process, the server is started once, by xdist's controller, and
  every worker uses it. The organization is dropped as the session ends.
- `test`: as `tenant`, but each test gets a new organization, dropped after it.
"""

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from sandbox.testing.control import Sandbox
    from sandbox.testing.server import Stop

PRESETS = ("small", "demo", "large")
ISOLATIONS = ("store", "tenant", "test")
_URL_KEY = "workplace_sandbox_url"
"""What xdist's controller hands its workers: the URL of the one server they share."""
DEFAULT_TIMEOUT = 60.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workplace-sandbox", "workplace-sandbox (the sandbox and sandbox_server fixtures)")
    group.addoption(
        "--sandbox-url",
        metavar="URL",
        help="test against the running sandbox at URL instead of starting one [env: SANDBOX_URL]",
    )
    group.addoption(
        "--sandbox-preset",
        choices=PRESETS,
        help="workplace a started sandbox is seeded with [ini: sandbox_preset, default demo]",
    )
    group.addoption(
        "--sandbox-seed",
        type=int,
        metavar="N",
        help="seed of a started sandbox's generated data [ini: sandbox_seed]",
    )
    group.addoption(
        "--sandbox-timeout",
        type=float,
        metavar="SECONDS",
        help=f"how long to wait for the sandbox to be ready [ini: sandbox_timeout, default {DEFAULT_TIMEOUT:g}]",
    )
    group.addoption(
        "--sandbox-keep-state",
        action="store_true",
        default=None,
        help="test from the state the server at SANDBOX_URL holds (the first session's) rather than reset it to its seed "
        "[ini: sandbox_keep_state]",
    )
    group.addoption(
        "--sandbox-isolation",
        choices=ISOLATIONS,
        help="what each test gets: store (the whole server restored), tenant (an organization of this process's own, "
        "reset) or test (a new organization) [ini: sandbox_isolation; default store, tenant under xdist with SANDBOX_URL]",
    )
    parser.addini("sandbox_isolation", "store, tenant or test: what each test gets of the server")
    parser.addini("sandbox_keep_state", "test from the state the server at SANDBOX_URL holds, not its seed", type="bool")
    parser.addini("sandbox_preset", "workplace a started sandbox is seeded with: small, demo or large")
    parser.addini("sandbox_seed", "seed of a started sandbox's generated data")
    parser.addini("sandbox_timeout", "seconds to wait for the sandbox to be ready")


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Say what the session does to a server it is given, before it does it."""
    import os

    url = config.getoption("sandbox_url") or os.environ.get("SANDBOX_URL")  # noqa: TID251 - the plugin's switch, not the server's
    if _isolation(config) != "store":
        where = url or "a server started for this run"
        each = "test, dropped after it" if _isolation(config) == "test" else "test process, reset before each test"
        return [f"workplace-sandbox: {where}: an organization of its own for each {each}"]
    if not url:
        return []
    if _keeps_state(config):
        return [
            (
                f"workplace-sandbox: {url}: its state is kept: tests return to its snapshot pytest-clean, taken by the first "
                "session that kept it (delete the snapshot to take a new one)"
            )
        ]
    return [
        (
            f"workplace-sandbox: {url}: reset to its seed (POST /_sandbox/reset) before the first test that uses it, "
            "whatever was booked on it since is gone; --sandbox-keep-state keeps its state"
        )
    ]


@pytest.fixture(scope="session")
def sandbox_server(request: pytest.FixtureRequest) -> Iterator["Sandbox"]:
    """The sandbox of this session, ready, its clean state saved; not restored between tests
    (ask for `sandbox` for that). For session-scoped fixtures that need its URLs."""
    from sandbox.testing.control import CLEAN_SNAPSHOT, Sandbox, SandboxError
    from sandbox.testing.server import start_in_process, wait_until_ready

    config = request.config
    if _isolation(config) != "store":
        yield from _shared_server(request)
        return
    url = _given_url(config)
    stop = None
    try:
        timeout = _timeout(config)
        if url:
            if hasattr(config, "workerinput"):
                pytest.fail(
                    "--sandbox-isolation=store restores the whole server for every test, so SANDBOX_URL serves one test "
                    "process at a time: run without pytest-xdist's -n, or with --sandbox-isolation=tenant (an organization "
                    "for each worker), or unset SANDBOX_URL to give each worker a sandbox of its own",
                    pytrace=False,
                )
            wait_until_ready(url, timeout=timeout)
            server = Sandbox(url, in_process=False)
            if not _keeps_state(config):
                server.reset()
                server.save_snapshot(CLEAN_SNAPSHOT)
        else:
            data_dir = request.getfixturevalue("tmp_path_factory").mktemp("workplace-sandbox")
            url, stop = start_in_process(data_dir, timeout=timeout, **_seed_settings(config))
            server = Sandbox(url, in_process=True)
        server.clear_faults()
        server.find_demo_organization()
        _keep_clean_state(server, CLEAN_SNAPSHOT)
    except (SandboxError, ValueError) as error:  # ValueError: a setting that does not parse
        if stop is not None:
            stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        if stop is not None:
            stop()


def _shared_server(request: pytest.FixtureRequest) -> Iterator["Sandbox"]:
    """The server this session shares with others: given, started by xdist's controller, or
    started here; with tenant isolation, as an organization of this session's own, dropped as
    the session ends."""
    import contextlib

    from sandbox.testing.control import Sandbox, SandboxError
    from sandbox.testing.server import start_in_process, wait_until_ready

    config = request.config
    url = _given_url(config)
    started_here = getattr(config, "workerinput", {}).get(_URL_KEY) is not None
    stop = None
    try:
        timeout = _timeout(config)
        if not url:
            data_dir = request.getfixturevalue("tmp_path_factory").mktemp("workplace-sandbox")
            url, stop = start_in_process(data_dir, timeout=timeout, **_seed_settings(config))
        wait_until_ready(url, timeout=timeout)
        server = Sandbox(url, in_process=stop is not None or started_here)
        if _isolation(config) == "tenant":
            server = server.new_tenant(slug=_tenant_slug(config))
    except (SandboxError, ValueError) as error:
        if stop is not None:
            stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        if server.tenant:
            # A server that went first (a whole-store reset, or it stopped) left nothing to drop.
            with contextlib.suppress(SandboxError):
                server.drop()
        if stop is not None:
            stop()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, sandbox_server: "Sandbox") -> Iterator["Sandbox"]:
    """The sandbox as the session found it: workplace and clocks restored, no fault rules, an
    empty journal (with tenant isolation: the test process's organization reset, its fault rules
    cleared, the journal counted from the test's start; with test isolation, a new organization,
    dropped after the test). The restore runs before the test, so a failure's state stays to
    inspect; its answer (or the reset's) marks the journal: one call before each test. Each test
    gets a handle of its own, so one that changes, say, `robin_token` changes it for itself only."""
    import copy

    from sandbox.testing.control import TEST_BEGAN, SandboxError

    made = None
    try:
        if _isolation(request.config) == "test":
            handle = made = sandbox_server.new_tenant()
            handle.journal.mark(TEST_BEGAN)
        else:
            handle = copy.copy(sandbox_server)
            handle.restore_clean(mark=TEST_BEGAN)
    except SandboxError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield handle
    finally:
        if made is not None:
            made.drop()


def _keep_clean_state(server: "Sandbox", name: str) -> None:
    """Save the state the session starts from, unless an earlier session against the same
    server saved it already: tests restore before they run, not after, so a server that
    outlives a session holds the last test's leftovers, which must not become the next
    session's clean state. A server started here is always new."""
    if name not in [snapshot["name"] for snapshot in server.control("GET", "snapshots")]:
        server.save_snapshot(name)


def _given_url(config: pytest.Config) -> str | None:
    """The server to test against: --sandbox-url, SANDBOX_URL, or the one xdist's controller
    started for its workers."""
    import os

    workerinput = getattr(config, "workerinput", {})
    return (
        config.getoption("sandbox_url")
        or os.environ.get("SANDBOX_URL")  # noqa: TID251 - the plugin's switch, not the server's
        or workerinput.get(_URL_KEY)
    )


def _isolation(config: pytest.Config) -> str:
    given = config.getoption("sandbox_isolation") or config.getini("sandbox_isolation")
    if given:
        if given not in ISOLATIONS:
            raise pytest.UsageError(f"sandbox_isolation must be one of {', '.join(ISOLATIONS)}, not {given!r}")
        return str(given)
    import os

    parallel = hasattr(config, "workerinput") or _xdist_workers(config) > 0
    url = config.getoption("sandbox_url") or os.environ.get("SANDBOX_URL")  # noqa: TID251 - the plugin's switch, not the server's
    return "tenant" if parallel and url else "store"


def _xdist_workers(config: pytest.Config) -> int:
    """How many workers xdist's controller starts (0 without xdist, or with -n 0)."""
    count = getattr(config.option, "numprocesses", None)
    return int(count) if isinstance(count, int) else 0


def _tenant_slug(config: pytest.Config) -> str | None:
    """A tenant's slug names the xdist worker it serves, so that the dashboard and the journal
    tell the workers apart; None (a code of its own) outside xdist."""
    worker = getattr(config, "workerinput", {}).get("workerid")
    if worker is None:
        return None
    import secrets

    return f"pytest-{worker}-{secrets.token_hex(3)}"


_controller_stops: list[tuple["Stop", "Path"]] = []
"""The server xdist's controller started for its workers, and its data directory."""


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """xdist's controller, as it starts each worker: with tenant or test isolation and no server
    given, one server, started here once, for every worker to share."""
    config: pytest.Config = node.config  # type: ignore[attr-defined]
    if _isolation(config) == "store" or _given_url(config):
        return
    url = getattr(config, "_workplace_sandbox_url", None)
    if url is None:
        import tempfile
        from pathlib import Path

        from sandbox.testing.server import start_in_process

        data_dir = Path(tempfile.mkdtemp(prefix="workplace-sandbox-"))
        url, stop = start_in_process(data_dir, timeout=_timeout(config), **_seed_settings(config))
        config._workplace_sandbox_url = url  # type: ignore[attr-defined]
        _controller_stops.append((stop, data_dir))
    node.workerinput[_URL_KEY] = url  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    while _controller_stops:
        stop, data_dir = _controller_stops.pop()
        stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def _keeps_state(config: pytest.Config) -> bool:
    given = config.getoption("sandbox_keep_state")
    return bool(config.getini("sandbox_keep_state") if given is None else given)


def _timeout(config: pytest.Config) -> float:
    given = config.getoption("sandbox_timeout") or config.getini("sandbox_timeout")
    try:
        return float(given) if given else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"sandbox_timeout must be a number of seconds, not {given!r}") from None


def _seed_settings(config: pytest.Config) -> dict[str, object]:
    """Preset and seed from the command line, else the ini file; left out when neither gives
    one, so that SANDBOX_PRESET and SANDBOX_SEED apply as they do to `serve`."""
    settings: dict[str, object] = {}
    preset = config.getoption("sandbox_preset") or config.getini("sandbox_preset")
    if preset:
        if preset not in PRESETS:
            raise ValueError(f"sandbox_preset must be one of {', '.join(PRESETS)}, not {preset!r}")
        settings["preset"] = preset
    seed = config.getoption("sandbox_seed")
    if seed is None and config.getini("sandbox_seed"):
        try:
            seed = int(config.getini("sandbox_seed"))
        except ValueError:
            raise ValueError(f"sandbox_seed must be an integer, not {config.getini('sandbox_seed')!r}") from None
    if seed is not None:
        settings["seed"] = seed
    return settings
