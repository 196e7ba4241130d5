"""Requests per second and p50/p99 latency of the sandbox's reads under wrk on loopback, each as a
share of the framework floor (bench/floor_app.py) measured in the same run, before and after.

    .venv/bin/python bench/throughput.py [--seconds 5] [--connections 16]

Target (issue 8): single-item reads at least 60 % of the floor's requests per second.

A read whose answer depends on the store alone (a space, a building) is answered from memory while
the store is unchanged ("kept"); "each new" sends the same read with a query parameter that changes
on every request, so every one goes through its route and the store, as it does after a write.
Reads that depend on the clock (a space's state, a booking's status) always do.
"""

import argparse
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from harness import (
    Load,
    floor_load,
    free_port,
    report,
    request_line,
    require_wrk,
    sandbox_command,
    started,
    walk,
    wrk,
)

ROBIN = {"Authorization": "Access-Token demo-robin-token"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    require_wrk()

    def load(url: str, headers: dict[str, str] | None = None) -> Load:
        return wrk(url, headers=headers, seconds=options.seconds, connections=options.connections)

    floors = [floor_load(seconds=options.seconds, connections=options.connections)]
    results: list[tuple[str, Load]] = []
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        with started(sandbox_command(port, Path(data_dir)), port) as sandbox:
            week = _with_a_recurring_series(sandbox.base)
            token = httpx.post(
                f"{sandbox.base}/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "demo-client",
                    "client_secret": "demo-secret",
                },
            ).json()["access_token"]
            kadence = {"Authorization": f"Bearer {token}"}
            day = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00")
            bookings = f"{sandbox.base}/v1/public/bookings?itemsPerPage=50&startDateTime%5Bafter%5D={day}"
            booking = httpx.get(bookings, headers=kadence).json()["hydra:member"][0]
            space = booking["space"]["@id"]
            cases = [
                ("Robin GET /spaces/:id (kept)", f"{sandbox.base}/v1.0/spaces/48", ROBIN),
                ("Robin GET /spaces/:id/state", f"{sandbox.base}/v1.0/spaces/48/state", ROBIN),
                ("Kadence GET /spaces/:id (kept)", f"{sandbox.base}{space}", kadence),
                ("Kadence GET /bookings/:id", f"{sandbox.base}{booking['@id']}", kadence),
                ("Robin GET /spaces/:id/events (a week)", f"{sandbox.base}/v1.0/spaces/57/events?{week}", ROBIN),
                ("Kadence GET /bookings (50, filtered)", bookings, kadence),
            ]
            for name, url, headers in cases:
                assert httpx.get(url, headers=headers).status_code == 200, name
                results.append((name, load(url, headers)))
            each_new = [request_line("GET", f"/v1.0/spaces/48?n={number}") for number in range(100_000)]
            results.insert(
                1,
                (
                    "Robin GET /spaces/:id (each new)",
                    walk(
                        sandbox.base,
                        each_new,
                        headers=ROBIN,
                        seconds=options.seconds,
                        connections=options.connections,
                    ),
                ),
            )
    floors.append(floor_load(seconds=options.seconds, connections=options.connections))
    report(floors, results, seconds=options.seconds, connections=options.connections)


def _with_a_recurring_series(base: str) -> str:
    """Books a daily series in space 57 from tomorrow, and returns the query of the week after."""
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    body = {
        "title": "Daily stand-up",
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=60"],
        "start": {"date_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "America/New_York"},
        "end": {"date_time": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "America/New_York"},
    }
    response = httpx.post(f"{base}/v1.0/spaces/57/events", json=body, headers=ROBIN)
    assert response.status_code == 201, response.text
    after = start.replace(hour=0)
    return f"after={after:%Y-%m-%dT%H:%M:%SZ}&before={after + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"


if __name__ == "__main__":
    main()
