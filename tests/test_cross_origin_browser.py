"""A page on another origin, open in headless Chromium beside a served sandbox, calls both APIs with
fetch as a front end does: Kadence for a token, then its buildings with the bearer; Robin for the
person its access token belongs to. The browser asks first (a preflight) for each call that
carries a token, and gives the page the answers only if the sandbox grants them.

The tests skip, saying why, where Chromium or Playwright is missing. They run in the SQLite pass."""

from collections.abc import Iterator

import pytest

from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT
from tests.control.browser import chromium, page_elsewhere, served_for_a_browser

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

CALLS = """async ([base, clientId, clientSecret, robinToken]) => {
  const form = new URLSearchParams({grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret});
  const token = await (await fetch(`${base}/oauth2/token`, {method: "POST", body: form})).json();
  const buildings = await fetch(`${base}/v1/public/buildings`, {
    headers: {Authorization: `Bearer ${token.access_token}`, Accept: "application/ld+json"},
  });
  const me = await fetch(`${base}/v1.0/me`, {headers: {Authorization: `Access-Token ${robinToken}`}});
  return {
    tokenType: token.token_type,
    buildings: [buildings.status, await buildings.json()],
    buildingsLink: buildings.headers.get("Link"),
    me: [me.status, await me.json()],
  };
}"""
"""What the page runs: its calls, and what it could read of the answers."""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_for_a_browser(tmp_path_factory.mktemp("cross-origin")) as url:
        yield url


@pytest.fixture
def elsewhere() -> Iterator[str]:
    """The page's own origin: another port of this machine, serving an empty page."""
    page = b"<!doctype html><title>front end</title>"

    with page_elsewhere(page) as url:
        yield url


def test_a_page_on_another_origin_calls_both_apis_and_reads_their_answers(base: str, elsewhere: str) -> None:
    with chromium() as browser:
        opened = browser.new_page()
        problems: list[str] = []
        opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        opened.goto(f"{elsewhere}/")

        read = opened.evaluate(CALLS, [base, *DEMO_CLIENT, ADMIN_TOKEN])

    assert problems == []
    assert read["tokenType"] == "Bearer"
    status, buildings = read["buildings"]
    assert status == 200, buildings
    assert buildings["hydra:totalItems"] == len(buildings["hydra:member"]) > 0
    assert "docs.jsonld" in (read["buildingsLink"] or "")
    status, me = read["me"]
    assert status == 200, me
    assert me["data"]["id"]
