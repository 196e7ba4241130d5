"""The wire as API Platform 3 answers it where the vendor document is silent: the media types of
request bodies, Accept negotiation, CSV as Symfony's encoder writes it, the headers of every
answer, the paginator's reading of its parameters, trailing slashes and HEAD.

NOW is Monday 2 March 2026, 14:00 UTC (09:00 in New York)."""

import csv
import io
import json
from typing import Any

import pytest

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.settings import Settings
from tests.conftest import TEST_BASE, KadenceClient
from tests.inprocess import InProcessClient
from tests.kadence.lookups import space_id, user_id

pytestmark = pytest.mark.wire

BEN = "ben.carter@meridian.example"
JSON_LD = "application/ld+json"
POST_FORMATS = 'Supported MIME types are "application/ld+json", "application/json".'
PATCH_FORMATS = 'Supported MIME types are "application/merge-patch+json".'
NO_CONTENT_TYPE = 'The "Content-Type" header must exist.'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def hydra_error(response: Any, status: int) -> str:
    """The hydra:description of an error answered as API Platform answers it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON_LD)
    body = response.json()
    assert (body["@context"], body["@type"], body["hydra:title"]) == ("/v1/contexts/Error", "hydra:Error", "An error occurred")
    return str(body["hydra:description"])


def desk_booking(kadence: KadenceClient, day: str = "2026-03-03") -> dict[str, Any]:
    """A booking of desk A-03 for Ben, 14:00 to 18:00 UTC on `day` (tomorrow by default)."""
    return {
        "userId": user_id(kadence, BEN),
        "spaceId": space_id(kadence, "A-03"),
        "startDateTime": f"{day}T14:00:00",
        "endDateTime": f"{day}T18:00:00",
    }


def booked(kadence: KadenceClient, day: str = "2026-03-03") -> dict[str, Any]:
    response = kadence.post("/bookings", json=desk_booking(kadence, day))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def bookings(kadence: KadenceClient) -> list[tuple[str, str]]:
    return [(booking["id"], booking["status"]) for booking in kadence.members("/bookings")]


# Media types of request bodies


def test_a_post_without_a_content_type_is_415_and_books_nothing(kadence):
    before = bookings(kadence)

    response = kadence.post("/bookings", content=json.dumps(desk_booking(kadence)))

    assert "content-type" not in response.request.headers
    assert hydra_error(response, 415) == NO_CONTENT_TYPE
    assert bookings(kadence) == before


def test_a_post_without_a_content_type_whose_body_is_not_json_is_415_too(kadence):
    response = kadence.post("/bookings", content=b"userId=someone")

    assert hydra_error(response, 415) == NO_CONTENT_TYPE


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/x-www-form-urlencoded", b"userId=someone&startDateTime=2026-03-03T14%3A00%3A00"),
        ("text/plain", b"{}"),
        ("text/plain; charset=utf-8", b"not json"),
        ("application/merge-patch+json", b"{}"),
        ("multipart/form-data; boundary=x", b"--x--\r\n"),
        ("Application/JSON", b"{}"),
    ],
)
def test_a_post_of_a_media_type_api_platform_does_not_read_is_415_naming_the_ones_it_reads(kadence, content_type, content):
    before = bookings(kadence)

    response = kadence.post("/bookings", content=content, headers={"Content-Type": content_type})

    assert hydra_error(response, 415) == f'The content-type "{content_type}" is not supported. {POST_FORMATS}'
    assert bookings(kadence) == before


def test_a_form_encoded_booking_is_415(kadence):
    response = kadence.post("/bookings", data=desk_booking(kadence))

    assert hydra_error(response, 415).startswith('The content-type "application/x-www-form-urlencoded" is not supported.')


@pytest.mark.parametrize("content_type", ["application/json", "application/ld+json", "application/json; charset=utf-8"])
def test_a_post_of_json_or_json_ld_books(kadence, content_type):
    response = kadence.post("/bookings", content=json.dumps(desk_booking(kadence)), headers={"Content-Type": content_type})

    assert response.status_code == 201, response.text
    assert response.json()["space"]["name"] == "A-03"


@pytest.mark.parametrize("action", ["cancel", "check-in", "check-out"])
def test_a_transition_posted_without_body_or_content_type_is_415_and_changes_nothing(kadence, action):
    booking = booked(kadence)

    response = kadence.post(f"/bookings/{booking['id']}/{action}")

    assert hydra_error(response, 415) == NO_CONTENT_TYPE
    assert kadence.get(f"/bookings/{booking['id']}").json()["status"] == "booked"


def test_a_cancel_posted_as_json_without_a_body_cancels(kadence):
    booking = booked(kadence)

    response = kadence.post(f"/bookings/{booking['id']}/cancel", headers={"Content-Type": "application/json"})

    assert response.status_code == 201, response.text
    assert response.json()["status"] == "cancelled"


def test_the_token_is_checked_before_the_media_type(client):
    response = client.post("/v1/public/bookings", content=b"a=b", headers={"Content-Type": "text/plain"})

    assert hydra_error(response, 401)


@pytest.mark.parametrize("content_type", ["application/json", "application/ld+json", "text/plain"])
def test_a_user_patch_reads_only_merge_patch(kadence, content_type):
    ben = kadence.find("/users", email=BEN)

    response = kadence.patch(f"/users/{ben['id']}", json={"jobTitle": "Intruder"}, headers={"Content-Type": content_type})

    assert hydra_error(response, 415) == f'The content-type "{content_type}" is not supported. {PATCH_FORMATS}'
    assert kadence.get(f"/users/{ben['id']}").json()["jobTitle"] == ben["jobTitle"]


def test_a_user_patch_without_a_content_type_is_415(kadence):
    ben = kadence.find("/users", email=BEN)

    response = kadence.patch(f"/users/{ben['id']}", content=b'{"jobTitle": "Intruder"}')

    assert hydra_error(response, 415) == NO_CONTENT_TYPE


def test_a_user_patch_of_merge_patch_changes_the_user(kadence):
    ben = kadence.find("/users", email=BEN)

    response = kadence.patch(
        f"/users/{ben['id']}", json={"jobTitle": "Staff Engineer"}, headers={"Content-Type": "application/merge-patch+json"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["jobTitle"] == "Staff Engineer"


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [
        ({"json": {"file": "iVBORw0KGgo="}}, "application/json"),
        ({"content": PNG, "headers": {"Content-Type": "image/png"}}, "image/png"),
        ({"data": {"file": "me.png"}}, "application/x-www-form-urlencoded"),
    ],
    ids=["json", "raw-image", "form-urlencoded"],
)
def test_a_photo_upload_reads_only_multipart(kadence, upload, content_type):
    ben = kadence.find("/users", email=BEN)

    response = kadence.post(f"/users/{ben['id']}/photo", **upload)

    expected = f'The content-type "{content_type}" is not supported. Supported MIME types are "multipart/form-data".'
    assert hydra_error(response, 415) == expected
    assert kadence.get(f"/users/{ben['id']}").json()["modifiedAt"] == ben["modifiedAt"]


def test_a_photo_upload_of_multipart_is_read(kadence):
    ben = kadence.find("/users", email=BEN)

    response = kadence.post(f"/users/{ben['id']}/photo", files={"file": ("me.png", PNG, "image/png")})

    assert response.status_code == 201, response.text


# Accept negotiation


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/hal+json",
        "application/vnd.api+json",
        "application/json;q=1, text/html",
        "application/ld+json; charset=utf-8",
        "text/csv; charset=utf-8",
    ],
)
def test_formats_api_platform_is_not_configured_for_are_406(kadence, accept):
    response = kadence.get("/buildings", headers={"Accept": accept})

    expected = f'Requested format "{accept}" is not supported. Supported MIME types are "application/ld+json", "text/csv".'
    assert hydra_error(response, 406) == expected


def test_a_406_comes_after_the_token_and_before_anything_changes(kadence, client):
    before = bookings(kadence)

    anonymous = client.post("/v1/public/bookings", json={}, headers={"Accept": "application/json"})
    refused = kadence.post("/bookings", json=desk_booking(kadence), headers={"Accept": "application/json"})

    assert hydra_error(anonymous, 401)
    assert hydra_error(refused, 406)
    assert bookings(kadence) == before


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json, text/plain, */*", "application/ld+json", "application/*", "application/*+json", "*"],
)
def test_json_ld_is_answered_to_wildcards_axios_and_no_accept(kadence, accept):
    response = kadence.get("/buildings", headers={} if accept is None else {"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    assert response.json()["@type"] == "hydra:Collection"


@pytest.mark.parametrize(
    ("accept", "answered"),
    [
        ("text/csv, application/json", "text/csv"),
        ("application/json, text/*", "text/csv"),
        ("text/csv;q=0.5, */*", "application/ld+json"),
        ("text/*, */*;q=0.1", "text/csv"),
        ("text/csv;q=0.2, application/ld+json;q=0.1", "text/csv"),
        ("text/csv, application/ld+json", "application/ld+json"),
        ("TEXT/CSV", "text/csv"),
        ("text/csv;q=0", "text/csv"),
        ("text/csv;q=nonsense, application/json", "text/csv"),
    ],
)
def test_the_best_quality_wins_and_json_ld_a_tie_as_api_platform_negotiates(kadence, accept, answered):
    response = kadence.get("/buildings", headers={"Accept": accept})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == answered


# CSV as Symfony's CsvEncoder writes it

CSV = {"Accept": "text/csv"}


def csv_lines(response: Any) -> list[list[str]]:
    """The lines of a CSV answer, each split into its fields."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.text)))


def csv_records(response: Any) -> list[dict[str, str]]:
    header, *rows = csv_lines(response)
    return [dict(zip(header, row, strict=True)) for row in rows]


def flattened(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON-LD node's fields as dotted keys, in order, without its JSON-LD keywords."""
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    flat: dict[str, Any] = {}
    for key, inner in pairs:
        if str(key).startswith("@"):
            continue
        if isinstance(inner, dict | list):
            flat.update(flattened(inner, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = inner
    return flat


@pytest.mark.parametrize("path", ["/buildings", "/spaces", "/bookings", "/visits", "/users"])
def test_csv_has_no_json_ld_keywords_at_any_depth(kadence, path):
    header, *_ = csv_lines(kadence.get(path, headers=CSV))

    assert header
    assert not [column for column in header if "@" in column]


def test_csv_of_a_booking_is_its_fields_flattened_in_their_order(kadence):
    booking = booked(kadence)

    header, row = csv_lines(kadence.get(f"/bookings/{booking['id']}", headers=CSV))

    expected = flattened(booking)
    assert header == list(expected)
    assert {"space.id", "space.floor.name", "space.neighborhood.name"} <= set(header)
    assert "space.floor" not in header
    assert row[header.index("space.floor.name")] == "Floor 2"


def test_csv_writes_true_as_1_false_as_0_and_null_as_nothing(kadence):
    booking = booked(kadence)
    assert (booking["recurringBooking"], booking["permanent"], booking["cancelledDate"]) == (False, False, None)

    (record,) = csv_records(kadence.get(f"/bookings/{booking['id']}", headers=CSV))

    assert (record["recurringBooking"], record["permanent"], record["cancelledDate"]) == ("0", "0", "")
    series = [member for member in kadence.members("/bookings") if member["recurringBooking"]]
    assert series
    (recurring,) = csv_records(kadence.get(f"/bookings/{series[0]['id']}", headers=CSV))
    assert recurring["recurringBooking"] == "1"


def test_csv_of_a_collection_without_members_is_an_empty_header_and_an_empty_row(kadence):
    response = kadence.get("/buildings", params={"name": "No such building"}, headers=CSV)

    assert response.status_code == 200
    assert response.text == "\n\n"


def test_csv_encloses_fields_with_spaces_as_php_does(kadence):
    response = kadence.get("/buildings", headers=CSV)

    assert response.status_code == 200
    assert ',"Meridian HQ New York",' in response.text
    assert ",America/New_York," in response.text


def test_csv_lists_every_column_of_its_members_each_after_the_one_before_it(kadence):
    members = kadence.members("/visits")

    header, *rows = csv_lines(kadence.get("/visits", headers=CSV, params={"itemsPerPage": 500}))

    columns = {column for member in members for column in flattened(member)}
    assert set(header) == columns
    # A member with more visitors than the first adds its columns after the last one it shares.
    widest = max(members, key=lambda member: len(member["visitors"]))
    last = len(widest["visitors"]) - 1
    assert header.index(f"visitors.{last}.visitCount") == header.index(f"visitors.{last}.id") + 10
    for row, member in zip(rows, members, strict=True):
        record = dict(zip(header, row, strict=True))
        for column, value in flattened(member).items():
            assert record[column] == ("" if value is None else str(value))
        assert all(record[column] == "" for column in columns - set(flattened(member)))


# Headers of every answer, and the API documentation

BASE = TEST_BASE
DOCUMENTATION_LINK = f'<{BASE}/v1/docs.jsonld>; rel="http://www.w3.org/ns/hydra/core#apiDocumentation"'


def assert_api_platform_headers(response: Any, *, vary: bool = True) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "deny"
    assert response.headers["link"] == DOCUMENTATION_LINK
    assert response.headers.get("vary") == ("Accept" if vary else None)


def test_a_created_booking_is_located_at_its_iri(kadence):
    response = kadence.post("/bookings", json=desk_booking(kadence))

    assert response.status_code == 201, response.text
    iri = response.json()["@id"]
    assert iri == f"/v1/public/bookings/{response.json()['id']}"
    assert response.headers["location"] == iri
    assert response.headers["content-location"] == iri
    assert_api_platform_headers(response)


@pytest.mark.parametrize("action", ["cancel", "check-in"])
def test_a_transition_answers_the_booking_located_at_its_iri(kadence, action):
    booking = booked(kadence, day="2026-03-02")
    body = {"userId": user_id(kadence, BEN)} if action == "check-in" else {}

    response = kadence.post(f"/bookings/{booking['id']}/{action}", json=body)

    assert response.status_code == 201, response.text
    assert response.headers["location"] == response.headers["content-location"] == booking["@id"]


@pytest.mark.parametrize("collection", ["buildings", "floors", "spaces", "users", "visits"])
def test_an_item_answer_names_its_iri_in_content_location_and_a_collection_none(kadence, collection):
    listed = kadence.get(f"/{collection}")
    member = listed.json()["hydra:member"][0]

    response = kadence.get(f"/{collection}/{member['id']}")

    assert response.headers["content-location"] == member["@id"]
    assert "location" not in response.headers
    assert "content-location" not in listed.headers
    assert_api_platform_headers(response)
    assert_api_platform_headers(listed)


def test_csv_answers_carry_the_same_headers(kadence):
    building = kadence.members("/buildings")[0]

    response = kadence.get(f"/buildings/{building['id']}", headers=CSV)

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-location"] == building["@id"]
    assert_api_platform_headers(response)


@pytest.mark.parametrize(
    ("send", "status"),
    [
        (lambda kadence, client: kadence.get("/buildings/01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404),
        (lambda kadence, client: client.get("/v1/public/buildings"), 401),
        (lambda kadence, client: kadence.get("/buildings", headers={"Accept": "application/json"}), 406),
        (lambda kadence, client: kadence.post("/bookings", json={}), 422),
        (lambda kadence, client: kadence.delete("/buildings"), 405),
    ],
)
def test_errors_carry_api_platform_headers_without_vary(kadence, client, send, status):
    response = send(kadence, client)

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(JSON_LD)
    assert_api_platform_headers(response, vary=False)
    assert "content-location" not in response.headers


def test_user_items_announce_merge_patch_and_nothing_else_does(kadence):
    ben = kadence.find("/users", email=BEN)

    read = kadence.get(f"/users/{ben['id']}")
    patched = kadence.patch(f"/users/{ben['id']}", json={}, headers={"Content-Type": "application/merge-patch+json"})
    uploaded = kadence.post(f"/users/{ben['id']}/photo", files={"file": ("me.png", PNG, "image/png")})

    for response in (read, patched, uploaded):
        assert response.status_code in (200, 201), response.text
        assert response.headers["accept-patch"] == "application/merge-patch+json"
    for path in ("/users", f"/users/{ben['id']}/bookings", "/buildings"):
        assert "accept-patch" not in kadence.get(path).headers


def test_the_api_documentation_is_served_without_a_token_as_hydra(client, kadence):
    response = client.get("/v1/docs.jsonld")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    assert_api_platform_headers(response)
    documentation = response.json()
    assert documentation["@id"] == "/v1/docs.jsonld"
    assert documentation["@type"] == "hydra:ApiDocumentation"
    assert documentation["@context"]["@vocab"] == f"{BASE}/v1/docs.jsonld#"
    classes = {described["@id"]: described for described in documentation["hydra:supportedClass"]}
    resources = ["Booking", "Building", "Floor", "Neighborhood", "Space", "BookableSpace", "BookableDay"]
    resources += ["BookableOnsitePass", "User", "Visit", "Visitor"]
    assert {f"#{name}" for name in resources} | {"#Entrypoint", "#ConstraintViolation", "#ConstraintViolationList"} == set(
        classes
    )
    booking = kadence.members("/bookings")[0]
    labels = [supported["hydra:property"]["rdfs:label"] for supported in classes["#Booking"]["hydra:supportedProperty"]]
    assert set(labels) >= {field for field in booking if not field.startswith("@")}
    assert len(labels) == len(set(labels))


def supported_properties(described: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A class's properties, by their IRI."""
    return {supported["hydra:property"]["@id"]: supported["hydra:property"] for supported in described["hydra:supportedProperty"]}


def test_the_api_documentation_describes_each_property_and_operation(client):
    classes = {described["@id"]: described for described in client.get("/v1/docs.jsonld").json()["hydra:supportedClass"]}

    properties = {
        supported["hydra:property"]["@id"]: supported["hydra:property"]
        for supported in classes["#Booking"]["hydra:supportedProperty"]
    }
    assert properties["#Booking/startDate"]["range"] == "xmls:dateTime"
    assert properties["#Booking/permanent"]["range"] == "xmls:boolean"
    assert properties["#Booking/space"]["range"] == "#Space"
    assert properties["#Booking/status"]["range"] == "xmls:string"
    user_operations = {operation["hydra:method"] for operation in classes["#User"]["hydra:supportedOperation"]}
    assert user_operations == {"GET", "PATCH"}
    entrypoint = {
        supported["hydra:property"]["@id"]: supported["hydra:property"]
        for supported in classes["#Entrypoint"]["hydra:supportedProperty"]
    }
    booking_operations = entrypoint["#Entrypoint/booking"]["hydra:supportedOperation"]
    assert sorted(operation["hydra:method"] for operation in booking_operations) == ["GET", "GET", "POST", "POST", "POST", "POST"]
    assert "#Entrypoint/bookableOnsitePass" not in entrypoint


@pytest.mark.parametrize("name", ["Booking", "User", "Visit", "Floor"])
def test_every_term_of_a_context_is_a_property_of_the_api_documentation(client, name):
    context = client.get(f"/v1/contexts/{name}").json()["@context"]
    documentation = client.get(context["@vocab"].removeprefix(BASE).rstrip("#")).json()

    described = {
        supported["hydra:property"]["@id"].removeprefix("#")
        for classified in documentation["hydra:supportedClass"]
        for supported in classified.get("hydra:supportedProperty", [])
    }
    terms = {value for key, value in context.items() if not key.startswith("@") and key != "hydra"}
    assert terms
    assert terms <= described


def test_the_api_documentation_is_offered_only_as_json_ld(client):
    response = client.get("/v1/docs.jsonld", headers={"Accept": "text/csv"})

    expected = 'Requested format "text/csv" is not supported. Supported MIME types are "application/ld+json".'
    assert hydra_error(response, 406) == expected


# Paging as API Platform's paginator reads it


def test_no_items_per_page_past_the_first_page_is_400(kadence):
    response = kadence.get("/bookings", params={"itemsPerPage": 0, "page": 2})

    assert hydra_error(response, 400) == "Page should not be greater than 1 if limit is equal to 0"


@pytest.mark.parametrize("page", ["", "abc", "0", "-1", "0.9", " x1"])
def test_a_page_php_reads_as_below_1_is_400(kadence, page):
    response = kadence.get("/users", params={"page": page})

    assert hydra_error(response, 400) == "Page should not be less than 1"


@pytest.mark.parametrize(("page", "read_as"), [("1.5", 1), ("2.9", 2), ("2abc", 2), (" 3", 3), ("3 ", 3), ("+2", 2), ("4e0", 4)])
def test_a_page_is_cast_to_an_integer_as_php_casts(kadence, page, read_as):
    response = kadence.get("/users", params={"itemsPerPage": 10, "page": page})

    assert response.status_code == 200, response.text
    expected = kadence.get("/users", params={"itemsPerPage": 10, "page": read_as}).json()["hydra:member"]
    assert response.json()["hydra:member"] == expected
    assert expected


@pytest.mark.parametrize("items_per_page", ["abc", "", "0", "0.5"])
def test_items_per_page_php_reads_as_0_lists_no_bookings_but_counts_them(kadence, items_per_page):
    total = kadence.get("/bookings").json()["hydra:totalItems"]

    response = kadence.get("/bookings", params={"itemsPerPage": items_per_page})

    assert response.status_code == 200, response.text
    assert response.json()["hydra:member"] == []
    assert response.json()["hydra:totalItems"] == total > 0


@pytest.mark.parametrize("collection", ["bookings", "users"])
def test_a_negative_page_size_is_400(kadence, collection):
    response = kadence.get(f"/{collection}", params={"itemsPerPage": -1})

    assert hydra_error(response, 400) == "Limit should not be less than 0"


def test_a_fractional_page_size_is_its_integer_part(kadence):
    response = kadence.get("/users", params={"itemsPerPage": "2.5"})

    assert response.status_code == 200, response.text
    assert len(response.json()["hydra:member"]) == 2


# Trailing slashes, as Symfony's router answers them, and the public base URL


def served_with(store: Any, wall: Any, **settings: Any) -> InProcessClient:
    """The sandbox on the test's store, built with these settings."""
    return InProcessClient(create_app(Settings(export_worker=False, **settings), store=store, clock=Clock(wall)))


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/v1/public/buildings/", "/v1/public/buildings"),
        ("/v1/public/buildings//?name=Meridian%20HQ%20New%20York", "/v1/public/buildings?name=Meridian%20HQ%20New%20York"),
        ("/v1.0/me/", "/v1.0/me"),
        ("/v1/docs.jsonld/", "/v1/docs.jsonld"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_get_with_a_trailing_slash_is_moved_for_good_to_an_absolute_url(kadence, method, path, location):
    response = kadence.client.request(method, path, headers=kadence.headers, follow_redirects=False)

    assert response.status_code == 301, response.text
    assert response.headers["location"] == f"{BASE}{location}"


def test_following_the_redirect_answers_the_collection(kadence):
    response = kadence.client.get("/v1/public/buildings/?name=Meridian%20Bengaluru", headers=kadence.headers)

    assert response.history[0].status_code == 301
    assert [building["name"] for building in response.json()["hydra:member"]] == ["Meridian Bengaluru"]


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_other_methods_with_a_trailing_slash_find_nothing(kadence, method):
    response = kadence.client.request(method, "/v1/public/bookings/", headers=kadence.headers, json={}, follow_redirects=False)

    assert hydra_error(response, 404) == "Not Found"


def test_a_path_served_only_for_another_method_is_not_redirected(kadence):
    ben = kadence.find("/users", email=BEN)

    response = kadence.get(f"/users/{ben['id']}/photo/", follow_redirects=False)

    assert hydra_error(response, 404) == "Not Found"


def test_absolute_urls_start_with_the_configured_public_url_whatever_the_host(store, wall):
    served = served_with(store, wall, allowed_hosts=["*"], public_url="https://sandbox.example:9443/")
    token = served.post(
        "/oauth2/token", data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}", "Host": "evil.example"}

    moved = served.get("/v1/public/floors/", headers=headers, follow_redirects=False)
    floors = served.get("/v1/public/floors", headers=headers)

    assert moved.status_code == 301
    assert moved.headers["location"] == "https://sandbox.example:9443/v1/public/floors"
    assert all(
        floor["floorPlanUrl"].startswith("https://sandbox.example:9443/_sandbox/floor-plans/")
        for floor in floors.json()["hydra:member"]
    )
    assert (
        floors.headers["link"]
        == '<https://sandbox.example:9443/v1/docs.jsonld>; rel="http://www.w3.org/ns/hydra/core#apiDocumentation"'
    )


@pytest.mark.parametrize(
    ("listening", "base"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"host": "0.0.0.0", "port": 9000}, "http://127.0.0.1:9000"),
        ({"host": "::"}, "http://[::1]:8000"),
        ({"host": "localhost"}, "http://localhost:8000"),
        ({"host": "10.1.2.3"}, "http://10.1.2.3:8000"),
        ({"host": "fd00::1"}, "http://[fd00::1]:8000"),
    ],
)
def test_without_a_public_url_the_base_is_where_the_server_listens(store, wall, listening, base):
    served = served_with(store, wall, allowed_hosts=["*"], **listening)

    response = served.get("/v1.0/me/", headers={"Host": "evil.example"}, follow_redirects=False)

    assert response.status_code == 301
    assert response.headers["location"] == f"{base}/v1.0/me"


def test_the_public_url_is_read_from_the_environment_and_must_be_an_http_url(monkeypatch):
    monkeypatch.setenv("SANDBOX_PUBLIC_URL", "https://sandbox.ci.example/")

    assert Settings().public_base_url() == "https://sandbox.ci.example"
    for wrong in ("sandbox.ci.example", "ftp://sandbox", "http://sandbox/?a=1"):
        with pytest.raises(ValueError, match="an http or https URL"):
            Settings(public_url=wrong)


# HEAD


@pytest.mark.parametrize("path", ["/v1/public/bookings", "/v1/public/users?email=ben", "/v1/contexts/Booking", "/v1/docs.jsonld"])
def test_head_answers_as_get_with_its_headers_and_no_body(kadence, path):
    got = kadence.client.get(path, headers=kadence.headers)

    response = kadence.client.head(path, headers=kadence.headers)

    assert response.status_code == got.status_code == 200
    assert response.content == b""
    for header in ("content-type", "content-length", "vary", "link", "x-content-type-options"):
        assert response.headers[header] == got.headers[header]
