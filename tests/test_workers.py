"""`workplace-sandbox serve --workers N`: several processes on one store, of the backend under test."""

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
import sqlalchemy
from sqlalchemy.engine import make_url

from sandbox.store.engine import WRITERS_LOCK
from tests.concurrency import released_together
from tests.conftest import new_store
from tests.postgres import ConnectionsCounted
from tests.test_serve import ADMIN, serving

pytestmark = pytest.mark.slow


def server_processes(parent: int) -> list[int]:
    """The worker processes uvicorn's supervisor started (not multiprocessing's resource tracker)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in command:
            children.append(int(stat.parent.name))
    return children


def one_slot_from_many_processes(base: str) -> list[int]:
    body = {
        "title": "Contested",
        "start": {"date_time": "2031-07-07T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-07-07T15:00:00Z", "time_zone": "America/New_York"},
    }

    return at_once(lambda _: httpx.post(f"{base}/v1.0/spaces/52/events", json=body, headers=ADMIN, timeout=60).status_code)


def at_once(request: Callable[[int], int], count: int = 50) -> list[int]:
    """`count` requests released together, a thread and a connection each, so the kernel spreads
    them over the worker processes; their statuses, sorted."""
    return sorted(released_together(request, count))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counting server processes reads /proc")
def test_workers_share_one_store(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with serving("--database-url", store.url, "--workers", "2") as (base, server):
        assert len(server_processes(server.pid)) == 2
        statuses = one_slot_from_many_processes(base)
        listed = httpx.get(
            f"{base}/v1.0/spaces/52/events",
            headers=ADMIN,
            params={"after": "2031-07-07T00:00:00Z", "before": "2031-07-08T00:00:00Z"},
        ).json()["data"]
    assert statuses == [201] + [409] * 49, server.output[-4000:]
    assert len(listed) == 1
    assert "(2 worker processes)" in server.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--workers", "0"), "workers"),
        (("--workers", "2", "--database-url", "sqlite://"), "several workers need a store they can share"),
    ],
)
def test_serve_refuses_workers_it_cannot_run(tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--data-dir", str(tmp_path), *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr


def test_export_jobs_are_generated_once_by_one_of_the_workers(tmp_path: Path) -> None:
    import time

    body = {"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-09T00:00:00+00:00"}
    env = {"SANDBOX_EXPORT_DELAY_SECONDS": "0"}
    store = new_store(tmp_path)
    with serving("--database-url", store.url, "--workers", "2", env=env) as (base, server):
        requested = at_once(
            lambda _: (
                httpx.post(
                    f"{base}/v1.0/insights/exports/organizations/1/desks",
                    json=body,
                    headers=ADMIN,
                    timeout=60,
                ).status_code
            ),
            count=20,
        )
        deadline = time.monotonic() + 30
        while True:
            with store.engine.connect() as connection:
                states = [tuple(row) for row in connection.exec_driver_sql("SELECT state, attempts FROM export_job ORDER BY id")]
            if all(state == "ready" for state, _ in states) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert requested == [202] * 20
    assert len(states) == 20
    assert states == [("ready", 1)] * 20, server.output[-3000:]


@pytest.mark.backend("postgresql")
def test_workers_hold_no_more_postgresql_connections_than_their_pool(tmp_path: Path) -> None:
    """Each worker process holds at most `--database-pool` connections for its requests and one
    that watches for changes, however many requests arrive at once: several servers (or workers)
    fit in the PostgreSQL server's `max_connections`. The requests beyond the pool wait their
    turn; none fails for it."""
    name = f"sandbox-pool-{uuid.uuid4().hex[:12]}"
    store = new_store(tmp_path)
    rounds = []
    with (
        serving("--database-url", f"{store.url}&application_name={name}", "--workers", "2", "--database-pool", "3") as (
            base,
            server,
        ),
        ConnectionsCounted(name) as counted,
    ):
        for day in range(7, 10):
            body = {
                "title": "Contested",
                "start": {"date_time": f"2031-07-{day:02d}T14:00:00Z", "time_zone": "America/New_York"},
                "end": {"date_time": f"2031-07-{day:02d}T15:00:00Z", "time_zone": "America/New_York"},
            }
            rounds.append(
                at_once(
                    lambda _, body=body: (
                        httpx.post(f"{base}/v1.0/spaces/52/events", json=body, headers=ADMIN, timeout=60).status_code
                    )
                )
            )
    assert rounds == [[201] + [409] * 49] * 3, server.output[-4000:]
    assert 2 <= counted.most <= 2 * (3 + 1), counted.most


@pytest.mark.backend("postgresql")
def test_a_server_keeps_the_postgresql_connections_it_opened(tmp_path: Path) -> None:
    """The connections a server opens for its requests stay open for the next ones, up to its
    pool: rounds of more reads at once than the pool holds open no connection beyond the pool's
    and the watch's, however many rounds come. A connection closed after each burst and opened
    again for the next would cost the PostgreSQL server a process each time."""
    name = f"sandbox-kept-{uuid.uuid4().hex[:12]}"
    store = new_store(tmp_path)
    with (
        serving("--database-url", f"{store.url}&application_name={name}", "--database-pool", "8") as (base, server),
        ConnectionsCounted(name) as counted,
    ):

        def state_read(round_: int) -> Callable[[int], int]:
            return lambda number: (
                httpx.get(f"{base}/v1.0/spaces/52/state?round={round_}&n={number}", headers=ADMIN, timeout=60).status_code
            )

        rounds = [at_once(state_read(round_), count=30) for round_ in range(4)]
    assert rounds == [[200] * 30] * 4, server.output[-4000:]
    assert counted.most > 5, f"the reads never needed more than five connections at once ({counted.most})"
    assert len(counted.opened) <= 8 + 1, sorted(counted.opened)


@contextmanager
def writer_held(url: str) -> Iterator[None]:
    """The store's writer held by a session outside the server until the block ends: a write of
    another process under way on SQLite; on PostgreSQL the writers' lock, as a snapshot holds it."""
    if make_url(url).get_backend_name() == "sqlite":
        holder = sqlite3.connect(str(make_url(url).database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as opened:
            connection = opened.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({WRITERS_LOCK})")
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({WRITERS_LOCK})")
    finally:
        engine.dispose()


def test_writes_held_back_past_the_wait_answer_503_from_every_worker(tmp_path: Path) -> None:
    """Writes released together at two workers while a session outside the server holds the
    store's writer each give up after `--store-wait` and answer 503 with Retry-After, storing
    nothing, rather than wait for as long as it is held; once it is let go, a write goes through."""
    store = new_store(tmp_path)
    body = {
        "title": "Held back",
        "start": {"date_time": "2031-07-10T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-07-10T15:00:00Z", "time_zone": "America/New_York"},
    }

    def write(_: int) -> tuple[int, str | None] | str:
        try:
            answer = httpx.post(f"{base}/v1.0/spaces/52/events", json=body, headers=ADMIN, timeout=15)
        except httpx.TimeoutException:
            return "no answer within 15 s"
        return answer.status_code, answer.headers.get("retry-after")

    with serving("--database-url", store.url, "--workers", "2", "--store-wait", "1") as (base, server):
        with writer_held(store.url):
            began = time.monotonic()
            answers = released_together(write, 20)
            took = time.monotonic() - began
        listed = httpx.get(
            f"{base}/v1.0/spaces/52/events",
            params={"after": "2031-07-10T00:00:00Z", "before": "2031-07-11T00:00:00Z"},
            headers=ADMIN,
        )
        written = httpx.post(f"{base}/v1.0/spaces/52/events", json=body, headers=ADMIN, timeout=15)

    assert answers == [(503, "1")] * 20, server.output[-3000:]
    assert took < 12, took
    assert listed.json()["data"] == []
    assert written.status_code == 201, written.text
