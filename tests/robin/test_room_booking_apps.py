"""The calls room-booking apps and CLIs make, replayed with the parameters and headers they send.

A booking web app (and its MCP server) signs in with HTTP Basic, sends `Tenant-Id` once it has
chosen an organization, lists rooms with `include=calendar` keeping those whose `behaviors` hold
`scheduling`, reads a week of events with encoded `±HH:MM` bounds, books through POST /events
with the room's calendar fields, changes an event (recurrence through the series), and deletes
an instance by its encoded id. A Go CLI signs in, reads its time zone from /me, books with
RFC 3339 local times and lists with sorted, encoded keys. Chat bots ask free/busy first (the
deprecated GET, or the POST) and book the free room; a room panel sends `yyyy-MM-ddTHH:mm:ssZ`
times with the creator's fields echoed.
"""

from typing import Any
from urllib.parse import quote

from tests.conftest import ADMIN_TOKEN, RobinClient

ACCESS_TOKEN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}


def data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def test_a_booking_web_app_signs_in_picks_a_room_books_changes_and_deletes(anonymous: RobinClient) -> None:
    signed = data(anonymous.post("/auth/users", auth=("ben.carter@meridian.example", "sandbox"), json={"remember_me": True}))
    token = {"Authorization": f"Access-Token {signed['access_token']}"}
    organizations = data(anonymous.get("/me/organizations", headers=token))
    tenant = {**token, "Tenant-Id": str(organizations[0]["id"])}
    locations = data(anonymous.get(f"/organizations/{organizations[0]['id']}/locations?per_page=100", headers=tenant))
    new_york = next(location for location in locations if location["time_zone"] == "America/New_York")
    levels = data(anonymous.get(f"/locations/{new_york['id']}/levels?per_page=100", headers=tenant))
    spaces = data(anonymous.get(f"/locations/{new_york['id']}/spaces?per_page=200&include=calendar", headers=tenant))
    rooms = [space for space in spaces if "scheduling" in space["behaviors"] and space.get("calendar")]
    room = next(space for space in rooms if space["capacity"] and space["capacity"] >= 4)
    amenities = data(anonymous.get(f"/spaces/{room['id']}/amenities", headers=tenant))
    after, before = quote("2026-03-04T00:00:00-05:00", safe=""), quote("2026-03-11T00:00:00-05:00", safe="")
    week = data(anonymous.get(f"/spaces/{room['id']}/events?per_page=100&after={after}&before={before}", headers=tenant))

    booked = data(
        anonymous.post(
            "/events",
            headers={**tenant, "Content-Type": "application/json"},
            json={
                "title": "Design review",
                "space_id": room["id"],
                "calendar_type": room["calendar"]["remote_type"],
                "calendar_mailbox_address": room["calendar"]["space_resource_email"],
                "invitees": [{"email": "ada.okafor@meridian.example"}],
                "visibility": "private",
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
                "start": {"date_time": "2026-03-04T13:30:00-05:00", "time_zone": "America/New_York"},
                "end": {"date_time": "2026-03-04T14:00:00-05:00", "time_zone": "America/New_York"},
            },
        ),
        201,
    )
    instances = data(anonymous.get(f"/spaces/{room['id']}/events?per_page=100&after={after}&before={before}", headers=tenant))
    mine = [event for event in instances if event.get("series_id") == booked["id"]]
    read = data(anonymous.get(f"/events/{quote(mine[0]['id'], safe='')}", headers=tenant))
    renamed = data(
        anonymous.patch(f"/events/{booked['id']}", headers=tenant, json={"title": "Design review (moved)", "recurrence": None})
    )
    deleted = anonymous.delete(f"/events/{quote(booked['id'], safe='')}", headers=tenant)

    assert levels
    assert isinstance(amenities, list)
    assert all(event["id"] != booked["id"] for event in week)
    assert booked["visibility"] == "private"
    assert [event["id"].split("_")[0] for event in mine] == [booked["id"]]
    assert mine[0]["id"] == f"{booked['id']}_20260304T183000Z"
    assert (renamed["title"], renamed["recurrence"]) == ("Design review (moved)", None)
    assert [invitee["email"] for invitee in read["invitees"] if not invitee["is_resource"]] == ["ada.okafor@meridian.example"]
    assert deleted.status_code == 200


def test_a_cli_signs_in_reads_its_zone_books_in_local_time_and_lists_its_events(anonymous: RobinClient) -> None:
    headers = {"Accept": "application/json", "User-Agent": "robin-cli/0.1"}
    signed = data(
        anonymous.post(
            "/auth/users",
            headers=headers,
            auth=("ben.carter@meridian.example", "sandbox"),
            json={"remember_me": False, "organization": None},
        )
    )
    token = {**headers, "Authorization": f"Access-Token {signed['access_token']}"}
    me = data(anonymous.get("/me", headers=token))
    locations = data(anonymous.get(f"/organizations/{signed['account_id']}/locations", headers=token))
    spaces = data(anonymous.get(f"/locations/{locations[0]['id']}/spaces?per_page=200", headers=token))
    room = next(space for space in spaces if "scheduling" in space["behaviors"] and not space["is_disabled"])

    booked = data(
        anonymous.post(
            f"/spaces/{room['id']}/events",
            headers={**token, "Content-Type": "application/json"},
            json={
                "title": "Focus",
                "start": {"date_time": "2026-03-05T15:00:00-05:00", "time_zone": me["time_zone"]},
                "end": {"date_time": "2026-03-05T16:00:00-05:00", "time_zone": me["time_zone"]},
            },
        ),
        201,
    )
    window = "after=2026-03-05T00%3A00%3A00Z&before=2026-03-06T00%3A00%3A00Z&per_page=100"
    in_room = data(anonymous.get(f"/spaces/{room['id']}/events?{window}", headers=token))
    mine = data(anonymous.get(f"/me/events?{window}", headers=token))

    assert me["time_zone"] == "America/New_York"
    assert booked["id"] in [event["id"] for event in in_room]
    assert booked["id"] in [event["id"] for event in mine]
    assert booked["confirmation"] is None
    # The CLI checks in by POST, with no body and no Content-Type.
    early = anonymous.post(f"/events/{booked['id']}/confirmation", headers=token)
    assert early.status_code == 400
    assert early.json()["meta"]["errors"][0]["reason"] == "too_early_to_confirm_event"
    assert data(anonymous.delete(f"/events/{booked['id']}", headers=token))["status"] == "cancelled"


def test_a_chat_bot_asks_free_busy_then_books_the_first_free_room(anonymous: RobinClient) -> None:
    found = data(
        anonymous.get(
            "/free-busy/spaces?location_ids=10&after=2026-03-04T10%3A00%3A00-05%3A00&before=2026-03-04T11%3A00%3A00-05%3A00"
            "&duration=60&min_capacity=4&max_capacity=20&page=1&per_page=10",
            headers=ACCESS_TOKEN,
        )
    )
    free = next(entry["space"] for entry in found if not entry["busy"])

    booked = anonymous.post(
        f"/spaces/{free['id']}/events",
        headers=ACCESS_TOKEN,
        json={
            "title": "Booked by the bot",
            "description": "From chat",
            "start": {"date_time": "2026-03-04T10:00:00-05:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-04T11:00:00-05:00", "time_zone": "America/New_York"},
        },
    )

    assert booked.status_code == 201, booked.text


def test_a_web_app_searches_free_busy_by_post_and_reads_busy_blocks(anonymous: RobinClient) -> None:
    found = data(
        anonymous.post(
            "/free-busy/spaces",
            headers=ACCESS_TOKEN,
            json={
                "scope": {"space_ids": [48], "location_ids": [10]},
                "view_options": {
                    "bounds": {"from": "2026-03-03T14:00:00Z", "to": "2026-03-03T23:00:00Z", "time_zone": "America/New_York"},
                    "prioritization_type": "specific_time",
                },
            },
        )
    )

    hudson = next(entry for entry in found if entry["space"]["id"] == 48)
    assert hudson["busy"]
    assert all({"from", "to"} <= set(block) for block in hudson["busy"])
    assert {entry["space"]["name"] for entry in found} >= {"Hudson"}


def test_a_room_panel_books_with_z_times_and_echoed_creator_fields_then_reads_the_creator(anonymous: RobinClient) -> None:
    booked = data(
        anonymous.post(
            "/spaces/49/events",
            headers={**ACCESS_TOKEN, "Accept": "application/json", "Content-Type": "application/json"},
            json={
                "title": "Walk-in",
                "start": {"date_time": "2026-03-06T15:00:00Z", "time_zone": "America/New_York"},
                "end": {"date_time": "2026-03-06T15:30:00Z", "time_zone": "America/New_York"},
                "creator_id": 1,
                "creator_email": "ada.okafor@meridian.example",
                "visibility": "default",
                "invitees": [],
            },
        ),
        201,
    )
    creator = data(anonymous.get(f"/organizations/1/users/{booked['creator_id']}", headers=ACCESS_TOKEN))
    moved = data(
        anonymous.patch(
            f"/events/{booked['id']}",
            headers={**ACCESS_TOKEN, "Content-Type": "application/json"},
            json={
                "id": booked["id"],
                "title": "Walk-in (extended)",
                "end": {"date_time": "2026-03-06T15:45:00Z", "time_zone": "America/New_York"},
            },
        )
    )

    assert booked["start"]["date_time"] == "2026-03-06T10:00:00-0500"
    assert creator["primary_email"]["email"] == "ada.okafor@meridian.example"
    assert (moved["title"], moved["end"]["date_time"]) == ("Walk-in (extended)", "2026-03-06T10:45:00-0500")
