"""Requests per second and p50/p99 latency of the sandbox's reads under wrk on loopback, each as a
share of the framework floor (bench/floor_app.py) measured in the same run, before and after.

    .venv/bin/python bench/throughput.py [--seconds 5] [--connections 16]

A read whose answer depends on the store alone (a space, a building) is answered from memory while
the store is unchanged ("kept"); "each new" sends the same read with a query parameter that changes
on every request, so every one goes through its route and the store, as it does after a write.
Reads that depend on the clock (a space's state, a booking's status) always do. bench/report.py
gives the reads that are not kept against the read floor (bench/read_floor_app.py), with their
targets.
"""

import argparse
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
from harness import Load, floor_load, free_port, report, request_line, require_wrk, sandbox_command, started, walk
from workplace import ROBIN_TOKEN, kadence_headers

ROBIN = {"Authorization": f"Access-Token {ROBIN_TOKEN}"}
SINGLE_ITEMS = ("Robin GET /spaces/:id (each new)", "Robin GET /spaces/:id/state", "Kadence GET /bookings/:id")
PAGES = ("Robin GET /spaces/:id/events (a week)", "Kadence GET /bookings (50, filtered)")
KEPT = ("Robin GET /spaces/:id (kept)", "Kadence GET /spaces/:id (kept)")
DEMO_ROOM, DEMO_SERIES_ROOM = 48, 57


@dataclass
class ReadTargets:
    """What the reads read in a served workplace."""

    room: int
    week: str
    """The path and query of a week of events in a room holding a daily series."""
    bookings: str
    """The path and query of a page of 50 Kadence bookings from today on."""
    booking: str
    """The path of the first of those bookings."""
    space: str
    """The path of its space, in Kadence."""
    kadence: dict[str, str]
    """Headers with a Kadence token."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    require_wrk()

    floors = [floor_load(seconds=options.seconds, connections=options.connections)]
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        with started(sandbox_command(port, Path(data_dir)), port) as sandbox:
            targets = read_targets(sandbox.base, DEMO_ROOM, DEMO_SERIES_ROOM)
            names = (KEPT[0], *SINGLE_ITEMS[:2], KEPT[1], *SINGLE_ITEMS[2:], *PAGES)
            results = list(read_cases(sandbox.base, targets, names, seconds=options.seconds, connections=options.connections))
    floors.append(floor_load(seconds=options.seconds, connections=options.connections))
    report(floors, results, seconds=options.seconds, connections=options.connections)


def read_targets(base: str, room: int, series_room: int) -> ReadTargets:
    """Books a daily series in `series_room` from tomorrow, and finds what the reads read."""
    kadence = kadence_headers(base)
    day = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00")
    bookings = f"/v1/public/bookings?itemsPerPage=50&startDateTime%5Bafter%5D={day}"
    booking = httpx.get(f"{base}{bookings}", headers=kadence).json()["hydra:member"][0]
    week = f"/v1.0/spaces/{series_room}/events?{_with_a_recurring_series(base, series_room)}"
    return ReadTargets(room, week, bookings, booking["@id"], booking["space"]["@id"], kadence)


def read_requests(targets: ReadTargets, name: str) -> tuple[list[str], dict[str, str]]:
    """The requests wrk walks for the read `name`, and their headers."""
    if name == SINGLE_ITEMS[0]:
        return [request_line("GET", f"/v1.0/spaces/{targets.room}?n={number}") for number in range(100_000)], ROBIN
    path, headers = {
        KEPT[0]: (f"/v1.0/spaces/{targets.room}", ROBIN),
        SINGLE_ITEMS[1]: (f"/v1.0/spaces/{targets.room}/state", ROBIN),
        KEPT[1]: (targets.space, targets.kadence),
        SINGLE_ITEMS[2]: (targets.booking, targets.kadence),
        PAGES[0]: (targets.week, ROBIN),
        PAGES[1]: (targets.bookings, targets.kadence),
    }[name]
    return [request_line("GET", path)], headers


def single_item_mix(targets: ReadTargets) -> list[str]:
    """The single-item reads that are not kept, in turn, each with its own credentials."""
    robin, kadence = ROBIN["Authorization"], targets.kadence["Authorization"]
    requests = []
    for number in range(30_000):
        requests.append(request_line("GET", f"/v1.0/spaces/{targets.room}?n={number}", authorization=robin))
        requests.append(request_line("GET", f"/v1.0/spaces/{targets.room}/state", authorization=robin))
        requests.append(request_line("GET", targets.booking, authorization=kadence))
    return requests


def read_cases(
    base: str, targets: ReadTargets, names: Sequence[str], *, seconds: int, connections: int
) -> Iterator[tuple[str, Load]]:
    """Each read of `names` measured at `base`, as it is measured."""
    for name in names:
        requests, headers = read_requests(targets, name)
        first_path = requests[0].split("\t")[1]
        assert httpx.get(f"{base}{first_path}", headers=headers).status_code == 200, name
        yield name, walk(base, requests, headers=headers, seconds=seconds, connections=connections)


def _with_a_recurring_series(base: str, room: int) -> str:
    """Books a daily series in `room` from tomorrow, and returns the query of the week after."""
    start = (datetime.now(UTC) + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    body = {
        "title": "Daily stand-up",
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=60"],
        "start": {"date_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "America/New_York"},
        "end": {"date_time": (start + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"), "time_zone": "America/New_York"},
    }
    response = httpx.post(f"{base}/v1.0/spaces/{room}/events", json=body, headers=ROBIN)
    assert response.status_code == 201, response.text
    after = start.replace(hour=0)
    return f"after={after:%Y-%m-%dT%H:%M:%SZ}&before={after + timedelta(days=7):%Y-%m-%dT%H:%M:%SZ}"


if __name__ == "__main__":
    main()
