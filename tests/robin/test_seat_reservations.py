"""Seat (desk) reservations through HTTP: reserving, the desk rules, listing, cancelling, check-in.

The demo store holds, relative to NOW (Monday 2 March 2026, 09:00 in New York):
A-01 (1001) for Diego, Monday 09:00-17:00 New York; A-02 (1002) for Julia, Tuesday 09:00-17:00
New York, titled "Client prep"; N-01 (2001) for Rahul, Tuesdays 09:00-18:00 Bengaluru, weekly,
four times from 3 March; N-02 (2002) for Vikram, Monday 10:00-18:00 Bengaluru, over before NOW.
"""

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.store.engine import Store
from sandbox.store.models import Resource
from tests.conftest import OTHER_TOKEN, RobinClient

pytestmark = pytest.mark.wire

NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
ADA_EMAIL = "ada.okafor@meridian.example"
BEN_EMAIL = "ben.carter@meridian.example"
CHLOE_EMAIL = "chloe.martin@meridian.example"
DIEGO_EMAIL = "diego.alvarez@meridian.example"
HANNAH_EMAIL = "hannah.kim@meridian.example"
YASMIN_EMAIL = "yasmin.qureshi@meridian.example"
FARAH_EMAIL = "farah.haddad@meridian.example"
JULIA_EMAIL = "julia.rossi@meridian.example"
RAHUL_EMAIL = "rahul.mehta@meridian.example"
BEN_ID = 2
NOW_STAMP = "2026-03-02T14:00:00+0000"
RESERVATION_FIELDS = {
    "id",
    "group_seat_reservation_id",
    "seat_id",
    "reserver_id",
    "type",
    "title",
    "start",
    "end",
    "recurrence",
    "series_id",
    "recurrence_id",
    "created_at",
    "updated_at",
    "reservee",
    "confirmation",
}
WIDE = {"after": "2026-03-01T00:00:00Z", "before": "2026-04-01T00:00:00Z", "per_page": 100}
UNASSIGNED_SEATS = "1001,1002,2001,2002"
"""The seats of the demo's reservations, none of them assigned on weekdays."""
RAHUL_WEEKS = ["20260303T033000Z", "20260310T033000Z", "20260317T033000Z", "20260324T033000Z"]


def moment(date_time: str, time_zone: str = NEW_YORK) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def reserve(
    client: RobinClient,
    seat_id: int,
    start: str,
    end: str,
    kind: str | None = "hoteled",
    time_zone: str = NEW_YORK,
    **fields: Any,
) -> Any:
    body: dict[str, Any] = {"start": moment(start, time_zone), "end": moment(end, time_zone), **fields}
    if kind is not None:
        body["type"] = kind
    return client.post(f"/seats/{seat_id}/reservations", json=body)


def reserved(client: RobinClient, seat_id: int, start: str, end: str, kind: str = "hoteled", **fields: Any) -> dict[str, Any]:
    response = reserve(client, seat_id, start, end, kind, **fields)
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def data(response: Any) -> Any:
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def user_id(client: RobinClient, email: str) -> int:
    return int(data(client.get(f"/users/{email}"))["id"])


def listed(client: RobinClient, **params: Any) -> list[dict[str, Any]]:
    return data(client.get("/reservations/seats", params=params))


def ids(reservations: list[dict[str, Any]]) -> list[str]:
    return [reservation["id"] for reservation in reservations]


def seeded_id(client: RobinClient, seat_id: int) -> str:
    """The id of the reservation (or series) the demo store holds on `seat_id`."""
    found = listed(client, seat_ids=seat_id, **WIDE)
    assert found, f"no seeded reservation on seat {seat_id}"
    return found[0]["series_id"] or found[0]["id"]


def first_error(response: Any) -> dict[str, Any]:
    return response.json()["meta"]["errors"][0]


def assert_policy(response: Any, policy: str) -> dict[str, Any]:
    assert response.status_code == 400, response.json()
    document = response.json()
    assert document["meta"]["status"] == "BAD_REQUEST"
    error = first_error(response)
    assert error["reason"] == "seat_booking_policy_violation"
    assert error["details"]["policy"] == policy
    return error


def assert_refused(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 400, response.json()
    error = first_error(response)
    assert error["reason"] == reason
    return error


def assert_conflict(response: Any, reason: str) -> dict[str, Any]:
    assert response.status_code == 409, response.json()
    document = response.json()
    assert document["meta"]["status"] == "CONFLICT"
    assert document["data"] == {}
    error = first_error(response)
    assert error["reason"] == reason
    return error


def assert_field_error(response: Any, field: str) -> None:
    assert response.status_code == 400, response.json()
    document = response.json()
    assert document["meta"]["message"] == "The posted data did not pass validation"
    assert field in [entry.get("field") for entry in document["meta"]["errors"]]


# Reserving


def test_reserve_seat_answers_200_with_the_reservation(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 200
    document = response.json()
    assert document["meta"]["status_code"] == 200
    assert document["meta"]["status"] == "OK"
    reservation = document["data"]
    assert reservation.keys() == RESERVATION_FIELDS
    assert isinstance(reservation["id"], str)
    assert reservation["id"].isdigit()
    assert reservation["group_seat_reservation_id"] is None
    assert reservation["seat_id"] == 1003
    assert reservation["reserver_id"] == 1
    assert reservation["type"] == "hoteled"
    assert reservation["title"] is None
    assert reservation["start"] == {"date_time": "2026-03-03T09:00:00-0500", "time_zone": NEW_YORK}
    assert reservation["end"] == {"date_time": "2026-03-03T17:00:00-0500", "time_zone": NEW_YORK}
    assert (reservation["recurrence"], reservation["series_id"], reservation["recurrence_id"]) == (None, None, None)
    assert reservation["reservee"] == {
        "email": ADA_EMAIL,
        "user_id": 1,
        "visitor_id": None,
        "participation_status": "not_responded",
    }
    assert reservation["confirmation"] is None
    assert reservation["created_at"] == reservation["updated_at"] == NOW_STAMP


def test_reserve_seat_is_readable_by_id_afterwards(robin):
    reservation = reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", title="Offsite prep")

    response = robin.get(f"/reservations/seats/{reservation['id']}")

    assert response.status_code == 200
    assert response.json()["data"] == reservation
    assert reservation["title"] == "Offsite prep"


def test_reserve_seat_reads_an_offset_and_answers_in_the_given_zone(robin):
    reservation = reserved(robin, 2003, "2026-03-03T03:30:00Z", "2026-03-03T12:30:00Z", time_zone=KOLKATA)

    assert reservation["start"] == {"date_time": "2026-03-03T09:00:00+0530", "time_zone": KOLKATA}
    assert reservation["end"] == {"date_time": "2026-03-03T18:00:00+0530", "time_zone": KOLKATA}


def test_reserve_seat_accepts_the_live_api_offset_without_colon(robin):
    reservation = reserved(robin, 1003, "2026-03-03T15:00:00+0100", "2026-03-03T23:00:00+0100")

    assert reservation["start"]["date_time"] == "2026-03-03T09:00:00-0500"
    assert reservation["end"]["date_time"] == "2026-03-03T17:00:00-0500"


def test_reserve_seat_without_type_is_400(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", kind=None)

    assert_field_error(response, "type")
    assert first_error(response)["reason"] == "required"
    assert listed(robin, seat_ids=1003, **WIDE) == []


def test_document_requires_the_type_the_api_requires(client):
    response = client.get("/openapi/robin.json")

    assert response.status_code == 200
    body = response.json()["components"]["schemas"]["SeatReservationBody"]
    assert set(body["required"]) == {"type", "start", "end"}


def test_reserve_seat_with_an_unknown_type_is_400(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", kind="desk")

    assert_field_error(response, "type")


def test_reserve_seat_refuses_an_end_before_the_start(robin):
    response = reserve(robin, 1003, "2026-03-03T17:00:00", "2026-03-03T09:00:00")

    assert_field_error(response, "end")


def test_reserve_seat_refuses_fractional_seconds(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00.000", "2026-03-03T17:00:00")

    assert_field_error(response, "start.date_time")


def test_reserve_seat_refuses_a_title_over_255_characters(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", title="x" * 256)

    assert_field_error(response, "title")


def test_reserve_seat_refuses_a_malformed_recurrence(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", recurrence=["RRULE:FREQ=SOMETIMES"])

    assert_field_error(response, "recurrence")
    assert listed(robin, seat_ids=1003, **WIDE) == []


def test_reserve_unknown_seat_is_404(robin):
    response = reserve(robin, 999999, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 404


def test_reserve_a_space_id_as_a_seat_is_404(robin):
    response = reserve(robin, 57, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 404


def test_reserve_seat_of_another_organization_is_403(client, other_organization):
    outsider = RobinClient(client, OTHER_TOKEN)

    response = reserve(outsider, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 403


def test_reserve_seat_needs_a_token(anonymous):
    response = reserve(anonymous, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 401


# Overlaps


def test_reserve_seat_refuses_overlap(robin):
    diegos = seeded_id(robin, 1001)

    response = reserve(robin, 1001, "2026-03-02T12:00:00", "2026-03-02T13:00:00")

    error = assert_conflict(response, "seat_reservation_conflict")
    assert error["details"] == {
        "reservation_id": diegos,
        "series_id": None,
        "seat_id": 1001,
        "start": "2026-03-02T09:00:00-0500",
        "end": "2026-03-02T17:00:00-0500",
    }
    assert [reservation["id"] for reservation in listed(robin, seat_ids=1001, **WIDE)] == [diegos]


def test_reserve_seat_accepts_reservations_touching_another(robin, member):
    # Julia holds A-02 on Tuesday from 09:00 to 17:00.
    before = reserve(robin, 1002, "2026-03-03T07:00:00", "2026-03-03T09:00:00")
    after = reserve(member, 1002, "2026-03-03T17:00:00", "2026-03-03T19:00:00")

    assert before.status_code == 200, before.json()
    assert after.status_code == 200, after.json()
    assert [item["start"]["date_time"] for item in listed(robin, seat_ids=1002, **WIDE)] == [
        "2026-03-03T07:00:00-0500",
        "2026-03-03T09:00:00-0500",
        "2026-03-03T17:00:00-0500",
    ]


def test_reserve_seat_refuses_overlap_with_an_instance_of_a_series(robin):
    rahuls = seeded_id(robin, 2001)

    response = reserve(robin, 2001, "2026-03-10T17:00:00", "2026-03-10T19:00:00", time_zone=KOLKATA)

    error = assert_conflict(response, "seat_reservation_conflict")
    assert error["details"]["reservation_id"] == f"{rahuls}_20260310T033000Z"
    assert error["details"]["series_id"] == rahuls
    assert error["details"]["start"] == "2026-03-10T09:00:00+0530"


def test_reserve_seat_refuses_one_person_on_two_desks(robin):
    julias = seeded_id(robin, 1002)

    response = reserve(robin, 1004, "2026-03-03T12:00:00", "2026-03-03T13:00:00", reservee={"email": JULIA_EMAIL})

    error = assert_conflict(response, "reservee_already_seated")
    assert error["details"]["reservation_id"] == julias
    assert error["details"]["seat_id"] == 1002


def test_reserve_seat_lets_another_person_take_a_neighbouring_desk_at_the_same_time(robin, member):
    reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    mine = reserve(robin, 1004, "2026-03-03T10:00:00", "2026-03-03T11:00:00")
    bens = reserve(member, 1004, "2026-03-03T10:00:00", "2026-03-03T11:00:00")

    assert_conflict(mine, "reservee_already_seated")
    assert bens.status_code == 200, bens.json()
    assert bens.json()["data"]["reservee"]["user_id"] == BEN_ID


def test_reserve_seat_is_not_blocked_by_a_room_booking_of_the_same_person(robin):
    booking = robin.post(
        "/spaces/57/events",
        json={
            "start": moment("2026-03-03T10:00:00"),
            "end": moment("2026-03-03T11:00:00"),
            "title": "Focus",
        },
    )
    assert booking.status_code == 201, booking.json()

    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert response.status_code == 200, response.json()


# Disabled and non-reservable seats


def test_reserve_disabled_seat_is_refused(robin):
    response = reserve(robin, 1010, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    error = assert_refused(response, "seat_disabled")
    assert "1010" in error["message"]


def test_reserve_non_reservable_seat_is_refused(robin):
    response = reserve(robin, 1011, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    error = assert_refused(response, "seat_not_reservable")
    assert "1011" in error["message"]


# Types a desk takes


@pytest.mark.parametrize(
    ("seat_id", "kind", "allowed"),
    [
        (1001, "hot", ["hoteled"]),
        (1001, "assigned", ["hoteled"]),
        (1001, "shared", ["hoteled"]),
        (1006, "reverse_hoteled", ["hoteled"]),
        (1012, "hoteled", ["hot"]),
        (1007, "assigned", ["assigned"]),
        (1007, "hoteled", ["assigned"]),
        (1008, "hoteled", ["assigned", "shared"]),
        (1008, "assigned", ["assigned", "shared"]),
        (1009, "assigned", ["hoteled", "shared"]),
    ],
)
def test_reserve_seat_refuses_a_type_the_desk_does_not_take(member, seat_id, kind, allowed):
    # The type is checked before the shared days, so Friday refuses on B-03 (TU,TH) for the type too.
    response = reserve(member, seat_id, "2026-03-06T09:00:00", "2026-03-06T17:00:00", kind)

    error = assert_policy(response, "seat_reservation_types_allowed")
    assert error["details"]["allowed_types"] == allowed


def test_reserve_assigned_desk_by_someone_else_names_the_assignee(member):
    response = reserve(member, 1007, "2026-03-03T09:00:00", "2026-03-03T17:00:00", "assigned")

    error = assert_policy(response, "seat_reservation_types_allowed")
    assert "Ada Okafor" in error["message"]


def test_reserve_assigned_desk_by_its_assignee(robin):
    reservation = reserved(robin, 1007, "2026-03-03T09:00:00", "2026-03-03T17:00:00", "assigned")

    assert (reservation["type"], reservation["reservee"]["user_id"]) == ("assigned", 1)


def test_administrator_cannot_put_someone_else_on_an_assigned_desk(robin):
    response = reserve(robin, 1007, "2026-03-03T09:00:00", "2026-03-03T17:00:00", "assigned", reservee={"email": BEN_EMAIL})

    assert_policy(response, "seat_reservation_types_allowed")


def test_reserve_hoteled_shared_desk_by_someone_else_on_a_day_nobody_is_assigned(member):
    response = reserve(member, 1009, "2026-03-03T09:00:00", "2026-03-03T17:00:00", "hoteled")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["type"] == "hoteled"
    assert response.json()["data"]["reservee"]["user_id"] == BEN_ID


def test_assignee_of_an_assigned_shared_desk_cannot_hotel_it(robin):
    response = reserve(robin, 1008, "2026-03-06T09:00:00", "2026-03-06T17:00:00", "hoteled", reservee={"email": HANNAH_EMAIL})

    assert_policy(response, "seat_reservation_types_allowed")


# Hot desks


def test_reserve_hot_desk_today(robin):
    reservation = reserved(robin, 1012, "2026-03-02T10:00:00", "2026-03-02T18:00:00", "hot")

    assert reservation["type"] == "hot"


def test_reserve_hot_desk_refuses_another_day(robin):
    response = reserve(robin, 1012, "2026-03-03T09:00:00", "2026-03-03T12:00:00", "hot")

    assert_policy(response, "hot_reservation_same_day")


def test_reserve_hot_desk_refuses_running_past_midnight(robin):
    response = reserve(robin, 1012, "2026-03-02T20:00:00", "2026-03-03T01:00:00", "hot")

    assert_policy(response, "hot_reservation_same_day")


def test_reserve_hot_desk_may_end_at_midnight(robin):
    response = reserve(robin, 1012, "2026-03-02T16:00:00", "2026-03-03T00:00:00", "hot")

    assert response.status_code == 200, response.json()


def test_reserve_hot_desk_for_tomorrow_once_tomorrow_comes(robin, wall):
    assert reserve(robin, 1012, "2026-03-03T09:00:00", "2026-03-03T12:00:00", "hot").status_code == 400

    wall.advance(days=1)

    response = reserve(robin, 1012, "2026-03-03T09:00:00", "2026-03-03T12:00:00", "hot")
    assert response.status_code == 200, response.json()


def test_reserve_hot_desk_counts_days_in_the_building_zone(robin, wall):
    # 23:00 on Monday in New York is already Tuesday in UTC.
    wall.advance(hours=14)

    response = reserve(robin, 1012, "2026-03-03T04:10:00Z", "2026-03-03T04:50:00Z", "hot")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["start"]["date_time"] == "2026-03-02T23:10:00-0500"


def test_reserve_hot_desk_ignores_the_zone_the_client_writes_in(robin):
    # Tuesday 00:30-04:30 in Bengaluru is Monday 14:00-18:00 in New York, where the desk is.
    response = reserve(robin, 1012, "2026-03-03T00:30:00", "2026-03-03T04:30:00", "hot", time_zone=KOLKATA)

    assert response.status_code == 200, response.json()


# Length


def test_reserve_seat_accepts_exactly_its_max_length(robin):
    response = reserve(robin, 1003, "2026-03-03T00:00:00", "2026-03-04T00:00:00")

    assert response.status_code == 200, response.json()


def test_reserve_seat_refuses_longer_than_its_max_length(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-04T09:01:00")

    error = assert_policy(response, "seat_reservation_max_length")
    assert error["details"]["max_length"] == "P1D"
    assert "1003" in error["message"]


def test_reserve_hot_desk_accepts_ten_hours(robin):
    response = reserve(robin, 1012, "2026-03-02T10:00:00", "2026-03-02T20:00:00", "hot")

    assert response.status_code == 200, response.json()


def test_reserve_hot_desk_refuses_more_than_ten_hours(robin):
    response = reserve(robin, 1012, "2026-03-02T10:00:00", "2026-03-02T20:30:00", "hot")

    error = assert_policy(response, "seat_reservation_max_length")
    assert error["details"]["max_length"] == "PT10H"


def test_reserve_seat_without_a_max_length_takes_several_days(robin):
    response = reserve(robin, 1007, "2026-03-03T09:00:00", "2026-03-06T17:00:00", "assigned")

    assert response.status_code == 200, response.json()


# How far ahead


def test_reserve_seat_accepts_exactly_the_booking_threshold_ahead(robin):
    # NOW + 14 days is 16 March 14:00 UTC, 10:00 in New York after the change to daylight time.
    response = reserve(robin, 1003, "2026-03-16T10:00:00", "2026-03-16T17:00:00")

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["start"]["date_time"] == "2026-03-16T10:00:00-0400"


def test_reserve_seat_refuses_beyond_the_booking_threshold(robin):
    response = reserve(robin, 1003, "2026-03-16T10:01:00", "2026-03-16T17:00:00")

    assert response.status_code == 400
    assert response.json()["meta"]["errors"][0] == {
        "domain": "scheduling",
        "reason": "seat_booking_policy_violation",
        "message": "The reservation is too far in the future. "
        "Reservations for seat `1003` cannot be more than 14 days in advance.",
        "details": {"policy": "advanced_booking_threshold", "booking_threshold": "P14D"},
    }


def test_reserve_seat_beyond_the_threshold_once_the_day_is_near(robin, wall):
    assert_policy(reserve(robin, 1003, "2026-03-18T09:00:00", "2026-03-18T17:00:00"), "advanced_booking_threshold")

    wall.advance(days=3)

    response = reserve(robin, 1003, "2026-03-18T09:00:00", "2026-03-18T17:00:00")
    assert response.status_code == 200, response.json()


def test_reserve_shared_desk_follows_its_own_threshold(member):
    within = reserve(member, 1009, "2026-03-27T09:00:00", "2026-03-27T17:00:00", "hoteled")
    beyond = reserve(member, 1009, "2026-04-03T09:00:00", "2026-04-03T17:00:00", "hoteled")

    assert within.status_code == 200, within.json()
    error = assert_policy(beyond, "advanced_booking_threshold")
    assert error["details"]["booking_threshold"] == "P30D"


def test_reserve_seat_without_a_threshold_far_ahead(robin):
    response = reserve(robin, 1007, "2026-09-01T09:00:00", "2026-09-01T17:00:00", "assigned")

    assert response.status_code == 200, response.json()


def test_threshold_applies_to_the_first_occurrence_of_a_series_only(robin):
    response = reserve(
        robin,
        1003,
        "2026-03-03T09:00:00",
        "2026-03-03T17:00:00",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )

    assert response.status_code == 200, response.json()
    assert len(listed(robin, seat_ids=1003, **WIDE)) == 4


def test_threshold_refuses_a_series_that_starts_too_far_ahead(robin):
    response = reserve(
        robin,
        1003,
        "2026-03-17T09:00:00",
        "2026-03-17T17:00:00",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"],
    )

    assert_policy(response, "advanced_booking_threshold")


# Shared desks: reverse_hoteled reservations on excluded days (more in test_shared_desks.py)


def exclusion(robin, seat_id, email, instance_key):
    """Exclude the day of `email`'s assignment of the seat that starts at `instance_key`."""
    series = {item["series_id"] for item in listed(robin, seat_ids=seat_id, **WIDE) if item["reservee"]["email"] == email}
    assert len(series) == 1, series
    response = robin.post(f"/reservations/seats/{series.pop()}_{instance_key}/exclusions")
    assert response.status_code == 200, response.json()


def test_reserve_reverse_hoteled_counts_days_in_the_building_zone(robin, member):
    exclusion(robin, 1008, HANNAH_EMAIL, "20260310T040000Z")
    # Tuesday 09:00 in Bengaluru is Monday 23:30 in New York, where B-02 is.
    monday = reserve(member, 1008, "2026-03-10T09:00:00", "2026-03-10T09:30:00", "reverse_hoteled", time_zone=KOLKATA)
    # Wednesday 08:30 in Bengaluru is Tuesday 23:00 in New York.
    tuesday = reserve(member, 1008, "2026-03-11T08:30:00", "2026-03-11T09:30:00", "reverse_hoteled", time_zone=KOLKATA)

    assert assert_policy(monday, "reverse_hoteled_on_exclusions")["details"]["day"] == "2026-03-09"
    assert tuesday.status_code == 200, tuesday.json()


def test_reserve_reverse_hoteled_in_bengaluru_on_an_excluded_day(robin, member):
    exclusion(robin, 2006, YASMIN_EMAIL, "20260304T183000Z")

    response = reserve(member, 2006, "2026-03-05T09:00:00", "2026-03-05T18:00:00", "reverse_hoteled", time_zone=KOLKATA)
    refused = reserve(member, 2006, "2026-03-06T09:00:00", "2026-03-06T18:00:00", "reverse_hoteled", time_zone=KOLKATA)

    assert response.status_code == 200, response.json()
    assert assert_policy(refused, "reverse_hoteled_on_exclusions")["details"]["day"] == "2026-03-06"


def test_reserve_reverse_hoteled_until_midnight_touches_one_day(robin, member):
    exclusion(robin, 1008, HANNAH_EMAIL, "20260309T040000Z")

    response = reserve(member, 1008, "2026-03-09T09:00:00", "2026-03-10T00:00:00", "reverse_hoteled")

    assert response.status_code == 200, response.json()


def test_reserve_reverse_hoteled_series_on_excluded_days(robin, member):
    exclusion(robin, 1008, HANNAH_EMAIL, "20260309T040000Z")
    exclusion(robin, 1008, HANNAH_EMAIL, "20260316T040000Z")

    response = reserve(
        member,
        1008,
        "2026-03-09T09:00:00",
        "2026-03-09T17:00:00",
        "reverse_hoteled",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"],
    )

    assert response.status_code == 200, response.json()
    mine = [item["start"]["date_time"][:10] for item in listed(member, seat_ids=1008, user_ids=BEN_ID, **WIDE)]
    assert mine == ["2026-03-09", "2026-03-16"]


def test_reserve_reverse_hoteled_series_refuses_a_later_occurrence_on_a_day_not_excluded(robin, member):
    exclusion(robin, 1008, HANNAH_EMAIL, "20260309T040000Z")

    response = reserve(
        member,
        1008,
        "2026-03-09T09:00:00",
        "2026-03-09T17:00:00",
        "reverse_hoteled",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"],
    )

    error = assert_policy(response, "reverse_hoteled_on_exclusions")
    assert "2026-03-16 (MO)" in error["message"]
    assert listed(member, seat_ids=1008, user_ids=BEN_ID, **WIDE) == []


# Reservee and reserver


def test_reserve_seat_for_someone_by_email(robin):
    reservation = reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"email": BEN_EMAIL})

    assert reservation["reservee"] == {
        "email": BEN_EMAIL,
        "user_id": BEN_ID,
        "visitor_id": None,
        "participation_status": "not_responded",
    }
    assert reservation["reserver_id"] == 1


@pytest.mark.parametrize("given", [BEN_ID, str(BEN_ID)])
def test_reserve_seat_for_someone_by_user_id(robin, given):
    reservation = reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"user_id": given})

    assert (reservation["reservee"]["user_id"], reservation["reservee"]["email"]) == (BEN_ID, BEN_EMAIL)


def test_reserve_seat_with_a_reserver_id_as_a_string(robin):
    farah = user_id(robin, FARAH_EMAIL)

    reservation = reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reserver_id=str(farah))

    assert reservation["reserver_id"] == farah
    assert reservation["reservee"]["email"] == ADA_EMAIL


def test_reserve_seat_for_an_unknown_email_is_400(robin):
    nobody = {"email": "nobody@meridian.example"}

    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee=nobody)

    assert_field_error(response, "reservee.email")


def test_reserve_seat_for_someone_of_another_organization_is_400(robin, other_organization):
    outsider = {"email": "admin@elsewhere.example"}

    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee=outsider)

    assert_field_error(response, "reservee.email")


@pytest.mark.parametrize("given", [999999, "999999"])
def test_reserve_seat_for_an_unknown_user_id_is_400(robin, given):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"user_id": given})

    assert_field_error(response, "reservee.user_id")


def test_reserve_seat_for_a_user_id_that_is_not_a_number_is_400(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"user_id": "ben"})

    assert_field_error(response, "reservee.user_id")


def test_reserve_seat_with_an_unknown_reserver_is_400(robin):
    response = reserve(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reserver_id=999999)

    assert_field_error(response, "reserver_id")


def test_member_reserves_for_themselves_by_default(member):
    reservation = reserved(member, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert reservation["reserver_id"] == BEN_ID
    assert reservation["reservee"]["user_id"] == BEN_ID


def test_member_may_name_themselves_as_reservee(member):
    reservation = reserved(member, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"email": BEN_EMAIL})

    assert reservation["reservee"]["user_id"] == BEN_ID


def test_member_reserving_for_someone_else_is_403(member, robin):
    response = reserve(member, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"email": CHLOE_EMAIL})

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert listed(robin, seat_ids=1003, **WIDE) == []


def test_member_naming_someone_else_as_reserver_is_403(member):
    response = reserve(member, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reserver_id=1)

    assert response.status_code == 403


# Recurrence


def test_weekly_seat_reservation_expands_in_the_listing(robin):
    series = reserved(
        robin,
        1004,
        "2026-03-03T09:00:00",
        "2026-03-03T17:00:00",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )

    instances = listed(robin, seat_ids=1004, **WIDE)

    assert series["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=3"]
    assert series["series_id"] is None
    keys = ["20260303T140000Z", "20260310T130000Z", "20260317T130000Z"]
    assert ids(instances) == [f"{series['id']}_{key}" for key in keys]
    assert [item["recurrence_id"] for item in instances] == keys
    assert all(item["series_id"] == series["id"] and item["recurrence"] is None for item in instances)
    # 09:00 local throughout, across the change to daylight time on 8 March.
    assert [item["start"]["date_time"] for item in instances] == [
        "2026-03-03T09:00:00-0500",
        "2026-03-10T09:00:00-0400",
        "2026-03-17T09:00:00-0400",
    ]


def instances(client: RobinClient, reservation_id: str, **params: Any) -> Any:
    return client.get(f"/reservations/seats/{reservation_id}/instances", params=params)


def test_seat_reservation_instances_are_its_occurrences_in_the_window(robin):
    series = reserved(robin, 1004, "2026-03-03T09:00:00", "2026-03-03T17:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=5"])
    reserved(robin, 1004, "2026-03-09T09:00:00", "2026-03-09T17:00:00")

    found = data(instances(robin, series["id"], **WIDE))

    days = ["20260303T140000Z", "20260304T140000Z", "20260305T140000Z", "20260306T140000Z", "20260307T140000Z"]
    assert ids(found) == [f"{series['id']}_{day}" for day in days]
    assert found == [data(robin.get(f"/reservations/seats/{item['id']}")) for item in found]
    assert all(item["series_id"] == series["id"] and item.keys() == RESERVATION_FIELDS for item in found)


def test_seat_reservation_instances_default_to_the_coming_week(robin, wall):
    rahuls = seeded_id(robin, 2001)

    this_week = data(instances(robin, rahuls))
    wall.advance(days=7)
    next_week = data(instances(robin, rahuls))

    assert ids(this_week) == [f"{rahuls}_{RAHUL_WEEKS[0]}"]
    assert ids(next_week) == [f"{rahuls}_{RAHUL_WEEKS[1]}"]
    assert ids(data(instances(robin, rahuls, after="2026-03-09T00:00:00Z"))) == [f"{rahuls}_{RAHUL_WEEKS[1]}"]


def test_seat_reservation_instances_are_the_series_listing(robin):
    rahuls = seeded_id(robin, 2001)

    found = data(instances(robin, rahuls, **WIDE))

    assert ids(found) == [f"{rahuls}_{week}" for week in RAHUL_WEEKS]
    assert found == listed(robin, seat_ids=2001, **WIDE)


def test_seat_reservation_instances_page(robin):
    rahuls = seeded_id(robin, 2001)

    first = instances(robin, rahuls, **{**WIDE, "per_page": 3})
    second = instances(robin, rahuls, **{**WIDE, "per_page": 3, "page": 2})

    assert ids(data(first)) == [f"{rahuls}_{week}" for week in RAHUL_WEEKS[:3]]
    assert first.json()["paging"] == {"page": 1, "per_page": 3, "has_next_page": True}
    assert ids(data(second)) == [f"{rahuls}_{RAHUL_WEEKS[3]}"]
    assert second.json()["paging"] == {"page": 2, "per_page": 3, "has_next_page": False}


def test_seat_reservation_instances_leave_out_a_cancelled_instance(robin):
    rahuls = seeded_id(robin, 2001)
    assert robin.delete(f"/reservations/seats/{rahuls}_{RAHUL_WEEKS[1]}").status_code == 200

    found = data(instances(robin, rahuls, **WIDE))

    assert ids(found) == [f"{rahuls}_{week}" for week in (RAHUL_WEEKS[0], *RAHUL_WEEKS[2:])]


def test_seat_reservation_instances_of_an_assignment_are_its_assigned_days(robin):
    hannahs = next(item for item in listed(robin, seat_ids=1008, **WIDE) if item["reservee"]["email"] == HANNAH_EMAIL)

    found = data(instances(robin, hannahs["series_id"], after="2026-03-02T05:00:00Z", before="2026-03-08T05:00:00Z"))

    assert [item["start"]["date_time"][:10] for item in found] == ["2026-03-02", "2026-03-03"]
    assert all(item["type"] == "shared" and item["series_id"] == hannahs["series_id"] for item in found)


def test_seat_reservation_instances_of_a_reservation_that_does_not_recur_is_400(robin):
    diegos = seeded_id(robin, 1001)

    response = instances(robin, diegos)

    error = assert_refused(response, "reservation_not_recurring")
    assert response.json()["meta"]["message"] == error["message"]
    assert diegos in error["message"]


def test_seat_reservation_instances_of_one_instance_is_400(robin):
    rahuls = seeded_id(robin, 2001)

    response = instances(robin, f"{rahuls}_{RAHUL_WEEKS[0]}")

    error = assert_refused(response, "reservation_not_recurring")
    assert f"series {rahuls}" in error["message"]


def test_seat_reservation_instances_refuse_a_window_that_ends_before_it_starts(robin):
    rahuls = seeded_id(robin, 2001)

    response = instances(robin, rahuls, after="2026-03-10T00:00:00Z", before="2026-03-03T00:00:00Z")

    assert_field_error(response, "before")


@pytest.mark.parametrize("reference", ["999999", "abc"])
def test_seat_reservation_instances_of_no_reservation_is_404(robin, reference):
    assert instances(robin, reference).status_code == 404


def test_seat_reservation_instances_of_an_event_is_404(robin):
    event = robin.get("/spaces/48/events", params=WIDE).json()["data"][0]

    assert instances(robin, event["series_id"] or event["id"]).status_code == 404


def test_seat_reservation_instances_of_a_cancelled_series_is_404(robin):
    rahuls = seeded_id(robin, 2001)
    assert robin.delete(f"/reservations/seats/{rahuls}").status_code == 200

    assert instances(robin, rahuls, **WIDE).status_code == 404


def test_seat_reservation_instances_of_another_organization_is_403(robin, client, other_organization):
    rahuls = seeded_id(robin, 2001)

    assert instances(RobinClient(client, OTHER_TOKEN), rahuls).status_code == 403


def test_seat_reservation_series_refuses_a_later_occurrence_that_collides(robin):
    chloes = reserved(robin, 1005, "2026-03-10T10:00:00", "2026-03-10T11:00:00", reservee={"email": CHLOE_EMAIL})

    response = reserve(
        robin,
        1005,
        "2026-03-03T09:00:00",
        "2026-03-03T17:00:00",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"],
    )

    error = assert_conflict(response, "seat_reservation_conflict")
    assert error["details"]["reservation_id"] == chloes["id"]
    assert error["details"]["start"] == "2026-03-10T10:00:00-0400"
    assert ids(listed(robin, seat_ids=1005, **WIDE)) == [chloes["id"]]


def test_seat_reservation_series_refuses_a_later_occurrence_when_the_person_sits_elsewhere(robin, member):
    bens = reserved(member, 1006, "2026-03-10T12:00:00", "2026-03-10T13:00:00")

    response = reserve(
        robin,
        1005,
        "2026-03-03T09:00:00",
        "2026-03-03T17:00:00",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=2"],
        reservee={"user_id": BEN_ID},
    )

    error = assert_conflict(response, "reservee_already_seated")
    assert error["details"]["reservation_id"] == bens["id"]
    assert error["details"]["seat_id"] == 1006


def test_hot_seat_reservation_series_refuses_occurrences_on_later_days(robin):
    response = reserve(
        robin,
        1012,
        "2026-03-02T10:00:00",
        "2026-03-02T18:00:00",
        "hot",
        recurrence=["RRULE:FREQ=DAILY;COUNT=2"],
    )

    assert_policy(response, "hot_reservation_same_day")


# Listing


def test_list_seat_reservations_defaults_to_the_coming_week(robin):
    diegos, julias, rahuls = seeded_id(robin, 1001), seeded_id(robin, 1002), seeded_id(robin, 2001)

    response = robin.get("/reservations/seats", params={"seat_ids": UNASSIGNED_SEATS})

    assert response.status_code == 200
    document = response.json()
    # Vikram's ended before NOW; Rahul's later Tuesdays start after NOW + 7 days.
    assert ids(document["data"]) == [diegos, f"{rahuls}_20260303T033000Z", julias]
    assert document["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}
    assert all(item.keys() == RESERVATION_FIELDS for item in document["data"])


def test_list_seat_reservations_with_after_only_spans_a_week(robin):
    rahuls = seeded_id(robin, 2001)

    found = listed(robin, seat_ids=2001, after="2026-03-09T00:00:00Z")

    assert ids(found) == [f"{rahuls}_{RAHUL_WEEKS[1]}"]


def test_list_seat_reservations_lists_assignments(robin):
    # B-02 and B-03 are assigned on weekdays (shared reservations); B-01 is a deprecated
    # ["assigned"] desk whose assignee holds it without a reservation.
    found = listed(robin, seat_ids="1007,1008,1009", after="2026-03-02T05:00:00Z", before="2026-03-07T05:00:00Z")

    assert [(item["seat_id"], item["type"], item["start"]["date_time"][:10]) for item in found] == [
        (1008, "shared", "2026-03-02"),
        (1008, "shared", "2026-03-03"),
        (1008, "shared", "2026-03-04"),
        (1009, "shared", "2026-03-04"),
        (1008, "shared", "2026-03-05"),
        (1009, "shared", "2026-03-05"),
    ]


def test_list_seat_reservations_by_seat_ids(robin):
    diegos, julias = seeded_id(robin, 1001), seeded_id(robin, 1002)

    comma = listed(robin, seat_ids="1001,1002", **WIDE)
    repeated = listed(robin, seat_ids=[1001, 1002], **WIDE)

    assert ids(comma) == [diegos, julias]
    assert ids(repeated) == [diegos, julias]


WIDE_QUERY = "after=2026-03-01T00:00:00Z&before=2026-04-01T00:00:00Z&per_page=100"


@pytest.mark.parametrize(
    "seat_ids",
    [
        pytest.param("seat_ids[]=1001&seat_ids[]=1002", id="brackets"),
        pytest.param("seat_ids%5B%5D=1001&seat_ids%5B%5D=1002", id="brackets-encoded"),
        pytest.param("seat_ids[0]=1001&seat_ids[1]=1002", id="indexed"),
        pytest.param("seat_ids%5B0%5D=1001&seat_ids%5B1%5D=1002", id="indexed-encoded"),
        pytest.param("seat_ids[]=1001,1002", id="brackets-holding-a-comma-list"),
        pytest.param("seat_ids=1001%2C1002", id="comma-encoded"),
    ],
)
def test_list_seat_reservations_reads_php_style_lists(robin, seat_ids):
    """The live API is PHP: a list parameter may come as `k[]=` or `k[0]=`, as many HTTP
    libraries send an array (Robin's JS SDK sends `k[0]=`)."""
    diegos, julias = seeded_id(robin, 1001), seeded_id(robin, 1002)

    response = robin.get(f"/reservations/seats?{seat_ids}&{WIDE_QUERY}")

    assert response.status_code == 200, response.text
    assert ids(response.json()["data"]) == [diegos, julias]


@pytest.mark.parametrize("query", ["seat_ids[]=desk", "seat_ids[0]=1001&seat_ids[1]=x", "user_ids[]=1.5"])
def test_list_seat_reservations_refuses_a_list_it_cannot_read(robin, query):
    response = robin.get(f"/reservations/seats?{query}&{WIDE_QUERY}")

    assert response.status_code == 400, response.text
    assert response.json()["meta"]["errors"][0]["field"] == query.split("[")[0]


def test_list_seat_reservations_by_space_ids(robin):
    vikrams, rahuls = seeded_id(robin, 2002), seeded_id(robin, 2001)

    found = listed(robin, space_ids=77, after="2026-03-02T00:00:00Z", before="2026-03-04T00:00:00Z")

    assert ids([item for item in found if item["type"] != "shared"]) == [vikrams, f"{rahuls}_20260303T033000Z"]
    assert {item["seat_id"] for item in found if item["type"] == "shared"} == {2006}


def test_list_seat_reservations_by_level_ids(robin):
    new_york = listed(robin, level_ids=102, **WIDE)
    bengaluru = listed(robin, level_ids=202, **WIDE)

    assert {item["seat_id"] for item in new_york} == {1001, 1002, 1008, 1009}
    assert {item["seat_id"] for item in bengaluru} == {2001, 2002, 2006}
    assert len([item for item in bengaluru if item["type"] != "shared"]) == 1 + len(RAHUL_WEEKS)


def seat_places(client: RobinClient, seat_ids: set[int]) -> dict[int, tuple[int, int]]:
    """Each seat's (location, zone), as GET /seats/:id and /spaces/:id answer them."""
    places = {}
    for seat_id in seat_ids:
        seat = data(client.get(f"/seats/{seat_id}"))
        space = data(client.get(f"/spaces/{seat['space_id']}"))
        places[seat_id] = (space["location_id"], seat["zone_id"])
    return places


def test_list_seat_reservations_by_location_ids_and_zone_ids(robin):
    everything = listed(robin, **WIDE)
    places = seat_places(robin, {item["seat_id"] for item in everything})
    locations = sorted({location for location, _ in places.values()})
    zones = sorted({zone for _, zone in places.values()})
    assert len(locations) > 1, "the demo's reservations span locations"
    assert len(zones) > 1, "the demo's reservations span zones"

    for location in locations:
        found = listed(robin, location_ids=location, **WIDE)
        assert ids(found) == ids([item for item in everything if places[item["seat_id"]][0] == location])
    for zone in zones:
        found = listed(robin, **{"zone_ids[]": zone}, **WIDE)
        assert ids(found) == ids([item for item in everything if places[item["seat_id"]][1] == zone])


@pytest.mark.parametrize("types", ["shared", "hoteled", "hot,assigned,hoteled", "reverse_hoteled"])
def test_list_seat_reservations_by_types(robin, types):
    everything = listed(robin, **WIDE)
    wanted = set(types.split(","))

    found = listed(robin, types=types, **WIDE)

    assert ids(found) == ids([item for item in everything if item["type"] in wanted])
    assert found or types == "reverse_hoteled"


def test_list_seat_reservations_refuses_an_unknown_type(robin):
    response = robin.get("/reservations/seats", params={"types": "hoteled,standing", **WIDE})

    assert response.status_code == 400
    assert first_error(response)["field"] == "types"


def test_list_seat_reservations_by_unknown_space_is_empty(robin):
    assert listed(robin, space_ids=48, **WIDE) == []


def test_list_seat_reservations_by_user_ids_names_reservees(robin):
    julia, rahul = user_id(robin, JULIA_EMAIL), user_id(robin, RAHUL_EMAIL)
    reserved(robin, 1003, "2026-03-04T09:00:00", "2026-03-04T17:00:00", reservee={"email": BEN_EMAIL})

    for_julia = listed(robin, user_ids=julia, **WIDE)
    for_rahul = listed(robin, user_ids=rahul, **WIDE)
    for_ada = listed(robin, user_ids=1, **WIDE)
    for_ben = listed(robin, user_ids=BEN_ID, **WIDE)

    assert [item["seat_id"] for item in for_julia] == [1002]
    assert [item["recurrence_id"] for item in for_rahul] == RAHUL_WEEKS
    assert for_ada == []
    assert [item["seat_id"] for item in for_ben] == [1003]


def test_list_seat_reservations_reads_an_unencoded_plus_offset(robin):
    # 22:30+0100 is 21:30 UTC, before Julia's reservation ends at 22:00 UTC; read as UTC it would be after.
    overlapping = robin.get("/reservations/seats?after=2026-03-03T22:30:00+0100&before=2026-03-03T23:00:00+0100&seat_ids=1002")
    # 14:30+0100 to 15:00+0100 is 13:30 to 14:00 UTC, before she arrives; read as UTC it would overlap.
    before_arrival = robin.get("/reservations/seats?after=2026-03-03T14:30:00+0100&before=2026-03-03T15:00:00+0100&seat_ids=1002")

    assert overlapping.status_code == 200, overlapping.json()
    assert [item["seat_id"] for item in overlapping.json()["data"]] == [1002]
    assert before_arrival.status_code == 200, before_arrival.json()
    assert before_arrival.json()["data"] == []


def test_list_seat_reservations_window_is_half_open(robin):
    ending = listed(robin, seat_ids=1002, after="2026-03-03T22:00:00Z", before="2026-03-04T00:00:00Z")
    starting = listed(robin, seat_ids=1002, after="2026-03-03T13:00:00Z", before="2026-03-03T14:00:00Z")

    assert ending == []
    assert starting == []


def test_list_seat_reservations_leaves_out_disabled_seats_unless_asked(robin, store: Store):
    diegos = seeded_id(robin, 1001)
    with store.session(write=True) as session:
        seat = session.get(Resource, 1001)
        assert seat is not None
        seat.is_disabled = True
        session.add(seat)
        session.commit()

    default = listed(robin, seat_ids="1001,1002", **WIDE)
    included = listed(robin, seat_ids="1001,1002", include_disabled_seats="true", **WIDE)
    everything = listed(robin, include_disabled_seats="true", **WIDE)

    assert [item["seat_id"] for item in default] == [1002]
    assert ids(included)[0] == diegos
    assert [item["seat_id"] for item in included] == [1001, 1002]
    assert diegos in ids(everything)


def test_list_seat_reservations_pages(robin):
    first = robin.get("/reservations/seats", params={"per_page": 2, "seat_ids": UNASSIGNED_SEATS})
    second = robin.get("/reservations/seats", params={"per_page": 2, "page": 2, "seat_ids": UNASSIGNED_SEATS})
    everything = ids(listed(robin, seat_ids=UNASSIGNED_SEATS))

    assert first.status_code == 200
    assert first.json()["paging"] == {"page": 1, "per_page": 2, "has_next_page": True}
    assert second.status_code == 200
    assert second.json()["paging"] == {"page": 2, "per_page": 2, "has_next_page": False}
    assert ids(first.json()["data"]) + ids(second.json()["data"]) == everything
    assert len(everything) == 3


def test_list_seat_reservations_refuses_ids_that_are_not_numbers(robin):
    response = robin.get("/reservations/seats", params={"seat_ids": "1001,A-02"})

    assert_field_error(response, "seat_ids")


def test_list_seat_reservations_refuses_a_window_that_ends_before_it_starts(robin):
    backwards = {"after": "2026-03-04T00:00:00Z", "before": "2026-03-03T00:00:00Z"}

    response = robin.get("/reservations/seats", params=backwards)

    assert_field_error(response, "before")


def test_list_seat_reservations_of_another_organization_holds_none_of_ours(client, other_organization):
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.get("/reservations/seats", params=WIDE)

    assert response.status_code == 200
    assert response.json()["data"] == []


# Reading one


def test_get_seat_reservation_answers_the_seeded_one(robin):
    julia = user_id(robin, JULIA_EMAIL)
    julias = seeded_id(robin, 1002)

    response = robin.get(f"/reservations/seats/{julias}")

    assert response.status_code == 200
    reservation = response.json()["data"]
    assert reservation["id"] == julias
    assert (reservation["seat_id"], reservation["type"], reservation["title"]) == (1002, "hoteled", "Client prep")
    assert reservation["reserver_id"] == julia
    assert reservation["reservee"]["email"] == JULIA_EMAIL
    assert reservation["start"] == {"date_time": "2026-03-03T09:00:00-0500", "time_zone": NEW_YORK}
    assert reservation["end"] == {"date_time": "2026-03-03T17:00:00-0500", "time_zone": NEW_YORK}


def test_get_seat_reservation_series_master(robin):
    rahuls = seeded_id(robin, 2001)

    response = robin.get(f"/reservations/seats/{rahuls}")

    assert response.status_code == 200
    master = response.json()["data"]
    assert master["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=4"]
    assert (master["series_id"], master["recurrence_id"]) == (None, None)
    assert master["start"] == {"date_time": "2026-03-03T09:00:00+0530", "time_zone": KOLKATA}


def test_get_seat_reservation_instance(robin):
    rahuls = seeded_id(robin, 2001)

    response = robin.get(f"/reservations/seats/{rahuls}_20260317T033000Z")

    assert response.status_code == 200
    instance = response.json()["data"]
    assert instance["id"] == f"{rahuls}_20260317T033000Z"
    assert (instance["series_id"], instance["recurrence_id"]) == (rahuls, "20260317T033000Z")
    assert instance["recurrence"] is None
    assert instance["start"] == {"date_time": "2026-03-17T09:00:00+0530", "time_zone": KOLKATA}
    assert instance["end"] == {"date_time": "2026-03-17T18:00:00+0530", "time_zone": KOLKATA}


@pytest.mark.parametrize("suffix", ["_20260311T033000Z", "_20260331T033000Z", "_20260303T040000Z"])
def test_get_seat_reservation_instance_off_the_rule_is_404(robin, suffix):
    rahuls = seeded_id(robin, 2001)

    response = robin.get(f"/reservations/seats/{rahuls}{suffix}")

    assert response.status_code == 404


def test_get_instance_of_a_single_seat_reservation_is_404(robin):
    julias = seeded_id(robin, 1002)

    response = robin.get(f"/reservations/seats/{julias}_20260303T140000Z")

    assert response.status_code == 404


@pytest.mark.parametrize("reference", ["999999999", "abc", "12_notadate"])
def test_get_unknown_seat_reservation_is_404(robin, reference):
    response = robin.get(f"/reservations/seats/{reference}")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


def test_get_seat_reservation_with_an_event_id_is_404(robin):
    event = robin.get("/spaces/49/events", params={"after": "2026-03-03T00:00:00Z", "before": "2026-03-04T00:00:00Z"})
    assert event.status_code == 200
    event_id = event.json()["data"][0]["id"]

    response = robin.get(f"/reservations/seats/{event_id}")

    assert response.status_code == 404


def test_seat_reservation_is_not_an_event(robin):
    julias = seeded_id(robin, 1002)

    response = robin.get(f"/events/{julias}")

    assert response.status_code == 404


def test_get_seat_reservation_of_another_organization_is_403(robin, client, other_organization):
    julias = seeded_id(robin, 1002)
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.get(f"/reservations/seats/{julias}")

    assert response.status_code == 403


# Cancelling


def test_cancel_seat_reservation_frees_the_seat(robin):
    diegos = seeded_id(robin, 1001)

    response = robin.delete(f"/reservations/seats/{diegos}")

    assert response.status_code == 200
    assert response.json()["data"] == {}
    assert robin.get(f"/reservations/seats/{diegos}").status_code == 404
    assert listed(robin, seat_ids=1001, **WIDE) == []
    assert reserve(robin, 1001, "2026-03-02T12:00:00", "2026-03-02T13:00:00").status_code == 200


def test_cancel_seat_reservation_frees_the_person(robin):
    diegos = seeded_id(robin, 1001)
    elsewhere = {"reservee": {"email": DIEGO_EMAIL}}
    seated = reserve(robin, 1003, "2026-03-02T12:00:00", "2026-03-02T13:00:00", **elsewhere)
    assert_conflict(seated, "reservee_already_seated")

    assert robin.delete(f"/reservations/seats/{diegos}").status_code == 200

    assert reserve(robin, 1003, "2026-03-02T12:00:00", "2026-03-02T13:00:00", **elsewhere).status_code == 200


def test_cancel_seat_reservation_twice_is_404(robin):
    diegos = seeded_id(robin, 1001)
    assert robin.delete(f"/reservations/seats/{diegos}").status_code == 200

    response = robin.delete(f"/reservations/seats/{diegos}")

    assert response.status_code == 404


def test_member_cannot_cancel_someone_elses_seat_reservation(member, robin):
    julias = seeded_id(robin, 1002)

    response = member.delete(f"/reservations/seats/{julias}")

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert robin.get(f"/reservations/seats/{julias}").status_code == 200


def test_member_cancels_their_own_seat_reservation(member):
    mine = reserved(member, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    response = member.delete(f"/reservations/seats/{mine['id']}")

    assert response.status_code == 200
    assert member.get(f"/reservations/seats/{mine['id']}").status_code == 404


def test_member_cancels_a_seat_reservation_made_for_them(member, robin):
    made_for_ben = reserved(robin, 1003, "2026-03-03T09:00:00", "2026-03-03T17:00:00", reservee={"user_id": BEN_ID})

    response = member.delete(f"/reservations/seats/{made_for_ben['id']}")

    assert response.status_code == 200


def test_cancel_one_instance_of_a_seat_reservation_series(robin):
    rahuls = seeded_id(robin, 2001)

    response = robin.delete(f"/reservations/seats/{rahuls}_20260310T033000Z")

    assert response.status_code == 200
    assert robin.get(f"/reservations/seats/{rahuls}_20260310T033000Z").status_code == 404
    assert robin.get(f"/reservations/seats/{rahuls}").status_code == 200
    remaining = listed(robin, seat_ids=2001, **WIDE)
    assert [item["recurrence_id"] for item in remaining] == [RAHUL_WEEKS[0], RAHUL_WEEKS[2], RAHUL_WEEKS[3]]
    freed = reserve(robin, 2001, "2026-03-10T10:00:00", "2026-03-10T11:00:00", time_zone=KOLKATA)
    assert freed.status_code == 200, freed.json()


def test_cancel_a_seat_reservation_series_removes_every_instance(robin):
    rahuls = seeded_id(robin, 2001)

    response = robin.delete(f"/reservations/seats/{rahuls}")

    assert response.status_code == 200
    assert listed(robin, seat_ids=2001, **WIDE) == []
    assert robin.get(f"/reservations/seats/{rahuls}_20260317T033000Z").status_code == 404


def test_cancel_seat_reservation_of_another_organization_is_403(robin, client, other_organization):
    julias = seeded_id(robin, 1002)
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.delete(f"/reservations/seats/{julias}")

    assert response.status_code == 403
    assert robin.get(f"/reservations/seats/{julias}").status_code == 200


# Confirmation (check-in)


def test_confirm_seat_reservation_answers_the_confirmation(robin):
    diego = user_id(robin, DIEGO_EMAIL)
    diegos = seeded_id(robin, 1001)

    response = robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": diego})

    assert response.status_code == 200
    assert response.json()["data"] == {
        "seat_reservation_id": diegos,
        "device_id": None,
        "user_id": diego,
        "confirmed_at": {"date": "2026-03-02 14:00:00.000000", "timezone_type": 3, "timezone": "UTC"},
    }


def test_get_seat_confirmation_answers_it_as_confirming_did(robin, member, wall):
    diego = user_id(robin, DIEGO_EMAIL)
    diegos = seeded_id(robin, 1001)
    confirmed = data(robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": diego, "device_id": 7}))
    wall.advance(minutes=5)

    assert data(robin.get(f"/reservations/seats/{diegos}/confirmation")) == confirmed
    assert data(member.get(f"/reservations/seats/{diegos}/confirmation")) == confirmed
    assert confirmed == data(robin.get(f"/reservations/seats/{diegos}"))["confirmation"]


def test_get_seat_confirmation_of_an_unconfirmed_reservation_is_404(robin):
    diegos = seeded_id(robin, 1001)

    response = robin.get(f"/reservations/seats/{diegos}/confirmation")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"
    assert response.json()["data"] == {}


def test_get_seat_confirmation_of_one_instance(robin, wall):
    rahuls = seeded_id(robin, 2001)
    this_week, next_week = f"{rahuls}_{RAHUL_WEEKS[0]}", f"{rahuls}_{RAHUL_WEEKS[1]}"
    wall.advance(hours=13, minutes=30)
    confirmed = data(robin.put(f"/reservations/seats/{this_week}/confirmation", json={}))

    assert data(robin.get(f"/reservations/seats/{this_week}/confirmation")) == confirmed
    assert confirmed["seat_reservation_id"] == this_week
    assert robin.get(f"/reservations/seats/{next_week}/confirmation").status_code == 404


def test_get_seat_confirmation_of_a_series_names_its_instances(robin):
    rahuls = seeded_id(robin, 2001)

    response = robin.get(f"/reservations/seats/{rahuls}/confirmation")

    assert_refused(response, "instance_required")


@pytest.mark.parametrize("reference", ["999999", "999999_20260303T033000Z", "abc"])
def test_get_seat_confirmation_of_no_reservation_is_404(robin, reference):
    assert robin.get(f"/reservations/seats/{reference}/confirmation").status_code == 404


def test_get_seat_confirmation_of_a_cancelled_reservation_is_404(robin):
    diegos = seeded_id(robin, 1001)
    assert robin.put(f"/reservations/seats/{diegos}/confirmation", json={}).status_code == 200
    assert robin.delete(f"/reservations/seats/{diegos}").status_code == 200

    assert robin.get(f"/reservations/seats/{diegos}/confirmation").status_code == 404


def test_get_seat_confirmation_of_another_organization_is_403(robin, client, other_organization):
    diegos = seeded_id(robin, 1001)
    assert robin.put(f"/reservations/seats/{diegos}/confirmation", json={}).status_code == 200

    response = RobinClient(client, OTHER_TOKEN).get(f"/reservations/seats/{diegos}/confirmation")

    assert response.status_code == 403


def test_member_cannot_confirm_someone_elses_seat_reservation(robin, member):
    diegos = seeded_id(robin, 1001)

    response = member.put(f"/reservations/seats/{diegos}/confirmation", json={})

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert robin.get(f"/reservations/seats/{diegos}").json()["data"]["confirmation"] is None


def test_member_confirms_their_own_seat_reservation_as_themselves_only(robin, member):
    ada = user_id(robin, ADA_EMAIL)
    mine = reserved(member, 1003, "2026-03-02T09:05:00", "2026-03-02T17:00:00")

    as_ada = member.put(f"/reservations/seats/{mine['id']}/confirmation", json={"user_id": ada})
    as_ben = member.put(f"/reservations/seats/{mine['id']}/confirmation", json={})

    assert as_ada.status_code == 403
    assert as_ben.status_code == 200, as_ben.json()
    assert as_ben.json()["data"]["user_id"] == BEN_ID


def test_confirmed_seat_reservation_shows_accepted_and_the_confirmation(robin, wall):
    diego = user_id(robin, DIEGO_EMAIL)
    diegos = seeded_id(robin, 1001)
    wall.advance(minutes=7, seconds=30, microseconds=250)
    assert robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": diego}).status_code == 200

    reservation = data(robin.get(f"/reservations/seats/{diegos}"))
    in_listing = listed(robin, seat_ids=1001, **WIDE)

    assert reservation["reservee"]["participation_status"] == "accepted"
    assert reservation["confirmation"] == {
        "seat_reservation_id": diegos,
        "device_id": None,
        "user_id": diego,
        "confirmed_at": {"date": "2026-03-02 14:07:30.000250", "timezone_type": 3, "timezone": "UTC"},
    }
    assert in_listing == [reservation]


def test_confirm_seat_reservation_without_a_body_confirms_the_caller(robin):
    diegos = seeded_id(robin, 1001)

    response = robin.put(f"/reservations/seats/{diegos}/confirmation")

    assert response.status_code == 200
    assert response.json()["data"]["user_id"] == 1


def test_confirm_seat_reservation_twice_is_refused(robin):
    diegos = seeded_id(robin, 1001)
    assert robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": 1}).status_code == 200

    response = robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": 1})

    error = assert_refused(response, "event_already_confirmed")
    assert error["message"] == f"Cannot confirm desk with ID `{diegos}`. Confirmation already exists."
    assert response.json()["meta"]["message"] == error["message"]


def test_confirming_an_instance_twice_is_refused_naming_the_instance(robin, wall):
    instance = f"{seeded_id(robin, 2001)}_20260303T033000Z"
    wall.advance(hours=13, minutes=20)
    assert robin.put(f"/reservations/seats/{instance}/confirmation").status_code == 200

    response = robin.put(f"/reservations/seats/{instance}/confirmation")

    error = assert_refused(response, "event_already_confirmed")
    assert error["message"] == f"Cannot confirm desk with ID `{instance}`. Confirmation already exists."


def test_confirm_seat_reservation_that_has_ended_is_too_late(robin):
    vikrams = seeded_id(robin, 2002)

    response = robin.put(f"/reservations/seats/{vikrams}/confirmation", json={"user_id": 1})

    error = assert_refused(response, "too_late_to_confirm_event")
    assert error["message"] == "You cannot confirm a seat reservation in the past."
    assert data(robin.get(f"/reservations/seats/{vikrams}"))["confirmation"] is None


def test_confirm_seat_reservation_closes_when_it_ends(robin, wall):
    julias = seeded_id(robin, 1002)
    # Julia's reservation ends Tuesday 22:00 UTC.
    wall.advance(days=1, hours=8)

    response = robin.put(f"/reservations/seats/{julias}/confirmation", json={"user_id": 1})

    assert_refused(response, "too_late_to_confirm_event")


def test_confirm_seat_reservation_just_before_it_ends(robin, wall):
    # Seat 2009 has no check-in window, so nothing releases the reservation before its end.
    held = reserved(robin, 2009, "2026-03-03T10:00:00", "2026-03-03T18:00:00", time_zone="Asia/Kolkata")
    wall.now = datetime(2026, 3, 3, 12, 29, tzinfo=UTC)  # 17:59 in Kolkata

    response = robin.put(f"/reservations/seats/{held['id']}/confirmation", json={"user_id": 1})

    assert response.status_code == 200, response.json()


def test_confirm_seat_reservation_too_early(robin, wall):
    julias = seeded_id(robin, 1002)
    # Julia's reservation starts Tuesday 14:00 UTC; 13:44 is sixteen minutes before.
    wall.advance(hours=23, minutes=44)

    response = robin.put(f"/reservations/seats/{julias}/confirmation", json={"user_id": 1})

    assert_refused(response, "too_early_to_confirm_event")


def test_confirm_seat_reservation_opens_fifteen_minutes_before(robin, wall):
    julia = user_id(robin, JULIA_EMAIL)
    julias = seeded_id(robin, 1002)
    wall.advance(hours=23, minutes=45)

    response = robin.put(f"/reservations/seats/{julias}/confirmation", json={"user_id": julia})

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["confirmed_at"]["date"] == "2026-03-03 13:45:00.000000"


def test_confirm_seat_reservation_series_master_is_refused(robin, wall):
    rahuls = seeded_id(robin, 2001)
    wall.advance(hours=13, minutes=30)

    response = robin.put(f"/reservations/seats/{rahuls}/confirmation", json={"user_id": 1})

    assert_refused(response, "instance_required")


def test_confirm_one_instance_of_a_seat_reservation_series(robin, wall):
    rahul = user_id(robin, RAHUL_EMAIL)
    rahuls = seeded_id(robin, 2001)
    wall.advance(hours=13, minutes=30)
    this_week, next_week = f"{rahuls}_{RAHUL_WEEKS[0]}", f"{rahuls}_{RAHUL_WEEKS[1]}"

    response = robin.put(f"/reservations/seats/{this_week}/confirmation", json={"user_id": rahul})

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["seat_reservation_id"] == this_week
    assert data(robin.get(f"/reservations/seats/{this_week}"))["reservee"]["participation_status"] == "accepted"
    assert data(robin.get(f"/reservations/seats/{next_week}"))["reservee"]["participation_status"] == "not_responded"
    early = robin.put(f"/reservations/seats/{next_week}/confirmation", json={"user_id": rahul})
    assert_refused(early, "too_early_to_confirm_event")


def test_confirm_cancelled_seat_reservation_is_404(robin):
    diegos = seeded_id(robin, 1001)
    assert robin.delete(f"/reservations/seats/{diegos}").status_code == 200

    response = robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": 1})

    assert response.status_code == 404


def test_confirm_seat_reservation_for_an_unknown_user_is_400(robin):
    diegos = seeded_id(robin, 1001)

    response = robin.put(f"/reservations/seats/{diegos}/confirmation", json={"user_id": 999999})

    assert_field_error(response, "user_id")
    assert data(robin.get(f"/reservations/seats/{diegos}"))["confirmation"] is None
