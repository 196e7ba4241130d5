"""Cross-origin requests from web pages (CORS), answered on the paths a page of another origin
has reason to call: the vendor APIs and the floor plans.

They are answered as mock servers answer them by default: any origin (or those the settings
list), any method and request header, and no credentials, since both APIs take their tokens in a
header, never from a cookie. A request without an `Origin` (no browser's) is left as it is, its
answer too, as API Platform's CORS bundle leaves it: a client outside a browser gets the vendor's
headers and no others (Starlette would add `Vary: Origin`). A preflight is answered here, before the request journal and the
fault rules see it: a browser sends it on its own, it is not the client's call. The control
plane is left out, so that a page never learns it may write there (`control.guard`).
"""

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.routing import under

EXPOSED_HEADERS = ("Location", "Content-Location", "Link", "Retry-After", "WWW-Authenticate")
"""The headers of an answer that a page's script may read beyond those every browser shows: where
a booking was created, a Kadence resource's IRI and its API documentation, how long to wait after
a 429, and why a token was refused."""


class CrossOriginMiddleware:
    """Starlette's CORS handling for the requests a browser sent (with an `Origin`) to the paths
    under `prefixes`; any other passes untouched. No origins: no path answers a page of another
    origin."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str], prefixes: Sequence[str]) -> None:
        self.app = app
        self.prefixes = tuple(prefixes) if origins else ()
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=EXPOSED_HEADERS,
            # A page of a public site is not let in to a sandbox on this machine or network, when
            # the browser asks first (Chrome's private network access): the demo's tokens are no
            # secret. Pages served from this machine or its network are answered.
            allow_private_network=False,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and any(under(scope["path"], prefix) for prefix in self.prefixes)
            and "origin" in Headers(scope=scope)
        ):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
