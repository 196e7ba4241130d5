"""Robin API v1.0, served under /v1.0 with Robin's envelope and Access-Token auth (a Bearer
credential, and an `access_token` query parameter, are read too, as the live API reads them).

LIMITATIONS (where the sandbox differs from the real API, or chose where the docs are silent):

- An organization is addressed by id or slug on every route below `/organizations/:id` (and
  the export routes); a user by id, email or slug (`/users/:id_or_slug_or_email`), a slug
  naming someone of the caller's organization.
- POST /auth/users signs in with `Authorization: Basic <base64 of email:password>` and an
  optional body `{"organization": <id or slug>, "remember_me"}`: every person's password is the
  sandbox's one (`SANDBOX_ROBIN_PASSWORD`, `sandbox` by default). It answers 200 with a new
  access token for that person, `{access_token, account_id (the organization), user_id,
  expire_at: null, created_at}`; wrong credentials, or an organization the person is not in,
  answer 401.
- Access tokens belong to a user of one organization; there are no organization-level
  integration tokens. Users belong to exactly one organization. `GET /auth` describes the
  token: `type` account, `type_id` the organization, `expire_at` null (tokens never expire),
  `scopes` basic_read and basic_write, and an `id` read from the token itself.
- DELETE of an event (or instance) cancelled or released already answers it as it is; a
  released occurrence stays released.
- `access_level` is 9001 for administrators and 1 for members.
- A conflicting booking answers 409 CONFLICT; `meta.errors[0]` has reason `event_conflict`
  and `details.event_id` names the event (or instance) it collides with.
- Business-rule refusals (too short, disabled space, too late to confirm, ...) answer
  400 with a `meta.errors` entry naming the reason; invalid fields answer 400 with
  `meta.message` "The posted data did not pass validation", one `meta.errors` entry per
  field: `{"domain": "validation", "reason": "required"|"invalid", "message", "field",
  "details": {"field"}}` (Robin's own example of this body is truncated), and `meta.more_info`
  mapping each field to its messages (`{"start": ["can't be blank"]}`), as the SDKs read it.
  Every other answer carries `more_info: {}`.
- A request without a usable Authorization header answers 401 before its body is read. A
  request that sends no Authorization header at all may carry its token in an `access_token`
  query parameter instead (signage pages poll so); the journal never keeps its value.
- A method a path does not serve answers 405 (`meta.status` METHOD_NOT_ALLOWED) with an
  `Allow` header listing the methods it does serve. DELETE /spaces/:id is not served. HEAD
  answers as GET without the body (405 where no GET is served). A GET or HEAD of a path with
  trailing slashes that a route serves without them is moved for good (301) there, its query
  kept, by an absolute URL under the sandbox's public URL (`SANDBOX_PUBLIC_URL`), as the
  Kadence API answers it; any other method finds nothing there (404).
- Request bodies are JSON sent as `application/json`, or a form (`application/x-www-form-urlencoded`)
  read as PHP reads one (`a[]=1` a list, `a[b]=1` an object, every value a string that
  validation reads as the field's type), of at most `SANDBOX_MAX_BODY_BYTES`
  (10 MiB); a larger one answers 413 REQUEST_ENTITY_TOO_LARGE whatever the credentials, as a
  proxy in front of the API would, once its Content-Length or the chunks that arrived pass it.
  A body that has not arrived `SANDBOX_BODY_TIMEOUT` seconds (30) after the sandbox began reading
  it answers 408 REQUEST_TIMEOUT and its connection is closed.
- A NUL character in a query value or a body field (JSON in any encoding), or a lone surrogate
  (`"\\ud800"`) in a body field, answers 400 naming the field, after the credentials are
  checked; a path holding a NUL answers 404. A JSON body nested more than 64 levels deep
  answers 400, as one that can't be parsed.
- Date-times in requests (`after`, `before`, bodies, free/busy bounds) lie between the years
  1900 and 9000; others answer 400 naming the field. An instance id naming an instant before
  1900 or more than two years after 9000 is 404.
- Ids are ASCII digits: other scripts' digits name nothing (404), and answer 400 in an id list.
- An event with no title gets "<space name> booked by <booker name>". Invitees carry a
  `display_name` only when their email belongs to a user (as in Robin's example response).
- All-day events are not modelled: `is_all_day` is always false, and a `date_time` without a
  time is midnight in its `time_zone`; `is_all_day: true` in a booking or a change answers 400
  naming `is_all_day`.
- Bookings (POST /spaces/:id/events and /events) take the deprecated `started_at` and `ended_at`
  (ISO-8601; without an offset in UTC) in place of `start` and `end`, as Robin's Java SDK sends
  them; where a bound is given both ways, `start` (or `end`) is read and the other ignored.
  Without a `start` object an event takes its space's location's time zone. A null field is an
  unset one (`invitees: null` invites nobody).
- `owner_ref` in a booking names its organizer: a user of the organization by id (a number or its
  digits) or slug (an email is read too), else 400 naming `owner_ref`. Only an administrator books
  for someone else (403 for a member), and stays the event's creator; the organizer may then
  change, cancel and confirm it as their own. PATCH does not change the organizer.
- PATCH /events/:id takes the whole event as its answer gives it: the fields it does not change
  (`id`, organizer and creator, `space_id`, `location`, `remote_*`, `creation_type`, `uid`,
  `series_id`, `recurrence_id`, `status`, `show_as`, `confirmation`, the invitees' own fields but
  `email`, `created_at`, `updated_at`, `owner_ref`) are ignored whatever they hold. A field naming
  the event's current value changes nothing: times, zone and rule as they are leave the
  occurrences and their confirmations alone, and `updated_at` moves only when something changed.
  Invitees are matched by email (in any case): those kept keep their ids and answers. PATCH
  takes `started_at` and `ended_at` too: where a bound is given both ways and `start` (or `end`)
  names its current value, the other is the change (a client that edits one sends the other
  back as it was); otherwise `start` (or `end`) is read.
- Recurrence: RRULE with FREQ DAILY, WEEKLY, MONTHLY or YEARLY (finer frequencies are
  refused), RDATE and EXDATE (UTC, floating or TZID values; VALUE=DATE). The event's start
  is always its first occurrence. Conflicts are checked for every occurrence of a new or
  changed series that starts within 366 days of the later of now and its start; later
  occurrences are listed but not conflict-checked (as Robin warns for far-future bookings).
  A series may have at most 1000 occurrences in that horizon, and a rule with COUNT must reach
  its count within 100,000 of its periods (a daily rule's 273 years).
- An event lasts more than 5 minutes and at most 366 days; at most 500 invitees.
- Abandoned-meeting protection (rooms) and check-in windows (desks) come from the workplace
  fixture: the space's or desk's `release_after_minutes` (0: never), else its building's
  `release_windows` for its kind (desk, room, pod for call spaces, private_office for offices).
  An occurrence nobody confirmed that many minutes after its start is released at that moment,
  if it was booked by then. A released event reads as
  `cancelled` and leaves every list; a released seat reservation no longer exists (404);
  either frees its space or seat, and can no longer be confirmed (`too_late_to_confirm_event`).
- Event lists default to `after` = now and `before` = a week after `after`.
  `/spaces/:id/events/upcoming` and `/me/events/upcoming` list the occurrences under way or
  starting within the next 366 days, the earliest first; `/spaces/:id/events/recent` and
  `/me/events/recent` those that have started (at or before now) within the last 366 days, the
  latest first, so that one under way is in both. Neither takes `after` or `before`; both page as
  usual, and leave out cancelled and released occurrences as every list does.
- DELETE /events/:id answers 200 with the event, its status now `cancelled`; repeating it
  changes nothing. Cancelled events stay readable by id and leave every list.
- Confirmation (check-in) opens 15 minutes before an occurrence starts (earlier:
  `too_early_to_confirm_event`) and closes when it ends (`too_late_to_confirm_event`); a series
  master can't be confirmed, only its instances. GET of an unconfirmed event's confirmation
  is 404. Who may confirm, or withdraw a confirmation, is who may change the event: its
  organizer, its creator or an administrator (403 for anyone else); only an administrator may
  confirm as someone else (`user_id`). A confirmation withdrawn after the release time leaves
  the occurrence booked: it was confirmed when its release time came, so it is never released.
- POST /events/:id/confirmation, with or without a body, answers as PUT does. Either takes the
  whole confirmation as Robin's Java SDK sends it, `{"event_id", "user_id", "device_id",
  "confirmed_at"}` with nulls: a null `user_id` confirms as the caller; `confirmed_at` is
  ignored (a confirmation is made when it arrives); an `event_id` (a string or a number) naming
  another event or instance than the path's answers 400 naming `event_id`.
- Space `behaviors` holds `scheduling` for a space that takes events (an on-demand one too:
  the sandbox books it like any other) and `seats` for one that holds desks (disabled ones
  included), in that order; the reference documents no values, and these are the ones clients
  select rooms and desk areas by. `is_dibsed` is false.
- Spaces take `include=calendar,space_amenities,amenities,location,state` (GET /spaces/:id,
  PATCH /spaces/:id, GET /locations/:id/spaces and /locations/:id/spaces/:space_id; free/busy's
  `included_submodels` as `space.<name>`); other names are ignored. `location` is the object
  GET /locations/:id answers, `state` the one GET /spaces/:id/state answers, at the request's
  now. GET /locations/:id/spaces/:space_id answers the space as GET /spaces/:id does, 404 for a
  space of another location.
- A space's calendar (GET /spaces/:id/calendar, and `include=calendar`) is the Google resource
  calendar its events are on: `calendar_id` and `space_resource_email` its address,
  `space_resource_id` `sandbox-space-<id>`, `created_at` the space's; push subscriptions are not
  modelled, so `subscriber_id` and `subscriber_expires_at` are null. A space that is never
  reserved has no calendar: GET /spaces/:id/calendar answers 404, and `include=calendar` null.
- Free/busy: bounds span at most 31 days; busy blocks merge overlapping and touching events;
  `specific_time` ranks spaces by the windows in which they are busy, then busy time;
  `flexible_time` by the windows without a free gap of `merge_threshold`, then free time;
  ties by name. Unknown ids in the scope answer 400 naming the field.
- `per_page` is at most 1000 (more reads as 1000, as `paging.per_page` then says), and no page
  reaches past the 100,000th result.
- A list parameter (`seat_ids`, `location_ids`, `type`, `include`, ...) takes comma-separated
  values, repeated keys and PHP's array forms (`seat_ids[]=1&seat_ids[]=2`, `seat_ids[0]=1`,
  brackets raw or percent-encoded), in any mix; a value that is not an id answers 400 naming
  the parameter. A query parameter sent without a value (`min_capacity=`) is read as absent.
- Query-string timestamps whose `+hhmm` offset arrived unencoded (as a space) are read as if
  the plus sign had been encoded.

Desks (seats):

- A seat's desk type is its `seat-reservation-types-allowed` setting (`["hoteled"]`, `["hot"]`,
  `["assigned"]`, `["assigned","shared"]`, `["hoteled","shared"]`); seats carry no other type
  field. GET /seats/:id/settings/:slug answers `{"seat_id", "slug", "value"}` for
  `seat-reservation-max-length` (ISO duration or null), `seat-reservation-types-allowed` and
  `seat-reservation-advanced-booking-threshold` (ISO duration or null); administrators change
  them with PUT and `{"value": ...}`. Unknown slugs are 404.
- POST /seats/:id/reservations answers 200 (as the live API does, although its docs say 201).
  `type` is required; `reservee` is `{email}` or `{user_id}` of a user of the organization
  (visitors are not modelled) and defaults to the caller, as does `reserver_id`. A member may
  reserve only for themselves.
- Which types a seat takes: `["hoteled"]` hoteled; `["hot"]` hot, made on the day it starts
  and ending that same day (in the building's zone); `["assigned"]` (deprecated) assigned, by
  the seat's assignee only (from the workplace fixture; this assignee holds the desk without a
  reservation); `["assigned","shared"]` `reverse_hoteled` only; `["hoteled","shared"]` `hoteled`
  or `reverse_hoteled`. `shared` is never reserved through POST /seats/:id/reservations (its
  refusal points to publish-shared-schedule). Reservations in the past are accepted.
- Shared assigned desks: a `shared` reservation assigns the desk to one person on weekdays
  (`RRULE:FREQ=WEEKLY;BYDAY=...;BYHOUR=0;BYMINUTE=0;BYSECOND=0`), each day an instance from
  midnight to midnight in the building's zone (a fixed 24 hours: on a day daylight-saving time
  begins or ends the instance ends an hour off midnight), with no end. Assignments are
  reservations like any other: listed by GET /reservations/seats, conflict-checked (another
  person's assigned day, or the assignee's reservation of another desk, answers 409), exported,
  counted in availability and space state, and never released unconfirmed. Several people may
  be assigned one desk on different days.
- POST /seats/:id/publish-shared-schedule `{"reservee": {"email"} or {"user_id"}, "recurrence":
  ["RRULE:FREQ=WEEKLY;BYDAY=MO,FR;BYHOUR=0;BYMINUTE=0;BYSECOND=0"]}` (administrators only; the
  desk must be `["assigned","shared"]` or `["hoteled","shared"]`) assigns the desk to that person
  on those days from today (the building's date), and answers the assignment (`end` null). It
  replaces the days the person was assigned that desk before: an earlier assignment keeps its
  days before today (its `end` then names its last day's end); one not begun yet is cancelled.
  An empty `recurrence` only ends the person's assignment and answers `data` null. Robin's
  request body for this endpoint is not documented; this one follows the reservation model.
- POST /reservations/seats/:id/exclusions, where :id is an instance of a `shared` reservation
  (one assigned day), excludes that day (by the assignee, the assignment's creator or an
  administrator; 403 for anyone else) and answers the instance. The day then leaves the lists,
  and others may reserve it as `reverse_hoteled` (and, on a `["hoteled","shared"]` desk,
  `hoteled`). An id of a whole assignment or of another reservation answers 400
  `exclusion_not_allowed`. A `reverse_hoteled` reservation must lie on excluded days (every day
  it touches, in the building's zone). An excluded day is recorded as that instance cancelled
  (DELETE of the instance does the same), and exports show it cancelled `manual`; it can't be
  reclaimed, and the 3-month limit of Robin's UI is not applied.
- Refusals by policy answer 400 with reason `seat_booking_policy_violation` and
  `details.policy`: `seat_reservation_types_allowed`, `seat_reservation_max_length`,
  `advanced_booking_threshold` (with `booking_threshold`), `hot_reservation_same_day`,
  `reverse_hoteled_on_exclusions` (with `day`), `shared_desk_schedule` (publishing on a desk
  that is not shared). Disabled or non-reservable seats answer 400
  with reason `seat_disabled` or `seat_not_reservable`. Overlaps answer 409: reason
  `seat_reservation_conflict` (the seat is taken) or `reservee_already_seated` (the person
  holds another seat then). The advance threshold is checked on the first occurrence of a
  series, every other rule on every occurrence within the 366-day horizon.
- DELETE /reservations/seats/:id (a series or one instance) answers 200 with `{}`; a cancelled
  reservation no longer exists (404), since the seat reservation model has no status.
- Seat confirmations follow the event rules (from 15 minutes before the start until the end;
  by the reservee, the reserver or an administrator, and as someone else by an administrator
  only) and the live API's refusal wording; `confirmed_at` is a serialized PHP DateTime.
- GET /reservations/seats takes `seat_ids`, `space_ids`, `level_ids`, `location_ids`,
  `zone_ids`, `user_ids` (reservees), `types` (reservation types; an unknown one answers 400),
  `after`, `before` (a week by default) and `include_disabled_seats` (default false).
- POST /organizations/:id/users invites (administrators only) one person, `{"email", "name"}`
  (the name defaults to the email's local part), or a list of them, answering the new user (or
  list) with 200: pending (`is_pending` true, email unverified) members of the organization,
  seen through both APIs. An email that belongs to someone already answers 409 with reason
  `already_a_member`. The SDKs' other user writes (PUT, PATCH and DELETE of
  /organizations/:id/users/:user_id) are not served: no document describes them.
  GET /organizations/:id/users/:user_id reads one of its people by id, slug or email (404 for
  anyone else).
- GET /organizations/:id/locations takes `query` (part of the name, ignoring case);
  GET /organizations/:id/users takes `query` (part of the name or email) and `ids`.
- GET /reservations/seats/:id/instances lists the live instances of a recurring seat reservation
  (an assignment's days too) that overlap `after`/`before` (defaulting as GET /reservations/seats
  does), earliest first and paged; cancelled, excluded and released days are left out. A
  reservation that does not recur, or an instance id, answers 400 `reservation_not_recurring`.
- GET /reservations/seats/:id/confirmation answers the confirmation as the PUT did, 404 until
  there is one; a series answers 400 `instance_required`, as the PUT does.
- GET /seats lists the organization's desks, enabled or not, by id, in the shape of GET
  /seats/:id (`include=space,zone`); `location_ids`, `level_ids`, `space_ids` and `zone_ids`
  (comma-separated or repeated, at most 1000 each) narrow it, each given to desks in any of its
  places. Ids naming nothing (or another organization's) match no desk; ids that are not ids
  answer 400 naming the field. GET /seats/:id/amenities answers the seat's `seat_amenities`
  items (`seat_id` where a space's have `space_id`), paged.

Analytics exports:

- POST /insights/exports/organizations/:id/spaces and /desks take `from` and `to` (at most 366
  days apart; without an offset in UTC, as the guide says, and a bare date at its midnight) and
  optional `location_ids`; administrators only. They answer 202 with `export_id` (= `report_id`,
  a UUID). More than 30 accepted requests in a minute (on the organization's clock) answer 429
  with `Retry-After` and reason `rate_limit_exceeded`. Unknown location ids are 400; another
  organization's are 403.
- GET /insights/exports/:id answers 404 until the export is generated and the processing
  delay (SANDBOX_EXPORT_DELAY_SECONDS, default 5, on the organization's clock) has passed, then
  200 `text/csv`. A row per event occurrence (or desk reservation occurrence) that starts in
  [from, to), cancelled and released ones included; the columns are those the export guide
  lists, in its order. Timestamps are UTC `YYYY-MM-DD HH:MM:SS`; booleans `true`/`false`;
  groups are joined with ", ". Attendees counts invitees who accepted. Minutes Delayed is how
  long after the start the occurrence was confirmed (0 when early). Cancellation Type is
  `manual` (cancelled through the API) or `automatic` (released unconfirmed). Hosting Calendar
  Email is the organizer's; Local Creator is the creator (every sandbox event is created
  locally). For desks, Creator is the reserver, Assignee the reservee, Desk Type the desk type
  joined with ",", and Bookable On Unassigned Days is false for assigned desk types. Each assigned
  day of a shared desk is a row (Type `shared`, its assignee under Assignee); the deprecated
  `["assigned"]` desks' assignees make none. Rows come in the order of their reservations' starts
  (a series' instances together). Only administrators may download an export.

Presence:

- POST /spaces/:id/presence and /locations/:id/presence take `user_id` or `device_id` (devices
  are not modelled: any id is accepted) and `session_ttl` (1 to 1200 s, default 30). A member
  reports only their own presence or a device's. GET lists live sessions (a location's list
  includes its spaces'); DELETE with `{user_id}` or `{device_id}` ends the live sessions at
  that place (a location's DELETE ends location-level sessions), 404 if none.
- POST and DELETE take `user_ref` in place of `user_id`, as Robin's Java SDK sends it: a user's
  id (a number or its digits) or slug (an email is read too). Both at once, or a `user_ref` naming
  nobody of the organization, answer 400 naming `user_ref`.
- GET /users/:id_or_slug_or_email/presence and GET /me/presence list the person's live sessions
  wherever they are in the organization (spaces and locations alike), in the order they began,
  with the item shape of GET /spaces/:id/presence; paged as usual. Anyone of the organization may
  read them. A user of another organization answers 403 (by id or email) or 404 (a slug names
  someone of the caller's organization only), as GET /users/:id does.
- Durations (policies, `merge_threshold`) are ISO-8601 weeks, days, hours, minutes and
  seconds; months and years, which have no fixed length, are refused.
- /spaces/:id/state: `present` counts the people and devices present; `availability` is
  `in_use` when someone is present or an occurrence under way is confirmed, `booked` during an
  occurrence and from 15 minutes before one starts ("imminently reserved": from when it may be
  checked in), else `available`. `next_busy_change` is when the run of back-to-back occurrences
  under way or imminent ends, else when the next one starts (a meeting's start, as a room
  display shows "available until" it, rather than the moment 15 minutes earlier it reads
  booked); null when nothing is booked within 366 days or the space is disabled. Free/busy
  `has_presence` is true while someone is present.
- The control plane's fault rules can make requests fail: an `error` rule answers its status in
  the envelope with the rule's message (the status's reason phrase by default) and no `errors`;
  a `rate_limit` rule answers 429 with `Retry-After` and a `usageLimits`/`rate_limit_exceeded`
  error, as the export rate limit does. A rule naming an organization matches the requests of
  its access tokens, given in the `Authorization` header or as `access_token`.
- A request the store is too busy for (every connection of its pool, or the writer, held by
  others for `SANDBOX_STORE_WAIT` seconds, 30 unless set) answers 503 with `Retry-After: 1` in
  the envelope, and writes nothing; what the live API answers when overloaded is not documented.
"""

from datetime import datetime

from fastapi import Depends, FastAPI

from sandbox.robin import ids
from sandbox.robin.deps import credential_organization as organization_of
from sandbox.robin.deps import get_actor
from sandbox.robin.envelope import render_error
from sandbox.robin.requests import FormBodiesMiddleware, PhpListsMiddleware
from sandbox.robin.routes import (
    events,
    free_busy,
    insights,
    locations,
    organizations,
    presence,
    seat_reservations,
    seats,
    sign_in,
    spaces,
)
from sandbox.routing import include_flat, refuse_unreadable_input
from sandbox.store.models import Reservation

PREFIX = "/v1.0"
PREFIXES = (PREFIX + "/",)
"""Every path the API answers under."""


def occurrence_id(reservation: Reservation, original_start: datetime | None) -> str:
    """The id Robin gives an occurrence: its reservation's, `_YYYYMMDDTHHMMSSZ` added for one of a
    series."""
    return ids.occurrence_id(reservation.id, original_start)


def include(app: FastAPI) -> None:
    """Every route on the app itself, under PREFIX (see `include_flat`); PHP-style array
    parameters read as lists (`PhpListsMiddleware`) and form bodies as JSON (`FormBodiesMiddleware`)."""
    checked = [Depends(get_actor)]
    app.add_middleware(PhpListsMiddleware, prefix=PREFIX + "/")
    app.add_middleware(FormBodiesMiddleware, prefix=PREFIX + "/")
    for module in (organizations, locations, spaces, events, free_busy, seats, seat_reservations, presence, insights):
        include_flat(app, module.router, prefix=PREFIX, dependencies=checked)
    include_flat(app, sign_in.router, prefix=PREFIX, dependencies=[Depends(refuse_unreadable_input)])


__all__ = ["PREFIX", "PREFIXES", "include", "occurrence_id", "organization_of", "render_error"]
