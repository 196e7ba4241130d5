"""Generated stores and clients on them, with the clock pinned to tests.conftest.NOW."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sandbox.app import create_app
from sandbox.core.clock import Clock
from sandbox.seeding.generator import seed_preset
from sandbox.seeding.presets import SMALL, Preset
from sandbox.store.engine import Store
from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT, NOW, Wall, new_store, settings_for_tests
from tests.inprocess import InProcessClient

ROBIN = {"Authorization": f"Access-Token {ADMIN_TOKEN}"}


def generated(preset: Preset = SMALL, seed: int = 3, wall: Callable[[], datetime] | None = None) -> Store:
    """A new in-memory store holding `preset` generated from `seed` at the wall's time (NOW)."""
    store = new_store()
    seed_preset(store, preset, seed, Clock(wall or Wall(NOW)))
    return store


@dataclass
class Sandbox:
    """An app on one store, with the demo credentials of its organization."""

    client: TestClient
    store: Store

    def robin(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/v1.0{path}", params=params, headers=ROBIN)

    def kadence(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/v1/public{path}", params=params, headers=self.kadence_headers)

    @property
    def kadence_headers(self) -> dict[str, str]:
        response = self.client.post(
            "/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": DEMO_CLIENT[0],
                "client_secret": DEMO_CLIENT[1],
                "scope": "public",
            },
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def bookings(self, **params: Any) -> list[dict[str, Any]]:
        """Every Kadence booking the filters match (all pages of 500)."""
        headers, found, page = self.kadence_headers, [], 1
        while True:
            response = self.client.get(
                "/v1/public/bookings", params={"itemsPerPage": 500, "page": page, **params}, headers=headers
            )
            assert response.status_code == 200, response.text
            members = response.json()["hydra:member"]
            found += members
            if len(members) < 500:
                return found
            page += 1


def sandbox_on(store: Store) -> Sandbox:
    app = create_app(settings_for_tests(), store=store, clock=Clock(Wall(NOW)))
    return Sandbox(InProcessClient(app), store)


@pytest.fixture(scope="module")
def small() -> Iterator[Sandbox]:
    """The small preset, seed 3, read by the tests of a module (they change nothing)."""
    store = generated()
    yield sandbox_on(store)
    store.dispose()
