"""The workplace as Robin clients read it: me, organizations, people, locations, levels, spaces."""

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlmodel import col

from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import Floor, Resource
from tests.conftest import NOW

DEMO = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))
ORGANIZATION = DEMO["organizations"][0]
CREATED_AT = datetime.fromisoformat(DEMO["created_at"]).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
BUILDINGS = {building["id"]: building for building in ORGANIZATION["buildings"]}
AMENITY_IDS = {amenity["name"]: amenity["id"] for amenity in ORGANIZATION["amenities"]}
PEOPLE = ORGANIZATION["users"]

# Field lists of robin-api.md's models.
ORGANIZATION_FIELDS = {"id", "slug", "name", "avatar", "is_organization", "created_at", "updated_at"}
LOCATION_FIELDS = {
    "id",
    "account_id",
    "campus_id",
    "name",
    "description",
    "address",
    "image",
    "latitude",
    "longitude",
    "time_zone",
    "created_at",
    "updated_at",
}
LEVEL_FIELDS = {"id", "location_id", "name", "level_number"}
SPACE_FIELDS = {
    "id",
    "location_id",
    "level_id",
    "name",
    "description",
    "image",
    "discovery_radius",
    "capacity",
    "type",
    "last_presence_at",
    "is_disabled",
    "is_dibsed",
    "is_accessible",
    "created_at",
    "updated_at",
    "behaviors",
}
USER_FIELDS = {
    "id",
    "name",
    "given_name",
    "family_name",
    "slug",
    "avatar",
    "time_zone",
    "created_at",
    "updated_at",
    "is_pending",
    "primary_email",
    "working_hours",
    "access_level",
}
CALENDAR_FIELDS = {
    "space_id",
    "remote_type",
    "calendar_id",
    "subscriber_id",
    "space_resource_id",
    "space_resource_email",
    "subscriber_expires_at",
    "created_at",
}
STATE_FIELDS = {"availability", "present", "next_busy_change"}
INCLUDES = {"calendar", "space_amenities", "amenities", "location", "state"}


def demo_spaces() -> list[dict[str, Any]]:
    """Every space of the demo, with the ids of its location and level."""
    return [
        {**space, "location_id": building["id"], "level_id": floor["id"]}
        for building in ORGANIZATION["buildings"]
        for floor in building["floors"]
        for space in floor["spaces"]
    ]


SPACES = {space["id"]: space for space in demo_spaces()}


def spaces_at(location_id: int) -> list[dict[str, Any]]:
    return [space for space in SPACES.values() if space["location_id"] == location_id]


def ids(items: list[dict[str, Any]]) -> list[int]:
    return sorted(item["id"] for item in items)


def amenity_counts(space: dict[str, Any]) -> dict[str, int]:
    return {amenity["name"]: amenity.get("quantity", 1) for amenity in space.get("amenities", [])}


def person(email: str) -> dict[str, Any]:
    return next(entry for entry in PEOPLE if entry["email"] == email)


def listed(client: Any, path: str) -> list[dict[str, Any]]:
    """Every item of a collection, in one large page."""
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}per_page=1000")
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["paging"]["has_next_page"] is False
    return document["data"]


def data(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()["data"]


def error_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.text
    return {entry["field"] for entry in response.json()["meta"]["errors"]}


# Me and organizations


def test_me_is_the_user_the_token_belongs_to(robin):
    me = data(robin.get("/me"))

    assert set(me) >= USER_FIELDS
    ada = person("ada.okafor@meridian.example")
    assert me["name"] == ada["name"]
    assert me["primary_email"] == {"email": ada["email"], "is_verified": True}
    assert (me["given_name"], me["family_name"]) == tuple(ada["name"].split(" ", 1))
    assert me["time_zone"] == ada["time_zone"]
    assert me["is_pending"] is False
    assert me["access_level"] == 9001


def test_me_for_a_member_has_the_member_access_level(member):
    me = data(member.get("/me"))

    assert me["primary_email"]["email"] == "ben.carter@meridian.example"
    assert me["access_level"] == 1


def test_my_organizations_lists_the_one_organization_of_the_user(robin):
    response = robin.get("/me/organizations")

    assert response.status_code == 200
    document = response.json()
    assert [organization["slug"] for organization in document["data"]] == [ORGANIZATION["slug"]]
    assert set(document["data"][0]) >= ORGANIZATION_FIELDS
    assert document["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}


@pytest.mark.parametrize("id_or_slug", [str(ORGANIZATION["id"]), ORGANIZATION["slug"]])
def test_get_organization_by_id_or_slug(robin, id_or_slug):
    organization = data(robin.get(f"/organizations/{id_or_slug}"))

    assert set(organization) == ORGANIZATION_FIELDS
    assert organization["id"] == ORGANIZATION["id"]
    assert organization["slug"] == ORGANIZATION["slug"]
    assert organization["name"] == ORGANIZATION["name"]
    assert organization["is_organization"] is True
    assert organization["created_at"] == CREATED_AT


def test_get_organization_slug_is_not_a_prefix_match(robin):
    response = robin.get(f"/organizations/{ORGANIZATION['slug'][:4]}")

    assert response.status_code == 404


@pytest.mark.parametrize("collection", ["locations", "users", "amenities"])
def test_organization_collections_answer_by_slug_as_by_id(robin, collection):
    by_id = listed(robin, f"/organizations/{ORGANIZATION['id']}/{collection}")

    by_slug = listed(robin, f"/organizations/{ORGANIZATION['slug']}/{collection}")

    assert by_slug == by_id
    assert by_id


@pytest.mark.parametrize("collection", ["locations", "users", "amenities"])
def test_organization_collections_of_an_unknown_slug_are_404(robin, collection):
    response = robin.get(f"/organizations/nobody-by-this-name/{collection}")

    assert response.status_code == 404


@pytest.mark.parametrize("collection", ["locations", "users", "amenities"])
def test_organization_collections_of_another_organizations_slug_are_403(robin, other_organization, collection):
    response = robin.get(f"/organizations/elsewhere/{collection}")

    assert response.status_code == 403


def test_list_locations_of_organization(robin):
    locations = listed(robin, "/organizations/1/locations")

    assert ids(locations) == sorted(BUILDINGS)
    for location in locations:
        building = BUILDINGS[location["id"]]
        assert set(location) >= LOCATION_FIELDS
        assert location["account_id"] == ORGANIZATION["id"]
        assert location["name"] == building["name"]
        assert location["time_zone"] == building["time_zone"]
        assert location["address"] == building["address"]
        assert location["description"] == building["description"]
        assert (location["latitude"], location["longitude"]) == (building["latitude"], building["longitude"])


def test_list_users_of_organization_lists_everyone(robin):
    users = listed(robin, "/organizations/1/users")

    assert sorted(user["primary_email"]["email"] for user in users) == sorted(entry["email"] for entry in PEOPLE)
    for user in users:
        assert set(user) >= USER_FIELDS
        role = person(user["primary_email"]["email"])["role"]
        assert user["access_level"] == (9001 if role == "admin" else 1)


@pytest.mark.parametrize("query", ["carter", "CARTER", "ma", "meridian.example", "zzz-nobody"])
def test_list_users_filters_by_name_or_email_ignoring_case(robin, query):
    users = listed(robin, f"/organizations/1/users?query={query}")

    needle = query.lower()
    expected = [entry["email"] for entry in PEOPLE if needle in entry["name"].lower() or needle in entry["email"].lower()]
    assert sorted(user["primary_email"]["email"] for user in users) == sorted(expected)


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_list_users_query_treats_wildcards_literally(robin, wildcard):
    users = listed(robin, f"/organizations/1/users?query={wildcard.replace('%', '%25')}")

    assert users == []


@pytest.mark.parametrize("query", ["york", "YORK", "", "zzz-nowhere"])
def test_list_locations_filters_by_part_of_the_name(robin, query):
    locations = listed(robin, f"/organizations/{ORGANIZATION['slug']}/locations?query={query}")

    expected = [building_id for building_id, building in BUILDINGS.items() if query.lower() in building["name"].lower()]
    assert ids(locations) == sorted(expected)


@pytest.mark.parametrize("form", ["ids={a},{b}", "ids[]={a}&ids[]={b}", "ids={a}&ids={b}", "ids={a}%2c{b}"])
def test_list_users_filters_by_ids(robin, form):
    everyone = listed(robin, "/organizations/1/users")
    a, b = everyone[2]["id"], everyone[0]["id"]

    users = listed(robin, "/organizations/1/users?" + form.format(a=a, b=b))

    assert ids(users) == sorted([a, b])


def test_list_users_filters_by_ids_and_query_together(robin):
    everyone = listed(robin, "/organizations/1/users")
    carter = next(user for user in everyone if "carter" in user["name"].lower())
    other = next(user for user in everyone if "carter" not in user["name"].lower())

    users = listed(robin, f"/organizations/1/users?ids={carter['id']},{other['id']}&query=carter")

    assert ids(users) == [carter["id"]]


@pytest.mark.parametrize("ids_value", ["ben", "1,two", "1.5"])
def test_list_users_refuses_ids_it_cannot_read(robin, ids_value):
    response = robin.get(f"/organizations/1/users?ids={ids_value}")

    assert error_fields(response) == {"ids"}


def test_list_amenities_of_organization(robin):
    amenities = listed(robin, "/organizations/1/amenities")

    assert {amenity["name"]: amenity["id"] for amenity in amenities} == AMENITY_IDS
    assert all(amenity["account_id"] == ORGANIZATION["id"] for amenity in amenities)


# Users


def test_get_user_by_id(robin, member):
    ben = data(member.get("/me"))

    user = data(robin.get(f"/users/{ben['id']}"))

    assert set(user) >= USER_FIELDS
    assert user == ben


@pytest.mark.parametrize("email", ["ben.carter@meridian.example", "Ben.Carter@MERIDIAN.example", "BEN.CARTER@MERIDIAN.EXAMPLE"])
def test_get_user_by_email_ignores_case(robin, email):
    user = data(robin.get(f"/users/{email}"))

    assert user["primary_email"]["email"] == "ben.carter@meridian.example"
    assert user["name"] == person("ben.carter@meridian.example")["name"]
    assert user["access_level"] == 1


def test_get_user_by_slug(robin, member):
    ben = data(member.get("/me"))

    user = data(robin.get(f"/users/{ben['slug']}"))

    assert user == ben


def test_get_user_by_a_slug_of_nobody_is_404(robin):
    assert robin.get("/users/nobody-by-this-name").status_code == 404


def test_get_user_by_a_slug_of_another_organization_is_404(robin, other_organization):
    assert not any(entry["slug"] == "other-admin" for entry in listed(robin, "/organizations/1/users"))

    assert robin.get("/users/other-admin").status_code == 404


def test_get_organization_user_by_id_slug_or_email(robin, member):
    ben = data(member.get("/me"))

    for key in (ben["id"], ben["slug"], ben["primary_email"]["email"]):
        assert data(robin.get(f"/organizations/{ORGANIZATION['slug']}/users/{key}")) == ben


def test_get_organization_user_of_someone_elsewhere_is_404(robin, other_organization):
    response = robin.get(f"/organizations/1/users/{other_organization['user']}")

    assert response.status_code == 404
    assert robin.get("/organizations/1/users/999999").status_code == 404


def test_invite_a_person_to_the_organization(robin, kadence):
    response = robin.post(
        f"/organizations/{ORGANIZATION['slug']}/users", json={"email": "new.hire@meridian.example", "name": "New Hire"}
    )

    invited = data(response)
    assert invited["name"] == "New Hire"
    assert invited["is_pending"] is True
    assert invited["primary_email"] == {"email": "new.hire@meridian.example", "is_verified": False}
    assert data(robin.get("/users/new.hire@meridian.example")) == invited
    assert invited["id"] in ids(listed(robin, "/organizations/1/users"))
    assert kadence.find("/users", email="new.hire@meridian.example")["firstName"] is not None


def test_invite_several_people_answers_each(robin):
    response = robin.post(
        "/organizations/1/users", json=[{"email": "a.one@meridian.example"}, {"email": "b.two@meridian.example"}]
    )

    invited = data(response)
    assert [person["primary_email"]["email"] for person in invited] == ["a.one@meridian.example", "b.two@meridian.example"]
    assert [person["name"] for person in invited] == ["a.one", "b.two"]
    assert len({person["slug"] for person in invited}) == 2


def test_invite_someone_already_there_is_a_conflict(robin):
    before = listed(robin, "/organizations/1/users")

    response = robin.post("/organizations/1/users", json={"email": "Ben.Carter@meridian.example"})

    assert response.status_code == 409
    assert response.json()["meta"]["errors"][0]["reason"] == "already_a_member"
    assert listed(robin, "/organizations/1/users") == before


@pytest.mark.parametrize("body", [{"email": "not-an-address"}, {"name": "Nobody"}, {"email": ""}, []])
def test_invite_with_a_bad_email_names_the_field(robin, body):
    response = robin.post("/organizations/1/users", json=body)

    assert response.status_code == 400, response.text
    assert "email" in next(iter(response.json()["meta"]["more_info"]))


def test_invite_reads_a_form_body(robin):
    response = robin.post(
        "/organizations/1/users", data={"name": "Form Sent", "email": "form.sent@meridian.example", "format": "json"}
    )

    invited = data(response)
    assert (invited["name"], invited["primary_email"]["email"]) == ("Form Sent", "form.sent@meridian.example")


def test_a_member_may_not_invite(member):
    response = member.post("/organizations/1/users", json={"email": "friend@meridian.example"})

    assert response.status_code == 403


# Locations and levels


def test_get_location(robin):
    location = data(robin.get("/locations/11"))

    building = BUILDINGS[11]
    assert set(location) >= LOCATION_FIELDS
    assert (location["id"], location["name"], location["time_zone"]) == (11, building["name"], building["time_zone"])
    assert location["created_at"] == CREATED_AT


@pytest.mark.parametrize("location_id", sorted(BUILDINGS))
def test_list_levels_of_location(robin, location_id):
    levels = listed(robin, f"/locations/{location_id}/levels")

    floors = BUILDINGS[location_id]["floors"]
    assert sorted((level["id"], level["name"], level["level_number"]) for level in levels) == sorted(
        (floor["id"], floor["name"], floor["level_number"]) for floor in floors
    )
    assert all(set(level) >= LEVEL_FIELDS and level["location_id"] == location_id for level in levels)


def test_list_levels_orders_by_level_number_not_by_creation(robin, store: Store):
    with store.session(write=True) as session:
        session.add(
            Floor(
                organization_id=1,
                building_id=10,
                name="Basement",
                level_number=-1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.add(
            Floor(
                organization_id=1,
                building_id=10,
                name="Mezzanine",
                level_number=2,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        session.commit()

    levels = listed(robin, "/locations/10/levels")

    numbers = [level["level_number"] for level in levels]
    assert numbers == sorted(numbers)
    assert levels[0]["name"] == "Basement"
    assert len(levels) == len(BUILDINGS[10]["floors"]) + 2


def test_get_level(robin):
    level = data(robin.get("/levels/202"))

    floor = next(floor for floor in BUILDINGS[11]["floors"] if floor["id"] == 202)
    assert set(level) >= LEVEL_FIELDS
    assert (level["id"], level["location_id"]) == (202, 11)
    assert (level["name"], level["level_number"]) == (floor["name"], floor["level_number"])


# Spaces of a location


@pytest.mark.parametrize("location_id", sorted(BUILDINGS))
def test_list_spaces_lists_every_space_of_the_location_and_no_desk(robin, location_id):
    spaces = listed(robin, f"/locations/{location_id}/spaces")

    assert ids(spaces) == ids(spaces_at(location_id))
    for space in spaces:
        expected = SPACES[space["id"]]
        assert set(space) >= SPACE_FIELDS
        assert not INCLUDES & set(space), "submodels appear only when included"
        assert (space["location_id"], space["level_id"]) == (location_id, expected["level_id"])
        assert (space["name"], space["type"], space["capacity"]) == (expected["name"], expected["type"], expected["capacity"])
        assert space["is_disabled"] is expected.get("is_disabled", False)
        assert space["is_accessible"] is expected.get("is_accessible", False)
        assert space["is_dibsed"] is False


def test_list_spaces_pages_through_the_location(robin):
    expected = ids(spaces_at(10))
    first = robin.get("/locations/10/spaces?per_page=10")
    second = robin.get("/locations/10/spaces?per_page=10&page=2")

    assert first.status_code == 200
    assert second.status_code == 200
    assert first.json()["paging"]["has_next_page"] is (len(expected) > 10)
    assert second.json()["paging"]["has_next_page"] is False
    assert sorted(space["id"] for space in first.json()["data"] + second.json()["data"]) == expected


@pytest.mark.parametrize("query", ["room", "ROOM", "Phone Booth", "zzz"])
def test_list_spaces_filters_by_name_query_ignoring_case(robin, query):
    spaces = listed(robin, f"/locations/10/spaces?query={query}")

    assert ids(spaces) == ids([space for space in spaces_at(10) if query.lower() in space["name"].lower()])


@pytest.mark.parametrize(
    "types", ["type[]=meeting&type[]=call", "type=meeting&type=call", "type[0]=meeting&type[1]=call,meeting"]
)
def test_list_spaces_reads_a_type_list_in_any_form(robin, types):
    expected = listed(robin, "/locations/10/spaces?type=meeting,call")

    spaces = listed(robin, f"/locations/10/spaces?{types}")

    assert ids(spaces) == ids(expected)
    assert {space["type"] for space in spaces} == {"meeting", "call"}


@pytest.mark.parametrize("includes", ["include[]=calendar&include[]=space_amenities", "include=calendar&include=space_amenities"])
def test_space_reads_an_include_list_in_any_form(robin, includes):
    expected = data(robin.get("/spaces/48?include=calendar,space_amenities"))

    space = data(robin.get(f"/spaces/48?{includes}"))

    assert space == expected
    assert {"calendar", "space_amenities"} <= set(space)


@pytest.mark.parametrize("types", ["call", "call,meeting", "conference,study_room,lactation"])
def test_list_spaces_filters_by_type_list(robin, types):
    spaces = listed(robin, f"/locations/10/spaces?type={types}")

    wanted = set(types.split(","))
    expected = [space for space in spaces_at(10) if space["type"] in wanted]
    assert expected, "the demo has spaces of these types"
    assert ids(spaces) == ids(expected)


def test_list_spaces_filters_by_level(robin):
    spaces = listed(robin, "/locations/10/spaces?level_id=102")

    expected = [space for space in spaces_at(10) if space["level_id"] == 102]
    assert expected
    assert ids(spaces) == ids(expected)


def test_list_spaces_with_a_level_of_another_location_is_empty(robin):
    spaces = listed(robin, "/locations/10/spaces?level_id=201")

    assert spaces == []


@pytest.mark.parametrize(
    ("bounds", "keep"),
    [
        ("min_capacity=10", lambda capacity: capacity >= 10),
        ("max_capacity=2", lambda capacity: capacity <= 2),
        ("min_capacity=4&max_capacity=8", lambda capacity: 4 <= capacity <= 8),
        ("min_capacity=6&max_capacity=6", lambda capacity: capacity == 6),
    ],
)
def test_list_spaces_filters_by_capacity(robin, bounds, keep):
    spaces = listed(robin, f"/locations/10/spaces?{bounds}")

    expected = [space for space in spaces_at(10) if keep(space["capacity"])]
    assert expected
    assert ids(spaces) == ids(expected)


def test_list_spaces_combines_filters(robin):
    spaces = listed(robin, "/locations/10/spaces?type=conference,meeting&min_capacity=8&level_id=101")

    expected = [
        space
        for space in spaces_at(10)
        if space["type"] in ("conference", "meeting") and space["capacity"] >= 8 and space["level_id"] == 101
    ]
    assert expected
    assert ids(spaces) == ids(expected)


def test_list_spaces_refuses_min_capacity_above_max_capacity(robin):
    response = robin.get("/locations/10/spaces?min_capacity=8&max_capacity=4")

    assert error_fields(response) & {"min_capacity", "max_capacity"}


def test_list_spaces_includes_calendar_and_amenities(robin):
    spaces = listed(robin, "/locations/10/spaces?include=calendar,space_amenities,amenities")

    assert ids(spaces) == ids(spaces_at(10))
    for space in spaces:
        expected = SPACES[space["id"]]
        assert INCLUDES & set(space) == {"calendar", "space_amenities", "amenities"}
        if expected.get("is_reservable", True):
            assert set(space["calendar"]) == CALENDAR_FIELDS
            assert space["calendar"]["space_id"] == space["id"]
        assert {link["name"]: link["quantity"] for link in space["space_amenities"]} == amenity_counts(expected)
        assert all(link["space_id"] == space["id"] for link in space["space_amenities"])
        assert all(link["amenity_id"] == AMENITY_IDS[link["name"]] for link in space["space_amenities"])
        assert {amenity["name"] for amenity in space["amenities"]} == set(amenity_counts(expected))


def test_list_spaces_includes_only_what_is_asked(robin):
    spaces = listed(robin, "/locations/10/spaces?include=space_amenities")

    assert all("space_amenities" in space and "calendar" not in space and "amenities" not in space for space in spaces)


# One space


def test_get_space(robin):
    space = data(robin.get("/spaces/48"))

    expected = SPACES[48]
    assert set(space) >= SPACE_FIELDS
    assert not INCLUDES & set(space)
    assert (space["id"], space["location_id"], space["level_id"]) == (48, expected["location_id"], expected["level_id"])
    assert (space["name"], space["type"], space["capacity"]) == (expected["name"], expected["type"], expected["capacity"])
    assert space["description"] == expected["description"]
    assert space["is_accessible"] is True
    assert space["behaviors"] == ["scheduling"]
    assert space["created_at"] == CREATED_AT


def test_space_that_cannot_be_reserved_has_no_behavior(robin):
    lobby = next(space for space in spaces_at(10) if space.get("is_reservable") is False and not space.get("zones"))

    space = data(robin.get(f"/spaces/{lobby['id']}"))

    assert space["behaviors"] == []


def test_get_space_with_every_include(robin):
    space = data(robin.get("/spaces/48?include=calendar,space_amenities,amenities"))

    assert set(space["calendar"]) == CALENDAR_FIELDS
    assert space["calendar"]["space_id"] == 48
    assert space["calendar"]["calendar_id"]
    assert "@" in space["calendar"]["space_resource_email"]
    links = space["space_amenities"]
    assert {link["name"]: link["quantity"] for link in links} == amenity_counts(SPACES[48])
    assert {link["amenity_id"] for link in links} == {AMENITY_IDS[name] for name in amenity_counts(SPACES[48])}
    assert {amenity["id"] for amenity in space["amenities"]} == {AMENITY_IDS[name] for name in amenity_counts(SPACES[48])}


@pytest.mark.parametrize("include", sorted(INCLUDES))
def test_get_space_with_one_include_adds_only_that_submodel(robin, include):
    space = data(robin.get(f"/spaces/48?include={include}"))

    assert INCLUDES & set(space) == {include}


def test_get_space_does_not_answer_for_a_desk(robin):
    desk_id = SPACES[58]["zones"][0]["desks"][0]["id"]

    response = robin.get(f"/spaces/{desk_id}")

    assert response.status_code == 404


def test_list_space_amenities(robin):
    response = robin.get("/spaces/48/amenities")

    assert response.status_code == 200
    links = response.json()["data"]
    assert {link["name"]: link["quantity"] for link in links} == amenity_counts(SPACES[48])
    assert all(link["space_id"] == 48 and link["amenity_id"] == AMENITY_IDS[link["name"]] for link in links)


def test_list_space_amenities_of_a_bare_space_is_empty(robin):
    bare = next(space for space in spaces_at(10) if not space.get("amenities"))

    response = robin.get(f"/spaces/{bare['id']}/amenities")

    assert response.status_code == 200
    assert response.json()["data"] == []


def test_get_space_ignores_include_names_it_does_not_know(robin):
    response = robin.get("/spaces/48?include=calendar,colour,,Calendar")

    space = data(response)
    assert INCLUDES & set(space) == {"calendar"}
    assert set(space) == SPACE_FIELDS | {"calendar"}


# Behaviors


def holds_desks(space: dict[str, Any]) -> bool:
    return any(zone.get("desks") for zone in space.get("zones", []))


@pytest.mark.parametrize("location_id", sorted(BUILDINGS))
def test_behaviors_say_which_spaces_take_events_and_which_hold_desks(robin, location_id):
    spaces = listed(robin, f"/locations/{location_id}/spaces")

    for space in spaces:
        expected = SPACES[space["id"]]
        wanted = (["scheduling"] if expected.get("is_reservable", True) else []) + (["seats"] if holds_desks(expected) else [])
        assert space["behaviors"] == wanted, space["name"]
    assert {"scheduling"} in [set(space["behaviors"]) for space in spaces]
    assert {"seats"} in [set(space["behaviors"]) for space in spaces]


@pytest.mark.parametrize("space_id", [58, 77])
def test_a_desk_area_has_the_seats_behavior(robin, space_id):
    space = data(robin.get(f"/spaces/{space_id}"))

    assert space["behaviors"] == ["seats"]


def test_a_reservable_space_that_holds_desks_has_both_behaviors(robin, store: Store):
    with store.session(write=True) as session:
        session.exec(update(Resource).where(col(Resource.id) == 58).values(is_reservable=True))
        session.commit()

    space = data(robin.get("/spaces/58"))

    assert space["behaviors"] == ["scheduling", "seats"]


def test_a_disabled_space_keeps_its_behaviors(robin):
    assert data(robin.patch("/spaces/49", json={"is_disabled": True}))["behaviors"] == ["scheduling"]
    assert data(robin.get("/spaces/49"))["behaviors"] == ["scheduling"]


def test_the_space_a_seat_includes_has_the_seats_behavior(robin):
    desk_id = SPACES[58]["zones"][0]["desks"][0]["id"]

    seat = data(robin.get(f"/seats/{desk_id}?include=space"))

    assert seat["space"]["id"] == 58
    assert seat["space"]["behaviors"] == ["seats"]


# A space's calendar


def test_get_space_calendar(robin):
    calendar = data(robin.get("/spaces/48/calendar"))

    assert set(calendar) == CALENDAR_FIELDS
    assert (calendar["space_id"], calendar["remote_type"]) == (48, "google")
    assert calendar["calendar_id"] == calendar["space_resource_email"]
    assert "@" in calendar["space_resource_email"]
    assert (calendar["subscriber_id"], calendar["subscriber_expires_at"]) == (None, None)
    assert calendar["created_at"] == CREATED_AT


def test_space_calendar_is_the_one_a_space_includes(robin):
    calendar = data(robin.get("/spaces/71/calendar"))

    assert data(robin.get("/spaces/71?include=calendar"))["calendar"] == calendar
    assert calendar["space_id"] == 71


def test_space_calendar_is_readable_by_a_member(member):
    assert data(member.get("/spaces/48/calendar"))["space_id"] == 48


def test_space_without_a_calendar_answers_404(robin):
    lobby = next(space for space in spaces_at(10) if space.get("is_reservable") is False)
    assert data(robin.get(f"/spaces/{lobby['id']}?include=calendar"))["calendar"] is None

    response = robin.get(f"/spaces/{lobby['id']}/calendar")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"
    assert response.json()["data"] == {}


@pytest.mark.parametrize("space_id", ["999999", str(SPACES[58]["zones"][0]["desks"][0]["id"]), "4a"])
def test_calendar_of_no_space_is_404(robin, space_id):
    assert robin.get(f"/spaces/{space_id}/calendar").status_code == 404


def test_calendar_of_another_organizations_space_is_403(robin, other_organization):
    assert robin.get(f"/spaces/{other_organization['space']}/calendar").status_code == 403


# A space with its state and location


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def book(robin: Any, space_id: int, start: datetime, minutes: int) -> None:
    response = robin.post(
        f"/spaces/{space_id}/events",
        json={
            "title": "Included state",
            "start": {"date_time": stamp(start), "time_zone": "UTC"},
            "end": {"date_time": stamp(start + timedelta(minutes=minutes)), "time_zone": "UTC"},
        },
    )
    assert response.status_code == 201, response.text


def test_get_space_includes_its_state(robin):
    book(robin, 49, NOW + timedelta(hours=2), 30)

    space = data(robin.get("/spaces/49?include=state"))

    assert space["state"] == data(robin.get("/spaces/49/state"))
    assert space["state"] == {
        "space_id": 49,
        "availability": "available",
        "present": 0,
        "next_busy_change": stamp(NOW + timedelta(hours=2)),
    }


def test_included_state_follows_the_clock_with_the_store_unchanged(robin, wall):
    book(robin, 49, NOW + timedelta(hours=1), 30)
    assert data(robin.get("/spaces/49?include=state"))["state"]["availability"] == "available"
    assert data(robin.get("/locations/10/spaces/49?include=state"))["state"]["availability"] == "available"

    wall.advance(minutes=50)

    assert data(robin.get("/spaces/49?include=state"))["state"]["availability"] == "booked"
    assert data(robin.get("/locations/10/spaces/49?include=state"))["state"]["availability"] == "booked"
    assert data(robin.get("/spaces/49?include=state"))["state"]["next_busy_change"] == stamp(NOW + timedelta(hours=1, minutes=30))


def test_included_state_counts_who_is_present(robin):
    assert robin.post("/spaces/50/presence", json={"user_id": 2}).status_code == 201

    state = data(robin.get("/spaces/50?include=state"))["state"]

    assert (state["availability"], state["present"]) == ("in_use", 1)


def test_included_state_of_a_disabled_space_is_disabled(robin):
    disabled = next(space for space in spaces_at(10) if space.get("is_disabled"))

    state = data(robin.get(f"/spaces/{disabled['id']}?include=state"))["state"]

    assert state == {"space_id": disabled["id"], "availability": "disabled", "present": 0, "next_busy_change": None}


def test_get_space_includes_its_location(robin):
    for space_id, location_id in ((48, 10), (71, 11)):
        space = data(robin.get(f"/spaces/{space_id}?include=location"))

        assert space["location"] == data(robin.get(f"/locations/{location_id}"))
        assert set(space["location"]) == LOCATION_FIELDS


def test_list_spaces_includes_state_and_location(robin):
    book(robin, 55, NOW + timedelta(minutes=10), 60)
    assert robin.post("/spaces/56/presence", json={"device_id": 7}).status_code == 201

    spaces = listed(robin, "/locations/10/spaces?include=state,location")

    assert ids(spaces) == ids(spaces_at(10))
    location = data(robin.get("/locations/10"))
    assert all(space["location"] == location for space in spaces)
    states = {space["id"]: space["state"] for space in spaces}
    assert all(states[space_id] == data(robin.get(f"/spaces/{space_id}/state")) for space_id in states)
    assert (states[55]["availability"], states[56]["availability"], states[56]["present"]) == ("booked", "in_use", 1)
    assert states[62]["availability"] == "disabled"


def test_list_spaces_ignores_include_names_it_does_not_know(robin):
    spaces = listed(robin, "/locations/11/spaces?include=location,occupancy")

    assert all(set(space) == SPACE_FIELDS | {"location"} for space in spaces)


# A space of a location


def test_get_space_of_its_location_answers_as_the_space_does(robin):
    assert data(robin.get("/locations/10/spaces/48")) == data(robin.get("/spaces/48"))
    assert data(robin.get("/locations/11/spaces/77")) == data(robin.get("/spaces/77"))


def test_get_space_of_its_location_takes_includes(robin):
    every = ",".join(sorted(INCLUDES))

    space = data(robin.get(f"/locations/10/spaces/48?include={every}"))

    assert space == data(robin.get(f"/spaces/48?include={every}"))
    assert set(space) >= INCLUDES


def test_get_space_of_another_location_is_404(robin):
    response = robin.get("/locations/11/spaces/48")

    assert response.status_code == 404
    assert response.json()["meta"]["message"] == "Object does not exist"


@pytest.mark.parametrize(
    "path",
    [
        "/locations/999999/spaces/48",
        "/locations/10/spaces/999999",
        f"/locations/10/spaces/{SPACES[58]['zones'][0]['desks'][0]['id']}",
        "/locations/10/spaces/forty-eight",
    ],
)
def test_get_space_of_a_location_that_names_nothing_is_404(robin, path):
    assert robin.get(path).status_code == 404


def test_get_space_of_another_organizations_location_is_403(robin, other_organization):
    response = robin.get(f"/locations/{other_organization['location']}/spaces/{other_organization['space']}")

    assert response.status_code == 403


# Changing a space


def test_update_space_changes_persist(robin):
    change = {
        "name": "Hudson Yards",
        "description": "Renovated.",
        "type": "meeting",
        "capacity": 14,
        "is_accessible": False,
        "discovery_radius": 3.5,
    }

    response = robin.patch("/spaces/48", json=change)

    updated = data(response)
    assert {key: updated[key] for key in change} == change
    reread = data(robin.get("/spaces/48"))
    assert {key: reread[key] for key in change} == change
    assert reread["created_at"] == CREATED_AT
    assert reread["updated_at"] == NOW.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_update_space_leaves_unsent_fields_alone(robin):
    before = data(robin.get("/spaces/48"))

    response = robin.patch("/spaces/48", json={"capacity": 10})

    after = data(response)
    assert after["capacity"] == 10
    assert {key: value for key, value in after.items() if key not in ("capacity", "updated_at")} == {
        key: value for key, value in before.items() if key not in ("capacity", "updated_at")
    }


def test_update_space_shows_in_the_location_list(robin):
    robin.patch("/spaces/49", json={"name": "East River Suite", "capacity": 9})

    spaces = listed(robin, "/locations/10/spaces?min_capacity=9&max_capacity=9")

    assert [(space["id"], space["name"]) for space in spaces] == [(49, "East River Suite")]


def test_update_space_disabling_makes_its_state_disabled(robin):
    response = robin.patch("/spaces/51", json={"is_disabled": True})

    assert data(response)["is_disabled"] is True
    state = data(robin.get("/spaces/51/state"))
    assert state["availability"] == "disabled"
    assert data(robin.get("/spaces/51"))["is_disabled"] is True


def test_update_space_enabling_again_makes_it_available(robin):
    robin.patch("/spaces/51", json={"is_disabled": True})

    response = robin.patch("/spaces/51", json={"is_disabled": False})

    assert data(response)["is_disabled"] is False
    assert data(robin.get("/spaces/51/state"))["availability"] == "available"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "ballroom"}, "type"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": "plenty"}, "capacity"),
        ({"capacity": 2.5}, "capacity"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"is_disabled": None}, "is_disabled"),
    ],
)
def test_update_space_refuses_invalid_fields_naming_them(robin, change, field):
    response = robin.patch("/spaces/48", json=change)

    assert error_fields(response) == {field}
    space = data(robin.get("/spaces/48"))
    expected = SPACES[48]
    assert (space["name"], space["type"], space["capacity"], space["is_disabled"]) == (
        expected["name"],
        expected["type"],
        expected["capacity"],
        False,
    )


def test_update_space_refuses_the_whole_change_when_one_field_is_invalid(robin):
    response = robin.patch("/spaces/48", json={"description": "Half applied?", "capacity": -3})

    assert error_fields(response) == {"capacity"}
    space = data(robin.get("/spaces/48"))
    assert (space["description"], space["capacity"]) == (SPACES[48]["description"], 12)


def test_update_space_reports_every_invalid_field(robin):
    response = robin.patch("/spaces/48", json={"name": " ", "type": "ballroom", "capacity": -1})

    assert error_fields(response) == {"name", "type", "capacity"}


def test_update_space_ignores_unknown_and_read_only_fields(robin):
    response = robin.patch(
        "/spaces/48",
        json={
            "name": "Hudson",
            "colour": "teal",
            "id": 999,
            "location_id": 11,
            "level_id": 201,
            "is_dibsed": True,
        },
    )

    space = data(response)
    assert "colour" not in space
    assert (space["id"], space["location_id"], space["level_id"], space["is_dibsed"]) == (48, 10, 101, False)
    assert data(robin.get("/spaces/48"))["location_id"] == 10
    assert ids(listed(robin, "/locations/11/spaces")) == ids(spaces_at(11))


# Space state


def test_space_state_of_a_free_space_is_available(robin):
    free = next(
        space
        for space in spaces_at(10)
        if not space.get("events") and space.get("is_reservable", True) and not space.get("is_disabled")
    )

    state = data(robin.get(f"/spaces/{free['id']}/state"))

    assert set(state) >= STATE_FIELDS
    assert state["availability"] == "available"
    assert state["present"] == 0
    assert state["next_busy_change"] is None


def test_space_state_of_a_free_space_names_its_next_booking(robin):
    booked_later = SPACES[48]
    first = booked_later["events"][0]
    tz = ZoneInfo(BUILDINGS[booked_later["location_id"]]["time_zone"])
    day = NOW.astimezone(tz).date() + timedelta(days=first["day"])
    starts = datetime.combine(day, time.fromisoformat(first["start"]), tz).astimezone(UTC)
    assert starts > NOW

    state = data(robin.get("/spaces/48/state"))

    assert state["availability"] == "available"
    assert state["present"] == 0
    assert state["next_busy_change"] == starts.strftime("%Y-%m-%dT%H:%M:%S+0000")


def test_space_state_of_a_disabled_space_is_disabled(robin):
    disabled = next(space for space in SPACES.values() if space.get("is_disabled"))

    state = data(robin.get(f"/spaces/{disabled['id']}/state"))

    assert state["availability"] == "disabled"
