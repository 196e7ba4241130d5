"""Absurd input gets a clear refusal in each API's own error shape, quickly, and stores nothing."""

import time
from typing import Any

import pytest

from tests.control.test_snapshot_rules import dump
from tests.kadence.lookups import space_id, user_id

EVENT = {"title": "x", "start": {"date_time": "2031-01-01T10:00:00Z", "time_zone": "UTC"}, "end": {"date_time": "2031-01-01T11:00:00Z", "time_zone": "UTC"}}


def event(**fields: Any) -> dict[str, Any]:
    return {**EVENT, **fields}


ROBIN_CASES = [
    ("GET", "/locations/10/spaces?per_page=1000000000", None),
    ("GET", "/locations/10/spaces?page=1000000000000", None),
    ("GET", "/spaces/48/events?after=99999-01-01T00:00:00Z", None),
    ("POST", "/spaces/48/events", event(start={"date_time": "99999-01-01T10:00:00Z", "time_zone": "UTC"})),
    ("POST", "/spaces/48/events", event(
        start={"date_time": "9999-12-31T22:00:00Z", "time_zone": "UTC"}, end={"date_time": "9999-12-31T23:00:00Z", "time_zone": "UTC"},
    )),
    ("POST", "/spaces/48/events", event(invitees=[{"email": f"guest{n}@example.com"} for n in range(10_000)])),
    ("POST", "/spaces/48/events", event(recurrence=["RRULE:FREQ=MINUTELY"])),
    ("POST", "/spaces/48/events", event(start={"date_time": "2031-01-01T10:00:00", "time_zone": "Mars/Olympus"})),
    ("POST", "/spaces/48/events", event(start={"date_time": "2031-01-01T10:00:00", "time_zone": "../../etc/passwd"})),
    ("POST", "/free-busy/spaces", {"scope": {"space_ids": list(range(1, 100_000))}}),
    ("POST", "/spaces/48/events", "x" * 5_000_000),
]


@pytest.mark.parametrize(("method", "path", "body"), ROBIN_CASES, ids=[f"{m} {p[:40]} {i}" for i, (m, p, _) in enumerate(ROBIN_CASES)])
def test_robin_refuses_absurd_input_quickly(robin, store, method, path, body):
    before = dump(store)
    started = time.perf_counter()

    response = robin.request(method, path, **({"json": body} if body is not None else {}))

    assert time.perf_counter() - started < 10
    assert response.status_code == 400, response.text[:300]
    assert response.json()["meta"]["status_code"] == 400
    assert dump(store) == before


@pytest.mark.parametrize(("query", "body"), [
    ("page=99999999999999", None),
    ("startDateTime[after]=99999-01-01T00:00:00", None),
    (None, {"startDateTime": "9999-12-31T22:00:00", "endDateTime": "9999-12-31T23:00:00"}),
    (None, {"startDateTime": "99999-01-01T00:00:00", "endDateTime": "99999-01-01T01:00:00"}),
])
def test_kadence_refuses_absurd_input_quickly(kadence, store, query, body):
    before = dump(store)
    started = time.perf_counter()
    if body is None:
        response = kadence.get(f"/bookings?{query}")
    else:
        who = {"userId": user_id(kadence, "ben.carter@meridian.example"), "spaceId": space_id(kadence, "A-03")}
        response = kadence.post("/bookings", json={**who, **body})

    assert time.perf_counter() - started < 10
    assert response.status_code in (400, 422), response.text[:300]
    assert response.json()["@type"] in ("hydra:Error", "ConstraintViolationList")
    assert dump(store) == before
