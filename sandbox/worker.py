"""The export worker: a thread in each server process that generates pending export jobs, their
CSV laid out as Robin's API serves it (analytics exports are Robin's alone)."""

import logging
import os
import socket
import threading
import uuid

from fastapi import FastAPI

from sandbox.core import exports
from sandbox.robin.exports import LAYOUT

log = logging.getLogger(__name__)


class ExportWorker:
    def __init__(self, app: FastAPI, interval: float = 0.25) -> None:
        self.app = app
        self.interval = interval
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="export-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                exports.run_pending(self.app.state.store, self.app.state.clock, self.name, LAYOUT)
            except Exception:  # Keep working through a bad moment of the store.
                log.exception("export worker pass failed")
