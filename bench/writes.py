"""Booking writes under wrk on loopback, each as a share of the framework floor
(bench/floor_app.py) measured in the same run, before and after: Robin POST
/v1.0/spaces/:id/events, Kadence POST /oauth2/token, POST /v1/public/bookings (desks) and POST
/v1/public/bookings/:id/check-in.

    .venv/bin/python bench/writes.py [--seconds 5] [--connections 16] [--desks 5000]

Every request books a slot nobody holds, or checks in to a booking nobody checked in to, so each
should answer 201; any other answer is counted and printed as an error. wrk walks lists of
requests written here (bench/lua/walk.lua). The store holds a workplace made for this: one
building open around the clock and bookable a year ahead, 10 rooms, and --desks desks and people,
so that as many desk bookings can be checked in at once; the check-ins walk through bookings made
beforehand with httpx.

Target: booking writes at least 30 % of the floor's requests per second.

The same run measures the write floor (bench/write_floor_app.py): Robin's event requests sent to
a bare FastAPI endpoint that checks the slot and inserts the event in one SQLite transaction
through sqlite3, about the least a booking write can cost on this stack. Each write is reported
against it too.
"""

import argparse
import json
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2 as httpx
from harness import (
    Load,
    floor_command,
    floor_load,
    free_port,
    report,
    request_line,
    require_wrk,
    sandbox_command,
    started,
    walk,
)

ROBIN = {"Authorization": "Access-Token demo-robin-token", "Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ROOMS = range(101, 111)
CLIENT = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
KADENCE_TIME = "%Y-%m-%dT%H:%M:%S"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--desks", type=int, default=5000, help="desks and people, the most bookings to check in to")
    options = parser.parse_args()
    require_wrk()

    def load(base: str, requests: list[str], headers: dict[str, str]) -> Load:
        return walk(base, requests, headers=headers, seconds=options.seconds, connections=options.connections)

    floors = [floor_load(seconds=options.seconds, connections=options.connections)]
    # No write outruns the floor, so this many distinct requests are more than wrk can send.
    enough = int(floors[0].requests_per_second * options.seconds * 1.5)
    results: list[tuple[str, Load]] = []
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        environment = {"SANDBOX_WRITE_FLOOR_DB": str(Path(scratch) / "write-floor.db")}
        with started(floor_command(port, "write_floor_app"), port, env=environment) as write_floor:
            write_floors = [load(write_floor.base, _robin_events(enough), ROBIN)]
        fixture = Path(scratch) / "workplace.json"
        fixture.write_text(json.dumps(_workplace(options.desks)))
        port = free_port()
        with started(sandbox_command(port, Path(scratch) / "data", "--fixture", str(fixture)), port) as sandbox:
            token = httpx.post(f"{sandbox.base}/oauth2/token", data=CLIENT).json()["access_token"]
            kadence = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            with httpx.Client(base_url=sandbox.base, headers=kadence, timeout=30) as client:
                desks = [space["id"] for space in _members(client, "/v1/public/spaces") if space["type"] == "desk"]
                people = [user["id"] for user in _members(client, "/v1/public/users")]

                results.append(("Robin POST /spaces/:id/events", load(sandbox.base, _robin_events(enough), ROBIN)))
                token_request = request_line("POST", "/oauth2/token", urlencode(CLIENT))
                results.append(("Kadence POST /oauth2/token", load(sandbox.base, [token_request], FORM)))
                booked = load(sandbox.base, _desk_bookings(desks, people, enough), kadence)
                results.append(("Kadence POST /bookings (desks)", booked))

                # Check-in is lighter than booking: four times what booking managed should outlast wrk.
                pool = min(len(desks), max(500, int(4 * booked.requests_per_second * options.seconds)))
                check_ins = _bookings_to_check_in(client, desks[:pool], people[:pool])
                checked = load(sandbox.base, check_ins, kadence)
                results.append((f"Kadence POST /bookings/:id/check-in ({pool})", checked))
        port = free_port()
        with started(floor_command(port, "write_floor_app"), port, env=environment) as write_floor:
            write_floors.append(load(write_floor.base, _robin_events(2 * enough)[enough:], ROBIN))
    floors.append(floor_load(seconds=options.seconds, connections=options.connections))

    report(
        floors,
        [("write floor POST /spaces/:id/events", run) for run in write_floors] + results,
        seconds=options.seconds,
        connections=options.connections,
    )
    write_floor_rate = sum(run.requests_per_second for run in write_floors) / len(write_floors)
    print("against the write floor (the mean of its runs):")
    for name, run in results:
        print(f"  {name:<44}{run.requests_per_second / write_floor_rate:6.1%}")
    if checked.requests > pool:
        print(
            f"  the check-ins ran past the {pool} bookings made for them, and the repeats failed: "
            f"{'raise --desks' if pool == len(desks) else 'check-in outran four times the rate of booking'}"
        )


def _workplace(desks: int) -> dict[str, Any]:
    """A fixture: one building open around the clock and bookable a year ahead, rooms ROOMS, and
    `desks` hoteled desks and as many people (the first an administrator with the demo credentials)."""
    people = [{"name": f"Person {number}", "email": f"person{number}@bench.example"} for number in range(desks)]
    people[0]["role"] = "admin"
    rooms = [{"id": number, "name": f"Room {number}", "type": "meeting", "capacity": 8} for number in ROOMS]
    open_plan = {
        "name": "Open plan",
        "type": "other",
        "is_reservable": False,
        "zones": [{"name": "Desks", "desks": [{"name": f"D-{number:05d}"} for number in range(desks)]}],
    }
    return {
        "format": "workplace-sandbox-fixture/1",
        "seed": "bench",
        "created_at": "2026-01-01T00:00:00Z",
        "organizations": [
            {
                "slug": "bench",
                "name": "Bench",
                "users": people,
                "access_tokens": [{"token": "demo-robin-token", "user": people[0]["email"]}],
                "api_clients": [
                    {"client_id": CLIENT["client_id"], "client_secret": CLIENT["client_secret"], "user": people[0]["email"]}
                ],
                "buildings": [
                    {
                        "id": 1,
                        "name": "Bench",
                        "time_zone": "UTC",
                        "booking_horizon_days": 366,
                        "floors": [{"name": "Floor 1", "spaces": [*rooms, open_plan]}],
                    }
                ],
            }
        ],
    }


def _members(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every member of a Kadence collection, page after page."""
    found: list[dict[str, Any]] = []
    while True:
        page = client.get(path, params={"itemsPerPage": 500, "page": len(found) // 500 + 1}).json()
        found += page["hydra:member"]
        if not page["hydra:member"] or len(found) >= page["hydra:totalItems"]:
            return found


def _robin_events(count: int) -> list[str]:
    """Half-hour events in the rooms in turn, each room's next half-hour after the last."""
    origin = datetime(datetime.now(UTC).year + 2, 1, 1, tzinfo=UTC)
    requests = []
    for number in range(count):
        start = origin + timedelta(minutes=30 * (number // len(ROOMS)))
        requests.append(
            request_line(
                "POST",
                f"/v1.0/spaces/{ROOMS[number % len(ROOMS)]}/events",
                {
                    "title": "Benchmark",
                    "start": {"date_time": f"{start:%Y-%m-%dT%H:%M:%SZ}", "time_zone": "UTC"},
                    "end": {"date_time": f"{start + timedelta(minutes=30):%Y-%m-%dT%H:%M:%SZ}", "time_zone": "UTC"},
                },
            )
        )
    return requests


def _desk_bookings(desks: list[str], people: list[str], count: int) -> list[str]:
    """Person n books desk n for the morning, from the day after tomorrow on, day after day."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    requests = []
    for number in range(count):
        start = today + timedelta(days=2 + number // len(desks))
        requests.append(
            request_line(
                "POST",
                "/v1/public/bookings",
                {
                    "userId": people[number % len(desks)],
                    "spaceId": desks[number % len(desks)],
                    "startDateTime": f"{start:{KADENCE_TIME}}",
                    "endDateTime": f"{start + timedelta(hours=8):{KADENCE_TIME}}",
                },
            )
        )
    return requests


def _bookings_to_check_in(client: httpx.Client, desks: list[str], people: list[str]) -> list[str]:
    """Person n books desk n from now for four hours; the check-in of each of those bookings."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)

    def book(desk: str, person: str) -> str:
        response = client.post(
            "/v1/public/bookings",
            json={
                "userId": person,
                "spaceId": desk,
                "startDateTime": f"{now:{KADENCE_TIME}}",
                "endDateTime": f"{now + timedelta(hours=4):{KADENCE_TIME}}",
            },
        )
        assert response.status_code == 201, response.text
        return request_line("POST", f"/v1/public/bookings/{response.json()['id']}/check-in", {"userId": person})

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(book, desks, people))


if __name__ == "__main__":
    main()
