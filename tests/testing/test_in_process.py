"""The plugin starting a sandbox of its own: restores between tests, the clock, the demo
credentials, faults, the journal and snapshots, as a project's tests use them."""

import pytest

from tests.testing.project import CONTROL_CALLS, write_project

TESTS = (
    '''
import time
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.testing import Sandbox, SandboxError


def availability(sandbox):
    status, answer = call("GET", f"{sandbox.robin_url}/spaces/49/state", sandbox.robin_headers)
    assert status == 200, answer
    return answer["data"]["availability"]


def journal(sandbox, count, **filters):
    """The journal once it holds `count` entries: the server records a request just after
    answering it, so the last one can be a moment late."""
    deadline = time.monotonic() + 2
    while len(entries := sandbox.journal(**filters)) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return entries


def close_to_real_time(instant):
    return abs(instant - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_booking_lasts_as_long_as_its_test(sandbox):
    book(sandbox)
    assert titles(sandbox) == ["Design review"]
    sandbox.freeze("2030-01-01T00:00:00Z")
    sandbox.fault(api="robin", path="/v1.0/me", effect="error", status=503)


def test_the_next_test_starts_from_the_clean_state(sandbox):
    assert titles(sandbox) == []
    assert close_to_real_time(sandbox.now())
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 200
    assert [entry["path"] for entry in journal(sandbox, 2)] == ["/v1.0/me", "/v1.0/spaces/49/events"]

'''
    + CONTROL_CALLS
    + """

def test_a_test_that_leaves_something_to_restore(sandbox):
    book(sandbox)
    SENT.clear()


def test_a_test_begins_after_one_call_that_restores_and_marks_the_journal(sandbox):
    assert SENT == ["POST snapshots/pytest-clean/restore?clear=faults&clear=journal"]
    assert titles(sandbox) == []
    assert [entry["path"] for entry in journal(sandbox, 1)] == ["/v1.0/spaces/49/events"]


def test_the_clock_helpers_move_what_the_api_reports(sandbox):
    book(sandbox)

    assert sandbox.freeze("2031-05-05T13:30:00Z") == datetime(2031, 5, 5, 13, 30, tzinfo=UTC)
    assert availability(sandbox) == "available"
    assert sandbox.advance("PT1H") == datetime(2031, 5, 5, 14, 30, tzinfo=UTC)
    assert availability(sandbox) == "booked"
    assert sandbox.advance(timedelta(minutes=45)) == datetime(2031, 5, 5, 15, 15, tzinfo=UTC)
    assert availability(sandbox) == "available"
    sandbox.set_time(datetime(2031, 5, 5, 14, 15, tzinfo=UTC))
    assert sandbox.now() == datetime(2031, 5, 5, 14, 15, tzinfo=UTC)
    assert availability(sandbox) == "booked"
    assert close_to_real_time(sandbox.resume())
    assert sandbox.freeze("2032-01-01T00:00:00Z", organization="meridian") == sandbox.now(organization=sandbox.organization)


def test_the_demo_credentials_work_for_both_apis(sandbox):
    member = {"Authorization": f"Access-Token {sandbox.robin_member_token}"}
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[1]["data"]["name"] == "Ada Okafor"
    assert call("GET", f"{sandbox.robin_url}/me", member)[1]["data"]["name"] == "Ben Carter"
    status, buildings = call("GET", f"{sandbox.kadence_url}/buildings", sandbox.kadence_headers())
    assert status == 200
    assert buildings["hydra:totalItems"] >= 1
    assert sandbox.kadence_token() != sandbox.kadence_token()


def test_faults_and_the_journal(sandbox):
    rule = sandbox.fault(api="robin", method="GET", path="/v1.0/me", effect="error", status=503, times=1)
    assert rule["remaining"] == 1

    statuses = [call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] for _ in range(2)]

    assert statuses == [503, 200]
    assert [entry["status"] for entry in journal(sandbox, 2, path="/v1.0/me")] == [200, 503]
    assert journal(sandbox, 1, status="5xx")[0]["fault_id"] == rule["id"]
    sandbox.fault(api="robin", effect="error", status=500)
    sandbox.clear_faults()
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 200


def test_faults_and_the_journal_of_one_organization(sandbox):
    rule = sandbox.fault(api="robin", path="/v1.0/me", effect="error", status=503, organization=int(sandbox.organization))
    everyone = sandbox.fault(api="kadence", effect="latency", latency_ms=1)

    assert rule["organization"]["id"] == int(sandbox.organization)
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 503
    assert call("GET", f"{sandbox.robin_url}/me", {})[0] == 401
    sandbox.clear_faults(organization=sandbox.organization)
    assert [kept["id"] for kept in sandbox.control("GET", "faults")] == [everyone["id"]]
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[0] == 200
    assert len(journal(sandbox, 3)) == 3
    sandbox.clear_journal(organization="meridian")
    assert [entry["status"] for entry in sandbox.journal()] == [401]
    sandbox.clear_journal()
    assert sandbox.journal() == []


def test_snapshots_and_reset(sandbox):
    book(sandbox)
    sandbox.save_snapshot("one-meeting")
    sandbox.reset()
    assert titles(sandbox) == []
    sandbox.restore_snapshot("one-meeting")
    assert titles(sandbox) == ["Design review"]


def test_a_test_may_change_its_handle(sandbox):
    sandbox.robin_token = sandbox.robin_member_token
    assert call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)[1]["data"]["name"] == "Ben Carter"


def test_the_handle(sandbox: Sandbox, sandbox_server: Sandbox):
    assert (sandbox.url, sandbox.organization) == (sandbox_server.url, sandbox_server.organization)
    assert sandbox.in_process
    assert sandbox.url.startswith("http://127.0.0.1:")
    assert (sandbox.robin_url, sandbox.kadence_url, sandbox.token_url) == (
        f"{sandbox.url}/v1.0", f"{sandbox.url}/v1/public", f"{sandbox.url}/oauth2/token"
    )
    assert sandbox.robin_headers == {"Authorization": "Access-Token demo-robin-token"}
    assert (sandbox.kadence_client_id, sandbox.kadence_client_secret) == ("demo-client", "demo-secret")
    with pytest.raises(SandboxError, match="answered 404: no snapshot named 'never-saved'"):
        sandbox.restore_snapshot("never-saved")
"""
)

PRESET_TESTS = """
import sys
import threading


def test_nothing_is_started_or_imported_before_a_test_asks(request):
    assert request.config.pluginmanager.has_plugin("workplace_sandbox")
    assert not {"sandbox.app", "fastapi", "sqlalchemy", "uvicorn"} & set(sys.modules)
    assert "workplace-sandbox" not in [thread.name for thread in threading.enumerate()]


def test_the_preset_and_seed_options_choose_the_workplace(sandbox):
    status, answer = call("GET", f"{sandbox.robin_url}/me/organizations", sandbox.robin_headers)
    assert status == 200
    assert answer["data"][0]["slug"] != "meridian"
    assert sandbox.now()
    assert call("GET", f"{sandbox.kadence_url}/buildings", sandbox.kadence_headers())[0] == 200
"""

# The plugin's own temporary store: SQLite.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]


def test_restores_between_tests_and_drives_the_sandbox(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(pytester, monkeypatch, test_booking=TESTS)

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=11)


def test_starts_nothing_until_asked_then_seeds_the_preset_given(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(pytester, monkeypatch, ini="sandbox_preset = small\n", test_preset=PRESET_TESTS)

    result = pytester.runpytest_subprocess("--sandbox-seed", "7")

    result.assert_outcomes(passed=2)


def test_a_setting_that_does_not_parse_fails_the_tests_with_a_clear_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(pytester, monkeypatch, ini="sandbox_seed = many\n", test_one="def test_one(sandbox):\n    pass\n")

    result = pytester.runpytest_inprocess()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*sandbox_seed must be an integer, not 'many'*"])
