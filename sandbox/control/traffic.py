"""What happens to every request to a vendor API before and after its route: the fault rules
that match it, and its entry in the request journal, its secrets redacted (`journal.redacted`).

The control plane itself is neither faulted nor journaled, so a harness can always reach it.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http.client import responses
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.access_log import FAULT
from sandbox.answers import kept_for
from sandbox.control import faults
from sandbox.control.journal import clipped, kept_headers, redacted, storable
from sandbox.core.errors import RateLimited
from sandbox.sessions import STORE_VERSION, read_store
from sandbox.store.engine import BUSY
from sandbox.store.models import FAULTS


class ConnectionDropped(ConnectionError):
    """A drop fault under a server that gives no way to close the connection (an in-process
    test client): the request fails instead."""


class TrafficMiddleware:
    """Journals, limits and faults each request to a vendor API; `api_of` names the API a path
    belongs to (None for the control plane and the sandbox's own pages, which pass untouched),
    and `organization_of` the organization of the credential a request to it presents (None for
    none its API knows), asked only where a rule that matches the request names an organization."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        api_of: Callable[[str], str | None],
        organization_of: Callable[[Request], Awaitable[int | None]],
    ) -> None:
        self.app = app
        self.api_of = api_of
        self.organization_of = organization_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api = self.api_of(scope["path"]) if scope["type"] == "http" else None
        if api is None:
            await self.app(scope, receive, send)
            return
        sandbox = scope["app"]
        exchange = _Exchange(scope, api, receive, send, sandbox.state.journal.record)
        try:
            await self._serve(sandbox, scope, exchange)
        except Exception:
            if exchange.status is None:
                exchange.status = 500  # What the server's last-resort handler answers.
            raise
        finally:
            exchange.record()

    async def _serve(self, sandbox: Any, scope: Scope, exchange: "_Exchange") -> None:
        render: Callable[[Request, Exception], Response] = sandbox.state.render_error
        try:
            decision = await _consult(sandbox.state, scope, exchange.api, self.organization_of)
        except BUSY as busy:  # Answered as a route answers it: out here only the server would, with a 500.
            await render(Request(scope, exchange.receive), busy)(scope, exchange.receive, exchange.send)
            return
        exchange.fault_id = decision.rule_id
        rule = decision.outcome
        if decision.rule_id is not None:
            effect = "latency" if rule is None else rule.effect
            scope["state"][FAULT] = {"rule_id": decision.rule_id, "effect": effect, "latency_ms": decision.delay_ms}
        if decision.delay_ms:
            await asyncio.sleep(decision.delay_ms / 1000)
        if rule is None:
            kept = kept_for(sandbox.state, scope, scope["state"][STORE_VERSION].whole)
            if kept is None:
                await self.app(scope, exchange.receive, exchange.send)
            else:
                scope["state"]["organization_id"] = kept.organization_id
                await kept.response()(scope, exchange.receive, exchange.send)
        elif rule.effect == "drop":
            await _drop(exchange.original_receive)
        else:
            response = render(Request(scope, exchange.receive), _failure(rule))
            await response(scope, exchange.receive, exchange.send)


async def _consult(
    state: Any, scope: Scope, api: str, organization_of: Callable[[Request], Awaitable[int | None]]
) -> faults.Decision:
    """What the fault rules make of a request. The rules are read again only when they have
    changed (the store's version is left in the request's state for the routes too); the
    caller's organization is read only when a rule that matches names one (by the credential
    the route then finds kept), and left for the journal; a rule that applies is used in a
    worker thread, since using it is a write (it counts its uses)."""
    store = state.store
    version = store.version()
    scope.setdefault("state", {})[STORE_VERSION] = version
    rules = await state.fault_rules.read_through(None, version.of(FAULTS), lambda: read_store(store, faults.live, store))
    assert rules is not None
    matched = faults.matching(rules, api, scope["method"], scope["path"])
    if faults.name_an_organization(matched):
        organization_id = await organization_of(Request(scope))
        if organization_id is not None:
            scope["state"]["organization_id"] = organization_id
        matched = faults.applying_to(matched, organization_id)
    return await run_in_threadpool(faults.decide, store, matched) if matched else faults.Decision()


def _failure(rule: Any) -> Exception:
    if rule.effect == "rate_limit":
        return RateLimited(rule.message or "Too many requests: slow down", rule.retry_after)
    return HTTPException(rule.status, rule.message or responses.get(rule.status, "Error"))


async def _drop(receive: Receive) -> None:
    """Close the connection without answering: uvicorn's request cycle (what `receive` is bound
    to) holds the transport."""
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("a fault rule dropped this request")
    transport.close()
    for _ in range(100):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.01)


class _Exchange:
    """One request as the journal keeps it, filled in as it is served."""

    def __init__(
        self, scope: Scope, api: str, receive: Receive, send: Send, journal: Callable[[dict[str, object]], None]
    ) -> None:
        self.scope = scope
        self.journal = journal
        self.recorded = False
        self.api = api
        self.original_receive = receive
        self.original_send = send
        self.at = datetime.now(UTC)
        self.started = time.perf_counter()
        self.status: int | None = None
        self.fault_id: int | None = None
        self.request_body = bytearray()
        self.response_body = bytearray()
        self.response_type: str | None = None
        self.response_headers: list[tuple[bytes, bytes]] = []

    async def receive(self) -> Message:
        message = await self.original_receive()
        if message["type"] == "http.request":
            _keep(self.request_body, message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.response_headers = list(message.get("headers", []))
            self.response_type = _header(self.response_headers, b"content-type")
        elif message["type"] == "http.response.body":
            _keep(self.response_body, message.get("body", b""))
            if not message.get("more_body", False):
                self.record()
        await self.original_send(message)

    def record(self) -> None:
        """Into the journal, once: as the last byte of the answer leaves, so that a client that
        reads the journal next finds it there, or when the request ends without an answer."""
        if not self.recorded:
            self.recorded = True
            self.journal(self.entry())

    def entry(self) -> dict[str, object]:
        request_type = _header(self.scope.get("headers", []), b"content-type")
        request_text, request_cut = clipped(bytes(self.request_body), request_type)
        response_text, response_cut = clipped(bytes(self.response_body), self.response_type)
        query = redacted(self.scope.get("query_string", b"").decode("latin-1"), None)
        state = self.scope.get("state") or {}
        return {
            "at": self.at,
            "api": self.api,
            "method": self.scope["method"],
            "path": storable(self.scope["path"]),
            "query": storable(query),
            "status": self.status,
            "duration_ms": round((time.perf_counter() - self.started) * 1000, 3),
            "organization_id": state.get("organization_id"),
            "fault_id": self.fault_id,
            "request_headers": kept_headers(self.scope.get("headers", [])),
            "request_content_type": request_type,
            "request_body": request_text,
            "response_headers": kept_headers(self.response_headers),
            "response_content_type": self.response_type,
            "response_body": response_text,
            "truncated": request_cut or response_cut,
        }


_KEPT = 4 * 64 * 1024


def _keep(kept: bytearray, chunk: bytes) -> None:
    """Add to `kept` what the journal may keep of `chunk`: one byte past _KEPT tells it was cut."""
    if len(kept) <= _KEPT:
        kept.extend(chunk[: _KEPT + 1 - len(kept)])


"""Bytes of each body held while a request is served; the journal keeps less (journal.BODY_LIMIT)."""


def _header(headers: Any, name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
