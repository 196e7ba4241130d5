"""Clients that run at the same time against a served sandbox: requests released together (a
barrier, a thread and a connection each, so that they meet inside the server rather than queue in
the client), and clients that repeat their requests for a while, with what each request got."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import httpx2 as httpx

Result = TypeVar("Result")
BARRIER_TIMEOUT_S = 60
"""How long a thread waits for the others at the barrier: a thread pool on a loaded machine may
take seconds to start them all, never this long."""


def released_together(send: Callable[[int], Result], count: int = 50) -> list[Result]:
    """`send(0)` ... `send(count - 1)`, each on a thread of its own, all released at once; their
    results in that order. Each call opens its own connection, so the kernel spreads them over the
    server's worker processes."""
    barrier = threading.Barrier(count)

    def one(position: int) -> Result:
        barrier.wait(BARRIER_TIMEOUT_S)
        return send(position)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


class Crowd:
    """`size` clients of one server, each with a connection of its own kept open between rounds.

    In each round (`together`) every client first makes sure its connection is open (a health
    check), then all send their request at the same moment: the connections are made before the
    barrier, so none is late for having to connect after it.
    """

    def __init__(self, base: str, size: int = 50, timeout: float = 60) -> None:
        self.base = base
        self.size = size
        self.clients = [httpx.Client(base_url=base, timeout=timeout) for _ in range(size)]
        self._pool = ThreadPoolExecutor(max_workers=size)

    def together(self, send: Callable[[httpx.Client, int], Result]) -> list[Result]:
        """`send(client, position)` from every client at once; the results by position."""
        barrier = threading.Barrier(self.size)

        def one(position: int) -> Result:
            client = self.clients[position]
            client.get("/_sandbox/health").raise_for_status()
            barrier.wait(BARRIER_TIMEOUT_S)
            return send(client, position)

        return list(self._pool.map(one, range(self.size)))

    def close(self) -> None:
        self._pool.shutdown()
        for client in self.clients:
            client.close()


Request = Callable[[httpx.Client], httpx.Response]
"""One request, sent on the client it is given."""


@dataclass(frozen=True)
class Outcome:
    client: str
    status: int | None
    """None when no answer came (the client's timeout passed, or the connection failed)."""
    seconds: float
    detail: str


def for_a_while(base: str, clients: dict[str, Request], seconds: float, *, timeout: float) -> list[Outcome]:
    """Each of `clients` sends its request again and again, on a connection of its own to
    `base`, from the moment all of them are ready (a barrier) until `seconds` have passed:
    every request's outcome. A request gets no answer after `timeout` seconds, so the run ends
    within `seconds + timeout` whatever the server does."""
    ready = threading.Barrier(len(clients))

    def repeat(name: str) -> list[Outcome]:
        outcomes = []
        with httpx.Client(base_url=base, timeout=timeout) as client:
            ready.wait()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                outcomes.append(_sent(name, clients[name], client))
        return outcomes

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return [outcome for outcomes in pool.map(repeat, clients) for outcome in outcomes]


def _sent(name: str, request: Request, client: httpx.Client) -> Outcome:
    began = time.perf_counter()
    try:
        response = request(client)
    except httpx.HTTPError as error:
        return Outcome(name, None, time.perf_counter() - began, f"{type(error).__name__}: {error}")
    return Outcome(name, response.status_code, time.perf_counter() - began, response.text[:300])
