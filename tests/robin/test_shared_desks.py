"""Shared assigned desks through HTTP, as Robin's reference describes them: a `shared` reservation
assigns a desk to one person on weekdays, midnight to midnight in the desk's building's zone;
publish-shared-schedule makes them; exclusions free an assigned day; `reverse_hoteled`
reservations are made on excluded days; `["hoteled","shared"]` desks are hoteled on days nobody
is assigned, `["assigned","shared"]` desks never.

The demo store, relative to NOW (Monday 2 March 2026, 09:00 in New York): B-02 (1008,
["assigned","shared"]) is Hannah's on Mondays and Tuesdays and Kwame's on Wednesdays and
Thursdays; B-03 (1009, ["hoteled","shared"]) is Oscar's on Wednesdays and Thursdays; N-06 (2006,
["assigned","shared"], Bengaluru) is Yasmin's on Mondays, Tuesdays and Thursdays; S-02 (2008,
["hoteled","shared"], Bengaluru) is assigned to nobody. Daylight-saving time begins in New York
on Sunday 8 March.
"""

from typing import Any

import pytest
from sqlmodel import select

from sandbox.store.engine import Store
from sandbox.store.models import AccessToken, User
from tests.conftest import NOW, KadenceClient, RobinClient, Wall

NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
HANNAH_EMAIL = "hannah.kim@meridian.example"
KWAME_EMAIL = "kwame.mensah@meridian.example"
OSCAR_EMAIL = "oscar.reyes@meridian.example"
CHLOE_EMAIL = "chloe.martin@meridian.example"
BEN_EMAIL = "ben.carter@meridian.example"
HANNAH_TOKEN = "hannah-assignee-token"
FIRST_WEEK = {"after": "2026-03-02T00:00:00-0500", "before": "2026-03-09T00:00:00-0400"}
SECOND_WEEK = {"after": "2026-03-09T00:00:00-0400", "before": "2026-03-16T00:00:00-0400"}


def weekly(days: str) -> list[str]:
    return [f"RRULE:FREQ=WEEKLY;BYDAY={days};BYHOUR=0;BYMINUTE=0;BYSECOND=0"]


def moment(date_time: str, time_zone: str = NEW_YORK) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def reserve(client: RobinClient, seat_id: int, start: str, end: str, kind: str, **fields: Any) -> Any:
    body = {"type": kind, "start": moment(start), "end": moment(end), **fields}
    return client.post(f"/seats/{seat_id}/reservations", json=body)


def publish(client: RobinClient, seat_id: int, email: str, recurrence: Any) -> Any:
    return client.post(f"/seats/{seat_id}/publish-shared-schedule", json={"reservee": {"email": email}, "recurrence": recurrence})


def data(response: Any) -> Any:
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def listed(client: RobinClient, seat_id: int, window: dict[str, str]) -> list[dict[str, Any]]:
    return data(client.get("/reservations/seats", params={"seat_ids": seat_id, "per_page": 100, **window}))  # type: ignore[no-any-return]  # decoded JSON


def days_of(reservations: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return [
        (item["reservee"]["email"], item["type"], item["start"]["date_time"], item["end"]["date_time"]) for item in reservations
    ]


def assignment_of(client: RobinClient, seat_id: int, email: str, window: dict[str, str] = FIRST_WEEK) -> str:
    """The series id of `email`'s assignment of the seat."""
    series = {item["series_id"] for item in listed(client, seat_id, window) if item["reservee"]["email"] == email}
    assert len(series) == 1, series
    return series.pop()  # type: ignore[no-any-return]  # decoded JSON


def exclude(client: RobinClient, instance_id: str) -> Any:
    return client.post(f"/reservations/seats/{instance_id}/exclusions")


def policy_error(response: Any, policy: str) -> dict[str, Any]:
    assert response.status_code == 400, response.json()
    assert response.json()["meta"]["status"] == "BAD_REQUEST"
    error: dict[str, Any] = response.json()["meta"]["errors"][0]
    assert (error["reason"], error["details"]["policy"]) == ("seat_booking_policy_violation", policy)
    return error


def conflict_reason(response: Any) -> str:
    assert response.status_code == 409, response.json()
    return response.json()["meta"]["errors"][0]["reason"]  # type: ignore[no-any-return]  # decoded JSON


@pytest.fixture
def hannah(store: Store, robin: RobinClient) -> RobinClient:
    """Hannah Kim, a member assigned desk B-02 (1008) on Mondays and Tuesdays."""
    with store.session(write=True) as session:
        person = session.exec(select(User).where(User.email == HANNAH_EMAIL)).one()
        token = AccessToken(token=HANNAH_TOKEN, user_id=person.id or 0, organization_id=person.organization_id, created_at=NOW)
        session.add(token)
        session.commit()
    return RobinClient(robin.client, HANNAH_TOKEN)


# Assignments are reservations


def test_assignments_are_listed_as_shared_reservations_midnight_to_midnight(robin: RobinClient) -> None:
    listing = listed(robin, 1008, FIRST_WEEK)

    assert days_of(listing) == [
        (HANNAH_EMAIL, "shared", "2026-03-02T00:00:00-0500", "2026-03-03T00:00:00-0500"),
        (HANNAH_EMAIL, "shared", "2026-03-03T00:00:00-0500", "2026-03-04T00:00:00-0500"),
        (KWAME_EMAIL, "shared", "2026-03-04T00:00:00-0500", "2026-03-05T00:00:00-0500"),
        (KWAME_EMAIL, "shared", "2026-03-05T00:00:00-0500", "2026-03-06T00:00:00-0500"),
    ]
    assert {item["start"]["time_zone"] for item in listing} == {NEW_YORK}


def test_assigned_days_follow_the_buildings_zone_across_daylight_saving(robin: RobinClient) -> None:
    listing = listed(robin, 1008, SECOND_WEEK)

    assert [item["start"]["date_time"] for item in listing][:2] == ["2026-03-09T00:00:00-0400", "2026-03-10T00:00:00-0400"]
    assert [item["id"].split("_")[1] for item in listing][:2] == ["20260309T040000Z", "20260310T040000Z"]


def test_an_assignment_is_a_weekly_series_without_end(robin: RobinClient) -> None:
    series_id = assignment_of(robin, 1009, OSCAR_EMAIL)

    assignment = data(robin.get(f"/reservations/seats/{series_id}"))

    assert assignment["type"] == "shared"
    assert assignment["recurrence"] == weekly("WE,TH")
    assert assignment["start"] == moment("2026-03-04T00:00:00-0500")
    assert assignment["end"] is None
    assert assignment["reservee"]["email"] == OSCAR_EMAIL


def test_an_assignee_holds_the_desk_on_assigned_days_and_no_other_desk(robin: RobinClient) -> None:
    elsewhere = reserve(robin, 1006, "2026-03-09T09:00:00", "2026-03-09T17:00:00", "hoteled", reservee={"email": HANNAH_EMAIL})
    wednesday = reserve(robin, 1006, "2026-03-11T09:00:00", "2026-03-11T17:00:00", "hoteled", reservee={"email": HANNAH_EMAIL})

    assert conflict_reason(elsewhere) == "reservee_already_seated"
    assert wednesday.status_code == 200, wednesday.json()


# Publishing a shared schedule


def test_publish_shared_schedule_assigns_the_desk_from_today_on(robin: RobinClient) -> None:
    response = publish(robin, 2008, CHLOE_EMAIL, weekly("WE,TH"))

    assignment = data(response)
    assert assignment["type"] == "shared"
    assert assignment["seat_id"] == 2008
    assert assignment["reservee"]["email"] == CHLOE_EMAIL
    assert assignment["recurrence"] == weekly("WE,TH")
    # Monday 19:30 in Bengaluru: the first assigned day is Wednesday.
    assert assignment["start"] == moment("2026-03-04T00:00:00+0530", KOLKATA)
    assert assignment["end"] is None
    week = {"after": "2026-03-02T00:00:00+0530", "before": "2026-03-09T00:00:00+0530"}
    assert [item["start"]["date_time"] for item in listed(robin, 2008, week)] == [
        "2026-03-04T00:00:00+0530",
        "2026-03-05T00:00:00+0530",
    ]


def test_several_people_are_assigned_one_desk_on_different_days(robin: RobinClient) -> None:
    data(publish(robin, 1008, CHLOE_EMAIL, weekly("FR")))

    owners = [(item["reservee"]["email"], item["start"]["date_time"][:10]) for item in listed(robin, 1008, FIRST_WEEK)]

    assert owners == [
        (HANNAH_EMAIL, "2026-03-02"),
        (HANNAH_EMAIL, "2026-03-03"),
        (KWAME_EMAIL, "2026-03-04"),
        (KWAME_EMAIL, "2026-03-05"),
        (CHLOE_EMAIL, "2026-03-06"),
    ]


def test_publish_shared_schedule_refuses_a_day_someone_else_is_assigned(robin: RobinClient) -> None:
    response = publish(robin, 1008, CHLOE_EMAIL, weekly("WE,TH"))

    assert conflict_reason(response) == "seat_reservation_conflict"
    assert CHLOE_EMAIL not in {item["reservee"]["email"] for item in listed(robin, 1008, FIRST_WEEK)}


def test_publish_shared_schedule_again_replaces_the_persons_days(robin: RobinClient) -> None:
    data(publish(robin, 1008, HANNAH_EMAIL, weekly("FR")))

    owners = [(item["reservee"]["email"], item["start"]["date_time"][:10]) for item in listed(robin, 1008, FIRST_WEEK)]

    assert owners == [(KWAME_EMAIL, "2026-03-04"), (KWAME_EMAIL, "2026-03-05"), (HANNAH_EMAIL, "2026-03-06")]


def test_publish_shared_schedule_keeps_the_days_already_past(robin: RobinClient, wall: Wall) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)
    wall.advance(days=7)

    data(publish(robin, 1008, HANNAH_EMAIL, weekly("FR")))

    first_week = [(item["reservee"]["email"], item["start"]["date_time"][:10]) for item in listed(robin, 1008, FIRST_WEEK)]
    assert first_week[:2] == [(HANNAH_EMAIL, "2026-03-02"), (HANNAH_EMAIL, "2026-03-03")]
    second_week = [(item["reservee"]["email"], item["start"]["date_time"][:10]) for item in listed(robin, 1008, SECOND_WEEK)]
    assert second_week == [(KWAME_EMAIL, "2026-03-11"), (KWAME_EMAIL, "2026-03-12"), (HANNAH_EMAIL, "2026-03-13")]
    assert data(robin.get(f"/reservations/seats/{series_id}"))["end"] == moment("2026-03-04T00:00:00-0500")


def test_publish_shared_schedule_twice_in_a_day_after_one_already_ended(robin: RobinClient, wall: Wall) -> None:
    """Hannah's assignment from the seed is ended a week on, and the one that replaces it later the
    same day: each keeps the days it had before that day."""
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)
    wall.advance(days=7)
    data(publish(robin, 1008, HANNAH_EMAIL, weekly("FR")))
    wall.advance(hours=2)

    again = publish(robin, 1008, HANNAH_EMAIL, weekly("MO"))

    assert again.status_code == 200, again.text
    assert data(robin.get(f"/reservations/seats/{series_id}"))["end"] == moment("2026-03-04T00:00:00-0500")
    second_week = [(item["reservee"]["email"], item["start"]["date_time"][:10]) for item in listed(robin, 1008, SECOND_WEEK)]
    assert second_week == [(HANNAH_EMAIL, "2026-03-09"), (KWAME_EMAIL, "2026-03-11"), (KWAME_EMAIL, "2026-03-12")]


def test_publish_no_days_ends_the_assignment(robin: RobinClient) -> None:
    response = publish(robin, 1008, HANNAH_EMAIL, [])

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert {item["reservee"]["email"] for item in listed(robin, 1008, FIRST_WEEK)} == {KWAME_EMAIL}


def test_publish_shared_schedule_by_a_member_is_403(member: RobinClient, robin: RobinClient) -> None:
    response = publish(member, 2008, BEN_EMAIL, weekly("WE"))

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert listed(robin, 2008, FIRST_WEEK) == []


def test_an_assignee_may_not_publish_their_own_schedule(hannah: RobinClient, robin: RobinClient) -> None:
    before = listed(robin, 1008, FIRST_WEEK)

    response = publish(hannah, 1008, HANNAH_EMAIL, weekly("FR"))

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert listed(robin, 1008, FIRST_WEEK) == before


@pytest.mark.parametrize("seat_id", [1001, 1007, 1012])
def test_publish_shared_schedule_refuses_a_desk_that_is_not_shared(robin: RobinClient, seat_id: int) -> None:
    response = publish(robin, seat_id, CHLOE_EMAIL, weekly("MO"))

    policy_error(response, "shared_desk_schedule")


def test_publish_shared_schedule_requires_the_reservee(robin: RobinClient) -> None:
    response = robin.post("/seats/2008/publish-shared-schedule", json={"recurrence": weekly("MO")})

    assert response.status_code == 400
    assert "reservee" in [error.get("field") for error in response.json()["meta"]["errors"]]


@pytest.mark.parametrize(
    "recurrence",
    [
        ["RRULE:FREQ=DAILY;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
        ["RRULE:FREQ=WEEKLY;BYDAY=MO"],
        ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0"],
        ["RRULE:FREQ=WEEKLY;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
        ["RRULE:FREQ=WEEKLY;BYDAY=1MO;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
        ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=0;BYMINUTE=0;BYSECOND=0;COUNT=4"],
        ["EXDATE:20260302T000000Z"],
        weekly("MO") + weekly("FR"),
        ["not a rule"],
    ],
)
def test_publish_shared_schedule_refuses_malformed_rules(robin: RobinClient, recurrence: list[str]) -> None:
    response = publish(robin, 1008, HANNAH_EMAIL, recurrence)

    assert response.status_code == 400
    assert response.json()["meta"]["status"] == "BAD_REQUEST"
    assert "recurrence" in [error.get("field") for error in response.json()["meta"]["errors"]]
    assert [item["start"]["date_time"][:10] for item in listed(robin, 1008, FIRST_WEEK)][:2] == ["2026-03-02", "2026-03-03"]


def test_publish_shared_schedule_accepts_the_rule_as_a_single_string(robin: RobinClient) -> None:
    response = publish(robin, 2008, CHLOE_EMAIL, weekly("FR")[0])

    assert data(response)["recurrence"] == weekly("FR")


# Reserving shared desks


def test_shared_reservations_are_published_not_reserved(member: RobinClient) -> None:
    response = reserve(member, 1008, "2026-03-04T09:00:00", "2026-03-04T17:00:00", "shared")

    error = policy_error(response, "seat_reservation_types_allowed")
    assert "publish-shared-schedule" in error["message"]


def test_an_assigned_shared_desk_is_not_hoteled_on_an_unassigned_day(member: RobinClient) -> None:
    response = reserve(member, 1008, "2026-03-06T09:00:00", "2026-03-06T17:00:00", "hoteled")

    error = policy_error(response, "seat_reservation_types_allowed")
    assert error["details"]["allowed_types"] == ["assigned", "shared"]


def test_an_assigned_shared_desk_is_not_reverse_hoteled_on_a_day_nobody_excluded(member: RobinClient) -> None:
    unassigned = reserve(member, 1008, "2026-03-06T09:00:00", "2026-03-06T17:00:00", "reverse_hoteled")
    assigned = reserve(member, 1008, "2026-03-10T09:00:00", "2026-03-10T17:00:00", "reverse_hoteled")

    assert policy_error(unassigned, "reverse_hoteled_on_exclusions")["details"]["day"] == "2026-03-06"
    assert policy_error(assigned, "reverse_hoteled_on_exclusions")["details"]["day"] == "2026-03-10"


def test_a_hoteled_shared_desk_is_hoteled_on_days_nobody_is_assigned(member: RobinClient) -> None:
    tuesday = reserve(member, 1009, "2026-03-10T09:00:00", "2026-03-10T17:00:00", "hoteled")
    wednesday = reserve(member, 1009, "2026-03-11T09:00:00", "2026-03-11T17:00:00", "hoteled")

    assert tuesday.status_code == 200, tuesday.json()
    assert conflict_reason(wednesday) == "seat_reservation_conflict"


# Exclusions


def test_an_excluded_day_is_reverse_hoteled_by_someone_else(robin: RobinClient, member: RobinClient) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)

    excluded = exclude(robin, f"{series_id}_20260309T040000Z")

    assert data(excluded)["id"] == f"{series_id}_20260309T040000Z"
    assert [item["start"]["date_time"][:10] for item in listed(robin, 1008, SECOND_WEEK)][:2] == ["2026-03-10", "2026-03-11"]
    made = reserve(member, 1008, "2026-03-09T09:00:00", "2026-03-09T17:00:00", "reverse_hoteled")
    assert made.status_code == 200, made.json()
    assert data(made)["type"] == "reverse_hoteled"
    hoteled = reserve(member, 1008, "2026-03-09T09:00:00", "2026-03-09T17:00:00", "hoteled")
    policy_error(hoteled, "seat_reservation_types_allowed")


def test_a_reverse_hoteled_reservation_stays_within_the_excluded_days(robin: RobinClient, member: RobinClient) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)
    data(exclude(robin, f"{series_id}_20260309T040000Z"))

    response = reserve(member, 1008, "2026-03-09T09:00:00", "2026-03-10T09:00:00", "reverse_hoteled")

    assert policy_error(response, "reverse_hoteled_on_exclusions")["details"]["day"] == "2026-03-10"


def test_the_assignee_excludes_their_own_day(robin: RobinClient, hannah: RobinClient) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)

    response = exclude(hannah, f"{series_id}_20260310T040000Z")

    assert response.status_code == 200, response.json()


def test_someone_else_may_not_exclude_an_assigned_day(robin: RobinClient, member: RobinClient) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)

    response = exclude(member, f"{series_id}_20260310T040000Z")

    assert response.status_code == 403
    assert [item["start"]["date_time"][:10] for item in listed(robin, 1008, SECOND_WEEK)][:2] == ["2026-03-09", "2026-03-10"]


def test_an_exclusion_is_of_one_assigned_day(robin: RobinClient, member: RobinClient) -> None:
    series_id = assignment_of(robin, 1008, HANNAH_EMAIL)
    hoteled = data(reserve(member, 1009, "2026-03-10T09:00:00", "2026-03-10T17:00:00", "hoteled"))

    whole = exclude(robin, series_id)
    not_assigned = exclude(robin, hoteled["id"])

    for response in (whole, not_assigned):
        assert response.status_code == 400, response.json()
        assert response.json()["meta"]["errors"][0]["reason"] == "exclusion_not_allowed"


def test_an_excluded_day_of_a_hoteled_shared_desk_is_hoteled_too(robin: RobinClient, member: RobinClient) -> None:
    series_id = assignment_of(robin, 1009, OSCAR_EMAIL)
    data(exclude(robin, f"{series_id}_20260311T040000Z"))

    response = reserve(member, 1009, "2026-03-11T09:00:00", "2026-03-11T17:00:00", "hoteled")

    assert response.status_code == 200, response.json()


# Through Kadence


def test_kadence_lists_assigned_days_as_permanent_bookings(kadence: KadenceClient) -> None:
    # The Monday after NOW: from midnight in Bengaluru to midnight in New York, in UTC.
    window = {"startDateTime[after]": "2026-03-08T18:00:00", "startDateTime[before]": "2026-03-09T05:00:00"}
    bookings = kadence.members("/bookings", type="desk", **window)

    permanent = sorted((booking["space"]["name"], booking["bookingUserEmail"]) for booking in bookings if booking["permanent"])
    assert permanent == [("B-02", HANNAH_EMAIL), ("N-06", "yasmin.qureshi@meridian.example")]
    assert not any(booking["permanent"] for booking in bookings if booking["space"]["name"] not in {"B-02", "B-03", "N-06"})
