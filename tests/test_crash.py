"""A server killed with SIGKILL in the middle of a stream of writes: the store opens again, is
intact, and holds every booking that was acknowledged."""

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import new_store
from tests.test_serve import ADMIN, _free_port, serving

pytestmark = pytest.mark.slow


def start(*arguments: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "serve", "--port", str(port), "--log-level", "warning", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/_sandbox/ready", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        assert process.poll() is None, "server did not become ready"
        assert time.monotonic() < deadline, "server did not become ready"
        time.sleep(0.1)


def write_until_killed(*arguments: str) -> list[str]:
    """Book a stream of events from four threads, kill the server with SIGKILL mid-stream, and
    return the ids it acknowledged."""
    process, base = start(*arguments)
    acknowledged: list[str] = []
    first = datetime(2031, 1, 6, 8, tzinfo=UTC)

    def write(worker: int) -> None:
        with httpx.Client(base_url=base, headers=ADMIN, timeout=10) as client:
            for slot in range(10_000):
                moment = first + timedelta(hours=slot * 4 + worker)
                body = {
                    "title": f"stream {worker}-{slot}",
                    "start": {"date_time": moment.isoformat(), "time_zone": "UTC"},
                    "end": {"date_time": (moment + timedelta(minutes=30)).isoformat(), "time_zone": "UTC"},
                }
                try:
                    response = client.post("/v1.0/spaces/57/events", json=body)
                except httpx.TransportError:
                    return
                if response.status_code == 201:
                    acknowledged.append(response.json()["data"]["id"])

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    # Mid-stream: two seconds in, once enough is acknowledged to tell (later on a loaded machine).
    started = time.monotonic()
    while time.monotonic() - started < 60 and (time.monotonic() - started < 2 or len(acknowledged) <= 20):
        time.sleep(0.05)
    process.kill()
    process.wait()
    for thread in threads:
        thread.join()
    return acknowledged


def assert_all_there(base: str, acknowledged: list[str]) -> None:
    with httpx.Client(base_url=base, headers=ADMIN, timeout=10) as client:
        missing = [event for event in acknowledged if client.get(f"/v1.0/events/{event}").status_code != 200]
    assert missing == []


def test_store_survives_sigkill_with_every_acknowledged_booking(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    acknowledged = write_until_killed("--database-url", store.url)

    assert len(acknowledged) > 10
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    with serving("--database-url", store.url) as (base, _server):
        assert_all_there(base, acknowledged)
