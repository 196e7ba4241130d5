"""Answers of reads that depend on nothing but the store, the caller and the request, kept while
the store is unchanged (see `Store.version`).

A route opts in by building its answer through `kept_answer`. The same request (path, query,
caller, format, host) then gets the same bytes back until any write commits, from any process,
without being routed again (`kept_for`, which the traffic middleware asks after the fault rules
and before the route). Reads that depend on the clock (statuses, availability) never opt in; a
Kadence token's expiry, which does, is kept with the answer and checked on every use.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.types import Scope

from sandbox.sessions import read_store, store_version

KEPT_BODY_BYTES = 64 * 1024
"""The largest answer kept."""
KEPT_ANSWERS = 256
"""The most answers a process keeps: at most 16 MiB of bodies."""
ANSWER_HEADERS = (b"authorization", b"accept", b"host")
"""The request headers an answer may depend on: the caller, the format, and its own links."""
VALID_UNTIL = "valid_until"
"""Request state: the real time at which the caller's credential expires, if it does."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: list[tuple[bytes, bytes]]
    organization_id: int | None
    """The caller's organization, for the journal."""
    valid_until: datetime | None
    """Real time: the caller's credential expires then."""

    def response(self) -> Response:
        response = Response(self.body, self.status)
        response.raw_headers = list(self.headers)
        return response


def _key(scope: Scope) -> Hashable:
    headers = dict(scope["headers"])
    return (scope["path"], scope["query_string"], scope.get("scheme"), *(headers.get(name) for name in ANSWER_HEADERS))


def _keepable(request: Request, response: Response) -> Answer | None:
    """What may be kept of `response`: a whole 200 that isn't too large."""
    if response.status_code != 200 or len(response.body) > KEPT_BODY_BYTES or response.background:
        return None
    state = request.state
    return Answer(
        response.status_code,
        bytes(response.body),
        list(response.raw_headers),
        getattr(state, "organization_id", None),
        getattr(state, VALID_UNTIL, None),
    )


async def kept_answer(request: Request, build: Callable[[], Response]) -> Response:
    """The answer `build` makes (a read: see `read_store`), kept for the same request while the
    store is unchanged. The route has checked the caller's credentials by then."""
    built: Response | None = None

    async def read() -> Answer | None:
        nonlocal built
        built = await read_store(request.app.state.store, build)
        return _keepable(request, built)

    answer: Answer | None = await request.app.state.answers.read_through(_key(request.scope), store_version(request).whole, read)
    if built is not None:
        return built
    assert answer is not None
    return answer.response()


def kept_for(state: Any, scope: Scope, version: Hashable) -> Answer | None:
    """The answer kept for this request at `version`, if any and its credential has not expired."""
    if scope["method"] != "GET":
        return None
    answer: Answer | None = state.answers.get(_key(scope), version)
    if answer is None or (answer.valid_until is not None and state.clock.wall() >= answer.valid_until):
        return None
    return answer
