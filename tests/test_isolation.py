"""One organization's credentials never read or change another organization's data: every
operation of both APIs' documents is called with the other organization's credentials against
the first organization's ids, and the workplace is compared before and after. The pairs: the demo
organization and a second one made in the store; the demo and a tenant copied from it (`POST
/_sandbox/organizations`), each way; two tenants. A tenant holds a copy of the demo's workplace,
with the same names but ids, ULIDs and addresses of its own."""

import json
import re
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.settings import FIXTURES_DIR
from tests.conftest import OTHER_CLIENT, OTHER_TOKEN, KadenceClient, RobinClient
from tests.control.test_snapshot_rules import dump
from tests.control.test_tenants import create, kadence_of, robin_admin
from tests.robin.test_free_busy import documented_example

DOCUMENTS = {
    name: json.loads((FIXTURES_DIR.parent / "openapi" / f"{name}.json").read_text(encoding="utf-8"))
    for name in ("robin", "kadence")
}
METHODS = ("get", "post", "put", "patch", "delete")
NOT_TENANT_DATA = ("/v1/contexts/{name}", "/oauth2/token")
REFUSALS = {400, 401, 403, 404, 405, 415, 422}
EVENT = {
    "title": "Intrusion",
    "start": {"date_time": "2026-03-03T15:00:00Z", "time_zone": "UTC"},
    "end": {"date_time": "2026-03-03T16:00:00Z", "time_zone": "UTC"},
}


def operations(name: str) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in DOCUMENTS[name]["paths"].items()
        if path not in NOT_TENANT_DATA
        for method in item
        if method in METHODS
    ]


def robin_targets(robin: RobinClient) -> dict[str, Any]:
    """Ids of the administrator's organization, found through the administrator: its first
    location, level and space, the first zone of its spaces and that zone's first seat."""
    organization = robin.get("/me/organizations").json()["data"][0]
    location = robin.get(f"/organizations/{organization['id']}/locations").json()["data"][0]["id"]
    spaces = robin.get(f"/locations/{location}/spaces", params={"per_page": 100}).json()["data"]
    zone = next(zone for space in spaces for zone in robin.get(f"/spaces/{space['id']}/zones").json()["data"])
    me = robin.get("/me").json()["data"]
    window = {"after": "2026-03-01T00:00:00Z", "before": "2026-03-20T00:00:00Z"}
    event = robin.get(f"/locations/{location}/events", params=window).json()["data"][0]
    reservation = robin.get("/reservations/seats", params=window).json()["data"][0]
    export = robin.post(
        f"/insights/exports/organizations/{organization['id']}/spaces",
        json={"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-03T00:00:00+00:00"},
    )
    assert export.status_code in (200, 201, 202), export.text
    return {
        "id_or_slug": organization["slug"],
        "organization_id": organization["id"],
        "id_or_slug_or_email": me["primary_email"]["email"],
        "user_id": me["id"],
        "location_id": location,
        "level_id": robin.get(f"/locations/{location}/levels").json()["data"][0]["id"],
        "space_id": spaces[0]["id"],
        "zone_id": zone["id"],
        "seat_id": robin.get(f"/zones/{zone['id']}/seats").json()["data"][0]["id"],
        "slug": "reservation-policies",
        "event_id": event["id"],
        "reservation_id": reservation["id"],
        "export_id": export.json()["data"]["export_id"],
    }


def kadence_targets(kadence: KadenceClient) -> dict[str, Any]:
    booking = kadence.members("/bookings")[0]
    return {
        "building_id": kadence.members("/buildings")[0]["id"],
        "floor_id": kadence.members("/floors")[0]["id"],
        "neighborhood_id": kadence.members("/neighborhoods")[0]["id"],
        "space_id": booking["space"]["id"] if booking.get("space") else kadence.members("/spaces")[0]["id"],
        "user_id": kadence.members("/users")[0]["id"],
        "booking_id": booking["id"],
        "visit_id": kadence.members("/visits")[0]["id"],
        "visitor_id": kadence.members("/visitors")[0]["id"],
        "day_id": "2026-03-03",
    }


def robin_body(method: str, path: str, targets: dict[str, Any]) -> Any:
    if path.endswith("/events") and method == "POST":
        return EVENT
    if path.endswith("/reservations") and method == "POST":
        return {**EVENT, "type": "hoteled"}
    if path == "/v1.0/free-busy/spaces":
        return documented_example()
    if "/insights/exports/organizations/" in path:
        return {"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-03T00:00:00+00:00"}
    if path.endswith("/presence"):
        return {"user_id": targets["user_id"]}
    return {"name": "Taken over", "title": "Taken over"}


def kadence_body(path: str, targets: dict[str, Any]) -> Any:
    return {
        "userId": targets["user_id"],
        "spaceId": targets["space_id"],
        "buildingId": targets["building_id"],
        "startDateTime": "2026-03-03T15:00:00",
        "endDateTime": "2026-03-03T16:00:00",
        "jobTitle": "Taken over",
    }


def fill(path: str, targets: dict[str, Any]) -> str:
    return re.sub(r"{([^}]+)}", lambda match: str(targets[match.group(1)]), path)


def markers(targets: dict[str, Any], *names: str) -> list[str]:
    """What only the first organization's answers hold: `names` (its people's domain, its name)
    and its ULIDs."""
    return [*names, *(str(value) for value in targets.values() if isinstance(value, str) and len(value) == 26)]


def check(response: Any, method: str, path: str, markers: list[str]) -> None:
    where = f"{method} {path}"
    assert response.status_code < 500, where
    if "{" in path:
        assert response.status_code in REFUSALS, f"{where}: {response.status_code} {response.text[:300]}"
    elif response.status_code < 300:
        leaked = [marker for marker in markers if marker in response.text]
        assert not leaked, f"{where} shows {leaked}"


@dataclass(frozen=True)
class Organization:
    """One side of a pair: its administrator's Robin token and Kadence client, and what only its
    answers show."""

    robin: RobinClient
    kadence: KadenceClient
    names: tuple[str, ...]


def tenant(client: Any, slug: str, name: str) -> Organization:
    made = create(client, slug=slug, name=name)
    return Organization(robin_admin(client, made), kadence_of(client, made), (f"@{slug}.meridian.example", name))


PAIRS = ("second-organization", "tenant-into-demo", "demo-into-tenant", "tenant-into-tenant")
"""Whose credentials are used against whose ids."""


def pair_of(
    name: str, client: Any, robin: RobinClient, kadence: KadenceClient, request: Any
) -> tuple[Organization, Organization]:
    """(The organization whose ids are used, the one whose credentials use them.)"""
    if name == "second-organization":
        request.getfixturevalue("other_organization")
        # It shares no name with the demo: "Meridian" anywhere in its answers is a leak. (A
        # tenant's places have the demo's names.)
        return (
            Organization(robin, kadence, ("@meridian.example", "Meridian")),
            Organization(RobinClient(client, OTHER_TOKEN), KadenceClient(client, OTHER_CLIENT), ()),
        )
    demo = Organization(robin, kadence, ("@meridian.example", "Meridian Robotics"))
    if name == "tenant-into-demo":
        return demo, tenant(client, "intruder", "Intruder Co")
    if name == "demo-into-tenant":
        return tenant(client, "harbor", "Harbor Labs"), demo
    return tenant(client, "harbor", "Harbor Labs"), tenant(client, "intruder", "Intruder Co")


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize("api", ["robin", "kadence"])
def test_another_organization_can_neither_read_nor_change_the_first(api, pair, client, robin, kadence, store, request):
    target, intruding = pair_of(pair, client, robin, kadence, request)
    targets = robin_targets(target.robin) if api == "robin" else kadence_targets(target.kadence)
    shown = markers(targets, *target.names)
    intruder: Any = intruding.robin if api == "robin" else intruding.kadence
    before = dump(store)

    called = 0
    for method, path in operations(api):
        relative = fill(path, targets).removeprefix(intruder.prefix)
        body = robin_body(method, path, targets) if api == "robin" else kadence_body(path, targets)
        response = intruder.request(method, relative, **({"json": body} if method != "GET" else {}))
        check(response, method, path, shown)
        called += 1

    after = dump(store)
    changed = {table for table in before if before[table] != after[table]} - {"oauth_token", "presence"}
    assert called == len(operations(api)) > 25
    assert changed == set(), f"the intruder's calls changed {sorted(changed)}"
