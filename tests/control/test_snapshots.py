"""Snapshots and resets through the control plane: what comes back, what is left alone."""

from typing import Any

import pytest

from sandbox.control import snapshots
from tests.conftest import OTHER_TOKEN, RobinClient
from tests.robin.test_events import DOCUMENTED_BODY

EVENT = {**DOCUMENTED_BODY, "recurrence": None}


def create_event(robin: RobinClient, space: int = 48) -> dict[str, Any]:
    response = robin.post(f"/spaces/{space}/events", json=EVENT)
    assert response.status_code == 201, response.text
    return response.json()["data"]  # type: ignore[no-any-return]  # decoded JSON


def save(client: Any, name: str, **body: Any) -> Any:
    return client.post("/_sandbox/snapshots", json={"name": name, **body})


def test_saved_snapshot_is_listed_with_its_rows(client):
    response = save(client, "before")

    assert response.status_code == 201
    saved = response.json()
    assert saved["name"] == "before"
    assert saved["rows"] > 100
    assert [item["name"] for item in client.get("/_sandbox/snapshots").json()] == ["seed", "before"]
    assert client.get("/_sandbox/snapshots/before").json() == saved


def test_restore_removes_what_was_booked_after_the_snapshot(client, robin):
    save(client, "clean")
    event = create_event(robin)

    response = client.post("/_sandbox/snapshots/clean/restore")

    assert response.status_code == 200
    assert robin.get(f"/events/{event['id']}").status_code == 404


def test_restore_brings_back_what_was_cancelled(client, robin):
    event = create_event(robin)
    save(client, "booked")
    assert robin.delete(f"/events/{event['id']}").status_code == 200

    assert client.post("/_sandbox/snapshots/booked/restore").status_code == 200

    restored = robin.get(f"/events/{event['id']}")
    assert restored.status_code == 200
    assert restored.json()["data"]["title"] == EVENT["title"]


def test_after_a_restore_the_same_requests_get_the_same_ids(client, robin):
    save(client, "clean")
    first = create_event(robin)["id"]
    create_event(robin, space=57)
    client.post("/_sandbox/snapshots/clean/restore")

    again = create_event(robin)["id"]

    assert again == first


def test_restore_brings_back_the_organization_clock(client):
    save(client, "real-time")
    client.post("/_sandbox/organizations/1/clock/freeze", json={"at": "2030-01-01T00:00:00Z"})

    assert client.post("/_sandbox/snapshots/real-time/restore").status_code == 200

    restored = client.get("/_sandbox/organizations/1/clock").json()
    assert restored["mode"] == "real"
    assert restored["now"] == "2026-03-02T14:00:00Z"


def test_saving_over_an_existing_name_needs_replace(client, robin):
    save(client, "state")
    event = create_event(robin)

    refused = save(client, "state")
    replaced = save(client, "state", replace=True)

    assert refused.status_code == 409
    assert "exists" in refused.json()["error"]
    assert replaced.status_code == 201
    client.post("/_sandbox/snapshots/state/restore")
    assert robin.get(f"/events/{event['id']}").status_code == 200


@pytest.mark.parametrize("name", ["", "-leading-dash", "has space", "x" * 65, "slash/name", "line-break\n"])
def test_snapshot_names_are_checked(client, name):
    response = save(client, name)

    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "name"


def test_snapshot_body_is_validated(client):
    assert client.post("/_sandbox/snapshots", json={"title": "x"}).status_code == 422
    assert client.post("/_sandbox/snapshots", content=b"{", headers={"Content-Type": "application/json"}).status_code == 422


def test_deleted_snapshot_is_gone(client):
    save(client, "scratch")

    assert client.delete("/_sandbox/snapshots/scratch").status_code == 204
    assert client.post("/_sandbox/snapshots/scratch/restore").status_code == 404
    assert client.get("/_sandbox/snapshots/scratch").status_code == 404
    assert client.delete("/_sandbox/snapshots/scratch").status_code == 404


def test_the_seed_snapshot_cannot_be_deleted(client):
    response = client.delete("/_sandbox/snapshots/seed")

    assert response.status_code == 409
    assert [item["name"] for item in client.get("/_sandbox/snapshots").json()] == ["seed"]


def test_unknown_snapshot_answers_404(client):
    response = client.post("/_sandbox/snapshots/never-saved/restore")

    assert response.status_code == 404
    assert "never-saved" in response.json()["error"]


def test_reset_returns_the_whole_store_to_its_seed(client, robin):
    event = create_event(robin)
    client.post("/_sandbox/organizations/1/clock/advance", json={"by": "P3D"})

    assert client.post("/_sandbox/reset").status_code == 204

    assert robin.get(f"/events/{event['id']}").status_code == 404
    assert client.get("/_sandbox/organizations/1/clock").json()["mode"] == "real"


def test_restore_leaves_fault_rules_and_the_journal_alone(client, robin):
    save(client, "clean")
    robin.get("/me")
    rule = client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"}).json()

    client.post("/_sandbox/snapshots/clean/restore")

    assert [item["id"] for item in client.get("/_sandbox/faults").json()] == [rule["id"]]
    assert [entry["path"] for entry in client.get("/_sandbox/journal").json()["entries"]] == ["/v1.0/me"]


@pytest.mark.parametrize(
    ("clear", "rules_left", "journal_left"),
    [("clear=faults", False, True), ("clear=journal", True, False), ("clear=faults&clear=journal", False, False)],
)
def test_restore_clears_what_it_is_asked_to_in_the_same_call(client, robin, clear, rules_left, journal_left):
    save(client, "clean")
    event = create_event(robin)
    client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"})

    response = client.post(f"/_sandbox/snapshots/clean/restore?{clear}")

    assert response.status_code == 200
    assert response.json()["name"] == "clean"
    assert robin.get(f"/events/{event['id']}").status_code == 404
    assert bool(client.get("/_sandbox/faults").json()) is rules_left
    # The read of the event above is journaled after the restore, whatever it cleared.
    assert len(client.get("/_sandbox/journal").json()["entries"]) == (2 if journal_left else 1)


@pytest.mark.parametrize("clear", ["", "?clear=journal"])
def test_a_restore_answers_with_the_journal_mark_that_counts_what_comes_after_it(client, robin, clear):
    save(client, "clean")
    robin.get("/me")
    robin.get("/me/organizations")
    newest = client.get("/_sandbox/journal?limit=1").json()["entries"][0]["id"]

    mark = client.post(f"/_sandbox/snapshots/clean/restore{clear}").json()["journal_mark"]
    robin.get("/me")

    assert mark["after"] == (0 if clear else newest)
    counted = client.get("/_sandbox/journal", params={"after": mark["after"], "since": mark["since"]}).json()["entries"]
    assert [entry["path"] for entry in counted] == ["/v1.0/me"]
    assert counted[0]["id"] > newest


@pytest.mark.parametrize("path", ["/_sandbox/reset", "/_sandbox/organizations/meridian/reset"])
@pytest.mark.parametrize(
    "prefer", ["return=representation", 'respond-async, RETURN="representation"; charset=utf-8', "return=minimal", None]
)
def test_a_reset_answers_with_the_journal_mark_where_a_representation_is_preferred(client, robin, path, prefer):
    robin.get("/me/organizations")
    newest = client.get("/_sandbox/journal?limit=1").json()["entries"][0]["id"]

    response = client.post(path, headers={"X-Sandbox-Control": "1", **({"Prefer": prefer} if prefer else {})})
    robin.get("/me")

    if prefer is None or "minimal" in prefer:
        assert (response.status_code, response.content, response.headers.get("preference-applied")) == (204, b"", None)
        return
    assert (response.status_code, response.headers["preference-applied"]) == (200, "return=representation")
    mark = response.json()["journal_mark"]
    assert mark["after"] == newest
    counted = client.get("/_sandbox/journal", params={"after": mark["after"], "since": mark["since"]}).json()["entries"]
    assert [entry["path"] for entry in counted] == ["/v1.0/me"]


def test_a_restore_that_finds_no_snapshot_clears_nothing(client, robin):
    robin.get("/me")
    rule = client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"}).json()

    response = client.post("/_sandbox/snapshots/missing/restore?clear=faults&clear=journal")

    assert response.status_code == 404
    assert [item["id"] for item in client.get("/_sandbox/faults").json()] == [rule["id"]]
    assert [entry["path"] for entry in client.get("/_sandbox/journal").json()["entries"]] == ["/v1.0/me"]


def test_reset_clears_faults_and_journal_in_the_same_call(client, robin):
    event = create_event(robin)
    client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"})

    assert client.post("/_sandbox/reset?clear=faults&clear=journal").status_code == 204

    assert robin.get(f"/events/{event['id']}").status_code == 404
    assert client.get("/_sandbox/faults").json() == []
    assert [entry["method"] for entry in client.get("/_sandbox/journal").json()["entries"]] == ["GET"]


@pytest.mark.damages_store
def test_organization_reset_clears_only_its_own_faults_and_journal(client, robin, store, other_organization):
    snapshots.save(store, snapshots.SEED, replace=True)
    other = RobinClient(client, OTHER_TOKEN)
    ours = create_event(robin)
    create_event(other, space=other_organization["space"])
    elsewhere = other_organization["organization"]
    client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error", "organization": "meridian"})
    kept = client.post(
        "/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error", "organization": str(elsewhere)}
    ).json()

    response = client.post("/_sandbox/organizations/meridian/reset?clear=faults&clear=journal")

    assert response.status_code == 204
    assert [rule["id"] for rule in client.get("/_sandbox/faults").json()] == [kept["id"]]
    assert client.get(f"/_sandbox/journal?organization={elsewhere}").json()["entries"]
    assert client.get("/_sandbox/journal?organization=meridian").json()["entries"] == []
    assert robin.get(f"/events/{ours['id']}").status_code == 404


def test_restore_refuses_to_clear_what_it_does_not_know(client, robin):
    save(client, "clean")
    event = create_event(robin)

    response = client.post("/_sandbox/snapshots/clean/restore?clear=tenants")

    assert response.status_code == 422
    assert "clear" in response.text
    assert robin.get(f"/events/{event['id']}").status_code == 200


@pytest.mark.damages_store
def test_organization_reset_leaves_other_organizations_alone(client, robin, store, other_organization):
    snapshots.save(store, snapshots.SEED, replace=True)
    other = RobinClient(client, OTHER_TOKEN)
    ours = create_event(robin)
    theirs = create_event(other, space=other_organization["space"])

    response = client.post("/_sandbox/organizations/meridian/reset")

    assert response.status_code == 204
    assert robin.get(f"/events/{ours['id']}").status_code == 404
    assert other.get(f"/events/{theirs['id']}").status_code == 200


@pytest.mark.damages_store
def test_organization_reset_restores_its_rows_under_their_ids(client, robin, store, other_organization):
    snapshots.save(store, snapshots.SEED, replace=True)
    before = robin.get("/spaces/48").json()["data"]
    assert robin.patch("/spaces/48", json={"name": "Renamed"}).status_code == 200
    create_event(RobinClient(client, OTHER_TOKEN), space=other_organization["space"])

    client.post(f"/_sandbox/organizations/{other_organization['organization']}/reset")
    client.post("/_sandbox/organizations/1/reset")

    assert robin.get("/spaces/48").json()["data"] == before


@pytest.mark.parametrize("key", ["nowhere", "999999", "99999999999999999999", "01ARZ3NDEKTSV4RRFFQ69G5FAV"])
def test_reset_of_an_unknown_organization_answers_404_and_clears_nothing(client, robin, key):
    robin.get("/me")
    rule = client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"}).json()

    response = client.post(
        f"/_sandbox/organizations/{key}/reset?clear=faults&clear=journal", headers={"Prefer": "return=representation"}
    )

    assert response.status_code == 404
    assert key in response.json()["error"]
    assert [item["id"] for item in client.get("/_sandbox/faults").json()] == [rule["id"]]
    assert [entry["path"] for entry in client.get("/_sandbox/journal").json()["entries"]] == ["/v1.0/me"]


@pytest.mark.damages_store
def test_reset_without_a_seed_snapshot_answers_404(client, store):
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM snapshot")

    response = client.post("/_sandbox/reset")

    assert response.status_code == 404
    assert "seed" in response.json()["error"]
