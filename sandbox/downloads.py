"""An export's CSV as a file to save, as Robin's API and the control plane both serve it, and how
a route that answers with it documents that answer."""

from typing import Any

from fastapi.responses import StreamingResponse
from sqlmodel import Session

from sandbox.core import exports
from sandbox.store.models import ExportJob

CSV_RESPONSE: dict[int | str, Any] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The export, as CSV"},
}


def csv_download(session: Session, job: ExportJob) -> StreamingResponse:
    """A generated export's CSV as a file to save, streamed a chunk at a time from `session`,
    which must stay open until the response is sent."""
    return StreamingResponse(
        exports.csv_bytes(session, job.id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{job.kind}-export-{job.id}.csv"'},
    )
