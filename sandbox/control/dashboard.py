"""The dashboard at /_sandbox/ui: one page to watch and steer the sandbox from a browser.

The server renders the page with the organizations, their clocks and their buildings; a little
JavaScript of the sandbox's own (sandbox/control/ui/) keeps it live by polling the control
plane's JSON endpoints: a building's day of bookings, the request journal, the fault rules,
export jobs and snapshots. Nothing is fetched from anywhere but the sandbox itself, and the
page's Content-Security-Policy tells the browser so.

A local tool: like the rest of the control plane it asks for no login, so it is meant for the
machine the sandbox runs on (or a container's published port on it).
"""

from html import escape
from importlib.resources import files

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from sandbox import __version__
from sandbox.control.timeline import workplace
from sandbox.routing import declaring
from sandbox.sessions import SessionDep

router = declaring(include_in_schema=False)

ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}
"""The page's own files (sandbox/control/ui/); nothing else there is served."""
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
    ]
)
POLL_MS = 2000
"""How often the page asks for what changed."""


@router.get("/ui")
def dashboard(request: Request, session: SessionDep) -> HTMLResponse:
    organizations = workplace(session, request.app.state.clock).organizations
    root = escape(request.scope.get("root_path", "").rstrip("/"))
    organization_options = "".join(f'<option value="{row.id}">{escape(row.name)}</option>' for row in organizations)
    building_options = "".join(
        f'<option value="{building.id}" data-organization="{row.id}" data-time-zone="{escape(building.time_zone)}">'
        f"{escape(building.name)}</option>"
        for row in organizations
        for building in row.buildings
    )
    page = _PAGE.format(
        root=root,
        version=escape(__version__),
        poll=POLL_MS,
        organizations=organization_options,
        buildings=building_options,
    )
    return HTMLResponse(page, headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"})


@router.get("/ui/assets/{name}")
def dashboard_asset(name: str) -> Response:
    if name not in ASSETS:
        raise HTTPException(404, f"no dashboard asset {name!r}")
    body = (files("sandbox.control") / "ui" / name).read_bytes()
    return Response(body, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>workplace-sandbox dashboard</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="{root}/_sandbox/ui/assets/dashboard.css">
  <script src="{root}/_sandbox/ui/assets/dashboard.js" defer></script>
</head>
<body data-root="{root}" data-poll="{poll}">
  <header>
    <h1>workplace-sandbox <span class="version">{version}</span></h1>
    <p class="note">A local tool: no login, for the machine the sandbox runs on.
      <a href="{root}/docs">API docs</a></p>
  </header>
  <section id="controls" aria-label="Organization and clock">
    <label>Organization <select id="organization">{organizations}</select></label>
    <span id="clock" aria-live="polite"><span id="clock-now"></span> <span id="clock-mode" class="badge"></span></span>
    <button type="button" id="clock-freeze">Freeze</button>
    <label>Advance by <input id="clock-by" value="PT1H" size="8" aria-describedby="clock-by-hint"></label>
    <button type="button" id="clock-advance">Advance</button>
    <span id="clock-by-hint" class="hint">ISO 8601 duration: PT15M, PT2H, P1D</span>
    <button type="button" id="clock-resume">Resume real time</button>
    <span id="message" role="status"></span>
  </section>
  <nav>
    <a href="#timeline">Timeline</a> <a href="#journal">Journal</a> <a href="#faults">Fault rules</a>
    <a href="#exports">Exports</a> <a href="#snapshots">Snapshots</a>
  </nav>
  <main>
    <section id="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <div class="toolbar">
        <label>Building <select id="building">{buildings}</select></label>
        <label>Day <input type="date" id="day"></label>
        <button type="button" id="today">Today</button>
        <span class="legend"><span class="bar status-booked">booked</span> <span class="bar status-checkedIn">checked in</span>
          <span class="bar status-checkedOut">checked out</span> <span class="bar status-completed">completed</span>
          <span class="bar status-noCheckIn">released: no check-in</span>
          <span class="bar status-cancelled">cancelled</span></span>
      </div>
      <div id="timeline-grid" class="grid"></div>
    </section>
    <section id="journal" aria-labelledby="journal-title">
      <h2 id="journal-title">Request journal</h2>
      <div class="split">
        <table id="journal-table">
          <thead><tr><th>Time</th><th>API</th><th>Method</th><th>Path</th><th>Status</th><th>ms</th></tr></thead>
          <tbody></tbody>
        </table>
        <div id="journal-detail" class="detail"><p class="hint">Choose a request to see its bodies.</p></div>
      </div>
    </section>
    <section id="faults" aria-labelledby="faults-title">
      <h2 id="faults-title">Fault rules</h2>
      <form id="fault-form" class="toolbar">
        <label>API <select name="api"><option>any</option><option>robin</option><option>kadence</option></select></label>
        <label>Method <input name="method" value="*" size="6"></label>
        <label>Path <input name="path" value="*" size="28"></label>
        <label>Effect <select name="effect">
          <option>error</option><option>latency</option><option>rate_limit</option><option>drop</option></select></label>
        <label>Status <input name="status" type="number" min="400" max="599" placeholder="500" size="4"></label>
        <label>Latency ms <input name="latency_ms" type="number" min="0" max="60000" value="0" size="6"></label>
        <label>Times <input name="times" type="number" min="1" placeholder="every" size="5"></label>
        <button type="submit">Add rule</button>
        <button type="button" id="faults-clear">Clear all</button>
      </form>
      <table id="faults-table">
        <thead><tr><th>#</th><th>Organization</th><th>API</th><th>Method</th><th>Path</th><th>Effect</th><th>Status</th><th>Latency</th><th>Left</th><th>Hits</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section id="exports" aria-labelledby="exports-title">
      <h2 id="exports-title">Export jobs</h2>
      <table id="exports-table">
        <thead><tr><th>Id</th><th>Organization</th><th>Kind</th><th>State</th><th>Requested</th><th>Rows</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
    <section id="snapshots" aria-labelledby="snapshots-title">
      <h2 id="snapshots-title">Snapshots</h2>
      <form id="snapshot-form" class="toolbar">
        <label>Name <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{{0,63}}" size="20"></label>
        <label><input type="checkbox" name="replace"> replace</label>
        <button type="submit">Save</button>
      </form>
      <table id="snapshots-table">
        <thead><tr><th>Name</th><th>Saved</th><th>Rows</th><th></th></tr></thead>
        <tbody></tbody>
      </table>
    </section>
  </main>
</body>
</html>
"""
