"""The dashboard end to end, in headless Chromium (Debian's `chromium`, driven by Playwright): a
sandbox served on a real port, the page open in a browser, and the APIs called beside it as an
integration would. Each test takes a screenshot of the view it watched: into a temporary
directory, or into the directory SANDBOX_TEST_SCREENSHOTS names (`make screenshots` names
docs/screenshots/, whose pictures the README shows), so that a test run leaves the checkout as
it found it.

The tests skip, saying why, where Chromium or Playwright is missing. They run in the SQLite pass:
the page is the same on either store."""

import json
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import ADMIN_TOKEN
from tests.control.browser import WAIT_MS, chromium, expect, served_for_a_browser

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

SCREENSHOTS = Path(os.environ.get("SANDBOX_TEST_SCREENSHOTS") or Path(tempfile.gettempdir()) / "workplace-sandbox-screenshots")
NEW_YORK = 10
HUDSON = 48
"""A conference room in New York whose meetings are released ten minutes in unless checked in to."""
UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_for_a_browser(tmp_path_factory.mktemp("dashboard"), export_delay_seconds=0) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any, base: str) -> Iterator[Any]:
    opened = browser.new_page(viewport={"width": 1366, "height": 900})
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.goto(f"{base}/_sandbox/ui")
    yield opened
    opened.close()
    assert problems == [], "the page reported errors"


def call(
    base: str, method: str, path: str, body: dict[str, Any] | None = None, *, token: str | None = ADMIN_TOKEN
) -> tuple[int, Any]:
    """The sandbox's HTTP API, as an integration calls it."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Access-Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text else None


def screenshot(page: Any, name: str, selector: str | None = None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def book_hudson(page: Any, base: str, title: str, *, starts_in: timedelta, lasting: timedelta) -> str:
    """Books Hudson through Robin's API from `starts_in` after the organization's now, shows
    that day of New York on the page, and returns the event's id."""
    clock = call(base, "GET", "/_sandbox/organizations/1/clock")[1]
    start = datetime.fromisoformat(clock["now"]).replace(second=0, microsecond=0) + starts_in
    status, booked = call(
        base,
        "POST",
        f"/v1.0/spaces/{HUDSON}/events",
        {
            "title": title,
            "start": {"date_time": start.strftime(UTC_FORMAT), "time_zone": "America/New_York"},
            "end": {"date_time": (start + lasting).strftime(UTC_FORMAT), "time_zone": "America/New_York"},
        },
    )
    assert status == 201, booked
    page.select_option("#building", str(NEW_YORK))
    page.fill("#day", start.astimezone(ZoneInfo("America/New_York")).date().isoformat())
    return str(booked["data"]["id"])


def bar_of(page: Any, event_id: str) -> Any:
    return page.locator(f'#timeline-grid .row[data-space="{HUDSON}"] .bar[data-robin-id="{event_id}"]')


def test_a_booking_made_through_the_api_appears_on_the_timeline(page: Any, base: str) -> None:
    event = book_hudson(page, base, "Booked from the API", starts_in=timedelta(hours=2), lasting=timedelta(minutes=90))

    bar = bar_of(page, event)
    expect(bar).to_have_count(1, timeout=WAIT_MS)
    expect(bar).to_contain_text("Booked from the API")
    expect(bar).to_have_attribute("data-status", "booked")
    expect(page.locator("#message")).to_have_text("")  # Polling says nothing while all is well.
    screenshot(page, "timeline", "#timeline")


def test_each_space_on_the_timeline_names_its_id_in_both_apis(page: Any, base: str) -> None:
    status, hudson = call(base, "GET", f"/v1.0/spaces/{HUDSON}")
    assert status == 200, hudson
    page.select_option("#building", str(NEW_YORK))

    row = page.locator(f'#timeline-grid .row[data-space="{HUDSON}"]')
    expect(row).to_have_count(1, timeout=WAIT_MS)
    kadence_id = row.get_attribute("data-kadence-space")
    label = row.locator(".space").get_attribute("title")

    assert kadence_id is not None
    assert label is not None
    assert f"Robin space {HUDSON} · Kadence space {kadence_id}" in label
    status, token = call(
        base,
        "POST",
        "/oauth2/token",
        {"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"},
        token=None,
    )
    assert status == 200, token
    request = urllib.request.Request(
        f"{base}/v1/public/spaces/{kadence_id}", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.load(response)["name"] == hudson["data"]["name"]


def test_advancing_the_clock_on_the_page_changes_a_bookings_status(page: Any, base: str) -> None:
    """Hudson releases a meeting nobody checked in to ten minutes after it starts."""
    event = book_hudson(page, base, "Nobody comes", starts_in=timedelta(minutes=5), lasting=timedelta(minutes=30))
    bar = bar_of(page, event)
    expect(bar).to_have_attribute("data-status", "booked", timeout=WAIT_MS)

    page.fill("#clock-by", "PT1H")
    page.click("#clock-advance")

    expect(bar).to_have_attribute("data-status", "noCheckIn", timeout=WAIT_MS)
    expect(page.locator("#clock-mode")).to_have_text("shifted")
    screenshot(page, "clock", "#controls")


def test_a_fault_rule_added_on_the_page_fails_the_next_request(page: Any, base: str) -> None:
    page.fill("#fault-form input[name=path]", f"/v1.0/spaces/{HUDSON}")
    page.select_option("#fault-form select[name=effect]", "error")
    page.fill("#fault-form input[name=status]", "503")
    page.fill("#fault-form input[name=times]", "1")
    page.click("#fault-form button[type=submit]")
    rules = page.locator("#faults-table tbody tr")
    expect(rules).to_have_count(1, timeout=WAIT_MS)
    expect(rules.first.locator("td").nth(1)).to_have_text("every")

    assert call(base, "GET", f"/v1.0/spaces/{HUDSON}")[0] == 503
    assert call(base, "GET", f"/v1.0/spaces/{HUDSON}")[0] == 200, "the rule was for one request only"

    failed = page.locator("#journal-table tbody tr.failed", has_text=f"/v1.0/spaces/{HUDSON}")
    expect(failed).to_have_count(1, timeout=WAIT_MS)
    failed.click()
    expect(page.locator("#journal-detail h3")).to_contain_text("503", timeout=WAIT_MS)
    expect(page.locator("#journal-detail details.headers").first).to_contain_text("authorization: Access-Token [redacted]")
    screenshot(page, "journal", "#journal")
    status, _ = call(
        base,
        "POST",
        "/_sandbox/faults",
        {"path": "/v1.0/exports/*", "effect": "latency", "latency_ms": 500, "organization": "meridian"},
    )
    assert status == 201
    expect(rules).to_have_count(2, timeout=WAIT_MS)
    expect(rules.nth(1).locator("td").nth(1)).to_have_text("Meridian Robotics")
    screenshot(page, "faults", "#faults")


def test_export_jobs_and_snapshots_are_shown_and_steered_on_the_page(page: Any, base: str) -> None:
    clock = call(base, "GET", "/_sandbox/organizations/1/clock")[1]
    now = datetime.fromisoformat(clock["now"]).replace(microsecond=0)
    status, accepted = call(
        base,
        "POST",
        "/v1.0/insights/exports/organizations/1/spaces",
        {
            "from": (now - timedelta(days=7)).isoformat(),
            "to": now.isoformat(),
        },
    )
    assert status == 202, accepted["meta"]["errors"]
    export = accepted["data"]["export_id"]

    link = page.locator(f'#exports-table tr[data-export="{export}"] a')
    expect(link).to_have_text("Download CSV", timeout=WAIT_MS)
    with page.expect_download() as downloading:
        link.click()
    assert downloading.value.suggested_filename == f"spaces-export-{export}.csv"
    screenshot(page, "exports", "#exports")

    page.fill("#snapshot-form input[name=name]", "from-the-page")
    page.click("#snapshot-form button[type=submit]")
    restore = page.locator('#snapshots-table tr[data-snapshot="from-the-page"] button')
    expect(restore).to_have_count(1, timeout=WAIT_MS)
    assert (
        call(
            base,
            "POST",
            f"/v1.0/spaces/{HUDSON}/events",
            {
                "title": "Undone by the restore",
                "start": {"date_time": (now + timedelta(days=3)).strftime(UTC_FORMAT), "time_zone": "America/New_York"},
                "end": {"date_time": (now + timedelta(days=3, hours=1)).strftime(UTC_FORMAT), "time_zone": "America/New_York"},
            },
        )[0]
        == 201
    )
    restore.click()
    expect(page.locator("#message")).to_have_text("Snapshot from-the-page restored", timeout=WAIT_MS)
    week = {"after": now.strftime(UTC_FORMAT), "before": (now + timedelta(days=7)).strftime(UTC_FORMAT)}
    titles = [
        event["title"]
        for event in call(base, "GET", f"/v1.0/spaces/{HUDSON}/events?after={week['after']}&before={week['before']}")[1]["data"]
    ]
    assert "Undone by the restore" not in titles
    screenshot(page, "snapshots", "#snapshots")
