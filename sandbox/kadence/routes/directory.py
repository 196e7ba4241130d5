"""Buildings, floors, neighborhoods and spaces."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from sandbox.answers import kept_answer
from sandbox.core import directory
from sandbox.core.paging import counted
from sandbox.kadence import hydra, schemas, wire
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import paging, related
from sandbox.kadence.schemas import PAGING, Collection, documented, item, query
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import Area, Building, Floor

router = declaring(tags=["Kadence: buildings, floors, neighborhoods, spaces"], default_response_class=hydra.LdJsonResponse)


def _floor(request: Request, row: Floor) -> dict[str, Any]:
    return wire.floor(row, hydra.base_url(request) + request.app.url_path_for("floor_plan", floor_id=row.ulid))


@router.get(
    "/buildings",
    summary="Buildings",
    responses=documented(Collection[schemas.Building]),
    openapi_extra=query(
        ("countryCode", "ISO 3166-1 alpha-2"), ("city", "Exact, any case"), ("name", "Part of the name"), ("id", "ULID"), *PAGING
    ),
)
async def list_buildings(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        params = request.query_params
        statement = directory.buildings(
            actor,
            country_code=params.get("countryCode"),
            city=params.get("city"),
            name=params.get("name"),
            ulid=params.get("id"),
        )
        return hydra.page(request, "Building", counted(session, statement, *paging(params)), wire.building)

    return await kept_answer(request, build)


@router.get("/buildings/{building_id}", summary="A building", responses=documented(item(schemas.Building)))
async def get_building(request: Request, building_id: str, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        row = directory.by_ulid(session, actor, Building, building_id)
        return hydra.respond(request, hydra.item("Building", wire.building(row)))

    return await kept_answer(request, build)


@router.get(
    "/floors",
    summary="Floors",
    responses=documented(Collection[schemas.Floor]),
    openapi_extra=query(("buildingId", "ULID of a building"), *PAGING),
)
async def list_floors(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        params = request.query_params
        statement = directory.floors(session, actor, building=related(params, "building"))
        return hydra.page(request, "Floor", counted(session, statement, *paging(params)), lambda row: _floor(request, row))

    return await kept_answer(request, build)


@router.get("/floors/{floor_id}", summary="A floor", responses=documented(item(schemas.Floor)))
async def get_floor(request: Request, floor_id: str, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        row = directory.by_ulid(session, actor, Floor, floor_id)
        return hydra.respond(request, hydra.item("Floor", _floor(request, row)))

    return await kept_answer(request, build)


@router.get(
    "/neighborhoods",
    summary="Neighborhoods",
    responses=documented(Collection[schemas.Neighborhood]),
    openapi_extra=query(("buildingId", "ULID of a building"), ("floorId", "ULID of a floor"), *PAGING),
)
async def list_neighborhoods(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        params = request.query_params
        statement = directory.areas(session, actor, building=related(params, "building"), floor=related(params, "floor"))
        return hydra.page(request, "Neighborhood", counted(session, statement, *paging(params)), wire.neighborhood)

    return await kept_answer(request, build)


@router.get("/neighborhoods/{neighborhood_id}", summary="A neighborhood", responses=documented(item(schemas.Neighborhood)))
async def get_neighborhood(request: Request, neighborhood_id: str, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        row = directory.by_ulid(session, actor, Area, neighborhood_id)
        return hydra.respond(request, hydra.item("Neighborhood", wire.neighborhood(row)))

    return await kept_answer(request, build)


@router.get(
    "/spaces",
    summary="Spaces (desks, rooms, pods, offices)",
    responses=documented(Collection[schemas.Space]),
    openapi_extra=query(
        ("neighborhoodId", "ULID of a neighborhood"),
        ("floorId", "ULID of a floor"),
        ("buildingId", "ULID of a building"),
        *PAGING,
    ),
)
async def list_spaces(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        params = request.query_params
        statement = directory.spaces(
            session,
            actor,
            area=related(params, "neighborhood"),
            floor=related(params, "floor"),
            building=related(params, "building"),
        )
        found = counted(session, statement, *paging(params))
        places = directory.places(session, found.items)
        return hydra.page(request, "Space", found, lambda row: wire.space(row, places))

    return await kept_answer(request, build)


@router.get("/spaces/{space_id}", summary="A space", responses=documented(item(schemas.Space)))
async def get_space(request: Request, space_id: str, actor: ActorDep, session: SessionDep) -> Response:
    def build() -> Response:
        row = directory.get_space(session, actor, space_id)
        return hydra.respond(request, hydra.item("Space", wire.space(row, directory.places(session, [row]))))

    return await kept_answer(request, build)
