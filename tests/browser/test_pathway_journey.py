"""Through the gate in a real browser: a co-ordinator opens a pathway, the mentor adjusts the plan and prints the
pack, the feed link is subscribed to and parsed, a missed contact raises the flag, and erasure leaves nothing behind.

The app runs as in production for signed-in people (CSRF on every form; tests/browser/conftest.py `staff_app`),
with the demo network: HMP Perth, meetings in Dundee, and Jamie K. as a peer mentor cleared for HMP Perth.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import create_engine, inspect, text

from recovery_network.ical.builder import stable_uid
from tests.browser.conftest import expect, host_of, log_in, log_out, nav
from tests.feeds.icaljs import expand_with_icaljs

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

COORDINATOR = "coordinator@demo.recovery-network.org"
MENTOR = "mentor@demo.recovery-network.org"
# Words a lock screen must never show for a person just out of prison (brief: neutral calendar titles).
GIVE_AWAY = re.compile(r"prison|HMP|release|recovery|SMART", re.IGNORECASE)


LONDON = ZoneInfo("Europe/London")


def instant(value: date | datetime, midnight_zone) -> datetime:
    """A DTSTART as a UTC instant; an all-day date as midnight in the given zone."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, datetime.min.time(), midnight_zone).astimezone(UTC)


def server_today() -> date:
    """The app's idea of today (it uses UTC dates for release-day rules)."""
    return datetime.now(UTC).date()


def short_date(day: date) -> str:
    """How the pack labels a day: Tue 3 Nov."""
    return f"{day:%a} {day.day} {day:%b}"


def go_to_pathways(page) -> None:
    """The header's Pathways link."""
    nav(page, "Pathways")
    expect(page.get_by_role("heading", name="Pathways", level=1)).to_be_visible()


def open_pathway_through_the_form(page, first_name: str, release: date) -> str:
    """Pathways → Open a pathway → the form filled in as a co-ordinator would; returns the reference."""
    go_to_pathways(page)
    page.get_by_role("link", name="Open a pathway").click()
    expect(page.get_by_role("heading", name="Open a pathway")).to_be_visible()
    page.get_by_label("First name or initials").fill(first_name)
    page.get_by_label("Released from").select_option(label="HMP Perth")
    page.get_by_label("Release date").fill(release.isoformat())
    page.get_by_label("Where they will live").fill("Dundee")
    page.get_by_label("Mentor inside (cleared for the prison)").select_option(label="Jamie K.")
    page.get_by_label("They agreed to a plan").check()
    page.get_by_label("They want the plan as a calendar").check()
    page.get_by_role("button", name="Open pathway and propose a plan").click()
    page.wait_for_url(re.compile(r"/pathways/[A-Za-z0-9_-]{16}$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(rf"^{first_name} · RN-[A-Z0-9]{{6}}$"))
    return heading.inner_text().split(" · ")[1]


def plan_rows(page):
    """The rows of the plan table on a pathway page."""
    return page.locator("section[aria-labelledby=plan-heading] tbody tr")


def plan_starts(page) -> list[datetime]:
    """Every outside item's start on the pathway page, as aware UTC instants, sorted (what goes on the phone:
    nothing inside the prison does)."""
    inside = re.compile(r"^(Session inside|Mentor visit|Agency visit inside)")
    outside = plan_rows(page).filter(has_not=page.locator("td:nth-child(2)", has_text=inside))
    values = outside.locator("time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    return sorted(datetime.fromisoformat(v).astimezone(UTC) for v in values)


def open_from_list(page, first_name: str) -> None:
    """Pathways → the row with this first name → its reference link."""
    go_to_pathways(page)
    row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name=first_name, exact=True))
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first_name)


def flags_for(page, first_name: str) -> str:
    """The 'Needs action' cell of a person's row on the Pathways list."""
    go_to_pathways(page)
    row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name=first_name, exact=True))
    expect(row).to_have_count(1)
    return row.locator("td").nth(3).inner_text().strip()


def record_contact(page, on: date) -> None:
    """The contact form on the pathway page: a face-to-face meeting on that date."""
    contacts = page.locator("section[aria-labelledby=contact-heading]")
    contacts.get_by_label("Date").fill(on.isoformat())
    contacts.get_by_label("How", exact=True).select_option("face_to_face")
    contacts.get_by_role("button", name="Record contact").click()
    expect(page.locator(".flash-success")).to_have_text("Contact recorded.")
    expect(contacts.get_by_role("listitem").filter(has_text=f"{on:%a} {on.day} {on:%b}: Face to face")).to_have_count(1)


def fetch_without_cookies(new_context, url: str):
    """What a phone's calendar app does with the link: a plain GET, no session, no cookies."""
    return new_context().request.get(url)


def database_rows(database_url: str) -> dict[str, list[tuple]]:
    """Every row of every table in the live server's database (it is small: the demo network)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return {name: [tuple(r) for r in conn.execute(text(f'SELECT * FROM "{name}"'))]
                    for name in inspect(conn).get_table_names()}
    finally:
        engine.dispose()


def query(database_url: str, sql: str, **params) -> list[tuple]:
    """One read-only query on the live server's database, with a short-lived engine."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def tallies(database_url: str) -> dict[str, int]:
    """The anonymous counts by measure, summed over months."""
    found = query(database_url, "SELECT measure, SUM(count) FROM pathway_tallies GROUP BY measure")
    return {measure: int(total) for measure, total in found}


def test_through_the_gate(page, new_context, staff_app, live_server, requests_seen):
    """Open → adjust → pack and PDF → subscribe and parse → missed contact flagged and cleared → erase: no trace."""
    today = server_today()
    release = today + timedelta(days=(1 - today.weekday()) % 7 + 21)  # a Tuesday about three weeks ahead
    assert release.weekday() == 1

    # 1. The co-ordinator opens Robin's pathway through the form; the plan is proposed from the release date.
    log_in(page, COORDINATOR)
    reference = open_pathway_through_the_form(page, "Robin", release)
    assert f"Released from HMP Perth on {release:%A} {release.day} {release:%B %Y}" in page.locator("main").inner_text()
    expect(page.locator("main")).to_contain_text("going to Dundee. Mentor: Jamie K.")
    gate = plan_rows(page).filter(has_text="Gate meeting")
    expect(gate).to_have_count(1)
    expect(gate).to_contain_text("At the gate")
    community = plan_rows(page).filter(has=page.locator("td:nth-child(2)", has_text=re.compile(r"^Meeting: ")))
    expect(community.first).to_be_visible()
    assert community.count() >= 4, "about one community meeting a week for the six weeks out"
    assert any("Dundee" in where for where in community.locator("td:nth-child(3)").all_inner_texts())
    expect(page.get_by_role("heading", name="Other meetings near Dundee")).to_be_visible()
    log_out(page)

    # 2. The mentor opens it from the list, swaps one suggested meeting for another, and prints the pack.
    log_in(page, MENTOR)
    open_from_list(page, "Robin")
    before = community.count()
    removed = community.first
    removed_when = removed.locator("time").get_attribute("datetime")
    removed.get_by_role("button", name="Remove").click()
    expect(page.locator(".flash-success")).to_have_text("Removed from the plan.")
    expect(plan_rows(page).locator(f'time[datetime="{removed_when}"]')).to_have_count(0)
    expect(community).to_have_count(before - 1)

    suggestions = page.locator("section[aria-labelledby=suggest-heading] li")
    expect(suggestions.first).to_be_visible()
    chosen = suggestions.first
    meeting_id = chosen.locator("input[name=meeting_id]").get_attribute("value")
    occurrence = date.fromisoformat(chosen.locator("input[name=occurrence_date]").get_attribute("value"))
    when, title = re.match(r"^(.+?) — (.+) \(", chosen.inner_text().strip()).groups()
    chosen.get_by_role("button", name="Add").click()
    expect(page.locator(".flash-success")).to_have_text("Added to the plan.")
    expect(community).to_have_count(before)
    added = plan_rows(page).filter(has=page.locator("time", has_text=when)).filter(has_text=title)
    expect(added).to_have_count(1)
    added_where = added.locator("td").nth(2).inner_text().strip()
    assert "Dundee" in added_where, added_where
    starts = plan_starts(page)

    page.get_by_role("button", name="Liberation pack (print)").click()
    page.wait_for_url(re.compile(r"/pathways/[A-Za-z0-9_-]+/pack$"))
    pack = page.locator("article.pack")
    expect(pack.get_by_role("heading", name="My first six weeks")).to_be_visible()
    expect(pack).to_contain_text("For Robin, from")
    expect(pack).to_contain_text("Your mentor: Jamie")
    expect(pack.locator(".pack-days tbody").filter(has_text="Meet Jamie at the gate")).to_contain_text(short_date(release))
    expect(pack.locator(".pack-days tbody").filter(
        has=page.get_by_role("rowheader", name=short_date(occurrence), exact=True))).to_contain_text(added_where)
    expect(pack.locator(".pack-qr svg")).to_have_count(1)  # the QR code is drawn inline, not fetched
    pack_text = pack.inner_text()
    assert "HMP" not in pack_text and reference not in pack_text, "a lost pack must not say where its owner has been"
    link = pack.locator(".pack-link a").get_attribute("href")
    assert re.fullmatch(re.escape(live_server) + r"/pathways/feed/[A-Za-z0-9_-]{43}\.ics", link), link
    assert pack.locator(".pack-link a").inner_text().strip() == link

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as PDF").click()
    download = download_info.value
    assert download.suggested_filename == "my-plan.pdf"  # never the person's name
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1_000

    # 3. Subscribing: the link works with no login, and two independent parsers read the same plan from it.
    feed = fetch_without_cookies(new_context, link)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    assert "private" in feed.headers["cache-control"] and feed.headers["x-robots-tag"] == "noindex"
    assert "set-cookie" not in feed.headers
    body = feed.body()
    assert b"Robin" not in body and reference.encode() not in body

    calendar = Calendar.from_ical(body)
    events = calendar.walk("VEVENT")
    # Appointments without a time yet are whole days: the page dates them from local midnight, ical.js from
    # midnight UTC (a date has no zone), so each comparison reads a date its own way.
    ours = sorted((str(e["UID"]), instant(e.decoded("DTSTART"), LONDON)) for e in events)
    assert sorted(start for _, start in ours) == starts, "the feed is the plan the mentor left on the page"
    window = (datetime.combine(release - timedelta(days=43), datetime.min.time(), UTC),
              datetime.combine(release + timedelta(days=44), datetime.min.time(), UTC))
    assert expand_with_icaljs(body, *window) == sorted(
        (str(e["UID"]), instant(e.decoded("DTSTART"), UTC)) for e in events)

    for name in ("NAME", "X-WR-CALNAME"):
        if name in calendar:
            assert not GIVE_AWAY.search(str(calendar[name])), calendar[name]
    for event in events:
        for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
            if name in event:
                assert not GIVE_AWAY.search(str(event[name])), (name, str(event[name]))
    by_uid = {str(e["UID"]): e for e in events}
    added_event = by_uid[stable_uid("occurrence", f"{meeting_id}/{occurrence.isoformat()}")]
    street = str(added_event["LOCATION"])
    assert street and added_where.endswith(", " + street), (street, added_where)  # the address, not the venue's name

    # 4. A missed contact: a pathway whose release was five days ago, with nobody seen since, is flagged.
    released = today - timedelta(days=5)
    open_pathway_through_the_form(page, "Kai", released)
    assert flags_for(page, "Kai") == "No contact within 2 days of release."
    assert flags_for(page, "Robin") == "—"
    open_from_list(page, "Kai")
    expect(page.locator("main")).to_contain_text("Needs action: No contact within 2 days of release.")
    record_contact(page, today)
    record_contact(page, released + timedelta(days=1))  # the day-after-release meeting, written up late
    expect(page.locator("main")).not_to_contain_text("Needs action")
    assert flags_for(page, "Kai") == "—"

    # 5. Erasure on request, by the co-ordinator on another device: one action, and only a count remains.
    db_url = staff_app.database_url
    [(robin_id, public_id)] = query(db_url, "SELECT id, public_id FROM pathways WHERE reference = :ref AND first_name = 'Robin'",
                                    ref=reference)
    counts_before = tallies(db_url)

    desk = new_context().new_page()
    log_in(desk, COORDINATOR)
    open_from_list(desk, "Robin")
    assert desk.url.endswith(f"/pathways/{public_id}")
    forged = desk.request.post(f"/pathways/{public_id}/erase", max_redirects=0)
    assert forged.status == 400, "without the form's CSRF token nothing is erased"
    assert query(db_url, "SELECT id FROM pathways WHERE id = :id", id=robin_id) == [(robin_id,)]
    desk.get_by_role("button", name="Erase this pathway now").click()
    desk.wait_for_url(re.compile(r"/pathways/$"))
    expect(desk.locator(".flash-success")).to_have_text("The pathway has been erased.")
    expect(desk.locator("tbody")).not_to_contain_text("Robin")
    expect(desk.locator("tbody")).to_contain_text("Kai")
    assert desk.goto(f"/pathways/{public_id}").status == 404

    assert fetch_without_cookies(new_context, link).status == 404, "the printed QR code stops working"
    assert query(db_url, "SELECT id FROM pathways WHERE id = :id OR reference = :ref OR first_name = 'Robin'",
                 id=robin_id, ref=reference) == []
    for table in ("pathway_items", "contact_records", "feed_tokens"):
        assert query(db_url, f"SELECT id FROM {table} WHERE pathway_id = :id", id=robin_id) == [], table
    rows = database_rows(db_url)
    traces = [(table, row) for table, table_rows in rows.items() for row in table_rows
              if any(isinstance(v, str) and any(s in v for s in ("Robin", reference, public_id)) for v in row)]
    assert traces == [], traces
    counts_after = tallies(db_url)
    assert counts_after["opened"] == counts_before["opened"] >= 3  # Dee (demo), Robin, Kai
    assert counts_after["erased"] == counts_before.get("erased", 0) + 1

    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside
