"""Property-based fuzzing of the three APIs from their OpenAPI documents (schemathesis): Robin,
Kadence and the control plane.

Whatever a client sends, well-formed or not, the answer is never a 5xx and is one the checked-in
document describes: a listed status, a listed content type and headers, a body matching the
listed schema. Every operation runs in-process against the tests' app and store, with valid and
malformed input (positive and negative generation, and the boundary values of the coverage
phase), as an administrator, a member or nobody at all. Path, query and body values a client
would fill from the workplace (identifiers, times, time zones) are usually swapped for the seeded
demo's, so that requests reach past "not found" and "invalid" into the handlers.

The stateful phase chains requests along the documents' links (sandbox/openapi.py: an event or
a booking from its creation to its reading, change, check-in and cancellation; a snapshot, a
fault rule, a clock), each scenario from the seed, every answer held to the same checks.

Kadence's own 1.2.0 document is fuzzed too, for the operations the sandbox serves: no 5xx, and
whatever it does document (content types, bodies) matches.
"""

import json
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis import Case, HookContext
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import StepInput, StepOutput
from schemathesis.specs.openapi.schemas import OpenApiSchema

from sandbox.control import faults, snapshots
from sandbox.core.desks import SETTINGS
from sandbox.core.seats import RESERVATION_TYPES
from sandbox.kadence.routes.contexts import CONTEXTS
from sandbox.settings import FIXTURES_DIR
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, BACKEND, CONTROL_HEADERS, DEMO_CLIENT, MEMBER_TOKEN, KadenceClient, RobinClient
from tests.kadence.test_vendor_schemas import VENDOR_DOCUMENT, adapted_document

pytestmark = pytest.mark.slow

# Hypothesis caches what it reads of the sources and of Unicode even with no example database, from
# the moment tests are collected: into the system's temporary directory, not `.hypothesis` here.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "workplace-sandbox-hypothesis")

OPENAPI_DIR = FIXTURES_DIR.parent / "openapi"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def configured(max_examples: int) -> schemathesis.Config:
    """Deterministic and bounded: the same requests on every run, `max_examples` fuzzed ones per
    operation besides the examples and coverage phases, and nothing written to disk. The stateful
    phase follows the document's own links only (none inferred), with valid requests, so that
    its scenarios are the ones the document describes. The credentials the documents' security
    schemes ask for are left to the case's caller (`send`), not generated.

    The coverage phase runs in the SQLite pass only. It walks every declared parameter through the
    types and bounds its document gives, the same walk on any store, and it is most of the fuzz:
    about three requests in four, and cases built as the tests are collected, by every worker.
    The PostgreSQL pass runs the examples, the fuzzed values and the scenarios, which carry
    arbitrary strings, numbers and instants to the store (tests/test_hostile.py sends it the
    extremes)."""
    generation = {"max-examples": max_examples, "deterministic": True, "database": "none", "with-security-parameters": False}
    return schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", **generation},
            "phases": {
                "coverage": {"enabled": BACKEND == "sqlite"},
                "stateful": {"generation": {"mode": "positive", **generation}, "inference": {"algorithms": []}},
            },
        }
    )


SHARED_STORE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
"""One operation's inputs all go to the same store (the seed, fresh for each operation): what one
request changes, the next meets, as on a real account."""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
VENDOR_CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, response_headers_conformance]
"""Without `status_code_conformance`: Kadence's document lists little but successes (400, 404 or 422
on a few operations), while the API answers 400 to a malformed request, 404 to an unknown item and
422 to an invalid value wherever they can happen (reference/kadence-api.md, Errors)."""

CALLER = "Authorization"
"""The header a generated case names its caller in (`<administrator>`, `<member>` or
`<anonymous>`); the request carries that caller's real credentials, or none."""
ADMINISTRATOR, MEMBER, ANONYMOUS = "<administrator>", "<member>", "<anonymous>"
Credentials = dict[str, str | None]
"""The Authorization header of each caller, None for none."""

Catalogue = dict[str, list[Any]]
"""Values a client would send, by the name or dotted path of the field (a path parameter's path
starts with the collection before it, as in `buildings.id`)."""
CATALOGUES: dict[str, Catalogue] = {}
"""Read once per API, by the first test that needs it: every test starts from the same seed, so
the same identifiers exist in each."""

STARTS = [
    "2026-03-02T15:00:00",
    "2026-03-02T16:00:00Z",
    "2026-03-03T09:00:00-05:00",
    "2026-03-02T10:30:00-0500",
    "2026-03-09T13:00:00",
    "2026-03-02T14:00:00+0000",
]
ENDS = [
    "2026-03-02T16:00:00",
    "2026-03-02T17:30:00Z",
    "2026-03-03T17:00:00-05:00",
    "2026-03-02T11:30:00-0500",
    "2026-03-10T13:00:00.000Z",
    "2026-03-02T13:00:00",
]
"""Around the tests' now (Monday 2 March 2026, 14:00 UTC), in the forms clients send; each end but
the last is later than the start in the same place."""
TIMES: Catalogue = {
    "start.date_time": STARTS,
    "started_at": STARTS,
    "after": STARTS,
    "from": STARTS,
    "startDateTime": STARTS,
    "end.date_time": ENDS,
    "ended_at": ENDS,
    "before": ENDS,
    "to": ENDS,
    "endDateTime": ENDS,
    "startDate": ["2026-03-02", "2026-03-03"],
    "endDate": ["2026-03-06", "2026-03-09"],
    "time_zone": ["America/New_York", "Asia/Kolkata", "UTC", "Europe/London"],
    "recurrence": [["RRULE:FREQ=DAILY;COUNT=3"], ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE"], []],
}


def send(client: TestClient, case: Case, credentials: Credentials) -> Any:
    """`case` as schemathesis serializes it, sent by its caller (an administrator when the case
    names none, as in the coverage phase)."""
    authorization = credentials[(case.headers or {}).get(CALLER, ADMINISTRATOR)]
    request = requests.Request(**case.as_transport_kwargs(base_url=str(client.base_url))).prepare()
    if authorization is None:
        request.headers.pop("Authorization", None)
    else:
        request.headers["Authorization"] = authorization
    if (request.url or "").startswith(f"{client.base_url}/_sandbox/"):
        request.headers.update(CONTROL_HEADERS)  # a harness, not a web page
    return client.request(
        request.method or "GET",
        request.url or "",
        content=request.body,
        headers=dict(request.headers),
        follow_redirects=False,
    )


def _usually(known: st.SearchStrategy[Any], value: Any) -> st.SearchStrategy[Any]:
    """A known value three times in four (and in the simplest examples), else the generated one."""
    return st.integers(0, 3).flatmap(lambda draw: st.just(value) if draw == 3 else known)


PAIRS = (("startDateTime", "endDateTime"), ("after", "before"), ("from", "to"), ("started_at", "ended_at"))


def _paired(values: dict[str, Any]) -> dict[str, Any]:
    """Where a start and an end both came from the catalogue, the end is the start's own, as a
    client sends them (each end but the last is later than its start)."""
    for start, end in PAIRS:
        if values.get(start) in STARTS and values.get(end) in ENDS:
            values = {**values, end: ENDS[STARTS.index(values[start])]}
    start, end = values.get("start"), values.get("end")
    if isinstance(start, dict) and isinstance(end, dict) and start.get("date_time") in STARTS and end.get("date_time") in ENDS:
        values = {**values, "end": {**end, "date_time": ENDS[STARTS.index(start["date_time"])]}}
    return values


def _realistic(catalogue: Catalogue, where: str, value: Any) -> st.SearchStrategy[Any]:
    """`value` as generated at `where` (a dotted path), with what it holds under a name or path the
    catalogue knows usually swapped for a value a client would send (several where a list was
    generated)."""
    if isinstance(value, dict):
        return st.fixed_dictionaries(
            {key: _realistic(catalogue, f"{where}.{key}" if where else key, item) for key, item in value.items()}
        ).map(_paired)
    name = where.rsplit(".", 1)[-1]
    known = next((catalogue[key] for key in (where, name, name.split("[")[0]) if key in catalogue), None)
    if known and isinstance(value, list) and not isinstance(known[0], list):
        return _usually(st.lists(st.sampled_from(known), min_size=1, max_size=3), value)
    if known:
        return _usually(st.sampled_from(known), value)
    if isinstance(value, list):
        return st.tuples(*(_realistic(catalogue, f"{where}.{index}", item) for index, item in enumerate(value))).map(list)
    return st.just(value)


def _install_hooks(schema: OpenApiSchema, api: str, callers: list[str]) -> None:
    """Generated path, query and body values become realistic as `_realistic` says, and every
    generated case names one of `callers` (repeated to weigh them)."""

    def catalogue() -> Catalogue:
        # The examples phase generates while tests are collected, before any catalogue is read.
        return CATALOGUES.get(api, TIMES)

    def flatmap_path_parameters(context: HookContext, values: Any) -> st.SearchStrategy[Any]:
        collection = re.search(r"([\w-]+)/\{", context.operation.path)
        return _realistic(catalogue(), collection.group(1) if collection else "", values)

    def flatmap_query(context: HookContext, values: Any) -> st.SearchStrategy[Any]:
        return _realistic(catalogue(), "", values)

    def flatmap_body(context: HookContext, values: Any) -> st.SearchStrategy[Any]:
        return _realistic(catalogue(), "", values)

    def flatmap_headers(context: HookContext, values: Any) -> st.SearchStrategy[Any]:
        return st.sampled_from(callers).map(lambda caller: {**(values or {}), CALLER: caller})

    for hook in (flatmap_path_parameters, flatmap_query, flatmap_body, flatmap_headers):
        schema.hook(hook)


def _robin_catalogue(robin: RobinClient) -> Catalogue:
    def data(path: str) -> list[dict[str, Any]]:
        response = robin.get(path, params={"per_page": 1000})
        assert response.status_code == 200, response.text
        return response.json()["data"]  # type: ignore[no-any-return]  # decoded JSON

    organizations = data("/me/organizations")
    locations = [row for organization in organizations for row in data(f"/organizations/{organization['id']}/locations")]
    spaces = [row for location in locations for row in data(f"/locations/{location['id']}/spaces")]
    users = [row for organization in organizations for row in data(f"/organizations/{organization['id']}/users")]
    events = [row for location in locations for row in data(f"/locations/{location['id']}/events")]
    location_ids = [row["id"] for row in locations]
    level_ids = [row["id"] for location in locations for row in data(f"/locations/{location['id']}/levels")]
    space_ids = [row["id"] for row in spaces]
    seat_ids = [row["id"] for space in spaces for row in data(f"/spaces/{space['id']}/seats")]
    zone_ids = [row["id"] for space in spaces for row in data(f"/spaces/{space['id']}/zones")]
    user_ids = [row["id"] for row in users]
    emails = [row["primary_email"]["email"] for row in users]
    slugs = [row["slug"] for row in users]
    return {
        "organization_id": [row["id"] for row in organizations],
        "id_or_slug": [str(row["id"]) for row in organizations] + [row["slug"] for row in organizations],
        "location_id": location_ids,
        "location_ids": location_ids,
        "level_id": level_ids,
        "level_ids": level_ids,
        "space_id": space_ids,
        "space_ids": space_ids,
        "zone_id": zone_ids,
        "zone_ids": zone_ids,
        "seat_id": seat_ids,
        "seat_ids": seat_ids,
        "user_id": user_ids,
        "user_ids": user_ids,
        "reserver_id": user_ids,
        "id_or_slug_or_email": [str(user_id) for user_id in user_ids] + emails + slugs,
        "owner_ref": [*user_ids, *slugs],
        "user_ref": [*user_ids, *slugs],
        "email": emails,
        "event_id": [row["id"] for row in events] + [row["series_id"] for row in events if row["series_id"]],
        "reservation_id": [row["id"] for row in data("/reservations/seats")],
        "type": [*RESERVATION_TYPES, "meeting", "conference"],
        "slug": list(SETTINGS),
    }


def _kadence_catalogue(kadence: KadenceClient) -> Catalogue:
    members = {
        collection: kadence.members(f"/{collection}")
        for collection in ("buildings", "floors", "spaces", "neighborhoods", "users", "bookings", "visits", "visitors")
    }
    ulids = {collection: [member["id"] for member in found] for collection, found in members.items()}
    iris = {collection: [f"{kadence.prefix}/{collection}/{ulid}" for ulid in found] for collection, found in ulids.items()}
    emails = [member["email"] for member in members["users"]]
    return {
        **{f"{collection}.id": found for collection, found in ulids.items()},
        "building_id": ulids["buildings"],
        "buildingId": ulids["buildings"] + iris["buildings"],
        "floor_id": ulids["floors"],
        "floorId": ulids["floors"] + iris["floors"],
        "space_id": ulids["spaces"],
        "spaceId": ulids["spaces"] + iris["spaces"],
        "neighborhood_id": ulids["neighborhoods"],
        "neighborhoodId": ulids["neighborhoods"],
        "neighbourhoodId": ulids["neighborhoods"],
        "user_id": ulids["users"],
        "userId": ulids["users"] + iris["users"],
        "booking_id": ulids["bookings"],
        "id": ulids["bookings"],
        "visit_id": ulids["visits"],
        "visitor_id": ulids["visitors"],
        "email": emails,
        "emailAddress": emails,
        "emailExact": emails,
        "spaceType": ["desk", "room", "pod", "private_office"],
        "type": ["desk", "room", "onsite"],
        "status": ["booked", "checkedIn", "cancelled"],
        "name": list(CONTEXTS),
        "client_id": ["demo-client"],
        "client_secret": ["demo-secret"],
        "grant_type": ["client_credentials"],
    }


def _control_catalogue(client: TestClient) -> Catalogue:
    def read(path: str) -> Any:
        response = client.get(f"/_sandbox{path}")
        assert response.status_code == 200, response.text
        return response.json()

    organizations = read("/workplace")["organizations"]
    buildings = [building for organization in organizations for building in organization["buildings"]]
    floors = [floor for building in buildings for floor in building["floors"]]
    return {
        "organization": [str(row["id"]) for row in organizations]
        + [row["ulid"] for row in organizations]
        + [row["slug"] for row in organizations],
        "name": [row["name"] for row in read("/snapshots")] + ["before-tests"],
        "building_id": [building["id"] for building in buildings],
        "floor_id": [str(floor["id"]) for floor in floors] + [floor["ulid"] for floor in floors],
        "at": STARTS,
        "by": ["PT2H", "PT15M", "P1DT12H"],
    }


@pytest.fixture
def robin_callers(robin: RobinClient) -> Credentials:
    if "robin" not in CATALOGUES:
        CATALOGUES["robin"] = {**TIMES, **_robin_catalogue(robin)}
    return {ADMINISTRATOR: f"Access-Token {ADMIN_TOKEN}", MEMBER: f"Access-Token {MEMBER_TOKEN}", ANONYMOUS: None}


@pytest.fixture
def kadence_callers(kadence: KadenceClient) -> Credentials:
    if "kadence" not in CATALOGUES:
        CATALOGUES["kadence"] = {**TIMES, **_kadence_catalogue(kadence)}
    return {ADMINISTRATOR: f"Bearer {kadence.token}", ANONYMOUS: None}


@pytest.fixture
def control_callers(client: TestClient) -> Credentials:
    if "sandbox" not in CATALOGUES:
        CATALOGUES["sandbox"] = {**TIMES, **_control_catalogue(client)}
    return {ADMINISTRATOR: None}


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _vendor_document() -> dict[str, Any]:
    """Kadence's document as test_vendor_schemas reads it, with the operations the sandbox serves
    only, and `float` (which is no JSON Schema type) read as `number`."""
    sandbox_document = json.loads((OPENAPI_DIR / "kadence.json").read_text(encoding="utf-8"))
    served = {(_template(path), method) for path, item in sandbox_document["paths"].items() for method in item}
    document = adapted_document(VENDOR_DOCUMENT)
    document["paths"] = {
        path: {
            method: operation
            for method, operation in item.items()
            if method not in HTTP_METHODS or (_template(path), method) in served
        }
        for path, item in document["paths"].items()
    }
    return _float_as_number(document)  # type: ignore[no-any-return]  # decoded JSON


def _float_as_number(node: Any) -> Any:
    if isinstance(node, list):
        return ["number" if value == "float" else _float_as_number(value) for value in node]
    if isinstance(node, dict):
        return {key: "number" if key == "type" and value == "float" else _float_as_number(value) for key, value in node.items()}
    return node


ROBIN = schemathesis.openapi.from_path(OPENAPI_DIR / "robin.json", config=configured(20))
KADENCE = schemathesis.openapi.from_path(OPENAPI_DIR / "kadence.json", config=configured(20))
CONTROL = schemathesis.openapi.from_path(OPENAPI_DIR / "sandbox.json", config=configured(20))
VENDOR_KADENCE = schemathesis.openapi.from_dict(_vendor_document(), config=configured(8))
_install_hooks(ROBIN, "robin", [ADMINISTRATOR, ADMINISTRATOR, ADMINISTRATOR, MEMBER, ANONYMOUS])
_install_hooks(KADENCE, "kadence", [ADMINISTRATOR, ADMINISTRATOR, ADMINISTRATOR, ANONYMOUS])
_install_hooks(VENDOR_KADENCE, "kadence", [ADMINISTRATOR])
_install_hooks(CONTROL, "sandbox", [ADMINISTRATOR])


@ROBIN.parametrize()
@SHARED_STORE
def test_robin_answers_as_its_document_says(case: Case, client: TestClient, robin_callers: Credentials) -> None:
    case.validate_response(send(client, case, robin_callers), checks=CHECKS)


@KADENCE.parametrize()
@SHARED_STORE
def test_kadence_answers_as_its_document_says(case: Case, client: TestClient, kadence_callers: Credentials) -> None:
    case.validate_response(send(client, case, kadence_callers), checks=CHECKS)


@VENDOR_KADENCE.parametrize()
@SHARED_STORE
@pytest.mark.wire  # Shapes against Kadence's own document; the operations' answers on each store are fuzzed above.
def test_kadence_answers_as_the_vendor_document_says(case: Case, client: TestClient, kadence_callers: Credentials) -> None:
    case.validate_response(send(client, case, kadence_callers), checks=VENDOR_CHECKS)


@CONTROL.parametrize()
@SHARED_STORE
def test_control_plane_answers_as_its_document_says(case: Case, client: TestClient, control_callers: Credentials) -> None:
    case.validate_response(send(client, case, control_callers), checks=CHECKS)


# The stateful phase: sequences of requests chained by the documents' links (create, read, change,
# cancel), each answer checked as above.

STATEFUL = settings(
    max_examples=25,
    stateful_step_count=10,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
"""Deterministic and bounded: the same scenarios on every run, 25 of up to 10 steps each."""


def run_scenarios(schema: OpenApiSchema, client: TestClient, callers: Credentials, fresh: Callable[[], None]) -> None:
    """Run `schema`'s state machine against the tests' app, each scenario from the seed (`fresh`
    restores it), so that a scenario's requests meet the answers they met the first time they
    were drawn. Fails with every distinct failure seen (by operation, check and status), each with
    a request that reproduces it, or when no scenario followed a link to a success."""
    found: dict[tuple[str, str, int], str] = {}
    followed: Counter[str] = Counter()

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc, valid-type]  # a class schemathesis builds as the test runs
        def setup(self) -> None:
            fresh()

        def step(self, input: StepInput) -> StepOutput:
            output = super().step(input)
            if input.transition is not None and input.is_applied and output.response.status_code < 300:
                followed[input.transition.id] += 1
            return output

        def call(self, case: Case, **kwargs: Any) -> Response:
            return Response.from_any(send(client, case, callers))

        def validate_response(self, response: Response, case: Case, additional_checks: Any = None, **kwargs: Any) -> None:
            try:
                case.validate_response(response, checks=CHECKS, recorder=self.recorder)
            except FailureGroup as failures:
                for failure in failures.exceptions:
                    found.setdefault((case.operation.label, failure.title, response.status_code), str(failures))

    Scenarios.run(settings=STATEFUL)
    assert not found, (
        f"{len(found)} distinct failures:\n"
        + "\n".join(f"{label}: {title} ({status})" for label, title, status in found)
        + "\n\n"
        + "\n".join(found.values())
    )
    assert followed, "no scenario followed a link to a success: the links lead nowhere the data can reach"


def seeded(store: Store) -> Callable[[], None]:
    """Back to the seed: the workplace and its clocks, no other snapshot, no fault rule."""

    def restore() -> None:
        for snapshot in snapshots.listed(store):
            if snapshot.name != snapshots.SEED:
                snapshots.delete(store, snapshot.name)
        snapshots.restore(store, snapshots.SEED)
        faults.clear(store)

    return restore


def test_robin_scenarios_answer_as_its_document_says(client: TestClient, robin_callers: Credentials, store: Store) -> None:
    run_scenarios(ROBIN, client, robin_callers, seeded(store))


def test_kadence_scenarios_answer_as_its_document_says(client: TestClient, kadence_callers: Credentials, store: Store) -> None:
    restore = seeded(store)

    def fresh() -> None:
        restore()  # tokens are part of the workplace: the one minted before is gone
        kadence_callers[ADMINISTRATOR] = f"Bearer {KadenceClient(client, DEMO_CLIENT).token}"

    run_scenarios(KADENCE, client, kadence_callers, fresh)


def test_control_plane_scenarios_answer_as_its_document_says(
    client: TestClient, control_callers: Credentials, store: Store
) -> None:
    run_scenarios(CONTROL, client, control_callers, seeded(store))
