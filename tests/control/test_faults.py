"""Fault rules through the control plane: matching, effects in each API's own error body, counts."""

import random
import time

import pytest

from sandbox.control import faults
from sandbox.control.traffic import ConnectionDropped
from sandbox.robin import deps as robin_deps
from sandbox.store.models import FaultRule
from tests.conftest import OTHER_CLIENT, OTHER_TOKEN, KadenceClient, RobinClient


def add(client, **rule):
    response = client.post("/_sandbox/faults", json=rule)
    assert response.status_code == 201, response.text
    return response.json()


def test_error_rule_answers_in_robins_envelope(client, robin):
    add(client, api="robin", method="GET", path="/v1.0/locations/*", effect="error", status=503, message="Down for maintenance")

    response = robin.get("/locations/1")

    assert response.status_code == 503
    assert response.json()["meta"] == {
        "status_code": 503,
        "status": "SERVICE_UNAVAILABLE",
        "message": "Down for maintenance",
        "more_info": {},
        "errors": [],
    }


def test_error_rule_answers_in_kadences_hydra_error(client, kadence):
    add(client, api="kadence", path="/v1/public/buildings", effect="error", status=502)

    response = kadence.get("/buildings")

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("application/ld+json")
    assert response.json() == {
        "@context": "/v1/contexts/Error",
        "@type": "hydra:Error",
        "hydra:title": "An error occurred",
        "hydra:description": "Bad Gateway",
    }


def test_error_rule_on_the_token_endpoint_answers_an_oauth_error(client):
    add(client, path="/oauth2/token", effect="error", status=503)

    response = client.post(
        "/oauth2/token", data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}
    )

    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"


def test_rate_limit_rule_answers_429_with_retry_after_in_each_api(client, robin, kadence):
    add(client, api="robin", effect="rate_limit", retry_after=30)
    add(client, api="kadence", effect="rate_limit")

    robin_answer = robin.get("/me")
    kadence_answer = kadence.get("/buildings")

    assert (robin_answer.status_code, robin_answer.headers["retry-after"]) == (429, "30")
    assert robin_answer.json()["meta"]["errors"][0]["reason"] == "rate_limit_exceeded"
    assert (kadence_answer.status_code, kadence_answer.headers["retry-after"]) == (429, "1")
    assert kadence_answer.json()["@type"] == "hydra:Error"


def test_times_limits_a_rule_to_the_next_matching_requests(client, robin):
    rule = add(client, path="/v1.0/me", effect="error", times=2)

    statuses = [robin.get("/me").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    spent = client.get(f"/_sandbox/faults/{rule['id']}").json()
    assert (spent["remaining"], spent["hits"]) == (0, 2)


def test_rules_match_by_api_method_and_path(client, robin, kadence):
    add(client, api="robin", method="POST", path="/v1.0/spaces/*/events", effect="error", status=500)

    assert robin.get("/spaces/48/events").status_code == 200
    assert robin.get("/me").status_code == 200
    assert kadence.get("/buildings").status_code == 200
    assert robin.post("/spaces/48/events", json={}).status_code == 500


def test_latency_rule_delays_and_then_serves(client, robin):
    add(client, path="/v1.0/me", effect="latency", latency_ms=300)

    started = time.perf_counter()
    response = robin.get("/me")

    assert response.status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_latency_adds_to_a_later_error(client, robin):
    add(client, path="/v1.0/me", effect="latency", latency_ms=200)
    add(client, path="/v1.0/me", effect="error", status=504)

    started = time.perf_counter()
    response = robin.get("/me")

    assert response.status_code == 504
    assert time.perf_counter() - started >= 0.2


def test_drop_rule_fails_the_request_without_an_answer_in_process(client, robin):
    add(client, path="/v1.0/me", effect="drop", times=1)

    with pytest.raises(ConnectionDropped):
        robin.get("/me")
    assert robin.get("/me").status_code == 200


def test_the_control_plane_is_never_faulted(client):
    add(client, effect="error", status=500)

    assert client.get("/_sandbox/health").status_code == 200
    assert client.get("/_sandbox/faults").status_code == 200


def test_rules_are_listed_in_order_and_cleared(client):
    first = add(client, path="/v1.0/a", effect="error")
    second = add(client, path="/v1.0/b", effect="drop")

    assert [rule["id"] for rule in client.get("/_sandbox/faults").json()] == [first["id"], second["id"]]
    assert client.delete(f"/_sandbox/faults/{first['id']}").status_code == 204
    assert [rule["id"] for rule in client.get("/_sandbox/faults").json()] == [second["id"]]
    assert client.delete("/_sandbox/faults").status_code == 204
    assert client.get("/_sandbox/faults").json() == []


def test_error_rule_defaults_to_500_and_rate_limit_to_one_second(client):
    assert add(client, effect="error")["status"] == 500
    assert add(client, effect="rate_limit")["retry_after"] == 1


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"effect": "explode"}, "effect"),
        ({}, "effect"),
        ({"effect": "latency"}, "latency_ms"),
        ({"effect": "drop", "status": 503}, "status"),
        ({"effect": "error", "status": 200}, "status"),
        ({"effect": "error", "retry_after": 5}, "retry_after"),
        ({"effect": "error", "probability": 0}, "probability"),
        ({"effect": "error", "times": 0}, "times"),
        ({"effect": "error", "api": "google"}, "api"),
        ({"effect": "error", "method": "GET /x"}, "method"),
        ({"effect": "error", "colour": "red"}, "colour"),
        ({"effect": "error", "path": "x" * 513}, "path"),
        ({"effect": "error", "organization": "x" * 129}, "organization"),
    ],
)
def test_bad_rules_are_refused_naming_the_field(client, rule, field):
    response = client.post("/_sandbox/faults", json=rule)

    assert response.status_code == 422
    assert field in response.json()["error"]
    assert client.get("/_sandbox/faults").json() == []


def test_unknown_rule_answers_404(client):
    assert client.get("/_sandbox/faults/99").status_code == 404
    assert client.delete("/_sandbox/faults/99").status_code == 404
    assert client.get("/_sandbox/faults/nope").status_code == 404


def test_probability_decides_per_request(store):
    rule = faults.add(store, FaultRule(api="any", method="*", path="*", effect="error", status=500, probability=0.5))
    chance = random.Random(7)

    fired = [faults.decide(store, [rule], chance).outcome is not None for _ in range(200)]

    assert 60 < sum(fired) < 140
    assert faults.find(store, rule.id).hits == sum(fired)


def test_the_last_use_of_a_rule_goes_to_one_request_only(store):
    rule = faults.add(store, FaultRule(api="any", method="*", path="*", effect="error", status=500, remaining=1))

    first = faults.decide(store, [rule])
    second = faults.decide(store, [rule])

    assert (first.outcome is not None, second.outcome is not None) == (True, False)


def test_candidates_match_path_patterns(store):
    faults.add(store, FaultRule(api="robin", method="GET", path="/v1.0/spaces/*/events", effect="error"))

    rules = faults.live(store)

    assert faults.matching(rules, "robin", "GET", "/v1.0/spaces/48/events")
    assert not faults.matching(rules, "robin", "GET", "/v1.0/spaces/48")
    assert not faults.matching(rules, "kadence", "GET", "/v1.0/spaces/48/events")


def test_out_of_range_ids_and_counts_are_refused_cleanly(client):
    assert client.get("/_sandbox/faults/99999999999999999999").status_code == 404
    assert client.delete("/_sandbox/faults/0").status_code == 404
    response = client.post("/_sandbox/faults", json={"effect": "error", "times": 99999999999999999999})
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "times"


@pytest.mark.parametrize("status", [499, 599])
def test_error_rule_with_an_unlisted_status_answers_it(client, robin, status):
    add(client, path="/v1.0/me", effect="error", status=status)

    response = robin.get("/me")

    assert response.status_code == status
    assert response.json()["meta"]["message"] == "Error"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"effect": "error", "method": "X" * 17}, "method"),
        ({"effect": "error", "message": "nul\u0000byte"}, "NUL"),
        ({"effect": "rate_limit", "retry_after": 0}, "retry_after"),
    ],
)
def test_rules_that_could_not_be_stored_are_refused(client, rule, field):
    response = client.post("/_sandbox/faults", json=rule)

    assert response.status_code == 422
    assert field in response.json()["error"]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/_sandbox/faults", "GET, POST, DELETE"),
        ("/_sandbox/faults/1", "GET, DELETE"),
        ("/_sandbox/journal", "GET, DELETE"),
    ],
)
def test_a_method_not_served_is_answered_with_every_method_that_is(client, path, allowed):
    response = client.request("OPTIONS", path)

    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert allowed in response.json()["error"]


# Rules of one organization


@pytest.fixture
def elsewhere(client, other_organization):
    """The other organization's Robin administrator and Kadence client."""
    return RobinClient(client, OTHER_TOKEN), KadenceClient(client, OTHER_CLIENT)


def hits(client, rule):
    return client.get(f"/_sandbox/faults/{rule['id']}").json()["hits"]


def test_a_rule_naming_an_organization_fails_its_requests_in_both_apis_and_no_one_elses(
    client, robin, kadence, anonymous, elsewhere
):
    other_robin, other_kadence = elsewhere
    rule = add(client, effect="error", status=503, organization="meridian")

    assert robin.get("/me").status_code == 503
    assert kadence.get("/buildings").status_code == 503
    assert other_robin.get("/me").status_code == 200
    assert other_kadence.get("/buildings").status_code == 200
    assert anonymous.get("/me").status_code == 401
    assert client.get("/v1/public/buildings").status_code == 401
    assert hits(client, rule) == 2


def test_a_rule_naming_an_organization_delays_its_requests_only(client, robin, kadence, elsewhere, other_organization):
    other_robin, other_kadence = elsewhere
    rule = add(client, effect="latency", latency_ms=200, organization=str(other_organization["organization"]))

    assert robin.get("/me").status_code == 200
    assert kadence.get("/buildings").status_code == 200
    assert hits(client, rule) == 0
    started = time.perf_counter()
    assert other_robin.get("/me").status_code == 200
    assert other_kadence.get("/buildings").status_code == 200
    assert time.perf_counter() - started >= 0.4
    assert hits(client, rule) == 2


def test_a_robin_token_given_as_the_query_parameter_names_its_organization(client, anonymous):
    rule = add(client, api="robin", effect="error", status=503, organization="meridian")

    assert anonymous.get("/me", params={"access_token": "demo-robin-token"}).status_code == 503
    assert anonymous.get("/me", params={"access_token": "no-such-token"}).status_code == 401
    assert hits(client, rule) == 1


def test_an_expired_kadence_token_is_matched_by_no_organizations_rule(client, kadence, wall):
    rule = add(client, api="kadence", effect="error", status=503, organization="meridian")

    wall.advance(hours=1, seconds=1)
    response = kadence.get("/buildings")

    assert response.status_code == 401
    assert hits(client, rule) == 0


def test_a_rule_naming_an_organization_never_matches_the_token_endpoint(client, kadence):
    rule = add(client, path="/oauth2/token", effect="error", status=503, organization="meridian")
    credentials = {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"}

    plain = client.post("/oauth2/token", data=credentials)
    with_a_bearer = client.post("/oauth2/token", data=credentials, headers=kadence.headers)

    assert (plain.status_code, with_a_bearer.status_code) == (200, 200)
    assert hits(client, rule) == 0


def test_a_rule_shows_the_organization_it_names(client):
    meridian = next(row for row in client.get("/_sandbox/organizations").json() if row["slug"] == "meridian")

    named = add(client, effect="error", organization=meridian["ulid"])
    everyone = add(client, effect="error")

    expected = {key: meridian[key] for key in ("id", "ulid", "slug", "name")}
    assert named["organization"] == expected
    assert client.get(f"/_sandbox/faults/{named['id']}").json()["organization"] == expected
    assert everyone["organization"] is None
    assert [rule["organization"] for rule in client.get("/_sandbox/faults").json()] == [expected, None]


def test_rules_are_listed_and_removed_by_organization(client, other_organization):
    everyone = add(client, effect="error")
    meridian = add(client, effect="error", organization="meridian")
    other = add(client, effect="drop", organization="elsewhere")

    assert [rule["id"] for rule in client.get("/_sandbox/faults", params={"organization": "1"}).json()] == [meridian["id"]]
    assert [rule["id"] for rule in client.get("/_sandbox/faults", params={"organization": "elsewhere"}).json()] == [other["id"]]
    assert client.delete("/_sandbox/faults", params={"organization": "meridian"}).status_code == 204
    assert [rule["id"] for rule in client.get("/_sandbox/faults").json()] == [everyone["id"], other["id"]]


def test_an_unknown_organization_answers_404_and_changes_nothing(client):
    kept = add(client, effect="error")

    refused = client.post("/_sandbox/faults", json={"effect": "error", "organization": "nowhere"})

    assert refused.status_code == 404
    assert "no organization 'nowhere'" in refused.json()["error"]
    assert client.get("/_sandbox/faults", params={"organization": "nowhere"}).status_code == 404
    assert client.delete("/_sandbox/faults", params={"organization": "nowhere"}).status_code == 404
    assert [rule["id"] for rule in client.get("/_sandbox/faults").json()] == [kept["id"]]


def test_the_credential_is_read_before_the_route_only_for_a_rule_naming_an_organization(client, robin, monkeypatch):
    looked_up = []
    read_credential = robin_deps.credential

    async def counted(*arguments, **options):
        looked_up.append(arguments[1])
        return await read_credential(*arguments, **options)

    monkeypatch.setattr(robin_deps, "credential", counted)
    everyone = add(client, path="/v1.0/me", effect="error", status=503, times=1)

    assert robin.get("/me").status_code == 503
    assert looked_up == []
    client.delete(f"/_sandbox/faults/{everyone['id']}")
    add(client, path="/v1.0/me", effect="error", status=503, times=1, organization="meridian")

    assert robin.get("/me").status_code == 503
    assert looked_up == ["demo-robin-token"]
