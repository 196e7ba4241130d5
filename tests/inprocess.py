"""A test client that answers each request with one call into the app's event loop.

Starlette's TestClient streams every answer back through its portal, crossing from the test's
thread to the event loop's some eight times a request, and most of a quick request's time goes in
those crossings. This client hands the loop the whole request at once and gets the whole answer
back: one crossing. It is a
TestClient in all else (lifespan, cookies, redirects, `raise_server_exceptions`), and it suits
the suite, which reads no answer as a stream: the body arrives complete or not at all.
"""

import asyncio
from typing import Any
from urllib.parse import unquote

import httpx2 as httpx
from starlette.testclient import TestClient
from starlette.types import ASGIApp, Message

DEFAULT_PORTS = {"http": 80, "https": 443}

Answer = tuple[int | None, list[tuple[str, str]], bytes, BaseException | None]
"""The status (None when the app started no answer), headers and body the app sent, and what it
raised."""


class InProcessClient(TestClient):
    """A TestClient whose requests each cross into the event loop once (module docstring)."""

    __test__ = False

    def __init__(self, app: ASGIApp, *, raise_server_exceptions: bool = True, **options: Any) -> None:
        super().__init__(app, raise_server_exceptions=raise_server_exceptions, **options)
        self._transport = _WholeExchange(self, raise_server_exceptions)


class _WholeExchange(httpx.BaseTransport):
    def __init__(self, client: InProcessClient, raise_server_exceptions: bool) -> None:
        self.client = client
        self.raise_server_exceptions = raise_server_exceptions

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in request.headers.multi_items()]
        if "host" not in request.headers:
            headers.insert(0, (b"host", url.netloc))
        scope = {
            "type": "http",
            "http_version": "1.1",
            "method": request.method,
            "scheme": url.scheme,
            "path": unquote(url.path),
            "raw_path": url.raw_path.split(b"?", 1)[0],
            "query_string": url.query,
            "root_path": "",
            "headers": headers,
            "client": ("testclient", 50000),
            "server": (url.host, url.port or DEFAULT_PORTS.get(url.scheme, 80)),
            "state": self.client.app_state.copy(),
            "extensions": {},
        }
        body = request.read()
        with self.client._portal_factory() as portal:
            status, answer_headers, content, raised = portal.call(self._exchange, scope, body)
        if raised is not None and self.raise_server_exceptions:
            raise raised
        if status is None:
            if self.raise_server_exceptions:
                raise AssertionError("the app sent no answer")
            return httpx.Response(500, request=request)
        return httpx.Response(status, headers=answer_headers, content=content, request=request)

    async def _exchange(self, scope: dict[str, Any], body: bytes) -> Answer:
        status: int | None = None
        answer_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        request_sent = False
        answered = asyncio.Event()

        async def receive() -> Message:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            # As a connection does: the client hangs up only once the answer is complete, so an
            # answer that listens for a disconnect while it streams is not cut short.
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                answer_headers.extend(
                    (name.decode("latin-1"), value.decode("latin-1")) for name, value in message.get("headers", [])
                )
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set()

        raised: BaseException | None = None
        try:
            await self.client.app(scope, receive, send)
        except Exception as error:
            raised = error
        finally:
            answered.set()
        return status, answer_headers, b"".join(chunks), raised
