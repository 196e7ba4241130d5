"""The access token, me, organizations, users and amenities."""

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse, Response

from sandbox.answers import kept_answer
from sandbox.core import workplace
from sandbox.core.access import credential_for_token
from sandbox.core.paging import Page
from sandbox.robin import wire
from sandbox.robin.deps import ActorDep, OrganizationIdDep, OrganizationKey, PageDep, SessionDep, presented_token
from sandbox.robin.envelope import respond, respond_page
from sandbox.robin.requests import InvitationBody, id_list
from sandbox.robin.schemas import (
    Amenity,
    Collection,
    Envelope,
    Location,
    Organization,
    TokenInfo,
    User,
    documented,
)
from sandbox.routing import declaring
from sandbox.sessions import credential

router = declaring(tags=["Robin: organizations and people"])


@router.get("/auth", summary="The access token the request presents", responses=documented(Envelope[TokenInfo]))
async def get_auth(request: Request, actor: ActorDep) -> JSONResponse:
    token = presented_token(request)
    found = await credential(request, token, credential_for_token)
    client = request.client.host if request.client else None
    return respond(wire.token_info(token, found, actor.now, client, request.headers.get("user-agent")))


@router.get("/me", summary="The user the access token belongs to", responses=documented(Envelope[User]))
def get_me(actor: ActorDep) -> JSONResponse:
    return respond(wire.user(actor.user))


@router.get("/me/organizations", summary="Organizations of the current user", responses=documented(Collection[Organization]))
def get_my_organizations(actor: ActorDep, page: PageDep) -> JSONResponse:
    organizations = [actor.organization] if page.page == 1 else []
    return respond_page(Page(organizations, page.page, page.per_page, False), [wire.organization(o) for o in organizations])


@router.get("/organizations/{id_or_slug}", summary="An organization by id or slug", responses=documented(Envelope[Organization]))
async def get_organization(request: Request, id_or_slug: str, actor: ActorDep, session: SessionDep) -> Response:
    return await kept_answer(request, lambda: respond(wire.organization(workplace.get_organization(session, actor, id_or_slug))))


@router.get(
    "/organizations/{organization_id}/locations",
    summary="Locations (buildings) of an organization",
    responses=documented(Collection[Location]),
)
async def list_locations(
    request: Request,
    organization_id: OrganizationIdDep,
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    query: Annotated[str | None, Query(max_length=200, description="Part of the location's name")] = None,
) -> Response:
    def build() -> Response:
        found = workplace.list_buildings(session, actor, organization_id, page, query)
        return respond_page(found, [wire.location(row) for row in found.items])

    return await kept_answer(request, build)


@router.get("/organizations/{organization_id}/users", summary="Users of an organization", responses=documented(Collection[User]))
def list_users(
    organization_id: OrganizationIdDep,
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    query: Annotated[str | None, Query(max_length=200, description="Part of a name or email")] = None,
    ids: Annotated[list[str], Query(description="User ids, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
) -> JSONResponse:
    found = workplace.list_users(session, actor, organization_id, query, page, id_list("ids", ids) or None)
    return respond_page(found, [wire.user(row) for row in found.items])


@router.get(
    "/organizations/{organization_id}/users/{user_id}",
    summary="A user of an organization, by id, slug or email",
    responses=documented(Envelope[User]),
)
def get_organization_user(organization_id: OrganizationIdDep, user_id: str, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.user(workplace.get_member(session, actor, organization_id, user_id)))


@router.post(
    "/organizations/{organization_id}/users",
    summary="Invite people to an organization (administrators): one {email, name} or a list of them",
    responses=documented(Envelope[User], conflicts=True),
)
def invite_users(
    organization_id: OrganizationKey, body: InvitationBody | list[InvitationBody], actor: ActorDep, session: SessionDep
) -> JSONResponse:
    organization = workplace.get_organization(session, actor, organization_id)
    listed = body if isinstance(body, list) else [body]
    invited = workplace.invite(session, actor, organization.id or 0, [entry.to_invitation() for entry in listed], actor.now)
    return respond([wire.user(user) for user in invited] if isinstance(body, list) else wire.user(invited[0]))


@router.get(
    "/organizations/{organization_id}/amenities",
    summary="Amenities defined by an organization",
    responses=documented(Collection[Amenity]),
)
def list_amenities(organization_id: OrganizationIdDep, actor: ActorDep, session: SessionDep, page: PageDep) -> JSONResponse:
    found = workplace.list_amenities(session, actor, organization_id, page)
    return respond_page(found, [wire.amenity(row) for row in found.items])


@router.get("/users/{id_or_slug_or_email}", summary="A user by id, slug or email", responses=documented(Envelope[User]))
def get_user(id_or_slug_or_email: str, actor: ActorDep, session: SessionDep) -> JSONResponse:
    return respond(wire.user(workplace.get_user(session, actor, id_or_slug_or_email)))
