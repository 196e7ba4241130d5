"""The Docker image: what the Dockerfile promises, its health check against a real server, and
(only with SANDBOX_TEST_DOCKER=1 and a Docker daemon) the image itself, built and run."""

import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx
import pytest

from sandbox.settings import LOOPBACK_HOSTS, Settings
from tests.test_serve import ADMIN, _free_port, serving

# The image's default store: a SQLite file in its data volume.
pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PIP_BUILD_ARGUMENTS = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def _instructions() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments left out."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.endswith("\\"):
            pending.append(text[:-1].strip())
            continue
        keyword, _, arguments = " ".join([*pending, text]).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = []
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def _runtime_stage() -> list[Instruction]:
    """The instructions of the last stage: the image that is run."""
    instructions = _instructions()
    last_from = max(index for index, instruction in enumerate(instructions) if instruction.keyword == "FROM")
    return instructions[last_from + 1 :]


def _only(keyword: str) -> Instruction:
    found = [instruction for instruction in _runtime_stage() if instruction.keyword == keyword]
    assert len(found) == 1, f"the image sets {keyword} {len(found)} times"
    return found[0]


def _environment() -> dict[str, str]:
    variables: dict[str, str] = {}
    for instruction in _runtime_stage():
        if instruction.keyword == "ENV":
            for assignment in shlex.split(instruction.arguments):
                name, separator, value = assignment.partition("=")
                assert separator, f"ENV {assignment} is not NAME=value"
                variables[name] = value
    return variables


def _healthcheck_command() -> list[str]:
    options, _, command = _only("HEALTHCHECK").arguments.partition("CMD ")
    assert command, "HEALTHCHECK has no CMD"
    assert all(option.startswith("--") for option in options.split())
    parsed = json.loads(command)
    assert isinstance(parsed, list), "HEALTHCHECK CMD is not exec form"
    assert all(isinstance(word, str) for word in parsed), "HEALTHCHECK CMD is not exec form"
    return parsed


def test_image_runs_as_an_unprivileged_user() -> None:
    user, _, group = _only("USER").arguments.partition(":")
    assert user not in ("", "0", "root")
    assert group not in ("0", "root")


def test_image_health_check_asks_the_control_plane() -> None:
    command = _healthcheck_command()
    assert command[0] == "python"
    assert "/_sandbox/health" in " ".join(command)


def test_image_keeps_its_store_in_the_volume_it_declares() -> None:
    volumes = json.loads(_only("VOLUME").arguments)
    assert volumes == [_environment()["SANDBOX_DATA_DIR"]]


def test_image_configures_only_real_settings_and_listens_on_every_interface() -> None:
    environment = _environment()
    sandbox_names = [name for name in environment if name.startswith("SANDBOX_")]
    assert sandbox_names
    unknown = [name for name in sandbox_names if name.removeprefix("SANDBOX_").lower() not in Settings.model_fields]
    assert unknown == []
    assert environment["SANDBOX_HOST"] == "0.0.0.0"
    assert _only("EXPOSE").arguments == environment["SANDBOX_PORT"]


def test_image_answers_the_loopback_names_and_the_name_ci_services_reach_it_by() -> None:
    """A published port is reached as localhost; a CI job's container reaches the service as
    `sandbox` (README, In CI). Any name would let a page rebind its own name to the container."""
    names = Settings(allowed_hosts=_environment()["SANDBOX_ALLOWED_HOSTS"]).allowed_hosts
    assert set(names) == {*LOOPBACK_HOSTS, "sandbox"}


def test_image_serves_with_the_command_line() -> None:
    assert json.loads(_only("CMD").arguments) == ["workplace-sandbox", "serve"]


def test_build_context_holds_what_the_dockerfile_copies() -> None:
    allowed = {line[1:] for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines() if line.startswith("!")}
    for instruction in _instructions():
        if instruction.keyword == "COPY" and not instruction.arguments.startswith("--from"):
            *sources, _ = instruction.arguments.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source in allowed, f"{source} is left out of the build context by .dockerignore"


def _stages() -> list[list[Instruction]]:
    """The Dockerfile's instructions by stage, each from its FROM on; the first list holds what
    comes before the first FROM (the global ARGs)."""
    stages: list[list[Instruction]] = [[]]
    for instruction in _instructions():
        if instruction.keyword == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return stages


def _declared(instructions: list[Instruction]) -> set[str]:
    return {instruction.arguments.partition("=")[0] for instruction in instructions if instruction.keyword == "ARG"}


def _commands(instructions: list[Instruction]) -> list[str]:
    """The shell commands of the RUN instructions, one by one."""
    runs = [instruction.arguments for instruction in instructions if instruction.keyword == "RUN"]
    return [command.strip() for run in runs for command in re.split(r"&&|\|\||;|\bthen\b|\bfi\b", run) if command.strip()]


def test_build_takes_a_private_index_and_an_extra_ca_in_the_build_stage_only() -> None:
    """pip reads PIP_* from the environment, where a RUN finds the stage's build arguments; the
    image that runs neither declares nor mentions them, so it keeps none of them."""
    global_arguments, *build_stages, runtime = _stages()
    build = [instruction for stage in build_stages for instruction in stage]
    assert _declared(build) >= {*PIP_BUILD_ARGUMENTS, "EXTRA_CA_CERT"}
    assert _declared(global_arguments) & {*PIP_BUILD_ARGUMENTS, "EXTRA_CA_CERT"} == set()
    runtime_text = " ".join(instruction.arguments for instruction in runtime)
    assert [name for name in (*PIP_BUILD_ARGUMENTS, "EXTRA_CA_CERT", "PIP_CERT") if name in runtime_text] == []

    first_pip = next(index for index, instruction in enumerate(build) if "/bin/pip " in instruction.arguments)
    assert _declared(build[:first_pip]) >= {*PIP_BUILD_ARGUMENTS, "EXTRA_CA_CERT"}
    commands = _commands(build)
    trusting = [index for index, command in enumerate(commands) if '"$EXTRA_CA_CERT" >>' in command]
    pointing = [index for index, command in enumerate(commands) if command.startswith("export PIP_CERT=")]
    installing = [index for index, command in enumerate(commands) if re.match(r"\S+/bin/pip (wheel|install) ", command)]
    assert trusting, "the build adds no EXTRA_CA_CERT to a bundle"
    assert pointing, "the build points pip at no bundle"
    assert installing, "the build runs no pip"
    assert trusting[0] < pointing[0] < installing[0]


def test_build_runs_the_pip_of_its_virtual_environment_not_the_base_image_one() -> None:
    *_, build, runtime = _stages()
    commands = _commands(build)
    created = [command.split()[-1] for command in commands if re.match(r"python3? -m venv \S+$", command)]
    assert len(created) == 1, "the build stage creates no virtual environment"
    (environment,) = created
    base_pip = [command for command in commands if re.match(r"(pip3?|python[\d.]* -m pip)\b", command)]
    assert base_pip == []
    ran = [command.split()[0] for command in commands if re.match(r"\S+/bin/pip ", command)]
    assert ran
    assert set(ran) == {f"{environment}/bin/pip"}
    copied = [instruction.arguments.split() for instruction in runtime if instruction.keyword == "COPY"]
    assert ["--from=build", environment, environment] in copied


def _docker_runs(text: str) -> list[list[str]]:
    """The `docker run` commands of a text (a README, the Dockerfile's comments), continued lines
    joined."""
    joined = re.sub(r"\\\n\s*#?", " ", text)
    return [shlex.split(line[line.index("docker run") :]) for line in joined.splitlines() if "docker run " in line]


def _published(command: list[str]) -> list[str]:
    return [value for flag, value in itertools.pairwise(command) if flag in ("-p", "--publish")] + [
        word.split("=", 1)[1] for word in command if word.startswith("--publish=")
    ]


@pytest.mark.parametrize("document", [ROOT / "README.md", DOCKERFILE], ids=lambda path: path.name)
def test_docker_run_examples_publish_on_loopback_alone(document: Path) -> None:
    """The control plane takes no credential: an example that published on every interface would
    hand the workplace to anyone on the network."""
    published = [port for command in _docker_runs(document.read_text(encoding="utf-8")) for port in _published(command)]
    assert published, f"{document.name} shows no docker run that publishes a port"
    assert [port for port in published if not port.startswith("127.0.0.1:")] == []


def _run_healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    _, *arguments = _healthcheck_command()
    return subprocess.run(
        [sys.executable, *arguments],
        env={**os.environ, "SANDBOX_PORT": str(port)},
        check=False,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_health_check_command_passes_against_a_serving_sandbox(tmp_path: Path) -> None:
    with serving("--data-dir", str(tmp_path)) as (base, _):
        result = _run_healthcheck(int(base.rsplit(":", 1)[1]))
    assert result.returncode == 0, result.stderr


def test_health_check_command_fails_when_nothing_listens() -> None:
    result = _run_healthcheck(_free_port())
    assert result.returncode != 0
    assert "refused" in result.stderr.lower()


# The image itself: building needs the network and takes minutes, so it runs only on request.

Docker = Callable[..., str]
IMAGE = "workplace-sandbox:test"
EVENT = {
    "title": "Kept in the volume",
    "start": {"date_time": "2031-07-07T14:00:00Z", "time_zone": "America/New_York"},
    "end": {"date_time": "2031-07-07T15:00:00Z", "time_zone": "America/New_York"},
}


@pytest.fixture
def docker() -> Docker:
    if os.environ.get("SANDBOX_TEST_DOCKER") != "1":
        pytest.skip("building the image needs a Docker daemon, the network and minutes: set SANDBOX_TEST_DOCKER=1 to run it")
    if shutil.which("docker") is None:
        pytest.skip("SANDBOX_TEST_DOCKER=1 but there is no docker command")
    probe = subprocess.run(
        ["docker", "info", "--format", "{{.ServerVersion}}"], check=False, capture_output=True, text=True, timeout=60
    )
    if probe.returncode != 0:
        pytest.skip(f"SANDBOX_TEST_DOCKER=1 but no Docker daemon answers: {probe.stderr.strip()}")

    def run(*arguments: str, timeout: float = 120) -> str:
        result = subprocess.run(["docker", *arguments], check=False, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"docker {' '.join(arguments)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout.strip()

    return run


@pytest.fixture
def volume(docker: Docker) -> Iterator[str]:
    name = f"workplace-sandbox-test-{uuid.uuid4().hex[:8]}"
    docker("volume", "create", name)
    yield name
    subprocess.run(["docker", "volume", "rm", "--force", name], check=False, capture_output=True, timeout=60)


@pytest.fixture
def containers(docker: Docker) -> Iterator[list[str]]:
    started: list[str] = []
    yield started
    for container in started:
        subprocess.run(["docker", "rm", "--force", container], check=False, capture_output=True, timeout=60)


def _wait_until_healthy(docker: Docker, container: str) -> None:
    deadline = time.monotonic() + 120
    while (status := docker("inspect", "--format", "{{.State.Health.Status}}", container)) != "healthy":
        assert status in ("starting", ""), f"{container} is {status}:\n{docker('logs', container)}"
        assert time.monotonic() < deadline, f"{container} did not become healthy:\n{docker('logs', container)}"
        time.sleep(1)


def test_image_runs_healthy_as_non_root_and_keeps_its_data_across_containers(
    docker: Docker,
    volume: str,
    containers: list[str],
) -> None:
    docker("build", "--tag", IMAGE, str(ROOT), timeout=1800)

    first_port = _free_port()
    first = docker("run", "--detach", "--publish", f"127.0.0.1:{first_port}:8000", "--volume", f"{volume}:/data", IMAGE)
    containers.append(first)
    _wait_until_healthy(docker, first)
    assert docker("exec", first, "id", "-u") != "0"
    created = httpx.post(f"http://127.0.0.1:{first_port}/v1.0/spaces/49/events", json=EVENT, headers=ADMIN, timeout=30)
    assert created.status_code == 201, created.text
    for host, status in (("localhost", 200), ("sandbox:8000", 200), ("evil.example", 400)):
        answer = httpx.get(f"http://127.0.0.1:{first_port}/_sandbox/health", headers={"Host": host}, timeout=30)
        assert answer.status_code == status, host
    event_id = created.json()["data"]["id"]
    docker("rm", "--force", first)

    second_port = _free_port()
    second = docker(
        "run",
        "--detach",
        "--publish",
        f"127.0.0.1:{second_port}:9000",
        "--volume",
        f"{volume}:/data",
        "--env",
        "SANDBOX_PORT=9000",
        "--env",
        "SANDBOX_LOG_LEVEL=warning",
        IMAGE,
    )
    containers.append(second)
    _wait_until_healthy(docker, second)
    found = httpx.get(f"http://127.0.0.1:{second_port}/v1.0/events/{event_id}", headers=ADMIN, timeout=30)
    assert found.status_code == 200
    assert found.json()["data"]["title"] == "Kept in the volume"
    assert "sandbox.db" in docker("exec", second, "ls", "/data")
