"""The command line: `workplace-sandbox serve`, `workplace-sandbox openapi`."""

import argparse
import json
import sys
from pathlib import Path

from sandbox import __version__
from sandbox.settings import Settings

DEMO_TOKENS = (
    ("demo-robin-token", "an administrator of the demo organization"),
    ("demo-robin-member-token", "a plain member of the demo organization"),
)
DEMO_CLIENT = ("demo-client", "demo-secret", "acts for the administrator of the demo organization")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workplace-sandbox", description="A local sandbox of the Robin and Kadence APIs.")
    parser.add_argument("--version", action="version", version=f"workplace-sandbox {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the sandbox (creates and seeds the store on first start)")
    serve.add_argument("--host", help="interface to listen on [SANDBOX_HOST, default 127.0.0.1]")
    serve.add_argument("--port", type=int, help="port to listen on [SANDBOX_PORT, default 8000]")
    serve.add_argument("--data-dir", type=Path, help="where the SQLite store lives [SANDBOX_DATA_DIR, default .sandbox]")
    serve.add_argument("--database-url", help="SQLAlchemy URL of the store instead [SANDBOX_DATABASE_URL]")
    serve.add_argument("--fixture", type=Path, help="workplace loaded into a new store [SANDBOX_FIXTURE, default fixtures/demo.json]")
    serve.add_argument("--log-level", help="uvicorn log level [SANDBOX_LOG_LEVEL, default info]")

    openapi = commands.add_parser("openapi", help="write the OpenAPI documents of the app")
    openapi.add_argument("--out", type=Path, default=Path("openapi"), help="directory to write into")

    arguments = parser.parse_args(argv)
    if arguments.command == "serve":
        return _serve(arguments)
    return _write_openapi(arguments.out)


def _settings(arguments: argparse.Namespace) -> Settings:
    """Flags win over SANDBOX_* variables, which win over defaults."""
    given = {
        name: value for name, value in vars(arguments).items()
        if name in Settings.model_fields and value is not None
    }
    return Settings(**given)


def _serve(arguments: argparse.Namespace) -> int:
    import uvicorn

    from sandbox.app import create_app
    from sandbox.seeding.fixture import FixtureError
    from sandbox.store.engine import StoreVersionMismatch

    settings = _settings(arguments)
    try:
        app = create_app(settings)
    except (FixtureError, StoreVersionMismatch) as error:
        print(f"workplace-sandbox: {error}", file=sys.stderr)
        return 2
    base = f"http://{settings.host}:{settings.port}"
    print(_banner(base, settings), flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level)
    return 0


def _banner(base: str, settings: Settings) -> str:
    lines = [
        f"workplace-sandbox {__version__}",
        f"  store:        {settings.store_url()}",
        f"  Robin API:    {base}/v1.0",
        f"  Kadence API:  {base}/v1/public   (tokens: POST {base}/oauth2/token)",
        f"  health:       {base}/_sandbox/health",
        f"  API docs:     {base}/docs",
        "  demo credentials (Robin):",
    ]
    lines += [f"    Authorization: Access-Token {token}   ({who})" for token, who in DEMO_TOKENS]
    lines += [
        "  demo credentials (Kadence, OAuth2 client credentials):",
        f"    client_id={DEMO_CLIENT[0]} client_secret={DEMO_CLIENT[1]}   ({DEMO_CLIENT[2]})",
    ]
    return "\n".join(lines)


def _write_openapi(out: Path) -> int:
    from sandbox.openapi import documents

    out.mkdir(parents=True, exist_ok=True)
    for name, document in documents().items():
        (out / f"{name}.json").write_text(json.dumps(document, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        print(f"wrote {out / f'{name}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
