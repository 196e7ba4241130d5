"""A space: read, change, its calendar, its amenities and its live state."""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from sandbox.answers import kept_answer
from sandbox.core import availability, workplace
from sandbox.core.access import Actor
from sandbox.core.paging import page_of
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, IncludesDep, PageDep, SessionDep
from sandbox.robin.envelope import respond, respond_page
from sandbox.robin.requests import RowId, SpacePatch
from sandbox.robin.schemas import (
    Calendar,
    Collection,
    Envelope,
    Space,
    SpaceAmenity,
    SpaceState,
    documented,
)
from sandbox.routing import declaring
from sandbox.sessions import read_store
from sandbox.store.models import Resource

router = declaring(tags=["Robin: spaces"])

INCLUDES = "calendar,space_amenities,amenities,location,state"
"""The submodels a space may include; other names are ignored."""
LIVE = "state"
"""The include that depends on the clock: an answer with it is never kept (see `kept_answer`)."""


def space_documents(session: Session, actor: Actor, rows: list[Resource], includes: frozenset[str]) -> list[dict[str, Any]]:
    """`rows`, spaces the actor may see, as Robin shows them with `includes`."""
    space_ids = [row.id or 0 for row in rows]
    amenities = workplace.amenities_of(session, space_ids) if includes & {"space_amenities", "amenities"} else {}
    seated = workplace.spaces_holding_desks(session, space_ids)
    buildings = workplace.buildings_of(session, {row.building_id for row in rows}) if "location" in includes else {}
    states = {state.space.id: state for state in availability.states_of(session, actor, rows)} if LIVE in includes else {}
    return [
        wire.space(
            row,
            includes,
            amenities.get(row.id or 0),
            holds_desks=row.id in seated,
            building=buildings.get(row.building_id),
            current=states.get(row.id),
        )
        for row in rows
    ]


async def answer_space(request: Request, includes: frozenset[str], build: Callable[[], Response]) -> Response:
    """The answer of a read of one space: kept while the store is unchanged, unless it includes
    its state, which the clock changes."""
    if LIVE in includes:
        return await read_store(request.app.state.store, build)
    return await kept_answer(request, build)


def space_answer(session: Session, actor: Actor, row: Resource, includes: frozenset[str]) -> JSONResponse:
    return respond(space_documents(session, actor, [row], includes)[0])


@router.get("/spaces/{space_id}", summary=f"A space; include={INCLUDES}", responses=documented(Envelope[Space]))
async def get_space(request: Request, space_id: RowId, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> Response:
    return await answer_space(
        request, includes, lambda: space_answer(session, actor, workplace.get_space(session, actor, space_id), includes)
    )


@router.patch("/spaces/{space_id}", summary="Change a space (administrators)", responses=documented(Envelope[Space]))
def update_space(space_id: RowId, patch: SpacePatch, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> JSONResponse:
    return space_answer(session, actor, workplace.update_space(session, actor, space_id, patch.to_changes()), includes)


@router.get(
    "/spaces/{space_id}/calendar",
    summary="The calendar of a space; 404 for a space without one",
    responses=documented(Envelope[Calendar]),
)
async def get_space_calendar(request: Request, space_id: RowId, actor: ActorDep, session: SessionDep) -> Response:
    return await kept_answer(request, lambda: respond(wire.calendar(workplace.space_calendar(session, actor, space_id))))


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
