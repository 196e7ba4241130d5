"""Kadence bookings through HTTP: creating them, the refusals, cancel / check-in / check-out, and
how a booking's status follows the clock.

NOW is Monday 2 March 2026, 14:00 UTC: 09:00 in New York (UTC-5 until 8 March), 19:30 in
Bengaluru (UTC+5:30). The demo store holds, among others: A-01 for Diego, today 14:00-22:00 UTC;
N-01 for Rahul, Tuesdays 03:30-12:30 UTC, weekly, four times from 3 March. Release windows:
New York desks 30 minutes (A-0x desks override with 60), rooms 10, pods 5, private offices 30;
East River never releases.
"""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import (
    ADMIN_TOKEN,
    DEMO_CLIENT,
    NOW,
    OTHER_CLIENT,
    KadenceClient,
    RobinClient,
    Wall,
)
from tests.kadence.lookups import building_id, space_id, user_id

pytestmark = pytest.mark.wire

ADA = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
FARAH = "farah.haddad@meridian.example"
RAHUL = "rahul.mehta@meridian.example"
BENGALURU_PEOPLE = (
    "tanvir.ahmed@meridian.example",
    "uma.krishnan@meridian.example",
    "wen.zhao@meridian.example",
    "zoya.banerjee@meridian.example",
)
NEW_YORK = "Meridian HQ New York"
BENGALURU = "Meridian Bengaluru"
A_04_SEAT, B_06_SEAT = 1004, 1012
"""Robin's integer ids of desks A-04 and B-06 (fixtures/demo.json)."""
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
NOT_BLANK = "This value should not be blank."
NOT_BLANK_CODE = "c1051bb4-d103-4f74-8988-acbcafc7fdc3"
NOW_STAMP = "2026-03-02T14:00:00+00:00"
METHODS = ("doorAccess", "wifi", "geofence", "sensor")


def stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def plus(start: str, minutes: int) -> str:
    """`start` (YYYY-MM-DDThh:mm:ss, UTC) `minutes` later, in the same format."""
    return (datetime.fromisoformat(start) + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def book(
    kadence: KadenceClient,
    email: str,
    start: str,
    end: str,
    *,
    space: str | None = None,
    building: str | None = None,
    **fields: Any,
) -> Any:
    """POST /bookings for `email`, of the space or (onsite) the building with that name."""
    body: dict[str, Any] = {"userId": user_id(kadence, email), "startDateTime": start, "endDateTime": end, **fields}
    if space is not None:
        body["spaceId"] = space_id(kadence, space)
    if building is not None:
        body["buildingId"] = building_id(kadence, building)
    return kadence.post("/bookings", json=body)


def booked(kadence: KadenceClient, email: str, start: str, end: str, **place: Any) -> dict[str, Any]:
    response = book(kadence, email, start, end, **place)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def violations(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["@type"] == "ConstraintViolationList"
    assert body["@context"] == "/v1/contexts/ConstraintViolationList"
    return [(violation["propertyPath"], violation["message"]) for violation in body["violations"]]


def refused_fields(response: Any) -> list[str]:
    return [field for field, _ in violations(response)]


def hydra_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["@type"] == "hydra:Error"
    assert body["@context"] == "/v1/contexts/Error"
    return str(body["hydra:description"])


def stored_bookings(kadence: KadenceClient) -> list[tuple[str, str]]:
    return [(booking["id"], booking["status"]) for booking in kadence.members("/bookings")]


def read(kadence: KadenceClient, booking: dict[str, Any]) -> dict[str, Any]:
    response = kadence.get(f"/bookings/{booking['id']}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def transition(kadence: KadenceClient, booking: dict[str, Any], action: str, **body: Any) -> Any:
    return kadence.post(f"/bookings/{booking['id']}/{action}", json=body)


def done(kadence: KadenceClient, booking: dict[str, Any], action: str, **body: Any) -> dict[str, Any]:
    response = transition(kadence, booking, action, **body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def at(client: TestClient, wall: Wall, moment: datetime) -> KadenceClient:
    """The demo API client at `moment`, with a token minted then (tokens last an hour of the clock)."""
    wall.now = moment
    return KadenceClient(client, DEMO_CLIENT)


# Creating


def test_create_desk_booking_answers_the_booking(kadence):
    ben = user_id(kadence, BEN)
    desk = kadence.find("/spaces", name="A-03")

    response = kadence.post(
        "/bookings",
        json={
            "userId": ben,
            "spaceId": desk["id"],
            "startDateTime": "2026-03-03T14:00:00",
            "endDateTime": "2026-03-03T22:00:00",
        },
    )

    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    booking = response.json()
    assert len(booking["id"]) == 26
    assert booking["@context"] == "/v1/contexts/Booking"
    assert booking["@id"] == f"/v1/public/bookings/{booking['id']}"
    assert booking["@type"] == "Booking"
    assert booking["userId"] == f"/v1/public/users/{ben}"
    assert booking["building"] == f"/v1/public/buildings/{building_id(kadence, NEW_YORK)}"
    assert booking["space"] == {
        "@id": f"/v1/public/spaces/{desk['id']}",
        "@type": "Space",
        "id": desk["id"],
        "name": "A-03",
        "type": "desk",
        "floor": {"@id": desk["floor"]["@id"], "@type": "Floor", "id": desk["floor"]["id"], "name": "Floor 2"},
        "neighborhood": {
            "@id": desk["neighborhood"]["@id"],
            "@type": "Neighborhood",
            "id": desk["neighborhood"]["id"],
            "name": "Pod A",
        },
        "photo": None,
    }
    assert (booking["startDate"], booking["endDate"]) == ("2026-03-03T14:00:00+00:00", "2026-03-03T22:00:00+00:00")
    assert (booking["createdAt"], booking["updatedAt"]) == (NOW_STAMP, NOW_STAMP)
    assert (booking["status"], booking["type"], booking["source"]) == ("booked", "desk", "publicApi")
    assert booking["bookingUserEmail"] == BEN
    assert booking["title"] is None
    assert booking["recurringBooking"] is False
    for field in (
        "checkedInUserId",
        "checkedInDate",
        "checkInMethod",
        "checkedOutUser",
        "checkedOutDate",
        "autoReleasedDate",
        "cancelledUserId",
        "cancelledDate",
        "cancellationReason",
    ):
        assert booking.get(field) is None, field  # null, or left out where Kadence types it never null


def test_created_booking_reads_back_the_same(kadence):
    created = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T22:00:00", space="A-03")

    assert read(kadence, created) == created


def test_create_room_booking_keeps_its_title(kadence):
    room = kadence.find("/spaces", name="Queens")

    booking = booked(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space="Queens", title="Sprint planning")

    assert (booking["type"], booking["title"], booking["status"]) == ("room", "Sprint planning", "booked")
    assert booking["space"]["id"] == room["id"]
    assert booking["space"]["type"] == "room"
    assert booking["space"]["floor"]["name"] == "Floor 2"
    assert booking["space"]["neighborhood"] is None
    assert booking["building"] == f"/v1/public/buildings/{building_id(kadence, NEW_YORK)}"


@pytest.mark.parametrize(
    ("space", "kind"),
    [
        ("Queens", "room"),
        ("Phone Booth 1B", "pod"),
        ("Executive Office", "private_office"),
    ],
)
def test_create_booking_of_a_space_gives_its_booking_type(kadence, space, kind):
    booking = booked(kadence, CHLOE, "2026-03-04T15:00:00", "2026-03-04T16:00:00", space=space, title="Focus")

    assert (booking["type"], booking["space"]["name"], booking["space"]["type"]) == (kind, space, kind)
    assert booking["title"] == "Focus"


@pytest.mark.parametrize("space", ["Queens", "Phone Booth 1B", "Executive Office"])
@pytest.mark.parametrize("title", [None, "", "   "])
def test_create_room_booking_requires_a_title(kadence, space, title):
    before = stored_bookings(kadence)
    fields = {} if title is None else {"title": title}

    response = book(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space=space, **fields)

    assert violations(response) == [("title", NOT_BLANK)]
    assert response.json()["violations"][0]["code"] == NOT_BLANK_CODE
    assert stored_bookings(kadence) == before


def test_create_room_booking_accepts_a_title_of_255_characters(kadence):
    booking = booked(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space="Queens", title="t" * 255)

    assert booking["title"] == "t" * 255


@pytest.mark.parametrize(("field", "length"), [("title", 256), ("description", 4001)])
def test_create_room_booking_refuses_overlong_text(kadence, field, length):
    before = stored_bookings(kadence)
    fields = {"title": "Planning", field: "t" * length}

    response = book(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space="Queens", **fields)

    assert refused_fields(response) == [field]
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize(
    ("attendee", "field"),
    [
        ({"userId": UNKNOWN_ULID}, "attendees[0].userId"),
        ({"displayName": "Someone"}, "attendees[0].emailAddress"),
    ],
)
def test_create_room_booking_refuses_an_unusable_attendee(kadence, attendee, field):
    before = stored_bookings(kadence)

    response = book(
        kadence,
        BEN,
        "2026-03-03T15:00:00",
        "2026-03-03T16:00:00",
        space="Queens",
        title="Planning",
        attendees=[attendee],
    )

    assert refused_fields(response) == [field]
    assert stored_bookings(kadence) == before


def test_create_room_booking_too_short_names_a_field_of_the_request(kadence):
    # The shared calendar refuses events of five minutes or less; the violation must name a
    # field the Kadence client sent.
    response = book(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T15:05:00", space="Queens", title="Quick")

    assert refused_fields(response) == ["endDateTime"]


def test_create_onsite_booking_has_no_space(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T22:00:00", building=NEW_YORK)

    assert (booking["type"], booking["status"], booking["source"]) == ("onsite", "booked", "publicApi")
    assert booking["space"] is None
    assert booking["title"] is None
    assert booking["building"] == f"/v1/public/buildings/{building_id(kadence, NEW_YORK)}"
    assert booking["userId"] == f"/v1/public/users/{user_id(kadence, BEN)}"
    assert (booking["startDate"], booking["endDate"]) == ("2026-03-03T14:00:00+00:00", "2026-03-03T22:00:00+00:00")


def test_create_booking_accepts_a_json_ld_body(kadence, client):
    body = {
        "userId": user_id(kadence, BEN),
        "spaceId": space_id(kadence, "A-03"),
        "startDateTime": "2026-03-03T14:00:00",
        "endDateTime": "2026-03-03T18:00:00",
    }
    response = kadence.post(
        "/bookings",
        content=json.dumps(body),
        headers={"Content-Type": "application/ld+json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["space"]["name"] == "A-03"
    assert response.json()["startDate"] == "2026-03-03T14:00:00+00:00"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-03T14:00:00Z", "2026-03-03T18:00:00Z"),
        ("2026-03-03T14:00:00.000Z", "2026-03-03T18:00:00.000Z"),
    ],
)
def test_create_booking_accepts_utc_dates_with_a_trailing_z(kadence, start, end):
    booking = booked(kadence, BEN, start, end, space="A-03")

    assert (booking["startDate"], booking["endDate"]) == ("2026-03-03T14:00:00+00:00", "2026-03-03T18:00:00+00:00")


# Refusals of malformed or incomplete requests


@pytest.mark.parametrize("missing", ["userId", "startDateTime", "endDateTime"])
def test_create_booking_requires_each_field(kadence, missing):
    before = stored_bookings(kadence)
    body = {
        "userId": user_id(kadence, BEN),
        "spaceId": space_id(kadence, "A-03"),
        "startDateTime": "2026-03-03T14:00:00",
        "endDateTime": "2026-03-03T18:00:00",
    }
    del body[missing]

    response = kadence.post("/bookings", json=body)

    assert violations(response) == [(missing, NOT_BLANK)]
    assert response.json()["hydra:description"] == f"{missing}: {NOT_BLANK}"
    assert stored_bookings(kadence) == before


def test_create_booking_needs_a_space_or_a_building(kadence):
    before = stored_bookings(kadence)
    body: dict[str, Any] = {
        "userId": user_id(kadence, BEN),
        "startDateTime": "2026-03-03T14:00:00",
        "endDateTime": "2026-03-03T18:00:00",
    }

    response = kadence.post("/bookings", json=body)

    assert refused_fields(response) == ["spaceId"]
    assert stored_bookings(kadence) == before


def test_create_booking_takes_a_space_with_its_building_as_the_document_sample_sends_them(kadence):
    response = book(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03", building=NEW_YORK)

    assert response.status_code == 201, response.text
    booking = response.json()
    assert booking["type"] == "desk"
    assert booking["space"]["id"] == space_id(kadence, "A-03")
    assert booking["building"] == f"/v1/public/buildings/{building_id(kadence, NEW_YORK)}"
    assert read(kadence, booking)["space"]["name"] == "A-03"


def test_create_booking_refuses_a_space_with_another_building(kadence):
    before = stored_bookings(kadence)

    response = book(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03", building=BENGALURU)

    assert violations(response) == [("buildingId", "The space is not in this building.")]
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize("end", ["2026-03-03T14:00:00", "2026-03-03T13:00:00"])
def test_create_booking_refuses_an_end_not_after_the_start(kadence, end):
    before = stored_bookings(kadence)

    response = book(kadence, BEN, "2026-03-03T14:00:00", end, space="A-03")

    assert refused_fields(response) == ["endDateTime"]
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize("field", ["userId", "spaceId", "buildingId"])
def test_create_booking_refuses_an_unknown_reference(kadence, field):
    before = stored_bookings(kadence)
    body: dict[str, Any] = {
        "userId": user_id(kadence, BEN),
        "startDateTime": "2026-03-03T14:00:00",
        "endDateTime": "2026-03-03T18:00:00",
    }
    if field == "buildingId":
        body["buildingId"] = building_id(kadence, NEW_YORK)
    else:
        body["spaceId"] = space_id(kadence, "A-03")
    body[field] = UNKNOWN_ULID

    response = kadence.post("/bookings", json=body)

    assert refused_fields(response) == [field]
    assert stored_bookings(kadence) == before


def test_create_booking_refuses_a_space_of_another_organization(kadence, client, other_organization):
    elsewhere = KadenceClient(client, OTHER_CLIENT)
    thames = elsewhere.find("/spaces", name="Thames")["id"]

    response = kadence.post(
        "/bookings",
        json={
            "userId": user_id(kadence, BEN),
            "spaceId": thames,
            "startDateTime": "2026-03-03T14:00:00",
            "endDateTime": "2026-03-03T18:00:00",
        },
    )

    assert refused_fields(response) == ["spaceId"]
    assert elsewhere.members("/bookings") == []


def test_create_booking_refuses_malformed_json(kadence):
    before = stored_bookings(kadence)

    response = kadence.post("/bookings", content=b'{"userId": ', headers={"Content-Type": "application/json"})

    assert hydra_error(response, 400) == "Syntax error"
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize("start", ["2026-03-03", "tomorrow", "2026-02-30T14:00:00", "03/03/2026 14:00"])
def test_create_booking_refuses_a_malformed_date(kadence, start):
    before = stored_bookings(kadence)

    response = book(kadence, BEN, start, "2026-03-03T18:00:00", space="A-03")

    assert "startDateTime" in hydra_error(response, 400)
    assert stored_bookings(kadence) == before


# Refusals by the calendar and the building


def test_create_booking_refuses_a_start_in_the_past(kadence):
    before = stored_bookings(kadence)

    response = book(kadence, BEN, "2026-02-25T14:00:00", "2026-02-25T18:00:00", space="A-03")

    assert violations(response) == [("startDateTime", "The booking can't start in the past.")]
    assert stored_bookings(kadence) == before


def test_create_booking_takes_a_start_up_to_a_minute_before_the_current_minute(client, wall):
    kadence = at(client, wall, NOW + timedelta(seconds=37, microseconds=500_000))

    late = book(kadence, BEN, "2026-03-02T13:59:00", "2026-03-02T18:00:00", space="A-03")
    too_late = book(kadence, CHLOE, "2026-03-02T13:58:59", "2026-03-02T18:00:00", space="A-04")

    assert late.status_code == 201, late.text
    assert (late.json()["startDate"], late.json()["status"]) == ("2026-03-02T13:59:00+00:00", "booked")
    assert violations(too_late) == [("startDateTime", "The booking can't start in the past.")]


def test_create_booking_takes_the_start_of_todays_bookable_day(client, wall):
    kadence = at(client, wall, NOW + timedelta(seconds=59, microseconds=999_999))
    days = kadence.get("/bookable-days", params={"buildingId": building_id(kadence, NEW_YORK), "userId": user_id(kadence, BEN)})
    assert days.status_code == 200, days.text
    today = days.json()["hydra:member"][0]["start"]

    response = book(kadence, BEN, today[:19], "2026-03-02T18:00:00", space="A-03")

    assert today == NOW_STAMP
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-03T15:00:00", "2026-03-03T16:00:00"),
        ("2026-03-03T14:30:00", "2026-03-03T15:30:00"),
        ("2026-03-03T15:30:00", "2026-03-03T16:30:00"),
        ("2026-03-03T14:00:00", "2026-03-03T17:00:00"),
        ("2026-03-03T15:15:00", "2026-03-03T15:45:00"),
    ],
)
@pytest.mark.parametrize("space", ["A-03", "Queens"])
def test_create_booking_refuses_a_space_already_booked(kadence, space, start, end):
    booked(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space=space, title="First")
    before = stored_bookings(kadence)

    response = book(kadence, CHLOE, start, end, space=space, title="Second")

    assert violations(response) == [("spaceId", "The space is already booked at that time.")]
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize("space", ["A-03", "Queens"])
def test_create_booking_allows_bookings_that_touch(kadence, space):
    booked(kadence, BEN, "2026-03-03T15:00:00", "2026-03-03T16:00:00", space=space, title="Middle")

    earlier = booked(kadence, CHLOE, "2026-03-03T14:00:00", "2026-03-03T15:00:00", space=space, title="Before")
    later = booked(kadence, CHLOE, "2026-03-03T16:00:00", "2026-03-03T17:00:00", space=space, title="After")

    listed = kadence.members("/bookings", spaceId=space_id(kadence, space), **{"startDateTime[after]": "2026-03-03T00:00:00"})
    assert [(booking["startDate"], booking["status"]) for booking in listed] == [
        ("2026-03-03T14:00:00+00:00", "booked"),
        ("2026-03-03T15:00:00+00:00", "booked"),
        ("2026-03-03T16:00:00+00:00", "booked"),
    ]
    assert earlier["id"] != later["id"]


def test_create_booking_refuses_a_second_desk_for_the_same_person(kadence):
    booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")
    before = stored_bookings(kadence)

    response = book(kadence, BEN, "2026-03-03T17:00:00", "2026-03-03T19:00:00", space="A-04")

    assert violations(response) == [("userId", "The user already has a desk booked at that time.")]
    assert stored_bookings(kadence) == before


def test_create_booking_lets_a_person_hold_desks_one_after_another(kadence):
    booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")

    second = booked(kadence, BEN, "2026-03-03T18:00:00", "2026-03-03T20:00:00", space="A-04")

    assert (second["space"]["name"], second["status"]) == ("A-04", "booked")


def test_create_onsite_booking_refuses_a_full_building(kadence):
    # Bengaluru takes 3 people onsite; Tuesday 3 March 09:00-17:00 there is 03:30-11:30 UTC.
    for email in BENGALURU_PEOPLE[:3]:
        booked(kadence, email, "2026-03-03T03:30:00", "2026-03-03T11:30:00", building=BENGALURU)
    before = stored_bookings(kadence)

    response = book(kadence, BENGALURU_PEOPLE[3], "2026-03-03T11:00:00", "2026-03-03T12:00:00", building=BENGALURU)

    assert violations(response) == [("buildingId", "No onsite passes are left for that time.")]
    assert stored_bookings(kadence) == before


def test_create_onsite_booking_fits_after_a_full_period(kadence):
    for email in BENGALURU_PEOPLE[:3]:
        booked(kadence, email, "2026-03-03T03:30:00", "2026-03-03T11:30:00", building=BENGALURU)

    later = booked(kadence, BENGALURU_PEOPLE[3], "2026-03-03T11:30:00", "2026-03-03T13:30:00", building=BENGALURU)

    assert (later["type"], later["status"]) == ("onsite", "booked")


def test_cancelled_onsite_booking_frees_its_pass(kadence):
    passes = [
        booked(kadence, email, "2026-03-03T03:30:00", "2026-03-03T11:30:00", building=BENGALURU) for email in BENGALURU_PEOPLE[:3]
    ]
    done(kadence, passes[0], "cancel")

    fourth = booked(kadence, BENGALURU_PEOPLE[3], "2026-03-03T04:30:00", "2026-03-03T05:30:00", building=BENGALURU)

    assert fourth["status"] == "booked"


def test_create_onsite_booking_refuses_a_person_already_onsite(kadence):
    booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", building=NEW_YORK)
    before = stored_bookings(kadence)

    response = book(kadence, BEN, "2026-03-03T17:00:00", "2026-03-03T20:00:00", building=NEW_YORK)

    assert refused_fields(response) == ["userId"]
    assert stored_bookings(kadence) == before


@pytest.mark.parametrize(
    ("place", "start", "end"),
    [
        ({"space": "Queens", "title": "Closed"}, "2026-03-11T15:00:00", "2026-03-11T16:00:00"),
        ({"building": NEW_YORK}, "2026-03-11T04:00:00", "2026-03-11T05:00:00"),
        ({"space": "N-03"}, "2026-03-07T04:30:00", "2026-03-07T06:30:00"),
        ({"building": BENGALURU}, "2026-03-07T04:30:00", "2026-03-07T06:30:00"),
    ],
)
def test_create_booking_refuses_a_closure_day(kadence, place, start, end):
    # New York is closed on 11 March, Bengaluru on Saturday 7 March (10:00-12:00 there).
    before = stored_bookings(kadence)

    response = book(kadence, BEN, start, end, **place)

    assert violations(response) == [("startDateTime", "The building is closed on that day.")]
    assert stored_bookings(kadence) == before


def test_create_booking_refuses_an_overnight_booking_into_a_closure_day(kadence):
    # 10 March 23:00 to 11 March 01:00 in New York (EDT from 8 March).
    response = book(kadence, BEN, "2026-03-11T03:00:00", "2026-03-11T05:00:00", building=NEW_YORK)

    assert violations(response) == [("startDateTime", "The building is closed on that day.")]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-03T02:00:00", "2026-03-03T04:00:00"),  # Tuesday 07:30-09:30, opens at 08:00
        ("2026-03-03T14:30:00", "2026-03-03T16:00:00"),  # Tuesday 20:00-21:30, closes at 21:00
        ("2026-03-03T16:00:00", "2026-03-03T17:00:00"),  # Tuesday 21:30-22:30
    ],
)
def test_create_booking_refuses_times_outside_opening_hours(kadence, start, end):
    before = stored_bookings(kadence)

    response = book(kadence, BEN, start, end, space="N-03")

    assert violations(response) == [("startDateTime", "The booking must fall within the building's opening hours.")]
    assert stored_bookings(kadence) == before


def test_create_booking_fills_the_opening_hours_exactly(kadence):
    # Tuesday 08:00-21:00 in Bengaluru.
    booking = booked(kadence, BEN, "2026-03-03T02:30:00", "2026-03-03T15:30:00", building=BENGALURU)

    assert (booking["startDate"], booking["endDate"]) == ("2026-03-03T02:30:00+00:00", "2026-03-03T15:30:00+00:00")


def test_create_booking_refuses_a_weekday_the_building_is_closed(kadence):
    # Sunday 8 March, 10:00-12:00 in Bengaluru.
    response = book(kadence, BEN, "2026-03-08T04:30:00", "2026-03-08T06:30:00", building=BENGALURU)

    assert violations(response) == [("startDateTime", "The building is not open on that day of the week.")]


@pytest.mark.parametrize(
    ("place", "last_start", "first_refused", "days"),
    [
        # New York: 14 days, today included, so through Sunday 15 March (EDT): 23:30 there is 03:30 UTC.
        ({"space": "Queens", "title": "Ahead"}, "2026-03-16T03:30:00", "2026-03-16T04:00:00", 14),
        # Bengaluru: 7 days, so through Sunday 8 March (closed); Saturday 7 March is a closure day too.
        ({"building": BENGALURU}, "2026-03-06T04:30:00", "2026-03-09T04:30:00", 7),
    ],
)
def test_create_booking_refuses_days_past_the_booking_horizon(kadence, place, last_start, first_refused, days):
    before = stored_bookings(kadence)

    refused = book(kadence, BEN, first_refused, plus(first_refused, 30), **place)

    assert violations(refused) == [("startDateTime", f"Bookings can be made at most {days} days ahead.")]
    assert stored_bookings(kadence) == before
    assert book(kadence, BEN, last_start, plus(last_start, 30), **place).status_code == 201


def test_create_booking_refuses_a_disabled_desk(kadence):
    response = book(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="B-04")

    assert refused_fields(response) == ["spaceId"]


# Bookings made through the Robin API share the calendar


def robin_reservation(client: TestClient, seat: int, start: str, end: str) -> Any:
    robin = RobinClient(client, ADMIN_TOKEN)
    return robin.post(
        f"/seats/{seat}/reservations",
        json={
            "type": "hoteled",
            "start": {"date_time": start, "time_zone": "America/New_York"},
            "end": {"date_time": end, "time_zone": "America/New_York"},
        },
    )


@pytest.mark.parametrize(
    ("desk", "holder", "permanent"),
    [("B-02", "hannah.kim@meridian.example", True), ("A-01", "diego.alvarez@meridian.example", False)],
    ids=["assigned", "ordinary"],
)
def test_a_booking_of_an_assigned_desk_is_permanent(kadence, desk, holder, permanent):
    # B-02 is assigned to Hannah on Mondays (Robin's shared schedule); A-01 Diego books today.
    today = {"startDateTime[after]": "2026-03-02T00:00:00", "startDateTime[before]": "2026-03-02T23:59:59"}

    (listed,) = kadence.members("/bookings", spaceId=space_id(kadence, desk), **today)

    assert (listed["bookingUserEmail"], listed["permanent"]) == (holder, permanent)
    assert read(kadence, listed)["permanent"] is permanent


def test_a_booking_made_through_kadence_is_not_permanent(kadence):
    created = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T22:00:00", space="A-03")

    assert created["permanent"] is False


def test_desk_reserved_through_robin_blocks_a_kadence_booking(kadence, client):
    reserved = robin_reservation(client, A_04_SEAT, "2026-03-04T10:00:00", "2026-03-04T12:00:00")
    assert reserved.status_code == 200, reserved.text

    response = book(kadence, BEN, "2026-03-04T16:00:00", "2026-03-04T18:00:00", space="A-04")

    assert violations(response) == [("spaceId", "The space is already booked at that time.")]
    listed = kadence.members("/bookings", spaceId=space_id(kadence, "A-04"))
    assert [(booking["startDate"], booking["endDate"], booking["source"], booking["userId"]) for booking in listed] == [
        ("2026-03-04T15:00:00+00:00", "2026-03-04T17:00:00+00:00", "unknown", f"/v1/public/users/{user_id(kadence, ADA)}"),
    ]


def test_desk_reserved_through_robin_counts_as_the_persons_desk(kadence, client):
    # The Robin reservation is Ada's own, 10:00-12:00 in New York (15:00-17:00 UTC).
    reserved = robin_reservation(client, A_04_SEAT, "2026-03-04T10:00:00", "2026-03-04T12:00:00")
    assert reserved.status_code == 200, reserved.text

    response = book(kadence, ADA, "2026-03-04T16:00:00", "2026-03-04T18:00:00", space="A-03")

    assert violations(response) == [("userId", "The user already has a desk booked at that time.")]


def test_a_cancellation_through_robin_names_who_cancelled(kadence, client):
    reserved = robin_reservation(client, A_04_SEAT, "2026-03-04T10:00:00", "2026-03-04T12:00:00")
    assert reserved.status_code == 200, reserved.text
    booking = kadence.find("/bookings", startDate="2026-03-04T15:00:00+00:00", type="desk")

    cancelled = RobinClient(client, ADMIN_TOKEN).delete(f"/reservations/seats/{reserved.json()['data']['id']}")

    assert cancelled.status_code == 200, cancelled.text
    seen = read(kadence, booking)
    assert (seen["status"], seen["cancellationReason"], seen["cancelledUserId"]) == (
        "cancelled",
        "byUser",
        f"/v1/public/users/{user_id(kadence, ADA)}",
    )


def test_an_event_cancelled_through_robin_names_who_cancelled(kadence, client):
    robin = RobinClient(client, ADMIN_TOKEN)
    created = robin.post(
        "/spaces/49/events",
        json={
            "title": "Robin-side",
            "start": {"date_time": "2026-03-04T13:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-04T14:00:00", "time_zone": "America/New_York"},
        },
    )
    assert created.status_code == 201, created.text
    booking = kadence.find("/bookings", startDate="2026-03-04T18:00:00+00:00", type="room")

    assert robin.delete(f"/events/{created.json()['data']['id']}").status_code == 200

    seen = read(kadence, booking)
    assert (seen["status"], seen["cancelledUserId"]) == ("cancelled", f"/v1/public/users/{user_id(kadence, ADA)}")


def test_kadence_booking_blocks_a_desk_reservation_through_robin(kadence, client):
    booked(kadence, BEN, "2026-03-04T15:00:00", "2026-03-04T17:00:00", space="A-04")

    response = robin_reservation(client, A_04_SEAT, "2026-03-04T11:00:00", "2026-03-04T13:00:00")

    assert response.status_code == 409, response.text
    assert [booking["source"] for booking in kadence.members("/bookings", spaceId=space_id(kadence, "A-04"))] == [
        "publicApi",
    ]


# Cancelling


def test_cancel_answers_the_cancelled_booking(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")
    kadence = at(client, wall, NOW + timedelta(minutes=20))

    cancelled = done(kadence, booking, "cancel")

    assert (cancelled["id"], cancelled["status"], cancelled["cancellationReason"]) == (booking["id"], "cancelled", "byUser")
    assert cancelled["cancelledDate"] == "2026-03-02T14:20:00+00:00"
    assert cancelled["updatedAt"] == "2026-03-02T14:20:00+00:00"
    assert cancelled["createdAt"] == NOW_STAMP
    assert cancelled["cancelledUserId"] == f"/v1/public/users/{user_id(kadence, ADA)}"
    assert cancelled["autoReleasedDate"] is None
    assert read(kadence, booking) == cancelled


def test_cancel_on_behalf_of_the_booker_names_them(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")

    cancelled = done(kadence, booking, "cancel", userId=user_id(kadence, BEN))

    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelledUserId"] == f"/v1/public/users/{user_id(kadence, BEN)}"


def test_cancel_on_behalf_of_an_administrator_is_allowed(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")

    cancelled = done(kadence, booking, "cancel", userId=user_id(kadence, FARAH))

    assert cancelled["cancelledUserId"] == f"/v1/public/users/{user_id(kadence, FARAH)}"


def test_cancel_on_behalf_of_another_member_is_forbidden(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")

    response = transition(kadence, booking, "cancel", userId=user_id(kadence, CHLOE))

    hydra_error(response, 403)
    assert read(kadence, booking)["status"] == "booked"


def test_cancelled_desk_can_be_booked_again(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")
    done(kadence, booking, "cancel")

    again = booked(kadence, CHLOE, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")

    assert again["status"] == "booked"


def test_cancel_refuses_a_cancelled_booking(kadence):
    booking = booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")
    first = done(kadence, booking, "cancel")

    response = transition(kadence, booking, "cancel")

    assert "cancelled" in hydra_error(response, 400)
    assert read(kadence, booking) == first


def test_cancel_refuses_a_completed_booking(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:30:00", "2026-03-02T15:00:00", space="East River", title="Sync")
    kadence = at(client, wall, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))

    response = transition(kadence, booking, "cancel")

    assert "completed" in hydra_error(response, 400)
    assert read(kadence, booking)["status"] == "completed"


def test_cancel_refuses_a_checked_out_booking(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    done(kadence, booking, "check-out", userId=user_id(kadence, BEN))

    response = transition(kadence, booking, "cancel")

    assert "completed" in hydra_error(response, 400)
    assert read(kadence, booking)["status"] == "checkedOut"


def test_cancel_refuses_a_released_booking(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="B-06")
    kadence = at(client, wall, NOW + timedelta(minutes=30))

    response = transition(kadence, booking, "cancel")

    assert "cancelled" in hydra_error(response, 400)
    released = read(kadence, booking)
    assert (released["status"], released["cancellationReason"]) == ("noCheckIn", "autoSpaceRelease")


def test_cancel_of_a_checked_in_booking_is_allowed(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))

    cancelled = done(kadence, booking, "cancel")

    assert cancelled["status"] == "cancelled"


# Checking in and out


@pytest.mark.parametrize("method", METHODS)
def test_check_in_answers_the_checked_in_booking(kadence, wall, client, method):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="A-03")
    kadence = at(client, wall, datetime(2026, 3, 2, 14, 50, tzinfo=UTC))

    checked_in = done(kadence, booking, "check-in", userId=user_id(kadence, CHLOE), method=method)

    assert (checked_in["id"], checked_in["status"]) == (booking["id"], "checkedIn")
    assert checked_in["checkedInDate"] == "2026-03-02T14:50:00+00:00"
    assert checked_in["checkedInUserId"] == f"/v1/public/users/{user_id(kadence, CHLOE)}"
    assert (checked_in["checkInMethod"], checked_in["checkedInSource"]) == (method, "publicApi")
    assert [checked_in.get(field) for field in ("checkOutMethod", "checkedOutDate", "checkedOutUser")] == [None] * 3
    assert read(kadence, booking) == checked_in


def test_check_in_without_a_method_is_allowed(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")

    checked_in = done(kadence, booking, "check-in", userId=user_id(kadence, BEN))

    assert (checked_in["status"], checked_in["checkInMethod"]) == ("checkedIn", None)


def test_check_in_opens_fifteen_minutes_before_the_start(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="A-03")
    ben = user_id(kadence, BEN)
    kadence = at(client, wall, datetime(2026, 3, 2, 14, 44, 59, tzinfo=UTC))

    too_early = transition(kadence, booking, "check-in", userId=ben)

    assert hydra_error(too_early, 400) == "Check in opens 15 minutes before the booking starts."
    assert read(kadence, booking)["status"] == "booked"
    wall.advance(seconds=1)
    assert done(kadence, booking, "check-in", userId=ben)["checkedInDate"] == "2026-03-02T14:45:00+00:00"


def test_check_in_refuses_a_booking_already_checked_in(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    first = done(kadence, booking, "check-in", userId=user_id(kadence, BEN), method="wifi")

    response = transition(kadence, booking, "check-in", userId=user_id(kadence, BEN), method="sensor")

    assert hydra_error(response, 400) == "The booking has already been checked in."
    assert read(kadence, booking) == first


@pytest.mark.parametrize("action", ["cancel", "check-out"])
def test_check_in_refuses_a_booking_no_longer_booked(kadence, action):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    ben = user_id(kadence, BEN)
    if action == "check-out":
        done(kadence, booking, "check-in", userId=ben)
    done(kadence, booking, action, userId=ben)
    status = read(kadence, booking)["status"]

    response = transition(kadence, booking, "check-in", userId=ben)

    hydra_error(response, 400)
    assert read(kadence, booking)["status"] == status


def test_check_out_answers_the_checked_out_booking(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN), method="doorAccess")
    kadence = at(client, wall, datetime(2026, 3, 2, 16, 30, tzinfo=UTC))

    checked_out = done(kadence, booking, "check-out", userId=user_id(kadence, CHLOE), method="geofence")

    assert checked_out["status"] == "checkedOut"
    assert checked_out["checkedOutDate"] == "2026-03-02T16:30:00+00:00"
    assert checked_out["checkedOutUser"] == f"/v1/public/users/{user_id(kadence, CHLOE)}"
    assert (checked_out["checkOutMethod"], checked_out["checkOutSource"]) == ("geofence", "publicApi")
    assert checked_out["checkedInDate"] == NOW_STAMP
    assert checked_out["checkInMethod"] == "doorAccess"
    assert checked_out["checkedInUserId"] == f"/v1/public/users/{user_id(kadence, BEN)}"
    assert read(kadence, booking) == checked_out


def test_check_out_refuses_a_booking_not_checked_in(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")

    response = transition(kadence, booking, "check-out", userId=user_id(kadence, BEN))

    hydra_error(response, 400)
    assert read(kadence, booking)["status"] == "booked"


def test_check_out_refuses_a_booking_already_checked_out(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    first = done(kadence, booking, "check-out", userId=user_id(kadence, BEN), method="wifi")

    response = transition(kadence, booking, "check-out", userId=user_id(kadence, BEN), method="sensor")

    assert hydra_error(response, 400) == "The booking has already been checked out."
    assert read(kadence, booking) == first


@pytest.mark.parametrize("action", ["check-in", "check-out"])
@pytest.mark.parametrize("body", [None, {}, {"method": "wifi"}, {"userId": ""}])
def test_check_in_and_out_require_a_user(kadence, action, body):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    if action == "check-out":
        done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    unchanged = read(kadence, booking)

    sent = {"headers": {"Content-Type": "application/json"}} if body is None else {"json": body}
    response = kadence.post(f"/bookings/{booking['id']}/{action}", **sent)

    assert violations(response) == [("userId", NOT_BLANK)]
    assert read(kadence, booking) == unchanged


@pytest.mark.parametrize("action", ["check-in", "check-out"])
@pytest.mark.parametrize("method", ["badge", "DOORACCESS", ""])
def test_check_in_and_out_refuse_an_unknown_method(kadence, action, method):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    if action == "check-out":
        done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    unchanged = read(kadence, booking)

    response = transition(kadence, booking, action, userId=user_id(kadence, BEN), method=method)

    assert refused_fields(response) == ["method"]
    assert read(kadence, booking) == unchanged


def test_check_in_refuses_an_unknown_user(kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")

    response = transition(kadence, booking, "check-in", userId=UNKNOWN_ULID)

    assert refused_fields(response) == ["userId"]
    assert read(kadence, booking)["status"] == "booked"


@pytest.mark.parametrize("identifier", [UNKNOWN_ULID, "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "not-a-booking", "12"])
@pytest.mark.parametrize("action", [None, "cancel", "check-in", "check-out"])
def test_unknown_booking_is_not_found(kadence, identifier, action):
    if action is None:
        response = kadence.get(f"/bookings/{identifier}")
    else:
        response = kadence.post(f"/bookings/{identifier}/{action}", json={"userId": user_id(kadence, BEN)})

    assert hydra_error(response, 404) == "Not Found"


# Status over time


def test_booking_is_completed_once_it_has_ended(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T16:00:00", space="East River", title="Sync")

    kadence = at(client, wall, datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC))
    assert read(kadence, booking)["status"] == "booked"
    wall.advance(seconds=1)
    completed = read(kadence, booking)

    assert completed["status"] == "completed"
    assert (completed["cancelledDate"], completed["cancellationReason"], completed["autoReleasedDate"]) == (None, None, None)


def test_checked_in_booking_is_completed_once_it_has_ended(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T15:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))

    kadence = at(client, wall, datetime(2026, 3, 2, 14, 59, 59, tzinfo=UTC))
    assert read(kadence, booking)["status"] == "checkedIn"
    wall.advance(seconds=1)
    completed = read(kadence, booking)

    assert completed["status"] == "completed"
    assert completed["checkedInDate"] == NOW_STAMP
    assert completed.get("checkedOutDate") is None


def test_checked_out_booking_stays_checked_out_after_its_end(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T15:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    done(kadence, booking, "check-out", userId=user_id(kadence, BEN))

    kadence = at(client, wall, datetime(2026, 3, 3, 9, 0, tzinfo=UTC))

    assert read(kadence, booking)["status"] == "checkedOut"


@pytest.mark.parametrize(
    ("space", "window"),
    [
        ("B-06", 30),
        ("A-03", 60),
        ("Queens", 10),
        ("Phone Booth 1B", 5),
        ("Executive Office", 30),
    ],
)
def test_unconfirmed_booking_is_released_at_its_window(kadence, wall, client, space, window):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space=space, title="Held")
    release = datetime(2026, 3, 2, 15, 0, tzinfo=UTC) + timedelta(minutes=window)

    kadence = at(client, wall, release - timedelta(seconds=1))
    assert read(kadence, booking)["status"] == "booked"
    wall.advance(seconds=1)
    released = read(kadence, booking)

    assert released["status"] == "noCheckIn"
    assert released["autoReleasedDate"] == stamp(release)
    assert released["cancelledDate"] == stamp(release)
    assert released["cancellationReason"] == "autoSpaceRelease"
    assert released["cancelledUserId"] is None


def test_space_without_a_release_window_is_never_released(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="East River", title="Held")

    kadence = at(client, wall, datetime(2026, 3, 2, 17, 59, tzinfo=UTC))

    assert read(kadence, booking)["status"] == "booked"


def test_booking_made_after_its_release_moment_is_never_released(kadence, wall, client):
    # Started at 13:00 UTC, made through the Robin API (which books in the past); B-06 releases
    # after 30 minutes, which had passed when it was made.
    reserved = RobinClient(client, ADMIN_TOKEN).post(
        f"/seats/{B_06_SEAT}/reservations",
        json={
            "type": "hot",
            "start": {"date_time": "2026-03-02T08:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T11:00:00", "time_zone": "America/New_York"},
        },
    )
    assert reserved.status_code == 200, reserved.text
    (booking,) = kadence.members("/bookings", spaceId=space_id(kadence, "B-06"))

    kadence = at(client, wall, datetime(2026, 3, 2, 15, 30, tzinfo=UTC))
    assert read(kadence, booking)["status"] == "booked"
    wall.advance(minutes=30)

    assert read(kadence, booking)["status"] == "completed"


def test_checked_in_booking_is_not_released(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="B-06")
    kadence = at(client, wall, datetime(2026, 3, 2, 15, 10, tzinfo=UTC))
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))

    kadence = at(client, wall, datetime(2026, 3, 2, 16, 0, tzinfo=UTC))
    still = read(kadence, booking)

    assert (still["status"], still["autoReleasedDate"], still["cancellationReason"]) == ("checkedIn", None, None)


def test_released_booking_refuses_check_in(kadence, wall, client):
    booking = booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="B-06")
    kadence = at(client, wall, datetime(2026, 3, 2, 15, 30, tzinfo=UTC))

    response = transition(kadence, booking, "check-in", userId=user_id(kadence, BEN))

    assert hydra_error(response, 400) == "The booking was released because nobody checked in."
    assert read(kadence, booking)["status"] == "noCheckIn"


def test_released_desk_can_be_booked_by_someone_else(kadence, wall, client):
    booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="B-06")
    kadence = at(client, wall, datetime(2026, 3, 2, 15, 20, tzinfo=UTC))
    assert refused_fields(book(kadence, CHLOE, "2026-03-02T15:45:00", "2026-03-02T17:00:00", space="B-06")) == ["spaceId"]

    wall.now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)
    again = booked(kadence, CHLOE, "2026-03-02T15:45:00", "2026-03-02T17:00:00", space="B-06")

    assert (again["userId"], again["status"]) == (f"/v1/public/users/{user_id(kadence, CHLOE)}", "booked")


def test_released_desk_frees_its_holder_for_another_desk(kadence, wall, client):
    booked(kadence, BEN, "2026-03-02T15:00:00", "2026-03-02T18:00:00", space="B-06")
    kadence = at(client, wall, datetime(2026, 3, 2, 15, 30, tzinfo=UTC))

    other = booked(kadence, BEN, "2026-03-02T15:45:00", "2026-03-02T17:00:00", space="A-03")

    assert other["status"] == "booked"


def test_seeded_desk_is_released_when_nobody_checks_in(kadence, wall, client):
    # Diego's A-01, today 14:00-22:00 UTC, made through the web; A-01 releases after 60 minutes.
    seeded = kadence.find("/bookings", bookingUserEmail="diego.alvarez@meridian.example", type="desk")
    assert (seeded["source"], seeded["status"]) == ("web", "booked")

    kadence = at(client, wall, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    released = read(kadence, seeded)

    assert (released["status"], released["autoReleasedDate"]) == ("noCheckIn", "2026-03-02T15:00:00+00:00")


# Recurring bookings


def rahul_desk_bookings(kadence: KadenceClient) -> list[dict[str, Any]]:
    return [booking for booking in kadence.members(f"/users/{user_id(kadence, RAHUL)}/bookings") if booking["type"] == "desk"]


def test_occurrences_of_a_series_are_separate_bookings(kadence):
    occurrences = rahul_desk_bookings(kadence)

    assert [booking["startDate"] for booking in occurrences] == [
        "2026-03-03T03:30:00+00:00",
        "2026-03-10T03:30:00+00:00",
        "2026-03-17T03:30:00+00:00",
        "2026-03-24T03:30:00+00:00",
    ]
    assert len({booking["id"] for booking in occurrences}) == 4
    assert all(booking["recurringBooking"] is True for booking in occurrences)
    assert all(booking["space"]["name"] == "N-01" for booking in occurrences)
    for occurrence in occurrences:
        assert read(kadence, occurrence) == {"@context": "/v1/contexts/Booking", **occurrence}


def test_cancelling_one_occurrence_leaves_the_others_booked(kadence):
    occurrences = rahul_desk_bookings(kadence)

    cancelled = done(kadence, occurrences[1], "cancel", userId=user_id(kadence, RAHUL))

    assert (cancelled["id"], cancelled["startDate"]) == (occurrences[1]["id"], "2026-03-10T03:30:00+00:00")
    assert (cancelled["status"], cancelled["cancellationReason"]) == ("cancelled", "byUser")
    assert cancelled["cancelledDate"] == NOW_STAMP
    assert cancelled["cancelledUserId"] == f"/v1/public/users/{user_id(kadence, RAHUL)}"
    assert [(booking["id"], booking["status"]) for booking in rahul_desk_bookings(kadence)] == [
        (occurrences[0]["id"], "booked"),
        (occurrences[1]["id"], "cancelled"),
        (occurrences[2]["id"], "booked"),
        (occurrences[3]["id"], "booked"),
    ]
    assert read(kadence, occurrences[1]) == cancelled


def test_cancelled_occurrence_frees_its_desk(kadence):
    occurrences = rahul_desk_bookings(kadence)
    done(kadence, occurrences[0], "cancel")

    taken = booked(kadence, BEN, "2026-03-03T03:30:00", "2026-03-03T12:30:00", space="N-01")

    assert taken["space"]["name"] == "N-01"


def test_checking_in_to_one_occurrence_leaves_the_others_booked(kadence, wall, client):
    occurrences = rahul_desk_bookings(kadence)
    kadence = at(client, wall, datetime(2026, 3, 3, 3, 30, tzinfo=UTC))

    checked_in = done(kadence, occurrences[0], "check-in", userId=user_id(kadence, RAHUL), method="wifi")

    assert (checked_in["status"], checked_in["checkedInDate"]) == ("checkedIn", "2026-03-03T03:30:00+00:00")
    assert [booking["status"] for booking in rahul_desk_bookings(kadence)] == ["checkedIn", "booked", "booked", "booked"]


@pytest.mark.parametrize(
    ("first", "day", "start"),
    [
        # 14 March 2027 has no 02:30 in New York; the occurrence is read at the offset before the gap.
        ("2027-03-07T02:30:00-05:00", "2027-03-14", "2027-03-14T07:30:00+00:00"),
        # 7 November 2027 has 01:30 twice in New York; the occurrence is the first of them.
        ("2027-10-31T01:30:00-04:00", "2027-11-07", "2027-11-07T05:30:00+00:00"),
    ],
    ids=["spring gap", "autumn fold"],
)
def test_an_occurrence_at_a_daylight_saving_change_is_read_checked_in_and_cancelled_by_its_listed_id(
    kadence,
    wall,
    client,
    first,
    day,
    start,
):
    robin = RobinClient(client, ADMIN_TOKEN)
    begins = datetime.fromisoformat(first)
    created = robin.post(
        "/spaces/56/events",
        json={
            "title": "Sunday night run",
            "recurrence": ["RRULE:FREQ=WEEKLY"],
            "start": {"date_time": stamp(begins), "time_zone": "America/New_York"},
            "end": {"date_time": stamp(begins + timedelta(minutes=30)), "time_zone": "America/New_York"},
        },
    )
    assert created.status_code == 201, created.text
    listed = kadence.members(
        "/bookings",
        **{
            "startDateTime[after]": f"{day}T00:00:00",
            "startDateTime[before]": f"{day}T23:59:59",
            "space": space_id(kadence, "Queens"),
        },
    )
    occurrence = next(booking for booking in listed if booking["startDate"] == start)
    kadence = at(client, wall, datetime.fromisoformat(start) - timedelta(minutes=10))

    read = kadence.get(f"/bookings/{occurrence['id']}")
    checked_in = transition(kadence, occurrence, "check-in", userId=user_id(kadence, ADA))
    cancelled = transition(kadence, occurrence, "cancel")

    assert read.status_code == 200, read.text
    assert read.json()["startDate"] == start
    assert checked_in.status_code == 201, checked_in.text
    assert cancelled.status_code == 201, cancelled.text
    assert cancelled.json()["status"] == "cancelled"


# Tenancy


def test_bookings_of_another_organization_are_not_listed(kadence, client, other_organization):
    booked(kadence, BEN, "2026-03-03T14:00:00", "2026-03-03T18:00:00", space="A-03")
    elsewhere = KadenceClient(client, OTHER_CLIENT)

    response = elsewhere.get("/bookings")

    assert response.status_code == 200, response.text
    assert (response.json()["hydra:member"], response.json()["hydra:totalItems"]) == ([], 0)
