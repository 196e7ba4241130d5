"""Tenants at the same time: requests released together (tests/concurrency.py) to create tenants,
reset one while another books and book their own copies of one desk, and the credentials of a
tenant both workers have read, once it is dropped; against a served sandbox with two worker
processes on the backend under test.

One server for the module; each case makes the tenants it needs (copies of the demo) and books at
14:00 UTC on weekdays of its own, three weeks or more from today (past the demo's closures).
"""

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2 as httpx
import pytest

from sandbox.control import snapshots
from sandbox.core import occurrences
from sandbox.store.engine import Store
from tests.concurrency import released_together
from tests.conftest import new_store
from tests.control.test_tenants import outside_references, rows_owned
from tests.test_races import TAKEN, event_body, kadence_time, outcome, wire
from tests.test_serve import Server, serving

pytestmark = pytest.mark.slow

ORGANIZATIONS = "/_sandbox/organizations"
TIMEOUT = 120
"""Seconds a request may take: eight copies of the workplace made one after the other on a busy
machine take a few."""
NEW_YORK_ROOMS = ("Hudson", "East River", "Liberty", "Phone Booth 1A", "Phone Booth 1B", "Brooklyn", "Queens", "Focus Room")


@dataclass
class Site:
    base: str
    server: Server
    store: Store
    days: Iterator[int] = field(default_factory=lambda: itertools.count(21))

    def tail(self) -> str:
        return "\n".join(line for line in self.server.output.splitlines() if not line.startswith("INFO:"))[-3000:]

    def slot(self) -> datetime:
        """14:00 UTC on a weekday no other case uses."""
        while True:
            day = datetime.now(UTC).date() + timedelta(days=next(self.days))
            if day.weekday() < 5:
                return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    store = new_store(tmp_path_factory.mktemp("tenant-races"))
    with serving("--database-url", store.url, "--workers", "2") as (base, server):
        yield Site(base, server, store)


@dataclass
class Tenant:
    """A tenant as made, with its administrator's headers on each API."""

    made: dict[str, Any]
    robin: dict[str, str]
    kadence: dict[str, str]

    @property
    def id(self) -> int:
        return int(self.made["id"])


def made(site: Site, response: httpx.Response) -> Tenant:
    assert response.status_code == 201, f"{response.text}\n{site.tail()}"
    body = response.json()
    (token,) = [item["access_token"] for item in body["robin"]["access_tokens"] if item["role"] == "admin"]
    client = body["kadence"]["clients"][0]
    minted = httpx.post(
        f"{site.base}/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": client["client_id"], "client_secret": client["client_secret"]},
        timeout=TIMEOUT,
    )
    assert minted.status_code == 200, minted.text
    return Tenant(body, {"Authorization": f"Access-Token {token}"}, {"Authorization": f"Bearer {minted.json()['access_token']}"})


def create(site: Site, **body: Any) -> Tenant:
    return made(site, httpx.post(f"{site.base}{ORGANIZATIONS}", json=body, timeout=TIMEOUT))


def robin(site: Site, tenant: Tenant, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{site.base}/v1.0{path}", headers=tenant.robin, timeout=TIMEOUT, **kwargs)


def kadence(site: Site, tenant: Tenant, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(method, f"{site.base}/v1/public{path}", headers=tenant.kadence, timeout=TIMEOUT, **kwargs)


def members(site: Site, tenant: Tenant, path: str, **params: Any) -> list[dict[str, Any]]:
    response = kadence(site, tenant, "GET", path, params={"itemsPerPage": 500, **params})
    assert response.status_code == 200, response.text
    return response.json()["hydra:member"]  # type: ignore[no-any-return]  # decoded JSON


def rooms(site: Site, tenant: Tenant) -> dict[str, int]:
    """Robin's ids of the rooms of the tenant's New York office, by name."""
    location = robin(site, tenant, "GET", f"/organizations/{tenant.id}/locations").json()["data"][0]["id"]
    spaces = robin(site, tenant, "GET", f"/locations/{location}/spaces", params={"per_page": 100}).json()["data"]
    return {space["name"]: space["id"] for space in spaces}


def desk_booking(site: Site, tenant: Tenant, desk: str, start: datetime) -> dict[str, Any]:
    (ben,) = [user["id"] for user in members(site, tenant, "/users") if user["email"].startswith("ben.carter@")]
    (space,) = [space["id"] for space in members(site, tenant, "/spaces") if space["name"] == desk]
    return {
        "userId": ben,
        "spaceId": space,
        "startDateTime": kadence_time(start),
        "endDateTime": kadence_time(start + timedelta(hours=1)),
    }


def assert_index_holds(site: Site) -> None:
    with site.store.session() as session:
        assert occurrences.index_faults(session) == [], site.tail()


def test_eight_tenants_made_at_once_are_each_whole_and_usable(site: Site) -> None:
    responses = released_together(lambda _: httpx.post(f"{site.base}{ORGANIZATIONS}", json={}, timeout=TIMEOUT), 8)

    tenants = [made(site, response) for response in responses]
    for key in ("id", "ulid", "slug"):
        assert len({tenant.made[key] for tenant in tenants}) == 8, key
    seed = snapshots.find(site.store, snapshots.SEED)
    template = rows_owned(site.store, 1, in_snapshot=seed.id)
    for table in ("tenant", "oauth_token"):
        template.pop(table)
    buildings = set()
    for tenant in tenants:
        listed = robin(site, tenant, "GET", "/me/organizations").json()["data"]
        assert [item["id"] for item in listed] == [tenant.id]
        buildings |= {building["id"] for building in members(site, tenant, "/buildings")}
        copied = rows_owned(site.store, tenant.id)
        assert copied.pop("tenant") == copied.pop("oauth_token") == 1  # The token `made` minted.
        assert copied == template
        assert outside_references(site.store, tenant.id)[1] == []
    assert len(buildings) == 8 * 2


def test_of_eight_tenants_asking_for_one_slug_at_once_one_is_made(site: Site) -> None:
    responses = released_together(
        lambda _: httpx.post(f"{site.base}{ORGANIZATIONS}", json={"slug": "contested"}, timeout=TIMEOUT), 8
    )

    assert Counter(response.status_code for response in responses) == {201: 1, 409: 7}, site.tail()
    listed = httpx.get(f"{site.base}{ORGANIZATIONS}", timeout=TIMEOUT).json()
    assert [item["slug"] for item in listed].count("contested") == 1


def test_resets_of_one_tenant_beside_bookings_in_another_leave_those_bookings(site: Site) -> None:
    reset, booking = create(site), create(site)
    start = site.slot()
    clean = members(site, reset, "/bookings")
    reset_rooms, booking_rooms = rooms(site, reset), rooms(site, booking)
    undone = [
        robin(site, reset, "POST", f"/spaces/{reset_rooms[name]}/events", json=event_body(start)) for name in NEW_YORK_ROOMS[:3]
    ]
    assert {response.status_code for response in undone} == {201}

    def send(position: int) -> httpx.Response:
        if position % 2:
            room = booking_rooms[NEW_YORK_ROOMS[position // 2]]
            return robin(site, booking, "POST", f"/spaces/{room}/events", json=event_body(start))
        return httpx.post(f"{site.base}{ORGANIZATIONS}/{reset.id}/reset", json={}, timeout=TIMEOUT)

    responses = released_together(send, 16)

    assert Counter(outcome(response) for response in responses) == {(204, ""): 8, (201, ""): 8}, site.tail()
    for response in responses[1::2]:
        event = robin(site, booking, "GET", f"/events/{response.json()['data']['id']}")
        assert event.status_code == 200
        assert event.json()["data"]["status"] == "confirmed"
    for response in undone:
        assert robin(site, reset, "GET", f"/events/{response.json()['data']['id']}").status_code == 404
    assert members(site, reset, "/bookings") == clean
    assert_index_holds(site)


def test_two_tenants_booking_their_copies_of_one_desk_at_once_each_get_it(site: Site) -> None:
    start = site.slot()
    # Desks are booked at most two weeks ahead: the tenants' clocks stop the day before.
    first, second = (create(site, clock={"mode": "frozen", "at": wire(start - timedelta(days=1))}) for _ in range(2))
    bodies = [desk_booking(site, tenant, "A-03", start) for tenant in (first, second)]

    responses = released_together(
        lambda position: kadence(site, (first, second)[position % 2], "POST", "/bookings", json=bodies[position % 2]), 20
    )

    for parity in (0, 1):
        assert Counter(outcome(response) for response in responses[parity::2]) == {(201, ""): 1, (422, TAKEN): 9}, site.tail()
    assert_index_holds(site)


def test_a_dropped_tenants_credentials_fail_on_every_worker(site: Site) -> None:
    tenant = create(site)
    before = released_together(lambda _: robin(site, tenant, "GET", "/me").status_code, 20)
    assert before == [200] * 20

    dropped = httpx.delete(f"{site.base}{ORGANIZATIONS}/{tenant.id}", headers={"X-Sandbox-Control": "1"}, timeout=TIMEOUT)

    assert dropped.status_code == 204, dropped.text
    after = released_together(
        lambda position: (
            (robin(site, tenant, "GET", "/me") if position % 2 else kadence(site, tenant, "GET", "/buildings")).status_code
        ),
        20,
    )
    assert after == [401] * 20
