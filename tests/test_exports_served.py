"""Analytics exports on real server processes: the worker in the background, across a restart,
and several processes sharing one store."""

import csv
import io
import time
from contextlib import ExitStack
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import new_store
from tests.test_serve import ADMIN, serving

pytestmark = pytest.mark.slow

EXPORT = {"from": "2026-01-01T00:00:00+00:00", "to": "2026-12-31T00:00:00+00:00"}


def _request(base: str, kind: str = "spaces") -> str:
    response = httpx.post(f"{base}/v1.0/insights/exports/organizations/1/{kind}", json=EXPORT, headers=ADMIN)
    assert response.status_code == 202, response.text
    return str(response.json()["data"]["export_id"])


def _await_ready(base: str, export_id: str, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.get(f"{base}/v1.0/insights/exports/{export_id}", headers=ADMIN)
        if response.status_code != 404:
            return response
        assert time.monotonic() < deadline, f"export {export_id} never became ready"
        time.sleep(0.2)


def test_the_worker_generates_an_export_in_the_background(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url, env={"SANDBOX_EXPORT_DELAY_SECONDS": "1"}) as (base, _):
        export_id = _request(base)
        first = httpx.get(f"{base}/v1.0/insights/exports/{export_id}", headers=ADMIN)
        ready = _await_ready(base, export_id)

    assert first.status_code == 404
    assert ready.status_code == 200
    assert ready.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(ready.text)))
    assert header[:3] == ["Organization", "Building", "Floor"]
    assert header[-1] == "Cancellation Type"


def test_an_export_accepted_before_a_restart_completes_after_it(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    without_worker = {"SANDBOX_EXPORT_WORKER": "false", "SANDBOX_EXPORT_DELAY_SECONDS": "0"}
    with serving("--database-url", url, env=without_worker) as (base, _):
        export_id = _request(base, "desks")
        time.sleep(1)
        assert httpx.get(f"{base}/v1.0/insights/exports/{export_id}", headers=ADMIN).status_code == 404

    with serving("--database-url", url, env={"SANDBOX_EXPORT_DELAY_SECONDS": "0"}) as (base, _):
        ready = _await_ready(base, export_id)

    assert ready.status_code == 200
    assert next(csv.reader(io.StringIO(ready.text)))[3] == "Desk Group"


def test_several_processes_generate_each_export_exactly_once(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    url = store.url
    environment = {"SANDBOX_EXPORT_DELAY_SECONDS": "0"}
    with ExitStack() as stack:
        # The first process creates and seeds the store; the others open it.
        bases = [stack.enter_context(serving("--database-url", url, env=environment))[0]]
        bases += [stack.enter_context(serving("--database-url", url, env=environment))[0] for _ in range(2)]
        export_ids = [_request(bases[index % len(bases)]) for index in range(24)]
        for index, export_id in enumerate(export_ids):
            assert _await_ready(bases[(index + 1) % len(bases)], export_id).status_code == 200

    with store.engine.connect() as connection:
        jobs = [tuple(row) for row in connection.exec_driver_sql("SELECT id, state, attempts FROM export_job")]
    assert sorted(job[0] for job in jobs) == sorted(export_ids)
    assert {(state, attempts) for _, state, attempts in jobs} == {("ready", 1)}
