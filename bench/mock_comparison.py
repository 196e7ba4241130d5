"""Side by side with what a user might pick instead: an OpenAPI-example mock server (Prism, from
npm) serving GET /v1/public/buildings from Kadence's own document, against the sandbox serving the
same path from real state, both under wrk on loopback.

    .venv/bin/python bench/mock_comparison.py [--seconds 5] [--connections 16]

Needs Node.js with npm (Prism is installed into bench/.prism on first use) and wrk. Target
(issue 8): the sandbox answers more requests per second than the mock.
"""

import argparse
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import yaml
from harness import BENCH, Load, free_port, require_wrk, sandbox_command, started, wrk

PRISM = "@stoplight/prism-cli@5"
VENDOR_DOCUMENT = BENCH.parent / "tests" / "kadence" / "vendor" / "kadence-openapi-1.2.0.yml"
PATH = "/v1/public/buildings"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    require_wrk()
    prism = _installed_prism()

    def load(url: str, headers: dict[str, str]) -> Load:
        return wrk(url, headers=headers, seconds=options.seconds, connections=options.connections)

    with tempfile.TemporaryDirectory() as scratch:
        document = Path(scratch) / "kadence.yml"
        document.write_text(yaml.safe_dump(_resolvable(yaml.safe_load(VENDOR_DOCUMENT.read_text(encoding="utf-8")))))
        port = free_port()
        command = [str(prism), "mock", "-p", str(port), "-h", "127.0.0.1", "-v", "fatal", str(document)]
        mock_headers = {"Authorization": "Bearer example"}
        with _prism(command, port) as base:
            assert httpx.get(f"{base}{PATH}", headers=mock_headers).status_code == 200
            mock = load(f"{base}{PATH}", mock_headers)
        port = free_port()
        with started(sandbox_command(port, Path(scratch) / "data"), port) as sandbox:
            token = httpx.post(
                f"{sandbox.base}/oauth2/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "demo-client",
                    "client_secret": "demo-secret",
                },
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            assert httpx.get(f"{sandbox.base}{PATH}", headers=headers).status_code == 200
            ours = load(f"{sandbox.base}{PATH}", headers)
    print(f"GET {PATH}, wrk -t2 -c{options.connections} -d{options.seconds}s on loopback")
    print(f"  {'Prism mock (examples of the document)':<40}{mock}")
    print(
        f"  {'workplace-sandbox (real state)':<40}{ours}   {ours.requests_per_second / mock.requests_per_second:5.2f} x the mock"
    )


def _installed_prism() -> Path:
    prefix = BENCH / ".prism"
    binary = prefix / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise SystemExit("npm is not installed: the mock server comes from the npm registry")
        subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", "--silent", PRISM], check=True)
    return binary


def _resolvable(document: dict[str, Any]) -> dict[str, Any]:
    """Kadence's document with its one dangling reference (`#/components/schemas/User`, which it
    never defines) read as an object, so that Prism will load it."""
    schemas = document["components"]["schemas"]

    def fixed(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if (
                isinstance(reference, str)
                and reference.startswith("#/components/schemas/")
                and reference.rsplit("/", 1)[1] not in schemas
            ):
                return {"type": "object"}
            return {key: fixed(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fixed(value) for value in node]
        return node

    return fixed(document)  # type: ignore[no-any-return]  # decoded JSON


@contextmanager
def _prism(command: list[str], port: int) -> Iterator[str]:
    """Prism started and waited for; it has no health path, so any answer will do."""
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Prism did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
