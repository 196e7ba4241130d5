"""OpenAPI documents: the app's own (served at /openapi.json and /docs) and one per dialect,
checked in under openapi/."""

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sandbox import __version__, robin

FASTAPI_VALIDATION_STATUS = "422"
DIALECTS = {"robin": ("Robin API v1.0 (workplace-sandbox)", robin.PREFIX, robin.__doc__ or "")}


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's document, as `app.openapi`: every dialect answers invalid requests with its
    own 400, never FastAPI's 422, so those answers and their schemas are left out."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes,
            tags=app.openapi_tags,
        )
        for path_item in document["paths"].values():
            for operation in path_item.values():
                operation.get("responses", {}).pop(FASTAPI_VALIDATION_STATUS, None)
        components = document.get("components", {})
        if "schemas" in components:
            components["schemas"] = _reachable_schemas(document["paths"], components["schemas"])
        app.openapi_schema = document
    return app.openapi_schema


def documents(app: FastAPI | None = None) -> dict[str, dict[str, Any]]:
    """One document per API dialect, keyed by the file name it is written to."""
    if app is None:
        from sandbox.app import create_app
        from sandbox.settings import Settings
        from sandbox.store.engine import Store

        app = create_app(Settings(), store=Store("sqlite://"))
    full = app.openapi()
    result = {}
    for name, (title, prefix, description) in DIALECTS.items():
        paths = copy.deepcopy({path: item for path, item in full["paths"].items() if path.startswith(prefix + "/")})
        document: dict[str, Any] = {
            "openapi": full["openapi"],
            "info": {"title": title, "version": __version__, "description": description.strip()},
            "paths": paths,
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
