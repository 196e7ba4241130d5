"""The one Settings object. Nothing else in the package reads the environment."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from sandbox.store import POOL, WAIT_S

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
"""The repository's fixtures directory, which links to the files below; an installed package has
none, so the package itself names only the files it ships."""
SEEDING_DIR = Path(__file__).resolve().parent / "seeding"
DEMO_FIXTURE = SEEDING_DIR / "demo.json"
"""The demo workplace, shipped inside the package (fixtures/demo.json links to it)."""
EXAMPLE_FIXTURE = SEEDING_DIR / "example-office.json"
"""A small office to copy and change, shipped inside the package (fixtures/example-office.json
links to it)."""
FIXTURE_GUIDE = SEEDING_DIR / "README.md"
"""The fixture format, documented; shipped inside the package so that `--help` can name it
wherever the package is installed (fixtures/README.md links to it)."""
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
"""The Host names answered unless the settings name others."""
EVERY_INTERFACE = ("0.0.0.0", "::", "")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    """The TCP port to listen on. Not 0 (any free port the system picks): the banner, the public
    base URL and every absolute URL the sandbox writes name the port, and would name one that
    nobody listens on."""
    public_url: str | None = None
    """The URL clients reach the sandbox at (behind a port mapping or a proxy, not the address it
    listens on): every absolute URL the sandbox writes starts with it (see `public_base_url`)."""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(LOOPBACK_HOSTS))
    """The names a request's Host header may give (any port): a page whose own name was made to
    resolve to this machine (DNS rebinding) is answered 400. `*.example.com` names its
    subdomains, `*` any name. From the environment: comma-separated."""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    """The origins whose pages may call the vendor APIs and read the floor plans from a browser
    (CORS): `*` any, or a list such as `http://localhost:3000`; none turns CORS off. The control
    plane answers no page of another origin whatever it says. From the environment:
    comma-separated, empty for none."""
    data_dir: Path = Path(".sandbox")
    database_url: str | None = None
    """SQLAlchemy URL of the store; defaults to `sandbox.db` (SQLite, WAL) in `data_dir`."""
    fixture: Path | None = None
    """A fixture file loaded into an empty store instead of a preset."""
    preset: Literal["small", "demo", "large"] = "demo"
    """What an empty store is seeded with when no fixture is given: `demo` is fixtures/demo.json,
    `small` and `large` are generated from `seed`."""
    seed: int | None = None
    """Seed of the generated presets, and of the seeded ULIDs of any preset or fixture."""
    journal_size: int = Field(default=1000, ge=1, le=100_000)
    """How many requests the request journal keeps."""
    max_body_bytes: int = Field(default=10_485_760, ge=1024, le=1_073_741_824)
    """The largest request body the server reads (10 MiB: room for Kadence's 5 MiB photos);
    a larger one is refused with 413."""
    header_timeout: float = Field(default=10.0, gt=0, le=3600)
    """Seconds a connection has to send a request's headers, from when it opens or its last answer
    went out; then it is closed."""
    body_timeout: float = Field(default=30.0, gt=0, le=3600)
    """Seconds a request's body has to arrive, from when the server first reads it; then the
    request is answered 408 and its connection closed."""
    max_connections: int = Field(default=1000, ge=1, le=1_000_000)
    """Connections a server process keeps open; a request past them is answered 503 and its
    connection closed. Keep it below the process's file limit (`ulimit -n`)."""
    workers: int = Field(default=1, ge=1, le=64)
    """Server processes on the one store (SQLite file or PostgreSQL)."""
    database_pool: int = Field(default=POOL, ge=1, le=1000)
    """The most connections each server process holds to a PostgreSQL store for its requests; it
    holds one more, which watches the store for changes. A request that finds them all busy waits
    for one (up to `store_wait`, then it is answered 503). With several workers the server holds
    up to `workers` times this and one: keep that below the PostgreSQL server's `max_connections`
    (100 by default), with room for its other clients. A SQLite store ignores it: there each
    request thread has a connection of its own."""
    store_wait: float = Field(default=WAIT_S, gt=0, le=3600)
    """Seconds a request waits for a busy store: for a connection of the pool (PostgreSQL), or for
    the writes under way to end (the writer on SQLite, a lock they hold on PostgreSQL). Then it is
    answered 503 with Retry-After, and writes nothing."""
    log_level: Literal["critical", "error", "warning", "info", "debug", "trace"] = "info"
    """uvicorn's log level, in any case (`INFO` is `info`)."""
    log_format: Literal["text", "json"] = "text"
    """How the server's log is written: lines of text, or one JSON object a line (for a log
    collector). Either way the access log has one record a request, the health checks left out."""
    export_delay_seconds: float = 5.0
    """How long, on the organization's clock, an analytics export takes to become ready."""
    export_worker: bool = True
    """Run the export worker in this process."""
    robin_password: str = Field(default="sandbox", min_length=1)
    """The password every person signs in to the Robin API with (`POST /auth/users`, HTTP Basic
    with their email)."""

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> object:
        names = value.split(",") if isinstance(value, str) else value
        if not isinstance(names, list | tuple):
            return value
        cleaned = [str(name).strip().lower() for name in names if str(name).strip()]
        for name in cleaned:
            if "*" in name[1:] or (name.startswith("*") and name != "*" and not name.startswith("*.")):
                raise ValueError(f"{name!r}: a wildcard stands only for subdomains, as in *.example.com")
        return cleaned

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        origins = value.split(",") if isinstance(value, str) else value
        if not isinstance(origins, list | tuple):
            return value
        cleaned = [str(origin).strip().rstrip("/") for origin in origins if str(origin).strip()]
        for origin in cleaned:
            parts = urlsplit(origin)
            if origin != "*" and (not parts.scheme or not parts.netloc or parts.path or parts.query or parts.fragment):
                raise ValueError(f"{origin!r}: an origin is a scheme and a host, with a port or not, as http://localhost:3000")
        return cleaned

    @field_validator("log_level", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{value!r}: an http or https URL without a query, as http://localhost:8000")
        return value.strip().rstrip("/")

    def public_base_url(self) -> str:
        """Where clients reach the sandbox, without a trailing slash: `public_url`, else the
        address it listens on, through loopback (127.0.0.1, or [::1] for IPv6) when that is every
        interface, as the Docker image listens. Redirects, floor plans and the API
        documentation's links are written from it, never from the Host a request names (a page
        that made its own name resolve here could send any)."""
        if self.public_url:
            return self.public_url
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def answered_hosts(self) -> list[str]:
        """`allowed_hosts`, and the address the server listens on when it is one interface's:
        clients there send it as Host, and no page can (rebinding gives a page's own name)."""
        names = list(self.allowed_hosts)
        if self.host not in EVERY_INTERFACE:
            listening = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
            if listening.lower() not in names:
                names.append(listening.lower())
        return names

    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sandbox.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
