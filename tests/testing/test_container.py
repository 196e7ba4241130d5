"""The image started for a test through testcontainers (`sandbox.testing.container`): the handle it
gives is tried against a real sandbox served here; the image itself where a Docker daemon and the
built image are at hand (`docker build -t workplace-sandbox .`), and the test says why not
elsewhere."""

import json
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.testing.container import FIXTURE_IN_CONTAINER, SandboxContainer, attach
from sandbox.testing.control import Sandbox, SandboxError
from tests.served import served_here

pytestmark = pytest.mark.backend("sqlite")

IMAGE = "workplace-sandbox"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with served_here(tmp_path, preset="demo") as base:
        yield base


def me(sandbox: Sandbox) -> dict[str, object]:
    request = urllib.request.Request(f"{sandbox.robin_url}/me", headers=sandbox.robin_headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]  # type: ignore[no-any-return]  # decoded JSON


@pytest.mark.slow
def test_attach_hands_out_the_urls_and_credentials_of_a_ready_sandbox(served: str) -> None:
    sandbox = attach(served, timeout=30)

    assert sandbox.url == served
    assert me(sandbox)["name"] == "Ada Okafor"
    assert sandbox.kadence_token()


def test_attach_to_no_sandbox_fails_saying_where_it_looked() -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"

    with pytest.raises(SandboxError, match="no workplace sandbox became ready at"):
        attach(url, timeout=0.5)


def test_the_container_is_told_what_to_seed_and_answers_the_name_it_is_reached_by() -> None:
    container = SandboxContainer(
        preset="small", seed=7, fixture=Path("mine.json"), environment={"SANDBOX_LOG_FORMAT": "json", "SANDBOX_SEED": "8"}
    )

    assert container.environment() == {
        "SANDBOX_ALLOWED_HOSTS": "*",
        "SANDBOX_PRESET": "small",
        "SANDBOX_SEED": "8",
        "SANDBOX_FIXTURE": FIXTURE_IN_CONTAINER,
        "SANDBOX_LOG_FORMAT": "json",
    }
    assert SandboxContainer().environment() == {"SANDBOX_ALLOWED_HOSTS": "*"}


def _image_at_hand() -> str | None:
    """Why the image can't be started here, or None. Asked of the docker command rather than the
    Docker SDK, whose client leaves its socket open when no daemon answers."""
    try:
        import testcontainers  # noqa: F401 - only whether it is installed
    except ImportError:
        return "testcontainers (the `container` extra) is not installed"
    if shutil.which("docker") is None:
        return "there is no docker command on this machine"
    found = subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, text=True, timeout=30, check=False)
    if found.returncode != 0:
        said = (found.stderr.strip().splitlines() or ["no answer"])[-1]
        return f"the image {IMAGE!r} can't be used here (docker: {said}); build it with `docker build -t {IMAGE} .`"
    return None


@pytest.mark.slow(seconds=60)
def test_the_image_serves_from_a_container() -> None:
    missing = _image_at_hand()
    if missing is not None:
        pytest.skip(missing)

    with SandboxContainer(IMAGE, preset="small", seed=7) as sandbox:
        assert me(sandbox)["primary_email"]
        assert sandbox.kadence_token()
