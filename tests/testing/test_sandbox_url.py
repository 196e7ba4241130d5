"""The plugin given a running sandbox (SANDBOX_URL, as a CI job gives it, or --sandbox-url):
it tests against that server, starts none of its own, and says plainly when none answers."""

from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import new_store
from tests.test_serve import _free_port, serving
from tests.testing.project import write_project

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]
"""The plugin speaks HTTP alone; the control plane it drives is tested on both stores."""

TESTS = """
import os
import sys


def test_the_given_server_is_used_and_none_is_started(sandbox, pytestconfig):
    assert not sandbox.in_process
    assert sandbox.url == (pytestconfig.getoption("sandbox_url") or os.environ["SANDBOX_URL"])
    assert "sandbox.app" not in sys.modules
    assert titles(sandbox) == []
    book(sandbox)


def test_the_next_test_starts_clean_and_leaves_its_booking_behind(sandbox):
    assert titles(sandbox) == []
    book(sandbox)
"""
ADMIN = {"Authorization": "Access-Token demo-robin-token"}
MAY_5 = {"after": "2031-05-05T00:00:00Z", "before": "2031-05-06T00:00:00Z"}


def test_tests_run_against_the_server_at_sandbox_url(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = new_store(tmp_path).url
    write_project(pytester, monkeypatch, test_given_server=TESTS)
    with serving("--database-url", url) as (base, _):
        monkeypatch.setenv("SANDBOX_URL", base)

        pytester.runpytest_subprocess().assert_outcomes(passed=2)

        journal = httpx.get(f"{base}/_sandbox/journal").json()["entries"]
        assert [(entry["method"], entry["path"]) for entry in journal] == [
            ("POST", "/v1.0/spaces/49/events"),
            ("GET", "/v1.0/spaces/49/events"),
        ]
        left = httpx.get(f"{base}/v1.0/spaces/49/events", params=MAY_5, headers=ADMIN).json()["data"]
        assert [event["title"] for event in left] == ["Design review"]  # restored before a test, not after
        assert "pytest-clean" in [snapshot["name"] for snapshot in httpx.get(f"{base}/_sandbox/snapshots").json()]

        monkeypatch.delenv("SANDBOX_URL")
        # A second session starts from the first one's clean state, not from its leftovers.
        pytester.runpytest_subprocess("--sandbox-url", base).assert_outcomes(passed=2)

        not_a_sandbox = pytester.runpytest_subprocess("--sandbox-url", f"{base}/v1.0")
        not_a_sandbox.assert_outcomes(errors=2)
        not_a_sandbox.stdout.fnmatch_lines([f"*{base}/v1.0/_sandbox/ready answered 404: is {base}/v1.0 a workplace sandbox?*"])


DIRTY = """
def test_the_server_starts_as_seeded(sandbox):
    assert titles(sandbox) == []


def test_the_next_test_too(sandbox):
    book(sandbox)
    assert titles(sandbox) == ["Design review"]
"""
KEPT = """
def test_what_the_server_held_is_kept(sandbox):
    assert titles(sandbox) == ["Left behind"]
"""


def leave_an_event(base: str) -> None:
    event = {
        "title": "Left behind",
        "start": {"date_time": "2031-05-05T16:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-05-05T17:00:00Z", "time_zone": "America/New_York"},
    }
    assert httpx.post(f"{base}/v1.0/spaces/49/events", json=event, headers=ADMIN).status_code == 201


def test_a_server_left_dirty_is_reset_to_its_seed_before_the_tests_saying_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_project(pytester, monkeypatch, test_dirty_server=DIRTY)
    with serving("--database-url", new_store(tmp_path).url) as (base, _):
        leave_an_event(base)
        monkeypatch.setenv("SANDBOX_URL", base)

        result = pytester.runpytest_subprocess()

        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines([f"workplace-sandbox: {base}: reset to its seed (POST /_sandbox/reset) before the first*"])
        left = httpx.get(f"{base}/v1.0/spaces/49/events", params=MAY_5, headers=ADMIN).json()["data"]
        assert [event["title"] for event in left] == ["Design review"]


def test_keep_state_tests_from_what_the_server_holds_saying_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_project(pytester, monkeypatch, test_kept_state=KEPT)
    with serving("--database-url", new_store(tmp_path).url) as (base, _):
        leave_an_event(base)
        monkeypatch.setenv("SANDBOX_URL", base)

        flag = pytester.runpytest_subprocess("--sandbox-keep-state")
        pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\nsandbox_keep_state = true\n")
        ini = pytester.runpytest_subprocess()

    for result in (flag, ini):
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines([f"workplace-sandbox: {base}: its state is kept: *"])


def test_no_server_at_sandbox_url_fails_the_tests_with_a_clear_message(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(pytester, monkeypatch, test_given_server=TESTS)
    url = f"http://127.0.0.1:{_free_port()}"
    monkeypatch.setenv("SANDBOX_URL", url)

    result = pytester.runpytest_inprocess("--sandbox-timeout", "0.3")

    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines([f"*no workplace sandbox became ready at {url} within 0.3 s (last try: *refused*"])
