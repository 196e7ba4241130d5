"""Floor plans: the SVG a Kadence floor's `floorPlanUrl` points at, drawn from the store.

Each space is a group whose id is `space::<booking type>::<space id>`, as in Kadence's own plans,
which its clients select with `g[id^="space::"]` and match by the id's third part against a
booking's space. A page of another origin may read the plan (`cross_origin`, under PREFIX), as
it reads Kadence's from the content delivery network that serves them, since a booking page
fetches it from there.
"""

from html import escape

from fastapi.responses import Response

from sandbox.control.schemas import refusals
from sandbox.core import directory
from sandbox.core.space_types import booking_type
from sandbox.routing import declaring
from sandbox.sessions import SessionDep
from sandbox.store.models import ResourceKind

router = declaring(tags=["Sandbox control plane"])
PREFIX = "/_sandbox/floor-plans/"
"""Where the plans are served: the one part of the control plane a page of another origin reads."""

COLUMNS, CELL_WIDTH, CELL_HEIGHT, MARGIN = 6, 160, 72, 16
TITLE_HEIGHT = 16
"""The band above the grid that the floor's name is written in."""


@router.get(
    "/floor-plans/{floor_id}.svg",
    summary="A floor's plan: its spaces and desks laid out in a grid (image/svg+xml)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}, **refusals(404)},
)
def floor_plan(floor_id: str, session: SessionDep) -> Response:
    floor, resources = directory.floor_plan(session, floor_id)
    rows = max(1, -(-len(resources) // COLUMNS))
    width, height = COLUMNS * CELL_WIDTH + 2 * MARGIN, rows * CELL_HEIGHT + 3 * MARGIN + TITLE_HEIGHT
    shapes = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(floor.name)}</title>",
        f'<text x="{MARGIN}" y="{MARGIN + 12}" font-family="sans-serif" font-size="14">{escape(floor.name)}</text>',
    ]
    for position, resource in enumerate(resources):
        x = MARGIN + (position % COLUMNS) * CELL_WIDTH
        y = 2 * MARGIN + TITLE_HEIGHT + (position // COLUMNS) * CELL_HEIGHT
        # A bookable space's group names it as Kadence's plans do, and carries its fill, which its
        # shape inherits: a page colouring the group (style.fill) colours the space. What is not
        # bookable is drawn in grey, without an id a page would look for.
        if resource.is_reservable:
            fill = "#dbeafe" if resource.kind == ResourceKind.DESK else "#dcfce7"
            group = f'<g id="space::{booking_type(resource)}::{resource.ulid}" fill="{fill}">'
        else:
            group = '<g fill="#e5e7eb">'
        shapes.append(
            f'{group}<rect x="{x}" y="{y}" width="{CELL_WIDTH - 8}" height="{CELL_HEIGHT - 8}" rx="6" stroke="#64748b"/>'
            f'<text x="{x + 8}" y="{y + 24}" font-family="sans-serif" font-size="12" fill="#0f172a">'
            f"{escape(resource.name)}</text></g>"
        )
    shapes.append("</svg>")
    return Response("\n".join(shapes), media_type="image/svg+xml")
