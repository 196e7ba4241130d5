"""A space: read, change, its amenities and its live state."""

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from sandbox.answers import kept_answer
from sandbox.core import availability, workplace
from sandbox.core.paging import page_of
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, IncludesDep, PageDep, SessionDep
from sandbox.robin.envelope import respond, respond_page
from sandbox.robin.requests import RowId, SpacePatch
from sandbox.robin.schemas import (
    Collection,
    Envelope,
    Space,
    SpaceAmenity,
    SpaceState,
    documented,
)
from sandbox.routing import declaring
from sandbox.store.models import Resource

router = declaring(tags=["Robin: spaces"])


def _space(session: SessionDep, row: Resource, includes: frozenset[str]) -> JSONResponse:
    amenities = workplace.amenities_of(session, [row.id or 0]).get(row.id or 0) if includes else None
    return respond(wire.space(row, includes, amenities))


@router.get(
    "/spaces/{space_id}",
    summary="A space; include=calendar,space_amenities,amenities",
    responses=documented(Envelope[Space]),
)
async def get_space(request: Request, space_id: RowId, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> Response:
    return await kept_answer(request, lambda: _space(session, workplace.get_space(session, actor, space_id), includes))


@router.patch("/spaces/{space_id}", summary="Change a space (administrators)", responses=documented(Envelope[Space]))
def update_space(space_id: RowId, patch: SpacePatch, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> JSONResponse:
    return _space(session, workplace.update_space(session, actor, space_id, patch.to_changes()), includes)


@router.get("/spaces/{space_id}/amenities", summary="Amenities of a space", responses=documented(Collection[SpaceAmenity]))
def list_space_amenities(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    found = page_of(workplace.space_amenities(session, actor, space_id), page)
    return respond_page(found, [wire.space_amenity(link, kind) for link, kind in found.items])


@router.get(
    "/spaces/{space_id}/state",
    summary="Whether a space is available, booked, in use or disabled",
    responses=documented(Envelope[SpaceState]),
)
def get_space_state(space_id: RowId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.state(availability.space_state(session, actor, space_id)))
