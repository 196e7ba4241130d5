"""The sandbox's Docker image as a test dependency, started through testcontainers:

    from sandbox.testing.container import SandboxContainer

    with SandboxContainer("workplace-sandbox", preset="small", seed=7) as sandbox:
        ...  # sandbox.robin_url, sandbox.robin_headers, sandbox.kadence_token(), sandbox.freeze(...)

It starts the image with its port published on a free port of the Docker host, waits until the
sandbox has seeded and answers `/_sandbox/ready`, and hands out a `Sandbox`: the base URLs, the
demo credentials and the control plane's helpers, as the pytest plugin's `sandbox_server`
fixture does. The container is stopped (and removed) on leaving the block.

testcontainers is an optional dependency (`pip install "workplace-sandbox[container]"`),
imported only when a container is started; the image is the one the repository's Dockerfile
builds (`docker build -t workplace-sandbox .`).
"""

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox.testing.control import Sandbox
from sandbox.testing.server import wait_until_ready

PORT = 8000
"""The port the image serves on inside its container."""
FIXTURE_IN_CONTAINER = "/seed/workplace.json"
"""Where a fixture given to the container is mounted (read-only)."""


def attach(url: str, *, timeout: float) -> Sandbox:
    """The handle on a sandbox served at `url` (a container's published port, or any other),
    once it has seeded and is ready: at most `timeout` seconds."""
    wait_until_ready(url, timeout=timeout)
    return Sandbox(url, in_process=False)


class SandboxContainer:
    """The image started for the length of a `with` block (module docstring)."""

    def __init__(
        self,
        image: str = "workplace-sandbox",
        *,
        preset: str | None = None,
        seed: int | None = None,
        fixture: Path | None = None,
        environment: Mapping[str, str] | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.image = image
        self.preset, self.seed, self.fixture = preset, seed, fixture
        self.extra = dict(environment or {})
        """More SANDBOX_* settings, which win over those the arguments make."""
        self.timeout = timeout
        self._container: Any = None

    def environment(self) -> dict[str, str]:
        """The settings the container is started with. The published port is reached by
        whichever name the Docker host has for the tests (localhost, or a gateway's address
        when the tests run in a container themselves): the container answers any Host."""
        settings = {"SANDBOX_ALLOWED_HOSTS": "*"}
        if self.preset is not None:
            settings["SANDBOX_PRESET"] = self.preset
        if self.seed is not None:
            settings["SANDBOX_SEED"] = str(self.seed)
        if self.fixture is not None:
            settings["SANDBOX_FIXTURE"] = FIXTURE_IN_CONTAINER
        return {**settings, **self.extra}

    def __enter__(self) -> Sandbox:
        from testcontainers.core.container import DockerContainer

        container = DockerContainer(self.image).with_exposed_ports(PORT).with_envs(**self.environment())
        if self.fixture is not None:
            container = container.with_volume_mapping(str(self.fixture.resolve()), FIXTURE_IN_CONTAINER, "ro")
        container.start()
        try:
            url = f"http://{container.get_container_host_ip()}:{container.get_exposed_port(PORT)}"
            sandbox = attach(url, timeout=self.timeout)
        except BaseException:
            container.stop()
            raise
        self._container = container
        return sandbox

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None
