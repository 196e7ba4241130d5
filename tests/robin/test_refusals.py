"""Robin's words for the core's refusals: each reason code a rule or an overlap answers with, its
message (in `meta.message` and `meta.errors[0]`) and its details, as the live API says them.

NOW is Monday 2 March 2026, 09:00 in New York. Seats: 1003 hoteled (P1D longest, P14D ahead),
1007 Ada's assigned desk, 1008 a shared desk assigned MO to TH, 1010 disabled, 1011 not reservable,
1012 hot (PT10H longest). Spaces: 53 not reservable, 59 bookable, 62 disabled.
"""

from typing import Any

import pytest

from tests.conftest import RobinClient
from tests.robin.test_events import book, booked
from tests.robin.test_seat_reservations import BEN_EMAIL, reserve, reserved

pytestmark = pytest.mark.wire

WEEKLY = "RRULE:FREQ=WEEKLY;BYDAY=WE;BYHOUR=0;BYMINUTE=0;BYSECOND=0"


def refusal(response: Any, status: int = 400) -> tuple[str, str, dict[str, Any]]:
    """The reason, message and details of the one error a refusal answers with."""
    assert response.status_code == status, response.text
    meta = response.json()["meta"]
    (error,) = meta["errors"]
    assert error["domain"] == "scheduling"
    assert meta["message"] == error["message"]
    return error["reason"], error["message"], error["details"]


# Spaces and seats that take no booking


@pytest.mark.parametrize(
    ("space_id", "reason", "message"),
    [
        (62, "space_disabled", "Space 62 is disabled and can't be booked"),
        (53, "space_not_reservable", "Space 53 can't be reserved"),
    ],
)
def test_create_event_in_a_space_that_takes_none_names_the_space(robin: RobinClient, space_id: int, reason: str, message: str):
    response = book(robin, space_id, "2027-01-04T10:00:00", "2027-01-04T11:00:00")

    assert refusal(response) == (reason, message, {})


@pytest.mark.parametrize(
    ("seat_id", "reason", "message"),
    [
        (1010, "seat_disabled", "Seat `1010` is disabled and can't be reserved"),
        (1011, "seat_not_reservable", "Seat `1011` can't be reserved"),
    ],
)
def test_reserve_a_seat_that_takes_none_names_the_seat(robin: RobinClient, seat_id: int, reason: str, message: str):
    response = reserve(robin, seat_id, "2026-03-03T09:00:00", "2026-03-03T17:00:00")

    assert refusal(response) == (reason, message, {})


# Changing and confirming events


def test_update_of_an_instance_names_its_series(robin: RobinClient):
    series = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.patch(f"/events/{series['id']}_20270105T150000Z", json={"title": "Changed"})

    assert refusal(response) == (
        "instance_not_editable",
        f"An instance of a recurring event can't be changed on its own; change the series {series['id']} instead",
        {},
    )


def test_update_of_a_cancelled_event_is_refused(robin: RobinClient):
    event = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    assert robin.delete(f"/events/{event['id']}").status_code == 200

    response = robin.patch(f"/events/{event['id']}", json={"title": "Back"})

    assert refusal(response) == ("event_cancelled", "A cancelled event can't be changed", {})


def test_confirm_an_event_series_names_its_first_instance(robin: RobinClient):
    series = booked(robin, 59, "2026-03-02T09:05:00", "2026-03-02T10:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.put(f"/events/{series['id']}/confirmation", json={})

    assert refusal(response) == (
        "instance_required",
        f"Event {series['id']} is a recurring series: confirm one of its instances, such as {series['id']}_20260302T140500Z",
        {},
    )


def test_confirm_a_seat_reservation_series_names_its_first_instance(robin: RobinClient):
    series = reserved(robin, 1003, "2026-03-02T09:05:00", "2026-03-02T17:00:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.put(f"/reservations/seats/{series['id']}/confirmation", json={})

    assert refusal(response) == (
        "instance_required",
        (
            f"Seat reservation {series['id']} is a recurring series: confirm one of its instances, such as "
            f"{series['id']}_20260302T140500Z"
        ),
        {},
    )


# A desk's policies


def test_an_assigned_desk_is_refused_to_anyone_but_its_assignee(robin: RobinClient):
    response = reserve(robin, 1007, "2026-03-04T09:00:00", "2026-03-04T12:00:00", "assigned", reservee={"email": BEN_EMAIL})

    assert refusal(response) == (
        "seat_booking_policy_violation",
        "Seat `1007` is assigned to Ada Okafor and can't be reserved by anyone else.",
        {"policy": "seat_reservation_types_allowed", "allowed_types": ["assigned"]},
    )


def test_an_assigned_desk_without_an_assignee_is_refused_to_everyone(robin: RobinClient):
    changed = robin.put("/seats/1003/settings/seat-reservation-types-allowed", json={"value": ["assigned"]})
    assert changed.status_code == 200, changed.text

    response = reserve(robin, 1003, "2026-03-04T09:00:00", "2026-03-04T12:00:00", "assigned")

    assert refusal(response) == (
        "seat_booking_policy_violation",
        "Seat `1003` is an assigned desk without an assignee and can't be reserved.",
        {"policy": "seat_reservation_types_allowed", "allowed_types": ["assigned"]},
    )


def test_a_type_the_desk_does_not_take_is_refused_naming_those_it_takes(robin: RobinClient):
    response = reserve(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T12:00:00", "hot")

    assert refusal(response) == (
        "seat_booking_policy_violation",
        "Seat `1003` takes reservations of type hoteled, not hot.",
        {"policy": "seat_reservation_types_allowed", "allowed_types": ["hoteled"]},
    )


@pytest.mark.parametrize(
    ("seat_id", "kind", "end", "longest", "spoken"),
    [(1003, "hoteled", "2026-03-05T09:01:00", "P1D", "1 day"), (1012, "hot", "2026-03-02T20:01:00", "PT10H", "10 hours")],
)
def test_a_reservation_longer_than_the_desk_takes_says_its_longest(
    robin: RobinClient, seat_id: int, kind: str, end: str, longest: str, spoken: str
):
    start = "2026-03-04T09:00:00" if kind == "hoteled" else "2026-03-02T10:00:00"

    response = reserve(robin, seat_id, start, end, kind)

    assert refusal(response) == (
        "seat_booking_policy_violation",
        f"The reservation is too long. Reservations for seat `{seat_id}` cannot be longer than {spoken}.",
        {"policy": "seat_reservation_max_length", "max_length": longest},
    )


def test_a_hot_reservation_on_another_day_is_refused(robin: RobinClient):
    response = reserve(robin, 1012, "2026-03-03T09:00:00", "2026-03-03T12:00:00", "hot")

    assert refusal(response) == (
        "seat_booking_policy_violation",
        "A hot reservation is made on the day it starts, and ends that same calendar day.",
        {"policy": "hot_reservation_same_day"},
    )


def test_a_reverse_hoteled_reservation_on_a_day_not_excluded_names_the_day(robin: RobinClient):
    response = reserve(
        robin, 1008, "2026-03-04T09:00:00", "2026-03-04T17:00:00", "reverse_hoteled", reservee={"email": BEN_EMAIL}
    )

    assert refusal(response) == (
        "seat_booking_policy_violation",
        (
            "Seat `1008` takes reverse_hoteled reservations only on days excluded from its shared reservations: "
            "2026-03-04 (WE) is not one of them."
        ),
        {"policy": "reverse_hoteled_on_exclusions", "day": "2026-03-04"},
    )


def test_a_shared_reservation_is_published_not_reserved(robin: RobinClient):
    response = reserve(robin, 1008, "2026-03-06T09:00:00", "2026-03-06T17:00:00", "shared", reservee={"email": BEN_EMAIL})

    assert refusal(response) == (
        "seat_booking_policy_violation",
        (
            "Seat `1008` takes reservations of type reverse_hoteled, not shared. "
            "Shared reservations assign the desk: use /seats/:id/publish-shared-schedule."
        ),
        {"policy": "seat_reservation_types_allowed", "allowed_types": ["assigned", "shared"]},
    )


def test_publishing_a_schedule_of_a_desk_that_is_not_shared_is_refused(robin: RobinClient):
    response = robin.post("/seats/1003/publish-shared-schedule", json={"reservee": {"email": BEN_EMAIL}, "recurrence": [WEEKLY]})

    assert refusal(response) == (
        "seat_booking_policy_violation",
        (
            'Seat `1003` is not a shared desk: only a desk of type ["assigned", "shared"] or ["hoteled", "shared"] '
            "has a shared schedule"
        ),
        {"policy": "shared_desk_schedule"},
    )


def test_an_exclusion_of_a_whole_assignment_is_refused(robin: RobinClient):
    assignment = next(
        item
        for item in robin.get(
            "/reservations/seats", params={"seat_ids": 1008, "after": "2026-03-02T05:00:00Z", "before": "2026-03-03T05:00:00Z"}
        ).json()["data"]
    )

    response = robin.post(f"/reservations/seats/{assignment['series_id']}/exclusions")

    assert refusal(response) == (
        "exclusion_not_allowed",
        (
            f"Seat reservation {assignment['series_id']} is a whole shared reservation: an exclusion is made on one "
            "instance of a shared reservation, one assigned day"
        ),
        {},
    )


# Overlaps


def test_an_overlapping_event_names_the_event_and_the_space(robin: RobinClient):
    first = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    reason, message, _ = refusal(book(robin, 59, "2027-01-04T15:30:00Z", "2027-01-04T16:30:00Z"), 409)

    assert (reason, message) == ("event_conflict", f"The requested time conflicts with event {first['id']} in space 59")


def test_an_overlapping_seat_reservation_names_the_seat_and_the_reservation(robin: RobinClient):
    first = reserved(robin, 1003, "2026-03-04T09:00:00", "2026-03-04T12:00:00", reservee={"email": BEN_EMAIL})

    reason, message, _ = refusal(reserve(robin, 1003, "2026-03-04T11:00:00", "2026-03-04T17:00:00"), 409)

    assert (reason, message) == (
        "seat_reservation_conflict",
        f"Seat `1003` is already reserved at that time (reservation {first['id']})",
    )


def test_a_second_seat_for_one_person_names_the_seat_they_hold(robin: RobinClient):
    first = reserved(robin, 1003, "2026-03-04T09:00:00", "2026-03-04T12:00:00", reservee={"email": BEN_EMAIL})

    second = reserve(robin, 1004, "2026-03-04T11:00:00", "2026-03-04T17:00:00", reservee={"email": BEN_EMAIL})
    reason, message, _ = refusal(second, 409)

    assert (reason, message) == (
        "reservee_already_seated",
        f"Ben Carter already holds seat `1003` at that time (reservation {first['id']})",
    )
