"""Clients that open connections and send part of a request, then nothing: a served sandbox closes
each when its deadline passes (SANDBOX_HEADER_TIMEOUT, SANDBOX_BODY_TIMEOUT, set to one second
here), and past SANDBOX_MAX_CONNECTIONS answers 503 until they are gone."""

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.test_serve import ADMIN, serving

# Connections, not the store: the default store will do.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

DEADLINES = {"SANDBOX_HEADER_TIMEOUT": "1", "SANDBOX_BODY_TIMEOUT": "1"}
PATIENCE = 10.0
"""How long a test waits for the server to close a connection whose deadline is one second: room
for a machine several times slower than usual."""
HOST = b"Host: 127.0.0.1\r\n"
EVENT = (
    b'{"title": "Slow", "start": {"date_time": "2031-09-01T14:00:00Z", "time_zone": "UTC"}, '
    b'"end": {"date_time": "2031-09-01T15:00:00Z", "time_zone": "UTC"}}'
)
POST_EVENT = (
    b"POST /v1.0/spaces/49/events HTTP/1.1\r\n" + HOST + b"Authorization: Access-Token demo-robin-token\r\n"
    b"Content-Type: application/json\r\nContent-Length: " + str(len(EVENT)).encode() + b"\r\n"
)
HEALTH = b"GET /_sandbox/health HTTP/1.1\r\n" + HOST + b"\r\n"


class Connection:
    """A raw connection to the server: what it sent back, and when it closed the connection."""

    def __init__(self, port: int) -> None:
        self.socket = socket.create_connection(("127.0.0.1", port))
        self.opened = time.monotonic()
        self.received = b""
        self.closed_after: float | None = None

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def read_until(self, marker: bytes) -> None:
        while marker not in self.received:
            chunk = self.socket.recv(65536)
            assert chunk, f"closed before {marker!r}: {self.received!r}"
            self.received += chunk

    def watch(self, patience: float = PATIENCE) -> "Connection":
        """Read until the server closes the connection or `patience` runs out."""
        self.socket.settimeout(0.1)
        until = time.monotonic() + patience
        while time.monotonic() < until:
            try:
                chunk = self.socket.recv(65536)
            except TimeoutError:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed_after = time.monotonic() - self.opened
                break
            self.received += chunk
        self.socket.close()
        return self

    def statuses(self) -> list[int]:
        return [int(line.split(b" ")[1]) for line in self.received.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


def _nothing(connection: Connection) -> None:
    pass


def _part_of_the_headers(connection: Connection) -> None:
    connection.send(b"GET /_sandbox/health HTTP/1.1\r\n" + HOST)


def _headers_a_byte_at_a_time(connection: Connection) -> None:
    """Each byte well within the deadline, the whole head never."""

    def drip() -> None:
        for byte in HEALTH[:-2] + b"X-Padding: " + b"x" * 200:
            try:
                connection.send(bytes([byte]))
            except OSError:
                return
            time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()


def _part_of_a_body(connection: Connection) -> None:
    connection.send(POST_EVENT + b"\r\n" + EVENT[:20])


def _expect_100_continue_then_nothing(connection: Connection) -> None:
    connection.send(POST_EVENT + b"Expect: 100-continue\r\n\r\n")


def _a_request_then_part_of_the_next(connection: Connection) -> None:
    connection.send(HEALTH)
    connection.read_until(b'{"status":"ok"}')
    connection.opened = time.monotonic()
    connection.send(HEALTH[:20])


SLOW = {
    "nothing": (_nothing, []),
    "part of the headers": (_part_of_the_headers, []),
    "the headers a byte every 0.2 s": (_headers_a_byte_at_a_time, []),
    "part of a body": (_part_of_a_body, [408]),
    "Expect: 100-continue, then nothing": (_expect_100_continue_then_nothing, [100, 408]),
    "a request, then part of the next": (_a_request_then_part_of_the_next, [200]),
}
"""How each client stalls, and what the server answers before it closes the connection."""


def test_connections_that_stall_are_closed_when_their_deadline_passes(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), env=DEADLINES) as (base, server):
        port = int(base.rsplit(":", 1)[1])

        def stall(name: str) -> Connection:
            connection = Connection(port)
            SLOW[name][0](connection)
            return connection.watch()

        with ThreadPoolExecutor(max_workers=len(SLOW)) as pool:
            watched = dict(zip(SLOW, pool.map(stall, SLOW), strict=True))
        assert httpx.get(f"{base}/_sandbox/health").status_code == 200

    still_open = [name for name, connection in watched.items() if connection.closed_after is None]
    assert still_open == [], f"{len(still_open)} of {len(SLOW)} still open after {PATIENCE:g} s: {still_open}"
    assert {name: connection.statuses() for name, connection in watched.items()} == {
        name: answers for name, (_, answers) in SLOW.items()
    }
    too_soon = {name: connection.closed_after for name, connection in watched.items() if connection.closed_after < 0.9}
    assert too_soon == {}, "closed before the deadline"
    assert b"did not arrive within 1 seconds" in watched["part of a body"].received
    assert "Exception" not in server.output


def test_a_body_is_timed_from_when_the_route_reads_it(tmp_path: Path) -> None:
    """A fault rule's latency (or any wait before the route reads) is the server's time, not the
    client's: a client waiting for its 100 Continue sends the body once it comes, and is served."""
    with serving("--data-dir", str(tmp_path), env=DEADLINES) as (base, _):
        rule = {"api": "robin", "method": "POST", "path": "/v1.0/spaces/*/events", "effect": "latency", "latency_ms": 2500}
        assert httpx.post(f"{base}/_sandbox/faults", json=rule).status_code == 201
        connection = Connection(int(base.rsplit(":", 1)[1]))
        try:
            connection.send(POST_EVENT + b"Expect: 100-continue\r\n\r\n")
            connection.read_until(b"100 Continue\r\n\r\n")
            connection.send(EVENT)
            connection.read_until(b'"title":"Slow"')
        finally:
            connection.socket.close()

    assert connection.statuses() == [100, 201]


def test_past_the_connection_limit_requests_are_answered_503_until_stalled_connections_close(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), env={**DEADLINES, "SANDBOX_MAX_CONNECTIONS": "8"}) as (base, _):
        port = int(base.rsplit(":", 1)[1])
        stalled = [Connection(port) for _ in range(8)]

        refused = httpx.get(f"{base}/v1.0/me", headers=ADMIN)
        assert refused.status_code == 503
        assert refused.text == "Service Unavailable"
        assert refused.headers["connection"] == "close"

        began = time.monotonic()
        while (answer := httpx.get(f"{base}/v1.0/me", headers=ADMIN)).status_code == 503:
            assert time.monotonic() - began < PATIENCE, "still refused"
            time.sleep(0.1)
        assert answer.status_code == 200
        assert all(connection.watch(patience=0.5).closed_after is not None for connection in stalled)
