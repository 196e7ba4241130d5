"""Kadence's wire conventions on every answer: JSON-LD items and Hydra collections, paging and
its views, content negotiation, query strings as real clients send them, and error bodies."""

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from sqlmodel import select

from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from sandbox.store.models import Organization, User
from tests.conftest import NOW, KadenceClient
from tests.inprocess import InProcessClient

pytestmark = pytest.mark.wire

DEMO = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))
ORGANIZATION = DEMO["organizations"][0]
EMAILS = [person["email"] for person in ORGANIZATION["users"]]
BUILDINGS = ORGANIZATION["buildings"]
VISITS = ORGANIZATION["visits"]
VISITOR_EMAILS = {guest["email"] for visit in VISITS for guest in visit["visitors"]}

ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
UNKNOWN_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
JSON_LD = "application/ld+json"
COLLECTION_FIELDS = {"@context", "@id", "@type", "hydra:member", "hydra:totalItems"}

# Every collection but bookings (paged, ULID-addressed) with its resource type.
RESOURCES = [
    ("buildings", "Building"),
    ("floors", "Floor"),
    ("neighborhoods", "Neighborhood"),
    ("spaces", "Space"),
    ("users", "User"),
    ("visits", "Visit"),
    ("visitors", "Visitor"),
]
COLLECTIONS = [collection for collection, _ in RESOURCES]


def hydra_error(response: Any, status: int) -> str:
    """The hydra:description of an error answered as API Platform answers it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON_LD)
    body = response.json()
    assert body["@context"] == "/v1/contexts/Error"
    assert body["@type"] == "hydra:Error"
    assert body["hydra:title"] == "An error occurred"
    assert isinstance(body["hydra:description"], str)
    assert body["hydra:description"]
    return body["hydra:description"]  # type: ignore[no-any-return]  # decoded JSON


def document(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(JSON_LD)
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def csv_rows(response: Any) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of a CSV answer."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def allowed(response: Any) -> set[str]:
    return {method.strip() for method in response.headers.get("allow", "").split(",") if method.strip()}


@pytest.fixture
def crowded_directory(store: Store) -> int:
    """480 more people in the demo organization: more than one page of 500. Returns the new total."""
    with store.session(write=True) as session:
        organization = session.exec(select(Organization).where(Organization.slug == "meridian")).one()
        session.add_all(
            [
                User(
                    organization_id=organization.id or 0,
                    email=f"temp{number:03d}@meridian.example",
                    name=f"Temp {number:03d}",
                    given_name="Temp",
                    family_name=f"{number:03d}",
                    slug=f"temp{number:03d}",
                    created_at=NOW,
                    updated_at=NOW,
                )
                for number in range(480)
            ]
        )
        session.commit()
    return len(EMAILS) + 480


@pytest.fixture
def lenient(app: FastAPI, kadence: KadenceClient) -> Iterator[KadenceClient]:
    """The demo API client, seeing server failures as answers rather than exceptions."""
    with InProcessClient(app, raise_server_exceptions=False) as client:
        lenient_client = KadenceClient(client, None)
        lenient_client.headers = kadence.headers
        yield lenient_client


# Items


@pytest.mark.parametrize(("collection", "kind"), RESOURCES)
def test_item_is_json_ld_with_context_iri_type_and_ulid(kadence, collection, kind):
    member = kadence.members(f"/{collection}")[0]

    response = kadence.get(f"/{collection}/{member['id']}")

    item = document(response)
    assert item["@context"] == f"/v1/contexts/{kind}"
    assert item["@id"] == f"/v1/public/{collection}/{member['id']}"
    assert item["@type"] == kind
    assert isinstance(item["id"], str)
    assert ULID.match(item["id"])
    assert item == {"@context": f"/v1/contexts/{kind}", **member}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_lowercase_ulid_addresses_the_same_item(kadence, collection):
    member = kadence.members(f"/{collection}")[0]

    response = kadence.get(f"/{collection}/{member['id'].lower()}")

    assert document(response)["id"] == member["id"]


def test_timestamps_are_utc_with_an_offset(kadence):
    building = kadence.members("/buildings")[0]

    assert building["createdAt"] == "2025-01-06T09:00:00+00:00"
    assert building["modifiedAt"] == "2025-01-06T09:00:00+00:00"


# Collections


@pytest.mark.parametrize(("collection", "kind"), RESOURCES)
def test_collection_of_one_page_without_query_has_no_view(kadence, collection, kind):
    response = kadence.get(f"/{collection}")

    body = document(response)
    assert set(body) == COLLECTION_FIELDS
    assert body["@context"] == f"/v1/contexts/{kind}"
    assert body["@id"] == f"/v1/public/{collection}"
    assert body["@type"] == "hydra:Collection"
    assert isinstance(body["hydra:member"], list)
    assert body["hydra:member"]
    assert body["hydra:totalItems"] == len(body["hydra:member"])
    assert {member["@type"] for member in body["hydra:member"]} == {kind}


def test_collection_counts_every_user_of_the_fixture(kadence):
    body = document(kadence.get("/users"))

    assert body["hydra:totalItems"] == len(EMAILS)
    assert [user["email"] for user in body["hydra:member"]] == EMAILS


def test_filtered_collection_of_one_page_has_a_view_with_only_id_and_type(kadence):
    body = document(kadence.get("/users?email=ada"))

    assert [user["email"] for user in body["hydra:member"]] == ["ada.okafor@meridian.example"]
    assert body["hydra:view"] == {"@id": "/v1/public/users?email=ada", "@type": "hydra:PartialCollectionView"}


def test_middle_page_view_links_first_last_previous_and_next_keeping_the_query(kadence):
    body = document(kadence.get("/users?itemsPerPage=10&email=meridian&page=2"))

    assert body["hydra:totalItems"] == len(EMAILS)
    assert [user["email"] for user in body["hydra:member"]] == EMAILS[10:20]
    assert body["hydra:view"] == {
        "@id": "/v1/public/users?itemsPerPage=10&email=meridian&page=2",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": "/v1/public/users?itemsPerPage=10&email=meridian&page=1",
        "hydra:last": "/v1/public/users?itemsPerPage=10&email=meridian&page=4",
        "hydra:previous": "/v1/public/users?itemsPerPage=10&email=meridian&page=1",
        "hydra:next": "/v1/public/users?itemsPerPage=10&email=meridian&page=3",
    }


def test_first_page_view_has_no_previous_and_last_page_view_no_next(kadence):
    first = document(kadence.get("/users?itemsPerPage=10"))["hydra:view"]
    last = document(kadence.get("/users?itemsPerPage=10&page=4"))

    assert first == {
        "@id": "/v1/public/users?itemsPerPage=10&page=1",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": "/v1/public/users?itemsPerPage=10&page=1",
        "hydra:last": "/v1/public/users?itemsPerPage=10&page=4",
        "hydra:next": "/v1/public/users?itemsPerPage=10&page=2",
    }
    assert [user["email"] for user in last["hydra:member"]] == EMAILS[30:]
    assert "hydra:next" not in last["hydra:view"]
    assert last["hydra:view"]["hydra:previous"] == "/v1/public/users?itemsPerPage=10&page=3"


def test_view_puts_page_last_and_percent_encodes_brackets_and_colons(kadence):
    body = document(kadence.get("/visits?page=2&startDateTime[after]=2026-02-01T00:00:00&itemsPerPage=1"))

    assert body["hydra:totalItems"] == len(VISITS)
    query = "startDateTime%5Bafter%5D=2026-02-01T00%3A00%3A00&itemsPerPage=1"
    assert body["hydra:view"] == {
        "@id": f"/v1/public/visits?{query}&page=2",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": f"/v1/public/visits?{query}&page=1",
        "hydra:last": f"/v1/public/visits?{query}&page={len(VISITS)}",
        "hydra:previous": f"/v1/public/visits?{query}&page=1",
        "hydra:next": f"/v1/public/visits?{query}&page=3",
    }


def test_view_percent_encodes_spaces(kadence):
    body = document(kadence.get("/buildings", params={"name": "Meridian HQ New York"}))

    assert [building["name"] for building in body["hydra:member"]] == ["Meridian HQ New York"]
    assert body["hydra:view"]["@id"] == "/v1/public/buildings?name=Meridian%20HQ%20New%20York"


def test_following_next_links_walks_every_member_once(kadence):
    seen: list[str] = []
    link: str | None = "/v1/public/users?itemsPerPage=7"
    while link is not None:
        body = document(kadence.client.get(link, headers=kadence.headers))
        seen += [user["email"] for user in body["hydra:member"]]
        link = body["hydra:view"].get("hydra:next")

    assert seen == EMAILS


# Paging limits


def test_items_per_page_defaults_to_50(kadence, crowded_directory):
    body = document(kadence.get("/users"))

    assert body["hydra:totalItems"] == crowded_directory
    assert len(body["hydra:member"]) == 50
    assert [user["email"] for user in body["hydra:member"]][: len(EMAILS)] == EMAILS
    assert body["hydra:view"]["hydra:last"] == f"/v1/public/users?page={-(-crowded_directory // 50)}"


@pytest.mark.parametrize("asked", [500, 501, 600, 100000])
def test_items_per_page_above_500_is_read_as_500(kadence, crowded_directory, asked):
    body = document(kadence.get(f"/users?itemsPerPage={asked}"))

    assert body["hydra:totalItems"] == crowded_directory
    assert len(body["hydra:member"]) == 500
    assert body["hydra:view"]["hydra:last"] == f"/v1/public/users?itemsPerPage={asked}&page=2"
    second = document(kadence.get(f"/users?itemsPerPage={asked}&page=2"))
    assert len(second["hydra:member"]) == crowded_directory - 500


@pytest.mark.parametrize(
    "query",
    [
        "itemsPerPage=0",
        "itemsPerPage=-1",
        "itemsPerPage=ten",
        "itemsPerPage=",
        "page=0",
        "page=-3",
        "page=two",
        "page=",
    ],
)
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_bad_page_numbers_are_400(kadence, collection, query):
    response = kadence.get(f"/{collection}?{query}")

    hydra_error(response, 400)


@pytest.mark.parametrize("query", ["page=%00", "buildingId=a%00b", "not-a-filter=%00", "%00=1"])
@pytest.mark.parametrize("path", ["/buildings", "/bookings", "/bookable-days", "/bookable-days/anything"])
def test_a_nul_character_in_the_query_is_a_malformed_request_400(kadence, path, query):
    response = kadence.get(f"{path}?{query}")

    assert hydra_error(response, 400).endswith("must not contain a NUL character")


def test_a_nul_character_in_the_query_of_a_context_is_a_malformed_request_400(client):
    response = client.get("/v1/contexts/Booking?name=%00")

    assert hydra_error(response, 400).endswith("must not contain a NUL character")


def test_a_page_past_the_last_is_empty(kadence):
    body = document(kadence.get("/buildings?page=3&itemsPerPage=1"))

    assert body["hydra:member"] == []
    assert body["hydra:totalItems"] == len(BUILDINGS)


# Content negotiation


@pytest.mark.parametrize("accept", [None, "application/json, text/plain, */*", JSON_LD, "*/*"])
@pytest.mark.parametrize("path", ["/buildings", "/users?email=ada"])
def test_json_clients_get_json_ld(kadence, accept, path):
    headers = {} if accept is None else {"Accept": accept}

    response = kadence.get(path, headers=headers)

    body = document(response)
    assert body["@type"] == "hydra:Collection"
    assert body == document(kadence.get(path, headers={"Accept": JSON_LD}))


def test_csv_clients_get_a_header_and_one_row_per_member(kadence):
    header, rows = csv_rows(kadence.get("/buildings", headers={"Accept": "text/csv"}))

    assert header[:2] == ["id", "name"]
    assert {"city", "countryCode", "addressLine1", "addressLine2", "timeZone", "latitude"} <= set(header)
    assert [row["name"] for row in rows] == [building["name"] for building in BUILDINGS]
    for row, building in zip(rows, BUILDINGS, strict=True):
        assert row["city"] == building["city"]
        assert row["countryCode"] == building["country_code"]
        assert row["addressLine1"] == building["address_line1"]
        assert row["addressLine2"] == building.get("address_line2", "")
        assert row["timeZone"] == building["time_zone"]
        assert float(row["latitude"]) == building["latitude"]


def test_csv_of_an_item_is_one_row(kadence):
    building = kadence.find("/buildings", name="Meridian Bengaluru")

    header, rows = csv_rows(kadence.get(f"/buildings/{building['id']}", headers={"Accept": "text/csv"}))

    assert "name" in header
    assert len(rows) == 1
    assert (rows[0]["id"], rows[0]["name"], rows[0]["county"]) == (building["id"], "Meridian Bengaluru", "Bengaluru Urban")


def test_csv_flattens_nested_objects_to_dotted_columns(kadence):
    floor = kadence.find("/floors", name="Floor 2")

    header, rows = csv_rows(kadence.get("/spaces", params={"floorId": floor["id"]}, headers={"Accept": "text/csv"}))

    assert {"floor.id", "floor.name", "neighborhood.name"} <= set(header)
    desks = {row["name"]: row for row in rows if row["type"] == "desk"}
    assert desks["A-01"]["floor.id"] == floor["id"]
    assert desks["A-01"]["floor.name"] == "Floor 2"
    assert desks["A-01"]["neighborhood.name"] == "Pod A"
    assert desks["B-01"]["neighborhood.name"] == "Pod B"


def test_csv_flattens_lists_of_objects_without_python_reprs(kadence):
    header, rows = csv_rows(kadence.get("/visits", headers={"Accept": "text/csv"}))

    assert len(rows) == len(VISITS)
    email_columns = [column for column in header if re.fullmatch(r"visitors\.\d+\.email", column)]
    assert "visitors.0.email" in email_columns
    # The earliest visit is the one two days ago, Nadia's only guest visit there.
    assert "nadia.shah@acme-logistics.example" in {rows[0][column] for column in email_columns}
    for row in rows:
        for value in row.values():
            assert "{'" not in (value or ""), value
            assert "None" not in (value or ""), value


@pytest.mark.parametrize("accept", ["text/csv;q=0.9", "text/csv, image/png;q=0.5", "text/*"])
def test_csv_with_parameters_or_alongside_unproducible_types_is_csv(kadence, accept):
    _, rows = csv_rows(kadence.get("/buildings", headers={"Accept": accept}))

    assert [row["name"] for row in rows] == [building["name"] for building in BUILDINGS]


@pytest.mark.parametrize("accept", ["image/png", "text/html", "application/xml", "image/png, image/*"])
def test_clients_accepting_nothing_producible_get_406(kadence, accept):
    response = kadence.get("/buildings", headers={"Accept": accept})

    hydra_error(response, 406)


# Query strings as clients send them


def test_unencoded_brackets_filter_like_encoded_ones(kadence):
    plain = kadence.get("/visits?startDateTime[after]=2026-03-03T00:00:00")
    encoded = kadence.get("/visits?startDateTime%5Bafter%5D=2026-03-03T00%3A00%3A00")

    assert b"[after]" in plain.request.url.raw_path
    starts = [visit["startDate"] for visit in document(plain)["hydra:member"]]
    assert starts == ["2026-03-03T04:30:00+00:00", "2026-03-05T08:30:00+00:00"]
    assert document(encoded)["hydra:member"] == document(plain)["hydra:member"]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_a_bare_trailing_question_mark_changes_nothing(kadence, collection):
    bare = document(kadence.client.get(f"/v1/public/{collection}?", headers=kadence.headers))

    assert bare == document(kadence.get(f"/{collection}"))
    assert "hydra:view" not in bare


def test_unknown_query_parameters_and_orders_are_ignored(kadence):
    body = document(kadence.get("/buildings?colour=blue&order[nonsense]=desc&order[name]=sideways&foo[bar]=1"))

    assert [building["name"] for building in body["hydra:member"]] == [building["name"] for building in BUILDINGS]
    assert body["hydra:totalItems"] == len(BUILDINGS)


# Errors


@pytest.mark.parametrize("path", ["/nope", "/buildings/nope/floors", "/contexts/Building", "/bookings-and-more"])
def test_unknown_routes_under_the_api_are_404_hydra_errors(kadence, path):
    response = kadence.get(path)

    assert hydra_error(response, 404) == "Not Found"


@pytest.mark.parametrize("identifier", [UNKNOWN_ULID, "nope", "0" * 26, "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "1" * 300])
@pytest.mark.parametrize("collection", COLLECTIONS)
def test_unknown_items_are_404_hydra_errors(kadence, collection, identifier):
    response = kadence.get(f"/{collection}/{identifier}")

    assert hydra_error(response, 404) == "Not Found"


@pytest.mark.parametrize(
    ("method", "path", "methods"),
    [
        ("DELETE", "/buildings/{building}", {"GET"}),
        ("PUT", "/buildings/{building}", {"GET"}),
        ("POST", "/buildings", {"GET"}),
        ("DELETE", "/users/{user}", {"GET", "PATCH"}),
        ("PUT", "/users/{user}", {"GET", "PATCH"}),
        ("GET", "/users/{user}/photo", {"POST"}),
        ("POST", "/visits", {"GET"}),
        ("PATCH", "/spaces/{space}", {"GET"}),
    ],
)
def test_wrong_methods_are_405_with_allow(kadence, method, path, methods):
    ids = {
        "building": kadence.members("/buildings")[0]["id"],
        "user": kadence.members("/users")[0]["id"],
        "space": kadence.members("/spaces")[0]["id"],
    }

    response = kadence.request(method, path.format(**ids))

    description = hydra_error(response, 405)
    assert allowed(response) == methods
    assert method in description


@pytest.mark.parametrize("collection", ["buildings", "spaces", "users"])
def test_head_answers_as_get_without_a_body(kadence, collection):
    identifier = kadence.members(f"/{collection}")[0]["id"]
    got = kadence.get(f"/{collection}/{identifier}")

    response = kadence.request("HEAD", f"/{collection}/{identifier}")

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == got.headers["content-type"]
    assert int(response.headers["content-length"]) == len(got.content)


@pytest.mark.parametrize(
    "path",
    [
        "/bookable-onsite-passes?buildingId={building}&startDateTime=9999-12-31T10:00:00&endDateTime=9999-12-31T11:00:00",
        "/bookable-spaces?floorId={floor}&userId={user}&startDateTime=9999-12-31T10:00:00&endDateTime=9999-12-31T11:00:00",
        "/bookable-onsite-passes?buildingId={building}&startDateTime=0001-01-01T00:00:00&endDateTime=0001-01-01T01:00:00",
    ],
)
def test_dates_the_sandbox_cannot_place_in_a_building_are_400_not_500(lenient, kadence, path):
    ids = {
        "building": kadence.find("/buildings", name="Meridian HQ New York")["id"],
        "floor": kadence.find("/floors", name="Floor 2")["id"],
        "user": kadence.find("/users", email="ben.carter@meridian.example")["id"],
    }

    response = lenient.get(path.format(**ids))

    hydra_error(response, 400)


@pytest.mark.parametrize(
    "query",
    [
        "startDateTime[after]=garbage",
        "startDateTime[local_after]=2026-13-01T00:00:00",
        "endDateTime[before]=2026-02-32T00:00:00",
        "endDateTime[strictly_before]=",
    ],
)
@pytest.mark.parametrize(("collection", "total"), [("visits", len(VISITS)), ("visitors", len(VISITOR_EMAILS))])
def test_date_filters_php_cannot_read_are_left_out(lenient, collection, total, query):
    response = lenient.get(f"/{collection}?{query}")

    assert document(response)["hydra:totalItems"] == total


@pytest.mark.parametrize("query", ["startDate=2026-3-1", "endDate=today", "startDate=2026-02-30"])
@pytest.mark.parametrize("collection", ["visits", "visitors"])
def test_malformed_deprecated_day_filters_are_400(kadence, collection, query):
    response = kadence.get(f"/{collection}?{query}")

    hydra_error(response, 400)


@pytest.mark.parametrize(
    ("query", "everything"),
    [
        ("startDateTime[after]=0001-01-01T00:00:00", True),
        ("endDateTime[local_before]=9999-12-31T23:59:59", True),
        ("startDate=9999-12-31", False),
        ("endDate=0001-01-01", False),
    ],
)
@pytest.mark.parametrize(("collection", "total"), [("visits", len(VISITS)), ("visitors", len(VISITOR_EMAILS))])
def test_extreme_date_filters_are_answered_not_failed(lenient, collection, total, query, everything):
    response = lenient.get(f"/{collection}?{query}")

    assert document(response)["hydra:totalItems"] == (total if everything else 0)


@pytest.mark.parametrize(
    ("accept", "csv_wanted"),
    [
        ("text/csv;q=1, application/ld+json;q=0.5", True),
        ("application/ld+json;q=0.9, text/csv;q=0.8", False),
        ("text/csv, application/json", True),
        ("text/*;q=0.7, */*;q=0.1", True),
        ("text/csv;q=0.4, */*;q=0.5", False),
    ],
)
def test_accept_quality_values_choose_between_json_ld_and_csv(kadence, accept, csv_wanted):
    response = kadence.get("/buildings", headers={"Accept": accept})

    assert response.status_code == 200
    if csv_wanted:
        _, rows = csv_rows(response)
        assert [row["name"] for row in rows] == ["Meridian HQ New York", "Meridian Bengaluru"]
    else:
        assert [member["name"] for member in document(response)["hydra:member"]] == ["Meridian HQ New York", "Meridian Bengaluru"]
