"""`workplace-sandbox serve --workers N`: several processes on one store."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.test_postgres import empty_postgres_store
from tests.test_serve import ADMIN, serving


def server_processes(parent: int) -> list[int]:
    """The worker processes uvicorn's supervisor started (not multiprocessing's resource tracker)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in command:
            children.append(int(stat.parent.name))
    return children


def one_slot_from_many_processes(base: str) -> list[int]:
    body = {
        "title": "Contested",
        "start": {"date_time": "2031-07-07T14:00:00Z", "time_zone": "America/New_York"},
        "end": {"date_time": "2031-07-07T15:00:00Z", "time_zone": "America/New_York"},
    }

    def attempt(_: int) -> int:
        # A client per request: each opens its own connection, so the kernel spreads them over the workers.
        return httpx.post(f"{base}/v1.0/spaces/52/events", json=body, headers=ADMIN, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        return sorted(pool.map(attempt, range(30)))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="counting server processes reads /proc")
def test_workers_share_one_sqlite_store(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path), "--workers", "2") as (base, server):
        assert len(server_processes(server.pid)) == 2
        statuses = one_slot_from_many_processes(base)
        listed = httpx.get(
            f"{base}/v1.0/spaces/52/events", headers=ADMIN,
            params={"after": "2031-07-07T00:00:00Z", "before": "2031-07-08T00:00:00Z"},
        ).json()["data"]
    assert statuses == [201] + [409] * 29, server.output[-4000:]
    assert len(listed) == 1
    assert "(2 worker processes)" in server.output


def test_workers_share_one_postgresql_store() -> None:
    with empty_postgres_store() as store, serving("--database-url", store.url, "--workers", "2") as (base, server):
        assert len(server_processes(server.pid)) == 2
        statuses = one_slot_from_many_processes(base)
    assert statuses == [201] + [409] * 29, server.output[-4000:]


@pytest.mark.parametrize(("arguments", "message"), [
    (("--workers", "0"), "workers"),
    (("--workers", "2", "--database-url", "sqlite://"), "several workers need a store they can share"),
])
def test_serve_refuses_workers_it_cannot_run(tmp_path: Path, arguments: tuple[str, ...], message: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--data-dir", str(tmp_path), *arguments],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert message in result.stderr
