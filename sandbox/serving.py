"""How the server holds its connections: how long a client may take to send a request, and how
many connections a server process keeps open.

uvicorn closes a connection left idle after an answer (`timeout_keep_alive`), and past
`limit_concurrency` connections it answers a request 503 and closes its connection. Nothing
bounds a connection that sends part of a request: a new connection has no timer before its first
answer, and the keep-alive timer is cancelled by the first byte that arrives and armed again only
by the next answer. A client that connected and sent nothing, part of its headers, or part of a
body held its connection for good, and enough of them used up the process's file descriptors.

Headers are bounded here: `HeaderDeadlineProtocol` closes a connection whose request headers
are not complete `header_timeout` seconds after it opened or after its last answer went out,
however they trickle in. Bodies are bounded where the app reads them (`sandbox.limits`): from the
route's first read, so that neither time spent before it (a fault rule's latency, a wait for the
store) nor a client waiting for its `100 Continue` counts against the client.
"""

import asyncio
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from sandbox.access_log import ACCESS_LOGGER
from sandbox.settings import Settings


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for a server of these settings (for `uvicorn.run` or `uvicorn.Config`)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        # A partial, not a class made here: worker processes get the options pickled.
        "http": functools.partial(HeaderDeadlineProtocol, header_timeout=settings.header_timeout),
        "limit_concurrency": settings.max_connections,
        "log_config": log_config(settings),
        "access_log": False,  # The app's own access log (`sandbox.access_log`) says more.
    }


def log_config(settings: Settings) -> dict[str, Any]:
    """The logging configuration (`logging.config.dictConfig`) of a server: uvicorn's messages on
    stderr, the access log on stdout, as uvicorn writes them, in the settings' format."""
    if settings.log_format == "json":
        formatter: dict[str, Any] = {"()": "sandbox.access_log.JsonFormatter"}
    else:
        formatter = {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s", "use_colors": None}
    level = settings.log_level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"health_checks_left_out": {"()": "sandbox.access_log.HealthChecksLeftOut"}},
        # Named as uvicorn names its own: it sets their colours when told to.
        "formatters": {"default": formatter, "access": dict(formatter)},
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access",
                "stream": "ext://sys.stdout",
                "filters": ["health_checks_left_out"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "sandbox": {"handlers": ["default"], "level": level, "propagate": False},
            ACCESS_LOGGER: {"handlers": ["access"], "level": level, "propagate": False},
        },
    }


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), closing a connection that has not sent a complete
    request head within `header_timeout` seconds of opening, or of its last answer."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn declares it
        super().connection_made(transport)
        self._await_headers()

    def on_headers_complete(self) -> None:
        self._stop_waiting()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        next_request_arrived = bool(self.pipeline)
        super().on_response_complete()
        if not next_request_arrived and not self.transport.is_closing():
            self._await_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_headers(self) -> None:
        self._stop_waiting()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_late)

    def _stop_waiting(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_late(self) -> None:
        self._header_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
