"""Bookable days, onsite passes and spaces: can this person book here, then?"""

from fastapi import Request
from fastapi.responses import Response

from sandbox.core import buildings, directory
from sandbox.core.errors import NotFound
from sandbox.kadence import hydra, schemas, wire
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import required, required_instant
from sandbox.kadence.schemas import Collection, documented, query
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import Area, Building, Floor, User

router = declaring(tags=["Kadence: availability"], default_response_class=hydra.LdJsonResponse)


@router.get(
    "/bookable-days",
    summary="The days a user may book in a building (not paginated)",
    responses=documented(Collection[schemas.BookableDay]),
    openapi_extra=query(("buildingId", "ULID of a building", True), ("userId", "ULID of a user", True)),
)
def list_bookable_days(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    building = directory.by_ulid(session, actor, Building, required(params, "buildingId"))
    directory.by_ulid(session, actor, User, required(params, "userId"))
    days = [wire.bookable_day(start, end) for start, end in buildings.bookable_days(building, actor.now)]
    return hydra.respond(request, hydra.collection(request, "BookableDay", days, len(days), None, None))


@router.get(
    "/bookable-days/{day_id}",
    summary="Bookable days are not addressable one by one: always 404",
    responses=documented(schemas.Error, failures=(400, 401, 404)),
)
def get_bookable_day(day_id: str, actor: ActorDep) -> Response:
    raise NotFound("Not Found")


@router.get(
    "/bookable-onsite-passes",
    summary="Onsite availability of a building for a time",
    responses=documented(schemas.BookableOnsitePass, failures=(400, 401, 404, 406, 422)),
    openapi_extra=query(
        ("buildingId", "ULID of a building", True),
        ("startDateTime", "UTC YYYY-MM-DDThh:mm:ss", True),
        ("endDateTime", "UTC YYYY-MM-DDThh:mm:ss", True),
    ),
)
def get_onsite_pass(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    building = directory.by_ulid(session, actor, Building, required(params, "buildingId"))
    start, end = required_instant(params, "startDateTime"), required_instant(params, "endDateTime")
    value = buildings.onsite_pass(session, building, start, end, actor.now)
    path = f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path
    return hydra.respond(request, hydra.item("BookableOnsitePass", wire.onsite_pass(value, path)))


@router.get(
    "/bookable-spaces",
    summary="Spaces on a floor a user may book for a time",
    responses=documented(Collection[schemas.BookableSpace], failures=(400, 401, 404, 406, 422)),
    openapi_extra=query(
        ("floorId", "ULID of a floor", True),
        ("userId", "ULID of a user", True),
        ("startDateTime", "UTC YYYY-MM-DDThh:mm:ss", True),
        ("endDateTime", "UTC YYYY-MM-DDThh:mm:ss", True),
        ("spaceType", "desk (default), room, pod, private_office, locker, parking"),
    ),
)
def list_bookable_spaces(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    floor = directory.by_ulid(session, actor, Floor, required(params, "floorId"))
    person = directory.by_ulid(session, actor, User, required(params, "userId"))
    start, end = required_instant(params, "startDateTime"), required_instant(params, "endDateTime")
    found = buildings.bookable_spaces(session, actor, floor, person, start, end, params.get("spaceType") or "desk")
    areas = directory.rows_by_id(session, Area, (row.area_id for row in found))
    members = [wire.bookable_space(row, areas) for row in found]
    return hydra.respond(request, hydra.collection(request, "BookableSpace", members, len(members), None, None))
