"""What the benchmarks share: servers started as a user starts them (a process of their own on
loopback), and wrk, a real load generator, pointed at them.

wrk comes from Debian's package (`apt-get install wrk`); the scripts say so and stop where it is
missing.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sandbox_command(port: int, data_dir: Path, *extra: str) -> list[str]:
    """`workplace-sandbox serve` as the README runs it."""
    return [PYTHON, "-m", "sandbox", "serve", "--port", str(port), "--data-dir", str(data_dir), "--log-level", "warning", *extra]


def floor_command(port: int) -> list[str]:
    """The floor app on the same uvicorn settings as `serve` (one process, loopback, warnings only)."""
    return [PYTHON, "-m", "uvicorn", "floor_app:app", "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
            "--log-level", "warning"]


@dataclass
class Started:
    base: str
    seconds_to_first_200: float
    process: subprocess.Popen[bytes]


@contextmanager
def started(command: Sequence[str], port: int, *, env: dict[str, str] | None = None, timeout: float = 300) -> Iterator[Started]:
    """Run `command` and wait for the first 200 on /_sandbox/health; stop it afterwards."""
    began = time.perf_counter()
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=1) as client:
            while True:
                try:
                    if client.get(f"{base}/_sandbox/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.perf_counter() - began > timeout:
                    raise RuntimeError(f"{' '.join(command)} did not answer on {base}")
                time.sleep(0.005)
        yield Started(base, time.perf_counter() - began, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Load:
    """What wrk measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def __str__(self) -> str:
        return f"{self.requests_per_second:9.0f} req/s   p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms"


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    return found


def wrk(url: str, *, headers: dict[str, str] | None = None, seconds: int = 5, connections: int = 16, threads: int = 2,
        script: Path | None = None) -> Load:
    """wrk against `url` for `seconds`, keeping `connections` open."""
    command = [require_wrk(), "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Load:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50, p99 = (re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE) for share in ("50", "99"))
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"wrk's output was not understood:\n{output}")
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(failed.group(1)) if failed else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    return Load(float(rate.group(1)), _ms(p50), _ms(p99), errors)


def _ms(found: re.Match[str]) -> float:
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
