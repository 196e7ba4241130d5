"""A web page on another origin, open in headless Chromium beside a served sandbox, tries to drive
its control plane with what a browser sends without asking first: forms posted to it and no-cors
fetches. Nothing it sends may change the sandbox; the dashboard, on the sandbox's own origin, still
steers it.

The tests skip, saying why, where Chromium or Playwright is missing. They run in the SQLite pass."""

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.control.browser import WAIT_MS, chromium, expect, page_elsewhere, served_for_a_browser

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

ORGANIZATION = 1
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
ATTACK = """<!doctype html>
<title>loading</title>
<iframe name="first"></iframe><iframe name="second"></iframe>
<form id="restore" method="POST" action="{base}/_sandbox/snapshots/seed/restore" target="first">
  <input name="replace" value="true">
</form>
<form id="set" method="POST" enctype="text/plain" action="{base}/_sandbox/organizations/{organization}/clock/set" target="second">
  <input name='{{"at": "1970-01-01T00:00:00Z", "x": "' value='"}}'>
</form>
<script>
const base = "{base}";
const writes = [
  ["/_sandbox/reset"],
  ["/_sandbox/organizations/{organization}/reset"],
  ["/_sandbox/faults", '{{"effect": "drop"}}'],
  ["/_sandbox/organizations/{organization}/clock/set", '{{"at": "1970-01-01T00:00:00Z"}}'],
  ["/_sandbox/organizations/{organization}/clock/freeze"],
];
const posted = (form) => new Promise((done) => {{
  document.querySelector(`iframe[name="${{form.target}}"]`).addEventListener("load", done, {{ once: true }});
  form.submit();
}});
(async () => {{
  await posted(document.getElementById("restore"));
  await posted(document.getElementById("set"));
  for (const [path, body] of writes) {{
    try {{ await fetch(base + path, {{ method: "POST", mode: "no-cors", body }}); }} catch (error) {{}}
  }}
  document.title = "done";
}})();
</script>
"""
"""The page: each form posted into a frame, then each write fetched in turn (so that no reset
undoes the freeze after it); its title says when all were sent."""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_for_a_browser(tmp_path_factory.mktemp("cross-site")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def elsewhere(base: str) -> Iterator[str]:
    """The page's own origin: another port of this machine, serving the attack page."""
    page = ATTACK.format(base=base, organization=ORGANIZATION).encode()

    with page_elsewhere(page) as url:
        yield url


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """The sandbox as an integration calls it: the demo administrator's token, JSON bodies."""
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Access-Token {ADMIN_TOKEN}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def test_a_page_on_another_origin_changes_nothing(browser: Any, base: str, elsewhere: str) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    status, booked = call(
        base,
        "POST",
        "/v1.0/spaces/49/events",
        {
            "title": "Must survive the page",
            "start": {"date_time": start.strftime(UTC_FORMAT), "time_zone": "America/New_York"},
            "end": {"date_time": (start + timedelta(hours=1)).strftime(UTC_FORMAT), "time_zone": "America/New_York"},
        },
    )
    assert status == 201, booked
    event = booked["data"]["id"]

    opened = browser.new_page()
    try:
        opened.goto(f"{elsewhere}/attack.html")
        expect(opened).to_have_title("done", timeout=WAIT_MS * 3)
    finally:
        opened.close()

    assert call(base, "GET", f"/v1.0/events/{event}")[0] == 200, "the booking was wiped"
    clock = call(base, "GET", f"/_sandbox/organizations/{ORGANIZATION}/clock")[1]
    assert clock["mode"] == "real", f"the clock was changed: {clock}"
    assert call(base, "GET", "/_sandbox/faults")[1] == []


def test_the_dashboard_still_steers_the_sandbox(browser: Any, base: str) -> None:
    """The page's writes that carry no body (freeze, resume, clearing the fault rules) as well as
    those that do."""
    opened = browser.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    try:
        opened.goto(f"{base}/_sandbox/ui")
        opened.click("#clock-freeze")
        expect(opened.locator("#clock-mode")).to_have_text("frozen", timeout=WAIT_MS)
        opened.click("#clock-resume")
        expect(opened.locator("#clock-mode")).to_have_text("real", timeout=WAIT_MS)

        opened.fill("#fault-form input[name=path]", "/v1.0/nowhere")
        opened.click("#fault-form button[type=submit]")
        expect(opened.locator("#faults-table tbody tr")).to_have_count(1, timeout=WAIT_MS)
        opened.click("#faults-clear")
        expect(opened.locator("#faults-table tbody tr")).to_have_count(0, timeout=WAIT_MS)
        expect(opened.locator("#message")).not_to_have_class("failed")
    finally:
        opened.close()
    assert problems == []
    assert call(base, "GET", "/_sandbox/faults")[1] == []
