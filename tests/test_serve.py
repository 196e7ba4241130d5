"""`workplace-sandbox serve` as a user runs it: a real process, a real HTTP client."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

import httpx2 as httpx
import pytest

from sandbox.settings import FIXTURES_DIR

# The default store: a SQLite file in the data directory.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

ADMIN = {"Authorization": "Access-Token demo-robin-token"}
STARTING_S = 60
"""How long a server may take to answer its health check: seconds on a machine busy with other
work, never this long."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, base: str) -> None:
        self.base = base
        self.pid = 0
        self._lines: list[str] = []

    @property
    def output(self) -> str:
        """What the server has printed so far (all of it, once it has stopped)."""
        return "".join(self._lines)

    def _read(self, stream: IO[str]) -> None:
        # Read as it comes: a server that has printed more than a pipe holds would otherwise
        # block on its next line, whatever thread prints it, the event loop's access log included.
        for line in stream:
            self._lines.append(line)


@contextmanager
def serving(
    *arguments: str,
    env: dict[str, str] | None = None,
    program: Sequence[str] = (sys.executable, "-m", "sandbox"),
) -> Iterator[tuple[str, Server]]:
    """`program serve` on a free port, once healthy; `program` is this checkout unless given (an
    installed command, say)."""
    port = _free_port()
    process = subprocess.Popen(
        [*program, "serve", "--port", str(port), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,  # A group of its own: its worker processes end with it, whatever they were doing.
    )
    base = f"http://127.0.0.1:{port}"
    server = Server(base)
    server.pid = process.pid
    assert process.stdout is not None
    reader = threading.Thread(target=server._read, args=(process.stdout,), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + STARTING_S
        while True:
            if process.poll() is not None:
                reader.join(timeout=10)
                process.stdout.close()
                raise AssertionError(server.output)
            try:
                if httpx.get(f"{base}/_sandbox/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not become healthy"
            time.sleep(0.1)
        yield base, server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        # A worker stuck in a request outlives its supervisor, holding its connections (and, on
        # PostgreSQL, its locks): nothing of the server's may outlive the test.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        reader.join(timeout=10)
        process.stdout.close()


def test_serve_prints_the_base_url_and_demo_credentials(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path)) as (base, server):
        assert (
            httpx.get(f"{base}/v1.0/me", headers=ADMIN).json()["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"
        )
    output = server.output
    assert f"{base}/v1.0" in output
    assert "Access-Token demo-robin-token" in output
    assert "Access-Token demo-robin-member-token" in output
    assert f"{base}/v1/public" in output
    assert "client_id=demo-client client_secret=demo-secret" in output


def test_serve_creates_a_wal_store_and_keeps_its_data_across_restarts(tmp_path: Path) -> None:
    event = {
        "title": "Survives a restart",
        "start": {"date_time": "2031-05-05T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-05-05T15:00:00Z", "time_zone": "America/New_York"},
    }
    with serving("--data-dir", str(tmp_path)) as (base, _):
        created = httpx.post(f"{base}/v1.0/spaces/49/events", json=event, headers=ADMIN)
        assert created.status_code == 201
        event_id = created.json()["data"]["id"]
    store = tmp_path / "sandbox.db"
    assert sqlite3.connect(store).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with serving("--data-dir", str(tmp_path)) as (base, _):
        found = httpx.get(f"{base}/v1.0/events/{event_id}", headers=ADMIN)
        assert found.status_code == 200
        assert found.json()["data"]["title"] == "Survives a restart"
        again = httpx.post(f"{base}/v1.0/spaces/49/events", json=event, headers=ADMIN)
        assert again.status_code == 409


def test_serve_reads_its_settings_from_the_environment(tmp_path: Path) -> None:
    data_dir = tmp_path / "from-env"
    with serving(env={"SANDBOX_DATA_DIR": str(data_dir)}) as (base, _):
        assert httpx.get(f"{base}/_sandbox/health").json() == {"status": "ok"}
    assert (data_dir / "sandbox.db").exists()


def test_every_worker_answers_the_host_names_it_is_told_about_and_no_other(tmp_path: Path) -> None:
    """The names reach each worker process through SANDBOX_ALLOWED_HOSTS; the address the server
    listens on (127.0.0.1) is answered beside them."""
    hosts = ["sandbox:8000", "localhost", "127.0.0.1", "evil.example", "localhost.evil.example"]
    env = {"SANDBOX_ALLOWED_HOSTS": "localhost,sandbox"}
    with (
        serving("--data-dir", str(tmp_path), "--workers", "2", env=env) as (base, server),
        ThreadPoolExecutor(max_workers=20) as pool,
    ):
        answers = list(
            pool.map(
                lambda n: (hosts[n % 5], httpx.get(f"{base}/_sandbox/health", headers={"Host": hosts[n % 5]}).status_code),
                range(60),
            )
        )
    assert {host: sorted({status for named, status in answers if named == host}) for host in hosts} == {
        "sandbox:8000": [200],
        "localhost": [200],
        "127.0.0.1": [200],
        "evil.example": [400],
        "localhost.evil.example": [400],
    }, server.output[-3000:]
    assert "host names:   localhost, sandbox, 127.0.0.1" in server.output


def test_serve_refuses_a_broken_fixture_naming_the_bad_entry(tmp_path: Path) -> None:
    fixture = tmp_path / "broken.json"
    fixture.write_text(
        '{"format": "workplace-sandbox-fixture/1", "created_at": "2025-01-06T09:00:00Z",'
        ' "organizations": [{"slug": "x", "name": "X", "buildings": [{"name": "HQ", "time_zone": "Mars/Olympus"}]}]}'
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sandbox",
            "serve",
            "--data-dir",
            str(tmp_path / "data"),
            "--fixture",
            str(fixture),
            "--port",
            str(_free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "organizations[0] ('X').buildings[0] ('HQ').time_zone: 'Mars/Olympus' is not a valid" in result.stderr
    assert "Mars/Olympus" in result.stderr


def test_concurrent_requests_for_one_slot_yield_exactly_one_booking(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    body = {
        "title": "Contested",
        "start": {"date_time": "2031-06-02T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-06-02T15:00:00Z", "time_zone": "America/New_York"},
    }
    with (
        serving("--data-dir", str(tmp_path)) as (base, _),
        httpx.Client(headers=ADMIN, timeout=60) as client,
        ThreadPoolExecutor(max_workers=20) as pool,
    ):
        statuses = list(pool.map(lambda _: client.post(f"{base}/v1.0/spaces/52/events", json=body).status_code, range(20)))
        listed = client.get(
            f"{base}/v1.0/spaces/52/events", params={"after": "2031-06-02T00:00:00Z", "before": "2031-06-03T00:00:00Z"}
        )
    assert sorted(statuses) == [201] + [409] * 19
    assert [event["title"] for event in listed.json()["data"]] == ["Contested"]


def test_concurrent_kadence_bookings_of_one_desk_or_the_last_onsite_passes_yield_exactly_what_fits(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from datetime import UTC, datetime, timedelta

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    window = {
        "startDateTime": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "endDateTime": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
    }
    demo = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))
    demo["organizations"][0]["buildings"][1].pop("opening_hours")  # Bengaluru open around the clock
    demo["organizations"][0]["buildings"][1]["closures"] = []
    fixture = tmp_path / "always-open.json"
    fixture.write_text(json.dumps(demo), encoding="utf-8")
    with serving("--data-dir", str(tmp_path / "data"), "--fixture", str(fixture)) as (base, _):
        token = httpx.post(
            f"{base}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-client",
                "client_secret": "demo-secret",
            },
        ).json()["access_token"]
        api = f"{base}/v1/public"
        with (
            httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client,
            ThreadPoolExecutor(max_workers=20) as pool,
        ):
            users = [user["id"] for user in client.get(f"{api}/users", params={"itemsPerPage": 20}).json()["hydra:member"]]
            desk = next(
                space
                for space in client.get(f"{api}/spaces", params={"itemsPerPage": 100}).json()["hydra:member"]
                if space["name"] == "A-03"
            )
            bengaluru = next(
                building for building in client.get(f"{api}/buildings").json()["hydra:member"] if building["city"] == "Bengaluru"
            )

            def book(place: dict[str, str], user: str) -> int:
                return client.post(f"{api}/bookings", json={"userId": user, **place, **window}).status_code

            desk_statuses = list(pool.map(lambda user: book({"spaceId": desk["id"]}, user), users))
            onsite_statuses = list(pool.map(lambda user: book({"buildingId": bengaluru["id"]}, user), users))
            held = client.get(f"{api}/bookings", params={"spaceId": desk["id"], "startDateTime[after]": window["startDateTime"]})
    assert sorted(desk_statuses) == [201] + [422] * 19
    assert held.json()["hydra:totalItems"] == 1
    assert sorted(onsite_statuses) == [201] * 3 + [422] * 17  # Bengaluru takes three people onsite at once
