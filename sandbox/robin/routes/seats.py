"""Zones and seats (desks), their settings, and the assignments of shared desks."""

from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse
from sqlmodel import Session

from sandbox.core import assignments, desks, workplace
from sandbox.core.access import Actor
from sandbox.core.desks import SeatQuery
from sandbox.core.paging import Page, page_of
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, IncludesDep, PageDep, SessionDep
from sandbox.robin.envelope import respond, respond_page, wire_names
from sandbox.robin.requests import RowId, SettingBody, SharedScheduleBody, id_list
from sandbox.robin.routes.spaces import space_documents
from sandbox.robin.schemas import (
    Collection,
    Envelope,
    Seat,
    SeatAmenity,
    SeatReservation,
    SeatSetting,
    Zone,
    documented,
)
from sandbox.routing import declaring
from sandbox.store.models import Area, Resource

router = declaring(tags=["Robin: zones and seats"])

Ids = Annotated[list[str], Query(description="Ids, comma-separated or repeated")]
SEAT_FILTERS = {"building_ids": "location_ids", "floor_ids": "level_ids", "space_ids": "space_ids", "area_ids": "zone_ids"}
"""The core's names of GET /seats' filters, as the query string names them."""


def _seats(session: Session, actor: Actor, rows: list[Resource], includes: frozenset[str]) -> list[dict[str, Any]]:
    amenities = workplace.amenities_of(session, [row.id or 0 for row in rows])
    parents: dict[int | None, dict[str, Any]] = {}
    if "space" in includes:
        found = {row.parent_id: session.get(Resource, row.parent_id) for row in rows if row.parent_id}
        spaces = [space for space in found.values() if space is not None]
        parents = dict(zip([space.id for space in spaces], space_documents(session, actor, spaces, frozenset()), strict=True))
    areas: dict[int | None, Area | None] = (
        {row.area_id: session.get(Area, row.area_id) for row in rows if row.area_id} if "zone" in includes else {}
    )
    return [
        wire.seat(row, amenities.get(row.id or 0), includes, parents.get(row.parent_id), areas.get(row.area_id)) for row in rows
    ]


def _seat_page(session: Session, actor: Actor, found: Page[Resource], includes: frozenset[str]) -> JSONResponse:
    return respond_page(found, _seats(session, actor, found.items, includes))


@router.get("/spaces/{space_id}/zones", summary="Zones of a space", responses=documented(Collection[Zone]))
def list_zones(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    found = desks.zones_in_space(session, actor, space_id, page)
    return respond_page(found, [wire.zone(row) for row in found.items])


@router.get("/zones/{zone_id}", summary="A zone", responses=documented(Envelope[Zone]))
def get_zone(zone_id: RowId, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.zone(desks.get_zone(session, actor, zone_id)))


@router.get(
    "/zones/{zone_id}/seats", summary="Seats (desks) of a zone; include=space,zone", responses=documented(Collection[Seat])
)
def list_zone_seats(zone_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep, includes: IncludesDep) -> JSONResponse:
    return _seat_page(session, actor, desks.seats_in_zone(session, actor, zone_id, page), includes)


@router.get(
    "/spaces/{space_id}/seats", summary="Seats (desks) of a space; include=space,zone", responses=documented(Collection[Seat])
)
def list_space_seats(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep, includes: IncludesDep) -> JSONResponse:
    return _seat_page(session, actor, desks.seats_in_space(session, actor, space_id, page), includes)


@router.get(
    "/seats",
    summary="Seats (desks) of the organization, enabled or not, in the locations, levels, spaces and zones named; "
    "include=space,zone",
    responses=documented(Collection[Seat]),
)
def list_seats(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    includes: IncludesDep,
    location_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    level_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    space_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
    zone_ids: Ids = [],  # noqa: B006 - FastAPI copies a default for each request
) -> JSONResponse:
    query = SeatQuery(
        building_ids=id_list("location_ids", location_ids) or None,
        floor_ids=id_list("level_ids", level_ids) or None,
        space_ids=id_list("space_ids", space_ids) or None,
        area_ids=id_list("zone_ids", zone_ids) or None,
    )
    with wire_names(SEAT_FILTERS):
        found = desks.list_seats(session, actor, query, page)
    return _seat_page(session, actor, found, includes)


@router.get("/seats/{seat_id}", summary="A seat (desk); include=space,zone", responses=documented(Envelope[Seat]))
def get_seat(seat_id: RowId, actor: ActorDep, session: SessionDep, includes: IncludesDep) -> JSONResponse:
    return respond(_seats(session, actor, [desks.get_seat(session, actor, seat_id)], includes)[0])


@router.get("/seats/{seat_id}/amenities", summary="Amenities of a seat (desk)", responses=documented(Collection[SeatAmenity]))
def list_seat_amenities(seat_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    found = page_of(desks.seat_amenities(session, actor, seat_id), page)
    return respond_page(found, [wire.seat_amenity(link, kind) for link, kind in found.items])


@router.get(
    "/seats/{seat_id}/settings/{slug}",
    summary="A seat setting: seat-reservation-max-length, seat-reservation-types-allowed (the desk type) "
    "or seat-reservation-advanced-booking-threshold",
    responses=documented(Envelope[SeatSetting]),
)
def get_seat_setting(seat_id: RowId, slug: str, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.setting(desks.get_setting(session, actor, seat_id, slug)))


@router.put(
    "/seats/{seat_id}/settings/{slug}",
    summary="Change a seat setting (administrators)",
    responses=documented(Envelope[SeatSetting]),
)
def update_seat_setting(seat_id: RowId, slug: str, body: SettingBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.setting(desks.update_setting(session, actor, seat_id, slug, body.value)))


@router.post(
    "/seats/{seat_id}/publish-shared-schedule",
    summary="Assign a shared desk to a person on weekdays (a shared reservation), in place of the days "
    "they were assigned before; no recurrence ends their assignment. Administrators only",
    responses=documented(Envelope[SeatReservation | None]),
)
def publish_shared_schedule(seat_id: RowId, body: SharedScheduleBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    assignment = assignments.publish_shared_schedule(session, actor, seat_id, body.assignee(), body.recurrence)
    return respond(wire.seat_reservation(assignment) if assignment is not None else None)
