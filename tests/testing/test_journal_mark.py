"""A journal mark counts only what arrives after it, on a server of several processes too,
where another process writes what it served up to 0.2 s later, after the mark."""

from pathlib import Path

import httpx2 as httpx
import pytest

from sandbox.testing.control import CLEAN_SNAPSHOT, Sandbox
from tests.conftest import new_store
from tests.test_serve import ADMIN, serving

pytestmark = pytest.mark.slow


def test_requests_served_before_the_mark_are_not_counted_when_written_after_it(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url, "--workers", "2") as (base, _):
        sandbox = Sandbox(base, in_process=False)
        for attempt in range(5):
            # A new connection each: the two processes share them out.
            for _ in range(20):
                assert httpx.get(f"{base}/v1.0/spaces/48", headers=ADMIN).status_code == 200
            sandbox.journal.mark("after the reads")
            unwritten = sandbox.journal.count(method="GET", path="/v1.0/spaces/48")
            assert unwritten == 0, f"attempt {attempt}: {unwritten} reads served before the mark were counted after it"
            httpx.get(f"{base}/v1.0/spaces/48", headers=ADMIN)
            sandbox.journal.assert_requested(method="GET", path="/v1.0/spaces/48", times=1)


def test_requests_served_before_a_restore_are_not_counted_from_the_mark_it_answers_with(tmp_path: Path) -> None:
    url = new_store(tmp_path).url
    with serving("--database-url", url, "--workers", "2") as (base, _):
        sandbox = Sandbox(base, in_process=False)
        sandbox.save_snapshot(CLEAN_SNAPSHOT)
        for attempt in range(5):
            for _ in range(20):
                assert httpx.get(f"{base}/v1.0/spaces/48", headers=ADMIN).status_code == 200
            sandbox.restore_clean(mark="the restore")
            assert sandbox.journal_mark_name == "the restore"
            unwritten = sandbox.journal.count(method="GET", path="/v1.0/spaces/48")
            assert unwritten == 0, f"attempt {attempt}: {unwritten} reads served before the restore were counted after it"
            httpx.get(f"{base}/v1.0/spaces/48", headers=ADMIN)
            sandbox.journal.assert_requested(method="GET", path="/v1.0/spaces/48", times=1)
