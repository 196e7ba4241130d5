"""Tenants: what an organization of its own costs a test, and what it buys a parallel suite.

    .venv/bin/python bench/tenants.py [--backend sqlite|postgresql|both] [--rounds 30] [--workers 0,2,4]

On a served sandbox (one process, as `make serve` runs it), through the control plane:

- creating a tenant of the demo workplace (`POST /_sandbox/organizations`), median of `rounds`;
- resetting it after a test changed a few rows (a desk booked through Kadence and a room through
  Robin, both cancelled: 6 rows written) and after none;
- against the same server in the same run, the whole-store restore every test paid before
  (`POST /_sandbox/snapshots/{name}/restore` after the same writes): the baseline;
- creation and the reset again, called in this process on the same store (no HTTP), and the
  reset with 100 more tenants' creation in the change log (growth).

Then the wall time of bench/tenant_suite.py (200 tests that book and cancel the same desk and
room) at each xdist worker count, each worker in a tenant of its own on one server (two server
processes), as a ratio of the run at -n 0. Targets: creation <= 20 ms on SQLite, a reset after a
few rows <= 5 ms.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from harness import BENCH, PYTHON, free_port, sandbox_command, started

from sandbox.control import tenants
from sandbox.core.clock import Clock
from sandbox.store.engine import Store

POSTGRES = os.environ.get("SANDBOX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONTROL = {"X-Sandbox-Control": "1"}


def timed(call: object) -> float:
    began = time.perf_counter()
    call()  # type: ignore[operator]
    return (time.perf_counter() - began) * 1000


@dataclass
class Writer:
    """Who a test writes as, in an organization: its Kadence client and the user it books for,
    an administrator's Robin token, and the room it books."""

    client_id: str
    client_secret: str
    user_id: str
    robin_token: str
    room: int


def tenant_writer(client: httpx.Client, tenant: dict) -> Writer:
    """A tenant's writer, from what `POST /_sandbox/organizations` answered."""
    kadence = tenant["kadence"]["clients"][0]
    admin = next(token for token in tenant["robin"]["access_tokens"] if token["role"] == "admin")
    robin = admin["access_token"]
    return Writer(kadence["client_id"], kadence["client_secret"], kadence["user_id"], robin, room_of(client, tenant["id"], robin))


def a_test_writes(client: httpx.Client, writer: Writer) -> None:
    """What one test of the suite writes: a desk booked through Kadence and a room through Robin, both cancelled."""
    token = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": writer.client_id, "client_secret": writer.client_secret},
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    robin = {"Authorization": f"Access-Token {writer.robin_token}"}
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    spaces = client.get("/v1/public/spaces?itemsPerPage=500", headers=bearer).json()["hydra:member"]
    desk = next(space["id"] for space in spaces if space["name"] == "A-06")
    booking = client.post(
        "/v1/public/bookings",
        headers=bearer,
        json={
            "userId": writer.user_id,
            "spaceId": desk,
            "startDateTime": f"{start:%Y-%m-%dT%H:%M:%SZ}",
            "endDateTime": f"{end:%Y-%m-%dT%H:%M:%SZ}",
        },
    )
    assert booking.status_code == 201, booking.text
    assert client.post(f"/v1/public/bookings/{booking.json()['id']}/cancel", headers=bearer, json={}).status_code == 201
    event = client.post(
        f"/v1.0/spaces/{writer.room}/events",
        headers=robin,
        json={
            "title": "bench",
            "start": {"date_time": f"{start:%Y-%m-%dT%H:%M:%SZ}", "time_zone": "UTC"},
            "end": {"date_time": f"{end:%Y-%m-%dT%H:%M:%SZ}", "time_zone": "UTC"},
        },
    )
    assert event.status_code == 201, event.text
    assert client.delete(f"/v1.0/events/{event.json()['data']['id']}", headers=robin).status_code == 200


def room_of(client: httpx.Client, organization: int, robin_token: str) -> int:
    """The organization's Focus Room (the demo's, and its tenants')."""
    robin = {"Authorization": f"Access-Token {robin_token}"}
    for location in client.get(f"/v1.0/organizations/{organization}/locations", headers=robin).json()["data"]:
        for space in client.get(f"/v1.0/locations/{location['id']}/spaces?per_page=100", headers=robin).json()["data"]:
            if space["name"] == "Focus Room":
                return int(space["id"])
    raise AssertionError("no Focus Room")


def control_times(base: str, rounds: int, store_url: str) -> dict[str, float]:
    with httpx.Client(base_url=base, headers=CONTROL, timeout=60) as client:
        creations = []
        tenant = {}
        for _ in range(rounds):
            began = time.perf_counter()
            answer = client.post("/_sandbox/organizations", json={})
            creations.append((time.perf_counter() - began) * 1000)
            assert answer.status_code == 201, answer.text
            tenant = answer.json()
        writer = tenant_writer(client, tenant)
        key = tenant["id"]
        idle, after_writes, whole, direct = [], [], [], []
        store = Store(store_url)
        assert client.post("/_sandbox/snapshots", json={"name": "bench-tenants", "replace": True}).status_code == 201
        for _ in range(rounds):
            idle.append(timed(lambda: client.post(f"/_sandbox/organizations/{key}/reset").raise_for_status()))
            a_test_writes(client, writer)
            after_writes.append(timed(lambda: client.post(f"/_sandbox/organizations/{key}/reset").raise_for_status()))
            a_test_writes(client, writer)
            direct.append(timed(lambda: tenants.reset(store, key)))
            a_test_writes(client, writer)
            whole.append(timed(lambda: client.post("/_sandbox/snapshots/bench-tenants/restore").raise_for_status()))
        client.delete("/_sandbox/snapshots/bench-tenants")
        made_here = [timed(lambda: tenants.create(store, Clock(), tenants.Template())) for _ in range(rounds)]
        # Growth: the same reset with the change log of 100 more tenants' creation behind it.
        for _ in range(100):
            client.post("/_sandbox/organizations", json={}).raise_for_status()
        behind = []
        for _ in range(rounds):
            a_test_writes(client, writer)
            behind.append(timed(lambda: tenants.reset(store, key)))
        store.dispose()
    return {
        "create": statistics.median(creations),
        "reset_idle": statistics.median(idle),
        "reset": statistics.median(after_writes),
        "reset_direct": statistics.median(direct),
        "reset_behind": statistics.median(behind),
        "create_direct": statistics.median(made_here),
        "restore": statistics.median(whole),
    }


def suite_seconds(base: str, workers: int) -> float:
    env = {name: value for name, value in os.environ.items() if not name.startswith("SANDBOX_")}
    command = [
        PYTHON,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--sandbox-isolation=tenant",
        str(BENCH / "tenant_suite.py"),
    ]
    if workers:
        command[3:3] = ["-n", str(workers)]
    began = time.perf_counter()
    run = subprocess.run(command, env={**env, "SANDBOX_URL": base}, capture_output=True, text=True, check=False, cwd=BENCH)
    seconds = time.perf_counter() - began
    if run.returncode != 0 or "200 passed" not in run.stdout:
        sys.exit(f"the suite failed at -n {workers}:\n{run.stdout[-3000:]}{run.stderr[-2000:]}")
    return seconds


def schema_url() -> tuple[str, object]:
    """A PostgreSQL schema of its own for the run, dropped after."""
    sys.path.insert(0, str(BENCH.parent))
    from tests.postgres import schema_of_its_own, unreachable

    reason = unreachable()
    if reason is not None:
        sys.exit(f"PostgreSQL: {reason}")
    context = schema_of_its_own(POSTGRES, "bench")
    return context.__enter__(), context


def run(backend: str, rounds: int, counts: list[int]) -> None:
    context = None
    url = ""
    extra: list[str] = []
    if backend == "postgresql":
        url, context = schema_url()
        extra = ["--database-url", url]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            port = free_port()
            store_url = url if backend == "postgresql" else f"sqlite:///{Path(scratch) / 'one' / 'sandbox.db'}"
            with started(sandbox_command(port, Path(scratch) / "one", *extra), port) as server:
                times = control_times(server.base, rounds, store_url)
            port = free_port()
            with started(sandbox_command(port, Path(scratch) / "two", *extra, "--workers", "2"), port) as server:
                walls = {count: suite_seconds(server.base, count) for count in counts}
    finally:
        if context is not None:
            context.__exit__(None, None, None)  # type: ignore[attr-defined]
    print(f"\n{backend} (median of {rounds}, through HTTP)")
    print(f"  create a tenant of the demo:        {times['create']:7.1f} ms   (target <= 20 ms on SQLite)")
    print(f"  the same, no HTTP (in process):     {times['create_direct']:7.1f} ms")
    print(f"  reset after a test's few rows:      {times['reset']:7.1f} ms")
    print(f"  the same reset, no HTTP (in process):{times['reset_direct']:6.1f} ms   (target <= 5 ms)")
    growth = times["reset_behind"] / times["reset_direct"]
    print(f"  ... with 100 more tenants' writes logged: {times['reset_behind']:5.1f} ms   growth {growth:.2f} (target <= 1.3)")
    print(f"  reset after nothing:                {times['reset_idle']:7.1f} ms")
    ratio = times["reset"] / times["restore"]
    print(f"  baseline, whole-store restore:      {times['restore']:7.1f} ms   reset/restore = {ratio:.2f}")
    first = walls[counts[0]]
    print("  suite of 200 tests, tenant per worker, one server (2 processes):")
    for count, seconds in walls.items():
        print(f"    -n {count}: {seconds:6.1f} s   {first / seconds:.2f}x the -n {counts[0]} run")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--workers", default="0,2,4", help="xdist worker counts to time the suite at")
    arguments = parser.parse_args()
    counts = [int(count) for count in arguments.workers.split(",")]
    for backend in ("sqlite", "postgresql") if arguments.backend == "both" else (arguments.backend,):
        run(backend, arguments.rounds, counts)


if __name__ == "__main__":
    main()
