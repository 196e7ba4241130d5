"""Automatic release: abandoned-meeting protection on rooms and check-in windows on desks.

Hudson (space 48) releases an event nobody confirmed within 10 minutes of its start; desks
A-01 … A-06 (seats 1001-1006) release a reservation after 60 minutes.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import NOW

NEW_YORK = "America/New_York"
TODAY = {"after": "2026-03-02T00:00:00Z", "before": "2026-03-03T00:00:00Z", "per_page": 100}


def moment(date_time: str) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": NEW_YORK}


def book_hudson(robin: Any, start: str, end: str) -> Any:
    return robin.post("/spaces/48/events", json={"title": "Protected", "start": moment(start), "end": moment(end)})


def reserve_desk(robin: Any, seat_id: int, start: str, end: str, email: str = "ada.okafor@meridian.example") -> Any:
    body = {"type": "hoteled", "start": moment(start), "end": moment(end), "reservee": {"email": email}}
    return robin.post(f"/seats/{seat_id}/reservations", json=body)


def listed_ids(robin: Any, path: str, **params: Any) -> list[str]:
    response = robin.get(path, params={**TODAY, **params})
    assert response.status_code == 200
    return [item["id"] for item in response.json()["data"]]


def test_unconfirmed_event_is_released_when_its_protection_window_ends(robin, wall):
    event = book_hudson(robin, "2026-03-02T11:00:00", "2026-03-02T12:00:00").json()["data"]
    wall.now = datetime(2026, 3, 2, 16, 9, 59, tzinfo=UTC)  # 11:09:59 New York

    assert event["id"] in listed_ids(robin, "/spaces/48/events")
    assert robin.get("/spaces/48/state").json()["data"]["availability"] == "booked"

    wall.advance(seconds=1)

    assert event["id"] not in listed_ids(robin, "/spaces/48/events")
    assert robin.get(f"/events/{event['id']}").json()["data"]["status"] == "cancelled"
    assert robin.get("/spaces/48/state").json()["data"]["availability"] == "available"
    assert book_hudson(robin, "2026-03-02T11:15:00", "2026-03-02T12:00:00").status_code == 201


def test_released_event_can_no_longer_be_confirmed(robin, wall):
    event = book_hudson(robin, "2026-03-02T11:00:00", "2026-03-02T12:00:00").json()["data"]
    wall.now = datetime(2026, 3, 2, 16, 10, tzinfo=UTC)

    response = robin.put(f"/events/{event['id']}/confirmation", json={})

    assert response.status_code == 400
    assert response.json()["meta"]["errors"][0]["reason"] == "too_late_to_confirm_event"


def test_confirmed_event_is_never_released(robin, wall):
    event = book_hudson(robin, "2026-03-02T11:00:00", "2026-03-02T12:00:00").json()["data"]
    wall.now = datetime(2026, 3, 2, 16, 5, tzinfo=UTC)
    assert robin.put(f"/events/{event['id']}/confirmation", json={}).status_code == 200
    wall.now = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)

    assert event["id"] in listed_ids(robin, "/spaces/48/events")
    assert robin.get(f"/events/{event['id']}").json()["data"]["status"] == "confirmed"
    assert book_hudson(robin, "2026-03-02T11:15:00", "2026-03-02T12:00:00").status_code == 409


def test_event_booked_after_its_release_time_is_not_released(robin):
    # Booked at 09:00 for 07:00-08:00: the window closed before the booking existed.
    event = book_hudson(robin, "2026-03-02T07:00:00", "2026-03-02T08:00:00").json()["data"]

    assert event["id"] in listed_ids(robin, "/spaces/48/events")
    assert book_hudson(robin, "2026-03-02T07:30:00", "2026-03-02T08:30:00").status_code == 409


def test_each_instance_of_a_series_is_released_on_its_own(robin, wall):
    body = {
        "title": "Daily",
        "start": moment("2026-03-02T11:00:00"),
        "end": moment("2026-03-02T11:30:00"),
        "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
    }
    series = robin.post("/spaces/48/events", json=body).json()["data"]
    second = f"{series['id']}_20260303T160000Z"
    wall.now = datetime(2026, 3, 3, 16, 5, tzinfo=UTC)
    assert robin.put(f"/events/{second}/confirmation", json={}).status_code == 200
    wall.now = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)

    listed = listed_ids(robin, "/spaces/48/events", after="2026-03-02T00:00:00Z", before="2026-03-05T00:00:00Z")

    assert listed == [second]
    assert robin.get(f"/events/{series['id']}_20260302T160000Z").json()["data"]["status"] == "cancelled"
    assert robin.get(f"/events/{series['id']}_20260304T160000Z").json()["data"]["status"] == "cancelled"


def test_free_busy_no_longer_shows_a_released_event_as_busy(robin, wall):
    book_hudson(robin, "2026-03-02T11:00:00", "2026-03-02T12:00:00")
    body = {
        "scope": {"space_ids": [48]},
        "view_options": {"bounds": {"from": "2026-03-02T16:00:00Z", "to": "2026-03-02T17:00:00Z"}},
    }
    assert robin.post("/free-busy/spaces", json=body).json()["data"][0]["busy"] != []

    wall.now = datetime(2026, 3, 2, 16, 10, tzinfo=UTC)

    assert robin.post("/free-busy/spaces", json=body).json()["data"][0]["busy"] == []


def test_unconfirmed_seat_reservation_is_released_after_its_check_in_window(robin, wall):
    held = reserve_desk(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T17:00:00").json()["data"]
    wall.now = NOW + timedelta(hours=1, minutes=59)  # 10:59 New York

    assert robin.get(f"/reservations/seats/{held['id']}").status_code == 200

    wall.advance(minutes=1)

    assert robin.get(f"/reservations/seats/{held['id']}").status_code == 404
    assert held["id"] not in listed_ids(robin, "/reservations/seats", seat_ids=1003)
    confirm = robin.put(f"/reservations/seats/{held['id']}/confirmation", json={})
    assert confirm.status_code == 400
    assert confirm.json()["meta"]["errors"][0]["reason"] == "too_late_to_confirm_event"
    retaken = reserve_desk(robin, 1003, "2026-03-02T11:00:00", "2026-03-02T17:00:00", "ben.carter@meridian.example")
    assert retaken.status_code == 200


def test_released_seat_reservation_frees_its_holder_for_another_desk(robin, wall):
    reserve_desk(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T17:00:00")
    wall.now = NOW + timedelta(hours=2)

    assert reserve_desk(robin, 1004, "2026-03-02T11:00:00", "2026-03-02T17:00:00").status_code == 200


def test_confirmed_seat_reservation_keeps_its_desk(robin, wall):
    held = reserve_desk(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T17:00:00").json()["data"]
    wall.now = NOW + timedelta(hours=1, minutes=30)
    assert robin.put(f"/reservations/seats/{held['id']}/confirmation", json={}).status_code == 200
    wall.now = NOW + timedelta(hours=3)

    assert robin.get(f"/reservations/seats/{held['id']}").status_code == 200
    taken = reserve_desk(robin, 1003, "2026-03-02T12:00:00", "2026-03-02T17:00:00", "ben.carter@meridian.example")
    assert taken.status_code == 409


def test_desk_without_a_check_in_window_is_never_released(robin, wall):
    # Seat 2009 (Bengaluru) has no check-in window.
    body = {
        "type": "hoteled",
        "start": {"date_time": "2026-03-03T10:00:00", "time_zone": "Asia/Kolkata"},
        "end": {"date_time": "2026-03-03T18:00:00", "time_zone": "Asia/Kolkata"},
    }
    held = robin.post("/seats/2009/reservations", json=body).json()["data"]
    wall.now = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata

    assert robin.get(f"/reservations/seats/{held['id']}").status_code == 200
