"""Shared fixtures: the seeded demo store, restored to its seed for each test; a controllable clock."""

import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from sandbox.app import create_app
from sandbox.control import snapshots
from sandbox.core.access import Actor
from sandbox.core.clock import Clock
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR, LOOPBACK_HOSTS, Settings
from sandbox.store.engine import Store
from sandbox.store.models import (
    AccessToken,
    ApiClient,
    Building,
    Floor,
    Organization,
    Resource,
    User,
)
from tests.inprocess import InProcessClient
from tests.postgres import empty_postgres_store, pool_for_served_sandboxes, unreachable

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
"""Monday 2 March 2026, 09:00 in New York: six days before the US changes to daylight time."""
ADMIN_TOKEN = "demo-robin-token"
MEMBER_TOKEN = "demo-robin-member-token"
OTHER_TOKEN = "other-organization-token"
DEMO_CLIENT = ("demo-client", "demo-secret")
OTHER_CLIENT = ("other-client", "other-secret")
TEST_HOST = "testserver"
"""The Host the in-process test client sends."""
CONTROL_HEADERS = {"X-Sandbox-Control": "1"}
"""What a harness sends to the control plane when a write has no JSON body (README, Control plane)."""


TEST_BASE = f"http://{TEST_HOST}"
"""The URL the in-process test client reaches the app at."""


def settings_for_tests(**fields: Any) -> Settings:
    """Settings of an app the tests build: the test client's Host answered beside the loopback
    names and its URL the public one, and no export worker (tests run its passes themselves)."""
    return Settings(**{"allowed_hosts": [*LOOPBACK_HOSTS, TEST_HOST], "public_url": TEST_BASE, "export_worker": False, **fields})


def harness_client(app: FastAPI) -> TestClient:
    """A test client that drives the control plane as a harness does, sending CONTROL_HEADERS."""
    return InProcessClient(app, headers=CONTROL_HEADERS)


class Wall:
    """Real time as the tests decide it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


DEMO_STORES: "weakref.WeakSet[Store]" = weakref.WeakSet()
"""The stores that hold the demo workplace as seeded at NOW. Its ULIDs are the seed's, the same in
every one of them, so a test may look one up once a run (`KadenceClient.seeded_id`)."""


def seed_demo(store: Store) -> None:
    """The demo workplace at NOW, and its `seed` snapshot."""
    load(store, read_fixture(FIXTURES_DIR / "demo.json"), Clock(Wall(NOW)), "demo.json")
    snapshots.save(store, snapshots.SEED)
    DEMO_STORES.add(store)


@pytest.fixture(scope="session")
def seeded_template() -> Iterator[sqlite3.Connection]:
    store = Store("sqlite://")
    store.prepare()
    seed_demo(store)
    template = sqlite3.connect(":memory:", check_same_thread=False)
    with store.engine.connect() as connection:
        connection.connection.driver_connection.backup(template)
    store.dispose()
    yield template
    template.close()


@pytest.fixture
def wall() -> Wall:
    return Wall(NOW)


@pytest.fixture
def shared_store(tmp_path: Path, request: pytest.FixtureRequest) -> Store:
    """A demo store other connections may share: on SQLite a file, copied from the seeded
    template; on PostgreSQL, where every store is one other connections can open, the test's demo
    store, as `store` gives it."""
    if BACKEND == "postgresql":
        return _demo_store(request)
    template: sqlite3.Connection = request.getfixturevalue("seeded_template")
    with closing(sqlite3.connect(tmp_path / "sandbox.db")) as copy:
        template.backup(copy)
    store = new_store(tmp_path)
    DEMO_STORES.add(store)
    return store


@pytest.fixture
def served(shared_store: Store, wall: Wall) -> FastAPI:
    """The sandbox on the shared store, without its lifespan: no journal flusher writes to the
    store behind the tests' back, so its version moves only when a test writes."""
    return create_app(settings_for_tests(), store=shared_store, clock=Clock(wall))


BACKEND = os.environ.get("SANDBOX_TEST_BACKEND", "sqlite")
"""The backend the suite runs on (`make test` runs it on each). `postgresql`: every test's demo
store is one seeded PostgreSQL schema, restored to its seed before each test, and every other
store a schema of its own; the tests skip, saying why, where no server answers."""

if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"SANDBOX_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")


def pytest_configure(config: pytest.Config) -> None:
    """On PostgreSQL, the sandboxes this test process serves (in-process or as `serve`
    subprocesses, which inherit the environment) hold no more connections than its share of the
    server's (`pool_for_served_sandboxes`). Not set by pytest-xdist's controller, which runs no
    test, so that its workers, which inherit its environment, each set their own."""
    controller = bool(getattr(config.option, "numprocesses", None)) and "PYTEST_XDIST_WORKER" not in os.environ
    if BACKEND == "postgresql" and not controller and "SANDBOX_DATABASE_POOL" not in os.environ and unreachable() is None:
        os.environ["SANDBOX_DATABASE_POOL"] = str(pool_for_served_sandboxes())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test written for one backend (`@pytest.mark.backend("postgresql")`) runs in that
    backend's pass of the suite only, and a test of a wire shape (`@pytest.mark.wire`) in the
    SQLite pass only; the slow tests (`@pytest.mark.slow`) run first. The PostgreSQL pass stops
    before its first test, saying why, where no server answers."""
    chosen, other = [], []
    for item in items:
        marker = item.get_closest_marker("backend")
        runs_here = marker is None or marker.args[0] == BACKEND
        if BACKEND == "postgresql" and item.get_closest_marker("wire") is not None:
            runs_here = False
        (chosen if runs_here else other).append(item)
    if other:
        config.hook.pytest_deselected(items=other)
    # The slow tests first, the longest of them (the soak, a minute) before all: spread over the
    # workers from the start, they run beside the quick ones rather than after them, and each
    # worker ends on quick tests. A minute-long test handed out late would run on alone at the end.
    items[:] = sorted(chosen, key=_started_first)
    if BACKEND == "postgresql":
        reason = unreachable()
        if reason is not None:
            pytest.exit(f"the PostgreSQL pass is skipped: {reason}", returncode=0)


def _started_first(item: pytest.Item) -> tuple[bool, float]:
    """The order tests are handed to the workers in: slow before quick, and among the slow the
    ones that say how long they take (`@pytest.mark.slow(seconds=60)`) longest first."""
    slow = item.get_closest_marker("slow")
    return slow is None, -float(slow.kwargs.get("seconds", 0)) if slow else 0.0


_made: list[ExitStack] = []


def new_store(directory: Path | None = None) -> Store:
    """A prepared, empty store on the backend under test, gone after the test that made it (or
    after the session, when a wider fixture made it): in memory or, given a directory, a file
    there that other connections share on SQLite; a schema of its own on PostgreSQL."""
    stack = ExitStack()
    if BACKEND == "postgresql":
        store = stack.enter_context(empty_postgres_store())
    else:
        store = Store(f"sqlite:///{directory / 'sandbox.db'}" if directory else "sqlite://")
        stack.callback(store.dispose)
        store.prepare()
    _made.append(stack)
    return store


@pytest.fixture(autouse=True)
def _drop_new_stores() -> Iterator[None]:
    made_before = len(_made)
    yield
    while len(_made) > made_before:
        _made.pop().close()


def pytest_sessionfinish() -> None:
    while _made:
        _made.pop().close()


@pytest.fixture(scope="session")
def demo_seeded(request: pytest.FixtureRequest) -> Iterator[Store]:
    """The demo store the tests of a worker share, restored to its seed before each: in memory on
    SQLite, a schema of its own on PostgreSQL. One store for the session keeps its engine, whose
    compiled statements every test then reuses; compiling them again for each test's new store
    was most of a quick test's time."""
    if BACKEND == "postgresql":
        journal = request.getfixturevalue("shared_app").state.journal
        with empty_postgres_store() as store:
            seed_demo(store)
            yield store
            # The test client's flusher may outlast this store (a session-wide client is set up
            # before it, so ends after it): what it has not written would go to a store disposed
            # of, on connections nobody closes.
            journal.discard()
        return
    # On SQLite, a copy of the seeded template: the demo is seeded once a worker.
    template: sqlite3.Connection = request.getfixturevalue("seeded_template")
    store = Store("sqlite://")
    with store.engine.connect() as connection:
        template.backup(connection.connection.driver_connection)
    DEMO_STORES.add(store)
    yield store
    store.dispose()


@pytest.fixture
def store(request: pytest.FixtureRequest) -> Store:
    return _demo_store(request)


_DEMO_STORE = pytest.StashKey[Store]()


def _demo_store(request: pytest.FixtureRequest) -> Store:
    """The test's demo store, the same however often asked for: the worker's, restored to its
    seed, or, for a test marked `damages_store`, a seeded store of its own."""
    if _DEMO_STORE in request.node.stash:
        return request.node.stash[_DEMO_STORE]
    # What the last test served through the shared app and its journal flusher has not written
    # is dropped (a write under way finishes first).
    shared_app: FastAPI = request.getfixturevalue("shared_app")
    shared_app.state.journal.discard()
    if request.node.get_closest_marker("damages_store"):
        store = new_store()
        # Before the store is dropped (`_drop_new_stores`): else the journal flusher writes what it
        # has not written yet to the store disposed of, on connections nobody closes.
        request.addfinalizer(shared_app.state.journal.discard)
        seed_demo(store)
    else:
        store = request.getfixturevalue("demo_seeded")
        others = [snapshot.name for snapshot in snapshots.listed(store) if snapshot.name != snapshots.SEED]
        if others:
            # A snapshot tenants were copied from can't be deleted while they exist; the seed
            # holds none.
            snapshots.restore(store, snapshots.SEED)
        for name in others:
            snapshots.delete(store, name)
        # The seed is now the newest snapshot: restoring it empties the change log too.
        snapshots.restore(store, snapshots.SEED)
        # A restore leaves the control plane's own tables as they are: the journal's entries
        # and the fault rules go here.
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM fault_rule")
            connection.exec_driver_sql("DELETE FROM journal_entry")
    request.node.stash[_DEMO_STORE] = store
    return store


@pytest.fixture(scope="session")
def shared_app() -> Iterator[FastAPI]:
    """Built once: each test points it at its own store and clock."""
    placeholder = Store("sqlite://")
    # Tests run the export worker's passes themselves: in-memory stores share one connection.
    yield create_app(settings_for_tests(), store=placeholder, clock=Clock())
    placeholder.dispose()


@pytest.fixture
def app(shared_app: FastAPI, store: Store, wall: Wall) -> FastAPI:
    shared_app.state.store = store
    shared_app.state.clock = Clock(wall)
    return shared_app


@pytest.fixture(scope="session")
def shared_client(shared_app: FastAPI) -> Iterator[TestClient]:
    with harness_client(shared_app) as client:
        yield client


@pytest.fixture
def client(app: FastAPI, shared_client: TestClient) -> TestClient:
    return shared_client


class DialectClient:
    """Calls one API's paths (under `prefix`) with its credentials in `headers`."""

    prefix = ""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, f"{self.prefix}{path}", headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Any:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)


class RobinClient(DialectClient):
    """Calls /v1.0 with one access token."""

    prefix = "/v1.0"

    def __init__(self, client: TestClient, token: str | None) -> None:
        super().__init__(client)
        self.headers = {"Authorization": f"Access-Token {token}"} if token else {}


@pytest.fixture
def robin(client: TestClient) -> RobinClient:
    """The demo administrator."""
    return RobinClient(client, ADMIN_TOKEN)


@pytest.fixture
def member(client: TestClient) -> RobinClient:
    """A plain member of the demo organization."""
    return RobinClient(client, MEMBER_TOKEN)


@pytest.fixture
def anonymous(client: TestClient) -> RobinClient:
    return RobinClient(client, None)


_SEEDED_IDS: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = {}
"""The demo's ids found so far (KadenceClient.seeded_id)."""


class KadenceClient(DialectClient):
    """Calls /v1/public with a bearer token of one API client (None: no Authorization header)."""

    prefix = "/v1/public"

    def __init__(self, client: TestClient, credentials: tuple[str, str] | None) -> None:
        super().__init__(client)
        if credentials is not None:
            response = client.post(
                "/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": credentials[0],
                    "client_secret": credentials[1],
                    "scope": "public",
                },
            )
            assert response.status_code == 200, response.text
            self.token = response.json()["access_token"]
            self.headers = {"Authorization": f"Bearer {self.token}"}

    def members(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every hydra:member of a collection (one page of up to 500)."""
        response = self.get(path, params={"itemsPerPage": 500, **params})
        assert response.status_code == 200, response.text
        return response.json()["hydra:member"]  # type: ignore[no-any-return]  # decoded JSON

    def find(self, path: str, **match: Any) -> dict[str, Any]:
        """The one member of a collection whose fields equal `match`, e.g. find("/users", email=...)."""
        found = [item for item in self.members(path) if all(item.get(key) == value for key, value in match.items())]
        assert len(found) == 1, f"{len(found)} members of {path} match {match}"
        return found[0]

    def seeded_id(self, path: str, **match: Any) -> str:
        """The id of the one member of a collection whose fields equal `match`. Where the app
        serves a demo store (DEMO_STORES), an id found once is taken again for the rest of the
        run: every demo store has the seed's ids. Elsewhere it is looked up each time."""
        store = getattr(getattr(getattr(self.client, "app", None), "state", None), "store", None)
        if store is None or store not in DEMO_STORES:
            return str(self.find(path, **match)["id"])
        key = (path, tuple(sorted(match.items())))
        if key not in _SEEDED_IDS:
            _SEEDED_IDS[key] = str(self.find(path, **match)["id"])
        return _SEEDED_IDS[key]


@pytest.fixture
def kadence(client: TestClient) -> KadenceClient:
    """The demo API client (acting for the demo administrator) with a fresh token."""
    return KadenceClient(client, DEMO_CLIENT)


@pytest.fixture
def other_organization(store: Store) -> dict[str, int]:
    """A second organization with one building, floor, space and administrator."""
    with store.session(write=True) as session:
        organization = Organization(slug="elsewhere", name="Elsewhere Inc", created_at=NOW, updated_at=NOW)
        session.add(organization)
        session.flush()
        user = User(
            organization_id=organization.id,
            email="admin@elsewhere.example",
            name="Other Admin",
            slug="other-admin",
            role="admin",
            created_at=NOW,
            updated_at=NOW,
        )
        building = Building(
            organization_id=organization.id, name="Elsewhere Tower", time_zone="Europe/London", created_at=NOW, updated_at=NOW
        )
        session.add_all([user, building])
        session.flush()
        floor = Floor(organization_id=organization.id, building_id=building.id, name="Ground", created_at=NOW, updated_at=NOW)
        session.add(floor)
        session.flush()
        space = Resource(
            organization_id=organization.id,
            building_id=building.id,
            floor_id=floor.id,
            name="Thames",
            type="meeting",
            capacity=6,
            created_at=NOW,
            updated_at=NOW,
        )
        session.add(space)
        session.add(AccessToken(token=OTHER_TOKEN, user_id=user.id, organization_id=organization.id, created_at=NOW))
        session.add(
            ApiClient(
                client_id=OTHER_CLIENT[0],
                client_secret=OTHER_CLIENT[1],
                organization_id=organization.id,
                user_id=user.id,
                created_at=NOW,
            )
        )
        session.commit()
        return {
            "organization": organization.id,
            "user": user.id,
            "location": building.id,
            "level": floor.id,
            "space": space.id,
        }


@pytest.fixture
def session(store: Store) -> Iterator[Session]:
    with store.session(write=True) as session:
        yield session


def actor_for(session: Session, email: str, now: datetime = NOW) -> Actor:
    from sqlmodel import select

    user = session.exec(select(User).where(User.email == email)).one()
    organization = session.get(Organization, user.organization_id)
    assert organization is not None
    return Actor(user=user, organization=organization, now=now)


@pytest.fixture
def admin_actor(session: Session) -> Actor:
    return actor_for(session, "ada.okafor@meridian.example")


@pytest.fixture
def member_actor(session: Session) -> Actor:
    return actor_for(session, "ben.carter@meridian.example")
