"""The server's log: one access record a request, as text or as JSON lines, the health checks
left out. Read from a served process as a log collector reads it, and from the app's records."""

import json
import logging
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from sandbox.access_log import ACCESS_LOGGER, JsonFormatter
from tests.conftest import KadenceClient
from tests.test_serve import ADMIN, serving

HEALTH_CHECKS = ("/_sandbox/health", "/_sandbox/ready")


def _parsed(output: str) -> list[dict[str, Any]]:
    """Each line of the output as the JSON object it must be."""
    return [json.loads(line) for line in output.splitlines() if line.strip()]


@pytest.mark.backend("sqlite")
@pytest.mark.slow
def test_the_json_log_has_a_record_a_request_and_no_health_checks(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), "--log-format", "json") as (base, server):
        for _ in range(3):
            assert httpx.get(f"{base}/_sandbox/health").status_code == 200
        assert httpx.get(f"{base}/_sandbox/ready").status_code == 200
        assert httpx.get(f"{base}/v1.0/me", headers=ADMIN).status_code == 200
        assert httpx.get(f"{base}/v1/public/buildings").status_code == 401
        assert httpx.get(f"{base}/_sandbox/faults").status_code == 200

    records = _parsed(server.output)
    requests = [record for record in records if record["logger"] == ACCESS_LOGGER]
    assert [(record["method"], record["path"], record["status"], record["api"]) for record in requests] == [
        ("GET", "/v1.0/me", 200, "robin"),
        ("GET", "/v1/public/buildings", 401, "kadence"),
        ("GET", "/_sandbox/faults", 200, "control"),
    ]
    assert requests[0]["organization"] == 1
    assert requests[1]["organization"] is None
    assert all(record["duration_ms"] > 0 and record["fault"] is None for record in requests)
    assert any("demo-robin-token" in record["message"] for record in records), "the banner is a record too"


@pytest.mark.backend("sqlite")
@pytest.mark.slow
def test_the_text_log_leaves_the_health_checks_out(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), env={"SANDBOX_LOG_FORMAT": "text"}) as (base, server):
        for _ in range(3):
            assert httpx.get(f"{base}/_sandbox/health").status_code == 200
        assert httpx.get(f"{base}/_sandbox/ready").status_code == 200
        assert httpx.get(f"{base}/v1.0/me", headers=ADMIN).status_code == 200

    lines = server.output.splitlines()
    assert [line for line in lines if '"GET /v1.0/me" 200' in line], server.output[-2000:]
    assert not [line for line in lines if any(f"GET {path}" in line for path in HEALTH_CHECKS)]


@pytest.mark.wire
def test_an_access_record_names_the_fault_that_answered(client, kadence: KadenceClient, caplog) -> None:
    rule = client.post(
        "/_sandbox/faults", json={"api": "kadence", "path": "/v1/public/buildings", "effect": "error", "status": 503}
    )
    assert rule.status_code == 201, rule.text

    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        assert kadence.get("/buildings").status_code == 503
        assert kadence.get("/floors").status_code == 200

    faulted, served = (json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == ACCESS_LOGGER)
    assert faulted["path"] == "/v1/public/buildings"
    assert faulted["status"] == 503
    assert faulted["api"] == "kadence"
    assert faulted["fault"] == {"rule_id": rule.json()["id"], "effect": "error", "latency_ms": 0}
    assert served["path"] == "/v1/public/floors"
    assert served["fault"] is None
    assert served["organization"] == 1
    assert faulted["organization"] is None, "a fault answers before the token is read"
