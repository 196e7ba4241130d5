"""The vendor APIs the sandbox speaks, one entry each. The app mounts them and renders each
one's failures from this list; the journal and the fault rules name a request by the API its path
belongs to (`api_of`), and a fault rule naming an organization reads the caller's by its API's
credentials (`organization_of`); the OpenAPI documents and the docs page are cut along it. A new
dialect is a package (its routes and wire, with `include`, `render_error`, `organization_of` and
`PREFIXES`) and one entry in DIALECTS."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response

from sandbox import kadence, robin
from sandbox.core.lifecycle import Status
from sandbox.routing import under
from sandbox.store.models import Reservation


@dataclass(frozen=True)
class Dialect:
    name: str
    """How the journal, the fault rules and the OpenAPI documents name it."""
    label: str
    """Its name on the docs page."""
    title: str
    """Its OpenAPI document's title."""
    description: str
    """Its OpenAPI document's description: the package's docstring, LIMITATIONS and all."""
    prefixes: tuple[str, ...]
    """The paths it answers under, each ending with "/"; the path without the "/" is its too."""
    include: Callable[[FastAPI], None]
    """Mounts its routes on the app."""
    render_error: Callable[[Request, Exception], Response]
    """Any failure under its paths, in its own error body."""
    organization_of: Callable[[Request], Awaitable[int | None]]
    """The organization of the credential a request presents, read as its routes read it; None
    where it presents none the API knows. The fault rules ask it before the route runs."""
    occurrence_id: Callable[[Reservation, datetime | None], str]
    """The id it gives an occurrence: of a reservation, at its start in a series (None for a
    single one). The control plane shows each API's ids by it."""
    status_word: Callable[[Status], str] | None = None
    """The word it gives an occurrence's status, if its bookings carry one. The control plane's
    timeline shows Kadence's."""

    def serves(self, path: str) -> bool:
        return any(under(path, prefix) for prefix in self.prefixes)


DIALECTS = (
    Dialect(
        name="robin",
        label="Robin API v1.0",
        title="Robin API v1.0 (workplace-sandbox)",
        description=robin.__doc__ or "",
        prefixes=robin.PREFIXES,
        include=robin.include,
        render_error=robin.render_error,
        organization_of=robin.organization_of,
        occurrence_id=robin.occurrence_id,
    ),
    Dialect(
        name="kadence",
        label="Kadence Public API",
        title="Kadence Public API 1.2.0 (workplace-sandbox)",
        description=kadence.__doc__ or "",
        prefixes=kadence.PREFIXES,
        include=kadence.include,
        render_error=kadence.render_error,
        organization_of=kadence.organization_of,
        occurrence_id=kadence.occurrence_id,
        status_word=kadence.status_word,
    ),
)


def dialect_of(path: str) -> Dialect | None:
    """The dialect a path belongs to; None for the control plane and the sandbox's own pages."""
    return next((dialect for dialect in DIALECTS if dialect.serves(path)), None)


def api_of(path: str) -> str | None:
    """The name of the API a path belongs to, as the journal and the fault rules give it."""
    dialect = dialect_of(path)
    return None if dialect is None else dialect.name


async def organization_of(request: Request) -> int | None:
    """The organization of the credential a request to a vendor API presents, as its API reads
    it; None where it presents none that API knows, and off the vendor paths."""
    dialect = dialect_of(request.scope["path"])
    return None if dialect is None else await dialect.organization_of(request)


def occurrence_ids() -> dict[str, Callable[[Reservation, datetime | None], str]]:
    """Each API's id of an occurrence, by the API's name."""
    return {dialect.name: dialect.occurrence_id for dialect in DIALECTS}


def status_words() -> dict[str, Callable[[Status], str]]:
    """Each API's word for an occurrence's status, by the API's name, for those that name one."""
    return {dialect.name: dialect.status_word for dialect in DIALECTS if dialect.status_word is not None}
