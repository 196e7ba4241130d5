"""The soak: `serve --workers 2` on the backend under test, several clients mixing steadily for a
minute what integrations do (sandbox/testing/soak.py: reads of both APIs, refused and accepted bookings,
Kadence tokens, profile changes, cancels). Every answer is the one expected and none is slow.

bench/soak.py runs the same mix for ten minutes and reports latency and memory minute by minute.
"""

import os
import signal
from collections import Counter
from pathlib import Path

import pytest

from sandbox.testing import soak
from tests.conftest import new_store
from tests.test_serve import serving
from tests.test_workers import server_processes

pytestmark = pytest.mark.slow(seconds=soak.DEFAULT_SECONDS)

CLIENTS = 4
PAUSE = 0.1
"""Seconds each client waits between its steps: about forty steps a second in all, a steady load
from four busy integrations that leaves the machine's cores to the rest of the suite running
beside it. bench/soak.py sends each next request as soon as the last is answered."""
SLOWEST = 2.0
"""Seconds: the longest any answer may take. Under this load a write takes tens of milliseconds and
the slowest a few hundred on a busy machine; a write that waits out the store's busy timeout (30 s),
or a request stuck behind one, is far beyond."""


def test_a_mixed_load_from_several_clients_gets_every_answer_right_and_none_slow(tmp_path: Path) -> None:
    store = new_store(tmp_path)
    workers: list[int] = []
    try:
        with serving("--database-url", store.url, "--workers", "2") as (base, server):
            workers = server_processes(server.pid)
            workplace = soak.prepare(base, clients=CLIENTS)
            outcomes = soak.soak(base, workplace, pause=PAUSE)
            workers += server_processes(server.pid)  # the server replaces a worker that dies
    finally:
        _kill_outliving(workers)
    report = f"{soak.summary(outcomes)}\n--- server output ---\n{server.output[-3000:]}"
    assert not any(outcome.problem for outcome in outcomes), report
    assert max(outcome.seconds for outcome in outcomes) <= SLOWEST, report
    requests = Counter(outcome.step for outcome in outcomes)
    assert len(requests) == len(soak.STEPS), report
    assert min(requests.values()) >= CLIENTS, report  # every client went round


def _kill_outliving(workers: list[int]) -> None:
    """Kill the worker processes still there once their server is stopped (one stuck in a request
    outlives it), before the store is dropped: on PostgreSQL their open transactions would hold
    the store's locks."""
    for pid in workers:
        try:
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
