"""The gaps screen: seven days by establishment and day, with filters, and a picker that offers only people
eligible on that place's date (the rest listed apart with the reason)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from recovery_network.extensions import db
from recovery_network.mentors.models import Clearance
from tests.rota.conftest import TODAY, next_date


def cells(page: str, gap_id: str) -> str:
    """The picker cell of one place's row."""
    row = re.search(rf'<tr id="{gap_id}">(.*?)</tr>', page, re.S).group(1)
    return html.unescape(row)


@pytest.fixture
def screen(client, auth, make_volunteer, make_person, community, custody, prison):
    """Cleared Clea, uncleared Una, Lapsed whose clearance ends before the session, a facilitator; a co-ordinator in."""
    on = next_date(custody)
    people = {"clea": make_volunteer("Clea", cleared_for=[prison]), "una": make_volunteer("Una"),
              "lapsed": make_volunteer("Lapsed", cleared_for=[prison], clearance_until=TODAY),
              "fac": make_volunteer("Fac", roles=("facilitator",))}
    if on == TODAY:  # a clearance ending today still covers today; make the lapse real
        db.session.execute(Clearance.__table__.update().where(Clearance.person_id == people["lapsed"].id)
                           .values(expires_on=TODAY))
    db.session.commit()
    auth.login(make_person("coordinator", first_name="Morag"))
    return {"on": on, **people}


def test_the_custody_picker_offers_only_people_eligible_on_its_date(client, screen, custody):
    """Clea is offered; Una and (if the session is after today) Lapsed are listed apart with the clearance reason."""
    page = client.get("/rota/gaps").get_data(as_text=True)
    cell = cells(page, f"gap-{custody.id}-{screen['on'].isoformat()}-peer_mentor")
    offered = re.search(r"<select.*?</select>", cell, re.S).group(0)
    assert "Clea K." in offered and "Una K." not in offered and "Fac K." not in offered
    assert "Una K.: You need approved clearance for this establishment" in cell
    assert "Fac K.: Not a peer mentor on the rota." in cell
    if screen["on"] > TODAY:
        assert "Lapsed K." not in offered and "Lapsed K.: You need approved clearance" in cell


def test_the_week_grid_has_a_row_per_establishment_and_a_column_per_day(client, screen, custody, community):
    """Rows name the prison (first) and the community venue; the columns are the seven days from today."""
    page = client.get("/rota/gaps").get_data(as_text=True)
    grid = re.search(r'<table class="week-grid".*?</table>', page, re.S).group(0)
    rows = re.findall(r'<th scope="row">(.*?)</th>', grid)
    assert rows == [custody.venue.name, community.venue.name]
    assert len(re.findall(r'<th scope="col">', grid)) == 8
    assert f"#gap-{custody.id}-{screen['on'].isoformat()}-peer_mentor" in grid


@pytest.mark.parametrize("query, shown, hidden", [
    ("setting=custody", "HMP Perth SMART group", "Perth Tuesday SMART"),
    ("setting=community", "Perth Tuesday SMART", "HMP Perth SMART group"),
    ("role=facilitator", None, "HMP Perth SMART group"),
])
def test_filters_narrow_the_week(client, screen, query, shown, hidden):
    """Where and which role; a role nobody is short of shows the all-clear."""
    page = client.get(f"/rota/gaps?{query}").get_data(as_text=True)
    if shown:
        assert shown in page
    assert hidden not in page


@pytest.mark.parametrize("query", ["week=tomorrow", "week=9999-99-99", "week=1900-01-01", "venue=abc", "venue=%C2%B2", "venue=%D9%A3", "venue=" + "9" * 40,
                                   "setting=<script>", "role=admin", "week=%00"])
def test_bad_filters_fall_back_and_never_fail(client, screen, query):
    """Anything unreadable is ignored: the page still answers with the gaps."""
    response = client.get(f"/rota/gaps?{query}")
    assert response.status_code == 200 and "Gaps in the rota" in response.get_data(as_text=True)


def test_a_venue_filter_and_next_week(client, screen, custody):
    """One establishment only, and a later week by link."""
    page = client.get(f"/rota/gaps?venue={custody.venue_id}").get_data(as_text=True)
    assert "HMP Perth SMART group" in page and "Perth Tuesday SMART" not in page
    later = client.get(f"/rota/gaps?week={(TODAY + timedelta(days=7)).isoformat()}&setting=custody")
    assert "HMP Perth SMART group" in later.get_data(as_text=True)  # weekly: it is short next week too
