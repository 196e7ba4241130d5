"""Locations (buildings), levels (floors) and the spaces in them."""

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from sandbox.answers import kept_answer
from sandbox.core import workplace
from sandbox.core.workplace import SpaceFilters
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, IncludesDep, PageDep, SessionDep
from sandbox.robin.envelope import respond, respond_page
from sandbox.robin.requests import RowId, comma_list
from sandbox.robin.routes.spaces import INCLUDES, answer_space, space_answer, space_documents
from sandbox.robin.schemas import (
    Collection,
    Envelope,
    Level,
    Location,
    Space,
    documented,
)
from sandbox.routing import declaring
from sandbox.store.models import Building, Floor

router = declaring(tags=["Robin: locations and levels"])


@router.get("/locations/{location_id}", summary="A location", responses=documented(Envelope[Location]))
async def get_location(request: Request, location_id: RowId, actor: ActorDep, session: SessionDep) -> Response:
    return await kept_answer(request, lambda: respond(wire.location(workplace.fetch(session, actor, Building, location_id))))


@router.get("/locations/{location_id}/levels", summary="Levels (floors) of a location", responses=documented(Collection[Level]))
async def list_levels(request: Request, location_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> Response:
    def build() -> Response:
        found = workplace.list_floors(session, actor, location_id, page)
        return respond_page(found, [wire.level(row) for row in found.items])

    return await kept_answer(request, build)


@router.get("/levels/{level_id}", summary="A level (floor)", responses=documented(Envelope[Level]))
async def get_level(request: Request, level_id: RowId, actor: ActorDep, session: SessionDep) -> Response:
    return await kept_answer(request, lambda: respond(wire.level(workplace.fetch(session, actor, Floor, level_id))))


@router.get(
    "/locations/{location_id}/spaces",
    summary=f"Spaces of a location, filtered; include={INCLUDES}",
    responses=documented(Collection[Space]),
)
def list_spaces(
    location_id: RowId,
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    includes: IncludesDep,
    query: Annotated[str | None, Query(max_length=200, description="Part of the space name")] = None,
    type: Annotated[list[str], Query(description="Space types, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
    level_id: Annotated[RowId | None, Query(description="Only spaces on this level")] = None,
    min_capacity: Annotated[int | None, Query()] = None,
    max_capacity: Annotated[int | None, Query()] = None,
) -> Response:
    filters = SpaceFilters(
        query=query,
        level_id=level_id,
        min_capacity=min_capacity,
        max_capacity=max_capacity,
        types=list[str | None](comma_list(type)) or None,
    )
    found = workplace.list_spaces(session, actor, location_id, filters, page)
    return respond_page(found, space_documents(session, actor, found.items, includes))


@router.get(
    "/locations/{location_id}/spaces/{space_id}",
    summary=f"A space of a location; 404 for a space elsewhere; include={INCLUDES}",
    responses=documented(Envelope[Space]),
)
async def get_location_space(
    request: Request, location_id: RowId, space_id: RowId, actor: ActorDep, session: SessionDep, includes: IncludesDep
) -> Response:
    def build() -> Response:
        return space_answer(session, actor, workplace.get_space_at(session, actor, location_id, space_id), includes)

    return await answer_space(request, includes, build)
