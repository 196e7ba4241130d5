"""Analytics exports through HTTP: requesting them, polling until they are ready, and their CSV.

Relative to NOW (Monday 2 March 2026, 09:00 in New York, 14:00 UTC) the demo store holds no event
before Tuesday, and on Monday two desk reservations: A-01 (1001) for Diego, 09:00-17:00 New York,
booked when it starts and never confirmed, so A-01's 60-minute check-in window releases it at
15:00 UTC; and N-02 (2002) for Vikram, 10:00-18:00 Bengaluru (04:30-12:30 UTC), booked after its
check-in window had closed, so it is never released.
"""

import csv
import io
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI

from sandbox.core import export_rows, exports
from sandbox.robin.exports import LAYOUT
from tests.conftest import NOW, OTHER_TOKEN, RobinClient, Wall

EVENT_FIELDS = [
    "Organization",
    "Building",
    "Floor",
    "Space",
    "Space ID",
    "Event ID",
    "Event Status",
    "Created At (UTC)",
    "Updated At (UTC)",
    "All Day Event",
    "Title",
    "Is Recurring",
    "Capacity",
    "Invited People",
    "Attendees",
    "Location",
    "Started At (UTC)",
    "Ended At (UTC)",
    "Minute Duration",
    "Checked In At (UTC)",
    "Minutes Delayed",
    "Automatically Unbooked At (UTC)",
    "Creator Robin ID",
    "Creator Robin Name",
    "Creator Department",
    "Creator Groups",
    "Creator Robin Email",
    "Created By Email",
    "Host Robin ID",
    "Host Robin Name",
    "Host Department",
    "Host Groups",
    "Host Robin Email",
    "Hosting Calendar Email",
    "Local Creator ID",
    "Local Creator Email",
    "Cancellation Type",
]
"""The export guide's "Event Export Fields", in its order."""
DESK_FIELDS = [
    "Organization",
    "Building",
    "Floor",
    "Desk Group",
    "Desk ID",
    "Desk Name",
    "Reservation ID",
    "Series ID",
    "Type",
    "Start (UTC)",
    "End (UTC)",
    "Hour Duration",
    "Checked In At (UTC)",
    "Canceled At (UTC)",
    "Cancellation Type",
    "Creator Name",
    "Creator Department",
    "Creator Groups",
    "Creator Email",
    "Assignee Name",
    "Assignee Department",
    "Assignee Groups",
    "Assignee Email",
    "Desk Type",
    "Bookable On Unassigned Days",
]
"""The export guide's "Desk Export Fields", in its order."""
FIELDS = {"spaces": EVENT_FIELDS, "desks": DESK_FIELDS}

NEW_YORK = "America/New_York"
KOLKATA = "Asia/Kolkata"
ORGANIZATION = "Meridian Robotics"
NEW_YORK_HQ = "Meridian HQ New York"
BENGALURU = "Meridian Bengaluru"
ADA_EMAIL = "ada.okafor@meridian.example"
BEN_EMAIL = "ben.carter@meridian.example"
CHLOE_EMAIL = "chloe.martin@meridian.example"
DIEGO_EMAIL = "diego.alvarez@meridian.example"
ADA = {"name": "Ada Okafor", "department": "IT", "groups": "Admins, New York", "email": ADA_EMAIL}
BEN = {"name": "Ben Carter", "department": "Engineering", "groups": "Engineering, New York", "email": BEN_EMAIL}
DIEGO = {"name": "Diego Alvarez", "department": "Sales", "groups": "Sales, New York", "email": DIEGO_EMAIL}
VIKRAM = {
    "name": "Vikram Nair",
    "department": "Engineering",
    "groups": "Engineering, Bengaluru",
    "email": "vikram.nair@meridian.example",
}

HUDSON = 48
"""Floor 1 of New York, capacity 12: releases an event nobody confirmed 10 minutes after its start."""
EAST_RIVER = 49
"""Floor 1 of New York, capacity 6, without abandoned-meeting protection."""
LIBERTY = 50
"""Floor 1 of New York, capacity 8, without abandoned-meeting protection."""
QUEENS = 56
"""Floor 2 of New York, capacity 10, without abandoned-meeting protection."""
LALBAGH = 71
"""Ground Floor of Bengaluru, capacity 6."""
NEW_YORK_ID = 10
BENGALURU_ID = 11

MONDAY_UTC = {"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-03T00:00:00+00:00"}
"""Holds no demo event; of the demo desk reservations, Diego's and Vikram's, and the assigned days
of Hannah (B-02, from 05:00) and Yasmin (N-06, Tuesday in Bengaluru from 18:30)."""
MONDAY_TO_WEDNESDAY = {"from": "2026-03-02T00:00:00-05:00", "to": "2026-03-05T00:00:00-05:00"}


def moment(date_time: str, time_zone: str = NEW_YORK) -> dict[str, str]:
    return {"date_time": date_time, "time_zone": time_zone}


def book(client: RobinClient, space_id: int, start: str, end: str, time_zone: str = NEW_YORK, **fields: Any) -> Any:
    """The new event, booked with local times in `time_zone`."""
    body = {"title": "Export check", "start": moment(start, time_zone), "end": moment(end, time_zone), **fields}
    response = client.post(f"/spaces/{space_id}/events", json=body)
    assert response.status_code == 201, response.text
    return response.json()["data"]


def reserve(client: RobinClient, seat_id: int, start: str, end: str, kind: str = "hoteled", **fields: Any) -> Any:
    """The new seat reservation, with New York times."""
    body = {"type": kind, "start": moment(start), "end": moment(end), **fields}
    response = client.post(f"/seats/{seat_id}/reservations", json=body)
    assert response.status_code == 200, response.text
    return response.json()["data"]


def user_id(client: RobinClient, email: str) -> str:
    response = client.get(f"/users/{email}")
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def event(client: RobinClient, event_id: str) -> Any:
    response = client.get(f"/events/{event_id}")
    assert response.status_code == 200, response.text
    return response.json()["data"]


def utc(stamp: str) -> str:
    """A Robin timestamp (2026-03-02T10:00:00-0500) as the export writes it: UTC, to the second."""
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def request_export(client: RobinClient, kind: str, body: dict[str, Any], organization_id: int = 1) -> Any:
    return client.post(f"/insights/exports/organizations/{organization_id}/{kind}", json=body)


def requested(client: RobinClient, kind: str, **body: Any) -> str:
    """The id of a new export request, accepted."""
    response = request_export(client, kind, body)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["export_id"])


def run_worker(app: FastAPI) -> int:
    return exports.run_pending(app.state.store, app.state.clock, "test-worker", LAYOUT)


def let_the_delay_pass(app: FastAPI, wall: Wall) -> None:
    wall.advance(seconds=app.state.settings.export_delay_seconds)


def download(client: RobinClient, export_id: str) -> Any:
    return client.get(f"/insights/exports/{export_id}")


def csv_table(response: Any) -> list[list[str]]:
    """The rows of a CSV response, its header first."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0].strip() == "text/csv"
    return list(csv.reader(io.StringIO(response.text, newline="")))


def csv_rows(response: Any, kind: str) -> list[dict[str, str]]:
    """The rows of an export after its header, which must be the guide's fields in its order."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0].strip() == "text/csv"
    reader = csv.DictReader(io.StringIO(response.text, newline=""))
    rows = list(reader)
    assert reader.fieldnames == FIELDS[kind]
    for row in rows:
        assert None not in row, row
        assert None not in row.values(), row
    return rows


def exported(client: RobinClient, app: FastAPI, wall: Wall, kind: str, **body: Any) -> list[dict[str, str]]:
    """The rows of a new export, once a worker pass generated it and the processing delay passed."""
    export_id = requested(client, kind, **body)
    assert run_worker(app) == 1
    let_the_delay_pass(app, wall)
    return csv_rows(download(client, export_id), kind)


def by(rows: list[dict[str, str]], column: str) -> dict[str, dict[str, str]]:
    """The rows keyed by `column`, whose values must not repeat."""
    keyed = {row[column]: row for row in rows}
    assert len(keyed) == len(rows), f"{column} repeats: {[row[column] for row in rows]}"
    return keyed


def assert_not_found(response: Any) -> None:
    assert response.status_code == 404, response.text
    meta = response.json()["meta"]
    assert meta["status_code"] == 404
    assert meta["status"] == "NOT_FOUND"
    assert meta["message"] == "Object does not exist"


def error_fields(response: Any) -> list[str]:
    return [entry.get("field") for entry in response.json()["meta"]["errors"]]


def assert_invalid(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    document = response.json()
    assert document["meta"]["status"] == "BAD_REQUEST"
    assert document["meta"]["message"] == "The posted data did not pass validation"
    assert field in error_fields(response)


def assert_rate_limited(response: Any, retry_after: int) -> None:
    assert response.status_code == 429, response.text
    assert response.headers["Retry-After"] == str(retry_after)
    document = response.json()
    assert document["meta"]["status_code"] == 429
    assert document["meta"]["status"] == "TOO_MANY_REQUESTS"
    assert [entry["reason"] for entry in document["meta"]["errors"]] == ["rate_limit_exceeded"]


# Requesting


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_request_answers_202_with_its_export_id(robin: RobinClient, kind: str) -> None:
    # The guide's example body.
    response = request_export(robin, kind, {"from": "2022-12-05T00:00:00-04:00", "to": "2022-12-06T00:00:00-04:00"})

    assert response.status_code == 202
    document = response.json()
    export_id = document["data"]["export_id"]
    assert document == {
        "meta": {"status_code": 202, "status": "ACCEPTED", "message": "", "more_info": {}, "errors": []},
        "data": {"export_id": export_id, "report_id": export_id},
    }
    assert str(uuid.UUID(export_id)) == export_id


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_request_reads_a_form_body(robin: RobinClient, app: FastAPI, wall: Wall, kind: str) -> None:
    """A connector posts the range form-encoded; the live API, which is PHP, reads it."""
    as_json = exported(robin, app, wall, kind, **MONDAY_TO_WEDNESDAY)

    response = robin.post(f"/insights/exports/organizations/1/{kind}", data=MONDAY_TO_WEDNESDAY)

    assert response.status_code == 202, response.text
    assert run_worker(app) == 1
    let_the_delay_pass(app, wall)
    assert csv_rows(download(robin, response.json()["data"]["export_id"]), kind) == as_json


def test_export_request_reads_location_ids_from_a_form_body(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    in_new_york = exported(robin, app, wall, "desks", **MONDAY_TO_WEDNESDAY, location_ids=[NEW_YORK_ID])

    response = robin.post(
        "/insights/exports/organizations/1/desks", data={**MONDAY_TO_WEDNESDAY, "location_ids[]": [NEW_YORK_ID]}
    )

    assert response.status_code == 202, response.text
    assert run_worker(app) == 1
    let_the_delay_pass(app, wall)
    assert csv_rows(download(robin, response.json()["data"]["export_id"]), "desks") == in_new_york


def test_each_export_request_gets_its_own_id(robin: RobinClient) -> None:
    first = requested(robin, "spaces", **MONDAY_UTC)
    second = requested(robin, "spaces", **MONDAY_UTC)
    third = requested(robin, "desks", **MONDAY_UTC)

    assert len({first, second, third}) == 3


def test_export_request_accepts_location_ids(robin: RobinClient) -> None:
    response = request_export(robin, "spaces", {**MONDAY_UTC, "location_ids": [NEW_YORK_ID, BENGALURU_ID]})

    assert response.status_code == 202


def test_export_request_accepts_a_range_of_exactly_366_days(robin: RobinClient) -> None:
    response = request_export(robin, "desks", {"from": "2026-01-01T00:00:00+00:00", "to": "2027-01-02T00:00:00+00:00"})

    assert response.status_code == 202


@pytest.mark.parametrize("kind", ["spaces", "desks"])
@pytest.mark.parametrize(
    "naive",
    [
        pytest.param({"from": "2026-03-02T00:00:00", "to": "2026-03-03T00:00:00"}, id="without-offsets"),
        pytest.param({"from": "2026-03-02", "to": "2026-03-03"}, id="bare-dates"),
        pytest.param({"from": "2026-03-02T00:00:00", "to": "2026-03-03T00:00:00Z"}, id="one-without"),
    ],
)
def test_export_range_without_an_offset_is_read_in_utc(
    robin: RobinClient, app: FastAPI, wall: Wall, kind: str, naive: dict[str, str]
) -> None:
    """The guide: `from` is the "starting date of the export in UTC"."""
    # Monday evening in New York, Tuesday in UTC.
    book(robin, EAST_RIVER, "2026-03-02T20:00:00", "2026-03-02T20:30:00")
    reserve(robin, 1004, "2026-03-02T20:00:00", "2026-03-02T21:00:00")
    in_utc = exported(robin, app, wall, kind, **MONDAY_UTC)
    in_new_york = exported(robin, app, wall, kind, **{"from": "2026-03-02T00:00:00-05:00", "to": "2026-03-03T00:00:00-05:00"})

    rows = exported(robin, app, wall, kind, **naive)

    assert rows == in_utc
    assert rows != in_new_york, "the ranges differ in what they hold"


@pytest.mark.parametrize("kind", ["spaces", "desks"])
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"to": "2026-03-03T00:00:00+00:00"}, "from", id="missing-from"),
        pytest.param({"from": "2026-03-02T00:00:00+00:00"}, "to", id="missing-to"),
        pytest.param({"from": "last monday", "to": "2026-03-03T00:00:00+00:00"}, "from", id="from-unparsable"),
        pytest.param({"from": "2026-03-02T00:00:00+00:00", "to": "2026-13-03T00:00:00+00:00"}, "to", id="to-unparsable"),
        pytest.param({"from": "", "to": "2026-03-03T00:00:00+00:00"}, "from", id="from-blank"),
        pytest.param({"from": 1772409600, "to": "2026-03-03T00:00:00+00:00"}, "from", id="from-a-number"),
        pytest.param({**MONDAY_UTC, "location_ids": [999999]}, "location_ids", id="unknown-location"),
        pytest.param({**MONDAY_UTC, "location_ids": [NEW_YORK_ID, 999999]}, "location_ids", id="one-unknown-location"),
    ],
)
def test_export_request_with_bad_input_answers_400_naming_the_field(
    robin: RobinClient, kind: str, body: dict[str, Any], field: str
) -> None:
    response = request_export(robin, kind, body)

    assert_invalid(response, field)


@pytest.mark.parametrize("kind", ["spaces", "desks"])
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"from": "2026-03-02T00:00:00+00:00", "to": "2026-03-02T00:00:00+00:00"}, id="from-equals-to"),
        # The same instant, written in two zones.
        pytest.param({"from": "2026-03-02T05:00:00+00:00", "to": "2026-03-02T00:00:00-05:00"}, id="same-instant"),
        pytest.param({"from": "2026-03-03T00:00:00+00:00", "to": "2026-03-02T00:00:00+00:00"}, id="from-after-to"),
        pytest.param({"from": "2026-01-01T00:00:00+00:00", "to": "2027-01-02T00:00:01+00:00"}, id="over-366-days"),
        pytest.param({"from": "2024-01-01T00:00:00+00:00", "to": "2026-03-02T00:00:00+00:00"}, id="two-years"),
    ],
)
def test_export_request_with_a_bad_range_answers_400(robin: RobinClient, kind: str, body: dict[str, Any]) -> None:
    response = request_export(robin, kind, body)

    assert response.status_code == 400, response.text
    assert response.json()["meta"]["message"] == "The posted data did not pass validation"
    assert set(error_fields(response)) & {"from", "to"}


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_member_may_not_request_an_export(member: RobinClient, kind: str) -> None:
    response = request_export(member, kind, MONDAY_UTC)

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_of_another_organization_is_forbidden(robin: RobinClient, other_organization: dict[str, int], kind: str) -> None:
    response = request_export(robin, kind, MONDAY_UTC, other_organization["organization"])

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_of_another_organizations_location_is_forbidden(
    robin: RobinClient, other_organization: dict[str, int], kind: str
) -> None:
    response = request_export(robin, kind, {**MONDAY_UTC, "location_ids": [NEW_YORK_ID, other_organization["location"]]})

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_of_an_unknown_organization_is_not_found(robin: RobinClient, kind: str) -> None:
    response = request_export(robin, kind, MONDAY_UTC, 999999)

    assert_not_found(response)


def test_export_of_an_unknown_kind_is_not_found(robin: RobinClient) -> None:
    response = request_export(robin, "parking", MONDAY_UTC)

    assert_not_found(response)


# Polling


def test_export_is_not_found_until_a_worker_generates_it(robin: RobinClient, wall: Wall) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    wall.advance(minutes=10)

    assert_not_found(download(robin, export_id))


def test_export_is_not_found_until_the_delay_passes(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    assert_not_found(download(robin, export_id))

    assert run_worker(app) == 1
    assert_not_found(download(robin, export_id))

    wall.advance(seconds=app.state.settings.export_delay_seconds - 0.001)
    assert_not_found(download(robin, export_id))

    wall.advance(seconds=0.001)
    response = download(robin, export_id)

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == "text/csv"
    assert csv_table(response) == [EVENT_FIELDS]


def test_delay_counts_from_the_request_not_from_the_worker_pass(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    export_id = requested(robin, "desks", **MONDAY_UTC)
    let_the_delay_pass(app, wall)
    assert_not_found(download(robin, export_id))

    assert run_worker(app) == 1

    assert csv_table(download(robin, export_id))[0] == DESK_FIELDS


def test_worker_generates_each_export_once(robin: RobinClient, app: FastAPI) -> None:
    requested(robin, "spaces", **MONDAY_UTC)
    requested(robin, "desks", **MONDAY_UTC)

    assert run_worker(app) == 2
    assert run_worker(app) == 0


def test_ready_export_can_be_downloaded_again_unchanged(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T10:30:00")
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    run_worker(app)
    let_the_delay_pass(app, wall)
    first = download(robin, export_id)

    # Booked after the export was generated: the export is what was there then.
    book(robin, LIBERTY, "2026-03-02T10:00:00", "2026-03-02T10:30:00")
    wall.advance(minutes=5)
    again = download(robin, export_id)

    assert len(csv_rows(first, "spaces")) == 1
    assert csv_table(again) == csv_table(first)


def test_unknown_export_is_not_found(robin: RobinClient) -> None:
    assert_not_found(download(robin, str(uuid.uuid4())))
    assert_not_found(download(robin, "not-an-export"))
    assert_not_found(download(robin, "x" * 500))


def test_another_organizations_export_is_forbidden(
    robin: RobinClient, client: Any, app: FastAPI, wall: Wall, other_organization: dict[str, int]
) -> None:
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    run_worker(app)
    let_the_delay_pass(app, wall)

    response = RobinClient(client, OTHER_TOKEN).get(f"/insights/exports/{export_id}")

    assert response.status_code == 403
    assert response.json()["meta"]["status"] == "FORBIDDEN"


@pytest.mark.parametrize("kind", ["spaces", "desks"])
def test_export_of_a_range_without_occurrences_is_just_the_header(
    robin: RobinClient, app: FastAPI, wall: Wall, kind: str
) -> None:
    rows = exported(robin, app, wall, kind, **{"from": "2025-06-01T00:00:00+00:00", "to": "2025-06-08T00:00:00+00:00"})

    assert rows == []


# Event exports


def test_event_row_describes_the_event_its_space_and_its_people(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    invitees = [{"email": ADA_EMAIL}, {"email": BEN_EMAIL}, {"email": "guest@partner.example"}]
    booked = book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T10:45:00", title="Design sync", invitees=invitees)
    wall.now = datetime(2026, 3, 2, 15, 7, tzinfo=UTC)  # 10:07 New York, 7 minutes after the start
    assert robin.put(f"/events/{booked['id']}/confirmation", json={}).status_code == 200
    ada = user_id(robin, ADA_EMAIL)
    current = event(robin, booked["id"])

    rows = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert rows == [
        {
            "Organization": ORGANIZATION,
            "Building": NEW_YORK_HQ,
            "Floor": "Floor 1",
            "Space": "East River",
            "Space ID": str(EAST_RIVER),
            "Event ID": booked["id"],
            "Event Status": "confirmed",
            "Created At (UTC)": "2026-03-02 14:00:00",
            "Updated At (UTC)": utc(current["updated_at"]),
            "All Day Event": "false",
            "Title": "Design sync",
            "Is Recurring": "false",
            "Capacity": "6",
            # The organizer is among the invitees, and has accepted; Ben and the guest have not answered.
            "Invited People": "3",
            "Attendees": "1",
            "Location": current["location"],
            "Started At (UTC)": "2026-03-02 15:00:00",
            "Ended At (UTC)": "2026-03-02 15:45:00",
            "Minute Duration": "45",
            "Checked In At (UTC)": "2026-03-02 15:07:00",
            "Minutes Delayed": "7",
            "Automatically Unbooked At (UTC)": "",
            "Creator Robin ID": ada,
            "Creator Robin Name": ADA["name"],
            "Creator Department": ADA["department"],
            "Creator Groups": ADA["groups"],
            "Creator Robin Email": ADA_EMAIL,
            "Created By Email": ADA_EMAIL,
            "Host Robin ID": ada,
            "Host Robin Name": ADA["name"],
            "Host Department": ADA["department"],
            "Host Groups": ADA["groups"],
            "Host Robin Email": ADA_EMAIL,
            "Hosting Calendar Email": ADA_EMAIL,
            "Local Creator ID": ada,
            "Local Creator Email": ADA_EMAIL,
            "Cancellation Type": "",
        }
    ]


def test_event_row_names_the_member_who_booked_it(robin: RobinClient, member: RobinClient, app: FastAPI, wall: Wall) -> None:
    invitees = [{"email": BEN_EMAIL}, {"email": CHLOE_EMAIL}]
    booked = book(member, LIBERTY, "2026-03-02T13:00:00", "2026-03-02T13:30:00", title="1:1", invitees=invitees)
    ben = user_id(robin, BEN_EMAIL)

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event ID"] == booked["id"]
    assert row["Space"] == "Liberty"
    assert row["Capacity"] == "8"
    assert (row["Invited People"], row["Attendees"]) == ("2", "1")
    assert (row["Minute Duration"], row["Checked In At (UTC)"], row["Minutes Delayed"]) == ("30", "", "")
    assert [row[f"Creator {column}"] for column in ("Robin ID", "Robin Name", "Department", "Groups", "Robin Email")] == [
        ben,
        BEN["name"],
        BEN["department"],
        BEN["groups"],
        BEN_EMAIL,
    ]
    assert [row[f"Host {column}"] for column in ("Robin ID", "Robin Name", "Department", "Groups", "Robin Email")] == [
        ben,
        BEN["name"],
        BEN["department"],
        BEN["groups"],
        BEN_EMAIL,
    ]
    assert [row["Created By Email"], row["Hosting Calendar Email"], row["Local Creator ID"], row["Local Creator Email"]] == [
        BEN_EMAIL,
        BEN_EMAIL,
        ben,
        BEN_EMAIL,
    ]


def test_event_without_invitees_has_nobody_invited(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    book(robin, LIBERTY, "2026-03-02T13:00:00", "2026-03-02T13:30:00")

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert (row["Invited People"], row["Attendees"]) == ("0", "0")


def test_event_confirmed_early_is_not_delayed(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    booked = book(robin, LIBERTY, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    wall.now = datetime(2026, 3, 2, 14, 50, tzinfo=UTC)  # 09:50 New York
    assert robin.put(f"/events/{booked['id']}/confirmation", json={}).status_code == 200

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Checked In At (UTC)"] == "2026-03-02 14:50:00"
    assert row["Minutes Delayed"] == "0"


def test_minutes_delayed_counts_whole_minutes(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    booked = book(robin, LIBERTY, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    wall.now = datetime(2026, 3, 2, 15, 12, 59, tzinfo=UTC)
    assert robin.put(f"/events/{booked['id']}/confirmation", json={}).status_code == 200

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Checked In At (UTC)"] == "2026-03-02 15:12:59"
    assert row["Minutes Delayed"] == "12"


def test_cancelled_event_is_exported_as_cancelled_by_hand(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    booked = book(robin, LIBERTY, "2026-03-02T11:00:00", "2026-03-02T12:00:00")
    wall.advance(minutes=20)
    assert robin.delete(f"/events/{booked['id']}").status_code == 200
    cancelled = event(robin, booked["id"])

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event ID"] == booked["id"]
    assert row["Event Status"] == "cancelled"
    assert row["Cancellation Type"] == "manual"
    assert row["Automatically Unbooked At (UTC)"] == ""
    assert row["Started At (UTC)"] == "2026-03-02 16:00:00"
    assert row["Created At (UTC)"] == "2026-03-02 14:00:00"
    assert row["Updated At (UTC)"] == utc(cancelled["updated_at"])


def test_released_event_is_exported_as_automatically_unbooked(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    booked = book(robin, HUDSON, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    wall.now = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event ID"] == booked["id"]
    assert row["Space"] == "Hudson"
    assert row["Event Status"] == "cancelled"
    # Hudson releases an unconfirmed event 10 minutes after its 15:00 UTC start.
    assert row["Automatically Unbooked At (UTC)"] == "2026-03-02 15:10:00"
    assert row["Cancellation Type"] == "automatic"
    assert (row["Checked In At (UTC)"], row["Minutes Delayed"]) == ("", "")


def test_event_not_yet_released_is_exported_as_booked(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    book(robin, HUDSON, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    wall.now = datetime(2026, 3, 2, 15, 9, tzinfo=UTC)

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event Status"] == "confirmed"
    assert (row["Automatically Unbooked At (UTC)"], row["Cancellation Type"]) == ("", "")


def test_confirmed_event_in_a_protected_space_is_never_unbooked(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    booked = book(robin, HUDSON, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    wall.now = datetime(2026, 3, 2, 15, 5, tzinfo=UTC)
    assert robin.put(f"/events/{booked['id']}/confirmation", json={}).status_code == 200
    wall.now = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event Status"] == "confirmed"
    assert (row["Checked In At (UTC)"], row["Minutes Delayed"]) == ("2026-03-02 15:05:00", "5")
    assert (row["Automatically Unbooked At (UTC)"], row["Cancellation Type"]) == ("", "")


def test_event_booked_after_its_release_time_is_never_unbooked(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    # Booked at 09:00 New York for 07:00-08:00: the protection window had closed already.
    book(robin, HUDSON, "2026-03-02T07:00:00", "2026-03-02T08:00:00")

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Event Status"] == "confirmed"
    assert (row["Automatically Unbooked At (UTC)"], row["Cancellation Type"]) == ("", "")


def test_series_exports_one_row_per_occurrence_with_its_own_event_id(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    series = book(
        robin,
        QUEENS,
        "2026-03-02T12:00:00",
        "2026-03-02T12:30:00",
        title="Daily sync",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
        invitees=[{"email": ADA_EMAIL}, {"email": BEN_EMAIL}],
    )
    assert robin.delete(f"/events/{series['id']}_20260303T170000Z").status_code == 200

    rows = [row for row in exported(robin, app, wall, "spaces", **MONDAY_TO_WEDNESDAY) if row["Space"] == "Queens"]

    occurrences = by(rows, "Event ID")
    monday, tuesday, wednesday = (f"{series['id']}_202603{day}T170000Z" for day in ("02", "03", "04"))
    assert occurrences.keys() == {monday, tuesday, wednesday}
    assert {row["Is Recurring"] for row in rows} == {"true"}
    assert {row["Title"] for row in rows} == {"Daily sync"}
    assert {(row["Invited People"], row["Attendees"]) for row in rows} == {("2", "1")}
    assert [occurrences[key]["Started At (UTC)"] for key in (monday, tuesday, wednesday)] == [
        "2026-03-02 17:00:00",
        "2026-03-03 17:00:00",
        "2026-03-04 17:00:00",
    ]
    assert [occurrences[key]["Ended At (UTC)"] for key in (monday, tuesday, wednesday)] == [
        "2026-03-02 17:30:00",
        "2026-03-03 17:30:00",
        "2026-03-04 17:30:00",
    ]
    statuses = [(occurrences[key]["Event Status"], occurrences[key]["Cancellation Type"]) for key in (monday, tuesday, wednesday)]
    assert statuses == [("confirmed", ""), ("cancelled", "manual"), ("confirmed", "")]


def test_each_released_occurrence_of_a_series_is_unbooked_on_its_own(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    series = book(
        robin,
        HUDSON,
        "2026-03-02T11:00:00",
        "2026-03-02T11:30:00",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )
    wall.now = datetime(2026, 3, 3, 16, 5, tzinfo=UTC)
    assert robin.put(f"/events/{series['id']}_20260303T160000Z/confirmation", json={}).status_code == 200
    wall.now = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)

    rows = exported(robin, app, wall, "spaces", **MONDAY_TO_WEDNESDAY, location_ids=[NEW_YORK_ID])

    occurrences = by([row for row in rows if row["Space"] == "Hudson" and row["Title"] == "Export check"], "Event ID")
    outcomes = {key: (row["Automatically Unbooked At (UTC)"], row["Checked In At (UTC)"]) for key, row in occurrences.items()}
    assert outcomes == {
        f"{series['id']}_20260302T160000Z": ("2026-03-02 16:10:00", ""),
        f"{series['id']}_20260303T160000Z": ("", "2026-03-03 16:05:00"),
        f"{series['id']}_20260304T160000Z": ("2026-03-04 16:10:00", ""),
    }


def test_demo_series_is_exported_at_its_local_time_across_daylight_saving(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    # Engineering weekly: Ben's, in Hudson on Tuesdays 10:00-11:00 New York, inviting three
    # colleagues; New York changes to daylight time on Sunday 8 March.
    ben = user_id(robin, BEN_EMAIL)

    rows = exported(
        robin,
        app,
        wall,
        "spaces",
        **{"from": "2026-03-09T00:00:00-04:00", "to": "2026-03-11T00:00:00-04:00"},
        location_ids=[NEW_YORK_ID],
    )

    (row,) = [row for row in rows if row["Title"] == "Engineering weekly"]
    assert row["Event ID"] == "1_20260310T140000Z"
    assert (row["Started At (UTC)"], row["Ended At (UTC)"], row["Minute Duration"]) == (
        "2026-03-10 14:00:00",
        "2026-03-10 15:00:00",
        "60",
    )
    assert (row["Space"], row["Space ID"], row["Capacity"], row["Is Recurring"]) == ("Hudson", str(HUDSON), "12", "true")
    assert (row["Invited People"], row["Attendees"]) == ("3", "0")
    assert [row["Host Robin ID"], row["Host Robin Name"], row["Host Department"], row["Host Groups"]] == [
        ben,
        BEN["name"],
        BEN["department"],
        BEN["groups"],
    ]
    assert (row["Event Status"], row["Cancellation Type"]) == ("confirmed", "")


def test_event_export_covers_occurrences_starting_from_from_until_to(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    # From 10:00 to 12:00 New York (15:00 to 17:00 UTC).
    book(robin, EAST_RIVER, "2026-03-02T09:30:00", "2026-03-02T10:30:00", title="Under way at from")
    book(robin, LIBERTY, "2026-03-02T10:00:00", "2026-03-02T10:30:00", title="Starts at from")
    book(robin, LIBERTY, "2026-03-02T11:54:00", "2026-03-02T12:00:00", title="Starts before to")
    book(robin, EAST_RIVER, "2026-03-02T12:00:00", "2026-03-02T12:30:00", title="Starts at to")

    rows = exported(robin, app, wall, "spaces", **{"from": "2026-03-02T10:00:00-05:00", "to": "2026-03-02T12:00:00-05:00"})

    assert sorted(row["Title"] for row in rows) == ["Starts at from", "Starts before to"]


def test_series_occurrences_are_exported_only_when_they_start_in_the_range(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    series = book(robin, QUEENS, "2026-03-02T12:00:00", "2026-03-02T12:30:00", recurrence=["RRULE:FREQ=DAILY;COUNT=3"])

    # Tuesday's occurrence starts at from, Wednesday's at to.
    rows = exported(
        robin,
        app,
        wall,
        "spaces",
        **{"from": "2026-03-03T12:00:00-05:00", "to": "2026-03-04T12:00:00-05:00"},
        location_ids=[NEW_YORK_ID],
    )

    assert [row["Event ID"] for row in rows if row["Space"] == "Queens"] == [f"{series['id']}_20260303T170000Z"]


def test_location_ids_limit_the_event_export(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    new_york = book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    bengaluru = book(robin, LALBAGH, "2026-03-02T15:00:00", "2026-03-02T16:00:00", KOLKATA)

    everywhere = exported(robin, app, wall, "spaces", **MONDAY_UTC)
    both = exported(robin, app, wall, "spaces", **MONDAY_UTC, location_ids=[NEW_YORK_ID, BENGALURU_ID])
    only_bengaluru = exported(robin, app, wall, "spaces", **MONDAY_UTC, location_ids=[BENGALURU_ID])

    assert {row["Event ID"] for row in everywhere} == {new_york["id"], bengaluru["id"]}
    assert {row["Event ID"] for row in both} == {new_york["id"], bengaluru["id"]}
    assert [(row["Event ID"], row["Building"], row["Floor"], row["Space"]) for row in only_bengaluru] == [
        (bengaluru["id"], BENGALURU, "Ground Floor", "Lalbagh"),
    ]
    assert only_bengaluru[0]["Started At (UTC)"] == "2026-03-02 09:30:00"


def test_event_export_holds_only_the_organizations_own_events(
    robin: RobinClient, client: Any, app: FastAPI, wall: Wall, other_organization: dict[str, int]
) -> None:
    ours = book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T11:00:00")
    book(RobinClient(client, OTHER_TOKEN), other_organization["space"], "2026-03-02T10:00:00", "2026-03-02T11:00:00")

    rows = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert [row["Event ID"] for row in rows] == [ours["id"]]


def test_event_titles_survive_csv_quoting(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    title = 'Q1 review, "final" — café'
    book(robin, EAST_RIVER, "2026-03-02T10:00:00", "2026-03-02T11:00:00", title=title)

    (row,) = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert row["Title"] == title


def test_export_larger_than_a_chunk_arrives_as_one_csv(
    robin: RobinClient, app: FastAPI, wall: Wall, monkeypatch: pytest.MonkeyPatch
) -> None:
    chunk = 300
    monkeypatch.setattr(exports, "CHUNK_BYTES", chunk)
    titles = [f'Session {hour}, "part" {hour} — café' for hour in range(10, 18)]
    for hour, title in enumerate(titles, start=10):
        book(robin, EAST_RIVER, f"2026-03-02T{hour}:00:00", f"2026-03-02T{hour}:30:00", title=title)
        book(robin, LIBERTY, f"2026-03-02T{hour}:00:00", f"2026-03-02T{hour}:30:00", title=title)
    export_id = requested(robin, "spaces", **MONDAY_UTC)
    run_worker(app)
    let_the_delay_pass(app, wall)

    response = download(robin, export_id)

    rows = csv_rows(response, "spaces")
    assert len(response.content) > 5 * chunk
    assert len(rows) == 2 * len(titles)
    assert sorted(row["Title"] for row in rows) == sorted(titles * 2)
    assert len(by(rows, "Event ID")) == len(rows)


def test_export_reads_reservations_in_batches_without_losing_or_repeating_any(
    robin: RobinClient, app: FastAPI, wall: Wall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_rows, "BATCH", 2)
    # Several start at the same moment, so a batch may end between two of them.
    booked = [
        book(robin, space, "2026-03-02T10:00:00", "2026-03-02T10:30:00")["id"] for space in (HUDSON, EAST_RIVER, LIBERTY)
    ] + [book(robin, space, "2026-03-02T11:00:00", "2026-03-02T11:30:00")["id"] for space in (EAST_RIVER, LIBERTY)]

    rows = exported(robin, app, wall, "spaces", **MONDAY_UTC)

    assert sorted(row["Event ID"] for row in rows) == sorted(booked)


def test_export_reads_on_past_a_batch_of_reservations_with_no_occurrence_in_range(
    robin: RobinClient, app: FastAPI, wall: Wall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_rows, "BATCH", 2)
    # Both still under way at from (10:00 New York), so neither is in the export.
    book(robin, EAST_RIVER, "2026-03-02T09:30:00", "2026-03-02T10:30:00")
    book(robin, LIBERTY, "2026-03-02T09:30:00", "2026-03-02T10:30:00")
    later = [book(robin, space, "2026-03-02T11:00:00", "2026-03-02T11:30:00")["id"] for space in (EAST_RIVER, LIBERTY, QUEENS)]

    rows = exported(robin, app, wall, "spaces", **{"from": "2026-03-02T10:00:00-05:00", "to": "2026-03-02T12:00:00-05:00"})

    assert sorted(row["Event ID"] for row in rows) == sorted(later)


# Desk exports


def test_desk_row_tells_the_reserver_from_the_reservee(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    reservation = reserve(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T17:30:00", reservee={"email": BEN_EMAIL})
    wall.now = datetime(2026, 3, 2, 15, 20, tzinfo=UTC)
    confirm = robin.put(f"/reservations/seats/{reservation['id']}/confirmation", json={})
    assert confirm.status_code == 200, confirm.text

    rows = by(exported(robin, app, wall, "desks", **MONDAY_UTC, location_ids=[NEW_YORK_ID]), "Desk ID")

    assert rows["1003"] == {
        "Organization": ORGANIZATION,
        "Building": NEW_YORK_HQ,
        "Floor": "Floor 2",
        "Desk Group": "Pod A",
        "Desk ID": "1003",
        "Desk Name": "A-03",
        "Reservation ID": str(reservation["id"]),
        "Series ID": "",
        "Type": "hoteled",
        "Start (UTC)": "2026-03-02 15:00:00",
        "End (UTC)": "2026-03-02 22:30:00",
        "Hour Duration": "7.50",
        "Checked In At (UTC)": "2026-03-02 15:20:00",
        "Canceled At (UTC)": "",
        "Cancellation Type": "",
        "Creator Name": ADA["name"],
        "Creator Department": ADA["department"],
        "Creator Groups": ADA["groups"],
        "Creator Email": ADA_EMAIL,
        "Assignee Name": BEN["name"],
        "Assignee Department": BEN["department"],
        "Assignee Groups": BEN["groups"],
        "Assignee Email": BEN_EMAIL,
        "Desk Type": "hoteled",
        "Bookable On Unassigned Days": "true",
    }


def test_desk_export_includes_the_demo_reservations(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    wall.now = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)

    rows = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")

    assert rows.keys() == {"1001", "2002", "1008", "2006"}
    diego, vikram = rows["1001"], rows["2002"]
    assert (diego["Building"], diego["Floor"], diego["Desk Group"], diego["Desk Name"]) == (
        NEW_YORK_HQ,
        "Floor 2",
        "Pod A",
        "A-01",
    )
    assert (diego["Start (UTC)"], diego["End (UTC)"], diego["Hour Duration"]) == (
        "2026-03-02 14:00:00",
        "2026-03-02 22:00:00",
        "8.00",
    )
    assert [diego[f"Creator {column}"] for column in ("Name", "Department", "Groups", "Email")] == list(DIEGO.values())
    assert [diego[f"Assignee {column}"] for column in ("Name", "Department", "Groups", "Email")] == list(DIEGO.values())
    assert (diego["Canceled At (UTC)"], diego["Cancellation Type"]) == ("2026-03-02 15:00:00", "automatic")
    assert (vikram["Building"], vikram["Floor"], vikram["Desk Group"], vikram["Desk Name"]) == (
        BENGALURU,
        "Floor 1",
        "Bay North",
        "N-02",
    )
    assert (vikram["Start (UTC)"], vikram["End (UTC)"], vikram["Hour Duration"]) == (
        "2026-03-02 04:30:00",
        "2026-03-02 12:30:00",
        "8.00",
    )
    assert [vikram[f"Assignee {column}"] for column in ("Name", "Department", "Groups", "Email")] == list(VIKRAM.values())
    assert (vikram["Canceled At (UTC)"], vikram["Cancellation Type"]) == ("", "")


def test_desk_export_lists_assigned_days_under_their_assignee(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    hannah = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")["1008"]

    assert (hannah["Desk Name"], hannah["Type"], hannah["Desk Type"]) == ("B-02", "shared", "assigned,shared")
    assert (hannah["Start (UTC)"], hannah["End (UTC)"], hannah["Hour Duration"]) == (
        "2026-03-02 05:00:00",
        "2026-03-03 05:00:00",
        "24.00",
    )
    assert (hannah["Assignee Name"], hannah["Assignee Email"]) == ("Hannah Kim", "hannah.kim@meridian.example")
    assert (hannah["Bookable On Unassigned Days"], hannah["Cancellation Type"]) == ("false", "")


def test_location_ids_limit_the_desk_export(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    rows = exported(robin, app, wall, "desks", **MONDAY_UTC, location_ids=[BENGALURU_ID])

    # Yasmin's assignment began on Monday in Bengaluru (Sunday 18:30 UTC), before Vikram's reservation.
    assert [(row["Desk ID"], row["Building"]) for row in rows] == [("2006", BENGALURU), ("2002", BENGALURU)]


def test_released_desk_reservation_is_exported_as_cancelled_automatically(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    reservation = reserve(robin, 1004, "2026-03-02T10:00:00", "2026-03-02T17:00:00")
    wall.now = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)

    row = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")["1004"]

    assert row["Reservation ID"] == str(reservation["id"])
    # A-04's check-in window is 60 minutes from the 15:00 UTC start.
    assert (row["Canceled At (UTC)"], row["Cancellation Type"]) == ("2026-03-02 16:00:00", "automatic")
    assert row["Checked In At (UTC)"] == ""


def test_cancelled_desk_reservation_is_exported_as_cancelled_by_hand(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    reservation = reserve(robin, 1005, "2026-03-02T10:00:00", "2026-03-02T17:00:00")
    wall.advance(minutes=30)
    assert robin.delete(f"/reservations/seats/{reservation['id']}").status_code == 200

    row = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")["1005"]

    assert row["Reservation ID"] == str(reservation["id"])
    assert (row["Canceled At (UTC)"], row["Cancellation Type"]) == ("2026-03-02 14:30:00", "manual")


def test_assigned_desk_is_not_bookable_on_unassigned_days(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    reserve(robin, 1007, "2026-03-02T10:00:00", "2026-03-02T18:20:00", kind="assigned")

    row = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")["1007"]

    assert (row["Desk Group"], row["Desk Name"], row["Type"]) == ("Pod B", "B-01", "assigned")
    assert (row["Desk Type"], row["Bookable On Unassigned Days"]) == ("assigned", "false")
    assert row["Hour Duration"] == "8.33"


def test_desk_type_lists_every_type_of_the_desk(robin: RobinClient, member: RobinClient, app: FastAPI, wall: Wall) -> None:
    # B-03 is assigned on Wednesdays and Thursdays only: others hotel it on Mondays.
    reserve(member, 1009, "2026-03-02T10:00:00", "2026-03-02T17:00:00", kind="hoteled")

    row = by(exported(robin, app, wall, "desks", **MONDAY_UTC), "Desk ID")["1009"]

    assert (row["Type"], row["Desk Type"]) == ("hoteled", "hoteled,shared")
    assert row["Bookable On Unassigned Days"] == "true"
    assert [row[f"Creator {column}"] for column in ("Name", "Email")] == [BEN["name"], BEN_EMAIL]
    assert [row[f"Assignee {column}"] for column in ("Name", "Email")] == [BEN["name"], BEN_EMAIL]


def test_desk_series_exports_each_occurrence_with_its_series_id(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    series = reserve(
        robin,
        1006,
        "2026-03-02T10:00:00",
        "2026-03-02T17:00:00",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )
    assert robin.delete(f"/reservations/seats/{series['id']}_20260303T150000Z").status_code == 200
    listing = robin.get(
        "/reservations/seats",
        params={
            "seat_ids": 1006,
            "after": "2026-03-02T05:00:00Z",
            "before": "2026-03-05T05:00:00Z",
        },
    )
    assert listing.status_code == 200, listing.text
    live = listing.json()["data"]

    exported_rows = exported(robin, app, wall, "desks", **MONDAY_TO_WEDNESDAY)

    rows = by([row for row in exported_rows if row["Desk ID"] == "1006"], "Reservation ID")

    monday, tuesday, wednesday = (f"{series['id']}_202603{day}T150000Z" for day in ("02", "03", "04"))
    assert rows.keys() == {monday, tuesday, wednesday}
    assert {row["Series ID"] for row in rows.values()} == {str(series["id"])}
    # The export names each occurrence as the reservations API does.
    assert {(item["id"], item["series_id"]) for item in live} == {
        (monday, str(series["id"])),
        (wednesday, str(series["id"])),
    }
    assert [rows[key]["Start (UTC)"] for key in (monday, tuesday, wednesday)] == [
        "2026-03-02 15:00:00",
        "2026-03-03 15:00:00",
        "2026-03-04 15:00:00",
    ]
    cancellations = [(rows[key]["Canceled At (UTC)"], rows[key]["Cancellation Type"]) for key in (monday, tuesday, wednesday)]
    assert cancellations == [("", ""), ("2026-03-02 14:00:00", "manual"), ("", "")]


def test_desk_export_covers_reservations_starting_from_from_until_to(robin: RobinClient, app: FastAPI, wall: Wall) -> None:
    reserve(robin, 1003, "2026-03-02T10:00:00", "2026-03-02T12:00:00", reservee={"email": BEN_EMAIL})
    reserve(robin, 1004, "2026-03-02T12:00:00", "2026-03-02T13:00:00")
    reserve(robin, 1005, "2026-03-02T09:00:00", "2026-03-02T12:00:00", reservee={"email": CHLOE_EMAIL})

    rows = exported(robin, app, wall, "desks", **{"from": "2026-03-02T10:00:00-05:00", "to": "2026-03-02T12:00:00-05:00"})

    assert [row["Desk ID"] for row in rows] == ["1003"]


# Rate limit


def test_31st_export_request_in_a_minute_is_rate_limited(robin: RobinClient, wall: Wall) -> None:
    for kind in ["spaces", "desks"] * 15:
        assert request_export(robin, kind, MONDAY_UTC).status_code == 202

    assert_rate_limited(request_export(robin, "desks", MONDAY_UTC), retry_after=60)

    wall.advance(seconds=59)
    assert_rate_limited(request_export(robin, "spaces", MONDAY_UTC), retry_after=1)

    wall.advance(seconds=1)
    assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202


def test_rate_limit_counts_the_requests_of_the_last_minute(robin: RobinClient, wall: Wall) -> None:
    for _ in range(20):
        assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202
    wall.advance(seconds=30)
    for _ in range(10):
        assert request_export(robin, "desks", MONDAY_UTC).status_code == 202

    assert_rate_limited(request_export(robin, "spaces", MONDAY_UTC), retry_after=30)

    # The first twenty leave the window; the ten of half a minute ago stay in it.
    wall.advance(seconds=30)
    for _ in range(20):
        assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202
    assert_rate_limited(request_export(robin, "spaces", MONDAY_UTC), retry_after=30)


def test_refused_export_requests_do_not_count_toward_the_rate_limit(robin: RobinClient, member: RobinClient) -> None:
    for _ in range(10):
        assert request_export(robin, "spaces", {"from": "2026-03-02T00:00:00"}).status_code == 400
        assert request_export(member, "spaces", MONDAY_UTC).status_code == 403

    for _ in range(30):
        assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202


def test_rate_limited_requests_do_not_extend_the_wait(robin: RobinClient, wall: Wall) -> None:
    for _ in range(30):
        assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202
    for seconds in range(0, 60, 10):
        wall.now = NOW.replace(second=seconds)
        assert_rate_limited(request_export(robin, "spaces", MONDAY_UTC), retry_after=60 - seconds)

    wall.now = NOW.replace(minute=1)
    assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202


def test_rate_limit_is_per_organization(robin: RobinClient, client: Any, other_organization: dict[str, int]) -> None:
    for _ in range(30):
        assert request_export(robin, "spaces", MONDAY_UTC).status_code == 202
    assert request_export(robin, "spaces", MONDAY_UTC).status_code == 429

    elsewhere = request_export(RobinClient(client, OTHER_TOKEN), "spaces", MONDAY_UTC, other_organization["organization"])

    assert elsewhere.status_code == 202
