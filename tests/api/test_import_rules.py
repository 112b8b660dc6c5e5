"""The importer keeps the posting form's rules: clock changes, midnight, kinds and links, all or nothing.

Each rule is tried through the service (plan_import, apply_plan) and through `flask import-meetings`, and the
form is asked the same question, so the two can never drift apart again.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from recovery_network.api.import_service import CREATE, REJECTED, ImportRefused, apply_plan, plan_import
from recovery_network.api.importer import parse_records, read_records
from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.meetings.forms import MeetingForm
from recovery_network.meetings.models import Meeting
from recovery_network.venues.models import Area, Venue
from tests.api.test_import import PERTH, run, write

NOVEMBER = date(2026, 11, 1)  # the import's date in service tests: after the autumn change, before the spring one
SUNDAY = 0  # Meeting Guide counts from Sunday

# (fields of a row, the row's reason, the form's field and message): one rule each, the same words both ways.
BROKEN = [
    ({"day": SUNDAY, "time": "01:30", "end_time": "02:30"},
     "time: 01:30 does not exist on Sunday 28 March 2027: the clocks go forward that night. Choose another time.",
     "start_time", "01:30 does not exist on Sunday 28 March 2027"),
    ({"day": SUNDAY, "time": "01:15", "end_time": "02:15", "types": ["SMART", "RN-MONTHLY"],
      "notes": "The last Sunday of each month — check the dates: https://example.org/x"},
     "time: 01:15 does not exist on Sunday 28 March 2027", "start_time", "01:15 does not exist"),
    ({"day": 2, "time": "23:00", "end_time": "00:30"},
     ("end_time (90 minutes after time 23:00): Starting at 23:00, it would end at 00:30 the next day. "
      "A meeting must end by midnight"), "duration_minutes", "it would end at 00:30 the next day"),
    ({"day": 2, "time": "18:30", "end_time": "18:35"},
     "end_time (5 minutes after time 18:30): Between 15 and 720 minutes.", "duration_minutes",
     "Between 15 and 720 minutes."),
    ({"conference_url": "http://zoom.us/j/1"}, "conference_url: The online link must start with https://",
     "online_url", "The online link must start with https://"),
    ({"conference_url": "https://[::1"}, "conference_url: That doesn't look like a web address.",
     "online_url", "That doesn't look like a web address."),
    ({"conference_url": "https://zoom.us/j/1 passcode 4411"}, "conference_url: That doesn't look like a web address.",
     "online_url", "That doesn't look like a web address."),
]
REPEATED = ({"day": SUNDAY, "time": "01:30", "end_time": "02:30"},
            "time: 01:30 happens twice on Sunday 31 October 2027: the clocks go back that night")


def record(**fields) -> dict:
    """A valid Tuesday evening row at Perth Hall, with the given fields changed."""
    return {"name": "Tuesday group", "slug": "tue", "day": 2, "time": "18:30", "end_time": "20:00",
            "types": ["SMART"], **PERTH, **fields}


def plan(records: list[dict], starts_on: date = NOVEMBER):
    """What the service plans for these rows, read as a JSON feed is."""
    parsed = parse_records(read_records(json.dumps(records).encode()))
    return plan_import(parsed, source="test-feed", area_slug="fife", area_name="Fife", starts_on=starts_on)


def counts() -> tuple[int, ...]:
    """Series, venues, areas and audit rows: a run that writes nothing leaves all four alone."""
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (Meeting, Venue, Area, AuditEvent))


@pytest.mark.parametrize(("fields", "reason", "field", "message"), BROKEN)
def test_the_service_rejects_what_the_form_refuses_with_a_reason_per_row(app_ctx, fields, reason, field, message):
    """The row is rejected with the feed's key and the form's words; applying the plan writes nothing."""
    found = plan([record(name="Fine", slug="fine"), record(**fields)])
    assert [e.action for e in found.entries] == [CREATE, REJECTED]
    assert reason in found.entries[1].reason
    before = counts()
    with pytest.raises(ImportRefused):
        apply_plan(found)
    db.session.rollback()
    assert counts() == before


@pytest.mark.parametrize(("fields", "reason", "field", "message"), BROKEN)
def test_the_form_refuses_the_same_series_beside_the_field(app, make_venue, fields, reason, field, message):
    """One set of rules: the posting form says the same thing beside its own field."""
    hall = make_venue(name="Perth Hall")
    weekday = (fields.get("day", 2) - 1) % 7
    data = {"title": "Tuesday group", "kind": "smart", "venue_id": hall.id, "frequency": "weekly",
            "weekday": weekday, "week_of_month": 1, "start_time": fields.get("time", "18:30"),
            "duration_minutes": {"02:30": 60, "02:15": 60, "00:30": 90, "18:35": 5}.get(fields.get("end_time"), 90),
            "starts_on": NOVEMBER.isoformat(), "online_url": fields.get("conference_url", ""),
            "facilitators_needed": 1, "mentors_needed": 0}
    if "RN-MONTHLY" in fields.get("types", []):
        data |= {"frequency": "monthly", "week_of_month": -1}
    with app.test_request_context(method="POST", data=data):
        form = MeetingForm(venues=[hall], meta={"csrf": False})
        assert not form.validate()
        assert any(message in m for m in form[field].errors), form.errors


def test_a_time_repeated_in_october_is_rejected(app_ctx):
    """From April the first change a Sunday 01:30 series meets is in October, when 01:30 comes twice."""
    fields, reason = REPEATED
    (entry,) = plan([record(**fields)], starts_on=date(2027, 4, 1)).entries
    assert (entry.action, reason in entry.reason) == (REJECTED, True), entry.reason


def test_a_tuesday_0130_and_a_meeting_ending_at_midnight_are_imported(app_ctx):
    """Only series that meet on a clock change at a changed time are refused; midnight is the same evening."""
    found = plan([record(slug="night", time="01:30", end_time="02:30"),
                  record(slug="late", time="23:00", end_time="00:00")])
    assert [e.action for e in found.entries] == [CREATE, CREATE]
    apply_plan(found)
    durations = {m.import_slug: m.duration_minutes for m in db.session.scalars(select(Meeting))}
    assert durations == {"night": 60, "late": 60}


def test_an_existing_series_is_checked_on_its_own_dates(app_ctx):
    """A re-import moving a series to Sunday 01:30 is rejected and the series is left as it was."""
    apply_plan(plan([record()]))
    db.session.commit()
    found = plan([record(day=SUNDAY, time="01:30", end_time="02:30")])
    (entry,) = found.entries
    assert entry.action == REJECTED and "does not exist on Sunday 28 March 2027" in entry.reason
    meeting = db.session.scalar(select(Meeting))
    assert (meeting.weekday, f"{meeting.start_time:%H:%M}") == (1, "18:30")


@pytest.mark.parametrize(("types", "kind"), [
    (["O", "D"], "mutual-aid"),  # AA: open, discussion
    (["C", "ST", "X"], "mutual-aid"),  # AA: closed, step study
    ([], "mutual-aid"),
    (["SMART"], "smart"),
    (["smart"], "smart"),  # a sheet's lower case
    ("SMART Recovery, X", "smart"),  # a sheet spelling our type out
    (["SMART-FF"], "family"),
    (["RN-COURSE"], "programme"),
])
def test_a_kind_is_ours_only_when_the_source_says_so(app_ctx, types, kind):
    """AA and NA codes are not SMART Recovery: they become the neutral mutual-aid kind, with a warning."""
    found = plan([record(types=types)])
    apply_plan(found)
    assert db.session.scalar(select(Meeting.kind)) == kind
    if kind == "mutual-aid":
        assert any("imported as a mutual-aid meeting, not SMART Recovery" in w for w in found.entries[0].warnings)


def test_a_mutual_aid_meeting_is_never_exported_as_smart(app_ctx, client):
    """The round trip keeps it neutral: our Meeting Guide feed gives it no SMART type."""
    apply_plan(plan([record(types=["O", "D"])]))
    db.session.commit()
    (listed,) = client.get("/api/meetings.json").get_json()
    assert "SMART" not in listed["types"]


def test_an_unrecognised_video_service_is_imported_with_the_forms_warning(app_ctx):
    """Finders call such a link inactive: the form warns and saves, and so does the import."""
    found = plan([record(conference_url="https://meet.example.org/sun")])
    (entry,) = found.entries
    assert entry.action == CREATE
    assert any("don't recognise meet.example.org" in w for w in entry.warnings)


@pytest.mark.parametrize(("fields", "reason", "field", "message"), BROKEN)
def test_the_command_rejects_the_row_and_writes_nothing(app_ctx, runner, tmp_path, fields, reason, field, message):
    """Through `flask import-meetings`: the row's reason is printed and not one row, venue or area is written."""
    path = write(tmp_path, [record(name="Fine", slug="fine"), record(**fields)])
    before = counts()
    result = run(runner, path)
    assert result.exit_code == 1
    # The command imports from today, so the clock change it meets may be a later one than the service test's.
    assert reason.split(" on Sunday")[0] in result.output
    assert "Nothing imported: 1 row rejected." in result.output
    db.session.remove()
    assert counts() == before


def test_the_command_with_skip_invalid_imports_only_the_good_rows(app_ctx, runner, tmp_path):
    """The rejected rows are left out when asked; the good ones come in as the form would have them."""
    path = write(tmp_path, [record(name="Fine", slug="fine"), record(time="23:00", end_time="00:30"),
                            record(slug="aa", types=["O"], day=4)])
    result = run(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert dict(db.session.execute(select(Meeting.import_slug, Meeting.kind)).all()) == {
        "fine": "smart", "aa": "mutual-aid"}
