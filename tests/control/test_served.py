"""The control plane of a real server process: dropped connections, and what two processes on one
store see alike (clock, faults, journal, snapshots)."""

import time
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.test_serve import ADMIN, serving


def test_drop_rule_closes_the_connection_without_an_answer(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path)) as (base, _server):
        httpx.post(f"{base}/_sandbox/faults", json={"path": "/v1.0/me", "effect": "drop", "times": 1})

        with pytest.raises(httpx.RemoteProtocolError):
            httpx.get(f"{base}/v1.0/me", headers=ADMIN)

        assert httpx.get(f"{base}/v1.0/me", headers=ADMIN).status_code == 200
        (dropped, served) = reversed(httpx.get(f"{base}/_sandbox/journal").json()["entries"])
        assert (dropped["status"], served["status"]) == (None, 200)


def test_two_processes_on_one_store_share_the_control_plane(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path)) as (first, _a), serving("--data-dir", str(tmp_path)) as (second, _b):
        httpx.post(f"{first}/_sandbox/organizations/1/clock/freeze", json={"at": "2030-05-01T12:00:00Z"})
        httpx.post(f"{first}/_sandbox/faults", json={"path": "/v1.0/me", "effect": "error", "status": 503, "times": 1})
        httpx.post(f"{first}/_sandbox/snapshots", json={"name": "shared"})

        assert httpx.get(f"{second}/_sandbox/organizations/1/clock").json()["now"].startswith("2030-05-01T12:00:00")
        assert httpx.get(f"{second}/v1.0/me", headers=ADMIN).status_code == 503
        assert httpx.get(f"{first}/v1.0/me", headers=ADMIN).status_code == 200
        assert [item["name"] for item in httpx.get(f"{second}/_sandbox/snapshots").json()] == ["seed", "shared"]

        httpx.get(f"{second}/v1.0/organizations/1", headers=ADMIN)
        deadline = time.monotonic() + 5
        while True:
            seen = [(e["path"], e["status"]) for e in httpx.get(f"{first}/_sandbox/journal").json()["entries"]]
            if len(seen) == 3 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert sorted(seen) == [("/v1.0/me", 200), ("/v1.0/me", 503), ("/v1.0/organizations/1", 200)]
