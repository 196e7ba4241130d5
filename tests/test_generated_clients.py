"""A client generated from each API's checked-in OpenAPI document by openapi-python-client, as a
user generates one, calls a served sandbox with the demo credentials the document's security
schemes ask for: Robin's access token, and a token from Kadence's token URL for its bearer
client. The generator runs in a process of its own; its packages are imported from a temporary
directory.

Kadence's JSON-LD items carry both `@id` and `id`, which the generator names alike, so it leaves
their models out (as it does from Kadence's own document): its function for the buildings hands
back the body unparsed, read here as JSON. The token it parses into its model."""

import importlib
import json
import pkgutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sandbox.settings import FIXTURES_DIR
from tests.conftest import ADMIN_TOKEN, DEMO_CLIENT
from tests.served import served_here

pytestmark = [pytest.mark.backend("sqlite"), pytest.mark.slow]

OPENAPI_DIR = FIXTURES_DIR.parent / "openapi"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_here(tmp_path_factory.mktemp("generated-clients")) as url:
        yield url


@pytest.fixture
def generate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Generates the client of an API's document into a package of its own and imports it; the
    packages are forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    packages: list[str] = []

    def generated(api: str) -> tuple[ModuleType, dict[str, Any]]:
        package = f"generated_{api}_client"
        document = OPENAPI_DIR / f"{api}.json"
        config = tmp_path / "config.json"
        # Without the formatting hooks, which look for ruff on PATH: the code is imported as generated.
        config.write_text(json.dumps({"post_hooks": []}), encoding="utf-8")
        options = ["--meta", "none", "--output-path", str(tmp_path / package), "--config", str(config)]
        ran = subprocess.run(
            [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(document), *options],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert ran.returncode == 0, ran.stdout + ran.stderr
        packages.append(package)
        return importlib.import_module(package), json.loads(document.read_text(encoding="utf-8"))

    yield generated
    for name in [name for name in sys.modules if name.split(".")[0] in packages]:
        del sys.modules[name]


def operation(client: ModuleType, document: dict[str, Any], method: str, path: str) -> ModuleType:
    """The generated module of an operation: named after its operationId, in its tag's package."""
    operation_id = document["paths"][path][method]["operationId"]
    found = list(Path(client.__path__[0]).glob(f"api/*/{operation_id}.py"))
    assert len(found) == 1, f"no module for {method.upper()} {path} ({operation_id})"
    return importlib.import_module(f"{client.__name__}.api.{found[0].parent.name}.{operation_id}")


def read(base: str, path: str, authorization: str) -> Any:
    """What the API answers, read without the generated client."""
    with urllib.request.urlopen(
        urllib.request.Request(base + path, headers={"Authorization": authorization}), timeout=30
    ) as answer:
        return json.loads(answer.read())


@pytest.mark.parametrize("api", ["robin", "kadence"])
def test_every_module_of_a_generated_client_imports(api: str, generate: Any) -> None:
    client, document = generate(api)
    modules = list(pkgutil.walk_packages(client.__path__, f"{client.__name__}."))

    for module in modules:
        importlib.import_module(module.name)
    operations = [module.name for module in modules if ".api." in module.name and not module.ispkg]
    assert len(operations) == sum(1 for item in document["paths"].values() for method in item if method in HTTP_METHODS)


def test_a_client_generated_from_the_robin_document_reads_the_person_of_the_demo_token(base: str, generate: Any) -> None:
    robin, document = generate("robin")

    with robin.AuthenticatedClient(base_url=base, token=ADMIN_TOKEN, prefix="Access-Token") as authenticated:
        response = operation(robin, document, "get", "/v1.0/me").sync_detailed(client=authenticated)

    assert response.status_code == 200
    me = read(base, "/v1.0/me", f"Access-Token {ADMIN_TOKEN}")["data"]
    assert response.parsed.data.id == me["id"]
    assert response.parsed.data.name == me["name"]
    assert response.parsed.data.primary_email.email == me["primary_email"]["email"]


def test_a_client_generated_from_the_kadence_document_gets_a_token_and_lists_the_buildings(base: str, generate: Any) -> None:
    kadence, document = generate("kadence")
    models = importlib.import_module(f"{kadence.__name__}.models")
    client_id, client_secret = DEMO_CLIENT
    token_request = models.TokenOauth2TokenPostBody(
        grant_type=models.TokenOauth2TokenPostBodyGrantType("client_credentials"),
        client_id=client_id,
        client_secret=client_secret,
        scope=models.TokenOauth2TokenPostBodyScope("public"),
    )

    with kadence.Client(base_url=base) as anonymous:
        issued = operation(kadence, document, "post", "/oauth2/token").sync_detailed(client=anonymous, body=token_request)

    assert issued.status_code == 200
    assert isinstance(issued.parsed, models.Token)
    assert issued.parsed.token_type == "Bearer"
    assert issued.parsed.expires_in == 3600

    with kadence.AuthenticatedClient(base_url=base, token=issued.parsed.access_token) as authenticated:
        response = operation(kadence, document, "get", "/v1/public/buildings").sync_detailed(client=authenticated)

    assert response.status_code == 200
    buildings = json.loads(response.content)
    expected = read(base, "/v1/public/buildings", f"Bearer {issued.parsed.access_token}")
    assert buildings["hydra:totalItems"] == expected["hydra:totalItems"] > 0
    assert [member["name"] for member in buildings["hydra:member"]] == [member["name"] for member in expected["hydra:member"]]
