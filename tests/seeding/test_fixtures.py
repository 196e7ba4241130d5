"""User fixtures: the example office loads and answers through both APIs, and a broken one is
reported as the fixture guide (sandbox/seeding/README.md) says."""

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import true
from sqlmodel import col, select

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.core.ids import seeded_ulid
from sandbox.seeding import FixtureError, load_seed
from sandbox.seeding.fixture import read_fixture
from sandbox.seeding.identity import reservation_ulid
from sandbox.seeding.loader import load
from sandbox.settings import DEMO_FIXTURE, EXAMPLE_FIXTURE, FIXTURE_GUIDE, Settings
from sandbox.store.models import Reservation, ReservationKind, Resource, ResourceKind, User, Visitor
from tests.conftest import NOW, Wall, new_store, settings_for_tests
from tests.inprocess import InProcessClient

EXAMPLE = EXAMPLE_FIXTURE
README = FIXTURE_GUIDE.read_text(encoding="utf-8")


@pytest.fixture
def example() -> TestClient:
    store = new_store()
    load_seed(store, Settings(fixture=EXAMPLE), Clock(Wall(NOW)))
    return InProcessClient(create_app(settings_for_tests(), store=store, clock=Clock(Wall(NOW))))


def test_the_example_office_loads_and_answers_through_robin(example: TestClient) -> None:
    admin = {"Authorization": "Access-Token northwind-admin-token"}

    me = example.get("/v1.0/me", headers=admin)
    events = example.get(
        "/v1.0/locations/1/events",
        params={"after": "2026-03-02T00:00:00Z", "before": "2026-03-06T00:00:00Z"},
        headers=admin,
    )

    assert me.status_code == 200
    assert me.json()["data"]["primary_email"]["email"] == "ines.moreira@northwind.example"
    assert events.status_code == 200
    assert [event["title"] for event in events.json()["data"]] == ["Product weekly", "Supplier visit"]


def test_the_example_office_answers_through_kadence(example: TestClient) -> None:
    token = example.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "northwind-client",
            "client_secret": "northwind-secret",
            "scope": "public",
        },
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}

    buildings = example.get("/v1/public/buildings", headers=headers)
    desks = example.get("/v1/public/bookings", params={"type": "desk"}, headers=headers)

    assert token.status_code == 200
    assert [building["name"] for building in buildings.json()["hydra:member"]] == ["Northwind Lisbon"]
    members = desks.json()["hydra:member"]
    assert [booking["space"]["name"] for booking in members if not booking["permanent"]] == ["P-01", "P-01"]
    # P-04 is assigned to Inês and Mia on weekdays: each assigned day is a permanent booking.
    assert {booking["space"]["name"] for booking in members if booking["permanent"]} == {"P-04"}


def broken(tmp_path: Path, *changes: tuple[list[Any], Any]) -> Path:
    """The example office with the value at each path replaced."""
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    changed = copy.deepcopy(raw)
    for path, value in changes:
        node = changed
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value
    target = tmp_path / "my.json"
    target.write_text(json.dumps(changed), encoding="utf-8")
    return target


def problems(path: Path) -> list[str]:
    with pytest.raises(FixtureError) as refused:
        read_fixture(path)
    return str(refused.value).splitlines()


def test_every_invalid_field_is_named_with_its_entry(tmp_path: Path) -> None:
    path = broken(
        tmp_path,
        (["organizations", 0, "users", 1, "email"], "tom.becker"),
        (["organizations", 0, "buildings", 0, "opening_hours", "SU"], ["18:00", "09:00"]),
    )

    reported = problems(path)

    assert reported[0] == f"{path}: 2 problem(s)"
    assert reported[1].startswith("  organizations[0] ('Northwind Studio').users[1] ('Tom Becker').email: ")
    assert reported[2] == (
        "  organizations[0] ('Northwind Studio').buildings[0] ('Northwind Lisbon').opening_hours: "
        "SU: closes at 09:00, not after it opens at 18:00"
    )
    assert "\n".join(line for line in reported[1:]) in README


def test_a_reference_to_a_missing_user_names_the_entry_that_refers(tmp_path: Path) -> None:
    desks = ["organizations", 0, "buildings", 0, "floors", 1, "spaces", 0, "zones", 0, "desks"]
    path = broken(tmp_path, ([*desks, 2, "assignee"], "nobody@northwind.example"))

    reported = problems(path)

    assert reported[1] == "  organizations[0] ('Northwind Studio'): desk 'P-03': assignee nobody@northwind.example is not a user"
    assert reported[1] in README


def test_assignments_are_of_shared_desks_and_of_users(tmp_path: Path) -> None:
    desks = ["organizations", 0, "buildings", 0, "floors", 1, "spaces", 0, "zones", 0, "desks"]
    assignment = {
        "assignee": "tom.becker@northwind.example",
        "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO;BYHOUR=0;BYMINUTE=0;BYSECOND=0"],
    }
    (tmp_path / "hoteled").mkdir()
    (tmp_path / "nobody").mkdir()

    not_shared = problems(broken(tmp_path / "hoteled", ([*desks, 0, "assignments"], [assignment])))
    nobody = problems(broken(tmp_path / "nobody", ([*desks, 3, "assignments", 0, "assignee"], "nobody@northwind.example")))

    assert "only a shared desk" in not_shared[1]
    assert nobody[1] == "  organizations[0] ('Northwind Studio'): desk 'P-04': assignee nobody@northwind.example is not a user"


def test_an_id_given_twice_names_both_entries(tmp_path: Path) -> None:
    floors = ["organizations", 0, "buildings", 0, "floors"]
    desk = [*floors, 1, "spaces", 0, "zones", 0, "desks", 1]
    amenities = ["organizations", 0, "amenities"]
    path = broken(
        tmp_path,
        ([*floors, 0, "spaces", 0, "id"], 70),
        ([*desk, "id"], 70),
        ([*amenities, 1, "id"], 3),
        ([*amenities, 3, "id"], 3),
    )

    reported = problems(path)

    floor = "organizations[0] ('Northwind Studio').buildings[0] ('Northwind Lisbon').floors"
    assert reported == [
        f"{path}: 2 problem(s)",
        (
            "  organizations[0] ('Northwind Studio').amenities[3] ('Monitor').id: 3 is already the id of amenity "
            "organizations[0] ('Northwind Studio').amenities[1] ('Screen'): "
            "an id names one amenity only, give another or leave it out (the store then gives one)"
        ),
        (
            f"  {floor}[1] ('First floor').spaces[0] ('Open space').zones[0] ('Product').desks[1] ('P-02').id: 70 is already "
            f"the id of space {floor}[0] ('Ground floor').spaces[0] ('Reception'): an id names one space or desk only, "
            "give another or leave it out (the store then gives one)"
        ),
    ]


def test_an_assigned_day_taken_twice_names_the_desk_and_the_assignment(tmp_path: Path) -> None:
    desks = ["organizations", 0, "buildings", 0, "floors", 1, "spaces", 0, "zones", 0, "desks"]
    weekly = ["RRULE:FREQ=WEEKLY;BYDAY=WE;BYHOUR=0;BYMINUTE=0;BYSECOND=0"]
    path = broken(tmp_path, ([*desks, 3, "assignments", 1, "recurrence"], weekly))

    with pytest.raises(FixtureError) as refused:
        load(new_store(), read_fixture(path), Clock(Wall(NOW)), "my.json")

    assert str(refused.value).startswith("desk 'P-04': assignments[1]: The desk is reserved then")


def test_a_booking_the_rules_refuse_names_its_space_and_position_and_stores_nothing(tmp_path: Path) -> None:
    events = ["organizations", 0, "buildings", 0, "floors", 0, "spaces", 1, "events", 1]
    path = broken(tmp_path, ([*events, "day"], 1), ([*events, "start"], "10:30"), ([*events, "end"], "11:30"))
    store = new_store()

    with pytest.raises(FixtureError) as refused:
        load(store, read_fixture(path), Clock(Wall(NOW)), "my.json")

    assert str(refused.value).startswith("space 'Tejo': events[1]: The resource is reserved then (reservation 1, from ")
    with store.session() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM organization").scalar() == 0


def test_every_row_loaded_carries_the_ulid_its_seed_and_id_give() -> None:
    fixture = read_fixture(DEMO_FIXTURE)
    store = new_store()

    load(store, fixture, Clock(Wall(NOW)), "demo.json")

    # Users, spaces and desks have their ids in the fixture; the store numbers visitors.
    # Onsite resources are the core's own, made as any booking's would be.
    loaded = ((User, true()), (Resource, col(Resource.kind) != ResourceKind.ONSITE), (Visitor, true()))
    with store.session() as session:
        for model, condition in loaded:
            rows = session.exec(select(model.id, model.ulid).where(condition).order_by(model.id)).all()
            table = str(model.__tablename__)
            assert rows
            assert rows == [(row_id, seeded_ulid(fixture.seed, table, row_id, fixture.created_at)) for row_id, _ in rows]
        # Visits are guest bookings: their ids are seeded as every seeded reservation's are.
        guests = session.exec(select(Reservation).where(Reservation.kind == ReservationKind.GUEST)).all()
        assert len(guests) == len(fixture.organizations[0].visits)
        assert all(row.ulid == reservation_ulid(fixture.seed, row.id or 0, row.created_at) for row in guests)
