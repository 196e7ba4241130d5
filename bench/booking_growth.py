"""How booking latency grows with the calendar: POST an event into an organization that already
holds a few reservations, then one that holds many, on a real server over loopback.

    .venv/bin/python bench/booking_growth.py [--small 100] [--large 100000] [--requests 300]

Prints p50/p99 latency of POST /v1.0/spaces/:id/events (with its conflict check) for each
size and the ratio large/small: the occurrence index should keep it near 1. bench/report.py
measures the same growth in requests per second for every read and write it gives.
"""

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from harness import free_port, sandbox_command, started
from workplace import BULK_FUTURE, BULK_MINUTES, seeded_store

from sandbox.settings import FIXTURES_DIR

HEADERS = {"Authorization": "Access-Token demo-robin-token"}
TARGET_SPACE = 57


def prepare(data_dir: Path, existing: int) -> None:
    """A demo store whose organization holds `existing` more reservations (bench/workplace.py's
    `add_reservations`: over its rooms and desks, past and future)."""
    seeded_store(data_dir, FIXTURES_DIR / "demo.json", existing).dispose()


def measure(existing: int, requests: int) -> list[float]:
    """Seconds each of `requests` POST-event requests took, after 20 unmeasured ones."""
    with tempfile.TemporaryDirectory() as directory:
        data_dir = Path(directory)
        began = time.perf_counter()
        prepare(data_dir, existing)
        print(f"{existing:>8} existing reservations stored in {time.perf_counter() - began:.1f} s")
        port = free_port()
        with (
            started(sandbox_command(port, data_dir), port) as server,
            httpx.Client(base_url=f"{server.base}/v1.0", headers=HEADERS, timeout=30) as client,
        ):
            # Bookings land among the existing reservations, in the minutes free after each of them.
            today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            origin = today + BULK_FUTURE + timedelta(minutes=BULK_MINUTES + 2)
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
        p99 = percentile(latencies, 0.99)
        print(f"{size:>8} existing reservations: p50 {results[size] * 1000:6.2f} ms  p99 {p99 * 1000:6.2f} ms")
    print(f"growth ratio p50 ({arguments.large}/{arguments.small}): {results[arguments.large] / results[arguments.small]:.2f}")


if __name__ == "__main__":
    main()
