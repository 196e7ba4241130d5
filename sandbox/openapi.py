"""OpenAPI documents: the app's own (served at /openapi.json) and one per API (the two dialects
and the control plane), checked in under openapi/ and served at /openapi/{name}.json and /docs."""

import copy
import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from sandbox import __version__, control
from sandbox.control.guard import CONTROL_HEADER, READ_METHODS
from sandbox.dialects import DIALECTS
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
    **{dialect.name: (dialect.title, dialect.prefixes, dialect.description) for dialect in DIALECTS},
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
            title=app.title,
            version=app.version,
            description=app.description,
            routes=documented_routes(app),
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
        _document_links(document["paths"])
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
        responses["413"] = {
            **malformed,
            "description": "The request body is larger than the sandbox reads (SANDBOX_MAX_BODY_BYTES)",
        }
        responses["408"] = {**malformed, "description": "The request body did not arrive in time (SANDBOX_BODY_TIMEOUT)"}


def _document_control_write(operation: dict[str, Any]) -> None:
    """A write of the control plane is refused with 403 unless it has a JSON body or the control
    header, or when it comes from another origin (sandbox/control/guard.py)."""
    operation.setdefault("parameters", []).append(
        {
            "name": CONTROL_HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": "Any value: lets a write without a JSON body through",
        }
    )
    operation["responses"]["403"] = {
        "description": f"Neither a JSON body nor the {CONTROL_HEADER} header, or an Origin other than the server's: "
        "a request a web page could have sent",
    }


Operation = tuple[str, str]
"""An operation by its method and path, as the document lists it."""
EVENT = "/v1.0/events/{event_id}"
SEAT_RESERVATION = "/v1.0/reservations/seats/{reservation_id}"
BOOKING = "/v1/public/bookings/{booking_id}"
SNAPSHOT = "/_sandbox/snapshots/{name}"
CLOCK = "/_sandbox/organizations/{organization}/clock"
FAULT = "/_sandbox/faults/{rule_id}"

EVENT_STEPS: dict[str, Operation] = {
    "GetEvent": ("get", EVENT),
    "ChangeEvent": ("patch", EVENT),
    "CancelEvent": ("delete", EVENT),
    "GetConfirmation": ("get", f"{EVENT}/confirmation"),
    "ConfirmEvent": ("put", f"{EVENT}/confirmation"),
    "WithdrawConfirmation": ("delete", f"{EVENT}/confirmation"),
}
SEAT_RESERVATION_STEPS: dict[str, Operation] = {
    "GetSeatReservation": ("get", SEAT_RESERVATION),
    "CancelSeatReservation": ("delete", SEAT_RESERVATION),
    "ConfirmSeatReservation": ("put", f"{SEAT_RESERVATION}/confirmation"),
}
BOOKING_STEPS: dict[str, Operation] = {
    "GetBooking": ("get", BOOKING),
    "CancelBooking": ("post", f"{BOOKING}/cancel"),
    "CheckIn": ("post", f"{BOOKING}/check-in"),
    "CheckOut": ("post", f"{BOOKING}/check-out"),
}
SNAPSHOT_STEPS: dict[str, Operation] = {
    "GetSnapshot": ("get", SNAPSHOT),
    "RestoreSnapshot": ("post", f"{SNAPSHOT}/restore"),
    "DeleteSnapshot": ("delete", SNAPSHOT),
}
CLOCK_STEPS: dict[str, Operation] = {
    "ReadClock": ("get", CLOCK),
    "FreezeClock": ("post", f"{CLOCK}/freeze"),
    "SetClock": ("post", f"{CLOCK}/set"),
    "AdvanceClock": ("post", f"{CLOCK}/advance"),
    "ResumeClock": ("post", f"{CLOCK}/resume"),
}
FAULT_STEPS: dict[str, Operation] = {"GetFault": ("get", FAULT), "DeleteFault": ("delete", FAULT)}


def _steps(steps: dict[str, Operation], parameter: str, value: str, *names: str) -> dict[str, tuple[Operation, dict[str, str]]]:
    """Links to `steps` (those of `names`, or all), each filling `parameter` with the runtime
    expression `value`."""
    return {name: (steps[name], {parameter: value}) for name in names or steps}


LINKS: dict[tuple[str, str, str], dict[str, tuple[Operation, dict[str, str]]]] = {
    # Robin: an event from its creation, reading, change or confirmation on; a seat reservation; an export.
    ("post", "/v1.0/spaces/{space_id}/events", "201"): _steps(EVENT_STEPS, "event_id", "$response.body#/data/id"),
    ("post", "/v1.0/events", "201"): _steps(EVENT_STEPS, "event_id", "$response.body#/data/id"),
    ("get", "/v1.0/spaces/{space_id}/events", "200"): _steps(EVENT_STEPS, "event_id", "$response.body#/data/0/id", "GetEvent"),
    ("get", EVENT, "200"): _steps(EVENT_STEPS, "event_id", "$request.path.event_id"),
    ("patch", EVENT, "200"): _steps(EVENT_STEPS, "event_id", "$request.path.event_id", "GetEvent", "CancelEvent"),
    ("delete", EVENT, "200"): _steps(EVENT_STEPS, "event_id", "$request.path.event_id", "GetEvent", "ChangeEvent"),
    ("put", f"{EVENT}/confirmation", "200"): _steps(
        EVENT_STEPS,
        "event_id",
        "$request.path.event_id",
        "GetConfirmation",
        "WithdrawConfirmation",
        "CancelEvent",
    ),
    ("post", "/v1.0/seats/{seat_id}/reservations", "200"): _steps(
        SEAT_RESERVATION_STEPS,
        "reservation_id",
        "$response.body#/data/id",
    ),
    ("get", SEAT_RESERVATION, "200"): _steps(
        SEAT_RESERVATION_STEPS,
        "reservation_id",
        "$request.path.reservation_id",
        "CancelSeatReservation",
        "ConfirmSeatReservation",
    ),
    ("put", f"{SEAT_RESERVATION}/confirmation", "200"): _steps(
        SEAT_RESERVATION_STEPS,
        "reservation_id",
        "$request.path.reservation_id",
        "GetSeatReservation",
        "CancelSeatReservation",
    ),
    ("post", "/v1.0/insights/exports/organizations/{organization_id}/spaces", "202"): {
        "GetExport": (("get", "/v1.0/insights/exports/{export_id}"), {"export_id": "$response.body#/data/export_id"}),
    },
    ("post", "/v1.0/insights/exports/organizations/{organization_id}/desks", "202"): {
        "GetExport": (("get", "/v1.0/insights/exports/{export_id}"), {"export_id": "$response.body#/data/export_id"}),
    },
    # Kadence: a booking from its creation or reading on, through check-in and check-out or cancellation.
    ("post", "/v1/public/bookings", "201"): _steps(BOOKING_STEPS, "booking_id", "$response.body#/id"),
    ("get", "/v1/public/bookings", "200"): _steps(BOOKING_STEPS, "booking_id", "$response.body#/hydra:member/0/id", "GetBooking"),
    ("get", BOOKING, "200"): _steps(BOOKING_STEPS, "booking_id", "$request.path.booking_id", "CancelBooking", "CheckIn"),
    ("post", f"{BOOKING}/check-in", "201"): _steps(
        BOOKING_STEPS, "booking_id", "$request.path.booking_id", "GetBooking", "CheckOut"
    ),
    ("post", f"{BOOKING}/check-out", "201"): _steps(BOOKING_STEPS, "booking_id", "$request.path.booking_id", "GetBooking"),
    ("post", f"{BOOKING}/cancel", "201"): _steps(BOOKING_STEPS, "booking_id", "$request.path.booking_id", "GetBooking"),
    ("patch", "/v1/public/users/{user_id}", "200"): {
        "GetUser": (("get", "/v1/public/users/{user_id}"), {"user_id": "$request.path.user_id"}),
    },
    # The control plane: snapshots, fault rules and clocks from their creation or listing on.
    ("post", "/_sandbox/snapshots", "201"): _steps(SNAPSHOT_STEPS, "name", "$response.body#/name"),
    ("get", SNAPSHOT, "200"): _steps(SNAPSHOT_STEPS, "name", "$request.path.name", "RestoreSnapshot", "DeleteSnapshot"),
    ("post", f"{SNAPSHOT}/restore", "200"): _steps(SNAPSHOT_STEPS, "name", "$request.path.name", "GetSnapshot", "DeleteSnapshot"),
    ("post", "/_sandbox/faults", "201"): _steps(FAULT_STEPS, "rule_id", "$response.body#/id"),
    ("get", FAULT, "200"): _steps(FAULT_STEPS, "rule_id", "$request.path.rule_id", "DeleteFault"),
    ("get", "/_sandbox/organizations", "200"): _steps(CLOCK_STEPS, "organization", "$response.body#/0/slug"),
    ("post", f"{CLOCK}/freeze", "200"): _steps(
        CLOCK_STEPS, "organization", "$request.path.organization", "ReadClock", "AdvanceClock", "ResumeClock"
    ),
    ("get", "/_sandbox/journal", "200"): {
        "GetJournalEntry": (("get", "/_sandbox/journal/{entry_id}"), {"entry_id": "$response.body#/entries/0/id"}),
    },
    ("get", "/_sandbox/exports", "200"): {
        "DownloadExport": (("get", "/_sandbox/exports/{export_id}/download"), {"export_id": "$response.body#/0/id"}),
    },
}
"""The documents' links (OpenAPI `links`): where an answer's values lead next, from a booking's
creation to its reading, change, check-in and cancellation. A client reads them as documentation;
schemathesis' stateful phase (tests/test_fuzz.py) follows them."""


def _document_links(paths: dict[str, Any]) -> None:
    """Each response of LINKS gets its links, naming the operations they lead to by operationId."""
    for (method, path, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: {"operationId": paths[target_path][target_method]["operationId"], "parameters": parameters}
            for name, ((target_method, target_path), parameters) in links.items()
        }


def documents(app: FastAPI) -> dict[str, dict[str, Any]]:
    """One document per API (the two dialects and the control plane) of `app`, keyed by the file
    name it is written to."""
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
        components = {
            "schemas": _reachable_schemas(paths, full.get("components", {}).get("schemas", {})),
            "securitySchemes": _required_schemes(paths, full.get("components", {}).get("securitySchemes", {})),
        }
        if any(components.values()):
            document["components"] = {kind: declared for kind, declared in components.items() if declared}
        result[name] = _plain_names(document)
    return result


def _with_control_tag(tags: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if any(tag["name"] == CONTROL_TAG for tag in tags):
        return tags
    return [*tags, {"name": CONTROL_TAG, "description": CONTROL_TAG_DESCRIPTION}]


def _operation_tags(paths: dict[str, Any]) -> set[str]:
    return {
        tag
        for path_item in paths.values()
        for operation in path_item.values()
        if isinstance(operation, dict)
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
    renamed["components"]["schemas"] = dict(
        sorted((renames.get(key, key), value) for key, value in renamed["components"]["schemas"].items())
    )
    return renamed


def _required_schemes(paths: dict[str, Any], schemes: dict[str, Any]) -> dict[str, Any]:
    """The security schemes `paths`' operations name: each API's own (its token, and Robin's
    sign-in credentials), for Swagger UI's Authorize and for generated clients."""
    named = {
        name
        for path_item in paths.values()
        for operation in path_item.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security", [])
        for name in requirement
    }
    return {name: scheme for name, scheme in schemes.items() if name in named}


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
