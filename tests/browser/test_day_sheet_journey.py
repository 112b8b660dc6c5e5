"""A prison's staff at the gate, in a real browser: Gordon R. (HMP Perth) sees who is released in the next six weeks
from his prison only, opens the day sheet for a session day and a release day (the date chosen by keyboard), prints
it without the menus, and does the same with JavaScript off (where a bad date is refused beside the field).

Demo network (tests/browser/conftest.py `staff_app`, CSRF on): Jamie K. (cleared for HMP Perth, no end date) and
Fiona S. (clearance ending in 25 days) are on the next HMP Perth SMART group; Kit and Dee leave HMP Perth within six
weeks; Kirsty L., Dee's community mentor, has no prison clearance but a visit inside is planned.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, text

from tests.browser.conftest import expect, log_in, log_out, nav
from tests.browser.test_pathway_journey import go_to_pathways, query, server_today

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

COORDINATOR = "coordinator@demo.recovery-network.org"
STAFF = "staff.perth@demo.recovery-network.org"
DESKTOP = {"width": 1366, "height": 900}


def long_date(day: date) -> str:
    """How the sheet's heading writes a day: Tuesday 8 December 2026."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def as_date(value) -> date:
    """A DATE column as a date (SQLite hands back text, PostgreSQL a date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def session_day(database_url: str) -> date:
    """The HMP Perth SMART group date the demo put Jamie and Fiona on the rota for."""
    rows = query(database_url, "SELECT DISTINCT s.occurrence_date FROM signups s "
                               "JOIN meetings m ON m.id = s.meeting_id "
                               "WHERE m.title = 'HMP Perth SMART group' AND s.status = 'confirmed'")
    assert len(rows) == 1, rows
    return as_date(rows[0][0])


def lapse_clearance(database_url: str, email: str, last_day: date) -> None:
    """Time passing, which no screen can do: the approved clearance reaches its end before the session, and the
    nightly expiry job (which would release the place) has not run yet. The sheet must not call them cleared."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            changed = conn.execute(text(
                "UPDATE clearances SET expires_on = :last WHERE status = 'approved' "
                "AND person_id = (SELECT id FROM people WHERE email = :email) "
                "AND venue_id = (SELECT id FROM venues WHERE slug = 'hmp-perth')"),
                {"last": last_day, "email": email}).rowcount
    finally:
        engine.dispose()
    assert changed == 1


def tab_to(page, element_id: str, presses: int = 40) -> None:
    """Press Tab from the top of the page until the element has focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def type_date(page, day: date) -> None:
    """Type a date into the focused date box in the order its parts come: Chromium lays them out by the machine's
    locale, not the page's (day first on en_GB, month first on C), so ArrowUp on the first part finds out which."""
    before = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowUp")
    month_first = page.evaluate("document.activeElement.value")[5:7] != before[5:7]
    page.keyboard.press("ArrowDown")
    page.keyboard.type(f"{day:%m%d%Y}" if month_first else f"{day:%d%m%Y}")


def show_sheet(page, venue_id: str, day: date) -> None:
    """The sheet for a day by its address (what a bookmark or the form's GET gives)."""
    page.goto(f"/establishment/day-sheet?venue={venue_id}&on={day.isoformat()}")


@pytest.fixture
def desk(new_context):
    """A desktop-sized page: the gate's screen."""
    return new_context(viewport=DESKTOP).new_page()


def test_the_gate_sees_its_own_releases_and_a_day_sheet_it_can_print(desk, new_context, staff_app):
    """Releases (own prison only, with mentor and pack state) → day sheet on a session day → another date chosen by
    keyboard → print → the same without JavaScript → a bad date refused beside the field."""
    db_url = staff_app.database_url
    today = server_today()
    sessions_on = session_day(db_url)
    jamie_lapses = sessions_on - timedelta(days=1)
    lapse_clearance(db_url, "mentor@demo.recovery-network.org", jamie_lapses)
    releases = {name: as_date(on) for name, on in query(
        db_url, "SELECT p.first_name, p.release_date FROM pathways p JOIN venues v ON v.id = p.establishment_id "
                "WHERE v.slug = 'hmp-perth' AND p.status = 'open' AND p.release_date >= :today", today=today)}
    assert set(releases) == {"Kit", "Dee"} and max(releases.values()) <= today + timedelta(weeks=6)

    # 1. The co-ordinator opens a pathway leaving another prison (HMP Low Moss) in two weeks, and marks Kit's pack
    #    ready for the gate.
    log_in(desk, COORDINATOR)
    go_to_pathways(desk)
    desk.get_by_role("link", name="Open a pathway").click()
    desk.get_by_label("First name or initials").fill("Ola")
    desk.get_by_label("Released from").select_option(label="HMP Low Moss")
    desk.get_by_label("Release date").fill((today + timedelta(days=14)).isoformat())
    desk.get_by_label("Where they will live").fill("Glasgow")
    desk.get_by_label("Community mentor (meets them at the gate and outside)").select_option(label="Kirsty L.")
    desk.get_by_label("They agreed to a plan").check()
    desk.get_by_role("button", name="Open pathway and propose a plan").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Ola · RN-"))
    go_to_pathways(desk)
    kit_ref = query(db_url, "SELECT reference FROM pathways WHERE first_name = 'Kit'")[0][0]
    desk.get_by_role("link", name=kit_ref).click()
    desk.get_by_role("button", name="The printed pack is ready to leave at the gate").click()
    expect(desk.locator("#pack-state")).to_contain_text("Ready to leave at the gate")
    desk.goto("/establishment/")  # a co-ordinator with no post sees every prison: Ola is there to be left out below
    expect(desk.locator("section[aria-labelledby=releases] tbody")).to_contain_text("Ola")
    log_out(desk)

    # 2. Gordon's establishment page: Kit and Dee by first name, date, mentor and pack; nobody from Low Moss.
    log_in(desk, STAFF)
    nav(desk, "My establishment")
    released = desk.locator("section[aria-labelledby=releases]")
    expect(released.get_by_role("heading", level=2)).to_have_text("Releases in the next six weeks (2)")
    rows = released.locator("tbody tr")
    expect(rows).to_have_count(2)
    for name, mentor, pack in (("Kit", "Jamie K.", "Ready to leave at the gate"),
                               ("Dee", "Kirsty L.", "Plan made; pack not ready yet")):
        row = rows.filter(has=desk.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td")).to_have_text([f"{releases[name]:%a} {releases[name].day} {releases[name]:%b %Y}, "
                                                "gate 09:00", mentor, pack])
    assert "Ola" not in released.inner_text()
    names = rows.locator("th").all_inner_texts()
    assert names == sorted(releases, key=lambda n: releases[n]), names  # soonest first

    # 3. The day sheet opens on today; the session day shows the group, who comes in and their clearance on it.
    desk.get_by_role("link", name="Day sheet for the gate or visits desk").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"HMP Perth: {long_date(today)}")
    venue_id = desk.get_by_label("Establishment").input_value()
    assert desk.get_by_label("Establishment").locator("option").all_inner_texts() == ["HMP Perth"]
    show_sheet(desk, venue_id, sessions_on)
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"HMP Perth: {long_date(sessions_on)}")
    session = desk.locator(".sheet-session").filter(has_text="HMP Perth SMART group")
    expect(session.get_by_role("heading", level=3)).to_have_text("14:00–15:30 · HMP Perth SMART group")
    coming = session.locator("tbody tr")
    expect(coming).to_have_count(2)
    fiona = coming.filter(has=desk.get_by_role("rowheader", name="Fiona S."))
    expect(fiona.locator("td")).to_have_text(["Facilitator", f"Valid, expires {today + timedelta(days=25):%-d %B %Y}"])
    jamie = coming.filter(has=desk.get_by_role("rowheader", name="Jamie K."))
    expect(jamie.locator("td")).to_have_text(["Peer mentor", "Not cleared on this date"])
    expect(jamie.locator("td.clearance-none strong")).to_have_text("Not cleared on this date")
    assert "Valid" not in jamie.inner_text()
    # The visits desk: Dee's community mentor has no clearance for a visit inside, and the sheet says so.
    visit_at = query(db_url, "SELECT i.starts_at FROM pathway_items i JOIN pathways p ON p.id = i.pathway_id "
                             "WHERE p.first_name = 'Dee' AND i.kind = 'agency_visit'")[0][0]
    visit_day = as_date(str(visit_at)[:10])  # 14:00 in Scotland: the same day in UTC
    show_sheet(desk, venue_id, visit_day)
    visit = desk.locator("section[aria-labelledby=gate-title] tbody tr").filter(has_text="Visit before release")
    expect(visit).to_contain_text("Dee")
    expect(visit.locator("td").last).to_have_text("Kirsty L. (not cleared on this date)")

    # 4. Keyboard only: Tab to the date, type Kit's release day, Enter. The sheet changes to that day's gate.
    show_sheet(desk, venue_id, sessions_on)
    tab_to(desk, "on")
    kit_out = releases["Kit"]
    type_date(desk, kit_out)
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("heading", level=1)).to_have_text(f"HMP Perth: {long_date(kit_out)}")
    assert desk.get_by_label("Date").input_value() == kit_out.isoformat()
    gate = desk.locator("section[aria-labelledby=gate-title] tbody tr").filter(has_text="Release: meet at the gate")
    expect(gate).to_have_count(1)
    expect(gate.locator("td, th")).to_have_text(["09:00", "Release: meet at the gate", "Kit", "Jamie K."])

    # 5. Printed: no menus, no chooser; the sheet itself and its tables stay.
    header, chooser = desk.locator(".site-header"), desk.locator("form.sheet-choose")
    expect(header).to_be_visible()
    expect(chooser).to_be_visible()
    desk.emulate_media(media="print")
    expect(header).to_be_hidden()
    expect(chooser).to_be_hidden()
    expect(desk.locator(".site-footer")).to_be_hidden()
    expect(desk.get_by_role("heading", level=1)).to_be_visible()
    expect(gate).to_be_visible()
    printed_size = desk.locator(".day-sheet").evaluate("el => getComputedStyle(el).fontSize")
    assert float(printed_size.removesuffix("px")) == pytest.approx(13 * 4 / 3, abs=0.01)  # 13pt, arm's length
    desk.emulate_media(media="screen")
    expect(header).to_be_visible()

    # 6. Without JavaScript: log in, open the sheet, choose the session day with the plain form.
    plain = new_context(viewport=DESKTOP, java_script_enabled=False).new_page()
    log_in(plain, STAFF)
    nav(plain, "My establishment")
    expect(plain.locator("section[aria-labelledby=releases] tbody tr")).to_have_count(2)
    plain.get_by_role("link", name="Day sheet for the gate or visits desk").click()
    plain.get_by_label("Date").fill(sessions_on.isoformat())
    plain.get_by_role("button", name="Show the day sheet").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text(f"HMP Perth: {long_date(sessions_on)}")
    expect(plain.locator(".sheet-session tbody tr")).to_have_count(2)
    expect(plain.locator("td.clearance-none")).to_have_text("Not cleared on this date")

    # 7. A bad date in the address (a mistyped bookmark): the refusal (422) says so beside the date, keeps what was
    #    typed, and the page keeps its heading and its form; nothing of the sheet is guessed.
    refused = plain.goto(f"/establishment/day-sheet?venue={venue_id}&on=2026-02-30")
    assert refused.status == 422
    expect(plain.get_by_role("heading", level=1)).to_have_text("Day sheet")
    date_box = plain.get_by_label("Date")
    expect(date_box).to_have_attribute("aria-invalid", "true")
    expect(plain.locator("#" + date_box.get_attribute("aria-describedby"))).to_have_text(
        "Give the date (day, month, year).")
    expect(plain.locator(".day-sheet")).to_have_count(0)
