"""Health and readiness."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["Sandbox control plane"])


@router.get("/health", summary="200 once the store is ready: the readiness probe for CI and Docker")
def health(request: Request) -> JSONResponse:
    if request.app.state.store.is_ready():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "starting"}, status_code=503)
