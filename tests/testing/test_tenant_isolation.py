"""The plugin's tenant isolation: parallel workers share one server, each in an organization of
its own that every test resets; or a new organization for every test."""

import json
from pathlib import Path

import pytest

from tests.testing.project import CONTROL_CALLS, write_project

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]
"""The plugin speaks HTTP alone; the control plane it drives is tested on both stores."""

ROOM = """
import os


def focus_room(sandbox):
    status, locations = call("GET", f"{sandbox.robin_url}/organizations/{sandbox.organization}/locations", sandbox.robin_headers)
    assert status == 200, locations
    for location in locations["data"]:
        status, spaces = call("GET", f"{sandbox.robin_url}/locations/{location['id']}/spaces?per_page=100", sandbox.robin_headers)
        for space in spaces["data"]:
            if space["name"] == "Focus Room":
                return space["id"]
    raise AssertionError("no Focus Room")


def meetings(sandbox, room):
    day = "after=2031-05-05T00:00:00Z&before=2031-05-06T00:00:00Z"
    status, answer = call("GET", f"{sandbox.robin_url}/spaces/{room}/events?{day}", sandbox.robin_headers)
    assert status == 200, answer
    return [event["title"] for event in answer["data"]]


def book_and_record(sandbox, name):
    room = focus_room(sandbox)
    assert meetings(sandbox, room) == []
    status, answer = call("POST", f"{sandbox.robin_url}/spaces/{room}/events", sandbox.robin_headers, MEETING)
    assert status == 201, answer
    sandbox.journal.assert_requested(method="POST", path="/v1.0/spaces/*/events", times=1)
    seen = {"url": sandbox.url, "organization": sandbox.organization, "tenant": sandbox.tenant, "room": room}
    with open(os.path.join(os.environ["RECORDS"], name + ".json"), "w") as record:
        json.dump(seen, record)
"""

TESTS = (
    "import json\n"
    + ROOM
    + "".join(
        f"""

def test_{number}(sandbox):
    book_and_record(sandbox, "{number}")
"""
        for number in range(8)
    )
)


ONE_CALL = (
    CONTROL_CALLS
    + """

def test_a_tenants_fault_rule_is_its_own(sandbox):
    sandbox.fault(api="robin", path="/v1.0/me", effect="error", status=503)
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 503
    assert call("GET", f"{sandbox.robin_url}/me", {"Authorization": "Access-Token demo-robin-token"})[0] == 200
    SENT.clear()


def test_a_test_begins_after_one_call_that_resets_and_marks_the_journal(sandbox):
    assert SENT == [f"POST organizations/{sandbox.organization}/reset?clear=faults"]
    assert sandbox.control("GET", "faults") == []
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 200
    sandbox.journal.assert_requested(method="GET", path="/v1.0/me", times=1)
    assert [entry["path"] for entry in sandbox.journal()] == ["/v1.0/me"]
"""
)


def _records(directory: Path) -> list[dict[str, object]]:
    return [json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))]


def test_xdist_workers_share_one_server_each_in_an_organization_reset_for_every_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_project(pytester, monkeypatch, test_tenants=TESTS)
    monkeypatch.setenv("RECORDS", str(tmp_path))

    result = pytester.runpytest_subprocess("-n", "2", "--sandbox-isolation=tenant", "-p", "xdist")

    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*an organization of its own for each test process, reset before each test*"])
    seen = _records(tmp_path)
    assert len({record["url"] for record in seen}) == 1  # One server, started by xdist's controller.
    assert all(record["tenant"] for record in seen)
    organizations = {record["organization"] for record in seen}
    assert len(organizations) == 2  # One for each worker, each test booking the same slot after a reset.
    assert len({record["room"] for record in seen}) == 2  # Each organization's own copy of the room.


def test_each_test_may_get_an_organization_of_its_own(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_project(pytester, monkeypatch, test_tenants=TESTS)
    monkeypatch.setenv("RECORDS", str(tmp_path))

    result = pytester.runpytest_subprocess("--sandbox-isolation=test")

    result.assert_outcomes(passed=8)
    assert len({record["organization"] for record in _records(tmp_path)}) == 8


def test_a_tenants_rules_are_its_own_and_its_test_begins_after_one_call(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(pytester, monkeypatch, test_one_call=ONE_CALL)

    result = pytester.runpytest_subprocess("--sandbox-isolation=tenant")

    result.assert_outcomes(passed=2)


def test_an_unknown_isolation_is_refused(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(pytester, monkeypatch, ini="sandbox_isolation = worker\n", test_tenants=TESTS)

    result = pytester.runpytest_subprocess()

    result.stderr.fnmatch_lines(["*sandbox_isolation must be one of store, tenant, test, not 'worker'*"])
    assert result.ret != 0
