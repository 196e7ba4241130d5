"""What the test files run through pytester share: a strict pytest configuration, as a careful
project has, and a standard-library HTTP call."""

import os

import pytest

INI = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
filterwarnings = error
"""

HTTP = """
import json
import urllib.request
from urllib.error import HTTPError

MEETING = {
    "title": "Design review",
    "start": {"date_time": "2031-05-05T14:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2031-05-05T15:00:00Z", "time_zone": "America/New_York"},
}


def call(method, url, headers, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data, {**headers, "Content-Type": "application/json"}, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def book(sandbox):
    status, answer = call("POST", f"{sandbox.robin_url}/spaces/49/events", sandbox.robin_headers, MEETING)
    assert status == 201, answer


def titles(sandbox):
    day = "after=2031-05-05T00:00:00Z&before=2031-05-06T00:00:00Z"
    status, answer = call("GET", f"{sandbox.robin_url}/spaces/49/events?{day}", sandbox.robin_headers)
    assert status == 200, answer
    return [event["title"] for event in answer["data"]]
"""


def write_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *, ini: str = "", **files: str) -> None:
    """A project of test files, each given after the shared HTTP helpers (see configure_project)."""
    configure_project(pytester, monkeypatch, ini=ini)
    pytester.makepyfile(**{name: HTTP + source for name, source in files.items()})


def configure_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *, ini: str = "") -> None:
    """A project that starts a sandbox of its own with default settings and the `ini` lines
    given, whatever the environment of this run says."""
    for name in os.environ:
        if name.startswith("SANDBOX_"):
            monkeypatch.delenv(name)
    pytester.makeini(INI + ini)


CONTROL_CALLS = """
from sandbox.testing import Sandbox

SENT = []
_send = Sandbox._send


def _counted(self, method, url, *args, **kwargs):
    SENT.append(f"{method} {url.partition('/_sandbox/')[2]}")
    return _send(self, method, url, *args, **kwargs)


Sandbox._send = _counted
"""
"""Counts the calls a project's tests make to the control plane, in SENT (method and path after /_sandbox/)."""
