"""Verifying what a project's integration sent, through the `sandbox` fixture's journal:
counts, assertions and the failures a project reads, near misses listed."""

import pytest

from tests.testing.project import write_project

TESTS = """
import json

import pytest


def test_a_request_is_verified_by_method_path_api_and_body(sandbox):
    book(sandbox)

    (entry,) = sandbox.journal.assert_requested(
        method="POST", path="/v1.0/spaces/*/events", api="robin", body={"title": "Design review"}
    )

    assert json.loads(entry["request_body"])["start"] == MEETING["start"]
    assert entry["request_headers"]["authorization"] == "Access-Token [redacted]"
    assert sandbox.journal.count(method="POST", organization=sandbox.organization) == 1
    assert sandbox.journal.count(api="kadence") == 0
    sandbox.journal.assert_requested(method="DELETE", times=0)
    sandbox.journal.assert_requested(path="/v1.0/spaces/49/events", times=None)


def test_counts_start_at_the_mark(sandbox, sandbox_server):
    assert sandbox.journal_mark is not None
    assert sandbox_server.journal_mark is None
    assert sandbox.journal.count() == 0
    call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)
    assert sandbox.journal.count(path="/v1.0/me") == 1

    mark = sandbox.journal.mark("the first call")

    assert mark == sandbox.journal(limit=1, after=0)[0]["id"]
    assert sandbox.journal.count(path="/v1.0/me") == 0
    assert sandbox.journal(path="/v1.0/me") == []
    assert sandbox.journal.count(path="/v1.0/me", after=0) == 1
    with pytest.raises(AssertionError, match="found 0 among the 0 requests since the first call"):
        sandbox.journal.assert_requested(path="/v1.0/me")


def test_a_count_of_the_wrong_kind_is_refused(sandbox):
    with pytest.raises(ValueError, match="times must be 0 or more"):
        sandbox.journal.assert_requested(times=-1)


def test_fails_listing_the_near_misses(sandbox):
    call("POST", f"{sandbox.robin_url}/spaces/49/events", sandbox.robin_headers, {**MEETING, "title": "Design"})
    call("POST", f"{sandbox.robin_url}/spaces/48/events", sandbox.robin_headers, MEETING)
    titles(sandbox)

    sandbox.journal.assert_requested(method="POST", path="/v1.0/spaces/49/events", body={"title": "Design review"})


def test_fails_listing_the_requests_beyond_the_count(sandbox):
    for _ in range(2):
        call("GET", f"{sandbox.robin_url}/me", sandbox.robin_headers)

    sandbox.journal.assert_requested(path="/v1.0/me")


def test_fails_saying_when_nothing_came_close(sandbox):
    sandbox.journal.assert_requested(api="kadence", method="POST", path="/v1/public/bookings")
"""

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]


def test_verifies_what_a_test_sent_and_explains_what_did_not_match(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(pytester, monkeypatch, test_verify=TESTS)

    result = pytester.runpytest_subprocess()

    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            (
                "*AssertionError: expected 1 request matching POST /v1.0/spaces/49/events, "
                'body {"title": "Design review"}; found 0 among the 3 requests since the test began'
            ),
            "E * Near misses, newest first (each meets every criterion but one):",
            (
                "E *   POST /v1.0/spaces/48/events → 201 (journal entry *): path /v1.0/spaces/48/events does not match "
                "/v1.0/spaces/49/events"
            ),
            'E *   POST /v1.0/spaces/49/events → 201 (journal entry *): body.title is "Design", not "Design review"',
            "*_ test_fails_listing_the_requests_beyond_the_count _*",
            "*AssertionError: expected 1 request matching any method /v1.0/me; found 2 among the 2 requests since the test began",
            "E * Matching, newest first:",
            "E *   GET /v1.0/me → 200 (journal entry *)",
            "E *   GET /v1.0/me → 200 (journal entry *)",
            "*_ test_fails_saying_when_nothing_came_close _*",
            (
                "*AssertionError: expected 1 request matching POST /v1/public/bookings, api kadence; "
                "found 0 among the 0 requests since the test began"
            ),
            "E * No request meets every criterion but one.",
        ]
    )
