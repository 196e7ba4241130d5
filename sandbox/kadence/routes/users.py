"""Users: the directory, one user, profile changes (merge-patch) and profile pictures."""

import json
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from sandbox.core import directory
from sandbox.core.paging import counted
from sandbox.kadence import hydra, schemas, wire
from sandbox.kadence.deps import ActorDep
from sandbox.kadence.requests import UserPatch, paging
from sandbox.kadence.schemas import PAGING, Collection, documented, item, query
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import Floor, User

router = declaring(tags=["Kadence: users"], default_response_class=hydra.LdJsonResponse)
MULTIPART = "multipart/form-data"


@router.get(
    "/users",
    summary="Users",
    responses=documented(Collection[schemas.User]),
    openapi_extra=query(
        ("email", "Part of the email, any case"),
        ("emailExact", "The whole email, any case"),
        ("firstName", "Exact, any case"),
        ("lastName", "Exact, any case"),
        ("id", "ULID"),
        *PAGING,
    ),
)
def list_users(request: Request, actor: ActorDep, session: SessionDep) -> Response:
    params = request.query_params
    statement = directory.users(
        actor,
        email=params.get("email"),
        email_exact=params.get("emailExact"),
        first_name=params.get("firstName"),
        last_name=params.get("lastName"),
        ulid=params.get("id"),
    )
    found = counted(session, statement, *paging(params))
    floors = directory.rows_by_id(session, Floor, (row.preferred_floor_id for row in found.items))
    return hydra.page(request, "User", found, lambda row: wire.user(row, floors))


ACCEPT_PATCH = {"Accept-Patch": ", ".join(hydra.BODY_FORMATS["PATCH"])}
"""What API Platform announces on every item answer of a resource that takes PATCH."""


def _one(request: Request, session: SessionDep, row: User, status: int = 200) -> Response:
    floors = directory.rows_by_id(session, Floor, [row.preferred_floor_id])
    return hydra.respond(request, hydra.item("User", wire.user(row, floors)), status, ACCEPT_PATCH)


@router.get("/users/{user_id}", summary="A user", responses=documented(item(schemas.User)))
def get_user(request: Request, user_id: str, actor: ActorDep, session: SessionDep) -> Response:
    return _one(request, session, directory.by_ulid(session, actor, User, user_id))


async def _merge_patch(request: Request) -> UserPatch:
    """The body of a user PATCH, a JSON merge patch (`get_actor` has refused other media types):
    a JSON object; no body changes nothing."""
    try:
        raw = json.loads(await request.body() or b"{}")
    except ValueError:
        raise hydra.BadRequest("Syntax error") from None
    if not isinstance(raw, dict):
        raise hydra.BadRequest("The request body must be a JSON object.")
    try:
        return UserPatch.model_validate(raw)
    except ValidationError as problem:
        raise hydra.BadRequest(hydra.wrong_type(problem.errors()[0])) from None


@router.patch(
    "/users/{user_id}",
    summary="Change a user's profile (application/merge-patch+json)",
    responses=documented(item(schemas.User), failures=(400, 401, 404, 406, 415, 422)),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": UserPatch.model_json_schema()} for media in hydra.BODY_FORMATS["PATCH"]},
        }
    },
)
def update_user(
    request: Request,
    user_id: str,
    actor: ActorDep,
    patch: Annotated[UserPatch, Depends(_merge_patch)],
    session: SessionDep,
) -> Response:
    return _one(request, session, directory.update_profile(session, actor, user_id, patch.changes()))


async def _uploaded_image(request: Request) -> bytes | None:
    """The bytes of the file in a multipart body (in its "file" field, else its first file), up
    to one byte past what a picture may weigh; None without a file. `get_actor` has refused
    bodies of other media types."""
    try:
        form = await request.form(max_files=1, max_fields=20)
    except Exception:  # a body the multipart parser rejects is the client's error
        raise hydra.BadRequest("The multipart body can't be read.") from None
    try:
        upload = form.get("file") or next((value for value in form.values() if isinstance(value, UploadFile)), None)
        return await upload.read(directory.PHOTO_LIMIT + 1) if isinstance(upload, UploadFile) else None
    finally:
        await form.close()


@router.post(
    "/users/{user_id}/photo",
    status_code=201,
    summary="Replace a user's profile picture (multipart/form-data, the image in a file field)",
    responses=documented(item(schemas.User), 201, failures=(400, 401, 404, 406, 415, 422)),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                MULTIPART: {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    },
)
@hydra.reads_body_as(MULTIPART)
def upload_photo(
    request: Request,
    user_id: str,
    actor: ActorDep,
    image: Annotated[bytes | None, Depends(_uploaded_image)],
    session: SessionDep,
) -> Response:
    return _one(request, session, directory.set_photo(session, actor, user_id, image), 201)
