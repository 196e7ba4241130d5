"""A suite of 200 tests that would collide on one shared workplace: each books the same desk
(through Kadence) and the same room (through Robin) for the same hour, then cancels both.

Run it against one server with several workers, each in an organization of its own:

    SANDBOX_URL=http://127.0.0.1:8000 pytest -p no:cacheprovider -n 4 bench/tenant_suite.py

(`--sandbox-isolation=tenant` is the default under xdist with SANDBOX_URL; without SANDBOX_URL,
add it, and xdist's controller starts one server for the workers.) `bench/tenants.py` times it
at -n 0, 2 and 4; `tests/testing/test_tenant_suite.py` runs it on each backend.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from sandbox.testing.control import Sandbox

TESTS = 200
DESK = "A-06"
ROOM = "Focus Room"


def call(method: str, url: str, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = Request(url, data=data, method=method, headers={**headers, "Content-Type": "application/json"})
    try:
        with urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except HTTPError as error:
        with error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None


@pytest.fixture(scope="session")
def places(sandbox_server: Sandbox) -> dict[str, Any]:
    """The desk's Kadence id and the room's Robin id in this process's organization, and who books."""
    kadence = sandbox_server.kadence_headers()
    status, spaces = call("GET", f"{sandbox_server.kadence_url}/spaces?itemsPerPage=500", kadence)
    assert status == 200, spaces
    desk = next(space["id"] for space in spaces["hydra:member"] if space["name"] == DESK)
    robin = sandbox_server.robin_headers
    organization = sandbox_server.organization
    status, locations = call("GET", f"{sandbox_server.robin_url}/organizations/{organization}/locations?per_page=100", robin)
    assert status == 200, locations
    room = None
    for location in locations["data"]:
        status, spaces = call("GET", f"{sandbox_server.robin_url}/locations/{location['id']}/spaces?per_page=100", robin)
        room = next((space["id"] for space in spaces["data"] if space["name"] == ROOM), room)
    assert room is not None
    # The Kadence client acts as this user: the organization's administrator.
    return {"desk": desk, "room": room, "user": sandbox_server.made["kadence"]["clients"][0]["user_id"]}


@pytest.mark.parametrize("number", range(TESTS))
def test_book_and_cancel_the_same_desk_and_room(sandbox: Sandbox, places: dict[str, Any], number: int) -> None:
    now = sandbox.now()
    start = (now + timedelta(days=1)).astimezone(UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    kadence = sandbox.kadence_headers()

    status, booking = call(
        "POST",
        f"{sandbox.kadence_url}/bookings",
        kadence,
        {"userId": places["user"], "spaceId": places["desk"], "startDateTime": _iso(start), "endDateTime": _iso(end)},
    )
    assert status == 201, booking
    status, event = call(
        "POST",
        f"{sandbox.robin_url}/spaces/{places['room']}/events",
        sandbox.robin_headers,
        {
            "title": f"test {number}",
            "start": {"date_time": _iso(start), "time_zone": "UTC"},
            "end": {"date_time": _iso(end), "time_zone": "UTC"},
        },
    )
    assert status == 201, event

    status, cancelled = call("POST", f"{sandbox.kadence_url}/bookings/{booking['id']}/cancel", kadence, {})
    assert status == 201, cancelled
    assert cancelled["status"] == "cancelled", cancelled
    status, gone = call("DELETE", f"{sandbox.robin_url}/events/{event['data']['id']}", sandbox.robin_headers)
    assert status == 200, gone
    sandbox.journal.assert_requested(method="POST", path="/v1/public/bookings", times=1)


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
