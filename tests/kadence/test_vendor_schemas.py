"""Every Kadence operation's success body validates against Kadence's own OpenAPI 1.2.0 document.

The document is read as OpenAPI 3.1 (JSON Schema 2020-12), with three readings and no others:

- Its generator still writes OpenAPI 3.0 nullability (`nullable: true`, or `null` listed in an
  `enum`) on fields it means to be nullable; those fields accept null. A field without either
  marker does not.
- Identifiers typed as small JSON-LD objects (`Ulid.jsonld-...`, `Uuid.jsonld-...`) also accept
  the string the vendor's own examples show, and relations typed that way (`User.jsonld-...`,
  `Building.jsonld-...`) also accept the IRI of an item of the right collection, as
  reference/kadence-api.md says real clients read them.
- `format: date-time` is checked (RFC 3339), `format: email` as jsonschema checks it.
"""

import base64
import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.conftest import KadenceClient, Wall

pytestmark = pytest.mark.wire

# The safe loader in C (libyaml, in PyYAML's wheels) reads the document in a tenth of the time, for
# every worker; the Python one where PyYAML was built without it.
VENDOR_DOCUMENT = yaml.load(
    (Path(__file__).parent / "vendor" / "kadence-openapi-1.2.0.yml").read_text(encoding="utf-8"),
    Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader),
)
PREFIX = "/v1/public"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
LD_JSON = "application/ld+json"

Operation = tuple[str, str]
"""An HTTP method and a path template under /v1/public, as the vendor document names them."""
Scenario = Callable[[KadenceClient, Wall], list[Any]]
"""Requests that make an operation succeed, returning every response whose body should be checked."""

DOCUMENTED_OPERATIONS: list[Operation] = sorted(
    (method.upper(), path.removeprefix(PREFIX))
    for path, path_item in VENDOR_DOCUMENT["paths"].items()
    for method in path_item
    if method in HTTP_METHODS
)
NOT_ADDRESSABLE: set[Operation] = {("GET", "/bookable-days/{id}")}
"""Documented, but the sandbox answers 404 every time (LIMITATIONS: days are not addressable)."""

ULID_PATTERN = "[0-7][0-9A-HJKMNP-TV-Z]{25}"
STRING_FORMS = {
    "Ulid": f"^{ULID_PATTERN}$",
    "Uuid": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "User": f"^{PREFIX}/users/{ULID_PATTERN}$",
    "Building": f"^{PREFIX}/buildings/{ULID_PATTERN}$",
}
"""The string each kind of JSON-LD reference object may be sent as instead: an identifier or an IRI."""
REFERENCE_PROPERTIES = {"@context", "@id", "@type"}
"""All a generated reference object has: it stands for an identifier or a relation."""
NULLABLE_IN_SANDBOX: dict[str, set[str]] = {}
"""Properties the document types without null that the sandbox's LIMITATIONS documents as nullable,
by schema name: only these accept null beyond what the document declares. None so far: every
null LIMITATIONS mentions (photos, numPassesAvailable) the document already allows."""
DOCUMENT_URI = "urn:kadence:openapi-1.2.0"

MEMBER_INDEX = re.compile(r"^hydra:member/\d+")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
TODAY_AT_10 = "2026-03-02T15:00:00"
"""10:00 in New York on the tests' Monday: an hour after now."""
SANDBOX_STATUSES = ("booked", "checkedIn", "checkedOut", "completed", "cancelled", "noCheckIn")
"""Every booking status the sandbox produces (LIMITATIONS: `unknown` never)."""
FREE_DESK = "A-03"
"""A hoteled desk of headquarters' second floor, free all day on the tests' Monday and Tuesday."""
UNCONFIRMED_DESK = "B-03"
"""A desk free on the tests' Monday and Tuesday (hoteled on days nobody is assigned), released, like
every desk of headquarters without a window of its own, 30 minutes after its start unless checked in."""
TOMORROW = ("2026-03-03T14:00:00", "2026-03-03T22:00:00")
"""09:00 to 17:00 in New York on Tuesday 3 March."""


# --- the vendor document, read as described above --------------------------------------------


def with_declared_nulls(node: Any) -> Any:
    """A copy of `node` in which every schema marked `nullable: true`, or listing null in its
    enum, also accepts null under JSON Schema 2020-12."""
    if isinstance(node, list):
        return [with_declared_nulls(value) for value in node]
    if not isinstance(node, dict):
        return node
    schema = {key: with_declared_nulls(value) for key, value in node.items()}
    if schema.get("nullable") is True or None in (schema.get("enum") or ()):
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            schema["type"] = kinds if "null" in kinds else [*kinds, "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
    return schema


def is_reference_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and set(schema.get("properties", {})) == REFERENCE_PROPERTIES


def with_string_references(schemas: dict[str, Any]) -> dict[str, Any]:
    """`schemas` with each generated reference object accepting its string form too."""
    adapted = dict(schemas)
    for name, schema in schemas.items():
        if is_reference_object(schema):
            kind = name.split(".")[0]
            assert kind in STRING_FORMS, f"{name} is a reference object of a kind with no known string form"
            adapted[name] = {"anyOf": [schema, {"type": "string", "pattern": STRING_FORMS[kind]}]}
    return adapted


def with_sandbox_nulls(schemas: dict[str, Any], nullable: dict[str, set[str]]) -> dict[str, Any]:
    """`schemas` with the properties `nullable` names accepting null too."""
    adapted = dict(schemas)
    for name, fields in nullable.items():
        properties = dict(schemas[name]["properties"])
        for field in fields:
            properties[field] = {"anyOf": [properties[field], {"type": "null"}]}
        adapted[name] = {**schemas[name], "properties": properties}
    return adapted


def adapted_document(document: dict[str, Any]) -> dict[str, Any]:
    read = with_declared_nulls(document)
    schemas = with_sandbox_nulls(read["components"]["schemas"], NULLABLE_IN_SANDBOX)
    read["components"]["schemas"] = with_string_references(schemas)
    return read  # type: ignore[no-any-return]  # decoded JSON


REGISTRY = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(adapted_document(VENDOR_DOCUMENT)))
FORMATS = FormatChecker()


def is_date_time(value: object) -> bool:
    """RFC 3339, as `format: date-time` means; jsonschema checks it only with an optional package."""
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.fromisoformat(value)
    return True


FORMATS.checks("date-time", raises=ValueError)(is_date_time)


def pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def documented_success(operation: Operation) -> int:
    method, template = operation
    responses = VENDOR_DOCUMENT["paths"][PREFIX + template][method.lower()]["responses"]
    successes = [int(status) for status in responses if 200 <= int(status) < 300]
    assert len(successes) == 1, f"{' '.join(operation)} documents {successes}"
    return successes[0]


def response_schema(operation: Operation, status: int) -> dict[str, Any]:
    method, template = operation
    response = VENDOR_DOCUMENT["paths"][PREFIX + template][method.lower()]["responses"][str(status)]
    schema: dict[str, Any] = response["content"][LD_JSON]["schema"]
    return schema


@cache
def validator(operation: Operation, status: int) -> Draft202012Validator:
    """Validates against the document's schema for `operation`, `status` and application/ld+json."""
    method, template = operation
    location = pointer("paths", PREFIX + template, method.lower(), "responses", str(status), "content", LD_JSON, "schema")
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#/{location}"}, registry=REGISTRY, format_checker=FORMATS)


def vendor_problems(operation: Operation, status: int, body: Any) -> list[str]:
    """Every way `body` differs from the document: 'path: problem', members of a collection folded into '*'."""
    found = set()
    for problem in validator(operation, status).iter_errors(body):
        where = MEMBER_INDEX.sub("hydra:member/*", "/".join(str(part) for part in problem.absolute_path))
        found.add(f"{where}: {problem.message}")
    return sorted(found)


def is_collection(operation: Operation, status: int) -> bool:
    return "hydra:member" in response_schema(operation, status).get("properties", {})


# --- requests that succeed -------------------------------------------------------------------


def ulid_of(kadence: KadenceClient, path: str, **match: Any) -> str:
    return str(kadence.find(path, **match)["id"])


def user(kadence: KadenceClient, email: str) -> str:
    return ulid_of(kadence, "/users", email=email)


def building(kadence: KadenceClient, name: str) -> str:
    return ulid_of(kadence, "/buildings", name=name)


def space(kadence: KadenceClient, name: str) -> dict[str, Any]:
    return kadence.find("/spaces", name=name)


def book(kadence: KadenceClient, email: str, start: str, end: str, **place: Any) -> Any:
    """POST /bookings for the person with `email`; `place`: spaceId or buildingId, and a title for rooms."""
    response = kadence.post(
        "/bookings",
        json={
            "userId": user(kadence, email),
            "startDateTime": start,
            "endDateTime": end,
            **place,
        },
    )
    assert response.status_code == 201, response.text
    return response


def transition(kadence: KadenceClient, booking: str, action: str, email: str, **extra: Any) -> Any:
    response = kadence.post(f"/bookings/{booking}/{action}", json={"userId": user(kadence, email), **extra})
    assert response.status_code == 201, response.text
    return response


def bookings_in_every_state(kadence: KadenceClient, wall: Wall) -> dict[str, str]:
    """Bookings made at now, then the clock moved to 14:50 UTC: one of each status and type the
    sandbox produces, their ids keyed by the status or type each stands for."""
    desk = space(kadence, FREE_DESK)["id"]
    made = {
        "checkedIn": book(kadence, "ben.carter@meridian.example", TODAY_AT_10, "2026-03-02T18:00:00", spaceId=desk),
        "checkedOut": book(
            kadence,
            "emma.schultz@meridian.example",
            TODAY_AT_10,
            "2026-03-02T18:00:00",
            spaceId=space(kadence, "A-04")["id"],
        ),
        "noCheckIn": book(
            kadence,
            "chloe.martin@meridian.example",
            "2026-03-02T14:05:00",
            "2026-03-02T18:00:00",
            spaceId=space(kadence, UNCONFIRMED_DESK)["id"],
        ),
        "cancelled": book(
            kadence,
            "farah.haddad@meridian.example",
            TODAY_AT_10,
            "2026-03-02T18:00:00",
            spaceId=space(kadence, "A-06")["id"],
        ),
        "room": book(
            kadence,
            "ada.okafor@meridian.example",
            "2026-03-02T19:00:00",
            "2026-03-02T20:00:00",
            spaceId=space(kadence, "Focus Room")["id"],
            title="Schema check",
        ),
        "pod": book(
            kadence,
            "ada.okafor@meridian.example",
            "2026-03-02T20:00:00",
            "2026-03-02T20:30:00",
            spaceId=space(kadence, "Phone Booth 1A")["id"],
            title="Call",
        ),
        "private_office": book(
            kadence,
            "ada.okafor@meridian.example",
            "2026-03-02T21:00:00",
            "2026-03-02T22:00:00",
            spaceId=space(kadence, "Executive Office")["id"],
            title="One to one",
        ),
        "onsite": book(
            kadence,
            "ada.okafor@meridian.example",
            TODAY_AT_10,
            "2026-03-02T18:00:00",
            buildingId=building(kadence, "Meridian HQ New York"),
        ),
    }
    ids = {name: str(response.json()["id"]) for name, response in made.items()}
    transition(kadence, ids["cancelled"], "cancel", "farah.haddad@meridian.example")
    wall.advance(minutes=50)
    transition(kadence, ids["checkedIn"], "check-in", "ben.carter@meridian.example", method="doorAccess")
    transition(kadence, ids["checkedOut"], "check-in", "emma.schultz@meridian.example")
    transition(kadence, ids["checkedOut"], "check-out", "emma.schultz@meridian.example", method="wifi")
    return ids


def each_item(kadence: KadenceClient, collection: str) -> list[Any]:
    """GET every member of `collection` by itself."""
    members = kadence.members(collection)
    assert members, f"{collection} has no members to fetch"
    return [kadence.get(f"{collection}/{member['id']}") for member in members]


def list_bookings(kadence: KadenceClient, wall: Wall) -> list[Any]:
    bookings_in_every_state(kadence, wall)
    listed = kadence.get("/bookings", params={"itemsPerPage": 500})
    members = listed.json()["hydra:member"]
    assert {member["status"] for member in members} >= {*SANDBOX_STATUSES}, "not every status is checked"
    assert {member["type"] for member in members} >= {"desk", "room", "pod", "private_office", "onsite"}
    return [listed]


def create_booking(kadence: KadenceClient, wall: Wall) -> list[Any]:
    return [
        book(kadence, "ben.carter@meridian.example", TODAY_AT_10, "2026-03-02T18:00:00", spaceId=space(kadence, FREE_DESK)["id"]),
        book(
            kadence,
            "ben.carter@meridian.example",
            "2026-03-02T19:00:00",
            "2026-03-02T20:00:00",
            spaceId=space(kadence, "Queens")["id"],
            title="Planning",
        ),
        book(kadence, "ben.carter@meridian.example", *TOMORROW, buildingId=building(kadence, "Meridian HQ New York")),
    ]


def get_booking(kadence: KadenceClient, wall: Wall) -> list[Any]:
    made = bookings_in_every_state(kadence, wall)
    fixture_bookings = [booking["id"] for booking in kadence.members("/bookings")[:10]]
    return [kadence.get(f"/bookings/{booking}") for booking in [*made.values(), *fixture_bookings]]


def cancel_booking(kadence: KadenceClient, wall: Wall) -> list[Any]:
    desk = book(
        kadence, "ben.carter@meridian.example", TODAY_AT_10, "2026-03-02T18:00:00", spaceId=space(kadence, FREE_DESK)["id"]
    )
    onsite = book(kadence, "ben.carter@meridian.example", *TOMORROW, buildingId=building(kadence, "Meridian HQ New York"))
    return [
        kadence.post(f"/bookings/{desk.json()['id']}/cancel", json={"userId": user(kadence, "ben.carter@meridian.example")}),
        kadence.post(f"/bookings/{onsite.json()['id']}/cancel", json={}),
    ]


def check_in(kadence: KadenceClient, wall: Wall) -> list[Any]:
    booked = book(
        kadence, "ben.carter@meridian.example", TODAY_AT_10, "2026-03-02T18:00:00", spaceId=space(kadence, FREE_DESK)["id"]
    )
    wall.advance(minutes=50)
    return [
        kadence.post(
            f"/bookings/{booked.json()['id']}/check-in",
            json={"userId": user(kadence, "ben.carter@meridian.example"), "method": "geofence"},
        )
    ]


def check_out(kadence: KadenceClient, wall: Wall) -> list[Any]:
    booked = book(
        kadence, "ben.carter@meridian.example", TODAY_AT_10, "2026-03-02T18:00:00", spaceId=space(kadence, FREE_DESK)["id"]
    )
    wall.advance(minutes=50)
    transition(kadence, booked.json()["id"], "check-in", "ben.carter@meridian.example")
    wall.advance(minutes=5)
    return [
        kadence.post(
            f"/bookings/{booked.json()['id']}/check-out",
            json={"userId": user(kadence, "ben.carter@meridian.example"), "method": "sensor"},
        )
    ]


def list_user_bookings(kadence: KadenceClient, wall: Wall) -> list[Any]:
    bookings_in_every_state(kadence, wall)
    return [
        kadence.get(f"/users/{user(kadence, email)}/bookings", params={"itemsPerPage": 500})
        for email in ("ada.okafor@meridian.example", "ben.carter@meridian.example", "emma.schultz@meridian.example")
    ]


def list_bookable_days(kadence: KadenceClient, wall: Wall) -> list[Any]:
    person = user(kadence, "ben.carter@meridian.example")
    return [
        kadence.get("/bookable-days", params={"buildingId": building(kadence, name), "userId": person})
        for name in ("Meridian HQ New York", "Meridian Bengaluru")
    ]


def get_onsite_pass(kadence: KadenceClient, wall: Wall) -> list[Any]:
    start, end = TOMORROW
    return [
        kadence.get(
            "/bookable-onsite-passes",
            params={
                "buildingId": building(kadence, name),
                "startDateTime": start,
                "endDateTime": end,
            },
        )
        for name in ("Meridian HQ New York", "Meridian Bengaluru")
    ] + [
        kadence.get(
            "/bookable-onsite-passes",
            params={  # Sunday: Bengaluru is closed
                "buildingId": building(kadence, "Meridian Bengaluru"),
                "startDateTime": "2026-03-08T05:00:00",
                "endDateTime": "2026-03-08T08:00:00",
            },
        ),
    ]


def list_bookable_spaces(kadence: KadenceClient, wall: Wall) -> list[Any]:
    start, end = TOMORROW
    return [
        kadence.get(
            "/bookable-spaces",
            params={
                "floorId": space(kadence, "A-01")["floor"]["id"],
                "userId": user(kadence, "chloe.martin@meridian.example"),
                "startDateTime": start,
                "endDateTime": end,
            },
        )
    ]


def update_user(kadence: KadenceClient, wall: Wall) -> list[Any]:
    return [
        kadence.patch(
            f"/users/{user(kadence, 'ben.carter@meridian.example')}",
            content=b'{"jobTitle": "Lead Robotics Engineer", "biography": "Builds arms."}',
            headers={"Content-Type": "application/merge-patch+json"},
        )
    ]


def upload_photo(kadence: KadenceClient, wall: Wall) -> list[Any]:
    return [
        kadence.post(
            f"/users/{user(kadence, 'ben.carter@meridian.example')}/photo",
            files={"file": ("ben.png", PNG, "image/png")},
        )
    ]


def collection(path: str) -> Scenario:
    return lambda kadence, wall: [kadence.get(path, params={"itemsPerPage": 500})]


def items(path: str) -> Scenario:
    return lambda kadence, wall: each_item(kadence, path)


SCENARIOS: dict[Operation, Scenario] = {
    ("GET", "/bookable-days"): list_bookable_days,
    ("GET", "/bookable-onsite-passes"): get_onsite_pass,
    ("GET", "/bookable-spaces"): list_bookable_spaces,
    ("GET", "/bookings"): list_bookings,
    ("POST", "/bookings"): create_booking,
    ("GET", "/bookings/{id}"): get_booking,
    ("POST", "/bookings/{id}/cancel"): cancel_booking,
    ("POST", "/bookings/{id}/check-in"): check_in,
    ("POST", "/bookings/{id}/check-out"): check_out,
    ("GET", "/users/{id}/bookings"): list_user_bookings,
    ("GET", "/buildings"): collection("/buildings"),
    ("GET", "/buildings/{id}"): items("/buildings"),
    ("GET", "/floors"): collection("/floors"),
    ("GET", "/floors/{id}"): items("/floors"),
    ("GET", "/neighborhoods"): collection("/neighborhoods"),
    ("GET", "/neighborhoods/{id}"): items("/neighborhoods"),
    ("GET", "/spaces"): collection("/spaces"),
    ("GET", "/spaces/{id}"): items("/spaces"),
    ("GET", "/users"): collection("/users"),
    ("GET", "/users/{id}"): items("/users"),
    ("PATCH", "/users/{id}"): update_user,
    ("POST", "/users/{id}/photo"): upload_photo,
    ("GET", "/visits"): collection("/visits"),
    ("GET", "/visits/{id}"): items("/visits"),
    ("GET", "/visitors"): collection("/visitors"),
    ("GET", "/visitors/{id}"): items("/visitors"),
}


# --- tests -----------------------------------------------------------------------------------


def test_every_documented_operation_has_a_scenario() -> None:
    assert set(SCENARIOS) | NOT_ADDRESSABLE == set(DOCUMENTED_OPERATIONS)
    assert not set(SCENARIOS) & NOT_ADDRESSABLE


@pytest.mark.parametrize(
    "operation",
    [operation for operation in DOCUMENTED_OPERATIONS if operation not in NOT_ADDRESSABLE],
    ids=" ".join,
)
def test_success_body_matches_vendor_schema(operation: Operation, kadence: KadenceClient, wall: Wall) -> None:
    assert operation in SCENARIOS, f"no scenario exercises {' '.join(operation)}"
    status = documented_success(operation)
    responses = SCENARIOS[operation](kadence, wall)

    assert responses
    for response in responses:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].split(";")[0] == LD_JSON
        body = response.json()
        problems = vendor_problems(operation, status, body)
        assert not problems, "\n".join([f"{response.request.method} {response.request.url}", *problems])
        if is_collection(operation, status):
            assert body["hydra:member"], f"{response.request.url} has no members: the schema check proved nothing"


def test_bookable_day_is_not_addressable(kadence: KadenceClient) -> None:
    listed = kadence.get(
        "/bookable-days",
        params={
            "buildingId": building(kadence, "Meridian HQ New York"),
            "userId": user(kadence, "ada.okafor@meridian.example"),
        },
    )
    assert listed.status_code == 200, listed.text
    day = listed.json()["hydra:member"][0]
    documented = VENDOR_DOCUMENT["paths"][f"{PREFIX}/bookable-days/{{id}}"]["get"]["responses"]

    for identifier in ("2026-03-03", day["start"], "01JGXDFAM03T4NS0W8PW9GQM0H"):
        response = kadence.get(f"/bookable-days/{identifier}")

        assert response.status_code == 404, response.text
        assert str(response.status_code) in documented
        assert response.json()["hydra:description"] == "Not Found"


# The readings above only widen where the document says so: it still refuses what it should.

GET_BOOKING: Operation = ("GET", "/bookings/{id}")
LIST_BOOKINGS: Operation = ("GET", "/bookings")


def changed(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**body, **fields}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("startDate", 1772463600, "startDate: 1772463600 is not of type 'string'"),
        ("startDate", "2 March 2026", "startDate: '2 March 2026' is not a 'date-time'"),
        ("startDate", "2026-02-30T10:00:00+00:00", "startDate: '2026-02-30T10:00:00+00:00' is not a 'date-time'"),
        ("checkedInDate", None, "checkedInDate: None is not of type 'string'"),
        ("status", "pending", "status: 'pending' is not one of"),
        ("status", None, "status: None is not of type 'string'"),
        ("permanent", "false", "permanent: 'false' is not of type 'boolean'"),
        ("checkInMethod", "telepathy", "checkInMethod: 'telepathy' is not one of"),
        ("id", 42, "id: 42 is not valid under any of the given schemas"),
        ("id", "not-a-ulid", "id: 'not-a-ulid' is not valid under any of the given schemas"),
        ("userId", "/v1/public/buildings/01JGXDFAM03T4NS0W8PW9GQM0H", "userId: '/v1/public/buildings/"),
        ("building", "01JGXDFAM03T4NS0W8PW9GQM0H", "building: '01JGXDFAM03T4NS0W8PW9GQM0H' is not valid"),
        ("space", "/v1/public/spaces/01JGXDFAM03T4NS0W8PW9GQM0H", "space: '/v1/public/spaces/"),
    ],
)
def test_vendor_schema_still_refuses_a_wrong_field(field: str, value: Any, expected: str) -> None:
    booking = {
        "@id": "/v1/public/bookings/01M7YRPMH9K35EY06KZQTCZVXS",
        "@type": "Booking",
        "id": "01M7YRPMH9K35EY06KZQTCZVXS",
        "userId": "/v1/public/users/01JGXDFAM0ZN6F7C8DJHVSZY7B",
        "startDate": "2026-03-02T15:00:00+00:00",
        "status": "booked",
        "permanent": False,
        "checkInMethod": None,
        "building": "/v1/public/buildings/01JGXDFAM03T4NS0W8PW9GQM0H",
    }
    assert vendor_problems(GET_BOOKING, 200, booking) == []

    problems = vendor_problems(GET_BOOKING, 200, changed(booking, **{field: value}))

    assert problems, f"{field}: {value!r} passed"
    assert all(problem.startswith(f"{field}: ") for problem in problems), problems
    assert any(problem.startswith(expected) for problem in problems), problems


def test_vendor_schema_requires_the_members_of_a_collection() -> None:
    assert vendor_problems(LIST_BOOKINGS, 200, {"hydra:member": [], "hydra:totalItems": 0}) == []

    assert vendor_problems(LIST_BOOKINGS, 200, {"hydra:totalItems": 0}) == [": 'hydra:member' is a required property"]
