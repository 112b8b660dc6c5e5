"""The plan is a promise: when a facilitator cancels one of its dates and moves another, the person's phone, the
printed pack, the PDF and the mentor all follow (issue 12's journey), in a real browser against the demo network.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from recovery_network.ical.builder import stable_uid
from tests.browser.conftest import expect, log_in, log_out, nav
from tests.browser.test_pathway_journey import (
    COORDINATOR,
    MENTOR,
    fetch_without_cookies,
    open_pathway_through_the_form,
    plan_rows,
    query,
    server_today,
)
from tests.feeds.icaljs import run_icaljs

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

FACILITATOR = "facilitator@demo.recovery-network.org"
LONDON = ZoneInfo("Europe/London")


def community_items(page) -> list[tuple[str, date]]:
    """(meeting title, local date) of each community meeting on the pathway page, in order."""
    rows = plan_rows(page).filter(has=page.locator("td:nth-child(2)", has_text=re.compile(r"^Meeting: ")))
    found = []
    for n in range(rows.count()):
        row = rows.nth(n)
        title = row.locator("td").nth(1).inner_text().split("Meeting: ", 1)[1].strip()
        when = datetime.fromisoformat(row.locator("time").get_attribute("datetime")).astimezone(LONDON)
        found.append((title, when.date()))
    return found


def open_series(page, title: str) -> None:
    """My sessions → the series by its title."""
    nav(page, "My sessions")
    page.get_by_role("link", name=title, exact=True).first.click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def test_a_cancelled_and_a_moved_date_reach_the_phone_the_pack_the_pdf_and_the_mentor(
        page, new_context, staff_app, live_server):
    """Plan → the facilitator cancels one date and moves another → feed (icalendar, ical.js), pack, PDF, flag."""
    today = server_today()
    release = today + timedelta(days=(1 - today.weekday()) % 7 + 21)

    # 1. The co-ordinator opens Sky's pathway and gives the person a calendar link.
    log_in(page, COORDINATOR)
    open_pathway_through_the_form(page, "Sky", release)
    page.get_by_role("button", name="New calendar link").click()
    link = page.get_by_label("Private calendar link").input_value()
    items = community_items(page)
    # Two dates the facilitator runs (the demo's Fiona runs Dundee's Monday group and the Wellgate café).
    hers = [(t, d) for t, d in items if t in ("Dundee SMART Recovery (Monday)", "Wellgate Recovery Café")]
    assert len(hers) >= 2, items
    (cancel_title, cancel_day), (move_title, move_day) = hers[0], hers[1]
    log_out(page)

    # 2. The facilitator cancels the first date and moves the second, from her own sessions page.
    log_in(page, FACILITATOR)
    open_series(page, cancel_title)
    row = page.locator(f"#on-{cancel_day.isoformat()} details").filter(has_text="Cancel this date")
    row.get_by_text("Cancel this date").click()
    row.get_by_label("Reason (shown with the date wherever the meeting is listed)").fill("Boiler broken; back next week.")
    row.get_by_role("button", name=re.compile(r"^Cancel ")).click()
    expect(page.locator(".flash-success")).to_contain_text("Date cancelled")
    open_series(page, move_title)
    row = page.locator(f"#on-{move_day.isoformat()} details").filter(has_text="Move this date")
    row.get_by_text("Move this date").click()
    row.get_by_label("New date").fill(move_day.isoformat())
    row.get_by_label("New start time").fill("15:45")
    row.get_by_label("Reason (shown with the date wherever the meeting is listed)").fill("Hall booked in the morning.")
    row.get_by_role("button", name=re.compile(r"^Move ")).click()
    expect(page.locator(".flash-success")).to_contain_text("Date moved")
    log_out(page)

    # 3. The person's phone: the cancelled date struck out with a higher SEQUENCE, the moved one at 15:45.
    body = fetch_without_cookies(new_context, link).body()
    ids = dict(query(staff_app.database_url, "SELECT title, id FROM meetings"))
    cancel_uid = stable_uid("occurrence", f"{ids[cancel_title]}/{cancel_day.isoformat()}")
    move_uid = stable_uid("occurrence", f"{ids[move_title]}/{move_day.isoformat()}")
    events = {str(e["UID"]): e for e in Calendar.from_ical(body).walk("VEVENT")}
    assert str(events[cancel_uid]["STATUS"]) == "CANCELLED" and int(events[cancel_uid]["SEQUENCE"]) >= 1
    moved_at = datetime.combine(move_day, datetime.strptime("15:45", "%H:%M").time(), LONDON)
    assert events[move_uid].decoded("DTSTART") == moved_at
    window = (datetime.combine(today, datetime.min.time(), UTC), datetime.combine(release + timedelta(days=50),
                                                                                   datetime.min.time(), UTC))
    seen = {o["uid"]: o for o in run_icaljs(body, *window)}
    assert seen[cancel_uid]["summary"].startswith("CANCELLED")
    assert datetime.fromisoformat(seen[move_uid]["start_utc_iso"].replace("Z", "+00:00")) == moved_at

    # 4. The mentor sees what to tell Sky, and the pack and the PDF say the same.
    log_in(page, MENTOR)
    nav(page, "Pathways")
    page.locator("tbody tr").filter(has=page.get_by_role("cell", name="Sky", exact=True)).get_by_role("link").click()
    tell = page.locator("section[aria-labelledby=changes-heading]")
    expect(tell).to_contain_text(f"{cancel_day:%a} {cancel_day.day} {cancel_day:%b} {cancel_title} cancelled — tell Sky")
    expect(tell).to_contain_text(f"{move_title} moved to {move_day:%a} {move_day.day} {move_day:%b} 15:45 — tell Sky")
    page.get_by_role("button", name="Liberation pack (print)").click()
    pack = page.locator("article.pack")
    expect(pack).to_contain_text("Cancelled — the nearest other meeting is")
    expect(pack).to_contain_text("15:45")
    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as PDF").click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    words = " ".join(p.extract_text() for p in pdf.pages)
    assert "Cancelled" in words and "nearest other meeting" in re.sub(r"\s+", " ", words) and "15:45" in words
