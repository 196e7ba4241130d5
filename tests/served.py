"""A sandbox served from this process on a free port of this machine, for the tests that need a
real server (a browser, a subprocess, a generated client) rather than the in-process client."""

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
