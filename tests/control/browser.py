"""What the browser tests share: Debian's Chromium driven by Playwright, and a sandbox served on a
real port for the page to talk to. Where Chromium or Playwright is missing, the fixtures skip,
saying why."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.served import served_here

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 10_000
"""How long a page may take to show a change: the dashboard polls every two seconds."""

try:
    from playwright.sync_api import expect
except ImportError:  # The tests skip, saying so.
    expect = None


def skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM}: install Debian's package (apt-get install chromium) to run the browser tests"
    if expect is None:
        return "Playwright is not installed (a test dependency: make test installs it)"
    return None


@contextmanager
def served_for_a_browser(directory: Path, **settings: Any) -> Iterator[str]:
    """A sandbox served on a free port of this machine, its base URL; skips where no browser can run."""
    reason = skip_reason()
    if reason is not None:
        pytest.skip(reason)
    with served_here(directory, **settings) as url:
        yield url


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Chromium, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield launched
        finally:
            launched.close()


@contextmanager
def page_elsewhere(page: bytes) -> Iterator[str]:
    """`page` served as HTML from another port of this machine: a page of another origin than the
    sandbox's, for what a browser lets it do there. Yields its URL."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
