"""Integrations that check people in and clean up bookings, replayed with what they send.

A Wi-Fi check-in service takes its token from a form, uses `token_type` verbatim as the
Authorization scheme, finds a person by raw email (exactly one, by `hydra:totalItems`), validates
the whole user as a typed model whose keys must all be present, lists their desk bookings by status
a page at a time (parameters percent-encoded, as Python's requests writes them) following
`hydra:view`, and checks in with `application/json`. An office display posts its token form with an
explicit Content-Type, sends `Content-Type: application/json` on its GETs and no Accept, filters
today's bookings with encoded `local_*` bounds without `Z`, and checks in with
`application/ld+json`. A clean-up script lists users 500 at a time, a person's bookings between
local midnights with offsets, and cancels with `Accept: application/ld+json`.
"""

from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_CLIENT, Wall

pytestmark = pytest.mark.wire

USER_KEYS = (
    "id",
    "@type",
    "email",
    "firstName",
    "lastName",
    "jobTitle",
    "invitationPending",
    "createdAt",
    "modifiedAt",
    "locale",
    "timePreference",
    "locationCityName",
    "locationCountryCode",
    "locationLatitude",
    "locationLongitude",
    "monogram",
)
"""The fields the check-in service's user model requires, null or not."""
BOOKING_KEYS = (
    "id",
    "createdUserId",
    "userId",
    "space",
    "startDate",
    "endDate",
    "createdAt",
    "updatedAt",
    "permanent",
    "hasGuests",
    "guestBooking",
    "recurringBooking",
    "source",
    "status",
    "type",
    "building",
)
STATUSES = {"booked", "checkedIn", "checkedOut", "completed", "cancelled", "noCheckIn"}
SOURCES = {"web", "ios", "android", "calendar", "publicApi", "slack", "msTeams", "unknown"}


def form_token(client: TestClient, **headers: str) -> dict[str, Any]:
    answer = client.post(
        "/oauth2/token",
        data={
            "client_id": DEMO_CLIENT[0],
            "grant_type": "client_credentials",
            "client_secret": DEMO_CLIENT[1],
            "scope": "public",
        },
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]  # decoded JSON


def test_a_wifi_check_in_service_finds_a_person_pages_their_bookings_and_checks_in(client: TestClient, wall: Wall) -> None:
    """Rahul's Wi-Fi login, ten minutes before his Tuesday desk (03:30 UTC, weekly)."""
    wall.advance(hours=13, minutes=20)
    token = form_token(client)
    assert {"token_type", "expires_in", "access_token"} <= set(token)
    auth = {"Authorization": f"{token['token_type']} {token['access_token']}"}

    people = client.get("/v1/public/users?email=rahul.mehta@meridian.example", headers=auth).json()
    assert people["hydra:totalItems"] == 1
    person = people["hydra:member"][0]
    assert set(USER_KEYS) <= set(person), set(USER_KEYS) - set(person)
    assert person["timePreference"] in ("default", "12H", "24H")

    seen: list[dict[str, Any]] = []
    url = f"/v1/public/users/{person['id']}/bookings?" + urlencode(
        {"type": "desk", "status": "booked", "page": 1, "itemsPerPage": 1}
    )
    while url:
        answer = client.get(url, headers=auth)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += page["hydra:member"]
        view = page.get("hydra:view")
        assert view is None or {"@id", "@type"} <= set(view)
        url = view.get("hydra:next") if view else None
        assert url is None or url.startswith("/v1/public/users/"), "hydra:next is an IRI, relative as API Platform writes it"
    assert len(seen) == page["hydra:totalItems"] > 1
    for booking in seen:
        assert set(BOOKING_KEYS) <= set(booking), set(BOOKING_KEYS) - set(booking)
        assert (booking["type"], booking["status"], booking["source"] in SOURCES) == ("desk", "booked", True)

    today = next(booking for booking in seen if booking["startDate"] == "2026-03-03T03:30:00+00:00")
    answer = client.post(
        f"/v1/public/bookings/{today['id']}/check-in",
        headers={**auth, "Content-Type": "application/json"},
        json={"userId": person["id"], "method": "wifi"},
    )
    assert answer.status_code == 201, answer.text
    assert (answer.json()["status"], answer.json()["checkInMethod"]) == ("checkedIn", "wifi")


def test_an_office_display_lists_todays_desks_and_checks_someone_in(client: TestClient) -> None:
    token = form_token(client, **{"Content-Type": "application/x-www-form-urlencoded"})
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    on_get = {**auth, "Content-Type": "application/json"}

    buildings = client.get("/v1/public/buildings", headers=on_get)
    assert buildings.status_code == 200, buildings.text
    query = urlencode(
        {
            "startDateTime[local_after]": "2026-03-02T07:00:00",
            "startDateTime[local_before]": "2026-03-02T17:00:00",
            "type": "desk",
            "status": "booked",
        }
    )
    assert "%5B" in query
    assert "%3A" in query
    today = client.get(f"/v1/public/bookings?{query}", headers=on_get).json()["hydra:member"]
    emails = {booking["bookingUserEmail"] for booking in today}
    assert "diego.alvarez@meridian.example" in emails

    booking = next(booking for booking in today if booking["bookingUserEmail"] == "diego.alvarez@meridian.example")
    person = client.get("/v1/public/users?email=diego.alvarez@meridian.example", headers=on_get).json()["hydra:member"][0]
    assert person["monogram"] == "DA"
    answer = client.post(
        f"/v1/public/bookings/{booking['id']}/check-in",
        headers={**auth, "Content-Type": "application/ld+json"},
        json={"userId": person["id"], "method": "wifi"},
    )
    assert answer.is_success, answer.text
    again = client.post(
        f"/v1/public/bookings/{booking['id']}/check-in",
        headers={**auth, "Content-Type": "application/ld+json"},
        json={"userId": person["id"], "method": "wifi"},
    )
    assert again.status_code == 400
    assert again.json()["hydra:description"]


def test_a_clean_up_script_cancels_a_persons_bookings_of_a_day(client: TestClient) -> None:
    token = form_token(client)
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    users = client.get("/v1/public/users?itemsPerPage=500", headers=auth).json()["hydra:member"]
    rahul = next(user for user in users if user["email"] == "rahul.mehta@meridian.example")
    assert {"id", "email", "firstName", "lastName"} <= set(rahul)

    bounds = urlencode({"startDateTime[after]": "2026-03-03T00:00:00+05:30", "endDateTime[before]": "2026-03-04T00:00:00+05:30"})
    day = client.get(f"/v1/public/users/{rahul['id']}/bookings?{bounds}", headers=auth).json()["hydra:member"]
    booked = [booking for booking in day if booking["status"] == "booked"]
    assert booked, "Rahul has a desk on Tuesday 3 March"

    for booking in booked:
        answer = client.post(
            f"/v1/public/bookings/{booking['id']}/cancel",
            headers={**auth, "Accept": "application/ld+json", "Content-Type": "application/json"},
            json={"userId": rahul["id"]},
        )
        assert answer.status_code == 201, answer.text
        assert answer.json()["status"] == "cancelled"
    after = client.get(f"/v1/public/users/{rahul['id']}/bookings?{bounds}", headers=auth).json()["hydra:member"]
    assert {booking["status"] for booking in after} == {"cancelled"}
