"""GET /v1/public/bookings and GET /v1/public/users/{id}/bookings through HTTP: every filter, the
order, and paging.

NOW is Monday 2 March 2026, 14:00 UTC: 09:00 in New York (UTC-5 until 8 March), 19:30 in
Bengaluru (UTC+5:30). The demo store holds no desk bookings on Friday 6 March and no bookings
at all on Saturday 7 March, so those days hold only what a test books.
"""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT, KadenceClient, RobinClient, Wall
from tests.kadence.lookups import building_id, space_id, user_id

BEN = "ben.carter@meridian.example"
CHLOE = "chloe.martin@meridian.example"
LAURA = "laura.novak@meridian.example"
NEW_YORK = "Meridian HQ New York"
BENGALURU = "Meridian Bengaluru"
FOCUS_ROOM_SPACE = 57
WELLNESS_ROOM_SPACE = 60
"""Robin's integer ids of two New York rooms without seeded events (fixtures/demo.json)."""
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
FRIDAY = {"startDateTime[after]": "2026-03-06T00:00:00", "startDateTime[before]": "2026-03-06T23:59:59"}
FRIDAY_DESKS = {"type": "desk", **FRIDAY}


def booked(
    kadence: KadenceClient,
    email: str,
    start: str,
    end: str,
    *,
    space: str | None = None,
    building: str | None = None,
) -> dict[str, Any]:
    """A booking for `email` of the space (a room gets a title) or, onsite, the building with that name."""
    body: dict[str, Any] = {"userId": user_id(kadence, email), "startDateTime": start, "endDateTime": end}
    if space is not None:
        body.update(spaceId=space_id(kadence, space), title=f"{space} meeting")
    if building is not None:
        body["buildingId"] = building_id(kadence, building)
    response = kadence.post("/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def act(kadence: KadenceClient, booking: dict[str, Any], action: str, **body: Any) -> None:
    response = kadence.post(f"/bookings/{booking['id']}/{action}", json=body)
    assert response.status_code == 201, response.text


def at(client: TestClient, wall: Wall, moment: datetime) -> KadenceClient:
    """The demo API client at `moment`, with a token minted then (tokens last an hour of the clock)."""
    wall.now = moment
    return KadenceClient(client, DEMO_CLIENT)


def listed(kadence: KadenceClient, path: str = "/bookings", **params: Any) -> dict[str, Any]:
    response = kadence.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def place_of(booking: dict[str, Any]) -> str:
    """What a booking holds: its space's name, or 'onsite'."""
    return str(booking["space"]["name"]) if booking["space"] else booking["type"]


def places(kadence: KadenceClient, path: str = "/bookings", **params: Any) -> list[str]:
    body = listed(kadence, path, **params)
    assert body["hydra:totalItems"] == len(body["hydra:member"])
    return [place_of(booking) for booking in body["hydra:member"]]


def bad_request(response: Any) -> str:
    assert response.status_code == 400, response.text
    assert response.json()["@type"] == "hydra:Error"
    return str(response.json()["hydra:description"])


def friday_desks(kadence: KadenceClient) -> dict[str, dict[str, Any]]:
    """Three desks on Friday 6 March, each 10:00-11:00 or 12:00-13:00 where it is:
    N-03 in Bengaluru 10:00-11:00 (04:30-05:30 UTC), A-03 in New York 10:00-11:00 (15:00-16:00 UTC),
    A-04 in New York 12:00-13:00 (17:00-18:00 UTC)."""
    return {
        "N-03": booked(kadence, BEN, "2026-03-06T04:30:00", "2026-03-06T05:30:00", space="N-03"),
        "A-03": booked(kadence, CHLOE, "2026-03-06T15:00:00", "2026-03-06T16:00:00", space="A-03"),
        "A-04": booked(kadence, BEN, "2026-03-06T17:00:00", "2026-03-06T18:00:00", space="A-04"),
    }


# Date filters


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("startDateTime[after]", "2026-03-06T15:00:00", ["A-03", "A-04"]),
        ("startDateTime[strictly_after]", "2026-03-06T15:00:00", ["A-04"]),
        ("startDateTime[before]", "2026-03-06T15:00:00", ["N-03", "A-03"]),
        ("startDateTime[strictly_before]", "2026-03-06T15:00:00", ["N-03"]),
        ("endDateTime[after]", "2026-03-06T16:00:00", ["A-03", "A-04"]),
        ("endDateTime[strictly_after]", "2026-03-06T16:00:00", ["A-04"]),
        ("endDateTime[before]", "2026-03-06T16:00:00", ["N-03", "A-03"]),
        ("endDateTime[strictly_before]", "2026-03-06T16:00:00", ["N-03"]),
    ],
)
def test_list_bookings_filters_by_utc_date(kadence, name, value, expected):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, name: value}) == expected


@pytest.mark.parametrize(
    ("name", "value", "expected", "read_as_utc"),
    [
        ("startDateTime[local_after]", "2026-03-06T10:00:00", ["N-03", "A-03", "A-04"], ["A-03", "A-04"]),
        ("startDateTime[local_strictly_after]", "2026-03-06T10:00:00", ["A-04"], ["A-03", "A-04"]),
        ("startDateTime[local_before]", "2026-03-06T12:00:00", ["N-03", "A-03", "A-04"], ["N-03"]),
        ("startDateTime[local_strictly_before]", "2026-03-06T12:00:00", ["N-03", "A-03"], ["N-03"]),
        ("endDateTime[local_after]", "2026-03-06T11:00:00", ["N-03", "A-03", "A-04"], ["A-03", "A-04"]),
        ("endDateTime[local_strictly_after]", "2026-03-06T11:00:00", ["A-04"], ["A-03", "A-04"]),
        ("endDateTime[local_before]", "2026-03-06T11:00:00", ["N-03", "A-03"], ["N-03"]),
        ("endDateTime[local_strictly_before]", "2026-03-06T13:00:00", ["N-03", "A-03"], ["N-03"]),
    ],
)
def test_list_bookings_filters_by_local_date_in_each_building(kadence, name, value, expected, read_as_utc):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, name: value}) == expected
    assert places(kadence, **{**FRIDAY_DESKS, name.replace("local_", ""): value}) == read_as_utc


def test_local_date_filter_ignores_an_offset(kadence):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, "startDateTime[local_strictly_after]": "2026-03-06T10:00:00Z"}) == ["A-04"]
    assert places(kadence, **{**FRIDAY_DESKS, "startDateTime[local_strictly_after]": "2026-03-06T10:00:00+05:30"}) == [
        "A-04",
    ]


@pytest.mark.parametrize("value", ["2026-03-06T15:00:00Z", "2026-03-06T15:00:00.000Z"])
def test_date_filter_accepts_a_trailing_z(kadence, value):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, "startDateTime[strictly_after]": value}) == ["A-04"]


def test_inclusive_start_bound_takes_an_occurrence_starting_on_it(kadence):
    # The Bengaluru stand-up's first occurrence is on Tuesday 3 March, 04:00-04:15 UTC.
    found = listed(
        kadence,
        spaceId=space_id(kadence, "Cubbon"),
        **{
            "startDateTime[after]": "2026-03-03T00:00:00",
            "startDateTime[before]": "2026-03-03T04:00:00",
        },
    )["hydra:member"]

    assert [(booking["title"], booking["startDate"]) for booking in found] == [
        ("Bengaluru stand-up", "2026-03-03T04:00:00+00:00"),
    ]


def test_date_filters_combine(kadence):
    friday_desks(kadence)

    assert places(
        kadence,
        **{
            "type": "desk",
            "startDateTime[after]": "2026-03-06T05:00:00",
            "endDateTime[before]": "2026-03-06T16:00:00",
        },
    ) == ["A-03"]


def test_one_sided_date_filter_reaches_past_the_default_year(kadence):
    # The last occurrence of the monthly all-hands is on 5 August; from 1 August on it is the only
    # one but the assigned days of shared desks, which have no end.
    found = listed(kadence, **{"startDateTime[after]": "2026-08-01T00:00:00"})["hydra:member"]

    assert [(booking["title"], booking["startDate"]) for booking in found if not booking["permanent"]] == [
        ("Monthly all-hands", "2026-08-05T20:00:00+00:00"),
    ]


def test_deprecated_day_filters_still_filter(kadence):
    friday_desks(kadence)

    assert places(kadence, type="desk", startDate="2026-03-06", endDate="2026-03-06") == ["N-03", "A-03", "A-04"]


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-06 15:00:00",
        "2026-03-06 15:00",
        "2026-03-06T15:00",
        "2026-03-06t15:00:00.000000",
        "2026-03-06T10:00:00-05:00",
        "2026-03-06T20:30:00+0530",
        "2026-03-06T15:00:00+00",
        "2026-03-06 15:00:00 UTC",
        "2026-03-06 10:00:00 America/New_York",
        f"@{int(datetime(2026, 3, 6, 15, tzinfo=UTC).timestamp())}",
    ],
)
def test_date_filter_reads_what_php_datetime_reads(kadence, value):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, "startDateTime[strictly_after]": value}) == ["A-04"]


@pytest.mark.parametrize("midnight", ["2026-03-06", "2026-03-05T24:00:00"])
def test_date_filter_reads_a_bare_date_as_its_midnight(kadence, midnight):
    friday_desks(kadence)

    found = places(
        kadence, type="desk", **{"startDateTime[after]": midnight, "startDateTime[strictly_before]": "2026-03-06T16:00:00"}
    )

    assert found == ["N-03", "A-03"]


def test_date_filter_runs_a_day_past_the_month_end_on_into_the_next_month_as_php_does(kadence):
    by_date = listed(kadence, **{"startDateTime[after]": "2026-03-02", "startDateTime[strictly_before]": "2026-03-03"})

    found = listed(kadence, **{"startDateTime[after]": "2026-02-30", "startDateTime[strictly_before]": "2026-02-31"})

    assert by_date["hydra:member"]
    assert found == {**by_date, "hydra:view": found["hydra:view"]}


@pytest.mark.parametrize(
    ("after", "before", "explicit"),
    [
        ("today", "tomorrow", ("2026-03-02", "2026-03-03")),
        ("MIDNIGHT", "today +1 day", ("2026-03-02", "2026-03-03")),
        ("yesterday", "today", ("2026-03-01", "2026-03-02")),
        ("now", "tomorrow", ("2026-03-02T14:00:00", "2026-03-03")),
        ("+1 day", "+2 days", ("2026-03-03T14:00:00", "2026-03-04T14:00:00")),
        ("2 days ago", "noon", ("2026-02-28T14:00:00", "2026-03-02T12:00:00")),
    ],
)
def test_date_filter_reads_relative_words_on_the_organizations_clock(kadence, after, before, explicit):
    by_date = listed(kadence, **{"startDateTime[after]": explicit[0], "startDateTime[strictly_before]": explicit[1]})

    found = listed(kadence, **{"startDateTime[after]": after, "startDateTime[strictly_before]": before})

    assert by_date["hydra:member"]
    assert found["hydra:totalItems"] < listed(kadence)["hydra:totalItems"]
    assert [booking["id"] for booking in found["hydra:member"]] == [booking["id"] for booking in by_date["hydra:member"]]


def test_date_filter_words_follow_the_clock(client, wall, kadence):
    friday_desks(kadence)

    later = at(client, wall, datetime(2026, 3, 6, 12, tzinfo=UTC))

    assert places(later, type="desk", **{"startDateTime[after]": "today", "startDateTime[before]": "now"}) == ["N-03"]
    assert places(later, type="desk", **{"startDateTime[after]": "now", "startDateTime[before]": "tomorrow"}) == [
        "A-03",
        "A-04",
    ]


@pytest.mark.parametrize("value", ["2026-03-06 10:00:00", "2026-03-06T10:00", "2026-03-06 10:00:00 Asia/Kolkata"])
def test_local_date_filter_reads_what_php_reads_as_a_wall_clock_time(kadence, value):
    friday_desks(kadence)

    assert places(kadence, **{**FRIDAY_DESKS, "startDateTime[local_strictly_after]": value}) == ["A-04"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("startDateTime[strictly_after]", "soon"),
        ("startDateTime[strictly_before]", "6 March 2026"),
        ("endDateTime[before]", "2026-13-01T00:00:00"),
        ("endDateTime[local_after]", "2026-02-32T10:00:00"),
        ("startDateTime[local_strictly_after]", "06/03/2026 10:00"),
        ("startDateTime[strictly_after]", "2026"),
        ("endDateTime[after]", "tomorrow or so"),
        ("endDateTime[strictly_before]", ""),
        ("endDateTime[after]", "@a while ago"),
    ],
)
def test_list_bookings_ignores_a_date_filter_php_cannot_read(kadence, name, value):
    friday_desks(kadence)

    response = kadence.get("/bookings", params={**FRIDAY_DESKS, name: value})

    assert response.status_code == 200, response.text
    assert [place_of(booking) for booking in response.json()["hydra:member"]] == ["N-03", "A-03", "A-04"]


@pytest.mark.parametrize(
    ("name", "value"), [("startDate", "6 March"), ("endDate", "2026-03-06T00:00:00"), ("startDate", "today")]
)
def test_deprecated_day_filters_refuse_another_format(kadence, name, value):
    response = kadence.get("/bookings", params={name: value})

    assert name in bad_request(response)


# Brackets as clients send them


def test_filters_work_with_unencoded_brackets(kadence, client):
    friday_desks(kadence)

    response = client.get(
        "/v1/public/bookings?type=desk&startDateTime[strictly_after]=2026-03-06T15:00:00"
        "&startDateTime[before]=2026-03-06T23:59:59&order[startDate]=desc",
        headers=kadence.headers,
    )

    assert response.status_code == 200, response.text
    assert [place_of(booking) for booking in response.json()["hydra:member"]] == ["A-04"]


def test_filters_work_with_percent_encoded_brackets(kadence, client):
    friday_desks(kadence)

    response = client.get(
        "/v1/public/bookings?type=desk&startDateTime%5Bafter%5D=2026-03-06T00%3A00%3A00"
        "&startDateTime%5Bbefore%5D=2026-03-06T23%3A59%3A59&order%5BstartDate%5D=desc",
        headers=kadence.headers,
    )

    assert response.status_code == 200, response.text
    assert [place_of(booking) for booking in response.json()["hydra:member"]] == ["A-04", "A-03", "N-03"]


# Type, status, place and id


def saturday_of_every_type(kadence: KadenceClient) -> None:
    """One booking of each type in New York, Saturday 7 March 15:00-16:00 UTC."""
    start, end = "2026-03-07T15:00:00", "2026-03-07T16:00:00"
    booked(kadence, BEN, start, end, space="A-03")
    booked(kadence, BEN, start, end, space="Queens")
    booked(kadence, CHLOE, start, end, space="Phone Booth 1B")
    booked(kadence, CHLOE, start, end, space="Executive Office")
    booked(kadence, BEN, start, end, building=NEW_YORK)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("desk", ["A-03"]),
        ("room", ["Queens"]),
        ("pod", ["Phone Booth 1B"]),
        ("private_office", ["Executive Office"]),
        ("onsite", ["onsite"]),
        ("locker", []),
        ("parking", []),
    ],
)
def test_list_bookings_filters_by_type(kadence, kind, expected):
    saturday_of_every_type(kadence)
    saturday = {"startDateTime[after]": "2026-03-07T00:00:00", "startDateTime[before]": "2026-03-07T23:59:59"}

    assert places(kadence, type=kind, **saturday) == expected
    assert {booking["type"] for booking in listed(kadence, type=kind, **saturday)["hydra:member"]} <= {kind}


def today_in_every_status(client: TestClient, wall: Wall, kadence: KadenceClient) -> KadenceClient:
    """Bookings made at 14:00 today, seen at 15:00: A-03 checked in, B-06 released (after 30
    minutes), Phone Booth 1B checked out, East River over, Kitchen cancelled, Liberty still ahead.
    Diego's seeded A-01 (14:00-22:00) is released at 15:00 as well; Ada's visit (14:00-22:00), a
    guest booking onsite, is checked in since Nadia arrived at 14:05."""
    ben, chloe = user_id(kadence, BEN), user_id(kadence, CHLOE)
    desk = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T18:00:00", space="A-03")
    act(kadence, desk, "check-in", userId=ben)
    booked(kadence, CHLOE, "2026-03-02T14:15:00", "2026-03-02T16:00:00", space="B-06")
    pod = booked(kadence, CHLOE, "2026-03-02T14:00:00", "2026-03-02T16:00:00", space="Phone Booth 1B")
    act(kadence, pod, "check-in", userId=chloe)
    act(kadence, pod, "check-out", userId=chloe)
    booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T14:30:00", space="East River")
    kitchen = booked(kadence, BEN, "2026-03-02T15:30:00", "2026-03-02T16:30:00", space="Kitchen")
    act(kadence, kitchen, "cancel")
    booked(kadence, CHLOE, "2026-03-02T15:30:00", "2026-03-02T16:30:00", space="Liberty")
    return at(client, wall, datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("booked", ["Liberty"]),
        ("checkedIn", ["onsite", "A-03"]),
        ("checkedOut", ["Phone Booth 1B"]),
        ("completed", ["East River"]),
        ("cancelled", ["Kitchen"]),
        ("noCheckIn", ["A-01", "B-06"]),
    ],
)
def test_list_bookings_filters_by_status(kadence, wall, client, status, expected):
    kadence = today_in_every_status(client, wall, kadence)
    today = {"startDateTime[after]": "2026-03-02T14:00:00", "startDateTime[before]": "2026-03-02T16:00:00"}

    found = listed(kadence, status=status, **today)["hydra:member"]

    assert [place_of(booking) for booking in found] == expected
    assert {booking["status"] for booking in found} == {status}


def test_list_bookings_filters_by_building(kadence):
    friday_desks(kadence)

    assert places(kadence, buildingId=building_id(kadence, BENGALURU), **FRIDAY_DESKS) == ["N-03"]
    assert places(kadence, buildingId=building_id(kadence, NEW_YORK), **FRIDAY_DESKS) == ["A-03", "A-04"]


def test_list_bookings_filters_by_floor(kadence):
    desks = friday_desks(kadence)

    assert places(kadence, floorId=desks["A-03"]["space"]["floor"]["id"], **FRIDAY_DESKS) == ["A-03", "A-04"]
    assert places(kadence, floorId=desks["N-03"]["space"]["floor"]["id"], **FRIDAY_DESKS) == ["N-03"]


def test_list_bookings_filters_by_neighbourhood(kadence):
    desks = friday_desks(kadence)
    bay_south = booked(kadence, CHLOE, "2026-03-06T06:00:00", "2026-03-06T07:00:00", space="S-03")

    assert places(kadence, neighbourhoodId=desks["A-03"]["space"]["neighborhood"]["id"], **FRIDAY_DESKS) == [
        "A-03",
        "A-04",
    ]
    assert places(kadence, neighbourhoodId=desks["N-03"]["space"]["neighborhood"]["id"], **FRIDAY_DESKS) == ["N-03"]
    assert places(kadence, neighbourhoodId=bay_south["space"]["neighborhood"]["id"], **FRIDAY_DESKS) == ["S-03"]


def test_list_bookings_filters_by_space(kadence):
    friday_desks(kadence)

    assert places(kadence, spaceId=space_id(kadence, "A-04"), **FRIDAY_DESKS) == ["A-04"]


def test_list_bookings_filters_by_id(kadence):
    desks = friday_desks(kadence)

    found = listed(kadence, id=desks["A-03"]["id"])["hydra:member"]

    assert [booking["id"] for booking in found] == [desks["A-03"]["id"]]


def test_list_bookings_filters_by_the_id_of_an_occurrence(kadence):
    standups = listed(kadence, spaceId=space_id(kadence, "Cubbon"), itemsPerPage=3)["hydra:member"]

    found = listed(kadence, id=standups[1]["id"])["hydra:member"]

    assert [(booking["id"], booking["startDate"]) for booking in found] == [(standups[1]["id"], standups[1]["startDate"])]


@pytest.mark.parametrize("name", ["buildingId", "floorId", "neighbourhoodId", "spaceId", "id"])
def test_filter_by_an_unknown_identifier_matches_nothing(kadence, name):
    body = listed(kadence, **{name: UNKNOWN_ULID})

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 0)


# Order


def friday_rooms(kadence: KadenceClient) -> None:
    """New York rooms on Friday 6 March (UTC): Queens 14:00-20:00, Kitchen 15:00-16:00, Liberty 16:30-17:00."""
    booked(kadence, BEN, "2026-03-06T14:00:00", "2026-03-06T20:00:00", space="Queens")
    booked(kadence, BEN, "2026-03-06T15:00:00", "2026-03-06T16:00:00", space="Kitchen")
    booked(kadence, CHLOE, "2026-03-06T16:30:00", "2026-03-06T17:00:00", space="Liberty")


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ({}, ["Queens", "Kitchen", "Liberty"]),
        ({"order[startDate]": "asc"}, ["Queens", "Kitchen", "Liberty"]),
        ({"order[startDate]": "desc"}, ["Liberty", "Kitchen", "Queens"]),
        ({"order[endDate]": "asc"}, ["Kitchen", "Liberty", "Queens"]),
        ({"order[endDate]": "desc"}, ["Queens", "Liberty", "Kitchen"]),
    ],
)
def test_list_bookings_orders_by_start_or_end(kadence, order, expected):
    friday_rooms(kadence)

    assert places(kadence, buildingId=building_id(kadence, NEW_YORK), **FRIDAY, **order) == expected


def test_unknown_parameters_and_order_fields_are_ignored(kadence):
    friday_rooms(kadence)
    new_york = {"buildingId": building_id(kadence, NEW_YORK), **FRIDAY}

    assert places(
        kadence,
        **new_york,
        **{
            "order[title]": "desc",
            "colour": "blue",
            "startDateTime[around]": "2026-03-06T15:00:00",
        },
    ) == ["Queens", "Kitchen", "Liberty"]


# Paging


def test_list_bookings_pages_with_a_view_that_keeps_the_filters(kadence):
    friday_desks(kadence)
    path = "/v1/public/bookings?type=desk&startDateTime%5Bafter%5D=2026-03-06T00%3A00%3A00"

    body = listed(
        kadence,
        **{
            "type": "desk",
            "startDateTime[after]": "2026-03-06T00:00:00",
            "page": 2,
            "itemsPerPage": 1,
        },
    )

    later = listed(kadence, **{"type": "desk", "startDateTime[after]": "2026-03-06T00:00:00", "itemsPerPage": 500})
    assigned_days = sum(booking["permanent"] for booking in later["hydra:member"])
    assert [place_of(booking) for booking in body["hydra:member"]] == ["A-03"]
    assert assigned_days > 0
    # And Rahul's N-01 on the three Tuesdays after, and the assigned days of shared desks.
    assert body["hydra:totalItems"] == 3 + 3 + assigned_days
    assert body["hydra:view"] == {
        "@id": f"{path}&itemsPerPage=1&page=2",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": f"{path}&itemsPerPage=1&page=1",
        "hydra:last": f"{path}&itemsPerPage=1&page={3 + 3 + assigned_days}",
        "hydra:previous": f"{path}&itemsPerPage=1&page=1",
        "hydra:next": f"{path}&itemsPerPage=1&page=3",
    }


def test_first_and_last_pages_have_no_previous_or_next(kadence):
    friday_desks(kadence)

    first = listed(kadence, **FRIDAY_DESKS, itemsPerPage=2)
    last = listed(kadence, **FRIDAY_DESKS, itemsPerPage=2, page=2)

    assert [place_of(booking) for booking in first["hydra:member"]] == ["N-03", "A-03"]
    assert [place_of(booking) for booking in last["hydra:member"]] == ["A-04"]
    assert "hydra:previous" not in first["hydra:view"]
    assert first["hydra:view"]["hydra:next"].endswith("&page=2")
    assert "hydra:next" not in last["hydra:view"]
    assert last["hydra:view"]["hydra:previous"].endswith("&page=1")


def test_single_page_with_filters_has_a_view_without_pages(kadence):
    friday_desks(kadence)

    body = listed(kadence, type="desk", startDate="2026-03-06", endDate="2026-03-06")

    assert body["hydra:view"] == {
        "@id": "/v1/public/bookings?type=desk&startDate=2026-03-06&endDate=2026-03-06",
        "@type": "hydra:PartialCollectionView",
    }


def test_single_page_without_filters_has_no_view(kadence):
    body = listed(kadence, f"/users/{user_id(kadence, LAURA)}/bookings")

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 0)
    assert "hydra:view" not in body


def test_page_past_the_last_is_empty(kadence):
    friday_desks(kadence)

    body = listed(kadence, **FRIDAY_DESKS, page=5)

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 3)


def test_zero_items_per_page_counts_without_members(kadence):
    friday_desks(kadence)

    body = listed(kadence, **FRIDAY_DESKS, itemsPerPage=0)

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 3)


def seeded_total(kadence: KadenceClient) -> int:
    return int(listed(kadence, itemsPerPage=0)["hydra:totalItems"])


def test_items_per_page_defaults_to_fifty(kadence):
    total = seeded_total(kadence)
    pages = -(-total // 50)
    assert pages > 1, "the demo store holds more than one default page of bookings"

    first = listed(kadence)
    last = listed(kadence, page=pages)

    assert (len(first["hydra:member"]), len(last["hydra:member"])) == (50, total - 50 * (pages - 1))
    assert first["hydra:totalItems"] == total
    assert first["hydra:view"]["hydra:last"] == f"/v1/public/bookings?page={pages}"


def test_more_than_500_items_per_page_is_read_as_500(kadence, client):
    seeded = seeded_total(kadence)
    robin = RobinClient(client, ADMIN_TOKEN)
    for space in (FOCUS_ROOM_SPACE, WELLNESS_ROOM_SPACE):
        response = robin.post(
            f"/spaces/{space}/events",
            json={
                "title": "Daily",
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=300"],
                "start": {"date_time": "2026-03-03T08:00:00", "time_zone": "America/New_York"},
                "end": {"date_time": "2026-03-03T08:30:00", "time_zone": "America/New_York"},
            },
        )
        assert response.status_code == 201, response.text

    first = listed(kadence, itemsPerPage=1000)
    second = listed(kadence, itemsPerPage=1000, page=2)

    pages = -(-(seeded + 600) // 500)
    assert (len(first["hydra:member"]), first["hydra:totalItems"]) == (500, seeded + 600)
    assert len(second["hydra:member"]) == min(500, seeded + 600 - 500)
    assert first["hydra:view"]["hydra:last"] == f"/v1/public/bookings?itemsPerPage=1000&page={pages}"
    assert {booking["id"] for booking in first["hydra:member"]}.isdisjoint(booking["id"] for booking in second["hydra:member"])


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("itemsPerPage", "-1"),
        ("page", "0"),
        ("page", "-2"),
        ("page", "two"),
        ("page", "0.5"),
    ],
)
def test_list_bookings_refuses_bad_paging(kadence, name, value):
    response = kadence.get("/bookings", params={name: value})

    bad_request(response)


# A user's bookings


def test_user_bookings_are_only_theirs(kadence):
    friday_desks(kadence)

    found = listed(kadence, f"/users/{user_id(kadence, BEN)}/bookings", **FRIDAY_DESKS)["hydra:member"]

    assert [place_of(booking) for booking in found] == ["N-03", "A-04"]
    assert {booking["userId"] for booking in found} == {f"/v1/public/users/{user_id(kadence, BEN)}"}


def test_user_bookings_include_series_they_organize(kadence):
    found = listed(kadence, f"/users/{user_id(kadence, BEN)}/bookings", type="room", itemsPerPage=2)

    assert [(booking["title"], booking["startDate"]) for booking in found["hydra:member"]] == [
        ("Engineering weekly", "2026-03-03T15:00:00+00:00"),
        ("Engineering weekly", "2026-03-10T14:00:00+00:00"),
    ]
    assert found["hydra:totalItems"] == 12


def test_user_bookings_of_an_unknown_user_are_not_found(kadence):
    response = kadence.get(f"/users/{UNKNOWN_ULID}/bookings")

    assert response.status_code == 404, response.text
    assert response.json()["@type"] == "hydra:Error"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("space.id", ["A-04"]),
        ("floor.id", ["A-04"]),
        ("neighborhood.id", ["A-04"]),
        ("building.id", ["A-04"]),
        ("spaceId", ["A-04"]),
        ("floorId", ["A-04"]),
        ("neighbourhoodId", ["A-04"]),
        ("buildingId", ["A-04"]),
    ],
)
def test_user_bookings_filter_by_place(kadence, name, expected):
    desks = friday_desks(kadence)
    space = desks["A-04"]["space"]
    value = {
        "space": space["id"],
        "floor": space["floor"]["id"],
        "neighborhood": space["neighborhood"]["id"],
        "neighbourhood": space["neighborhood"]["id"],
        "building": building_id(kadence, NEW_YORK),
    }[name.removesuffix(".id").removesuffix("Id")]

    assert places(kadence, f"/users/{user_id(kadence, BEN)}/bookings", **FRIDAY_DESKS, **{name: value}) == expected


def ben_cancels_twice(client: TestClient, wall: Wall, kadence: KadenceClient) -> KadenceClient:
    """Ben's Bengaluru onsite pass (Tuesday) cancelled at 14:10 UTC (19:40 there), his New York desk
    (Wednesday) cancelled at 14:40 UTC (09:40 there), and a room he keeps."""
    onsite = booked(kadence, BEN, "2026-03-03T04:30:00", "2026-03-03T06:30:00", building=BENGALURU)
    desk = booked(kadence, BEN, "2026-03-04T14:00:00", "2026-03-04T18:00:00", space="A-03")
    booked(kadence, BEN, "2026-03-04T19:00:00", "2026-03-04T20:00:00", space="Queens")
    kadence = at(client, wall, datetime(2026, 3, 2, 14, 10, tzinfo=UTC))
    act(kadence, onsite, "cancel")
    wall.now = datetime(2026, 3, 2, 14, 40, tzinfo=UTC)
    act(kadence, desk, "cancel")
    return kadence


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("cancelledDateTime[after]", "2026-03-02T14:10:00", ["onsite", "A-03"]),
        ("cancelledDateTime[strictly_after]", "2026-03-02T14:10:00", ["A-03"]),
        ("cancelledDateTime[before]", "2026-03-02T14:10:00", ["onsite"]),
        ("cancelledDateTime[strictly_before]", "2026-03-02T14:40:00", ["onsite"]),
        ("cancelledDateTime[before]", "2026-03-03T00:00:00", ["onsite", "A-03"]),
        ("cancelledDateTime[local_after]", "2026-03-02T19:00:00", ["onsite"]),
        ("cancelledDateTime[local_before]", "2026-03-02T10:00:00", ["A-03"]),
        ("cancelledDateTime[local_strictly_after]", "2026-03-02T09:40:00", ["onsite"]),
        ("cancelledDateTime[local_strictly_before]", "2026-03-02T19:40:00", ["A-03"]),
    ],
)
def test_user_bookings_filter_by_cancellation_time(kadence, wall, client, name, value, expected):
    kadence = ben_cancels_twice(client, wall, kadence)

    assert (
        places(
            kadence,
            f"/users/{user_id(kadence, BEN)}/bookings",
            **{
                "startDateTime[after]": "2026-03-03T00:00:00",
                "startDateTime[before]": "2026-03-05T00:00:00",
                name: value,
            },
        )
        == expected
    )


def ben_checks_in_twice(client: TestClient, wall: Wall, kadence: KadenceClient) -> KadenceClient:
    """Today: Ben's New York desk (14:00-15:00 UTC) checked in at 14:05 (09:05 there) and out at
    14:50 (09:50); his Bengaluru onsite pass (14:10-15:10 UTC) checked in at 14:20 (19:50 there)
    and out at 14:30 (20:00); a room of his never checked in."""
    ben = user_id(kadence, BEN)
    desk = booked(kadence, BEN, "2026-03-02T14:00:00", "2026-03-02T15:00:00", space="B-06")
    onsite = booked(kadence, BEN, "2026-03-02T14:10:00", "2026-03-02T15:10:00", building=BENGALURU)
    booked(kadence, BEN, "2026-03-02T14:20:00", "2026-03-02T15:20:00", space="East River")
    kadence = at(client, wall, datetime(2026, 3, 2, 14, 5, tzinfo=UTC))
    act(kadence, desk, "check-in", userId=ben)
    wall.now = datetime(2026, 3, 2, 14, 20, tzinfo=UTC)
    act(kadence, onsite, "check-in", userId=ben)
    wall.now = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    act(kadence, onsite, "check-out", userId=ben)
    wall.now = datetime(2026, 3, 2, 14, 50, tzinfo=UTC)
    act(kadence, desk, "check-out", userId=ben)
    return kadence


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("checkedInDateTime[after]", "2026-03-02T14:05:00", ["B-06", "onsite"]),
        ("checkedInDateTime[strictly_after]", "2026-03-02T14:05:00", ["onsite"]),
        ("checkedInDateTime[before]", "2026-03-02T14:05:00", ["B-06"]),
        ("checkedInDateTime[strictly_before]", "2026-03-02T14:20:00", ["B-06"]),
        ("checkedInDateTime[before]", "2026-03-03T00:00:00", ["B-06", "onsite"]),
        ("checkedInDateTime[local_after]", "2026-03-02T19:00:00", ["onsite"]),
        ("checkedInDateTime[local_strictly_before]", "2026-03-02T19:50:00", ["B-06"]),
        ("checkedOutDateTime[after]", "2026-03-02T14:30:00", ["B-06", "onsite"]),
        ("checkedOutDateTime[strictly_after]", "2026-03-02T14:30:00", ["B-06"]),
        ("checkedOutDateTime[before]", "2026-03-02T14:30:00", ["onsite"]),
        ("checkedOutDateTime[strictly_before]", "2026-03-02T14:50:00", ["onsite"]),
        ("checkedOutDateTime[local_before]", "2026-03-02T10:00:00", ["B-06"]),
        ("checkedOutDateTime[local_strictly_after]", "2026-03-02T09:50:00", ["onsite"]),
    ],
)
def test_user_bookings_filter_by_check_in_and_out_time(kadence, wall, client, name, value, expected):
    kadence = ben_checks_in_twice(client, wall, kadence)

    assert (
        places(
            kadence,
            f"/users/{user_id(kadence, BEN)}/bookings",
            **{
                "startDateTime[after]": "2026-03-02T00:00:00",
                "startDateTime[before]": "2026-03-03T00:00:00",
                name: value,
            },
        )
        == expected
    )


@pytest.mark.parametrize("name", ["cancelledDateTime[after]", "checkedInDateTime[local_before]", "checkedOutDateTime[before]"])
def test_user_bookings_ignore_a_date_filter_php_cannot_read(kadence, name):
    friday_desks(kadence)
    path = f"/users/{user_id(kadence, BEN)}/bookings"

    assert places(kadence, path, **{**FRIDAY, name: "soon"}) == places(kadence, path, **FRIDAY) == ["N-03", "A-04"]


def test_user_bookings_filter_and_page_with_unencoded_brackets(kadence, client):
    friday_desks(kadence)

    response = client.get(
        f"/v1/public/users/{user_id(kadence, BEN)}/bookings?type=desk&startDateTime[after]=2026-03-06T00:00:00"
        "&startDateTime[before]=2026-03-06T23:59:59&itemsPerPage=1&page=2",
        headers=kadence.headers,
    )

    assert response.status_code == 200, response.text
    assert [place_of(booking) for booking in response.json()["hydra:member"]] == ["A-04"]
    assert response.json()["hydra:totalItems"] == 2
