"""What the sandbox keeps between requests while the store is unchanged: credentials, fault
rules, and the answers of reads that depend on the store alone. Everything kept must give way
to a write from anywhere, another process included (here: another store object on the same
database), and to a token's expiry."""

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import httpx2 as httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, update
from sqlmodel import select

from sandbox.app import create_app
from sandbox.core import access, workplace
from sandbox.core.clock import Clock
from sandbox.robin import deps as robin_deps
from sandbox.store.cache import VersionedCache
from sandbox.store.engine import Store
from sandbox.store.models import (
    CREDENTIALS,
    FAULTS,
    AccessToken,
    FaultRule,
    Organization,
    Resource,
    User,
)
from tests.conftest import (
    ADMIN_TOKEN,
    DEMO_CLIENT,
    NOW,
    KadenceClient,
    RobinClient,
    Wall,
    harness_client,
    new_store,
    seed_demo,
    settings_for_tests,
)
from tests.inprocess import InProcessClient

T = TypeVar("T")
SPACE = 48
ADMIN_EMAIL = "ada.okafor@meridian.example"
"""Whose the demo Robin token is."""


QUIET_TRIES = 50


def while_quiet(store: Store, action: Callable[[], T]) -> T:
    """What `action` gives, once it ran while nothing committed. On PostgreSQL the whole store's
    version is the server's snapshot, which a commit anywhere on the server moves, of any schema
    (the suite's other workers commit all the time): what a process keeps then gives way, which
    costs a read again and never a stale answer. A test of what is kept while the store is
    unchanged runs its action again until no commit came in its way; an action that fails with
    the store unchanged fails the test."""
    for _ in range(QUIET_TRIES):
        before = store.version()
        try:
            result = action()
        except AssertionError:
            if store.version() == before:
                raise
            continue
        if store.version() == before:
            return result
    pytest.fail(f"something committed during each of {QUIET_TRIES} tries")


@pytest.fixture
def elsewhere(shared_store: Store) -> Iterator[Store]:
    """The same store opened again, as another process would."""
    other = Store(shared_store.url)
    yield other
    other.dispose()


@pytest.fixture
def robin(served: FastAPI) -> RobinClient:
    return RobinClient(harness_client(served), ADMIN_TOKEN)


def _space_name(robin: RobinClient) -> str:
    response = robin.get(f"/spaces/{SPACE}")
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["name"])


def _fail_if_routed(monkeypatch: pytest.MonkeyPatch) -> None:
    def routed(*_arguments: object) -> None:
        raise AssertionError("the request reached its route")

    monkeypatch.setattr(workplace, "get_space", routed)


def test_the_store_version_moves_when_another_connection_commits(shared_store: Store, elsewhere: Store):
    before = while_quiet(shared_store, shared_store.version)

    with elsewhere.session(write=True) as session:
        session.execute(update(Resource).where(Resource.id == SPACE).values(name="Renamed elsewhere"))
        session.commit()

    assert shared_store.version() != before


def test_a_topic_version_moves_only_when_its_own_tables_are_written(shared_store: Store, elsewhere: Store):
    before = shared_store.version()

    with elsewhere.session(write=True) as session:
        session.execute(update(Resource).where(Resource.id == SPACE).values(name="Renamed elsewhere"))
        session.commit()
    unrelated = shared_store.version()
    with elsewhere.session(write=True) as session:
        session.execute(update(User).where(User.email == ADMIN_EMAIL).values(role="member"))
        session.commit()
    credentials = shared_store.version()
    with elsewhere.session(write=True) as session:
        session.add(FaultRule(api="robin", method="GET", path="/nowhere", effect="error", status=503, created_at=NOW))
        session.commit()
    faults = shared_store.version()

    assert unrelated.whole != before.whole
    assert [unrelated.of(topic) == before.of(topic) for topic in (CREDENTIALS, FAULTS)] == [True, True]
    assert [credentials.of(topic) == unrelated.of(topic) for topic in (CREDENTIALS, FAULTS)] == [False, True]
    assert [faults.of(topic) == credentials.of(topic) for topic in (CREDENTIALS, FAULTS)] == [True, False]


@pytest.mark.damages_store
def test_a_store_created_afresh_never_shows_an_earlier_topic_version(shared_store: Store):
    """Its counts start from zero again, but under another epoch."""
    before = shared_store.version()
    shared_store.wipe()
    assert shared_store.version().of(CREDENTIALS) != before.of(CREDENTIALS)


def test_credentials_are_read_again_only_after_their_tables_change(
    robin: RobinClient, elsewhere: Store, monkeypatch: pytest.MonkeyPatch
):
    reads = []
    original = access.credential_for_token
    monkeypatch.setattr(robin_deps, "credential_for_token", lambda *given: reads.append(1) or original(*given))
    booked = robin.post(
        f"/spaces/{SPACE}/events",
        json={
            "title": "Kept credentials",
            "start": {"date_time": "2026-03-02T14:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T14:30:00", "time_zone": "America/New_York"},
        },
    )
    assert booked.status_code == 201, booked.text
    assert robin.get(f"/spaces/{SPACE}/state").status_code == 200
    assert len(reads) == 1, "the booking made the next request read its credentials again"

    with elsewhere.session(write=True) as session:
        session.execute(update(User).where(User.email == ADMIN_EMAIL).values(role="member"))
        session.commit()

    assert robin.patch(f"/spaces/{SPACE}", json={"name": "Members may not"}).status_code == 403
    assert len(reads) == 2


def test_a_store_in_one_process_memory_moves_its_version_with_every_change_and_keeps_nothing_uncommitted():
    store = Store("sqlite://")
    try:
        store.prepare()
        before = store.version()
        assert store.version() == before
        with store.session(write=True) as session:
            session.add(Organization(slug="kept", name="Kept", created_at=NOW, updated_at=NOW))
            session.commit()
        committed = store.version()
        assert committed != before
        assert committed.of(CREDENTIALS) != before.of(CREDENTIALS)

        # The one connection is shared: a write under way shows to every reader as it goes. While
        # it holds a change, nothing read is kept; once it is rolled back, the version has moved
        # all the same, so nothing read meanwhile can be taken for what the store holds.
        with store.session(write=True) as session:
            session.execute(update(Organization).where(Organization.slug == "kept").values(name="Held"))
            held = store.version()
            assert held != store.version()
            session.rollback()
        after = store.version()
        assert after == store.version()
        assert after not in (committed, held)

        with store.session() as session:  # A read transaction leaves the version as it was.
            session.exec(select(Organization)).all()
            assert store.version() == after
    finally:
        store.dispose()


def test_a_disposed_store_keeps_nothing_and_opens_nothing(shared_store: Store):
    other = Store(shared_store.url)
    while_quiet(other, other.version)
    other.dispose()
    # A request still under way when its store is disposed reads the version once more: it gets
    # one that matches nothing, and no connection is opened for it that nobody would close.
    assert other.version() != other.version()


def test_a_repeated_read_is_answered_without_its_route_until_the_store_changes(
    robin: RobinClient, elsewhere: Store, monkeypatch: pytest.MonkeyPatch
):
    def read_twice() -> tuple[httpx.Response, httpx.Response]:
        first = robin.get(f"/spaces/{SPACE}")
        with monkeypatch.context() as patched:
            _fail_if_routed(patched)
            return first, robin.get(f"/spaces/{SPACE}")

    first, again = while_quiet(elsewhere, read_twice)
    assert (again.status_code, again.content, again.headers["content-type"]) == (
        200,
        first.content,
        first.headers["content-type"],
    )

    with elsewhere.session(write=True) as session:
        session.execute(update(Resource).where(Resource.id == SPACE).values(name="Renamed elsewhere"))
        session.commit()

    assert _space_name(robin) == "Renamed elsewhere"


def test_a_change_through_the_api_is_read_back_at_once(robin: RobinClient):
    assert _space_name(robin) != "Renamed"

    assert robin.patch(f"/spaces/{SPACE}", json={"name": "Renamed"}).status_code == 200

    assert _space_name(robin) == "Renamed"


def test_a_restored_snapshot_and_a_reset_are_read_back_at_once(robin: RobinClient):
    control = robin.client
    assert control.post("/_sandbox/snapshots", json={"name": "before"}).status_code == 201
    original = _space_name(robin)
    assert robin.patch(f"/spaces/{SPACE}", json={"name": "Renamed"}).status_code == 200
    assert _space_name(robin) == "Renamed"

    assert control.post("/_sandbox/snapshots/before/restore").status_code == 200
    assert _space_name(robin) == original

    assert robin.patch(f"/spaces/{SPACE}", json={"name": "Renamed again"}).status_code == 200
    assert _space_name(robin) == "Renamed again"
    assert control.post("/_sandbox/reset").status_code == 204
    assert _space_name(robin) == original


def test_each_caller_is_checked_on_their_own(robin: RobinClient):
    assert robin.get(f"/spaces/{SPACE}").status_code == 200

    assert RobinClient(robin.client, "no-such-token").get(f"/spaces/{SPACE}").status_code == 401
    assert RobinClient(robin.client, None).get(f"/spaces/{SPACE}").status_code == 401


def test_a_read_with_other_query_parameters_is_its_own(robin: RobinClient):
    plain = robin.get(f"/spaces/{SPACE}").json()["data"]
    included = robin.get(f"/spaces/{SPACE}", params={"include": "space_amenities"}).json()["data"]

    assert "space_amenities" not in plain
    assert "space_amenities" in included


def test_a_revoked_token_is_refused_at_once(robin: RobinClient, elsewhere: Store):
    assert robin.get(f"/spaces/{SPACE}").status_code == 200

    with elsewhere.session(write=True) as session:
        session.execute(delete(AccessToken).where(AccessToken.token == ADMIN_TOKEN))
        session.commit()

    assert robin.get(f"/spaces/{SPACE}").status_code == 401


def test_a_fault_rule_added_by_another_process_applies_to_the_next_request(robin: RobinClient, elsewhere: Store):
    assert robin.get(f"/spaces/{SPACE}").status_code == 200

    with elsewhere.session(write=True) as session:
        session.add(FaultRule(api="robin", method="GET", path="/v1.0/spaces/*", effect="error", status=503, created_at=NOW))
        session.commit()

    assert robin.get(f"/spaces/{SPACE}").status_code == 503


def test_a_kept_kadence_answer_ends_with_its_token(served: FastAPI, shared_store: Store, wall: Wall):
    client = InProcessClient(served)
    kadence = KadenceClient(client, DEMO_CLIENT)
    assert kadence.get("/buildings").status_code == 200
    assert kadence.get("/buildings").status_code == 200
    unchanged = shared_store.version().of(CREDENTIALS)

    wall.advance(hours=1, seconds=1)
    expired = kadence.get("/buildings")

    assert shared_store.version().of(CREDENTIALS) == unchanged, "a credential changed: the test no longer shows expiry alone"
    assert expired.status_code == 401
    assert expired.json()["hydra:description"] == "The access token has expired."


def test_a_frozen_clock_keeps_a_kadence_token_valid(served: FastAPI, wall: Wall):
    client = InProcessClient(served)
    kadence = KadenceClient(client, DEMO_CLIENT)
    assert client.post("/_sandbox/organizations/1/clock/freeze", json={}).status_code == 200
    assert kadence.get("/buildings").status_code == 200

    wall.advance(hours=2)

    assert kadence.get("/buildings").status_code == 200


def test_the_answer_follows_the_format_asked_for(served: FastAPI):
    kadence = KadenceClient(InProcessClient(served), DEMO_CLIENT)
    as_json = kadence.get("/buildings")
    as_csv = kadence.get("/buildings", headers={"Accept": "text/csv"})

    assert as_json.headers["content-type"].startswith("application/ld+json")
    assert as_csv.headers["content-type"].startswith("text/csv")


def test_kept_answers_are_journaled_like_any_other(served: FastAPI, robin: RobinClient):
    robin.get(f"/spaces/{SPACE}")
    robin.get(f"/spaces/{SPACE}")

    entries = robin.client.get("/_sandbox/journal").json()["entries"]

    assert [(e["path"], e["status"], e["organization_id"]) for e in entries] == [(f"/v1.0/spaces/{SPACE}", 200, 1)] * 2


def _read_together(cache: VersionedCache[str], count: int, outcome: Callable[[int], str | None]) -> tuple[list[object], int]:
    """`count` requests missing the same key at once. The nth read made returns `outcome(n)`,
    which may raise. Returns what each request got and how many reads were made."""
    reads = 0

    async def read() -> str | None:
        nonlocal reads
        reads += 1
        made = reads
        await asyncio.sleep(0.01)
        return outcome(made)

    async def together() -> list[object]:
        return await asyncio.gather(*(cache.read_through("key", 1, read) for _ in range(count)), return_exceptions=True)

    return asyncio.run(together()), reads


def test_requests_that_miss_together_share_one_read():
    cache: VersionedCache[str] = VersionedCache()

    results, reads = _read_together(cache, 5, lambda _made: "value")

    assert (results, reads) == (["value"] * 5, 1)
    assert cache.get("key", 1) == "value"
    assert cache.get("key", 2) is None


def test_when_the_shared_read_fails_each_request_reads_for_itself():
    def outcome(made: int) -> str:
        if made == 1:
            raise RuntimeError("the first read fails")
        return "value"

    results, reads = _read_together(VersionedCache(), 3, outcome)

    assert isinstance(results[0], RuntimeError)
    assert (results[1:], reads) == (["value", "value"], 3)


def test_when_the_shared_read_finds_nothing_to_keep_each_request_reads_for_itself():
    cache: VersionedCache[str] = VersionedCache()

    results, reads = _read_together(cache, 3, lambda _made: None)

    assert (results, reads) == ([None] * 3, 3)
    assert cache.get("key", 1) is None


def test_the_cache_stays_within_its_capacity():
    cache: VersionedCache[int] = VersionedCache(capacity=3)
    for key in range(10):
        cache.put(key, 1, key)

    assert sum(cache.get(key, 1) is not None for key in range(10)) <= 3
    assert cache.get(9, 1) == 9


def test_a_kept_answer_is_never_shared_across_stores(tmp_path: Path, wall: Wall):
    first, second = new_store(tmp_path / "one"), new_store(tmp_path / "two")
    seed_demo(first)
    seed_demo(second)
    with second.session(write=True) as session:
        session.execute(update(Resource).where(Resource.id == SPACE).values(name="Second store"))
        session.commit()
    app = create_app(settings_for_tests(), store=first, clock=Clock(wall))
    robin = RobinClient(InProcessClient(app), ADMIN_TOKEN)
    assert _space_name(robin) != "Second store"

    app.state.store = second

    assert _space_name(robin) == "Second store"
