"""Buildings, floors, neighborhoods and spaces."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sandbox.core import directory
from sandbox.core.space_types import booking_type
from sandbox.kadence import hydra, schemas, wire
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import paging
from sandbox.kadence.schemas import PAGING, Collection, documented, item, query
from sandbox.sessions import SessionDep
from sandbox.store.models import Area, Building, Floor

router = APIRouter(tags=["Kadence: buildings, floors, neighborhoods, spaces"], default_response_class=hydra.LdJsonResponse)


def _page(request: Request, session: SessionDep, context: str, statement: object, render: object) -> Response:
    page, per_page = paging(request.query_params)
    found = directory.counted(session, statement, page, per_page)
    members = [render(row) for row in found.items]  # type: ignore[operator]
    return hydra.respond(request, hydra.collection(request, context, members, found.total, page, per_page))


@router.get(
    "/buildings", summary="Buildings", responses=documented(Collection[schemas.Building]),
    openapi_extra=query(("countryCode", "ISO 3166-1 alpha-2"), ("city", "Exact, any case"), ("name", "Part of the name"),
                        ("id", "ULID"), *PAGING),
)
def list_buildings(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    statement = directory.buildings(
        actor, country_code=params.get("countryCode"), city=params.get("city"), name=params.get("name"),
        ulid=params.get("id"),
    )
    return _page(request, session, "Building", statement, wire.building)


@router.get("/buildings/{building_id}", summary="A building", responses=documented(item(schemas.Building)))
def get_building(request: Request, building_id: str, actor: ActorDep, session: SessionDep) -> Response:
    row = directory.by_ulid(session, actor, Building, building_id)
    return hydra.respond(request, hydra.item("Building", wire.building(row)))


@router.get(
    "/floors", summary="Floors", responses=documented(Collection[schemas.Floor]),
    openapi_extra=query(("buildingId", "ULID of a building"), *PAGING),
)
def list_floors(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    statement = directory.floors(session, actor, building=params.get("buildingId") or params.get("building.id"))
    return _page(request, session, "Floor", statement, lambda row: wire.floor(row, str(request.base_url)))


@router.get("/floors/{floor_id}", summary="A floor", responses=documented(item(schemas.Floor)))
def get_floor(request: Request, floor_id: str, actor: ActorDep, session: SessionDep) -> Response:
    row = directory.by_ulid(session, actor, Floor, floor_id)
    return hydra.respond(request, hydra.item("Floor", wire.floor(row, str(request.base_url))))


@router.get(
    "/neighborhoods", summary="Neighborhoods", responses=documented(Collection[schemas.Neighborhood]),
    openapi_extra=query(("buildingId", "ULID of a building"), ("floorId", "ULID of a floor"), *PAGING),
)
def list_neighborhoods(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    statement = directory.areas(
        session, actor, building=params.get("buildingId") or params.get("building.id"),
        floor=params.get("floorId") or params.get("floor.id"),
    )
    return _page(request, session, "Neighborhood", statement, wire.neighborhood)


@router.get("/neighborhoods/{neighborhood_id}", summary="A neighborhood", responses=documented(item(schemas.Neighborhood)))
def get_neighborhood(request: Request, neighborhood_id: str, actor: ActorDep, session: SessionDep) -> Response:
    row = directory.by_ulid(session, actor, Area, neighborhood_id)
    return hydra.respond(request, hydra.item("Neighborhood", wire.neighborhood(row) or {}))


@router.get(
    "/spaces", summary="Spaces (desks, rooms, pods, offices)", responses=documented(Collection[schemas.Space]),
    openapi_extra=query(("neighborhoodId", "ULID of a neighborhood"), ("floorId", "ULID of a floor"),
                        ("buildingId", "ULID of a building"), *PAGING),
)
def list_spaces(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    statement = directory.spaces(
        session, actor, area=params.get("neighborhoodId") or params.get("neighborhood.id"),
        floor=params.get("floorId") or params.get("floor.id"), building=params.get("buildingId") or params.get("building.id"),
    )
    return _page(request, session, "Space", statement, lambda row: wire.space(session, row, booking_type(row)))


@router.get("/spaces/{space_id}", summary="A space", responses=documented(item(schemas.Space)))
def get_space(request: Request, space_id: str, actor: ActorDep, session: SessionDep) -> Response:
    row = directory.get_space(session, actor, space_id)
    return hydra.respond(request, hydra.item("Space", wire.space(session, row, booking_type(row))))
