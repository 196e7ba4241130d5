"""A sandbox served from this process on a free port of this machine, for the tests that need a
real server (a browser, a subprocess, a generated client) rather than the in-process client."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.testing.server import start_in_process


@contextmanager
def served_here(directory: Path, **settings: Any) -> Iterator[str]:
    """The sandbox with its store in `directory` and these settings; its base URL, stopped after."""
    url, stop = start_in_process(directory, timeout=60, **settings)
    try:
        yield url
    finally:
        stop()


README_BASES = ("localhost:8000", "127.0.0.1:8000")
"""Where the README's examples reach the sandbox: `make serve`'s address."""


def run_readme_shell(script: str, base: str) -> subprocess.CompletedProcess[str]:
    """A shell example of the README, run as written against the sandbox at `base` (its address
    put where the README names `make serve`'s), failing on any failed command or unset variable."""
    host = base.removeprefix("http://")
    for named in README_BASES:
        script = script.replace(named, host)
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=120, check=False)
