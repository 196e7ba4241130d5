"""JSON-LD contexts: what each response's `@context` IRI resolves to."""

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from sandbox.core.errors import NotFound
from sandbox.kadence import hydra, schemas
from sandbox.routing import declaring

router = declaring(tags=["Kadence: JSON-LD contexts"], default_response_class=hydra.LdJsonResponse)

CONTEXTS: dict[str, type[schemas.WireShape]] = {
    "Booking": schemas.Booking,
    "Building": schemas.Building,
    "Floor": schemas.Floor,
    "Neighborhood": schemas.Neighborhood,
    "Space": schemas.Space,
    "BookableSpace": schemas.BookableSpace,
    "BookableDay": schemas.BookableDay,
    "BookableOnsitePass": schemas.BookableOnsitePass,
    "User": schemas.User,
    "Visit": schemas.Visit,
    "Visitor": schemas.Visitor,
    "Error": schemas.Error,
    "ConstraintViolationList": schemas.ConstraintViolationList,
}


def context(base_url: str, name: str) -> dict[str, Any]:
    """The context of resource `name`: hydra's prefix, and a term for each of its fields."""
    model = CONTEXTS.get(name)
    if model is None:
        raise NotFound("Not Found")
    terms = {
        field.alias or key: f"{name}/{field.alias or key}"
        for key, field in model.model_fields.items()
        if not (field.alias or key).startswith(("@", "hydra:"))
    }
    return {
        "@context": {
            "@vocab": f"{base_url.rstrip('/')}/v1/docs.jsonld#",
            "hydra": "http://www.w3.org/ns/hydra/core#",
            **terms,
        }
    }


@router.get(
    hydra.CONTEXTS_PATH + "{name}",
    summary="The JSON-LD context a response's @context names",
    responses={
        200: {"description": "OK"},
        400: {"model": schemas.Error, "description": "A NUL character in the query"},
        404: {"model": schemas.Error, "description": "Not Found"},
    },
)
def get_context(request: Request, name: str) -> Response:
    found = context(hydra.base_url(request), name)
    hydra.negotiate(request)
    return hydra.respond(request, found)
