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
import errno
import functools
import socket
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


class PortUnavailable(RuntimeError):
    """The server can't listen where the settings say; the message says why, and what to do."""


def check_port(settings: Settings) -> None:
    """Bind every address the server will listen on, as uvicorn binds it, and let it go again:
    a port another process holds is refused before the store is seeded and the banner printed,
    rather than by uvicorn after both (the supervisor of several workers binds the same way)."""
    where = f"{settings.host}:{settings.port}"
    try:
        addresses = socket.getaddrinfo(settings.host or None, settings.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise PortUnavailable(
            f"--host {settings.host!r} (SANDBOX_HOST): {error.strerror}: give an address of this machine"
        ) from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            # As uvicorn: a port whose last connections are still closing (TIME_WAIT) is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise PortUnavailable(_unbound(where, settings.port, error)) from None


def _unbound(where: str, port: int, error: OSError) -> str:
    another = 8012 if port == 8011 else 8011
    choose = f"choose another port with --port {another}, or SANDBOX_PORT={another} (`SANDBOX_PORT={another} make serve`)"
    if error.errno == errno.EADDRINUSE:
        return f"can't listen on {where}: another process listens there (a sandbox already running?): stop it, or {choose}"
    if error.errno == errno.EACCES:
        return f"can't listen on {where}: ports below 1024 need privileges: {choose}"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"can't listen on {where}: {where.rsplit(':', 1)[0]} is not an address of this machine: give another --host"
    return f"can't listen on {where}: {error.strerror}: {choose}"


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
