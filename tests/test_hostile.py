"""Absurd input gets a clear refusal in each API's own error shape, quickly, in little memory,
and stores nothing."""

import base64
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.datastructures import QueryParams

from sandbox.kadence.requests import paging
from sandbox.settings import Settings
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
    ("POST", "/spaces/48/events", "x" * 500_000),
    ("GET", "/spaces/48/events?after=2031-01-01T00:00:00Z&title=a%00b", None),
    ("POST", "/spaces/48/events", event(title="a\u0000b")),
]

MEMORY_BOUND = 32 * 2**20
"""What any one of these requests may allocate, client and server together (the largest, ten
thousand invitees, takes about 10 MiB): none may grow with the absurd number it was sent."""


def measured(call: Callable[[], Any]) -> tuple[Any, float, int]:
    """The call's answer, its seconds and the peak of what it allocated in bytes."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    try:
        answer = call()
        return answer, time.perf_counter() - started, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("method", "path", "body"), ROBIN_CASES, ids=[f"{m} {p[:40]} {i}" for i, (m, p, _) in enumerate(ROBIN_CASES)])
def test_robin_refuses_absurd_input_quickly(robin, store, method, path, body):
    before = dump(store)

    response, seconds, peak = measured(lambda: robin.request(method, path, **({"json": body} if body is not None else {})))

    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert response.status_code == 400, response.text[:300]
    assert response.json()["meta"]["status_code"] == 400
    assert dump(store) == before


@pytest.mark.parametrize(("query", "body"), [
    ("page=99999999999999", None),
    ("userId=a%00b", None),
    (None, {"startDateTime": "2031-01-01T10:00:00", "endDateTime": "2031-01-01T11:00:00", "note": "a\u0000b"}),
    ("startDateTime[after]=99999-01-01T00:00:00", None),
    (None, {"startDateTime": "9999-12-31T22:00:00", "endDateTime": "9999-12-31T23:00:00"}),
    (None, {"startDateTime": "99999-01-01T00:00:00", "endDateTime": "99999-01-01T01:00:00"}),
])
def test_kadence_refuses_absurd_input_quickly(kadence, store, query, body):
    before = dump(store)
    who = {"userId": user_id(kadence, "ben.carter@meridian.example"), "spaceId": space_id(kadence, "A-03")}

    response, seconds, peak = measured(
        lambda: kadence.get(f"/bookings?{query}") if body is None else kadence.post("/bookings", json={**who, **body})
    )

    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert response.status_code in (400, 422), response.text[:300]
    assert response.json()["@type"] in ("hydra:Error", "ConstraintViolationList")
    assert dump(store) == before


# Bodies over the limit (10 MiB by default) are refused before they are read, however they arrive.

FIFTY_MEGABYTES = b'{"title": "' + b"x" * 50_000_000 + b'"}'


def chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


@pytest.mark.parametrize("body", [FIFTY_MEGABYTES, "chunks"], ids=["with Content-Length", "in chunks"])
@pytest.mark.parametrize(("path", "shape"), [
    ("/v1.0/spaces/48/events", lambda body: body["meta"]["status"] == "REQUEST_ENTITY_TOO_LARGE"),
    ("/v1/public/bookings", lambda body: body["@type"] == "hydra:Error"),
    ("/oauth2/token", lambda body: body["error"] == "invalid_request"),
    ("/_sandbox/faults", lambda body: "error" in body),
])
def test_a_body_over_the_limit_answers_413_in_the_apis_shape(client, robin, kadence, store, path, shape, body):
    headers = {**(robin.headers if path.startswith("/v1.0") else kadence.headers), "Content-Type": "application/json"}
    before = dump(store)

    response, seconds, peak = measured(
        lambda: client.post(path, content=FIFTY_MEGABYTES if body is FIFTY_MEGABYTES else chunks(12 * 2**20), headers=headers)
    )

    assert response.status_code == 413, response.text[:300]
    assert shape(response.json())
    assert "10485760 bytes" in response.text
    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert dump(store) == before


def test_a_body_at_the_limit_is_read(robin):
    padding = " " * (Settings().max_body_bytes - len(json.dumps(EVENT)))
    body = json.dumps(EVENT) + padding

    response = robin.post("/spaces/48/events", content=body, headers={"Content-Type": "application/json"})

    assert len(body.encode()) == Settings().max_body_bytes
    assert response.status_code == 201, response.text[:300]


# Absurd but lawful: accepted, and bounded all the same.


def test_a_recurrence_with_no_end_is_accepted_and_listed_within_bounds(robin, store):
    series, seconds, peak = measured(lambda: robin.post("/spaces/48/events", json=event(recurrence=["RRULE:FREQ=DAILY"])))
    far, far_seconds, far_peak = measured(
        lambda: robin.get("/spaces/48/events", params={"after": "2038-06-01T00:00:00Z", "before": "2038-06-08T00:00:00Z"})
    )

    assert series.status_code == 201, series.text[:300]
    assert seconds < 10 and far_seconds < 10
    assert peak < MEMORY_BOUND and far_peak < MEMORY_BOUND
    # RFC 5545 lets a series run forever: its instances go on being listed, seven in a week.
    assert len([item for item in far.json()["data"] if item["title"] == "x"]) == 7


def test_kadence_reads_a_billion_items_per_page_as_its_maximum(kadence):
    response, seconds, peak = measured(lambda: kadence.get("/users", params={"itemsPerPage": 1_000_000_000}))

    assert response.status_code == 200
    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert response.json()["hydra:totalItems"] == len(response.json()["hydra:member"])
    # API Platform reads more than its maximum as the maximum (the vendor document's 500).
    assert paging(QueryParams("itemsPerPage=1000000000")) == (1, 500)


# NUL characters: no field holds one, and PostgreSQL can't store one, however it is sent.

NUL_TITLE = {**EVENT, "title": "a\u0000b"}


@pytest.mark.parametrize(("body", "refusal"), [
    (json.dumps(NUL_TITLE).encode("utf-16"), "title: must not contain a NUL character"),
    (json.dumps(NUL_TITLE).encode("utf-32"), "title: must not contain a NUL character"),
    # Nested deeper than the parser goes: refused as unreadable, the NUL never looked at.
    (b"[" * 2000 + b'"\\u0000"' + b"]" * 2000, None),
])
def test_robin_refuses_a_nul_however_the_body_is_encoded(robin, store, body, refusal):
    before = dump(store)

    response = robin.post("/spaces/48/events", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text[:300]
    if refusal is not None:
        assert response.json()["meta"]["errors"][0]["message"] == refusal
    assert dump(store) == before


@pytest.mark.parametrize(("body", "headers"), [
    (b"grant_type=client_credentials&client_id=demo\x00client&client_secret=x", {"Content-Type": "application/x-www-form-urlencoded"}),
    (b"grant_type=client_credentials&client_id=demo%00client&client_secret=x", {"Content-Type": "text/plain"}),
    (b"grant_type=client_credentials&client_id=demo%00client&client_secret=x", {}),
])
def test_the_token_endpoint_refuses_a_nul_as_an_invalid_request(client, body, headers):
    response = client.post("/oauth2/token", content=body, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "client_id" in response.json()["error_description"]


def test_basic_credentials_holding_a_nul_are_an_unknown_client(client):
    credentials = base64.b64encode(b"demo%00client:demo-secret").decode()

    response = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {credentials}"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_sandbox/snapshots/a%00"), ("DELETE", "/_sandbox/snapshots/a%00"), ("POST", "/_sandbox/snapshots/a%00/restore"),
    ("GET", "/_sandbox/organizations/a%00/clock"), ("POST", "/_sandbox/organizations/a%00/reset"),
])
def test_the_control_plane_finds_nothing_at_a_path_holding_a_nul(client, method, path):
    response = client.request(method, path)

    assert response.status_code == 404
    assert "error" in response.json()


def test_credentials_are_checked_before_what_the_body_or_query_holds(anonymous, client):
    robin = anonymous.post("/spaces/48/events", json=NUL_TITLE)
    query = anonymous.get("/spaces/48/events", params={"after": "a\u0000"})
    kadence = client.get("/v1/public/users", params={"email": "a\u0000"})

    assert (robin.status_code, query.status_code, kadence.status_code) == (401, 401, 401)
