"""Parallel suites on one server: 200 tests, each booking and cancelling the same desk and the
same room at the same hour, pass with four xdist workers against one served sandbox (two server
processes), each worker in an organization of its own; on each backend."""

import subprocess
import sys
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.conftest import new_store
from tests.test_serve import serving

pytestmark = pytest.mark.slow

SUITE = Path(__file__).parents[2] / "bench" / "tenant_suite.py"


def test_two_hundred_colliding_tests_pass_with_four_workers_on_one_server(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url, "--workers", "2") as (base, _):
        before = httpx.get(f"{base}/_sandbox/organizations").json()

        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "no:cacheprovider",
                "-n",
                "4",
                "--junitxml",
                str(tmp_path / "report.xml"),
                str(SUITE),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
            env={**_without_sandbox_settings(), "SANDBOX_URL": base},
            check=False,
        )

        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        assert "200 passed" in run.stdout
        assert "an organization of its own for each test process" in run.stdout
        # Each worker's organization went with its session; the seeded one was never touched.
        after = httpx.get(f"{base}/_sandbox/organizations").json()
        assert [organization["slug"] for organization in after] == [organization["slug"] for organization in before]
        seeded = before[0]["id"]
        bookings = httpx.get(f"{base}/_sandbox/journal", params={"organization": seeded, "limit": 1}).json()["entries"]
        assert bookings == []


def _without_sandbox_settings() -> dict[str, str]:
    import os

    return {name: value for name, value in os.environ.items() if not name.startswith("SANDBOX_")}
