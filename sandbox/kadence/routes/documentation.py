"""The Hydra API documentation every `@context`'s `@vocab` and every answer's `Link` header name,
as API Platform's documentation normalizer writes it, built from what the routes declare: each
resource's fields from its wire shape, its operations from the routes that answer with it."""

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from sandbox.kadence import hydra, schemas
from sandbox.kadence.routes import API_ROUTES
from sandbox.kadence.routes.contexts import CONTEXTS
from sandbox.routing import DeclaredRoute, declaring

router = declaring(tags=["Kadence: API documentation"], default_response_class=hydra.LdJsonResponse)

TITLE = "Kadence Public API"
ENTRYPOINT = "/v1/"
"""Where API Platform puts the entrypoint of an API whose routes it prefixes with /v1."""
RESOURCES = tuple(name for name in CONTEXTS if name not in ("Error", "ConstraintViolationList"))
"""The resource classes; API Platform describes its error classes itself (`_error_classes`)."""
EMBEDDED_AS = {"FloorReference": "Floor", "BuildingReference": "Building", "PreferredFloor": "Floor", "Attendee": "Visitor"}
"""The resource each embedded shape shows."""
TIMESTAMP_PATTERN = schemas.Booking.model_json_schema()["properties"]["startDate"]["pattern"]
SCALARS = {"string": "xmls:string", "integer": "xmls:integer", "number": "xmls:decimal", "boolean": "xmls:boolean"}


@router.get(
    hydra.DOCS_PATH,
    summary="The Hydra API documentation each @context's @vocab names (no token needed)",
    responses={
        200: {"description": "OK"},
        400: {"model": schemas.Error, "description": "A NUL character in the query"},
        406: {"model": schemas.Error, "description": "The client does not accept application/ld+json"},
    },
)
def get_documentation(request: Request) -> Response:
    hydra.negotiate(request, (hydra.JSON_LD_TYPE,))
    return hydra.respond(request, api_documentation(hydra.base_url(request)))


@lru_cache(maxsize=8)
def api_documentation(base_url: str) -> dict[str, Any]:
    """The documentation, its `@vocab` under `base_url`."""
    operations = list(_operations(API_ROUTES))
    classes = [
        _resource_class(name, [operation for kind, many, operation in operations if kind == name and not many])
        for name in RESOURCES
    ]
    entrypoint = [
        _entrypoint_property(name, [operation for kind, many, operation in operations if kind == name and many])
        for name in RESOURCES
        if any(kind == name and many for kind, many, _ in operations)
    ]
    return {
        "@context": {
            "@vocab": f"{base_url}{hydra.DOCS_PATH}#",
            "hydra": hydra.HYDRA,
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "xmls": "http://www.w3.org/2001/XMLSchema#",
            "owl": "http://www.w3.org/2002/07/owl#",
            "schema": "https://schema.org/",
            "domain": {"@id": "rdfs:domain", "@type": "@id"},
            "range": {"@id": "rdfs:range", "@type": "@id"},
            "subClassOf": {"@id": "rdfs:subClassOf", "@type": "@id"},
            "expects": {"@id": "hydra:expects", "@type": "@id"},
            "returns": {"@id": "hydra:returns", "@type": "@id"},
        },
        "@id": hydra.DOCS_PATH,
        "@type": "hydra:ApiDocumentation",
        "hydra:title": TITLE,
        "hydra:entrypoint": ENTRYPOINT,
        "hydra:supportedClass": [*classes, *_error_classes(entrypoint)],
    }


def _operations(modules: Iterable[Any]) -> Iterator[tuple[str, bool, dict[str, Any]]]:
    """(resource, whether the operation is the collection's or a POST, its Hydra description) of
    each route answering with a resource; API Platform lists the collection's operations and
    every POST on the entrypoint, the others on the resource's class."""
    for module in modules:
        for route in module.router.routes:
            assert isinstance(route, DeclaredRoute)
            success = next((answer["model"] for status, answer in route.responses.items() if status in (200, 201)), None)
            found = _resource_of(success)
            if found is None:
                continue
            name, collection = found
            for method in sorted(route.methods):
                yield name, collection or method == "POST", _operation(name, method, collection)


def _resource_of(model: Any) -> tuple[str, bool] | None:
    """The resource a route's success model shows, and whether as a collection."""
    if isinstance(model, type) and issubclass(model, schemas.Collection):
        (member,) = model.__pydantic_generic_metadata__["args"]
        return next(((name, True) for name in RESOURCES if CONTEXTS[name] is member), None)
    return next(((name, False) for name in RESOURCES if isinstance(model, type) and issubclass(model, CONTEXTS[name])), None)


def _operation(name: str, method: str, collection: bool) -> dict[str, Any]:
    own = f"#{name}"
    if method == "GET":
        title = f"Retrieves the collection of {name} resources." if collection else f"Retrieves a {name} resource."
        described = {"@type": ["hydra:Operation", "schema:FindAction"], "returns": "hydra:Collection" if collection else own}
    elif method == "POST":
        title = f"Creates a {name} resource."
        described = {"@type": ["hydra:Operation", "schema:CreateAction"], "returns": own, "expects": own}
    else:
        title = f"Updates the {name} resource."
        described = {"@type": "hydra:Operation", "returns": own, "expects": own}
    return dict(sorted({**described, "hydra:title": title, "hydra:method": method, "rdfs:label": title}.items()))


def _resource_class(name: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    model = CONTEXTS[name]
    shape = model.model_json_schema(by_alias=True)
    properties = [
        _property(name, field, description, shape["properties"][field])
        for field, description in ((info.alias or key, info.description) for key, info in model.model_fields.items())
        if not field.startswith(("@", "hydra:"))
    ]
    return {
        "@id": f"#{name}",
        "@type": "hydra:Class",
        "rdfs:label": name,
        "hydra:title": name,
        "hydra:supportedProperty": properties,
        "hydra:supportedOperation": operations,
    }


def _property(owner: str, field: str, description: str | None, schema: dict[str, Any]) -> dict[str, Any]:
    kind = _range(schema)
    described: dict[str, Any] = {"@id": f"#{owner}/{field}", "@type": "rdf:Property", "rdfs:label": field, "domain": f"#{owner}"}
    if kind is not None and kind.startswith("#") and schema.get("type") != "array":
        described["owl:maxCardinality"] = 1
    if kind is not None:
        described["range"] = kind
    supported = {
        "@type": "hydra:SupportedProperty",
        "hydra:property": described,
        "hydra:title": field,
        "hydra:required": False,
        "hydra:readable": True,
        "hydra:writeable": False,
    }
    return supported if description is None else {**supported, "hydra:description": description}


def _range(schema: dict[str, Any]) -> str | None:
    """The range API Platform gives a property of this JSON schema: an XML Schema type, or the
    resource it embeds; of a list, its members'."""
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            shape = option["$ref"].rsplit("/", 1)[-1]
            return f"#{EMBEDDED_AS.get(shape, shape)}"
        if option.get("type") == "array":
            return _range(option.get("items", {}))
        if option.get("type") == "string" and option.get("pattern") == TIMESTAMP_PATTERN:
            return "xmls:dateTime"
        if option.get("type") in SCALARS:
            return SCALARS[option["type"]]
    return None


def _entrypoint_property(name: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
    label = f"The collection of {name} resources"
    return {
        "@type": "hydra:SupportedProperty",
        "hydra:property": {
            "@id": f"#Entrypoint/{name[0].lower()}{name[1:]}",
            "@type": "hydra:Link",
            "domain": "#Entrypoint",
            "rdfs:label": label,
            "rdfs:range": [
                {"@id": "hydra:Collection"},
                {"owl:equivalentClass": {"owl:onProperty": {"@id": "hydra:member"}, "owl:allValuesFrom": {"@id": f"#{name}"}}},
            ],
            "hydra:supportedOperation": operations,
        },
        "hydra:title": label,
        "hydra:readable": True,
        "hydra:writeable": False,
    }


def _error_classes(entrypoint: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entrypoint's class, and the constraint violations API Platform describes beside the resources."""

    def read_only(owner: str, field: str, description: str, kind: str) -> dict[str, Any]:
        return {
            "@type": "hydra:SupportedProperty",
            "hydra:property": {
                "@id": f"#{owner}/{field}",
                "@type": "rdf:Property",
                "rdfs:label": field,
                "domain": f"#{owner}",
                "range": kind,
            },
            "hydra:title": field,
            "hydra:description": description,
            "hydra:readable": True,
            "hydra:writeable": False,
        }

    return [
        {
            "@id": "#Entrypoint",
            "@type": "hydra:Class",
            "hydra:title": "The API entrypoint",
            "hydra:supportedProperty": entrypoint,
            "hydra:supportedOperation": {
                "@type": "hydra:Operation",
                "hydra:method": "GET",
                "rdfs:label": "The API entrypoint.",
                "returns": "#EntryPoint",
            },
        },
        {
            "@id": "#ConstraintViolation",
            "@type": "hydra:Class",
            "hydra:title": "A constraint violation",
            "hydra:supportedProperty": [
                read_only("ConstraintViolation", "propertyPath", "The property path of the violation", "xmls:string"),
                read_only("ConstraintViolation", "message", "The message associated with the violation", "xmls:string"),
            ],
        },
        {
            "@id": "#ConstraintViolationList",
            "@type": "hydra:Class",
            "subClassOf": "hydra:Error",
            "hydra:title": "A constraint violation list",
            "hydra:supportedProperty": [
                read_only("ConstraintViolationList", "violations", "The violations", "#ConstraintViolation"),
            ],
        },
    ]
