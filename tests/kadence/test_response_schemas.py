"""Every Kadence operation answers with exactly the body the sandbox's own OpenAPI document
(openapi/kadence.json) describes: the same scenarios as the vendor check, read through the
response models the routes document."""

import json
import re
from typing import Any

import pytest
from pydantic import BaseModel

from sandbox import kadence as dialect
from sandbox.routing import DeclaredRoute
from sandbox.settings import FIXTURES_DIR
from tests.conftest import DEMO_CLIENT, KadenceClient, Wall
from tests.kadence.test_vendor_schemas import NOT_ADDRESSABLE, SCENARIOS, Operation

pytestmark = pytest.mark.wire

SANDBOX_DOCUMENT = json.loads((FIXTURES_DIR.parent / "openapi" / "kadence.json").read_text(encoding="utf-8"))
HTTP_METHODS = {"get", "post", "patch", "put", "delete"}
ROUTES = [
    route
    for module in (*dialect.API_ROUTES, *dialect.OTHER_ROUTES)
    for route in module.router.routes
    if isinstance(route, DeclaredRoute)
]
"""The routes as their modules declare them: paths under /v1/public without that prefix."""
OUTSIDE_THE_API = {("POST", "/oauth2/token"), ("GET", "/v1/contexts/{name}"), ("GET", "/v1/docs.jsonld")}
"""Documented operations outside /v1/public, checked by their own tests below."""


def vendor_form(path: str) -> str:
    """/v1/public/bookings/{booking_id} as the vendor document writes it: /bookings/{id}."""
    return re.sub(r"\{[^}]+\}", "{id}", path.removeprefix(dialect.PREFIX))


def route_of(operation: Operation) -> DeclaredRoute:
    method, template = operation
    return next(
        route
        for route in ROUTES
        if method in (route.methods or set()) and (vendor_form(route.path) == template or route.path == template)
    )


def documented_model(operation: Operation, status: int) -> type[BaseModel]:
    responses = route_of(operation).responses
    assert status in responses, f"{' '.join(operation)} does not document {status}"
    model: type[BaseModel] = responses[status]["model"]
    return model


def success_status(operation: Operation) -> int:
    return next(status for status in route_of(operation).responses if isinstance(status, int) and 200 <= status < 300)


def documented_operations() -> set[Operation]:
    return {
        (method.upper(), path if path.startswith(("/oauth2/", "/v1/contexts/")) else vendor_form(path))
        for path, item in SANDBOX_DOCUMENT["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_every_operation_of_the_sandbox_document_is_exercised() -> None:
    assert documented_operations() == set(SCENARIOS) | NOT_ADDRESSABLE | OUTSIDE_THE_API


@pytest.mark.parametrize("operation", sorted(SCENARIOS), ids=" ".join)
def test_success_body_matches_the_sandbox_document(operation: Operation, kadence: KadenceClient, wall: Wall) -> None:
    status = success_status(operation)
    model = documented_model(operation, status)

    responses = SCENARIOS[operation](kadence, wall)

    assert responses
    for response in responses:
        assert response.status_code == status, response.text
        model.model_validate(response.json(), strict=True)


@pytest.mark.parametrize(
    ("operation", "request_of", "status"),
    [
        (("GET", "/bookable-days/{id}"), lambda k: k.get("/bookable-days/01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404),
        (("GET", "/bookings/{id}"), lambda k: k.get("/bookings/01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404),
        (("GET", "/buildings"), lambda k: k.get("/buildings", params={"page": "zero"}), 400),
        (("GET", "/buildings"), lambda k: k.get("/buildings", headers={"Accept": "image/png"}), 406),
        (("POST", "/bookings"), lambda k: k.post("/bookings", json={}), 422),
        (
            ("PATCH", "/users/{id}"),
            lambda k: k.patch(f"/users/{k.members('/users')[0]['id']}", content="{}", headers={"Content-Type": "text/plain"}),
            415,
        ),
    ],
    ids=lambda value: str(value) if isinstance(value, int) else None,
)
def test_error_bodies_match_the_sandbox_document(
    kadence: KadenceClient, operation: Operation, request_of: Any, status: int
) -> None:
    response = request_of(kadence)

    assert response.status_code == status, response.text
    documented_model(operation, status).model_validate(response.json(), strict=True)


def test_unauthenticated_body_matches_the_sandbox_document(client: Any) -> None:
    response = KadenceClient(client, None).get("/buildings")

    assert response.status_code == 401
    documented_model(("GET", "/buildings"), 401).model_validate(response.json(), strict=True)


def test_token_bodies_match_the_sandbox_document(client: Any) -> None:
    issued = client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT[0],
            "client_secret": DEMO_CLIENT[1],
        },
    )
    refused = client.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEMO_CLIENT[0],
            "client_secret": "wrong",
        },
    )

    documented_model(("POST", "/oauth2/token"), 200).model_validate(issued.json(), strict=True)
    assert refused.status_code == 401
    documented_model(("POST", "/oauth2/token"), 401).model_validate(refused.json(), strict=True)


@pytest.mark.parametrize("collection", ["/bookings", "/buildings", "/users", "/visits", "/visitors", "/spaces"])
def test_the_context_a_response_names_resolves_to_its_terms(kadence: KadenceClient, collection: str) -> None:
    member = kadence.members(collection)[0]
    item = kadence.get(member["@id"].removeprefix(dialect.PREFIX)).json()

    response = kadence.client.get(item["@context"])

    assert response.status_code == 200, response.text
    context = response.json()["@context"]
    assert context["hydra"] == "http://www.w3.org/ns/hydra/core#"
    assert context["@vocab"] == "http://testserver/v1/docs.jsonld#"
    fields = {key for key in item if not key.startswith("@")}
    assert fields <= context.keys()
    assert all(context[field] == f"{item['@type']}/{field}" for field in fields)


def test_context_of_an_unknown_resource_is_404(kadence: KadenceClient) -> None:
    response = kadence.client.get("/v1/contexts/Nothing")

    assert response.status_code == 404
    assert response.json()["hydra:description"] == "Not Found"
