"""The calls data connectors make to pull Robin's analytics exports, replayed as they send them.

Two kinds of connector are public. One checks its token with GET /auth, posts each export's range
as a form (`from=...Z&to=...Z`, six months back from today) and downloads the CSV on its next run
without polling. The other posts JSON with local offsets (`2026-03-02T09:00:00-05:00`), insists
on `meta.status == "ACCEPTED"`, polls GET /insights/exports/:id (a 404 means "not ready yet"),
and reads the CSV by its header, keyed on `Event ID`, dated by `Started At (UTC)`.
"""

import csv
import io
from datetime import UTC, datetime

from fastapi import FastAPI

from tests.conftest import ADMIN_TOKEN, RobinClient, Wall
from tests.robin.test_exports import let_the_delay_pass, run_worker

ACCESS_TOKEN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}
SIX_MONTHS = {"from": "2025-09-02T00:00:00Z", "to": "2026-03-02T23:59:59Z"}
"""The form connector's range: six months back from today, from midnight to the end of today."""


def test_a_form_posting_connector_checks_its_token_requests_both_exports_and_downloads_them_later(
    anonymous: RobinClient, robin: RobinClient, app: FastAPI, wall: Wall
) -> None:
    # The demo's events begin tomorrow: one held this morning.
    held = robin.post(
        "/spaces/48/events",
        json={
            "start": {"date_time": "2026-03-02T09:10:00", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T09:40:00", "time_zone": "America/New_York"},
        },
    )
    assert held.status_code == 201
    checked = anonymous.get("/auth", headers=ACCESS_TOKEN)
    requested = {
        kind: anonymous.post(f"/insights/exports/organizations/1/{kind}", headers=ACCESS_TOKEN, data=SIX_MONTHS)
        for kind in ("desks", "spaces")
    }
    assert checked.status_code == 200
    assert {kind: response.status_code for kind, response in requested.items()} == {"desks": 202, "spaces": 202}
    export_ids = {kind: response.json()["data"]["export_id"] for kind, response in requested.items()}

    # Its next run, an hour later: the exports are ready, and it keeps the raw CSV bytes.
    assert run_worker(app) == 2
    wall.advance(hours=1)
    downloads = {
        kind: anonymous.get(f"/insights/exports/{export_id}", headers=ACCESS_TOKEN) for kind, export_id in export_ids.items()
    }

    for kind, response in downloads.items():
        assert response.status_code == 200, kind
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        assert len(rows) > 1, f"six months of {kind} make rows"


def test_a_polling_connector_gets_accepted_then_404_until_ready_then_rows_keyed_by_event_id(
    anonymous: RobinClient, app: FastAPI, wall: Wall
) -> None:
    headers = {**ACCESS_TOKEN, "Content-Type": "application/json"}
    accepted = anonymous.post(
        "/insights/exports/organizations/1/spaces",
        headers=headers,
        json={"from": "2026-02-02T09:00:00-05:00", "to": "2026-03-09T09:00:00-05:00"},
    )
    assert accepted.status_code == 202
    assert accepted.json()["meta"]["status"] == "ACCEPTED"
    export_id = accepted.json()["data"]["export_id"]

    # Polled before the export is generated, and after it is but before the processing delay.
    not_generated = anonymous.get(f"/insights/exports/{export_id}", headers=headers)
    assert run_worker(app) == 1
    not_yet = anonymous.get(f"/insights/exports/{export_id}", headers=headers)
    let_the_delay_pass(app, wall)
    ready = anonymous.get(f"/insights/exports/{export_id}", headers=headers)

    assert not_generated.status_code == 404
    assert not_yet.status_code == 404
    assert ready.status_code == 200
    rows = list(csv.DictReader(io.StringIO(ready.text)))
    keys = [row["Event ID"] for row in rows]
    assert keys, "the demo's events of these weeks make rows"
    assert len(set(keys)) == len(keys), "Event ID keys each row"
    for row in rows:
        started = datetime.strptime(row["Started At (UTC)"] + "Z", "%Y-%m-%d %H:%M:%S%z")
        assert datetime(2026, 2, 2, 14, tzinfo=UTC) <= started < datetime(2026, 3, 9, 13, tzinfo=UTC)
        datetime.strptime(row["Created At (UTC)"] + "Z", "%Y-%m-%d %H:%M:%S%z")
