"""Getting a sandbox to test against: one started inside the test process, or one already
running elsewhere that must first become ready."""

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sandbox.testing.control import SandboxError

Stop = Callable[[], None]


def start_in_process(data_dir: Path, *, timeout: float, **settings: Any) -> tuple[str, Stop]:
    """Serve a new sandbox on a free port of 127.0.0.1 from a background thread; returns its base
    URL and the function that stops it.

    `settings` (preset, seed, ...) go to Settings beside the data directory; SANDBOX_*
    variables fill in the rest as they do for `workplace-sandbox serve`.
    """
    import uvicorn

    from sandbox.app import create_app
    from sandbox.core.clock import Clock
    from sandbox.serving import server_options
    from sandbox.settings import Settings
    from sandbox.startup import open_store

    # Bound before the server starts, so no other process can take the port in between.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    try:
        chosen = Settings(host="127.0.0.1", port=port, data_dir=data_dir, log_level="warning", **settings)
        # Opened here rather than as the app starts, as `serve` does: a fixture that can't be
        # loaded is raised to the caller, not left in the server thread's log.
        clock = Clock()
        store = open_store(chosen, clock)
    except BaseException:
        listener.close()
        raise
    try:
        app = create_app(chosen, store=store, clock=clock)
    except BaseException:
        listener.close()
        store.dispose()
        raise
    # log_config=None leaves the test process's logging as it was; without websockets, uvicorn
    # imports nothing the sandbox does not use.
    config = uvicorn.Config(app, **{**server_options(chosen), "log_config": None}, ws="none", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="workplace-sandbox", daemon=True)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        store.dispose()

    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            stop()
            raise SandboxError(f"the in-process sandbox did not start within {timeout:g} s; its log says why")
        time.sleep(0.01)
    return f"http://127.0.0.1:{port}", stop


def wait_until_ready(url: str, *, timeout: float) -> None:
    """Wait for `GET /_sandbox/ready` to answer 200, through a server still starting or seeding,
    for at most `timeout` seconds."""
    from urllib.error import HTTPError, URLError
    from urllib.request import urlopen

    ready = f"{url.rstrip('/')}/_sandbox/ready"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urlopen(ready, timeout=max(1.0, min(5.0, timeout))) as response:
                if response.status == 200:
                    return
                last = f"it answered {response.status}"
        except HTTPError as error:
            error.close()
            if error.code != 503:
                raise SandboxError(
                    f"{ready} answered {error.code}: is {url} a workplace sandbox? Check SANDBOX_URL (or --sandbox-url)."
                ) from None
            last = "it is still seeding (503)"
        except (URLError, OSError) as error:
            last = str(getattr(error, "reason", error))
        if time.monotonic() > deadline:
            raise SandboxError(
                f"no workplace sandbox became ready at {url} within {timeout:g} s (last try: {last}). "
                "Start one (`workplace-sandbox serve`), fix SANDBOX_URL (or --sandbox-url), "
                "or unset it to let the plugin start a sandbox of its own."
            )
        time.sleep(0.2)
