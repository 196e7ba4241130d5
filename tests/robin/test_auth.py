"""GET /auth: the access token a request presents, as SDKs check it before anything else."""

import base64
from datetime import datetime

import pytest

from tests.conftest import ADMIN_TOKEN, MEMBER_TOKEN, RobinClient


def test_auth_describes_the_token_the_request_presents(robin: RobinClient, wall) -> None:
    response = robin.get("/auth", headers={"User-Agent": "robin-sdk-test/1.0"})

    assert response.status_code == 200
    token = response.json()["data"]
    assert (token["type"], token["type_id"], token["name"]) == ("account", 1, "")
    assert token["agent"] == "robin-sdk-test/1.0"
    assert token["ip"]
    assert token["scopes"] == ["basic_read", "basic_write"]
    assert token["expire_at"] is None
    datetime.strptime(token["created_at"], "%Y-%m-%dT%H:%M:%S%z")
    accessed = token["last_accessed_at"]
    assert (accessed["timezone_type"], accessed["timezone"]) == (3, "UTC")
    assert accessed["date"] == wall.now.strftime("%Y-%m-%d %H:%M:%S.%f")


def test_auth_names_each_token_by_an_id_of_its_own_every_time(robin: RobinClient, client) -> None:
    first = robin.get("/auth").json()["data"]["id"]
    again = robin.get("/auth").json()["data"]["id"]
    member = RobinClient(client, MEMBER_TOKEN).get("/auth").json()["data"]

    assert first == again
    assert isinstance(first, int)
    assert member["id"] != first
    assert member["type_id"] == 1


def test_auth_without_a_valid_token_is_401(client) -> None:
    assert client.get("/v1.0/auth").status_code == 401
    assert RobinClient(client, "not-a-token").get("/auth").json()["meta"]["status_code"] == 401
    assert RobinClient(client, ADMIN_TOKEN).get("/auth").status_code == 200


# Signing in: POST /auth/users with HTTP Basic email:password


def signed_in(anonymous: RobinClient, email: str, password: str = "sandbox", **body: object):
    return anonymous.post("/auth/users", auth=(email, password), json=body or None)


@pytest.mark.parametrize(
    "body",
    [
        {"remember_me": False, "organization": None},
        {"remember_me": True, "organization": 1},
        {"organization": "1", "remember_me": False},
        {"organization": "meridian"},
        {},
    ],
)
def test_sign_in_answers_a_token_that_acts_for_the_person(anonymous: RobinClient, client, body) -> None:
    response = signed_in(anonymous, "Ben.Carter@meridian.example", **body)

    assert response.status_code == 200, response.text
    signed = response.json()["data"]
    assert signed["account_id"] == 1
    assert signed["expire_at"] is None
    me = RobinClient(client, signed["access_token"]).get("/me")
    assert me.json()["data"]["primary_email"]["email"] == "ben.carter@meridian.example"
    assert me.json()["data"]["id"] == signed["user_id"]


def test_sign_in_without_a_body(anonymous: RobinClient) -> None:
    response = anonymous.post("/auth/users", auth=("ada.okafor@meridian.example", "sandbox"))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["access_token"] != ADMIN_TOKEN


def test_each_sign_in_answers_a_new_token(anonymous: RobinClient) -> None:
    first = signed_in(anonymous, "ada.okafor@meridian.example").json()["data"]["access_token"]
    second = signed_in(anonymous, "ada.okafor@meridian.example").json()["data"]["access_token"]

    assert first != second


@pytest.mark.parametrize(
    ("email", "password", "body"),
    [
        ("ada.okafor@meridian.example", "wrong", {}),
        ("nobody@meridian.example", "sandbox", {}),
        ("ada.okafor@meridian.example", "sandbox", {"organization": "elsewhere"}),
        ("ada.okafor@meridian.example", "sandbox", {"organization": 2}),
    ],
)
def test_sign_in_with_wrong_credentials_is_401(anonymous: RobinClient, other_organization, email, password, body) -> None:
    response = signed_in(anonymous, email, password, **body)

    assert response.status_code == 401
    assert response.json()["meta"]["status"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    "authorization",
    [None, f"Access-Token {ADMIN_TOKEN}", "Basic not-base64!", "Basic " + base64.b64encode(b"no-colon").decode()],
)
def test_sign_in_needs_basic_credentials(anonymous: RobinClient, authorization) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = anonymous.post("/auth/users", headers=headers, json={})

    assert response.status_code == 401
