"""Starting the app: the store is opened (created and seeded where new) as the app starts, never as
it is built; what a start costs: what it loads, and the garbage collector it leaves behind."""

import gc
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from sandbox.__main__ import _collector_paused
from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.settings import Settings
from sandbox.startup import StoreNotOpen
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, NOW, Wall, harness_client, settings_for_tests
from tests.inprocess import InProcessClient

ADMIN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}


@pytest.mark.backend("sqlite")
def test_building_the_app_opens_no_store_until_it_starts(tmp_path: Path) -> None:
    data_dir = tmp_path / "not-yet"
    app = create_app(settings_for_tests(data_dir=data_dir, database_url=None, preset="demo"))

    assert not data_dir.exists()
    with InProcessClient(app) as client:
        assert (data_dir / "sandbox.db").is_file()
        ready = client.get("/_sandbox/ready")
        me = client.get("/v1.0/me", headers=ADMIN)

    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "seeded": "demo.json"}
    assert me.status_code == 200
    assert me.json()["data"]["name"] == "Ada Okafor"


@pytest.mark.backend("sqlite")
def test_the_store_is_refused_clearly_before_the_app_starts_and_after_it_stops(tmp_path: Path) -> None:
    data_dir = tmp_path / "not-yet"
    app = create_app(settings_for_tests(data_dir=data_dir, database_url=None))

    with pytest.raises(StoreNotOpen, match="opened as the app starts"):
        app.state.store.session()
    with pytest.raises(StoreNotOpen):
        InProcessClient(app).get("/_sandbox/health")  # Not entered: the app never started.
    assert not data_dir.exists()
    with InProcessClient(app) as client:
        assert client.get("/_sandbox/health").status_code == 200
    with pytest.raises(StoreNotOpen):
        app.state.store.version()


@pytest.mark.backend("sqlite")
def test_an_app_started_again_finds_its_store_as_it_left_it(tmp_path: Path) -> None:
    app = create_app(settings_for_tests(data_dir=tmp_path, database_url=None))

    with harness_client(app) as client:
        assert client.post("/_sandbox/snapshots", json={"name": "kept"}).status_code == 201
    with harness_client(app) as client:
        snapshots = client.get("/_sandbox/snapshots")

    assert snapshots.status_code == 200
    assert [snapshot["name"] for snapshot in snapshots.json()] == ["seed", "kept"]


def test_a_store_that_cannot_be_opened_fails_the_start_not_the_build() -> None:
    app = create_app(settings_for_tests(database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere"))

    with pytest.raises(OperationalError), InProcessClient(app):
        pass


def test_a_store_given_to_the_app_stays_its_callers(shared_store: Store) -> None:
    app = create_app(settings_for_tests(), store=shared_store, clock=Clock(Wall(NOW)))

    assert app.state.store is shared_store
    with InProcessClient(app) as client:
        assert client.get("/v1.0/me", headers=ADMIN).status_code == 200

    assert app.state.store is shared_store
    assert shared_store.is_ready()


@pytest.mark.backend("sqlite")
@pytest.mark.slow
def test_seeding_the_demo_into_a_new_store_loads_no_generator(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from sandbox.core.clock import Clock\n"
        "from sandbox.settings import Settings\n"
        "from sandbox.startup import open_store\n"
        f"open_store(Settings(data_dir={str(tmp_path)!r}, preset='demo'), Clock()).dispose()\n"
        "print([name for name in ('faker', 'sandbox.seeding.generator') if name in sys.modules])\n"
    )

    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)

    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def _import_a_missing_module_with_the_collector_paused() -> None:
    with _collector_paused():
        assert not gc.isenabled()
        import sandbox.no_such_module  # noqa: F401 - imported only to fail


@pytest.mark.backend("sqlite")
@pytest.mark.slow
def test_the_collector_is_back_on_after_the_imports_even_when_one_fails() -> None:
    try:
        with pytest.raises(ImportError):
            _import_a_missing_module_with_the_collector_paused()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def run_cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it; one that starts serving instead of refusing times out."""
    return subprocess.run(
        [sys.executable, "-m", "sandbox", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def refusal(run: subprocess.CompletedProcess[str]) -> str:
    """What a refused command said: one message on stderr, nothing printed before it, exit 2."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    return run.stderr


@pytest.mark.backend("sqlite")
@pytest.mark.slow
@pytest.mark.parametrize(
    ("arguments", "env", "said"),
    [
        (
            ["--port", "99999"],
            {},
            "workplace-sandbox: --port (SANDBOX_PORT): 99999 is refused: Input should be less than or equal to 65535",
        ),
        (
            [],
            {"SANDBOX_PORT": "0"},
            "workplace-sandbox: --port (SANDBOX_PORT): '0' is refused: Input should be greater than or equal to 1",
        ),
        (
            ["--log-level", "loud"],
            {},
            (
                "workplace-sandbox: --log-level (SANDBOX_LOG_LEVEL): 'loud' is refused: "
                "Input should be 'critical', 'error', 'warning', 'info', 'debug' or 'trace'"
            ),
        ),
        (
            ["--store-wait", "0"],
            {},
            "workplace-sandbox: --store-wait (SANDBOX_STORE_WAIT): 0.0 is refused: Input should be greater than 0",
        ),
    ],
    ids=["port above 65535", "port 0", "unknown log level", "no wait for a busy store"],
)
def test_a_setting_out_of_its_range_is_refused_naming_it_and_what_it_may_be(
    tmp_path: Path, arguments: list[str], env: dict[str, str], said: str
) -> None:
    run = run_cli("serve", "--data-dir", str(tmp_path), *arguments, env=env)

    assert refusal(run).strip() == said
    assert not (tmp_path / "sandbox.db").exists()


def test_a_log_level_in_capitals_is_the_same_level() -> None:
    assert Settings(log_level="WARNING").log_level == "warning"  # type: ignore[arg-type]  # as the environment may give it


@pytest.mark.backend("sqlite")
@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_is_refused_before_the_banner_saying_how_to_choose_another(tmp_path: Path, workers: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = run_cli("serve", "--port", str(port), "--workers", workers, "--data-dir", str(tmp_path))

    said = refusal(run)
    assert said.startswith(f"workplace-sandbox: can't listen on 127.0.0.1:{port}: another process listens there")
    assert "--port 8011, or SANDBOX_PORT=8011 (`SANDBOX_PORT=8011 make serve`)" in said
    assert not (tmp_path / "sandbox.db").exists()  # Refused before the store was seeded.


@pytest.mark.backend("sqlite")
@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a directory whatever its permissions")
@pytest.mark.parametrize("command", ["serve", "seed"])
def test_a_data_dir_this_user_cannot_write_is_named_with_what_to_do(tmp_path: Path, command: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        run = run_cli(command, "--data-dir", str(locked))
    finally:
        locked.chmod(0o700)

    said = refusal(run)
    assert said.startswith(f"workplace-sandbox: the data directory {locked} can't hold the store: {locked}: Permission denied: ")
    assert f"give this user (uid {os.getuid()}) write access to it (chown or chmod" in said
    assert "--data-dir (SANDBOX_DATA_DIR)" in said


@pytest.mark.backend("sqlite")
@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "seed"])
def test_a_data_dir_under_a_regular_file_is_named_with_what_to_do(tmp_path: Path, command: str) -> None:
    """A file in the way fails for root too, which the permissions of a directory don't."""
    (tmp_path / "a-file").write_text("not a directory", encoding="utf-8")
    data_dir = tmp_path / "a-file" / "data"

    run = run_cli(command, "--data-dir", str(data_dir))

    assert refusal(run).strip() == (
        f"workplace-sandbox: the data directory {data_dir} can't hold the store: {data_dir}: Not a directory: "
        "point --data-dir (SANDBOX_DATA_DIR) at a directory this user can write"
    )


@pytest.mark.backend("postgresql")
def test_a_store_that_fails_to_seed_leaves_no_connection_open(tmp_path: Path) -> None:
    """A start refused while seeding (here a fixture naming a building that doesn't exist) gives
    back the store's connections: left to the garbage collector, each open connection to
    PostgreSQL is a ResourceWarning in whatever runs next."""
    from sandbox.core.clock import Clock as StoreClock
    from sandbox.seeding import FixtureError
    from sandbox.startup import open_store
    from sandbox.testing.schemas import schema_of_its_own
    from tests.postgres import SERVER, unreachable

    reason = unreachable()
    if reason is not None:
        pytest.skip(reason)
    fixture = tmp_path / "broken.json"
    fixture.write_text('{"organization": {"name": "Broken"}, "buildings": [{"name": "B", "floors": "none"}]}')
    with schema_of_its_own(SERVER, "sandbox") as url:
        settings = Settings(database_url=url, fixture=fixture, data_dir=tmp_path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(FixtureError):
                open_store(settings, StoreClock())
            gc.collect()

    assert [str(warning.message) for warning in caught if issubclass(warning.category, ResourceWarning)] == []
