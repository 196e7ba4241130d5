"""What both dialects' OpenAPI models share of how a field is documented."""

from typing import Any

from pydantic import Field
from pydantic.config import JsonDict


def without_default(schema: JsonDict) -> None:
    """Documents the field without its default (a value left out has none to show)."""
    schema.pop("default", None)


def omissible(description: str) -> Any:
    """A field an answer leaves out when it has no value (Kadence types it as never null; Robin
    shows it only when asked for): not required, and documented without a default."""
    return Field(default=None, description=description, json_schema_extra=without_default)
