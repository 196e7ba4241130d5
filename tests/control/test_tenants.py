"""Tenants: organizations made by copying a template (`POST /_sandbox/organizations`), reset to it
and dropped, through the control plane and both APIs; and what the copy leaves in the store.

A test's tenants live in its demo store, restored to its seed before the next test: a whole-store
reset removes every tenant (see `test_a_whole_store_reset_removes_the_tenants`)."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, text

from sandbox.control import snapshots, tenants
from sandbox.control.snapshots import owned_by, quoted, tracked
from sandbox.core.clock import Clock
from sandbox.core.errors import NotFound
from sandbox.store.engine import Store
from sandbox.store.models import Tenant
from tests.conftest import NOW, KadenceClient, RobinClient, Wall
from tests.control.test_snapshots import EVENT

ORGANIZATIONS = "/_sandbox/organizations"
DEMO_DOMAIN = "meridian.example"
DEMO_NAME = "Meridian Robotics"
RESPONSE_FIELDS = {"id", "ulid", "slug", "name", "template", "clock", "robin", "kadence"}
TOMORROW = (NOW + timedelta(days=1)).strftime("%Y-%m-%dT")


def create(client: Any, **body: Any) -> dict[str, Any]:
    response = client.post(ORGANIZATIONS, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def robin_admin(client: Any, tenant: dict[str, Any]) -> RobinClient:
    """The tenant's administrator on Robin, by the token made for it."""
    (token,) = [item["access_token"] for item in tenant["robin"]["access_tokens"] if item["role"] == "admin"]
    return RobinClient(client, token)


def kadence_client(tenant: dict[str, Any]) -> tuple[str, str]:
    first = tenant["kadence"]["clients"][0]
    return first["client_id"], first["client_secret"]


def kadence_of(client: Any, tenant: dict[str, Any]) -> KadenceClient:
    """The tenant's Kadence client, with a token minted now."""
    return KadenceClient(client, kadence_client(tenant))


def named(kadence: KadenceClient, path: str, name: str) -> str:
    """The id of the member of `path` called `name`, looked up afresh: `seeded_id` keeps the demo
    organization's, which no tenant shares."""
    return str(kadence.find(path, name=name)["id"])


def person(kadence: KadenceClient, local_part: str) -> str:
    (found,) = [user["id"] for user in kadence.members("/users") if user["email"].startswith(f"{local_part}@")]
    return str(found)


def book(kadence: KadenceClient, space: str, start: str, end: str, who: str = "ben.carter") -> dict[str, Any]:
    body = {
        "userId": person(kadence, who),
        "spaceId": named(kadence, "/spaces", space),
        "startDateTime": start,
        "endDateTime": end,
    }
    response = kadence.post("/bookings", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def space_of(robin: RobinClient, organization: int, name: str) -> dict[str, Any]:
    """The space called `name` of the organization's first location, as Robin shows it."""
    location = robin.get(f"/organizations/{organization}/locations").json()["data"][0]["id"]
    spaces = robin.get(f"/locations/{location}/spaces", params={"per_page": 100}).json()["data"]
    (space,) = [item for item in spaces if item["name"] == name]
    response = robin.get(f"/spaces/{space['id']}")
    assert response.status_code == 200, response.text
    return response.json()["data"]  # type: ignore[no-any-return]  # decoded JSON


def book_event(robin: RobinClient, organization: int, space: str) -> dict[str, Any]:
    """A Robin event on the space called `space` of the organization's first location."""
    response = robin.post(f"/spaces/{space_of(robin, organization, space)['id']}/events", json=EVENT)
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]  # decoded JSON


def bookings(kadence: KadenceClient) -> list[tuple[str, str]]:
    return [(booking["id"], booking["status"]) for booking in kadence.members("/bookings")]


def robin_bookings(robin: RobinClient) -> list[str]:
    """Robin's ids of the events of the first location and of the seat reservations, over March."""
    window = {"after": "2026-03-01T00:00:00Z", "before": "2026-04-01T00:00:00Z", "per_page": 100}
    organization = robin.get("/me/organizations").json()["data"][0]["id"]
    location = robin.get(f"/organizations/{organization}/locations").json()["data"][0]["id"]
    events = robin.get(f"/locations/{location}/events", params=window).json()["data"]
    seats = robin.get("/reservations/seats", params=window).json()["data"]
    return [str(item["id"]) for item in [*events, *seats]]


def organization_ids(client: Any) -> list[int]:
    return [item["id"] for item in client.get(ORGANIZATIONS).json()]


def rows_owned(store: Store, organization: int, *, in_snapshot: int | None = None) -> dict[str, int]:
    """How many rows of each workplace table belong to the organization: in the live tables, or in
    a snapshot's copies of them."""

    def table(name: str) -> str:
        return quoted(store, name) if in_snapshot is None else snapshots.copy_name(store, in_snapshot, name)

    with store.engine.connect() as connection:
        return {
            workplace.name: connection.execute(
                text(f"SELECT COUNT(*) FROM {table(workplace.name)} WHERE {owned_by(store, workplace, table)}"),
                {"organization": organization},
            ).scalar_one()
            for workplace in snapshots.workplace_tables()
        }


def selected(store: Store, table: Table, columns: list[str], organization: int, named: Callable[[str], str]) -> list[Any]:
    """The `columns` of the organization's rows of `table`, read from the tables `named` names, in
    a stable order."""
    statement = (
        f"SELECT {', '.join(quoted(store, column) for column in columns)} FROM {named(table.name)} "
        f"WHERE {owned_by(store, table, named)}"
    )
    with store.engine.connect() as connection:
        return sorted((tuple(row) for row in connection.execute(text(statement), {"organization": organization})), key=repr)


def column_values(store: Store, organization: int, table_name: str, column: str) -> list[Any]:
    """One column of the organization's rows of a live table."""
    (table,) = [table for table in snapshots.workplace_tables() if table.name == table_name]
    return [row[0] for row in selected(store, table, [column], organization, lambda name: quoted(store, name))]


def outside_references(store: Store, organization: int) -> tuple[int, list[str]]:
    """How many references the organization's rows make, table by table and column by column, and
    those that name a row that is missing or belongs to someone else."""
    workplace = {table.name: table for table in snapshots.workplace_tables()}
    checked, strays = 0, []
    with store.engine.connect() as connection:
        for table in workplace.values():
            mine = owned_by(store, table, lambda name: quoted(store, name))
            for key in table.foreign_keys:
                parent = key.column.table
                if parent.name not in workplace:
                    continue
                theirs = owned_by(store, parent, lambda name: quoted(store, name))
                column = quoted(store, key.parent.name)
                counted = connection.execute(
                    text(
                        f"SELECT COUNT({column}), COUNT({column}) - COUNT(CASE WHEN {column} IN "
                        f"(SELECT {quoted(store, key.column.name)} FROM {quoted(store, parent.name)} WHERE {theirs}) "
                        f"THEN 1 END) FROM {quoted(store, table.name)} WHERE {mine}"
                    ),
                    {"organization": organization},
                ).one()
                checked += counted[0]
                if counted[1]:
                    strays.append(f"{table.name}.{key.parent.name}: {counted[1]} of {counted[0]}")
    return checked, strays


# Creating


def test_a_new_tenant_answers_its_organization_template_clock_and_credentials(client):
    response = client.post(ORGANIZATIONS, json={})

    assert response.status_code == 201
    tenant = response.json()
    assert set(tenant) == RESPONSE_FIELDS
    assert tenant["id"] not in (0, 1)
    assert tenant["slug"].startswith("meridian-")
    assert tenant["name"] == DEMO_NAME
    assert tenant["template"] == {"snapshot": "seed", "preset": None, "organization_id": 1}
    assert tenant["clock"]["organization"]["id"] == tenant["id"]
    assert tenant["robin"]["base_url"].endswith("/v1.0")
    assert tenant["kadence"]["token_url"].endswith("/oauth2/token")
    # One token for each of the demo's (Ada, the administrator; Ben, a member), one client for its one.
    assert sorted((item["email"], item["role"]) for item in tenant["robin"]["access_tokens"]) == [
        (f"ada.okafor@{tenant['slug']}.{DEMO_DOMAIN}", "admin"),
        (f"ben.carter@{tenant['slug']}.{DEMO_DOMAIN}", "member"),
    ]
    assert [(item["email"], item["role"]) for item in tenant["kadence"]["clients"]] == [
        (f"ada.okafor@{tenant['slug']}.{DEMO_DOMAIN}", "admin")
    ]
    listed = {item["id"]: item["tenant"] for item in client.get(ORGANIZATIONS).json()}
    assert listed == {1: False, tenant["id"]: True}


def test_the_dashboards_workplace_shows_the_tenant_with_its_buildings(client):
    tenant = create(client)

    response = client.get("/_sandbox/workplace")

    assert response.status_code == 200
    shown = {item["id"]: (item["tenant"], len(item["buildings"])) for item in response.json()["organizations"]}
    assert shown == {1: (False, 2), tenant["id"]: (True, 2)}


def test_the_tenants_robin_token_sees_the_tenant_alone(client, robin):
    tenant = create(client)
    admin = robin_admin(client, tenant)

    response = admin.get("/me/organizations")

    assert response.status_code == 200
    assert [(item["id"], item["slug"]) for item in response.json()["data"]] == [(tenant["id"], tenant["slug"])]
    assert admin.get("/me").json()["data"]["primary_email"]["email"] == f"ada.okafor@{tenant['slug']}.{DEMO_DOMAIN}"
    assert admin.get("/organizations/1").status_code in (403, 404)
    assert [item["id"] for item in robin.get("/me/organizations").json()["data"]] == [1]


def test_the_tenant_and_its_credentials_are_dated_by_the_sandboxs_real_time(client, wall: Wall):
    wall.advance(days=3)

    tenant = create(client)

    admin = robin_admin(client, tenant)
    (organization,) = admin.get("/me/organizations").json()["data"]
    assert organization["created_at"] == organization["updated_at"] == "2026-03-05T14:00:00+0000"
    assert admin.get("/auth").json()["data"]["created_at"] == "2026-03-05T14:00:00+0000"


def test_the_tenants_kadence_client_lists_copies_of_the_templates_buildings(client, kadence):
    tenant = create(client)
    first = tenant["kadence"]["clients"][0]

    minted = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": first["client_id"], "client_secret": first["client_secret"]},
    )

    assert minted.status_code == 200, minted.text
    ours = KadenceClient(client, None)
    ours.headers = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    buildings = ours.members("/buildings")
    demo = kadence.members("/buildings")
    assert sorted(item["name"] for item in buildings) == sorted(item["name"] for item in demo)
    assert len(buildings) == len(demo) == 2
    assert not {item["id"] for item in buildings} & {item["id"] for item in demo}
    assert person(ours, "ada.okafor") == first["user_id"]


def test_every_workplace_table_holds_as_many_rows_for_the_tenant_as_the_seed_for_its_template(client, store):
    seed = snapshots.find(store, snapshots.SEED)
    tenant = create(client)

    copied = rows_owned(store, tenant["id"])
    template = rows_owned(store, 1, in_snapshot=seed.id)

    assert copied.pop(Tenant.__tablename__) == 1
    assert template.pop(Tenant.__tablename__) == 0
    assert copied == template
    assert sum(template.values()) > 500
    assert sum(1 for count in template.values() if count) > 15


def test_the_tenants_rows_have_ids_ulids_and_calendar_names_of_their_own(client, store):
    tenant = create(client)

    checked = []
    for table in snapshots.workplace_tables():
        for column in ("id", "ulid", "uid", "remote_event_id", "calendar_email"):
            if column not in table.c or (column == "id" and not tracked(table)):
                continue
            ours = [value for value in column_values(store, tenant["id"], table.name, column) if value is not None]
            theirs = column_values(store, 1, table.name, column)
            assert len(set(ours)) == len(ours), f"{table.name}.{column} repeats"
            assert not set(ours) & set(theirs), f"{table.name}.{column} shared with the template"
            checked += [f"{table.name}.{column}"] if ours else []
    assert {"reservation.uid", "resource.calendar_email", "user.ulid", "reservation.id"} <= set(checked)


def test_the_tenants_references_name_its_own_rows(client, store):
    tenant = create(client)

    checked, strays = outside_references(store, tenant["id"])

    assert strays == []
    assert checked > 1000
    occurrences = column_values(store, tenant["id"], "occurrence", "reservation_id")
    assert occurrences
    assert set(occurrences) <= set(column_values(store, tenant["id"], "reservation", "id"))
    if store.is_sqlite:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []


# The copy, at the store

NOT_COPIED = {"organization", "access_token", "api_client", "oauth_token", "export_job", "export_chunk", "tenant"}
"""Tables the template's rows are not copied from: the organization and its credentials are the
tenant's own, and what was asked of the template (its exports) is not the tenant's."""


def test_a_tenants_ids_and_references_are_the_templates_moved_by_each_tables_offset(store, wall: Wall):
    made = tenants.create(store, Clock(wall), tenants.Template())
    offsets = made.tenant.offsets
    seed = snapshots.find(store, snapshots.SEED)

    compared = 0
    for table in snapshots.workplace_tables():
        moved = {"id": table.name} if tracked(table) else {}
        moved |= {key.parent.name: key.column.table.name for key in table.foreign_keys if key.column.table.name in offsets}
        if table.name in NOT_COPIED or not moved:
            continue
        template = selected(store, table, list(moved), 1, lambda name: snapshots.copy_name(store, seed.id or 0, name))
        copied = selected(store, table, list(moved), made.organization.id or 0, lambda name: quoted(store, name))
        shifts = [offsets.get(target, 0) for target in moved.values()]
        expected = [
            tuple(None if value is None else value + shift for value, shift in zip(row, shifts, strict=True)) for row in template
        ]
        assert copied == sorted(expected, key=repr), table.name
        compared += len(copied)
    assert compared > 500


def test_a_tenants_ulids_keep_the_templates_time_and_end_around_its_code(store, wall: Wall):
    made = tenants.create(store, Clock(wall), tenants.Template())
    code = made.tenant.code

    for table in snapshots.workplace_tables():
        if "ulid" not in table.c or table.name in NOT_COPIED:
            continue
        template = column_values(store, 1, table.name, "ulid")
        copied = column_values(store, made.organization.id or 0, table.name, "ulid")
        assert sorted(copied) == sorted(ulid[:10] + code + ulid[16:] for ulid in template), table.name


def test_only_a_tenant_is_reset_to_a_template_or_dropped(store, wall: Wall):
    made = tenants.create(store, Clock(wall), tenants.Template(snapshot=snapshots.SEED, organization="meridian"))

    assert tenants.is_tenant(store, made.organization.id or 0)
    assert not tenants.is_tenant(store, 1)
    with pytest.raises(NotFound):
        tenants.reset(store, 1)
    with pytest.raises(snapshots.Refused):
        tenants.drop(store, 1)
    tenants.drop(store, made.organization.id or 0)
    assert not tenants.is_tenant(store, made.organization.id or 0)


def test_rows_made_after_a_tenant_take_ids_past_its_own(store, wall: Wall, robin):
    made = tenants.create(store, Clock(wall), tenants.Template())
    organization = made.organization.id or 0

    with store.engine.connect() as connection:
        handed_out = snapshots.last_ids(store, connection)
    for table in made.tenant.offsets:
        assert handed_out[table] >= max(column_values(store, organization, table, "id")), table
    event = book_event(robin, 1, "Hudson")
    assert int(event["id"]) > max(column_values(store, organization, "reservation", "id"))


# Addresses, slug, name and clock


def test_the_tenants_people_have_addresses_under_its_slug(client, kadence):
    tenant = create(client)
    domain = f"{tenant['slug']}.{DEMO_DOMAIN}"

    people = [user["email"] for user in kadence_of(client, tenant).members("/users")]

    demo = [user["email"] for user in kadence.members("/users")]
    assert sorted(people) == sorted(email.replace(f"@{DEMO_DOMAIN}", f"@{domain}") for email in demo)
    assert all(email.endswith(f"@{domain}") for email in people)


def test_the_tenants_guests_keep_their_addresses(client, kadence):
    tenant = create(client)
    domain = f"{tenant['slug']}.{DEMO_DOMAIN}"

    visitors = sorted(visitor["email"] for visitor in kadence_of(client, tenant).members("/visitors"))

    demo = [visitor["email"] for visitor in kadence.members("/visitors")]
    assert visitors == sorted(email.replace(f"@{DEMO_DOMAIN}", f"@{domain}") for email in demo)
    guests = [email for email in visitors if not email.endswith(f"@{domain}")]
    assert "nadia.shah@acme-logistics.example" in guests
    assert guests == sorted(email for email in demo if not email.endswith(f"@{DEMO_DOMAIN}"))


def test_every_address_of_the_tenant_is_the_templates_moved_or_kept(client, store):
    tenant = create(client)
    moved = f"@{tenant['slug']}.{DEMO_DOMAIN}"

    for table, columns in {
        "user": ("email",),
        "reservation": ("organizer_email", "creator_email"),
        "invitee": ("email",),
        "visitor": ("email",),
    }.items():
        for column in columns:
            template = column_values(store, 1, table, column)
            expected = [value.replace(f"@{DEMO_DOMAIN}", moved) if value else value for value in template]
            assert sorted(column_values(store, tenant["id"], table, column), key=str) == sorted(expected, key=str), (
                f"{table}.{column}"
            )


def test_the_tenants_spaces_have_calendars_named_after_it(client):
    tenant = create(client)
    robin = robin_admin(client, tenant)

    hudson = space_of(robin, tenant["id"], "Hudson")
    calendar = robin.get(f"/spaces/{hudson['id']}/calendar")

    assert calendar.status_code == 200
    assert calendar.json()["data"]["calendar_id"] == f"{tenant['slug']}-space-{hudson['id']}@resource.calendar.google.com"


def test_a_slug_and_a_name_given_are_the_tenants(client):
    tenant = create(client, slug="worker-gw0", name="Worker Zero Inc")
    admin = robin_admin(client, tenant)

    organization = admin.get("/me/organizations").json()["data"][0]

    assert (tenant["slug"], tenant["name"]) == ("worker-gw0", "Worker Zero Inc")
    assert (organization["slug"], organization["name"]) == ("worker-gw0", "Worker Zero Inc")
    assert admin.get("/me").json()["data"]["primary_email"]["email"] == f"ada.okafor@worker-gw0.{DEMO_DOMAIN}"
    assert tenant["kadence"]["clients"][0]["client_id"] == "worker-gw0-client"
    assert client.get("/_sandbox/organizations/worker-gw0/clock").status_code == 200


def test_tenants_made_without_a_slug_get_one_each(client):
    slugs = {create(client)["slug"] for _ in range(3)}

    assert len(slugs) == 3


def snapshot_with_clock(client: Any, change: str, body: dict[str, Any]) -> None:
    """A snapshot `clocked` of the demo, its clock changed (`freeze`, `advance`) as it was taken and
    back on real time since: a tenant's clock is the snapshot's, not the live organization's."""
    assert client.post(f"/_sandbox/organizations/1/clock/{change}", json=body).status_code == 200
    assert client.post("/_sandbox/snapshots", json={"name": "clocked"}).status_code == 201
    assert client.post("/_sandbox/organizations/1/clock/resume", json={}).status_code == 200


def clock_of(client: Any, tenant: dict[str, Any]) -> dict[str, Any]:
    """The tenant's clock as created and as stored, less the real time (which moves between them)."""
    stored = client.get(f"/_sandbox/organizations/{tenant['id']}/clock").json()
    answered = {key: value for key, value in tenant["clock"].items() if key != "real_time"}
    assert {key: value for key, value in stored.items() if key != "real_time"} == answered
    return {key: answered[key] for key in ("mode", "now", "offset_seconds")}


def test_a_tenant_of_the_seed_runs_on_the_templates_clock(client):
    assert clock_of(client, create(client)) == {"mode": "real", "now": "2026-03-02T14:00:00Z", "offset_seconds": 0.0}


def test_a_tenant_of_a_frozen_template_is_frozen_at_the_same_instant(client, wall: Wall):
    snapshot_with_clock(client, "freeze", {"at": "2030-01-01T09:00:00Z"})
    wall.advance(hours=5)

    tenant = create(client, template={"snapshot": "clocked"})

    assert clock_of(client, tenant) == {"mode": "frozen", "now": "2030-01-01T09:00:00Z", "offset_seconds": 0.0}


def test_a_tenant_of_a_shifted_template_is_as_far_from_real_time(client, wall: Wall):
    snapshot_with_clock(client, "advance", {"by": "P2D"})
    wall.advance(hours=5)

    tenant = create(client, template={"snapshot": "clocked"}, clock={"mode": "template"})

    assert clock_of(client, tenant) == {"mode": "shifted", "now": "2026-03-04T19:00:00Z", "offset_seconds": 172800.0}


def test_a_tenant_on_real_time_ignores_the_templates_clock(client, wall: Wall):
    snapshot_with_clock(client, "advance", {"by": "P2D"})
    wall.advance(hours=5)

    tenant = create(client, template={"snapshot": "clocked"}, clock={"mode": "real"})

    assert clock_of(client, tenant) == {"mode": "real", "now": "2026-03-02T19:00:00Z", "offset_seconds": 0.0}


def test_a_frozen_tenant_stops_where_the_templates_clock_reads(client, wall: Wall):
    snapshot_with_clock(client, "advance", {"by": "P2D"})
    wall.advance(hours=5)

    tenant = create(client, template={"snapshot": "clocked"}, clock={"mode": "frozen"})
    wall.advance(hours=1)

    assert clock_of(client, tenant) == {"mode": "frozen", "now": "2026-03-04T19:00:00Z", "offset_seconds": 0.0}


def test_a_frozen_tenant_stops_at_the_instant_given(client):
    tenant = create(client, clock={"mode": "frozen", "at": "2027-06-01T12:30:00+02:00"})

    assert clock_of(client, tenant) == {"mode": "frozen", "now": "2027-06-01T10:30:00Z", "offset_seconds": 0.0}


# Reset


def test_a_reset_puts_the_tenant_back_as_it_was_made(client):
    tenant = create(client)
    robin = robin_admin(client, tenant)
    kadence = kadence_of(client, tenant)
    seeded = bookings(kadence)
    seeded_robin = robin_bookings(robin)
    (cancelled, _) = next(item for item in seeded if item[1] == "booked")
    desk = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    event = book_event(robin, tenant["id"], "Hudson")
    assert kadence.post(f"/bookings/{cancelled}/cancel", json={}).status_code == 201
    assert client.post(f"/_sandbox/organizations/{tenant['id']}/clock/advance", json={"by": "P3D"}).status_code == 200

    response = client.post(f"/_sandbox/organizations/{tenant['id']}/reset")

    assert response.status_code == 204
    assert kadence.get(f"/bookings/{desk['id']}").status_code == 404
    assert robin.get(f"/events/{event['id']}").status_code == 404
    assert kadence.get(f"/bookings/{cancelled}").json()["status"] == "booked"
    assert bookings(kadence) == seeded
    assert robin_bookings(robin) == seeded_robin
    assert clock_of(client, tenant) == {"mode": "real", "now": "2026-03-02T14:00:00Z", "offset_seconds": 0.0}
    # The token minted before the reset, the client and the Robin token all still work.
    assert kadence.get("/buildings").status_code == 200
    assert kadence_of(client, tenant).get("/buildings").status_code == 200
    assert robin.get("/me").status_code == 200


def test_a_reset_keeps_the_tenants_ids(client):
    tenant = create(client)
    kadence = kadence_of(client, tenant)
    robin = robin_admin(client, tenant)
    places = {path: kadence.members(path) for path in ("/buildings", "/floors", "/spaces", "/users", "/visits")}
    me = robin.get("/me").json()["data"]
    hudson = space_of(robin, tenant["id"], "Hudson")
    book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert robin.patch(f"/spaces/{hudson['id']}", json={"name": "Renamed", "capacity": 3}).status_code == 200
    assert kadence.find("/spaces", name="Renamed")

    assert client.post(f"/_sandbox/organizations/{tenant['slug']}/reset").status_code == 204

    assert {path: kadence.members(path) for path in places} == places
    assert robin.get("/me").json()["data"] == me
    assert robin.get(f"/spaces/{hudson['id']}").json()["data"] == hudson


def test_a_second_reset_undoes_what_was_written_since_the_first(client):
    tenant = create(client)
    kadence = kadence_of(client, tenant)
    seeded = bookings(kadence)
    book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204
    again = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    cancelled = next(booking for booking, status in seeded if status == "booked")
    assert kadence.post(f"/bookings/{cancelled}/cancel", json={}).status_code == 201

    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204

    assert kadence.get(f"/bookings/{again['id']}").status_code == 404
    assert bookings(kadence) == seeded


def test_a_reset_leaves_other_tenants_and_the_seeded_organization_alone(client, robin, kadence):
    tenant, other = create(client), create(client)
    ours, theirs = kadence_of(client, tenant), kadence_of(client, other)
    mine = book(ours, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    kept = book(theirs, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    kept_event = book_event(robin_admin(client, other), other["id"], "Hudson")
    demo = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    demo_event = book_event(robin, 1, "Hudson")
    assert client.post(f"/_sandbox/organizations/{other['id']}/clock/advance", json={"by": "PT10M"}).status_code == 200
    before = {"other": bookings(theirs), "demo": bookings(kadence)}

    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204

    assert ours.get(f"/bookings/{mine['id']}").status_code == 404
    assert theirs.get(f"/bookings/{kept['id']}").json()["status"] == "booked"
    assert kadence.get(f"/bookings/{demo['id']}").json()["status"] == "booked"
    assert robin_admin(client, other).get(f"/events/{kept_event['id']}").status_code == 200
    assert robin.get(f"/events/{demo_event['id']}").status_code == 200
    assert {"other": bookings(theirs), "demo": bookings(kadence)} == before
    assert client.get(f"/_sandbox/organizations/{other['id']}/clock").json()["now"] == "2026-03-02T14:10:00Z"


def test_a_reset_clears_the_tenants_own_fault_rules_and_journal_in_the_same_call(client, robin):
    tenant, other = create(client), create(client)
    ours, theirs = robin_admin(client, tenant), robin_admin(client, other)
    event = book_event(ours, tenant["id"], "Hudson")
    book_event(theirs, other["id"], "Hudson")
    for organization in (tenant, other):
        rule = {"path": "/v1.0/nothing", "effect": "error", "organization": str(organization["id"])}
        assert client.post("/_sandbox/faults", json=rule).status_code == 201

    response = client.post(f"/_sandbox/organizations/{tenant['slug']}/reset?clear=faults&clear=journal")

    assert response.status_code == 204
    assert ours.get(f"/events/{event['id']}").status_code == 404
    assert [rule["organization"]["id"] for rule in client.get("/_sandbox/faults").json()] == [other["id"]]
    assert client.get(f"/_sandbox/journal?organization={other['id']}").json()["entries"]
    assert [entry["path"] for entry in client.get(f"/_sandbox/journal?organization={tenant['id']}").json()["entries"]] == [
        f"/v1.0/events/{event['id']}"
    ]


def test_resetting_the_seeded_organization_leaves_the_tenants_alone(client, robin):
    tenant = create(client)
    kadence = kadence_of(client, tenant)
    kept = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    gone = book_event(robin, 1, "Hudson")

    assert client.post("/_sandbox/organizations/meridian/reset").status_code == 204

    assert robin.get(f"/events/{gone['id']}").status_code == 404
    assert kadence.get(f"/bookings/{kept['id']}").json()["status"] == "booked"
    assert robin_admin(client, tenant).get("/me").status_code == 200


# Drop


def assert_no_credential_works(client: Any, tenant: dict[str, Any], robin: RobinClient, kadence: KadenceClient) -> None:
    """Its Robin token, its Kadence bearer and its client's secret are all refused."""
    assert robin.get("/me").status_code == 401
    assert kadence.get("/buildings").status_code == 401
    client_id, secret = kadence_client(tenant)
    minted = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert minted.status_code == 401
    assert minted.json()["error"] == "invalid_client"


def test_a_dropped_tenant_leaves_no_row_and_no_working_credential(client, store):
    tenant = create(client)
    robin = robin_admin(client, tenant)
    kadence = kadence_of(client, tenant)
    book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert robin.get("/me").status_code == kadence.get("/buildings").status_code == 200

    response = client.delete(f"{ORGANIZATIONS}/{tenant['id']}")

    assert response.status_code == 204
    assert_no_credential_works(client, tenant, robin, kadence)
    assert {table: count for table, count in rows_owned(store, tenant["id"]).items() if count} == {}
    assert organization_ids(client) == [1]
    assert client.get(f"/_sandbox/organizations/{tenant['slug']}/clock").status_code == 404


def test_a_dropped_tenant_takes_its_journal_entries_with_it(client, robin):
    tenant = create(client)
    robin_admin(client, tenant).get("/me")
    robin.get("/me")

    assert client.delete(f"{ORGANIZATIONS}/{tenant['slug']}").status_code == 204

    entries = client.get("/_sandbox/journal").json()["entries"]
    assert [(entry["organization_id"], entry["path"]) for entry in entries] == [(1, "/v1.0/me")]


def test_a_slug_freed_by_a_drop_makes_a_tenant_the_old_credentials_do_not_reach(client):
    dropped = create(client, slug="again")
    old_robin, old_kadence = robin_admin(client, dropped), kadence_of(client, dropped)
    assert client.delete(f"{ORGANIZATIONS}/again").status_code == 204

    again = create(client, slug="again")

    assert again["kadence"]["clients"][0]["client_id"] == dropped["kadence"]["clients"][0]["client_id"]
    assert old_robin.get("/me").status_code == old_kadence.get("/buildings").status_code == 401
    client_id, secret = kadence_client(dropped)
    stale = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    assert stale.status_code == 401
    assert robin_admin(client, again).get("/me").status_code == 200
    assert kadence_of(client, again).get("/buildings").status_code == 200


def test_dropping_one_tenant_leaves_another_working(client):
    dropped, kept = create(client), create(client)
    kadence = kadence_of(client, kept)

    assert client.delete(f"{ORGANIZATIONS}/{dropped['ulid']}").status_code == 204

    assert robin_admin(client, kept).get("/me").status_code == 200
    assert kadence.get("/buildings").status_code == 200
    assert organization_ids(client) == [1, kept["id"]]


def test_the_seeded_organization_cannot_be_dropped(client, robin):
    response = client.delete(f"{ORGANIZATIONS}/meridian")

    assert response.status_code == 409
    assert set(response.json()) == {"error"}
    assert "only tenants are dropped" in response.json()["error"]
    assert organization_ids(client) == [1]
    assert robin.get("/me").status_code == 200


@pytest.mark.parametrize("organization", ["nowhere", "999", "01ARZ3NDEKTSV4RRFFQ69G5FAV"])
def test_dropping_an_unknown_organization_answers_404(client, organization):
    response = client.delete(f"{ORGANIZATIONS}/{organization}")

    assert response.status_code == 404
    assert organization in response.json()["error"]


def test_a_tenant_dropped_twice_answers_404_the_second_time(client):
    tenant = create(client)
    assert client.delete(f"{ORGANIZATIONS}/{tenant['id']}").status_code == 204

    assert client.delete(f"{ORGANIZATIONS}/{tenant['id']}").status_code == 404


# Refusals


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"slug": "Upper-Case"}, 422, "slug"),
        ({"slug": "-leading-dash"}, 422, "slug"),
        ({"slug": "trailing-dash-"}, 422, "slug"),
        ({"slug": "has.dot"}, 422, "slug"),
        ({"slug": "x" * 49}, 422, "slug"),
        ({"slug": ""}, 422, "slug"),
        ({"slug": "meridian"}, 409, None),
        ({"name": ""}, 422, "name"),
        ({"template": {"preset": "small", "snapshot": "seed"}}, 422, "template"),
        ({"template": {"preset": "small", "organization": "meridian"}}, 422, "template"),
        ({"template": {"preset": "huge"}}, 422, "template.preset"),
        ({"template": {"snapshot": "never-saved"}}, 404, None),
        ({"template": {"snapshot": "bad name"}}, 422, "template"),
        ({"template": {"organization": "nowhere"}}, 404, None),
        ({"template": {"organization": "99"}}, 404, None),
        ({"clock": {"mode": "real", "at": "2027-01-01T00:00:00Z"}}, 422, "clock"),
        ({"clock": {"mode": "template", "at": "2027-01-01T00:00:00Z"}}, 422, "clock"),
        ({"clock": {"mode": "frozen", "at": 1700000000}}, 422, "clock.at"),
        ({"clock": {"mode": "sideways"}}, 422, "clock.mode"),
        ({"colour": "blue"}, 422, "colour"),
        ({"template": {"snapshot": "seed", "colour": "blue"}}, 422, "template.colour"),
        ({"clock": {"mode": "real", "speed": 2}}, 422, "clock.speed"),
    ],
)
def test_a_refused_request_stores_nothing(client, store, body, status, field):
    before = rows_owned(store, 1)

    response = client.post(ORGANIZATIONS, json=body)

    assert response.status_code == status, response.text
    assert response.json()["error"]
    if field is not None:
        assert any(problem["field"].startswith(field) for problem in response.json()["problems"]), response.json()
    assert organization_ids(client) == [1]
    assert rows_owned(store, 1) == before
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM access_token").scalar_one() == before["access_token"]


@pytest.mark.damages_store
def test_a_taken_slug_is_refused_before_a_preset_is_generated(client, store, monkeypatch):
    import sandbox.seeding

    generated = []
    monkeypatch.setattr(sandbox.seeding, "load_seed", lambda *args: generated.append(args))

    response = client.post(ORGANIZATIONS, json={"slug": "meridian", "template": {"preset": "large"}})

    assert response.status_code == 409
    assert generated == []
    assert store.meta("template_large") is None


def test_a_slug_taken_by_a_tenant_is_refused(client):
    create(client, slug="taken")

    response = client.post(ORGANIZATIONS, json={"slug": "taken"})

    assert response.status_code == 409
    assert "taken" in response.json()["error"]
    assert len(organization_ids(client)) == 2


def test_a_body_that_is_not_json_is_refused(client):
    response = client.post(ORGANIZATIONS, content=b"{", headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert organization_ids(client) == [1]


# Templates


def test_a_tenant_of_a_snapshot_copies_the_organization_as_the_snapshot_holds_it(client, kadence):
    booking = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert client.post("/_sandbox/snapshots", json={"name": "with-booking"}).status_code == 201
    assert kadence.post(f"/bookings/{booking['id']}/cancel", json={}).status_code == 201

    tenant = create(client, template={"snapshot": "with-booking", "organization": "meridian"})

    assert tenant["template"] == {"snapshot": "with-booking", "preset": None, "organization_id": 1}
    copied = kadence_of(client, tenant)
    tomorrow = {"startDateTime[after]": f"{TOMORROW}00:00:00", "spaceId": named(copied, "/spaces", "A-03")}
    assert [item["status"] for item in copied.members("/bookings", **tomorrow)] == ["booked"]
    assert client.delete(f"{ORGANIZATIONS}/{tenant['id']}").status_code == 204


@pytest.mark.parametrize("key", ["1", "meridian", "01JGXDFAM0CWTC6KB3SXJM8ADQ", "01jgxdfam0cwtc6kb3sxjm8adq"])
def test_the_templates_organization_is_named_by_id_slug_or_ulid(client, key):
    tenant = create(client, template={"snapshot": "seed", "organization": key})

    assert tenant["template"] == {"snapshot": "seed", "preset": None, "organization_id": 1}


def test_a_tenant_can_be_copied_from_a_snapshot_holding_a_tenant(client, store):
    first = create(client, slug="first", name="First")
    book(kadence_of(client, first), "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert client.post("/_sandbox/snapshots", json={"name": "with-first"}).status_code == 201
    held = rows_owned(store, first["id"], in_snapshot=snapshots.find(store, "with-first").id)

    second = create(client, slug="second", template={"snapshot": "with-first", "organization": "first"})

    assert second["name"] == "First"
    assert second["template"]["organization_id"] == first["id"]
    kadence = kadence_of(client, second)
    assert person(kadence, "ada.okafor") == second["kadence"]["clients"][0]["user_id"]
    assert all(user["email"].endswith("@second.first.meridian.example") for user in kadence.members("/users"))
    copied = rows_owned(store, second["id"])
    assert copied.pop("oauth_token") == 1  # The token minted just now; `first`'s are not copied.
    assert held.pop("oauth_token") == 1
    assert copied == held
    tomorrow = {"startDateTime[after]": f"{TOMORROW}00:00:00", "spaceId": named(kadence, "/spaces", "A-03")}
    assert [item["status"] for item in kadence.members("/bookings", **tomorrow)] == ["booked"]
    assert client.post(f"/_sandbox/organizations/{second['id']}/reset").status_code == 204
    assert [item["status"] for item in kadence.members("/bookings", **tomorrow)] == ["booked"]


def test_a_snapshot_a_tenant_was_copied_from_is_kept_until_the_tenant_is_dropped(client):
    assert client.post("/_sandbox/snapshots", json={"name": "base"}).status_code == 201
    tenant = create(client, template={"snapshot": "base"})

    deleted = client.delete("/_sandbox/snapshots/base")
    replaced = client.post("/_sandbox/snapshots", json={"name": "base", "replace": True})

    assert deleted.status_code == replaced.status_code == 409
    assert "copied from snapshot 'base'" in deleted.json()["error"]
    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204
    assert client.delete(f"{ORGANIZATIONS}/{tenant['id']}").status_code == 204
    assert client.delete("/_sandbox/snapshots/base").status_code == 204


def test_a_snapshot_no_tenant_was_copied_from_can_be_replaced_and_deleted(client):
    assert client.post("/_sandbox/snapshots", json={"name": "base"}).status_code == 201
    assert client.post("/_sandbox/snapshots", json={"name": "unused"}).status_code == 201
    create(client, template={"snapshot": "base"})

    assert client.post("/_sandbox/snapshots", json={"name": "unused", "replace": True}).status_code == 201
    assert client.delete("/_sandbox/snapshots/unused").status_code == 204


@pytest.mark.damages_store
def test_tenants_of_a_preset_share_one_generated_workplace(client, store, monkeypatch):
    import sandbox.seeding

    generated = []
    load_seed = sandbox.seeding.load_seed
    monkeypatch.setattr(sandbox.seeding, "load_seed", lambda *args: generated.append(args) or load_seed(*args))

    first = create(client, template={"preset": "small"})
    second = create(client, template={"preset": "small"})

    assert len(generated) == 1
    assert first["template"] == {"snapshot": None, "preset": "small", "organization_id": first["template"]["organization_id"]}
    assert second["template"] == first["template"]
    assert first["id"] != second["id"]
    firsts, seconds = kadence_of(client, first), kadence_of(client, second)
    assert [item["name"] for item in firsts.members("/buildings")] == [item["name"] for item in seconds.members("/buildings")]
    assert firsts.members("/buildings")
    assert robin_admin(client, second).get("/me").status_code == 200
    assert rows_owned(store, first["id"]) == rows_owned(store, second["id"])


@pytest.mark.damages_store
def test_a_tenant_of_a_preset_resets_to_it(client, store):
    tenant = create(client, template={"preset": "small"})
    kadence = kadence_of(client, tenant)
    before = rows_owned(store, tenant["id"])
    seeded = bookings(kadence)
    building, desk = next(
        (building, space)
        for building in kadence.members("/buildings")
        for space in kadence.members("/spaces", buildingId=building["id"])
        if space["type"] == "desk"
    )
    zone = ZoneInfo(building["timeZone"])
    start = datetime.combine(NOW.astimezone(zone).date() + timedelta(days=1), time(11), zone).astimezone(UTC)
    body = {
        "userId": tenant["kadence"]["clients"][0]["user_id"],
        "spaceId": desk["id"],
        "startDateTime": f"{start:%Y-%m-%dT%H:%M:%S}",
        "endDateTime": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}",
    }
    booking = kadence.post("/bookings", json=body)
    assert booking.status_code == 201, booking.text

    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204

    assert kadence.get(f"/bookings/{booking.json()['id']}").status_code == 404
    assert bookings(kadence) == seeded
    assert rows_owned(store, tenant["id"]) == before


def test_restoring_a_snapshot_taken_before_a_tenant_was_made_removes_it(client):
    assert client.post("/_sandbox/snapshots", json={"name": "before"}).status_code == 201
    tenant = create(client)
    robin = robin_admin(client, tenant)
    assert robin.get("/me").status_code == 200

    assert client.post("/_sandbox/snapshots/before/restore").status_code == 200

    assert organization_ids(client) == [1]
    assert robin.get("/me").status_code == 401


def test_restoring_a_snapshot_that_holds_a_tenant_brings_it_back_to_be_reset(client):
    tenant = create(client)
    kadence = kadence_of(client, tenant)
    seeded = bookings(kadence)
    booking = book(kadence, "A-03", f"{TOMORROW}09:00:00", f"{TOMORROW}17:00:00")
    assert client.post("/_sandbox/snapshots", json={"name": "with-tenant"}).status_code == 201
    assert client.delete(f"{ORGANIZATIONS}/{tenant['id']}").status_code == 204

    assert client.post("/_sandbox/snapshots/with-tenant/restore").status_code == 200

    assert kadence_of(client, tenant).get(f"/bookings/{booking['id']}").json()["status"] == "booked"
    assert robin_admin(client, tenant).get("/me").status_code == 200
    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 204
    assert bookings(kadence_of(client, tenant)) == seeded


# A whole-store reset


def test_a_whole_store_reset_removes_the_tenants(client):
    """The store goes back to its seed, which holds no tenant: their credentials stop working."""
    tenant = create(client)
    robin = robin_admin(client, tenant)
    kadence = kadence_of(client, tenant)

    assert client.post("/_sandbox/reset").status_code == 204

    assert organization_ids(client) == [1]
    assert_no_credential_works(client, tenant, robin, kadence)
    assert client.post(f"/_sandbox/organizations/{tenant['id']}/reset").status_code == 404
    assert create(client, slug=tenant["slug"])["slug"] == tenant["slug"]
