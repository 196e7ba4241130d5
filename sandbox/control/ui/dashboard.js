// The dashboard's behaviour: it polls the control plane's JSON endpoints and redraws what
// changed. Every value from the store is set as text, never as markup.
"use strict";

const root = document.body.dataset.root || "";
const pollMs = Number(document.body.dataset.poll) || 2000;
const $ = (selector) => document.querySelector(selector);
const state = { journalAfter: 0, journalRows: [], chosenEntry: null };

// A write of the control plane carries a JSON body or the X-Sandbox-Control header, which no page
// of another origin can send without the sandbox's consent (sandbox/control/guard.py).
async function call(method, path, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (method !== "GET") options.headers["X-Sandbox-Control"] = "1";
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(root + path, options);
  const text = await response.text();
  const data = text && (response.headers.get("content-type") || "").includes("json") ? JSON.parse(text) : text;
  if (!response.ok) {
    const detail = data && typeof data === "object" ? data.error || JSON.stringify(data) : text;
    throw new Error(`${method} ${path}: ${response.status} ${detail}`);
  }
  return data;
}

function say(text, failed = false) {
  const message = $("#message");
  message.textContent = text;
  message.className = failed ? "failed" : "";
}

// Runs `work`, then says what it did (the text it returns, else `done`), or why it failed.
async function act(work, done = "") {
  try {
    const said = await work();
    if (typeof said === "string") say(said);
    else if (done) say(done);
  } catch (error) {
    say(error.message, true);
  }
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (name === "style") Object.assign(node.style, value);  // CSSOM: the page allows no inline style markup
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function cell(value) {
  return element("td", { text: value === null || value === undefined ? "" : String(value) });
}

function replaceRows(table, rows) {
  const body = table.querySelector("tbody");
  body.replaceChildren(...rows);
}

function organization() {
  return $("#organization").value;
}

function timeOf(iso, timeZone) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone });
}

function stamp(iso) {
  return new Date(iso).toLocaleString([], { dateStyle: "short", timeStyle: "medium" });
}

// The organization's clock

async function refreshClock() {
  const clock = await call("GET", `/_sandbox/organizations/${organization()}/clock`);
  $("#clock-now").textContent = stamp(clock.now);
  $("#clock-mode").textContent = clock.mode;
  $("#clock-mode").className = `badge mode-${clock.mode}`;
  return clock;
}

function changeClock(action, body) {
  return act(async () => {
    await call("POST", `/_sandbox/organizations/${organization()}/clock/${action}`, body);
    await Promise.all([refreshClock(), refreshTimeline()]);
  }, `Clock: ${action}`);
}

// Buildings and the timeline of a day

function showBuildingsOf(organizationId) {
  let first = null;
  for (const option of $("#building").options) {
    option.hidden = option.dataset.organization !== organizationId;
    if (!option.hidden && first === null) first = option;
  }
  const chosen = $("#building").selectedOptions[0];
  if (first !== null && (!chosen || chosen.hidden)) $("#building").value = first.value;
}

async function refreshTimeline() {
  const building = $("#building").value;
  if (!building) return;
  const day = $("#day").value;
  const query = new URLSearchParams({ building_id: building });
  if (day) query.set("day", day);
  const timeline = await call("GET", `/_sandbox/timeline?${query}`);
  if (!day) $("#day").value = timeline.day;
  drawTimeline(timeline);
}

function drawTimeline(timeline) {
  const grid = $("#timeline-grid");
  const zone = timeline.building.time_zone;
  const start = Date.parse(timeline.start);
  const end = Date.parse(timeline.end);
  const span = end - start;
  const rows = [];
  const hours = element("div", { className: "hours" });
  for (let hour = 0; hour < 24; hour += 2) {
    hours.append(element("span", { text: `${String(hour).padStart(2, "0")}:00`, style: { left: `${(hour / 24) * 100}%` } }));
  }
  rows.push(element("div", { className: "row head" }, element("div", { className: "space", text: "Space" }), hours));
  let floor = null;
  for (const space of timeline.spaces) {
    if (space.floor && space.floor.name !== floor) {
      floor = space.floor.name;
      rows.push(element("div", { className: "row floor", text: floor }));
    }
    const track = element("div", { className: "track" });
    for (const booking of space.bookings) {
      const left = Math.max(0, (Date.parse(booking.start) - start) / span);
      const right = Math.min(1, (Date.parse(booking.end) - start) / span);
      const label = `${booking.title || "(no title)"} · ${timeOf(booking.start, zone)}–${timeOf(booking.end, zone)}`
        + ` · ${booking.status}${booking.organizer ? " · " + booking.organizer : ""}`;
      track.append(element("span", {
        className: `bar status-${booking.status}`, title: label,
        "data-robin-id": booking.robin_id, "data-kadence-id": booking.kadence_id, "data-status": booking.status,
        style: { left: `${left * 100}%`, width: `${Math.max(0.4, (right - left) * 100)}%` },
      }, element("span", { className: "label", text: booking.title || booking.status })));
    }
    const now = Date.parse(timeline.now);
    if (now >= start && now < end) {
      track.append(element("span", { className: "now", style: { left: `${((now - start) / span) * 100}%` }, title: "now" }));
    }
    // The space's id in each API, where its name is hovered: Robin's seat or space id, Kadence's ULID.
    const ids = `Robin ${space.kind === "desk" ? "seat" : "space"} ${space.id} · Kadence space ${space.ulid}`;
    rows.push(element("div", { className: "row", "data-space": space.id, "data-kadence-space": space.ulid },
      element("div", { className: "space", text: `${space.name}`, title: `${space.kind} · ${space.type || ""} · ${ids}` }), track));
  }
  grid.replaceChildren(...rows);
}

// The request journal

async function refreshJournal() {
  const found = await call("GET", `/_sandbox/journal?after=${state.journalAfter}&limit=200`);
  if (found.entries.length === 0) return;
  state.journalAfter = Math.max(state.journalAfter, ...found.entries.map((entry) => entry.id));
  state.journalRows = [...found.entries, ...state.journalRows].slice(0, 300);
  replaceRows($("#journal-table"), state.journalRows.map((entry) => {
    const row = element("tr", {
      className: `${entry.status === null || entry.status >= 400 ? "failed" : ""}${entry.id === state.chosenEntry ? " chosen" : ""}`,
      tabindex: "0", "data-entry": entry.id, onclick: () => showEntry(entry.id),
      onkeydown: (event) => { if (event.key === "Enter") showEntry(entry.id); },
    });
    row.append(cell(new Date(entry.at).toLocaleTimeString()), cell(entry.api), cell(entry.method),
      cell(entry.path + (entry.query ? "?" + entry.query : "")), cell(entry.status === null ? "dropped" : entry.status),
      cell(entry.duration_ms.toFixed(1)));
    return row;
  }));
}

function body(contentType, text) {
  if (text === null || text === undefined || text === "") return "(empty)";
  if ((contentType || "").includes("json")) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch (error) {
      return text;
    }
  }
  return text;
}

function headers(kept) {
  const lines = Object.entries(kept).map(([name, value]) => `${name}: ${value}`);
  return element("details", { className: "headers" },
    element("summary", { text: `Headers (${lines.length})` }), element("pre", { text: lines.join("\n") }));
}

function showEntry(id) {
  state.chosenEntry = id;
  for (const row of $("#journal-table").querySelectorAll("tr[data-entry]")) {
    row.classList.toggle("chosen", Number(row.dataset.entry) === id);
  }
  return act(async () => {
    const entry = await call("GET", `/_sandbox/journal/${id}`);
    $("#journal-detail").replaceChildren(
      element("h3", { text: `${entry.method} ${entry.path}${entry.query ? "?" + entry.query : ""} → ${entry.status ?? "dropped"}` }),
      element("p", { className: "hint", text: `${stamp(entry.at)} · ${entry.api} · ${entry.duration_ms.toFixed(1)} ms`
        + (entry.fault_id ? ` · fault rule #${entry.fault_id}` : "") + (entry.truncated ? " · bodies truncated" : "") }),
      element("h4", { text: `Request ${entry.request_content_type || ""}` }),
      headers(entry.request_headers),
      element("pre", { text: body(entry.request_content_type, entry.request_body) }),
      element("h4", { text: `Response ${entry.response_content_type || ""}` }),
      headers(entry.response_headers),
      element("pre", { text: body(entry.response_content_type, entry.response_body) }),
    );
  });
}

// Fault rules

async function refreshFaults() {
  const rules = await call("GET", "/_sandbox/faults");
  replaceRows($("#faults-table"), rules.map((rule) => {
    const row = element("tr", { "data-fault": rule.id });
    const organization = rule.organization ? rule.organization.name : "every";
    row.append(cell(rule.id), cell(organization), cell(rule.api), cell(rule.method), cell(rule.path), cell(rule.effect),
      cell(rule.status), cell(rule.latency_ms), cell(rule.remaining === null ? "every" : rule.remaining), cell(rule.hits),
      element("td", {}, element("button", { type: "button", text: "Delete", onclick: () => deleteFault(rule.id) })));
    return row;
  }));
}

function addFault(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const rule = { api: form.get("api"), method: form.get("method") || "*", path: form.get("path") || "*", effect: form.get("effect") };
  for (const name of ["status", "latency_ms", "times"]) {
    if (form.get(name)) rule[name] = Number(form.get(name));
  }
  return act(async () => {
    const added = await call("POST", "/_sandbox/faults", rule);
    await refreshFaults();
    return `Fault rule #${added.id} added`;
  });
}

function deleteFault(id) {
  return act(async () => {
    await call("DELETE", `/_sandbox/faults/${id}`);
    await refreshFaults();
  }, `Fault rule #${id} deleted`);
}

function clearFaults() {
  return act(async () => {
    await call("DELETE", "/_sandbox/faults");
    await refreshFaults();
  }, "Fault rules cleared");
}

// Export jobs

async function refreshExports() {
  const jobs = await call("GET", "/_sandbox/exports");
  replaceRows($("#exports-table"), jobs.map((job) => {
    const row = element("tr", { "data-export": job.id });
    const link = job.download ? element("a", { href: root + job.download, text: "Download CSV" }) : "";
    row.append(cell(job.id), cell(job.organization_id), cell(job.kind), cell(job.state + (job.error ? `: ${job.error}` : "")),
      cell(stamp(job.requested_at)), cell(job.row_count), element("td", {}, link));
    return row;
  }));
}

// Snapshots

async function refreshSnapshots() {
  const snapshots = await call("GET", "/_sandbox/snapshots");
  replaceRows($("#snapshots-table"), snapshots.map((snapshot) => {
    const row = element("tr", { "data-snapshot": snapshot.name });
    row.append(cell(snapshot.name), cell(stamp(snapshot.created_at)), cell(snapshot.rows),
      element("td", {}, element("button", { type: "button", text: "Restore", onclick: () => restoreSnapshot(snapshot.name) })));
    return row;
  }));
}

function saveSnapshot(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  return act(async () => {
    await call("POST", "/_sandbox/snapshots", { name: form.get("name"), replace: form.get("replace") === "on" });
    await refreshSnapshots();
  }, `Snapshot ${form.get("name")} saved`);
}

function restoreSnapshot(name) {
  return act(async () => {
    await call("POST", `/_sandbox/snapshots/${encodeURIComponent(name)}/restore`);
    await Promise.all([refreshClock(), refreshTimeline(), refreshExports()]);
  }, `Snapshot ${name} restored`);
}

// Polling

function quietly(refresh) {
  return act(refresh);
}

async function poll() {
  await Promise.all([refreshClock, refreshTimeline, refreshJournal, refreshFaults, refreshExports].map(quietly));
  setTimeout(poll, pollMs);
}

function start() {
  $("#organization").addEventListener("change", () => {
    showBuildingsOf(organization());
    $("#day").value = "";
    quietly(refreshClock);
    quietly(refreshTimeline);
  });
  $("#building").addEventListener("change", () => { $("#day").value = ""; quietly(refreshTimeline); });
  $("#day").addEventListener("change", () => quietly(refreshTimeline));
  $("#today").addEventListener("click", () => { $("#day").value = ""; quietly(refreshTimeline); });
  $("#clock-freeze").addEventListener("click", () => changeClock("freeze", {}));
  $("#clock-advance").addEventListener("click", () => changeClock("advance", { by: $("#clock-by").value.trim() }));
  $("#clock-resume").addEventListener("click", () => changeClock("resume"));
  $("#fault-form").addEventListener("submit", addFault);
  $("#faults-clear").addEventListener("click", clearFaults);
  $("#snapshot-form").addEventListener("submit", saveSnapshot);
  showBuildingsOf(organization());
  quietly(refreshSnapshots);
  poll();
}

start();
