"""The documentation page at /docs in headless Chromium (Debian's `chromium`, driven by
Playwright), against a sandbox served on a real port: Swagger UI's Authorize takes each API's demo
credentials, as the documents' security schemes ask for them, and an operation tried out from the
page then answers 200 where it answered 401 before.

The tests skip, saying why, where Chromium or Playwright is missing. They run in the SQLite pass:
the page is the same on either store."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT
from tests.control.browser import WAIT_MS, chromium, expect, served_for_a_browser

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_for_a_browser(tmp_path_factory.mktemp("docs")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


UNAUTHORIZED = "Failed to load resource: the server responded with a status of 401"
"""What Chromium logs of the 401 each test asks for before it authorizes: no error of the page."""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page of its own (so nothing Swagger UI keeps of an earlier authorization), which must
    report no error."""
    opened = browser.new_page(viewport={"width": 1366, "height": 900})
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text) if message.type == "error" and not message.text.startswith(UNAUTHORIZED) else None
        ),
    )
    yield opened
    opened.close()
    assert problems == [], "the page reported errors"


def try_out(page: Any, method: str, path: str) -> Any:
    """Open the operation, press "Try it out" (where not yet pressed) and "Execute"; the status
    cell of its live response (an earlier answer's until the new one is in)."""
    operation = page.locator(f".opblock-{method}").filter(
        has=page.locator(".opblock-summary-path", has_text=re.compile(f"^{re.escape(path)}$"))
    )
    if not operation.locator(".opblock-body").count():
        operation.locator(".opblock-summary-control").click()
    try_it = operation.get_by_role("button", name="Try it out")
    if try_it.count():
        try_it.click()
    operation.get_by_role("button", name="Execute").click()
    return operation.locator(".live-responses-table tr.response .response-col_status")


def authorizations(page: Any) -> Any:
    page.locator(".scheme-container button.authorize").click()
    return page.locator(".modal-ux")


def test_authorize_with_the_robin_demo_token_lets_an_operation_tried_out_answer_200(page: Any, base: str) -> None:
    page.goto(f"{base}/docs?api=robin")
    expect(try_out(page, "get", "/v1.0/me")).to_have_text("401", timeout=WAIT_MS)

    token = authorizations(page).locator(".auth-container").filter(has_text="AccessToken")
    token.locator("input").fill(f"Access-Token {ADMIN_TOKEN}")
    token.get_by_role("button", name="Apply credentials").click()
    expect(token).to_contain_text("Authorized", timeout=WAIT_MS)
    token.get_by_role("button", name="Close").click()

    expect(try_out(page, "get", "/v1.0/me")).to_have_text("200", timeout=WAIT_MS)


def test_authorize_with_the_kadence_demo_client_gets_a_token_an_operation_tried_out_is_sent_with(page: Any, base: str) -> None:
    page.goto(f"{base}/docs?api=kadence")
    expect(try_out(page, "get", "/v1/public/buildings")).to_have_text("401", timeout=WAIT_MS)

    client_id, client_secret = DEMO_CLIENT
    modal = authorizations(page)
    modal.locator("#client_id_clientCredentials").fill(client_id)
    modal.locator("#client_secret_clientCredentials").fill(client_secret)
    modal.locator("label[for=public-clientCredentials-checkbox-oauth]").click()
    with page.expect_response(lambda response: response.url == f"{base}/oauth2/token") as token:
        modal.get_by_role("button", name="Apply given OAuth2 credentials").click()
    assert token.value.status == 200
    expect(modal).to_contain_text("Authorized", timeout=WAIT_MS)
    modal.get_by_role("button", name="Close").click()

    with page.expect_request(lambda request: request.url == f"{base}/v1/public/buildings") as sent:
        status = try_out(page, "get", "/v1/public/buildings")
    expect(status).to_have_text("200", timeout=WAIT_MS)
    assert sent.value.headers["authorization"] == f"Bearer {token.value.json()['access_token']}"
