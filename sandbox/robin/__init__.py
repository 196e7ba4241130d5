"""Robin API v1.0, served under /v1.0 with Robin's envelope and Access-Token auth.

LIMITATIONS (where the sandbox differs from the real API, or chose where the docs are silent):

- Access tokens belong to a user of one organization; there are no organization-level
  integration tokens. Users belong to exactly one organization.
- `access_level` is 9001 for administrators and 1 for members.
- A conflicting booking answers 409 CONFLICT; `meta.errors[0]` has reason `event_conflict`
  and `details.event_id` names the event (or instance) it collides with.
- Business-rule refusals (too short, disabled space, too late to confirm, ...) answer
  400 with a `meta.errors` entry naming the reason; invalid fields answer 400 with
  `meta.message` "The posted data did not pass validation" and one `meta.errors` entry per
  field: `{"domain": "validation", "reason": "required"|"invalid", "message", "field",
  "details": {"field"}}` (Robin's own example of this body is truncated).
- A request without a usable Authorization header answers 401 before its body is read.
- A method a path does not serve answers 405 (`meta.status` METHOD_NOT_ALLOWED) with an
  `Allow` header listing the methods it does serve. DELETE /spaces/:id is not served.
- Request bodies must be JSON sent as `application/json`.
- An event with no title gets "<space name> booked by <booker name>". Invitees carry a
  `display_name` only when their email belongs to a user (as in Robin's example response).
- All-day events are not modelled: `is_all_day` is always false, and a `date_time` without a
  time is midnight in its `time_zone`.
- Recurrence: RRULE with FREQ DAILY, WEEKLY, MONTHLY or YEARLY (finer frequencies are
  refused), RDATE and EXDATE (UTC, floating or TZID values; VALUE=DATE). The event's start
  is always its first occurrence. Conflicts are checked for every occurrence of a new or
  changed series that starts within 366 days of the later of now and its start; later
  occurrences are listed but not conflict-checked (as Robin warns for far-future bookings).
  A series may have at most 1000 occurrences in that horizon.
- An event lasts more than 5 minutes and at most 366 days; at most 500 invitees.
- Event lists default to `after` = now and `before` = a week after `after`;
  `/spaces/:id/events/upcoming` covers the next 366 days.
- DELETE /events/:id answers 200 with the event, its status now `cancelled`; repeating it
  changes nothing. Cancelled events stay readable by id and leave every list.
- Confirmation (check-in) opens 15 minutes before an occurrence starts (earlier:
  `too_early_to_confirm_event`) and closes when it ends (`too_late_to_confirm_event`); a series
  master can't be confirmed, only its instances. GET of an unconfirmed event's confirmation
  is 404.
- Space `behaviors` is `["bookable"]` for reservable spaces, else `[]`; `is_dibsed` is false.
- Free/busy: bounds span at most 31 days; busy blocks merge overlapping and touching events;
  `specific_time` ranks spaces by the windows in which they are busy, then busy time;
  `flexible_time` by the windows without a free gap of `merge_threshold`, then free time;
  ties by name. `has_presence` is false until presence is emulated. Unknown ids in the scope
  answer 400 naming the field.
- `per_page` is at most 1000, and no page reaches past the 100,000th result.
"""

from fastapi import APIRouter

from sandbox.robin.envelope import render_error
from sandbox.robin.routes import events, free_busy, locations, organizations, spaces

PREFIX = "/v1.0"


def router() -> APIRouter:
    combined = APIRouter(prefix=PREFIX)
    for module in (organizations, locations, spaces, events, free_busy):
        combined.include_router(module.router)
    return combined


__all__ = ["PREFIX", "render_error", "router"]
