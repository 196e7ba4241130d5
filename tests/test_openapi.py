"""openapi/ holds the documents the app generates; a change to the routes must regenerate them."""

import json

from sandbox.openapi import documents
from sandbox.settings import FIXTURES_DIR

OPENAPI_DIR = FIXTURES_DIR.parent / "openapi"


def test_checked_in_documents_match_the_app() -> None:
    generated = documents()
    assert sorted(path.stem for path in OPENAPI_DIR.glob("*.json")) == sorted(generated)
    for name, document in generated.items():
        on_disk = json.loads((OPENAPI_DIR / f"{name}.json").read_text(encoding="utf-8"))
        assert on_disk == document, f"openapi/{name}.json is stale: run `make openapi`"


def test_robin_document_covers_only_robin_paths() -> None:
    paths = documents()["robin"]["paths"]
    assert "/v1.0/spaces/{space_id}/events" in paths
    assert all(path.startswith("/v1.0/") for path in paths)


def test_kadence_document_covers_the_api_its_contexts_and_the_token_endpoint_only() -> None:
    paths = documents()["kadence"]["paths"]
    assert {"/oauth2/token", "/v1/contexts/{name}", "/v1/public/bookings/{booking_id}/check-in"} <= paths.keys()
    assert all(path.startswith(("/v1/public/", "/v1/contexts/")) or path == "/oauth2/token" for path in paths)


def test_kadence_document_names_its_models_plainly() -> None:
    schemas = documents()["kadence"]["components"]["schemas"]
    assert {"Booking", "BookingItem", "Space", "User", "Error", "ConstraintViolationList"} <= schemas.keys()
    assert not [name for name in schemas if name.startswith("sandbox__")]
