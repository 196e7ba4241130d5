"""Stores the benchmarks serve, made before the server starts: the bench workplace (one building
open around the clock, rooms ROOMS, and as many hoteled desks as people) and reservations added
to a store in bulk, with their occurrence rows, as if booked through the APIs.

The bulk reservations lie in the past (from BULK_PAST back) and in the future (from BULK_FUTURE
on), an hour each at most, so that the requests the benchmarks time, which book within the next
month or two years ahead, never meet one of them and still answer 201.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
from sqlalchemy import func, insert, select

from sandbox.core import occurrences
from sandbox.core.clock import Clock
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.loader import load
from sandbox.store.engine import Store
from sandbox.store.models import Occurrence, Reservation, Resource, User

ROOMS = range(101, 111)
CLIENT = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
ROBIN_TOKEN = "demo-robin-token"
ORGANIZATION = 1
BULK_FUTURE = timedelta(days=90)
"""The first day of the future bulk reservations, from today."""
BULK_PAST = timedelta(days=91)
"""The last day of the past bulk reservations, before today."""
BULK_MINUTES = 50
"""Each bulk reservation's length, from the start of an hour."""
KINDS = {"desk": "seat", "space": "event"}


@dataclass
class Workplace:
    """What the bench workplace's store holds, as each API names it."""

    rooms: list[int]
    desks: list[int]
    """Robin's seat ids, in the order of `desk_ulids`."""
    desk_ulids: list[str]
    """Kadence's space ids of the same desks."""
    people: list[int]
    """Robin's user ids, in the order of `people_ulids`; person n is the one who books desk n."""
    people_ulids: list[str]


def kadence_headers(base: str) -> dict[str, str]:
    """Headers of Kadence requests with a token of the demo client's (the demo's and the bench
    workplace's)."""
    token = httpx.post(f"{base}/oauth2/token", data=CLIENT).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def bench_fixture(desks: int) -> dict[str, Any]:
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
                "access_tokens": [{"token": ROBIN_TOKEN, "user": people[0]["email"]}],
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


def seeded_store(data_dir: Path, fixture: Path, reservations: int = 0) -> Store:
    """A new SQLite store in `data_dir` (where `serve --data-dir` finds it) seeded with `fixture`
    and holding `reservations` more in bulk; the caller disposes of it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(f"sqlite:///{data_dir / 'sandbox.db'}")
    store.prepare()
    clock = Clock()
    load(store, read_fixture(fixture), clock, fixture.name)
    add_reservations(store, reservations, clock.wall())
    return store


def bench_workplace(data_dir: Path, desks: int, reservations: int = 0) -> Workplace:
    """The bench workplace with `desks` desks and people, seeded into a store in `data_dir` with
    `reservations` in bulk: what it holds."""
    fixture = data_dir.parent / f"{data_dir.name}-workplace.json"
    fixture.write_text(json.dumps(bench_fixture(desks)))
    store = seeded_store(data_dir, fixture, reservations)
    with store.session() as session:
        rooms = session.scalars(select(Resource.id).where(Resource.kind == "space", Resource.is_reservable.is_(True))).all()
        desk_rows = session.execute(select(Resource.id, Resource.ulid).where(Resource.kind == "desk").order_by(Resource.id)).all()
        people = session.execute(select(User.id, User.ulid).order_by(User.id)).all()
    store.dispose()
    return Workplace(
        sorted(rooms),
        [row.id for row in desk_rows],
        [row.ulid for row in desk_rows],
        [row.id for row in people],
        [row.ulid for row in people],
    )


def add_reservations(store: Store, count: int, now: datetime) -> None:
    """`count` reservations of organization ORGANIZATION's reservable rooms and desks, in turn, each
    with its occurrence row: one in the past and one in the future for each resource in turn, then
    again an hour further from `now` (a day's hours, then the next day's), BULK_MINUTES long from
    the start of an hour."""
    if count == 0:
        return
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    with store.session(write=True) as session:
        resources = bookable(session, KINDS)
        people = session.scalars(select(User.id).where(User.organization_id == ORGANIZATION).order_by(User.id)).all()
        first_id = (session.scalar(select(func.max(Reservation.id))) or 0) + 1
        reservations, rows = [], []
        for number in range(count):
            resource = resources[number // 2 % len(resources)]
            turn = number // (2 * len(resources))
            hours = timedelta(days=turn // 24, hours=turn % 24)
            start = today + BULK_FUTURE + hours if number % 2 else today - BULK_PAST - hours
            end = start + timedelta(minutes=BULK_MINUTES)
            identifier = first_id + number
            person = people[number % len(people)]
            created = min(start, now) - timedelta(days=3)
            reservations.append(
                reservation_row(
                    identifier,
                    resource,
                    KINDS[resource.kind],
                    person,
                    start,
                    end,
                    created,
                    status="confirmed",
                    title=f"Bulk {number}",
                    time_zone="UTC",
                    series_end=end,
                    indexed_until=occurrences.index_until(start, created),
                    source="publicApi" if resource.kind == "desk" else "robin",
                )
            )
            rows.append(occurrence_row(identifier, resource, start, end, start))
        session.execute(insert(Reservation), reservations)
        session.execute(insert(Occurrence), rows)
        at_least_an_hour(session)
        session.commit()


def bookable(session: Any, kinds: Iterable[str]) -> list[Any]:
    """Organization ORGANIZATION's reservable resources of `kinds` that aren't disabled: the id,
    kind and building of each."""
    return list(
        session.execute(
            select(Resource.id, Resource.kind, Resource.building_id).where(
                Resource.organization_id == ORGANIZATION,
                Resource.kind.in_(tuple(kinds)),
                Resource.is_reservable.is_(True),
                Resource.is_disabled.is_(False),
            )
        ).all()
    )


def reservation_row(
    identifier: int, resource: Any, kind: str, person: int, start: datetime, end: datetime, created: datetime, **fields: Any
) -> dict[str, Any]:
    """A reservation of `resource` by `person`, made at `created`, as the bulk inserts write it:
    what every bench reservation has, and `fields` (status, title, times, source...)."""
    desk = resource.kind == "desk"
    return {
        "id": identifier,
        "ulid": f"{identifier:026d}",
        "organization_id": ORGANIZATION,
        "resource_id": resource.id,
        "building_id": resource.building_id,
        "kind": kind,
        "reservation_type": "hoteled" if desk else None,
        "visibility": "default",
        "show_as": "busy",
        "is_all_day": False,
        "start": start,
        "end": end,
        "release_after_s": 1800 if desk else None,
        "organizer_id": person,
        "creator_id": person,
        "creation_type": "manual",
        "created_at": created,
        "updated_at": created,
        **fields,
    }


def occurrence_row(identifier: int, resource: Any, start: datetime, end: datetime, original_start: datetime) -> dict[str, Any]:
    """The occurrence index's row of reservation `identifier`: a desk's released half an hour
    after its start unless confirmed."""
    return {
        "reservation_id": identifier,
        "organization_id": ORGANIZATION,
        "resource_id": resource.id,
        "building_id": resource.building_id,
        "start": start,
        "end": end,
        "original_start": original_start,
        "release_at": start + timedelta(minutes=30) if resource.kind == "desk" else None,
    }


def at_least_an_hour(session: Any) -> None:
    """What booking through the APIs keeps: each resource's longest booking, here at least an hour."""
    longest = Resource.__table__.c.longest_booking_s
    session.execute(Resource.__table__.update().where(longest < 3601).values(longest_booking_s=3601))
