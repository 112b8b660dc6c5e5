"""The OpenAPI 3.1 description of the JSON API (v1), written by hand to match resources.py and v1.py exactly.

Pure: no Flask, no database. Objects are closed (`additionalProperties: false`), so a field added to a
response without being described here fails the schema tests. Enumerations come from the same lists the
search form uses. The empty string is listed where the form reads it as "any", because it is accepted.
"""

from __future__ import annotations

from typing import Any

from recovery_network import localzone
from recovery_network.api.resources import DAY_CODES
from recovery_network.meetings.kinds import KINDS

DAYS = list(DAY_CODES)
# As meetings.models.FREQUENCIES (which would bring the database in); tests/api/test_v1.py checks they agree.
FREQUENCIES = ("weekly", "fortnightly", "monthly")


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema that also allows null (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""
    return {"oneOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], description: str) -> dict[str, Any]:
    """A closed object whose every property is always present."""
    return {"type": "object", "description": description, "properties": properties,
            "required": list(properties), "additionalProperties": False}


def _ref(name: str) -> dict[str, str]:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with the venue's UTC offset."}
URL = {"type": "string", "format": "uri"}

VENUE = _object({
    "name": STRING, "address": STRING, "town": STRING, "postcode": STRING,
    "latitude": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
    "longitude": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
    "step_free": {"type": "boolean", "description": "Step-free access to the meeting room."},
    "accessibility": STRING, "directions": STRING,
}, "A community venue.")

OCCURRENCE = _object({
    "start": DATE_TIME, "end": DATE_TIME,
    "original_start": {**DATE_TIME, "description": "When the rule says it meets; differs from start if moved."},
    "cancelled": {"type": "boolean"}, "moved": {"type": "boolean"},
    "reason": {"type": "string", "description": "Why it was cancelled or moved; empty otherwise."},
    "venue": {**_nullable(_ref("Venue")), "description": "Where a moved date is held, if it moved venue."},
    "public_holiday": {**_nullable(STRING), "description": (
        "The public holiday's name when the date falls on one and the facilitator has not yet said it is on: "
        "check before travelling. Null otherwise.")},
}, "One date of a meeting, after cancellations and moves.")

SCHEDULE = _object({
    "rule": {"type": "string", "examples": ["Every Tuesday", "The 2nd Tuesday of each month"]},
    "frequency": {"type": "string", "enum": list(FREQUENCIES)},
    "day": {"type": "string", "enum": DAYS},
    "week_of_month": _nullable({"type": "integer", "enum": [1, 2, 3, 4, -1]}),
    "start_time": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "description": "Local wall-clock time."},
    "duration_minutes": {"type": "integer", "minimum": 15, "maximum": 720},
    "timezone": {"type": "string", "description": "An IANA time zone name."},
    "starts_on": {"type": "string", "format": "date"},
    "ends_on": _nullable({"type": "string", "format": "date"}),
    "session_count": _nullable({"type": "integer", "minimum": 1}),
}, "When the series meets, in the venue's local time.")

LINKS = _object({"self": URL, "html": URL, "ics": URL}, "This meeting in the API, on the site, and as iCalendar.")

MEETING_FIELDS: dict[str, Any] = {
    "slug": STRING,
    "name": STRING,
    "kind": {"type": "string", "enum": [k.code for k in KINDS]},
    "kind_name": STRING,
    "status": {"type": "string", "enum": ["active", "paused", "ended"]},
    "schedule": _ref("Schedule"),
    "venue": {**_nullable(_ref("Venue")),
              "description": "Null for a meeting held online only, and for a closed group (by referral)."},
    "listing": {"type": "string", "enum": ["open", "closed"],
                "description": "Closed groups are by referral: ask `referral_contact`; their address is not given."},
    "referral_contact": {**_nullable(STRING), "description": "Who to ask to be referred to a closed group."},
    "online_url": _nullable(URL),
    "updated_at": {"type": "string", "format": "date-time"},
    "links": _ref("Links"),
}

SUMMARY = _object({
    **MEETING_FIELDS,
    "distance_miles": {**_nullable({"type": "number", "minimum": 0}), "description": "From `near`, when given."},
    "next": {**_nullable(_ref("Occurrence")), "description": "The next date that is not cancelled."},
}, "A meeting in a list of results.")

DETAIL = _object({
    **MEETING_FIELDS,
    "description": STRING,
    "what_to_expect": STRING,
    "upcoming": {"type": "array", "items": _ref("Occurrence"), "maxItems": 6,
                 "description": "The next six dates, cancelled ones included."},
}, "One meeting in full.")

PAGE = _object({
    "meetings": {"type": "array", "items": _ref("MeetingSummary")},
    "page": {"type": "integer", "minimum": 1},
    "pages": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
    "total": {"type": "integer", "minimum": 0, "description": "Matches counted, up to a cap (1,000)."},
    "total_is_capped": {"type": "boolean", "description": "True when there are more matches than `total`."},
    "near": {**_nullable(_object({
        "label": STRING,
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
    }, "The search centre.")), "description": "Where `near` was placed; null without it."},
    "links": _object({"self": URL, "next": _nullable(URL), "prev": _nullable(URL)}, "Pages with the same filters."),
}, "One page of search results.")

PROBLEM = {
    "type": "object",
    "description": "An error (RFC 9457 problem details). Bad filters list a message per field in `errors`.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["type", "title", "status"],
    "additionalProperties": False,
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    """An optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description, **extra}


def _or_empty(schema: dict[str, Any], default: int) -> dict[str, Any]:
    """A number that may also be left empty ("radius=" from an untouched form field), meaning the default."""
    return {"anyOf": [schema, {"const": ""}], "default": default}


def _error(description: str) -> dict[str, Any]:
    """A problem details response."""
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    """A JSON response with a component schema."""
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


SEARCH_PARAMETERS = [
    _query("near", {"type": "string", "maxLength": 100},
           "A town, a postcode district or postcode, or coordinates \"56.39,-3.43\". Unknown places are a 400."),
    _query("radius", _or_empty({"type": "integer", "minimum": 1, "maximum": 100}, 10), "Miles from `near`."),
    _query("day", {"type": "array", "items": {"type": "string", "enum": ["", *DAYS]}},
           "Days of the week; repeat for several (day=tue&day=thu). An empty value is ignored, as for the other "
           "filters.", style="form", explode=True),
    _query("time", {"type": "string", "enum": ["", "morning", "afternoon", "evening"]},
           "Time of day the meeting starts; empty for any."),
    _query("type", {"type": "string", "enum": ["", *(k.code for k in KINDS)]}, "Kind of meeting; empty for any."),
    _query("mode", {"type": "string", "enum": ["", "in_person", "online"]}, "In person or online; empty for either."),
    _query("page", _or_empty({"type": "integer", "minimum": 1, "maximum": 1000}, 1), "Page of results."),
]


def _schedule() -> dict[str, Any]:
    """The Schedule schema, its time-zone example the network's own zone (TIMEZONE)."""
    zone = {**SCHEDULE["properties"]["timezone"], "examples": [localzone.name()]}
    return {**SCHEDULE, "properties": {**SCHEDULE["properties"], "timezone": zone}}


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Recovery Network meetings API",
            "version": "1.0.0",
            "description": "Read-only public SMART Recovery meetings, recovery cafés and groups in the community. "
                           "Sessions held in custody are never included. For meeting-finder apps, "
                           "/api/meetings.json serves the same public meetings in Meeting Guide format.",
        },
        "paths": {
            "/api/v1/meetings": {"get": {
                "operationId": "searchMeetings",
                "summary": "Find public meetings, nearest first when `near` is given.",
                "parameters": SEARCH_PARAMETERS,
                "responses": {"200": _ok("A page of meetings.", "SearchPage"),
                              "400": _error("A filter is invalid, or `near` names no place we know.")},
            }},
            "/api/v1/meetings/{slug}": {"get": {
                "operationId": "getMeeting",
                "summary": "One public meeting with its next six dates.",
                "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _ok("The meeting.", "Meeting"), "404": _error("No public meeting has this slug.")},
            }},
            "/api/v1/openapi.json": {"get": {
                "operationId": "getOpenAPI",
                "summary": "This document.",
                "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {
                    "schema": {"type": "object"}}}}},
            }},
        },
        "components": {"schemas": {
            "SearchPage": PAGE, "MeetingSummary": SUMMARY, "Meeting": DETAIL, "Schedule": _schedule(),
            "Occurrence": OCCURRENCE, "Venue": VENUE, "Links": LINKS, "Problem": PROBLEM,
        }},
    }
