"""Analytics exports: request a CSV of events or desk reservations, then poll until it is ready."""

from datetime import timedelta

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from sandbox.core import exports, workplace
from sandbox.downloads import CSV_RESPONSE, csv_download
from sandbox.robin.deps import ActorDep, OrganizationKey, SessionDep
from sandbox.robin.envelope import respond
from sandbox.robin.requests import ExportBody
from sandbox.robin.schemas import Envelope, ExportAccepted, documented
from sandbox.routing import declaring
from sandbox.sessions import StreamingSessionDep

router = declaring(tags=["Robin: analytics exports"])


def _accepted(
    request: Request, kind: str, organization_key: str, body: ExportBody, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    delay = timedelta(seconds=request.app.state.settings.export_delay_seconds)
    organization = workplace.get_organization(session, actor, organization_key)
    job = exports.request_export(session, actor, organization.id or 0, body.to_request(kind), delay)
    return respond({"export_id": job.id, "report_id": job.id}, 202)


@router.post(
    "/insights/exports/organizations/{organization_id}/spaces",
    status_code=202,
    summary="Request an export of the events in the organization's spaces",
    responses=documented(Envelope[ExportAccepted], 202, limited=True),
)
def request_space_export(
    request: Request, organization_id: OrganizationKey, body: ExportBody, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    return _accepted(request, "spaces", organization_id, body, actor, session)


@router.post(
    "/insights/exports/organizations/{organization_id}/desks",
    status_code=202,
    summary="Request an export of the organization's desk reservations",
    responses=documented(Envelope[ExportAccepted], 202, limited=True),
)
def request_desk_export(
    request: Request, organization_id: OrganizationKey, body: ExportBody, actor: ActorDep, session: SessionDep
) -> JSONResponse:
    return _accepted(request, "desks", organization_id, body, actor, session)


@router.get(
    "/insights/exports/{export_id}",
    summary="Download an export: 404 until it is ready, then the CSV",
    response_class=Response,
    responses={**documented(Envelope[ExportAccepted]), **CSV_RESPONSE},
)
def download_export(export_id: str, actor: ActorDep, session: StreamingSessionDep) -> StreamingResponse:
    return csv_download(session, exports.ready_export(session, actor, export_id))
