"""The list of vendor APIs (sandbox/dialects.py) and what reads it: a path belongs to at most one
API, and the control plane, which imports no dialect, names the same APIs."""

import re

import pytest
from fastapi.routing import APIRoute

from sandbox.dialects import DIALECTS, api_of


@pytest.mark.parametrize(
    ("path", "api"),
    [
        ("/v1.0", "robin"),
        ("/v1.0/spaces/48/events", "robin"),
        ("/v1/public/bookings", "kadence"),
        ("/v1/contexts/Booking", "kadence"),
        ("/oauth2/token", "kadence"),
        ("/v1.1/spaces", None),
        ("/v10/spaces", None),
        ("/_sandbox/journal", None),
        ("/docs", None),
        ("/", None),
    ],
)
def test_a_path_belongs_to_the_api_that_serves_it(path, api):
    assert api_of(path) == api
    assert sum(dialect.serves(path) for dialect in DIALECTS) == (api is not None)


def test_the_app_serves_each_route_under_the_api_it_belongs_to(shared_app):
    by_api = {}
    for route in shared_app.routes:
        path = getattr(route, "path", "")
        by_api.setdefault(api_of(path), set()).add(path.strip("/").split("/")[0])
    assert {name for name in by_api if name is not None} == {dialect.name for dialect in DIALECTS}
    assert by_api[None] <= {"", "_sandbox", "docs", "openapi", "openapi.json"}


@pytest.mark.parametrize("name", [dialect.name for dialect in DIALECTS])
def test_the_control_plane_takes_every_api_by_its_name(client, name):
    journal = client.get("/_sandbox/journal", params={"api": name})
    rule = client.post("/_sandbox/faults", json={"api": name, "path": "/nowhere", "effect": "error"})

    assert journal.status_code == 200, journal.text
    assert rule.status_code == 201, rule.text
    assert rule.json()["api"] == name


def test_a_route_refuses_by_its_beginning_only_what_its_pattern_would(shared_app):
    """Routes refuse a path that begins otherwise than theirs before trying their pattern: over
    the path of every route, that shortcut must answer as the pattern does, behind a proxy's
    root path too."""
    routes = [route for route in shared_app.routes if isinstance(route, APIRoute)]
    paths = [re.sub(r"\{[^}]*\}", "1", route.path_format) for route in routes]
    compared = 0
    for route in routes:
        for path, root in [(path, "") for path in paths] + [("/behind" + paths[0], "/behind")]:
            scope = {"type": "http", "method": "GET", "path": path, "root_path": root, "headers": [], "query_string": b""}
            assert route.matches(dict(scope))[0] == APIRoute.matches(route, dict(scope))[0], (route.path_format, path)
            compared += 1
    assert compared > 5000
