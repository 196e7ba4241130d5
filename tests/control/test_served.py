"""The control plane of a real server process: dropped connections, and what two processes on one
store see alike (clock, faults, journal, snapshots)."""

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import CONTROL_HEADERS, new_store
from tests.test_serve import ADMIN, serving

pytestmark = pytest.mark.slow


def test_drop_rule_closes_the_connection_without_an_answer(tmp_path: Path) -> None:
    with serving("--database-url", new_store(tmp_path).url) as (base, _server):
        httpx.post(f"{base}/_sandbox/faults", json={"path": "/v1.0/me", "effect": "drop", "times": 1})

        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{base}/v1.0/me", headers=ADMIN)

        assert httpx.get(f"{base}/v1.0/me", headers=ADMIN).status_code == 200
        (dropped, served) = reversed(httpx.get(f"{base}/_sandbox/journal").json()["entries"])
        assert (dropped["status"], served["status"]) == (None, 200)


def test_two_processes_on_one_store_share_the_control_plane(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url) as (first, _a), serving("--database-url", url) as (second, _b):
        httpx.post(f"{first}/_sandbox/organizations/1/clock/freeze", json={"at": "2030-05-01T12:00:00Z"})
        httpx.post(f"{first}/_sandbox/faults", json={"path": "/v1.0/me", "effect": "error", "status": 503, "times": 1})
        httpx.post(f"{first}/_sandbox/snapshots", json={"name": "shared"})

        assert httpx.get(f"{second}/_sandbox/organizations/1/clock").json()["now"].startswith("2030-05-01T12:00:00")
        assert httpx.get(f"{second}/v1.0/me", headers=ADMIN).status_code == 503
        assert httpx.get(f"{first}/v1.0/me", headers=ADMIN).status_code == 200
        assert [item["name"] for item in httpx.get(f"{second}/_sandbox/snapshots").json()] == ["seed", "shared"]

        httpx.get(f"{second}/v1.0/organizations/1", headers=ADMIN)
        deadline = time.monotonic() + 5
        while True:
            seen = [(e["path"], e["status"]) for e in httpx.get(f"{first}/_sandbox/journal").json()["entries"]]
            if len(seen) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sorted(seen) == [("/v1.0/me", 200), ("/v1.0/me", 503), ("/v1.0/organizations/1", 200)]


def _restores_racing_writes(first: str, second: str) -> None:
    """Writers on two processes while a third thread keeps restoring: no failure, and afterwards
    the workplace is the snapshot and takes new bookings on both processes."""
    httpx.post(f"{first}/_sandbox/snapshots", json={"name": "race"})
    statuses: list[int] = []
    # At least four seconds and enough of each to tell (more on a loaded machine), a minute at most.
    least, most = time.monotonic() + 4, time.monotonic() + 60
    done = threading.Event()

    def write(worker: int) -> None:
        with httpx.Client(base_url=(first, second)[worker % 2], headers=ADMIN, timeout=60) as client:
            attempt = 0
            while not done.is_set():
                attempt += 1
                day, hour = 1 + (worker * 100 + attempt) % 27, (worker * 5 + attempt) % 20
                body = {
                    "start": {"date_time": f"2031-02-{day:02d}T{hour:02d}:00:00Z", "time_zone": "UTC"},
                    "end": {"date_time": f"2031-02-{day:02d}T{hour:02d}:30:00Z", "time_zone": "UTC"},
                }
                statuses.append(client.post(f"/v1.0/spaces/{48 + worker % 3}/events", json=body).status_code)

    def restore() -> None:
        while time.monotonic() < most and (time.monotonic() < least or statuses.count(200) <= 5 or statuses.count(201) <= 10):
            statuses.append(
                httpx.post(f"{first}/_sandbox/snapshots/race/restore", headers=CONTROL_HEADERS, timeout=60).status_code
            )
            time.sleep(0.05)
        done.set()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(6)] + [threading.Thread(target=restore)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses.count(201) > 10
    assert statuses.count(200) > 5
    assert set(statuses) <= {200, 201, 409}
    assert httpx.post(f"{first}/_sandbox/snapshots/race/restore", headers=CONTROL_HEADERS).status_code == 200
    window = {"after": "2031-02-01T00:00:00Z", "before": "2031-03-01T00:00:00Z"}
    for base in (first, second):
        assert httpx.get(f"{base}/v1.0/spaces/48/events", params=window, headers=ADMIN).json()["data"] == []
        fresh = {
            "start": {"date_time": "2032-03-01T09:00:00Z", "time_zone": "UTC"},
            "end": {"date_time": "2032-03-01T09:30:00Z", "time_zone": "UTC"},
        }
        assert (
            httpx.post(f"{base}/v1.0/spaces/{49 if base == first else 50}/events", json=fresh, headers=ADMIN).status_code == 201
        )


def test_restores_racing_writes(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url) as (first, _a), serving("--database-url", url) as (second, _b):
        _restores_racing_writes(first, second)


def test_a_chunked_body_is_refused_once_its_chunks_pass_the_limit(tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 1024

    with serving("--database-url", new_store(tmp_path).url, env={"SANDBOX_MAX_BODY_BYTES": "4096"}) as (base, _server):
        response = httpx.post(
            f"{base}/v1.0/spaces/48/events",
            content=chunks(),
            headers={**ADMIN, "Content-Type": "application/json"},
            timeout=30,
        )
        journal = httpx.get(f"{base}/_sandbox/journal", params={"path": "/v1.0/spaces/48/events"}).json()["entries"]

    assert response.status_code == 413, response.text
    assert response.json()["meta"]["message"] == "The request body is larger than 4096 bytes."
    assert "content-length" not in response.request.headers
    assert [entry["status"] for entry in journal] == [413]
