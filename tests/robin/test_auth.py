"""GET /auth: the access token a request presents, as SDKs check it before anything else."""

from datetime import datetime

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
