"""OpenAPI documents: the app's own (served at /openapi.json) and one per API (the two dialects
and the control plane), checked in under openapi/ and served at /openapi/{name}.json and /docs."""

import copy
import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sandbox import __version__, control, kadence, robin
from sandbox.control.guard import CONTROL_HEADER, READ_METHODS
from sandbox.routing import documented_routes

FASTAPI_VALIDATION_STATUS = "422"
CONTROL_PREFIX = "/_sandbox/"
CONTROL_TAG = "Sandbox control plane"
"""The tag every operation under CONTROL_PREFIX carries."""
CONTROL_TAG_DESCRIPTION = (
    "The sandbox's own endpoints, outside the vendor paths, for a test harness to drive and inspect it. "
    "The real Robin and Kadence APIs have none of them."
)
DOCUMENTS = {
    "robin": ("Robin API v1.0 (workplace-sandbox)", (robin.PREFIX + "/",), robin.__doc__ or ""),
    "kadence": ("Kadence Public API 1.2.0 (workplace-sandbox)", (kadence.PREFIX + "/", kadence.CONTEXTS_PATH, kadence.TOKEN_PATH), kadence.__doc__ or ""),
    "sandbox": ("workplace-sandbox control plane", (CONTROL_PREFIX,), control.__doc__ or ""),
}
"""Each checked-in document: its title, the path prefixes it covers, its description."""


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's document, as `app.openapi`: every dialect answers invalid requests with its
    own error body, never FastAPI's validation error, so FastAPI's 422 answers and their schemas
    are left out (a 422 a dialect documents itself names its own model). Its `tags` describe the
    control plane's tag."""
    if app.openapi_schema is None:
        document = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=documented_routes(app),
            tags=app.openapi_tags,
        )
        for path, path_item in document["paths"].items():
            for method, operation in path_item.items():
                responses = operation.get("responses", {})
                if "HTTPValidationError" in str(responses.get(FASTAPI_VALIDATION_STATUS, "")):
                    responses.pop(FASTAPI_VALIDATION_STATUS)
                _document_body_limit(operation)
                if path.startswith(CONTROL_PREFIX) and method.upper() not in READ_METHODS:
                    _document_control_write(operation)
        components = document.get("components", {})
        if "schemas" in components:
            components["schemas"] = _reachable_schemas(document["paths"], components["schemas"])
        document["tags"] = _with_control_tag(document.get("tags", []))
        app.openapi_schema = document
    return app.openapi_schema


def _document_body_limit(operation: dict[str, Any]) -> None:
    """An operation that reads a body may answer 413 or 408 (sandbox/limits.py), in the error body
    its API gives a malformed request."""
    responses = operation.get("responses", {})
    malformed = responses.get("400") or responses.get("422")
    if "requestBody" in operation and malformed is not None and "413" not in responses:
        responses["413"] = {**malformed, "description": "The request body is larger than the sandbox reads (SANDBOX_MAX_BODY_BYTES)"}
        responses["408"] = {**malformed, "description": "The request body did not arrive in time (SANDBOX_BODY_TIMEOUT)"}


def _document_control_write(operation: dict[str, Any]) -> None:
    """A write of the control plane is refused with 403 unless it has a JSON body or the control
    header, or when it comes from another origin (sandbox/control/guard.py)."""
    operation.setdefault("parameters", []).append({
        "name": CONTROL_HEADER, "in": "header", "required": False, "schema": {"type": "string"},
        "description": "Any value: lets a write without a JSON body through",
    })
    operation["responses"]["403"] = {
        "description": f"Neither a JSON body nor the {CONTROL_HEADER} header, or an Origin other than the server's: "
        "a request a web page could have sent",
    }


def documents(app: FastAPI | None = None) -> dict[str, dict[str, Any]]:
    """One document per API (the two dialects and the control plane), keyed by the file name it is
    written to."""
    if app is None:
        from sandbox.app import create_app
        from sandbox.settings import Settings
        from sandbox.store.engine import Store

        app = create_app(Settings(), store=Store("sqlite://"))
    full = app.openapi()
    result = {}
    for name, (title, prefixes, description) in DOCUMENTS.items():
        paths = copy.deepcopy({path: item for path, item in full["paths"].items() if path.startswith(prefixes)})
        document: dict[str, Any] = {
            "openapi": full["openapi"],
            "info": {"title": title, "version": __version__, "description": description.strip()},
            "paths": paths,
        }
        used = _operation_tags(paths)
        tags = [tag for tag in full.get("tags", []) if tag["name"] in used]
        if tags:
            document["tags"] = tags
        schemas = _reachable_schemas(paths, full.get("components", {}).get("schemas", {}))
        if schemas:
            document["components"] = {"schemas": schemas}
        result[name] = _plain_names(document)
    return result


def _with_control_tag(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(tag["name"] == CONTROL_TAG for tag in tags):
        return tags
    return [*tags, {"name": CONTROL_TAG, "description": CONTROL_TAG_DESCRIPTION}]


def _operation_tags(paths: dict[str, Any]) -> set[str]:
    return {
        tag for path_item in paths.values() for operation in path_item.values() if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }


def _plain_names(document: dict[str, Any]) -> dict[str, Any]:
    """Models of the same name in two dialects get module-qualified names in the app's document
    (`sandbox__kadence__schemas__Space`); in a dialect's own document they have their plain name."""
    schemas = document.get("components", {}).get("schemas", {})
    renames: dict[str, str] = {}
    for qualified in schemas:
        plain = qualified.rsplit("__", 1)[-1]
        if qualified.startswith("sandbox__") and plain not in schemas and plain not in renames.values():
            renames[qualified] = plain
    if not renames:
        return document
    text = json.dumps(document)
    for qualified, plain in renames.items():
        text = text.replace(f'"#/components/schemas/{qualified}"', f'"#/components/schemas/{plain}"')
    renamed: dict[str, Any] = json.loads(text)
    renamed["components"]["schemas"] = dict(sorted(
        (renames.get(key, key), value) for key, value in renamed["components"]["schemas"].items()
    ))
    return renamed


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
