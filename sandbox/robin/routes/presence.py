"""Presence in spaces and locations: sessions that live `session_ttl` seconds; a person's, wherever they are."""

from fastapi.responses import JSONResponse
from sqlmodel import Session

from sandbox.core import presence, workplace
from sandbox.core.paging import Page
from sandbox.core.presence import Place
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, PageDep, SessionDep
from sandbox.robin.envelope import respond, respond_page, wire_names
from sandbox.robin.requests import PresenceBody, RowId
from sandbox.robin.schemas import (
    Collection,
    EmptyObject,
    Envelope,
    Presence,
    documented,
)
from sandbox.routing import declaring
from sandbox.store.models import Presence as PresenceRow

router = declaring(tags=["Robin: presence"])


def _page(session: Session, found: Page[PresenceRow]) -> JSONResponse:
    people = presence.users_of(session, found.items)
    return respond_page(found, [wire.presence(row, people.get(row.user_id or 0)) for row in found.items])


def _recorded(session: Session, actor: ActorDep, place: Place, body: PresenceBody) -> JSONResponse:
    with wire_names(body.wire_names()):
        row, created = presence.record(session, actor, place, body.to_input())
    return respond(wire.presence(row, presence.users_of(session, [row]).get(row.user_id or 0)), 201 if created else 200)


def _ended(session: Session, actor: ActorDep, place: Place, body: PresenceBody) -> JSONResponse:
    with wire_names(body.wire_names()):
        presence.end(session, actor, place, body.to_input())
    return respond({})


@router.get("/spaces/{space_id}/presence", summary="Who is present in a space", responses=documented(Collection[Presence]))
def list_space_presence(space_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _page(session, presence.live_sessions(session, actor, presence.space_place(session, actor, space_id), page))


@router.post(
    "/spaces/{space_id}/presence",
    status_code=201,
    summary="Report presence in a space: 201 for a new session, 200 when it extends one",
    responses={**documented(Envelope[Presence], 201), 200: {"model": Envelope[Presence], "description": "OK"}},
)
def add_space_presence(space_id: RowId, body: PresenceBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return _recorded(session, actor, presence.space_place(session, actor, space_id), body)


@router.delete(
    "/spaces/{space_id}/presence", summary="End a presence session in a space", responses=documented(Envelope[EmptyObject])
)
def end_space_presence(space_id: RowId, body: PresenceBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return _ended(session, actor, presence.space_place(session, actor, space_id), body)


@router.get(
    "/locations/{location_id}/presence", summary="Who is present in a location", responses=documented(Collection[Presence])
)
def list_location_presence(location_id: RowId, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _page(session, presence.live_sessions(session, actor, presence.location_place(session, actor, location_id), page))


@router.post(
    "/locations/{location_id}/presence",
    status_code=201,
    summary="Report presence in a location: 201 for a new session, 200 when it extends one",
    responses={**documented(Envelope[Presence], 201), 200: {"model": Envelope[Presence], "description": "OK"}},
)
def add_location_presence(location_id: RowId, body: PresenceBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return _recorded(session, actor, presence.location_place(session, actor, location_id), body)


@router.delete(
    "/locations/{location_id}/presence",
    summary="End a presence session in a location",
    responses=documented(Envelope[EmptyObject]),
)
def end_location_presence(location_id: RowId, body: PresenceBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return _ended(session, actor, presence.location_place(session, actor, location_id), body)


@router.get(
    "/users/{id_or_slug_or_email}/presence",
    summary="Where a user is present: their live sessions",
    responses=documented(Collection[Presence]),
)
def list_user_presence(id_or_slug_or_email: str, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _page(session, presence.sessions_of(session, actor, workplace.get_user(session, actor, id_or_slug_or_email), page))


@router.get(
    "/me/presence",
    summary="Where the current user is present: their live sessions",
    responses=documented(Collection[Presence]),
)
def list_my_presence(actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    return _page(session, presence.sessions_of(session, actor, actor.user, page))
