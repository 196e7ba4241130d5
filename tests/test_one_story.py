"""One booking, one story: what happened to an occurrence reads the same through Robin and
Kadence, whichever of them changed it, and a later change does not rewrite an earlier one."""

from datetime import datetime
from typing import Any

from sandbox.kadence.ids import occurrence_ulid
from tests.conftest import NOW, KadenceClient, RobinClient

QUEENS, FOCUS_ROOM, DESK_A03 = 56, 57, 1003
"""Queens releases an unconfirmed booking after 10 minutes, the Focus Room never; desk A-03 after 60."""
TWO_DAYS = ["RRULE:FREQ=DAILY;COUNT=2"]


def robin_moment(text: str) -> dict[str, str]:
    return {"date_time": text, "time_zone": "America/New_York"}


def series(robin: RobinClient, space: int, start: str, end: str) -> dict[str, Any]:
    body = {"title": "Daily", "start": robin_moment(start), "end": robin_moment(end), "recurrence": TWO_DAYS}
    response = robin.post(f"/spaces/{space}/events", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]  # decoded JSON


def first_instance(created: dict[str, Any]) -> str:
    """The Kadence id of a series' first occurrence."""
    return occurrence_ulid(int(created["id"]), datetime.fromisoformat(created["start"]["date_time"].replace("Z", "+00:00")))


def person(kadence: KadenceClient, email: str) -> str:
    (user,) = kadence.members("/users", email=email)
    return user["id"]  # type: ignore[no-any-return]  # decoded JSON


def test_a_series_cancelled_whole_keeps_an_occurrence_cancelled_before_by_someone_else(robin, member, kadence, wall) -> None:
    created = series(member, FOCUS_ROOM, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z")
    ben = person(kadence, "ben.carter@meridian.example")
    first = first_instance(created)
    assert kadence.post(f"/bookings/{first}/cancel", json={"userId": ben}).status_code == 201
    wall.advance(minutes=5)

    assert robin.delete(f"/events/{created['id']}").status_code == 200

    booking = kadence.get(f"/bookings/{first}").json()
    assert (booking["status"], booking["cancellationReason"]) == ("cancelled", "byUser")
    assert booking["cancelledUserId"] == f"/v1/public/users/{ben}"
    assert datetime.fromisoformat(booking["cancelledDate"]) == NOW


def test_a_series_cancelled_whole_keeps_an_occurrence_released_before(robin, kadence, wall) -> None:
    created = series(robin, QUEENS, "2026-03-02T13:55:00Z", "2026-03-02T14:25:00Z")
    first = first_instance(created)
    wall.advance(minutes=10)  # Queens' window has passed: the first occurrence is released.

    assert robin.delete(f"/events/{created['id']}").status_code == 200

    booking = kadence.get(f"/bookings/{first}").json()
    assert (booking["status"], booking["cancellationReason"]) == ("noCheckIn", "autoSpaceRelease")
    assert booking.get("cancelledUserId") is None


def test_a_cancelled_seat_reservation_is_gone_for_a_confirmation_after_its_release_time(robin, wall) -> None:
    body = {"start": robin_moment("2026-03-02T14:00:00Z"), "end": robin_moment("2026-03-02T16:00:00Z"), "type": "hoteled"}
    made = robin.post(f"/seats/{DESK_A03}/reservations", json={**body, "reservee": {"user_id": 1}})
    assert made.status_code == 200, made.text
    reservation = made.json()["data"]["id"]
    assert robin.delete(f"/reservations/seats/{reservation}").status_code == 200
    wall.advance(minutes=61)

    assert robin.put(f"/reservations/seats/{reservation}/confirmation").status_code == 404
    assert robin.get(f"/reservations/seats/{reservation}").status_code == 404


def test_a_released_event_is_not_taken_back_by_a_change(robin, kadence, wall) -> None:
    body = {"title": "Short", "start": robin_moment("2026-03-02T13:55:00Z"), "end": robin_moment("2026-03-02T14:25:00Z")}
    created = robin.post(f"/spaces/{QUEENS}/events", json=body).json()["data"]
    wall.advance(minutes=10)

    moved = robin.patch(
        f"/events/{created['id']}",
        json={"start": robin_moment("2026-03-02T18:00:00Z"), "end": robin_moment("2026-03-02T18:30:00Z")},
    )

    assert moved.status_code == 400, moved.text
    assert robin.get(f"/events/{created['id']}").json()["data"]["status"] == "cancelled"


def test_a_confirmation_withdrawn_after_the_release_time_leaves_the_occurrence_booked(robin, kadence, wall) -> None:
    """Release happens at the release time to what is unconfirmed then: an occurrence confirmed
    then and unconfirmed later was never released, read alone or in a list through either API;
    confirmed again, it is checked in again."""
    created = series(robin, QUEENS, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z")
    instance, first = f"{created['id']}_20260302T140000Z", first_instance(created)
    confirmation = f"/events/{instance}/confirmation"
    assert robin.put(confirmation).status_code == 200
    wall.advance(minutes=20)  # Queens' window has passed, the occurrence confirmed all the while.

    withdrawn = robin.delete(confirmation)

    event = robin.get(f"/events/{instance}").json()["data"]
    booking = kadence.get(f"/bookings/{first}").json()
    listed = {status: {item["id"] for item in kadence.members("/bookings", status=status)} for status in ("booked", "noCheckIn")}
    assert withdrawn.status_code == 200
    assert (event["status"], event["confirmation"]) == ("confirmed", None)
    assert (booking["status"], booking.get("cancellationReason"), booking.get("checkedInDate")) == ("booked", None, None)
    assert (first in listed["booked"], first in listed["noCheckIn"]) == (True, False)
    assert robin.get(confirmation).status_code == 404

    again = robin.put(confirmation)

    assert again.status_code == 200
    assert kadence.get(f"/bookings/{first}").json()["status"] == "checkedIn"
    assert first in {item["id"] for item in kadence.members("/bookings", status="checkedIn")}


def test_a_series_rescheduled_keeps_who_cancelled_an_occurrence_and_when(robin, member, kadence, wall) -> None:
    created = series(member, FOCUS_ROOM, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z")
    ben = person(kadence, "ben.carter@meridian.example")
    first = first_instance(created)
    assert kadence.post(f"/bookings/{first}/cancel", json={"userId": ben}).status_code == 201
    wall.advance(minutes=5)

    longer = robin.patch(f"/events/{created['id']}", json={"end": robin_moment("2026-03-02T16:30:00Z")})

    booking = kadence.get(f"/bookings/{first}").json()
    assert longer.status_code == 200, longer.text
    assert (booking["status"], booking["cancellationReason"]) == ("cancelled", "byUser")
    assert booking["cancelledUserId"] == f"/v1/public/users/{ben}"
    assert datetime.fromisoformat(booking["cancelledDate"]) == NOW
