"""The dashboard page at /_sandbox/ui, as served: what the server renders into it, its own assets,
that it loads nothing from elsewhere, and where it is linked from. What it does in a browser is
tested end to end elsewhere."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from sandbox.__main__ import _banner
from sandbox.control.dashboard import ASSETS
from sandbox.settings import Settings
from sandbox.store.engine import Store
from sandbox.store.models import Building

pytestmark = pytest.mark.wire

ELSEWHERE = re.compile(r"(https?:)?//[a-z0-9.-]+", re.IGNORECASE)
"""A URL of another origin."""


def test_the_page_names_every_organization_and_its_buildings(client: TestClient):
    response = client.get("/_sandbox/ui")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<option value="1"' in page
    assert "Meridian Robotics" in page
    for name in ("Meridian HQ New York", "Meridian Bengaluru"):
        assert f">{name}</option>" in page
    assert 'data-time-zone="Asia/Kolkata"' in page


def test_what_the_store_holds_is_shown_as_text_never_as_markup(client: TestClient, store: Store):
    with Session(store.engine) as session:
        session.execute(update(Building).where(Building.id == 10).values(name='<img src=x onerror="alert(1)">'))
        session.commit()

    page = client.get("/_sandbox/ui").text

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_the_page_loads_only_its_own_files(client: TestClient):
    response = client.get("/_sandbox/ui")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy

    texts = [response.text]
    for name, media_type in ASSETS.items():
        asset = client.get(f"/_sandbox/ui/assets/{name}")
        assert asset.status_code == 200, name
        assert asset.headers["content-type"] == media_type
        texts.append(asset.text)
    assert [ELSEWHERE.findall(text) for text in texts] == [[] for _ in texts]
    assert 'src="/_sandbox/ui/assets/dashboard.js"' in response.text


def test_only_the_pages_own_assets_are_served(client: TestClient):
    assert client.get("/_sandbox/ui/assets/dashboard.py").status_code == 404
    assert client.get("/_sandbox/ui/assets/..%2Fdashboard.py").status_code == 404


def test_the_index_and_the_startup_banner_link_the_dashboard(client: TestClient):
    assert client.get("/").json()["dashboard"] == "/_sandbox/ui"
    assert "dashboard:    http://127.0.0.1:8000/_sandbox/ui" in _banner("http://127.0.0.1:8000", Settings())


def test_the_page_is_no_operation_of_any_api_document(client: TestClient):
    for name in ("robin", "kadence", "sandbox"):
        paths = client.get(f"/openapi/{name}.json").json()["paths"]
        assert not [path for path in paths if path.startswith("/_sandbox/ui")]
