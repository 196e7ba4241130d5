"""A visit is a guest booking: the same reservation read through the visits lens and the bookings
lens, with one id, one interval, one host and one status, as the clock moves and as it is
cancelled, checked in or out through the bookings API; guests take no onsite pass, and Robin
never sees a guest booking.

The demo fixture's visits, earliest first (NOW is Monday 2 March 2026, 14:00 UTC):
PAST, Ben's in New York on 28 February 15:00-17:00 UTC (Nadia came 14:55, left 16:40);
TODAY, Ada's in New York 14:00-22:00 UTC (Nadia arrives at 14:05, Tom never comes);
TOMORROW, Priya's in Bengaluru on 3 March 04:30-09:30 UTC (Arjun and Ben, neither comes);
CANCELLED, Priya's in Bengaluru on 5 March 08:30-10:30 UTC.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from sandbox.store.engine import Store
from sandbox.store.models import Reservation, ReservationKind, Resource, ResourceKind
from tests.conftest import DEMO_CLIENT, KadenceClient, RobinClient, Wall
from tests.kadence.lookups import building_id, space_id, user_id

pytestmark = pytest.mark.wire

ADA = "ada.okafor@meridian.example"
BEN = "ben.carter@meridian.example"
PRIYA = "priya.raman@meridian.example"
BENGALURU = "Meridian Bengaluru"
PAST, TODAY, TOMORROW, CANCELLED = range(4)
NOW_STATUSES = ["checkedOut", "booked", "booked", "cancelled"]
ALL_STATUSES = ("booked", "checkedIn", "checkedOut", "completed", "cancelled", "noCheckIn")


def at(client: TestClient, wall: Wall, moment: datetime) -> KadenceClient:
    """The demo API client at `moment`, with a token minted then (tokens last an hour of the clock)."""
    wall.now = moment
    return KadenceClient(client, DEMO_CLIENT)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def visits(kadence: KadenceClient) -> list[dict[str, Any]]:
    return kadence.members("/visits")


def booking(kadence: KadenceClient, booking_id: str) -> dict[str, Any]:
    response = kadence.get(f"/bookings/{booking_id}")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def act(kadence: KadenceClient, booking_id: str, action: str, **body: Any) -> dict[str, Any]:
    response = kadence.post(f"/bookings/{booking_id}/{action}", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def listed_ids(kadence: KadenceClient, path: str = "/bookings", **params: Any) -> list[str]:
    response = kadence.get(path, params={"itemsPerPage": 500, **params})
    assert response.status_code == 200, response.text
    return [member["id"] for member in response.json()["hydra:member"]]


def starting_at(visit: dict[str, Any]) -> dict[str, str]:
    """Date filters that find the bookings starting when the visit does."""
    start = visit["startDate"][:19]
    return {"startDateTime[after]": start, "startDateTime[before]": start}


def test_a_visit_reads_as_a_booking_with_the_same_id_interval_status_and_host(kadence):
    for visit in visits(kadence):
        guest_booking = booking(kadence, visit["id"])

        assert guest_booking["id"] == visit["id"]
        assert (guest_booking["startDate"], guest_booking["endDate"]) == (visit["startDate"], visit["endDate"])
        assert guest_booking["status"] == visit["status"]
        assert guest_booking["userId"] == visit["host"]
        assert guest_booking["building"] == visit["building"]["@id"]
        assert (guest_booking["guestBooking"], guest_booking["type"], guest_booking["space"]) == (True, "onsite", None)
    assert [visit["status"] for visit in visits(kadence)] == NOW_STATUSES


@pytest.mark.parametrize(
    ("moment", "statuses"),
    [
        ("2026-02-28T14:54:00", ["booked", "booked", "booked", "cancelled"]),
        ("2026-02-28T14:55:00", ["checkedIn", "booked", "booked", "cancelled"]),
        ("2026-02-28T16:39:00", ["checkedIn", "booked", "booked", "cancelled"]),
        ("2026-02-28T16:40:00", ["checkedOut", "booked", "booked", "cancelled"]),
        ("2026-03-02T14:00:00", NOW_STATUSES),
        ("2026-03-02T14:05:00", ["checkedOut", "checkedIn", "booked", "cancelled"]),
        ("2026-03-03T09:29:00", ["checkedOut", "completed", "booked", "cancelled"]),
        ("2026-03-03T09:30:00", ["checkedOut", "completed", "noCheckIn", "cancelled"]),
    ],
)
def test_a_visit_and_its_booking_agree_on_the_status_as_the_clock_moves(client, wall, moment, statuses):
    kadence = at(client, wall, utc(moment))

    found = visits(kadence)

    assert [visit["status"] for visit in found] == statuses
    for visit in found:
        assert booking(kadence, visit["id"])["status"] == visit["status"]
        # The store's status filter reads the same status, and no other.
        for status in ALL_STATUSES:
            found_by_status = visit["id"] in listed_ids(kadence, status=status, **starting_at(visit))
            assert found_by_status == (status == visit["status"]), status


def test_a_booking_shows_its_guests_check_in_only_once_it_happened(client, wall):
    kadence = at(client, wall, utc("2026-03-02T14:04:00"))
    today = visits(kadence)[TODAY]
    assert "checkedInDate" not in booking(kadence, today["id"])

    kadence = at(client, wall, utc("2026-03-02T14:05:00"))
    assert booking(kadence, today["id"])["checkedInDate"] == "2026-03-02T14:05:00+00:00"

    kadence = at(client, wall, utc("2026-02-28T16:00:00"))
    past = booking(kadence, visits(kadence)[PAST]["id"])
    assert (past["checkedInDate"], past.get("checkedOutDate")) == ("2026-02-28T14:55:00+00:00", None)


def test_cancelling_the_booking_cancels_the_visit(kadence):
    tomorrow = visits(kadence)[TOMORROW]

    cancelled = act(kadence, tomorrow["id"], "cancel")

    assert (cancelled["status"], cancelled["cancellationReason"]) == ("cancelled", "byUser")
    assert kadence.get(f"/visits/{tomorrow['id']}").json()["status"] == "cancelled"
    assert [visit["status"] for visit in visits(kadence)] == ["checkedOut", "booked", "cancelled", "cancelled"]


def test_checking_in_and_out_through_the_booking_shows_in_the_visit(client, wall):
    kadence = at(client, wall, utc("2026-03-03T04:30:00"))
    tomorrow = visits(kadence)[TOMORROW]
    priya = user_id(kadence, PRIYA)

    checked_in = act(kadence, tomorrow["id"], "check-in", userId=priya)
    assert checked_in["status"] == "checkedIn"
    assert kadence.get(f"/visits/{tomorrow['id']}").json()["status"] == "checkedIn"

    wall.now = utc("2026-03-03T05:00:00")
    checked_out = act(kadence, tomorrow["id"], "check-out", userId=priya)
    assert (checked_out["status"], checked_out["checkedOutDate"]) == ("checkedOut", "2026-03-03T05:00:00+00:00")
    assert kadence.get(f"/visits/{tomorrow['id']}").json()["status"] == "checkedOut"

    # Checked in before its end, it is not released when nobody on its list came.
    kadence = at(client, wall, utc("2026-03-03T10:00:00"))
    assert kadence.get(f"/visits/{tomorrow['id']}").json()["status"] == "checkedOut"


def test_a_check_in_through_the_booking_comes_before_a_guest_arrival_still_to_come(kadence, client, wall):
    today = visits(kadence)[TODAY]

    checked_in = act(kadence, today["id"], "check-in", userId=user_id(kadence, ADA))

    assert (checked_in["status"], checked_in["checkedInDate"]) == ("checkedIn", "2026-03-02T14:00:00+00:00")
    # Nadia's arrival at 14:05 changes nothing: the booking was checked in first.
    kadence = at(client, wall, utc("2026-03-02T14:10:00"))
    after = booking(kadence, today["id"])
    assert (after["status"], after["checkedInDate"]) == ("checkedIn", "2026-03-02T14:00:00+00:00")
    assert kadence.get(f"/visits/{today['id']}").json()["status"] == "checkedIn"


def test_a_booking_checked_in_cannot_be_checked_in_again(client, wall):
    kadence = at(client, wall, utc("2026-03-02T14:05:00"))
    today = visits(kadence)[TODAY]

    response = kadence.post(f"/bookings/{today['id']}/check-in", json={"userId": user_id(kadence, ADA)})

    assert response.status_code == 400, response.text


def test_guests_take_no_onsite_pass(kadence):
    bengaluru = building_id(kadence, BENGALURU)
    window = {"buildingId": bengaluru, "startDateTime": "2026-03-03T05:00:00", "endDateTime": "2026-03-03T09:00:00"}
    capacity = 3

    passes = kadence.get("/bookable-onsite-passes", params=window).json()
    assert passes["numPassesAvailable"] == capacity
    # Priya, who hosts the visit, still books an onsite pass of her own.
    for email in (PRIYA, "rahul.mehta@meridian.example", "sneha.iyer@meridian.example"):
        body = {"userId": user_id(kadence, email), "startDateTime": "2026-03-03T05:00:00", "endDateTime": "2026-03-03T09:00:00"}
        response = kadence.post("/bookings", json={**body, "buildingId": bengaluru})
        assert response.status_code == 201, response.text
    assert kadence.get("/bookable-onsite-passes", params=window).json()["numPassesAvailable"] == 0


def test_visits_filter_by_date_as_php_reads_it_and_ignore_what_it_cannot(kadence):
    found = visits(kadence)

    from_today = kadence.members("/visits", **{"startDateTime[after]": "today"})
    unreadable = kadence.members("/visits", **{"startDateTime[after]": "soon"})

    assert [visit["id"] for visit in from_today] == [visit["id"] for visit in found[TODAY:]]
    assert unreadable == found


def test_guest_bookings_are_listed_among_bookings_and_their_hosts(kadence):
    found = visits(kadence)
    ids = [visit["id"] for visit in found]

    onsite = listed_ids(kadence, type="onsite", **{"startDateTime[after]": "2026-02-28T00:00:00"})
    assert set(ids) <= set(onsite)
    assert set(ids) <= set(listed_ids(kadence, **{"startDateTime[after]": "2026-02-28T00:00:00"}))
    assert set(listed_ids(kadence, f"/users/{user_id(kadence, PRIYA)}/bookings")) & set(ids) == {
        found[TOMORROW]["id"],
        found[CANCELLED]["id"],
    }
    # Ben is one of tomorrow's guests: the booking is Priya's, not his.
    assert found[TOMORROW]["id"] not in listed_ids(kadence, f"/users/{user_id(kadence, BEN)}/bookings")


def test_a_visit_with_visitors_from_outside_is_a_guest_booking_with_guests(kadence):
    for visit in visits(kadence):
        guest_booking = booking(kadence, visit["id"])

        assert "external" in {visitor["type"] for visitor in visit["visitors"]}
        assert (guest_booking["hasGuests"], guest_booking["guestBooking"]) == (True, True)


@pytest.mark.parametrize(
    ("attendees", "has_guests"),
    [
        ([], False),
        ([{"userId": ADA}, {"emailAddress": "PRIYA.RAMAN@meridian.example"}], False),
        ([{"userId": ADA}, {"emailAddress": "visitor@elsewhere.example"}], True),
    ],
    ids=["nobody", "colleagues", "someone from outside"],
)
def test_a_room_booking_has_guests_when_it_invites_an_email_that_is_nobodys(kadence, attendees, has_guests):
    body = {
        "userId": user_id(kadence, BEN),
        "spaceId": space_id(kadence, "East River"),
        "startDateTime": "2026-03-04T15:00:00",
        "endDateTime": "2026-03-04T16:00:00",
        "title": "Review",
        "attendees": [{"userId": user_id(kadence, item["userId"])} if "userId" in item else item for item in attendees],
    }

    response = kadence.post("/bookings", json=body)

    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["hasGuests"], created["guestBooking"]) == (has_guests, False)
    read = booking(kadence, created["id"])
    assert (read["hasGuests"], read["guestBooking"]) == (has_guests, False)
    listed = kadence.members("/bookings", spaceId=body["spaceId"], **starting_at(created))
    assert [(member["id"], member["hasGuests"]) for member in listed] == [(created["id"], has_guests)]


# Robin


def guest_reservations(store: Store) -> list[Reservation]:
    with store.session() as session:
        return list(session.exec(select(Reservation).where(Reservation.kind == ReservationKind.GUEST)))


def test_robin_sees_no_guest_booking(robin: RobinClient, store: Store) -> None:
    guests = guest_reservations(store)
    assert len(guests) == 4
    guest_ids = {str(reservation.id) for reservation in guests}
    window = {"after": "2026-02-27T00:00:00Z", "before": "2026-03-06T00:00:00Z", "per_page": 100}

    for reservation in guests:
        assert robin.get(f"/events/{reservation.id}").status_code == 404
        assert robin.get(f"/reservations/seats/{reservation.id}").status_code == 404
    for path in ("/locations/10/events", "/locations/11/events", "/reservations/seats"):
        response = robin.get(path, params=window)
        assert response.status_code == 200, response.text
        assert not {item["id"] for item in response.json()["data"]} & guest_ids
    for email in (ADA, PRIYA):
        person = robin.get(f"/users/{email}").json()["data"]["id"]
        response = robin.get(f"/users/{person}/events", params=window)
        assert response.status_code == 200, response.text
        assert not {item["id"] for item in response.json()["data"]} & guest_ids


def test_robin_free_busy_and_space_state_leave_guest_bookings_out(robin: RobinClient, store: Store) -> None:
    guest_ids = {str(reservation.id) for reservation in guest_reservations(store)}
    with store.session() as session:
        onsite = session.exec(select(Resource.id).where(Resource.kind == ResourceKind.ONSITE)).all()

    response = robin.post(
        "/free-busy/spaces",
        json={
            "scope": {"location_ids": [10]},
            "view_options": {"bounds": {"from": "2026-03-02T14:00:00Z", "to": "2026-03-02T22:00:00Z"}},
            "paging_info": {"page": 1, "per_page": 100},
        },
    )
    assert response.status_code == 200, response.text
    results = response.json()["data"]
    assert not {result["space"]["id"] for result in results} & set(onsite)
    busy = {event["id"] for result in results for block in result["busy"] for event in block["events"]}
    assert not busy & guest_ids
    for resource_id in onsite:
        assert robin.get(f"/spaces/{resource_id}/state").status_code == 404
