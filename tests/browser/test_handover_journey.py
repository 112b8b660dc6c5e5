"""Handover with consent in a real browser: Morag (Recovery Network) shares Jo's pathway with Tayside Throughcare,
with Jo's consent recorded and no contact notes → Tom (Tayside's co-ordinator) reads the plan but not the notes
→ his view is in the audit log → Morag withdraws → Tom's next request is "We can't find that page".
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import expect, log_in, log_out, nav
from tests.browser.test_pathway_journey import query

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

COORDINATOR = "coordinator@demo.recovery-network.org"
TAYSIDE = "coordinator.tayside@demo.recovery-network.org"


def test_share_with_consent_read_audit_withdraw(page, staff_app):
    """The whole handover journey, each step through the screens."""
    reference, public_id = query(staff_app.database_url,
                                 "SELECT reference, public_id FROM pathways WHERE first_name = 'Jo'")[0]

    # 1. Before sharing, Tom (another organisation) cannot open Jo's pathway: it does not exist for him.
    log_in(page, TAYSIDE)
    nav(page, "Pathways")
    expect(page.get_by_role("link", name=reference)).to_have_count(0)
    page.goto(f"/pathways/{public_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    log_out(page)

    # 2. Morag opens Jo's pathway; sharing without ticking consent is refused beside the box.
    log_in(page, COORDINATOR)
    nav(page, "Pathways")
    page.get_by_role("link", name=reference).click()
    sharing = page.locator("section[aria-labelledby=sharing-heading]")
    expect(sharing).to_contain_text("Owned by Recovery Network")
    sharing.get_by_label("Organisation", exact=True).select_option(label="Tayside Throughcare")
    sharing.get_by_label("Share: they read the plan, we keep the pathway").check()
    sharing.get_by_role("button", name="Record consent and share").click()
    sharing = page.locator("section[aria-labelledby=sharing-heading]")
    expect(sharing.locator(".errors")).to_have_text("Tick to confirm the person agreed to this, today.")
    expect(sharing.get_by_label("Organisation", exact=True)).to_have_value(
        str(query(staff_app.database_url, "SELECT id FROM organisations WHERE name = 'Tayside Throughcare'")[0][0]))

    # 3. With consent ticked (and contact notes not): shared, and the table says so.
    sharing.get_by_label("The person agreed to this today").check()
    sharing.get_by_role("button", name="Record consent and share").click()
    expect(page.locator(".flash-success")).to_have_text(
        "Shared with Tayside Throughcare, with the person's consent recorded.")
    expect(page.locator("section[aria-labelledby=sharing-heading] tbody tr").first).to_contain_text(
        "Shared with Tayside Throughcare")
    log_out(page)

    # 4. Tom finds Jo under "Shared with your organisation": the plan, no contact notes, nothing to change.
    log_in(page, TAYSIDE)
    nav(page, "Pathways")
    page.get_by_role("link", name=reference).click()
    expect(page.locator(".notice")).to_contain_text("Shared with your organisation by Recovery Network")
    expect(page.get_by_role("heading", name="The plan")).to_be_visible()
    plan = page.locator("section[aria-labelledby=plan-heading] tbody tr")
    expect(plan.first).to_be_visible()
    expect(plan.filter(has_text="Nothing planned yet.")).to_have_count(0)
    expect(page.get_by_role("heading", name="Contacts")).to_have_count(0)
    expect(page.get_by_role("button")).to_have_count(1)  # only "Log out"

    # 5. His view is on the audit log, naming Tayside, and the record of consent names who took it.
    tom = query(staff_app.database_url, "SELECT id FROM people WHERE email = :e", e=TAYSIDE)[0][0]
    tayside = query(staff_app.database_url, "SELECT id FROM organisations WHERE name = 'Tayside Throughcare'")[0][0]
    views = query(staff_app.database_url, "SELECT object_type, detail FROM audit_events WHERE actor_id = :a AND "
                  "action = 'pathway.shared_view'", a=tom)
    assert views == [("pathways", f"org {tayside}")]
    morag = query(staff_app.database_url, "SELECT id FROM people WHERE email = :e", e=COORDINATOR)[0][0]
    consents = query(staff_app.database_url, "SELECT s.consent_recorded_by_id, s.include_contacts FROM pathway_shares s "
                     "JOIN pathways p ON p.id = s.pathway_id WHERE p.first_name = 'Jo'")
    assert [(by, bool(contacts)) for by, contacts in consents] == [(morag, False)]
    log_out(page)

    # 6. Morag withdraws; Tom's next request for the pathway is a plain "not found".
    log_in(page, COORDINATOR)
    page.goto(f"/pathways/{public_id}")
    page.locator("section[aria-labelledby=sharing-heading]").get_by_role("button", name="Withdraw").click()
    expect(page.locator(".flash-success")).to_have_text("Sharing withdrawn: they can no longer see the pathway.")
    log_out(page)
    log_in(page, TAYSIDE)
    page.goto(f"/pathways/{public_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    nav(page, "Pathways")
    expect(page.get_by_role("link", name=reference)).to_have_count(0)
