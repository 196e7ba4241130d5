"""The calls typed clients (Robin's Java SDK, two .NET clients) make, replayed as they send them,
and the fields their models read, with the types those models give them.

The .NET clients build paths relative to `/v1.0/`, send `Accept: application/json`, join lists
with commas and percent-encode with lowercase hex (`ids=1%2c2%2c3`, `%2b00%3a00`), send every
parameter they know (`query=&page=1&per_page=10`) and parse every answer, whatever its status, as
the envelope: one requires `meta.more_info` as a map of string lists. The Java SDK may send
`Authorization: Bearer`, parses dates with an ISO parser and requires each invitee to carry
`email`, `id` and `event_id`.
"""

import re
from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN, RobinClient

NET = {"Authorization": f"Access-Token {ADMIN_TOKEN}", "Accept": "application/json"}
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")
"""`yyyy-MM-ddTHH:mm:sszzz` as .NET reads it, and Joda's ISO parser: an offset without a colon."""


def envelope(response: Any) -> dict[str, Any]:
    """The answer as the .NET clients read it, whatever its status."""
    document = response.json()
    meta = document["meta"]
    assert isinstance(meta["status_code"], int)
    assert isinstance(meta["status"], str)
    assert isinstance(meta["message"], str)
    assert isinstance(meta["more_info"], dict)
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in meta["more_info"].values()
    )
    assert all({"domain", "reason", "message"} <= set(error) for error in meta["errors"])
    return document


def test_token_info_as_the_dotnet_model_reads_it(anonymous: RobinClient) -> None:
    token = envelope(anonymous.get("/auth", headers=NET))["data"]

    assert isinstance(token["id"], int)
    assert isinstance(token["type_id"], int)
    assert token["type"] == "account"
    assert isinstance(token["scopes"], list)
    assert set(token["last_accessed_at"]) == {"date", "timezone_type", "timezone"}
    assert token["expire_at"] is None or TIMESTAMP.match(token["expire_at"])
    assert token["created_at"] is None or TIMESTAMP.match(token["created_at"])


def test_organization_locations_users_and_amenities_as_the_dotnet_client_asks(anonymous: RobinClient) -> None:
    organization = envelope(anonymous.get("/organizations/meridian", headers=NET))["data"]
    locations = envelope(anonymous.get("/organizations/1/locations?query=&page=1&per_page=1", headers=NET))
    users = envelope(anonymous.get("/organizations/meridian/users?query=&page=1&per_page=10&ids=1%2c2%2c3", headers=NET))
    one = envelope(anonymous.get("/organizations/meridian/users/2", headers=NET))["data"]
    amenities = envelope(anonymous.get("/organizations/meridian/amenities?page=2&per_page=2", headers=NET))

    assert (organization["id"], organization["is_organization"]) == (1, True)
    assert TIMESTAMP.match(organization["created_at"])
    assert len(locations["data"]) == 1
    assert locations["paging"] == {"page": 1, "per_page": 1, "has_next_page": True}
    assert all(isinstance(location["account_id"], int) and location["time_zone"] for location in locations["data"])
    assert sorted(user["id"] for user in users["data"]) == [1, 2, 3]
    assert all({"given_name", "family_name", "is_pending", "primary_email"} <= set(user) for user in users["data"])
    assert one["id"] == 2
    assert amenities["paging"]["page"] == 2
    assert len(amenities["data"]) == 2


def test_seat_reservations_by_level_and_a_spaces_seats_as_the_dotnet_client_asks(anonymous: RobinClient) -> None:
    reservations = envelope(
        anonymous.get(
            "/reservations/seats?level_ids=102&before=2026-03-03T00%3a00%3a00%2b00%3a00"
            "&after=2026-03-02T00%3a00%3a00%2b00%3a00&page=1&per_page=50",
            headers=NET,
        )
    )["data"]
    seats = envelope(anonymous.get("/spaces/58/seats?page=1&per_page=50", headers=NET))

    assert reservations
    for reservation in reservations:
        assert isinstance(reservation["id"], str)
        assert isinstance(reservation["seat_id"], int)
        assert isinstance(reservation["reserver_id"], int)
        assert set(reservation["start"]) == {"date_time", "time_zone"}
        assert {"email", "user_id", "participation_status"} <= set(reservation["reservee"])
    assert seats["data"]
    assert all(
        {"id", "name", "space_id", "zone_id", "is_reservable", "is_disabled", "disabled_at"} <= set(seat)
        for seat in seats["data"]
    )


@pytest.mark.parametrize(
    ("path", "status"),
    [("/spaces/999999", 404), ("/spaces/48/events?after=yesterday", 400), ("/organizations/nobody", 404)],
)
def test_an_error_is_an_envelope_with_more_info_whatever_the_status(anonymous: RobinClient, path: str, status: int) -> None:
    response = anonymous.get(path, headers=NET)

    document = envelope(response)
    assert response.status_code == status
    assert document["data"] == {}
    if status == 400:
        assert document["meta"]["more_info"]["after"]


def test_space_state_presence_and_events_as_the_dotnet_client_asks(anonymous: RobinClient) -> None:
    state = envelope(anonymous.get("/spaces/48/state", headers=NET))["data"]
    presence = envelope(anonymous.get("/spaces/48/presence?query=&page=1&per_page=10", headers=NET))
    events = envelope(
        anonymous.get(
            "/spaces/48/events?after=2026-03-02T09:00:00-05:00&before=2026-03-09T09:00:00-05:00&page=1&per_page=10", headers=NET
        )
    )["data"]
    calendar = envelope(anonymous.get("/spaces/48/calendar", headers=NET))["data"]

    assert state["availability"] in {"available", "booked", "in_use", "disabled"}
    assert isinstance(state["present"], int)
    assert presence["data"] == []
    assert events
    assert {"space_id", "remote_type", "calendar_id", "subscriber_id", "space_resource_id", "space_resource_email"} <= set(
        calendar
    )
    for event in events:
        assert isinstance(event["id"], str)
        assert TIMESTAMP.match(event["started_at"])
        assert TIMESTAMP.match(event["start"]["date_time"])


def test_the_java_sdk_reads_events_with_a_bearer_credential_and_complete_invitees(anonymous: RobinClient) -> None:
    events = envelope(anonymous.get("/spaces/48/events?after=2026-03-02T14:00:00Z&before=2026-03-09T14:00:00Z", headers=BEARER))[
        "data"
    ]
    one = envelope(anonymous.get(f"/events/{events[0]['id']}", headers=BEARER))["data"]
    upcoming = envelope(anonymous.get("/spaces/48/events/upcoming", headers=BEARER))["data"]

    assert one["invitees"]
    for event in [one, *upcoming]:
        for invitee in event["invitees"]:
            assert {"email", "id", "event_id"} <= set(invitee)
        assert event["creation_type"] in {"manual", "automatic", "synced"}


def test_the_java_sdk_reads_a_persons_presence_and_their_upcoming_and_recent_events(
    anonymous: RobinClient, robin: RobinClient, wall
) -> None:
    # East River never releases a meeting nobody confirmed: both stay in its recent list.
    for start, end in (("09:05", "09:35"), ("10:00", "10:30")):
        moment = {"time_zone": "America/New_York"}
        booked = robin.post(
            "/spaces/49/events",
            json={
                "start": {**moment, "date_time": f"2026-03-02T{start}:00"},
                "end": {**moment, "date_time": f"2026-03-02T{end}:00"},
            },
        )
        assert booked.status_code == 201, booked.text
    reported = anonymous.post(
        "/spaces/48/presence", headers=BEARER, json={"user_ref": "ben-carter", "device_id": None, "session_ttl": 30}
    )
    by_slug = envelope(anonymous.get("/users/ben-carter/presence", headers=BEARER))["data"]
    mine = envelope(anonymous.get("/me/presence", headers=BEARER))["data"]
    upcoming = envelope(anonymous.get("/me/events/upcoming", headers=BEARER))
    wall.advance(days=2)
    recent = envelope(anonymous.get("/spaces/49/events/recent", headers=BEARER))["data"]
    my_recent = envelope(anonymous.get("/me/events/recent", headers=BEARER))["data"]

    assert reported.status_code == 201, reported.text
    assert [(session["space_id"], session["user_id"]) for session in by_slug] == [(48, 2)]
    assert mine == []
    assert "paging" in upcoming
    assert len(recent) >= 2
    starts = [event["started_at"] for event in recent]
    assert starts == sorted(starts, reverse=True), "the latest first"
    assert all(isinstance(event["id"], str) for event in my_recent)


def test_the_java_sdk_confirms_with_the_whole_confirmation_and_its_nulls(anonymous: RobinClient, robin: RobinClient) -> None:
    booked = robin.post(
        "/spaces/57/events",
        json={
            "start": {"date_time": "2026-03-02T09:05:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T09:50:00", "time_zone": "America/New_York"},
        },
    ).json()["data"]

    confirmed = anonymous.put(
        f"/events/{booked['id']}/confirmation",
        headers=BEARER,
        json={"event_id": booked["id"], "user_id": None, "device_id": None, "confirmed_at": None},
    )
    read = envelope(anonymous.get(f"/events/{booked['id']}/confirmation", headers=BEARER))["data"]

    assert confirmed.status_code == 200, confirmed.text
    assert (read["event_id"], read["user_id"]) == (booked["id"], 1)
    assert TIMESTAMP.match(read["confirmed_at"])


def test_the_java_sdk_books_with_started_at_and_owner_ref_then_sends_the_whole_event_back(anonymous: RobinClient) -> None:
    booking = {
        "owner_ref": "ben-carter",
        "title": "Java booking",
        "description": None,
        "started_at": "2026-03-05T15:00:00Z",
        "ended_at": "2026-03-05T15:45:00Z",
        "is_all_day": False,
        "invitees": [{"email": "ada.okafor@meridian.example"}],
    }
    booked = envelope(anonymous.post("/spaces/50/events", headers=BEARER, json=booking))["data"]
    whole = {**booked, "title": "Java booking (renamed)"}
    patched = envelope(anonymous.patch(f"/events/{booked['id']}", headers=BEARER, json=whole))["data"]

    assert (booked["organizer_email"], booked["started_at"], booked["ended_at"]) == (
        "ben.carter@meridian.example",
        "2026-03-05T10:00:00-0500",
        "2026-03-05T10:45:00-0500",
    )
    assert patched["title"] == "Java booking (renamed)"
    assert (patched["start"], patched["end"], patched["organizer_id"]) == (booked["start"], booked["end"], booked["organizer_id"])
