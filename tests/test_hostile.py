"""Absurd input gets a clear refusal in each API's own error shape, quickly, in little memory,
and stores nothing."""

import base64
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx
import pytest
from starlette.datastructures import QueryParams
from ulid import ULID

from sandbox.kadence.requests import paging
from sandbox.settings import Settings
from tests.conftest import new_store
from tests.control.test_snapshot_rules import dump
from tests.kadence.lookups import space_id, user_id
from tests.test_serve import ADMIN, serving

EVENT = {
    "title": "x",
    "start": {"date_time": "2031-01-01T10:00:00Z", "time_zone": "UTC"},
    "end": {"date_time": "2031-01-01T11:00:00Z", "time_zone": "UTC"},
}


def event(**fields: Any) -> dict[str, Any]:
    return {**EVENT, **fields}


ROBIN_CASES = [
    ("GET", "/locations/10/spaces?per_page=-1000000000", None),
    ("GET", "/locations/10/spaces?page=1000000000000", None),
    ("GET", "/spaces/48/events?after=99999-01-01T00:00:00Z", None),
    ("POST", "/spaces/48/events", event(start={"date_time": "99999-01-01T10:00:00Z", "time_zone": "UTC"})),
    (
        "POST",
        "/spaces/48/events",
        event(
            start={"date_time": "9999-12-31T22:00:00Z", "time_zone": "UTC"},
            end={"date_time": "9999-12-31T23:00:00Z", "time_zone": "UTC"},
        ),
    ),
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


@pytest.mark.parametrize(
    ("method", "path", "body"), ROBIN_CASES, ids=[f"{m} {p[:40]} {i}" for i, (m, p, _) in enumerate(ROBIN_CASES)]
)
def test_robin_refuses_absurd_input_quickly(robin, store, method, path, body):
    before = dump(store)

    response, seconds, peak = measured(lambda: robin.request(method, path, **({"json": body} if body is not None else {})))

    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert response.status_code == 400, response.text[:300]
    assert response.json()["meta"]["status_code"] == 400
    assert dump(store) == before


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("page=99999999999999", None),
        ("userId=a%00b", None),
        (None, {"startDateTime": "2031-01-01T10:00:00", "endDateTime": "2031-01-01T11:00:00", "note": "a\u0000b"}),
        (None, {"startDateTime": "9999-12-31T22:00:00", "endDateTime": "9999-12-31T23:00:00"}),
        (None, {"startDateTime": "99999-01-01T00:00:00", "endDateTime": "99999-01-01T01:00:00"}),
    ],
)
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


@pytest.mark.parametrize(
    "value",
    [
        "99999-01-01T00:00:00",
        "@99999999999999999999",
        "+999999999 years",
        "today " + "+1 day " * 1_000,
        "9" * 10_000,
    ],
)
def test_kadence_leaves_out_an_absurd_date_filter_quickly(kadence, store, value):
    before = dump(store)
    window = {"startDateTime[after]": "2026-03-02T00:00:00", "startDateTime[strictly_before]": "2026-03-03T00:00:00"}

    response, seconds, peak = measured(lambda: kadence.get("/bookings", params={**window, "endDateTime[before]": value}))

    assert seconds < 10
    assert peak < MEMORY_BOUND
    assert response.status_code == 200, response.text[:300]
    assert [booking["id"] for booking in response.json()["hydra:member"]] == [
        booking["id"] for booking in kadence.members("/bookings", **window)
    ]
    assert dump(store) == before


# Bodies over the limit (10 MiB by default) are refused before they are read, however they arrive.

FIFTY_MEGABYTES = b'{"title": "' + b"x" * 50_000_000 + b'"}'


def chunks(total: int, size: int = 65_536) -> Iterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


@pytest.mark.parametrize("body", [FIFTY_MEGABYTES, "chunks"], ids=["with Content-Length", "in chunks"])
@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/v1.0/spaces/48/events", lambda body: body["meta"]["status"] == "REQUEST_ENTITY_TOO_LARGE"),
        ("/v1/public/bookings", lambda body: body["@type"] == "hydra:Error"),
        ("/oauth2/token", lambda body: body["error"] == "invalid_request"),
        ("/_sandbox/faults", lambda body: "error" in body),
    ],
)
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
    assert seconds < 10
    assert far_seconds < 10
    assert peak < MEMORY_BOUND
    assert far_peak < MEMORY_BOUND
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


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        (json.dumps(NUL_TITLE).encode("utf-16"), "title: must not contain a NUL character"),
        (json.dumps(NUL_TITLE).encode("utf-32"), "title: must not contain a NUL character"),
        # Nested deeper than the parser goes: refused as unreadable, the NUL never looked at.
        (b"[" * 2000 + b'"\\u0000"' + b"]" * 2000, None),
    ],
)
def test_robin_refuses_a_nul_however_the_body_is_encoded(robin, store, body, refusal):
    before = dump(store)

    response = robin.post("/spaces/48/events", content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400, response.text[:300]
    if refusal is not None:
        assert response.json()["meta"]["errors"][0]["message"] == refusal
    assert dump(store) == before


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (
            b"grant_type=client_credentials&client_id=demo\x00client&client_secret=x",
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        (b"grant_type=client_credentials&client_id=demo%00client&client_secret=x", {"Content-Type": "text/plain"}),
        (b"grant_type=client_credentials&client_id=demo%00client&client_secret=x", {}),
    ],
)
def test_the_token_endpoint_refuses_a_nul_as_an_invalid_request(client, body, headers):
    response = client.post("/oauth2/token", content=body, headers=headers)

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert "client_id" in response.json()["error_description"]


def test_basic_credentials_holding_a_nul_are_an_unknown_client(client):
    credentials = base64.b64encode(b"demo%00client:demo-secret").decode()

    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {credentials}"},
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize("token", ["demo-robin-token%00", "%00", "demo%00-robin-token"])
def test_a_robin_token_in_the_query_holding_a_nul_is_unknown(anonymous, token):
    """No token holds a NUL (PostgreSQL text can't): it is refused before any lookup, as unknown."""
    response = anonymous.get(f"/me?access_token={token}")

    assert response.status_code == 401, response.text
    assert response.json()["meta"]["status_code"] == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_sandbox/snapshots/a%00"),
        ("DELETE", "/_sandbox/snapshots/a%00"),
        ("POST", "/_sandbox/snapshots/a%00/restore"),
        ("GET", "/_sandbox/organizations/a%00/clock"),
        ("POST", "/_sandbox/organizations/a%00/reset"),
    ],
)
def test_the_control_plane_finds_nothing_at_a_path_holding_a_nul(client, method, path):
    response = client.request(method, path)

    assert response.status_code == 404
    assert "error" in response.json()


def test_credentials_are_checked_before_what_the_body_or_query_holds(anonymous, client):
    robin = anonymous.post("/spaces/48/events", json=NUL_TITLE)
    query = anonymous.get("/spaces/48/events", params={"after": "a\u0000"})
    kadence = client.get("/v1/public/users", params={"email": "a\u0000"})

    assert (robin.status_code, query.status_code, kadence.status_code) == (401, 401, 401)


# Hostile values: each is refused in the API's own shape where it is read, before any arithmetic,
# encoding or lookup could fail on it.

SECONDS = 10.0
"""What any one hostile request may take, as the absurd requests above: a refusal reads a field,
or looks into a body once (the largest here, 50,000 levels of brackets, is 100 kB), in
milliseconds on an idle machine, after a write route's wait for its turn at the store (seconds on
a loaded machine, with tracemalloc tracing every allocation); ten seconds leave that margin, and
still fail a request whose work grows with the year, the depth or the id these values name."""


def sent(client: Any, method: str, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    """`body` as JSON escaped to ASCII (a lone surrogate travels as `\\ud800`, as clients send it),
    or as bytes when given as bytes; its time and memory measured."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return measured(
        lambda: client.request(
            method,
            path,
            content=content,
            headers={"Content-Type": "application/json", **(headers or {})},
        )
    )


def bounded(seconds: float, peak: int) -> None:
    assert seconds < SECONDS
    assert peak < MEMORY_BOUND


def robin_refusal(response: Any, status: int = 400) -> str:
    """The message of a Robin refusal with `status`, in Robin's envelope."""
    assert response.status_code == status, response.text[:300]
    assert response.json()["meta"]["status_code"] == status
    meta = response.json()["meta"]
    return str(meta["errors"][0]["message"] if meta["errors"] else meta["message"])


ROBIN_WINDOWS = [
    "/spaces/48/events",
    "/locations/10/events",
    "/users/1/events",
    "/me/events",
    "/reservations/seats",
    "/free-busy/spaces",
]
"""Every Robin list read over an `after`/`before` window."""
FAR_WINDOWS = [
    {"after": "0001-01-01T00:00:00Z"},
    {"after": "9999-12-31T23:59:59Z"},
    {"after": "0001-01-01"},
    {"after": "9999-12-31"},
    {"before": "0001-01-01T00:00:00Z"},
    {"after": "1899-12-31T23:59:59Z", "before": "2026-03-09T00:00:00Z"},
    {"after": "0001-01-01T00:00:00+00:00", "before": "9999-12-31T23:00:00+00:00"},
    {"after": "9001-01-01T00:00:00Z"},
]


@pytest.mark.parametrize("window", FAR_WINDOWS, ids=lambda window: "&".join(f"{k}={v}" for k, v in window.items()))
@pytest.mark.parametrize("path", ROBIN_WINDOWS)
def test_robin_refuses_a_window_outside_the_years_it_reads(robin, path, window):
    if path == "/free-busy/spaces":  # which needs both bounds
        window = {"after": "2026-03-02T00:00:00Z", "before": "2026-03-03T00:00:00Z", **window}

    response, seconds, peak = measured(lambda: robin.get(path, params=window))

    bounded(seconds, peak)
    message = robin_refusal(response)
    assert "must lie between the years 1900 and 9000" in message
    assert message.split(":")[0] in window


@pytest.mark.parametrize(
    ("lower", "upper"),
    [
        ("0001-01-01T00:00:00", "0001-01-08T01:00:00"),
        ("9999-12-24T22:00:00", "9999-12-31T23:00:00"),
        ("0001-01-01T00:00:00Z", "2026-03-03T00:00:00Z"),
        ("2026-03-02T00:00:00Z", "9999-12-31T23:59:59Z"),
    ],
)
def test_robin_refuses_free_busy_bounds_outside_the_years_it_reads(robin, store, lower, upper):
    body = {
        "scope": {"location_ids": [10]},
        "view_options": {
            "bounds": {
                "from": lower,
                "to": upper,
                "time_zone": "America/New_York",
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
            }
        },
    }

    response, seconds, peak = sent(robin, "POST", "/free-busy/spaces", body)

    bounded(seconds, peak)
    assert "must lie between the years 1900 and 9000" in robin_refusal(response)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/spaces/48/events", event(start={"date_time": "0001-01-01T10:00:00", "time_zone": "Pacific/Kiritimati"})),
        ("/spaces/48/events", event(end={"date_time": "9999-12-31T23:00:00", "time_zone": "Pacific/Pago_Pago"})),
        ("/insights/exports/organizations/1/spaces", {"from": "0001-01-01T00:00:00+00:00", "to": "2026-03-01T00:00:00+00:00"}),
        ("/insights/exports/organizations/1/desks", {"from": "2026-03-01T00:00:00+00:00", "to": "9999-12-31T23:59:59+00:00"}),
    ],
)
def test_robin_refuses_instants_in_bodies_outside_the_years_it_reads(robin, store, path, body):
    before = dump(store)

    response, seconds, peak = sent(robin, "POST", path, body)

    bounded(seconds, peak)
    assert "must lie between the years 1900 and 9000" in robin_refusal(response)
    assert dump(store) == before


@pytest.mark.parametrize("instant", ["99991231T235959Z", "00010101T000000Z", "18991231T235959Z"])
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("DELETE", ""), ("GET", "/confirmation"), ("PUT", "/confirmation")])
def test_robin_finds_no_instance_at_an_instant_outside_the_years_it_reads(robin, store, method, suffix, instant):
    series = robin.post("/spaces/48/events", json=event(recurrence=["RRULE:FREQ=DAILY"])).json()["data"]["id"]
    before = dump(store)

    response, seconds, peak = measured(lambda: robin.request(method, f"/events/{series}_{instant}{suffix}", json={}))

    bounded(seconds, peak)
    robin_refusal(response, 404)
    assert dump(store) == before


SURROGATE, LOW_SURROGATE = "\ud800", "a\udfffb"
"""Halves of a UTF-16 pair, alone: JSON can carry one (`"\\ud800"`), and no UTF-8 text (what the
store and the answer are written in) can."""


@pytest.mark.parametrize("lone", [SURROGATE, LOW_SURROGATE])
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/spaces/48/events", lambda s: event(title=s), "title"),
        ("POST", "/spaces/48/events", lambda s: event(invitees=[{"email": s}]), "invitees.0.email"),
        (
            "POST",
            "/spaces/48/events",
            lambda s: event(start={"date_time": "2031-01-01T10:00:00", "time_zone": s}),
            "start.time_zone",
        ),
        ("POST", "/spaces/48/events", lambda s: event(start={"date_time": s, "time_zone": "UTC"}), "start.date_time"),
        ("POST", "/events", lambda s: {**event(title=s), "space_id": 48}, "title"),
        ("PATCH", "/spaces/48", lambda s: {"name": s}, "name"),
        (
            "POST",
            "/free-busy/spaces",
            lambda s: {
                "scope": {"location_ids": [10]},
                "filters": {"query": s},
                "view_options": {"bounds": {"from": "2031-01-01T09:00:00Z", "to": "2031-01-01T18:00:00Z"}},
            },
            "filters.query",
        ),
        (
            "POST",
            "/seats/1001/reservations",
            lambda s: {
                "type": "hoteled",
                "reservee": {"email": s},
                "start": {"date_time": "2026-03-03T09:00:00", "time_zone": "UTC"},
                "end": {"date_time": "2026-03-03T17:00:00", "time_zone": "UTC"},
            },
            "reservee.email",
        ),
        ("POST", "/insights/exports/organizations/1/desks", lambda s: {"from": s, "to": "2026-03-01T00:00:00+00:00"}, "from"),
        ("POST", "/spaces/48/events", lambda s: {**EVENT, s: "x"}, "\ufffd"),
    ],
)
def test_robin_refuses_a_lone_surrogate_in_any_string(robin, store, method, path, body, field, lone):
    before = dump(store)

    response, seconds, peak = sent(robin, method, path, body(lone))

    bounded(seconds, peak)
    message = robin_refusal(response)
    assert message.startswith(field.replace("\ufffd", lone.replace(SURROGATE, "\ufffd").replace("\udfff", "\ufffd")))
    assert "must not contain a lone surrogate" in message
    assert dump(store) == before


@pytest.mark.parametrize(
    "body",
    [
        (
            b'{"title": "\xed\xa0\x80", "start": {"date_time": "2031-01-01T10:00:00Z", "time_zone": "UTC"}, '
            b'"end": {"date_time": "2031-01-01T11:00:00Z", "time_zone": "UTC"}}'
        ),
        json.dumps(event(title=SURROGATE)).encode("utf-16"),
        json.dumps(event(title="\ud83d\ude00" + SURROGATE)).encode(),
    ],
)
def test_robin_refuses_a_lone_surrogate_however_the_body_is_encoded(robin, store, body):
    before = dump(store)

    response, seconds, peak = sent(robin, "POST", "/spaces/48/events", body)

    bounded(seconds, peak)
    assert robin_refusal(response) == "title: must not contain a lone surrogate"
    assert dump(store) == before


def test_a_surrogate_pair_is_one_character_and_is_kept(robin):
    response, _, _ = sent(robin, "POST", "/spaces/48/events", event(title="Stand-up \ud83d\ude00"))

    assert response.status_code == 201, response.text[:300]
    assert response.json()["data"]["title"] == "Stand-up \U0001f600"


@pytest.mark.parametrize("query", ["after=%ED%A0%80", "query=%ED%A0%80", "after=2031-01-01T00:00:00Z&title=%ED%A0%80"])
def test_a_query_cannot_carry_a_lone_surrogate(robin, query):
    # Percent-encoded, a surrogate's bytes are no UTF-8: the query reads them as U+FFFD.
    response = robin.get(f"/spaces/48/events?{query}")

    assert response.status_code in (200, 400), response.text[:300]


@pytest.mark.parametrize("lone", [SURROGATE, LOW_SURROGATE])
@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/bookings", lambda who, s: {**who, "userId": s}, "userId"),
        ("POST", "/bookings", lambda who, s: {**who, "title": s}, "title"),
        ("POST", "/bookings", lambda who, s: {**who, "startDateTime": s}, "startDateTime"),
        ("POST", "/bookings", lambda who, s: {**who, "attendees": [{"emailAddress": s}]}, "attendees.0.emailAddress"),
        ("PATCH", "/users/{user}", lambda who, s: {"firstName": s}, "firstName"),
        ("PATCH", "/users/{user}", lambda who, s: {"locationTimezone": s}, "locationTimezone"),
        ("POST", "/bookings/{booking}/cancel", lambda who, s: {"userId": s}, "userId"),
        ("POST", "/bookings/{booking}/check-in", lambda who, s: {"userId": who["userId"], "method": s}, "method"),
    ],
)
def test_kadence_refuses_a_lone_surrogate_in_any_string(kadence, store, method, path, body, field, lone):
    who = {
        "userId": user_id(kadence, "ben.carter@meridian.example"),
        "spaceId": space_id(kadence, "A-03"),
        "startDateTime": "2026-03-03T09:00:00",
        "endDateTime": "2026-03-03T17:00:00",
    }
    booking = kadence.post("/bookings", json=who).json()["id"]
    before = dump(store)
    kind = "application/merge-patch+json" if method == "PATCH" else "application/json"

    response, seconds, peak = sent(
        kadence,
        method,
        path.format(user=who["userId"], booking=booking),
        body(who, lone),
        {"Content-Type": kind},
    )

    bounded(seconds, peak)
    assert response.status_code == 422, response.text[:300]
    assert response.json()["@type"] == "ConstraintViolationList"
    assert response.json()["violations"][0]["propertyPath"] == field
    assert response.json()["violations"][0]["message"] == "must not contain a lone surrogate"
    assert dump(store) == before


@pytest.mark.parametrize("field", ["client_id", "client_secret", "grant_type", "scope"])
def test_the_token_endpoint_refuses_a_lone_surrogate_as_an_invalid_request(client, store, field):
    body = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret", field: SURROGATE}
    before = dump(store)

    response, seconds, peak = sent(client, "POST", "/oauth2/token", body)

    bounded(seconds, peak)
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert response.json()["error_description"] == f"{field}: must not contain a lone surrogate"
    assert dump(store) == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/_sandbox/organizations/meridian/clock/advance", {"by": SURROGATE}, "by"),
        ("/_sandbox/snapshots", {"name": SURROGATE}, "name"),
        ("/_sandbox/faults", {"effect": "error", "path": "/v1.0/" + SURROGATE}, "path"),
        ("/_sandbox/faults", {"effect": "error", "message": LOW_SURROGATE}, "message"),
    ],
)
def test_the_control_plane_refuses_a_lone_surrogate_in_any_string(client, store, path, body, field):
    before = dump(store)

    response, seconds, peak = sent(client, "POST", path, body)

    bounded(seconds, peak)
    assert response.status_code == 422, response.text
    assert response.json()["problems"] == [{"field": field, "message": "must not contain a lone surrogate"}]
    assert client.get("/_sandbox/faults").json() == []
    assert dump(store) == before


# Ids: ASCII digits only. Python's str.isdigit() and int() take other scripts' digits too (and
# isdigit() superscripts, which int() then refuses).


@pytest.mark.parametrize("key", ["²", "①", "١", "١٢", "𝟙", "１"])
@pytest.mark.parametrize(
    "path", ["/users/{}", "/events/{}", "/events/{}/confirmation", "/reservations/seats/{}", "/organizations/{}"]
)
def test_robin_finds_nothing_at_an_id_of_other_digits(robin, path, key):
    response, seconds, peak = measured(lambda: robin.get(path.format(key)))

    bounded(seconds, peak)
    robin_refusal(response, 404)


@pytest.mark.parametrize("name", ["seat_ids", "space_ids", "level_ids", "user_ids"])
@pytest.mark.parametrize("value", ["²", "1,①", "١٢"])
def test_robin_refuses_a_listed_id_of_other_digits(robin, name, value):
    response, seconds, peak = measured(lambda: robin.get("/reservations/seats", params={name: value}))

    bounded(seconds, peak)
    assert "is not an id" in robin_refusal(response)


@pytest.mark.parametrize("value", ["²", "١٢"])
def test_robin_refuses_a_free_busy_id_of_other_digits(robin, value):
    window = {"after": "2026-03-03T09:00:00Z", "before": "2026-03-03T18:00:00Z"}

    response = robin.get("/free-busy/spaces", params={"space_ids": value, **window})

    assert "is not an id" in robin_refusal(response)


@pytest.mark.parametrize(
    "line",
    [
        "RRULE:FREQ=DAILY;COUNT=²",
        "RRULE:FREQ=DAILY;INTERVAL=³",
        "RRULE:FREQ=DAILY;COUNT=١٠",
        "RRULE:FREQ=DAILY;BYHOUR=³",
        "RRULE:FREQ=WEEKLY;UNTIL=²⁰³¹⁰¹⁰¹",
        "RDATE;VALUE=DATE:²⁰³¹⁰¹⁰²",
    ],
)
def test_robin_refuses_a_recurrence_with_other_digits(robin, store, line):
    before = dump(store)

    response, seconds, peak = sent(robin, "POST", "/spaces/48/events", event(recurrence=[line]))

    bounded(seconds, peak)
    assert robin_refusal(response).startswith("recurrence")
    assert dump(store) == before


@pytest.mark.parametrize("query", ["page=١٢", "itemsPerPage=²", "page=𝟙"])
def test_kadence_refuses_a_page_of_other_digits(kadence, query):
    response = kadence.get(f"/users?{query}")

    assert response.status_code == 400, response.text[:300]
    assert response.json()["@type"] == "hydra:Error"


def occurrence_ulid(milliseconds: int, reservation_id: int) -> str:
    """A Kadence id shaped as an occurrence's is (see sandbox.core.ids): the start as the ULID's
    time, the reservation behind the occurrence mark."""
    payload = (0xB00C << 64) | reservation_id
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + payload.to_bytes(10, "big")))


IN_2031 = 1_925_000_000_000
CRAFTED_OCCURRENCES = {
    "year 10889": occurrence_ulid(2**48 - 1, 1),
    "year 10000": occurrence_ulid(253_402_300_800_000, 1),
    "year 9999": occurrence_ulid(253_402_300_000_000, 1),
    "year 1970": occurrence_ulid(0, 1),
    "reservation 2^64-1": occurrence_ulid(IN_2031, 2**64 - 1),
    "reservation 2^63+5": occurrence_ulid(IN_2031, 2**63 + 5),
    "reservation 2^32+1": occurrence_ulid(IN_2031, 2**32 + 1),
    "reservation 2^31": occurrence_ulid(IN_2031, 2**31),
}


@pytest.mark.parametrize("crafted", CRAFTED_OCCURRENCES.values(), ids=CRAFTED_OCCURRENCES.keys())
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/cancel"), ("POST", "/check-in"), ("POST", "/check-out")])
def test_kadence_finds_no_booking_at_a_crafted_occurrence_id(kadence, store, method, suffix, crafted):
    before = dump(store)

    response, seconds, peak = measured(lambda: kadence.request(method, f"/bookings/{crafted}{suffix}", json={}))

    bounded(seconds, peak)
    assert response.status_code == 404, response.text[:300]
    assert response.json()["hydra:description"] == "Not Found"
    assert dump(store) == before


def test_kadence_still_finds_a_listed_occurrence(kadence, robin):
    series = robin.post("/spaces/48/events", json=event(recurrence=["RRULE:FREQ=DAILY;COUNT=3"])).json()["data"]["id"]
    day = {"startDateTime[after]": "2031-01-02T00:00:00", "startDateTime[before]": "2031-01-02T23:00:00"}
    listed = kadence.members("/bookings", **day)
    occurrence = next(item for item in listed if item["recurringBooking"] and item["startDate"].startswith("2031-01-02T10:00"))

    response = kadence.get(f"/bookings/{occurrence['id']}")

    assert series
    assert response.status_code == 200, response.text[:300]
    assert response.json()["startDate"] == "2031-01-02T10:00:00+00:00"


# Nesting: every body is refused past a bounded depth, before any parser walks it.


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"a":' * depth + inner + b"}" * depth


DEEP = {
    "50,000 objects": nested(50_000),
    "50,000 arrays": b"[" * 50_000 + b"]" * 50_000,
    "500 in a field": b'{"firstName": ' + nested(500, b'"x"') + b"}",
    "100 in a field": b'{"title": ' + nested(100) + b"}",
}


@pytest.mark.parametrize("body", DEEP.values(), ids=DEEP.keys())
@pytest.mark.parametrize(
    ("api", "method", "path", "shaped"),
    [
        ("kadence", "PATCH", "/v1/public/users/{user}", lambda body: body["@type"] == "hydra:Error"),
        ("kadence", "POST", "/v1/public/bookings", lambda body: body["@type"] == "hydra:Error"),
        ("robin", "POST", "/v1.0/spaces/48/events", lambda body: body["meta"]["status_code"] == 400),
        ("robin", "PATCH", "/v1.0/spaces/48", lambda body: body["meta"]["status_code"] == 400),
        ("token", "POST", "/oauth2/token", lambda body: body["error"] == "invalid_request"),
        ("control", "POST", "/_sandbox/faults", lambda body: set(body) == {"error"}),
    ],
)
def test_a_body_nested_too_deep_is_refused_as_unreadable_json(client, robin, kadence, store, api, method, path, shaped, body):
    headers = {"robin": robin.headers, "kadence": kadence.headers}.get(api, {})
    kind = "application/merge-patch+json" if method == "PATCH" and api == "kadence" else "application/json"
    before = dump(store)

    response, seconds, peak = sent(
        client, method, path.format(user=user_id(kadence, "ben.carter@meridian.example")), body, {**headers, "Content-Type": kind}
    )

    bounded(seconds, peak)
    # Past Python's own limit, the parser of a route that takes a body refuses it first, as FastAPI
    # refuses any body it can't parse; short of it, the sandbox does, saying why: 400 either way.
    assert response.status_code == 400, response.text[:300]
    assert shaped(response.json())
    assert dump(store) == before


def test_a_body_nested_as_deep_as_a_client_may_is_read(kadence):
    user = user_id(kadence, "ben.carter@meridian.example")
    body = b'{"firstName": "Deep", "extra": ' + nested(60) + b"}"

    response = kadence.patch(f"/users/{user}", content=body, headers={"Content-Type": "application/merge-patch+json"})

    assert response.status_code == 200, response.text[:300]
    assert response.json()["firstName"] == "Deep"


# Served: a refusal is an ordinary answer, so the client's connection stays open for the next
# request (a 500 closes it, and the client's next request on it fails too).


@pytest.mark.slow
def test_a_served_refusal_keeps_the_connection_for_the_next_request(tmp_path):
    store = new_store(tmp_path)
    with serving("--database-url", store.url) as (base, server), httpx.Client(base_url=base, timeout=30) as client:
        token = client.post(
            "/oauth2/token", data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
        ).json()["access_token"]
        kadence = {"Authorization": f"Bearer {token}"}
        user = client.get("/v1/public/users", headers=kadence).json()["hydra:member"][0]["id"]
        as_json = {"Content-Type": "application/json"}
        hostile = [
            ("GET", "/v1.0/spaces/48/events?after=0001-01-01T00:00:00Z", ADMIN, None),
            ("GET", "/v1.0/me/events?after=9999-12-31T23:59:59Z", ADMIN, None),
            ("POST", "/v1.0/spaces/48/events", {**ADMIN, **as_json}, json.dumps(event(title=SURROGATE)).encode()),
            ("GET", "/v1.0/users/²", ADMIN, None),
            ("GET", "/v1.0/reservations/seats?seat_ids=²", ADMIN, None),
            ("GET", f"/v1/public/bookings/{CRAFTED_OCCURRENCES['year 10889']}", kadence, None),
            ("POST", f"/v1/public/bookings/{CRAFTED_OCCURRENCES['reservation 2^63+5']}/cancel", {**kadence, **as_json}, b"{}"),
            (
                "PATCH",
                f"/v1/public/users/{user}",
                {**kadence, "Content-Type": "application/merge-patch+json"},
                DEEP["50,000 objects"],
            ),
            (
                "PATCH",
                f"/v1/public/users/{user}",
                {**kadence, "Content-Type": "application/merge-patch+json"},
                b'{"firstName": "\\ud800"}',
            ),
            (
                "POST",
                "/oauth2/token",
                as_json,
                b'{"grant_type": "client_credentials", "client_id": "\\ud800", "client_secret": "x"}',
            ),
            ("POST", "/_sandbox/organizations/meridian/clock/advance", as_json, b'{"by": "\\ud800"}'),
        ]
        connections, statuses = set(), []
        for method, path, headers, body in hostile:
            refused = client.request(method, path, headers=headers, content=body)
            following = client.get("/v1.0/me", headers=ADMIN)
            statuses.append((path, refused.status_code, following.status_code))
            connections |= {answer.extensions["network_stream"].get_extra_info("client_addr") for answer in (refused, following)}

    assert all(400 <= refused < 500 and following == 200 for _, refused, following in statuses), statuses
    assert len(connections) == 1, server.output[-3000:]
    assert "Traceback" not in server.output, server.output[-3000:]
