"""Someone in several organisations chooses which one owns a series they post or a pathway they open (issue #14).

The choice (organisations/forms.offer_owners, checked by access.may_own in the services) is offered only when there
is one to make; it defaults to the home organisation; a forged one is refused beside the field with nothing saved;
and the chosen organisation's co-ordinators then manage the record while the others' get a made-up id's 404.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recovery_network.extensions import db
from recovery_network.meetings.models import Meeting
from recovery_network.organisations.models import Membership, Organisation
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.throughcare_models import Referral
from tests.conftest import founding_organisation
from tests.meetings.test_posting import series, text
from tests.pathways.conftest import open_form
from tests.pathways.test_throughcare_refusals import REFERRAL


@pytest.fixture
def owners(setting, make_person, make_venue):
    """Cal co-ordinates for ours and Tayside (ours first: his home); Morag (the setting's) only ours; Tom only
    Tayside; Fran facilitates for ours only; Glasgow is nobody's here. Jamie, the cleared mentor, is in both."""
    ours = founding_organisation()
    theirs = Organisation(name="Tayside Throughcare", kind="throughcare")
    elsewhere = Organisation(name="Glasgow Recovery Community", kind="community")
    db.session.add_all([theirs, elsewhere])
    db.session.add(Membership(organisation=theirs, person=setting["mentor"]))
    db.session.commit()
    return {**setting, "ours": ours, "theirs": theirs, "elsewhere": elsewhere,
            "cal": make_person("coordinator", "facilitator", first_name="Cal", organisations=[ours, theirs]),
            "morag": setting["coordinator"],
            "tom": make_person("coordinator", first_name="Tom", organisations=[theirs]),
            "fran": make_person("facilitator", first_name="Fran"),
            "hall": make_venue(name="Tayside Hall")}


def meeting_count() -> int:
    """How many series there are."""
    return db.session.scalar(select(func.count(Meeting.id)))


def test_a_coordinator_of_two_posts_under_the_second_and_only_its_coordinators_manage_it(client, auth, owners):
    """Cal sees both organisations (his home one chosen), posts under Tayside: Tom manages it, Morag gets 404."""
    n = owners
    auth.login(n["cal"])
    page = client.get("/organise/new").get_data(as_text=True)
    assert 'name="organisation_id"' in page and "Glasgow Recovery Community" not in page
    assert f'<option selected value="{n["ours"].id}">' in page and "Tayside Throughcare" in page
    answer = client.post("/organise/new", data=series(n["hall"], title="Tayside SMART",
                                                      organisation_id=n["theirs"].id))
    assert answer.status_code == 302, text(answer)
    posted = db.session.scalar(select(Meeting).where(Meeting.title == "Tayside SMART"))
    assert posted.organisation_id == n["theirs"].id
    auth.login(n["tom"])
    assert "Tayside SMART" in text(client.get(f"/organise/meetings/{posted.slug}/edit"))
    auth.login(n["morag"])
    theirs = client.get(f"/organise/meetings/{posted.slug}/edit")
    missing = client.get("/organise/meetings/no-such-meeting/edit")
    assert theirs.status_code == missing.status_code == 404 and theirs.data == missing.data
    # Without a choice sent, Cal's series is his home organisation's, as before.
    auth.login(n["cal"])
    client.post("/organise/new", data=series(n["hall"], title="Perth SMART"))
    assert db.session.scalar(select(Meeting.organisation_id).where(Meeting.title == "Perth SMART")) == n["ours"].id


@pytest.mark.parametrize(("who", "forged"), [(who, forged) for who in ("cal", "morag", "fran")
                                              for forged in ("elsewhere", "theirs", "abc", "99999999999")
                                              if (who, forged) != ("cal", "theirs")])  # Cal is in Tayside
def test_a_forged_organisation_is_refused_beside_the_field_and_nothing_is_posted(client, auth, owners, who, forged):
    """An organisation the poster is not in (or no organisation at all) answers 422 beside the choice."""
    n = owners
    value = n[forged].id if forged in ("elsewhere", "theirs") else forged
    auth.login(n[who])
    before = meeting_count()
    answer = client.post("/organise/new", data=series(n["hall"], organisation_id=value))
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="organisation_id-error"' in page  # shown beside the choice, even to someone offered none
    assert ("Choose from the list." if forged in ("abc", "99999999999") else "Choose one of your organisations.") in page
    assert meeting_count() == before


@pytest.mark.parametrize("who", ["morag", "fran"])
def test_someone_in_one_organisation_sees_no_choice_and_posts_as_before(client, auth, owners, who):
    """Morag (co-ordinator) and Fran (facilitator) are in ours only: no select, and the series is ours."""
    n = owners
    auth.login(n[who])
    assert 'name="organisation_id"' not in client.get("/organise/new").get_data(as_text=True)
    assert client.post("/organise/new", data=series(n["hall"], title=f"{who} SMART")).status_code == 302
    assert db.session.scalar(select(Meeting.organisation_id).where(Meeting.title == f"{who} SMART")) == n["ours"].id


def test_a_pathway_opened_under_the_second_organisation_is_its_coordinators(client, auth, owners):
    """Cal opens a pathway for Tayside: Tom opens it, Morag gets a made-up id's 404; a forgery saves nothing."""
    n = owners
    auth.login(n["cal"])
    page = client.get("/pathways/new").get_data(as_text=True)
    assert 'name="organisation_id"' in page and "Glasgow Recovery Community" not in page
    refused = client.post("/pathways/new", data=open_form(n, organisation_id=n["elsewhere"].id))
    assert refused.status_code == 422 and 'id="organisation_id-error"' in refused.get_data(as_text=True)
    assert "Choose one of your organisations." in text(refused)
    assert db.session.scalar(select(func.count(Pathway.id))) == 0
    answer = client.post("/pathways/new", data=open_form(n, organisation_id=n["theirs"].id))
    assert answer.status_code == 302, text(answer)
    pathway = db.session.scalar(select(Pathway))
    assert pathway.organisation_id == n["theirs"].id
    auth.login(n["tom"])
    assert pathway.reference in text(client.get(f"/pathways/{pathway.public_id}"))
    auth.login(n["morag"])
    theirs, missing = client.get(f"/pathways/{pathway.public_id}"), client.get("/pathways/no-such-pathway")
    assert theirs.status_code == missing.status_code == 404 and theirs.data == missing.data
    assert 'name="organisation_id"' not in client.get("/pathways/new").get_data(as_text=True)


def test_a_referral_is_owned_by_the_organisation_it_was_sent_to(client, auth, owners, make_person):
    """A referral addressed to Tayside is accepted by Cal into a Tayside pathway, with no choice to make (the
    referral already says whose it is); Morag, of the founding organisation only, gets a made-up id's 404."""
    n = owners
    staff = make_person("establishment_staff", first_name="Gordon", establishments=[n["prison"]])
    auth.login(staff)
    sent = client.post("/referrals/new", data={**REFERRAL, "establishment_id": n["prison"].id,
                                               "organisation_id": n["theirs"].id})
    assert sent.status_code == 302, text(sent)
    referral = db.session.scalar(select(Referral))
    auth.login(n["morag"])
    theirs, missing = client.get(f"/referrals/{referral.public_id}"), client.get("/referrals/no-such-referral")
    assert theirs.status_code == missing.status_code == 404 and theirs.data == missing.data
    auth.login(n["cal"])
    assert 'name="organisation_id"' not in client.get(f"/referrals/{referral.public_id}").get_data(as_text=True)
    form = {"mentor_id": n["mentor"].id, "backup_mentor_id": 0, "community_mentor_id": 0,
            "organisation_id": n["elsewhere"].id}  # ignored: there is no such field to forge
    answer = client.post(f"/referrals/{referral.public_id}/accept", data=form)
    assert answer.status_code == 302, text(answer)
    assert db.session.scalar(select(Pathway.organisation_id)) == n["theirs"].id
