"""The calls room displays, office dashboards and signage make, replayed as they send them.

They read a building's rooms, each room's state and its meetings of the day, on a timer. A
company-maps service pages 200 at a time until a page comes back short, picks rooms by
`behaviors`, and sends `Z` times and a Content-Type even on GET. A signage page can't set
headers: it polls with `?access_token=`. A dashboard sends date-only bounds and a slash before the
query, with an extra `auto_created=false`; another sends timestamps it built with `%z`
(`+1000`), encoded, or a .NET offset left unencoded (`+01:00` arrives as a space). A chat bot
finds its organization's locations by slug, and a display's free/busy query sends scalar
`location_ids`.
"""

from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN, RobinClient

ACCESS_TOKEN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
HUDSON = 48
"""The demo's large conference room in New York, booked by a weekly meeting on Tuesdays."""


def data(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_a_company_map_pages_until_a_short_page_and_reads_rooms_state_and_meetings(anonymous: RobinClient) -> None:
    headers = {**ACCESS_TOKEN, "Content-Type": "application/json"}
    locations = data(anonymous.get("/organizations/meridian/locations?page=1&per_page=200", headers=headers))
    spaces: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = data(anonymous.get(f"/locations/{locations[0]['id']}/spaces?page={page}&per_page=200", headers=headers))
        spaces += batch
        if len(batch) < 200:
            break
        page += 1

    rooms = [space for space in spaces if "scheduling" in space["behaviors"]]
    desk_areas = [space for space in spaces if "seats" in space["behaviors"]]
    assert rooms, "the map picks the rooms that take meetings"
    assert desk_areas, "and the areas that hold desks"
    for room in rooms[:5]:
        state = data(anonymous.get(f"/spaces/{room['id']}/state", headers=headers))
        assert state["availability"] in {"available", "booked", "in_use", "disabled"}
    meetings = data(
        anonymous.get(
            f"/spaces/{HUDSON}/events?after=2026-03-02T14:00:00Z&before=2026-03-08T14:00:00Z&page=1&per_page=200", headers=headers
        )
    )
    assert meetings
    assert all({"title", "start", "end"} <= set(meeting) for meeting in meetings)
    assert all(set(meeting["start"]) == {"date_time", "time_zone"} for meeting in meetings)
    seats = data(anonymous.get(f"/spaces/{desk_areas[0]['id']}/seats?page=1&per_page=200", headers=headers))
    assert seats
    reserved = data(
        anonymous.get(
            f"/reservations/seats?space_ids={desk_areas[0]['id']}&after=2026-03-02T00:00:00Z&before=2026-03-09T00:00:00Z"
            "&page=1&per_page=200",
            headers=headers,
        )
    )
    assert {item["seat_id"] for item in reserved} <= {seat["id"] for seat in seats}


def test_a_signage_page_polls_upcoming_meetings_with_a_token_in_the_query(anonymous: RobinClient) -> None:
    upcoming = data(anonymous.get(f"/spaces/{HUDSON}/events/upcoming?access_token={ADMIN_TOKEN}"))

    assert upcoming
    assert all(meeting["space_id"] == HUDSON for meeting in upcoming)
    assert all({"title", "started_at", "ended_at", "visibility"} <= set(meeting) for meeting in upcoming)


@pytest.mark.parametrize(
    "window",
    [
        pytest.param("events/?after=2026-03-03&before=2026-03-05&auto_created=false", id="date-only-slash-before-query"),
        pytest.param("events?after=2026-03-03T00%3A00%3A00%2B1000&before=2026-03-05T00%3A00%3A00%2B1000", id="percent-z-encoded"),
        pytest.param(
            "events?after=2026-03-03T00:00:00+01:00&before=2026-03-05T00:00:00+01:00&per_page=300", id="offset-unencoded"
        ),
    ],
)
def test_a_dashboard_reads_the_days_meetings_whatever_form_its_window_takes(anonymous: RobinClient, window: str) -> None:
    meetings = data(anonymous.get(f"/spaces/{HUDSON}/{window}", headers=ACCESS_TOKEN))

    assert [meeting["title"] for meeting in meetings] == ["Engineering weekly"]
    assert meetings[0]["invitees"]
    assert all("display_name" in invitee for invitee in meetings[0]["invitees"])


def test_a_chat_bot_lists_rooms_of_its_organization_by_slug(anonymous: RobinClient) -> None:
    locations = data(anonymous.get("/organizations/meridian/locations", headers=ACCESS_TOKEN))
    spaces = data(anonymous.get(f"/locations/{locations[0]['id']}/spaces?per_page=100", headers=ACCESS_TOKEN))

    assert {"id", "name"} <= set(locations[0])
    assert all({"id", "name", "location_id", "capacity", "type"} <= set(space) for space in spaces)


def test_a_display_asks_free_busy_for_its_location_with_scalar_parameters(anonymous: RobinClient) -> None:
    found = data(
        anonymous.get(
            "/free-busy/spaces?location_ids=10&after=2026-03-03T09%3A00%3A00-05%3A00&before=2026-03-03T10%3A00%3A00-05%3A00"
            "&duration=60&min_capacity=8&max_capacity=20&page=1&per_page=10",
            headers={**ACCESS_TOKEN, "content-type": "application/json;charset=UTF-8"},
        )
    )

    assert found
    assert all({"busy", "space", "has_presence"} <= set(entry) for entry in found)
    assert all(8 <= (entry["space"]["capacity"] or 0) <= 20 for entry in found)
