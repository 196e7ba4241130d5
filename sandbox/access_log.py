"""The access log: one record a request, on the `sandbox.access` logger, carrying what a reader of
the log filters by (method, path, status, duration, API, organization, the fault rule applied),
written as a line of text or as a JSON object (`JsonFormatter`) as the settings choose
(`serving.log_config`). The health checks a container's orchestrator sends every few seconds are
left out (`HealthChecksLeftOut`)."""

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACCESS_LOGGER = "sandbox.access"
HEALTH_CHECKS = frozenset({"/_sandbox/health", "/_sandbox/ready"})
FAULT = "fault"
"""The key of the request's state under which the fault rules leave what they did to it."""
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "color_message"}
"""What every log record carries; anything else on one was given to it as a field (`extra`)."""

access_log = logging.getLogger(ACCESS_LOGGER)


class AccessLogMiddleware:
    """Logs each HTTP request as its answer ends (or the request does without one). `api_of` names
    the API a path belongs to (None for the control plane and the sandbox's own pages)."""

    def __init__(self, app: ASGIApp, *, api_of: Callable[[str], str | None]) -> None:
        self.app = app
        self.api_of = api_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        # Made here, before any middleware copies the scope, so that what the routes and the fault
        # rules leave in the request's state is seen here too.
        state = scope.setdefault("state", {})
        started = time.perf_counter()
        status: int | None = None

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            status = status or 500  # What the server's last-resort handler answers.
            raise
        finally:
            _log(scope, state, status, (time.perf_counter() - started) * 1000, self.api_of(scope["path"]))


def _log(scope: Scope, state: Any, status: int | None, duration_ms: float, api: str | None) -> None:
    client = scope.get("client")
    address = f"{client[0]}:{client[1]}" if client else "-"
    access_log.info(
        '%s - "%s %s" %s %.1f ms',
        address,
        scope["method"],
        scope["path"],
        status if status is not None else "-",
        duration_ms,
        extra={
            "client": address,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(duration_ms, 3),
            "api": api or "control",
            "organization": state.get("organization_id"),
            "fault": state.get(FAULT),
        },
    )


class HealthChecksLeftOut(logging.Filter):
    """Leaves out of the access log the requests of the health and readiness checks."""

    def filter(self, record: logging.LogRecord) -> bool:
        return getattr(record, "path", None) not in HEALTH_CHECKS


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: its time (UTC, ISO 8601), level, logger and message, then the
    fields it was given."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: value for name, value in record.__dict__.items() if name not in _RECORD_ATTRIBUTES})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)
