"""How booking latency grows with the calendar: POST an event into a building that already
holds a few events, then one that holds many, on a real server over loopback.

    .venv/bin/python bench/booking_growth.py [--small 100] [--large 100000] [--requests 300]

Prints p50/p99 latency of POST /v1.0/spaces/:id/events (with its conflict check) for each
size and the ratio large/small: the occurrence index should keep it near 1. Target: the ratio
of the p50s at most 1.3.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from harness import free_port, sandbox_command, started
from sqlalchemy import func, insert, select

from sandbox.core.clock import Clock
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import Occurrence, Reservation, Resource

HEADERS = {"Authorization": "Access-Token demo-robin-token"}
BUILDING = 10
TARGET_SPACE = 57


def prepare(data_dir: Path, existing: int) -> None:
    """A demo store whose building 10 holds `existing` more one-hour events, spread over a year."""
    store = Store(f"sqlite:///{data_dir / 'sandbox.db'}")
    store.prepare()
    load(store, read_fixture(FIXTURES_DIR / "demo.json"), Clock(), "demo.json")
    with store.session(write=True) as session:
        spaces = session.scalars(
            select(Resource.id).where(
                Resource.building_id == BUILDING,
                Resource.kind == "space",
                Resource.is_reservable.is_(True),
                Resource.is_disabled.is_(False),
            )
        ).all()
        first_id = (session.scalar(select(func.max(Reservation.id))) or 0) + 1
        origin = datetime(2027, 1, 1, tzinfo=UTC)
        reservations, rows = [], []
        for offset in range(existing):
            space = spaces[offset % len(spaces)]
            start = origin + timedelta(hours=offset // len(spaces))
            identifier = first_id + offset
            reservations.append(
                {
                    "id": identifier,
                    "ulid": f"{identifier:026d}",
                    "organization_id": 1,
                    "resource_id": space,
                    "building_id": BUILDING,
                    "kind": "event",
                    "status": "confirmed",
                    "title": f"Load {offset}",
                    "visibility": "default",
                    "show_as": "busy",
                    "is_all_day": False,
                    "time_zone": "America/New_York",
                    "start": start,
                    "end": start + timedelta(minutes=50),
                    "indexed_until": start + timedelta(days=366),
                    "creation_type": "manual",
                    "source": "robin",
                    "created_at": origin,
                    "updated_at": origin,
                }
            )
            rows.append(
                {
                    "reservation_id": identifier,
                    "resource_id": space,
                    "building_id": BUILDING,
                    "start": start,
                    "end": start + timedelta(minutes=50),
                    "original_start": start,
                }
            )
        if reservations:
            session.execute(insert(Reservation), reservations)
            session.execute(insert(Occurrence), rows)
        session.execute(Resource.__table__.update().values(longest_booking_s=3601))
        session.commit()
    store.dispose()


def measure(existing: int, requests: int) -> list[float]:
    """Seconds each of `requests` POST-event requests took, after 20 unmeasured ones."""
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        began = time.perf_counter()
        prepare(data_dir, existing)
        print(f"{existing:>8} existing events stored in {time.perf_counter() - began:.1f} s")
        port = free_port()
        with (
            started(sandbox_command(port, data_dir), port) as server,
            httpx.Client(base_url=f"{server.base}/v1.0", headers=HEADERS, timeout=30) as client,
        ):
            # Bookings land among the existing events, in free half-hours after each of them.
            origin = datetime(2027, 1, 1, 0, 52, tzinfo=UTC)
            latencies = []
            for index in range(requests + 20):
                start = origin + timedelta(hours=index)
                body = {
                    "title": "Benchmark",
                    "start": {"date_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "UTC"},
                    "end": {"date_time": (start + timedelta(minutes=6)).strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "UTC"},
                }
                began = time.perf_counter()
                response = client.post(f"/spaces/{TARGET_SPACE}/events", json=body)
                elapsed = time.perf_counter() - began
                assert response.status_code == 201, response.text
                if index >= 20:
                    latencies.append(elapsed)
            return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300)
    arguments = parser.parse_args()
    results = {}
    for size in (arguments.small, arguments.large):
        latencies = measure(size, arguments.requests)
        results[size] = statistics.median(latencies)
        print(f"{size:>8} existing events: p50 {results[size] * 1000:6.2f} ms  p99 {percentile(latencies, 0.99) * 1000:6.2f} ms")
    print(f"growth ratio p50 ({arguments.large}/{arguments.small}): {results[arguments.large] / results[arguments.small]:.2f}")


if __name__ == "__main__":
    main()
