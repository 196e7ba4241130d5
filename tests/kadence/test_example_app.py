"""Kadence's official example app, its three pages' calls replayed in the order and form it makes
them.

The app is an Express server whose pages call it, and it calls the API through one wrapper
class: a token from a JSON body (axios posts objects as JSON), then each call with a bearer token,
axios's default Accept header (or none, as a bare HTTP client sends), brackets left unencoded, and
a `?` after every path, bare when the page sent no parameter. Its check-in posts
`application/ld+json`. The floor-plan page fetches each floor's `floorPlanUrl` from the browser,
from the page's own origin, and colours the SVG groups whose ids (`space::<type>::<spaceId>`)
name a space booked today.

"Today" is the demo's NOW, Monday 2 March 2026, in a browser whose clock reads UTC.
"""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DEMO_CLIENT, NOW

pytestmark = pytest.mark.wire

AXIOS_ACCEPT = "application/json, text/plain, */*"
PAGE_ORIGIN = "http://localhost:3000"
TODAY = NOW.date().isoformat()
TOMORROW = (NOW.date() + timedelta(days=1)).isoformat()
SVG = "{http://www.w3.org/2000/svg}"


class ExampleApp:
    """What the app's `Kadence` class sends, one method a call it makes."""

    def __init__(self, client: TestClient, accept: str | None) -> None:
        self.client = client
        self.accept = accept
        answer = client.post(
            "/oauth2/token",
            json={
                "grant_type": "client_credentials",
                "client_id": DEMO_CLIENT[0],
                "client_secret": DEMO_CLIENT[1],
                "scope": "public",
            },
        )
        assert answer.status_code == 200, answer.text
        self.token = answer.json()["access_token"]
        self.calls: list[str] = []

    def headers(self, **more: str) -> dict[str, str]:
        base = {"Authorization": f"Bearer {self.token}"}
        if self.accept is not None:
            base["Accept"] = self.accept
        return {**base, **more}

    def get(self, path_and_query: str) -> dict[str, Any]:
        """GET of a path as the wrapper writes it: `?` and the page's parameters, unencoded."""
        url = f"/v1/public/{path_and_query}"
        self.calls.append(url)
        answer = self.client.get(url, headers=self.headers())
        assert answer.status_code == 200, f"{url}: {answer.text}"
        assert answer.headers["content-type"].startswith("application/ld+json")
        return answer.json()  # type: ignore[no-any-return]  # decoded JSON

    def get_iri(self, iri: str) -> dict[str, Any]:
        """A page's `axios.get(uri)` of an `@id` through the app's item route: the wrapper adds `?`."""
        assert iri.startswith("/v1/public/"), iri
        return self.get(iri.removeprefix("/v1/public/") + "?")

    def check_in(self, booking_id: str, user_id: str, method: str) -> Any:
        url = f"/v1/public/bookings/{booking_id}/check-in?"
        self.calls.append(url)
        return self.client.post(
            url,
            headers=self.headers(**{"Content-Type": "application/ld+json"}),
            json={"userId": user_id, "method": method},
        )


ACCEPTS = pytest.mark.parametrize("accept", [AXIOS_ACCEPT, None], ids=["axios-accept", "no-accept"])


@ACCEPTS
def test_the_list_bookings_page(client: TestClient, accept: str | None) -> None:
    app = ExampleApp(client, accept)
    bookings = app.get(f"bookings?itemsPerPage=200&order[startDateTime]=asc&type=desk&startDateTime[after]={TODAY}T00:00:00Z")
    buildings = {item["@id"]: item for item in app.get("buildings?")["hydra:member"]}
    users = {item["@id"]: item for item in app.get("users?itemsPerPage=100")["hydra:member"]}

    members = bookings["hydra:member"]
    assert members, "the demo has desk bookings from today on"
    starts = [datetime.fromisoformat(booking["startDate"]) for booking in members]
    assert starts == sorted(starts)
    assert min(starts).date().isoformat() >= TODAY
    sources = {"android", "calendar", "ios", "publicApi", "web", "unknown"}
    rows = []
    for booking in members:
        assert booking["type"] == "desk"
        assert booking["source"] in sources
        assert isinstance(booking["permanent"], bool)
        user = users.get(booking["userId"]) or app.get_iri(booking["userId"])
        building = buildings.get(booking["building"]) or app.get_iri(booking["building"])
        rows.append(
            (
                f"{user['firstName']} {user['lastName']}",
                building["name"],
                booking["space"]["floor"]["name"],
                booking["space"]["name"],
            )
        )
    assert all(all(cell.strip() for cell in row) for row in rows)
    assert len({row[0] for row in rows}) > 1


@ACCEPTS
def test_the_check_in_page_checks_a_person_in_once(client: TestClient, accept: str | None) -> None:
    app = ExampleApp(client, accept)
    buildings = {item["@id"]: item for item in app.get("buildings?")["hydra:member"]}

    def submit(email: str, method: str) -> list[tuple[str, str]]:
        """The form's submit handler: each of today's bookings and what became of it."""
        found = app.get(f"users?email={email}")["hydra:member"]
        assert found, email
        user = found[0]
        today = app.get(
            f"users/{user['id']}/bookings?order[startDateTime]=asc"
            f"&startDateTime[local_after]={TODAY}T00:00:00Z&endDateTime[local_before]={TOMORROW}T00:00:00Z"
        )["hydra:member"]
        outcomes = []
        for booking in today:
            building = buildings.get(booking["building"]) or app.get_iri(booking["building"])
            assert building["timeZone"]
            assert building["name"]
            if booking["type"] == "room":
                outcomes.append((booking["id"], "room booking"))
            elif booking["status"] == "checkedIn":
                outcomes.append((booking["id"], "already checked in"))
            elif booking["status"] in ("checkedOut", "completed"):
                outcomes.append((booking["id"], "already completed"))
            elif booking["status"] != "booked":
                outcomes.append((booking["id"], booking["status"]))
            else:
                answer = app.check_in(booking["id"], user["id"], method)
                outcomes.append(
                    (booking["id"], "checked in" if answer.status_code == 201 else answer.json()["hydra:description"])
                )
        return outcomes

    first = submit("diego.alvarez@meridian.example", "doorAccess")
    again = submit("diego.alvarez@meridian.example", "wifi")

    assert [outcome for _, outcome in first] == ["checked in"]
    assert again == [(first[0][0], "already checked in")]
    booking = app.get_iri(f"/v1/public/bookings/{first[0][0]}")
    assert (booking["status"], booking["checkInMethod"]) == ("checkedIn", "doorAccess")


@ACCEPTS
def test_the_floor_plan_page_colours_the_spaces_booked_today(client: TestClient, accept: str | None) -> None:
    app = ExampleApp(client, accept)
    buildings = app.get("buildings?")["hydra:member"]
    booked_anywhere = available_anywhere = 0
    for building in buildings:
        floors = app.get(f"floors?buildingId={building['id']}")["hydra:member"]
        for floor in floors:
            assert floor["floorPlanUrl"].startswith(("http://", "https://")), "the browser fetches it from another origin"
            plan = client.get(floor["floorPlanUrl"], headers={"Accept": AXIOS_ACCEPT, "Origin": PAGE_ORIGIN})
            assert plan.status_code == 200, floor["floorPlanUrl"]
            assert plan.headers["access-control-allow-origin"] == "*"
            bookings = app.get(
                f"bookings?itemsPerPage=500&floorId={floor['id']}&order[startDateTime]=asc"
                f"&startDateTime[local_after]={TODAY}T00:00:00Z&startDateTime[local_before]={TODAY}T23:59:59Z"
            )["hydra:member"]
            booked_ids = {booking["space"]["id"] for booking in bookings}

            groups = [group for group in ET.fromstring(plan.text).iter(f"{SVG}g") if group.get("id", "").startswith("space::")]
            colour = {group.get("id", "").split("::")[2]: group.get("id", "").split("::")[2] in booked_ids for group in groups}

            spaces = {space["id"]: space for space in app.get(f"spaces?floorId={floor['id']}&itemsPerPage=500")["hydra:member"]}
            assert set(colour) == set(spaces), floor["name"]
            assert booked_ids <= set(colour), f"{floor['name']}: a booked space is missing from its plan"
            for group in groups:
                _, kind, space = group.get("id", "").split("::")
                assert kind == spaces[space]["type"]
            booked_anywhere += sum(colour.values())
            available_anywhere += sum(not booked for booked in colour.values())
    assert booked_anywhere
    assert available_anywhere


def test_the_booking_cli_books_a_row_of_its_csv(client: TestClient) -> None:
    """The example repository's booking CLI: an axios instance with `Accept: application/json,
    application/ld+json`, filters by `building.id` and `floor.id` as axios writes its params, a
    person by encoded email, the building's time zone, then one booking per CSV row with
    `toISOString()` times (milliseconds and Z)."""
    app = ExampleApp(client, "application/json, application/ld+json")
    building = next(item for item in app.get("buildings")["hydra:member"] if item["name"] == "Meridian HQ New York")
    floors = app.get(f"floors?building.id={building['id']}")["hydra:member"]
    spaces = [space for floor in floors for space in app.get(f"spaces?floor.id={floor['id']}")["hydra:member"]]
    desk = next(space for space in spaces if space["type"] == "desk" and space["name"] == "A-04")
    person = app.get("users?email=ben.carter%40meridian.example")["hydra:member"][0]
    assert app.get(f"buildings/{building['id']}")["timeZone"] == "America/New_York"

    answer = client.post(
        "/v1/public/bookings",
        headers=app.headers(**{"Content-Type": "application/json"}),
        json={
            "userId": person["id"],
            "spaceId": desk["id"],
            "startDateTime": "2026-03-03T14:00:00.000Z",
            "endDateTime": "2026-03-03T21:00:00.000Z",
        },
    )

    assert answer.status_code == 201, answer.text
    booked = answer.json()
    assert answer.headers["location"] == booked["@id"] == f"/v1/public/bookings/{booked['id']}"
    assert (booked["space"]["id"], booked["startDate"], booked["status"]) == (desk["id"], "2026-03-03T14:00:00+00:00", "booked")
