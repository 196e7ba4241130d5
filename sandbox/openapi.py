"""The OpenAPI documents checked in under openapi/, generated from the app itself."""

import copy
from typing import Any

from sandbox import __version__, robin
from sandbox.app import create_app
from sandbox.settings import Settings
from sandbox.store.engine import Store

DIALECTS = {"robin": ("Robin API v1.0 (workplace-sandbox)", robin.PREFIX, robin.__doc__ or "")}


def documents() -> dict[str, dict[str, Any]]:
    """One document per API dialect, keyed by the file name it is written to."""
    full = create_app(Settings(), store=Store("sqlite://")).openapi()
    result = {}
    for name, (title, prefix, description) in DIALECTS.items():
        paths = {path: item for path, item in full["paths"].items() if path.startswith(prefix + "/")}
        document: dict[str, Any] = {
            "openapi": full["openapi"],
            "info": {"title": title, "version": __version__, "description": description.strip()},
            "paths": copy.deepcopy(paths),
        }
        schemas = _reachable_schemas(paths, full.get("components", {}).get("schemas", {}))
        if schemas:
            document["components"] = {"schemas": schemas}
        result[name] = document
    return result


def _reachable_schemas(root: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
                name = reference.rsplit("/", 1)[1]
                if name not in found and name in schemas:
                    found[name] = schemas[name]
                    pending.append(schemas[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return dict(sorted(found.items()))
