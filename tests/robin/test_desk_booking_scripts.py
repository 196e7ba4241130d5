"""The calls desk-booking scripts and bots make, replayed with the parameters and headers they send.

Published scripts book desks day by day. A chat bot looks its person up by email, lists the
desk's reservations in a UTC window, reserves with colon-less offsets (`-0500`), insists on 200,
reads `details.policy` when the advance threshold refuses, and confirms with `{"user_id"}`,
reading `confirmed_at.date`. Other scripts send ids as JSON strings, comma lists of types, a
slash before the query, and pages of 500 or 2000. A Perl module signs in with HTTP Basic, reads
`meta.status_code` from the body and pages while `paging.has_next_page`.
"""

from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN, RobinClient

ACCESS_TOKEN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
JSON = {**ACCESS_TOKEN, "Content-Type": "application/json", "Accept": "application/json"}
BEN = "ben.carter@meridian.example"


def moment(date_time: str, time_zone: str = "America/New_York") -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def test_a_chat_bot_finds_its_person_lists_the_desk_reserves_and_confirms(anonymous: RobinClient, wall) -> None:
    person = anonymous.get(f"/users/{BEN}", headers=ACCESS_TOKEN)
    assert person.status_code == 200
    user_id, time_zone = person.json()["data"]["id"], person.json()["data"]["time_zone"]
    assert time_zone == "America/New_York"

    window = "before=2026-03-03T23:00:00Z&after=2026-03-03T14:00:00Z&seat_ids=1003"
    before = anonymous.get(f"/reservations/seats?{window}", headers=ACCESS_TOKEN)
    assert before.status_code == 200
    assert before.json()["data"] == []

    reserved = anonymous.post(
        "/seats/1003/reservations",
        headers=JSON,
        json={
            "type": "hoteled",
            "start": moment("2026-03-03T09:00:00-0500", time_zone),
            "end": moment("2026-03-03T17:00:00-0500", time_zone),
            "reservee": {"email": BEN},
            "reserver_id": user_id,
        },
    )
    assert reserved.status_code == 200, reserved.text
    reservation_id = reserved.json()["data"]["id"]
    assert isinstance(reservation_id, str)
    listed = anonymous.get(f"/reservations/seats?{window}", headers=ACCESS_TOKEN).json()["data"]
    assert [(item["id"], item["confirmation"]) for item in listed] == [(reservation_id, None)]

    wall.advance(hours=24, minutes=-10)
    confirmed = anonymous.put(f"/reservations/seats/{reservation_id}/confirmation", headers=JSON, json={"user_id": user_id})
    again = anonymous.put(f"/reservations/seats/{reservation_id}/confirmation", headers=JSON, json={"user_id": user_id})

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["data"]["seat_reservation_id"] == reservation_id
    assert confirmed.json()["data"]["confirmed_at"]["date"].startswith("2026-03-03 13:50:00")
    assert again.status_code == 400
    assert again.json()["meta"]["errors"][0]["reason"] == "event_already_confirmed"


def test_a_chat_bot_stops_at_the_advance_threshold_it_reads_from_details(anonymous: RobinClient) -> None:
    response = anonymous.post(
        "/seats/1003/reservations",
        headers=JSON,
        json={
            "type": "hoteled",
            "start": moment("2026-03-20T09:00:00-0400"),
            "end": moment("2026-03-20T17:00:00-0400"),
            "reservee": {"email": BEN},
        },
    )

    assert response.status_code == 400
    error = response.json()["meta"]["errors"][0]
    assert (error["reason"], error["details"]["policy"], error["details"]["booking_threshold"]) == (
        "seat_booking_policy_violation",
        "advanced_booking_threshold",
        "P14D",
    )
    assert response.json()["meta"]["message"]


def test_a_script_sending_ids_as_strings_books_and_finds_the_reservation(anonymous: RobinClient) -> None:
    users = anonymous.get("/organizations/meridian/users?ids=2", headers=ACCESS_TOKEN)
    user_id = users.json()["data"][0]["id"]

    reserved = anonymous.post(
        "/seats/1004/reservations",
        headers=JSON,
        json={
            "start": {"date_time": "2026-03-04T14:00:00Z", "time_zone": "UTC"},
            "end": {"date_time": "2026-03-04T22:00:00Z", "time_zone": "UTC"},
            "reservee": {"user_id": str(user_id)},
            "type": "hoteled",
            "reserver_id": str(user_id),
        },
    )
    found = anonymous.get(f"/reservations/seats/?user_ids={user_id}&include_disabled_seats=false", headers=ACCESS_TOKEN)
    one = anonymous.get(f"/reservations/seats/{reserved.json()['data']['id']}", headers=ACCESS_TOKEN)

    assert reserved.status_code == 200, reserved.text
    assert reserved.json()["meta"]["status_code"] == 200
    assert found.status_code == 200
    assert one.json()["data"]["seat_id"] == 1004
    assert one.json()["data"]["reservee"]["user_id"] == user_id


def test_a_script_lists_reservee_emails_by_space_with_a_comma_list_of_types(anonymous: RobinClient) -> None:
    locations = anonymous.get("/organizations/1/locations/?&page=1&per_page=100", headers=ACCESS_TOKEN)
    spaces = anonymous.get("/locations/10/spaces/?&page=1&per_page=500", headers=ACCESS_TOKEN)
    assert locations.status_code == 200
    assert spaces.status_code == 200
    space_ids = [space["id"] for space in spaces.json()["data"]]

    emails: set[str] = set()
    types_seen: set[str] = set()
    for space_id in space_ids:
        response = anonymous.get(
            f"/reservations/seats/?space_ids={space_id}&types=hot,assigned,hoteled&page=1&per_page=500"
            "&before=2026-03-07T00:00:00Z&after=2026-03-02T00:00:00Z",
            headers=ACCESS_TOKEN,
        )
        assert response.status_code == 200, response.text
        emails |= {item["reservee"]["email"] for item in response.json()["data"]}
        types_seen |= {item["type"] for item in response.json()["data"]}

    assert emails, "the demo reserves New York's desks this week"
    assert types_seen <= {"hot", "assigned", "hoteled"}


def test_a_booker_in_london_time_reserves_for_itself(anonymous: RobinClient) -> None:
    me = anonymous.get("/me", headers=ACCESS_TOKEN).json()["data"]
    mine_before = anonymous.get(
        f"/reservations/seats?after=2026-03-01T00:00:00Z&page=1&per_page=100&user_ids={me['id']}", headers=ACCESS_TOKEN
    )

    reserved = anonymous.post(
        "/seats/1005/reservations",
        headers=ACCESS_TOKEN,
        json={
            "start": {"date_time": "2026-03-05T14:00:00+00:00", "time_zone": "Europe/London"},
            "end": {"date_time": "2026-03-05T20:00:00+00:00", "time_zone": "Europe/London"},
            "reservee": {"user_id": me["id"]},
            "type": "hoteled",
        },
    )
    mine_after = anonymous.get(
        f"/reservations/seats?after=2026-03-01T00:00:00Z&page=1&per_page=100&user_ids={me['id']}", headers=ACCESS_TOKEN
    )

    assert reserved.status_code == 200, reserved.text
    assert len(mine_after.json()["data"]) == len(mine_before.json()["data"]) + 1


def test_a_selenium_driven_booker_signs_in_to_its_organization_and_pages_two_thousand(anonymous: RobinClient) -> None:
    headers = {"accept": "application/json", "content-type": "application/json;charset=UTF-8"}
    signed = anonymous.post(
        "/auth/users",
        headers=headers,
        auth=("ben.carter@meridian.example", "sandbox"),
        json={"remember_me": False, "organization": 1},
    )
    token = {**headers, "authorization": f"Access-Token {signed.json()['data']['access_token']}"}
    me = anonymous.get("/me", headers=token).json()["data"]
    locations = anonymous.get("/organizations/1/locations?query=New%20York&page=1&per_page=150", headers=token)
    levels = anonymous.get(f"/locations/{locations.json()['data'][0]['id']}/levels?page=1&per_page=150", headers=token)
    level_id = levels.json()["data"][0]["id"]
    reservations = anonymous.get(
        f"/reservations/seats?level_ids={level_id}&user_ids={me['id']}&after=2026-03-02T00%3A00%3A00%2B00%3A00"
        "&before=2026-03-09T00%3A00%3A00%2B00%3A00&page=1&per_page=2000",
        headers=token,
    )

    assert signed.status_code == 200
    assert [location["name"] for location in locations.json()["data"]] == ["Meridian HQ New York"]
    assert reservations.status_code == 200, reservations.text
    assert reservations.json()["paging"]["per_page"] == 1000


def pages(client: RobinClient, path: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every item of a collection as a Perl module reads one: page=N&per_page=100 while
    `paging.has_next_page`, dying unless the body's `meta.status_code` is 200."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        separator = "&" if "?" in path else "?"
        document = client.get(f"{path}{separator}page={page}&per_page=100", headers=headers).json()
        assert document["meta"]["status_code"] == 200, document
        items += document["data"]
        if not document["paging"]["has_next_page"]:
            return items
        page += 1


@pytest.mark.parametrize("include_disabled", ["true", "false"])
def test_a_perl_module_signs_in_with_basic_and_pages_while_there_is_a_next_page(anonymous: RobinClient, include_disabled) -> None:
    signed = anonymous.post("/auth/users", auth=("ada.okafor@meridian.example", "sandbox"))
    headers = {"Authorization": f"Access-Token {signed.json()['data']['access_token']}"}
    me = anonymous.get("/me", headers=headers).json()["data"]

    locations = pages(anonymous, "/organizations/1/locations", headers)
    spaces = [space for location in locations for space in pages(anonymous, f"/locations/{location['id']}/spaces", headers)]
    reservations = pages(
        anonymous,
        f"/reservations/seats?include_disabled_seats={include_disabled}&level_ids=102,202&seat_ids=&zone_ids=&types=hoteled,hot"
        "&after=2026-03-01T00:00:00Z&before=2026-03-31T00:00:00Z",
        headers,
    )

    assert me["primary_email"]["email"] == "ada.okafor@meridian.example"
    assert len(locations) >= 2
    assert len(spaces) > 10
    assert reservations
    assert {item["type"] for item in reservations} <= {"hoteled", "hot"}
