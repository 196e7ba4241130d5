"""What the control plane's per-request work (fault rules, the request journal) costs a vendor
API read: GET /v1.0/spaces/48 on one store, served with and without that middleware, in
alternating rounds so that both see the same machine.

    .venv/bin/python bench/control_overhead.py [--rounds 3] [--requests 1000]

Prints the p50 of each round and the ratio with/without.
"""

import argparse
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx2 as httpx
import uvicorn

from sandbox.app import create_app
from sandbox.control.traffic import TrafficMiddleware
from sandbox.settings import Settings

HEADERS = {"Authorization": "Access-Token demo-robin-token"}


def serve(data_dir: Path, *, middleware: bool) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(Settings(data_dir=data_dir, port=port, export_worker=False))
    if not middleware:
        app.user_middleware = [entry for entry in app.user_middleware if entry.cls is not TrafficMiddleware]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def p50_ms(base: str, requests: int) -> float:
    with httpx.Client(base_url=base, headers=HEADERS) as client:
        for _ in range(100):
            client.get("/v1.0/spaces/48")
        latencies = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get("/v1.0/spaces/48")
            latencies.append(time.perf_counter() - started)
    return statistics.median(latencies) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    arguments = parser.parse_args()
    results: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as data_dir:
        for _ in range(arguments.rounds):
            for middleware in (True, False):
                server, base = serve(Path(data_dir), middleware=middleware)
                results[middleware].append(p50_ms(base, arguments.requests))
                server.should_exit = True
                time.sleep(0.5)
    for middleware, label in ((True, "with fault rules and journal"), (False, "without")):
        print(f"{label:>30}: p50 " + ", ".join(f"{value:.2f}" for value in results[middleware]) + " ms")
    ratio = statistics.median(results[True]) / statistics.median(results[False])
    print(f"ratio with/without (median of rounds): {ratio:.2f}")


if __name__ == "__main__":
    main()
