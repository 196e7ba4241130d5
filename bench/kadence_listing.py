"""How Kadence's booking list grows with the organization's bookings: a page of 50 from an
organization that holds 100 bookings, and from one that holds 10,000, on real servers over loopback.

    .venv/bin/python bench/kadence_listing.py [--small 100] [--large 10000] [--requests 200]

Each store is the demo workplace with its organization's bookings taken away and these added:
single bookings of desks, rooms and onsite passes and weekly and daily series of rooms (about one
booking in five is an occurrence of a series, a few series have no end), spread over the year
around the clock's now, some cancelled, some occurrences cancelled on their own, some checked in
and out. The two servers run at once and take the requests in turn. Prints p50/p99 latency of GET
/v1/public/bookings?itemsPerPage=50 unfiltered, from a day on (`startDateTime[after]`) and on
`status=booked`, for each store, and the ratio large/small of the p50s. Target: at most 1.3 (the
same cost within 30 %).
"""

import argparse
import contextlib
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from harness import free_port, sandbox_command, started
from sqlalchemy import delete, func, insert, select
from workplace import at_least_an_hour, bookable, occurrence_row, reservation_row

from sandbox.core import occurrences, recurrence
from sandbox.core.clock import Clock
from sandbox.core.times import zone
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import (
    CheckIn,
    Invitee,
    Occurrence,
    OccurrenceException,
    Reservation,
    User,
    VisitAttendance,
)

ORGANIZATION = 1
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
SERIES_SHARE = 0.2
"""About this share of the added bookings are occurrences of series."""
SERIES_RULES = (
    ("RRULE:FREQ=WEEKLY;COUNT=20", 20),
    ("RRULE:FREQ=WEEKLY;COUNT=20", 20),
    ("RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=12", 12),
    ("RRULE:FREQ=DAILY;COUNT=10", 10),
)
"""The rules of the added series, in turn, with how many occurrences each has."""
ENDLESS_EVERY = 30
"""One added series in this many is weekly without end."""
WARM_UP = 30
"""Requests of each listing on each server before any is timed: each server keeps the starts of the
series it reads, and SQLite its pages."""
KINDS = {"desk": "seat", "space": "event", "onsite": "onsite"}


def prepare(data_dir: Path, bookings: int) -> None:
    """A demo store whose organization holds about `bookings` bookings, none of the demo's."""
    store = Store(f"sqlite:///{data_dir / 'sandbox.db'}")
    store.prepare()
    clock = Clock()
    load(store, read_fixture(FIXTURES_DIR / "demo.json"), clock, "demo.json")
    with store.session(write=True) as session:
        _clear_bookings(session)
        _add_bookings(session, clock.wall(), bookings)
        session.commit()
    store.dispose()


def _clear_bookings(session: Any) -> None:
    """The organization's reservations taken away, and all that hangs off them."""
    held = select(Reservation.id).where(Reservation.organization_id == ORGANIZATION)
    for table in (VisitAttendance, Invitee, CheckIn, OccurrenceException, Occurrence):
        session.execute(delete(table).where(table.reservation_id.in_(held)))
    session.execute(delete(Reservation).where(Reservation.organization_id == ORGANIZATION))


def _add_bookings(session: Any, now: datetime, bookings: int) -> None:
    resources = bookable(session, KINDS)
    rooms = [resource for resource in resources if resource.kind == "space"]
    people = session.scalars(select(User.id).where(User.organization_id == ORGANIZATION)).all()
    next_id = (session.scalar(select(func.max(Reservation.id))) or 0) + 1
    # Singles take one-hour cells of each resource, series the cells at 15:00 UTC that singles leave free.
    origin = (now - timedelta(days=182)).replace(hour=0, minute=0, second=0, microsecond=0)
    occurrence_goal = int(bookings * SERIES_SHARE)
    rows: dict[str, list[dict[str, Any]]] = {"reservation": [], "occurrence": [], "exception": [], "check_in": []}
    made = 0
    series_made = 0
    while made < occurrence_goal:
        room = rooms[series_made % len(rooms)]
        endless = series_made % ENDLESS_EVERY == ENDLESS_EVERY - 1
        line, count = ("RRULE:FREQ=WEEKLY", 52) if endless else SERIES_RULES[series_made % len(SERIES_RULES)]
        week = (series_made * 11 + 13) % 40  # Spread over 40 weeks from the origin, however few.
        start = origin + timedelta(weeks=week, days=series_made % 5, hours=15)
        _add_reservation(rows, next_id, room, people[series_made % len(people)], start, start + HOUR, now, [line], series_made)
        next_id += 1
        series_made += 1
        made += count
    # Spread over the year however few, each resource's far more than an hour apart.
    singles = max(1, bookings - made)
    for number in range(bookings - made):
        resource = resources[number % len(resources)]
        start = (origin + timedelta(days=365) * number / singles).replace(minute=0, second=0, microsecond=0)
        if start.hour == 15:
            start += HOUR
        person = people[number % len(people)]
        _add_reservation(rows, next_id, resource, person, start, start + HOUR, now, None, number)
        next_id += 1
    session.execute(insert(Reservation), rows["reservation"])
    for table, name in ((Occurrence, "occurrence"), (OccurrenceException, "exception"), (CheckIn, "check_in")):
        if rows[name]:
            session.execute(insert(table), rows[name])
    at_least_an_hour(session)


def _add_reservation(
    rows: dict[str, list[dict[str, Any]]],
    identifier: int,
    resource: Any,
    person: int,
    start: datetime,
    end: datetime,
    now: datetime,
    lines: list[str] | None,
    number: int,
) -> None:
    """One reservation, with its indexed occurrences: one in 20 cancelled, one in 7 of the past
    ones checked in (and out, one in 3 of those), one occurrence in 10 of a series cancelled."""
    series = recurrence.build(start, end, zone("America/New_York", "time_zone"), lines)
    cancelled = number % 20 == 7
    created = min(start, now) - 3 * DAY
    indexed_until = occurrences.index_until(start, created)
    rows["reservation"].append(
        reservation_row(
            identifier,
            resource,
            KINDS[resource.kind],
            person,
            start,
            end,
            created,
            status="cancelled" if cancelled else "confirmed",
            title=f"Booking {identifier}",
            time_zone="America/New_York",
            recurrence=lines,
            series_end=series.last_end(),
            indexed_until=indexed_until,
            source="publicApi",
            cancelled_at=created + HOUR if cancelled else None,
            cancelled_by_id=person if cancelled else None,
        )
    )
    if cancelled:
        return
    for position, interval in enumerate(occurrences.plan(series, set(), indexed_until)):
        if lines is not None and position % 10 == 3:
            rows["exception"].append(
                {"reservation_id": identifier, "original_start": interval.original_start, "created_at": created}
            )
            continue
        rows["occurrence"].append(occurrence_row(identifier, resource, interval.start, interval.end, interval.original_start))
        if interval.end < now and (number + position) % 7 == 0:
            rows["check_in"].append(
                {
                    "reservation_id": identifier,
                    "original_start": interval.original_start,
                    "user_id": person,
                    "checked_in_at": interval.start + timedelta(minutes=5),
                    "check_in_source": "publicApi",
                    "checked_out_at": interval.end if (number + position) % 3 == 0 else None,
                    "checked_out_by_id": person if (number + position) % 3 == 0 else None,
                }
            )


def measure(sizes: tuple[int, int], requests: int) -> dict[str, dict[int, tuple[list[float], int]]]:
    """Seconds each of `requests` GETs of each listing took on each store, after WARM_UP unmeasured
    ones, and the total the listing reported. Both servers run at once and take the requests in
    turn, so that what else the machine does slows both alike."""
    with contextlib.ExitStack() as stack:
        clients = {}
        for size in sizes:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            began = time.perf_counter()
            prepare(data_dir, size)
            print(f"{size:>8} bookings written in {time.perf_counter() - began:.1f} s")
            port = free_port()
            server = stack.enter_context(started(sandbox_command(port, data_dir), port))
            client = stack.enter_context(httpx.Client(base_url=server.base, timeout=60))
            token = client.post(
                "/oauth2/token",
                data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"},
            ).json()["access_token"]
            client.headers["Authorization"] = f"Bearer {token}"
            clients[size] = client
        day = datetime.now(UTC).strftime("%Y-%m-%dT00:00:00")
        results: dict[str, dict[int, tuple[list[float], int]]] = {}
        for name, params in cases(day).items():
            latencies: dict[int, list[float]] = {size: [] for size in sizes}
            totals = dict.fromkeys(sizes, 0)
            for index in range(requests + WARM_UP):
                # Each server goes first every other time.
                for size, client in sorted(clients.items(), reverse=index % 2 == 1):
                    began = time.perf_counter()
                    response = client.get("/v1/public/bookings", params=params)
                    elapsed = time.perf_counter() - began
                    assert response.status_code == 200, response.text
                    totals[size] = response.json()["hydra:totalItems"]
                    if index >= WARM_UP:
                        latencies[size].append(elapsed)
            results[name] = {size: (latencies[size], totals[size]) for size in sizes}
        return results


def cases(day: str) -> dict[str, dict[str, str]]:
    return {
        "unfiltered": {"itemsPerPage": "50"},
        f"startDateTime[after]={day}": {"itemsPerPage": "50", "startDateTime[after]": day},
        "status=booked": {"itemsPerPage": "50", "status": "booked"},
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=100, help="bookings in the small store's organization")
    parser.add_argument("--large", type=int, default=10_000, help="bookings in the large store's organization")
    parser.add_argument("--requests", type=int, default=200)
    arguments = parser.parse_args()
    small, large = arguments.small, arguments.large
    measured = measure((small, large), arguments.requests)
    print("GET /v1/public/bookings?itemsPerPage=50, one client on loopback, the two servers in turn")
    for name, results in measured.items():
        p50s = []
        for size, (latencies, total) in results.items():
            p50s.append(statistics.median(latencies))
            label = f"{size} written"
            print(
                f"  {name:<40} {label:<14} {total:>6} bookings  "
                f"p50 {p50s[-1] * 1000:7.2f} ms  p99 {percentile(latencies, 0.99) * 1000:7.2f} ms"
            )
        ratio = p50s[1] / p50s[0]
        print(f"  {name:<40} ratio p50 large/small {ratio:5.2f}  (target <= 1.3: {'met' if ratio <= 1.3 else 'missed'})")


if __name__ == "__main__":
    main()
