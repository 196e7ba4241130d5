"""Starting the app: the store is opened (created and seeded where new) as the app starts, never as
it is built; what a start costs: what it loads, and the garbage collector it leaves behind."""

import gc
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from sandbox.__main__ import _collector_paused
from sandbox.app import create_app
from sandbox.core.clock import Clock
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
