"""Zones and seats (desks) through HTTP: reading them and their settings (shared desks: test_shared_desks.py)."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.settings import FIXTURES_DIR
from tests.conftest import OTHER_TOKEN, RobinClient

pytestmark = pytest.mark.wire

DEMO = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))
ORGANIZATION = DEMO["organizations"][0]
CREATED_AT = datetime.fromisoformat(DEMO["created_at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
AMENITY_IDS = {amenity["name"]: amenity["id"] for amenity in ORGANIZATION["amenities"]}
SPACES = {
    space["id"]: space for building in ORGANIZATION["buildings"] for floor in building["floors"] for space in floor["spaces"]
}
ZONES = {zone["id"]: (space_id, zone) for space_id, space in SPACES.items() for zone in space.get("zones", [])}
DESKS = {desk["id"]: (zone_id, desk) for zone_id, (_, zone) in ZONES.items() for desk in zone["desks"]}

SEAT_FIELDS = {
    "id",
    "name",
    "space_id",
    "zone_id",
    "seat_amenities",
    "is_reservable",
    "is_disabled",
    "disabled_at",
    "created_at",
    "updated_at",
}
ZONE_FIELDS = {"id", "space_id", "name", "type", "created_at", "updated_at"}
MAX_LENGTH = "seat-reservation-max-length"
TYPES_ALLOWED = "seat-reservation-types-allowed"
THRESHOLD = "seat-reservation-advanced-booking-threshold"
NEW_YORK = "America/New_York"


def data(response: Any) -> Any:
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def reserve(client: RobinClient, seat_id: int, day: str, start: str, end: str, kind: str = "hoteled", **fields: Any) -> Any:
    body = {
        "type": kind,
        "start": {"date_time": f"{day}T{start}:00", "time_zone": NEW_YORK},
        "end": {"date_time": f"{day}T{end}:00", "time_zone": NEW_YORK},
        **fields,
    }
    return client.post(f"/seats/{seat_id}/reservations", json=body)


def first_error(response: Any) -> dict[str, Any]:
    return response.json()["meta"]["errors"][0]


def assert_policy(response: Any, policy: str) -> dict[str, Any]:
    assert response.status_code == 400, response.json()
    error = first_error(response)
    assert error["reason"] == "seat_booking_policy_violation"
    assert error["details"]["policy"] == policy
    return error


def assert_field_error(response: Any, field: str) -> None:
    assert response.status_code == 400, response.json()
    document = response.json()
    assert document["meta"]["status"] == "BAD_REQUEST"
    assert field in [entry.get("field") for entry in document["meta"]["errors"]]


def desk_ids_of_zone(zone_id: int) -> list[int]:
    return [desk["id"] for desk in ZONES[zone_id][1]["desks"]]


# Zones


def test_list_zones_of_a_space_answers_its_zones_in_order(robin):
    response = robin.get("/spaces/58/zones")

    assert response.status_code == 200
    document = response.json()
    zones = document["data"]
    assert [zone["id"] for zone in zones] == [zone["id"] for zone in SPACES[58]["zones"]]
    assert [zone["name"] for zone in zones] == ["Pod A", "Pod B"]
    assert all(zone.keys() == ZONE_FIELDS for zone in zones)
    assert all(zone["space_id"] == 58 and zone["type"] == "pod" for zone in zones)
    assert document["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}


def test_list_zones_of_the_bengaluru_desk_bay(robin):
    response = robin.get("/spaces/77/zones")

    assert response.status_code == 200
    assert [(zone["id"], zone["name"]) for zone in response.json()["data"]] == [(3, "Bay North"), (4, "Bay South")]


def test_list_zones_of_a_space_without_zones_is_empty(robin):
    response = robin.get("/spaces/48/zones")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_list_zones_pages(robin):
    response = robin.get("/spaces/58/zones", params={"per_page": 1, "page": 2})

    assert response.status_code == 200
    document = response.json()
    assert [zone["id"] for zone in document["data"]] == [2]
    assert document["paging"] == {"page": 2, "per_page": 1, "has_next_page": False}


def test_get_zone(robin):
    response = robin.get("/zones/2")

    assert response.status_code == 200
    zone = response.json()["data"]
    assert zone == {
        "id": 2,
        "space_id": 58,
        "name": "Pod B",
        "type": "pod",
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
    }


def test_get_unknown_zone_is_404(robin):
    response = robin.get("/zones/999")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


def test_list_zones_of_a_seat_id_is_404(robin):
    response = robin.get("/spaces/1001/zones")

    assert response.status_code == 404


# Seats


def test_list_seats_of_a_zone_answers_its_desks(robin):
    response = robin.get("/zones/1/seats")

    assert response.status_code == 200
    seats = response.json()["data"]
    assert [seat["id"] for seat in seats] == desk_ids_of_zone(1)
    assert all(seat["zone_id"] == 1 and seat["space_id"] == 58 for seat in seats)
    assert all(seat.keys() == SEAT_FIELDS for seat in seats)


def test_list_seats_of_an_unknown_zone_is_404(robin):
    response = robin.get("/zones/999/seats")

    assert response.status_code == 404


def test_list_seats_of_a_space_spans_its_zones(robin):
    response = robin.get("/spaces/58/seats", params={"per_page": 100})

    assert response.status_code == 200
    seats = response.json()["data"]
    assert [seat["id"] for seat in seats] == desk_ids_of_zone(1) + desk_ids_of_zone(2)
    assert {seat["zone_id"] for seat in seats} == {1, 2}
    assert response.json()["paging"]["has_next_page"] is False


def test_list_seats_of_a_space_pages(robin):
    everything = desk_ids_of_zone(1) + desk_ids_of_zone(2)

    first = robin.get("/spaces/58/seats", params={"per_page": 5})
    last = robin.get("/spaces/58/seats", params={"per_page": 5, "page": 3})

    assert first.status_code == 200
    assert [seat["id"] for seat in first.json()["data"]] == everything[:5]
    assert first.json()["paging"] == {"page": 1, "per_page": 5, "has_next_page": True}
    assert last.status_code == 200
    assert [seat["id"] for seat in last.json()["data"]] == everything[10:]
    assert last.json()["paging"] == {"page": 3, "per_page": 5, "has_next_page": False}


def test_list_seats_of_a_space_without_desks_is_empty(robin):
    response = robin.get("/spaces/48/seats")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_list_seats_without_include_carries_no_submodels(robin):
    response = robin.get("/spaces/77/seats")

    assert response.status_code == 200
    assert all("space" not in seat and "zone" not in seat for seat in response.json()["data"])


def test_list_seats_with_include_space_and_zone_embeds_both(robin):
    response = robin.get("/spaces/77/seats", params={"include": "space,zone", "per_page": 100})

    assert response.status_code == 200
    seats = response.json()["data"]
    assert [seat["id"] for seat in seats] == desk_ids_of_zone(3) + desk_ids_of_zone(4)
    for seat in seats:
        assert seat["space"]["id"] == 77
        assert seat["space"]["name"] == "Desk Bay"
        assert seat["space"]["location_id"] == 11
        assert seat["zone"]["id"] == seat["zone_id"]
        assert seat["zone"]["name"] == ZONES[seat["zone_id"]][1]["name"]


def test_list_zone_seats_with_include_zone_only(robin):
    response = robin.get("/zones/4/seats", params={"include": "zone"})

    assert response.status_code == 200
    seats = response.json()["data"]
    assert [seat["id"] for seat in seats] == desk_ids_of_zone(4)
    assert all(seat["zone"]["name"] == "Bay South" and "space" not in seat for seat in seats)


# The organization's seats


def seat_ids(response: Any) -> list[int]:
    return [seat["id"] for seat in data(response)]


DESKS_BY_LEVEL = {102: desk_ids_of_zone(1) + desk_ids_of_zone(2), 202: desk_ids_of_zone(3) + desk_ids_of_zone(4)}


def test_list_seats_lists_every_desk_of_the_organization_as_each_answers(robin):
    response = robin.get("/seats", params={"per_page": 100})

    seats = data(response)
    assert [seat["id"] for seat in seats] == sorted(DESKS)
    assert response.json()["paging"] == {"page": 1, "per_page": 100, "has_next_page": False}
    assert all(seat == data(robin.get(f"/seats/{seat['id']}")) for seat in seats)
    assert {1010, 1011} <= {seat["id"] for seat in seats}, "disabled and non-reservable desks are listed too"


def test_list_seats_pages(robin):
    first = robin.get("/seats", params={"per_page": 15})
    second = robin.get("/seats", params={"per_page": 15, "page": 2})

    assert seat_ids(first) + seat_ids(second) == sorted(DESKS)
    assert first.json()["paging"] == {"page": 1, "per_page": 15, "has_next_page": True}
    assert second.json()["paging"] == {"page": 2, "per_page": 15, "has_next_page": False}


def test_list_seats_of_a_level_as_a_desk_booking_script_asks(robin):
    response = robin.get("/seats?level_ids=102&page=1&per_page=150")

    assert seat_ids(response) == DESKS_BY_LEVEL[102]
    assert response.json()["paging"] == {"page": 1, "per_page": 150, "has_next_page": False}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level_ids": "202"}, DESKS_BY_LEVEL[202]),
        ({"level_ids": "102,202"}, sorted(DESKS)),
        ({"space_ids": "77"}, DESKS_BY_LEVEL[202]),
        ({"space_ids": "48,58"}, DESKS_BY_LEVEL[102]),
        ({"zone_ids": "2,4"}, desk_ids_of_zone(2) + desk_ids_of_zone(4)),
        ({"location_ids": "11"}, DESKS_BY_LEVEL[202]),
        ({"location_ids": "10", "zone_ids": "1,3"}, desk_ids_of_zone(1)),
        ({"level_ids": "102", "space_ids": "77"}, []),
        ({"zone_ids": "999999"}, []),
        ({"space_ids": "48"}, []),
    ],
)
def test_list_seats_filters_by_place(robin, params, expected):
    response = robin.get("/seats", params={**params, "per_page": 100})

    assert seat_ids(response) == expected


def test_list_seats_takes_repeated_and_comma_separated_ids(robin):
    response = robin.get("/seats?zone_ids=1&zone_ids=3,%204&per_page=100")

    assert seat_ids(response) == desk_ids_of_zone(1) + desk_ids_of_zone(3) + desk_ids_of_zone(4)


@pytest.mark.parametrize("field", ["level_ids", "space_ids", "zone_ids", "location_ids"])
@pytest.mark.parametrize("value", ["abc", "1,x", "-1", "1.5", "\u0661"])
def test_list_seats_refuses_ids_that_are_not_numbers_naming_the_field(robin, field, value):
    response = robin.get("/seats", params={field: value})

    assert_field_error(response, field)
    assert [entry["field"] for entry in response.json()["meta"]["errors"]] == [field]


def test_list_seats_refuses_more_than_a_thousand_ids_naming_the_field(robin):
    response = robin.get("/seats", params={"zone_ids": ",".join(str(number) for number in range(1, 1002))})

    assert_field_error(response, "zone_ids")


def test_list_seats_with_include_space_and_zone(robin):
    seats = data(robin.get("/seats", params={"zone_ids": 4, "include": "space,zone"}))

    assert [seat["id"] for seat in seats] == desk_ids_of_zone(4)
    assert all(seat["space"] == data(robin.get("/spaces/77")) for seat in seats)
    assert all(seat["zone"]["name"] == "Bay South" for seat in seats)


def test_list_seats_is_readable_by_a_member(member):
    assert seat_ids(member.get("/seats", params={"zone_ids": 3})) == desk_ids_of_zone(3)


def test_list_seats_of_another_organization_holds_none_of_ours(client, other_organization):
    outsider = RobinClient(client, OTHER_TOKEN)

    assert seat_ids(outsider.get("/seats")) == []
    assert seat_ids(outsider.get("/seats", params={"level_ids": "102"})) == []


def test_list_seats_needs_a_token(anonymous):
    assert anonymous.get("/seats").status_code == 401


# One seat


def test_get_seat_answers_its_fields_and_amenities(robin):
    response = robin.get("/seats/1001")

    assert response.status_code == 200
    seat = response.json()["data"]
    assert seat.keys() == SEAT_FIELDS
    assert (seat["id"], seat["name"], seat["space_id"], seat["zone_id"]) == (1001, "A-01", 58, 1)
    assert seat["is_reservable"] is True
    assert seat["is_disabled"] is False
    assert seat["disabled_at"] is None
    assert seat["created_at"] == CREATED_AT
    expected = [item["name"] for item in DESKS[1001][1]["amenities"]]
    assert [link["name"] for link in seat["seat_amenities"]] == expected
    assert [link["amenity_id"] for link in seat["seat_amenities"]] == [AMENITY_IDS[name] for name in expected]
    assert all(link["seat_id"] == 1001 and link["quantity"] == 1 for link in seat["seat_amenities"])


def test_list_seat_amenities_answers_what_the_seat_carries(robin):
    response = robin.get("/seats/1001/amenities")

    amenities = data(response)
    assert amenities == data(robin.get("/seats/1001"))["seat_amenities"]
    assert [link["name"] for link in amenities] == ["Dual monitors", "Docking station"]
    assert all(link["seat_id"] == 1001 for link in amenities)
    assert response.json()["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}


def test_list_seat_amenities_pages(robin):
    response = robin.get("/seats/1003/amenities", params={"per_page": 1, "page": 2})

    assert [link["name"] for link in data(response)] == ["Docking station"]
    assert response.json()["paging"] == {"page": 2, "per_page": 1, "has_next_page": False}


def test_list_seat_amenities_of_a_bare_seat_is_empty(robin):
    assert data(robin.get("/seats/2007/amenities")) == []


@pytest.mark.parametrize("seat_id", ["48", "999999", "one"])
def test_list_seat_amenities_of_no_seat_is_404(robin, seat_id):
    assert robin.get(f"/seats/{seat_id}/amenities").status_code == 404


def test_list_seat_amenities_of_another_organization_is_403(client, other_organization):
    assert RobinClient(client, OTHER_TOKEN).get("/seats/1001/amenities").status_code == 403


def test_get_seat_without_amenities_has_an_empty_list(robin):
    response = robin.get("/seats/1009")

    assert response.status_code == 200
    assert response.json()["data"]["seat_amenities"] == []


def test_get_seat_with_include_space_and_zone(robin):
    response = robin.get("/seats/2007", params={"include": "space,zone"})

    assert response.status_code == 200
    seat = response.json()["data"]
    assert (seat["space"]["id"], seat["space"]["name"]) == (77, "Desk Bay")
    assert (seat["zone"]["id"], seat["zone"]["name"]) == (4, "Bay South")


def test_get_disabled_seat_says_since_when(robin):
    response = robin.get("/seats/1010")

    assert response.status_code == 200
    seat = response.json()["data"]
    assert seat["is_disabled"] is True
    assert seat["disabled_at"] == CREATED_AT


def test_get_non_reservable_seat(robin):
    response = robin.get("/seats/1011")

    assert response.status_code == 200
    seat = response.json()["data"]
    assert seat["is_reservable"] is False
    assert seat["is_disabled"] is False


def test_get_seat_with_a_space_id_is_404(robin):
    response = robin.get("/seats/58")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


def test_get_space_with_a_seat_id_is_404(robin):
    response = robin.get("/spaces/1001")

    assert response.status_code == 404


def test_list_seats_of_a_seat_id_used_as_a_space_is_404(robin):
    response = robin.get("/spaces/1001/seats")

    assert response.status_code == 404


def test_get_unknown_seat_is_404(robin):
    response = robin.get("/seats/999999")

    assert response.status_code == 404


def test_seats_need_a_token(anonymous):
    response = anonymous.get("/seats/1001")

    assert response.status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/seats/1001",
        "/zones/1",
        "/zones/1/seats",
        "/spaces/58/zones",
        "/spaces/58/seats",
        f"/seats/1001/settings/{MAX_LENGTH}",
    ],
)
def test_another_organization_cannot_read_our_desks(client, other_organization, path):
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.get(path)

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


def test_another_organization_has_no_zones_in_its_space(client, other_organization):
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.get(f"/spaces/{other_organization['space']}/zones")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_another_organization_cannot_change_our_seat_settings(client, other_organization):
    outsider = RobinClient(client, OTHER_TOKEN)

    response = outsider.put(f"/seats/1001/settings/{MAX_LENGTH}", json={"value": "P7D"})

    assert response.status_code == 403


# Settings


@pytest.mark.parametrize(
    ("seat_id", "slug", "value"),
    [
        (1001, MAX_LENGTH, "P1D"),
        (1001, TYPES_ALLOWED, ["hoteled"]),
        (1001, THRESHOLD, "P14D"),
        (1007, TYPES_ALLOWED, ["assigned"]),
        (1007, MAX_LENGTH, None),
        (1007, THRESHOLD, None),
        (1008, TYPES_ALLOWED, ["assigned", "shared"]),
        (1008, THRESHOLD, "P30D"),
        (1009, TYPES_ALLOWED, ["hoteled", "shared"]),
        (1012, TYPES_ALLOWED, ["hot"]),
        (1012, MAX_LENGTH, "PT10H"),
        (2001, THRESHOLD, "P30D"),
    ],
)
def test_get_seat_setting_answers_the_seeded_value(robin, seat_id, slug, value):
    response = robin.get(f"/seats/{seat_id}/settings/{slug}")

    assert response.status_code == 200
    assert response.json()["data"] == {"seat_id": seat_id, "slug": slug, "value": value}


def test_get_seat_setting_is_readable_by_a_member(member):
    response = member.get(f"/seats/1012/settings/{TYPES_ALLOWED}")

    assert response.status_code == 200
    assert response.json()["data"]["value"] == ["hot"]


def test_get_unknown_seat_setting_is_404(robin):
    response = robin.get("/seats/1001/settings/seat-reservation-colour")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


def test_get_setting_of_a_space_id_is_404(robin):
    response = robin.get(f"/seats/48/settings/{MAX_LENGTH}")

    assert response.status_code == 404


def test_update_max_length_applies_to_the_next_reservation(robin):
    response = robin.put(f"/seats/1003/settings/{MAX_LENGTH}", json={"value": "PT4H"})

    assert response.status_code == 200
    assert response.json()["data"] == {"seat_id": 1003, "slug": MAX_LENGTH, "value": "PT4H"}
    assert data(robin.get(f"/seats/1003/settings/{MAX_LENGTH}"))["value"] == "PT4H"
    too_long = reserve(robin, 1003, "2026-03-03", "09:00", "14:00")
    error = assert_policy(too_long, "seat_reservation_max_length")
    assert error["details"]["max_length"] == "PT4H"
    assert reserve(robin, 1003, "2026-03-03", "09:00", "13:00").status_code == 200


def test_update_max_length_to_null_lifts_the_limit(robin):
    refused = robin.post(
        "/seats/1003/reservations",
        json={
            "type": "hoteled",
            "start": {"date_time": "2026-03-03T09:00:00", "time_zone": NEW_YORK},
            "end": {"date_time": "2026-03-04T12:00:00", "time_zone": NEW_YORK},
        },
    )
    assert_policy(refused, "seat_reservation_max_length")

    response = robin.put(f"/seats/1003/settings/{MAX_LENGTH}", json={"value": None})

    assert response.status_code == 200
    assert response.json()["data"]["value"] is None
    accepted = robin.post(
        "/seats/1003/reservations",
        json={
            "type": "hoteled",
            "start": {"date_time": "2026-03-03T09:00:00", "time_zone": NEW_YORK},
            "end": {"date_time": "2026-03-04T12:00:00", "time_zone": NEW_YORK},
        },
    )
    assert accepted.status_code == 200, accepted.json()


def test_update_threshold_applies_to_the_next_reservation(robin, member):
    assert reserve(member, 1004, "2026-03-04", "09:00", "17:00").status_code == 200

    response = robin.put(f"/seats/1004/settings/{THRESHOLD}", json={"value": "P1D"})

    assert response.status_code == 200
    assert response.json()["data"] == {"seat_id": 1004, "slug": THRESHOLD, "value": "P1D"}
    error = assert_policy(reserve(robin, 1004, "2026-03-05", "09:00", "17:00"), "advanced_booking_threshold")
    assert error["details"]["booking_threshold"] == "P1D"
    assert error["message"] == (
        "The reservation is too far in the future. Reservations for seat `1004` cannot be more than 1 day in advance."
    )


def test_update_types_allowed_changes_the_desk_type(robin):
    response = robin.put(f"/seats/1003/settings/{TYPES_ALLOWED}", json={"value": ["hot"]})

    assert response.status_code == 200
    assert response.json()["data"] == {"seat_id": 1003, "slug": TYPES_ALLOWED, "value": ["hot"]}
    hoteled = reserve(robin, 1003, "2026-03-02", "10:00", "12:00", "hoteled")
    error = assert_policy(hoteled, "seat_reservation_types_allowed")
    assert error["details"]["allowed_types"] == ["hot"]
    assert reserve(robin, 1003, "2026-03-02", "10:00", "12:00", "hot").status_code == 200


def test_update_setting_moves_the_seat_updated_at(robin, wall):
    wall.advance(hours=1)

    assert robin.put(f"/seats/1003/settings/{THRESHOLD}", json={"value": "P7D"}).status_code == 200

    seat = data(robin.get("/seats/1003"))
    assert seat["updated_at"] == "2026-03-02T15:00:00+0000"
    assert seat["created_at"] == CREATED_AT


def test_member_cannot_update_a_seat_setting(member, robin):
    response = member.put(f"/seats/1003/settings/{MAX_LENGTH}", json={"value": "P7D"})

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"
    assert data(robin.get(f"/seats/1003/settings/{MAX_LENGTH}"))["value"] == "P1D"


def test_update_unknown_setting_is_404(robin):
    response = robin.put("/seats/1003/settings/seat-reservation-colour", json={"value": "blue"})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        (MAX_LENGTH, "a day"),
        (MAX_LENGTH, "PT0S"),
        (MAX_LENGTH, ["P1D"]),
        (THRESHOLD, "fortnight"),
        (THRESHOLD, "-P14D"),
        (TYPES_ALLOWED, "hoteled"),
        (TYPES_ALLOWED, ["desk"]),
        (TYPES_ALLOWED, ["shared"]),
        (TYPES_ALLOWED, ["shared", "assigned"]),
        (TYPES_ALLOWED, None),
    ],
)
def test_update_setting_refuses_invalid_values(robin, slug, value):
    before = data(robin.get(f"/seats/1003/settings/{slug}"))["value"]

    response = robin.put(f"/seats/1003/settings/{slug}", json={"value": value})

    assert_field_error(response, "value")
    assert data(robin.get(f"/seats/1003/settings/{slug}"))["value"] == before


def test_update_setting_without_a_value_is_400(robin):
    response = robin.put(f"/seats/1003/settings/{MAX_LENGTH}", json={})

    assert_field_error(response, "value")
