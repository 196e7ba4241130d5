"""The workplace as Kadence clients read it: buildings, floors and their plans, neighborhoods,
spaces, and users with their profile changes and pictures."""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from sandbox.settings import FIXTURES_DIR
from tests.conftest import KadenceClient

DEMO = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))
ORGANIZATION = DEMO["organizations"][0]
CREATED_AT = datetime.fromisoformat(DEMO["created_at"]).astimezone(UTC).isoformat(timespec="seconds")
BUILDINGS = ORGANIZATION["buildings"]
PEOPLE = ORGANIZATION["users"]
EMAILS = [person["email"] for person in PEOPLE]
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
SVG = "{http://www.w3.org/2000/svg}"
MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
NOT_BLANK = "c1051bb4-d103-4f74-8988-acbcafc7fdc3"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
SPACE_TYPES = {"office": "private_office", "call": "pod"}


def fixture_building(name: str) -> dict[str, Any]:
    return next(building for building in BUILDINGS if building["name"] == name)


def fixture_floor(building_name: str, floor_name: str) -> dict[str, Any]:
    return next(floor for floor in fixture_building(building_name)["floors"] if floor["name"] == floor_name)


def person(email: str) -> dict[str, Any]:
    return next(entry for entry in PEOPLE if entry["email"] == email)


def reservable(entry: dict[str, Any]) -> bool:
    return entry.get("is_reservable", True) is not False


def kadence_spaces(floors: list[dict[str, Any]], zone: str | None = None) -> list[tuple[str, str]]:
    """(name, type) of what Kadence calls spaces on these floors: reservable spaces and desks."""
    found = []
    for floor in floors:
        for space in floor["spaces"]:
            if zone is None and reservable(space):
                found.append((space["name"], SPACE_TYPES.get(space["type"], "room")))
            for area in space.get("zones", []):
                if zone in (None, area["name"]):
                    found += [(desk["name"], "desk") for desk in area["desks"] if reservable(desk)]
    return sorted(found)


def drawn_names(floor: dict[str, Any]) -> set[str]:
    """Every space and desk of a floor, reservable or not: what its plan shows."""
    names = set()
    for space in floor["spaces"]:
        names.add(space["name"])
        for area in space.get("zones", []):
            names |= {desk["name"] for desk in area["desks"]}
    return names


def drawn_spaces(floor: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, booking type) of every space and desk of a floor, reservable or not: what its plan shows."""
    found = []
    for space in floor["spaces"]:
        found.append((space["name"], SPACE_TYPES.get(space["type"], "room")))
        for area in space.get("zones", []):
            found += [(desk["name"], "desk") for desk in area["desks"]]
    return sorted(found)


def document(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/ld+json")
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def not_found(response: Any) -> None:
    body = document(response, 404)
    assert body["@type"] == "hydra:Error"
    assert body["hydra:description"] == "Not Found"


def violations(response: Any) -> dict[str, dict[str, str]]:
    """The 422 violations by property path."""
    body = document(response, 422)
    assert body["@context"] == "/v1/contexts/ConstraintViolationList"
    assert body["@type"] == "ConstraintViolationList"
    found = {violation["propertyPath"]: violation for violation in body["violations"]}
    for path, violation in found.items():
        assert f"{path}: {violation['message']}" in body["hydra:description"]
    return found


def bad_request(response: Any) -> str:
    body = document(response, 400)
    assert body["@type"] == "hydra:Error"
    return body["hydra:description"]  # type: ignore[no-any-return]  # decoded JSON


def names(members: list[dict[str, Any]]) -> list[str]:
    return [member["name"] for member in members]


def typed(members: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((member["name"], member["type"]) for member in members)


def floor_named(kadence: KadenceClient, building_name: str, floor_name: str) -> dict[str, Any]:
    building = kadence.find("/buildings", name=building_name)
    return next(floor for floor in kadence.members("/floors", buildingId=building["id"]) if floor["name"] == floor_name)


# Buildings


def test_buildings_list_every_building_with_its_address(kadence):
    members = kadence.members("/buildings")

    assert len(members) == len(BUILDINGS)
    for member, building in zip(members, BUILDINGS, strict=True):
        assert member == {
            "@id": f"/v1/public/buildings/{member['id']}",
            "@type": "Building",
            "id": member["id"],
            "name": building["name"],
            "timeZone": building["time_zone"],
            "latitude": building["latitude"],
            "longitude": building["longitude"],
            "addressLine1": building["address_line1"],
            "addressLine2": building.get("address_line2"),
            "city": building["city"],
            "county": building["county"],
            "countryCode": building["country_code"],
            "photo": None,
            "createdAt": CREATED_AT,
            "modifiedAt": CREATED_AT,
        }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"countryCode": "US"}, ["Meridian HQ New York"]),
        ({"countryCode": "IN"}, ["Meridian Bengaluru"]),
        ({"countryCode": "GB"}, []),
        ({"city": "Bengaluru"}, ["Meridian Bengaluru"]),
        ({"city": "New York"}, ["Meridian HQ New York"]),
        ({"city": "London"}, []),
        ({"name": "Meridian HQ New York"}, ["Meridian HQ New York"]),
        ({"name": "Meridian Bengaluru"}, ["Meridian Bengaluru"]),
        ({"name": "Elsewhere Tower"}, []),
        ({"countryCode": "US", "city": "Bengaluru"}, []),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else None,
)
def test_buildings_filter_by_country_city_and_name(kadence, filters, expected):
    body = document(kadence.get("/buildings", params=filters))

    assert names(body["hydra:member"]) == expected
    assert body["hydra:totalItems"] == len(expected)


def test_buildings_filter_by_id(kadence):
    bengaluru = kadence.find("/buildings", name="Meridian Bengaluru")

    assert names(kadence.members("/buildings", id=bengaluru["id"])) == ["Meridian Bengaluru"]
    assert kadence.members("/buildings", id=UNKNOWN_ULID) == []


def test_building_item_is_the_building_of_the_list(kadence):
    listed = kadence.find("/buildings", name="Meridian HQ New York")

    item = document(kadence.get(f"/buildings/{listed['id']}"))

    assert item == {"@context": "/v1/contexts/Building", **listed}
    assert (item["addressLine1"], item["addressLine2"]) == ("200 Fifth Avenue", "Floors 1-3")


def test_unknown_building_is_404(kadence):
    not_found(kadence.get(f"/buildings/{UNKNOWN_ULID}"))


# Floors and floor plans


def test_floors_of_a_building_in_level_order(kadence):
    for building in BUILDINGS:
        found = kadence.find("/buildings", name=building["name"])
        levels = sorted(building["floors"], key=lambda floor: floor["level_number"])

        members = kadence.members("/floors", buildingId=found["id"])

        assert names(members) == [floor["name"] for floor in levels]


def test_floors_list_every_floor_of_every_building(kadence):
    members = kadence.members("/floors")

    assert sorted(names(members)) == sorted(floor["name"] for building in BUILDINGS for floor in building["floors"])
    for member in members:
        assert set(member) == {"@id", "@type", "id", "name", "floorPlanUrl"}
        assert member["@id"] == f"/v1/public/floors/{member['id']}"
        assert member["@type"] == "Floor"


@pytest.mark.parametrize("building", [UNKNOWN_ULID, "nope"])
def test_floors_of_an_unknown_building_are_none(kadence, building):
    body = document(kadence.get("/floors", params={"buildingId": building}))

    assert body["hydra:member"] == []
    assert body["hydra:totalItems"] == 0


def test_floor_item_is_the_floor_of_the_list(kadence):
    listed = floor_named(kadence, "Meridian Bengaluru", "Ground Floor")

    item = document(kadence.get(f"/floors/{listed['id']}"))

    assert item == {"@context": "/v1/contexts/Floor", **listed}


def test_unknown_floor_is_404(kadence):
    not_found(kadence.get(f"/floors/{UNKNOWN_ULID}"))


@pytest.mark.parametrize(
    ("building_name", "floor_name"),
    [
        ("Meridian HQ New York", "Floor 2"),
        ("Meridian HQ New York", "Floor 3"),
        ("Meridian Bengaluru", "Floor 1"),
    ],
)
def test_floor_plan_url_is_an_absolute_url_of_an_svg_naming_the_floor_spaces(client, kadence, building_name, floor_name):
    floor = floor_named(kadence, building_name, floor_name)
    url = urlsplit(floor["floorPlanUrl"])

    response = client.get(url.path)

    assert url.scheme in ("http", "https")
    assert url.netloc
    assert url.path == f"/_sandbox/floor-plans/{floor['id']}.svg"
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    drawing = ElementTree.fromstring(response.text)
    assert drawing.tag == f"{SVG}svg"
    assert drawing.findtext(f"{SVG}title") == floor_name
    labels = {text.text for text in drawing.iter(f"{SVG}text")}
    assert labels == {floor_name} | drawn_names(fixture_floor(building_name, floor_name))


@pytest.mark.parametrize(
    ("building_name", "floor_name"),
    [
        ("Meridian HQ New York", "Floor 1"),
        ("Meridian HQ New York", "Floor 2"),
        ("Meridian HQ New York", "Floor 3"),
        ("Meridian Bengaluru", "Floor 1"),
    ],
)
def test_floor_plan_groups_each_space_by_its_booking_type_and_id_as_kadence_plans_do(client, kadence, building_name, floor_name):
    floor = floor_named(kadence, building_name, floor_name)

    response = client.get(urlsplit(floor["floorPlanUrl"]).path)

    assert response.status_code == 200, response.text
    drawing = ElementTree.fromstring(response.text)
    groups = list(drawing.iter(f"{SVG}g"))
    named = [(group.get("id", "").split("::"), group.findtext(f"{SVG}text")) for group in groups if group.get("id")]
    assert all(len(parts) == 3 and parts[0] == "space" for parts, _ in named)
    drawn = {space_id: (space_type, name) for (_, space_type, space_id), name in named}
    assert len(drawn) == len(named)
    assert sorted(group.findtext(f"{SVG}text") for group in groups) == sorted(
        name for name, _ in drawn_spaces(fixture_floor(building_name, floor_name))
    )
    members = kadence.members("/spaces", floorId=floor["id"])
    assert members
    assert set(drawn) == {space["id"] for space in members}, "a space:: group for each bookable space, and only for them"
    for space in members:
        assert drawn[space["id"]] == (space["type"], space["name"])


def test_a_page_colouring_a_space_group_colours_the_space(client, kadence):
    """The example app sets `style.fill` on each `space::` group: its shape must take the group's
    fill rather than one of its own."""
    floor = floor_named(kadence, "Meridian HQ New York", "Floor 2")

    drawing = ElementTree.fromstring(client.get(urlsplit(floor["floorPlanUrl"]).path).text)

    spaces = [group for group in drawing.iter(f"{SVG}g") if group.get("id", "").startswith("space::")]
    assert spaces
    for group in spaces:
        assert group.get("fill")
        assert group.find(f"{SVG}rect").get("fill") is None


def test_floor_plan_may_be_read_by_a_page_of_any_origin(client, kadence):
    floor = floor_named(kadence, "Meridian HQ New York", "Floor 2")

    response = client.get(urlsplit(floor["floorPlanUrl"]).path, headers={"Origin": "https://app.example.com"})

    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"


def test_floor_plan_of_an_unknown_floor_is_404(client):
    response = client.get(f"/_sandbox/floor-plans/{UNKNOWN_ULID}.svg")

    assert response.status_code == 404


# Neighborhoods


def test_neighborhoods_are_the_desk_zones(kadence):
    members = kadence.members("/neighborhoods")

    expected = [
        area["name"]
        for building in BUILDINGS
        for floor in building["floors"]
        for space in floor["spaces"]
        for area in space.get("zones", [])
    ]
    assert names(members) == expected
    for member in members:
        assert member == {
            "@id": f"/v1/public/neighborhoods/{member['id']}",
            "@type": "Neighborhood",
            "id": member["id"],
            "name": member["name"],
        }


def test_neighborhoods_filter_by_building_and_floor(kadence):
    bengaluru = kadence.find("/buildings", name="Meridian Bengaluru")
    new_york = kadence.find("/buildings", name="Meridian HQ New York")
    second = floor_named(kadence, "Meridian HQ New York", "Floor 2")
    first = floor_named(kadence, "Meridian HQ New York", "Floor 1")

    assert names(kadence.members("/neighborhoods", buildingId=bengaluru["id"])) == ["Bay North", "Bay South"]
    assert names(kadence.members("/neighborhoods", floorId=second["id"])) == ["Pod A", "Pod B"]
    assert kadence.members("/neighborhoods", floorId=first["id"]) == []
    assert (
        kadence.members(
            "/neighborhoods", buildingId=new_york["id"], floorId=floor_named(kadence, "Meridian Bengaluru", "Floor 1")["id"]
        )
        == []
    )


@pytest.mark.parametrize("filters", [{"buildingId": UNKNOWN_ULID}, {"floorId": UNKNOWN_ULID}, {"floorId": "nope"}])
def test_neighborhoods_of_unknown_places_are_none(kadence, filters):
    body = document(kadence.get("/neighborhoods", params=filters))

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 0)


def test_neighborhood_item_is_the_neighborhood_of_the_list(kadence):
    listed = kadence.find("/neighborhoods", name="Bay South")

    item = document(kadence.get(f"/neighborhoods/{listed['id']}"))

    assert item == {"@context": "/v1/contexts/Neighborhood", **listed}


def test_unknown_neighborhood_is_404(kadence):
    not_found(kadence.get(f"/neighborhoods/{UNKNOWN_ULID}"))


# Spaces


def test_spaces_are_reservable_spaces_and_desks_with_kadence_types(kadence):
    members = kadence.members("/spaces")

    every_floor = [floor for building in BUILDINGS for floor in building["floors"]]
    assert typed(members) == kadence_spaces(every_floor)
    assert document(kadence.get("/spaces"))["hydra:totalItems"] == len(members)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Hudson", "room"),
        ("Kitchen", "room"),
        ("Wellness Room", "room"),
        ("Phone Booth 1A", "pod"),
        ("Call Pod G1", "pod"),
        ("Executive Office", "private_office"),
        ("A-01", "desk"),
        ("S-03", "desk"),
    ],
)
def test_space_types_map_to_kadence_booking_types(kadence, name, kind):
    assert kadence.find("/spaces", name=name)["type"] == kind


def test_a_desk_embeds_its_floor_and_neighborhood(kadence):
    floor = floor_named(kadence, "Meridian HQ New York", "Floor 2")
    pod_a = kadence.find("/neighborhoods", name="Pod A")

    desk = kadence.find("/spaces", name="A-01")

    assert desk == {
        "@id": f"/v1/public/spaces/{desk['id']}",
        "@type": "Space",
        "id": desk["id"],
        "name": "A-01",
        "type": "desk",
        "floor": {"@id": f"/v1/public/floors/{floor['id']}", "@type": "Floor", "id": floor["id"], "name": "Floor 2"},
        "neighborhood": {
            "@id": f"/v1/public/neighborhoods/{pod_a['id']}",
            "@type": "Neighborhood",
            "id": pod_a["id"],
            "name": "Pod A",
        },
        "photo": None,
    }


def test_a_room_embeds_its_floor_and_no_neighborhood(kadence):
    floor = floor_named(kadence, "Meridian Bengaluru", "Ground Floor")

    room = kadence.find("/spaces", name="Cubbon")

    assert room["floor"] == {
        "@id": f"/v1/public/floors/{floor['id']}",
        "@type": "Floor",
        "id": floor["id"],
        "name": "Ground Floor",
    }
    assert room["neighborhood"] is None
    assert room["type"] == "room"


def test_spaces_filter_by_neighborhood_floor_and_building(kadence):
    pod_b = kadence.find("/neighborhoods", name="Pod B")
    third = floor_named(kadence, "Meridian HQ New York", "Floor 3")
    bengaluru = kadence.find("/buildings", name="Meridian Bengaluru")

    assert typed(kadence.members("/spaces", neighborhoodId=pod_b["id"])) == kadence_spaces(
        [fixture_floor("Meridian HQ New York", "Floor 2")], zone="Pod B"
    )
    assert typed(kadence.members("/spaces", floorId=third["id"])) == kadence_spaces(
        [fixture_floor("Meridian HQ New York", "Floor 3")]
    )
    assert typed(kadence.members("/spaces", buildingId=bengaluru["id"])) == kadence_spaces(
        fixture_building("Meridian Bengaluru")["floors"]
    )


@pytest.mark.parametrize(
    "filters",
    [
        {"neighborhoodId": UNKNOWN_ULID},
        {"floorId": UNKNOWN_ULID},
        {"buildingId": UNKNOWN_ULID},
        {"buildingId": "nope"},
    ],
)
def test_spaces_of_unknown_places_are_none(kadence, filters):
    body = document(kadence.get("/spaces", params=filters))

    assert (body["hydra:member"], body["hydra:totalItems"]) == ([], 0)


def test_space_item_is_the_space_of_the_list(kadence):
    listed = kadence.find("/spaces", name="Phone Booth 1B")

    item = document(kadence.get(f"/spaces/{listed['id']}"))

    assert item == {"@context": "/v1/contexts/Space", **listed}


def test_unknown_space_is_404(kadence):
    not_found(kadence.get(f"/spaces/{UNKNOWN_ULID}"))


# Users


def test_users_list_everyone_of_the_organization(kadence):
    assert [user["email"] for user in kadence.members("/users")] == EMAILS


def test_a_user_shows_the_profile_of_the_fixture(kadence):
    first_floor = floor_named(kadence, "Meridian HQ New York", "Floor 1")
    ada = person("ada.okafor@meridian.example")

    user = kadence.find("/users", email=ada["email"])

    assert {key: value for key, value in user.items() if key != "timePreference"} == {
        "@id": f"/v1/public/users/{user['id']}",
        "@type": "User",
        "id": user["id"],
        "email": ada["email"],
        "firstName": "Ada",
        "lastName": "Okafor",
        "jobTitle": ada["job_title"],
        "invitationPending": False,
        "preferredFloor": {"id": first_floor["id"], "name": "Floor 1"},
        "createdAt": CREATED_AT,
        "modifiedAt": CREATED_AT,
        "locale": "en-US",
        "locationCityName": ada["location_city"],
        "locationCountryCode": ada["location_country_code"],
        "locationLatitude": ada["location_latitude"],
        "locationLongitude": ada["location_longitude"],
        "locationTimezone": ada["time_zone"],
        "biography": ada["biography"],
        "monogram": "AO",
    }


def test_users_without_profile_details_have_nulls_and_defaults(kadence):
    user = kadence.find("/users", email="diego.alvarez@meridian.example")

    assert (user["firstName"], user["lastName"], user["monogram"]) == ("Diego", "Alvarez", "DA")
    assert user["jobTitle"] is None
    assert user["biography"] is None
    assert user.get("preferredFloor") is None
    assert user["locationCityName"] is None
    assert user["locationCountryCode"] is None
    assert user["locationLatitude"] is None
    assert user["locationLongitude"] is None
    assert user["locale"] == "en-US"
    assert user["timePreference"] == "default"


def test_a_pending_invitation_shows(kadence):
    pending = [user["email"] for user in kadence.members("/users") if user["invitationPending"]]

    assert pending == [entry["email"] for entry in PEOPLE if entry.get("is_pending")]


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ada.okafor@meridian.example", "12H"),
        ("chloe.martin@meridian.example", "24H"),
        ("ben.carter@meridian.example", "default"),
    ],
)
def test_time_preference_uses_the_documented_values(kadence, email, expected):
    user = kadence.find("/users", email=email)

    assert user["timePreference"] == expected
    assert user["timePreference"] in ("default", "24H", "12H")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"email": "okafor"}, ["ada.okafor@meridian.example"]),
        ({"email": "meridian.example"}, EMAILS),
        ({"email": "@elsewhere"}, []),
        ({"emailExact": "ben.carter@meridian.example"}, ["ben.carter@meridian.example"]),
        ({"emailExact": "ben.carter"}, []),
        ({"firstName": "Priya"}, ["priya.raman@meridian.example"]),
        ({"lastName": "Carter"}, ["ben.carter@meridian.example"]),
        ({"firstName": "Ben", "lastName": "Okafor"}, []),
        ({"firstName": "Nobody"}, []),
    ],
    ids=lambda value: json.dumps(value) if isinstance(value, dict) else None,
)
def test_users_filter_by_email_and_names(kadence, filters, expected):
    body = document(kadence.get("/users", params={**filters, "itemsPerPage": 500}))

    assert [user["email"] for user in body["hydra:member"]] == expected
    assert body["hydra:totalItems"] == len(expected)


def test_users_filter_by_id(kadence):
    ben = kadence.find("/users", email="ben.carter@meridian.example")

    assert [user["email"] for user in kadence.members("/users", id=ben["id"])] == ["ben.carter@meridian.example"]
    assert kadence.members("/users", id=UNKNOWN_ULID) == []


def test_user_item_is_the_user_of_the_list(kadence):
    listed = kadence.find("/users", email="chloe.martin@meridian.example")

    item = document(kadence.get(f"/users/{listed['id']}"))

    assert item == {"@context": "/v1/contexts/User", **listed}
    assert item["locale"] == "en-GB"


def test_unknown_user_is_404(kadence):
    not_found(kadence.get(f"/users/{UNKNOWN_ULID}"))


# Profile changes


def test_patch_changes_only_the_given_fields_and_moves_modified_at(kadence, wall):
    before = kadence.find("/users", email="ben.carter@meridian.example")
    wall.advance(minutes=30)
    changes = {"jobTitle": "Principal Engineer", "locationCityName": "Boston", "locationLatitude": 42.36}

    response = kadence.patch(f"/users/{before['id']}", content=json.dumps(changes), headers=MERGE_PATCH)

    after = document(response)
    assert after == {**before, **changes, "@context": "/v1/contexts/User", "modifiedAt": "2026-03-02T14:30:00+00:00"}
    assert document(kadence.get(f"/users/{before['id']}")) == after


def test_patch_changes_names_and_the_monogram(kadence):
    ben = kadence.find("/users", email="ben.carter@meridian.example")

    after = document(
        kadence.patch(f"/users/{ben['id']}", json={"firstName": "Benjamin", "lastName": "Zhou"}, headers=MERGE_PATCH)
    )

    assert (after["firstName"], after["lastName"], after["monogram"]) == ("Benjamin", "Zhou", "BZ")
    assert kadence.members("/users", lastName="Zhou")[0]["id"] == ben["id"]


def test_patch_sets_nullable_fields_to_null_and_normalizes_country_codes(kadence):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    after = document(
        kadence.patch(
            f"/users/{ada['id']}",
            json={"jobTitle": None, "biography": None, "locationCountryCode": "gb"},
            headers=MERGE_PATCH,
        )
    )

    assert (after["jobTitle"], after["biography"], after["locationCountryCode"]) == (None, None, "GB")
    assert after["firstName"] == "Ada"


@pytest.mark.parametrize(
    "changes", [{"firstName": ""}, {"firstName": "   "}, {"firstName": None}, {"lastName": ""}], ids=json.dumps
)
def test_patch_with_a_blank_name_is_a_422_violation(kadence, wall, changes):
    ben = kadence.find("/users", email="ben.carter@meridian.example")
    wall.advance(minutes=5)

    response = kadence.patch(f"/users/{ben['id']}", json=changes, headers=MERGE_PATCH)

    (field,) = changes
    found = violations(response)
    assert set(found) == {field}
    assert found[field]["message"] == "This value should not be blank."
    assert found[field]["code"] == NOT_BLANK
    assert document(kadence.get(f"/users/{ben['id']}")) == {"@context": "/v1/contexts/User", **ben}


@pytest.mark.parametrize(
    "changes",
    [
        {"locationLatitude": 90.5},
        {"locationLatitude": -91},
        {"locationLongitude": 180.01},
        {"locationLongitude": -200},
        {"locationCountryCode": "USA"},
        {"locationCountryCode": "U1"},
        {"locationCountryCode": ""},
        {"locationCountryCode": "XX"},
        {"locationCountryCode": "UK"},
        {"locationTimezone": "Mars/Olympus_Mons"},
        {"locationTimezone": "EST5EDT8"},
    ],
    ids=json.dumps,
)
def test_patch_with_an_invalid_location_is_a_422_violation(kadence, changes):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = kadence.patch(f"/users/{ada['id']}", json=changes, headers=MERGE_PATCH)

    (field,) = changes
    assert set(violations(response)) == {field}
    assert document(kadence.get(f"/users/{ada['id']}")) == {"@context": "/v1/contexts/User", **ada}


def test_patch_refuses_a_country_code_iso_3166_does_not_assign(kadence):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = kadence.patch(f"/users/{ada['id']}", json={"locationCountryCode": "XX"}, headers=MERGE_PATCH)

    assert violations(response)["locationCountryCode"]["message"] == "This value is not a valid country."
    assert kadence.get(f"/users/{ada['id']}").json()["locationCountryCode"] == ada["locationCountryCode"]


def test_patch_reports_every_violation_at_once(kadence):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = kadence.patch(
        f"/users/{ada['id']}",
        json={"firstName": "", "locationLatitude": 100, "locationTimezone": "Nowhere"},
        headers=MERGE_PATCH,
    )

    assert set(violations(response)) == {"firstName", "locationLatitude", "locationTimezone"}


@pytest.mark.parametrize(
    "changes",
    [
        {"firstName": 5},
        {"firstName": True},
        {"jobTitle": ["Engineer"]},
        {"biography": {"text": "hi"}},
        {"locationLatitude": "north"},
        {"locationLatitude": True},
        {"locationLongitude": "12.5"},
    ],
    ids=json.dumps,
)
def test_patch_with_a_wrongly_typed_field_is_400(kadence, changes):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = kadence.patch(f"/users/{ada['id']}", json=changes, headers=MERGE_PATCH)

    (field,) = changes
    assert field in bad_request(response)
    assert document(kadence.get(f"/users/{ada['id']}")) == {"@context": "/v1/contexts/User", **ada}


@pytest.mark.parametrize("body", [b'{"firstName": "Ada"', b"firstName=Ada", b"[]", b'"Ada"'])
def test_patch_with_a_body_that_is_not_a_json_object_is_400(kadence, body):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    response = kadence.patch(f"/users/{ada['id']}", content=body, headers=MERGE_PATCH)

    bad_request(response)


def test_patch_ignores_read_only_and_unknown_fields(kadence):
    ada = kadence.find("/users", email="ada.okafor@meridian.example")

    after = document(
        kadence.patch(
            f"/users/{ada['id']}",
            json={"email": "someone@else.example", "id": UNKNOWN_ULID, "shoeSize": 9, "jobTitle": "CTO"},
            headers=MERGE_PATCH,
        )
    )

    assert (after["email"], after["id"], after["jobTitle"]) == (ada["email"], ada["id"], "CTO")
    assert "shoeSize" not in after


def test_patch_of_an_unknown_user_is_404(kadence):
    not_found(kadence.patch(f"/users/{UNKNOWN_ULID}", json={"jobTitle": "Ghost"}, headers=MERGE_PATCH))


# Profile pictures


@pytest.mark.parametrize(
    ("filename", "image", "media_type"),
    [
        ("me.png", PNG, "image/png"),
        ("me.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        ("me.gif", b"GIF89a" + b"\x00" * 32, "image/gif"),
        ("me.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32, "image/webp"),
    ],
)
def test_photo_upload_answers_201_with_the_user_and_moves_modified_at(kadence, wall, filename, image, media_type):
    ben = kadence.find("/users", email="ben.carter@meridian.example")
    wall.advance(minutes=45)

    response = kadence.post(f"/users/{ben['id']}/photo", files={"file": (filename, image, media_type)})

    after = document(response, 201)
    assert after == {**ben, "@context": "/v1/contexts/User", "modifiedAt": "2026-03-02T14:45:00+00:00"}
    assert document(kadence.get(f"/users/{ben['id']}"))["modifiedAt"] == "2026-03-02T14:45:00+00:00"


def test_photo_of_exactly_5_mib_is_accepted(kadence):
    ben = kadence.find("/users", email="ben.carter@meridian.example")
    image = PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG))

    response = kadence.post(f"/users/{ben['id']}/photo", files={"file": ("me.png", image, "image/png")})

    assert document(response, 201)["id"] == ben["id"]


def test_photo_over_5_mib_is_a_422_violation(kadence, wall):
    ben = kadence.find("/users", email="ben.carter@meridian.example")
    wall.advance(minutes=5)
    image = PNG + b"\x00" * (5 * 1024 * 1024 - len(PNG) + 1)

    response = kadence.post(f"/users/{ben['id']}/photo", files={"file": ("huge.png", image, "image/png")})

    assert set(violations(response)) == {"file"}
    assert document(kadence.get(f"/users/{ben['id']}"))["modifiedAt"] == CREATED_AT


@pytest.mark.parametrize(
    ("filename", "content", "media_type"),
    [
        ("notes.txt", b"hello, world", "text/plain"),
        ("fake.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"),
        ("doc.pdf", b"%PDF-1.7\n", "application/pdf"),
    ],
)
def test_photo_that_is_not_an_image_is_a_422_violation(kadence, filename, content, media_type):
    ben = kadence.find("/users", email="ben.carter@meridian.example")

    response = kadence.post(f"/users/{ben['id']}/photo", files={"file": (filename, content, media_type)})

    found = violations(response)
    assert set(found) == {"file"}
    assert document(kadence.get(f"/users/{ben['id']}"))["modifiedAt"] == CREATED_AT


@pytest.mark.parametrize(
    "upload",
    [
        {"data": {"caption": "me"}, "files": {"other": ("", b"", "text/plain")}},
        {"files": {"file": ("empty.png", b"", "image/png")}},
    ],
    ids=["no-file", "empty-file"],
)
def test_photo_upload_without_a_file_is_a_422_violation(kadence, upload):
    ben = kadence.find("/users", email="ben.carter@meridian.example")

    response = kadence.post(f"/users/{ben['id']}/photo", **upload)

    found = violations(response)
    assert set(found) == {"file"}
    assert found["file"]["code"] == NOT_BLANK


def test_photo_of_an_unknown_user_is_404(kadence):
    not_found(kadence.post(f"/users/{UNKNOWN_ULID}/photo", files={"file": ("me.png", PNG, "image/png")}))
