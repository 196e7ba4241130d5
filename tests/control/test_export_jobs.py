"""Analytics export jobs through the control plane: listed across organizations, and downloaded
without a credential."""

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sandbox.core import export_rows, exports
from tests.conftest import NOW, OTHER_TOKEN, RobinClient, Wall
from tests.robin.test_exports import (
    EAST_RIVER,
    MONDAY_UTC,
    NEW_YORK_ID,
    book,
    download,
    let_the_delay_pass,
    requested,
    run_worker,
)

EXPORTS = "/_sandbox/exports"


def listed(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get(EXPORTS, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]  # decoded JSON


def control_download(client: TestClient, export_id: str) -> Any:
    return client.get(f"{EXPORTS}/{export_id}/download")


def assert_refused(response: Any, *words: str) -> None:
    assert response.status_code == 409, response.text
    assert list(response.json()) == ["error"]
    for word in words:
        assert word in response.json()["error"]


# Listing


def test_export_requested_through_robin_is_listed_as_pending(client: TestClient, robin: RobinClient, app: FastAPI) -> None:
    export_id = requested(robin, "desks", **MONDAY_UTC, location_ids=[NEW_YORK_ID])

    (job,) = listed(client)

    ready_at = datetime.fromisoformat(job.pop("ready_at"))
    assert job == {
        "id": export_id,
        "organization_id": 1,
        "kind": "desks",
        "state": "pending",
        "range_start": "2026-03-02T00:00:00Z",
        "range_end": "2026-03-03T00:00:00Z",
        "location_ids": [NEW_YORK_ID],
        "requested_at": "2026-03-02T14:00:00Z",
        "finished_at": None,
        "row_count": None,
        "error": None,
        "download": None,
    }
    assert ready_at == NOW + timedelta(seconds=app.state.settings.export_delay_seconds)


def test_export_is_listed_as_ready_with_its_row_count_once_a_worker_has_run(
    client: TestClient, robin: RobinClient, app: FastAPI, wall: Wall
) -> None:
    export_id = requested(robin, "desks", **MONDAY_UTC)
    assert run_worker(app) == 1

    (job,) = listed(client)

    # Diego's and Vikram's reservations, and the days assigned to Hannah (B-02) and Yasmin (N-06).
    assert (job["id"], job["state"], job["row_count"], job["error"]) == (export_id, "ready", 4, None)
    assert datetime.fromisoformat(job["finished_at"]) == wall()
    assert job["download"] == f"{EXPORTS}/{export_id}/download"


def test_exports_are_listed_newest_first(client: TestClient, robin: RobinClient, wall: Wall) -> None:
    oldest = requested(robin, "spaces", **MONDAY_UTC)
    wall.advance(seconds=1)
    middle = requested(robin, "desks", **MONDAY_UTC)
    wall.advance(minutes=5)
    newest = requested(robin, "spaces", **MONDAY_UTC)

    assert [job["id"] for job in listed(client)] == [newest, middle, oldest]
    assert [job["id"] for job in listed(client, limit=2)] == [newest, middle]


@pytest.fixture
def elsewhere(client: TestClient, other_organization: dict[str, int]) -> RobinClient:
    """The administrator of the second organization."""
    return RobinClient(client, OTHER_TOKEN)


def requested_elsewhere(elsewhere: RobinClient, organization_id: int) -> str:
    response = elsewhere.post(f"/insights/exports/organizations/{organization_id}/spaces", json=MONDAY_UTC)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["export_id"])


def test_exports_of_every_organization_are_listed_unless_one_is_named(
    client: TestClient, robin: RobinClient, elsewhere: RobinClient, other_organization: dict[str, int], wall: Wall
) -> None:
    demo = requested(robin, "spaces", **MONDAY_UTC)
    wall.advance(seconds=1)
    other = requested_elsewhere(elsewhere, other_organization["organization"])

    everything = listed(client)
    by_slug = listed(client, organization="meridian")
    by_id = listed(client, organization=str(other_organization["organization"]))

    assert [(job["id"], job["organization_id"]) for job in everything] == [
        (other, other_organization["organization"]),
        (demo, 1),
    ]
    assert [job["id"] for job in by_slug] == [demo]
    assert [job["id"] for job in by_id] == [other]


def test_unknown_organization_is_not_found(client: TestClient, robin: RobinClient) -> None:
    requested(robin, "spaces", **MONDAY_UTC)

    response = client.get(EXPORTS, params={"organization": "nowhere"})

    assert response.status_code == 404
    assert list(response.json()) == ["error"]
    assert "nowhere" in response.json()["error"]


@pytest.mark.parametrize("limit", ["0", "1001", "-1"])
def test_limit_outside_1_to_1000_is_refused_naming_it(client: TestClient, limit: str) -> None:
    response = client.get(EXPORTS, params={"limit": limit})

    assert response.status_code == 422
    document = response.json()
    assert document["error"].startswith("limit: ")
    assert [problem["field"] for problem in document["problems"]] == ["limit"]


def test_limit_may_be_1000(client: TestClient, robin: RobinClient) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)

    assert [job["id"] for job in listed(client, limit=1000)] == [export_id]


# Downloading


def test_download_equals_robins_own_download_byte_for_byte(
    client: TestClient, robin: RobinClient, app: FastAPI, wall: Wall
) -> None:
    book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T10:30:00", title='Quoted, "twice"')
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    run_worker(app)
    let_the_delay_pass(app, wall)

    robins = download(robin, export_id)
    ours = control_download(client, export_id)

    assert robins.status_code == ours.status_code == 200
    assert ours.content == robins.content
    assert b'"Quoted, ""twice"""' in ours.content
    assert ours.headers["content-type"] == robins.headers["content-type"] == "text/csv; charset=utf-8"
    assert ours.headers["content-disposition"] == robins.headers["content-disposition"]
    assert ours.headers["content-disposition"] == f'attachment; filename="spaces-export-{export_id}.csv"'


def test_ready_export_downloads_before_robin_serves_it(client: TestClient, robin: RobinClient, app: FastAPI) -> None:
    export_id = requested(robin, "desks", **MONDAY_UTC)
    run_worker(app)

    assert download(robin, export_id).status_code == 404
    response = client.get(listed(client)[0]["download"])

    assert response.status_code == 200
    assert response.content.startswith(b"Organization,Building,Floor,Desk Group,")


def test_download_needs_no_credential(client: TestClient, robin: RobinClient, app: FastAPI) -> None:
    export_id = requested(robin, "desks", **MONDAY_UTC)
    run_worker(app)

    response = client.get(f"{EXPORTS}/{export_id}/download", headers={"Authorization": "Access-Token nonsense"})

    assert response.status_code == 200


def test_download_of_a_pending_export_is_refused_naming_its_state(client: TestClient, robin: RobinClient) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)

    assert_refused(control_download(client, export_id), export_id, "pending")


def test_download_of_a_running_export_is_refused_naming_its_state(
    client: TestClient, robin: RobinClient, app: FastAPI, wall: Wall
) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    assert exports.claim(app.state.store, "test-worker", wall()) == export_id

    assert listed(client)[0]["state"] == "running"
    assert_refused(control_download(client, export_id), export_id, "running")


@pytest.fixture
def breaking_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    def rows(*_: object) -> Iterator[list[object]]:
        raise RuntimeError("the reservations table went away")

    monkeypatch.setattr(export_rows, "rows", rows)


def test_download_of_a_failed_export_is_refused_with_its_error(
    client: TestClient, robin: RobinClient, app: FastAPI, breaking_rows: None
) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    run_worker(app)

    (job,) = listed(client)
    response = control_download(client, export_id)

    assert (job["state"], job["error"], job["download"]) == ("failed", "the reservations table went away", None)
    assert_refused(response, "failed", "the reservations table went away")


@pytest.mark.parametrize("export_id", [str(uuid.UUID(int=0x5A4D_B0C5)), "not-an-export", "x" * 500], ids=["uuid", "word", "long"])
def test_download_of_an_unknown_export_is_not_found(client: TestClient, export_id: str) -> None:
    response = control_download(client, export_id)

    assert response.status_code == 404
    assert list(response.json()) == ["error"]
