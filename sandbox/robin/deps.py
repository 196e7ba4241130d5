"""Request dependencies of the Robin dialect, as `Annotated` aliases routes declare."""

from typing import Annotated

from fastapi import Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader

from sandbox.core import workplace
from sandbox.core.access import Actor, acting, credential_for_token
from sandbox.core.errors import Unauthenticated
from sandbox.core.paging import MAX_PER_PAGE, MAX_RESULT_DEPTH, PageRequest
from sandbox.core.reservations import Window
from sandbox.robin.requests import INSTANT_PATTERN, comma_list, query_instant
from sandbox.routing import refuse_unreadable_input
from sandbox.sessions import SessionDep as SessionDep  # Robin's routes take every dependency from here.
from sandbox.sessions import credential, reads_only

SCHEMES = ("access-token", "bearer")
"""The schemes a token is read after: Robin's own, and a bearer credential, which the live API
takes too (Robin's Java SDK sends one)."""
ACCESS_TOKEN = APIKeyHeader(
    name="Authorization",
    scheme_name="AccessToken",
    description="An access token after Robin's own scheme, `Access-Token <token>` (`Bearer <token>` is taken too). "
    "In the sandbox's demo workplace, type `Access-Token demo-robin-token`, an administrator's.",
    auto_error=False,
)
"""The token as the OpenAPI documents declare it, for every route that takes one: Swagger UI's
Authorize asks for it and sends it. `presented_token` reads it, after its scheme."""


def presented_token(request: Request) -> str:
    """The token of an `Authorization: Access-Token <token>` (or `Bearer <token>`) header or,
    where a request sends no Authorization header, of an `access_token` query parameter (a
    signage page that can't set headers sends it so)."""
    header = request.headers.get("authorization")
    if not header:
        token = request.query_params.get("access_token", "").strip()
        if token:
            return token
        raise Unauthenticated("The Authorization header is missing: send 'Authorization: Access-Token <token>'")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() not in SCHEMES or not token.strip():
        raise Unauthenticated("The Authorization header must read 'Access-Token <token>' or 'Bearer <token>'")
    return token.strip()


async def get_actor(
    request: Request,
    session: SessionDep,
    authorization: Annotated[str | None, Security(ACCESS_TOKEN)],
) -> Actor:
    """The caller, by their access token (401 first); then nothing no field can hold in what they
    sent (see `refuse_unreadable_input`). Every Robin route but sign-in depends on it, and so
    declares ACCESS_TOKEN; the Authorization header is read with the query parameter that stands
    in for it (`presented_token`)."""
    found = await credential(request, presented_token(request), credential_for_token)
    actor = acting(session, found, request.app.state.clock.now(found.organization), reading=reads_only(request))
    request.state.organization_id = actor.organization_id
    await refuse_unreadable_input(request)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


async def credential_organization(request: Request) -> int | None:
    """The organization of the access token a request presents, found as `get_actor` finds it
    (and kept for it); None where it presents none Robin knows."""
    try:
        found = await credential(request, presented_token(request), credential_for_token)
    except Unauthenticated:
        return None
    return found.organization.id


async def get_page(
    page: Annotated[
        int,
        Query(
            description=f"1-based page number; pages reach at most {MAX_RESULT_DEPTH} results deep",
            json_schema_extra={"minimum": 1, "maximum": MAX_RESULT_DEPTH},
        ),
    ] = 1,
    per_page: Annotated[
        int,
        Query(
            description=f"Results per page; more than {MAX_PER_PAGE} reads as {MAX_PER_PAGE}",
            json_schema_extra={"minimum": 1, "maximum": MAX_PER_PAGE},
        ),
    ] = 10,
) -> PageRequest:
    """The page asked for: more than MAX_PER_PAGE a page reads as MAX_PER_PAGE, as clients ask for
    more; PageRequest refuses what else is out of bounds (the bounds here only document it)."""
    return PageRequest(page, min(per_page, MAX_PER_PAGE))


PageDep = Annotated[PageRequest, Depends(get_page)]


async def get_includes(
    include: Annotated[list[str], Query(description="Submodels, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
) -> frozenset[str]:
    return frozenset(comma_list(include))


IncludesDep = Annotated[frozenset[str], Depends(get_includes)]


async def get_window(
    after: Annotated[
        str | None,
        Query(
            description="ISO-8601 lower bound; defaults to now",
            json_schema_extra={"pattern": INSTANT_PATTERN},
        ),
    ] = None,
    before: Annotated[
        str | None,
        Query(
            description="ISO-8601 upper bound; defaults to a week after `after`",
            json_schema_extra={"pattern": INSTANT_PATTERN},
        ),
    ] = None,
) -> Window:
    return Window(query_instant(after, "after"), query_instant(before, "before"))


WindowDep = Annotated[Window, Depends(get_window)]


OrganizationKey = Annotated[str, Path(description="The organization's id or slug", max_length=128)]
"""An organization as a path names it: by id or slug, as Robin addresses one on every route
below it."""


async def get_organization_id(organization_id: OrganizationKey, actor: ActorDep, session: SessionDep) -> int:
    """The organization a read's path names (OrganizationKey): 404 for none, 403 for another
    organization's. A route that writes looks it up itself, off the event loop."""
    return workplace.get_organization(session, actor, organization_id).id or 0


OrganizationIdDep = Annotated[int, Depends(get_organization_id)]
