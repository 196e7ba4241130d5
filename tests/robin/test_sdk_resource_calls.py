"""The calls Robin's JavaScript SDK makes for its workplace resources, replayed as it sends them.

The SDK sends `Authorization: Access-Token <token>` and nothing else on a GET (no Accept), JSON
with `accept` and `content-type` on a call that carries data, DELETE of presence with a JSON
body, and GET parameters through `qs`: arrays as `k[0]=1&k[1]=2` with the brackets
percent-encoded (old installs leave them raw), pre-joined lists with the comma encoded. It
addresses organizations by id or slug. It reads `data`, pages by `paging.page` and
`paging.per_page` (`nextPage` asks for `page + 1` with the `per_page` it was answered), parses
every answer as JSON (an empty body fails even on 2xx), and reads an error's `meta.status_code`,
`status`, `message` and `more_info`.
"""

import json
from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN, RobinClient

GET = {"authorization": f"Access-Token {ADMIN_TOKEN}"}
WITH_DATA = {**GET, "accept": "application/json", "content-type": "application/json"}


def parsed(response: Any) -> dict[str, Any]:
    """The answer as the SDK reads it: JSON whatever the status, or it fails."""
    document = json.loads(response.content)
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("organization", ["1", "meridian"])
def test_organization_and_its_locations_by_id_or_slug(anonymous: RobinClient, organization: str) -> None:
    found = parsed(anonymous.get(f"/organizations/{organization}", headers=GET))
    locations = parsed(anonymous.get(f"/organizations/{organization}/locations", headers=GET))
    users = parsed(anonymous.get(f"/organizations/{organization}/users", headers=GET))

    assert found["data"]["slug"] == "meridian"
    assert locations["data"]
    assert all(location["account_id"] == 1 for location in locations["data"])
    assert users["data"]


def test_next_page_asks_for_the_following_page_with_the_per_page_it_was_answered(anonymous: RobinClient) -> None:
    first = parsed(anonymous.get("/locations/10/spaces?page=1", headers=GET))
    following = parsed(
        anonymous.get(
            f"/locations/10/spaces?page={first['paging']['page'] + 1}&per_page={first['paging']['per_page']}", headers=GET
        )
    )
    everything = parsed(anonymous.get("/locations/10/spaces?per_page=1000", headers=GET))

    assert (first["paging"]["page"], first["paging"]["per_page"]) == (1, 10)
    assert following["paging"]["page"] == 2
    assert [space["id"] for space in first["data"] + following["data"]] == [space["id"] for space in everything["data"][:20]]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("type%5B0%5D=meeting&type%5B1%5D=call", id="qs-encoded-brackets"),
        pytest.param("type[0]=meeting&type[1]=call", id="qs-raw-brackets"),
        pytest.param("type=meeting%2Ccall", id="browser-comma"),
    ],
)
def test_array_parameters_as_the_node_and_browser_builds_send_them(anonymous: RobinClient, query: str) -> None:
    spaces = parsed(anonymous.get(f"/locations/10/spaces?{query}&per_page=100", headers=GET))["data"]

    assert spaces
    assert {space["type"] for space in spaces} == {"meeting", "call"}


def test_include_sent_pre_joined_with_the_comma_encoded(anonymous: RobinClient) -> None:
    space = parsed(anonymous.get("/spaces/48?include=calendar%2Cspace_amenities", headers=GET))["data"]

    assert {"calendar", "space_amenities"} <= set(space)


def test_presence_added_then_deleted_with_a_json_body(anonymous: RobinClient) -> None:
    added = anonymous.post("/spaces/48/presence", headers=WITH_DATA, content=json.dumps({"user_id": 2, "session_ttl": 60}))
    present = parsed(anonymous.get("/spaces/48/presence", headers=GET))["data"]
    deleted = anonymous.request("DELETE", "/spaces/48/presence", headers=WITH_DATA, content=json.dumps({"user_id": 2}))
    after = parsed(anonymous.get("/spaces/48/presence", headers=GET))["data"]

    assert added.status_code == 201
    assert [session["user_id"] for session in present] == [2]
    assert deleted.status_code == 200
    assert parsed(deleted)["meta"]["status"] == "OK"
    assert after == []
    assert parsed(anonymous.get("/locations/10/presence", headers=GET))["data"] == []


def test_token_info_and_me_as_the_sdk_asks_for_them(anonymous: RobinClient) -> None:
    token = parsed(anonymous.get("/auth", headers=GET))["data"]
    me = parsed(anonymous.get("/me", headers=GET))["data"]
    mine = parsed(anonymous.get("/me/organizations", headers=GET))["data"]

    assert token["type"] == "account"
    assert me["primary_email"]["email"] == "ada.okafor@meridian.example"
    assert [organization["slug"] for organization in mine] == ["meridian"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("GET", "/spaces/999999", None, 404),
        ("PATCH", "/spaces/48", {"capacity": "many"}, 400),
        ("PUT", "/spaces/48", {"name": "Replaced"}, 405),
        ("GET", "/organizations/elsewhere-nobody/locations", None, 404),
    ],
)
def test_every_error_reads_as_the_sdk_api_error(anonymous: RobinClient, method: str, path: str, body: Any, status: int) -> None:
    headers = WITH_DATA if body is not None else GET
    response = anonymous.request(method, path, headers=headers, content=json.dumps(body) if body is not None else None)

    meta = parsed(response)["meta"]
    assert response.status_code == status
    assert meta["status_code"] == status
    assert meta["status"]
    assert meta["message"]
    assert isinstance(meta["more_info"], dict)
    if status == 400:
        assert meta["more_info"] == {"capacity": [meta["errors"][0]["message"].removeprefix("capacity: ")]}


def test_an_answer_without_data_still_carries_a_json_envelope(anonymous: RobinClient) -> None:
    reservation = anonymous.post(
        "/seats/1003/reservations",
        headers=WITH_DATA,
        content=json.dumps(
            {
                "type": "hoteled",
                "start": {"date_time": "2026-03-04T09:00:00", "time_zone": "America/New_York"},
                "end": {"date_time": "2026-03-04T17:00:00", "time_zone": "America/New_York"},
            }
        ),
    )
    cancelled = anonymous.request("DELETE", f"/reservations/seats/{reservation.json()['data']['id']}", headers=GET)

    assert cancelled.status_code == 200
    assert parsed(cancelled)["data"] == {}
