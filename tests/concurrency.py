"""Clients that run at the same time against a served sandbox, and what each request got."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx2 as httpx

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
