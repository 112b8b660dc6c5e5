"""One window for a release date, whether a pathway is opened or its date changed (issue 11 item 14)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.extensions import db
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.services import RELEASE_AHEAD, RELEASE_PAST
from tests.pathways.conftest import RELEASE, TODAY, open_form

TOO_FAR = TODAY + RELEASE_AHEAD + timedelta(days=1)
TOO_EARLY = TODAY - RELEASE_PAST - timedelta(days=1)


def page(response) -> str:
    """The page as a person reads it."""
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def pathway(client, auth, setting) -> Pathway:
    """A pathway opened by the co-ordinator, who stays logged in."""
    auth.login(setting["coordinator"])
    assert client.post("/pathways/new", data=open_form(setting)).status_code == 302
    return db.session.scalar(select(Pathway))


@pytest.mark.parametrize(("new_date", "message"), [
    (TOO_FAR, "more than a year away"), (TODAY + timedelta(days=3000), "more than a year away"),
    (TOO_EARLY, "more than a week ago"),
])
def test_changing_the_release_date_has_the_same_bounds_as_opening(client, pathway, new_date, message):
    """A new release date more than a year ahead (or a week back) is refused, and the plan is left as it was."""
    response = client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": new_date.isoformat()})
    assert message in page(response)
    db.session.expire_all()
    assert db.session.get(Pathway, pathway.id).release_date == RELEASE


@pytest.mark.parametrize("new_date", [TODAY + RELEASE_AHEAD, TODAY - RELEASE_PAST])
def test_the_edges_of_the_window_are_allowed_both_ways(client, pathway, new_date):
    """Exactly a year ahead and exactly a week back are inside the window, on change as on opening."""
    response = client.post(f"/pathways/{pathway.public_id}/release-date", data={"release_date": new_date.isoformat()})
    assert response.status_code in (302, 303), page(response)[-2000:]
    db.session.expire_all()
    assert db.session.get(Pathway, pathway.id).release_date == new_date


@pytest.mark.parametrize(("release", "message"), [(TOO_FAR, "more than a year away"),
                                                   (TOO_EARLY, "more than a week ago")])
def test_opening_outside_the_window_is_refused(client, auth, setting, release, message):
    """Opening uses the same check."""
    auth.login(setting["coordinator"])
    response = client.post("/pathways/new", data=open_form(setting, release_date=release.isoformat()))
    assert message in page(response)
    assert db.session.scalar(select(Pathway)) is None
