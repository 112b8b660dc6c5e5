"""The network grows, in a real browser on a desktop-sized screen: a co-ordinator adds a prison with a staff account
and an area; a facilitator posts a session in a prison she is cleared for and its staff approve it; a referral-only
course enrols three and marks one complete, with a certificate to print.

Demo network (tests/browser/conftest.py `staff_app`, CSRF on): Morag D. co-ordinates, Fiona S. facilitates and is
cleared for HMP Perth, Gordon R. is HMP Perth's staff.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.browser.conftest import expect, host_of, log_in, log_out, nav

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

COORDINATOR = "coordinator@demo.recovery-network.org"
FACILITATOR = "facilitator@demo.recovery-network.org"
STAFF = "staff.perth@demo.recovery-network.org"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def desk(new_context):
    """A desktop-sized page: staff screens use the width."""
    return new_context(viewport=DESKTOP).new_page()


def test_a_coordinator_adds_a_prison_with_staff_and_an_area(desk, requests_seen):
    """Co-ordinate → Establishments → Add prison → its page → Create account; then Areas → Add area."""
    log_in(desk, COORDINATOR)
    nav(desk, "Co-ordinate")
    desk.get_by_role("link", name="Establishments").click()
    desk.get_by_label("Name").fill("HMP Shotts")
    desk.get_by_label("Town").fill("Shotts")
    desk.get_by_label("Postcode district").fill("ml7")
    desk.get_by_label("Kind").select_option(label="Closed")
    desk.get_by_label("Area").select_option(label="Glasgow")
    desk.get_by_role("button", name="Add prison").click()
    expect(desk.get_by_role("heading", name="HMP Shotts", level=1)).to_be_visible()
    expect(desk.locator(".meta")).to_contain_text("Shotts · ML7 · Closed · Glasgow")
    main_width = desk.locator("main").bounding_box()["width"]
    assert main_width > 1000, main_width  # a staff screen uses the desktop's width

    desk.get_by_label("Work email").fill("officer.shotts@example.org")
    desk.get_by_label("First name").fill("Ruth")
    desk.get_by_label("Initial of last name (optional)").fill("M")
    desk.get_by_role("button", name="Create account").click()
    expect(desk.get_by_role("status")).to_contain_text("Account made for Ruth M.")
    expect(desk.get_by_role("region", name=re.compile("Staff"))).to_contain_text("Ruth M.")

    desk.get_by_role("link", name="Co-ordinate").first.click()
    desk.get_by_role("link", name="Areas").click()
    desk.get_by_label("Name").fill("Fife")
    desk.get_by_label("What it covers").fill("KY77")
    desk.get_by_role("button", name="Add area").click()
    expect(desk.get_by_text("KY77 is not a postcode district we know")).to_be_visible()
    desk.get_by_label("What it covers").fill("Fife\nKY1, KY2")
    desk.get_by_role("button", name="Add area").click()
    expect(desk.get_by_role("row", name=re.compile("^Fife"))).to_contain_text("KY1 (district), KY2 (district)")
    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside


def test_a_facilitator_posts_in_custody_and_the_prison_staff_approve(desk):
    """Fiona posts at HMP Perth (offered because she is cleared); Gordon sees it waiting and approves it."""
    log_in(desk, FACILITATOR)
    nav(desk, "My sessions")
    desk.goto("/organise/new")
    desk.get_by_label("Title").fill("HMP Perth SMART (Friday)")
    desk.get_by_label("Venue").select_option(label="HMP Perth, Perth (custody)")
    desk.get_by_label("Day").select_option(label="Friday")
    desk.get_by_label("Starts at").fill("10:00")
    desk.get_by_label("First date").fill((date.today() + timedelta(days=7)).isoformat())
    desk.get_by_role("button", name="Post series").click()
    expect(desk.get_by_role("status")).to_contain_text("The establishment's staff will approve it")
    expect(desk.get_by_text("Waiting for the establishment's staff to approve it")).to_be_visible()
    log_out(desk)

    log_in(desk, STAFF)
    nav(desk, "My establishment")
    waiting = desk.locator("section[aria-labelledby=awaiting] li.card").filter(has_text="HMP Perth SMART (Friday)")
    expect(waiting).to_contain_text("posted by Fiona S.")
    waiting.get_by_role("button", name="Approve HMP Perth SMART (Friday)").click()
    expect(desk.get_by_role("status")).to_contain_text("approved. It is on the rota now.")
    expect(desk.locator("section[aria-labelledby=awaiting]")).not_to_contain_text("HMP Perth SMART (Friday)")
    expect(desk.get_by_role("link", name="HMP Perth SMART (Friday)")).to_be_visible()


def test_a_referral_only_course_enrols_three_and_one_completes(desk):
    """Fiona posts a closed 10-week course, enrols three by first name or initials, and prints one certificate."""
    log_in(desk, FACILITATOR)
    desk.goto("/organise/new")
    desk.get_by_label("Title").fill("Dundee 10-week Recovery Group")
    desk.get_by_label("Kind of meeting").select_option("programme")
    desk.get_by_label("Venue").select_option(label="West End Community Church, Dundee")
    desk.get_by_label("Day").select_option(label="Monday")
    desk.get_by_label("Starts at").fill("10:00")
    desk.get_by_label("First date").fill(date.today().isoformat())
    desk.get_by_label("Or: a fixed course of this many sessions (optional)").fill("10")
    desk.get_by_label("Who can come").select_option("closed")
    desk.get_by_role("button", name="Post series").click()
    expect(desk.get_by_text("A closed group needs a contact for referrals")).to_be_visible()
    desk.get_by_label("Referral contact (closed groups)").fill("Dundee Recovery Service, 01632 960 456")
    desk.get_by_role("button", name="Post series").click()
    expect(desk.get_by_role("status")).to_contain_text("listed publicly as by referral")
    desk.get_by_role("link", name=re.compile("Course register")).click()
    for name in ("Kowalski Dee", "Dee", "Ross", "J.M."):
        desk.get_by_label("First name or initials").fill(name)
        desk.get_by_role("button", name="Enrol").click()
        if name == "Kowalski Dee":
            expect(desk.get_by_role("alert")).to_contain_text("never a surname")
    expect(desk.get_by_role("heading", name="Enrolled (3)")).to_be_visible()
    desk.get_by_role("button", name="Mark Ross complete").click()
    expect(desk.get_by_role("status")).to_contain_text("Ross completed the course")
    desk.get_by_role("link", name="Certificate for Ross").click()
    expect(desk.locator(".certificate")).to_contain_text("Certificate of completion")
    expect(desk.locator(".certificate h1")).to_have_text("Ross")
    desk.emulate_media(media="print")
    expect(desk.locator(".site-header")).to_be_hidden()  # the certificate prints alone
    desk.emulate_media(media="screen")
    assert desk.goto("/meetings?near=Dundee").status == 200
    card = desk.locator("li.card").filter(has_text="Dundee 10-week Recovery Group")
    expect(card).to_contain_text("By referral")
    expect(card).not_to_contain_text("West End Community Church")
