"""What keeps a web page from driving the control plane, which asks for no credentials.

A browser sends a request to another origin without asking that origin first (no CORS
preflight) only when its method is GET, HEAD or POST, its body a form, text/plain or nothing,
and it carries no header of its own: a form posted by any page, or a no-cors fetch. So a write of
the control plane (every method but GET, HEAD and OPTIONS, on every path under /_sandbox) is
served only when it carries a JSON body (`Content-Type: application/json`) or the
`X-Sandbox-Control` header: a browser asks before sending either across origins, and the control
plane grants no preflight. A write whose `Origin` is another than the server's own is refused
whatever it carries.

Reads need neither: a browser keeps their answers from pages of other origins, and the Host
check (`Settings.allowed_hosts`) keeps a page from taking the sandbox's origin by DNS rebinding.
"""

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.control.errors import render_error
from sandbox.routing import under

CONTROL_PREFIX = "/_sandbox"
CONTROL_HEADER = "X-Sandbox-Control"
"""The header (any value) that lets a write of the control plane through without a JSON body."""
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ControlPlaneGuard:
    """Answers 403, in the control plane's error body, to a write a page could have sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS and _is_control(scope["path"]):
            refusal = refusal_of(Headers(scope=scope))
            if refusal is not None:
                await render_error(Request(scope), HTTPException(403, refusal))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def refusal_of(headers: Headers) -> str | None:
    """Why a write with these headers could have come from a page, or None when it could not."""
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, headers.get("host", "")):
        return (
            f"a write of the control plane from another origin ({origin}) is refused: "
            "it is driven from the sandbox's own dashboard or from outside a browser"
        )
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/json" or CONTROL_HEADER in headers:
        return None
    return (
        f"a write of the control plane needs a JSON body (Content-Type: application/json) or the {CONTROL_HEADER} "
        "header, so that no web page can send it"
    )


def _same_origin(origin: str, host: str) -> bool:
    """Whether `origin` (as a browser sends it; "null" for an opaque one) names the host and port
    the request was sent to."""
    if origin == "null":
        return False
    return urlsplit(origin).netloc.lower() == host.lower()


def _is_control(path: str) -> bool:
    return under(path, CONTROL_PREFIX)
