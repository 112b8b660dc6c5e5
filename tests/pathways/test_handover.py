"""Handover with consent: a pathway shared with, or handed to, another organisation.

The receiving organisation reads the minimal fields and the plan, contact notes only if shared; each of its
views is audited; withdrawing ends its access on the next request, byte for byte as for a made-up id.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from recovery_network.audit.models import AuditEvent
from recovery_network.extensions import db
from recovery_network.organisations.models import Organisation
from recovery_network.pathways.models import Pathway
from recovery_network.pathways.share_models import PathwayShare
from recovery_network.rota.models import OutboxMessage
from tests.pathways.conftest import TODAY, open_form
from tests.pathways.test_throughcare import contact, opened

# How the contact Morag recorded reads in a contact list.
VIDEO = f"{TODAY:%a %-d %b}: Video call</li>"


@pytest.fixture
def handover(client, auth, setting, make_person):
    """Morag (the founding organisation) opens Dee's pathway and records a contact; Tayside has Tom and Tess."""
    tayside = Organisation(name="Tayside Throughcare", kind="throughcare")
    db.session.add(tayside)
    db.session.commit()
    tom = make_person("coordinator", first_name="Tom", organisations=[tayside])
    tess = make_person("peer_mentor", first_name="Tess", organisations=[tayside])
    auth.login(setting["coordinator"])
    assert client.post("/pathways/new", data=open_form(setting)).status_code == 302
    pathway = db.session.scalar(select(Pathway))
    client.post(f"/pathways/{pathway.public_id}/contacts", data={"on": TODAY.isoformat(), "mode": "video"})
    return {**setting, "tayside": tayside, "tom": tom, "tess": tess, "pathway": pathway}


def share(client, h, **extra):
    """Morag's consent form, as posted."""
    data = {"share_with": h["tayside"].id, "share_kind": "share", "consent_given": "y", **extra}
    return client.post(f"/pathways/{h['pathway'].public_id}/shares", data=data)


def test_nothing_is_shared_without_consent_or_by_another_organisation(client, auth, handover):
    """No consent ticked: said beside the box, nothing shared; a mentor or Tom cannot share it at all."""
    h = handover
    refused = share(client, h, consent_given="")
    assert refused.status_code == 422
    assert "Tick to confirm the person agreed to this, today." in refused.get_data(as_text=True)
    assert db.session.scalar(select(PathwayShare)) is None
    forged = share(client, h, share_with=999999)
    assert forged.status_code == 422 and "Not a valid choice" in forged.get_data(as_text=True)
    auth.login(h["mentor"])  # works on the pathway, but does not decide who else sees it
    assert share(client, h).status_code == 422
    auth.login(h["tom"])
    assert share(client, h).status_code == 404
    assert db.session.scalar(select(PathwayShare)) is None


def test_shared_plan_is_read_only_without_contacts_and_audited(client, auth, handover):
    """Tom and Tess read the plan, not the contact notes, change nothing, and every view is on the record."""
    h = handover
    pid = h["pathway"].public_id
    assert share(client, h).status_code == 303
    row = db.session.scalar(select(PathwayShare))
    assert (row.kind, row.include_contacts, row.consent_recorded_by_id) == ("share", False, h["coordinator"].id)
    for reader in (h["tom"], h["tess"]):
        auth.login(reader)
        page = client.get(f"/pathways/{pid}")
        text = page.get_data(as_text=True)
        assert page.status_code == 200 and "Dee" in text and h["pathway"].reference in text
        assert "Gate meeting" in text and "Session inside" in text and "At the gate" in text  # the plan
        assert "Contacts" not in text and VIDEO not in text
        assert "Erase" not in text and "Record contact" not in text
        assert h["pathway"].reference in client.get("/pathways/").get_data(as_text=True)
        # Read, never changed: every other route is a 404.
        assert client.post(f"/pathways/{pid}/contacts", data={"on": TODAY.isoformat(), "mode": "phone"}
                           ).status_code == 404
        assert client.post(f"/pathways/{pid}/erase").status_code == 404
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == reader.id,
                                                            AuditEvent.action == "pathway.shared_view")).all()
        assert len(views) == 1 and views[0].object_id == h["pathway"].id
        assert views[0].detail == f"org {h['tayside'].id}"
    assert len(db.session.get(Pathway, h["pathway"].id).contacts) == 1


def test_contact_notes_only_when_ticked(client, auth, handover):
    """Ticking 'include earlier contact notes' shows them to the receiving organisation."""
    h = handover
    share(client, h, include_contacts="y")
    auth.login(h["tom"])
    text = client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True)
    assert "Contacts" in text and VIDEO in text


def test_withdrawing_ends_access_at_once(client, auth, handover):
    """After Morag withdraws, Tom's next request is exactly a made-up id's 404."""
    h = handover
    pid = h["pathway"].public_id
    share(client, h)
    row = db.session.scalar(select(PathwayShare))
    auth.login(h["tom"])
    assert client.get(f"/pathways/{pid}").status_code == 200
    auth.login(h["coordinator"])
    page = client.get(f"/pathways/{pid}").get_data(as_text=True)
    assert "Shared with Tayside Throughcare" in page
    assert client.post(f"/pathways/{pid}/shares/{row.id}/withdraw").status_code == 303
    auth.login(h["tom"])
    gone, missing = client.get(f"/pathways/{pid}"), client.get("/pathways/no-such-pathway")
    assert gone.status_code == missing.status_code == 404 and gone.data == missing.data
    assert h["pathway"].reference not in client.get("/pathways/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PathwayShare, row.id).withdrawn_by_id == h["coordinator"].id


def test_handover_moves_ownership_and_the_old_organisation_reads_only_if_agreed(client, auth, handover):
    """Handed to Tayside: Tom works on it (contacts from before hidden unless shared); Morag keeps reading the plan
    only because the person agreed, until that too is withdrawn; the old organisation's mentors step off."""
    h = handover
    pid = h["pathway"].public_id
    assert share(client, h, share_kind="handover", keep_read="y").status_code == 303
    db.session.expire_all()
    pathway = db.session.get(Pathway, h["pathway"].id)
    assert pathway.organisation_id == h["tayside"].id and pathway.mentor_id is None
    auth.login(h["tom"])
    page = client.get(f"/pathways/{pid}").get_data(as_text=True)
    assert "Record contact" in page and VIDEO not in page  # earlier notes were not shared
    assert client.post(f"/pathways/{pid}/contacts", data={"on": TODAY.isoformat(), "mode": "phone"}
                       ).status_code == 302
    assert ": Phone</li>" in client.get(f"/pathways/{pid}").get_data(as_text=True)
    auth.login(h["coordinator"])
    page = client.get(f"/pathways/{pid}")
    assert page.status_code == 200 and "You can read it, not change it" in page.get_data(as_text=True)
    assert client.post(f"/pathways/{pid}/contacts", data={"on": TODAY.isoformat(), "mode": "gate"}
                       ).status_code == 404
    row = db.session.scalar(select(PathwayShare))
    auth.login(h["tom"])  # the new owner can end the old one's reading
    assert client.post(f"/pathways/{pid}/shares/{row.id}/withdraw").status_code == 303
    auth.login(h["coordinator"])
    assert client.get(f"/pathways/{pid}").status_code == 404


def test_handover_without_keeping_reading_leaves_nothing_behind(client, auth, handover):
    """Without the person's agreement to keep reading, the old organisation's co-ordinator loses the pathway."""
    h = handover
    answer = share(client, h, share_kind="handover", include_contacts="y")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/pathways/")
    assert client.get(f"/pathways/{h['pathway'].public_id}").status_code == 404
    auth.login(h["tom"])
    assert VIDEO in client.get(f"/pathways/{h['pathway'].public_id}").get_data(as_text=True)


def test_escalations_reach_only_the_owning_organisations_coordinators(client, auth, setting, make_person):
    """Two tries with no response escalate to Morag (the owner's), not to another organisation's Tom."""
    tayside = Organisation(name="Tayside Throughcare", kind="throughcare")
    db.session.add(tayside)
    db.session.commit()
    tom = make_person("coordinator", first_name="Tom", organisations=[tayside])
    pathway = opened(client, auth, setting, release_date=(TODAY - timedelta(days=3)).isoformat())
    for days in (2, 1):
        contact(client, pathway, TODAY - timedelta(days=days), "no_response")
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("escalation:%"))).all()
    assert [m.person_id for m in mails] == [setting["coordinator"].id]
    auth.login(tom)
    assert "Escalations (0)" in client.get("/coordinate/").get_data(as_text=True)


@pytest.mark.parametrize("notes_shared", [False, True])
def test_nothing_derived_from_unshared_notes_reaches_the_new_owner(client, auth, handover, notes_shared):
    """Found from outside: handed over without earlier notes, Tom's page still said 'Met (2 before release)' and
    'No response since …', facts read off those notes. Now the standards, the welfare flags and the follow-ups
    are judged on the notes he may read, and the page says so; with the notes shared he sees them all."""
    h = handover
    pid = h["pathway"].public_id
    for days_ago in (2, 1):
        client.post(f"/pathways/{pid}/contacts",
                    data={"on": (TODAY - timedelta(days=days_ago)).isoformat(), "mode": "face_to_face"})
    client.post(f"/pathways/{pid}/contacts", data={"on": TODAY.isoformat(), "mode": "no_response"})
    own = client.get(f"/pathways/{pid}").get_data(as_text=True)
    assert "Met" in own and "No response" in own  # what Morag's organisation knows
    extra = {"include_contacts": "y"} if notes_shared else {}
    assert share(client, h, share_kind="handover", **extra).status_code == 303
    auth.login(h["tom"])
    page = client.get(f"/pathways/{pid}").get_data(as_text=True)
    standards_part = page.split('id="standards-heading"')[1].split("</section>")[0]
    if notes_shared:
        assert "Met" in standards_part and "No response" in page
        assert "earlier contact notes were not shared" not in page
    else:
        assert "Met" not in standards_part, standards_part
        assert "No response" not in page
        assert "earlier contact notes were not shared" in page
    listed = client.get("/pathways/").get_data(as_text=True)
    assert ("No response" in listed) == notes_shared
