"""What the control plane's per-request work (fault rules, the request journal) costs a vendor
API read: GET /v1.0/spaces/48 on one store, served with and without that middleware, in
alternating rounds so that both see the same machine.

    .venv/bin/python bench/control_overhead.py [--rounds 3] [--requests 1000]

Prints the p50 of each round and the ratio with/without. Each server is a process of its own,
uvicorn serving one of the app factories below (the sandbox's app, settings from SANDBOX_*).
"""

import argparse
import statistics
import tempfile
import time

import httpx2 as httpx
from fastapi import FastAPI
from harness import BENCH, PYTHON, free_port, started

from sandbox.app import create_app
from sandbox.control.traffic import TrafficMiddleware

HEADERS = {"Authorization": "Access-Token demo-robin-token"}


def with_control_work() -> FastAPI:
    return create_app()


def without_control_work() -> FastAPI:
    app = create_app()
    app.user_middleware = [entry for entry in app.user_middleware if entry.cls is not TrafficMiddleware]
    return app


def p50_ms(base: str, requests: int) -> float:
    """The query changes on every request, so that none is answered from the answers kept for
    repeated reads (which the traffic middleware serves): every one goes through its route."""
    with httpx.Client(base_url=base, headers=HEADERS) as client:
        for number in range(100):
            assert client.get(f"/v1.0/spaces/48?warm={number}").status_code == 200
        latencies = []
        for number in range(requests):
            began = time.perf_counter()
            client.get(f"/v1.0/spaces/48?n={number}")
            latencies.append(time.perf_counter() - began)
    return statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    arguments = parser.parse_args()
    results: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {"SANDBOX_DATA_DIR": data_dir, "SANDBOX_EXPORT_WORKER": "false"}
        for _ in range(arguments.rounds):
            for middleware, factory in ((True, "with_control_work"), (False, "without_control_work")):
                port = free_port()
                command = [
                    PYTHON,
                    "-m",
                    "uvicorn",
                    f"control_overhead:{factory}",
                    "--factory",
                    "--app-dir",
                    str(BENCH),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--log-level",
                    "warning",
                ]
                with started(command, port, env=environment) as server:
                    results[middleware].append(p50_ms(server.base, arguments.requests))
    for middleware, label in ((True, "with fault rules and journal"), (False, "without")):
        print(f"{label:>30}: p50 " + ", ".join(f"{value:.2f}" for value in results[middleware]) + " ms")
    ratio = statistics.median(results[True]) / statistics.median(results[False])
    print(f"ratio with/without (median of rounds): {ratio:.2f}")


if __name__ == "__main__":
    main()
