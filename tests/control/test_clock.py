"""Organization clocks through the control plane, and both APIs following them at once."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import NOW
from tests.kadence.test_bookings import BEN, booked, read

CLOCK = "/_sandbox/organizations/{}/clock"


def clock(client, organization="1"):
    response = client.get(CLOCK.format(organization))
    assert response.status_code == 200, response.text
    return response.json()


def change(client, action, organization="1", **body):
    return client.post(CLOCK.format(organization) + f"/{action}", json=body or None)


def instant(text):
    return datetime.fromisoformat(text)


def test_organizations_are_listed_with_their_clocks(client):
    listed = client.get("/_sandbox/organizations").json()

    assert [item["slug"] for item in listed] == ["meridian"]
    assert listed[0]["clock"]["mode"] == "real"
    assert instant(listed[0]["clock"]["now"]) == NOW


@pytest.mark.parametrize("key", ["1", "meridian", "ulid"])
def test_an_organization_is_named_by_id_ulid_or_slug(client, key):
    ulid = client.get("/_sandbox/organizations").json()[0]["ulid"]

    state = clock(client, ulid.lower() if key == "ulid" else key)

    assert state["organization"]["slug"] == "meridian"


def test_freeze_stops_the_clock_where_it_is(client, wall):
    frozen = change(client, "freeze").json()
    wall.advance(hours=3)

    assert frozen["mode"] == "frozen"
    assert instant(clock(client)["now"]) == NOW
    assert instant(clock(client)["real_time"]) == NOW + timedelta(hours=3)


def test_freeze_at_an_instant(client):
    response = change(client, "freeze", at="2026-06-01T08:30:00+02:00")

    assert response.status_code == 200
    assert instant(response.json()["now"]) == datetime(2026, 6, 1, 6, 30, tzinfo=UTC)


def test_set_keeps_a_running_clock_running(client, wall):
    state = change(client, "set", at="2027-01-01T00:00:00Z").json()
    wall.advance(minutes=5)

    assert state["mode"] == "shifted"
    assert instant(clock(client)["now"]) == datetime(2027, 1, 1, 0, 5, tzinfo=UTC)


def test_set_keeps_a_frozen_clock_frozen(client, wall):
    change(client, "freeze")
    change(client, "set", at="2025-12-24T18:00:00Z")
    wall.advance(minutes=5)

    assert clock(client)["mode"] == "frozen"
    assert instant(clock(client)["now"]) == datetime(2025, 12, 24, 18, tzinfo=UTC)


def test_advance_moves_a_running_and_a_frozen_clock(client):
    running = change(client, "advance", by="PT90M").json()
    assert instant(running["now"]) == NOW + timedelta(minutes=90)
    assert running["offset_seconds"] == 5400

    change(client, "freeze")
    frozen = change(client, "advance", by="P1DT2H").json()
    assert instant(frozen["now"]) == NOW + timedelta(days=1, hours=3, minutes=30)


def test_resume_returns_to_real_time(client, wall):
    change(client, "freeze", at="2030-01-01T00:00:00Z")

    resumed = change(client, "resume").json()

    assert resumed["mode"] == "real"
    assert instant(resumed["now"]) == NOW


@pytest.mark.parametrize("duration", ["2h", "PT0S", "-PT1H", "P1M", ""])
def test_advance_refuses_what_is_not_a_positive_fixed_duration(client, duration):
    response = change(client, "advance", by=duration)

    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "by"
    assert instant(clock(client)["now"]) == NOW


@pytest.mark.parametrize("body", [{}, {"at": "tomorrow"}, {"at": "2026-01-01", "extra": 1}])
def test_set_refuses_a_missing_or_bad_instant(client, body):
    response = client.post(CLOCK.format(1) + "/set", json=body)

    assert response.status_code == 422
    assert "at" in response.text or "extra" in response.text


def test_unknown_organization_answers_404(client):
    assert client.get(CLOCK.format("nowhere")).status_code == 404
    assert change(client, "freeze", organization="999").status_code == 404


def test_kadence_booking_status_follows_the_clock_at_once(client, kadence):
    booking = booked(kadence, BEN, "2026-03-02T14:10:00", "2026-03-02T14:40:00", space="East River", title="Sync")
    assert read(kadence, booking)["status"] == "booked"

    change(client, "freeze", at="2026-03-02T14:40:00Z")

    assert read(kadence, booking)["status"] == "completed"


def test_robin_space_state_follows_the_clock_at_once(client, robin):
    robin.post(
        "/spaces/57/events",
        json={
            "title": "Stand-up",
            "start": {"date_time": "2026-03-02T18:00:00Z", "time_zone": "America/New_York"},
            "end": {"date_time": "2026-03-02T19:00:00Z", "time_zone": "America/New_York"},
        },
    )
    before = robin.get("/spaces/57/state").json()["data"]

    change(client, "advance", by="PT4H15M")
    during = robin.get("/spaces/57/state").json()["data"]

    assert before != during
    assert during["availability"] == "booked"


def test_kadence_tokens_expire_on_the_organization_clock(client, kadence):
    assert kadence.get("/buildings").status_code == 200

    change(client, "advance", by="P1D")

    assert kadence.get("/buildings").status_code == 401


def test_a_clock_change_is_refused_with_a_malformed_body(client):
    response = client.post(CLOCK.format(1) + "/advance", content=b"by=PT1H", headers={"Content-Type": "application/json"})

    assert response.status_code == 422
    assert instant(clock(client)["now"]) == NOW


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("advance", {"by": "P99999999D"}),
        ("advance", {"by": "P2700000D"}),
        ("set", {"at": "9999-12-31T23:59:59Z"}),
        ("set", {"at": "0001-01-01T00:00:00Z"}),
        ("freeze", {"at": "1969-12-31T23:59:59Z"}),
    ],
)
def test_the_clock_stays_within_the_calendar_the_apis_can_work_in(client, robin, action, body):
    response = change(client, action, **body)

    assert response.status_code == 422
    assert "must stay from 1970 to 9000" in response.json()["error"]
    assert instant(clock(client)["now"]) == NOW
    assert robin.get("/me").status_code == 200


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_instants_at_the_ends_of_the_calendar_are_refused(client, at):
    for action in ("set", "freeze"):
        response = change(client, action, at=at)
        assert response.status_code == 422
        assert response.json()["problems"][0]["field"] == "at"


@pytest.mark.parametrize("key", ["¹", "１"])
def test_organization_keys_are_ascii_digits_ulids_or_slugs(client, key):
    assert client.get(CLOCK.format(key)).status_code == 404


@pytest.mark.parametrize("at", [5, 1772460000, 1.5e9, "1772460000", True, ["2026-03-02T14:00:00Z"]])
def test_an_instant_is_iso_8601_text_never_a_number(client, at):
    """A JSON number (or digits) would otherwise be read as seconds since 1970."""
    for action in ("set", "freeze"):
        response = change(client, action, at=at)

        assert response.status_code == 422, response.text
        assert response.json()["problems"][0]["field"] == "at"
        assert "ISO 8601" in response.json()["error"]
    assert clock(client)["mode"] == "real"
