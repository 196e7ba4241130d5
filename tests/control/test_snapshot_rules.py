"""Snapshots at the store: a restore gives back every workplace table exactly as it was saved,
however the workplace was changed since and whichever snapshots came between."""

from typing import Any

import pytest
from sqlalchemy import text

from sandbox.control import snapshots
from sandbox.store.engine import Store
from tests.kadence.test_bookings import BEN, booked, done, user_id
from tests.robin.test_events import DOCUMENTED_BODY


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every workplace table, in a stable order."""
    found = {}
    with store.engine.connect() as connection:
        for table in snapshots.workplace_tables():
            rows = connection.execute(table.select()).all()
            found[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return found


def change_everything(robin: Any, kadence: Any) -> None:
    """Writes that touch many tables: inserts, updates and deletes."""
    event = robin.post("/spaces/48/events", json={**DOCUMENTED_BODY, "recurrence": None}).json()["data"]
    assert robin.patch(f"/events/{event['id']}", json={"title": "Renamed"}).status_code == 200
    assert robin.patch("/spaces/50", json={"name": "Elsewhere", "capacity": 3}).status_code == 200
    series = robin.get("/spaces/57/events", params={"after": "2026-03-01T00:00:00Z", "before": "2026-03-20T00:00:00Z"})
    for item in series.json()["data"][:2]:
        robin.delete(f"/events/{item['id']}")
    booking = booked(kadence, BEN, "2026-03-02T14:05:00", "2026-03-02T15:00:00", space="A-03")
    done(kadence, booking, "check-in", userId=user_id(kadence, BEN))
    kadence.post("/oauth2/token", json={})


def test_restore_gives_back_every_table_as_saved(store, robin, kadence):
    snapshots.save(store, "before")
    saved = dump(store)
    change_everything(robin, kadence)
    assert dump(store) != saved

    snapshots.restore(store, "before")

    assert dump(store) == saved


def test_restore_works_in_any_order_between_several_snapshots(store, robin, kadence, client):
    seed = dump(store)
    snapshots.save(store, "first")
    first = dump(store)
    change_everything(robin, kadence)
    snapshots.save(store, "second")
    second = dump(store)
    robin.post("/spaces/49/events", json={**DOCUMENTED_BODY, "recurrence": None})

    snapshots.restore(store, "first")
    assert dump(store) == first
    snapshots.restore(store, "second")
    assert dump(store) == second
    snapshots.delete(store, "first")
    client.post("/_sandbox/organizations/1/clock/advance", json={"by": "PT1H"})
    snapshots.restore(store, "second")
    assert dump(store) == second
    snapshots.restore(store, snapshots.SEED)
    # The token the test's Kadence client minted came after the seed.
    assert dump(store) == {**seed, "oauth_token": []}


class Refusing(Exception):
    pass


def refuse(connection: Any) -> None:
    """What a reset or restore does besides, failing after a write of its own in the same transaction."""
    connection.execute(text("DELETE FROM fault_rule"))
    raise Refusing


@pytest.mark.parametrize(
    "reset",
    [
        lambda store, also: snapshots.restore(store, "before", also=also),
        lambda store, also: snapshots.reset(store, also=also),
        lambda store, also: snapshots.reset_organization(store, 1, also=also),
    ],
    ids=["restore", "reset", "organization reset"],
)
def test_what_a_reset_does_besides_runs_last_in_its_transaction(store, robin, client, reset):
    snapshots.save(store, "before")
    saved_name = robin.get("/spaces/50").json()["data"]["name"]
    robin.patch("/spaces/50", json={"name": "Changed"})
    client.post("/_sandbox/faults", json={"path": "/v1.0/nothing", "effect": "error"})
    changed = dump(store)

    with pytest.raises(Refusing):
        reset(store, refuse)

    assert dump(store) == changed
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM fault_rule")).scalar() == 1

    seen = []
    reset(store, lambda connection: seen.append(connection.execute(text("SELECT name FROM resource WHERE id = 50")).scalar()))

    assert seen == [saved_name]  # After the copies, it sees them.
    assert dump(store)["resource"] != changed["resource"]


def test_restoring_the_newest_snapshot_leaves_nothing_to_copy_back_next_time(store, robin):
    snapshots.save(store, "clean")
    for name in ("One", "Two", "Three"):
        robin.patch("/spaces/50", json={"name": name})
        snapshots.restore(store, "clean")

    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM change_log")).scalar() == 0


def test_organization_reset_copies_back_only_what_changed(store, robin):
    robin.patch("/spaces/50", json={"name": "Changed"})
    with store.engine.connect() as connection:
        before = connection.execute(text("SELECT COUNT(*) FROM change_log")).scalar()

    snapshots.reset_organization(store, 1)

    with store.engine.connect() as connection:
        after = connection.execute(text("SELECT COUNT(*) FROM change_log")).scalar()
        name = connection.execute(text("SELECT name FROM resource WHERE id = 50")).scalar()
    assert name != "Changed"
    assert after - before == 2  # the row taken out and put back, nothing else


@pytest.mark.damages_store
def test_changes_are_logged_only_from_the_oldest_snapshot_on(store, robin):
    snapshots.save(store, "clean")
    robin.patch("/spaces/50", json={"name": "Logged"})
    with store.engine.connect() as connection:
        logged = connection.execute(text("SELECT COUNT(*) FROM change_log")).scalar()
    assert logged > 0

    snapshots.delete(store, "clean")
    snapshots.save(store, snapshots.SEED, replace=True)

    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM change_log")).scalar() == 0
