"""Every Robin operation answers with exactly the body its OpenAPI document describes."""

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from sandbox.core import exports
from sandbox.core.clock import Clock
from sandbox.robin import PREFIX
from sandbox.robin.exports import LAYOUT
from sandbox.robin.routes import (
    events,
    free_busy,
    insights,
    locations,
    organizations,
    presence,
    seat_reservations,
    seats,
    sign_in,
    spaces,
)
from sandbox.routing import DeclaredRoute
from sandbox.settings import FIXTURES_DIR
from tests.conftest import RobinClient, Wall

pytestmark = pytest.mark.wire

Operation = tuple[str, str]
"""An HTTP method and a path template under /v1.0, as the OpenAPI document names them."""
Scenario = Callable[[RobinClient], Any]

HTTP_METHODS = {"get", "post", "patch", "put", "delete"}
JSON = "application/json"
CSV = "text/csv"
ROBIN_DOCUMENT = json.loads((FIXTURES_DIR.parent / "openapi" / "robin.json").read_text(encoding="utf-8"))
OPERATIONS = sorted(
    (method.upper(), path.removeprefix(PREFIX))
    for path, path_item in ROBIN_DOCUMENT["paths"].items()
    for method in path_item
    if method in HTTP_METHODS
)
ROUTES = [
    route
    for module in (
        events,
        free_busy,
        locations,
        organizations,
        spaces,
        seats,
        seat_reservations,
        presence,
        insights,
        sign_in,
    )
    for route in module.router.routes
    if isinstance(route, DeclaredRoute)
]

HUDSON = 48
"""A conference room in Meridian HQ New York (location 10, level 101) with a calendar and amenities."""
BOOKING = {
    "title": "Schema check",
    "start": {"date_time": "2026-03-02T09:05:00", "time_zone": "America/New_York"},
    "end": {"date_time": "2026-03-02T09:55:00", "time_zone": "America/New_York"},
    "invitees": [{"email": "ben.carter@meridian.example", "display_name": "Ben Carter"}],
}
"""Five minutes from the tests' now, so it can be confirmed straight away."""
EARLIER = {
    "start": {"date_time": "2026-03-02T08:30:00", "time_zone": "America/New_York"},
    "end": {"date_time": "2026-03-02T09:05:00", "time_zone": "America/New_York"},
}
"""Half an hour before the tests' now, until BOOKING begins."""
ENGINEERING_WEEKLY = "1"
"""A demo series in Hudson, organized by the member, on Tuesdays at 10:00 New York time."""
NEXT_TUESDAY_WINDOW = {"after": "2026-03-02T00:00:00Z", "before": "2026-03-04T00:00:00Z"}
TUESDAY_CLASH = {
    "start": {"date_time": "2026-03-03T10:30:00", "time_zone": "America/New_York"},
    "end": {"date_time": "2026-03-03T11:30:00", "time_zone": "America/New_York"},
}
"""Half way into the demo series' first instance."""
FREE_BUSY_SEARCH = {
    "scope": {"location_ids": [10]},
    "view_options": {
        "bounds": {"from": "2026-03-03T05:00:00Z", "to": "2026-03-04T05:00:00Z"},
        "included_submodels": ["space.space_amenities", "space.amenities"],
    },
}
ALL_INCLUDES = {"include": "calendar,space_amenities,amenities,location,state"}
LOBBY = 53
"""A space of headquarters that is never reserved, and so has no calendar."""
OPEN_WORKSPACE = 58
"""The open-plan space of headquarters' second floor, whose zone 1 (Pod A) holds hoteled desks 1001-1006."""
POD_A = 1
RESERVED_DESK = 1001
"""A hoteled desk of Pod A that Diego has reserved for today."""
HOTELED_DESK = 1003
"""A hoteled desk of Pod A, free all week, with amenities."""
SHARED_DESK = 1008
"""An ["assigned","shared"] desk assigned to Hannah on Mondays and Tuesdays and to Kwame on
Wednesdays and Thursdays; nobody is assigned on Fridays."""
ASSIGNMENT = {
    "reservee": {"email": "chloe.martin@meridian.example"},
    "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=FR;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
}
DESK_BOOKING = {
    "type": "hoteled",
    "title": "Schema check",
    "start": {"date_time": "2026-03-02T09:05:00", "time_zone": "America/New_York"},
    "end": {"date_time": "2026-03-02T17:00:00", "time_zone": "America/New_York"},
}
"""Five minutes from the tests' now, so it can be confirmed straight away."""
TODAY_WINDOW = {"after": "2026-03-02T05:00:00Z", "before": "2026-03-03T05:00:00Z"}
EXPORT_RANGE = {"from": "2026-03-02T00:00:00-05:00", "to": "2026-03-03T00:00:00-05:00"}
EXPORT_LIMIT = 30
"""Accepted export requests an organization may make in a minute."""
SAMPLE_PATH_VALUES = {
    "id_or_slug": "meridian",
    "organization_id": "1",
    "id_or_slug_or_email": "1",
    "user_id": "1",
    "location_id": "10",
    "level_id": "101",
    "space_id": str(HUDSON),
    "event_id": ENGINEERING_WEEKLY,
    "zone_id": str(POD_A),
    "seat_id": str(HOTELED_DESK),
    "slug": "seat-reservation-max-length",
    "reservation_id": "1",
    "export_id": "6239b88d-9cf6-47a9-9dd3-95f3b0fbdba2",
}


def route_of(operation: Operation) -> DeclaredRoute:
    method, template = operation
    return next(route for route in ROUTES if route.path == template and method in (route.methods or set()))


def documented_statuses(operation: Operation) -> list[int]:
    return sorted(status for status in route_of(operation).responses if isinstance(status, int))


def first_success(operation: Operation) -> int:
    return next(status for status in documented_statuses(operation) if 200 <= status < 300)


def documented_media_type(operation: Operation, status: int) -> str:
    """JSON (an envelope model), unless the documented response names another media type."""
    content: dict[str, Any] = route_of(operation).responses.get(status, {}).get("content", {})
    return next(iter(content), JSON)


def documented_model(operation: Operation, status: int) -> type[BaseModel]:
    responses = route_of(operation).responses
    assert status in responses, f"{' '.join(operation)} does not document {status}"
    model: type[BaseModel] = responses[status]["model"]
    return model


def assert_documented(operation: Operation, response: Any, status: int) -> None:
    assert response.status_code == status, response.text
    if documented_media_type(operation, status) == CSV:
        assert response.headers["content-type"].split(";")[0] == CSV
        header = next(csv.reader(io.StringIO(response.text, newline="")))
        assert header, response.text
        assert all(header), response.text
        return
    documented_model(operation, status).model_validate(response.json(), strict=True)


def book(robin: RobinClient) -> str:
    """The id of a new booking in Hudson."""
    response = robin.post(f"/spaces/{HUDSON}/events", json=BOOKING)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def booked(robin: RobinClient) -> RobinClient:
    """The same client, once it has booked Hudson: lists then hold an event with invitees."""
    book(robin)
    return robin


def booked_earlier(robin: RobinClient) -> RobinClient:
    """The same client, once it has booked Hudson for an hour that has begun: recent lists then hold it."""
    response = robin.post(f"/spaces/{HUDSON}/events", json={**BOOKING, **EARLIER})
    assert response.status_code == 201, response.text
    return robin


def book_again(robin: RobinClient, path: str, body: dict[str, Any]) -> Any:
    """POST `body` to `path` once Hudson is already booked at the same time."""
    book(robin)
    return robin.post(path, json=body)


def confirmed(robin: RobinClient) -> str:
    """The id of a new booking in Hudson, already checked in to."""
    event = book(robin)
    response = robin.put(f"/events/{event}/confirmation", json={})
    assert response.status_code == 200, response.text
    return event


def reserve_desk(robin: RobinClient) -> str:
    """The id of a new reservation of the hoteled desk, for the caller."""
    response = robin.post(f"/seats/{HOTELED_DESK}/reservations", json=DESK_BOOKING)
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def assigned_day(robin: RobinClient) -> str:
    """The id of the shared desk's first assigned day from today: an instance of an assignment."""
    response = robin.get("/reservations/seats", params={**TODAY_WINDOW, "seat_ids": SHARED_DESK})
    assert response.status_code == 200, response.text
    return str(response.json()["data"][0]["id"])


def assignment_of_the_shared_desk(robin: RobinClient) -> str:
    """The id of the first assignment of the shared desk: a recurring reservation."""
    return assigned_day(robin).split("_")[0]


def desk_confirmed(robin: RobinClient) -> str:
    """The id of a new reservation of the hoteled desk, already checked in to."""
    reservation = reserve_desk(robin)
    response = robin.put(f"/reservations/seats/{reservation}/confirmation", json={})
    assert response.status_code == 200, response.text
    return reservation


def desk_checked_in(robin: RobinClient) -> RobinClient:
    """The same client, once it holds a checked-in reservation of the hoteled desk."""
    desk_confirmed(robin)
    return robin


def reserve_desk_again(robin: RobinClient) -> Any:
    """Reserve the hoteled desk for someone else once it is already reserved at the same time."""
    reserve_desk(robin)
    return robin.post(f"/seats/{HOTELED_DESK}/reservations", json={**DESK_BOOKING, "reservee": {"user_id": 3}})


def present(robin: RobinClient, place: str, *more: dict[str, Any]) -> RobinClient:
    """The same client, once a person, a device and any `more` are present at `place` (`/spaces/:id`, `/locations/:id`)."""
    for sighting in ({"user_id": 2}, {"device_id": 7}, *more):
        response = robin.post(f"{place}/presence", json=sighting)
        assert response.status_code == 201, response.text
    return robin


def request_export(robin: RobinClient, kind: str) -> Any:
    return robin.post(f"/insights/exports/organizations/1/{kind}", json=EXPORT_RANGE)


def export_requested(robin: RobinClient) -> str:
    """The id of a new events export, not yet generated."""
    response = request_export(robin, "spaces")
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["export_id"])


def download_ready_export(robin: RobinClient) -> Any:
    """GET a new export once a worker pass has generated it and the processing delay has passed."""
    app: FastAPI = robin.client.app  # type: ignore[assignment]  # the FastAPI app the client was made with
    export_id = export_requested(robin)
    assert exports.run_pending(app.state.store, app.state.clock, "schema-check", LAYOUT) == 1
    # A scenario sees only the client, so it moves the clock by replacing it: each test's `app`
    # fixture installs a clock of its own.
    delay = timedelta(seconds=app.state.settings.export_delay_seconds)
    app.state.clock = Clock(Wall(app.state.clock.wall() + delay))
    return robin.get(f"/insights/exports/{export_id}")


def exceed_export_limit(robin: RobinClient, kind: str) -> Any:
    """Request one export more than the limit allows in a minute."""
    for _ in range(EXPORT_LIMIT):
        assert request_export(robin, kind).status_code == 202
    return request_export(robin, kind)


SUCCESSES: dict[Operation, Scenario] = {
    ("GET", "/auth"): lambda robin: robin.get("/auth"),
    ("POST", "/auth/users"): lambda robin: robin.client.post(
        "/v1.0/auth/users", auth=("ben.carter@meridian.example", "sandbox"), json={"remember_me": False}
    ),
    ("GET", "/me"): lambda robin: robin.get("/me"),
    ("GET", "/me/organizations"): lambda robin: robin.get("/me/organizations"),
    ("GET", "/organizations/{id_or_slug}"): lambda robin: robin.get("/organizations/meridian"),
    ("GET", "/organizations/{organization_id}/locations"): lambda robin: robin.get("/organizations/1/locations"),
    ("GET", "/organizations/{organization_id}/users"): lambda robin: robin.get(
        "/organizations/1/users", params={"per_page": 100}
    ),
    ("GET", "/organizations/{organization_id}/amenities"): lambda robin: robin.get("/organizations/1/amenities"),
    ("GET", "/organizations/{organization_id}/users/{user_id}"): lambda robin: robin.get(
        "/organizations/meridian/users/ben.carter@meridian.example"
    ),
    ("POST", "/organizations/{organization_id}/users"): lambda robin: robin.post(
        "/organizations/meridian/users", json={"email": "invited@meridian.example", "name": "Invited"}
    ),
    ("GET", "/users/{id_or_slug_or_email}"): lambda robin: robin.get("/users/ben.carter@meridian.example"),
    ("GET", "/locations/{location_id}"): lambda robin: robin.get("/locations/10"),
    ("GET", "/locations/{location_id}/levels"): lambda robin: robin.get("/locations/10/levels"),
    ("GET", "/levels/{level_id}"): lambda robin: robin.get("/levels/101"),
    ("GET", "/locations/{location_id}/spaces"): lambda robin: robin.get(
        "/locations/10/spaces", params={**ALL_INCLUDES, "per_page": 100}
    ),
    ("GET", "/spaces/{space_id}"): lambda robin: robin.get(f"/spaces/{HUDSON}", params=ALL_INCLUDES),
    ("PATCH", "/spaces/{space_id}"): lambda robin: robin.patch(
        f"/spaces/{HUDSON}", json={"description": "Refurbished", "capacity": 14}, params={"include": "calendar"}
    ),
    ("GET", "/locations/{location_id}/spaces/{space_id}"): lambda robin: robin.get(
        f"/locations/10/spaces/{HUDSON}", params=ALL_INCLUDES
    ),
    ("GET", "/spaces/{space_id}/calendar"): lambda robin: robin.get(f"/spaces/{HUDSON}/calendar"),
    ("GET", "/spaces/{space_id}/amenities"): lambda robin: robin.get(f"/spaces/{HUDSON}/amenities"),
    ("GET", "/spaces/{space_id}/state"): lambda robin: booked(robin).get(f"/spaces/{HUDSON}/state"),
    ("POST", "/spaces/{space_id}/events"): lambda robin: robin.post(f"/spaces/{HUDSON}/events", json=BOOKING),
    ("POST", "/events"): lambda robin: robin.post("/events", json={**BOOKING, "space_id": HUDSON}),
    ("GET", "/events/{event_id}"): lambda robin: robin.get(f"/events/{confirmed(robin)}"),
    ("PATCH", "/events/{event_id}"): lambda robin: robin.patch(f"/events/{book(robin)}", json={"title": "Renamed"}),
    ("DELETE", "/events/{event_id}"): lambda robin: robin.delete(f"/events/{book(robin)}"),
    ("GET", "/spaces/{space_id}/events"): lambda robin: booked(robin).get(f"/spaces/{HUDSON}/events", params=NEXT_TUESDAY_WINDOW),
    ("GET", "/spaces/{space_id}/events/upcoming"): lambda robin: booked(robin).get(f"/spaces/{HUDSON}/events/upcoming"),
    ("GET", "/spaces/{space_id}/events/recent"): lambda robin: booked_earlier(robin).get(f"/spaces/{HUDSON}/events/recent"),
    ("GET", "/locations/{location_id}/events"): lambda robin: booked(robin).get(
        "/locations/10/events", params=NEXT_TUESDAY_WINDOW
    ),
    ("GET", "/users/{user_id}/events"): lambda robin: booked(robin).get("/users/1/events"),
    ("GET", "/me/events"): lambda robin: booked(robin).get("/me/events"),
    ("GET", "/me/events/upcoming"): lambda robin: booked(robin).get("/me/events/upcoming"),
    ("GET", "/me/events/recent"): lambda robin: booked_earlier(robin).get("/me/events/recent"),
    ("GET", "/events/{event_id}/confirmation"): lambda robin: robin.get(f"/events/{confirmed(robin)}/confirmation"),
    ("PUT", "/events/{event_id}/confirmation"): lambda robin: robin.put(
        f"/events/{book(robin)}/confirmation", json={"device_id": 7}
    ),
    ("POST", "/events/{event_id}/confirmation"): lambda robin: robin.post(f"/events/{book(robin)}/confirmation"),
    ("DELETE", "/events/{event_id}/confirmation"): lambda robin: robin.delete(f"/events/{confirmed(robin)}/confirmation"),
    ("POST", "/free-busy/spaces"): lambda robin: robin.post("/free-busy/spaces", json=FREE_BUSY_SEARCH),
    ("GET", "/free-busy/spaces"): lambda robin: robin.get(
        "/free-busy/spaces",
        params={"location_ids": "10", "after": "2026-03-03T05:00:00Z", "before": "2026-03-04T05:00:00Z"},
    ),
    ("GET", "/spaces/{space_id}/zones"): lambda robin: robin.get(f"/spaces/{OPEN_WORKSPACE}/zones"),
    ("GET", "/zones/{zone_id}"): lambda robin: robin.get(f"/zones/{POD_A}"),
    ("GET", "/zones/{zone_id}/seats"): lambda robin: robin.get(f"/zones/{POD_A}/seats", params={"include": "space,zone"}),
    ("GET", "/spaces/{space_id}/seats"): lambda robin: robin.get(
        f"/spaces/{OPEN_WORKSPACE}/seats", params={"include": "space,zone", "per_page": 100}
    ),
    ("GET", "/seats"): lambda robin: robin.get("/seats", params={"level_ids": "102", "include": "space,zone", "per_page": 100}),
    ("GET", "/seats/{seat_id}"): lambda robin: robin.get(f"/seats/{HOTELED_DESK}", params={"include": "space,zone"}),
    ("GET", "/seats/{seat_id}/amenities"): lambda robin: robin.get(f"/seats/{HOTELED_DESK}/amenities"),
    ("GET", "/seats/{seat_id}/settings/{slug}"): lambda robin: robin.get(
        f"/seats/{SHARED_DESK}/settings/seat-reservation-types-allowed"
    ),
    ("PUT", "/seats/{seat_id}/settings/{slug}"): lambda robin: robin.put(
        f"/seats/{HOTELED_DESK}/settings/seat-reservation-max-length", json={"value": "PT8H"}
    ),
    ("POST", "/seats/{seat_id}/publish-shared-schedule"): lambda robin: robin.post(
        f"/seats/{SHARED_DESK}/publish-shared-schedule", json=ASSIGNMENT
    ),
    ("POST", "/reservations/seats/{reservation_id}/exclusions"): lambda robin: robin.post(
        f"/reservations/seats/{assigned_day(robin)}/exclusions"
    ),
    ("POST", "/seats/{seat_id}/reservations"): lambda robin: robin.post(f"/seats/{HOTELED_DESK}/reservations", json=DESK_BOOKING),
    ("GET", "/reservations/seats"): lambda robin: desk_checked_in(robin).get(
        "/reservations/seats", params={**TODAY_WINDOW, "seat_ids": f"{RESERVED_DESK},{HOTELED_DESK}"}
    ),
    ("GET", "/reservations/seats/{reservation_id}"): lambda robin: robin.get(f"/reservations/seats/{desk_confirmed(robin)}"),
    ("DELETE", "/reservations/seats/{reservation_id}"): lambda robin: robin.delete(f"/reservations/seats/{reserve_desk(robin)}"),
    ("GET", "/reservations/seats/{reservation_id}/instances"): lambda robin: robin.get(
        f"/reservations/seats/{assignment_of_the_shared_desk(robin)}/instances"
    ),
    ("GET", "/reservations/seats/{reservation_id}/confirmation"): lambda robin: robin.get(
        f"/reservations/seats/{desk_confirmed(robin)}/confirmation"
    ),
    ("PUT", "/reservations/seats/{reservation_id}/confirmation"): lambda robin: robin.put(
        f"/reservations/seats/{reserve_desk(robin)}/confirmation", json={"device_id": 7}
    ),
    ("GET", "/spaces/{space_id}/presence"): lambda robin: present(robin, f"/spaces/{HUDSON}").get(f"/spaces/{HUDSON}/presence"),
    ("POST", "/spaces/{space_id}/presence"): lambda robin: present(robin, f"/spaces/{HUDSON}").post(
        f"/spaces/{HUDSON}/presence", json={"user_id": 2, "session_ttl": 120}
    ),
    ("DELETE", "/spaces/{space_id}/presence"): lambda robin: present(robin, f"/spaces/{HUDSON}").request(
        "DELETE", f"/spaces/{HUDSON}/presence", json={"user_id": 2}
    ),
    ("GET", "/locations/{location_id}/presence"): lambda robin: present(robin, "/locations/10").get("/locations/10/presence"),
    ("GET", "/users/{id_or_slug_or_email}/presence"): lambda robin: present(robin, f"/spaces/{HUDSON}").get(
        "/users/ben-carter/presence"
    ),
    ("GET", "/me/presence"): lambda robin: present(robin, f"/spaces/{HUDSON}", {"user_id": 1}).get("/me/presence"),
    ("POST", "/locations/{location_id}/presence"): lambda robin: present(robin, "/locations/10").post(
        "/locations/10/presence", json={"device_id": 7, "session_ttl": 1200}
    ),
    ("DELETE", "/locations/{location_id}/presence"): lambda robin: present(robin, "/locations/10").request(
        "DELETE", "/locations/10/presence", json={"device_id": 7}
    ),
    ("POST", "/insights/exports/organizations/{organization_id}/spaces"): lambda robin: request_export(robin, "spaces"),
    ("POST", "/insights/exports/organizations/{organization_id}/desks"): lambda robin: request_export(robin, "desks"),
    ("GET", "/insights/exports/{export_id}"): download_ready_export,
}
"""One scenario per operation, answering the operation's first documented success status."""


@dataclass(frozen=True)
class FurtherSuccess:
    """Another success status an operation documents, such as 201 for a new presence session."""

    operation: Operation
    status: int
    scenario: Scenario

    def __str__(self) -> str:
        return f"{self.status} {' '.join(self.operation)}"


FURTHER_SUCCESSES = [
    FurtherSuccess(
        ("POST", "/spaces/{space_id}/presence"), 201, lambda robin: robin.post(f"/spaces/{HUDSON}/presence", json={"user_id": 2})
    ),
    FurtherSuccess(
        ("POST", "/locations/{location_id}/presence"),
        201,
        lambda robin: robin.post("/locations/10/presence", json={"device_id": 7}),
    ),
]


@dataclass(frozen=True)
class Failure:
    operation: Operation
    status: int
    scenario: Callable[[RobinClient, RobinClient], Any]
    """Called with the administrator's client, then the member's."""

    def __str__(self) -> str:
        return f"{self.status} {' '.join(self.operation)}"


FAILURES = [
    Failure(
        ("GET", "/locations/{location_id}/spaces"),
        400,
        lambda robin, member: robin.get("/locations/10/spaces", params={"per_page": 0}),
    ),
    Failure(
        ("POST", "/spaces/{space_id}/events"),
        400,
        lambda robin, member: robin.post(f"/spaces/{HUDSON}/events", json={"title": "No times"}),
    ),
    Failure(
        ("POST", "/events"),
        400,
        lambda robin, member: robin.post("/events", content=b"{not json", headers={"Content-Type": "application/json"}),
    ),
    Failure(
        ("PUT", "/events/{event_id}/confirmation"),
        400,
        lambda robin, member: robin.put(f"/events/{ENGINEERING_WEEKLY}/confirmation", json={}),
    ),
    Failure(
        ("PATCH", "/events/{event_id}"),
        400,
        lambda robin, member: robin.patch(f"/events/{ENGINEERING_WEEKLY}_20260303T150000Z", json={"title": "Just this once"}),
    ),
    Failure(("POST", "/free-busy/spaces"), 400, lambda robin, member: robin.post("/free-busy/spaces", json={})),
    Failure(("PATCH", "/spaces/{space_id}"), 403, lambda robin, member: member.patch(f"/spaces/{HUDSON}", json={"capacity": 2})),
    Failure(
        ("PATCH", "/events/{event_id}"),
        403,
        lambda robin, member: member.patch(f"/events/{book(robin)}", json={"title": "Renamed"}),
    ),
    Failure(("GET", "/spaces/{space_id}"), 404, lambda robin, member: robin.get("/spaces/999999")),
    Failure(("GET", "/events/{event_id}"), 404, lambda robin, member: robin.get("/events/999999")),
    Failure(
        ("GET", "/events/{event_id}/confirmation"), 404, lambda robin, member: robin.get(f"/events/{book(robin)}/confirmation")
    ),
    Failure(("GET", "/users/{id_or_slug_or_email}"), 404, lambda robin, member: robin.get("/users/nobody@meridian.example")),
    Failure(
        ("POST", "/spaces/{space_id}/events"), 409, lambda robin, member: book_again(robin, f"/spaces/{HUDSON}/events", BOOKING)
    ),
    Failure(("POST", "/events"), 409, lambda robin, member: book_again(robin, "/events", {**BOOKING, "space_id": HUDSON})),
    Failure(
        ("PATCH", "/events/{event_id}"), 409, lambda robin, member: robin.patch(f"/events/{book(robin)}", json=TUESDAY_CLASH)
    ),
    Failure(("GET", "/zones/{zone_id}"), 404, lambda robin, member: robin.get("/zones/999999")),
    Failure(("GET", "/zones/{zone_id}/seats"), 404, lambda robin, member: robin.get("/zones/999999/seats")),
    Failure(
        ("GET", "/spaces/{space_id}/seats"),
        400,
        lambda robin, member: robin.get(f"/spaces/{OPEN_WORKSPACE}/seats", params={"per_page": 0}),
    ),
    Failure(("GET", "/seats/{seat_id}"), 404, lambda robin, member: robin.get(f"/seats/{HUDSON}")),
    Failure(("GET", "/seats"), 400, lambda robin, member: robin.get("/seats", params={"zone_ids": "pod-a"})),
    Failure(("GET", "/seats/{seat_id}/amenities"), 404, lambda robin, member: robin.get(f"/seats/{HUDSON}/amenities")),
    Failure(("GET", "/spaces/{space_id}/calendar"), 404, lambda robin, member: robin.get(f"/spaces/{LOBBY}/calendar")),
    Failure(
        ("GET", "/locations/{location_id}/spaces/{space_id}"),
        404,
        lambda robin, member: robin.get(f"/locations/11/spaces/{HUDSON}"),
    ),
    Failure(
        ("GET", "/reservations/seats/{reservation_id}/confirmation"),
        404,
        lambda robin, member: robin.get(f"/reservations/seats/{reserve_desk(robin)}/confirmation"),
    ),
    Failure(
        ("GET", "/reservations/seats/{reservation_id}/instances"),
        400,
        lambda robin, member: robin.get(f"/reservations/seats/{reserve_desk(robin)}/instances"),
    ),
    Failure(
        ("GET", "/seats/{seat_id}/settings/{slug}"),
        404,
        lambda robin, member: robin.get(f"/seats/{HOTELED_DESK}/settings/seat-colour"),
    ),
    Failure(
        ("PUT", "/seats/{seat_id}/settings/{slug}"),
        400,
        lambda robin, member: robin.put(
            f"/seats/{HOTELED_DESK}/settings/seat-reservation-types-allowed", json={"value": ["standing"]}
        ),
    ),
    Failure(
        ("PUT", "/seats/{seat_id}/settings/{slug}"),
        403,
        lambda robin, member: member.put(f"/seats/{HOTELED_DESK}/settings/seat-reservation-max-length", json={"value": "P7D"}),
    ),
    Failure(
        ("POST", "/seats/{seat_id}/publish-shared-schedule"),
        400,
        lambda robin, member: robin.post(f"/seats/{HOTELED_DESK}/publish-shared-schedule", json=ASSIGNMENT),
    ),
    Failure(
        ("POST", "/seats/{seat_id}/publish-shared-schedule"),
        403,
        lambda robin, member: member.post(f"/seats/{SHARED_DESK}/publish-shared-schedule", json=ASSIGNMENT),
    ),
    Failure(
        ("POST", "/seats/{seat_id}/reservations"),
        400,
        lambda robin, member: robin.post(f"/seats/{HOTELED_DESK}/reservations", json={**DESK_BOOKING, "type": None}),
    ),
    Failure(
        ("POST", "/seats/{seat_id}/reservations"),
        403,
        lambda robin, member: member.post(
            f"/seats/{HOTELED_DESK}/reservations", json={**DESK_BOOKING, "reservee": {"user_id": 5}}
        ),
    ),
    Failure(
        ("POST", "/seats/{seat_id}/reservations"),
        404,
        lambda robin, member: robin.post("/seats/999999/reservations", json=DESK_BOOKING),
    ),
    Failure(("POST", "/seats/{seat_id}/reservations"), 409, lambda robin, member: reserve_desk_again(robin)),
    Failure(
        ("GET", "/reservations/seats"),
        400,
        lambda robin, member: robin.get("/reservations/seats", params={"seat_ids": "desk-three"}),
    ),
    Failure(("GET", "/reservations/seats/{reservation_id}"), 404, lambda robin, member: robin.get("/reservations/seats/999999")),
    Failure(
        ("DELETE", "/reservations/seats/{reservation_id}"),
        403,
        lambda robin, member: member.delete(f"/reservations/seats/{reserve_desk(robin)}"),
    ),
    Failure(
        ("PUT", "/reservations/seats/{reservation_id}/confirmation"),
        400,
        lambda robin, member: robin.put(f"/reservations/seats/{desk_confirmed(robin)}/confirmation", json={}),
    ),
    Failure(
        ("POST", "/spaces/{space_id}/presence"),
        400,
        lambda robin, member: robin.post(f"/spaces/{HUDSON}/presence", json={"user_id": 2, "session_ttl": 0}),
    ),
    Failure(
        ("POST", "/spaces/{space_id}/presence"),
        403,
        lambda robin, member: member.post(f"/spaces/{HUDSON}/presence", json={"user_id": 1}),
    ),
    Failure(("GET", "/spaces/{space_id}/presence"), 404, lambda robin, member: robin.get("/spaces/999999/presence")),
    Failure(
        ("DELETE", "/spaces/{space_id}/presence"),
        404,
        lambda robin, member: robin.request("DELETE", f"/spaces/{HUDSON}/presence", json={"user_id": 2}),
    ),
    Failure(
        ("POST", "/locations/{location_id}/presence"),
        400,
        lambda robin, member: robin.post("/locations/10/presence", json={"user_id": 2, "device_id": 7}),
    ),
    Failure(("GET", "/locations/{location_id}/presence"), 404, lambda robin, member: robin.get("/locations/999999/presence")),
    Failure(
        ("DELETE", "/locations/{location_id}/presence"),
        403,
        lambda robin, member: member.request("DELETE", "/locations/10/presence", json={"user_id": 1}),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/spaces"),
        400,
        lambda robin, member: robin.post("/insights/exports/organizations/1/spaces", json={"from": EXPORT_RANGE["from"]}),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/spaces"),
        403,
        lambda robin, member: request_export(member, "spaces"),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/spaces"),
        404,
        lambda robin, member: robin.post("/insights/exports/organizations/999999/spaces", json=EXPORT_RANGE),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/spaces"),
        429,
        lambda robin, member: exceed_export_limit(robin, "spaces"),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/desks"),
        400,
        lambda robin, member: robin.post(
            "/insights/exports/organizations/1/desks", json={**EXPORT_RANGE, "from": "2026-03-02T25:00:00"}
        ),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/desks"),
        403,
        lambda robin, member: request_export(member, "desks"),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/desks"),
        404,
        lambda robin, member: robin.post("/insights/exports/organizations/999999/desks", json=EXPORT_RANGE),
    ),
    Failure(
        ("POST", "/insights/exports/organizations/{organization_id}/desks"),
        429,
        lambda robin, member: exceed_export_limit(robin, "desks"),
    ),
    Failure(
        ("GET", "/insights/exports/{export_id}"),
        404,
        lambda robin, member: robin.get(f"/insights/exports/{export_requested(robin)}"),
    ),
]


def test_every_documented_operation_has_a_success_scenario() -> None:
    assert sorted(SUCCESSES) == OPERATIONS


def test_every_documented_success_status_has_a_scenario() -> None:
    documented = {
        (operation, status) for operation in OPERATIONS for status in documented_statuses(operation) if 200 <= status < 300
    }
    first_successes = {(operation, first_success(operation)) for operation in SUCCESSES}
    further = [(success.operation, success.status) for success in FURTHER_SUCCESSES]
    assert first_successes.isdisjoint(further)
    assert first_successes | set(further) == documented


@pytest.mark.parametrize("operation", OPERATIONS, ids=" ".join)
def test_success_matches_the_documented_envelope(robin: RobinClient, operation: Operation) -> None:
    assert_documented(operation, SUCCESSES[operation](robin), first_success(operation))


@pytest.mark.parametrize("success", FURTHER_SUCCESSES, ids=str)
def test_further_success_matches_the_documented_envelope(robin: RobinClient, success: FurtherSuccess) -> None:
    assert_documented(success.operation, success.scenario(robin), success.status)


@pytest.mark.parametrize("failure", FAILURES, ids=str)
def test_error_matches_the_documented_envelope(robin: RobinClient, member: RobinClient, failure: Failure) -> None:
    assert_documented(failure.operation, failure.scenario(robin, member), failure.status)


def test_errors_cover_every_documented_failure_status() -> None:
    documented = {status for operation in OPERATIONS for status in documented_statuses(operation) if status >= 400}
    exercised_elsewhere = {401}
    assert {failure.status for failure in FAILURES} | exercised_elsewhere == documented


@pytest.mark.parametrize("operation", OPERATIONS, ids=" ".join)
def test_missing_token_matches_the_documented_envelope(anonymous: RobinClient, operation: Operation) -> None:
    method, template = operation
    response = anonymous.request(method, template.format(**SAMPLE_PATH_VALUES), json={})
    assert_documented(operation, response, 401)


def test_document_gives_every_operation_a_typed_success_and_no_422() -> None:
    for path, path_item in ROBIN_DOCUMENT["paths"].items():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            name = f"{method.upper()} {path}"
            responses = operation["responses"]
            successes = [status for status in responses if status.startswith("2")]
            assert successes, f"{name} documents no success"
            for status in successes:
                content = responses[status]["content"]
                if CSV in content:
                    # Served as CSV only: documenting a JSON body too would promise one that never comes.
                    assert content == {CSV: {"schema": {"type": "string"}}}, f"{name} {status}"
                else:
                    assert content[JSON]["schema"], f"{name} {status}"
            assert "422" not in responses, f"{name} documents 422"
            for status in (status for status in responses if status.startswith("4")):
                schema = responses[status]["content"][JSON]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, f"{name} {status}"
    assert not {"HTTPValidationError", "ValidationError"} & set(ROBIN_DOCUMENT["components"]["schemas"])


def test_document_bounds_ids_in_keywords_json_schema_knows() -> None:
    """Pydantic writes bounds it cannot place in JSON Schema as `ge`/`le`, which clients ignore."""
    keys: set[str] = set()
    pending: list[Any] = [ROBIN_DOCUMENT]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            keys |= node.keys()
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    assert not {"ge", "gt", "le", "lt"} & keys
    space_id = next(
        parameter["schema"]
        for parameter in ROBIN_DOCUMENT["paths"]["/v1.0/spaces/{space_id}"]["get"]["parameters"]
        if parameter["name"] == "space_id"
    )
    assert space_id["type"] == "integer"
    assert space_id["minimum"] == 0
