"""Health and readiness."""

from fastapi import Request
from fastapi.responses import JSONResponse

from sandbox.control.schemas import Health, Readiness
from sandbox.routing import declaring
from sandbox.seeding import SEEDED_KEY

router = declaring(tags=["Sandbox control plane"])


@router.get(
    "/health",
    summary="Liveness: 200 while the process serves and its store answers",
    response_model=Health,
    responses={503: {"model": Health, "description": "The store does not answer yet"}},
)
def health(request: Request) -> JSONResponse:
    if request.app.state.store.is_ready():
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "starting"}, status_code=503)


@router.get(
    "/ready",
    summary="Readiness: 200 once the store is seeded and the APIs can answer",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "The store is still being created or seeded"}},
)
def ready(request: Request) -> JSONResponse:
    store = request.app.state.store
    seeded = store.meta(SEEDED_KEY) if store.is_ready() else None
    if seeded is None:
        return JSONResponse({"status": "starting", "seeded": None}, status_code=503)
    return JSONResponse({"status": "ready", "seeded": seeded})
