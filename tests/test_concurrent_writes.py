"""Writes from many clients at once through a served sandbox with two worker processes, on the
backend under test: refused writes, token mints and profile changes neither stall the server
nor fail, and a request that only reads never holds back a write."""

import base64
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.concurrency import Outcome, Request, for_a_while
from tests.conftest import DEMO_CLIENT, new_store
from tests.test_serve import ADMIN, serving

pytestmark = pytest.mark.slow

LOAD_SECONDS = 4.0
SLOWEST_SECONDS = 5.0
"""No request may take longer, on a machine 3-5 times slower than an idle one: each of them takes
milliseconds alone, and a write left holding the writer made every other wait 30 s and then fail."""
GIVE_UP_SECONDS = 12.0
"""How long a client waits for an answer before it counts the request as unanswered."""
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
TAKEN_SLOT = {
    "title": "Already booked",
    "start": {"date_time": "2031-07-07T14:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2031-07-07T15:00:00Z", "time_zone": "America/New_York"},
}
TOKEN_FORM = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT[0], "client_secret": DEMO_CLIENT[1]}


def _bearer(base: str) -> dict[str, str]:
    minted = httpx.post(f"{base}/oauth2/token", data=TOKEN_FORM)
    assert minted.status_code == 200, minted.text
    return {"Authorization": f"Bearer {minted.json()['access_token']}"}


def _user_id(base: str, bearer: dict[str, str], email: str) -> str:
    found = httpx.get(f"{base}/v1/public/users", params={"emailExact": email}, headers=bearer).json()["hydra:member"]
    assert len(found) == 1, found
    return str(found[0]["id"])


def _summary(outcomes: list[Outcome]) -> str:
    by_client: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_client.setdefault(outcome.client, []).append(outcome)
    return "; ".join(
        f"{name}: {len(done)} requests, statuses {sorted({o.status for o in done}, key=str)}, "
        f"slowest {max(o.seconds for o in done):.2f} s"
        for name, done in sorted(by_client.items())
    )


def test_refused_writes_token_mints_and_profile_changes_at_once_neither_stall_nor_fail(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    with serving("--database-url", store.url, "--workers", "2") as (base, server):
        booked = httpx.post(f"{base}/v1.0/spaces/52/events", json=TAKEN_SLOT, headers=ADMIN)
        assert booked.status_code == 201, booked.text
        bearer = _bearer(base)
        users = [_user_id(base, bearer, email) for email in ("ben.carter@meridian.example", "ada.okafor@meridian.example")]
        merge_patch = {**bearer, "Content-Type": "application/merge-patch+json"}

        def book_the_taken_slot(client: httpx.Client) -> httpx.Response:
            return client.post("/v1.0/spaces/52/events", json=TAKEN_SLOT, headers=ADMIN)

        def mint_a_token(client: httpx.Client) -> httpx.Response:
            return client.post("/oauth2/token", data=TOKEN_FORM)

        def change_a_profile(user: str) -> Request:
            return lambda client: client.patch(
                f"/v1/public/users/{user}",
                content=b'{"jobTitle": "Engineer"}',
                headers=merge_patch,
            )

        def upload_a_photo(user: str) -> Request:
            return lambda client: client.post(
                f"/v1/public/users/{user}/photo",
                files={"file": ("me.png", PNG, "image/png")},
                headers=bearer,
            )

        def check_health(client: httpx.Client) -> httpx.Response:
            return client.get("/_sandbox/health")

        clients: dict[str, tuple[Request, int]] = {
            "refused event 1": (book_the_taken_slot, 409),
            "refused event 2": (book_the_taken_slot, 409),
            "token 1": (mint_a_token, 200),
            "token 2": (mint_a_token, 200),
            "profile": (change_a_profile(users[0]), 200),
            "photo": (upload_a_photo(users[1]), 201),
            "health": (check_health, 200),
        }
        outcomes = for_a_while(
            base,
            {name: request for name, (request, _) in clients.items()},
            LOAD_SECONDS,
            timeout=GIVE_UP_SECONDS,
        )

    _require_answered_as_expected(outcomes, {name: status for name, (_, status) in clients.items()}, server.output)


def _require_answered_as_expected(outcomes: list[Outcome], expected: dict[str, int], output: str) -> None:
    """Every client's requests were answered, each with the status it expects, none in
    SLOWEST_SECONDS or more; no answer failed (`output`, the server's, says why one did)."""
    summary = _summary(outcomes)
    failed = [outcome for outcome in outcomes if outcome.status is None or outcome.status >= 500]
    assert not failed, f"{len(failed)} failed, first: {failed[0]}. {summary}. {output[-6000:]}"
    unexpected = [outcome for outcome in outcomes if outcome.status != expected[outcome.client]]
    assert not unexpected, f"{len(unexpected)} unexpected, first: {unexpected[0]}. {summary}"
    slowest = max(outcomes, key=lambda outcome: outcome.seconds)
    assert slowest.seconds < SLOWEST_SECONDS, f"slowest: {slowest}. {summary}"
    assert {outcome.client for outcome in outcomes} == expected.keys()


def _event(start: str, end: str, recurrence: list[str] | None = None) -> dict[str, object]:
    return {
        "title": "Busy",
        "start": {"date_time": start, "time_zone": "UTC"},
        "end": {"date_time": end, "time_zone": "UTC"},
        **({"recurrence": recurrence} if recurrence else {}),
    }


HOURLY = ["RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=0;BYSECOND=0;COUNT=1000"]
"""A half-hour meeting every hour, 1,000 times: as many occurrences as a series may have."""
BIG_SEARCH = {
    "scope": {"location_ids": []},
    "view_options": {
        "bounds": {
            "from": "2031-01-01T00:00:00Z",
            "to": "2031-01-31T00:00:00Z",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=4"],
        }
    },
}
"""Four overlapping 30-day windows over every space: tens of thousands of occurrences."""


def _busy_spaces(base: str, count: int) -> list[int]:
    """`count` bookable spaces, each busy every hour of January 2031."""
    locations = [row["id"] for row in httpx.get(f"{base}/v1.0/organizations/1/locations", headers=ADMIN).json()["data"]]
    busy = []
    for location in locations:
        for space in httpx.get(f"{base}/v1.0/locations/{location}/spaces", params={"per_page": 100}, headers=ADMIN).json()[
            "data"
        ]:
            created = httpx.post(
                f"{base}/v1.0/spaces/{space['id']}/events",
                json=_event("2031-01-01T00:00:00Z", "2031-01-01T00:30:00Z", HOURLY),
                headers=ADMIN,
                timeout=60,
            )
            if created.status_code == 201:
                busy.append(space["id"])
            if len(busy) == count:
                return busy
    raise AssertionError(f"only {len(busy)} spaces of the demo workplace can be booked")


def _timed(send: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    """The response, and when it arrived (`time.perf_counter`)."""
    response = send()
    return response, time.perf_counter()


def test_a_free_busy_search_holds_back_no_booking(tmp_path: Path) -> None:
    """A search is a POST that only reads: while a big one runs, a booking goes ahead."""
    store = new_store(tmp_path)
    with serving("--database-url", store.url, "--workers", "2") as (base, _server):
        locations = [row["id"] for row in httpx.get(f"{base}/v1.0/organizations/1/locations", headers=ADMIN).json()["data"]]
        search = {**BIG_SEARCH, "scope": {"location_ids": locations}}
        _busy_spaces(base, 8)

        def searching() -> httpx.Response:
            return httpx.post(f"{base}/v1.0/free-busy/spaces", json=search, headers=ADMIN, timeout=120)

        began = time.perf_counter()
        alone, ended = _timed(searching)
        assert alone.status_code == 200, alone.text
        alone_seconds = ended - began
        with ThreadPoolExecutor(max_workers=1) as pool:
            search_sent = time.perf_counter()
            searched = pool.submit(_timed, searching)
            time.sleep(alone_seconds / 8)  # Its transaction began long before.
            booked, booking_answered = _timed(
                lambda: httpx.post(
                    f"{base}/v1.0/spaces/52/events",
                    json=_event("2033-07-07T14:00:00Z", "2033-07-07T15:00:00Z"),
                    headers=ADMIN,
                    timeout=120,
                )
            )
            search, search_answered = searched.result()

    assert search.status_code == 200, search.text
    assert booked.status_code == 201, booked.text
    assert booking_answered < search_answered, (
        f"the booking was answered {booking_answered - search_sent:.2f} s after the search was sent, "
        f"the search {search_answered - search_sent:.2f} s after (alone: {alone_seconds:.2f} s)"
    )


def test_restores_that_clear_while_requests_are_served_and_journaled_neither_stall_nor_fail(tmp_path: Path) -> None:
    """The per-test restore (`?clear=faults&clear=journal`) from one client while others book,
    mint tokens, add fault rules and read, every request journaled and each worker's journal
    flushed meanwhile: a restore holds the journal, then the writer, as a flush does, so none
    waits on the other; and once the load is over, a restore leaves no rule and no entry."""
    store = new_store(tmp_path)
    with serving("--database-url", store.url, "--workers", "2") as (base, server):
        booked = httpx.post(f"{base}/v1.0/spaces/52/events", json=TAKEN_SLOT, headers=ADMIN)
        assert booked.status_code == 201, booked.text
        saved = httpx.post(f"{base}/_sandbox/snapshots", json={"name": "clean"})
        assert saved.status_code == 201, saved.text
        restore = "/_sandbox/snapshots/clean/restore?clear=faults&clear=journal"
        control = {"X-Sandbox-Control": "1"}
        clients: dict[str, tuple[Request, int]] = {
            "restore 1": (lambda client: client.post(restore, headers=control), 200),
            "restore 2": (lambda client: client.post(restore, headers=control), 200),
            "fault rule": (
                lambda client: client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"}),
                201,
            ),
            "refused event": (lambda client: client.post("/v1.0/spaces/52/events", json=TAKEN_SLOT, headers=ADMIN), 409),
            "token": (lambda client: client.post("/oauth2/token", data=TOKEN_FORM), 200),
            "read": (lambda client: client.get("/v1.0/me", headers=ADMIN), 200),
        }
        outcomes = for_a_while(
            base,
            {name: request for name, (request, _) in clients.items()},
            LOAD_SECONDS,
            timeout=GIVE_UP_SECONDS,
        )
        time.sleep(1)  # Every worker's journal written.
        assert httpx.post(f"{base}{restore}", headers=control).status_code == 200
        rules = httpx.get(f"{base}/_sandbox/faults").json()
        entries = httpx.get(f"{base}/_sandbox/journal").json()["entries"]
        still_taken = httpx.post(f"{base}/v1.0/spaces/52/events", json=TAKEN_SLOT, headers=ADMIN)

    _require_answered_as_expected(outcomes, {name: status for name, (_, status) in clients.items()}, server.output)
    assert rules == []
    assert entries == []
    assert still_taken.status_code == 409, still_taken.text
