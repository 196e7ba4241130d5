"""The control plane against web pages: a page on another origin must not be able to drive it,
and a page reached through a name the server was not told about (DNS rebinding) must not read it.

A browser sends a cross-origin request without asking first (no preflight) only if its method is
GET, HEAD or POST, its body a form, text/plain or nothing, and it carries no header of its own.
Every write of the control plane therefore asks for a JSON body or the X-Sandbox-Control header,
and refuses a request whose Origin is another than the server's."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.settings import Settings
from sandbox.store.engine import Store
from tests.conftest import RobinClient, Wall
from tests.inprocess import InProcessClient

pytestmark = pytest.mark.wire

EVENT = {
    "title": "Must survive the page",
    "start": {"date_time": "2026-03-04T15:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2026-03-04T16:00:00Z", "time_zone": "America/New_York"},
}
CONTROL_HEADER = "X-Sandbox-Control"
"""The header a harness may send instead of a JSON body (README, Control plane)."""
PAGE_ORIGIN = "http://127.0.0.1:9999"
"""Another origin on the same machine: a page a developer has open on another port."""
SHAPES: dict[str, dict[str, Any]] = {
    "no body": {},
    "a form": {
        "content": b"at=1970-01-01T00%3A00%3A00Z&name=seed",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
    },
    "JSON sent as text/plain": {
        "content": b'{"at": "1970-01-01T00:00:00Z"}',
        "headers": {"Content-Type": "text/plain;charset=UTF-8"},
    },
    "a multipart form": {
        "content": b'--x\r\nContent-Disposition: form-data; name="at"\r\n\r\n1970-01-01T00:00:00Z\r\n--x--\r\n',
        "headers": {"Content-Type": "multipart/form-data; boundary=x"},
    },
    "JSON from another origin": {"json": {}, "headers": {"Origin": PAGE_ORIGIN}},
    "the control header from another origin": {"headers": {CONTROL_HEADER: "1", "Origin": PAGE_ORIGIN}},
    "JSON from an opaque origin": {"json": {}, "headers": {"Origin": "null"}},
}
"""Requests a page could send, or that carry an Origin other than the server's."""


@pytest.fixture
def page(app: FastAPI, client: TestClient) -> TestClient:
    """Requests as a page sends them, without what the tests' harness adds (the shared client
    has started the app's lifespan)."""
    return InProcessClient(app, raise_server_exceptions=False)


@pytest.fixture
def prepared(client: TestClient, robin: RobinClient) -> dict[str, str]:
    """A booking, a snapshot and a fault rule for the writes to aim at, made as a harness does."""
    booked = robin.post("/spaces/49/events", json=EVENT)
    assert booked.status_code == 201, booked.text
    assert client.post("/_sandbox/snapshots", json={"name": "kept"}).status_code == 201
    rule = client.post("/_sandbox/faults", json={"api": "robin", "path": "/nowhere", "effect": "error"})
    assert rule.status_code == 201, rule.text
    return {
        "organization": "meridian",
        "name": "seed",
        "rule_id": str(rule.json()["id"]),
        "event": str(booked.json()["data"]["id"]),
    }


def control_writes(app: FastAPI, names: dict[str, str]) -> list[tuple[str, str]]:
    """Every operation of the control plane but its reads, its path filled in."""
    return [
        (method.upper(), path.format(**names))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/_sandbox/")
        for method in operations
        if method not in ("get", "head")
    ]


def observed(client: TestClient) -> dict[str, Any]:
    """What a write of the control plane could change, as its reads show it."""
    return {
        path: client.get(path).json()
        for path in ("/_sandbox/organizations", "/_sandbox/snapshots", "/_sandbox/faults", "/_sandbox/journal")
    }


@pytest.mark.parametrize("shape", SHAPES)
def test_no_control_write_answers_a_request_a_page_could_send(shape, app, page, client, robin, prepared):
    writes = control_writes(app, prepared)
    assert len(writes) == 16, writes
    before = observed(client)

    answers = {(method, path): page.request(method, path, **SHAPES[shape]) for method, path in writes}

    accepted = {write: answer.status_code for write, answer in answers.items() if answer.status_code != 403}
    served = sorted(f"{method} {path}" for (method, path), status in accepted.items() if status < 300)
    assert accepted == {}, f"{len(accepted)} of {len(writes)} writes were not refused, {len(served)} served: {served}"
    assert all(answer.json()["error"] for answer in answers.values())
    assert observed(client) == before
    assert robin.get(f"/events/{prepared['event']}").status_code == 200


def test_no_control_write_grants_a_preflight(app, page, client, prepared):
    """A page's fetch with a JSON body or a header of its own is asked for first: the control plane
    grants none, so the browser never sends the write (the vendor APIs grant theirs)."""
    writes = control_writes(app, prepared)
    before = observed(client)

    asked = {
        (method, path): page.options(
            path,
            headers={
                "Origin": PAGE_ORIGIN,
                "Access-Control-Request-Method": method,
                "Access-Control-Request-Headers": "content-type,x-sandbox-control",
            },
        )
        for method, path in writes
    }

    granted = {
        write: dict(answer.headers)
        for write, answer in asked.items()
        if any(name.lower().startswith("access-control-allow-") for name in answer.headers)
    }
    assert granted == {}
    assert all(answer.status_code == 405 for answer in asked.values())
    assert observed(client) == before


def test_a_write_with_a_json_body_or_the_control_header_from_its_own_origin_is_served(page, client):
    frozen = page.post("/_sandbox/organizations/meridian/clock/freeze", json={"at": "2026-03-02T15:00:00Z"})
    assert frozen.status_code == 200, frozen.text
    assert frozen.json()["mode"] == "frozen"

    resumed = page.post(
        "/_sandbox/organizations/meridian/clock/resume", headers={CONTROL_HEADER: "1", "Origin": "http://testserver"}
    )
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["mode"] == "real"

    assert page.delete("/_sandbox/journal", headers={CONTROL_HEADER: "yes"}).status_code == 204


def test_reads_of_the_control_plane_need_nothing_more(page):
    assert page.get("/_sandbox/organizations/meridian/clock").status_code == 200
    assert page.get("/_sandbox/journal").status_code == 200


@pytest.mark.parametrize(
    "path", ["/_sandbox/journal", "/_sandbox/journal/{entry}", "/_sandbox/ui", "/_sandbox/organizations", "/v1.0/me", "/"]
)
def test_a_host_name_the_server_was_not_told_about_is_refused(path, page, client, robin):
    """What DNS rebinding looks like from the server: a page of evil.example whose name now
    resolves to this machine reads it as its own origin."""
    assert robin.get("/me").status_code == 200
    entry = client.get("/_sandbox/journal").json()["entries"][0]["id"]

    answer = page.get(
        path.format(entry=entry), headers={"Host": "evil.example", "Authorization": "Access-Token demo-robin-token"}
    )

    assert answer.status_code == 400
    assert "demo-robin-token" not in answer.text
    assert "/v1.0/me" not in answer.text


def test_a_write_through_an_unknown_host_name_is_refused_and_changes_nothing(page, client):
    answer = page.post("/_sandbox/organizations/meridian/clock/freeze", json={}, headers={"Host": "evil.example:8000"})

    assert answer.status_code == 400
    assert client.get("/_sandbox/organizations/meridian/clock").json()["mode"] == "real"


def _app_with(store: Store, wall: Wall, **settings: Any) -> TestClient:
    return InProcessClient(create_app(Settings(export_worker=False, **settings), store=store, clock=Clock(wall)))


def test_by_default_only_loopback_names_are_answered(store, wall):
    served = _app_with(store, wall)

    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST", "127.0.0.1"):
        assert served.get("/_sandbox/health", headers={"Host": host}).status_code == 200, host
    for host in ("testserver", "evil.example", "localhost.evil.example", "127.0.0.1.nip.io", ""):
        assert served.get("/_sandbox/health", headers={"Host": host}).status_code == 400, host


def test_the_names_in_the_setting_are_answered_and_only_those(store, wall):
    served = _app_with(store, wall, allowed_hosts=["sandbox", "*.ci.example"])

    for host in ("sandbox:8000", "runner-7.ci.example"):
        assert served.get("/_sandbox/health", headers={"Host": host}).status_code == 200, host
    for host in ("localhost:8000", "evil.example"):
        assert served.get("/_sandbox/health", headers={"Host": host}).status_code == 400, host


def test_the_address_the_server_listens_on_is_answered_too(store, wall):
    served = _app_with(store, wall, host="192.0.2.7")

    assert served.get("/_sandbox/health", headers={"Host": "192.0.2.7:8000"}).status_code == 200
    assert served.get("/_sandbox/health", headers={"Host": "localhost:8000"}).status_code == 200


def test_the_setting_reads_a_comma_separated_list_from_the_environment(monkeypatch):
    monkeypatch.setenv("SANDBOX_ALLOWED_HOSTS", " sandbox, localhost ,*.ci.example")

    assert Settings().allowed_hosts == ["sandbox", "localhost", "*.ci.example"]


def test_a_wildcard_anywhere_but_before_a_domain_is_refused():
    with pytest.raises(ValueError, match="wildcard stands only for subdomains"):
        Settings(allowed_hosts="localhost,evil*.example")


@pytest.mark.parametrize(
    ("path", "status", "location"),
    [
        ("/v1.0/me/", 301, "http://127.0.0.1:8000/v1.0/me"),
        ("/_sandbox/journal/?limit=2", 307, "/_sandbox/journal?limit=2"),
        ("/v1/public/users/", 301, "http://127.0.0.1:8000/v1/public/users"),
    ],
)
def test_a_trailing_slash_is_redirected_without_naming_a_host(store, wall, path, status, location):
    """Even where every Host is answered (`*`), a redirect never sends the client to the name it
    gave: the APIs' name the sandbox's public URL, the control plane's none."""
    served = _app_with(store, wall, allowed_hosts=["*"])

    answer = served.get(path, headers={"Host": "evil.example"}, follow_redirects=False)

    assert answer.status_code == status
    assert answer.headers["location"] == location
