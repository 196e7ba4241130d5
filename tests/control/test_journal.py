"""The request journal through the control plane."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import DBAPIError

from sandbox.control.journal import BODY_LIMIT, Filter, Journal
from sandbox.robin import deps as robin_deps
from sandbox.store.engine import Store
from tests.conftest import OTHER_TOKEN, RobinClient, new_store


def entries(client, **filters):
    response = client.get("/_sandbox/journal", params=filters)
    assert response.status_code == 200, response.text
    return response.json()["entries"]


def test_requests_to_both_apis_are_recorded_newest_first(client, robin, kadence):
    robin.get("/me")
    kadence.get("/buildings")

    recorded = entries(client)

    assert [(e["api"], e["method"], e["path"], e["status"]) for e in recorded] == [
        ("kadence", "GET", "/v1/public/buildings", 200),
        ("robin", "GET", "/v1.0/me", 200),
        ("kadence", "POST", "/oauth2/token", 200),
    ]
    assert all(e["duration_ms"] > 0 for e in recorded)
    assert all(e["organization_id"] == 1 for e in recorded)


def test_a_request_without_a_valid_credential_has_no_organization(client, anonymous):
    anonymous.get("/me")

    (entry,) = entries(client)

    assert (entry["status"], entry["organization_id"]) == (401, None)


def test_the_control_plane_and_the_sandbox_pages_are_not_recorded(client):
    client.get("/_sandbox/health")
    client.get("/")

    assert entries(client) == []


def test_entry_detail_holds_the_request_and_response_bodies(client, robin):
    robin.patch("/spaces/48", json={"name": "Hudson"}, params={"include": "amenities"})

    (entry,) = entries(client)
    detail = client.get(f"/_sandbox/journal/{entry['id']}").json()

    assert detail["query"] == "include=amenities"
    assert json.loads(detail["request_body"]) == {"name": "Hudson"}
    assert detail["request_content_type"] == "application/json"
    assert json.loads(detail["response_body"])["data"]["name"] == "Hudson"
    assert detail["response_content_type"] == "application/json"
    assert detail["truncated"] is False


def test_long_bodies_are_cut_short_and_marked(client, robin):
    robin.patch("/spaces/48", json={"description": "x" * (BODY_LIMIT + 10)})

    (entry,) = entries(client)
    detail = client.get(f"/_sandbox/journal/{entry['id']}").json()

    assert len(detail["request_body"]) == BODY_LIMIT
    assert detail["truncated"] is True


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"api": "robin"}, ["/v1.0/spaces/9999", "/v1.0/spaces/48", "/v1.0/me"]),
        ({"method": "post"}, ["/oauth2/token"]),
        ({"status": "404"}, ["/v1.0/spaces/9999"]),
        ({"status": "4xx"}, ["/v1.0/spaces/9999"]),
        ({"status": "2xx", "api": "kadence"}, ["/v1/public/buildings", "/oauth2/token"]),
        ({"path": "/v1.0/spaces/*"}, ["/v1.0/spaces/9999", "/v1.0/spaces/48"]),
        ({"organization": "meridian", "api": "robin"}, ["/v1.0/spaces/9999", "/v1.0/spaces/48", "/v1.0/me"]),
        ({"limit": "2"}, ["/v1.0/spaces/9999", "/v1/public/buildings"]),
    ],
)
def test_journal_filters(client, robin, kadence, filters, expected):
    robin.get("/me")
    robin.get("/spaces/48")
    kadence.get("/buildings")
    robin.get("/spaces/9999")

    assert [entry["path"] for entry in entries(client, **filters)] == expected


def test_after_returns_only_newer_entries(client, robin):
    robin.get("/me")
    (seen,) = entries(client)
    robin.get("/spaces/48")

    assert [entry["path"] for entry in entries(client, after=seen["id"])] == ["/v1.0/spaces/48"]


@pytest.mark.parametrize("filters", [{"api": "google"}, {"status": "99"}, {"status": "6xx"}, {"limit": "0"}, {"after": "x"}])
def test_bad_filters_are_refused(client, filters):
    response = client.get("/_sandbox/journal", params=filters)

    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == next(iter(filters))


def test_unknown_organization_filter_answers_404(client):
    assert client.get("/_sandbox/journal", params={"organization": "nowhere"}).status_code == 404


def test_clear_empties_the_journal(client, robin):
    robin.get("/me")
    recorded = entries(client)[0]["id"]
    assert client.get(f"/_sandbox/journal/{recorded}").status_code == 200

    assert client.delete("/_sandbox/journal").status_code == 204
    assert entries(client) == []
    assert client.get(f"/_sandbox/journal/{recorded}").status_code == 404


def test_clear_by_organization_keeps_the_other_organizations_entries(client, robin, anonymous, other_organization):
    robin.get("/me")
    RobinClient(client, OTHER_TOKEN).get("/me")
    anonymous.get("/me")

    assert client.delete("/_sandbox/journal", params={"organization": "meridian"}).status_code == 204

    assert [(entry["organization_id"], entry["status"]) for entry in entries(client)] == [
        (None, 401),
        (other_organization["organization"], 200),
    ]


def test_clear_by_an_unknown_organization_answers_404_and_keeps_every_entry(client, robin):
    robin.get("/me")

    response = client.delete("/_sandbox/journal", params={"organization": "nowhere"})

    assert response.status_code == 404
    assert "no organization 'nowhere'" in response.json()["error"]
    assert len(entries(client)) == 1


def test_a_request_answered_by_an_organizations_rule_is_journaled_as_that_organizations(client, robin):
    rule = client.post("/_sandbox/faults", json={"effect": "error", "status": 503, "organization": "meridian"}).json()
    robin.get("/me")

    (entry,) = entries(client)
    assert (entry["status"], entry["fault_id"], entry["organization_id"]) == (503, rule["id"], 1)
    assert client.delete("/_sandbox/journal", params={"organization": "meridian"}).status_code == 204
    assert entries(client) == []


def test_journal_keeps_only_the_newest_entries(app, client, robin):
    app.state.journal = Journal(size=3)
    try:
        for _ in range(5):
            robin.get("/me")
        robin.get("/spaces/48")

        recorded = entries(client)
    finally:
        app.state.journal = Journal(size=app.state.settings.journal_size)

    assert [entry["path"] for entry in recorded] == ["/v1.0/spaces/48", "/v1.0/me", "/v1.0/me"]


def test_faulted_requests_name_their_rule(client, robin):
    rule = client.post("/_sandbox/faults", json={"path": "/v1.0/me", "effect": "error", "status": 503}).json()
    robin.get("/me")

    (entry,) = entries(client)

    assert (entry["status"], entry["fault_id"]) == (503, rule["id"])


def test_out_of_range_journal_ids_are_refused_cleanly(client):
    assert client.get("/_sandbox/journal/99999999999999999999").status_code == 404
    assert client.get("/_sandbox/journal", params={"after": "99999999999999999999"}).status_code == 422


def test_an_unhandled_failure_is_recorded_as_500(client, robin, monkeypatch):
    def broken(*_arguments: object, **_options: object) -> None:
        raise RuntimeError("an unforeseen failure")

    monkeypatch.setattr(robin_deps, "acting", broken)
    with pytest.raises(RuntimeError):
        robin.get("/me")

    (entry,) = entries(client)

    assert entry["status"] == 500
    assert [e["path"] for e in entries(client, status="5xx")] == ["/v1.0/me"]


def test_nul_characters_are_kept_out_of_the_store(client, robin):
    robin.get("/spaces/4%008")
    robin.patch("/spaces/48", content=b'{"name": "a\\u0000b"}', headers={"Content-Type": "application/json"})

    recorded = entries(client)
    detail = client.get(f"/_sandbox/journal/{recorded[0]['id']}").json()

    assert recorded[1]["path"] == "/v1.0/spaces/4\ufffd8"
    assert "\u0000" not in detail["request_body"] + (detail["response_body"] or "")


def _details(client):
    return [client.get(f"/_sandbox/journal/{entry['id']}").json() for entry in entries(client)]


def test_secrets_and_tokens_are_redacted_before_they_are_kept(client, kadence, robin):
    """The journal is read without credentials: what would let a reader act as a client is kept
    as [redacted], in forms, JSON bodies and queries, requests and answers alike."""
    issued = client.post(
        "/oauth2/token",
        json={
            "grant_type": "client_credentials",
            "client_id": "demo-client",
            "client_secret": "demo-secret",
        },
    ).json()["access_token"]
    client.post("/oauth2/token?client_id=demo-client&client_secret=demo-secret&grant_type=client_credentials")
    kadence.get("/buildings")
    robin.post("/spaces/49/events", json={"title": "Not a secret", "password": "hunter2", "nested": [{"refresh_token": 42}]})

    details = _details(client)
    kept = json.dumps(details)

    for secret in ("demo-secret", issued, kadence.token, "hunter2", '"refresh_token": 42'):
        assert secret not in kept
    form, json_body, queried = (entry for entry in reversed(details) if entry["path"] == "/oauth2/token")
    assert form["request_body"] == "grant_type=client_credentials&client_id=demo-client&client_secret=[redacted]&scope=public"
    assert json.loads(json_body["request_body"])["client_secret"] == "[redacted]"
    assert json.loads(json_body["response_body"])["access_token"] == "[redacted]"
    assert json.loads(json_body["response_body"])["token_type"] == "Bearer"
    assert queried["query"] == "client_id=demo-client&client_secret=[redacted]&grant_type=client_credentials"
    assert "Not a secret" in kept


def test_entry_detail_holds_the_request_and_response_headers(client, robin):
    robin.get("/spaces/48", headers={"Accept": "application/json", "X-Request-Id": "trace-1"})

    (entry,) = _details(client)

    assert entry["request_headers"]["accept"] == "application/json"
    assert entry["request_headers"]["x-request-id"] == "trace-1"
    assert entry["response_headers"]["content-type"] == "application/json"
    assert entry["response_headers"]["content-length"] == str(len(entry["response_body"].encode()))


def test_credentials_cookies_and_secret_headers_are_redacted_and_schemes_kept(client, kadence, robin):
    """The scheme of an Authorization header shows which one a client used; its credentials,
    cookies and headers named for a token, a secret, a password or a key are never kept."""
    robin.get("/me", headers={"Cookie": "session=s3cr3t", "X-Api-Key": "k3y", "X-Client-Secret": "sh", "X-Trace": "seen"})
    kadence.get("/buildings", headers={"Proxy-Authorization": "Basic dXNlcjpwYXNz"})
    client.get("/v1.0/me", headers={"Authorization": "demo-robin-token"})

    bare, bearer, access_token = (entry["request_headers"] for entry in _details(client)[:3])

    assert access_token["authorization"] == "Access-Token [redacted]"
    assert [access_token[name] for name in ("cookie", "x-api-key", "x-client-secret")] == ["[redacted]"] * 3
    assert access_token["x-trace"] == "seen"
    assert bearer["authorization"] == "Bearer [redacted]"
    assert bearer["proxy-authorization"] == "Basic [redacted]"
    assert bare["authorization"] == "[redacted]"
    kept = json.dumps(_details(client))
    for secret in ("demo-robin-token", kadence.token, "s3cr3t", "k3y", '"sh"', "dXNlcjpwYXNz"):
        assert secret not in kept


def test_repeated_headers_are_joined(client, robin):
    client.get("/v1.0/me", headers=[("Authorization", robin.headers["Authorization"]), ("X-Tag", "one"), ("X-Tag", "two")])

    (entry,) = _details(client)

    assert entry["request_headers"]["x-tag"] == "one, two"


def test_a_body_cut_short_is_redacted_too(client, robin):
    robin.patch("/spaces/48", json={"password": "hunter2", "description": "x" * (BODY_LIMIT * 5)})

    (entry,) = _details(client)

    assert "hunter2" not in json.dumps(entry)


def _served(number: int) -> dict[str, object]:
    """The journal's record of a request to /v1.0/<number>."""
    return {
        "at": datetime(2026, 3, 2, 14, 0, number, tzinfo=UTC),
        "api": "robin",
        "method": "GET",
        "path": f"/v1.0/{number}",
        "status": 200,
        "duration_ms": 1.0,
    }


@contextmanager
def _unwritable(store: Store) -> Iterator[None]:
    """The journal's table out of the way, so that a flush fails, and back afterwards."""
    with store.engine.begin() as connection:
        connection.exec_driver_sql("ALTER TABLE journal_entry RENAME TO journal_entry_away")
    try:
        yield
    finally:
        with store.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE journal_entry_away RENAME TO journal_entry")


def test_a_failed_flush_keeps_its_entries_for_the_next(tmp_path):
    store = new_store(tmp_path)
    journal = Journal(size=10)
    for number in range(3):
        journal.record(_served(number))
    with _unwritable(store), pytest.raises(DBAPIError):
        journal.flush(store)
    journal.record(_served(3))

    kept = journal.entries(store, Filter())

    assert [entry.path for entry in kept] == ["/v1.0/3", "/v1.0/2", "/v1.0/1", "/v1.0/0"]


def test_entries_kept_across_failed_flushes_are_the_newest_the_journal_holds(tmp_path):
    store = new_store(tmp_path)
    journal = Journal(size=3)
    with _unwritable(store):
        for number in range(7):
            journal.record(_served(number))
            with pytest.raises(DBAPIError):
                journal.flush(store)

    kept = journal.entries(store, Filter())

    assert [entry.path for entry in kept] == ["/v1.0/6", "/v1.0/5", "/v1.0/4"]


def test_a_lone_surrogate_in_a_redacted_body_is_kept_storable_and_holds_back_no_later_entry(client, robin):
    """Redacting re-encodes a JSON body, and an escaped lone surrogate comes out as a character no
    store can encode: kept as it was, the entry would fail every flush, and every entry after it."""
    robin.post(
        "/spaces/49/events", content=b'{"title": "\\ud800", "password": "hunter2"}', headers={"Content-Type": "application/json"}
    )
    robin.get("/spaces/49")

    recorded = entries(client)
    detail = client.get(f"/_sandbox/journal/{recorded[1]['id']}").json()

    assert [entry["path"] for entry in recorded] == ["/v1.0/spaces/49", "/v1.0/spaces/49/events"]
    assert json.loads(detail["request_body"]) == {"title": "\ufffd", "password": "[redacted]"}


@pytest.mark.parametrize(
    ("path", "api", "error_key"),
    [
        ("/v1.0", "robin", "meta"),
        ("/v1.0/nowhere", "robin", "meta"),
        ("/v1", "kadence", "hydra:description"),
        ("/v1/public/nowhere", "kadence", "hydra:description"),
        ("/oauth2", "kadence", "error"),
        ("/oauth2/nowhere", "kadence", "error"),
    ],
)
def test_a_path_is_journaled_as_the_api_whose_error_body_it_gets(client, path, api, error_key):
    response = client.get(path)

    assert response.status_code == 404
    assert error_key in response.json()
    assert [(e["api"], e["path"]) for e in entries(client)] == [(api, path)]


def test_paths_outside_both_apis_are_not_journaled(client):
    for path in ("/v2/nowhere", "/oauth", "/_sandbox/health", "/"):
        client.get(path)

    assert entries(client) == []


# Verification


MEETING = {
    "title": "Design review",
    "start": {"date_time": "2031-05-05T14:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2031-05-05T15:00:00Z", "time_zone": "America/New_York"},
    "invitees": [{"email": "ada@example.com"}],
}


def verify(client, **criteria):
    response = client.post("/_sandbox/journal/verify", json=criteria)
    assert response.status_code == 200, response.text
    return response.json()


def test_verify_counts_the_requests_that_meet_every_criterion_with_their_details(client, robin, kadence):
    robin.post("/spaces/49/events", json=MEETING)
    later = {
        "start": {**MEETING["start"], "date_time": "2031-05-05T16:00:00Z"},
        "end": {**MEETING["end"], "date_time": "2031-05-05T17:00:00Z"},
    }
    robin.post("/spaces/49/events", json={**MEETING, **later, "title": "Retro"})
    robin.get("/spaces/49/events")

    found = verify(client, api="robin", method="post", path="/v1.0/spaces/*/events", organization="meridian")

    assert found["count"] == 2
    assert found["considered"] == 4
    assert [json.loads(entry["request_body"])["title"] for entry in found["entries"]] == ["Retro", "Design review"]
    assert found["entries"][0]["request_headers"]["authorization"] == "Access-Token [redacted]"
    assert found["entries"][0]["status"] == 201
    assert "Retro" in found["entries"][0]["response_body"]


def test_verify_matches_a_body_that_holds_the_members_given_at_any_depth(client, robin):
    robin.post("/spaces/49/events", json=MEETING)

    def count(body):
        return verify(client, method="POST", body=body)["count"]

    assert count({"title": "Design review"}) == 1
    assert count({"start": {"time_zone": "America/New_York"}}) == 1
    assert count({"invitees": [{"email": "ada@example.com"}]}) == 1
    assert count({"invitees": []}) == 0
    assert count({"start": {"time_zone": "Europe/London"}}) == 0
    assert count({"title": "Design review", "missing": None}) == 0


def test_verify_reads_a_form_body_as_its_fields(client, kadence):
    found = verify(client, path="/oauth2/token", body={"grant_type": "client_credentials", "client_secret": "[redacted]"})

    assert found["count"] == 1
    assert verify(client, path="/oauth2/token", body={"client_secret": "demo-secret"})["count"] == 0


def test_verify_counts_only_requests_after_the_mark(client, robin):
    robin.get("/me")
    (mark,) = entries(client)
    robin.get("/me")

    assert verify(client, path="/v1.0/me")["count"] == 2
    assert verify(client, path="/v1.0/me", after=mark["id"]) | {"entries": None} == {
        "count": 1,
        "considered": 1,
        "entries": None,
        "near_misses": [],
    }


def near_misses(client, **criteria):
    return [(miss["entry"]["path"], miss["criterion"], miss["reason"]) for miss in verify(client, **criteria)["near_misses"]]


def test_verify_names_the_one_criterion_each_near_miss_misses(client, robin, anonymous):
    robin.post("/spaces/49/events", json={**MEETING, "title": "Design"})
    robin.post("/spaces/48/events", json=MEETING)
    robin.get("/spaces/49/events")
    anonymous.get("/me")

    assert near_misses(client, api="robin", method="POST", path="/v1.0/spaces/49/*", body={"title": "Design review"}) == [
        ("/v1.0/spaces/48/events", "path", "path /v1.0/spaces/48/events does not match /v1.0/spaces/49/*"),
        ("/v1.0/spaces/49/events", "body", 'body.title is "Design", not "Design review"'),
    ]
    assert near_misses(client, method="POST", path="/v1.0/spaces/49/events") == [
        ("/v1.0/spaces/49/events", "method", "method is GET, not POST"),
        ("/v1.0/spaces/48/events", "path", "path /v1.0/spaces/48/events does not match /v1.0/spaces/49/events"),
    ]
    assert near_misses(client, api="kadence", path="/v1.0/me") == [("/v1.0/me", "api", "api is robin, not kadence")]
    assert near_misses(client, organization="meridian", path="/v1.0/me")[0] == (
        "/v1.0/me",
        "organization",
        "the credential was of no organization, not of organization 1",
    )
    assert verify(client, method="POST", path="/v1.0/spaces/49/events", body={"title": "Design review"})["count"] == 0


@pytest.mark.parametrize(
    ("sent", "expected", "reason"),
    [
        ({"start": {"date_time": "x"}}, {"start": {"time_zone": "UTC"}}, "body.start.time_zone is missing"),
        ({"start": "soon"}, {"start": {"time_zone": "UTC"}}, 'body.start is "soon", not an object'),
        ({"tags": [1, 2]}, {"tags": [1]}, "body.tags is an array of 2, not an array of 1"),
        ({"tags": [{"id": 1}]}, {"tags": [{"id": 2}]}, "body.tags[0].id is 1, not 2"),
        ({"all day": True}, {"all day": 1}, 'body["all day"] is true, not 1'),
        ({"count": 1.0}, {"count": 1}, None),
    ],
)
def test_verify_says_where_a_body_differs(client, robin, sent, expected, reason):
    robin.patch("/spaces/48", json=sent)

    found = verify(client, body=expected)

    assert [miss["reason"] for miss in found["near_misses"]] == ([reason] if reason else [])
    assert found["count"] == (0 if reason else 1)


def test_verify_says_when_a_body_cannot_be_compared(client, robin):
    robin.get("/me")
    robin.patch("/spaces/48", content=b"name=Hudson", headers={"Content-Type": "text/csv"})
    robin.patch("/spaces/48", json={"description": "x" * (BODY_LIMIT + 10)})

    found = verify(client, body={"name": "Hudson"})

    assert [miss["reason"] for miss in found["near_misses"]] == [
        "the body is longer than the journal keeps, and was not compared",
        "the body is not JSON (text/csv)",
        "the request had no body",
    ]


def test_verify_answers_at_most_limit_entries_and_near_misses_but_counts_them_all(client, robin):
    for _ in range(3):
        robin.get("/me")
        robin.post("/me")

    found = verify(client, method="GET", limit=2)

    assert (found["count"], len(found["entries"]), len(found["near_misses"])) == (3, 2, 2)


@pytest.mark.parametrize(
    "criteria",
    [{"api": "google"}, {"method": "GET /"}, {"after": -1}, {"limit": 0}, {"path": "x" * 513}, {"status": 200}],
)
def test_verify_refuses_bad_criteria(client, criteria):
    response = client.post("/_sandbox/journal/verify", json=criteria)

    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == next(iter(criteria))


def test_verify_of_an_unknown_organization_answers_404(client):
    assert client.post("/_sandbox/journal/verify", json={"organization": "nowhere"}).status_code == 404


def test_a_body_expectation_nested_as_deep_as_the_control_plane_reads_is_compared(client, robin):
    depth = 60
    nested = '{"a": ' * depth + "1" + "}" * depth
    robin.patch("/spaces/48", content=nested.encode(), headers={"Content-Type": "application/json"})
    criteria = '{"body": ' + nested.replace("1}", "2}", 1) + "}"

    response = client.post("/_sandbox/journal/verify", content=criteria, headers={"Content-Type": "application/json"})

    assert response.status_code == 200, response.text
    (miss,) = response.json()["near_misses"]
    assert miss["reason"] == "body" + ".a" * depth + " is 1, not 2"
