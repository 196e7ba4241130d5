"""Analytics export jobs of every organization, as the dashboard shows them: their state, and
the CSV of a ready one."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from sandbox.control.routes import organization_named
from sandbox.control.schemas import refusals
from sandbox.control.snapshots import Refused
from sandbox.core import exports
from sandbox.core.errors import NotFound
from sandbox.downloads import CSV_RESPONSE, csv_download
from sandbox.routing import declaring
from sandbox.sessions import SessionDep, StreamingSessionDep
from sandbox.store.models import ExportJob, ExportJobState

router = declaring(tags=["Sandbox control plane"])

MAX_LISTED = 1000


class ExportJobPublic(BaseModel):
    id: str = Field(description="The export id Robin's API answered the request with")
    organization_id: int
    kind: str = Field(description="spaces (events in the spaces) or desks (desk reservations)", examples=["spaces"])
    state: Literal["pending", "running", "ready", "failed"] = Field(
        description="pending: waiting for a worker; running: being generated; ready: generated; failed: given up on",
    )
    range_start: datetime = Field(description="The start of the range exported: the request's `from`")
    range_end: datetime = Field(description="The end of the range exported: the request's `to`")
    location_ids: list[int] | None = Field(description="The buildings the export is limited to; null: every one")
    requested_at: datetime = Field(description="On the organization's clock")
    ready_at: datetime = Field(
        description="On the organization's clock: Robin's API serves the export from then on, once it is ready",
    )
    finished_at: datetime | None = Field(description="Real time at which a worker generated it or gave up on it")
    row_count: int | None = Field(description="Rows after the CSV's header, once ready")
    error: str | None = Field(description="Why it failed")
    download: str | None = Field(description="Where its CSV is downloaded from, once ready; null before")


@router.get(
    "/exports",
    summary="The latest analytics export jobs, of every organization or one, newest first",
    responses=refusals(404, 422),
)
def list_export_jobs(
    request: Request,
    session: SessionDep,
    organization: Annotated[str | None, Query(description="The organization's id, ULID or slug")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LISTED)] = 100,
) -> list[ExportJobPublic]:
    organization_id = organization_named(session, organization).id if organization is not None else None
    return [_public(request, job) for job in exports.listed(session, limit, organization_id)]


@router.get(
    "/exports/{export_id}/download",
    summary="A ready export's CSV, as Robin's API serves it (409 while it is pending or running, or once it failed)",
    response_class=Response,
    responses={
        **CSV_RESPONSE,
        404: {**refusals(404)[404], "description": "No export has that id"},
        409: {
            **refusals(409)[409],
            "description": "The export is pending or running (the error names its state), or failed (the error gives why)",
        },
    },
)
def download_export_job(export_id: str, session: StreamingSessionDep) -> StreamingResponse:
    job = exports.find_export(session, export_id)
    if job is None:
        raise NotFound(f"no export {export_id!r} (GET /_sandbox/exports lists them)")
    if job.state == ExportJobState.FAILED:
        raise Refused(f"export {job.id} failed: {job.error}")
    if job.state != ExportJobState.READY:
        raise Refused(f"export {job.id} is {job.state}: it has no CSV until a worker has generated it")
    return csv_download(session, job)


def _public(request: Request, job: ExportJob) -> ExportJobPublic:
    ready = job.state == ExportJobState.READY
    return ExportJobPublic(
        id=job.id,
        organization_id=job.organization_id,
        kind=job.kind,
        state=job.state,
        range_start=job.range_start,
        range_end=job.range_end,
        location_ids=job.location_ids,
        requested_at=job.requested_at,
        ready_at=job.ready_at,
        finished_at=job.finished_at,
        row_count=job.row_count,
        error=job.error,
        download=request.app.url_path_for("download_export_job", export_id=job.id) if ready else None,
    )
