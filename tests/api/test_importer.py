"""Reading Meeting Guide records into rows: pure, no app, no database."""

from __future__ import annotations

import json
from datetime import time
from urllib.error import URLError
from urllib.request import Request

import pytest

from recovery_network.api.fetch import FeedNotFetched, _HttpOnlyRedirects, load_feed
from recovery_network.api.importer import (
    FeedUnreadable,
    ImportRow,
    Rejection,
    header_key,
    parse_records,
    read_records,
)

PERTH = {"location": "Perth Hall", "address": "1 High Street", "city": "Perth", "postal_code": "PH1 5PE"}


def parse(*records: dict) -> list[ImportRow | Rejection]:
    """Parse records as a JSON feed would give them."""
    return list(parse_records(read_records(json.dumps(list(records)).encode())))


def one(**fields) -> ImportRow | Rejection:
    """Parse a single record made of a valid base and the given fields."""
    record = {"name": "Tuesday group", "slug": "tue", "day": 2, "time": "18:30", **PERTH, **fields}
    (result,) = parse({k: v for k, v in record.items() if v is not None})
    return result


@pytest.mark.parametrize(
    ("header", "key"),
    [("Conference URL", "conference_url"), ("ID", "slug"), ("Postal Code", "postal_code"),
     ("End Time", "end_time"), (" location notes ", "location_notes"), ("Time Zone", "timezone")],
)
def test_plain_language_headers_are_the_json_keys(header, key):
    """The spec: sheet columns are plain-language versions of the keys; Google Sheets call the slug ID."""
    assert header_key(header) == key


def test_spec_days_count_from_sunday_and_a_list_makes_one_series_a_day():
    """day 0 is Sunday (Python's 6); [1, 3] is Monday and Wednesday, each with its own key."""
    assert one(day=0).weekday == 6
    monday, wednesday = parse({"name": "M", "slug": "m", "day": [1, 3], "time": "10:00", **PERTH})
    assert (monday.key, monday.weekday, wednesday.key, wednesday.weekday) == ("m#1", 0, "m#3", 2)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"day": 9}, "day 9 is not 0–6"),
        ({"day": None}, "no day"),
        ({"time": "25:00"}, "time 25:00 is not a time of day"),
        ({"time": "half six"}, "is not a time of day"),
        ({"name": None}, "no name"),
        ({"slug": None}, "no slug"),
        ({"timezone": "Mars/Olympus"}, "is not a tz database zone"),
        ({"types": "SMART", "latitude": 91, "longitude": 0}, "latitude 91 is not a number from -90 to 90"),
        ({"latitude": 56.4}, "give both or neither"),
        ({"postal_code": "", "city": "Atlantis", "address": ""}, "can't place"),
        ({"country": "US", "postal_code": "", "city": "Perth"}, "can't place an address in"),
        ({"location": None, "address": None, "city": None, "postal_code": None}, "nowhere to meet"),
        ({"types": ["SMART", "RN-FORTNIGHTLY", "RN-MONTHLY"]}, "both RN-FORTNIGHTLY and RN-MONTHLY"),
    ],
)
def test_rejections_say_why(fields, reason):
    """Each bad field gives a reason a person can act on."""
    result = one(**fields)
    assert isinstance(result, Rejection), result
    assert reason in result.reason


def test_a_slug_used_twice_rejects_the_later_row_and_non_objects_are_rejected():
    """Slugs are the feed's primary key."""
    first, second, third = parse({"name": "A", "slug": "a", "day": 1, "time": "10:00", **PERTH},
                                 {"name": "B", "slug": "a", "day": 2, "time": "10:00", **PERTH}, 7)
    assert isinstance(first, ImportRow)
    assert second == Rejection(2, "a", "slug already used by row 1")
    assert third == Rejection(3, "", "not a meeting: not an object")


def test_types_give_kind_access_and_pause_and_unknown_types_warn():
    """SMART-FF is family; X is step-free; TC is paused; AA's O and D make a mutual-aid meeting, never SMART."""
    family = one(types=["SMART-FF", "X", "TC"])
    assert (family.kind, family.venue.step_free, family.paused, family.warnings) == ("family", True, True, ())
    other = one(types=["O", "D"])
    assert other.kind == "mutual-aid"
    assert other.warnings == (("no kind of meeting among its types (O, D); imported as a mutual-aid meeting, "
                               "not SMART Recovery"),)


def test_our_own_monthly_notes_give_the_week_and_keep_a_link_to_the_dates():
    """Round trip: "The last Friday of each month — check the dates: URL" is read back, not repeated."""
    row = one(day=5, types=["SMART", "RN-MONTHLY"],
              notes="The last Friday of each month — check the dates: https://a.example/m/x\n\nBring a pen.")
    assert (row.frequency, row.week_of_month, row.weekday) == ("monthly", -1, 4)
    assert row.description == "Check the dates with the original listing: https://a.example/m/x\n\nBring a pen."
    bare = one(types=["RN-MONTHLY"], notes="Upstairs.")
    assert bare.week_of_month == 1 and "which week" in bare.warnings[-1]


def test_times_durations_and_places():
    """Sheets write 6:30 pm; end_time gives the length (past midnight too); postcodes and towns are placed."""
    row = one(time="6:30 pm", end_time="20:00")
    assert (row.start_time, row.duration_minutes) == (time(18, 30), 90)
    assert one(time="23:00", end_time="00:30").duration_minutes == 90
    assert one(end_time=None).duration_minutes == 60  # the spec's default
    by_postcode = one(city="")
    assert by_postcode.venue.postcode == "PH1 5PE" and 56.3 < by_postcode.venue.latitude < 56.5
    by_town = one(postal_code="", city="Dundee")
    assert 56.4 < by_town.venue.latitude < 56.5
    online = one(location=None, address=None, city=None, postal_code=None, conference_url="https://meet.example/a",
                 approximate="yes", formatted_address="Scotland, UK")
    assert online.venue is None and online.online_url == "https://meet.example/a"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[{\"name\": ", "not valid JSON"),
        (b"{\"meetings\": []}", "expected a list of meetings"),
        (b"", "the file is empty"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"Name,Day,Time\nA,1,10:00\n", r"no Slug \(or ID\) column"),
    ],
)
def test_unreadable_files(data, message):
    """A file that isn't a feed at all is refused whole, before any row is looked at."""
    with pytest.raises(FeedUnreadable, match=message):
        read_records(data)


def test_csv_rows_are_numbered_as_in_a_spreadsheet_and_blank_lines_skipped():
    """Row 2 is the first meeting (row 1 is the header)."""
    records = read_records(b"ID,Name,Day,Time,City\n\n7,A,Tuesday,18:30,Perth\n,,,,\n8,B,wed,19:00,Perth,extra\n")
    assert records[0] == (3, {"slug": "7", "name": "A", "day": "Tuesday", "time": "18:30", "city": "Perth"})
    assert records[1] == (5, "not a meeting: more cells than the header has columns")


def test_feed_loading_is_bounded_and_http_only(tmp_path):
    """Only files and http(s); a cap on size; redirects may not leave http(s). (No network is used.)"""
    with pytest.raises(FeedNotFetched, match="Only http:// and https://"):
        load_feed("ftp://example.org/feed.json")
    with pytest.raises(FeedNotFetched, match="Only http:// and https://"):
        load_feed("file:///etc/passwd")
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b" " * 100 + b"]")
    with pytest.raises(FeedNotFetched, match="bigger than"):
        load_feed(str(big), max_bytes=50)
    with pytest.raises(FeedNotFetched, match="Couldn't read"):
        load_feed(str(tmp_path / "missing.json"))
    with pytest.raises(URLError, match="non-http"):
        _HttpOnlyRedirects().redirect_request(Request("https://a.example/"), None, 302, "Found", {}, "ftp://b/x")
