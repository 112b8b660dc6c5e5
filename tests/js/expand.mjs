// Expand an .ics feed with Mozilla's ical.js (the parser inside Thunderbird), to cross-check our Python expansion.
//
// Usage: node expand.mjs START END < feed.ics   (START/END: ISO instants, e.g. 2026-01-01T00:00:00Z)
// Prints JSON: [{uid, start_utc_iso, summary, recurrence_id}] for every occurrence starting in [START, END).
//
// How ical.js 2.x finds time zones: a DATE-TIME with TZID is resolved through the parsed VCALENDAR's own
// VTIMEZONE (Component.getTimeZoneByID); ICAL.TimezoneService is only the fallback, and a TZID it does not
// know either becomes floating. So the embedded zone is used without registering it; we still register it,
// as ical.js 1.x (and older Thunderbird code) needed, and refuse to print anything if a TZID ended up floating.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

// A moved occurrence can land up to this far from its original slot and still fall in the window.
const REACH_SECONDS = 400 * 24 * 3600;

function fail(message) {
  process.stderr.write(`expand.mjs: ${message}\n`);
  process.exit(2);
}

function utcIso(time) {
  // Seconds since the epoch through the time's own zone; ISO with a Z, no milliseconds.
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function checkZone(component, name) {
  const prop = component.getFirstProperty(name);
  if (!prop) return;
  const tzid = prop.getParameter("tzid");
  const value = prop.getFirstValue();
  if (tzid && value.zone.tzid !== tzid) {
    fail(`${name} TZID=${tzid} resolved to "${value.zone.tzid}" (no VTIMEZONE? it would float)`);
  }
}

const [startArg, endArg] = process.argv.slice(2);
if (!startArg || !endArg) fail("usage: node expand.mjs START END < feed.ics");
const windowStart = Date.parse(startArg) / 1000;
const windowEnd = Date.parse(endArg) / 1000;

const root = new ICAL.Component(ICAL.parse(readFileSync(0, "utf8")));
for (const vtimezone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(vtimezone);
}

// Group by UID ourselves: without options, ICAL.Event relates EVERY RECURRENCE-ID VEVENT in the
// calendar to the master, whatever its UID, so a move in one series could replace a slot of another.
const byUid = new Map();
for (const vevent of root.getAllSubcomponents("vevent")) {
  checkZone(vevent, "dtstart");
  checkZone(vevent, "recurrence-id");
  const uid = vevent.getFirstPropertyValue("uid");
  if (!byUid.has(uid)) byUid.set(uid, { masters: [], exceptions: [] });
  const group = byUid.get(uid);
  (vevent.hasProperty("recurrence-id") ? group.exceptions : group.masters).push(vevent);
}

const out = [];
function emit(uid, details) {
  const start = details.startDate.toUnixTime();
  if (start >= windowStart && start < windowEnd) {
    out.push({
      uid,
      start_utc_iso: utcIso(details.startDate),
      summary: details.item.summary,
      recurrence_id: details.recurrenceId ? utcIso(details.recurrenceId) : null,
    });
  }
}

for (const [uid, group] of byUid) {
  if (group.masters.length > 1) fail(`${uid} has ${group.masters.length} masters`);
  if (group.masters.length === 0) {
    // An orphaned override: show it as itself, as most clients do.
    for (const vevent of group.exceptions) {
      const event = new ICAL.Event(vevent);
      emit(uid, { startDate: event.startDate, item: event, recurrenceId: event.recurrenceId });
    }
    continue;
  }
  const event = new ICAL.Event(group.masters[0], { strictExceptions: true, exceptions: group.exceptions });
  if (!event.isRecurring()) {
    emit(uid, { startDate: event.startDate, item: event, recurrenceId: null });
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next; next = iterator.next()) {
    if (next.toUnixTime() > windowEnd + REACH_SECONDS) break;
    emit(uid, event.getOccurrenceDetails(next));
  }
}

out.sort((a, b) => (a.start_utc_iso + a.uid).localeCompare(b.start_utc_iso + b.uid));
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
