"""Kadence's wire format: JSON-LD with Hydra collections, as API Platform 3 shapes it, and its
error bodies. CSV when the client asks for nothing else."""

import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException

from sandbox.core.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from sandbox.core.lifecycle import TransitionRefused
from sandbox.core.paging import Counted
from sandbox.kadence import words
from sandbox.routing import UnreadableQuery, allowed_methods, under
from sandbox.store.engine import BUSY, RETRY_SOON, why_busy

log = logging.getLogger(__name__)
Row = TypeVar("Row")
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])

PREFIX = "/v1/public"
CONTEXTS_PATH = "/v1/contexts/"
"""Where each `@context` IRI resolves to its JSON-LD context."""
DOCS_PATH = "/v1/docs.jsonld"
"""The Hydra API documentation: API Platform's `/docs.jsonld` under the API's /v1."""
HYDRA = "http://www.w3.org/ns/hydra/core#"
API_PLATFORM_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "deny"}
"""What API Platform sends with every answer, an error's too."""
JSON_LD = "application/ld+json; charset=utf-8"
NOT_BLANK = "c1051bb4-d103-4f74-8988-acbcafc7fdc3"
"""Symfony's code for a value that should not be blank."""
INVALID = "ba785a8c-82cb-4283-967c-3cf342181b40"
"""The code the sandbox gives every other violation."""


class BadRequest(DomainError):
    """A request the API can't read (a malformed date, a bad page number): 400."""


class NotAcceptable(DomainError):
    """The client accepts nothing the API can answer with: 406."""


class LdJsonResponse(JSONResponse):
    """The media type the Kadence routes answer with, for the OpenAPI document (the routes
    build their responses with `respond`)."""

    media_type = "application/ld+json"


def timestamp(moment: datetime | None) -> str | None:
    """2017-07-21T17:32:28+00:00"""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="seconds")


def iri(collection: str, ulid: str | None) -> str | None:
    return None if ulid is None else f"{PREFIX}/{collection}/{ulid}"


class UnsupportedMediaType(DomainError):
    """A request body in a format the operation does not read: 415."""


BODY_FORMATS = {"POST": ("application/ld+json", "application/json"), "PATCH": ("application/merge-patch+json",)}
"""The media types an operation reads its body in, by method, as API Platform is configured for
the API: its input formats for POST, its patch formats for PATCH. Every POST and PATCH is read,
with or without a body."""
_BODY_FORMATS = "kadence_body_formats"


def reads_body_as(*media_types: str) -> Callable[[Endpoint], Endpoint]:
    """Declares, on a route, the media types its body is read in when they are not its method's
    (BODY_FORMATS): the profile picture upload reads multipart/form-data."""

    def declare(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _BODY_FORMATS, media_types)
        return endpoint

    return declare


def body_formats(request: Request) -> tuple[str, ...]:
    """The media types the called operation reads its body in; none for the methods that send none."""
    declared: tuple[str, ...] | None = getattr(request.scope.get("endpoint"), _BODY_FORMATS, None)
    return declared or BODY_FORMATS.get(request.method, ())


def unreadable_body_format(request: Request) -> UnsupportedMediaType | None:
    """Why the operation can't read the body in the format its Content-Type names (415), as API
    Platform refuses one: the header must be there, and name one of the operation's media types,
    alone or with parameters, as written (API Platform compares them case for case)."""
    formats = body_formats(request)
    if not formats:
        return None
    given = request.headers.get("content-type", "")
    if not given:
        return UnsupportedMediaType('The "Content-Type" header must exist.')
    if given in formats or given.split(";")[0].strip() in formats:
        return None
    supported = '", "'.join(formats)
    return UnsupportedMediaType(f'The content-type "{given}" is not supported. Supported MIME types are "{supported}".')


def refuse_unreadable_body_format(request: Request) -> None:
    refusal = unreadable_body_format(request)
    if refusal is not None:
        raise refusal


JSON_LD_TYPE = "application/ld+json"
CSV_TYPE = "text/csv"
OFFERED = (JSON_LD_TYPE, CSV_TYPE)
"""The formats the document lists, in API Platform's order of preference: JSON-LD wins a tie."""


def negotiate(request: Request, offered: tuple[str, ...] = OFFERED) -> None:
    """Choose the response format before the handler runs, so that a client accepting nothing
    the API produces (406) changes nothing; `respond` answers in it."""
    request.state.wants_csv = negotiated(request.headers.get("accept", ""), offered) == CSV_TYPE


def negotiated(accept: str, offered: tuple[str, ...]) -> str:
    """The one of `offered` the Accept header asks for, as API Platform's negotiator
    (willdurand/negotiation) picks it: each offered type takes the quality of the most specific
    part of the header it matches (`*/*`, `text/*` and `application/*+json` match as wildcards; a
    part with parameters other than `q` matches nothing, as no offered type has any), and the
    best quality wins, the first offered on a tie, even at quality 0. Without an Accept header,
    the first offered; when no part matches, 406."""
    if not accept.strip():
        return offered[0]
    parts = [part for part in (_accepted(text) for text in _ACCEPT_PARTS.findall(accept)) if part is not None]
    best: tuple[float, int] | None = None
    for index, kind in enumerate(offered):
        matches = [(score, part[2]) for part in parts if (score := _match(part, kind)) is not None]
        if not matches:
            continue
        # The most specific match speaks for this type; of equally specific ones, the first.
        _, quality = max(matches, key=lambda match: match[0])
        if best is None or quality > best[0]:
            best = (quality, index)
    if best is None:
        supported = '", "'.join(offered)
        raise NotAcceptable(f'Requested format "{accept}" is not supported. Supported MIME types are "{supported}".')
    return offered[best[1]]


_ACCEPT_PARTS = re.compile(r'(?:[^,"]|"[^"]*")+')
_PHP_NUMBER = re.compile(r"[ \t\n\r\v\f]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


def _accepted(text: str) -> tuple[str, str, float, bool] | None:
    """A part of an Accept header: its type, subtype, quality and whether it has parameters other
    than `q`; None for a part that names no type/subtype (the negotiator skips those)."""
    kind, *parameters = text.split(";")
    quality, other_parameters = 1.0, False
    for parameter in parameters:
        pieces = parameter.split("=")
        if len(pieces) != 2:
            continue
        if pieces[0].strip().lower() == "q":
            quality = php_number(pieces[1].strip(' "'))
        else:
            other_parameters = True
    kind = kind.strip().lower()
    base, _, sub = ("*/*" if kind == "*" else kind).partition("/")
    if not base or not sub or "/" in sub:
        return None
    return base, sub, quality, other_parameters


def php_number(text: str) -> float:
    """`text` as PHP's (float) and (int) casts read it: its leading number, after any
    whitespace, sign, fraction and exponent included; 0 without one, or for one too large to
    hold."""
    found = _PHP_NUMBER.match(text)
    if found is None:
        return 0.0
    value = float(found.group())
    return value if math.isfinite(value) else 0.0


def _match(part: tuple[str, str, float, bool], offered: str) -> int | None:
    """How specifically an Accept part names the offered type (higher is more), None if it doesn't."""
    base, sub, _, other_parameters = part
    if other_parameters:
        return None
    offered_base, _, offered_sub = offered.partition("/")
    same_base, same_sub = base == offered_base, sub == offered_sub
    if (base == "*" or same_base) and (sub == "*" or same_sub):
        return 100 * same_base + 10 * same_sub
    if "+" not in sub or "+" not in offered_sub or not (base == "*" or same_base):
        return None
    name, _, suffix = sub.partition("+")
    offered_name, _, offered_suffix = offered_sub.partition("+")
    if "*" not in (name, offered_name, suffix, offered_suffix):
        return None
    if name in ("*", offered_name) and suffix in ("*", offered_suffix):
        return 100 * same_base + 10 * (name == offered_name) + (suffix == offered_suffix)
    return None


def base_url(request: Request) -> str:
    """The URL clients reach the API at, without a trailing slash (`Settings.public_base_url`)."""
    return str(request.app.state.settings.public_base_url())


def documentation_link(request: Request) -> str:
    """The Link header API Platform's Hydra support adds to every answer: the absolute URL of
    the API documentation."""
    return f'<{base_url(request)}{DOCS_PATH}>; rel="{HYDRA}apiDocumentation"'


def respond(request: Request, body: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """`body` in the format `negotiate` chose for this request, with the headers API Platform's
    respond processor writes: `Vary: Accept`, and for a resource of the API (an item, not a
    collection) its IRI as `Content-Location`, and as `Location` too when a POST created it (201,
    a cancel, check-in or check-out included)."""
    sent = {**API_PLATFORM_HEADERS, "Vary": "Accept", "Link": documentation_link(request), **(headers or {})}
    node = body.get("@id")
    if isinstance(node, str) and under(node, PREFIX) and body.get("@type") != "hydra:Collection":
        sent["Content-Location"] = node
        if status == 201 and request.method == "POST":
            sent["Location"] = node
    if request.state.wants_csv:
        members = body.get("hydra:member")
        text = csv_text(members if isinstance(members, list) else [body])
        return Response(text, status_code=status, media_type="text/csv; charset=utf-8", headers=sent)
    return Response(_json(body), status_code=status, media_type=JSON_LD, headers=sent)


def item(context: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXTS_PATH + context, **body}


def page(request: Request, context: str, found: Counted[Row], render: Callable[[Row], dict[str, Any]]) -> Response:
    """A page of a collection as the client asked for it, each of its rows rendered by `render`."""
    members = [render(row) for row in found.items]
    return respond(request, collection(request, context, members, found.total, found.page, found.per_page))


def collection(
    request: Request,
    context: str,
    members: Sequence[dict[str, Any]],
    total: int,
    page: int | None,
    per_page: int | None,
) -> dict[str, Any]:
    """A hydra:Collection of one page of `members` out of `total`, with its hydra:view."""
    body: dict[str, Any] = {
        "@context": CONTEXTS_PATH + context,
        "@id": request.url.path,
        "@type": "hydra:Collection",
        "hydra:member": list(members),
        "hydra:totalItems": total,
    }
    view = _view(request.url.path, request.query_params, total, page, per_page)
    if view is not None:
        body["hydra:view"] = view
    return body


def _view(path: str, params: QueryParams, total: int, page: int | None, per_page: int | None) -> dict[str, Any] | None:
    others = [(key, value) for key, value in params.multi_items() if key != "page" and key]
    pages = 1 if not per_page or page is None else max(1, -(-total // per_page))
    if pages <= 1 and not others:
        return None

    def at(number: int | None) -> str:
        query = others + ([("page", str(number))] if number is not None else [])
        return f"{path}?{urlencode(query, quote_via=quote)}" if query else path

    current = page if pages > 1 else None
    view: dict[str, Any] = {"@id": at(current), "@type": "hydra:PartialCollectionView"}
    if pages > 1 and page is not None:
        view["hydra:first"] = at(1)
        view["hydra:last"] = at(pages)
        if page > 1:
            view["hydra:previous"] = at(page - 1)
        if page < pages:
            view["hydra:next"] = at(page + 1)
    return view


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def csv_text(rows: list[Any]) -> str:
    """`rows` (a collection's members, or one item) as API Platform writes CSV, through Symfony's
    CsvEncoder: its plain normalizer gives no JSON-LD keywords (`@id`, `@type`, `@context`);
    nested objects and lists are flattened to keys joined by "." (list members by their index,
    so an empty list gives no column); true is 1, false 0, null empty. The header lists every
    key in the order the rows give them, one a row brings first placed after the key before it;
    a collection without members is an empty header and one empty row."""
    flat = []
    for row in rows or [{}]:
        cells: dict[str, str] = {}
        _flatten(row, "", cells)
        flat.append(cells)
    columns = _columns(flat)
    lines = [columns] + [[cells.get(column, "") for column in columns] for cells in flat]
    return "".join(",".join(_csv_field(field) for field in line) + "\n" for line in lines)


def _flatten(value: Any, prefix: str, cells: dict[str, str]) -> None:
    pairs = value.items() if isinstance(value, Mapping) else enumerate(value)
    for key, inner in pairs:
        if isinstance(key, str) and key.startswith("@"):
            continue
        if isinstance(inner, Mapping | list):
            _flatten(inner, f"{prefix}{key}.", cells)
        else:
            cells[f"{prefix}{key}"] = _csv_value(inner)


def _csv_value(value: Any) -> str:
    """A scalar as PHP writes it into CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return _php_float_text(value)
    return str(value)


def _php_float_text(value: float) -> str:
    """A float as PHP turns it into text: 14 significant digits, `1.0E+20` beyond them."""
    text = format(value, ".14G")
    if "E" not in text:
        return text
    mantissa, exponent = text.split("E")
    power = int(exponent)
    return f"{mantissa if '.' in mantissa else mantissa + '.0'}E{'+' if power >= 0 else '-'}{abs(power)}"


def _columns(rows: list[dict[str, str]]) -> list[str]:
    """Every key of `rows`, in the order Symfony's CsvEncoder extracts its header."""
    columns: list[str] = []
    place: dict[str, int] = {}
    for row in rows:
        previous: str | None = None
        for column in row:
            if column not in place:
                at = len(columns) if previous is None else place[previous] + 1
                columns.insert(at, column)
                for moved in columns[at + 1 :]:
                    place[moved] += 1
                place[column] = at
            previous = column
    return columns


def _csv_field(text: str) -> str:
    """One field as PHP's fputcsv writes it: enclosed in double quotes (doubled inside) when it
    holds a comma, a double quote, a line break, a tab or a space. Python's csv module quotes
    no field for a space or a tab, so it can't write what API Platform writes."""
    if any(character in text for character in ',"\n\r\t '):
        return '"' + text.replace('"', '""') + '"'
    return text


def error_body(description: str) -> dict[str, Any]:
    return {
        "@context": CONTEXTS_PATH + "Error",
        "@type": "hydra:Error",
        "hydra:title": "An error occurred",
        "hydra:description": description,
    }


def error(status: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(_json(error_body(description)), status_code=status, media_type=JSON_LD, headers=headers)


def violations(problems: Sequence[tuple[str, str, str]]) -> Response:
    """422: one violation per (propertyPath, message, reason)."""
    body = {
        "@context": CONTEXTS_PATH + "ConstraintViolationList",
        "@type": "ConstraintViolationList",
        "hydra:title": "An error occurred",
        "hydra:description": "\n".join(f"{path}: {message}" for path, message, _ in problems),
        "violations": [
            {"propertyPath": path, "message": message, "code": NOT_BLANK if reason == "required" else INVALID}
            for path, message, reason in problems
        ],
    }
    return Response(_json(body), status_code=422, media_type=JSON_LD)


STATUSES: dict[type[DomainError], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    NotAcceptable: 406,
    UnsupportedMediaType: 415,
    RateLimited: 429,
    DomainError: 400,
}
"""The status of each domain error, by its nearest class here: any other (a BadRequest, a refused
transition) is a 400."""


def render_error(request: Request, exc: Exception) -> Response:
    """Any failure as API Platform renders it, with the headers it sends with every answer and
    the link to the API documentation (no `Vary`: its error handler sends none)."""
    response = _rendered(request, exc)
    response.headers.update({**API_PLATFORM_HEADERS, "Link": documentation_link(request)})
    return response


def _rendered(request: Request, exc: Exception) -> Response:
    """A query it can't read is a malformed request (400), as a bad date or page number is;
    constraint violations (422) are about bodies."""
    if isinstance(exc, UnreadableQuery):
        return error(400, str(exc))
    if isinstance(exc, InvalidInput):
        return violations([words.violation(problem) for problem in exc.problems])
    if isinstance(exc, TransitionRefused):
        return error(400, words.refused(exc))
    if isinstance(exc, DomainError):
        status = next(STATUSES[kind] for kind in type(exc).__mro__ if kind in STATUSES)
        if status == 404:
            return error(404, "Not Found")
        if status == 403:
            return error(403, exc.message or "Access Denied.")
        headers = {"WWW-Authenticate": 'Bearer realm="kadence"'} if status == 401 else None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        return error(status, exc.message, headers)
    if isinstance(exc, RequestValidationError):
        return _request_problems(request, exc)
    if isinstance(exc, HTTPException):
        if exc.status_code == 405:
            allowed = allowed_methods(request)
            return error(
                405,
                f'No route found for "{request.method} {request.url.path}": Method Not Allowed (Allow: {", ".join(allowed)})',
                {"Allow": ", ".join(allowed)},
            )
        return error(exc.status_code, "Not Found" if exc.status_code == 404 else str(exc.detail), exc.headers)
    if isinstance(exc, BUSY):
        return error(503, why_busy(exc), RETRY_SOON)
    log.error("unexpected failure on %s %s", request.method, request.url.path, exc_info=exc)
    return error(500, "Internal Server Error")


def _request_problems(request: Request, exc: RequestValidationError) -> Response:
    problems = exc.errors()
    if any(problem.get("loc", ("",))[0] == "path" for problem in problems):
        return error(404, "Not Found")
    if any(problem.get("type") == "json_invalid" for problem in problems):
        # FastAPI parses a JSON body before the operation's checks run: one it could not parse
        # is refused for its format first, as API Platform reads the format before the body.
        refusal = unreadable_body_format(request)
        return error(400, "Syntax error") if refusal is None else error(415, refusal.message)
    if all(problem.get("type") in CONSTRAINTS for problem in problems):
        return violations([_violation(problem) for problem in problems])
    first = next(problem for problem in problems if problem.get("type") not in CONSTRAINTS)
    return error(400, wrong_type(first))


def wrong_type(problem: Mapping[str, Any]) -> str:
    """How API Platform's deserializer refuses a body value of the wrong type (400)."""
    return f'The type of the "{_path(problem)}" attribute is not valid: {problem.get("msg", "")}.'


CONSTRAINTS = frozenset(
    {
        "missing",
        "string_too_long",
        "string_too_short",
        "too_long",
        "too_short",
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "string_pattern_mismatch",
    }
)
"""Pydantic's failures that Symfony reports as constraint violations (422); any other failure of a
body is a value of the wrong type, which API Platform's deserializer refuses with 400."""


def _violation(problem: Mapping[str, Any]) -> tuple[str, str, str]:
    kind, context = problem.get("type"), problem.get("ctx") or {}
    if kind == "missing":
        return _path(problem), "This value should not be blank.", "required"
    if kind == "string_too_long":
        return (
            _path(problem),
            f"This value is too long. It should have {context.get('max_length')} characters or less.",
            "invalid",
        )
    if kind == "too_long":
        return _path(problem), f"This collection should contain {context.get('max_length')} elements or less.", "invalid"
    return _path(problem), str(problem.get("msg", "This value is not valid.")), "invalid"


def _path(problem: Mapping[str, Any]) -> str:
    return ".".join(str(part) for part in problem.get("loc", ()) if part not in ("body", "query")) or "body"
