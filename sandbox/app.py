"""The application factory: mounts the dialects and the control plane on one store."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Match

from sandbox import __version__, docs, kadence, robin
from sandbox.access_log import AccessLogMiddleware
from sandbox.answers import KEPT_ANSWERS
from sandbox.control import (
    dashboard,
    export_jobs,
    floor_plans,
    health,
    routes,
    timeline,
)
from sandbox.control import errors as control_errors
from sandbox.control.guard import ControlPlaneGuard
from sandbox.control.journal import Flusher, Journal
from sandbox.control.traffic import TrafficMiddleware
from sandbox.core.clock import Clock
from sandbox.core.errors import DomainError
from sandbox.cross_origin import CrossOriginMiddleware
from sandbox.dialects import DIALECTS, api_of, dialect_of, occurrence_ids, organization_of, status_words
from sandbox.limits import BodyLimitMiddleware
from sandbox.openapi import describe
from sandbox.routing import HeadAsGet, include_flat, refuse_unreadable_input
from sandbox.settings import Settings, get_settings
from sandbox.startup import UnopenedStore, open_store
from sandbox.store.cache import VersionedCache
from sandbox.store.engine import BUSY, Store
from sandbox.worker import ExportWorker


def create_app(settings: Settings | None = None, *, store: Store | None = None, clock: Clock | None = None) -> FastAPI:
    """The app, built without touching a store: one given here is the caller's to open and to
    dispose, and serves from now on. Without one, the app opens the store its settings name as
    it starts (creating and seeding it where new) and disposes it as it stops; until then
    `app.state.store` refuses every use (`StoreNotOpen`)."""
    settings = settings or get_settings()
    clock = clock or Clock()
    app = FastAPI(
        lifespan=_lifespan,
        title="workplace-sandbox",
        version=__version__,
        description="A local, stateful sandbox of the Robin and Kadence workplace-booking APIs.",
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # Starlette's redirect names the Host the request gave: _slash_redirect instead.
    )
    app.state.settings = settings
    app.state.store = store if store is not None else UnopenedStore(settings.store_url())
    app.state.clock = clock
    app.state.journal = Journal(settings.journal_size)
    app.state.credentials = VersionedCache()
    app.state.fault_rules = VersionedCache(capacity=1)
    app.state.answers = VersionedCache(capacity=KEPT_ANSWERS)
    app.state.occurrence_ids = occurrence_ids()
    app.state.status_words = status_words()
    for dialect in DIALECTS:
        dialect.include(app)
    for control in (health.router, floor_plans.router, routes.router, timeline.router, export_jobs.router, dashboard.router):
        include_flat(app, control, prefix="/_sandbox", dependencies=[Depends(refuse_unreadable_input)], inline_reads=False)
    # Innermost first: the traffic middleware must see the server's own `receive` to drop a connection;
    # a request for a name the server was not told about, or a write of the control plane a web page
    # could have sent, is answered before anything else sees it, and logged all the same. A browser's
    # preflight is answered before the journal and the fault rules see it, and every answer a page may
    # read, a fault's or a refusal's too, carries the CORS headers.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    app.add_middleware(TrafficMiddleware, api_of=api_of, organization_of=organization_of)
    app.add_middleware(ControlPlaneGuard)
    app.add_middleware(
        CrossOriginMiddleware,
        origins=settings.cors_origins,
        prefixes=[*(prefix for dialect in DIALECTS for prefix in dialect.prefixes), floor_plans.PREFIX],
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.answered_hosts(), www_redirect=False)
    app.add_middleware(AccessLogMiddleware, api_of=api_of)
    app.include_router(docs.router)

    @app.get("/", include_in_schema=False)
    def index() -> JSONResponse:
        return JSONResponse(
            {
                "name": "workplace-sandbox",
                "version": __version__,
                "robin": robin.PREFIX,
                "kadence": kadence.PREFIX,
                "kadence_token": kadence.TOKEN_PATH + "token",
                "health": "/_sandbox/health",
                "control": "/_sandbox",
                "dashboard": "/_sandbox/ui",
                "docs": "/docs",
            }
        )

    _install_error_rendering(app)
    app.openapi = lambda: describe(app)  # type: ignore[method-assign]  # FastAPI's way to replace the document
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with _store_open(app):
        worker = ExportWorker(app) if app.state.settings.export_worker else None
        flusher = Flusher(app.state.journal, lambda: app.state.store)
        if worker is not None:
            worker.start()
        flusher.start()
        try:
            yield
        finally:
            flusher.stop()
            if worker is not None:
                worker.stop()


@asynccontextmanager
async def _store_open(app: FastAPI) -> AsyncIterator[None]:
    """The store of an app built without one (`create_app`), open while the app runs."""
    unopened = app.state.store
    if not isinstance(unopened, UnopenedStore):
        yield
        return
    # In a worker thread: creating and seeding the store writes, which no event loop's thread may.
    store = await run_in_threadpool(open_store, app.state.settings, app.state.clock)
    app.state.store = store
    try:
        yield
    finally:
        app.state.store = unopened
        store.dispose()


def _install_error_rendering(app: FastAPI) -> None:
    """Every failure answers in the error shape of the API whose path was called; the control
    plane and the sandbox's own pages answer in the sandbox's. A path no route serves, that one
    does with its trailing slash added or taken away, is redirected there instead."""

    def render(request: Request, exc: Exception) -> Response:
        if isinstance(exc, HTTPException) and exc.status_code == 404 and (moved := _slash_redirect(request)) is not None:
            return moved
        dialect = dialect_of(request.url.path)
        if dialect is not None:
            return dialect.render_error(request, exc)
        return control_errors.render_error(request, exc)

    # A store too busy for the request (`BUSY`) is answered as any refusal is, and the connection
    # kept: an exception only `Exception` caught would be raised again after its answer, and the
    # server would close the connection.
    for kind in (DomainError, RequestValidationError, HTTPException, *BUSY, Exception):
        app.add_exception_handler(kind, render)
    app.state.render_error = render


def _slash_redirect(request: Request) -> Response | None:
    """A path no route serves, but one does with its trailing slashes taken away (or one added).
    Under a vendor API, as Symfony's router answers: a GET (or HEAD) that the other path serves
    is redirected there for good (301), its query kept, by an absolute URL built from the
    sandbox's public base URL; any other method finds nothing. On the sandbox's own paths, any
    method is redirected (307, as Starlette does) by a relative URL. Never to a host named by
    the request."""
    routes = request.app.router.routes
    path = request.scope["path"]
    if path == "/" or any(route.matches(request.scope)[0] != Match.NONE for route in routes):
        return None
    raw = request.scope.get("raw_path") or path.encode("utf-8")
    location = raw.decode("latin-1")
    location = location.rstrip("/") if location.endswith("/") else location + "/"
    moved = {**request.scope, "path": path.rstrip("/") if path.endswith("/") else path + "/"}
    query = f"?{request.url.query}" if request.url.query else ""
    if dialect_of(path) is None:
        if not any(route.matches(moved)[0] != Match.NONE for route in routes):
            return None
        return RedirectResponse(location + query, status_code=307)
    if request.method not in ("GET", "HEAD") or not location or moved["path"] in ("", "/"):
        return None
    if not any(route.matches(moved)[0] == Match.FULL for route in routes):
        return None
    return RedirectResponse(request.app.state.settings.public_base_url() + location + query, status_code=301)
