"""What the benchmarks share: servers started as a user starts them (a process of their own on
loopback), and wrk, a real load generator, pointed at them.

wrk comes from Debian's package (`apt-get install wrk`); the scripts say so and stop where it is
missing.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2 as httpx

BENCH = Path(__file__).resolve().parent
WALK = BENCH / "lua" / "walk.lua"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sandbox_command(port: int, data_dir: Path, *extra: str) -> list[str]:
    """`workplace-sandbox serve` as the README runs it."""
    return [PYTHON, "-m", "sandbox", "serve", "--port", str(port), "--data-dir", str(data_dir), "--log-level", "warning", *extra]


def floor_command(port: int, module: str = "floor_app") -> list[str]:
    """The floor app (or another of bench/'s apps) on the same uvicorn settings as `serve` (one
    process, loopback, warnings only)."""
    return [
        PYTHON,
        "-m",
        "uvicorn",
        f"{module}:app",
        "--app-dir",
        str(BENCH),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


@dataclass
class Started:
    base: str
    seconds_to_first_200: float
    process: subprocess.Popen[bytes]


@contextmanager
def started(
    command: Sequence[str], port: int, *, env: dict[str, str] | None = None, timeout: float = 300, log: Path | None = None
) -> Iterator[Started]:
    """Run `command` and wait for the first 200 on /_sandbox/health; stop it afterwards. Its
    output goes to `log` when given, else nowhere."""
    began = time.perf_counter()
    output = open(log, "wb") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=output, stderr=subprocess.STDOUT)
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
        if log is not None:
            output.close()  # type: ignore[union-attr]  # a file, since a log was named


@dataclass
class Load:
    """What wrk measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    refusals: list[str] = field(default_factory=list)
    """From bench/lua/walk.lua: "STATUS COUNT FIRST-BODY" for each status >= 300 answered."""

    def __str__(self) -> str:
        return f"{self.requests_per_second:9.0f} req/s   p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms"


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian's package)")
    return found


def wrk(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    seconds: int = 5,
    connections: int = 16,
    threads: int = 2,
    script: Path | None = None,
    script_args: Sequence[str] = (),
) -> Load:
    """wrk against `url` for `seconds`, keeping `connections` open; `script_args` go to the
    Lua script's init(). A response slower than 30 s counts as an error (wrk's default, 2 s,
    would leave the slow answers of a loaded server out of its percentiles)."""
    command = [require_wrk(), "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url, *(["--", *script_args] if script_args else [])], capture_output=True, text=True, check=True
    ).stdout
    return parse_wrk(output)


def floor_load(*, seconds: int = 5, connections: int = 16) -> Load:
    """wrk against GET /floor of a floor app started for it: the baseline of request rates."""
    port = free_port()
    with started(floor_command(port), port) as floor:
        return wrk(f"{floor.base}/floor", seconds=seconds, connections=connections)


def report(floors: Sequence[Load], results: Sequence[tuple[str, Load]], *, seconds: int, connections: int) -> None:
    """Each result beside the floor (the mean of `floors`), with the answers it was refused."""
    baseline = sum(run.requests_per_second for run in floors) / len(floors)
    width = max(len(name) for name, _ in results) + 2
    print(f"wrk -t2 -c{connections} -d{seconds}s on loopback; floor = mean of {len(floors)} runs")
    for run in floors:
        print(f"  {'floor GET /floor':<{width}}{run}")
    for name, run in results:
        errors = f"   ({run.errors} of {run.requests} failed)" if run.errors else ""
        print(f"  {name:<{width}}{run}   {run.requests_per_second / baseline:6.1%} of the floor{errors}")
        for refusal in run.refusals:
            print(f"      answered {refusal}")


def request_line(method: str, path: str, body: dict[str, Any] | str = "", authorization: str = "") -> str:
    """One request of a list for `walk`: a dict body is sent as JSON, a string as it is; an
    `authorization` is sent in place of any Authorization header given to `walk`."""
    line = f"{method}\t{path}\t{body if isinstance(body, str) else json.dumps(body)}"
    return f"{line}\t{authorization}" if authorization else line


def walk(
    base: str,
    requests: Sequence[str],
    *,
    headers: dict[str, str] | None = None,
    seconds: int = 5,
    connections: int = 16,
    threads: int = 2,
) -> Load:
    """wrk sending `requests` (from `request_line`) in turn through bench/lua/walk.lua, each once
    until the list runs out."""
    requests = list(requests) * -(-threads // len(requests))  # every thread needs one at least
    with tempfile.NamedTemporaryFile("w", suffix=".requests") as listing:
        listing.write("\n".join(requests) + "\n")
        listing.flush()
        return wrk(
            base,
            headers=headers,
            seconds=seconds,
            connections=connections,
            threads=threads,
            script=WALK,
            script_args=(listing.name, str(threads)),
        )


def parse_wrk(output: str) -> Load:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50, p99 = (re.search(rf"^\s+{share}%\s+([\d.]+)(us|ms|s)\b", output, re.MULTILINE) for share in ("50", "99"))
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"wrk's output was not understood:\n{output}")
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(failed.group(1)) if failed else 0) + (sum(map(int, socket_errors.groups())) if socket_errors else 0)
    sent = re.search(r"(\d+) requests in", output)
    refusals = re.findall(r"^refused (.*)$", output, re.MULTILINE)
    return Load(float(rate.group(1)), _ms(p50), _ms(p99), errors, int(sent.group(1)) if sent else 0, refusals)


def _ms(found: re.Match[str]) -> float:
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


@dataclass
class CpuUse:
    """The processor time the server under load and the PostgreSQL server spent, read from /proc
    around a measurement (`cpu_use`): the server's process and its children (the workers), and
    every PostgreSQL process alive at the end (a connection kept open is one). Where the machine's
    cores are all busy, a ratio of two loads is bounded by this, not by the server alone."""

    seconds: float
    server: float
    postgresql: float

    def per_request_ms(self, load: Load) -> str:
        """Each side's processor time per request answered, and the cores each kept busy."""
        answered = load.requests_per_second * self.seconds
        if not answered:
            return "no request answered"
        return (
            f"server {1000 * self.server / answered:.2f} ms a request ({self.server / self.seconds:.2f} cores), "
            f"PostgreSQL {1000 * self.postgresql / answered:.2f} ms ({self.postgresql / self.seconds:.2f} cores)"
        )


def _processes() -> dict[int, tuple[int, str, float]]:
    """Each process's parent, command name and processor seconds (user and system)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        found[int(stat.parent.name)] = (int(rest[1]), name, (int(rest[11]) + int(rest[12])) / tick)
    return found


def _split(processes: dict[int, tuple[int, str, float]], server: int) -> tuple[dict[int, float], dict[int, float]]:
    tree, changed = {server}, True
    while changed:
        children = {pid for pid, (parent, _, _) in processes.items() if parent in tree} - tree
        tree |= children
        changed = bool(children)
    ours = {pid: processes[pid][2] for pid in tree if pid in processes}
    postgresql = {pid: used for pid, (_, name, used) in processes.items() if name == "postgres"}
    return ours, postgresql


@contextmanager
def cpu_use(server: int) -> Iterator[CpuUse]:
    """The processor time spent while the block runs (filled in as it ends; Linux only)."""
    began, before = time.perf_counter(), _split(_processes(), server)
    use = CpuUse(0.0, 0.0, 0.0)
    yield use
    after = _split(_processes(), server)
    use.seconds = time.perf_counter() - began
    use.server, use.postgresql = (
        sum(used - then.get(pid, 0.0) for pid, used in now.items()) for now, then in zip(after, before, strict=True)
    )
