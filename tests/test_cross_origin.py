"""Pages of other origins calling the vendor APIs and reading the floor plans (CORS), as mock
servers answer them by default; the control plane answers them nothing (tests/control/test_cross_site.py
has the rest of its defence). Through HTTP on both APIs."""

from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.settings import Settings
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, KadenceClient, RobinClient, Wall, harness_client, settings_for_tests
from tests.kadence.test_api_platform_wire import desk_booking

pytestmark = pytest.mark.wire

PAGE_ORIGIN = "http://localhost:5173"
"""A front end's development server."""
PREFLIGHTS = [
    ("/v1.0/spaces/49/events", "POST", "authorization,content-type"),
    ("/v1.0/me", "GET", "authorization"),
    ("/v1/public/bookings", "POST", "authorization,content-type"),
    ("/v1/public/buildings", "GET", "authorization,accept"),
    ("/oauth2/token", "POST", "content-type"),
]
"""What a page's fetch asks before it calls each API."""


def preflight(
    client: TestClient, path: str, method: str = "GET", headers: str = "authorization", origin: str = PAGE_ORIGIN
) -> Any:
    """The request a browser sends on its own before a page's cross-origin call: no token."""
    return client.options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers},
    )


def access_control(response: Any) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


@pytest.mark.parametrize(("path", "method", "headers"), PREFLIGHTS)
def test_a_preflight_to_either_api_is_granted_without_a_token(client, path, method, headers):
    response = preflight(client, path, method, headers)

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert method in response.headers["access-control-allow-methods"].split(", ")
    assert response.headers["access-control-allow-headers"] == headers
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_from_a_public_page_to_this_machine_is_refused(client):
    """Chrome asks before a page of a public site calls a server on a private address: the
    demo's tokens are no secret, so no public page is let in."""
    response = client.options(
        "/v1.0/me",
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Private-Network": "true",
        },
    )

    assert response.status_code == 400, response.text
    assert "access-control-allow-private-network" not in response.headers


def test_a_robin_answer_may_be_read_by_a_page_of_any_origin(robin):
    response = robin.get("/me", headers={"Origin": PAGE_ORIGIN})

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.json()["data"]["id"]


def test_a_kadence_creation_shows_the_page_its_location(kadence):
    response = kadence.post("/bookings", json=desk_booking(kadence), headers={"Origin": PAGE_ORIGIN})

    assert response.status_code == 201, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"location", "content-location", "link", "retry-after"} <= exposed
    assert response.headers["location"] == response.json()["@id"]


def test_a_kadence_token_may_be_asked_for_by_a_page(client):
    response = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"},
        headers={"Origin": PAGE_ORIGIN},
    )

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_a_refusal_may_be_read_by_the_page_too(anonymous, kadence):
    robin_refused = anonymous.get("/me", headers={"Origin": PAGE_ORIGIN})
    kadence_refused = KadenceClient(kadence.client, None).get("/buildings", headers={"Origin": PAGE_ORIGIN})

    assert robin_refused.status_code == 401
    assert robin_refused.headers["access-control-allow-origin"] == "*"
    assert kadence_refused.status_code == 401
    assert kadence_refused.headers["access-control-allow-origin"] == "*"


def test_a_preflight_is_neither_faulted_nor_journaled(client, robin):
    rule = client.post("/_sandbox/faults", json={"api": "any", "path": "*", "effect": "rate_limit", "retry_after": 7})
    assert rule.status_code == 201, rule.text
    client.delete("/_sandbox/journal")

    granted = preflight(client, "/v1.0/me")
    limited = robin.get("/me", headers={"Origin": PAGE_ORIGIN})

    assert granted.status_code == 200, granted.text
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == "*"
    assert limited.headers["retry-after"] == "7"
    entries = client.get("/_sandbox/journal").json()["entries"]
    assert [(entry["method"], entry["path"], entry["status"]) for entry in entries] == [("GET", "/v1.0/me", 429)]


def test_a_floor_plan_may_be_read_by_a_page_of_any_origin(client, kadence):
    floor = kadence.members("/floors")[0]
    path = urlsplit(floor["floorPlanUrl"]).path

    asked = preflight(client, path, headers="accept")
    read = client.get(path, headers={"Origin": PAGE_ORIGIN})

    assert asked.status_code == 200, asked.text
    assert read.status_code == 200, read.text
    assert read.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("method", "path"), [("GET", "/_sandbox/journal"), ("GET", "/"), ("GET", "/docs")])
def test_the_sandbox_s_own_pages_answer_no_page_of_another_origin(client, method, path):
    asked = preflight(client, path, method, "content-type,x-sandbox-control")
    read = client.get(path, headers={"Origin": PAGE_ORIGIN})

    assert asked.status_code == 405
    assert access_control(asked) == {}
    assert access_control(read) == {}


def _app_with(store: Store, wall: Wall, **settings: Any) -> TestClient:
    return harness_client(create_app(settings_for_tests(**settings), store=store, clock=Clock(wall)))


def test_only_the_listed_origins_are_answered(store, wall):
    served = _app_with(store, wall, cors_origins=["http://localhost:3000", "https://addin.example.com"])
    robin = RobinClient(served, ADMIN_TOKEN)

    listed = preflight(served, "/v1.0/me", origin="https://addin.example.com")
    unlisted = preflight(served, "/v1.0/me", origin="https://evil.example")
    read_listed = robin.get("/me", headers={"Origin": "http://localhost:3000"})
    read_unlisted = robin.get("/me", headers={"Origin": "https://evil.example"})

    assert listed.status_code == 200
    assert listed.headers["access-control-allow-origin"] == "https://addin.example.com"
    assert unlisted.status_code == 400
    assert "access-control-allow-origin" not in unlisted.headers
    assert read_listed.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "origin" in read_listed.headers["vary"].lower()
    assert read_unlisted.status_code == 200
    assert "access-control-allow-origin" not in read_unlisted.headers


def test_without_origins_no_page_of_another_origin_is_answered(store, wall):
    served = _app_with(store, wall, cors_origins=[])
    robin = RobinClient(served, ADMIN_TOKEN)
    floor_plan = urlsplit(KadenceClient(served, ("demo-client", "demo-secret")).members("/floors")[0]["floorPlanUrl"]).path

    asked = preflight(served, "/v1.0/me")
    read = robin.get("/me", headers={"Origin": PAGE_ORIGIN})
    plan = served.get(floor_plan, headers={"Origin": PAGE_ORIGIN})

    assert asked.status_code == 405
    assert access_control(asked) == {}
    assert read.status_code == 200
    assert access_control(read) == {}
    assert plan.status_code == 200
    assert access_control(plan) == {}


def test_the_setting_reads_a_comma_separated_list_and_empty_for_none(monkeypatch):
    assert Settings().cors_origins == ["*"]
    monkeypatch.setenv("SANDBOX_CORS_ORIGINS", " http://localhost:3000/, https://addin.example.com ")
    assert Settings().cors_origins == ["http://localhost:3000", "https://addin.example.com"]
    monkeypatch.setenv("SANDBOX_CORS_ORIGINS", "")
    assert Settings().cors_origins == []


@pytest.mark.parametrize("origin", ["localhost:3000", "http://localhost:3000/app", "http://localhost:3000?x=1"])
def test_an_origin_with_more_or_less_than_a_scheme_and_host_is_refused(origin):
    with pytest.raises(ValueError, match="an origin is a scheme and a host"):
        Settings(cors_origins=origin)


@pytest.mark.parametrize("path", ["/v1.0/me", "/v1/public/buildings"])
def test_a_client_outside_a_browser_gets_the_vendor_s_headers_alone(robin, kadence, path):
    """No Origin, no browser: the answer is the one the vendor sends, without CORS's headers or
    a `Vary: Origin`."""
    caller = robin if path.startswith("/v1.0") else kadence
    response = caller.client.get(path, headers=caller.headers)

    assert response.status_code == 200, response.text
    assert access_control(response) == {}
    assert "origin" not in response.headers.get("vary", "").lower()
