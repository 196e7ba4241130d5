"""A test's handle on a running sandbox: where its APIs are, the demo credentials, and the
control plane (clock, faults, journal, snapshots).

It speaks HTTP through the standard library only, so that a project testing against the
sandbox needs no particular HTTP client; `urllib.request` is imported on first use to keep the
pytest plugin cheap to load.
"""

import json
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

ROBIN_TOKEN = "demo-robin-token"
ROBIN_MEMBER_TOKEN = "demo-robin-member-token"
KADENCE_CLIENT_ID = "demo-client"
KADENCE_CLIENT_SECRET = "demo-secret"
CONTROL_HEADERS = {"X-Sandbox-Control": "1"}
"""Sent with every call of the control plane: its writes without a JSON body need it."""
CLEAN_SNAPSHOT = "pytest-clean"
"""The snapshot of the state a test session starts from; every test starts from it again."""
PREFER_MARK = {"Prefer": "return=representation"}
"""Asks a reset to answer with the journal's mark, rather than with 204 and no body."""
TEST_BEGAN = "the test began"
"""The `sandbox` fixture's journal mark, as a failed verification names it."""


class SandboxError(Exception):
    """The sandbox could not be reached, or refused a call; the message says which and why."""


class Sandbox:
    """Base URLs, demo credentials and control helpers of one sandbox server.

    Clock helpers act on the demo organization (the one the demo credentials belong to) unless
    given `organization=`: an id, ULID or slug, as listed by `GET /_sandbox/organizations`.
    """

    robin_token = ROBIN_TOKEN
    robin_member_token = ROBIN_MEMBER_TOKEN
    kadence_client_id = KADENCE_CLIENT_ID
    kadence_client_secret = KADENCE_CLIENT_SECRET

    def __init__(self, url: str, *, in_process: bool, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.robin_url = f"{self.url}/v1.0"
        self.kadence_url = f"{self.url}/v1/public"
        self.token_url = f"{self.url}/oauth2/token"
        self.in_process = in_process
        """True when the plugin started this server itself, False when it was given SANDBOX_URL."""
        self.timeout = timeout
        self.organization = ""
        """The demo organization's id (as text), found once by `find_demo_organization`."""
        self.journal_mark: int | None = None
        """The journal id after which requests are the test's (`journal.mark()`): the `sandbox`
        fixture takes it as the test begins; None: every request the journal holds."""
        self.journal_since: str | None = None
        """The server's real time at the mark: what arrives from then on is the test's, whichever
        server process writes it and when."""
        self.journal_mark_name = "the mark"
        """What the mark is, as a failed verification names it."""
        self.slug = ""
        """A tenant's slug (its people's addresses are under it)."""
        self.made: dict[str, Any] = {}
        """What `POST /_sandbox/organizations` answered for a tenant: every credential it got."""
        self.tenant = False
        """True for a handle on an organization of its own (`new_tenant`): its credentials are
        that organization's, `restore_clean` resets only it, the journal counts only its requests,
        and the fault rules it adds and clears are its own."""

    def __repr__(self) -> str:
        return f"Sandbox({self.url!r}, in_process={self.in_process})"

    # Credentials

    @property
    def robin_headers(self) -> dict[str, str]:
        """The demo administrator's Robin header; a new dict each time, so a test may add to it."""
        return {"Authorization": f"Access-Token {self.robin_token}"}

    def kadence_token(self) -> str:
        """A new Kadence bearer token for the demo client. Tokens are part of the workplace, so
        one minted in an earlier test is gone after the restore; mint one per test."""
        status, answer = self._send(
            "POST",
            self.token_url,
            urlencode(
                {
                    "grant_type": "client_credentials",
                    "client_id": self.kadence_client_id,
                    "client_secret": self.kadence_client_secret,
                }
            ).encode(),
            "application/x-www-form-urlencoded",
        )
        if status != 200 or not isinstance(answer, dict) or "access_token" not in answer:
            raise SandboxError(f"POST {self.token_url} answered {status}: {answer!r}")
        return str(answer["access_token"])

    def kadence_headers(self) -> dict[str, str]:
        """A Kadence `Authorization` header with a freshly minted token."""
        return {"Authorization": f"Bearer {self.kadence_token()}"}

    # The clock of an organization

    def now(self, *, organization: str | int | None = None) -> datetime:
        """What time it is for the organization, as both APIs see it."""
        return _instant(self.control("GET", f"{self._organization(organization)}/clock"))

    def freeze(self, at: datetime | str | None = None, *, organization: str | int | None = None) -> datetime:
        """Stop the clock, where it is or at `at` (naive times are UTC); returns the new now."""
        body = None if at is None else {"at": _iso(at)}
        return _instant(self.control("POST", f"{self._organization(organization)}/clock/freeze", body))

    def set_time(self, at: datetime | str, *, organization: str | int | None = None) -> datetime:
        """Jump to `at`; a frozen clock stays frozen there, a running one runs on from it."""
        return _instant(self.control("POST", f"{self._organization(organization)}/clock/set", {"at": _iso(at)}))

    def advance(self, duration: timedelta | str, *, organization: str | int | None = None) -> datetime:
        """Move the clock forward by a timedelta or an ISO-8601 duration such as "PT2H"."""
        by = duration if isinstance(duration, str) else _iso_duration(duration)
        return _instant(self.control("POST", f"{self._organization(organization)}/clock/advance", {"by": by}))

    def resume(self, *, organization: str | int | None = None) -> datetime:
        """Back to real time."""
        return _instant(self.control("POST", f"{self._organization(organization)}/clock/resume"))

    # Faults, journal, snapshots

    def fault(self, **rule: Any) -> dict[str, Any]:
        """Add a fault rule (api, method, path, effect, latency_ms, status, message, retry_after,
        probability, times, organization, as `POST /_sandbox/faults` takes them); returns the
        stored rule. One naming an `organization` (id, ULID or slug) applies to the requests of
        that organization's credentials only; a tenant's handle names its own unless told another,
        so that its rules touch no other test process's requests and go with its reset."""
        if rule.get("organization") is None and self.tenant:
            rule["organization"] = self.organization
        if rule.get("organization") is not None:
            rule["organization"] = str(rule["organization"])
        stored: dict[str, Any] = self.control("POST", "faults", rule)
        return stored

    def clear_faults(self, organization: str | int | None = None) -> None:
        """Remove every fault rule, or those naming `organization` (id, ULID or slug); a tenant's
        handle removes its own unless told another."""
        self.control("DELETE", "faults" + _organization_query(self._own(organization)))

    def clear_journal(self, organization: str | int | None = None) -> None:
        """Empty the request journal, or remove the requests of `organization`'s credentials; a
        tenant's handle removes its own unless told another."""
        self.control("DELETE", "journal" + _organization_query(self._own(organization)))

    def _own(self, organization: str | int | None) -> str | int | None:
        """`organization`, else a tenant's own: what a tenant's handle acts on where none is named."""
        return self.organization if organization is None and self.tenant else organization

    @property
    def journal(self) -> "RequestJournal":
        """The requests this sandbox received: `journal(**filters)` lists them,
        `journal.count(...)` and `journal.assert_requested(...)` verify them."""
        return RequestJournal(self)

    def save_snapshot(self, name: str) -> None:
        """Save the workplace under `name`, over any snapshot of that name: snapshots outlive
        the test that saved them."""
        self.control("POST", "snapshots", {"name": name, "replace": True})

    def restore_snapshot(self, name: str) -> None:
        self.control("POST", f"snapshots/{quote(name, safe='')}/restore")

    def reset(self) -> None:
        """The whole store back to what it was seeded with (not to the session's clean state)."""
        self.control("POST", "reset")

    def restore_clean(self, *, mark: str | None = None) -> None:
        """Back to the state the session started from: the workplace and its clocks, with no
        fault rules and an empty journal. The `sandbox` fixture calls it before every test. On a
        tenant: that organization reset to its template and its own fault rules removed, every
        other organization left as it is (the journal is counted from the test's mark instead).

        Given `mark`, the journal is counted from the restore on, as `journal.mark(mark)` counts
        it: from the mark the restore or reset answers with, in the same call."""
        if self.tenant:
            reset = f"organizations/{quote(self.organization, safe='')}/reset?clear=faults"
            answer = self.control("POST", reset, headers=None if mark is None else PREFER_MARK)
        else:
            answer = self.control("POST", f"snapshots/{quote(CLEAN_SNAPSHOT, safe='')}/restore?clear=faults&clear=journal")
        if mark is None:
            return
        journal = answer.get("journal_mark") if isinstance(answer, dict) else None
        if journal is None:  # A server of a version whose resets and restores answer no mark.
            self.journal.mark(mark)
            return
        self.journal.mark_at(journal["after"], journal["since"], mark)

    # Tenants

    def new_tenant(self, *, slug: str | None = None, **options: Any) -> "Sandbox":
        """A handle on a new organization of its own, copied from the seed's first organization
        (or as `options` say: template, name, clock, as `POST /_sandbox/organizations` takes
        them), with its own credentials; `drop()` it when done."""
        body = {**options, **({"slug": slug} if slug else {})}
        made = self.control("POST", "organizations", body)
        handle = Sandbox(self.url, in_process=self.in_process, timeout=self.timeout)
        handle.tenant = True
        handle.organization = str(made["id"])
        handle.slug = made["slug"]
        tokens = made["robin"]["access_tokens"]
        admin = next((token for token in tokens if token["role"] == "admin"), tokens[0] if tokens else None)
        member = next((token for token in tokens if token["role"] != "admin"), None)
        if admin is not None:
            handle.robin_token = admin["access_token"]
        if member is not None:
            handle.robin_member_token = member["access_token"]
        clients = made["kadence"]["clients"]
        if clients:
            handle.kadence_client_id = clients[0]["client_id"]
            handle.kadence_client_secret = clients[0]["client_secret"]
        handle.made = made
        return handle

    def drop(self) -> None:
        """Drop this handle's organization (a tenant's only), and everything it owns."""
        if not self.tenant:
            raise SandboxError("only a tenant's handle (new_tenant) drops its organization")
        self.control("DELETE", f"organizations/{quote(self.organization, safe='')}")

    def control(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, *, headers: Mapping[str, str] | None = None
    ) -> Any:
        """Call `/_sandbox/{path}` with a JSON body, or with the X-Sandbox-Control header that a
        write without one needs, and `headers` beside; returns the decoded answer, None when
        empty. Raises SandboxError on any status of 400 and above."""
        url = f"{self.url}/_sandbox/{path}"
        payload = None if body is None else json.dumps(body).encode()
        status, answer = self._send(method, url, payload, "application/json", {**CONTROL_HEADERS, **(headers or {})})
        if status >= 400:
            error = answer.get("error", answer) if isinstance(answer, dict) else answer
            raise SandboxError(f"{method} {url} answered {status}: {error}")
        return answer

    # Plumbing

    def find_demo_organization(self) -> None:
        """Learn which organization the demo credentials belong to (its id differs between
        presets and fixtures), once, through Robin's `/me/organizations`."""
        status, answer = self._send("GET", f"{self.robin_url}/me/organizations", None, None, self.robin_headers)
        try:
            self.organization = str(answer["data"][0]["id"])
        except (TypeError, KeyError, IndexError):
            raise SandboxError(
                f"GET {self.robin_url}/me/organizations with the demo token answered {status}: {answer!r}; "
                "the sandbox must be seeded with the demo credentials"
            ) from None

    def _organization(self, organization: str | int | None) -> str:
        key = self.organization if organization is None else str(organization)
        return f"organizations/{quote(key, safe='')}"

    def _send(
        self,
        method: str,
        url: str,
        payload: bytes | None,
        content_type: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Any]:
        from urllib.error import HTTPError, URLError
        from urllib.request import Request, urlopen

        request = Request(url, data=payload, method=method, headers=dict(headers or {}))
        if payload is not None and content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return response.status, _decoded(response.read())
        except HTTPError as error:
            with error:
                return error.code, _decoded(error.read())
        except (URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise SandboxError(f"{method} {url} failed: {reason}") from None


class RequestJournal:
    """The request journal of a sandbox, from its mark on (`Sandbox.journal_mark`: the start of
    the test, for the `sandbox` fixture), as WireMock's request verification reads it.

    Criteria: `api` ("robin" or "kadence"), `method`, `path` (a shell-style pattern, `*`
    crossing `/`), `organization` (an id, ULID or slug) and `body` (a JSON value the request
    body holds: each member given, at any depth; see `POST /_sandbox/journal/verify`).
    `after` (a journal id) replaces the mark.
    """

    SETTLE = 1.0
    """Seconds to wait for requests still to be journaled: a server records a request as its
    answer ends, and one of several processes writes its entries every 0.2 s."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def __call__(self, **filters: Any) -> list[dict[str, Any]]:
        """Requests since the mark, newest first, filtered like `GET /_sandbox/journal` (api,
        method, status, path, organization, after, limit)."""
        if filters.get("after") is None:
            filters["after"] = self.sandbox.journal_mark
            filters.setdefault("since", self.sandbox.journal_since)
        if filters.get("organization") is None and self.sandbox.tenant:
            filters["organization"] = self.sandbox.organization
        query = urlencode({name: value for name, value in filters.items() if value is not None})
        entries: list[dict[str, Any]] = self.sandbox.control("GET", "journal" + (f"?{query}" if query else ""))["entries"]
        return entries

    def _own_organization(self) -> str | None:
        """A tenant's handle counts its own organization's requests only: other processes share the server."""
        return self.sandbox.organization if self.sandbox.tenant else None

    def mark(self, name: str = "the mark") -> int:
        """Count only the requests from now on; returns the mark, the newest journal id (0 for
        an empty journal, whose ids go on from where they were). The server's time is kept with
        it: a request served before the mark that a server of several processes writes after it
        is not counted. `name` says what it marks in a failure's message."""
        answer = self.sandbox.control("GET", "journal?limit=1")
        newest = answer["entries"]
        return self.mark_at(newest[0]["id"] if newest else 0, answer["now"], name)

    def mark_at(self, after: int, since: str, name: str) -> int:
        """Count only the requests after entry `after` that arrived from `since` on (a mark the
        server gave, as a restore answers with it); returns `after`."""
        self.sandbox.journal_mark, self.sandbox.journal_since, self.sandbox.journal_mark_name = after, since, name
        return after

    def count(self, **criteria: Any) -> int:
        """How many requests since the mark meet every criterion given."""
        count: int = self.verify(**criteria)["count"]
        return count

    def verify(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        api: str | None = None,
        body: Any = None,
        organization: str | int | None = None,
        after: int | None = None,
        limit: int = 10,
    ) -> dict[str, Any]:
        """What `POST /_sandbox/journal/verify` answers: `count`, `considered`, the newest
        `limit` matching `entries` (with headers and bodies) and `near_misses`."""
        criteria = {
            "method": method,
            "path": path,
            "api": api,
            "body": body,
            "organization": str(organization) if organization is not None else self._own_organization(),
            "after": self.sandbox.journal_mark if after is None else after,
            "since": self.sandbox.journal_since if after is None else None,
            "limit": limit,
        }
        answer: dict[str, Any] = self.sandbox.control(
            "POST", "journal/verify", {name: value for name, value in criteria.items() if value is not None}
        )
        return answer

    def assert_requested(self, *, times: int | None = 1, **criteria: Any) -> list[dict[str, Any]]:
        """Assert that `times` requests since the mark (at least one for None) meet every
        criterion given; returns them, newest first, with their headers and bodies. Waits up to
        SETTLE seconds for requests still to be journaled while there are too few. The failure
        lists the near misses: each request that meets every criterion but one, and what differed."""
        __tracebackhide__ = True  # The failure is the caller's: pytest shows its line, not this one.
        if times is not None and times < 0:
            raise ValueError(f"times must be 0 or more, or None for at least once, not {times}")
        least = 1 if times is None else times
        limit = max(10, least + 1)
        deadline = time.monotonic() + self.SETTLE
        answer = self.verify(limit=limit, **criteria)
        while answer["count"] < least and time.monotonic() < deadline:
            time.sleep(0.02)
            answer = self.verify(limit=limit, **criteria)
        if answer["count"] < least or (times is not None and answer["count"] > times):
            raise AssertionError(self._failure(times, criteria, answer))
        entries: list[dict[str, Any]] = answer["entries"]
        return entries

    def _failure(self, times: int | None, criteria: dict[str, Any], answer: dict[str, Any]) -> str:
        after = criteria.get("after")
        mark = self.sandbox.journal_mark
        if after is not None:
            since = f"after journal entry {after}"
        elif mark is not None:
            since = f"since {self.sandbox.journal_mark_name}"
        else:
            since = "in the journal"
        wanted = "at least 1 request" if times is None else f"{times} request{'' if times == 1 else 's'}"
        found = f"found {answer['count']} among the {answer['considered']} requests {since}"
        lines = [f"expected {wanted} matching {_described(criteria)}; {found}"]
        if answer["count"] and times is not None and answer["count"] > times:
            lines.append("Matching, newest first:")
            lines.extend(f"  {_request(entry)}" for entry in answer["entries"])
        if answer["near_misses"]:
            lines.append("Near misses, newest first (each meets every criterion but one):")
            lines.extend(f"  {_request(miss['entry'])}: {miss['reason']}" for miss in answer["near_misses"])
        elif answer["count"] < (times or 1):
            lines.append("No request meets every criterion but one.")
        return "\n".join(lines)


def _organization_query(organization: str | int | None) -> str:
    return "" if organization is None else "?" + urlencode({"organization": str(organization)})


def _described(criteria: dict[str, Any]) -> str:
    """The criteria of a verification, as a failure shows them."""
    method = criteria.get("method")
    described = f"{method.upper() if method else 'any method'} {criteria.get('path') or 'on any path'}"
    for name in ("api", "organization"):
        if criteria.get(name) is not None:
            described += f", {name} {criteria[name]}"
    if criteria.get("body") is not None:
        body = json.dumps(criteria["body"], ensure_ascii=False)
        described += f", body {body if len(body) <= 200 else body[:199] + '…'}"
    return described


def _request(entry: Mapping[str, Any]) -> str:
    query = f"?{entry['query']}" if entry.get("query") else ""
    status = "dropped" if entry["status"] is None else entry["status"]
    return f"{entry['method']} {entry['path']}{query} → {status} (journal entry {entry['id']})"


def _decoded(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _instant(clock: Any) -> datetime:
    return datetime.fromisoformat(clock["now"])


def _iso(at: datetime | str) -> str:
    return at if isinstance(at, str) else at.isoformat()


def _iso_duration(duration: timedelta) -> str:
    """A timedelta as the control plane reads it: whole seconds, or at most six decimals."""
    seconds = duration.total_seconds()
    return f"PT{int(seconds)}S" if seconds.is_integer() else "PT" + f"{seconds:.6f}".rstrip("0") + "S"
