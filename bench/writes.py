"""Booking writes under wrk on loopback, each as a share of the framework floor
(bench/floor_app.py) and of the write floor (bench/write_floor_app.py), both measured in the same
run, before and after: Robin POST /v1.0/spaces/:id/events and POST /v1.0/seats/:id/reservations,
Kadence POST /oauth2/token, POST /v1/public/bookings (desks), POST /v1/public/bookings/:id/check-in
and POST /v1/public/bookings/:id/cancel.

    .venv/bin/python bench/writes.py [--seconds 5] [--connections 16] [--desks 5000]

Every request books a slot nobody holds, or checks in to or cancels a booking nobody else has
touched, so each should answer 201 (a seat reservation 200, as the live API answers); any other
answer is counted and printed as an error. wrk walks lists of requests written here
(bench/lua/walk.lua). The store holds the bench workplace (bench/workplace.py: one building open
around the clock and bookable a year ahead, 10 rooms, and --desks desks and people), so that as
many desk bookings can be checked in to or cancelled at once; those bookings are made beforehand
with httpx.

The write floor: Robin's event requests sent to a bare FastAPI endpoint that checks the slot and
inserts the event in one SQLite transaction through sqlite3, about the least a booking write can
cost on this stack. bench/report.py gives each write against it, with its target.
"""

import argparse
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
from workplace import CLIENT, ROBIN_TOKEN, ROOMS, Workplace, bench_workplace, kadence_headers

ROBIN = {"Authorization": f"Access-Token {ROBIN_TOKEN}", "Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
KADENCE_TIME = "%Y-%m-%dT%H:%M:%S"
ROBIN_TIME = "%Y-%m-%dT%H:%M:%SZ"
WRITES = (
    "Robin POST /spaces/:id/events",
    "Robin POST /seats/:id/reservations",
    "Kadence POST /bookings (desks)",
    "Kadence POST /bookings/:id/check-in",
    "Kadence POST /bookings/:id/cancel",
)
"""The writes bench/report.py holds to a target, as `write_cases` names them."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--desks", type=int, default=5000, help="desks and people, the most bookings to check in to")
    options = parser.parse_args()
    require_wrk()

    floors = [floor_load(seconds=options.seconds, connections=options.connections)]
    enough = enough_requests(floors[0], options.seconds)
    with tempfile.TemporaryDirectory() as scratch:
        write_floors = [write_floor(Path(scratch), enough, 0, seconds=options.seconds, connections=options.connections)]
        workplace = bench_workplace(Path(scratch) / "data", options.desks)
        port = free_port()
        with started(sandbox_command(port, Path(scratch) / "data"), port) as sandbox:
            results = list(
                write_cases(sandbox.base, workplace, enough, seconds=options.seconds, connections=options.connections, token=True)
            )
        write_floors.append(write_floor(Path(scratch), enough, 1, seconds=options.seconds, connections=options.connections))
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


def enough_requests(floor: Load, seconds: int) -> int:
    """No write outruns the floor, so this many distinct requests are more than wrk can send."""
    return int(floor.requests_per_second * seconds * 1.5)


def write_floor(scratch: Path, enough: int, run: int, *, seconds: int, connections: int) -> Load:
    """The write floor on a store in `scratch`, walking the `run`th `enough` of Robin's event
    requests (each run books slots the runs before it left free)."""
    port = free_port()
    environment = {"SANDBOX_WRITE_FLOOR_DB": str(scratch / "write-floor.db")}
    with started(floor_command(port, "write_floor_app"), port, env=environment) as floor:
        requests = _robin_events((run + 1) * enough)[run * enough :]
        return walk(floor.base, requests, headers=ROBIN, seconds=seconds, connections=connections)


def write_cases(
    base: str, workplace: Workplace, enough: int, *, seconds: int, connections: int, token: bool = False
) -> Iterator[tuple[str, Load]]:
    """Each write of WRITES (and, with `token`, Kadence's token request) measured on the bench
    workplace served at `base`, as it is measured: `enough` distinct requests of each kind, and
    as many bookings made beforehand to check in to and to cancel as four times the rate of
    booking would reach (at least 500, at most a desk each)."""
    kadence = kadence_headers(base)

    def load(requests: list[str], headers: dict[str, str]) -> Load:
        return walk(base, requests, headers=headers, seconds=seconds, connections=connections)

    yield WRITES[0], load(_robin_events(enough), ROBIN)
    yield WRITES[1], load(_seat_reservations(workplace, enough), ROBIN)
    if token:
        yield "Kadence POST /oauth2/token", load([request_line("POST", "/oauth2/token", urlencode(CLIENT))], FORM)
    booked = load(_desk_bookings(workplace, enough), kadence)
    yield WRITES[2], booked
    # Check-in and cancel are lighter than booking: four times what booking managed should outlast wrk.
    pool = min(len(workplace.desks), max(500, int(4 * booked.requests_per_second * seconds)))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with httpx.Client(base_url=base, headers=kadence, timeout=30) as client:
        check_ins = _booked_beforehand(client, workplace, pool, now, "check-in")
        yield WRITES[3], _within(pool, load(check_ins, kadence))
        tomorrow = now.replace(hour=9, minute=0) + timedelta(days=1)
        cancels = _booked_beforehand(client, workplace, pool, tomorrow, "cancel")
        yield WRITES[4], _within(pool, load(cancels, kadence))


def _within(pool: int, run: Load) -> Load:
    """`run`, with a refusal that says so where wrk ran past the `pool` bookings made for it (the
    repeats fail): more desks, or a shorter run, would keep within them."""
    if run.requests > pool:
        run.refusals.append(f"ran past the {pool} bookings made beforehand (more desks, or a shorter run)")
    return run


def robin_times(start: datetime, end: datetime, time_zone: str = "UTC") -> dict[str, dict[str, str]]:
    """The `start` and `end` of a Robin event or seat reservation, in UTC, read in `time_zone`."""
    return {
        "start": {"date_time": f"{start:{ROBIN_TIME}}", "time_zone": time_zone},
        "end": {"date_time": f"{end:{ROBIN_TIME}}", "time_zone": time_zone},
    }


def _robin_events(count: int) -> list[str]:
    """Half-hour events in the rooms in turn, each room's next half-hour after the last, from the
    new year after next."""
    origin = datetime(datetime.now(UTC).year + 2, 1, 1, tzinfo=UTC)
    requests = []
    for number in range(count):
        start = origin + timedelta(minutes=30 * (number // len(ROOMS)))
        requests.append(
            request_line(
                "POST",
                f"/v1.0/spaces/{ROOMS[number % len(ROOMS)]}/events",
                {"title": "Benchmark", **robin_times(start, start + timedelta(minutes=30))},
            )
        )
    return requests


def _seat_reservations(workplace: Workplace, count: int) -> list[str]:
    """Person n reserves desk n through Robin from 12:00 for four hours, from the day after
    tomorrow on, day after day."""
    return [
        request_line(
            "POST",
            f"/v1.0/seats/{workplace.desks[desk]}/reservations",
            {
                "type": "hoteled",
                **robin_times(start, start + timedelta(hours=4)),
                "reservee": {"user_id": workplace.people[desk]},
            },
        )
        for desk, start in _desk_days(len(workplace.desks), count, hour=12)
    ]


def _desk_bookings(workplace: Workplace, count: int) -> list[str]:
    """Person n books desk n through Kadence for the morning, from the day after tomorrow on, day
    after day."""
    return [
        request_line(
            "POST",
            "/v1/public/bookings",
            {
                "userId": workplace.people_ulids[desk],
                "spaceId": workplace.desk_ulids[desk],
                "startDateTime": f"{start:{KADENCE_TIME}}",
                "endDateTime": f"{start + timedelta(hours=8):{KADENCE_TIME}}",
            },
        )
        for desk, start in _desk_days(len(workplace.desk_ulids), count, hour=0)
    ]


def _desk_days(desks: int, count: int, *, hour: int) -> Iterator[tuple[int, datetime]]:
    """For each of `count` requests, desk n (and person n) in turn and the day it books, at
    `hour` UTC: all the desks on the day after tomorrow, then all on the next day, and so on."""
    today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    for number in range(count):
        yield number % desks, today + timedelta(days=2 + number // desks)


def _booked_beforehand(client: httpx.Client, workplace: Workplace, pool: int, start: datetime, action: str) -> list[str]:
    """Person n books desk n from `start` for an hour, for the first `pool` desks; the request
    `action` (check-in or cancel) of each of those bookings, on that person's behalf."""

    def book(desk: str, person: str) -> str:
        response = client.post(
            "/v1/public/bookings",
            json={
                "userId": person,
                "spaceId": desk,
                "startDateTime": f"{start:{KADENCE_TIME}}",
                "endDateTime": f"{start + timedelta(hours=1):{KADENCE_TIME}}",
            },
        )
        assert response.status_code == 201, response.text
        return request_line("POST", f"/v1/public/bookings/{response.json()['id']}/{action}", {"userId": person})

    with ThreadPoolExecutor(8) as threads:
        return list(threads.map(book, workplace.desk_ulids[:pool], workplace.people_ulids[:pool]))


if __name__ == "__main__":
    main()
