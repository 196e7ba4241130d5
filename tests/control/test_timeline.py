"""The dashboard's views through the control plane: the workplace tree, and a building's day with
the bookings of both APIs, their ids and their statuses on the organization's clock.

NOW is Monday 2 March 2026, 14:00 UTC: 09:00 in New York (UTC-5 until 8 March), 19:30 in
Bengaluru (UTC+5:30). The demo store holds, among others: A-01 (seat 1001) for Diego, today
14:00-22:00 UTC, released after 60 minutes unconfirmed; Engineering weekly in Hudson (space 48),
Tuesdays 10:00-11:00 New York time from 3 March.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_CLIENT, KadenceClient, RobinClient
from tests.kadence.lookups import user_id
from tests.kadence.test_bookings import BEN, booked, done

TIMELINE = "/_sandbox/timeline"
NEW_YORK, BENGALURU = 10, 11
HUDSON, LIBERTY, FOCUS_ROOM, CUBBON, LALBAGH = 48, 50, 57, 70, 71
A_01, A_04 = 1001, 1004
ADA = "ada.okafor@meridian.example"
DIEGO = "diego.alvarez@meridian.example"


def day_view(client: TestClient, building: int, day: str | None = None) -> dict[str, Any]:
    response = client.get(TIMELINE, params={"building_id": building, **({"day": day} if day else {})})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def bookings_of(view: dict[str, Any], space: int) -> list[dict[str, Any]]:
    return next(item["bookings"] for item in view["spaces"] if item["id"] == space)  # type: ignore[no-any-return]  # decoded JSON


def only_booking(client: TestClient, building: int, day: str, space: int) -> dict[str, Any]:
    found = bookings_of(day_view(client, building, day), space)
    assert len(found) == 1, found
    return found[0]


def kadence_booking(kadence: KadenceClient, shown: dict[str, Any]) -> dict[str, Any]:
    """The booking the Kadence API gives for the timeline's `shown`."""
    response = kadence.get(f"/bookings/{shown['kadence_id']}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def event(robin: RobinClient, space: int, start: str, end: str, time_zone: str = "America/New_York", **fields: Any) -> str:
    """Book `space` through Robin from `start` to `end` (UTC); the id Robin gives the event."""
    response = robin.post(
        f"/spaces/{space}/events",
        json={
            "start": {"date_time": start, "time_zone": time_zone},
            "end": {"date_time": end, "time_zone": time_zone},
            **fields,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def advance(client: TestClient, by: str) -> None:
    response = client.post("/_sandbox/organizations/1/clock/advance", json={"by": by})
    assert response.status_code == 200, response.text


def test_workplace_lists_each_organization_with_its_clock_buildings_and_floors(client):
    response = client.get("/_sandbox/workplace")

    assert response.status_code == 200
    [organization] = response.json()["organizations"]
    assert (organization["id"], organization["slug"], organization["name"]) == (1, "meridian", "Meridian Robotics")
    assert organization["clock"] == client.get("/_sandbox/organizations").json()[0]["clock"]
    assert [
        (
            building["id"],
            building["name"],
            building["time_zone"],
            [(row["id"], row["name"], row["level_number"]) for row in building["floors"]],
        )
        for building in organization["buildings"]
    ] == [
        (BENGALURU, "Meridian Bengaluru", "Asia/Kolkata", [(201, "Ground Floor", 0), (202, "Floor 1", 1)]),
        (NEW_YORK, "Meridian HQ New York", "America/New_York", [(101, "Floor 1", 1), (102, "Floor 2", 2), (103, "Floor 3", 3)]),
    ]


def test_workplace_gives_the_ulids_kadence_knows(client, kadence):
    [organization] = client.get("/_sandbox/workplace").json()["organizations"]
    new_york = next(building for building in organization["buildings"] if building["id"] == NEW_YORK)

    assert kadence.get(f"/buildings/{new_york['ulid']}").json()["name"] == "Meridian HQ New York"
    assert kadence.get(f"/floors/{new_york['floors'][1]['ulid']}").json()["name"] == "Floor 2"


def test_timeline_lists_every_room_and_desk_by_floor_then_name(client):
    view = day_view(client, BENGALURU, "2026-03-02")

    assert [(space["floor"]["name"], space["name"], space["kind"]) for space in view["spaces"]] == [
        ("Ground Floor", "Cafe", "room"),
        ("Ground Floor", "Call Pod G1", "room"),
        ("Ground Floor", "Cubbon", "room"),
        ("Ground Floor", "Lalbagh", "room"),
        ("Floor 1", "Desk Bay", "room"),
        ("Floor 1", "Drop-in Room", "room"),
        *(("Floor 1", f"N-0{number}", "desk") for number in range(1, 7)),
        ("Floor 1", "Nandi", "room"),
        *(("Floor 1", f"S-0{number}", "desk") for number in range(1, 5)),
        ("Floor 1", "Study Nook", "room"),
    ]
    assert view["spaces"][2] == {
        "id": CUBBON,
        "ulid": view["spaces"][2]["ulid"],
        "name": "Cubbon",
        "kind": "room",
        "type": "conference",
        "floor": {"id": 201, "name": "Ground Floor"},
        "bookings": [],
    }


def test_a_robin_event_shows_on_its_day_with_the_id_robin_gave_it(client, robin, kadence):
    robin_id = event(robin, LIBERTY, "2026-03-02T16:00:00Z", "2026-03-02T17:00:00Z", title="Vendor sync")

    shown = only_booking(client, NEW_YORK, "2026-03-02", LIBERTY)

    assert shown == {
        "robin_id": robin_id,
        "kadence_id": shown["kadence_id"],
        "kind": "event",
        "title": "Vendor sync",
        "organizer": ADA,
        "start": "2026-03-02T16:00:00Z",
        "end": "2026-03-02T17:00:00Z",
        "status": "booked",
        "checked_in": False,
        "checked_out": False,
    }
    as_kadence_sees_it = kadence_booking(kadence, shown)
    assert (as_kadence_sees_it["startDate"], as_kadence_sees_it["status"]) == ("2026-03-02T16:00:00+00:00", "booked")
    assert bookings_of(day_view(client, NEW_YORK, "2026-03-03"), LIBERTY) == []


def test_a_kadence_desk_booking_shows_with_its_kadence_id_and_status(client, robin, kadence):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="A-04")

    shown = only_booking(client, NEW_YORK, "2026-03-02", A_04)

    assert (shown["kadence_id"], shown["kind"], shown["organizer"], shown["status"]) == (booking["id"], "seat", BEN, "booked")
    assert (shown["start"], shown["end"]) == ("2026-03-02T15:00:00Z", "2026-03-02T18:00:00Z")
    as_robin_sees_it = robin.get(f"/reservations/seats/{shown['robin_id']}")
    assert as_robin_sees_it.status_code == 200
    assert as_robin_sees_it.json()["data"]["seat_id"] == A_04


def test_kadence_check_in_and_check_out_change_the_status(client, kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-04")
    ben = user_id(kadence, BEN)

    done(kadence, booking, "check-in", userId=ben, method="wifi")
    checked_in = only_booking(client, NEW_YORK, "2026-03-02", A_04)
    done(kadence, booking, "check-out", userId=ben)
    checked_out = only_booking(client, NEW_YORK, "2026-03-02", A_04)

    assert (checked_in["status"], checked_in["checked_in"], checked_in["checked_out"]) == ("checkedIn", True, False)
    assert (checked_out["status"], checked_out["checked_in"], checked_out["checked_out"]) == ("checkedOut", True, True)


def test_a_robin_confirmation_checks_the_booking_in(client, robin):
    before = only_booking(client, NEW_YORK, "2026-03-02", A_01)

    response = robin.put(f"/reservations/seats/{before['robin_id']}/confirmation", json={})
    after = only_booking(client, NEW_YORK, "2026-03-02", A_01)

    assert response.status_code == 200, response.text
    assert (before["organizer"], before["status"], before["checked_in"]) == (DIEGO, "booked", False)
    assert (after["status"], after["checked_in"]) == ("checkedIn", True)


def test_an_unconfirmed_booking_reads_released_once_the_clock_passes_its_window(client):
    before = only_booking(client, NEW_YORK, "2026-03-02", A_01)

    advance(client, "PT61M")
    after = only_booking(client, NEW_YORK, "2026-03-02", A_01)

    assert before["status"] == "booked"
    assert (after["kadence_id"], after["status"]) == (before["kadence_id"], "noCheckIn")
    assert kadence_booking(KadenceClient(client, DEMO_CLIENT), after)["status"] == "noCheckIn"


def test_a_booking_reads_completed_once_the_clock_passes_its_end(client, robin):
    event(robin, FOCUS_ROOM, "2026-03-02T14:00:00Z", "2026-03-02T14:30:00Z", title="Quick sync")

    advance(client, "PT29M")
    under_way = only_booking(client, NEW_YORK, "2026-03-02", FOCUS_ROOM)
    advance(client, "PT1M")
    ended = only_booking(client, NEW_YORK, "2026-03-02", FOCUS_ROOM)

    assert (under_way["status"], ended["status"]) == ("booked", "completed")


def test_an_occurrence_of_a_demo_series_shows_on_its_day_with_its_instance_id(client, robin, kadence):
    listed = robin.get(f"/spaces/{HUDSON}/events", params={"after": "2026-03-10T00:00:00Z", "before": "2026-03-11T00:00:00Z"})
    [instance] = listed.json()["data"]

    shown = only_booking(client, NEW_YORK, "2026-03-10", HUDSON)

    # 10:00 in New York: 14:00 UTC once daylight time has begun (8 March), 15:00 before.
    assert instance["id"].endswith("_20260310T140000Z")
    assert (shown["robin_id"], shown["title"], shown["start"], shown["status"]) == (
        instance["id"],
        "Engineering weekly",
        "2026-03-10T14:00:00Z",
        "booked",
    )
    assert kadence_booking(kadence, shown)["startDate"] == "2026-03-10T14:00:00+00:00"


def test_a_cancelled_occurrence_stays_with_its_status(client, robin, kadence):
    instance = only_booking(client, NEW_YORK, "2026-03-17", HUDSON)

    response = robin.delete(f"/events/{instance['robin_id']}")
    cancelled = only_booking(client, NEW_YORK, "2026-03-17", HUDSON)

    assert response.status_code == 200, response.text
    assert (cancelled["robin_id"], cancelled["status"]) == (instance["robin_id"], "cancelled")
    assert kadence_booking(kadence, cancelled)["status"] == "cancelled"
    assert only_booking(client, NEW_YORK, "2026-03-24", HUDSON)["status"] == "booked"


def test_the_day_defaults_to_today_on_the_organization_clock_in_the_building_zone(client):
    advance(client, "PT12H")

    new_york, bengaluru = day_view(client, NEW_YORK), day_view(client, BENGALURU)

    # The clock reads 2 March 21:00 in New York and 3 March 07:30 in Bengaluru.
    assert new_york["now"] == bengaluru["now"] == "2026-03-03T02:00:00Z"
    assert (new_york["day"], new_york["start"]) == ("2026-03-02", "2026-03-02T05:00:00Z")
    assert (bengaluru["day"], bengaluru["start"]) == ("2026-03-03", "2026-03-02T18:30:00Z")


@pytest.mark.parametrize(
    ("building", "day", "start", "end"),
    [
        (NEW_YORK, "2026-03-02", "2026-03-02T05:00:00Z", "2026-03-03T05:00:00Z"),
        (NEW_YORK, "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"),
        (BENGALURU, "2026-03-02", "2026-03-01T18:30:00Z", "2026-03-02T18:30:00Z"),
        (BENGALURU, "2026-03-08", "2026-03-07T18:30:00Z", "2026-03-08T18:30:00Z"),
    ],
)
def test_the_day_runs_from_midnight_to_midnight_in_the_building_zone(client, building, day, start, end):
    view = day_view(client, building, day)

    assert (view["building"]["id"], view["organization_id"], view["day"]) == (building, 1, day)
    assert (view["start"], view["end"]) == (start, end)


def test_a_booking_shows_on_each_local_day_it_overlaps(client, robin):
    kolkata = "Asia/Kolkata"
    before_midnight = event(robin, CUBBON, "2026-03-02T18:00:00Z", "2026-03-02T18:30:00Z", kolkata, title="Late call")
    after_midnight = event(robin, CUBBON, "2026-03-02T18:30:00Z", "2026-03-02T19:00:00Z", kolkata, title="Early call")
    overnight = event(robin, LALBAGH, "2026-03-02T18:00:00Z", "2026-03-02T19:00:00Z", kolkata, title="Overnight call")

    monday, tuesday = day_view(client, BENGALURU, "2026-03-02"), day_view(client, BENGALURU, "2026-03-03")

    assert [item["robin_id"] for item in bookings_of(monday, CUBBON)] == [before_midnight]
    assert next(item["robin_id"] for item in bookings_of(tuesday, CUBBON)) == after_midnight
    assert before_midnight not in [item["robin_id"] for item in bookings_of(tuesday, CUBBON)]
    assert [item["robin_id"] for item in bookings_of(monday, LALBAGH)] == [overnight]
    assert [item["robin_id"] for item in bookings_of(tuesday, LALBAGH)] == [overnight]


@pytest.mark.parametrize("building", ["999", str(2**40)])
def test_an_unknown_building_is_not_found(client, building):
    response = client.get(TIMELINE, params={"building_id": building})

    assert response.status_code == 404
    assert response.json() == {"error": f"no building {building}: GET /_sandbox/workplace lists them"}


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "2026-3-2", "0001-01-01", "9999-12-31"])
def test_a_bad_day_is_refused(client, day):
    response = client.get(TIMELINE, params={"building_id": NEW_YORK, "day": day})

    assert response.status_code == 422
    body = response.json()
    assert [problem["field"] for problem in body["problems"]] == ["day"]
    assert body["error"].startswith("day: ")
