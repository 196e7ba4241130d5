"""Kadence's OAuth 2.0 client credentials at /oauth2/token, and the bearer tokens they buy."""

import base64
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from sandbox.core import oauth
from sandbox.store.engine import Store
from sandbox.store.models import Organization
from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT, NOW, OTHER_CLIENT, KadenceClient
from tests.inprocess import InProcessClient

pytestmark = pytest.mark.wire

TOKEN_PATH = "/oauth2/token"
CREDENTIALS = {"grant_type": "client_credentials", "client_id": DEMO_CLIENT[0], "client_secret": DEMO_CLIENT[1]}
OAUTH_ERROR_FIELDS = {"error", "error_description", "message"}
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def issued_token(response: Any) -> str:
    """The access token of a successful token response, after checking its shape."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    return body["access_token"]  # type: ignore[no-any-return]  # decoded JSON


def oauth_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == OAUTH_ERROR_FIELDS
    assert body["error"] == error
    assert isinstance(body["error_description"], str)
    assert body["error_description"]
    assert isinstance(body["message"], str)
    assert body["message"]
    return body  # type: ignore[no-any-return]  # decoded JSON


def unauthorized(response: Any) -> str:
    """The hydra:description of a 401 answered as API Platform answers it."""
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.headers["www-authenticate"].split()[0] == "Bearer"
    body = response.json()
    assert body["@context"] == "/v1/contexts/Error"
    assert body["@type"] == "hydra:Error"
    assert body["hydra:title"] == "An error occurred"
    assert isinstance(body["hydra:description"], str)
    assert body["hydra:description"]
    return body["hydra:description"]  # type: ignore[no-any-return]  # decoded JSON


def building_names(client: Any, token: str) -> list[str]:
    response = client.get("/v1/public/buildings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return [building["name"] for building in response.json()["hydra:member"]]


def names(kadence: KadenceClient, path: str) -> list[str]:
    """Each member's name, or a user's email."""
    return [str(item.get("name") or item["email"]) for item in kadence.members(path)]


@pytest.fixture
def elsewhere(client, other_organization) -> KadenceClient:
    """The API client of the second organization."""
    return KadenceClient(client, OTHER_CLIENT)


def set_clock(store: Store, **clock: Any) -> None:
    """Move the demo organization's own clock (offset or frozen instant), leaving the wall alone."""
    with store.session(write=True) as session:
        organization = session.exec(select(Organization).where(Organization.slug == "meridian")).one()
        for name, value in clock.items():
            setattr(organization, name, value)
        session.add(organization)
        session.commit()


# Issuing tokens


def test_token_from_a_form_encoded_body_is_a_bearer_token_for_an_hour(client):
    response = client.post(TOKEN_PATH, data={**CREDENTIALS, "scope": "public"})

    issued_token(response)
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"


def test_token_from_a_json_body_is_a_bearer_token_for_an_hour(client):
    response = client.post(TOKEN_PATH, json={**CREDENTIALS, "scope": "public"})

    issued_token(response)


def test_token_from_a_json_body_without_content_type_is_read_as_json(client):
    response = client.post(
        TOKEN_PATH, content=b'{"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}'
    )

    issued_token(response)


def test_access_token_opens_the_api_as_a_bearer_token(client):
    token = issued_token(client.post(TOKEN_PATH, data=CREDENTIALS))

    assert building_names(client, token) == ["Meridian HQ New York", "Meridian Bengaluru"]


def test_every_token_request_issues_a_new_token_and_each_works(client):
    first = issued_token(client.post(TOKEN_PATH, data=CREDENTIALS))
    second = issued_token(client.post(TOKEN_PATH, json=CREDENTIALS))

    assert first != second
    assert building_names(client, first) == building_names(client, second) == ["Meridian HQ New York", "Meridian Bengaluru"]


@pytest.mark.parametrize("scope", [None, "public"])
@pytest.mark.parametrize("encoding", ["data", "json"])
def test_scope_may_be_omitted_or_public(client, scope, encoding):
    body = CREDENTIALS if scope is None else {**CREDENTIALS, "scope": scope}

    token = issued_token(client.post(TOKEN_PATH, **{encoding: body}))

    assert building_names(client, token) == ["Meridian HQ New York", "Meridian Bengaluru"]


@pytest.mark.parametrize("scope", ["admin", "public admin", "openid", "PUBLIC"])
def test_any_other_scope_is_an_invalid_scope(client, scope):
    response = client.post(TOKEN_PATH, data={**CREDENTIALS, "scope": scope})

    oauth_error(response, 400, "invalid_scope")


# Refusing tokens


@pytest.mark.parametrize(
    "credentials",
    [
        {"client_id": "demo-client", "client_secret": "wrong-secret"},
        {"client_id": "demo-client", "client_secret": ""},
        {"client_id": "demo-client"},
        {"client_id": "nobody", "client_secret": "demo-secret"},
        {"client_secret": "demo-secret"},
        {"client_id": "DEMO-CLIENT", "client_secret": "demo-secret"},
        {"client_id": "demo-client", "client_secret": "démo-secret"},
        {"client_id": "demo-client", "client_secret": "\u0080"},
    ],
    ids=[
        "wrong-secret",
        "blank-secret",
        "no-secret",
        "unknown-client",
        "no-client",
        "client-id-case",
        "non-ascii-secret",
        "control-character-secret",
    ],
)
@pytest.mark.parametrize("encoding", ["data", "json"])
def test_bad_client_credentials_are_an_invalid_client(client, credentials, encoding):
    response = client.post(TOKEN_PATH, **{encoding: {"grant_type": "client_credentials", **credentials}})

    oauth_error(response, 401, "invalid_client")


def test_a_secret_of_another_client_is_an_invalid_client(client, other_organization):
    response = client.post(TOKEN_PATH, data={**CREDENTIALS, "client_secret": OTHER_CLIENT[1]})

    oauth_error(response, 401, "invalid_client")


@pytest.mark.parametrize("encoding", ["data", "json"])
def test_missing_grant_type_is_an_invalid_request(client, encoding):
    body = {key: value for key, value in CREDENTIALS.items() if key != "grant_type"}

    response = client.post(TOKEN_PATH, **{encoding: body})

    oauth_error(response, 400, "invalid_request")


def test_an_empty_body_is_an_invalid_request(client):
    response = client.post(TOKEN_PATH)

    oauth_error(response, 400, "invalid_request")


@pytest.mark.parametrize(
    "grant_type", ["password", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer"]
)
def test_other_grant_types_are_unsupported(client, grant_type):
    response = client.post(TOKEN_PATH, data={**CREDENTIALS, "grant_type": grant_type})

    oauth_error(response, 400, "unsupported_grant_type")


@pytest.mark.parametrize("body", [b'{"grant_type": "client_credentials",', b"{not json}", b"[1, 2]", b'"client_credentials"'])
def test_a_json_body_that_is_not_a_json_object_is_an_invalid_request(client, body):
    response = client.post(TOKEN_PATH, content=body, headers={"Content-Type": "application/json"})

    oauth_error(response, 400, "invalid_request")


def test_token_path_answers_405_with_allow_for_other_methods(client):
    response = client.get(TOKEN_PATH)

    assert response.status_code == 405, response.text
    assert "POST" in {method.strip() for method in response.headers.get("allow", "").split(",")}


# Expiry on the organization's clock


def test_token_works_until_its_hour_is_up_on_the_organization_clock(kadence, wall):
    wall.advance(seconds=3599)
    assert kadence.get("/buildings").status_code == 200

    wall.advance(seconds=1)
    response = kadence.get("/buildings")

    assert "expired" in unauthorized(response).lower()


def test_a_new_token_works_after_the_old_one_expired(client, kadence, wall):
    wall.advance(hours=2)

    unauthorized(kadence.get("/buildings"))
    assert building_names(client, issued_token(client.post(TOKEN_PATH, data=CREDENTIALS))) == [
        "Meridian HQ New York",
        "Meridian Bengaluru",
    ]


def test_moving_the_organization_clock_forward_an_hour_expires_tokens(kadence, store):
    set_clock(store, clock_offset_us=int(timedelta(hours=1).total_seconds() * 1_000_000))

    response = kadence.get("/buildings")

    assert "expired" in unauthorized(response).lower()


def test_a_token_issued_on_a_frozen_organization_clock_outlives_the_wall(client, store, wall):
    set_clock(store, clock_frozen_at=NOW)
    token = issued_token(client.post(TOKEN_PATH, data=CREDENTIALS))

    wall.advance(hours=6)

    assert building_names(client, token) == ["Meridian HQ New York", "Meridian Bengaluru"]


# Bearer tokens on API calls


AUTH_PATHS = ["/buildings", "/users", "/visits", f"/users/{UNKNOWN_ULID}", "/bookable-days?buildingId=x&userId=y"]


@pytest.mark.parametrize("path", AUTH_PATHS)
def test_api_calls_without_authorization_are_401(client, path):
    response = client.get(f"/v1/public{path}")

    unauthorized(response)


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=",
        f"Access-Token {ADMIN_TOKEN}",
        f"Token {ADMIN_TOKEN}",
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        f"Bearer {ADMIN_TOKEN}",
    ],
    ids=["basic", "robin-scheme", "token-scheme", "bearer-alone", "bearer-blank", "bearer-unknown", "bearer-robin-token"],
)
@pytest.mark.parametrize("path", AUTH_PATHS[:2])
def test_api_calls_with_anything_but_a_live_bearer_token_are_401(client, authorization, path):
    response = client.get(f"/v1/public{path}", headers={"Authorization": authorization})

    unauthorized(response)


def test_bearer_scheme_is_case_insensitive(client, kadence):
    response = client.get("/v1/public/buildings", headers={"Authorization": f"bearer {kadence.token}"})

    assert response.status_code == 200, response.text


# One organization per client


def test_another_organization_lists_only_its_own_workplace(elsewhere):
    assert names(elsewhere, "/buildings") == ["Elsewhere Tower"]
    assert names(elsewhere, "/floors") == ["Ground"]
    assert names(elsewhere, "/spaces") == ["Thames"]
    assert names(elsewhere, "/users") == ["admin@elsewhere.example"]
    assert elsewhere.members("/neighborhoods") == []
    assert elsewhere.members("/visits") == []
    assert elsewhere.members("/visitors") == []


def test_another_organization_filtering_by_demo_ids_finds_nothing(kadence, elsewhere):
    building = kadence.find("/buildings", name="Meridian HQ New York")
    floor = kadence.find("/floors", name="Floor 2")

    assert elsewhere.members("/floors", buildingId=building["id"]) == []
    assert elsewhere.members("/neighborhoods", floorId=floor["id"]) == []
    assert elsewhere.members("/spaces", floorId=floor["id"]) == []
    assert elsewhere.members("/buildings", id=building["id"]) == []


@pytest.mark.parametrize("collection", ["buildings", "floors", "neighborhoods", "spaces", "users", "visits", "visitors"])
def test_another_organization_cannot_see_demo_items(kadence, elsewhere, collection):
    item = kadence.members(f"/{collection}")[0]

    response = elsewhere.get(f"/{collection}/{item['id']}")

    assert response.status_code == 404, response.text
    assert response.json()["@type"] == "hydra:Error"
    assert response.json()["hydra:description"] == "Not Found"


def test_another_organization_cannot_change_a_demo_user(kadence, elsewhere):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = elsewhere.patch(
        f"/users/{ada['id']}", json={"jobTitle": "Intruder"}, headers={"Content-Type": "application/merge-patch+json"}
    )

    assert response.status_code == 404, response.text
    assert kadence.get(f"/users/{ada['id']}").json()["jobTitle"] == "Workplace Systems Lead"


def test_another_organization_cannot_ask_for_bookable_days_of_a_demo_building(kadence, elsewhere):
    building = kadence.find("/buildings", name="Meridian HQ New York")
    other_admin = elsewhere.find("/users", email="admin@elsewhere.example")

    response = elsewhere.get("/bookable-days", params={"buildingId": building["id"], "userId": other_admin["id"]})

    assert response.status_code == 404, response.text


def test_the_demo_client_cannot_see_the_other_organization_building(kadence, elsewhere):
    tower = elsewhere.find("/buildings", name="Elsewhere Tower")

    response = kadence.get(f"/buildings/{tower['id']}")

    assert response.status_code == 404, response.text
    assert [building["name"] for building in kadence.members("/buildings")] == ["Meridian HQ New York", "Meridian Bengaluru"]


def basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_client_credentials_may_come_as_http_basic_authentication(client):
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(*DEMO_CLIENT))

    token = issued_token(response)
    assert building_names(client, token) == ["Meridian HQ New York", "Meridian Bengaluru"]


def test_wrong_http_basic_credentials_are_an_invalid_client(client):
    response = client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=basic(DEMO_CLIENT[0], "nope"))

    oauth_error(response, 401, "invalid_client")


def test_unreadable_http_basic_credentials_are_an_invalid_client(client):
    response = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials"}, headers={"Authorization": "Basic ***not-base64***"}
    )

    oauth_error(response, 401, "invalid_client")


def test_an_unexpected_failure_of_the_token_endpoint_is_logged(app, monkeypatch, caplog):
    """An OAuth `server_error` says nothing of its cause to the client: the server's log must."""

    def failing(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the token table is gone")

    monkeypatch.setattr(oauth, "issue_token", failing)
    with InProcessClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
        response = client.post(
            "/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT[0], "client_secret": DEMO_CLIENT[1]},
        )

    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    logged = [record for record in caplog.records if "unexpected failure on POST /oauth2/token" in record.getMessage()]
    assert logged, caplog.text
    assert "the token table is gone" in str(logged[0].exc_info[1])
