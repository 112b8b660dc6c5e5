"""Throughcare in a real browser: establishment staff refer → the co-ordinator accepts with a mentor inside and a
community mentor and agrees the integration plan → the mentor records two contacts before release, the gate, and
two tries with no response → the escalation reaches the dashboard → the month's figures hide small numbers →
erasure leaves nothing of the person in any table.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from tests.browser.conftest import expect, host_of, log_in, log_out, nav
from tests.browser.test_pathway_journey import database_rows, query, server_today

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

STAFF = "staff.perth@demo.recovery-network.org"
COORDINATOR = "coordinator@demo.recovery-network.org"
MENTOR = "mentor@demo.recovery-network.org"


def record(page, on, how: str) -> None:
    """The contact form on the pathway page."""
    contacts = page.locator("section[aria-labelledby=contact-heading]")
    contacts.get_by_label("Date").fill(on.isoformat())
    contacts.get_by_label("How", exact=True).select_option(label=how)
    contacts.get_by_role("button", name="Record contact").click()
    expect(page.locator(".flash-success")).to_have_text("Contact recorded.")


def standard(page, name: str):
    """One contact standard's line on the pathway page."""
    return page.locator("section[aria-labelledby=standards-heading] li").filter(has_text=name)


def test_refer_accept_plan_contact_escalate_figures_erase(page, new_context, staff_app, requests_seen):
    """The whole throughcare journey, each step through the screens."""
    today = server_today()
    release = today - timedelta(days=1)

    # 1. Establishment staff refer Robin, with consent recorded; bad input is explained beside the field.
    log_in(page, STAFF)
    nav(page, "Referrals")  # staff refer; pathways belong to the organisation supporting the person
    page.get_by_role("link", name="Refer someone").click()
    page.get_by_label("First name or initials").fill("Robin")
    page.get_by_label("Released from").select_option(label="HMP Perth")
    page.get_by_label("Release date").fill(release.isoformat())
    page.get_by_label("Where they will live").fill("Dundee")
    page.get_by_label("Referring service").fill("Kinnoull Link Team")
    page.get_by_label("Consent taken by").fill("Gordon R")
    page.get_by_label("Consent given on").fill(today.isoformat())
    page.get_by_label("How consent was given").select_option(label="In person")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator("#consent_given-error")).to_contain_text("A referral needs the person's consent.")
    page.get_by_label("The person agreed to be referred").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(".flash-success")).to_contain_text("Referral sent.")
    expect(page.locator("tbody tr").filter(has_text="Robin")).to_contain_text("New")
    log_out(page)

    # 2. The co-ordinator accepts it from the dashboard: a mentor inside and a community mentor; the plan.
    log_in(page, COORDINATOR)
    nav(page, "Co-ordinate")
    page.locator("section[aria-labelledby=referrals-heading]").get_by_role("link", name=re.compile("^Robin")).click()
    page.get_by_label("Mentor inside (cleared for the prison)").select_option(label="Jamie K.")
    page.get_by_label("Community mentor").select_option(label="Kirsty L.")
    page.get_by_role("button", name="Accept and open the pathway").click()
    page.wait_for_url(re.compile(r"/pathways/[A-Za-z0-9_-]{16}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Robin")
    expect(page.locator("main")).to_contain_text("Community mentor: Kirsty L.")
    public_id = page.url.rsplit("/", 1)[1]
    housing = page.locator("#plan-housing")
    housing.locator("summary").click()
    housing.get_by_label("What is agreed").fill("Council tenancy sign-up")
    housing.get_by_label("Who does it").select_option(label="An agency")
    housing.get_by_role("button", name="Save the plan for Housing").click()
    expect(page.locator("#plan-housing")).to_contain_text("Name the agency that does it.")
    housing = page.locator("#plan-housing")
    housing.get_by_label("The agency, by name").fill("Tayview Housing Options")
    housing.get_by_label("Where it stands").select_option(label="In hand")
    housing.get_by_role("button", name="Save the plan for Housing").click()
    expect(page.locator(".flash-success")).to_have_text("Plan saved.")
    expect(page.locator("#plan-housing")).to_contain_text("Tayview Housing Options")
    expect(page.locator("#plan-housing")).to_contain_text("In hand")
    log_out(page)

    # 3. The mentor: two face-to-face before release, the gate, then two tries with no response.
    log_in(page, MENTOR)
    nav(page, "Pathways")
    page.locator("tbody tr").filter(has=page.get_by_role("cell", name="Robin", exact=True)).get_by_role("link").click()
    expect(standard(page, "Two face-to-face before release")).to_contain_text("Missed")
    record(page, release - timedelta(days=10), "Face to face")
    record(page, release - timedelta(days=5), "Agency visit with the person")
    record(page, release, "At the gate")
    expect(standard(page, "Two face-to-face before release")).to_contain_text("Met")
    expect(standard(page, "Seen within 2 days of release")).to_contain_text("Met")
    record(page, today, "Tried, no response")
    expect(page.locator("main")).to_contain_text("No response: try again by")
    record(page, today, "Tried, no response")
    expect(page.locator("section[aria-labelledby=contact-heading]")).to_contain_text("escalated to the co-ordinator")
    log_out(page)

    # 4. The escalation is on the dashboard; the month's figures hide every count under 5.
    log_in(page, COORDINATOR)
    nav(page, "Co-ordinate")
    escalations = page.locator("section[aria-labelledby=escalations-heading]")
    expect(escalations.get_by_role("link", name=re.compile("^Robin"))).to_be_visible()
    expect(escalations).to_contain_text("No response twice in a row")
    page.get_by_role("link", name="Figures for funders").first.click()
    month = f"{today:%B %Y}"
    table = page.locator("section").filter(has=page.get_by_role("heading", name=f"By establishment, {month}"))
    expect(table).to_contain_text("<5")
    expect(page.locator("figure.figure-chart svg title").first).to_have_count(1)
    csv_text = page.request.get("/pathways/figures.csv").text()
    values = [row["value"] for row in csv.DictReader(io.StringIO(csv_text))]
    assert values and all(v in ("<5", "x") or int(v) >= 5 for v in values), values
    assert "<5" in values
    rows = [r for r in csv.DictReader(io.StringIO(csv_text)) if r["group"] == "HMP Perth" and r["measure"] == "opened"]
    assert rows and all(r["value"] != "1" for r in rows)

    # 5. Erasure: one action, and nothing of Robin in any table (tallies hold counts only).
    db_url = staff_app.database_url
    page.goto(f"/pathways/{public_id}")
    page.get_by_role("button", name="Erase this pathway now").click()
    expect(page.locator(".flash-success")).to_have_text("The pathway has been erased.")
    assert query(db_url, "SELECT id FROM pathways WHERE public_id = :p", p=public_id) == []
    secrets = ("Robin", "Council tenancy sign-up", "Tayview Housing Options", "Kinnoull Link Team", public_id)
    traces = [(name, row) for name, table_rows in database_rows(db_url).items() for row in table_rows
              if any(isinstance(v, str) and any(s in v for s in secrets) for v in row)]
    assert traces == [], traces

    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside
