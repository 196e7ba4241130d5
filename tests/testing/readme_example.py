import json
import urllib.request

MEETING = {
    "title": "Design review",
    "start": {"date_time": "2031-05-05T14:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2031-05-05T15:00:00Z", "time_zone": "America/New_York"},
}
MAY_5 = "after=2031-05-05T00:00:00Z&before=2031-05-06T00:00:00Z"


def call(method, url, headers, body=None):
    """Any HTTP client will do; this one comes with Python."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {**headers, "Content-Type": "application/json"}, method=method)
    with urllib.request.urlopen(request) as response:
        return response.status, json.load(response)


def test_a_booked_room_is_busy_while_the_meeting_runs(sandbox):
    status, _ = call("POST", f"{sandbox.robin_url}/spaces/49/events", sandbox.robin_headers, MEETING)
    assert status == 201

    sandbox.freeze("2031-05-05T14:30:00Z")
    _, state = call("GET", f"{sandbox.robin_url}/spaces/49/state", sandbox.robin_headers)
    assert state["data"]["availability"] == "booked"


def test_each_test_starts_from_the_clean_workplace(sandbox):
    _, events = call("GET", f"{sandbox.robin_url}/spaces/49/events?{MAY_5}", sandbox.robin_headers)
    assert events["data"] == []


def test_kadence_sees_the_same_workplace(sandbox):
    _, buildings = call("GET", f"{sandbox.kadence_url}/buildings", sandbox.kadence_headers())
    assert "Meridian HQ New York" in [building["name"] for building in buildings["hydra:member"]]


def test_the_integration_sent_what_it_should(sandbox):
    call("POST", f"{sandbox.robin_url}/spaces/49/events", sandbox.robin_headers, MEETING)

    sandbox.journal.assert_requested(method="POST", path="/v1.0/spaces/*/events", body={"title": "Design review"})
