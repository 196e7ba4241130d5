"""Robin events through HTTP: booking spaces, reading calendars, changing, cancelling, check-in."""

import re
from datetime import datetime
from typing import Any

import pytest

from sandbox.store.models import Reservation
from tests.conftest import OTHER_TOKEN, RobinClient

pytestmark = pytest.mark.wire

NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
ADA_EMAIL = "ada.okafor@meridian.example"
BEN_EMAIL = "ben.carter@meridian.example"
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$")

DOCUMENTED_BODY = {
    "title": "Weekly Round-Up",
    "description": "Discuss the progress made during the week.",
    "start": {"date_time": "2017-01-06T06:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2017-01-06T07:00:00Z", "time_zone": "America/New_York"},
    "recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20170127T170000Z"],
    "invitees": [
        {"display_name": "Brian Muse", "email": "example1@robinpowered.com"},
        {"display_name": "Jacob Struzik", "email": "example2@robinpowered.com"},
        {"display_name": "Trevor Suarez", "email": "example3@robinpowered.com"},
    ],
}
DOCUMENTED_EVENT_FIELDS = {
    "id",
    "organizer_id",
    "organizer_email",
    "creator_id",
    "creator_email",
    "space_id",
    "title",
    "description",
    "location",
    "remote_event_id",
    "remote_type",
    "creation_type",
    "uid",
    "start",
    "end",
    "series_id",
    "recurrence_id",
    "status",
    "recurrence",
    "is_all_day",
    "visibility",
    "invitees",
    "confirmation",
}
DOCUMENTED_INVITEE_FIELDS = {
    "id",
    "event_id",
    "user_id",
    "email",
    "display_name",
    "response_status",
    "is_organizer",
    "is_resource",
    "updated_at",
    "created_at",
}


def moment(date_time: str, time_zone: str = NEW_YORK) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def book(client: Any, space_id: int, start: str, end: str, time_zone: str = NEW_YORK, **fields: Any) -> Any:
    body = {"start": moment(start, time_zone), "end": moment(end, time_zone), **fields}
    return client.post(f"/spaces/{space_id}/events", json=body)


def booked(client: Any, space_id: int, start: str, end: str, time_zone: str = NEW_YORK, **fields: Any) -> dict[str, Any]:
    response = book(client, space_id, start, end, time_zone, **fields)
    assert response.status_code == 201, response.json()
    return response.json()["data"]


def listed(client: Any, path: str, after: str, before: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(path, params={"after": after, "before": before, "per_page": 100, **params})
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["id"] for event in events]


def user_id(client: Any, email: str) -> int:
    response = client.get(f"/users/{email}")
    assert response.status_code == 200
    return response.json()["data"]["id"]


def instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")


def field_errors(response: Any) -> list[str]:
    return [entry.get("field") for entry in response.json()["meta"]["errors"]]


def assert_bad_request(response: Any, field: str) -> None:
    assert response.status_code == 400
    document = response.json()
    assert document["meta"]["status"] == "BAD_REQUEST"
    assert document["data"] == {}
    assert field in field_errors(response)


# Booking


def test_create_event_with_the_documented_example_answers_the_documented_shape(robin):
    ada = user_id(robin, ADA_EMAIL)

    response = robin.post("/spaces/48/events", json=DOCUMENTED_BODY)

    assert response.status_code == 201
    document = response.json()
    assert document["meta"]["status_code"] == 201
    assert document["meta"]["status"] == "CREATED"
    event = document["data"]
    assert event.keys() >= DOCUMENTED_EVENT_FIELDS
    assert isinstance(event["id"], str)
    assert event["id"].isdigit()
    assert event["space_id"] == 48
    assert event["title"] == "Weekly Round-Up"
    assert event["description"] == "Discuss the progress made during the week."
    assert event["start"] == {"date_time": "2017-01-06T01:00:00-0500", "time_zone": NEW_YORK}
    assert event["end"] == {"date_time": "2017-01-06T02:00:00-0500", "time_zone": NEW_YORK}
    assert event["started_at"] == "2017-01-06T01:00:00-0500"
    assert event["ended_at"] == "2017-01-06T02:00:00-0500"
    assert event["recurrence"] == ["RRULE:FREQ=WEEKLY;UNTIL=20170127T170000Z"]
    assert event["series_id"] is None
    assert event["recurrence_id"] is None
    assert event["status"] == "confirmed"
    assert event["is_all_day"] is False
    assert event["visibility"] == "default"
    assert event["confirmation"] is None
    assert event["creation_type"] == "manual"
    assert (event["organizer_id"], event["creator_id"]) == (ada, ada)
    assert (event["organizer_email"], event["creator_email"]) == (ADA_EMAIL, ADA_EMAIL)
    assert [invitee["email"] for invitee in event["invitees"]] == [
        "example1@robinpowered.com",
        "example2@robinpowered.com",
        "example3@robinpowered.com",
    ]
    for invitee in event["invitees"]:
        assert invitee.keys() >= DOCUMENTED_INVITEE_FIELDS
        assert isinstance(invitee["id"], int)
        assert invitee["event_id"] == event["id"]
        assert invitee["user_id"] is None
        assert invitee["response_status"] == "not_responded"
        assert invitee["is_organizer"] is False
        assert invitee["is_resource"] is False
        assert TIMESTAMP.match(invitee["created_at"])
        assert TIMESTAMP.match(invitee["updated_at"])
    assert len({invitee["id"] for invitee in event["invitees"]}) == 3


def test_create_event_with_the_documented_example_repeats_weekly_until_the_until_bound(robin):
    series = booked(
        robin,
        48,
        "2017-01-06T06:00:00Z",
        "2017-01-06T07:00:00Z",
        **{key: DOCUMENTED_BODY[key] for key in ("title", "recurrence")},
    )

    events = listed(robin, "/spaces/48/events", "2017-01-01T00:00:00Z", "2017-03-01T00:00:00Z")

    assert ids(events) == [
        f"{series['id']}_20170106T060000Z",
        f"{series['id']}_20170113T060000Z",
        f"{series['id']}_20170120T060000Z",
        f"{series['id']}_20170127T060000Z",
    ]
    assert all(event["series_id"] == series["id"] for event in events)


def test_create_event_reads_a_time_without_offset_in_the_given_zone(robin):
    event = booked(robin, 57, "2027-01-04T10:00:00", "2027-01-04T11:00:00")

    assert event["start"]["date_time"] == "2027-01-04T10:00:00-0500"
    assert instant(event["end"]["date_time"]) == instant("2027-01-04T16:00:00+0000")


def test_create_event_renders_times_in_the_event_zone(robin):
    event = booked(robin, 75, "2027-01-04T04:00:00Z", "2027-01-04T05:00:00Z", time_zone=KOLKATA)

    assert event["start"] == {"date_time": "2027-01-04T09:30:00+0530", "time_zone": KOLKATA}
    assert event["started_at"] == "2027-01-04T09:30:00+0530"


def test_create_event_without_title_names_the_space_and_the_booker(robin, member):
    by_admin = booked(robin, 51, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    by_member = booked(member, 52, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", title="  ")

    assert "Phone Booth 1A" in by_admin["title"]
    assert "Ada Okafor" in by_admin["title"]
    assert "Phone Booth 1B" in by_member["title"]
    assert "Ben Carter" in by_member["title"]


def test_create_event_through_events_uses_space_id(robin):
    response = robin.post(
        "/events",
        json={
            "space_id": 52,
            "title": "Sync",
            "start": moment("2027-01-05T15:00:00Z"),
            "end": moment("2027-01-05T15:30:00Z"),
        },
    )

    assert response.status_code == 201
    event = response.json()["data"]
    assert event["space_id"] == 52
    assert ids(listed(robin, "/spaces/52/events", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")) == [event["id"]]
    assert listed(robin, "/spaces/51/events", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z") == []


def test_create_event_through_events_requires_space_id(robin):
    response = robin.post("/events", json={"start": moment("2027-01-05T15:00:00Z"), "end": moment("2027-01-05T16:00:00Z")})

    assert_bad_request(response, "space_id")


def test_create_event_links_invitees_who_are_users(robin):
    """As in the documented example, only invitees who are users carry a display name."""
    ben = user_id(robin, BEN_EMAIL)

    event = booked(
        robin,
        57,
        "2027-01-04T15:00:00Z",
        "2027-01-04T16:00:00Z",
        invitees=[
            {"email": BEN_EMAIL, "display_name": "Benjamin"},
            {"email": "guest@customer.example", "display_name": "A Guest"},
        ],
    )

    known, guest = event["invitees"]
    assert (known["user_id"], known["display_name"]) == (ben, "Ben Carter")
    assert (guest["user_id"], guest["display_name"]) == (None, None)


def test_create_event_requires_authentication(anonymous):
    response = book(anonymous, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 401
    assert response.json()["meta"]["status"] == "UNAUTHORIZED"


def test_create_event_in_another_organization_is_forbidden(robin, other_organization):
    response = book(robin, other_organization["space"], "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


def test_create_event_in_an_unknown_space_is_not_found(robin):
    response = book(robin, 999_999, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


# Validation


def test_create_event_rejects_missing_start(robin):
    response = robin.post("/spaces/57/events", json={"end": moment("2027-01-04T16:00:00Z")})

    assert_bad_request(response, "start")
    assert response.json()["meta"]["message"]


def test_create_event_rejects_unknown_time_zone(robin):
    response = book(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", time_zone="Mars/Olympus_Mons")

    assert_bad_request(response, "start.time_zone")


def test_create_event_rejects_fractional_seconds(robin):
    response = book(robin, 57, "2027-01-04T15:00:00.000Z", "2027-01-04T16:00:00Z")

    assert_bad_request(response, "start.date_time")
    assert listed(robin, "/spaces/57/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


def test_create_event_rejects_unparsable_date(robin):
    response = book(robin, 57, "2027-01-04T15:00:00Z", "next tuesday at noon")

    assert_bad_request(response, "end.date_time")


def test_create_event_rejects_unknown_visibility(robin):
    response = book(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", visibility="secret")

    assert_bad_request(response, "visibility")


def test_create_event_accepts_each_documented_visibility(robin):
    for hour, visibility in enumerate(("default", "public", "private", "personal", "confidential")):
        event = booked(robin, 57, f"2027-01-04T1{hour}:00:00Z", f"2027-01-04T1{hour}:30:00Z", visibility=visibility)
        assert event["visibility"] == visibility


def test_create_event_rejects_invitee_without_email(robin):
    response = book(
        robin,
        57,
        "2027-01-04T15:00:00Z",
        "2027-01-04T16:00:00Z",
        invitees=[
            {"email": "someone@meridian.example"},
            {"display_name": "No Address"},
        ],
    )

    assert_bad_request(response, "invitees.1.email")


def test_create_event_rejects_an_invitee_email_that_is_not_an_address(robin):
    response = book(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", invitees=[{"email": "not-an-address"}])

    assert_bad_request(response, "invitees.0.email")


def test_create_event_accepts_recurrence_given_as_one_string(robin):
    event = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence="RRULE:FREQ=DAILY;COUNT=2")

    assert event["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=2"]
    assert len(listed(robin, "/spaces/57/events", "2027-01-04T00:00:00Z", "2027-01-10T00:00:00Z")) == 2


def test_create_event_rejects_unsupported_or_invalid_recurrence(robin):
    for lines in (
        ["RRULE:FREQ=HOURLY;COUNT=3"],
        ["RRULE:FREQ=DAILY;COUNT=3;UNTIL=20270110T000000Z"],
        ["VEVENT:nothing"],
    ):
        response = book(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=lines)
        assert_bad_request(response, "recurrence")

    assert listed(robin, "/spaces/57/events", "2027-01-04T00:00:00Z", "2027-01-10T00:00:00Z") == []


def test_create_event_rejects_more_than_500_invitees(robin):
    invitees = [{"email": f"guest{number}@example.com"} for number in range(501)]

    response = book(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", invitees=invitees)

    assert_bad_request(response, "invitees")


def test_create_event_accepts_500_invitees(robin):
    invitees = [{"email": f"guest{number}@example.com"} for number in range(500)]

    event = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", invitees=invitees)

    assert len(event["invitees"]) == 500


def test_create_event_rejects_events_of_five_minutes_or_less(robin):
    for end in ("2027-01-04T15:05:00Z", "2027-01-04T15:01:00Z", "2027-01-04T15:00:00Z", "2027-01-04T14:00:00Z"):
        response = book(robin, 57, "2027-01-04T15:00:00Z", end)
        assert response.status_code == 400, end
        assert response.json()["meta"]["errors"]

    assert listed(robin, "/spaces/57/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


def test_create_event_accepts_events_just_over_five_minutes(robin):
    event = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T15:05:01Z")

    assert event["end"]["date_time"] == "2027-01-04T10:05:01-0500"


# Conflicts


def test_create_event_rejects_overlap(robin):
    first = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    response = book(robin, 59, "2027-01-04T15:30:00Z", "2027-01-04T16:30:00Z")

    assert response.status_code == 409
    document = response.json()
    assert document["meta"]["status"] == "CONFLICT"
    assert document["data"] == {}
    error = document["meta"]["errors"][0]
    assert error["reason"] == "event_conflict"
    assert error["details"]["event_id"] == first["id"]
    assert error["details"]["series_id"] is None
    assert ids(listed(robin, "/spaces/59/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z")) == [first["id"]]


def test_create_event_rejects_an_event_enclosing_another(robin):
    inner = booked(robin, 59, "2027-01-04T15:15:00Z", "2027-01-04T15:45:00Z")

    response = book(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["details"]["event_id"] == inner["id"]


def test_create_event_conflict_names_the_instance_of_a_series(robin):
    series = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])

    response = book(robin, 59, "2027-01-18T15:30:00Z", "2027-01-18T16:30:00Z")

    assert response.status_code == 409
    error = response.json()["meta"]["errors"][0]
    assert error["reason"] == "event_conflict"
    assert error["details"]["event_id"] == f"{series['id']}_20270118T150000Z"
    assert error["details"]["series_id"] == series["id"]


def test_create_series_rejects_a_later_occurrence_that_overlaps(robin):
    single = booked(robin, 59, "2027-01-20T15:30:00Z", "2027-01-20T16:00:00Z")

    response = book(robin, 59, "2027-01-06T15:00:00Z", "2027-01-06T16:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["details"]["event_id"] == single["id"]
    assert ids(listed(robin, "/spaces/59/events", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z")) == [single["id"]]


def test_create_event_rejects_overlap_with_a_series_occurrence_beyond_its_first_year(robin):
    series = booked(robin, 52, "2026-03-10T14:30:00Z", "2026-03-10T15:30:00Z", recurrence=["RRULE:FREQ=WEEKLY"])

    response = book(robin, 52, "2027-06-01T15:00:00Z", "2027-06-01T16:00:00Z")

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["details"]["event_id"] == f"{series['id']}_20270601T143000Z"
    listed_then = listed(robin, "/spaces/52/events", "2027-06-01T00:00:00Z", "2027-06-02T00:00:00Z")
    assert ids(listed_then) == [f"{series['id']}_20270601T143000Z"]
    assert listed_then[0]["start"]["date_time"] == "2027-06-01T10:30:00-0400"


def test_create_event_allows_touching_events(robin):
    morning = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    following = booked(robin, 59, "2027-01-04T16:00:00Z", "2027-01-04T17:00:00Z")
    preceding = booked(robin, 59, "2027-01-04T14:00:00Z", "2027-01-04T15:00:00Z")

    events = listed(robin, "/spaces/59/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z")
    assert ids(events) == [preceding["id"], morning["id"], following["id"]]


def test_create_event_allows_the_same_time_in_another_space(robin):
    booked(robin, 51, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    response = book(robin, 52, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 201


def test_create_event_rejects_a_disabled_space(robin):
    response = book(robin, 62, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 400
    assert response.json()["meta"]["errors"][0]["reason"]
    assert listed(robin, "/spaces/62/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


def test_create_event_rejects_a_space_that_is_not_reservable(robin):
    response = book(robin, 53, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    assert response.status_code == 400
    assert response.json()["meta"]["errors"][0]["reason"]
    assert listed(robin, "/spaces/53/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


# Reading one event


def test_get_event_reads_a_single_event(robin):
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", title="One-off")

    response = robin.get(f"/events/{created['id']}")

    assert response.status_code == 200
    event = response.json()["data"]
    assert event["id"] == created["id"]
    assert event["title"] == "One-off"
    assert (event["series_id"], event["recurrence_id"], event["recurrence"]) == (None, None, None)
    assert event["start"] == created["start"]


def test_get_event_reads_a_series_master_and_its_instances(robin):
    series = booked(
        robin,
        57,
        "2027-01-04T15:00:00Z",
        "2027-01-04T16:00:00Z",
        title="Daily",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )

    master = robin.get(f"/events/{series['id']}")
    instance = robin.get(f"/events/{series['id']}_20270105T150000Z")

    assert master.status_code == 200
    assert master.json()["data"]["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=3"]
    assert master.json()["data"]["start"]["date_time"] == "2027-01-04T10:00:00-0500"
    assert instance.status_code == 200
    occurrence = instance.json()["data"]
    assert occurrence["id"] == f"{series['id']}_20270105T150000Z"
    assert occurrence["series_id"] == series["id"]
    assert occurrence["recurrence_id"] == "20270105T150000Z"
    assert occurrence["title"] == "Daily"
    assert occurrence["start"] == {"date_time": "2027-01-05T10:00:00-0500", "time_zone": NEW_YORK}
    assert occurrence["end"]["date_time"] == "2027-01-05T11:00:00-0500"
    assert occurrence["started_at"] == "2027-01-05T10:00:00-0500"


def test_get_event_rejects_an_instance_id_that_is_not_an_occurrence(robin):
    series = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    single = booked(robin, 57, "2027-02-04T15:00:00Z", "2027-02-04T16:00:00Z")

    for reference in (
        f"{series['id']}_20270105T160000Z",  # right day, wrong hour
        f"{series['id']}_20270107T150000Z",  # after COUNT ran out
        f"{series['id']}_20270103T150000Z",  # before the series starts
        f"{single['id']}_20270204T150000Z",  # a single event has no instances
        f"{series['id']}_20271399T150000Z",  # not a date
        f"{single['id']}%0A",  # an id and a line break
        f"{series['id']}_20270105T150000Z%0A",
    ):
        response = robin.get(f"/events/{reference}")
        assert response.status_code == 404, reference
        assert response.json()["meta"]["message"] == "Object does not exist"


def test_get_event_of_another_organization_is_forbidden(robin, client, other_organization):
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    response = RobinClient(client, OTHER_TOKEN).get(f"/events/{created['id']}")

    assert response.status_code == 403


# Event lists


def test_list_space_events_expands_a_weekly_series_across_daylight_saving(robin):
    series = booked(
        robin,
        56,
        "2026-03-05T14:00:00Z",
        "2026-03-05T15:00:00Z",
        title="Thursday planning",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
    )

    events = listed(robin, "/spaces/56/events", "2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z")

    assert ids(events) == [
        f"{series['id']}_20260305T140000Z",
        f"{series['id']}_20260312T130000Z",
        f"{series['id']}_20260319T130000Z",
        f"{series['id']}_20260326T130000Z",
    ]
    assert [event["start"]["date_time"] for event in events] == [
        "2026-03-05T09:00:00-0500",
        "2026-03-12T09:00:00-0400",
        "2026-03-19T09:00:00-0400",
        "2026-03-26T09:00:00-0400",
    ]
    assert [event["end"]["date_time"] for event in events] == [
        "2026-03-05T10:00:00-0500",
        "2026-03-12T10:00:00-0400",
        "2026-03-19T10:00:00-0400",
        "2026-03-26T10:00:00-0400",
    ]
    assert all(event["started_at"] == event["start"]["date_time"] for event in events)
    assert all(event["ended_at"] == event["end"]["date_time"] for event in events)
    assert all(event["series_id"] == series["id"] and event["title"] == "Thursday planning" for event in events)
    assert [event["recurrence_id"] for event in events] == [
        "20260305T140000Z",
        "20260312T130000Z",
        "20260319T130000Z",
        "20260326T130000Z",
    ]


def test_get_event_finds_an_instance_after_daylight_saving_at_its_local_time(robin):
    series = booked(robin, 56, "2026-03-05T14:00:00Z", "2026-03-05T15:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])

    after_change = robin.get(f"/events/{series['id']}_20260312T130000Z")
    same_utc_hour = robin.get(f"/events/{series['id']}_20260312T140000Z")

    assert after_change.status_code == 200
    assert after_change.json()["data"]["start"]["date_time"] == "2026-03-12T09:00:00-0400"
    assert same_utc_hour.status_code == 404


def test_an_instance_in_the_spring_gap_is_found_confirmed_and_cancelled_by_its_listed_id(robin, wall):
    # 14 March 2027 has no 02:30 in New York: clocks go from 02:00 EST to 03:00 EDT.
    series = booked(robin, 56, "2027-03-07T02:30:00", "2027-03-07T03:30:00", recurrence=["RRULE:FREQ=WEEKLY"])
    listed_ids = ids(listed(robin, "/spaces/56/events", "2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z"))
    wall.now = datetime.fromisoformat("2027-03-14T07:20:00+00:00")

    read = robin.get(f"/events/{series['id']}_20270314T073000Z")
    confirmed = robin.put(f"/events/{series['id']}_20270314T073000Z/confirmation", json={})
    cancelled = robin.delete(f"/events/{series['id']}_20270314T073000Z")

    assert listed_ids == [f"{series['id']}_20270314T073000Z"]
    assert read.status_code == 200, read.json()
    # The wall-clock time before the change, read at the offset before it (as RFC 5545 says).
    assert read.json()["data"]["start"]["date_time"] == "2027-03-14T03:30:00-0400"
    assert confirmed.status_code == 200, confirmed.json()
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["data"]["status"] == "cancelled"
    assert listed(robin, "/spaces/56/events", "2027-03-14T00:00:00Z", "2027-03-15T00:00:00Z") == []


def test_an_instance_in_the_autumn_fold_is_found_confirmed_and_cancelled_by_its_listed_id(robin, wall):
    # 7 November 2027 has 01:30 twice in New York: first EDT (05:30Z), then EST (06:30Z).
    series = booked(robin, 56, "2027-10-31T01:30:00", "2027-10-31T02:00:00", recurrence=["RRULE:FREQ=WEEKLY"])
    listed_ids = ids(listed(robin, "/spaces/56/events", "2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z"))
    wall.now = datetime.fromisoformat("2027-11-07T05:20:00+00:00")

    read = robin.get(f"/events/{series['id']}_20271107T053000Z")
    second_time = robin.get(f"/events/{series['id']}_20271107T063000Z")
    confirmed = robin.put(f"/events/{series['id']}_20271107T053000Z/confirmation", json={})
    cancelled = robin.delete(f"/events/{series['id']}_20271107T053000Z")

    assert listed_ids == [f"{series['id']}_20271107T053000Z"]
    assert read.status_code == 200, read.json()
    assert read.json()["data"]["start"]["date_time"] == "2027-11-07T01:30:00-0400"
    assert second_time.status_code == 404
    assert confirmed.status_code == 200, confirmed.json()
    assert cancelled.status_code == 200, cancelled.json()
    assert listed(robin, "/spaces/56/events", "2027-11-07T00:00:00Z", "2027-11-08T00:00:00Z") == []


def test_list_space_events_keeps_to_the_window_and_pages(robin):
    series = booked(robin, 56, "2026-03-05T14:00:00Z", "2026-03-05T15:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    window = {"after": "2026-03-10T00:00:00Z", "before": "2026-04-01T00:00:00Z", "per_page": 2}

    first = robin.get("/spaces/56/events", params={**window, "page": 1})
    second = robin.get("/spaces/56/events", params={**window, "page": 2})

    assert first.status_code == 200
    assert ids(first.json()["data"]) == [f"{series['id']}_20260312T130000Z", f"{series['id']}_20260319T130000Z"]
    assert first.json()["paging"] == {"page": 1, "per_page": 2, "has_next_page": True}
    assert second.status_code == 200
    assert ids(second.json()["data"]) == [f"{series['id']}_20260326T130000Z"]
    assert second.json()["paging"] == {"page": 2, "per_page": 2, "has_next_page": False}


def test_list_space_events_defaults_to_the_coming_week(robin):
    series = booked(robin, 56, "2026-03-05T14:00:00Z", "2026-03-05T15:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"])
    booked(robin, 56, "2026-03-01T14:00:00Z", "2026-03-01T15:00:00Z")

    response = robin.get("/spaces/56/events")

    assert response.status_code == 200
    assert ids(response.json()["data"]) == [f"{series['id']}_20260305T140000Z"]


def test_list_space_events_rejects_before_earlier_than_after(robin):
    response = robin.get("/spaces/56/events", params={"after": "2026-03-10T00:00:00Z", "before": "2026-03-09T00:00:00Z"})

    assert_bad_request(response, "before")


def test_list_upcoming_space_events_starts_now_and_spans_366_days(robin):
    yesterday = booked(robin, 57, "2026-03-01T15:00:00Z", "2026-03-01T16:00:00Z")
    tomorrow = booked(robin, 57, "2026-03-03T15:00:00Z", "2026-03-03T16:00:00Z")
    within_a_year = booked(robin, 57, "2027-02-20T15:00:00Z", "2027-02-20T16:00:00Z")
    beyond_a_year = booked(robin, 57, "2027-03-10T15:00:00Z", "2027-03-10T16:00:00Z")

    response = robin.get("/spaces/57/events/upcoming")

    assert response.status_code == 200
    found = ids(response.json()["data"])
    assert found == [tomorrow["id"], within_a_year["id"]]
    assert yesterday["id"] not in found
    assert beyond_a_year["id"] not in found
    assert "paging" in response.json()


def test_list_location_events_covers_the_spaces_of_that_location_only(robin):
    new_york = booked(robin, 51, "2027-01-05T15:00:00Z", "2027-01-05T16:00:00Z")
    upstairs = booked(robin, 57, "2027-01-05T17:00:00Z", "2027-01-05T18:00:00Z")
    bengaluru = booked(robin, 72, "2027-01-05T05:00:00Z", "2027-01-05T06:00:00Z", time_zone=KOLKATA)

    at_headquarters = listed(robin, "/locations/10/events", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")
    in_bengaluru = listed(robin, "/locations/11/events", "2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")

    assert ids(at_headquarters) == [new_york["id"], upstairs["id"]]
    assert ids(in_bengaluru) == [bengaluru["id"]]


def test_list_location_events_shows_the_seeded_bengaluru_week(robin):
    response = robin.get("/locations/11/events", params={"per_page": 50})

    assert response.status_code == 200
    events = response.json()["data"]
    assert [(event["title"], event["start"]["date_time"]) for event in events] == [
        ("Bengaluru stand-up", "2026-03-03T09:30:00+0530"),
        ("Bengaluru stand-up", "2026-03-04T09:30:00+0530"),
        ("Customer call", "2026-03-04T15:00:00+0530"),
        ("Bengaluru stand-up", "2026-03-05T09:30:00+0530"),
        ("Bengaluru stand-up", "2026-03-06T09:30:00+0530"),
        ("Bengaluru stand-up", "2026-03-09T09:30:00+0530"),
    ]
    assert events[0]["id"] == f"{events[0]['series_id']}_20260303T040000Z"
    assert events[2]["series_id"] is None


def test_list_user_events_includes_organized_and_invited_events(robin, member):
    ada = user_id(robin, ADA_EMAIL)
    ben = user_id(robin, BEN_EMAIL)
    chloe = user_id(robin, "chloe.martin@meridian.example")
    shared = booked(robin, 72, "2027-01-05T05:00:00Z", "2027-01-05T06:00:00Z", invitees=[{"email": BEN_EMAIL}])
    own = booked(member, 74, "2027-01-05T07:00:00Z", "2027-01-05T08:00:00Z")
    window = ("2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")

    assert ids(listed(robin, f"/users/{ada}/events", *window)) == [shared["id"]]
    assert ids(listed(robin, f"/users/{ben}/events", *window)) == [shared["id"], own["id"]]
    assert listed(robin, f"/users/{chloe}/events", *window) == []
    assert ids(listed(member, "/me/events", *window)) == [shared["id"], own["id"]]
    assert ids(listed(robin, "/me/events", *window)) == [shared["id"]]


def test_list_user_events_shows_seeded_series_to_organizer_and_invitee(robin, member):
    emma = user_id(robin, "emma.schultz@meridian.example")
    nina = user_id(robin, "nina.petrova@meridian.example")

    mine = member.get("/me/events")
    invited = robin.get(f"/users/{emma}/events")
    uninvolved = robin.get(f"/users/{nina}/events")

    assert mine.status_code == 200
    weekly = [event for event in mine.json()["data"] if event["title"] == "Engineering weekly"]
    assert [event["start"]["date_time"] for event in weekly] == ["2026-03-03T10:00:00-0500"]
    assert weekly[0]["id"] == f"{weekly[0]['series_id']}_20260303T150000Z"
    assert invited.status_code == 200
    assert ids(invited.json()["data"]) == [weekly[0]["id"]]
    assert uninvolved.status_code == 200
    assert uninvolved.json()["data"] == []


def test_list_user_events_of_an_unknown_user_is_not_found(robin):
    response = robin.get("/users/999999/events")

    assert response.status_code == 404


# Changing events


def test_update_event_changes_the_title(robin):
    created = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", title="Draft")

    response = robin.patch(f"/events/{created['id']}", json={"title": "Budget review"})

    assert response.status_code == 200
    assert response.json()["data"]["title"] == "Budget review"
    assert response.json()["data"]["start"] == created["start"]
    assert robin.get(f"/events/{created['id']}").json()["data"]["title"] == "Budget review"


def test_update_event_rechecks_new_times_for_conflicts(robin):
    first = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    second = booked(robin, 59, "2027-01-04T17:00:00Z", "2027-01-04T18:00:00Z")

    clash = robin.patch(
        f"/events/{second['id']}",
        json={
            "start": moment("2027-01-04T15:30:00Z"),
            "end": moment("2027-01-04T16:30:00Z"),
        },
    )

    assert clash.status_code == 409
    assert clash.json()["meta"]["errors"][0]["reason"] == "event_conflict"
    assert clash.json()["meta"]["errors"][0]["details"]["event_id"] == first["id"]
    assert robin.get(f"/events/{second['id']}").json()["data"]["start"]["date_time"] == "2027-01-04T12:00:00-0500"

    moved = robin.patch(
        f"/events/{second['id']}",
        json={
            "start": moment("2027-01-04T16:00:00Z"),
            "end": moment("2027-01-04T17:00:00Z"),
        },
    )

    assert moved.status_code == 200
    assert moved.json()["data"]["start"]["date_time"] == "2027-01-04T11:00:00-0500"
    assert moved.json()["data"]["end"]["date_time"] == "2027-01-04T12:00:00-0500"
    freed = book(robin, 59, "2027-01-04T17:00:00Z", "2027-01-04T18:00:00Z")
    assert freed.status_code == 201


def test_update_event_moves_a_series_over_its_own_old_times(robin):
    series = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.patch(
        f"/events/{series['id']}",
        json={
            "start": moment("2027-01-04T15:30:00Z"),
            "end": moment("2027-01-04T16:30:00Z"),
        },
    )

    assert response.status_code == 200
    events = listed(robin, "/spaces/59/events", "2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z")
    assert ids(events) == [
        f"{series['id']}_20270104T153000Z",
        f"{series['id']}_20270105T153000Z",
        f"{series['id']}_20270106T153000Z",
    ]


def test_update_event_rejects_a_series_change_that_collides(robin):
    series = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=2"])
    later = booked(robin, 59, "2027-01-08T15:00:00Z", "2027-01-08T16:00:00Z")

    response = robin.patch(f"/events/{series['id']}", json={"recurrence": ["RRULE:FREQ=DAILY;COUNT=7"]})

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["details"]["event_id"] == later["id"]
    assert robin.get(f"/events/{series['id']}").json()["data"]["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=2"]


def test_update_event_with_null_recurrence_removes_the_rule(robin):
    series = booked(robin, 59, "2027-02-01T15:00:00Z", "2027-02-01T16:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])

    response = robin.patch(f"/events/{series['id']}", json={"recurrence": None})

    assert response.status_code == 200
    assert response.json()["data"]["recurrence"] is None
    events = listed(robin, "/spaces/59/events", "2027-01-25T00:00:00Z", "2027-03-01T00:00:00Z")
    assert ids(events) == [series["id"]]
    assert events[0]["series_id"] is None
    assert robin.get(f"/events/{series['id']}_20270208T150000Z").status_code == 404
    assert book(robin, 59, "2027-02-08T15:00:00Z", "2027-02-08T16:00:00Z").status_code == 201


def test_update_event_removing_the_rule_after_cancelling_the_first_instance_stays_consistent(robin):
    series = booked(robin, 59, "2027-02-01T15:00:00Z", "2027-02-01T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    assert robin.delete(f"/events/{series['id']}_20270201T150000Z").status_code == 200

    response = robin.patch(f"/events/{series['id']}", json={"recurrence": None})

    assert response.status_code == 200
    status = robin.get(f"/events/{series['id']}").json()["data"]["status"]
    is_listed = series["id"] in ids(listed(robin, "/spaces/59/events", "2027-01-30T00:00:00Z", "2027-02-10T00:00:00Z"))
    blocks_its_slot = book(robin, 59, "2027-02-01T15:00:00Z", "2027-02-01T16:00:00Z").status_code == 409
    # A confirmed event shows in lists and holds its slot; a cancelled one does neither.
    assert is_listed == (status == "confirmed")
    assert blocks_its_slot == (status == "confirmed")


def test_update_event_refuses_an_instance(robin):
    series = booked(
        robin,
        59,
        "2027-01-04T15:00:00Z",
        "2027-01-04T16:00:00Z",
        title="Stand-up",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )

    response = robin.patch(f"/events/{series['id']}_20270105T150000Z", json={"title": "Changed"})

    assert response.status_code == 400
    assert response.json()["meta"]["status"] == "BAD_REQUEST"
    assert robin.get(f"/events/{series['id']}").json()["data"]["title"] == "Stand-up"
    assert robin.get(f"/events/{series['id']}_20270105T150000Z").json()["data"]["title"] == "Stand-up"


def test_update_event_validates_fields(robin):
    created = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    response = robin.patch(f"/events/{created['id']}", json={"visibility": "secret"})

    assert_bad_request(response, "visibility")


def test_replace_event_is_not_allowed(robin):
    created = booked(robin, 59, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    response = robin.put(f"/events/{created['id']}", json={"title": "Replaced"})

    assert response.status_code == 405
    assert response.json()["meta"]["status_code"] == 405
    assert robin.get(f"/events/{created['id']}").json()["data"]["title"] != "Replaced"


# Cancelling events


def test_cancel_instance_cancels_only_that_occurrence(robin):
    series = booked(robin, 74, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    second = f"{series['id']}_20270105T150000Z"

    response = robin.delete(f"/events/{second}")

    assert response.status_code == 200
    assert response.json()["data"]["id"] == second
    assert response.json()["data"]["status"] == "cancelled"
    events = listed(robin, "/spaces/74/events", "2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z")
    assert ids(events) == [f"{series['id']}_20270104T150000Z", f"{series['id']}_20270106T150000Z"]
    assert robin.get(f"/events/{second}").json()["data"]["status"] == "cancelled"
    assert robin.get(f"/events/{series['id']}").json()["data"]["status"] == "confirmed"
    assert robin.get(f"/events/{series['id']}_20270106T150000Z").json()["data"]["status"] == "confirmed"
    assert book(robin, 74, "2027-01-05T15:00:00Z", "2027-01-05T16:00:00Z").status_code == 201
    still_taken = book(robin, 74, "2027-01-06T15:00:00Z", "2027-01-06T16:00:00Z")
    assert still_taken.status_code == 409
    assert still_taken.json()["meta"]["errors"][0]["details"]["event_id"] == f"{series['id']}_20270106T150000Z"


def test_cancel_instance_leaves_user_and_location_lists(robin):
    ada = user_id(robin, ADA_EMAIL)
    series = booked(robin, 74, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=2"])
    window = ("2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z")

    assert robin.delete(f"/events/{series['id']}_20270104T150000Z").status_code == 200

    remaining = [f"{series['id']}_20270105T150000Z"]
    assert ids(listed(robin, "/locations/11/events", *window)) == remaining
    assert ids(listed(robin, f"/users/{ada}/events", *window)) == remaining
    assert ids(listed(robin, "/me/events", *window)) == remaining


def test_cancel_series_cancels_every_occurrence(robin):
    series = booked(robin, 74, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.delete(f"/events/{series['id']}")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    assert listed(robin, "/spaces/74/events", "2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z") == []
    assert robin.get(f"/events/{series['id']}").json()["data"]["status"] == "cancelled"
    assert robin.get(f"/events/{series['id']}_20270106T150000Z").json()["data"]["status"] == "cancelled"
    for day in ("04", "05", "06"):
        assert book(robin, 74, f"2027-01-{day}T15:00:00Z", f"2027-01-{day}T16:00:00Z").status_code == 201


def test_cancel_event_twice_changes_nothing(robin):
    created = booked(robin, 74, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    first = robin.delete(f"/events/{created['id']}")
    second = robin.delete(f"/events/{created['id']}")

    assert first.status_code == 200
    assert second.status_code == 200
    assert second.json()["data"]["status"] == "cancelled"
    assert listed(robin, "/spaces/74/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


def test_cancel_event_of_unknown_instance_is_not_found(robin):
    series = booked(robin, 74, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    response = robin.delete(f"/events/{series['id']}_20270104T160000Z")

    assert response.status_code == 404
    assert len(listed(robin, "/spaces/74/events", "2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z")) == 3


# Who may change what


def test_member_cannot_change_or_cancel_the_admins_event(robin, member):
    created = booked(robin, 75, "2027-01-04T05:00:00Z", "2027-01-04T06:00:00Z", title="Admin only")

    patched = member.patch(f"/events/{created['id']}", json={"title": "Hijacked"})
    cancelled = member.delete(f"/events/{created['id']}")

    assert patched.status_code == 403
    assert patched.json()["meta"]["status"] == "FORBIDDEN"
    assert cancelled.status_code == 403
    event = robin.get(f"/events/{created['id']}").json()["data"]
    assert (event["title"], event["status"]) == ("Admin only", "confirmed")


def test_member_cannot_cancel_an_instance_of_the_admins_series(robin, member):
    series = booked(robin, 75, "2027-01-04T05:00:00Z", "2027-01-04T06:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=2"])

    response = member.delete(f"/events/{series['id']}_20270105T050000Z")

    assert response.status_code == 403
    assert len(listed(robin, "/spaces/75/events", "2027-01-01T00:00:00Z", "2027-01-10T00:00:00Z")) == 2


def test_member_can_change_and_cancel_their_own_event(member):
    created = booked(member, 75, "2027-01-04T05:00:00Z", "2027-01-04T06:00:00Z")

    patched = member.patch(f"/events/{created['id']}", json={"title": "Pairing"})
    cancelled = member.delete(f"/events/{created['id']}")

    assert patched.status_code == 200
    assert patched.json()["data"]["title"] == "Pairing"
    assert cancelled.status_code == 200
    assert cancelled.json()["data"]["status"] == "cancelled"


def test_admin_can_cancel_a_members_event(robin, member):
    created = booked(member, 75, "2027-01-04T05:00:00Z", "2027-01-04T06:00:00Z")

    response = robin.delete(f"/events/{created['id']}")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"


# Confirmation (check-in)


def test_confirm_event_opens_fifteen_minutes_before_the_start(robin, wall):
    ada = user_id(robin, ADA_EMAIL)
    created = booked(robin, 57, "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z")
    path = f"/events/{created['id']}/confirmation"

    an_hour_ahead = robin.put(path)
    wall.advance(minutes=44)
    a_minute_early = robin.put(path)
    wall.advance(minutes=1)
    on_time = robin.put(path)

    for early in (an_hour_ahead, a_minute_early):
        assert early.status_code == 400
        assert early.json()["meta"]["errors"][0]["reason"] == "too_early_to_confirm_event"
    assert on_time.status_code == 200
    assert on_time.json()["data"] == {
        "event_id": created["id"],
        "user_id": ada,
        "device_id": None,
        "confirmed_at": "2026-03-02T14:45:00+0000",
    }


def test_confirm_event_twice_is_refused(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:30:00Z", "2026-03-02T15:30:00Z")
    wall.advance(minutes=30)

    first = robin.put(f"/events/{created['id']}/confirmation")
    second = robin.put(f"/events/{created['id']}/confirmation")

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["meta"]["errors"][0]["reason"] == "event_already_confirmed"


def test_confirm_event_closes_when_the_event_ends(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:30:00Z", "2026-03-02T15:30:00Z")
    path = f"/events/{created['id']}/confirmation"

    wall.advance(minutes=90)
    at_the_end = robin.put(path)

    assert at_the_end.status_code == 400
    assert at_the_end.json()["meta"]["errors"][0]["reason"] == "too_late_to_confirm_event"
    assert robin.get(path).status_code == 404


def test_confirm_event_in_its_last_minute_is_accepted(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:30:00Z", "2026-03-02T15:30:00Z")
    wall.advance(minutes=89)

    response = robin.put(f"/events/{created['id']}/confirmation")

    assert response.status_code == 200
    assert response.json()["data"]["confirmed_at"] == "2026-03-02T15:29:00+0000"


def test_confirmation_can_be_read_and_withdrawn(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    path = f"/events/{created['id']}/confirmation"

    unconfirmed = robin.get(path)
    confirmed = robin.put(path)
    read = robin.get(path)
    event = robin.get(f"/events/{created['id']}").json()["data"]
    withdrawn = robin.delete(path)
    after_withdrawal = robin.get(path)
    event_after_withdrawal = robin.get(f"/events/{created['id']}").json()["data"]
    again = robin.put(path)

    assert unconfirmed.status_code == 404
    assert confirmed.status_code == 200
    assert read.status_code == 200
    assert read.json()["data"] == confirmed.json()["data"]
    assert event["confirmation"] == confirmed.json()["data"]
    assert withdrawn.status_code == 200
    assert after_withdrawal.status_code == 404
    assert event_after_withdrawal["confirmation"] is None
    assert again.status_code == 200


def test_confirm_event_on_behalf_of_another_user(robin):
    ben = user_id(robin, BEN_EMAIL)
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    response = robin.put(f"/events/{created['id']}/confirmation", json={"user_id": ben})

    assert response.status_code == 200
    assert response.json()["data"]["user_id"] == ben


def test_member_cannot_confirm_the_admins_event(robin, member):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    response = member.put(f"/events/{created['id']}/confirmation")

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert robin.get(f"/events/{created['id']}/confirmation").status_code == 404


def test_member_cannot_withdraw_the_confirmation_of_the_admins_event(robin, member, wall):
    created = booked(robin, 55, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    confirmed = robin.put(f"/events/{created['id']}/confirmation")

    response = member.delete(f"/events/{created['id']}/confirmation")
    wall.advance(minutes=30)  # Past Brooklyn's release window: unconfirmed, the event would be released.

    assert confirmed.status_code == 200
    assert response.status_code == 403
    assert robin.get(f"/events/{created['id']}/confirmation").json()["data"] == confirmed.json()["data"]
    assert robin.get(f"/events/{created['id']}").json()["data"]["status"] == "confirmed"


def test_a_confirmation_does_not_come_back_when_its_event_moves_back_to_its_time(robin):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    assert robin.put(f"/events/{created['id']}/confirmation").status_code == 200
    times = {"start": created["start"], "end": created["end"]}

    moved = robin.patch(
        f"/events/{created['id']}",
        json={
            "start": {**times["start"], "date_time": "2026-03-02T16:00:00Z"},
            "end": {**times["end"], "date_time": "2026-03-02T17:00:00Z"},
        },
    )
    back = robin.patch(f"/events/{created['id']}", json=times)

    assert (moved.status_code, back.status_code) == (200, 200)
    assert robin.get(f"/events/{created['id']}/confirmation").status_code == 404


def test_deleting_a_released_event_answers_it_and_leaves_it_released(robin, kadence, store, wall):
    created = booked(robin, 55, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    wall.advance(minutes=30)  # Past Brooklyn's release window, unconfirmed: released.

    response = robin.delete(f"/events/{created['id']}")

    assert response.status_code == 200
    assert response.json()["data"]["status"] == "cancelled"
    with store.session() as session:
        ulid = session.get_one(Reservation, int(created["id"])).ulid
    booking = kadence.get(f"/bookings/{ulid}").json()
    assert (booking["status"], booking["cancellationReason"]) == ("noCheckIn", "autoSpaceRelease")
    assert "cancelledUserId" not in booking or booking["cancelledUserId"] is None


def test_member_cannot_confirm_their_own_event_as_someone_else(robin, member):
    ada = user_id(robin, ADA_EMAIL)
    ben = user_id(robin, BEN_EMAIL)
    created = booked(member, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    as_ada = member.put(f"/events/{created['id']}/confirmation", json={"user_id": ada})
    as_ben = member.put(f"/events/{created['id']}/confirmation", json={"user_id": ben})

    assert as_ada.status_code == 403
    assert as_ben.status_code == 200
    assert as_ben.json()["data"]["user_id"] == ben


def test_member_confirms_and_withdraws_the_confirmation_of_their_own_event(member):
    created = booked(member, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    confirmed = member.put(f"/events/{created['id']}/confirmation")
    withdrawn = member.delete(f"/events/{created['id']}/confirmation")

    assert confirmed.status_code == 200
    assert withdrawn.status_code == 200


def test_admin_confirms_a_members_event(robin, member):
    created = booked(member, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    response = robin.put(f"/events/{created['id']}/confirmation")

    assert response.status_code == 200


def test_confirm_series_requires_an_instance(robin, wall):
    series = booked(robin, 56, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    today = f"{series['id']}_20260302T141000Z"
    tomorrow = f"{series['id']}_20260303T141000Z"

    master = robin.put(f"/events/{series['id']}/confirmation")
    instance = robin.put(f"/events/{today}/confirmation")
    later = robin.put(f"/events/{tomorrow}/confirmation")

    assert master.status_code == 400
    assert instance.status_code == 200
    assert instance.json()["data"]["event_id"] == today
    assert later.status_code == 400
    assert later.json()["meta"]["errors"][0]["reason"] == "too_early_to_confirm_event"
    assert robin.get(f"/events/{today}").json()["data"]["confirmation"]["event_id"] == today
    assert robin.get(f"/events/{tomorrow}").json()["data"]["confirmation"] is None


def test_confirm_cancelled_event_is_refused(robin):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    robin.delete(f"/events/{created['id']}")

    response = robin.put(f"/events/{created['id']}/confirmation")

    assert response.status_code == 400
    assert robin.get(f"/events/{created['id']}/confirmation").status_code == 404


def test_space_state_shows_booked_then_in_use_after_confirmation(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:30:00Z", "2026-03-02T15:30:00Z")

    before = robin.get("/spaces/57/state")
    wall.advance(minutes=40)
    during = robin.get("/spaces/57/state")
    robin.put(f"/events/{created['id']}/confirmation")
    checked_in = robin.get("/spaces/57/state")
    wall.advance(minutes=50)
    after = robin.get("/spaces/57/state")

    assert before.status_code == 200
    assert before.json()["data"]["availability"] == "available"
    assert before.json()["data"]["next_busy_change"] == "2026-03-02T14:30:00+0000"
    assert during.json()["data"]["availability"] == "booked"
    assert during.json()["data"]["next_busy_change"] == "2026-03-02T15:30:00+0000"
    assert checked_in.json()["data"]["availability"] == "in_use"
    assert after.json()["data"]["availability"] == "available"


def test_space_state_reads_booked_when_a_meeting_is_about_to_start(robin, wall):
    """Robin: "Booked indicates that the room is reserved or imminently reserved." A meeting is
    imminent from when it may be checked in, 15 minutes before its start."""
    booked(robin, 57, "2026-03-02T14:20:00Z", "2026-03-02T15:00:00Z")

    twenty_before = robin.get("/spaces/57/state").json()["data"]
    wall.advance(minutes=6)
    fourteen_before = robin.get("/spaces/57/state").json()["data"]

    assert twenty_before["availability"] == "available"
    assert twenty_before["next_busy_change"] == "2026-03-02T14:20:00+0000"
    assert fourteen_before["availability"] == "booked"
    assert fourteen_before["next_busy_change"] == "2026-03-02T15:00:00+0000"


def test_space_state_of_a_meeting_confirmed_early_is_booked_until_it_starts(robin, wall):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    confirmed = robin.put(f"/events/{created['id']}/confirmation")
    early = robin.get("/spaces/57/state").json()["data"]
    wall.advance(minutes=10)
    started = robin.get("/spaces/57/state").json()["data"]

    assert confirmed.status_code == 200
    assert early["availability"] == "booked"
    assert started["availability"] == "in_use"


def test_space_state_is_in_use_once_the_current_instance_is_confirmed(robin):
    series = booked(robin, 56, "2026-03-02T13:30:00Z", "2026-03-02T14:30:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    booked_now = robin.get("/spaces/56/state")
    confirmed = robin.put(f"/events/{series['id']}_20260302T133000Z/confirmation")
    in_use = robin.get("/spaces/56/state")

    assert booked_now.json()["data"]["availability"] == "booked"
    assert confirmed.status_code == 200
    assert in_use.json()["data"]["availability"] == "in_use"
    assert in_use.json()["data"]["next_busy_change"] == "2026-03-02T14:30:00+0000"


def test_space_state_of_a_disabled_space(robin):
    response = robin.get("/spaces/62/state")

    assert response.status_code == 200
    assert response.json()["data"]["availability"] == "disabled"


def test_conflict_names_the_earliest_of_several_colliding_events(robin):
    first = booked(robin, 75, "2027-03-01T15:00:00Z", "2027-03-01T16:00:00Z")
    booked(robin, 75, "2027-03-01T16:00:00Z", "2027-03-01T17:00:00Z")

    response = book(robin, 75, "2027-03-01T15:30:00Z", "2027-03-01T16:30:00Z")

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["details"]["event_id"] == first["id"]


def test_moving_a_series_keeps_its_cancelled_occurrence_cancelled(robin):
    series = booked(robin, 74, "2027-02-01T15:00:00Z", "2027-02-01T16:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    assert robin.delete(f"/events/{series['id']}_20270202T150000Z").status_code == 200

    moved = robin.patch(
        f"/events/{series['id']}",
        json={
            "start": moment("2027-02-01T15:30:00Z"),
            "end": moment("2027-02-01T16:30:00Z"),
        },
    )

    assert moved.status_code == 200
    remaining = listed(robin, "/spaces/74/events", "2027-02-01T00:00:00Z", "2027-02-05T00:00:00Z")
    assert ids(remaining) == [f"{series['id']}_20270201T153000Z", f"{series['id']}_20270203T153000Z"]
    assert book(robin, 74, "2027-02-02T15:30:00Z", "2027-02-02T16:30:00Z").status_code == 201


# Upcoming and recent lists


EAST_RIVER = 49
"""A meeting room that never releases an unconfirmed meeting, and has nothing booked before now."""


def test_list_recent_space_events_lists_what_has_started_within_366_days_latest_first(robin):
    too_long_ago = booked(robin, EAST_RIVER, "2025-02-20T15:00:00Z", "2025-02-20T16:00:00Z")
    within_a_year = booked(robin, EAST_RIVER, "2025-03-10T15:00:00Z", "2025-03-10T16:00:00Z")
    yesterday = booked(robin, EAST_RIVER, "2026-03-01T15:00:00Z", "2026-03-01T16:00:00Z")
    under_way = booked(robin, EAST_RIVER, "2026-03-02T13:30:00Z", "2026-03-02T14:30:00Z")
    starting_now = booked(robin, 50, "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z")
    later_today = booked(robin, EAST_RIVER, "2026-03-02T16:00:00Z", "2026-03-02T17:00:00Z")

    response = robin.get(f"/spaces/{EAST_RIVER}/events/recent")
    elsewhere = robin.get("/spaces/50/events/recent")

    assert response.status_code == 200
    assert ids(response.json()["data"]) == [under_way["id"], yesterday["id"], within_a_year["id"]]
    assert response.json()["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}
    assert too_long_ago["id"] not in ids(response.json()["data"])
    assert later_today["id"] not in ids(response.json()["data"])
    assert ids(elsewhere.json()["data"]) == [starting_now["id"]]


def test_list_recent_space_events_pages_a_series_latest_first(robin):
    series = booked(robin, EAST_RIVER, "2026-02-02T14:00:00Z", "2026-02-02T15:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;COUNT=8"])
    single = booked(robin, EAST_RIVER, "2026-02-17T14:00:00Z", "2026-02-17T15:00:00Z")

    first = robin.get(f"/spaces/{EAST_RIVER}/events/recent", params={"per_page": 3})
    second = robin.get(f"/spaces/{EAST_RIVER}/events/recent", params={"per_page": 3, "page": 2})

    assert ids(first.json()["data"]) == [
        f"{series['id']}_20260302T140000Z",
        f"{series['id']}_20260223T140000Z",
        single["id"],
    ]
    assert first.json()["paging"]["has_next_page"] is True
    assert ids(second.json()["data"]) == [
        f"{series['id']}_20260216T140000Z",
        f"{series['id']}_20260209T140000Z",
        f"{series['id']}_20260202T140000Z",
    ]
    assert second.json()["paging"]["has_next_page"] is False


def test_list_recent_space_events_leaves_out_cancelled_occurrences(robin):
    series = booked(robin, EAST_RIVER, "2026-02-23T14:00:00Z", "2026-02-23T15:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    single = booked(robin, EAST_RIVER, "2026-02-28T14:00:00Z", "2026-02-28T15:00:00Z")
    assert robin.delete(f"/events/{series['id']}_20260224T140000Z").status_code == 200
    assert robin.delete(f"/events/{single['id']}").status_code == 200

    response = robin.get(f"/spaces/{EAST_RIVER}/events/recent")

    assert ids(response.json()["data"]) == [f"{series['id']}_20260225T140000Z", f"{series['id']}_20260223T140000Z"]


def test_list_recent_space_events_reads_a_series_past_its_indexed_year(robin, wall):
    """A series is indexed a year ahead of when it was booked; a year and more later, its recent
    occurrences are read from its rule, in one order with the indexed ones and other events."""
    series = booked(robin, EAST_RIVER, "2026-02-02T14:00:00Z", "2026-02-02T15:00:00Z", recurrence=["RRULE:FREQ=WEEKLY;BYDAY=MO"])
    single = booked(robin, EAST_RIVER, "2027-03-10T15:00:00Z", "2027-03-10T16:00:00Z")
    wall.advance(days=500)  # Thursday 15 July 2027.

    response = robin.get(f"/spaces/{EAST_RIVER}/events/recent", params={"per_page": 100})

    found = ids(response.json()["data"])
    window = listed(robin, f"/spaces/{EAST_RIVER}/events", "2026-07-14T14:00:00Z", "2027-07-15T14:00:00Z", per_page=1000)
    assert found == ids(window)[::-1]
    assert len(found) == 53
    assert found[0] == f"{series['id']}_20270712T130000Z"
    assert found[-1] == f"{series['id']}_20260720T130000Z"
    assert single["id"] in found
    assert found.index(single["id"]) == found.index(f"{series['id']}_20270308T140000Z") - 1


def test_list_recent_space_events_of_an_unknown_or_foreign_space(robin, other_organization):
    assert robin.get("/spaces/999999/events/recent").status_code == 404
    assert robin.get(f"/spaces/{other_organization['space']}/events/recent").status_code == 403


def test_list_my_upcoming_and_recent_events(robin, member):
    earlier = booked(member, EAST_RIVER, "2026-02-26T15:00:00Z", "2026-02-26T16:00:00Z")
    invited_earlier = booked(robin, 50, "2026-03-01T15:00:00Z", "2026-03-01T16:00:00Z", invitees=[{"email": BEN_EMAIL}])
    soon = booked(member, EAST_RIVER, "2026-03-02T16:00:00Z", "2026-03-02T17:00:00Z")
    next_year = booked(member, EAST_RIVER, "2027-03-10T15:00:00Z", "2027-03-10T16:00:00Z")
    admins_own = booked(robin, 50, "2026-02-27T15:00:00Z", "2026-02-27T16:00:00Z")

    recent = member.get("/me/events/recent")
    upcoming = member.get("/me/events/upcoming", params={"per_page": 100})
    admins_recent = robin.get("/me/events/recent")

    assert recent.status_code == 200
    assert ids(recent.json()["data"]) == [invited_earlier["id"], earlier["id"]]
    assert upcoming.status_code == 200
    upcoming_ids = ids(upcoming.json()["data"])
    assert soon["id"] in upcoming_ids
    assert next_year["id"] not in upcoming_ids
    assert not {earlier["id"], invited_earlier["id"]} & set(upcoming_ids)
    starts = [instant(event["start"]["date_time"]) for event in upcoming.json()["data"]]
    assert starts == sorted(starts)
    assert all(instant(event["end"]["date_time"]) > instant("2026-03-02T14:00:00+0000") for event in upcoming.json()["data"])
    assert ids(admins_recent.json()["data"]) == [invited_earlier["id"], admins_own["id"]]


def test_list_my_upcoming_events_are_my_events_of_the_coming_year(member):
    whole_year = listed(member, "/me/events", "2026-03-02T14:00:00Z", "2027-03-03T14:00:00Z", per_page=1000)

    response = member.get("/me/events/upcoming", params={"per_page": 1000})

    assert response.status_code == 200
    assert ids(response.json()["data"]) == ids(whole_year)
    assert whole_year


def test_list_recent_and_upcoming_events_page_as_lists_do(member):
    for day in (23, 24, 25):
        booked(member, EAST_RIVER, f"2026-02-{day}T15:00:00Z", f"2026-02-{day}T16:00:00Z")

    response = member.get("/me/events/recent", params={"per_page": 2, "page": 2})
    refused = member.get("/me/events/upcoming", params={"per_page": 0})

    assert [event["start"]["date_time"] for event in response.json()["data"]] == ["2026-02-23T10:00:00-0500"]
    assert response.json()["paging"] == {"page": 2, "per_page": 2, "has_next_page": False}
    assert_bad_request(refused, "per_page")


# What Robin's SDKs send


JAVA_BOOKING = {
    "id": None,
    "owner_ref": None,
    "title": "Planning",
    "description": None,
    "started_at": "2027-01-04T15:00:00Z",
    "ended_at": "2027-01-04T16:00:00Z",
    "is_all_day": False,
    "visibility": None,
    "recurrence": None,
    "invitees": [{"email": BEN_EMAIL}],
}
"""A booking as Robin's Java SDK sends it: snake_case, explicit nulls, times as started_at/ended_at."""


def test_create_event_takes_started_at_and_ended_at_in_the_spaces_zone(robin):
    ada = user_id(robin, ADA_EMAIL)

    response = robin.post("/spaces/57/events", json=JAVA_BOOKING)
    in_bengaluru = robin.post("/spaces/72/events", json={**JAVA_BOOKING, "started_at": "2027-01-04T05:00:00"})

    assert response.status_code == 201, response.json()
    event = response.json()["data"]
    assert event["start"] == {"date_time": "2027-01-04T10:00:00-0500", "time_zone": NEW_YORK}
    assert event["end"] == {"date_time": "2027-01-04T11:00:00-0500", "time_zone": NEW_YORK}
    assert (event["organizer_id"], event["creator_id"]) == (ada, ada)
    assert event["is_all_day"] is False
    assert [invitee["email"] for invitee in event["invitees"]] == [BEN_EMAIL]
    assert in_bengaluru.status_code == 201, in_bengaluru.json()
    assert in_bengaluru.json()["data"]["start"] == {"date_time": "2027-01-04T10:30:00+0530", "time_zone": KOLKATA}


def test_create_event_takes_started_at_with_an_offset_beside_start(robin):
    agreeing = {
        **JAVA_BOOKING,
        "start": moment("2027-01-04T10:00:00"),
        "end": moment("2027-01-04T11:00:00"),
        "started_at": "2027-01-04T10:00:00-0500",
        "ended_at": "2027-01-04T16:00:00+00:00",
    }

    response = robin.post("/events", json={**agreeing, "space_id": 57})

    assert response.status_code == 201, response.json()
    assert response.json()["data"]["start"] == {"date_time": "2027-01-04T10:00:00-0500", "time_zone": NEW_YORK}


def test_create_event_reads_start_and_end_before_started_at_and_ended_at(robin):
    both = {**JAVA_BOOKING, "start": moment("2027-01-04T10:00:00"), "ended_at": "2027-01-04T17:00:00Z"}

    response = robin.post("/spaces/57/events", json={**both, "started_at": "2027-01-04T14:00:00Z", "end": None})
    ignored = robin.post("/events", json={**both, "space_id": 59, "started_at": "whenever", "end": moment("2027-01-04T11:00:00")})

    assert response.status_code == 201, response.json()
    assert ignored.status_code == 201, ignored.json()
    event = response.json()["data"]
    assert (event["started_at"], event["ended_at"]) == ("2027-01-04T10:00:00-0500", "2027-01-04T12:00:00-0500")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"started_at": None}, "start"),
        ({"ended_at": None}, "end"),
        ({"started_at": "next Monday"}, "started_at"),
        ({"ended_at": "2027-01-04T16:00:00.000Z"}, "ended_at"),
        ({"started_at": 1799074800}, "started_at"),
        ({"is_all_day": True}, "is_all_day"),
        ({"owner_ref": "nobody-at-all"}, "owner_ref"),
        ({"owner_ref": 999999}, "owner_ref"),
        ({"owner_ref": True}, "owner_ref"),
        ({"owner_ref": 2.5}, "owner_ref"),
        ({"invitees": [{"email": None}]}, "invitees.0.email"),
    ],
)
def test_create_event_refuses_what_the_java_body_holds_wrongly(robin, fields, field):
    response = robin.post("/spaces/57/events", json={**JAVA_BOOKING, **fields})

    assert_bad_request(response, field)
    assert listed(robin, "/spaces/57/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z") == []


def test_create_event_for_an_owner_named_by_id_slug_or_email(robin, member):
    ada = user_id(robin, ADA_EMAIL)
    ben = user_id(robin, BEN_EMAIL)
    chloe = user_id(robin, "chloe.martin@meridian.example")

    by_id = robin.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": ben})
    by_digits = robin.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": str(chloe), **at_hour(17)})
    by_slug = robin.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": "ben-carter", **at_hour(19)})
    by_email = robin.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": BEN_EMAIL, **at_hour(21)})

    for response in (by_id, by_digits, by_slug, by_email):
        assert response.status_code == 201, response.json()
        assert response.json()["data"]["creator_id"] == ada
    organizers = [response.json()["data"]["organizer_id"] for response in (by_id, by_digits, by_slug, by_email)]
    assert organizers == [ben, chloe, ben, ben]
    assert by_id.json()["data"]["organizer_email"] == BEN_EMAIL
    assert ids(listed(robin, f"/users/{chloe}/events", "2027-01-04T00:00:00Z", "2027-01-05T00:00:00Z")) == [
        by_digits.json()["data"]["id"]
    ]
    # Ben, the organizer, may change and cancel what was booked for him.
    assert member.delete(f"/events/{by_id.json()['data']['id']}").status_code == 200


def at_hour(hour: int) -> dict[str, str]:
    return {"started_at": f"2027-01-04T{hour}:00:00Z", "ended_at": f"2027-01-04T{hour + 1}:00:00Z"}


def test_a_member_books_only_as_their_own_owner(member, robin, other_organization):
    ben = user_id(robin, BEN_EMAIL)
    ada = user_id(robin, ADA_EMAIL)

    for someone_else in (ada, "ada-okafor", ADA_EMAIL):
        refused = member.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": someone_else})
        assert refused.status_code == 403, refused.json()
    foreign = robin.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": "other-admin"})
    own = member.post("/spaces/57/events", json={**JAVA_BOOKING, "owner_ref": "ben-carter"})

    assert_bad_request(foreign, "owner_ref")
    assert own.status_code == 201, own.json()
    assert own.json()["data"]["organizer_id"] == ben


def test_update_event_sent_back_whole_changes_nothing(robin, wall):
    created = booked(
        robin,
        57,
        "2026-03-02T14:10:00Z",
        "2026-03-02T15:00:00Z",
        title="Whole",
        invitees=[{"email": BEN_EMAIL}, {"email": "guest@customer.example"}],
    )
    assert robin.put(f"/events/{created['id']}/confirmation").status_code == 200
    before = robin.get(f"/events/{created['id']}").json()["data"]
    wall.advance(minutes=5)

    response = robin.patch(f"/events/{created['id']}", json=before)

    assert response.status_code == 200, response.json()
    assert response.json()["data"] == before
    assert robin.get(f"/events/{created['id']}").json()["data"] == before


def test_update_event_sent_back_whole_changes_only_what_differs(robin, wall):
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", title="Whole", invitees=[{"email": BEN_EMAIL}])
    wall.advance(minutes=5)
    edited = {**created, "title": "Renamed", "invitees": [*created["invitees"], {"email": "guest@customer.example"}]}

    response = robin.patch(f"/events/{created['id']}", json=edited)

    assert response.status_code == 200, response.json()
    event = response.json()["data"]
    assert event["title"] == "Renamed"
    assert event["updated_at"] == "2026-03-02T14:05:00+0000"
    unchanged = {"title", "invitees", "updated_at"}
    assert {key: value for key, value in event.items() if key not in unchanged} == {
        key: value for key, value in created.items() if key not in unchanged
    }
    assert event["invitees"][0] == created["invitees"][0]
    assert [invitee["email"] for invitee in event["invitees"]] == [BEN_EMAIL, "guest@customer.example"]


def test_update_event_sent_back_whole_keeps_a_series_and_moves_it_by_started_at(robin, member):
    series = robin.get(f"/events/{SEEDED_WEEKLY}").json()["data"]
    instance = f"{SEEDED_WEEKLY}_20260303T150000Z"

    echoed = member.patch(f"/events/{SEEDED_WEEKLY}", json=series)
    moved = member.patch(
        f"/events/{SEEDED_WEEKLY}",
        json={**series, "started_at": "2026-03-03T15:30:00Z", "ended_at": "2026-03-03T16:30:00Z", "start": None, "end": None},
    )

    assert echoed.status_code == 200, echoed.json()
    assert echoed.json()["data"] == series
    assert moved.status_code == 200, moved.json()
    assert moved.json()["data"]["start"] == {"date_time": "2026-03-03T10:30:00-0500", "time_zone": NEW_YORK}
    assert moved.json()["data"]["recurrence"] == series["recurrence"]
    assert robin.get(f"/events/{instance}").status_code == 404
    assert robin.get(f"/events/{SEEDED_WEEKLY}_20260303T153000Z").json()["data"]["title"] == series["title"]


SEEDED_WEEKLY = "1"
"""Engineering weekly: the member's series in Hudson, Tuesdays at 10:00 New York time."""


def test_update_event_refuses_all_day(robin):
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")

    all_day = robin.patch(f"/events/{created['id']}", json={**created, "is_all_day": True})

    assert_bad_request(all_day, "is_all_day")
    assert robin.get(f"/events/{created['id']}").json()["data"] == created


def test_update_event_sent_back_whole_reads_the_time_that_changed(robin):
    """A client that changes `started_at` sends `start` back as it was, and the other way round."""
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z")
    path = f"/events/{created['id']}"

    by_started_at = robin.patch(path, json={**created, "started_at": "2027-01-04T15:30:00Z"})
    moved = by_started_at.json()["data"]
    by_start = robin.patch(path, json={**moved, "start": moment("2027-01-04T09:45:00"), "ended_at": "2027-01-04T16:30:00Z"})
    by_both = robin.patch(
        path,
        json={
            **by_start.json()["data"],
            "start": moment("2027-01-04T10:15:00"),
            "started_at": "2027-01-04T15:05:00Z",
        },
    )

    assert (moved["started_at"], moved["ended_at"]) == ("2027-01-04T10:30:00-0500", "2027-01-04T11:00:00-0500")
    assert by_start.status_code == 200, by_start.json()
    assert (by_start.json()["data"]["started_at"], by_start.json()["data"]["ended_at"]) == (
        "2027-01-04T09:45:00-0500",
        "2027-01-04T11:30:00-0500",
    )
    assert by_both.json()["data"]["started_at"] == "2027-01-04T10:15:00-0500"


def test_update_event_keeps_the_invitees_it_still_has(robin):
    created = booked(robin, 57, "2027-01-04T15:00:00Z", "2027-01-04T16:00:00Z", invitees=[{"email": BEN_EMAIL}])
    [ben] = created["invitees"]

    added = robin.patch(f"/events/{created['id']}", json={"invitees": [{"email": BEN_EMAIL.upper()}, {"email": ADA_EMAIL}]})
    removed = robin.patch(f"/events/{created['id']}", json={"invitees": [{"email": ADA_EMAIL}]})

    assert added.json()["data"]["invitees"][0]["id"] == ben["id"]
    assert [invitee["email"] for invitee in added.json()["data"]["invitees"]] == [BEN_EMAIL, ADA_EMAIL]
    assert [invitee["email"] for invitee in removed.json()["data"]["invitees"]] == [ADA_EMAIL]
    assert removed.json()["data"]["invitees"][0]["is_organizer"] is True


def test_every_event_answer_gives_each_invitee_its_id_and_event_id(robin, wall):
    series = booked(
        robin,
        EAST_RIVER,
        "2026-03-01T14:00:00Z",
        "2026-03-01T15:00:00Z",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
        invitees=[{"email": BEN_EMAIL}, {"email": "guest@customer.example"}],
    )
    instance = f"{series['id']}_20260302T140000Z"
    window = {"after": "2026-03-02T00:00:00Z", "before": "2026-03-03T00:00:00Z"}

    answers = [
        [series],
        [robin.get(f"/events/{series['id']}").json()["data"]],
        [robin.get(f"/events/{instance}").json()["data"]],
        robin.get(f"/spaces/{EAST_RIVER}/events", params=window).json()["data"],
        robin.get("/locations/10/events", params=window).json()["data"],
        robin.get("/me/events", params=window).json()["data"],
        robin.get(f"/spaces/{EAST_RIVER}/events/upcoming").json()["data"],
        robin.get(f"/spaces/{EAST_RIVER}/events/recent").json()["data"],
        robin.get("/me/events/upcoming").json()["data"],
        robin.get("/me/events/recent").json()["data"],
        [robin.patch(f"/events/{series['id']}", json={"title": "Daily"}).json()["data"]],
        [robin.delete(f"/events/{instance}").json()["data"]],
    ]

    for events in answers:
        assert events
        for event in events:
            if event["series_id"] != series["id"] and event["id"] != series["id"]:
                continue
            assert len(event["invitees"]) == 2
            for invitee in event["invitees"]:
                assert isinstance(invitee["id"], int)
                assert invitee["event_id"] == event["id"]


def test_confirm_event_by_post_without_a_body_answers_as_put(robin, member):
    ada = user_id(robin, ADA_EMAIL)
    first = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    second = booked(robin, 59, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    posted = robin.post(f"/events/{first['id']}/confirmation")
    put = robin.put(f"/events/{second['id']}/confirmation")
    posted_again = robin.post(f"/events/{first['id']}/confirmation", headers={"Content-Type": "application/json"})
    by_member = member.post(f"/events/{second['id']}/confirmation")

    assert posted.status_code == put.status_code == 200, posted.json()
    assert posted.json()["data"] == {**put.json()["data"], "event_id": first["id"]}
    assert posted.json()["data"]["user_id"] == ada
    assert robin.get(f"/events/{first['id']}/confirmation").json()["data"] == posted.json()["data"]
    assert posted_again.status_code == 400
    assert posted_again.json()["meta"]["errors"][0]["reason"] == "event_already_confirmed"
    assert by_member.status_code == 403


def test_confirm_event_takes_the_whole_confirmation_with_nulls_as_the_caller(robin, member):
    ben = user_id(robin, BEN_EMAIL)
    created = booked(member, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    java = {"event_id": created["id"], "user_id": None, "device_id": None, "confirmed_at": None}

    response = member.put(f"/events/{created['id']}/confirmation", json=java)

    assert response.status_code == 200, response.json()
    assert response.json()["data"] == {
        "event_id": created["id"],
        "user_id": ben,
        "device_id": None,
        "confirmed_at": "2026-03-02T14:00:00+0000",
    }


def test_confirm_event_ignores_a_confirmed_at_sent_and_takes_an_instance_event_id(robin):
    series = booked(robin, 57, "2026-03-01T14:10:00Z", "2026-03-01T15:00:00Z", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])
    instance = f"{series['id']}_20260302T141000Z"
    body = {"event_id": instance, "confirmed_at": "2026-01-01T00:00:00+0000"}

    response = robin.post(f"/events/{instance}/confirmation", json=body)

    assert response.status_code == 200, response.json()
    assert response.json()["data"]["confirmed_at"] == "2026-03-02T14:00:00+0000"


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_confirm_event_refuses_an_event_id_naming_another_event(robin, method):
    created = booked(robin, 57, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")
    other = booked(robin, 59, "2026-03-02T14:10:00Z", "2026-03-02T15:00:00Z")

    for event_id in (other["id"], int(other["id"]), f"{created['id']}_20260302T141000Z", "first", True, [created["id"]]):
        response = robin.request(method, f"/events/{created['id']}/confirmation", json={"event_id": event_id})
        assert_bad_request(response, "event_id")
    by_number = robin.request(method, f"/events/{created['id']}/confirmation", json={"event_id": int(created["id"])})

    assert by_number.status_code == 200, by_number.json()
