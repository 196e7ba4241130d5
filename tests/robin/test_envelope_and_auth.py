"""Robin's wire conventions on every answer: the envelope, auth, errors, timestamps, paging."""

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sandbox.settings import FIXTURES_DIR
from tests.conftest import ADMIN_TOKEN, NOW, OTHER_TOKEN, RobinClient
from tests.inprocess import InProcessClient

pytestmark = pytest.mark.wire

DEMO_ORGANIZATION = json.loads((FIXTURES_DIR / "demo.json").read_text(encoding="utf-8"))["organizations"][0]
DEMO_EMAILS = [person["email"] for person in DEMO_ORGANIZATION["users"]]

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")
HUGE_ID = "99999999999999999999999"
META_KEYS = {"status_code", "status", "message", "more_info", "errors"}
STATUS_WORDS = {
    200: "OK",
    201: "CREATED",
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
}


def enveloped(response: Any, status: int, *, collection: bool = False) -> dict[str, Any]:
    """The body of `response`, after checking its status and Robin's envelope around it."""
    assert response.status_code == status, response.text
    document = response.json()
    assert set(document) == ({"meta", "data", "paging"} if collection else {"meta", "data"})
    meta = document["meta"]
    assert set(meta) == META_KEYS
    assert meta["status_code"] == status
    assert meta["status"] == STATUS_WORDS[status]
    assert isinstance(meta["message"], str)
    if meta["message"] == "The posted data did not pass validation":
        # Each field named in `errors`, with its messages, as the SDKs read them.
        expected: dict[str, list[str]] = {}
        for entry in meta["errors"]:
            expected.setdefault(entry["field"], []).append(entry["message"].removeprefix(f"{entry['field']}: "))
        assert meta["more_info"] == expected
        assert expected, "a validation failure names its fields"
    else:
        assert meta["more_info"] == {}
    assert isinstance(meta["errors"], list)
    if status >= 400:
        assert meta["message"], "an error explains itself in meta.message"
        assert document["data"] == {}
    else:
        assert meta["message"] == ""
        assert meta["errors"] == []
    if collection:
        assert isinstance(document["data"], list)
        assert set(document["paging"]) == {"page", "per_page", "has_next_page"}
    return document


def error_fields(document: dict[str, Any]) -> set[str]:
    return {entry["field"] for entry in document["meta"]["errors"]}


def event_in_space(robin: RobinClient, space_id: int) -> dict[str, Any]:
    """An event booked in the space during the coming week (the demo books every listed one)."""
    response = robin.get(f"/spaces/{space_id}/events")
    events = enveloped(response, 200, collection=True)["data"]
    assert events, f"the demo books space {space_id} in the coming week"
    return events[0]


def tomorrow() -> str:
    return (NOW + timedelta(days=1)).date().isoformat()


@pytest.fixture
def elsewhere(client: TestClient, other_organization: dict[str, int]) -> RobinClient:
    """The administrator of the second organization."""
    return RobinClient(client, OTHER_TOKEN)


@pytest.fixture
def lenient(app: FastAPI) -> Iterator[RobinClient]:
    """The demo administrator, seeing server failures as answers rather than exceptions."""
    with InProcessClient(app, raise_server_exceptions=False) as client:
        yield RobinClient(client, ADMIN_TOKEN)


# The envelope


def test_single_object_answer_is_wrapped_in_meta_and_data_without_paging(robin):
    response = robin.get("/me")

    document = enveloped(response, 200)
    assert document["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"


def test_collection_answer_carries_paging_with_the_default_page(robin):
    response = robin.get("/organizations/1/locations")

    document = enveloped(response, 200, collection=True)
    assert document["paging"] == {"page": 1, "per_page": 10, "has_next_page": False}
    assert len(document["data"]) == len(DEMO_ORGANIZATION["buildings"])


def test_created_answer_says_created(robin):
    day = tomorrow()

    response = robin.post(
        "/spaces/51/events",
        json={
            "title": "Envelope check",
            "start": {"date_time": f"{day}T08:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": f"{day}T08:30:00", "time_zone": "America/New_York"},
        },
    )

    document = enveloped(response, 201)
    assert document["data"]["title"] == "Envelope check"


ERROR_CASES = [
    pytest.param("robin", "GET", "/organizations/1/users?per_page=0", None, 400, id="400-invalid-paging"),
    pytest.param("anonymous", "GET", "/me", None, 401, id="401-no-token"),
    pytest.param("member", "PATCH", "/spaces/48", {"name": "Renamed"}, 403, id="403-member-changes-space"),
    pytest.param("robin", "GET", "/spaces/9999", None, 404, id="404-missing-space"),
    pytest.param("robin", "PUT", "/spaces/48", {"name": "Renamed"}, 405, id="405-put-space"),
    pytest.param("robin", "GET", "/no-such-resource", None, 404, id="404-unknown-route"),
    pytest.param("robin", "GET", "/spaces/abc", None, 404, id="404-non-numeric-id"),
    pytest.param("robin", "GET", f"/spaces/{HUGE_ID}", None, 404, id="404-huge-id"),
]


@pytest.mark.parametrize(("caller", "method", "path", "payload", "status"), ERROR_CASES)
def test_error_answer_is_wrapped_in_the_envelope(request, caller, method, path, payload, status):
    client: RobinClient = request.getfixturevalue(caller)

    response = client.request(method, path, json=payload) if payload else client.request(method, path)

    enveloped(response, status)


def test_malformed_json_body_answers_400_in_the_envelope_naming_the_body(robin):
    response = robin.patch("/spaces/48", content=b'{"name": "Hudson', headers={"Content-Type": "application/json"})

    document = enveloped(response, 400)
    assert error_fields(document) == {"body"}


def test_malformed_json_body_changes_nothing(robin):
    robin.patch("/spaces/48", content=b'{"capacity": 3,', headers={"Content-Type": "application/json"})

    response = robin.get("/spaces/48")
    assert enveloped(response, 200)["data"]["capacity"] == 12


def test_unknown_submodel_route_answers_404_object_does_not_exist(robin):
    response = robin.get("/spaces/48/no-such-submodel")

    document = enveloped(response, 404)
    assert document["meta"]["message"] == "Object does not exist"


# Authentication


def test_request_without_a_token_answers_401(anonymous):
    response = anonymous.get("/me")

    enveloped(response, 401)


def test_request_with_an_unknown_token_answers_401(client):
    response = RobinClient(client, "not-a-token-anyone-was-given").get("/me")

    enveloped(response, 401)


@pytest.mark.parametrize("header", ["Bearer x", ADMIN_TOKEN, "Access-Token", "Access-Token   ", "Bearer", "Basic x"])
def test_request_with_a_malformed_authorization_header_answers_401(client, header):
    response = client.get("/v1.0/me", headers={"Authorization": header})

    enveloped(response, 401)


@pytest.mark.parametrize("scheme", ["Access-Token", "Bearer", "bearer"])
def test_a_token_is_read_after_either_scheme(client, scheme):
    """The live API takes a bearer credential beside its own scheme (Robin's Java SDK sends one)."""
    response = client.get("/v1.0/me", headers={"Authorization": f"{scheme} {ADMIN_TOKEN}"})

    assert enveloped(response, 200)["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/organizations/1/users"),
        ("GET", "/locations/10/spaces"),
        ("GET", "/spaces/48"),
        ("GET", "/spaces/48/state"),
        ("GET", "/users/1"),
        ("GET", "/organizations/meridian"),
    ],
)
def test_every_resource_requires_a_token(anonymous, method, path):
    response = anonymous.request(method, path)

    enveloped(response, 401)


def test_change_without_a_token_answers_401_and_changes_nothing(anonymous, robin):
    response = anonymous.patch("/spaces/48", json={"name": "Hijacked"})

    enveloped(response, 401)
    assert robin.get("/spaces/48").json()["data"]["name"] == "Hudson"


# Another organization's resources

OTHER_ORGANIZATION_READS = [
    "/organizations/{organization}",
    "/organizations/elsewhere",
    "/organizations/{organization}/locations",
    "/organizations/{organization}/users",
    "/organizations/{organization}/amenities",
    "/locations/{location}",
    "/locations/{location}/levels",
    "/locations/{location}/spaces",
    "/locations/{location}/events",
    "/levels/{level}",
    "/spaces/{space}",
    "/spaces/{space}/amenities",
    "/spaces/{space}/state",
    "/spaces/{space}/events",
    "/users/{user}",
    "/users/admin@elsewhere.example",
    "/users/{user}/events",
]


@pytest.mark.parametrize("template", OTHER_ORGANIZATION_READS)
def test_reading_another_organizations_resource_answers_403(robin, other_organization, template):
    response = robin.get(template.format(**other_organization))

    enveloped(response, 403)


def test_the_other_organization_reads_its_own_resources(elsewhere, other_organization):
    response = elsewhere.get(f"/spaces/{other_organization['space']}")

    document = enveloped(response, 200)
    assert document["data"]["name"] == "Thames"


def test_changing_another_organizations_space_answers_403_and_changes_nothing(robin, elsewhere, other_organization):
    space_path = f"/spaces/{other_organization['space']}"

    response = robin.patch(space_path, json={"name": "Taken over", "capacity": 1})

    enveloped(response, 403)
    unchanged = elsewhere.get(space_path).json()["data"]
    assert (unchanged["name"], unchanged["capacity"]) == ("Thames", 6)


def test_changing_a_space_from_another_organization_answers_403(elsewhere, robin):
    response = elsewhere.patch("/spaces/48", json={"name": "Taken over"})

    enveloped(response, 403)
    assert robin.get("/spaces/48").json()["data"]["name"] == "Hudson"


def test_reading_another_organizations_event_answers_403(robin, elsewhere):
    event = event_in_space(robin, 49)

    response = elsewhere.get(f"/events/{event['id']}")

    enveloped(response, 403)


def test_changing_or_cancelling_another_organizations_event_answers_403_and_changes_nothing(robin, elsewhere):
    event = event_in_space(robin, 49)

    patched = elsewhere.patch(f"/events/{event['id']}", json={"title": "Taken over"})
    cancelled = elsewhere.delete(f"/events/{event['id']}")

    enveloped(patched, 403)
    enveloped(cancelled, 403)
    unchanged = enveloped(robin.get(f"/events/{event['id']}"), 200)["data"]
    assert (unchanged["title"], unchanged["status"]) == (event["title"], "confirmed")


def test_booking_another_organizations_space_answers_403(elsewhere):
    day = tomorrow()

    response = elsewhere.post(
        "/spaces/51/events",
        json={
            "start": {"date_time": f"{day}T08:00:00", "time_zone": "America/New_York"},
            "end": {"date_time": f"{day}T08:30:00", "time_zone": "America/New_York"},
        },
    )

    enveloped(response, 403)


def test_member_changing_a_space_answers_403_and_changes_nothing(member, robin):
    response = member.patch("/spaces/48", json={"name": "Renamed", "is_disabled": True})

    enveloped(response, 403)
    space = robin.get("/spaces/48").json()["data"]
    assert (space["name"], space["is_disabled"]) == ("Hudson", False)


def test_member_reads_spaces_it_may_not_change(member):
    response = member.get("/spaces/48")

    enveloped(response, 200)


# Missing objects


@pytest.mark.parametrize(
    "path",
    [
        "/spaces/9999",
        "/spaces/9999/state",
        "/spaces/9999/amenities",
        "/locations/9999",
        "/locations/9999/spaces",
        "/locations/9999/levels",
        "/levels/9999",
        "/organizations/9999",
        "/organizations/no-such-slug",
        "/organizations/9999/users",
        "/users/9999",
        "/users/nobody@meridian.example",
        "/events/999999",
    ],
)
def test_missing_object_answers_404_object_does_not_exist(robin, path):
    response = robin.get(path)

    document = enveloped(response, 404)
    assert document["meta"]["message"] == "Object does not exist"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/spaces/abc"),
        ("GET", "/locations/ten"),
        ("GET", "/levels/first"),
        ("GET", "/locations/ten/spaces"),
        ("PATCH", "/spaces/abc"),
        ("GET", "/spaces/-1"),
    ],
)
def test_non_numeric_path_id_answers_404(robin, method, path):
    response = robin.request(method, path, json={"name": "x"}) if method == "PATCH" else robin.request(method, path)

    document = enveloped(response, 404)
    assert document["meta"]["message"] == "Object does not exist"


@pytest.mark.parametrize("identifier", [HUGE_ID, str(2**63 - 2), str(2**31)], ids=["huge", "int64", "past-int32"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/spaces/{}"),
        ("GET", "/spaces/{}/state"),
        ("GET", "/locations/{}"),
        ("GET", "/locations/{}/spaces"),
        ("GET", "/levels/{}"),
        ("GET", "/organizations/{}"),
        ("GET", "/organizations/{}/users"),
        ("GET", "/users/{}"),
        ("GET", "/events/{}"),
        ("GET", "/zones/{}"),
        ("GET", "/seats/{}"),
        ("PATCH", "/spaces/{}"),
    ],
)
def test_huge_numeric_path_id_answers_404_not_500(lenient, method, path, identifier):
    """Ids past what PostgreSQL's `integer` holds included: no row has one, on either store."""
    path = path.format(identifier)
    response = lenient.request(method, path, json={"name": "x"}) if method == "PATCH" else lenient.request(method, path)

    document = enveloped(response, 404)
    assert document["meta"]["message"] == "Object does not exist"


@pytest.mark.parametrize("field", ["min_capacity", "max_capacity"])
def test_huge_numeric_filter_answers_400_naming_the_field_not_500(lenient, field):
    response = lenient.get(f"/locations/10/spaces?{field}={HUGE_ID}")

    document = enveloped(response, 400)
    assert error_fields(document) == {field}


# A token in the query


def test_a_token_in_the_access_token_query_parameter_is_read(anonymous):
    """A signage page that can't set headers polls with `?access_token=`."""
    response = anonymous.get(f"/spaces/48/events/upcoming?access_token={ADMIN_TOKEN}")

    document = enveloped(response, 200, collection=True)
    assert all(event["space_id"] == 48 for event in document["data"])


def test_an_unknown_token_in_the_query_is_401(anonymous):
    response = anonymous.get("/me?access_token=not-a-token")

    enveloped(response, 401)


def test_the_authorization_header_wins_over_the_query(robin):
    response = robin.get(f"/me?access_token={OTHER_TOKEN}")

    assert enveloped(response, 200)["data"]["primary_email"]["email"] == "ada.okafor@meridian.example"


# Methods


@pytest.mark.parametrize("path", ["/spaces/48", "/events/1"])
def test_put_on_a_patchable_resource_answers_405(robin, path):
    response = robin.put(path, json={"name": "Replaced"})

    document = enveloped(response, 405)
    assert "PUT" in document["meta"]["message"]


def test_405_lists_every_method_the_resource_supports_in_allow(robin):
    response = robin.put("/spaces/48", json={"name": "Replaced"})

    assert response.status_code == 405
    allowed = {method.strip() for method in response.headers["allow"].split(",")}
    assert {"GET", "PATCH"} <= allowed


@pytest.mark.parametrize("path", ["/spaces/48", "/me", "/organizations/1/locations", "/spaces/48/state"])
def test_head_answers_as_get_without_a_body(robin, path):
    got = robin.get(path)

    response = robin.request("HEAD", path)

    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == got.headers["content-type"]
    assert int(response.headers["content-length"]) == len(got.content)


def test_head_without_a_token_answers_401_without_a_body(anonymous):
    response = anonymous.request("HEAD", "/me")

    assert response.status_code == 401
    assert response.content == b""


def test_head_on_a_path_that_serves_no_get_answers_405(robin):
    response = robin.request("HEAD", "/events")

    assert response.status_code == 405
    assert response.content == b""
    assert "POST" in response.headers["allow"]


def test_put_does_not_change_the_space(robin):
    robin.put("/spaces/48", json={"name": "Replaced"})

    response = robin.get("/spaces/48")
    assert enveloped(response, 200)["data"]["name"] == "Hudson"


# Validation


def test_validation_failure_maps_each_field_to_its_messages_in_more_info(robin):
    """Robin's getting-started example: a field that can't be blank is named in `more_info`
    with its messages; the Java and .NET SDKs read it as a map of string lists."""
    response = robin.post("/spaces/48/events", json={"title": "Stand-up", "end": {"date_time": "2026-03-09T10:00:00"}})

    document = enveloped(response, 400)
    more_info = document["meta"]["more_info"]
    assert more_info == {"end.time_zone": ["can't be blank"]}
    assert all(isinstance(messages, list) and all(isinstance(m, str) for m in messages) for messages in more_info.values())


def test_a_refusal_that_is_not_about_fields_leaves_more_info_empty(robin):
    slot = {
        "start": {"date_time": "2026-03-09T10:00:00", "time_zone": "America/New_York"},
        "end": {"date_time": "2026-03-09T10:30:00", "time_zone": "America/New_York"},
    }
    assert robin.post("/spaces/48/events", json=slot).status_code == 201

    response = robin.post("/spaces/48/events", json=slot)

    assert response.status_code == 409
    assert response.json()["meta"]["more_info"] == {}


@pytest.mark.parametrize(
    ("method", "path", "payload", "fields"),
    [
        pytest.param("GET", "/organizations/1/users?per_page=abc", None, {"per_page"}, id="per_page-not-a-number"),
        pytest.param("GET", "/organizations/1/users?page=two", None, {"page"}, id="page-not-a-number"),
        pytest.param("GET", "/locations/10/spaces?min_capacity=-1", None, {"min_capacity"}, id="negative-min_capacity"),
        pytest.param("GET", "/locations/10/spaces?max_capacity=few", None, {"max_capacity"}, id="max_capacity-not-a-number"),
        pytest.param("GET", "/locations/10/spaces?level_id=top", None, {"level_id"}, id="level_id-not-a-number"),
        pytest.param("PATCH", "/spaces/48", {"capacity": "many"}, {"capacity"}, id="capacity-not-a-number"),
        pytest.param("PATCH", "/spaces/48", {"is_disabled": "perhaps"}, {"is_disabled"}, id="is_disabled-not-a-flag"),
        pytest.param("PATCH", "/spaces/48", {"type": "ballroom"}, {"type"}, id="unknown-space-type"),
        pytest.param("POST", "/spaces/48/events", {"title": "No times"}, {"start", "end"}, id="event-without-times"),
    ],
)
def test_invalid_input_answers_400_with_an_error_per_offending_field(robin, method, path, payload, fields):
    response = robin.request(method, path, json=payload) if payload else robin.request(method, path)

    document = enveloped(response, 400)
    assert error_fields(document) == fields
    for entry in document["meta"]["errors"]:
        assert entry["field"] in entry["message"]
        assert isinstance(entry["reason"], str)
        assert entry["reason"]
        assert isinstance(entry["domain"], str)
        assert entry["domain"]


def test_missing_required_field_is_reported_as_required(robin):
    response = robin.post("/spaces/48/events", json={"title": "No times"})

    document = enveloped(response, 400)
    assert {entry["reason"] for entry in document["meta"]["errors"]} == {"required"}


# Timestamps


def timestamps(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every non-null date-time value in a body: fields named *_at, date_time and next_busy_change."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            if isinstance(value, str) and (key.endswith("_at") or key in ("date_time", "next_busy_change")):
                yield here, value
            else:
                yield from timestamps(value, here)
    elif isinstance(node, list):
        for position, value in enumerate(node):
            yield from timestamps(value, f"{path}[{position}]")


@pytest.mark.parametrize(
    "path",
    [
        "/me",
        "/organizations/1",
        "/organizations/1/locations",
        "/organizations/1/users",
        "/organizations/1/amenities",
        "/locations/10",
        "/locations/10/levels",
        "/levels/101",
        "/locations/10/spaces?include=calendar,space_amenities,amenities",
        "/spaces/48/amenities",
        "/spaces/48/state",
        "/spaces/48/events",
        "/spaces/49/events",
    ],
)
def test_timestamps_use_a_numeric_offset_without_colon_or_fraction(robin, path):
    response = robin.get(path)

    assert response.status_code == 200
    found = list(timestamps(response.json()["data"]))
    assert found, f"{path} carries timestamps"
    for where, value in found:
        assert TIMESTAMP.match(value), f"{where} = {value!r}"


def test_timestamps_after_a_change_keep_the_offset_style(robin):
    response = robin.patch("/spaces/48", json={"description": "Freshly painted"})

    assert response.status_code == 200
    updated_at = response.json()["data"]["updated_at"]
    assert TIMESTAMP.match(updated_at)
    assert updated_at == NOW.strftime("%Y-%m-%dT%H:%M:%S+0000")


# Paging


def test_walking_every_page_of_users_lists_each_user_once(robin):
    seen: list[str] = []
    pages: list[dict[str, Any]] = []
    page = 1
    while True:
        response = robin.get(f"/organizations/1/users?per_page=10&page={page}")
        document = enveloped(response, 200, collection=True)
        pages.append(document["paging"])
        seen.extend(user["primary_email"]["email"] for user in document["data"])
        if not document["paging"]["has_next_page"]:
            break
        assert len(document["data"]) == 10
        page += 1
        assert page <= len(DEMO_EMAILS), "paging never ends"

    assert len(seen) == len(set(seen))
    assert sorted(seen) == sorted(DEMO_EMAILS)
    full_pages, remainder = divmod(len(DEMO_EMAILS), 10)
    assert len(pages) == full_pages + (1 if remainder else 0)
    assert [paging["page"] for paging in pages] == list(range(1, len(pages) + 1))
    assert all(paging["per_page"] == 10 for paging in pages)
    assert pages[-1]["has_next_page"] is False


def test_page_past_the_end_is_empty_without_a_next_page(robin):
    past = len(DEMO_EMAILS) // 10 + 2

    response = robin.get(f"/organizations/1/users?per_page=10&page={past}")

    document = enveloped(response, 200, collection=True)
    assert document["data"] == []
    assert document["paging"] == {"page": past, "per_page": 10, "has_next_page": False}


def test_page_exactly_filled_by_the_last_users_has_no_next_page(robin):
    everyone = len(DEMO_EMAILS)

    response = robin.get(f"/organizations/1/users?per_page={everyone}")

    document = enveloped(response, 200, collection=True)
    assert len(document["data"]) == everyone
    assert document["paging"]["has_next_page"] is False


def test_page_one_short_of_everyone_has_a_next_page(robin):
    response = robin.get(f"/organizations/1/users?per_page={len(DEMO_EMAILS) - 1}")

    document = enveloped(response, 200, collection=True)
    assert document["paging"]["has_next_page"] is True


@pytest.mark.parametrize("per_page", [300, 1000])
def test_large_pages_that_clients_send_are_accepted(robin, per_page):
    response = robin.get(f"/organizations/1/users?per_page={per_page}")

    document = enveloped(response, 200, collection=True)
    assert document["paging"]["per_page"] == per_page
    assert len(document["data"]) == len(DEMO_EMAILS)


@pytest.mark.parametrize("per_page", [1001, 2000, 1000000000])
def test_a_page_larger_than_the_largest_is_read_as_the_largest(robin, per_page):
    """A desk-booking script asks for 2000 reservations a page."""
    response = robin.get(f"/organizations/1/users?per_page={per_page}")

    document = enveloped(response, 200, collection=True)
    assert document["paging"]["per_page"] == 1000
    assert len(document["data"]) == len(DEMO_EMAILS)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("per_page=0", "per_page"),
        ("per_page=-5", "per_page"),
        ("page=0", "page"),
        ("page=-1", "page"),
    ],
)
def test_out_of_range_paging_answers_400_naming_the_field(robin, query, field):
    response = robin.get(f"/organizations/1/users?{query}")

    document = enveloped(response, 400)
    assert error_fields(document) == {field}


@pytest.mark.parametrize(
    "path", ["/locations/10/spaces", "/locations/10/levels", "/spaces/48/amenities", "/organizations/1/amenities"]
)
def test_every_collection_validates_paging(robin, path):
    response = robin.get(f"{path}?per_page=0")

    document = enveloped(response, 400)
    assert error_fields(document) == {"per_page"}
