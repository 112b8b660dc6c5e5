"""`flask import-meetings`: dry runs, one-transaction real runs, idempotent re-runs, round trips, never custody."""

from __future__ import annotations

import json
import time as clock
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import PUBLIC, Meeting
from recovery_network.venues.models import COMMUNITY, CUSTODY, Area, Venue

PERTH = {"location": "Perth Hall", "address": "1 High Street", "city": "Perth", "postal_code": "PH1 5PE"}
FEED = [
    {"name": "Perth Tuesday", "slug": "perth-tue", "day": 2, "time": "18:30", "end_time": "20:00",
     "types": ["SMART", "X"], "notes": "Tea from 18:15.", **PERTH},
    {"name": "Perth Café", "slug": "perth-cafe", "day": [1, 3], "time": "11:00", "end_time": "13:00",
     "types": ["RN-CAFE"], **PERTH},
    {"name": "Online Sunday", "slug": "online-sun", "day": 0, "time": "19:30", "types": ["SMART", "TC"],
     "conference_url": "https://meet.example.org/s", "approximate": "yes", "formatted_address": "Scotland, UK"},
    {"name": "Dundee Friday", "slug": "dundee-fri", "day": 5, "time": "10:00", "types": ["O", "D"],
     "location": "West End Church", "city": "Dundee", "latitude": 56.4620, "longitude": -2.9890},
]


def write(tmp_path, records, name="feed.json") -> str:
    """A feed file in the test's folder."""
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return str(path)


def run(runner, path, *extra, area="fife"):
    """Invoke the command the way an operator would."""
    db.session.remove()  # the command uses its own session; don't hold the test's open across it
    return runner.invoke(args=["import-meetings", path, "--area", area, "--area-name", "Fife", *extra])


def imported(source=None) -> dict[str, Meeting]:
    """Imported series by their key in the feed."""
    query = select(Meeting).where(Meeting.import_slug.is_not(None))
    if source:
        query = query.where(Meeting.import_source == source)
    return {m.import_slug: m for m in db.session.scalars(query)}


def meeting_count() -> int:
    """Every series in the database."""
    return db.session.scalar(select(func.count(Meeting.id)))


def test_dry_run_lists_each_row_and_writes_nothing(app_ctx, runner, tmp_path):
    """Creates, warnings and rejections row by row, with reasons; the database is untouched, area included."""
    path = write(tmp_path, [*FEED, {"name": "Bad", "slug": "bad", "day": 9, "time": "18:00", **PERTH}])
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "row 1 (slug perth-tue): create perth-tuesday — Every Tuesday 18:30 at Perth Hall (new)" in out
    assert "row 2 (slug perth-cafe#1): create perth-cafe — Every Monday 11:00" in out
    assert "row 2 (slug perth-cafe#3): create perth-cafe-2 — Every Wednesday 11:00" in out
    assert "row 3 (slug online-sun): create online-sunday — Every Sunday 19:30 online" in out
    assert ("row 4 (slug dundee-fri): warning — no kind of meeting among its types (O, D); "
            "imported as a mutual-aid meeting, not SMART Recovery") in out
    assert "row 5 (slug bad): rejected — day 9 is not 0–6 (0 is Sunday)" in out
    assert "would create 5, change 0, leave 0 unchanged and skip 0; 1 rejected; 2 new venues" in out
    assert "The area “Fife” (fife) would be created." in out
    assert meeting_count() == 0
    assert db.session.scalar(select(func.count(Area.id))) == 0


def test_real_run_creates_public_community_series(app_ctx, runner, tmp_path):
    """Days from Sunday, lengths from end_time, access and pauses from types, a series per listed day."""
    result = run(runner, write(tmp_path, FEED))
    assert result.exit_code == 0, result.output
    assert "Imported into Fife: 5 created, 0 changed" in result.output
    series = imported()
    assert set(series) == {"perth-tue", "perth-cafe#1", "perth-cafe#3", "online-sun", "dundee-fri"}
    tuesday = series["perth-tue"]
    assert (tuesday.weekday, tuesday.start_time, tuesday.duration_minutes) == (1, time(18, 30), 90)
    assert tuesday.kind == "smart" and tuesday.description == "Tea from 18:15." and tuesday.sequence == 0
    assert tuesday.venue.step_free and tuesday.venue.area.slug == "fife" and tuesday.venue.postcode == "PH1 5PE"
    assert series["perth-cafe#1"].venue is tuesday.venue  # one hall, however many rows name it
    assert series["perth-cafe#1"].kind == "cafe" and series["perth-cafe#3"].weekday == 2
    assert series["online-sun"].venue is None and series["online-sun"].status == "paused"
    assert series["dundee-fri"].venue.latitude == pytest.approx(56.462)
    for meeting in series.values():
        assert meeting.visibility == PUBLIC
        assert (meeting.facilitators_needed, meeting.mentors_needed) == (0, 0)  # run by others: no rota gaps
        assert meeting.import_source.startswith("file:///")


def test_reimport_is_idempotent_and_a_changed_row_updates_and_bumps_sequence(app_ctx, runner, tmp_path):
    """Same feed: nothing changes. A new time: that series changes, SEQUENCE goes up, its URL and dates stay."""
    path = write(tmp_path, FEED)
    assert run(runner, path).exit_code == 0
    before = {k: (m.slug, m.sequence, m.updated_at, m.starts_on) for k, m in imported().items()}
    again = run(runner, path)
    assert "0 created, 0 changed, 5 unchanged" in again.output
    assert {k: (m.slug, m.sequence, m.updated_at, m.starts_on) for k, m in imported().items()} == before
    assert meeting_count() == 5
    changed = [dict(FEED[0], time="19:00", end_time="20:30"), *FEED[1:]]
    write(tmp_path, changed)
    dry = run(runner, path, "--dry-run")
    assert "row 1 (slug perth-tue): change perth-tuesday — time: 18:30 → 19:00" in dry.output
    assert imported()["perth-tue"].start_time == time(18, 30)  # a dry run writes nothing
    real = run(runner, path)
    assert "0 created, 1 changed, 4 unchanged" in real.output
    tuesday = imported()["perth-tue"]
    slug, sequence, updated_at, starts_on = before["perth-tue"]
    assert (tuesday.slug, tuesday.starts_on, tuesday.start_time) == (slug, starts_on, time(19, 0))
    assert tuesday.sequence == sequence + 1 and tuesday.updated_at > updated_at


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{\"name\": \"A\", ", "Nothing imported: not valid JSON: Expecting"),
        ("{\"name\": \"A\"}", "expected a list of meetings"),
        (json.dumps([*FEED, {"slug": "x", "day": 1, "time": "10:00", **PERTH}]), "row 5 (slug x): rejected — no name"),
        (json.dumps([*FEED, {"name": "X", "slug": "x", "day": 9, "time": "10:00", **PERTH}]), "day 9 is not 0–6"),
        (json.dumps([*FEED, {"name": "X", "slug": "x", "day": 1, "time": "25:00", **PERTH}]), "time 25:00 is not"),
        (json.dumps([*FEED, {"name": "X", "slug": "x", "day": 1, "time": "10:00", "approximate": "yes",
                             "conference_url": "http://zoom.example/j/1"}]),
         "row 5 (slug x): rejected — conference_url: The online link must start with https://"),
        ("Name,Day,Time\nA,1,10:00\n", "the header row has no Slug (or ID) column"),
    ],
)
def test_a_bad_file_changes_nothing(app_ctx, runner, tmp_path, content, message):
    """A file that can't be read, or any rejected row, stops a real run: not one row (nor the area) is written."""
    path = tmp_path / "feed.json"
    path.write_text(content, encoding="utf-8")
    result = run(runner, str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing imported" in result.output
    assert meeting_count() == 0
    assert db.session.scalar(select(func.count(Area.id))) == 0


def test_skip_invalid_imports_the_other_rows(app_ctx, runner, tmp_path):
    """With --skip-invalid the good rows go in and the rejected ones are reported."""
    path = write(tmp_path, [*FEED, {"name": "X", "slug": "x", "day": 9, "time": "10:00", **PERTH}])
    result = run(runner, path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "row 5 (slug x): rejected — day 9" in result.output
    assert "5 created" in result.output and "1 rejected rows left out" in result.output
    assert set(imported()) == {"perth-tue", "perth-cafe#1", "perth-cafe#3", "online-sun", "dundee-fri"}


def test_an_unknown_area_needs_a_name(app_ctx, runner, tmp_path):
    """No silent new areas: an unknown slug without --area-name is refused."""
    result = runner.invoke(args=["import-meetings", write(tmp_path, FEED), "--area", "nowhere"])
    assert result.exit_code == 1 and "There is no area “nowhere”. Give --area-name" in result.output


def test_csv_sheet_with_plain_language_headers(app_ctx, runner, tmp_path):
    """A Google Sheet saved as CSV: "ID", "Conference URL", day names, 12-hour times, spelt-out types."""
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "ID,Name,Day,Time,End Time,Types,Location,Address,City,Postal Code,Conference URL,Location Notes\n"
        "17,Perth Tuesday,Tuesday,6:30 pm,8:00 pm,\"SMART Family & Friends, Wheelchair Access\","
        "Perth Hall,1 High Street,Perth,ph1 5pe,https://meet.example.org/p,Side door\n"
        "18,Dundee Wednesday,3,10:00,11:30,SMART,,,Dundee,,,\n",
        encoding="utf-8",
    )
    result = run(runner, str(sheet))
    assert result.exit_code == 0, result.output
    series = imported()
    perth = series["17"]
    assert (perth.kind, perth.weekday, perth.start_time, perth.duration_minutes) == ("family", 1, time(18, 30), 90)
    assert perth.online_url == "https://meet.example.org/p"
    assert (perth.venue.postcode, perth.venue.step_free, perth.venue.directions) == ("PH1 5PE", True, "Side door")
    assert series["18"].weekday == 2 and series["18"].venue.town == "Dundee"


def test_round_trip_of_our_own_feed(app_ctx, client, runner, tmp_path, make_meeting, make_venue):
    """Our /api/meetings.json imported under another source gives the same schedules; custody stays out."""
    hall = make_venue(name="Perth Recovery Hub", step_free=True)
    make_meeting("Weekly", venue=hall)
    make_meeting("Fortnightly", venue=hall, kind="family", frequency="fortnightly", weekday=3)
    make_meeting("Second Tuesday", venue=hall, frequency="monthly", week_of_month=2, start_time=time(13, 0))
    make_meeting("Last Friday", venue=hall, frequency="monthly", week_of_month=-1, weekday=4, duration_minutes=120)
    # Begun (its first Tuesday is within the last week): the feed lists a series from its first date.
    make_meeting("Course", venue=hall, kind="programme", session_count=10, starts_on=date.today() - timedelta(days=7))
    make_meeting("Online", online_url="https://meet.example.org/o", weekday=6, timezone="Europe/London")
    make_meeting("Paused café", venue=hall, kind="cafe").status = "paused"
    db.session.commit()
    make_meeting("In prison", venue=make_venue(CUSTODY, name="HMP Perth", address="3 Edinburgh Road",
                                               postcode="PH2 8AT", lat=56.3884, lon=-3.4335))
    export = client.get("/api/meetings.json").get_data(as_text=True)
    path = tmp_path / "ours.json"
    path.write_text(export, encoding="utf-8")
    result = runner.invoke(args=["import-meetings", str(path), "--area", "elsewhere", "--area-name", "Elsewhere",
                                 "--source", "our-own-export"])
    assert result.exit_code == 0, result.output
    assert "7 created" in result.output
    originals = {m.slug: m for m in db.session.scalars(select(Meeting).where(Meeting.import_slug.is_(None)))}
    copies = imported("our-own-export")
    assert set(copies) == {slug for slug, m in originals.items() if m.visibility == PUBLIC}
    fields = ("title", "kind", "frequency", "weekday", "week_of_month", "start_time", "duration_minutes",
              "timezone", "online_url", "venue_id", "status")
    for slug, copy in copies.items():
        original = originals[slug]
        assert [getattr(copy, f) for f in fields] == [getattr(original, f) for f in fields], slug
        assert copy.visibility == PUBLIC
    assert "A course of 10 sessions. Check the dates with the original listing: http://localhost/meetings/course" \
        in copies["course"].description
    assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.visibility == CUSTODY)) == 1


def test_custody_is_never_created_matched_or_changed(app_ctx, runner, tmp_path, make_venue):
    """A series a co-ordinator later moved into custody is left alone by the next import (rows at a prison's
    own address are refused outright: tests/api/test_import_custody.py)."""
    prison_id = make_venue(CUSTODY, name="HMP Perth", postcode="PH2 8AT", lat=56.38, lon=-3.42).id
    db.session.commit()
    row = {"name": "Prison group", "slug": "p", "day": 1, "time": "10:00", "location": "Perth Hall",
           "address": "5 Mill Street", "postal_code": "PH1 5HZ", "latitude": 56.397, "longitude": -3.431}
    path = write(tmp_path, [row])
    assert run(runner, path).exit_code == 0
    meeting = imported()["p"]
    assert meeting.visibility == PUBLIC and meeting.venue.setting == COMMUNITY and meeting.venue_id != prison_id
    meeting.venue, meeting.visibility = db.session.get(Venue, prison_id), CUSTODY  # as a co-ordinator might
    db.session.commit()
    result = run(runner, write(tmp_path, [dict(row, time="11:00")]))
    assert "row 1 (slug p): skipped" in result.output and "held in custody here" in result.output
    meeting = imported()["p"]
    assert (meeting.visibility, meeting.venue_id, meeting.start_time) == (CUSTODY, prison_id, time(10, 0))


def test_two_thousand_rows_import_well_within_a_minute(app_ctx, runner, tmp_path):
    """Bulk loading, not a query per row (benchmarks/import_bench.py times 10,000: see its docstring)."""
    records = [{"name": f"Meeting {n}", "slug": f"m{n}", "day": n % 7, "time": "18:30", "types": ["SMART"],
                "location": f"Hall {n % 800}", "city": ("Perth", "Dundee", "Forfar", "Arbroath")[n % 4]}
               for n in range(2000)]
    path = write(tmp_path, records)
    start = clock.perf_counter()
    result = run(runner, path)
    elapsed = clock.perf_counter() - start
    assert result.exit_code == 0, result.output
    assert "2000 created" in result.output and "800 venues added" in result.output
    assert elapsed < 20, f"2,000 rows took {elapsed:.1f} s"
