"""Naming a pathway's mentors after it is opened: the owning organisation's co-ordinators, the opening rules,
and after a handover the new organisation's own people (the old organisation's mentors step off)."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.mentors.models import Course, TrainingRecord
from recovery_network.pathways.assignment import change_mentors
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.services import PathwayError
from recovery_network.types import utcnow
from tests.pathways.conftest import TODAY
from tests.pathways.test_handover import handover, share  # noqa: F401 - the fixture
from tests.pathways.test_pickers import options


@pytest.fixture
def tess_trained(handover):  # noqa: F811 - the fixture above
    """Tess, Tayside's peer mentor, with verified training (no prison clearance: she can mentor outside)."""
    course = db.session.scalar(select(Course))
    db.session.add(TrainingRecord(person=handover["tess"], course=course, completed_on=TODAY - timedelta(days=30),
                                  status="verified", verified_by_id=handover["coordinator"].id,
                                  verified_at=utcnow()))
    db.session.commit()
    return handover


def mentors(client, pathway, **chosen):
    """The mentors form as posted (0 is "None")."""
    data = {"mentor_id": 0, "backup_mentor_id": 0, "community_mentor_id": 0, **chosen}
    return client.post(f"/pathways/{pathway.public_id}/mentors", data=data)


def fresh(pathway) -> Pathway:
    """The pathway as stored now."""
    db.session.expire_all()
    return db.session.get(Pathway, pathway.id)


def test_after_a_handover_the_new_organisation_names_its_own_mentor(client, auth, tess_trained):
    """Handed to Tayside, the pathway has no mentor; Tom is offered only Tayside's people who can mentor, and
    names Tess as community mentor — saved and audited."""
    h = tess_trained
    assert share(client, h, share_kind="handover").status_code == 303
    assert fresh(h["pathway"]).mentor_id is None
    auth.login(h["tom"])
    page = html.unescape(client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True))
    assert options(page, "community_mentor_id") == ["None", "Tess K."]
    assert options(page, "mentor_id") == ["None"]  # nobody at Tayside is cleared for HMP Perth
    assert mentors(client, h["pathway"], community_mentor_id=h["tess"].id).status_code == 302
    assert fresh(h["pathway"]).community_mentor_id == h["tess"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "pathway.mentors")) is not None


def test_a_mentor_from_another_organisation_is_refused(client, auth, tess_trained):
    """Morag's organisation owns the pathway: Tess (Tayside) is not offered, a forged post is refused beside the
    field with nothing changed, and the rule holds in the service too."""
    h = tess_trained
    auth.login(h["coordinator"])
    page = html.unescape(client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True))
    assert "Tess" not in " ".join(options(page, "community_mentor_id"))
    response = mentors(client, h["pathway"], mentor_id=h["mentor"].id, community_mentor_id=h["tess"].id)
    assert response.status_code == 422
    body = html.unescape(response.get_data(as_text=True))
    field = body.split('name="community_mentor_id"')[0].rsplit('class="field', 1)[1]
    assert "field-error" in field.split(">")[0]
    assert fresh(h["pathway"]).community_mentor_id is None
    with pytest.raises(PathwayError) as refused:
        change_mentors(fresh(h["pathway"]), h["mentor"], None, h["tess"], h["coordinator"])
    assert refused.value.field == "community_mentor_id" and "isn't a member" in str(refused.value)
    db.session.rollback()


def test_an_ineligible_mentor_is_refused_with_the_reason_beside_the_field(client, auth, tess_trained):
    """Chris is not cleared for HMP Perth: refused with the rule's reason, and Jamie stays the mentor; a backup
    the same as the mentor is refused too."""
    h = tess_trained
    auth.login(h["coordinator"])
    response = mentors(client, h["pathway"], mentor_id=h["other"].id)
    body = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422 and "Chris K. can't be the mentor" in body
    assert fresh(h["pathway"]).mentor_id == h["mentor"].id
    response = mentors(client, h["pathway"], mentor_id=h["mentor"].id, backup_mentor_id=h["mentor"].id)
    assert response.status_code == 422 and "must be someone else" in response.get_data(as_text=True)
    assert fresh(h["pathway"]).backup_mentor_id is None


def test_only_the_owning_organisations_coordinators_may_name_mentors(client, auth, tess_trained):
    """The mentor works on the pathway but does not name mentors; another organisation's co-ordinator gets the
    same 404 as for a made-up pathway."""
    h = tess_trained
    auth.login(h["mentor"])
    page = client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True)
    assert "Save mentors" not in page
    assert mentors(client, h["pathway"], mentor_id=h["mentor"].id).status_code == 404
    auth.login(h["tom"])
    forged = client.post("/pathways/made-up-id/mentors", data={"mentor_id": 0})
    real = mentors(client, h["pathway"], mentor_id=h["mentor"].id)
    assert real.status_code == forged.status_code == 404 and real.get_data() == forged.get_data()
    auth.login(h["coordinator"])
    assert "Save mentors" in client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True)
