"""Free/busy search over many spaces, best fit first."""

from datetime import timedelta
from typing import Annotated

from fastapi import Query
from fastapi.responses import JSONResponse

from sandbox.core import availability
from sandbox.core.access import Actor
from sandbox.core.availability import MERGE_THRESHOLD, Availability, FreeBusyQuery
from sandbox.core.errors import InvalidInput
from sandbox.core.paging import Page
from sandbox.core.times import parse_duration
from sandbox.core.workplace import SpaceFilters
from sandbox.robin import schemas, wire
from sandbox.robin.deps import ActorDep, PageDep, SessionDep
from sandbox.robin.envelope import respond_page, wire_names
from sandbox.robin.requests import FreeBusyBody, id_list, query_instant
from sandbox.robin.routes.spaces import space_documents
from sandbox.robin.schemas import Collection, documented
from sandbox.routing import declaring, only_reads

router = declaring(tags=["Robin: free/busy"])


def _results(session: SessionDep, actor: Actor, found: Page[Availability], includes: frozenset[str]) -> JSONResponse:
    """The page of results, each space with its calendar and `includes`."""
    spaces = space_documents(session, actor, [result.space for result in found.items], includes | {"calendar"})
    return respond_page(found, [wire.availability(result, space) for result, space in zip(found.items, spaces, strict=True)])


def _free_time_wanted(duration: str | None) -> timedelta:
    """The legacy `duration`: an ISO-8601 duration or a number of minutes."""
    if duration is None:
        return MERGE_THRESHOLD
    return parse_duration(f"PT{duration}M" if duration.isdigit() else duration, "duration")


@router.post(
    "/free-busy/spaces",
    summary="Search space availability, best fit first",
    responses=documented(Collection[schemas.Availability]),
)
@only_reads
def search_free_busy(body: FreeBusyBody, actor: ActorDep, session: SessionDep) -> JSONResponse:
    with wire_names(FreeBusyBody.WIRE_NAMES):
        found = availability.free_busy(session, actor, body.to_query())
    return _results(session, actor, found, body.view_options.includes())


@router.get(
    "/free-busy/spaces",
    summary="Deprecated: use POST /free-busy/spaces",
    deprecated=True,
    responses=documented(Collection[schemas.Availability]),
)
def legacy_free_busy(
    actor: ActorDep,
    session: SessionDep,
    page: PageDep,
    location_ids: Annotated[list[str], Query(description="Location ids, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
    space_ids: Annotated[list[str], Query(description="Space ids, comma-separated or repeated")] = [],  # noqa: B006 - FastAPI copies a default for each request
    after: Annotated[str | None, Query()] = None,
    before: Annotated[str | None, Query()] = None,
    min_capacity: Annotated[int | None, Query()] = None,
    duration: Annotated[str | None, Query(description="ISO-8601 duration of free time wanted, or minutes")] = None,
) -> JSONResponse:
    if after is None:
        raise InvalidInput.of("after", "can't be blank", "required")
    if before is None:
        raise InvalidInput.of("before", "can't be blank", "required")
    with wire_names({"from": "after", "to": "before"}):
        query = FreeBusyQuery(
            lower=query_instant(after, "after"),
            upper=query_instant(before, "before"),
            location_ids=id_list("location_ids", location_ids),
            space_ids=id_list("space_ids", space_ids),
            filters=SpaceFilters(min_capacity=min_capacity),
            merge_threshold=_free_time_wanted(duration),
            page=page,
        )
        found = availability.free_busy(session, actor, query)
    return _results(session, actor, found, frozenset())
