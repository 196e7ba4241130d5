"""The one Settings object. Nothing else in the package reads the environment."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".sandbox")
    database_url: str | None = None
    """SQLAlchemy URL of the store; defaults to `sandbox.db` (SQLite, WAL) in `data_dir`."""
    fixture: Path = FIXTURES_DIR / "demo.json"
    """The workplace loaded into an empty store."""
    log_level: str = "info"
    export_delay_seconds: float = 5.0
    """How long, on the organization's clock, an analytics export takes to become ready."""
    export_worker: bool = True
    """Run the export worker in this process."""

    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'sandbox.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
