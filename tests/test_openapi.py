"""openapi/ holds the documents the app generates; a change to the routes must regenerate them.
/docs shows them with no internet access."""

import functools
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.openapi import CONTROL_TAG
from sandbox.openapi import documents as documents_of
from sandbox.settings import FIXTURES_DIR, Settings
from sandbox.store.engine import Store

pytestmark = pytest.mark.wire

OPENAPI_DIR = FIXTURES_DIR.parent / "openapi"


@functools.cache
def documents() -> dict[str, dict[str, Any]]:
    """The documents `make openapi` writes: those of an app on an empty store. Built once (a second
    or more); the tests only read them."""
    return documents_of(create_app(Settings(), store=Store("sqlite://")))


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


def test_kadence_document_covers_the_api_its_contexts_documentation_and_the_token_endpoint_only() -> None:
    paths = documents()["kadence"]["paths"]
    expected = {"/oauth2/token", "/v1/contexts/{name}", "/v1/docs.jsonld", "/v1/public/bookings/{booking_id}/check-in"}
    assert expected <= paths.keys()
    assert all(
        path.startswith(("/v1/public/", "/v1/contexts/")) or path in ("/oauth2/token", "/v1/docs.jsonld") for path in paths
    )


def test_kadence_document_names_its_models_plainly() -> None:
    schemas = documents()["kadence"]["components"]["schemas"]
    assert {"Booking", "BookingItem", "Space", "User", "Error", "ConstraintViolationList"} <= schemas.keys()
    assert not [name for name in schemas if name.startswith("sandbox__")]


def test_control_plane_document_covers_every_control_path_and_only_those(client: TestClient) -> None:
    document = documents()["sandbox"]
    app_paths = client.get("/openapi.json").json()["paths"]
    assert document["info"]["title"] == "workplace-sandbox control plane"
    assert "/_sandbox/health" in document["paths"]
    assert sorted(document["paths"]) == sorted(path for path in app_paths if path.startswith("/_sandbox/"))
    assert [tag["name"] for tag in document["tags"]] == [CONTROL_TAG]


def test_every_control_operation_carries_the_control_plane_tag_which_the_app_document_describes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    untagged = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if path.startswith("/_sandbox/")
        for method, operation in item.items()
        if CONTROL_TAG not in operation.get("tags", [])
    ]
    assert untagged == []
    declared = {tag["name"]: tag for tag in document["tags"]}
    assert declared[CONTROL_TAG]["description"]


def test_served_documents_equal_the_checked_in_files(client: TestClient) -> None:
    for path in sorted(OPENAPI_DIR.glob("*.json")):
        response = client.get(f"/openapi/{path.name}")
        assert response.status_code == 200, path.name
        assert response.json() == json.loads(path.read_text(encoding="utf-8")), f"/openapi/{path.name}"


def test_an_unknown_document_answers_404(client: TestClient) -> None:
    response = client.get("/openapi/nothing.json")
    assert response.status_code == 404
    assert "robin" in response.json()["error"]


class _References(HTMLParser):
    """Every URL a page makes the browser load or go to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.options: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action") and value is not None:
                self.urls.append(value)
        if tag == "option":
            self.options.append(dict(attrs)["value"] or "")


def _page(client: TestClient, path: str) -> tuple[Any, _References, str]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    references = _References()
    references.feed(response.text)
    config = re.search(r"const config = (\{.*\});", response.text)
    assert config is not None
    return response, references, json.loads(config.group(1))["url"]


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


def test_docs_page_loads_only_same_origin_assets_and_each_answers(client: TestClient) -> None:
    response, references, document_url = _page(client, "/docs")
    assert references.urls
    assert all(_same_origin(url) for url in references.urls), references.urls
    assert _same_origin(document_url)
    assert "'self'" in response.headers["content-security-policy"]
    assert "http" not in response.headers["content-security-policy"]
    assert '"validatorUrl": null' in response.text
    for url in references.urls:
        if url != "/docs":
            assert client.get(url).status_code == 200, url
    stylesheet = client.get("/docs/assets/swagger-ui.css").text
    assert all(target.strip("\"'").startswith("data:") for target in re.findall(r"url\(([^)]*)\)", stylesheet))
    assert "@import" not in stylesheet


def test_docs_page_offers_each_api_document_and_the_whole_app(client: TestClient) -> None:
    _, references, default_url = _page(client, "/docs")
    assert references.options == ["robin", "kadence", "sandbox", "app"]
    assert default_url == "/openapi/robin.json"
    shown = {name: _page(client, f"/docs?api={name}")[2] for name in references.options}
    assert shown["app"] == "/openapi.json"
    for name, url in shown.items():
        document = client.get(url).json()
        assert document["openapi"].startswith("3.1"), url
        if name != "app":
            assert document == json.loads((OPENAPI_DIR / f"{name}.json").read_text(encoding="utf-8"))


def test_fastapi_default_documentation_pages_are_off(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs/assets/redoc.standalone.js").status_code == 404


def _security(document: dict[str, Any]) -> dict[str, list[dict[str, list[str]]] | None]:
    """Each operation's security requirements, by `METHOD path`; None where it names none."""
    return {
        f"{method.upper()} {path}": operation.get("security")
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_robin_document_asks_every_operation_but_sign_in_for_an_access_token(client: TestClient) -> None:
    document = client.get("/openapi/robin.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["AccessToken"]["type"] == "apiKey"
    assert (schemes["AccessToken"]["in"], schemes["AccessToken"]["name"]) == ("header", "Authorization")
    assert "Access-Token demo-robin-token" in schemes["AccessToken"]["description"]
    assert (schemes["basic"]["type"], schemes["basic"]["scheme"]) == ("http", "basic")
    security = _security(document)
    assert security.pop("POST /v1.0/auth/users") == [{"basic": []}]
    assert {str(requirement) for requirement in security.values()} == {str([{"AccessToken": []}])}


def test_robin_document_s_token_scheme_is_how_the_api_reads_the_token(client: TestClient) -> None:
    scheme = client.get("/openapi/robin.json").json()["components"]["securitySchemes"]["AccessToken"]
    assert client.get("/v1.0/me").status_code == 401
    response = client.get("/v1.0/me", headers={scheme["name"]: "Access-Token demo-robin-token"})
    assert response.status_code == 200
    assert response.json()["data"]["id"]


def test_kadence_document_asks_every_api_operation_for_a_client_credentials_token(client: TestClient) -> None:
    document = client.get("/openapi/kadence.json").json()
    scheme = document["components"]["securitySchemes"]["oauth"]
    assert scheme["type"] == "oauth2"
    assert scheme["flows"] == {"clientCredentials": {"tokenUrl": "/oauth2/token", "scopes": {"public": "Public API access"}}}
    security = _security(document)
    assert {operation for operation, requirement in security.items() if requirement is None} == {
        "POST /oauth2/token",
        "GET /v1/contexts/{name}",
        "GET /v1/docs.jsonld",
    }
    assert all(requirement == [{"oauth": []}] for requirement in security.values() if requirement is not None)
    assert len(security) > 20


def test_kadence_document_s_token_url_gives_a_token_the_api_takes(client: TestClient) -> None:
    flow = client.get("/openapi/kadence.json").json()["components"]["securitySchemes"]["oauth"]["flows"]["clientCredentials"]
    response = client.post(
        flow["tokenUrl"],
        data={"grant_type": "client_credentials", "scope": next(iter(flow["scopes"]))},
        auth=("demo-client", "demo-secret"),
    )
    assert response.status_code == 200
    buildings = client.get("/v1/public/buildings", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert buildings.status_code == 200


def test_control_plane_document_declares_no_security(client: TestClient) -> None:
    document = client.get("/openapi/sandbox.json").json()
    assert "securitySchemes" not in document.get("components", {})
    assert all(requirement is None for requirement in _security(document).values())


def test_app_document_declares_every_api_s_schemes_on_its_operations(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert sorted(document["components"]["securitySchemes"]) == ["AccessToken", "basic", "oauth"]
    security = _security(document)
    assert security["GET /v1.0/me"] == [{"AccessToken": []}]
    assert security["GET /v1/public/buildings"] == [{"oauth": []}]
    assert security["GET /_sandbox/health"] is None
