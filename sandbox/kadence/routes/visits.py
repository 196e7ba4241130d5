"""Visits and visitors (read only)."""

from fastapi import Request
from fastapi.responses import Response

from sandbox.core import visits
from sandbox.core.paging import counted_list
from sandbox.core.visits import VisitorQuery
from sandbox.kadence import hydra, schemas, wire
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import paging, statuses, time_conditions
from sandbox.kadence.schemas import (
    PAGING,
    Collection,
    date_filters,
    documented,
    item,
    query,
)
from sandbox.routing import declaring
from sandbox.sessions import SessionDep

router = declaring(tags=["Kadence: visits"], default_response_class=hydra.LdJsonResponse)


@router.get(
    "/visits",
    summary="Visits",
    responses=documented(Collection[schemas.Visit]),
    openapi_extra=query(
        ("buildingId", "ULID of a building"),
        ("status", "booked, checkedIn, checkedOut, completed, noCheckIn, cancelled"),
        *date_filters("startDateTime", "endDateTime"),
        *PAGING,
    ),
)
def list_visits(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    page, per_page = paging(params)
    found = visits.find_visits(
        session,
        actor,
        params.get("buildingId"),
        statuses(params.get("status")),
        time_conditions(params, ("startDateTime", "endDateTime"), actor.now),
    )
    return hydra.page(request, "Visit", counted_list(found, page, per_page), wire.visit)


@router.get("/visits/{visit_id}", summary="A visit", responses=documented(item(schemas.Visit)))
def get_visit(request: Request, visit_id: str, actor: ActorDep, session: SessionDep) -> Response:
    return hydra.respond(request, hydra.item("Visit", wire.visit(visits.get_visit(session, actor, visit_id))))


@router.get(
    "/visitors",
    summary="Visitors, each with their latest visit",
    responses=documented(Collection[schemas.Visitor]),
    openapi_extra=query(
        ("email", "Part of the email"),
        ("emailExact", "The whole email"),
        ("firstName", "Exact"),
        ("lastName", "Exact"),
        ("buildingId", "ULID of the building of the latest visit"),
        ("status", "The visitor's response to the latest visit"),
        ("visitStatus", "The latest visit's status"),
        *date_filters("startDateTime", "endDateTime"),
        *PAGING,
    ),
)
def list_visitors(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    page, per_page = paging(params)
    query = VisitorQuery(
        email=params.get("email"),
        email_exact=params.get("emailExact"),
        first_name=params.get("firstName"),
        last_name=params.get("lastName"),
        building_ulid=params.get("buildingId"),
        status=params.get("status"),
        visit_statuses=statuses(params.get("visitStatus") or None),
        conditions=time_conditions(params, ("startDateTime", "endDateTime"), actor.now),
    )
    found = visits.find_visitors(session, actor, query)
    return hydra.page(request, "Visitor", counted_list(found, page, per_page), wire.visitor)


@router.get("/visitors/{visitor_id}", summary="A visitor", responses=documented(item(schemas.Visitor)))
def get_visitor(request: Request, visitor_id: str, actor: ActorDep, session: SessionDep) -> Response:
    return hydra.respond(request, hydra.item("Visitor", wire.visitor(visits.get_visitor(session, actor, visitor_id))))
