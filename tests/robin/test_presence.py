"""Presence through HTTP: sessions in spaces and locations, their expiry, and what they change."""

from typing import Any

import pytest

pytestmark = pytest.mark.wire

HEADQUARTERS = 10
"""Meridian HQ New York."""
EAST_RIVER = 49
"""A meeting room in headquarters with no booking today."""
LIBERTY = 50
"""Another meeting room in headquarters, free today until a booking made by a test."""
BENGALURU = 11
"""The organization's other location."""
BENGALURU_CAFE = 73
"""A space of the organization's other location."""
ADA, BEN, CHLOE = 1, 2, 3
"""Ada is the administrator behind the `robin` token, Ben the member behind the `member` token."""
PRESENCE_FIELDS = {
    "location_id",
    "space_id",
    "user_id",
    "device_id",
    "last_seen_at",
    "arrived_at",
    "expired_at",
    "session_ttl",
    "session_active",
    "user",
    "device",
}


def data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def error_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.text
    return {entry["field"] for entry in response.json()["meta"]["errors"]}


def seen(client: Any, path: str, status: int = 201, **sighting: Any) -> dict[str, Any]:
    """Report presence at `path` (`/spaces/:id` or `/locations/:id`) and return the session."""
    session: dict[str, Any] = data(client.post(f"{path}/presence", json=sighting), status)
    return session


def present(client: Any, path: str) -> list[tuple[int | None, int | None]]:
    """The (user_id, device_id) of every live session listed at `path`."""
    response = client.get(f"{path}/presence", params={"per_page": 100})
    return [(session["user_id"], session["device_id"]) for session in data(response)]


def ended(client: Any, path: str, **who: Any) -> Any:
    return client.request("DELETE", f"{path}/presence", json=who)


def state(client: Any, space_id: int) -> dict[str, Any]:
    found: dict[str, Any] = data(client.get(f"/spaces/{space_id}/state"))
    return found


# Reporting presence


def test_presence_in_a_space_starts_a_session_with_the_documented_fields(robin):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": BEN})

    session = data(response, 201)
    assert response.json()["meta"]["status"] == "CREATED"
    assert set(session) == PRESENCE_FIELDS
    assert session["location_id"] == HEADQUARTERS
    assert session["space_id"] == EAST_RIVER
    assert (session["user_id"], session["device_id"]) == (BEN, None)
    assert session["arrived_at"] == "2026-03-02T14:00:00+0000"
    assert session["last_seen_at"] == "2026-03-02T14:00:00+0000"
    assert session["expired_at"] == "2026-03-02T14:00:30+0000"
    assert session["session_ttl"] == 30
    assert session["session_active"] is True
    assert session["user"]["id"] == BEN
    assert session["user"]["primary_email"]["email"] == "ben.carter@meridian.example"
    assert session["device"] is None


def test_presence_of_a_device_starts_a_session_without_a_user(robin):
    session = seen(robin, f"/spaces/{EAST_RIVER}", device_id=77)

    assert (session["user_id"], session["device_id"]) == (None, 77)
    assert session["user"] is None
    assert session["expired_at"] == "2026-03-02T14:00:30+0000"


def test_presence_in_a_location_starts_a_session_without_a_space(robin):
    session = seen(robin, f"/locations/{HEADQUARTERS}", user_id=BEN, session_ttl=600)

    assert set(session) == PRESENCE_FIELDS
    assert (session["location_id"], session["space_id"]) == (HEADQUARTERS, None)
    assert session["session_ttl"] == 600
    assert session["expired_at"] == "2026-03-02T14:10:00+0000"


@pytest.mark.parametrize(("session_ttl", "expired_at"), [(1, "2026-03-02T14:00:01+0000"), (1200, "2026-03-02T14:20:00+0000")])
def test_presence_accepts_the_bounds_of_session_ttl(robin, session_ttl, expired_at):
    session = seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN, session_ttl=session_ttl)

    assert session["session_ttl"] == session_ttl
    assert session["expired_at"] == expired_at


@pytest.mark.parametrize("session_ttl", [0, -5, 1201, 1.5, "thirty", True])
@pytest.mark.parametrize("place", [f"/spaces/{EAST_RIVER}", f"/locations/{HEADQUARTERS}"])
def test_presence_refuses_a_session_ttl_outside_one_to_1200_whole_seconds(robin, place, session_ttl):
    response = robin.post(f"{place}/presence", json={"user_id": BEN, "session_ttl": session_ttl})

    assert error_fields(response) == {"session_ttl"}
    assert present(robin, place) == []


@pytest.mark.parametrize("sighting", [{}, {"session_ttl": 60}, {"user_id": BEN, "device_id": 77}])
def test_presence_needs_exactly_one_of_user_id_and_device_id(robin, sighting):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json=sighting)

    assert response.status_code == 400, response.text
    assert response.json()["meta"]["errors"][0]["field"] in {"user_id", "device_id"}
    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_presence_refuses_a_user_id_that_is_not_an_integer(robin):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": True})

    assert error_fields(response) == {"user_id"}
    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_presence_refuses_an_unknown_user(robin):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": 999999})

    assert error_fields(response) == {"user_id"}


def test_presence_refuses_a_user_of_another_organization(robin, other_organization):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": other_organization["user"]})

    assert error_fields(response) == {"user_id"}
    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_presence_of_an_unknown_space_is_not_found(robin):
    response = robin.post("/spaces/999999/presence", json={"user_id": BEN})

    assert response.status_code == 404, response.text
    assert response.json()["meta"]["message"] == "Object does not exist"


@pytest.mark.parametrize("place", ["space", "location"])
def test_presence_in_another_organization_is_forbidden(robin, other_organization, place):
    path = f"/{place}s/{other_organization[place]}/presence"

    assert robin.post(path, json={"user_id": ADA}).status_code == 403
    assert robin.get(path).status_code == 403
    assert robin.request("DELETE", path, json={"user_id": ADA}).status_code == 403


# Who may report


def test_member_may_report_their_own_presence(member):
    session = seen(member, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert session["user_id"] == BEN


def test_member_may_not_report_anyone_elses_presence(member, robin):
    response = member.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": ADA})

    assert response.status_code == 403, response.text
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_administrator_may_report_anyones_presence(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=CHLOE)

    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None), (CHLOE, None)]


def test_member_may_not_end_anyone_elses_presence(member, robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=ADA)

    response = ended(member, f"/spaces/{EAST_RIVER}", user_id=ADA)

    assert response.status_code == 403, response.text
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(ADA, None)]


# Extending and expiring


def test_presence_extends_a_live_session(robin, wall):
    first = seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=20)

    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json={"user_id": BEN, "session_ttl": 60})

    session = data(response, 200)
    assert response.json()["meta"]["status"] == "OK"
    assert session["arrived_at"] == first["arrived_at"] == "2026-03-02T14:00:00+0000"
    assert session["last_seen_at"] == "2026-03-02T14:00:20+0000"
    assert session["expired_at"] == "2026-03-02T14:01:20+0000"
    assert session["session_ttl"] == 60
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]


def test_presence_extension_keeps_a_session_alive_past_its_first_expiry(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=25)
    seen(robin, f"/spaces/{EAST_RIVER}", status=200, user_id=BEN)
    wall.advance(seconds=25)

    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]


def test_presence_extends_a_live_device_session(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", device_id=77)
    wall.advance(seconds=10)

    session = seen(robin, f"/spaces/{EAST_RIVER}", status=200, device_id=77)

    assert session["expired_at"] == "2026-03-02T14:00:40+0000"


def test_presence_after_expiry_starts_a_new_session(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=31)

    session = seen(robin, f"/spaces/{EAST_RIVER}", status=201, user_id=BEN)

    assert session["arrived_at"] == "2026-03-02T14:00:31+0000"
    assert session["expired_at"] == "2026-03-02T14:01:01+0000"
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]


def test_presence_in_another_space_is_a_separate_session(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    session = seen(robin, f"/spaces/{LIBERTY}", status=201, user_id=BEN)

    assert session["space_id"] == LIBERTY


# Listing


def test_presence_list_leaves_out_expired_sessions(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN, session_ttl=10)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=CHLOE, session_ttl=60)
    wall.advance(seconds=31)

    response = robin.get(f"/spaces/{EAST_RIVER}/presence")

    listed = data(response)
    assert [(session["user_id"], session["expired_at"]) for session in listed] == [
        (CHLOE, "2026-03-02T14:01:00+0000"),
    ]
    assert set(listed[0]) == PRESENCE_FIELDS
    assert listed[0]["session_active"] is True
    assert response.json()["paging"]["has_next_page"] is False


def test_presence_list_of_a_space_is_empty_once_every_session_expired(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=30)

    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_presence_list_of_a_location_includes_its_spaces(robin):
    seen(robin, f"/locations/{HEADQUARTERS}", user_id=ADA)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    seen(robin, f"/spaces/{LIBERTY}", device_id=77)
    seen(robin, f"/spaces/{BENGALURU_CAFE}", user_id=CHLOE)

    listed = data(robin.get(f"/locations/{HEADQUARTERS}/presence", params={"per_page": 100}))

    assert sorted((session["space_id"] or 0, session["user_id"], session["device_id"]) for session in listed) == [
        (0, ADA, None),
        (EAST_RIVER, BEN, None),
        (LIBERTY, None, 77),
    ]
    assert {session["location_id"] for session in listed} == {HEADQUARTERS}


def test_presence_list_of_a_space_leaves_out_location_sessions(robin):
    seen(robin, f"/locations/{HEADQUARTERS}", user_id=ADA)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]
    assert present(robin, f"/spaces/{LIBERTY}") == []


def test_presence_list_pages(robin):
    for user_id in (ADA, BEN, CHLOE):
        seen(robin, f"/spaces/{EAST_RIVER}", user_id=user_id)

    first = robin.get(f"/spaces/{EAST_RIVER}/presence", params={"per_page": 2})
    second = robin.get(f"/spaces/{EAST_RIVER}/presence", params={"per_page": 2, "page": 2})

    assert first.status_code == 200, first.text
    assert first.json()["paging"] == {"page": 1, "per_page": 2, "has_next_page": True}
    assert second.status_code == 200, second.text
    assert second.json()["paging"]["has_next_page"] is False
    users = [session["user_id"] for session in first.json()["data"] + second.json()["data"]]
    assert sorted(users) == [ADA, BEN, CHLOE]


def test_member_may_list_presence(robin, member):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=CHLOE)

    assert present(member, f"/spaces/{EAST_RIVER}") == [(CHLOE, None)]


# Ending


@pytest.mark.parametrize("place", [f"/spaces/{EAST_RIVER}", f"/locations/{HEADQUARTERS}"])
def test_ending_presence_removes_the_session_from_the_list(robin, place):
    seen(robin, place, user_id=BEN)
    seen(robin, place, user_id=CHLOE)

    response = ended(robin, place, user_id=BEN)

    assert data(response) == {}
    assert present(robin, place) == [(CHLOE, None)]


def test_ending_presence_of_a_device(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", device_id=77)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    response = ended(robin, f"/spaces/{EAST_RIVER}", device_id=77)

    assert data(response) == {}
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]


def test_ending_presence_then_seeing_the_person_again_starts_a_new_session(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=5)
    assert ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN).status_code == 200

    session = seen(robin, f"/spaces/{EAST_RIVER}", status=201, user_id=BEN)

    assert session["arrived_at"] == "2026-03-02T14:00:05+0000"


def test_member_may_end_their_own_presence(member):
    seen(member, f"/spaces/{EAST_RIVER}", user_id=BEN)

    response = ended(member, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert data(response) == {}
    assert present(member, f"/spaces/{EAST_RIVER}") == []


def test_ending_presence_of_someone_not_present_is_not_found(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=CHLOE)

    response = ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert response.status_code == 404, response.text
    assert response.json()["meta"]["message"] == "Object does not exist"
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(CHLOE, None)]


def test_ending_an_expired_session_is_not_found(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=31)

    response = ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert response.status_code == 404, response.text


def test_ending_presence_twice_is_not_found_the_second_time(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    assert ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN).status_code == 200

    response = ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert response.status_code == 404, response.text


@pytest.mark.parametrize("who", [{}, {"user_id": BEN, "device_id": 77}])
def test_ending_presence_needs_exactly_one_of_user_id_and_device_id(robin, who):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    response = ended(robin, f"/spaces/{EAST_RIVER}", **who)

    assert response.status_code == 400, response.text
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]


# Space state, free/busy and the space itself


def test_space_state_counts_people_and_devices_present(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=CHLOE)
    seen(robin, f"/spaces/{EAST_RIVER}", device_id=77)
    seen(robin, f"/spaces/{LIBERTY}", user_id=ADA)
    seen(robin, f"/locations/{HEADQUARTERS}", device_id=78)

    found = state(robin, EAST_RIVER)

    assert found["present"] == 3
    assert found["availability"] == "in_use"


def test_space_state_counts_a_person_seen_twice_once(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=10)
    seen(robin, f"/spaces/{EAST_RIVER}", status=200, user_id=BEN)

    assert state(robin, EAST_RIVER)["present"] == 1


def test_space_state_is_available_again_once_presence_expires(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    assert state(robin, EAST_RIVER)["availability"] == "in_use"
    wall.advance(seconds=31)

    found = state(robin, EAST_RIVER)

    assert found["availability"] == "available"
    assert found["present"] == 0


def test_space_state_is_available_again_once_presence_ends(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    found = state(robin, EAST_RIVER)

    assert (found["availability"], found["present"]) == ("available", 0)


def test_space_state_of_a_booked_space_is_in_use_while_someone_is_present(robin, wall):
    booking = robin.post(
        f"/spaces/{LIBERTY}/events",
        json={
            "title": "Stand-up",
            "start": {"date_time": "2026-03-02T09:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T10:00:00", "time_zone": "America/New_York"},
        },
    )
    assert booking.status_code == 201, booking.text
    assert state(robin, LIBERTY)["availability"] == "booked"
    seen(robin, f"/spaces/{LIBERTY}", user_id=BEN)

    assert state(robin, LIBERTY)["availability"] == "in_use"
    wall.advance(seconds=31)
    assert state(robin, LIBERTY)["availability"] == "booked"


def free_busy_of(client: Any, space_id: int) -> dict[str, Any]:
    response = client.post(
        "/free-busy/spaces",
        json={
            "scope": {"space_ids": [space_id]},
            "view_options": {"bounds": {"from": "2026-03-02T14:00:00Z", "to": "2026-03-02T15:00:00Z"}},
        },
    )
    [result] = data(response)
    found: dict[str, Any] = result
    return found


def test_free_busy_has_presence_while_someone_is_present(robin, wall):
    assert free_busy_of(robin, EAST_RIVER)["has_presence"] is False
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert free_busy_of(robin, EAST_RIVER)["has_presence"] is True
    assert free_busy_of(robin, LIBERTY)["has_presence"] is False
    wall.advance(seconds=31)
    assert free_busy_of(robin, EAST_RIVER)["has_presence"] is False


def test_free_busy_has_no_presence_for_a_location_session(robin):
    seen(robin, f"/locations/{HEADQUARTERS}", user_id=BEN)

    assert free_busy_of(robin, EAST_RIVER)["has_presence"] is False


def test_presence_sets_the_space_last_presence_at(robin, wall):
    assert data(robin.get(f"/spaces/{EAST_RIVER}"))["last_presence_at"] is None
    wall.advance(seconds=7)

    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)

    assert data(robin.get(f"/spaces/{EAST_RIVER}"))["last_presence_at"] == "2026-03-02T14:00:07+0000"
    assert data(robin.get(f"/spaces/{LIBERTY}"))["last_presence_at"] is None


def test_presence_extension_moves_the_space_last_presence_at(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    wall.advance(seconds=12)
    seen(robin, f"/spaces/{EAST_RIVER}", status=200, user_id=BEN)

    assert data(robin.get(f"/spaces/{EAST_RIVER}"))["last_presence_at"] == "2026-03-02T14:00:12+0000"


# A person's presence


def sessions_of(client: Any, path: str, **params: Any) -> list[tuple[int | None, int | None]]:
    """The (location_id, space_id) of every session listed at `path` (`/users/:id` or `/me`)."""
    response = client.get(f"{path}/presence", params={"per_page": 100, **params})
    return [(session["location_id"], session["space_id"]) for session in data(response)]


def test_user_presence_lists_their_live_sessions_wherever_they_are(robin, wall):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN, session_ttl=60)
    wall.advance(seconds=5)
    seen(robin, f"/locations/{HEADQUARTERS}", user_id=BEN, session_ttl=600)
    seen(robin, f"/spaces/{BENGALURU_CAFE}", user_id=BEN, session_ttl=600)
    seen(robin, f"/spaces/{LIBERTY}", user_id=CHLOE, session_ttl=600)
    seen(robin, f"/spaces/{LIBERTY}", device_id=77, session_ttl=600)

    response = robin.get(f"/users/{BEN}/presence")

    sessions = data(response)
    assert [(session["location_id"], session["space_id"]) for session in sessions] == [
        (HEADQUARTERS, EAST_RIVER),
        (HEADQUARTERS, None),
        (BENGALURU, BENGALURU_CAFE),
    ]
    assert all(set(session) == PRESENCE_FIELDS for session in sessions)
    assert {session["user"]["id"] for session in sessions} == {BEN}
    assert response.json()["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}
    for key in ("ben-carter", "ben.carter@meridian.example", "Ben.Carter@Meridian.example"):
        assert sessions_of(robin, f"/users/{key}") == sessions_of(robin, f"/users/{BEN}")
    wall.advance(seconds=56)  # East River's session has expired.
    assert sessions_of(robin, f"/users/{BEN}") == [(HEADQUARTERS, None), (BENGALURU, BENGALURU_CAFE)]
    assert sessions_of(robin, f"/users/{BEN}", per_page=1, page=2) == [(BENGALURU, BENGALURU_CAFE)]
    assert sessions_of(robin, f"/users/{ADA}") == []


def test_user_presence_leaves_out_ended_sessions(robin):
    seen(robin, f"/spaces/{EAST_RIVER}", user_id=BEN)
    seen(robin, f"/spaces/{LIBERTY}", user_id=BEN)
    assert ended(robin, f"/spaces/{EAST_RIVER}", user_id=BEN).status_code == 200

    assert sessions_of(robin, f"/users/{BEN}") == [(HEADQUARTERS, LIBERTY)]


def test_my_presence_is_the_callers(member, robin):
    seen(member, f"/spaces/{EAST_RIVER}", user_id=BEN)
    seen(robin, f"/spaces/{LIBERTY}", user_id=ADA)

    assert sessions_of(member, "/me") == [(HEADQUARTERS, EAST_RIVER)]
    assert sessions_of(robin, "/me") == [(HEADQUARTERS, LIBERTY)]
    assert sessions_of(member, f"/users/{ADA}") == [(HEADQUARTERS, LIBERTY)]


def test_user_presence_of_an_unknown_or_foreign_user(robin, other_organization):
    assert robin.get("/users/999999/presence").status_code == 404
    assert robin.get("/users/nobody-here/presence").status_code == 404
    assert robin.get("/users/nobody@meridian.example/presence").status_code == 404
    assert robin.get(f"/users/{other_organization['user']}/presence").status_code == 403
    assert robin.get("/users/admin@elsewhere.example/presence").status_code == 403
    assert robin.get("/users/other-admin/presence").status_code == 404
    assert robin.get("/users/1/presence", params={"per_page": 0}).status_code == 400


def test_user_presence_needs_a_token(anonymous):
    assert anonymous.get(f"/users/{BEN}/presence").status_code == 401
    assert anonymous.get("/me/presence").status_code == 401


# user_ref, as Robin's Java SDK names the person


@pytest.mark.parametrize("place", [f"/spaces/{EAST_RIVER}", f"/locations/{HEADQUARTERS}"])
def test_presence_takes_user_ref_by_id_or_slug(robin, place):
    first = robin.post(f"{place}/presence", json={"user_ref": BEN, "device_id": None, "session_ttl": 30})
    again = robin.post(f"{place}/presence", json={"user_ref": "ben-carter", "device_id": None, "session_ttl": 60})
    by_digits = robin.post(f"{place}/presence", json={"user_ref": str(CHLOE), "device_id": None, "session_ttl": 30})

    assert data(first, 201)["user_id"] == BEN
    assert data(again, 200)["session_ttl"] == 60
    assert data(by_digits, 201)["user_id"] == CHLOE
    assert present(robin, place) == [(BEN, None), (CHLOE, None)]
    assert data(ended(robin, place, user_ref="ben-carter", device_id=None)) == {}
    assert present(robin, place) == [(CHLOE, None)]


@pytest.mark.parametrize(
    "sighting",
    [
        {"user_ref": "nobody-here"},
        {"user_ref": 999999},
        {"user_ref": ""},
        {"user_ref": True},
        {"user_ref": 2.5},
        {"user_ref": ["ben-carter"]},
        {"user_ref": "other-admin"},
        {"user_ref": "ben-carter", "user_id": BEN},
        {"user_ref": "ben-carter", "device_id": 77},
    ],
)
def test_presence_refuses_a_user_ref_naming_nobody_here(robin, other_organization, sighting):
    response = robin.post(f"/spaces/{EAST_RIVER}/presence", json=sighting)

    assert error_fields(response) == {"user_ref"}
    assert present(robin, f"/spaces/{EAST_RIVER}") == []


def test_member_may_name_only_themselves_by_user_ref(member, robin):
    refused = member.post(f"/spaces/{EAST_RIVER}/presence", json={"user_ref": "ada-okafor"})
    own = member.post(f"/spaces/{EAST_RIVER}/presence", json={"user_ref": "ben-carter"})

    assert refused.status_code == 403, refused.text
    assert data(own, 201)["user_id"] == BEN
    assert present(robin, f"/spaces/{EAST_RIVER}") == [(BEN, None)]
