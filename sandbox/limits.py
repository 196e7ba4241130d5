"""How much of a request body the server reads, and how long it waits for it: a body larger than
the limit is refused with 413 before more of it than the limit is held in memory, and a body that
has not arrived `timeout` seconds after the route first read it with 408 (`sandbox.serving` says
why that deadline is kept here, and bounds the headers)."""

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    """Refuses a request body over `max_bytes` when the route reads it, from its Content-Length
    or, sent in chunks, as soon as the chunks pass the limit; and one whose last chunk has not
    arrived `timeout` seconds after the route's first read, closing its connection (the rest of
    the body would otherwise be read as the next request). The refusals are HTTPExceptions, so
    each API answers in its own error shape."""

    def __init__(self, app: ASGIApp, max_bytes: int, timeout: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0
        deadline: float | None = None
        read = False
        late = False

        async def limited() -> Message:
            nonlocal received, deadline, read, late
            if read:
                return await receive()  # A wait for the client to leave, as long as the answer takes.
            if declared is not None and declared > self.max_bytes:
                raise self._too_large()
            if deadline is None:
                deadline = asyncio.get_running_loop().time() + self.timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                late = True
                raise self._too_late() from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            read = message["type"] != "http.request" or not message.get("more_body", False)
            return message

        async def answer(message: Message) -> None:
            if late and message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, limited, answer)

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"The request body is larger than {self.max_bytes} bytes.")

    def _too_late(self) -> HTTPException:
        return HTTPException(408, f"The request body did not arrive within {self.timeout:g} seconds.")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
