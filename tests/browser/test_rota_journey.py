"""The rota in a real browser: a peer mentor signs up and withdraws in place (htmx), a co-ordinator sees the gaps.

The app runs with CSRF on, as in production (tests/browser/conftest.py `staff_app`), with the demo network:
Jamie K. is a trained peer mentor cleared for HMP Perth, Morag D. is the co-ordinator.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import expect, host_of, log_in, nav

pytestmark = [pytest.mark.browser, pytest.mark.staff_server]

COORDINATOR = "coordinator@demo.recovery-network.org"
MENTOR = "mentor@demo.recovery-network.org"


def test_peer_mentor_signs_up_and_withdraws_in_place(page, live_server, requests_seen):
    """My rota → Sessions that need help → Help as peer mentor: the widget swaps in place; Withdraw swaps it back."""
    log_in(page, MENTOR)
    nav(page, "My rota")
    expect(page.get_by_role("heading", name="My rota", level=1)).to_be_visible()
    needs_help = page.locator("section[aria-labelledby=needs-help]")
    expect(needs_help.get_by_role("heading", name="Sessions that need help")).to_be_visible()
    card = needs_help.locator("li.card").filter(has=page.get_by_role("button", name="Help as peer mentor")).first
    expect(card).to_be_visible()
    session = card.get_by_role("heading").inner_text().strip()
    meta = card.locator(".meta").inner_text().strip()
    widget = page.locator("#" + card.locator(".signup").get_attribute("id"))
    page.evaluate("window.__stillHere = 'same page'")

    with page.expect_response(lambda r: r.url.endswith("/rota/signup")) as signed:
        widget.get_by_role("button", name="Help as peer mentor").click()
    assert signed.value.status == 200
    assert signed.value.request.headers.get("hx-request") == "true"
    expect(widget).to_contain_text("You're on the rota")
    expect(widget.get_by_role("status")).to_have_text("You're on the rota. Thank you!")
    expect(widget.get_by_role("button", name="Withdraw")).to_be_visible()
    assert page.evaluate("window.__stillHere") == "same page", "htmx swapped the widget; no full navigation"
    assert page.locator("h1").count() == 1  # the fragment, not a page inside the page
    expect(page).to_have_url(re.compile(r"/rota/$"))

    with page.expect_response(lambda r: "/withdraw" in r.url) as withdrew:
        widget.get_by_role("button", name="Withdraw").click()
    assert withdrew.value.status == 200
    expect(widget.get_by_role("status")).to_have_text("You've withdrawn. Thanks for letting us know.")
    expect(widget.get_by_role("button", name="Help as peer mentor")).to_be_visible()
    assert page.evaluate("window.__stillHere") == "same page"

    # A fresh load agrees: the place is open again and not among mine.
    page.reload()
    mine = page.locator("section[aria-labelledby=mine]")
    expect(mine.get_by_role("heading", level=2)).to_be_visible()
    expect(mine.locator("li.card").filter(has_text=session).filter(has_text=meta.split(" · ")[0])).to_have_count(0)
    again = needs_help.locator("li.card").filter(has_text=session).filter(has_text=meta)
    expect(again.get_by_role("button", name="Help as peer mentor")).to_be_visible()

    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside


def test_coordinator_sees_custody_gaps_first(page, requests_seen):
    """Gaps: places short of helpers in the next seven days, custody sessions first, and a week grid by establishment."""
    log_in(page, COORDINATOR)
    nav(page, "Gaps")
    expect(page.get_by_role("heading", name="Gaps in the rota")).to_be_visible()
    expect(page.get_by_role("table", name="Places short of helpers by establishment and day")).to_be_visible()
    rows = page.locator("#gaps table:not(.week-grid) tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("td").nth(1)).to_contain_text("Custody")
    custody = [("Custody" in cell) for cell in rows.locator("td:nth-child(2)").all_inner_texts()]
    assert custody[0] and not all(custody), custody  # custody and community gaps both listed…
    assert custody == sorted(custody, reverse=True), "…and every custody gap before every community one"
    outside = [url for url in requests_seen if host_of(url) not in ("127.0.0.1", None)]
    assert outside == [], outside
