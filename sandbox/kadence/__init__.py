"""Kadence Public API (1.1.0, with the 1.2.0 additions), served under /v1/public as JSON-LD with
Hydra collections, with OAuth2 client credentials at /oauth2/token.

LIMITATIONS (where the sandbox differs from the real API, or chose where the docs are silent):

- One port serves both hosts: the API paths `/v1/public/...` and the token path
  `/oauth2/token`, which the sandbox's OpenAPI document names as its `oauth` scheme's token URL
  (relative, so on the sandbox itself; Kadence's names `https://login.onkadence.co/oauth2/token`),
  and whose token request it documents form-encoded only, as RFC 6749 has it.
  Tokens last 3600 seconds on the organization's clock (so moving the clock expires them);
  `scope` may be omitted or `public`. Each API client acts for one user of its organization (the
  demo client for the demo administrator) and may do what an administrator may. Credentials
  come in the body or as HTTP Basic authentication. Bad client credentials answer 401
  `{"error": "invalid_client", "error_description", "message"}`; a missing or unsupported
  `grant_type` 400 `invalid_request` / `unsupported_grant_type`. A missing, unknown or expired
  bearer token answers 401 with the Hydra error body and `WWW-Authenticate: Bearer`.
- Another organization's items answer 404, exactly as items that don't exist.
- HEAD answers as GET without the body (405 where no GET is served), as Symfony's router does.
  A GET or HEAD of a path with trailing slashes that a route serves without them is moved for
  good (301), as Symfony's router moves it, to the path without them, its query kept, by an
  absolute URL under the sandbox's public URL (`SANDBOX_PUBLIC_URL`, never the request's
  Host); any other method finds nothing there (404).
- Responses are `application/ld+json` or `text/csv`, the two formats the document lists, as API
  Platform's negotiator picks between them: each takes the quality of the most specific part of
  the Accept header that names it (`*/*`, `text/*`, `application/*+json` included), the better
  wins and JSON-LD a tie, even at quality 0. Without an Accept header, JSON-LD. A part with
  parameters besides `q` names nothing (`text/csv; charset=utf-8`), and a header naming nothing
  offered (`application/json` alone, `application/hal+json`, `application/vnd.api+json`)
  answers 406 (`Requested format "application/json" is not supported. Supported MIME types
  are "application/ld+json", "text/csv".`), once the token is checked and before anything else
  is read or changed; `application/json, text/plain, */*` (axios) gets JSON-LD. CSV is what
  Symfony's CsvEncoder writes of API Platform's plain normalization: one row per item or
  collection member, without `@id`, `@type` or `@context`; nested objects and lists flattened
  to dotted columns (`space.floor.name`, `visitors.0.email`; an empty list gives no column);
  true as `1`, false as `0`, null as nothing; the header in the order the rows bring their
  keys; fields enclosed in quotes as PHP's fputcsv does (a space is enough); a collection
  without members an empty header and an empty row. Each `@context` IRI resolves to its
  JSON-LD context under /v1/contexts/, and their `@vocab` to the Hydra API documentation at
  /v1/docs.jsonld.
- Headers as API Platform's respond processor writes them: every answer carries
  `X-Content-Type-Options: nosniff`, `X-Frame-Options: deny` and `Link: <…/v1/docs.jsonld>;
  rel="http://www.w3.org/ns/hydra/core#apiDocumentation"` (an absolute URL); every answer but
  an error `Vary: Accept` (API Platform's error handler sends none). An item of the API (not a
  collection) names its IRI in `Content-Location`, and a 201 to a POST in `Location` too (a
  cancel, check-in or check-out answers the booking, and so locates it). Every item answer of
  a user (GET, PATCH, the photo upload) carries `Accept-Patch: application/merge-patch+json`.
- /v1/docs.jsonld is a Hydra `ApiDocumentation` as API Platform's normalizer writes it, built
  from the routes and the wire shapes: each resource class with its properties (their ranges
  from the shapes) and item operations, the entrypoint's class with each collection's
  operations and POSTs, and the constraint violation classes. Like the contexts it needs no
  token (API Platform's documentation route is outside its firewall) and is offered only as
  JSON-LD. Its `hydra:entrypoint`, /v1/, is not served.
- Every POST and PATCH reads a body, as API Platform deserializes them: a POST's must be
  `application/ld+json` or `application/json` (the document lists the latter; API Platform
  reads its configured input formats), a PATCH's `application/merge-patch+json`, the profile
  picture upload's `multipart/form-data`; parameters such as `; charset=utf-8` may follow, and
  media types are compared case for case, as API Platform compares them. Any other answers 415
  naming the supported ones (`The content-type "text/plain" is not supported. Supported MIME
  types are "application/ld+json", "application/json".`), and so does a POST or PATCH without a
  `Content-Type` (`The "Content-Type" header must exist.`), a cancel, check-in or check-out sent
  without a body included; an empty body of a supported type is read as no fields (the document
  marks those bodies optional). The 415 comes once the token is checked, before the Accept
  header is (API Platform reads the input format first) and before the item is looked up. The
  token endpoint takes forms and JSON alike. A body value of the wrong type answers 400; a
  missing, blank, too long or out-of-range value 422 with violations.
- Fields Kadence types as never null are left out when they have no value, as API Platform
  leaves out nulls: a booking's `checkedInDate`, `checkedInSource`, `checkedOutDate`,
  `checkOutSource` (until then), `selfCertifiedDate` and `selfCertifySource` (self-certification
  is not modelled); a building's `latitude`, `longitude`, `addressLine1`, `city` and
  `countryCode`; a user's `preferredFloor`. Fields the documents mark nullable are sent as null.
- Date-times in requests lie between the years 1900 and 9000; others answer 400, except in a
  date filter, where they stand for the nearer of the two. An occurrence's id that names a
  series id or an instant no occurrence can have (before 1900, more than two years after 9000)
  is 404, as any unknown id.
- After the token and the Accept header are checked, a NUL character in the query string
  answers 400 (a malformed request), one in a body 422 naming the field, as does a lone
  surrogate (`"\\ud800"`) in a body; at /oauth2/token either is an `invalid_request` naming the
  field, and HTTP Basic credentials holding a NUL an `invalid_client`. A path holding a NUL is
  404. A JSON body nested more than 64 levels deep answers 400, as one that can't be parsed
  (at /oauth2/token, `invalid_request`).
- A request body over `SANDBOX_MAX_BODY_BYTES` (10 MiB) answers 413 with the Hydra error body
  (at /oauth2/token, `invalid_request`) whatever the token, as a proxy in front of the API
  would, once its Content-Length or the chunks that arrived pass the limit. A body that has not
  arrived `SANDBOX_BODY_TIMEOUT` seconds (30) after the sandbox began reading it answers 408 in
  the same shape, and its connection is closed.
- Identifiers are ULID strings and relations IRIs, as Kadence's own examples show (the OpenAPI
  document types them as objects). Booking `space` embeds the space with its `floor` and
  `neighborhood`; `building` is an IRI. Timestamps are UTC with `+00:00`.
- Booking types come from the workplace: desks are `desk`; Robin space types `office` are
  `private_office`, `call` are `pod`, every other space a `room`; onsite passes `onsite`, and
  guest bookings (visits) `onsite` too, as a guest is booked into a building rather than a
  space (`space: null`). Locker and parking types exist in filters but the demo workplace has
  none.
- A booking is an event, a seat reservation, an onsite pass or a guest booking of the shared
  core, so bookings made through the Robin API appear here too (`source: unknown`; the demo
  fixture's are `web`; the Kadence API's `publicApi`). An occurrence of a recurring booking has
  its own ULID, which encodes the series and the occurrence's start.
- A guest booking (`guestBooking: true`) is a visit: `/visits/{id}` and `/bookings/{id}` read
  the same booking, with one id, interval, host (`userId`, and the user's bookings list it)
  and status. `hasGuests` is true for a guest booking with visitors besides its host, and for
  a room booking inviting someone whose email is no user's of the organization. Guest
  bookings take no onsite pass (`numPassesAvailable` counts onsite passes only), and the
  Robin API never shows them.
- Statuses: `booked`, `checkedIn`, `checkedOut`, `completed` (ended, not checked out),
  `cancelled` (by someone; `cancellationReason: byUser`) and `noCheckIn` for a booking
  auto-released because nobody checked in within its release window (`autoReleasedDate` and
  `cancelledDate` at the release moment, `cancellationReason: autoSpaceRelease`). A booking
  made after its release moment had passed (through the Robin API, which books in the past)
  is never released. `unknown` is never produced.
- Release windows come from the fixture, per building and booking type (`release_windows`,
  minutes), with a per-space override; without one, bookings are never released.
- Check-in opens 15 minutes before the start and needs status `booked`; check-out needs
  `checkedIn`; cancel is refused for `cancelled`, `noCheckIn`, `completed` and `checkedOut`.
  A refused transition answers 400 with the reason in `hydra:description`. Check-in and
  check-out require `userId`; `method` is one of doorAccess, wifi, geofence, sensor.
  `cancel` with a `userId` acts on that user's behalf: a member may cancel only their own
  bookings (403 otherwise).
- Creating a booking: invalid or missing fields answer 422 with `violations`; an unknown
  user, space or building in the body is a 422 naming the field. A `spaceId` may come with a
  `buildingId`, as the document's sample sends both: the space is booked when the building is
  its own, and a 422 on `buildingId` answers otherwise. A taken space, a person who
  already holds a desk (or an onsite pass) at that time, a full building, closed days, times
  outside opening hours and days past the booking horizon (14 days by default, today
  included) all answer 422, the reason in the violation's message. So does a start before
  today's bookable day, which begins at the start of the current minute on the organization's
  clock (422 on `startDateTime`): a start up to one minute earlier still is accepted, for a
  request that crossed a minute boundary on its way. Room bookings (room, pod, private office)
  need a `title`. Opening hours, closures, the horizon and the refusal of past starts apply to
  bookings made through this API only. Desk bookings also follow the desk's Robin policies (types
  allowed, maximum length, advance threshold, shared schedule). `onlineMeeting` is accepted
  and ignored: no online meetings are made, and bookings read `onlineMeeting: null`.
- Collections: `itemsPerPage` defaults to 50; more than 500 is read as 500 (bookings accept
  0, others at least 1, as the document bounds them). Both are cast to integers as API
  Platform's paginator casts them in PHP: `page=1.5` is page 1, `page=2abc` page 2, and
  `page=`, `page=abc` or any other text without a leading number page 0, which is a 400 (`Page
  should not be less than 1`), as is `itemsPerPage=-1` (`Limit should not be less than 0`),
  and `itemsPerPage=0` (or `abc`, or empty) with a page past the first (`Page should not be
  greater than 1 if limit is equal to 0`); a page past 1,000,000 is a 400 too. Bookings without
  a date filter reach 366 days either side of now; a one-sided date filter reaches 366 days
  from its bound. Date filters that reach more than 10,000 occurrences of one recurring booking
  answer 422 naming `startDateTime` (a series without end runs as far as they reach). The
  default order is by start. Date filters read their value as API Platform's DateFilter does,
  with PHP's DateTime, of which the sandbox reads: ISO 8601 dates and date-times (`T` or a
  space between them; seconds, a fraction, `Z`, an offset or a zone's name optional; a bare
  date is its midnight; a day past its month's end, up to 31, runs on into the next month),
  `@` and Unix seconds, and the words `now`, `today`, `midnight`, `noon`, `tomorrow` and
  `yesterday`, alone or with amounts such as `+1 day` or `2 hours ago` (amounts alone count
  from now), read on the organization's clock in UTC (a month or a year added keeps to the
  last day of a shorter month, where PHP runs on). A value without an offset is UTC. A value
  it can't read (`6 March`, `03/06/2026`, `2026-13-01`, a bare year) leaves its filter out, as
  API Platform does, rather than answering 400. `local_*` date filters read the value as a
  wall-clock time in each booking's building, any offset or zone in it ignored (a relative
  word gives the UTC wall clock). Unknown filters and `order[...]` fields are ignored. The
  deprecated `startDate`/`endDate`, Kadence's own filters rather than API Platform's, keep the
  document's YYYY-MM-DD (UTC days): another value is a 400.
- Bookable days list each day the building is open, from today through the booking horizon;
  today starts at its opening time or, once open, at the beginning of the current minute on
  the organization's clock (the earliest start a booking is accepted with).
  `/bookable-days/{id}` always answers 404 (days are not addressable). Bookable spaces list
  free, reservable, enabled spaces of `spaceType` (default `desk`) on the floor, ordered by
  name (on-demand spaces are left out, though they can be booked), and none at all when the
  building is closed then, the time starts earlier than a booking may or is past the horizon,
  or the user already holds a desk then. A bookable space's `@id` is
  `/v1/public/bookable-space/{id}`, as the document's example has it, a path that serves
  nothing (404). Onsite passes: `numPassesAvailable` is null for a building without an onsite
  capacity; from earlier than a booking may start, or past the booking horizon, it is 0 with
  reason `unknown`.
- Floors' `floorPlanUrl` points at an SVG the sandbox draws from the floor's spaces and desks
  (`/_sandbox/floor-plans/{id}.svg`, no token needed), an absolute URL under the sandbox's
  public URL, as the `Link` header and the contexts' `@vocab` are. Photos are always null.
  Each bookable space and desk on the plan (those `/spaces` lists) is a group
  `<g id="space::{type}::{id}">` (its booking type and id, as in Kadence's plans) whose fill
  its shape inherits; a page of any origin may read the plan, as it may call the API (CORS, narrowed
  or turned off by `SANDBOX_CORS_ORIGINS`).
- User PATCH changes the profile fields of the 1.2.0 document; blank names and invalid
  coordinates, country codes or time zones answer 422; a null `locationTimezone` resets it to
  UTC. A profile picture upload (multipart/form-data, the image in a field named `file` or the
  only file sent; PNG, JPEG, GIF or WebP, at most 5 MiB) is stored and moves `modifiedAt`; the
  User resource has no field that shows it.
- Visits and visitors come from the fixture; the visits API is read-only, and a visit is
  cancelled, checked in or out as its booking (`/bookings/{id}/cancel`, `check-in`,
  `check-out`). Its status is its booking's: checked in at its first visitor's arrival (or a
  check-in through the bookings API, whichever comes first), checked out at the last departure
  once everyone who came has left (or by a check-out), `completed` if someone came and stayed
  past its end, `noCheckIn` at its end if nobody came. Arrivals and departures the fixture
  places later than now don't show yet, on the visit or on its booking. A visit's `visitors`
  lists every attendee, its host first (status `organizer`), without the directory's fields
  (`visitCount` is null). The visitor directory lists everyone who came to a visit as a guest,
  counting and showing only the visits they came to as a guest (so its `status` filter never
  matches `organizer`); its building, status, visitStatus and date filters keep visitors with
  at least one such visit that meets them all.
- No rate limits and no webhooks (the document publishes neither). The control plane's fault
  rules can make requests fail: an `error` rule answers its status as a `hydra:Error` whose
  `hydra:description` is the rule's message (the status's reason phrase by default), a
  `rate_limit` rule 429 with `Retry-After` in the same body; on `/oauth2/token` both answer an
  OAuth error, `server_error` for 500 and `temporarily_unavailable` for 429 and other 5xx, and
  any other status `invalid_request`. A rule naming an organization matches the requests of its
  bearer tokens, never `/oauth2/token`, whose requests carry client credentials instead.
- A request the store is too busy for (every connection of its pool, or the writer, held by
  others for `SANDBOX_STORE_WAIT` seconds, 30 unless set) answers 503 with `Retry-After: 1`, as
  a `hydra:Error` (on `/oauth2/token` `temporarily_unavailable`), and writes nothing.
"""

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response

from sandbox.core.lifecycle import Status
from sandbox.kadence import hydra
from sandbox.kadence.deps import credential_organization, get_actor
from sandbox.kadence.hydra import CONTEXTS_PATH, PREFIX
from sandbox.kadence.ids import booking_id as occurrence_id
from sandbox.kadence.routes import API_ROUTES, contexts, documentation, oauth
from sandbox.kadence.words import STATUSES
from sandbox.routing import include_flat, refuse_unreadable_input, under

TOKEN_PATH = "/oauth2/"
PREFIXES = ("/v1/", TOKEN_PATH)
"""Every path the API answers under: PREFIX, CONTEXTS_PATH and the API documentation under the
first, the token endpoint under the second."""


OTHER_ROUTES = (contexts, documentation, oauth)
"""The route modules with paths of their own: JSON-LD contexts, the API documentation their
`@vocab` names, and the token endpoint."""


def include(app: FastAPI) -> None:
    """The API under PREFIX, and the contexts and the token endpoint beside it: each route
    route on the app itself (see `include_flat`)."""
    checked = [Depends(get_actor)]
    for module in API_ROUTES:
        include_flat(app, module.router, prefix=PREFIX, dependencies=checked)
    for module in OTHER_ROUTES:
        include_flat(app, module.router, dependencies=[Depends(refuse_unreadable_input)])


async def organization_of(request: Request) -> int | None:
    """The organization of the bearer token a request presents (`credential_organization`). The
    token endpoint takes client credentials, read from its body by its route: it names none."""
    if under(request.scope["path"], TOKEN_PATH):
        return None
    return await credential_organization(request)


def status_word(status: Status) -> str:
    """A booking's status as Kadence names it."""
    return STATUSES[status]


def render_error(request: Request, exc: Exception) -> Response:
    """A failure of the token endpoint as OAuth servers answer; any other as API Platform does."""
    if under(request.url.path, TOKEN_PATH):
        return oauth.render_error(request, exc)
    return hydra.render_error(request, exc)


__all__ = [
    "API_ROUTES",
    "CONTEXTS_PATH",
    "OTHER_ROUTES",
    "PREFIX",
    "PREFIXES",
    "TOKEN_PATH",
    "include",
    "occurrence_id",
    "organization_of",
    "render_error",
    "status_word",
]
